"""The JSON bodies the API reads are Unicode text.

JSON's escapes can write a lone UTF-16 surrogate (``"\\ud800"``), and Python's parser reads
it into a ``str`` that no UTF-8 encoder takes: the database driver, and even the error
response that quotes it, would fail with a 500. The interoperable profile of JSON (RFC 7493,
I-JSON, §2.1) forbids such strings; the API refuses them where the body is parsed, as a body
that is not valid JSON (422 ``invalid-request``, naming the place of the string), before any
route sees it: the request validation's handler (:mod:`tieuchi.web.app`) reports
:attr:`NotUnicode.problem`.

The routes of the API are :class:`UnicodeJsonRoute` (``APIRouter(route_class=…)``): FastAPI's
extension point for the request a route reads.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from tieuchi.domain.problems import Problem

__all__ = ["UnicodeJsonRoute", "NotUnicode", "not_unicode"]


def not_unicode(value: Any) -> tuple[str | int, ...] | None:
    """Where (``("observations", 0, "indicator")``) the first key or string of a parsed JSON
    value is not Unicode text (it holds a lone surrogate); None when there is none."""
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), value)]
    while stack:
        place, item = stack.pop()
        if isinstance(item, str):
            if not _encodable(item):
                return place
        elif isinstance(item, dict):
            if not all(_encodable(key) for key in item):
                return place
            stack.extend((place + (key,), inner) for key, inner in reversed(item.items()))
        elif isinstance(item, list):
            stack.extend((place + (i,), inner) for i, inner in reversed(list(enumerate(item))))
    return None


def _encodable(text: str) -> bool:
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class NotUnicode(json.JSONDecodeError):
    """A JSON body with a string that is not Unicode text, at ``place``; :attr:`problem` is
    how the API reports it."""

    def __init__(self, place: tuple[str | int, ...]) -> None:
        self.place = place
        super().__init__(f"{self.field} holds a lone surrogate (such as \\ud800)", "", 0)

    @property
    def field(self) -> str:
        return ".".join(str(x) for x in ("body", *self.place))

    @property
    def problem(self) -> Problem:
        return Problem(
            "invalid-request",
            "the text holds a lone surrogate (such as \\ud800), which is not Unicode text; "
            "send text as UTF-8 (or a surrogate pair)",
            "chuỗi chứa ký tự thay thế đơn lẻ (surrogate, ví dụ \\ud800), không phải văn bản "
            "Unicode; hãy gửi văn bản dạng UTF-8 (hoặc cặp surrogate đầy đủ)",
            field=self.field)


class UnicodeJsonRequest(Request):
    """A request whose JSON body is refused, as malformed JSON (:class:`NotUnicode`), when a
    key or string of it is not Unicode text; so is a body that is not text at all, or nested
    past the parser's depth (else FastAPI's bare 400)."""

    async def json(self) -> Any:
        try:
            value = await super().json()
        except UnicodeDecodeError as error:  # json.loads reads UTF-8, -16 and -32 only
            raise json.JSONDecodeError("not UTF-8 text", "", error.start) from None
        except RecursionError:
            raise json.JSONDecodeError("nested too deeply", "", 0) from None
        place = not_unicode(value)
        if place is not None:
            raise NotUnicode(place)
        return value


class UnicodeJsonRoute(APIRoute):
    """A route that reads its JSON body with :class:`UnicodeJsonRequest`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def unicode_json(request: Request) -> Response:
            return await handler(UnicodeJsonRequest(request.scope, request.receive))

        return unicode_json
