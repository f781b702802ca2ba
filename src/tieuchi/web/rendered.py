"""Rendered pages a worker keeps, by everything that decides their HTML.

A page is rendered once for a key made of its inputs (the versions of the data it reads, the
workflow states it shows, the user it is shown to, the language, the day, the address) and
served again while the key is the same. The session's CSRF token is the one thing of a page
that is not in its key: the page is rendered with :data:`CSRF_SLOT` in its place and the
token is put in on the way out, so one session never gets another's token.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import date
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from tieuchi.web.app import lang_of, render
from tieuchi.web.security import csrf_token

__all__ = ["RenderedPages", "CSRF_SLOT", "cached_render"]

# Stands for the CSRF token in a kept page: made per process, never a session's token (those
# are 43 characters of token_urlsafe(32)), and needs no escaping in HTML.
CSRF_SLOT = "csrf-" + secrets.token_hex(16)
PAGES = 512  # pages a worker keeps, least recently served out first


class RenderedPages:
    """The kept pages of one worker (least recently served out first; thread-safe)."""

    def __init__(self, size: int = PAGES) -> None:
        self.size = size
        self._pages: OrderedDict[Hashable, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> bytes | None:
        with self._lock:
            body = self._pages.get(key)
            if body is not None:
                self._pages.move_to_end(key)
            return body

    def put(self, key: Hashable, body: bytes) -> None:
        with self._lock:
            self._pages[key] = body
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)

    def __len__(self) -> int:
        return len(self._pages)


def cached_render(request: Request, key: Hashable, template: str,
                  context: Callable[[], dict[str, Any]]) -> HTMLResponse:
    """``template`` over ``context()``, rendered once for ``key`` and the request's address,
    language and day; ``key`` must hold every other input of the page, the user included."""
    pages: RenderedPages = request.app.state.pages
    full = (key, request.url.path, request.url.query, lang_of(request), date.today())
    body = pages.get(full)
    if body is None:
        body = bytes(render(request, template, csrf=CSRF_SLOT, **context()).body)
        pages.put(full, body)
    token = csrf_token(request).encode()
    return HTMLResponse(body.replace(CSRF_SLOT.encode(), token))
