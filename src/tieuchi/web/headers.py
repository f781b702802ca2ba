"""The web's defences that hold for every response and every request, installed on the
application in one call (:func:`protect`):

- security headers: a Content-Security-Policy that runs scripts of this site only (no inline
  script, no ``on…=`` handler: the pages' code is in ``static/*.js``; the one inline script
  of the API documentation is allowed by its SHA-256), frames refused
  (``frame-ancestors 'none'``, ``X-Frame-Options: DENY``), ``nosniff``, a Referrer-Policy,
  and Strict-Transport-Security when cookies are sent over HTTPS only;
- a limit on the request body (``TIEUCHI_MAX_REQUEST_MB``), for every route: a body declared
  or found larger is refused with 413 (``request-too-large``) in the one error shape, before
  it is read;
- the API documentation (``/api/docs``) with Swagger UI served from an installed package
  (``fastapi-offline``): the application fetches nothing from the internet;
- compressed responses: a response of :data:`GZIP_MIN_BYTES` or more goes gzipped to a
  client that accepts it (pages, scripts, styles, JSON: a page and its assets travel at about
  a fifth of their size).
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tieuchi.domain.problems import ProblemError, problem
from tieuchi.settings import Settings

__all__ = ["protect", "SecurityHeaders", "BodyLimit", "RequestTooLarge", "content_policy",
           "DOCS_URL", "DOCS_ASSETS", "GZIP_MIN_BYTES"]

DOCS_URL = "/api/docs"
DOCS_ASSETS = "/static-docs"
SWAGGER_FILES = Path(fastapi_offline.__file__).parent / "static"
HSTS = "max-age=31536000"
GZIP_MIN_BYTES = 1000  # smaller responses are sent as they are: gzip would barely shrink them


def protect(app: FastAPI, settings: Settings) -> None:
    """Install the headers, the body limit, the compression and the offline API
    documentation on ``app`` (made with ``docs_url=None``)."""
    docs = _swagger_page(app)
    app.add_route(DOCS_URL, lambda _request: HTMLResponse(docs), include_in_schema=False)
    app.mount(DOCS_ASSETS, StaticFiles(directory=SWAGGER_FILES), name="static-docs")
    app.add_exception_handler(RequestTooLarge, _too_large)
    app.add_middleware(BodyLimit, max_bytes=settings.max_request_mb * 2**20)
    app.add_middleware(SecurityHeaders, hsts=settings.secure_cookies,
                       scripts=inline_scripts(docs))
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MIN_BYTES, compresslevel=6)


def content_policy(scripts: Iterable[str] = ()) -> str:
    """The Content-Security-Policy: everything from this site only; scripts from its files
    and the inline ``scripts`` given (by their hash); inline styles allowed (htmx, Swagger UI and
    the charts' SVG set styles), plugins and framing refused."""
    hashes = " ".join(f"'sha256-{_sha256(s)}'" for s in scripts)
    return "; ".join([
        "default-src 'self'", f"script-src 'self'{' ' + hashes if hashes else ''}",
        "style-src 'self' 'unsafe-inline'", "img-src 'self' data:", "font-src 'self' data:",
        "connect-src 'self'", "object-src 'none'", "base-uri 'self'", "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def inline_scripts(page: str) -> list[str]:
    """The text of each inline ``<script>`` of ``page`` (those without ``src``)."""
    return re.findall(r"<script>(.*?)</script>", page, flags=re.DOTALL)


class SecurityHeaders:
    """Adds the security headers to every HTTP response (those a response sets itself
    stay)."""

    def __init__(self, app: ASGIApp, *, hsts: bool, scripts: Iterable[str] = ()) -> None:
        self.app = app
        self.headers = {
            "Content-Security-Policy": content_policy(scripts),
            "X-Frame-Options": "DENY",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin",
            "Cross-Origin-Opener-Policy": "same-origin",
        }
        if hsts:
            self.headers["Strict-Transport-Security"] = HSTS

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


class RequestTooLarge(HTTPException):
    """A request body over the limit (raised when the application reads it)."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, f"request body over {max_bytes} bytes")
        self.max_bytes = max_bytes


class BodyLimit:
    """Refuses a request body larger than ``max_bytes``: one declared larger
    (``Content-Length``) on its first read, before anything is received; one sent in chunks
    as soon as it has passed the limit. The refusal is raised where the application reads
    the body, so it becomes the one error shape (413, ``request-too-large``)."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        received = int(declared) if declared.isdigit() else 0

        async def limited() -> Message:
            nonlocal received
            if received > self.max_bytes:
                raise RequestTooLarge(self.max_bytes)
            message = await receive()
            if message["type"] == "http.request" and not declared:
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise RequestTooLarge(self.max_bytes)
            return message

        await self.app(scope, limited, send)


async def _too_large(request: Request, exc: Exception) -> Response:
    from tieuchi.web.app import problem_response

    assert isinstance(exc, RequestTooLarge)
    mb = f"{exc.max_bytes / 2**20:g}"
    return problem_response(request, ProblemError([problem("request-too-large", {"mb": mb})]))


def _swagger_page(app: FastAPI) -> str:
    """The Swagger UI page of the application's OpenAPI schema, its script and style from
    :data:`DOCS_ASSETS`."""
    assert app.openapi_url is not None
    page: Any = get_swagger_ui_html(
        openapi_url=app.openapi_url, title=f"{app.title} API",
        swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
        swagger_favicon_url="/static/favicon.svg")
    return bytes(page.body).decode()


def _sha256(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
