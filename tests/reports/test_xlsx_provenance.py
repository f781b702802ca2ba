"""Every criterion's provenance in the XLSX: "Căn cứ" (the set's document and the place in
it), "Nguồn" (the address read) and "Đã đối chiếu" (Có/Chưa), an unverified line filled.

:func:`check_xlsx_provenance` takes a definitions folder, so that the same check runs over
the criteria sets shipped in the library."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import polars as pl
from openpyxl import load_workbook

from tieuchi.definitions import load_definitions
from tieuchi.engine import evaluate
from tieuchi.reports.document import build_document
from tieuchi.reports.trace import appendix_rows
from tieuchi.reports.xlsx import render_xlsx

EXAMPLE = Path(__file__).parents[2] / "examples" / "thanh-tri-2023"
FIRST = 6  # the first row of a table, under its header on row 5
COLUMNS = {"vi": ("Căn cứ", "Nguồn", "Đã đối chiếu", "Có", "Chưa"),
           "en": ("Legal basis", "Source", "Verified", "Yes", "No")}


def check_xlsx_provenance(folder: Path, period: str | None = None, lang: str = "vi") -> int:
    """For every criteria set of the definitions in ``folder`` rated in ``period`` (default:
    the project's), the workbook of a unit rated on it shows, on the first line of each
    criterion, the criterion's provenance; a line not verified is filled. The number of
    criteria checked."""
    defs = load_definitions(folder)
    ev = evaluate(defs, period or defs.project.period)
    basis, source, verified, yes, no = COLUMNS[lang]
    checked = 0
    for cset in defs.criteria_sets:
        rated = ev.sets.criteria.filter(pl.col("set") == cset.code)
        if not rated.height:
            continue
        unit = rated.row(0, named=True)["unit"]
        layout = appendix_rows(ev, unit)
        table = layout.filter(pl.col("code") == cset.code).row(0, named=True)["table"]
        ws = load_workbook(io.BytesIO(render_xlsx(ev, lang, unit))).worksheets[table - 1]
        assert [c.value for c in ws[5]][6:] == [basis, source, verified], ws.title
        numbers = dict(layout.filter(pl.col("code") == cset.code)
                       .select("criterion", "row").unique().iter_rows())
        firsts = {ws[f"A{line}"].value: line for line in range(FIRST, ws.max_row + 1)
                  if isinstance(ws[f"A{line}"].value, int)}
        for criterion in cset.criteria:
            p = criterion.provenance(cset)
            line = firsts[numbers[criterion.code]]
            where = f"{ws.title}!{line} ({cset.code}/{criterion.code})"
            assert ws[f"G{line}"].value == (p.basis or None), where
            assert ws[f"H{line}"].value == (p.url or None), where
            assert ws[f"I{line}"].value == (yes if p.verified else no), where
            filled = ws[f"A{line}"].fill.fgColor.rgb == "00FFF2CC"
            assert filled is not p.verified, where
            if p.link:
                assert ws[f"H{line}"].hyperlink.target == p.link, where
            checked += 1
    return checked


def test_every_criterion_of_the_example_shows_its_provenance() -> None:
    # all five sets: thành lập quận (34), phường (13), NTM nâng cao (19), kiểu mẫu (4),
    # điểm đến du lịch (1)
    assert check_xlsx_provenance(EXAMPLE, "2023") == 34 + 13 + 19 + 4 + 1


def test_in_english() -> None:
    assert check_xlsx_provenance(EXAMPLE, "2023", "en") == 71


def test_the_report_marks_every_set_not_fully_verified() -> None:
    """The note under a set's table names the rows not verified; the sets the report states
    without a table are named in a note under the data note."""
    defs = load_definitions(EXAMPLE)
    ev = evaluate(defs, "2023")
    doc = build_document(ev, "vi")
    quan = next(t for t in doc.tables if "tiêu chuẩn thành lập quận" in t.title)
    assert quan.note == ("Ghi chú: ngưỡng của các tiêu chí số 3–34 chưa được đối chiếu với văn "
                         "bản gốc, chỉ có giá trị minh họa.")
    assert doc.notes[-1] == (
        "Ghi chú: các bộ tiêu chí điểm đến du lịch, nông thôn mới kiểu mẫu, nông thôn mới nâng "
        "cao và thành lập phường chưa được đối chiếu đầy đủ với văn bản gốc; các ngưỡng chưa "
        "đối chiếu chỉ có giá trị minh họa.")
    yen_my = build_document(ev, "vi", "TT-YENMY")
    kieu_mau = next(t for t in yen_my.tables if "kiểu mẫu" in t.title)
    assert kieu_mau.note == ("Ghi chú: ngưỡng của tiêu chí số 2 chưa được đối chiếu với văn bản "
                             "gốc, chỉ có giá trị minh họa.")
    assert not any("đối chiếu" in n for n in yen_my.notes)  # each set has its table


def test_a_set_fully_verified_has_no_note() -> None:
    defs = load_definitions(EXAMPLE)
    verified = tuple(
        s.model_copy(update={"criteria": tuple(c.model_copy(update={"verified": True})
                                               for c in s.criteria)})
        for s in defs.criteria_sets)
    ev = evaluate(replace(defs, criteria_sets=verified), "2023")
    doc = build_document(ev, "vi")
    assert [t.note for t in doc.tables if t.note] == []
    assert not any("đối chiếu" in n for n in doc.notes)
