"""Every table of every page as a CSV file or an Excel workbook, by one route.

``static/app.js`` puts two links under each ``<table>`` of a page: ``/export?page=<the page's
address>&table=<its id, else its position>&format=csv|xlsx``. The route renders that page
again, as the same user asks for it (the request's cookies and token go with it, so the page's
own permission checks decide, and a page the user may not read exports nothing), reads the
table off its HTML (:func:`read_tables`) and writes it:

- **XLSX** (openpyxl): the headers as the page shows them (in the user's language), numbers as
  numbers read with :func:`~tieuchi.reports.formatting.parse_number` ("43.799 tỷ đồng" →
  43799 shown ``#,##0 "tỷ đồng"``, "87,25%" → 0.8725 shown ``0.00%``), a cell's
  ``data-value`` when the page gives the exact value; every other cell as text;
- **CSV**: UTF-8 with a byte order mark (Excel then reads the Vietnamese letters), numbers
  in the machine form (43799, 0.8725), text as shown.

Text goes through :mod:`tieuchi.reports.cells`: never a formula.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any, Literal
from urllib.parse import quote, urlsplit

from babel.numbers import get_decimal_symbol
from fastapi import Query, Request
from fastapi.responses import Response
from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.styles import Alignment, Font  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
from starlette.types import Message

from tieuchi.app import Action
from tieuchi.domain.problems import ProblemError, problem
from tieuchi.reports.cells import FORMULA_START, clean_text, write_cell
from tieuchi.reports.formatting import LOCALES, parse_number
from tieuchi.reports.xlsx import MEDIA_TYPE
from tieuchi.web.app import lang_of
from tieuchi.web.i18n import translator
from tieuchi.web.pages.common import CurrentUser, page_router
from tieuchi.web.security import Needs

__all__ = ["router", "Cell", "Table", "read_tables", "cell_value", "csv_bytes", "xlsx_bytes"]

router = page_router()

# What the page is asked with: who the user is and in which language; nothing else.
FORWARDED = (b"cookie", b"authorization", b"accept-language", b"user-agent", b"host")
_NUMBER = re.compile(r"^([+\-−]?\d[\d.,]*)\s*(.*)$")


@dataclass(frozen=True)
class Cell:
    text: str
    header: bool = False
    value: str | None = None  # the exact value the page gives in data-value


@dataclass
class Table:
    ident: str
    title: str
    rows: list[list[Cell]] = field(default_factory=list)


class _Reader(HTMLParser):
    """The tables of a page, in the order of the page; a table inside a table is read as
    text of its cell. The text of a cell is its words with single spaces; a form field shows
    its value."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[Table] = []
        self.title = ""
        self._depth = 0
        self._in_title = False
        self._caption: list[str] | None = None
        self._row: list[Cell] | None = None
        self._cell: list[str] | None = None
        self._cell_attrs: dict[str, str | None] = {}
        self._skip = 0  # inside <script>, <style>, <svg>, <template>, <select>

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag in ("script", "style", "svg", "template"):
            self._skip += 1
        elif tag == "title" and not self.tables:
            self._in_title = True
        elif tag == "table":
            self._depth += 1
            if self._depth == 1:
                self.tables.append(Table(found.get("id") or str(len(self.tables)), self.title))
        elif self._depth == 1 and tag == "caption":
            self._caption = []
        elif self._depth == 1 and tag == "tr":
            self._row = []
        elif self._depth == 1 and tag in ("td", "th") and self._row is not None:
            self._cell, self._cell_attrs = [], {**found, "tag": tag}
        elif self._cell is not None and tag == "input" and found.get("type") not in (
                "hidden", "checkbox", "radio", "submit", "button"):
            self._cell.append(found.get("value") or "")
        elif self._cell is not None and tag in ("br", "p", "li", "div"):
            self._cell.append(" ")
        if tag == "select":
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "svg", "template", "select"):
            self._skip = max(0, self._skip - 1)
        elif tag == "title":
            self._in_title = False
        elif tag == "table":
            self._depth -= 1
        elif self._depth == 1 and tag == "caption" and self._caption is not None:
            self.tables[-1].title = " ".join("".join(self._caption).split())
            self._caption = None
        elif self._depth == 1 and tag in ("td", "th") and self._cell is not None:
            assert self._row is not None
            text = " ".join("".join(self._cell).split())
            attrs = self._cell_attrs
            cell = Cell(text, attrs["tag"] == "th", attrs.get("data-value"))
            span = int(attrs.get("colspan") or 1) if str(attrs.get("colspan") or "1").isdigit() \
                else 1
            self._row.extend([cell] + [Cell("", cell.header)] * (min(span, 100) - 1))
            self._cell = None
        elif self._depth == 1 and tag == "tr" and self._row is not None:
            if self._row:
                self.tables[-1].rows.append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._in_title:
            self.title += data
        elif self._caption is not None:
            self._caption.append(data)
        elif self._cell is not None:
            self._cell.append(data)


def read_tables(html: str) -> list[Table]:
    """The tables of a page: their rows of cells as the page shows them."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.tables


Value = tuple[float | str | None, str | None]  # the value, and its Excel number format


def cell_value(cell: Cell, lang: str) -> Value:
    """What a cell holds: a header, a text and a dash as text (a dash: empty); a number as the
    page writes it, with its unit or a percent sign after it, as a number and the format that
    shows it the same ("43.799 tỷ đồng" → 43799, ``#,##0 "tỷ đồng"``)."""
    if cell.value is not None:
        try:
            return float(cell.value), None
        except ValueError:
            pass
    text = cell.text
    if text in ("", "–", "-", "—"):
        return None, None
    found = _NUMBER.match(text)
    if cell.header or not found:
        return text, None
    shown, after = found.groups()
    try:
        value = parse_number(shown.replace("−", "-"), lang)
    except ValueError:
        return text, None
    decimal = get_decimal_symbol(LOCALES.get(lang, LOCALES["vi"]))
    places = len(shown.rsplit(decimal, 1)[1]) if decimal in shown else 0
    digits = "0" + ("." + "0" * places if places else "")
    if after == "%":
        return value / 100, digits + "%"
    if after and (len(after) > 30 or re.search(r"\d|[\"\\]", after)):
        return text, None  # "12 / 15", "80 (2022)": words around numbers stay text
    grouped = "#,##" + digits
    return value, grouped + (f' "{after}"' if after else "")


def _filename(table: Table, index: int, extension: str) -> str:
    """"Diễn biến · <chỉ tiêu> · <đơn vị>" → the title in ASCII, and the table."""
    title = table.title.rsplit(" · tieuchi", 1)[0] or "tieuchi"
    plain = unicodedata.normalize("NFKD", title.replace("đ", "d").replace("Đ", "D"))
    words = re.findall(r"[a-z0-9]+", plain.encode("ascii", "ignore").decode().lower())
    return "-".join([*words[:12], str(index + 1)]) + f".{extension}"


def csv_bytes(table: Table, lang: str) -> bytes:
    """The table as CSV: UTF-8 with a byte order mark, numbers in the machine form."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in table.rows:
        values = []
        for cell in row:
            value, _ = cell_value(cell, lang)
            if isinstance(value, float):
                values.append(f"{value:.15g}")
            elif value is None:
                values.append("")
            else:
                text = clean_text(value)
                values.append("'" + text if text.startswith((*FORMULA_START, "'")) else text)
        writer.writerow(values)
    return "\ufeff".encode() + out.getvalue().encode()


def xlsx_bytes(table: Table, lang: str) -> bytes:
    """The table as a workbook of one sheet: header rows bold and frozen, numbers as numbers
    with the format they are shown in."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = translator(lang).gettext("Bảng")
    widths: dict[int, int] = {}
    heads = 0
    for r, row in enumerate(table.rows, start=1):
        if all(c.header for c in row) and heads == r - 1:
            heads = r
        for c, cell in enumerate(row, start=1):
            value, number_format = cell_value(cell, lang)
            if value is None:
                continue
            written = write_cell(sheet, r, c, value)
            if number_format:
                written.number_format = number_format
            if cell.header:
                written.font = Font(bold=True)
                written.alignment = Alignment(wrap_text=True, vertical="top")
            widths[c] = max(widths.get(c, 8), min(len(cell.text) + 2, 60))
    for c, width in widths.items():
        sheet.column_dimensions[get_column_letter(c)].width = width
    if heads:
        sheet.freeze_panes = f"A{heads + 1}"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


async def _page(request: Request, target: str) -> tuple[int, str]:
    """The page at ``target`` rendered for the same user: its status and its HTML."""
    parts = urlsplit(target)
    headers = [(k, v) for k, v in request.scope["headers"] if k in FORWARDED]
    scope: dict[str, Any] = {**request.scope, "method": "GET", "path": parts.path,
                             "raw_path": parts.path.encode(),
                             "query_string": parts.query.encode(), "headers": headers}
    for key in ("route", "endpoint", "path_params", "router", "app_root_path"):
        scope.pop(key, None)
    status, body = 0, bytearray()

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            body.extend(message.get("body", b""))

    await request.app(scope, receive, send)
    return status, body.decode("utf-8", "replace")


def _local(target: str) -> bool:
    """Only a page of this site, and not this route."""
    path = urlsplit(target).path
    return target.startswith("/") and not target.startswith("//") and "\\" not in target \
        and not path.startswith(("/export", "/api", "/static"))


@router.get("/export", dependencies=[Needs(Action.SIGNED_IN)])
async def export(request: Request, user: CurrentUser,
                 page: str = Query(max_length=2000), table: str = Query(max_length=100),
                 format: Literal["csv", "xlsx"] = "xlsx") -> Response:
    """The table ``table`` (its id, else its position from 0) of the page ``page``."""
    missing = ProblemError([problem("no-such-table", field="table")])
    if not _local(page):
        raise missing
    status, html = await _page(request, page)
    if status != 200:
        return Response(status_code=status if status >= 400 else 404)
    tables = read_tables(html)
    found = next((i for i, t in enumerate(tables) if t.ident == table), None)
    if found is None and table.isdigit() and int(table) < len(tables):
        found = int(table)
    if found is None:
        raise missing
    chosen, lang = tables[found], lang_of(request)
    if format == "csv":
        content, media = csv_bytes(chosen, lang), "text/csv; charset=utf-8"
    else:
        content, media = xlsx_bytes(chosen, lang), MEDIA_TYPE
    name = _filename(chosen, found, format)
    return Response(content, media_type=media, headers={
        "Content-Disposition": f"attachment; filename=\"{name}\"; filename*=UTF-8''"
                               f"{quote(name)}",
        "Cache-Control": "no-store"})
