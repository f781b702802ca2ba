"""Signing in and out, the home page and the unit search."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tieuchi.app import Action, allowed
from tieuchi.app.policy import Resource
from tieuchi.domain.problems import ProblemError
from tieuchi.store import Store
from tieuchi.web.app import _local, lang_of, problem_text, render
from tieuchi.web.i18n import translator
from tieuchi.web.pages.common import CurrentUser, page_router
from tieuchi.web.security import Needs, app_of, client_address, login, logout, session_user

router = page_router()


@router.get("/login", dependencies=[Needs(Action.PUBLIC)])
def login_page(request: Request, next: str = "/") -> Response:
    if session_user(request):
        return RedirectResponse(_local(next), status_code=303)
    return render(request, "login.html", next=_local(next))


@router.post("/login", dependencies=[Needs(Action.PUBLIC)])
def login_form(
    request: Request, username: Annotated[str, Form()], password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    _ = translator(lang_of(request)).gettext
    try:
        user = app_of(request).authenticate(username.strip(), password, client_address(request))
    except ProblemError as refused:  # too many failed logins
        return render(request, "login.html", error=problem_text(refused, lang_of(request)),
                      status_code=refused.status,
                      next=_local(next), username=username)
    if user is None:
        return render(request, "login.html", status_code=401,
                      error=_("Sai tên đăng nhập hoặc mật khẩu."),
                      next=_local(next), username=username)
    login(request, user)
    return RedirectResponse(_local(next), status_code=303)


@router.post("/logout", dependencies=[Needs(Action.PUBLIC)])
def logout_form(request: Request) -> Response:
    logout(request)
    return RedirectResponse("/login", status_code=303)


@router.get("/", dependencies=[Needs(Action.SIGNED_IN)])
def home(request: Request, user: CurrentUser) -> Response:
    store: Store = request.app.state.store
    if user.unit:
        return RedirectResponse(f"/units/{user.unit}", status_code=303)
    top = store.units.top()
    if len(top) == 1:
        return RedirectResponse(f"/units/{top[0]}", status_code=303)
    units = [u for code in top if (u := store.units.get(code))]
    return render(request, "home.html", units=units)


@router.get("/search", dependencies=[Needs(Action.SIGNED_IN)])
def search(request: Request, user: CurrentUser, q: str = "") -> HTMLResponse:
    store: Store = request.app.state.store
    found = []
    if q.strip():
        for unit in store.units.search(q, within=user.unit):
            path = store.units.path(unit.code)
            if allowed(user, Action.READ, Resource.unit(path)):
                parent = store.units.get(path[1]) if len(path) > 1 else None
                found.append((unit, parent.name if parent else ""))
    template = "_search.html" if request.headers.get("hx-request") else "search.html"
    return render(request, template, found=found, q=q)
