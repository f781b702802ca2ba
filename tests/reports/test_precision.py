"""Precision as officials write it (issue 10): percentages with the target's resolved
``percent_decimals``/``percent_fixed`` in every output, values with their indicator's
declared decimals."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tieuchi.definitions import load_definitions
from tieuchi.engine import Evaluation, evaluate
from tieuchi.reports.document import build_document
from tieuchi.reports.text import markdown
from tieuchi.reports.xlsx import render_xlsx

FOLDER = Path(__file__).parent / "precision.yaml"


@pytest.fixture(scope="module")
def ev() -> Evaluation:
    return evaluate(load_definitions(FOLDER), "2025")


@pytest.fixture(scope="module")
def text(ev: Evaluation) -> str:
    return markdown(build_document(ev))


def test_two_decimals_by_default_trailing_zeros_dropped(text: str) -> None:
    assert "Thu ngân sách (86,47%); Sản lượng lúa (97,99%)" in text
    assert "Thu ngân sách đạt 864,7 tỷ đồng, tăng 8,99% so với" in text
    assert "bằng 86,47% kế hoạch" in text
    assert "Sản lượng lúa đạt 98 tấn, tăng 15% so với" in text  # 14,998… at two decimals


def test_a_target_keeps_its_trailing_zero_when_fixed(text: str) -> None:
    assert "tăng 5,0% so với" in text and "đạt 105,0% kế hoạch" in text


def test_declared_decimals_are_kept(text: str) -> None:
    assert "Diện tích gieo trồng đạt 2.418,50 ha, đạt 100,77% kế hoạch" in text


def test_the_appendix_writes_the_same_percentages(text: str) -> None:
    assert "| Thu ngân sách | tỷ đồng | ≥ 1.000 | 864,7 | 86,47% | +8,99% |" in text
    assert "| ≥ 200 | 210 | 105,0% | +5,0% |" in text
    assert "| ≥ 2.400 | 2.418,50 | 100,77% |" in text


def test_the_resolved_precision_is_a_column_of_the_targets(ev: Evaluation) -> None:
    by_indicator = {r["indicator"]: r for r in ev.targets.iter_rows(named=True)}
    assert (by_indicator["thu"]["percent_decimals"], by_indicator["thu"]["percent_fixed"]) == (
        2, False)
    assert (by_indicator["dn"]["percent_decimals"], by_indicator["dn"]["percent_fixed"]) == (
        1, True)


def test_the_workbook_formats_show_the_same_digits(ev: Evaluation) -> None:
    ws = load_workbook(io.BytesIO(render_xlsx(ev))).worksheets[0]
    rows = {r[1].value: r for r in ws.iter_rows(min_row=6)}
    revenue, firms, area = rows["Thu ngân sách"], rows["Số doanh nghiệp thành lập mới"], rows[
        "Diện tích gieo trồng"]
    assert (revenue[5].value, revenue[5].number_format) == (86.47, '#,##0.00"%"')
    assert (firms[5].value, firms[5].number_format) == (105, '#,##0.0"%"')
    assert firms[6].number_format == '"+"#,##0.0"%";"−"#,##0.0"%";#,##0.0"%"'
    assert (area[4].value, area[4].number_format) == (2418.5, "#,##0.00")


def test_the_report_and_the_project_give_the_default(tmp_path: Path) -> None:
    """The nearest wins: target > group > report > project > 2."""
    text = FOLDER.read_text(encoding="utf-8").replace(
        "project: {name: x,", "project: {name: x, percent_decimals: 0,")
    (tmp_path / "tieuchi.yaml").write_text(text, encoding="utf-8")
    out = markdown(build_document(evaluate(load_definitions(tmp_path), "2025")))
    assert "bằng 86% kế hoạch" in out and "đạt 105,0% kế hoạch" in out
    (tmp_path / "tieuchi.yaml").write_text(text.replace(
        "report:\n", "report:\n  percent_decimals: 1\n"), encoding="utf-8")
    out = markdown(build_document(evaluate(load_definitions(tmp_path), "2025")))
    assert "bằng 86,5% kế hoạch" in out


def test_a_target_csv_may_give_the_precision(tmp_path: Path) -> None:
    (tmp_path / "tieuchi.yaml").write_text(FOLDER.read_text(encoding="utf-8"),
                                           encoding="utf-8")
    (tmp_path / "targets.csv").write_text(
        "unit,indicator,period,comparator,value,percent_decimals,percent_fixed\n"
        "X,thu,2024,at_least,700,1,true\n", encoding="utf-8")
    row = evaluate(load_definitions(tmp_path), "2024").target("X:thu:2024")
    assert row is not None and (row["percent_decimals"], row["percent_fixed"]) == (1, True)


def test_a_row_that_gives_only_its_decimals_keeps_the_reports_fixed_zeros(
        ev: Evaluation) -> None:
    """A highlight that writes only ``percent_decimals`` keeps the report's ``percent_fixed``
    (each part of the precision falls back on its own)."""
    from dataclasses import replace

    from tieuchi.domain.precision import Precision
    from tieuchi.domain.words import WORDS
    from tieuchi.reports.text import Context

    fixed = replace(ev, definitions=replace(ev.definitions))
    object.__setattr__(fixed.definitions, "percent_precision", Precision(2, True))
    ctx = Context(fixed, WORDS["vi"], "A")
    assert ctx.pct(5.0, {"percent_decimals": 1, "percent_fixed": None}) == "5,0%"
    assert ctx.pct(5.0, {"percent_decimals": 1, "percent_fixed": False}) == "5%"
    assert ctx.pct(5.0, {"percent_decimals": None, "percent_fixed": None}) == "5,00%"
