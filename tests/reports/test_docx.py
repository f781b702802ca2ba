"""The DOCX report of the reference district: it opens, states facts F1–F13 the Vietnamese
way, and has the layout of Nghị định 30/2020/NĐ-CP (A4, margins, Times New Roman, the header
with the national motto, "Nơi nhận", the signature, page numbers from page 2)."""

from __future__ import annotations

import dataclasses
from io import BytesIO
from pathlib import Path

import pytest
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table
from typer.testing import CliRunner

from tests.conftest import EXAMPLE
from tieuchi.cli import app
from tieuchi.domain.bundle import Definitions
from tieuchi.engine import Evaluation, evaluate
from tieuchi.reports.docx import render_docx

runner = CliRunner()

FACTS = ("18/18", "20/20", "tăng 14%", "tăng 5,5%", "100,2% dự toán", "7/10", "15/15 xã",
         "8/15 xã", "kiểu mẫu", "Yên Mỹ và Đại Áng", "100% chỉ tiêu được giao", "30/34",
         "Cân đối thu chi ngân sách", "Trường THPT đạt chuẩn quốc gia",
         "Tỷ lệ tuyến phố văn minh đô thị", "Công trình xanh", "14/14", "10/13")


@pytest.fixture(scope="module")
def word(thanh_tri_2023: Evaluation) -> DocxDocument:
    return Document(BytesIO(render_docx(thanh_tri_2023, "vi")))


def _text(word: DocxDocument) -> str:
    """Every paragraph and every table cell, no-break spaces as spaces."""
    cells = [c.text for t in word.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in word.paragraphs] + cells).replace("\u00a0", " ")


def _cell_runs(table: Table, row: int, col: int) -> list:  # type: ignore[type-arg]
    return [r for p in table.cell(row, col).paragraphs for r in p.runs]


def test_the_docx_states_the_facts(word: DocxDocument) -> None:
    text = _text(word)
    for fact in FACTS:
        assert fact in text, fact
    assert "43.799" in text and "857,7" in text  # Vietnamese number format in the tables


def test_header_issuer_motto_number_and_date(word: DocxDocument) -> None:
    header = word.tables[0]
    left = [p.text for p in header.cell(0, 0).paragraphs if p.text]
    right = [p.text for p in header.cell(0, 1).paragraphs if p.text]
    assert left == ["ỦY BAN NHÂN DÂN", "HUYỆN THANH TRÌ"]
    assert right == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    assert all(r.bold for r in _cell_runs(header, 0, 0) + _cell_runs(header, 0, 1))
    rules = [p for p in header.cell(0, 1).paragraphs
             if p._p.find(f"{qn('w:pPr')}/{qn('w:pBdr')}") is not None]
    assert len(rules) == 1  # the line under "Độc lập - Tự do - Hạnh phúc"
    assert header.cell(1, 0).text.startswith("Số:") and "/BC-UBND" in header.cell(1, 0).text
    date = _cell_runs(header, 1, 1)
    assert header.cell(1, 1).text == "Thanh Trì, ngày 12 tháng 12 năm 2023"
    assert all(r.italic for r in date)
    borders = header._tbl.tblPr.find(qn("w:tblBorders"))
    assert header.style is None or header.style.name != "Table Grid"
    assert borders is None  # the header has no borders


def test_title_and_sections(word: DocxDocument) -> None:
    texts = [p.text for p in word.paragraphs]
    kind = word.paragraphs[texts.index("BÁO CÁO")]
    assert kind.alignment == WD_ALIGN_PARAGRAPH.CENTER and kind.runs[0].bold
    assert "Kết quả thực hiện nhiệm vụ chính trị năm 2023" in texts
    headings = [p for p in word.paragraphs if p.text[:4] in ("I. K", "II. ", "III.")]
    assert len(headings) == 3 and all(p.runs[0].bold for p in headings)
    body = next(p for p in word.paragraphs if p.text.startswith("1. Hoàn thành đạt và vượt"))
    assert body.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert body.paragraph_format.first_line_indent is not None


def test_times_new_roman_everywhere(word: DocxDocument) -> None:
    normal = word.styles["Normal"]
    assert normal.font.name == "Times New Roman" and normal.font.size == Pt(14)
    fonts = normal.element.rPr.find(qn("w:rFonts"))
    assert {fonts.get(qn(f"w:{a}")) for a in ("ascii", "hAnsi", "eastAsia", "cs")} == {
        "Times New Roman"}
    runs = [r for p in word.paragraphs for r in p.runs] + [
        r for t in word.tables for row in t.rows for c in row.cells for p in c.paragraphs
        for r in p.runs]
    assert runs and {r.font.name for r in runs if r.text} == {"Times New Roman"}
    body = [r for p in word.paragraphs if p.text[:2] in ("1.", "2.") for r in p.runs]
    assert body and all(r.font.size == Pt(14) for r in body)
    assert all(12 <= r.font.size.pt <= 14 for p in word.paragraphs for r in p.runs if r.text)


def test_page_setup_a4_and_margins(word: DocxDocument) -> None:
    (section,) = word.sections
    assert abs(section.page_width - Mm(210)) < Mm(0.1)  # stored in twentieths of a point
    assert abs(section.page_height - Mm(297)) < Mm(0.1)
    for margin, low, high in ((section.top_margin, 20, 25), (section.bottom_margin, 20, 25),
                              (section.left_margin, 30, 35), (section.right_margin, 15, 20)):
        assert Mm(low - 0.1) <= margin <= Mm(high + 0.1)


def test_page_numbers_from_page_two(word: DocxDocument) -> None:
    section = word.sections[0]
    assert section.different_first_page_header_footer
    assert not section.first_page_header.paragraphs[0].text
    number = section.header.paragraphs[0]
    assert number.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert "PAGE" in "".join(e.text or "" for e in number._p.iter(qn("w:instrText")))


def test_appendix_tables(word: DocxDocument) -> None:
    tables = [t for t in word.tables if t.style is not None and t.style.name == "Table Grid"]
    assert len(tables) == 5
    first = tables[0]
    assert [c.text for c in first.rows[0].cells][:3] == ["STT", "Chỉ tiêu", "ĐVT"]
    assert first.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # repeated on each page
    assert all(r.bold for r in _cell_runs(first, 0, 1))
    revenue = next(t for t in tables if t.cell(0, 3).text == "Dự toán")
    row = next(r for r in revenue.rows if r.cells[4].text == "152,4")
    assert row.cells[4].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert row.cells[5].text == "85,6%" and row.cells[7].text == "Không đạt"
    titles = [p.text for p in word.paragraphs if p.text.startswith("Phụ lục")]
    assert titles[0] == "Phụ lục 1: Chỉ tiêu nhiệm vụ chính trị năm 2023 của Đảng bộ huyện"


def test_recipients_and_signature(word: DocxDocument) -> None:
    closing = next(t for t in word.tables if t.cell(0, 0).text.startswith("Nơi nhận:"))
    label, *items = closing.cell(0, 0).paragraphs
    assert label.runs[0].bold and label.runs[0].italic and label.runs[0].font.size == Pt(12)
    assert items[0].text == "- Thường trực Thành ủy;" and items[0].runs[0].font.size == Pt(11)
    assert items[-1].text == "- Lưu: VT, TCKH."
    sign = [p for p in closing.cell(0, 1).paragraphs if p.text]
    assert [p.text for p in sign] == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Nguyễn Văn A"]
    assert all(p.runs[0].bold for p in sign)


def test_parent_body_and_a_party_motto(thanh_tri: Definitions) -> None:
    """The parent body above the issuer, not bold; a Party committee's own motto (a phrase),
    with the rule under it."""
    project = thanh_tri.project.model_copy(update={
        "author": "Huyện ủy Thanh Trì", "parent_body": "Đảng bộ thành phố Hà Nội"})
    outline = thanh_tri.report.model_copy(update={"phrases": {"vi": {
        "motto": "ĐẢNG CỘNG SẢN VIỆT NAM", "motto_sub": "", "number_line":
        "Số {number}-{symbol}"}}})
    defs = dataclasses.replace(thanh_tri, project=project, report=outline)
    header = Document(BytesIO(render_docx(evaluate(defs, "2023"), "vi"))).tables[0]
    parent, issuer = (p for p in header.cell(0, 0).paragraphs if p.text)
    assert (parent.text, parent.runs[0].bold) == ("ĐẢNG BỘ THÀNH PHỐ HÀ NỘI", None)
    assert (issuer.text, issuer.runs[0].bold) == ("HUYỆN ỦY THANH TRÌ", True)
    motto = [p for p in header.cell(0, 1).paragraphs if p.text or p._p.pPr is not None]
    assert [p.text for p in motto] == ["ĐẢNG CỘNG SẢN VIỆT NAM", ""]  # the text, its rule
    assert header.cell(1, 0).text.startswith("Số ") and "-BC-UBND" in header.cell(1, 0).text


def test_english_docx(thanh_tri_2023: Evaluation) -> None:
    text = _text(Document(BytesIO(render_docx(thanh_tri_2023, "en"))))
    assert "SOCIALIST REPUBLIC OF VIET NAM" in text and "Met or exceeded 18/18" in text


# ------------------------------------------------------------------ the command


def test_cli_writes_docx_and_html(tmp_path: Path) -> None:
    target = tmp_path / "bao-cao.docx"
    result = runner.invoke(app, ["report", str(EXAMPLE), "-f", "docx", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert "18/18" in _text(Document(str(target)))
    result = runner.invoke(app, ["report", str(EXAMPLE), "-f", "html"])
    assert result.exit_code == 0 and result.stdout.startswith("<!doctype html>")
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in result.stdout
    result = runner.invoke(app, ["report", str(EXAMPLE), "-f", "odt"])
    assert result.exit_code == 2 and "md, html, docx, pdf" in result.output


def test_cli_all_units(tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", str(EXAMPLE), "-f", "docx", "--all-units",
                                 "-u", "TT-YENMY", "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "bao-cao-2023-TT-YENMY.docx"]
    result = runner.invoke(app, ["report", str(EXAMPLE), "--all-units", "-f", "md"])
    assert result.exit_code == 2 and "give the folder with -o" in result.output


@pytest.mark.parametrize(("unit", "body", "place", "recipients"), [
    ("TT-YENMY", ["ỦY BAN NHÂN DÂN", "XÃ YÊN MỸ"], "Yên Mỹ",
     ["- Ủy ban nhân dân huyện Thanh Trì;", "- Lưu: VT."]),
    ("HN", ["ỦY BAN NHÂN DÂN", "THÀNH PHỐ HÀ NỘI"], "Hà Nội", ["- Lưu: VT."]),
])
def test_cli_a_units_report_has_its_own_header(tmp_path: Path, unit: str, body: list[str],
                                               place: str, recipients: list[str]) -> None:
    """The report of a unit other than the root is headed, dated and signed by that unit's
    People's Committee, in Markdown and in the DOCX, not by the root's."""
    result = runner.invoke(app, ["report", str(EXAMPLE), "--unit", unit, "--format", "md"])
    assert result.exit_code == 0, result.output
    head = result.stdout.split("\n# ")[0]
    assert f"**{' '.join(body)}**" in head and f"*{place}, ngày 12 tháng 12 năm 2023*" in head
    assert "THANH TRÌ**" not in head and "Thanh Trì," not in head
    target = tmp_path / "bao-cao.docx"
    result = runner.invoke(app, ["report", str(EXAMPLE), "-u", unit, "-f", "docx", "-o",
                                 str(target)])
    assert result.exit_code == 0, result.output
    word = Document(str(target))
    header = word.tables[0]
    assert [p.text for p in header.cell(0, 0).paragraphs if p.text] == body
    assert header.cell(1, 1).text == f"{place}, ngày 12 tháng 12 năm 2023"
    closing = word.tables[1]
    items = [p.text for p in closing.cell(0, 0).paragraphs if p.text]
    assert items == ["Nơi nhận:", *recipients]
    assert [p.text for p in closing.cell(0, 1).paragraphs if p.text] == [
        "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]  # no name written for this unit
