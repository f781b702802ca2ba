"""A target whose period is still open is never called failed (issue 10): nine months into
the year, the sentence says "đạt 86,47% kế hoạch năm" and the appendix, the chart, the web
and the workbook all give the one assessment the engine makes, its pace."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook

from tieuchi.definitions import load_definitions
from tieuchi.domain.words import WORDS
from tieuchi.engine import Evaluation, evaluate
from tieuchi.reports.charts import ACHIEVED, NOT_MET, series
from tieuchi.reports.document import ReportDocument, build_document
from tieuchi.reports.text import Context, markdown
from tieuchi.reports.xlsx import render_xlsx
from tieuchi.web.views import UnitView

FOLDER = Path(__file__).parent / "open_period.yaml"
PACE = {"thu": "ahead", "lua": "on_track", "dn": "behind"}
WORD = {"thu": "Vượt tiến độ", "lua": "Đúng tiến độ", "dn": "Chậm tiến độ"}


@pytest.fixture(scope="module")
def ev() -> Evaluation:
    return evaluate(load_definitions(FOLDER), "2025-YTD09")


@pytest.fixture(scope="module")
def doc(ev: Evaluation) -> ReportDocument:
    return build_document(ev)


def test_the_engine_assesses_open_targets_by_pace(ev: Evaluation) -> None:
    rows = {r["key"]: r for r in ev.targets.iter_rows(named=True)}
    assert {k: r["assessment"] for k, r in rows.items()} == PACE
    assert rows["dn"]["status"] == "not_met"  # against the year's plan: not yet


def test_the_sentence_states_the_share_of_the_years_plan(doc: ReportDocument) -> None:
    text = markdown(doc)
    assert "Thu ngân sách đạt 864,7 tỷ đồng, tăng 8,99% so với" in text
    assert "đạt 86,47% kế hoạch năm." in text
    assert "Số doanh nghiệp thành lập mới đạt 100 doanh nghiệp, đạt 50% kế hoạch năm." in text
    assert "chưa đạt" not in text and "bằng" not in text and "Không đạt" not in text


def test_appendix_chart_web_and_workbook_agree(ev: Evaluation, doc: ReportDocument) -> None:
    table = doc.tables[0]
    assert [row[-1] for row in table.rows] == list(WORD.values())
    assert table.chart is not None
    assert series(table.chart).colours == (ACHIEVED, ACHIEVED, NOT_MET)
    assert (table.chart.achieved, table.chart.not_met) == (
        "Vượt tiến độ / Đúng tiến độ", "Chậm tiến độ")
    ctx = Context(ev, WORDS["vi"], "X")
    view = SimpleNamespace(ctx=ctx, lang="vi", light=ev.definitions)
    view.target_name = lambda r, text=False: UnitView.target_name(view, r, text)  # type: ignore[arg-type]
    view.source_text = lambda s, i: UnitView.source_text(view, s, i)  # type: ignore[arg-type]
    web = {r["key"]: UnitView.target_row(view, r)  # type: ignore[arg-type]
           for r in ev.targets.iter_rows(named=True)}
    assert {k: r["status_text"] for k, r in web.items()} == WORD
    assert {k: r["status_class"] for k, r in web.items()} == {"thu": "ok", "lua": "ok",
                                                              "dn": "bad"}
    ws = load_workbook(io.BytesIO(render_xlsx(ev))).worksheets[0]
    assert [r[7].value for r in ws.iter_rows(min_row=6, max_row=8)] == list(WORD.values())


def test_once_the_year_is_over_the_status_is_said() -> None:
    """Evaluated after the year's end, the same figures are targets not met."""
    ev = evaluate(load_definitions(FOLDER), "2025-YTD09", as_of=date(2026, 1, 15))
    text = markdown(build_document(ev))
    assert "bằng 50% kế hoạch, chưa đạt kế hoạch." in text
