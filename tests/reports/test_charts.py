"""The charts of the DOCX report: under each table of a group, the % of the target of its
targets as bars, green when met or exceeded and red when not, with its caption. The data
plotted is tested (:func:`series`), not the pixels; the image is a PNG of the page's width,
the same bytes each time."""

from __future__ import annotations

import re
import struct
import subprocess
import sys
from dataclasses import replace
from io import BytesIO

import polars as pl
import pytest
from docx import Document
from docx.document import Document as DocxDocument

from tieuchi.engine import Evaluation
from tieuchi.reports.charts import (
    ACHIEVED,
    BAND,
    DPI,
    NOT_MET,
    TARGET,
    WIDTH_CM,
    Bars,
    Line,
    bars_of,
    draw,
    draw_png,
    series,
    shorten,
    svg,
)
from tieuchi.reports.document import Bar, Chart, ReportDocument, build_document
from tieuchi.reports.docx import render_docx

PNG = b"\x89PNG\r\n\x1a\n"
FIXED_REVENUE = "thu-co-dinh-2023"


@pytest.fixture(scope="module")
def doc(thanh_tri_2023: Evaluation) -> ReportDocument:
    return build_document(thanh_tri_2023, "vi")


@pytest.fixture(scope="module")
def word(thanh_tri_2023: Evaluation) -> DocxDocument:
    return Document(BytesIO(render_docx(thanh_tri_2023, "vi")))


def _chart(doc: ReportDocument, name: str) -> Chart:
    table = next(t for t in doc.tables if t.title.endswith(name))
    assert table.chart is not None
    return table.chart


def _percents(ev: Evaluation, group: str) -> list[float | None]:
    members = ev.definitions.members.filter(pl.col("group") == group)
    rows = members.join(ev.targets, on="key").sort("position")
    return rows.get_column("percent_of_target").to_list()


def test_the_fixed_revenue_chart(doc: ReportDocument, thanh_tri_2023: Evaluation) -> None:
    chart = _chart(doc, "Chỉ tiêu thu cố định")
    data = series(chart)
    assert len(data.names) == len(data.percents) == len(data.labels) == 10
    assert list(data.percents) == _percents(thanh_tri_2023, FIXED_REVENUE)  # as evaluated
    assert data.colours.count(ACHIEVED) == 7 and data.colours.count(NOT_MET) == 3
    assert (data.names[3], data.labels[3], data.colours[3]) == (
        "Lệ phí trước bạ", "85,6%", NOT_MET)
    assert data.labels[0] == "109,2%" and data.labels[-1] == "100%"
    assert data.names[1] == "Thu từ khu vực doanh nghiệp có vốn đầu tư…"
    assert chart.caption == "Biểu đồ 3: Tỷ lệ thực hiện so với dự toán – Chỉ tiêu thu cố định"
    assert (chart.achieved, chart.not_met) == ("Đạt / Vượt", "Không đạt")


def test_targets_without_a_percentage_are_left_out(doc: ReportDocument) -> None:
    """Like the table's "% KH": no bar for a growth target nor for a ceiling (45% of the
    poverty ceiling is no failure); a group of yes/no targets has no chart."""
    chart = _chart(doc, "kinh tế - văn hóa - xã hội năm 2023")
    names = [b.name for b in chart.bars]
    assert len(names) == 16 and names[0] == "Thu cố định"
    assert "Tỷ lệ hộ nghèo" not in names and not any("giá trị sản xuất" in n for n in names)
    assert chart.caption.startswith("Biểu đồ 2: Tỷ lệ thực hiện so với kế hoạch – ")
    charted = [t.chart is not None for t in doc.tables]
    assert charted == [True, True, True, False, False]  # 4 groups, then a criteria set


def test_the_png_fits_the_page_and_is_the_same_each_time(doc: ReportDocument) -> None:
    chart = _chart(doc, "Chỉ tiêu thu cố định")
    png = draw_png(chart)
    assert png.startswith(PNG)
    width, height = struct.unpack(">II", png[16:24])  # the IHDR chunk
    assert abs(width - WIDTH_CM / 2.54 * DPI) <= 1 and 0.4 * width < height < width
    assert draw_png(chart) == png
    assert b"tIME" not in png and b"Software" not in png  # no date, no version


@pytest.mark.parametrize(("name", "short"), [
    ("Lệ phí trước bạ", "Lệ phí trước bạ"),
    ("Thu từ khu vực doanh nghiệp có vốn đầu tư nước ngoài",
     "Thu từ khu vực doanh nghiệp có vốn đầu tư…"),
    ("Tỷ lệ giải quyết đơn thư khiếu nại, tố cáo thuộc thẩm quyền",
     "Tỷ lệ giải quyết đơn thư khiếu nại, tố…"),
    ("x" * 60, "x" * 41 + "…"),
])
def test_long_names_are_shortened(name: str, short: str) -> None:
    assert shorten(name) == short and len(short) <= 42


def test_the_docx_has_a_chart_per_group_with_two_percentages(
        word: DocxDocument, thanh_tri_2023: Evaluation) -> None:
    ev = thanh_tri_2023
    groups = [i.group for s in ev.definitions.report.sections for i in s.items if i.group]
    comparators = ev.targets.select("key", "comparator")
    expected = 0
    for group in groups:
        members = ev.definitions.members.filter(pl.col("group") == group)
        rows = members.join(ev.targets.select("key", "percent_of_target"), on="key").join(
            comparators, on="key")
        shown = rows.filter(pl.col("percent_of_target").is_not_null()
                            & (pl.col("comparator") != "at_most"))
        expected += shown.height >= 2
    assert len(word.inline_shapes) == expected == 3
    paragraphs = word.paragraphs
    captions = [i for i, p in enumerate(paragraphs) if p.text.startswith("Biểu đồ ")]
    assert [paragraphs[i].text.split(":")[0] for i in captions] == [
        "Biểu đồ 1", "Biểu đồ 2", "Biểu đồ 3"]
    for i in captions:  # each caption right under its picture, kept on the same page
        picture = paragraphs[i - 1]
        assert picture._p.xpath(".//pic:pic") and picture.paragraph_format.keep_with_next


def test_an_english_docx_has_english_captions(thanh_tri_2023: Evaluation) -> None:
    word = Document(BytesIO(render_docx(thanh_tri_2023, "en")))
    captions = [p.text for p in word.paragraphs if p.text.startswith("Chart ")]
    assert captions[-1] == ("Chart 3: Percentage of the budget estimate achieved – "
                            "Fixed budget revenue items")
    assert len(captions) == len(word.inline_shapes) == 3
    assert not any(p.text.startswith("Biểu đồ") for p in word.paragraphs)


def test_matplotlib_is_imported_only_to_draw() -> None:
    """The commands that write no DOCX do not pay for importing matplotlib."""
    code = ("import sys\n"
            "import tieuchi.cli, tieuchi.reports.text, tieuchi.reports.docx\n"
            "print('matplotlib' in sys.modules)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "False"


# ------------------------------------------------ one stack: the pages' SVG, the DOCX's PNG

def _line(**changes: object) -> Line:
    base = Line(categories=("2022", "2023", "2024"), values=(80.0, None, 87.25),
                labels=("80", "", "87,25"), targets=(None, 85.0, None),
                bands=(None, None, (85.0, 90.0)), actual_name="Thực hiện",
                target_name="Kế hoạch", band_name="Kế hoạch (trong khoảng)", measure="%",
                title="Tỷ lệ <hộ> qua các năm", description="2022: 80%; 2024: 87,25%")
    return replace(base, **changes)  # type: ignore[arg-type]


def test_a_line_draws_its_target_line_and_its_plan_band_in_both_formats() -> None:
    chart = _line()
    shown = svg(chart)
    assert shown.startswith('<svg role="img"') and "<?xml" not in shown
    assert "<title" in shown and ">Tỷ lệ &lt;hộ&gt; qua các năm</title>" in shown
    assert ">2022: 80%; 2024: 87,25%</desc>" in shown
    assert BAND in shown and TARGET in shown  # the band's fill, the target line's stroke
    assert {"Kế hoạch", "Kế hoạch (trong khoảng)", "87,25"} <= set(
        re.findall(r"<text[^>]*>([^<]*)</text>", shown))
    png = draw(chart, "png")
    assert png.startswith(PNG) and draw(chart, "png") == png
    assert BAND not in svg(_line(bands=(None, None, None), description="x"))


def test_bars_draw_each_units_own_target_and_band() -> None:
    chart = Bars(names=("Xã A", "Xã B"), values=(12.0, 7.5), labels=("12", "7,5"),
                 colours=(ACHIEVED, NOT_MET), marks=(10.0, None), bands=(None, (8.0, 9.0)),
                 target_name="Chỉ tiêu được giao", title="t", description="d")
    shown = svg(chart)
    assert BAND in shown and "Chỉ tiêu được giao" in shown
    assert draw(chart, "png").startswith(PNG)


def test_the_report_chart_keeps_its_target_line_at_100() -> None:
    chart = Chart(caption="Biểu đồ 1", bars=(Bar("A", 104.2, "104,2%", "exceeded"),
                                              Bar("B", 85.6, "85,6%", "not_met")),
                  achieved="Đạt / Vượt", not_met="Không đạt")
    bars = bars_of(chart)
    assert bars.reference == 100.0 and bars.axis == "percent"
    assert draw(bars, "png") == draw_png(chart)
    assert "100%" in re.findall(r"<text[^>]*>([^<]*)</text>", svg(bars))
