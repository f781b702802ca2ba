"""The web application: one FastAPI app over one :class:`~tieuchi.store.Store`.

Pages are server-rendered Jinja2 templates with htmx (served from the package, no build step);
charts are SVG drawn on the server by matplotlib (:mod:`tieuchi.reports.charts`). The REST API
lives under ``/api`` (:mod:`tieuchi.web.api`). Every error of the API has one shape:
``{"ok": false, "errors": [...], "status": n}``.
"""

from __future__ import annotations

from datetime import date
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from tieuchi.app import Action, App
from tieuchi.domain.problems import Problem, ProblemError
from tieuchi.domain.ruleset import TEXT_LIMITS
from tieuchi.domain.words import WORDS
from tieuchi.reports.formatting import long_date, number, percent
from tieuchi.settings import Settings
from tieuchi.store import Store, User
from tieuchi.store.access import ROLE_NAMES
from tieuchi.store.users import MIN_PASSWORD
from tieuchi.web.bodies import NotUnicode
from tieuchi.web.headers import protect
from tieuchi.web.i18n import (
    LANG_NAMES,
    LANGS,
    N_,
    jinja_callables,
    named,
    named_text,
    speaking,
    translator,
)
from tieuchi.web.security import (
    Needs,
    NotSignedIn,
    Paths,
    csrf_token,
    request_user,
)

__all__ = ["create_app", "render", "lang_of", "error_body", "problem_response", "problem_item",
           "problem_text"]

HERE = Path(__file__).parent
RETRY_AFTER = 5  # seconds, the Retry-After of a 503 when the connection pool is exhausted
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.globals.update(number=number, percent=percent, long_date=long_date,
                             quote=quote, limits=TEXT_LIMITS,
                             min_password=MIN_PASSWORD, named=named, named_text=named_text,
                             lang_names=LANG_NAMES)
templates.env.add_extension("jinja2.ext.i18n")
templates.env.install_gettext_callables(**jinja_callables(), newstyle=True)  # type: ignore[attr-defined]


def lang_of(request: Request) -> str:
    lang = request.cookies.get("lang", "vi")
    return lang if lang in LANGS else "vi"


def render(request: Request, template: str, status_code: int = 200,
           **context: Any) -> HTMLResponse:
    """A page, with the user, the language's wording and the CSRF token at hand. The user is
    the signed-in one unless ``user`` is given (None: shown as to a visitor)."""
    lang = lang_of(request)
    user = context.pop("user") if "user" in context else request_user(request)
    csrf = context.pop("csrf") if "csrf" in context else csrf_token(request)
    with speaking(lang):  # the templates' _() and {% trans %} read the page's language
        return templates.TemplateResponse(request, template, {
            # TRANSITIONAL (merger): drop "t" once every template reads the catalogue
            "user": user, "lang": lang, "w": WORDS[lang],
            "role_names": ROLE_NAMES[lang], "csrf": csrf,
            "today": date.today(), **context,
        }, status_code=status_code)


def error_body(status: int, errors: list[dict[str, Any]]) -> dict[str, Any]:
    """The one error shape of the API."""
    return {"ok": False, "errors": errors, "status": status}


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api")


def create_app(store: Store, settings: Settings | None = None) -> FastAPI:
    """The web application over the :class:`~tieuchi.app.App` of ``store``; ``settings``
    give the cookie key and the login limits."""
    settings = settings or Settings()
    app = FastAPI(title="tieuchi", summary="Targets, criteria sets and reports",
                  docs_url=None, redoc_url=None, openapi_url="/api/openapi.json")
    app.state.app = App(store, settings)
    app.state.store = store
    app.state.settings = settings
    from tieuchi.web.rendered import RenderedPages

    app.state.pages = RenderedPages()
    app.state.paths = Paths()
    app.add_middleware(
        SessionMiddleware, secret_key=settings.secret_key or store.users.secret(),
        session_cookie="tieuchi_session", max_age=settings.session_hours * 3600,
        same_site="lax", https_only=settings.secure_cookies,
    )
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    protect(app, settings)  # security headers, body limit, offline API docs (web/headers.py)

    public = [Needs(Action.PUBLIC)]

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
    """One handler renders every :class:`ProblemError` with its status (the catalogue's);
    the others translate what the framework or the store raises into one, and call it."""

    @app.exception_handler(ProblemError)
    async def problems(request: Request, exc: ProblemError) -> Response:
        return problem_response(request, exc)

    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, exc: NotSignedIn) -> Response:
        if _is_api(request):
            return problem_response(request, exc)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        if isinstance(exc.__cause__, NotUnicode):  # FastAPI raises it from the parser's error
            return problem_response(request, ProblemError([exc.__cause__.problem]))
        return problem_response(request, ProblemError([_invalid(e) for e in exc.errors()]),
                                framework=True)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "not-found", 405: "method-not-allowed", 422: "invalid-request",
                413: "too-large", 503: "busy"}.get(exc.status_code, "http-error")
        message = str(exc.detail)
        vi = message
        if exc.status_code in _HTTP_VI and message == HTTPStatus(exc.status_code).phrase:
            vi = _HTTP_VI[exc.status_code]  # the framework's own words, translated
        return problem_response(request, ProblemError([Problem(code, message, vi)]),
                                status=exc.status_code, framework=True)

    @app.exception_handler(DBAPIError)
    async def dropped(request: Request, exc: DBAPIError) -> Response:
        """A pooled connection the server had closed (connections are not pinged before
        use): the pool is invalidated, so the retry the 503 asks for reconnects."""
        if not exc.connection_invalidated:
            raise exc
        return await busy(request, exc)

    @app.exception_handler(PoolTimeout)
    async def busy(request: Request, exc: Exception) -> Response:
        """Every database connection of this worker is in use (or one was dropped): 503 and
        when to retry, rendered without touching the database (shown as to a visitor)."""
        error = ProblemError([Problem("busy", translator("en").gettext(BUSY),
                                      translator("vi").gettext(BUSY))])
        response = problem_response(request, error, visitor=True)
        response.headers["Retry-After"] = str(RETRY_AFTER)
        return response


# The framework's errors in Vietnamese (its English phrase is kept as the English message).
_HTTP_VI = {400: "yêu cầu không hợp lệ", 404: "không có trang hoặc địa chỉ này",
            405: "địa chỉ này không nhận phương thức của yêu cầu",
            413: "yêu cầu quá lớn", 415: "kiểu nội dung của yêu cầu không được hỗ trợ"}


def _invalid(error: Any) -> Problem:
    """``invalid-request`` for one error of the request's validation: the field at fault, or,
    for a body that is not JSON, the parser's reason and the character it stopped at."""
    if error.get("type") == "json_invalid":
        reason = str(error.get("ctx", {}).get("error", error["msg"]))
        at = error["loc"][-1] if isinstance(error["loc"][-1], int) else 0
        en, vi = (f" (character {at})", f" (ký tự {at})") if at else ("", "")
        return Problem("invalid-request", f"the body is not valid JSON: {reason}{en}",
                       f"nội dung yêu cầu không phải JSON hợp lệ: {reason}{vi}", field="body")
    return Problem("invalid-request", error["msg"], "yêu cầu không hợp lệ: " + error["msg"],
                   field=".".join(str(x) for x in error["loc"]))


def problem_text(error: ProblemError, lang: str) -> str:
    """The messages of a refusal in ``lang``, as a page shows them (without the request's
    places, which the page shows by its fields)."""
    return "; ".join(dict.fromkeys(_message(p, lang) for p in error.problems))


def _message(p: Problem, lang: str) -> str:
    """A problem's own message in ``lang`` (the domain writes both; English for a language
    it does not write)."""
    return {"vi": p.message_vi}.get(lang, p.message)


def problem_item(p: Problem) -> dict[str, Any]:
    """One error of the API's error body (docs/api.md)."""
    return {"code": p.code, "message": p.message, "message_vi": p.message_vi,
            "field": p.field, "index": p.index, "place": p.place}


BUSY = N_("Máy chủ đang bận: mọi kết nối cơ sở dữ liệu đều đang được dùng. Vui lòng thử lại "
          "sau vài giây.")

# The error page's title, by HTTP status (others: FAILED)
TITLES = {403: N_("Không có quyền truy cập"), 404: N_("Không tìm thấy"),
          503: N_("Máy chủ đang bận")}
FAILED = N_("Không thực hiện được")

# What the page says of an error of the address or the request itself (the framework's
# words, or a page's, are for developers: the user reads one of these)
SAID = {
    404: N_("Không có trang này: địa chỉ có thể bị gõ sai, hoặc đơn vị, chỉ tiêu hay dự thảo "
            "nêu trong địa chỉ không có hoặc bạn không được xem."),
    405: N_("Trang này không nhận yêu cầu theo cách đã gửi; hãy mở trang từ một liên kết của "
            "trang web."),
    413: N_("Yêu cầu gửi lên quá lớn; hãy gửi ít hơn mỗi lần."),
    422: N_("Địa chỉ của trang này thiếu thông tin hoặc có thông tin không đúng; hãy mở trang "
            "từ một liên kết của trang web."),
    503: BUSY,
}
SAID_ELSE = N_("Không thực hiện được yêu cầu này; hãy quay lại và thử lại.")


def _sentence(text: str) -> str:
    """A message as a sentence: a capital first letter and a full stop."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?…" else text + "."


def _came_from(request: Request) -> str | None:
    """The page of this site the request came from (its Referer), if any."""
    referer = request.headers.get("referer", "")
    origin = f"{request.url.scheme}://{request.url.netloc}"
    if not referer.startswith(origin + "/"):
        return None
    path = referer[len(origin):]
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return _local(path) if path != here else None


def problem_response(request: Request, error: ProblemError, *, status: int | None = None,
                     visitor: bool = False, framework: bool = False) -> Response:
    """A refusal as the API's error body or as the error page, with the catalogue's status
    (``status`` overrides it for the framework's other HTTP errors); ``visitor`` renders the
    page without asking who is signed in (the database may be out of reach). The page says
    it in the user's language, with a way back: the problems' own messages, or, for an
    error of the address itself (``framework``: a page not found, a parameter missing), a
    sentence of the catalogue for its status."""
    status = status or error.status
    if _is_api(request):
        return JSONResponse(error_body(status, [problem_item(p) for p in error.problems]),
                        status_code=status)
    lang = lang_of(request)
    _ = translator(lang).gettext
    title = _(TITLES.get(status, FAILED))
    if framework or visitor:
        message = _(SAID.get(status, SAID_ELSE))
    else:
        message = _sentence(problem_text(error, lang))
    extra: dict[str, Any] = {"user": None} if visitor else {}
    return render(request, "error.html", status_code=status, title=title, message=message,
                  came_from=_came_from(request), **extra)


def current_user(request: Request) -> User:
    """Dependency of every page: the signed-in user, else a redirect to the login page."""
    user = request_user(request)
    if user is None:
        raise NotSignedIn()
    return user
