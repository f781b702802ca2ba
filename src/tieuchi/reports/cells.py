"""The one place a text cell of an export is written: every sheet of ``report.xlsx``, of the
Excel entry templates (their hidden metadata sheet too) and every CSV file.

Text typed by a person (a figure's source, a target's document) reaches other people's
spreadsheets; a cell whose text starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or a
carriage return) is a formula to Excel and LibreOffice (`=HYPERLINK("http://…"&E7,"Báo cáo")`,
`=cmd|' /C calc'!A0`). So, OWASP's "CSV injection" advice:

- **XLSX** (:func:`write_cell`): a text is always a string cell (``t="inlineStr"``), never a
  formula, and one that starts like a formula gets Excel's quote prefix (the cell shows the
  text, and stays text when someone edits it). Reading the workbook back gives the text as
  it was: the template's upload reads back what the template wrote.
- **CSV** (:func:`write_csv`): a text cell that starts with one of those characters, or
  with a single quote, gets a single quote in front (``'=HYPERLINK(…)``).
  :func:`read_csv_text` takes exactly that quote away again, so ``tieuchi export`` then
  ``tieuchi import`` gives back the same text; a quote that is not followed by one of those
  characters is text.
- **Control characters** (:data:`~tieuchi.domain.ruleset.CONTROL`: C0 but tab and line
  breaks, DEL, C1, lone surrogates) are refused at entry; text stored before that rule is
  written without them, so no old figure can break an export (openpyxl refuses them).

Numbers stay numbers: only text is touched.
"""

from __future__ import annotations

import io
import re
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

import polars as pl
from openpyxl.cell.cell import Cell  # type: ignore[import-untyped]
from openpyxl.worksheet.worksheet import Worksheet  # type: ignore[import-untyped]

from tieuchi.domain.ruleset import CONTROL, CONTROL_COLUMN

__all__ = ["FORMULA_START", "EXCEL_CELL_LIMIT", "clean_text", "write_cell",
           "write_row", "csv_frame", "read_csv_text", "write_csv"]

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""How a cell that a spreadsheet takes for a formula starts."""

EXCEL_CELL_LIMIT = 32767
"""The most characters an Excel cell holds."""

_START = re.escape("".join(FORMULA_START))
_NEEDS_QUOTE = f"^[{_START}']"
_QUOTED = f"^'[{_START}']"


def clean_text(text: str) -> str:
    """``text`` without control characters (tab and line breaks stay)."""
    return CONTROL.sub("", text)


def write_cell(ws: Worksheet, row: int, column: int, value: Any) -> Cell:
    """Write ``value`` at ``row``, ``column`` of ``ws``: a number (or a date, None) as it is;
    text without control characters, cut at Excel's 32,767 characters, as a string cell,
    quote-prefixed when it starts like a formula."""
    cell = ws.cell(row, column)
    if not isinstance(value, str):
        cell.value = value
        return cell
    text = clean_text(value)[:EXCEL_CELL_LIMIT]
    cell.value = text
    cell.data_type = "s"  # openpyxl made a text starting with "=" a formula
    if text.startswith(FORMULA_START):
        cell.quotePrefix = True
    return cell


def write_row(ws: Worksheet, row: int, values: Sequence[Any]) -> None:
    """``values`` from the first column of ``row`` (None: left empty), each through
    :func:`write_cell`."""
    for column, value in enumerate(values, start=1):
        if value is not None:
            write_cell(ws, row, column, value)


def csv_frame(frame: pl.DataFrame, numbers: Collection[str] = ()) -> pl.DataFrame:
    """Every text column of ``frame`` (but ``numbers``: numbers written as text) as
    :func:`csv_frame` writes it, column-wise."""
    texts = [c for c, t in frame.schema.items() if t == pl.String and c not in numbers]
    cleaned = frame.with_columns(pl.col(c).str.replace_all(CONTROL_COLUMN, "") for c in texts)
    return cleaned.with_columns(
        pl.when(pl.col(c).str.contains(_NEEDS_QUOTE)).then(pl.lit("'") + pl.col(c))
        .otherwise(pl.col(c)).alias(c) for c in texts)


def read_csv_text(column: pl.Expr) -> pl.Expr:
    """The text a CSV cell written by :func:`csv_frame` holds: the quote put in front taken
    away (``'=x`` → ``=x``, ``''x`` → ``'x``); any other cell as it is."""
    return pl.when(column.str.contains(_QUOTED)).then(column.str.slice(1)).otherwise(column)


def write_csv(frame: pl.DataFrame, target: Path | io.BytesIO,
              numbers: Collection[str] = ()) -> None:
    """``frame`` as CSV (:func:`csv_frame`): UTF-8 without a byte order mark, "\\n" line
    ends, quotes only where needed."""
    csv_frame(frame, numbers).write_csv(target, line_terminator="\n")
