"""The report on a draft's comments ("báo cáo tiếp thu, giải trình ý kiến góp ý") as a Word
document: each comment, who made it, on which paragraph of which version, and how it was
resolved (tiếp thu, giải trình with its explanation, or still open), as a table.

The page that offers it (:mod:`tieuchi.web.pages.drafts`) gathers the comments and words
every heading in the reader's language: this module only lays them out, in the format of the
report's own DOCX (:mod:`tieuchi.reports.docx`: A4, Times New Roman, the margins of Nghị định
30/2020).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from io import BytesIO

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docx.table import _Cell, _Row

from tieuchi.reports.docx import FONT

__all__ = ["CommentRow", "Consultation", "consultation_docx", "excerpt", "WIDTHS_CM"]

BODY_PT = 13
TABLE_PT = 11
WIDTHS_CM = (1.0, 3.6, 6.2, 3.4, 2.6, 7.9)  # STT, paragraph, comment, by, outcome, resolution
"""The columns' widths on A4 landscape (27,7 cm between the margins: 20 mm left, 15 right)."""

_MARKS = re.compile(r"[*_#|`>]+")


@dataclass(frozen=True)
class CommentRow:
    """One comment as the table shows it, every text in the reader's language."""

    number: int
    place: str  # "Đoạn 3 (phiên bản 2)"
    excerpt: str  # the first words of that paragraph
    text: str  # the comment
    by: str  # who made it, and from which unit, and when
    outcome: str  # "Đã tiếp thu", "Giải trình", "Chưa xử lý"
    resolution: str  # what was changed, or the explanation
    resolved_by: str  # who resolved it, and when


@dataclass(frozen=True)
class Consultation:
    """The whole document: its title lines, the table's headings and rows, a closing line."""

    title: str  # "BÁO CÁO TIẾP THU, GIẢI TRÌNH Ý KIẾN GÓP Ý"
    subtitle: str  # the draft's title
    lines: tuple[str, ...]  # the draft's number, period, versions, state, counts
    headings: tuple[str, str, str, str, str, str]
    rows: tuple[CommentRow, ...]
    empty: str  # said instead of the table when there is no comment
    closing: str | None = None  # when and by whom the consultation ended, its note
    lang: str = "vi"


def excerpt(paragraph: str, size: int = 120) -> str:
    """The first words of a paragraph of a report's Markdown (a heading, a sentence, a
    table), without its marks, cut at a word with "…"."""
    words = " ".join(_MARKS.sub(" ", paragraph).split())
    if len(words) <= size:
        return words
    cut = words[:size].rsplit(" ", 1)[0]
    return f"{cut}…"


def consultation_docx(c: Consultation) -> bytes:
    """The document's bytes (A4 landscape: the table has six columns)."""
    word = Document()
    section = word.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(20), Mm(15)
    style = word.styles["Normal"]
    style.font.name, style.font.size = FONT, Pt(BODY_PT)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), FONT)
    lang = style.element.get_or_add_rPr().find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        style.element.get_or_add_rPr().append(lang)
    lang.set(qn("w:val"), "vi-VN" if c.lang == "vi" else "en-GB")
    word.core_properties.title = f"{c.title}: {c.subtitle}"
    _centred(word, c.title, bold=True, size=BODY_PT + 1)
    _centred(word, c.subtitle, bold=True, size=BODY_PT)
    for line in c.lines:
        _centred(word, line, italic=True, size=BODY_PT - 1)
    word.add_paragraph()
    if c.rows:
        _table(word, c)
    else:
        word.add_paragraph(c.empty)
    if c.closing:
        word.add_paragraph()
        word.add_paragraph(c.closing).runs[0].italic = True
    out = BytesIO()
    word.save(out)
    return out.getvalue()


def _centred(word: DocxDocument, text: str, *, size: int, bold: bool = False,
             italic: bool = False) -> None:
    p = word.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_after = Pt(2)
    run = p.add_run(text)
    run.bold, run.italic, run.font.size = bold, italic, Pt(size)


def _table(word: DocxDocument, c: Consultation) -> None:
    table = word.add_table(rows=1, cols=len(c.headings))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    header = table.rows[0]
    _repeat(header)
    for cell, heading in zip(header.cells, c.headings, strict=True):
        _cell(cell, heading, bold=True, centre=True)
    for row in c.rows:
        cells = table.add_row().cells
        _cell(cells[0], str(row.number), centre=True)
        _cell(cells[1], row.place, bold=True)
        if row.excerpt:
            _more(cells[1], row.excerpt, italic=True)
        _cell(cells[2], row.text)
        _cell(cells[3], row.by)
        _cell(cells[4], row.outcome, bold=True)
        _cell(cells[5], row.resolution)
        if row.resolved_by:
            _more(cells[5], row.resolved_by, italic=True)
    for row_ in table.rows:
        for cell, width in zip(row_.cells, WIDTHS_CM, strict=True):
            cell.width = Cm(width)


def _cell(cell: _Cell, text: str, *, bold: bool = False, centre: bool = False) -> None:
    """The text in the cell, a paragraph a line."""
    for n, line in enumerate(text.split("\n") or [""]):
        p = cell.paragraphs[0] if n == 0 else cell.add_paragraph()
        if centre:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run(line)
        run.bold, run.font.size = bold, Pt(TABLE_PT)


def _more(cell: _Cell, text: str, *, italic: bool = False) -> None:
    run = cell.add_paragraph().add_run(text)
    run.italic, run.font.size = italic, Pt(TABLE_PT - 1)


def _repeat(row: _Row) -> None:
    """The header row again on every page."""
    mark = OxmlElement("w:tblHeader")
    mark.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(mark)
