"""Who is asking: session cookies for pages, bearer tokens for the API, CSRF on every form.

The session is a signed cookie (HttpOnly, SameSite=Lax; Secure behind HTTPS) holding the
user's id, their generation when they signed in and a CSRF token. Signing out, a password
change and disabling the user move the generation on, so every session made before ends on
its next request, on every worker: the generation is read with the user on each request.
Workers keep no other state: any worker with the same key reads any session.
"""

from __future__ import annotations

import hmac
import secrets
import threading
from typing import Any

from fastapi import Depends, Request

from tieuchi.app import Action, App, Resource, allowed
from tieuchi.domain.problems import Problem, ProblemError
from tieuchi.store import Store, User

__all__ = ["session_user", "token_user", "csrf_token", "csrf_ok", "login", "logout",
           "client_address",
           "NotSignedIn", "CsrfFailed", "Needs", "Requirement", "app_of", "store_of",
           "request_user"]

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


class NotSignedIn(ProblemError):
    """No valid session or token (``not-signed-in``: pages send the visitor to sign in)."""

    def __init__(self) -> None:
        super().__init__([Problem("not-signed-in", "sign in or give a bearer token",
                                  "cần đăng nhập hoặc gửi mã truy cập (bearer token)")])


class CsrfFailed(ProblemError):
    """A form or request without the session's CSRF token (``csrf``)."""

    def __init__(self) -> None:
        super().__init__([Problem("csrf", "missing or wrong CSRF token (X-CSRF-Token); "
                                  "reload the page and try again",
                                  "Phiên làm việc đã hết hạn; tải lại trang rồi thử lại.")])


def app_of(request: Request) -> App:
    app: App = request.app.state.app
    return app


def store_of(request: Request) -> Store:
    return app_of(request).store


def request_user(request: Request) -> User | None:
    """The user of a request, found once: for the API the bearer token's when an
    ``Authorization`` header is given (a wrong token is not made up for by a session), else
    the session's."""
    if "user" not in request.state._state:
        if request.url.path.startswith("/api") and \
                request.headers.get("authorization") is not None:
            request.state.user = token_user(request)
        else:
            request.state.user = session_user(request)
    user: User | None = request.state.user
    return user


def Needs(action: Action, unit_param: str | None = "code") -> Any:  # noqa: N802
    """What a route needs, declared on it: ``dependencies=[Needs(Action.READ)]``. The unit is
    the route's path or query parameter ``unit_param``; with ``unit_param=None`` the request's
    rows name their units and the application's command checks each of them. A test walks
    the routes of the application: every route declares exactly one."""
    return Depends(Requirement(action, unit_param))


class Requirement:
    """The check behind :func:`Needs`: the signed-in user may do ``action`` on the unit,
    decided from the worker's paths; a refusal is the application's
    (:meth:`App.require_seen`: 404 for a unit the user may not see, 403 for one they see)."""

    def __init__(self, action: Action, unit_param: str | None) -> None:
        self.action, self.unit_param = action, unit_param

    def __repr__(self) -> str:
        return f"Needs({self.action.value!r}, {self.unit_param!r})"

    def __call__(self, request: Request) -> None:
        if self.action is Action.PUBLIC:
            return
        code = None
        if self.unit_param is not None and self.action is not Action.SIGNED_IN:
            code = request.path_params.get(self.unit_param) or \
                request.query_params.get(self.unit_param)
        # The unit's path first: the versions read with it let the user's path come from
        # the worker's paths too (see session_user); both in one transaction.
        with store_of(request).session():
            path = unit_path(request, code) if code is not None else []
            user = request_user(request)
        if user is None:
            raise NotSignedIn()
        if code is None:
            return
        if path and allowed(user, self.action, Resource.unit(path)):
            return
        app_of(request).require_seen(user, self.action, code)  # raises: 404 or 403


def unit_versions(request: Request, code: str) -> tuple[int, int]:
    """``code``'s data version and the definitions version, read once a request."""
    read: dict[str, tuple[int, int]] = request.state._state.setdefault("versions", {})
    if code not in read:
        read[code] = app_of(request).results.versions(code)
    return read[code]


def unit_path(request: Request, code: str) -> list[str]:
    """The unit, then its parent, up to the top (empty for an unknown unit), from the
    worker's :class:`Paths` while the definitions version read by the request holds."""
    paths: Paths = request.app.state.paths
    return paths.path(app_of(request), code, unit_versions(request, code)[1])


class Paths:
    """The paths of the units a worker has been asked about, kept while no load has moved
    the definitions version (only a load changes the hierarchy)."""

    SIZE = 8192

    def __init__(self) -> None:
        self._defined = -1
        self._paths: dict[str, list[str]] = {}
        self._lock = threading.Lock()

    def path(self, app: App, code: str, defined: int) -> list[str]:
        with self._lock:
            if defined == self._defined and code in self._paths:
                return self._paths[code]
        found = app.store.units.path(code)
        with self._lock:
            if defined > self._defined:
                self._defined, self._paths = defined, {}
            if defined == self._defined and found:
                if len(self._paths) >= self.SIZE:
                    self._paths.clear()
                self._paths[code] = found
        return found


def session_user(request: Request) -> User | None:
    """The user of the session cookie, if it is still valid."""
    uid = request.session.get("uid")
    if not isinstance(uid, int):
        return None
    read = request.state._state.get("versions")
    if read:  # the definitions version is known: the user's path from the worker's paths
        paths: Paths = request.app.state.paths
        app, defined = app_of(request), next(iter(read.values()))[1]
        found = app.store.users.get(uid, lambda unit: paths.path(app, unit, defined))
    else:
        found = store_of(request).users.get(uid)
    if found is None:
        return None
    user, generation = found
    if request.session.get("gen") != generation:
        return None  # signed out, password changed or disabled since
    return user


def token_user(request: Request) -> User | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return store_of(request).users.for_token(token.strip())


def client_address(request: Request) -> str:
    """The client's address: the connection's, or the one a trusted proxy gave
    (``TIEUCHI_TRUSTED_PROXIES``, applied by the server before the application)."""
    return request.client.host if request.client else "-"


def login(request: Request, user: User) -> None:
    found = store_of(request).users.get(user.id)
    assert found is not None
    request.session.clear()
    request.session.update({"uid": user.id, "gen": found[1],
                            "csrf": secrets.token_urlsafe(32)})


def logout(request: Request) -> None:
    """Sign out: every session of the user ends (the cookie may have been copied)."""
    user = session_user(request)
    if user is not None:
        app_of(request).sign_out(user)
    request.session.clear()


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made when the session has none (the login form)."""
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


async def csrf_ok(request: Request) -> bool:
    """Whether an unsafe request carries the session's token, in the header (htmx, fetch)
    or in the form."""
    expected = request.session.get("csrf")
    if not isinstance(expected, str):
        return False
    given: Any = request.headers.get(CSRF_HEADER)
    if not given and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        given = form.get(CSRF_FIELD)
    return isinstance(given, str) and hmac.compare_digest(given, expected)


async def require_csrf(request: Request) -> None:
    """Dependency of every page router and of the API when it is used with a session:
    unsafe methods need the session's CSRF token."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if request.url.path.startswith("/api") and request.headers.get("authorization"):
        return  # a bearer token is not sent by the browser on its own: no CSRF risk
    if not await csrf_ok(request):
        raise CsrfFailed()
