"""The signed-in user's own account: change the password, see and revoke the API tokens.

The rules are the application's (:meth:`~tieuchi.app.App.change_password`,
:meth:`~tieuchi.app.App.revoke_token`); this page only translates."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import HTMLResponse

from tieuchi.app import Action
from tieuchi.domain.problems import ProblemError
from tieuchi.store import User, now
from tieuchi.web.app import lang_of, problem_text, render
from tieuchi.web.i18n import translator
from tieuchi.web.pages.common import CurrentUser, page_router
from tieuchi.web.security import Needs, app_of, client_address, login

router = page_router()

SignedIn = [Needs(Action.SIGNED_IN)]


@router.get("/account", dependencies=SignedIn)
def account_page(request: Request, user: CurrentUser) -> HTMLResponse:
    return _page(request, user)


@router.post("/account/password", dependencies=SignedIn)
def change_password(
    request: Request, user: CurrentUser, current: Annotated[str, Form()],
    new: Annotated[str, Form()], again: Annotated[str, Form()],
) -> HTMLResponse:
    """A new password: every other session and every token of the user ends; this one goes
    on (signed in again, with the new generation)."""
    _ = translator(lang_of(request)).gettext
    if new != again:
        return _page(request, user, status_code=422,
                     error=_("Hai lần nhập mật khẩu mới không khớp nhau; hãy nhập lại."))
    try:
        app_of(request).change_password(user, current, new, client_address(request))
    except ProblemError as refused:
        return _page(request, user, error=problem_text(refused, lang_of(request)),
                     status_code=refused.status)
    login(request, user)
    return _page(request, user, message=_("Đã đổi mật khẩu. Các phiên đăng nhập khác và mọi "
                                          "mã truy cập (token) của bạn đã bị hủy."))


@router.post("/account/tokens/{token_id}/revoke", dependencies=SignedIn)
def revoke_token(request: Request, user: CurrentUser, token_id: int) -> HTMLResponse:
    try:
        app_of(request).revoke_token(user, token_id)
    except ProblemError as refused:
        return _page(request, user, error=problem_text(refused, lang_of(request)),
                     status_code=refused.status)
    _ = translator(lang_of(request)).gettext
    return _page(request, user, message=_("Đã thu hồi mã truy cập số %(id)s.") % {"id": token_id})


def _page(request: Request, user: User, *, status_code: int = 200, error: str | None = None,
          message: str | None = None) -> HTMLResponse:
    return render(request, "account.html", status_code=status_code, user=user,
                  tokens=app_of(request).tokens(user), at=now(), error=error,
                  message=message)
