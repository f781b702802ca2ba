"""The web application: one FastAPI app over one :class:`~tieuchi.store.Store`.

Pages are server-rendered Jinja2 templates with htmx (served from the package, no build step);
charts are plotly, whose script is served from the installed ``plotly`` package. The REST API
lives under ``/api`` (:mod:`tieuchi.web.api`). Every error of the API has one shape:
``{"ok": false, "errors": [...], "status": n}``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

import plotly
from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.middleware.sessions import SessionMiddleware

from tieuchi.app import Action, App, UnknownUnit
from tieuchi.domain.problems import ProblemError
from tieuchi.domain.workflow import CLOSED_CODES
from tieuchi.reports.formatting import long_date, number, percent
from tieuchi.reports.words import WORDS
from tieuchi.settings import Settings
from tieuchi.store import Store, User
from tieuchi.store.access import ROLE_NAMES
from tieuchi.web.security import (
    CsrfFailed,
    Forbidden,
    Needs,
    NotSignedIn,
    csrf_token,
    request_user,
)
from tieuchi.web.words import LANGS, UI

__all__ = ["create_app", "render", "lang_of", "error_body"]

HERE = Path(__file__).parent
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
RETRY_AFTER = 5  # seconds, the Retry-After of a 503 when the connection pool is exhausted
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.globals.update(number=number, percent=percent, long_date=long_date,
                             quote=quote)


def lang_of(request: Request) -> str:
    lang = request.cookies.get("lang", "vi")
    return lang if lang in LANGS else "vi"


def render(request: Request, template: str, status_code: int = 200,
           **context: Any) -> HTMLResponse:
    """A page, with the user, the language's wording and the CSRF token at hand. The user is
    the signed-in one unless ``user`` is given (None: shown as to a visitor)."""
    lang = lang_of(request)
    user = context.pop("user") if "user" in context else request_user(request)
    return templates.TemplateResponse(request, template, {
        "user": user, "lang": lang, "t": UI[lang], "w": WORDS[lang],
        "role_names": ROLE_NAMES[lang], "csrf": csrf_token(request),
        "today": date.today(), **context,
    }, status_code=status_code)


def error_body(status: int, errors: list[dict[str, Any]]) -> dict[str, Any]:
    """The one error shape of the API."""
    return {"ok": False, "errors": errors, "status": status}


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api")


def _api_error(status: int, code: str, message: str, message_vi: str | None = None,
               **extra: Any) -> JSONResponse:
    error = {"code": code, "message": message, "message_vi": message_vi or message, **extra}
    return JSONResponse(error_body(status, [error]), status_code=status)


def create_app(store: Store, settings: Settings | None = None) -> FastAPI:
    """The web application over the :class:`~tieuchi.app.App` of ``store``; ``settings``
    give the cookie key and the login limits."""
    settings = settings or Settings()
    app = FastAPI(title="tieuchi", summary="Targets, criteria sets and reports",
                  docs_url="/api/docs", redoc_url=None, openapi_url="/api/openapi.json")
    app.state.app = App(store, settings)
    app.state.store = store
    app.state.settings = settings
    app.add_middleware(
        SessionMiddleware, secret_key=settings.secret_key or store.users.secret(),
        session_cookie="tieuchi_session", max_age=settings.session_hours * 3600,
        same_site="lax", https_only=settings.secure_cookies,
    )
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    public = [Needs(Action.PUBLIC)]

    @app.get("/static-plotly/plotly.min.js", include_in_schema=False, dependencies=public)
    def plotly_js() -> FileResponse:
        return FileResponse(PLOTLY_JS, media_type="text/javascript",
                            headers={"Cache-Control": "public, max-age=86400"})

    @app.get("/lang/{code}", include_in_schema=False, dependencies=public)
    def set_lang(code: str, next: str = "/") -> RedirectResponse:
        response = RedirectResponse(_local(next), status_code=303)
        if code in LANGS:
            response.set_cookie("lang", code, max_age=365 * 86400, samesite="lax",
                                httponly=True)
        return response

    @app.get("/favicon.ico", include_in_schema=False, dependencies=public)
    def favicon() -> RedirectResponse:
        return RedirectResponse("/static/favicon.svg", status_code=301)

    @app.get("/healthz", include_in_schema=False, dependencies=public)
    def health() -> dict[str, bool]:
        return {"ok": True}

    _handlers(app)
    from tieuchi.web import api, pages

    app.include_router(api.router)
    for router in pages.ROUTERS:
        app.include_router(router)
    return app


def _local(target: str) -> str:
    """Only redirect within the site."""
    return target if target.startswith("/") and not target.startswith("//") else "/"


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, exc: NotSignedIn) -> Response:
        if _is_api(request):
            return _api_error(401, "not-signed-in", "sign in or give a bearer token",
                              "cần đăng nhập hoặc gửi mã truy cập (bearer token)")
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(CsrfFailed)
    async def csrf_failed(request: Request, exc: CsrfFailed) -> Response:
        if _is_api(request):
            return _api_error(403, "csrf", "missing or wrong CSRF token (X-CSRF-Token)",
                              UI["vi"]["csrf"])
        return _error_page(request, 403, UI[lang_of(request)]["csrf"])

    @app.exception_handler(Forbidden)
    async def refused(request: Request, exc: Forbidden) -> Response:
        if _is_api(request):
            return _api_error(403, "forbidden", exc.message, exc.message_vi)
        return _error_page(request, 403, exc.message_vi if lang_of(request) == "vi"
                           else exc.message)

    @app.exception_handler(ProblemError)
    async def store_error(request: Request, exc: ProblemError) -> Response:
        status = 403 if exc.status == 403 else 409 if any(
            p.code in CLOSED_CODES for p in exc.problems) else 422
        if _is_api(request):
            return JSONResponse(error_body(status, [p.as_dict() for p in exc.problems]),
                                status_code=status)
        vi = lang_of(request) == "vi"
        return _error_page(request, status, "; ".join(
            p.message_vi if vi else p.message for p in exc.problems))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = [{"code": "invalid-request", "field": ".".join(str(x) for x in e["loc"]),
                   "message": e["msg"], "message_vi": "yêu cầu không hợp lệ: " + e["msg"]}
                  for e in exc.errors()]
        if _is_api(request):
            return JSONResponse(error_body(422, errors), status_code=422)
        return _error_page(request, 422, "; ".join(f"{e['field']}: {e['message']}"
                                                   for e in errors))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        code = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error")
        if _is_api(request):
            if isinstance(exc.detail, dict):
                return _api_error(exc.status_code, code, str(exc.detail.get("message")),
                                  exc.detail.get("message_vi"))
            return _api_error(exc.status_code, code, str(exc.detail))
        return _error_page(request, exc.status_code, str(exc.detail))

    @app.exception_handler(UnknownUnit)
    async def unknown_unit(request: Request, exc: UnknownUnit) -> Response:
        return await http_error(request, HTTPException(404, str(exc)))

    @app.exception_handler(PoolTimeout)
    async def busy(request: Request, exc: PoolTimeout) -> Response:
        """Every database connection of this worker is in use: 503 and when to retry,
        rendered without touching the database (the page is shown as to a visitor)."""
        headers = {"Retry-After": str(RETRY_AFTER)}
        if _is_api(request):
            response: Response = _api_error(503, "busy", UI["en"]["busy_message"],
                                            UI["vi"]["busy_message"])
        else:
            t = UI[lang_of(request)]
            response = render(request, "error.html", status_code=503, user=None,
                              title=t["busy"], message=t["busy_message"])
        response.headers.update(headers)
        return response

    from starlette.exceptions import HTTPException as StarletteHTTPException

    @app.exception_handler(StarletteHTTPException)
    async def starlette_error(request: Request, exc: StarletteHTTPException) -> Response:
        return await http_error(request, HTTPException(exc.status_code, exc.detail))


def _error_page(request: Request, status: int, message: str) -> HTMLResponse:
    t = UI[lang_of(request)]
    title = {403: t["forbidden"], 404: t["not_found"]}.get(status, str(status))
    return render(request, "error.html", status_code=status, title=title, message=message)


def current_user(request: Request) -> User:
    """Dependency of every page: the signed-in user, else a redirect to the login page."""
    user = request_user(request)
    if user is None:
        raise NotSignedIn()
    return user
