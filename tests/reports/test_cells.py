"""The one cell writer of the exports (``tieuchi.reports.cells``), on its own: text is never a
formula, control characters are dropped, numbers stay numbers, and the CSV quote reads back."""

from __future__ import annotations

import io

import polars as pl
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from tieuchi.domain.ruleset import CONTROL
from tieuchi.reports.cells import (
    EXCEL_CELL_LIMIT,
    csv_frame,
    read_csv_text,
    write_cell,
    write_csv,
)

texts = st.text(st.characters(blacklist_categories=["Cs"]), max_size=30) | st.sampled_from([
    "=1+1", "+1", "-1", "@A1", "\tx", "\rx", "'", "''=x", "'=x", "'x", "=", "a=b"])


@given(st.lists(texts, min_size=1, max_size=5))
def test_a_csv_text_reads_back_the_same(values: list[str]) -> None:
    clean = [CONTROL.sub("", v) for v in values]
    buffer = io.BytesIO()
    write_csv(pl.DataFrame({"source": values, "value": ["-1"] * len(values)}), buffer,
              numbers=["value"])
    back = pl.read_csv(io.BytesIO(buffer.getvalue()), infer_schema=False,
                       schema_overrides={"source": pl.String})
    assert back.get_column("value").to_list() == ["-1"] * len(values)  # numbers stay
    written = back.get_column("source").fill_null("")
    assert not written.str.contains("^[=+\\-@\t\r]").any()  # never a formula
    assert written.to_frame().select(read_csv_text(pl.col("source"))).to_series().to_list() \
        == clean


def test_csv_quotes_only_text_that_starts_like_a_formula() -> None:
    frame = csv_frame(pl.DataFrame({"source": ["=cmd|' /C calc'!A0", "Báo cáo", "'x",
                                               "a\x01b", None], "value": ["-5"] * 5}),
                      numbers=["value"])
    assert frame.rows() == [("'=cmd|' /C calc'!A0", "-5"), ("Báo cáo", "-5"), ("''x", "-5"),
                            ("ab", "-5"), (None, "-5")]


def test_an_xlsx_text_cell_is_a_string_never_a_formula() -> None:
    book = Workbook()
    ws = book.active
    write_cell(ws, 1, 1, '=HYPERLINK("http://example.invalid","x")')
    write_cell(ws, 2, 1, "Báo cáo\x01số 5\ud800")
    write_cell(ws, 3, 1, -12.5)
    write_cell(ws, 4, 1, "x" * (EXCEL_CELL_LIMIT + 10))
    write_cell(ws, 5, 1, "dòng 1\ndòng 2")
    out = io.BytesIO()
    book.save(out)
    back = load_workbook(io.BytesIO(out.getvalue())).active
    assert (back["A1"].value, back["A1"].data_type, back["A1"].quotePrefix) == (
        '=HYPERLINK("http://example.invalid","x")', "s", True)
    assert back["A2"].value == "Báo cáosố 5" and not back["A2"].quotePrefix
    assert (back["A3"].value, back["A3"].data_type) == (-12.5, "n")
    assert len(back["A4"].value) == EXCEL_CELL_LIMIT
    assert back["A5"].value == "dòng 1\ndòng 2"
