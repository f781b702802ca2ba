"""The report as a Word document in the Vietnamese administrative format.

The layout follows Nghị định 30/2020/NĐ-CP (Phụ lục I, "Thể thức và kỹ thuật trình bày văn
bản hành chính"): A4 paper, margins 20 mm top and bottom, 30 mm left, 15 mm right; Times
New Roman; the issuing body and the national motto side by side, each with its rule; the
number under the issuing body and the place and date in italic under the motto; the kind of
document and its summary centred in bold; justified paragraphs with a first-line indent;
"Nơi nhận" on the left and the signature on the right; page numbers centred at the top from
page 2. Everything it writes comes from :class:`~tieuchi.reports.document.ReportDocument`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import datetime, time
from io import BytesIO

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Cm, Mm, Pt
from docx.table import Table as DocxTable
from docx.table import _Cell, _Row
from docx.text.paragraph import Paragraph

from tieuchi.domain.narrative import Narrative
from tieuchi.engine.evaluate import Evaluation
from tieuchi.reports.charts import WIDTH_CM, chart_png
from tieuchi.reports.document import (
    Chart,
    ReportDocument,
    Section,
    Table,
    build_document,
    causes_after,
    paragraphs_of,
)

__all__ = ["render_docx", "docx_bytes", "FONT", "PAGE"]

FONT = "Times New Roman"
BODY_PT = 14
TABLE_PT = 12
INDENT = Cm(1.27)
LINE_SPACING = 1.15  # ND 30/2020: from single to 1.5 lines
# A4 and the margins of Nghị định 30/2020 (top and bottom 20–25 mm, left 30–35, right 15–20)
PAGE = {"width": Mm(210), "height": Mm(297), "top": Mm(20), "bottom": Mm(20),
        "left": Mm(30), "right": Mm(15)}
TEXT_CM = 21.0 - 3.0 - 1.5  # the width between the margins
HEADER_CM = (6.0, 10.5)  # the issuing body's column, the motto's column
# A Party committee's: room for its Party organisation ("ĐẢNG BỘ TỈNH GIA LAI") on one line
PARTY_HEADER_CM = (7.0, 9.5)
CELL_PAD_CM = 0.38  # Word's default cell margins, left and right together
WIDTHS_CM = {  # appendix columns by key: a group's table, then a criteria set's
    "no": 1.1, "target": 4.9, "measure": 1.5, "plan": 1.9, "actual": 1.8, "percent": 1.7,
    "change": 1.6, "status": 2.0,
    "criterion": 5.6, "value": 3.4, "threshold": 3.4,
}
TABLE_MARGINS_TWIPS = {"left": 57, "right": 57, "top": 28, "bottom": 28}  # 1 mm, 0.5 mm
ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
         "right": WD_ALIGN_PARAGRAPH.RIGHT}


def render_docx(ev: Evaluation, lang: str = "vi", unit: str | None = None, *,
                narrative: Narrative | None = None) -> bytes:
    """The report of ``unit`` (default: the project's root) as a DOCX file's bytes, with
    ``narrative`` (default: the definitions')."""
    return docx_bytes(build_document(ev, lang, unit, narrative=narrative))


def docx_bytes(doc: ReportDocument) -> bytes:
    word = Document()
    _setup(word, doc)
    _header(word, doc)
    _title(word, doc)
    for note in doc.notes:
        _text(word, note, italic=True)
    for section in doc.sections:
        _section(word, section)
    _closing(word, doc)
    for table in doc.tables:
        _appendix(word, table, doc.appendix_note, doc.lang)
    out = BytesIO()
    word.save(out)
    return out.getvalue()


# ------------------------------------------------------------------ page, styles, numbers


def _setup(word: DocxDocument, doc: ReportDocument) -> None:
    section = word.sections[0]
    section.page_width, section.page_height = PAGE["width"], PAGE["height"]
    section.top_margin, section.bottom_margin = PAGE["top"], PAGE["bottom"]
    section.left_margin, section.right_margin = PAGE["left"], PAGE["right"]
    section.header_distance = section.footer_distance = Mm(10)
    normal = word.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    _fonts(normal.element.get_or_add_rPr(), "vi-VN" if doc.lang == "vi" else "en-GB")
    fmt = normal.paragraph_format
    fmt.space_before, fmt.space_after = Pt(0), Pt(6)
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    _page_numbers(word)
    props = word.core_properties
    props.title, props.author = doc.header.title, " ".join(doc.header.issuer) or "tieuchi"
    props.last_modified_by, props.language = "tieuchi", "vi-VN" if doc.lang == "vi" else "en"
    props.created = props.modified = datetime.combine(doc.date, time(8))
    props.revision = 1


def _fonts(rpr: BaseOxmlElement, lang: str) -> None:
    """Times New Roman for every script (Word picks the east-Asian or complex font for some
    Vietnamese letters otherwise), and the language for the spelling checker."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    language = rpr.find(qn("w:lang"))
    if language is None:
        language = OxmlElement("w:lang")
        rpr.append(language)
    language.set(qn("w:val"), lang)


def _page_numbers(word: DocxDocument) -> None:
    """The page number centred in the top margin, from page 2 (not on the first page)."""
    section = word.sections[0]
    section.different_first_page_header_footer = True
    section.first_page_header.is_linked_to_previous = False  # an empty header on page 1
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run()
    run.font.size = Pt(BODY_PT)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


# ------------------------------------------------------------------ header and title


def _header(word: DocxDocument, doc: ReportDocument) -> None:
    """Two columns without borders: the issuing body and its number on the left, the motto
    and the place and date on the right."""
    h = doc.header
    widths = PARTY_HEADER_CM if h.star else HEADER_CM
    table = _grid(word, widths, rows=2)
    left, right = table.cell(0, 0), table.cell(0, 1)
    first = True
    for line in h.parent_body:
        _line(left, line.upper(), 13, first=first)
        first = False
    for line in h.issuer:
        _line(left, line.upper(), 13, bold=True, first=first)
        first = False
    if h.issuer and h.star:  # a Party committee's: a star under its name
        _line(left, "*", 13)
    elif h.issuer:
        widest = max(_width_cm(line.upper(), 13) for line in h.issuer)
        _rule(left, widest * 0.4, widths[0])
    _line(right, h.motto, 13, bold=True, first=True)
    if h.motto_sub:
        _line(right, h.motto_sub, 14, bold=True)
    # the rule under the motto's last line, as long as that line
    last, size = (h.motto_sub, 14) if h.motto_sub else (h.motto, 13)
    _rule(right, _width_cm(last, size), widths[1])
    if h.number:
        _line(table.cell(1, 0), h.number, 13, first=True).paragraph_format.space_before = Pt(6)
    if h.place_date:
        date = _line(table.cell(1, 1), h.place_date, 14, italic=True, first=True)
        date.paragraph_format.space_before = Pt(6)


def _title(word: DocxDocument, doc: ReportDocument) -> None:
    h = doc.header
    kind = _text(word, h.kind, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    kind.paragraph_format.space_before, kind.paragraph_format.space_after = Pt(18), Pt(0)
    lines = [h.subtitle] + ([] if doc.about_root or not doc.unit_name else [doc.unit_name])
    for line in lines:
        p = _text(word, line, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
        p.paragraph_format.space_after = Pt(0)
    width = min(max(_width_cm(line, BODY_PT) for line in lines) / 3, 5.0)
    rule = _rule(word, max(width, 2.5), TEXT_CM)
    rule.paragraph_format.space_after = Pt(12)


# ------------------------------------------------------------------ body


def _section(word: DocxDocument, section: Section) -> None:
    heading = _text(word, f"{section.numeral}. {section.title}", bold=True)
    heading.paragraph_format.space_before = Pt(6)
    heading.paragraph_format.keep_with_next = True
    for position, text in enumerate(section.paragraphs, start=1):
        _text(word, f"{position}. {text}")
        for cause in causes_after(section, position - 1):
            _text(word, cause)
    for text in paragraphs_of(section.blocks):
        _text(word, text)


def _closing(word: DocxDocument, doc: ReportDocument) -> None:
    """"Nơi nhận:" at the bottom left; the signer's title and name on the right."""
    sign = doc.signature
    if not (doc.recipients or sign.title or sign.name):
        return
    word.add_paragraph().paragraph_format.space_after = Pt(0)
    table = _grid(word, (7.0, TEXT_CM - 7.0), rows=1)
    left, right = table.cell(0, 0), table.cell(0, 1)
    if doc.recipients:
        label = _line(left, doc.recipients_label, 12, bold=True, italic=True, first=True)
        label.alignment = WD_ALIGN_PARAGRAPH.LEFT
        for item in doc.recipients:
            _line(left, item, 11).alignment = WD_ALIGN_PARAGRAPH.LEFT
    first = True
    for line in sign.title:
        _line(right, line.upper(), 14, bold=True, first=first)
        first = False
    if sign.name:
        name = _line(right, sign.name, 14, bold=True, first=first)
        name.paragraph_format.space_before = Pt(0 if first else 84)  # room to sign and seal


def _appendix(word: DocxDocument, table: Table, note: str | None, lang: str) -> None:
    """An appendix table on a page of its own: title, "(Kèm theo …)", the table, a note,
    the chart."""
    _page_break(word)
    title = _text(word, table.title, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    title.paragraph_format.space_after = Pt(0 if note else 6)
    if note:
        p = _text(word, note, italic=True, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
        p.paragraph_format.space_after = Pt(6)
    _data_table(word, table)
    if table.note:
        p = _text(word, table.note, italic=True, size=TABLE_PT)
        p.paragraph_format.space_before = Pt(6)
    if table.chart is not None:
        _chart(word, table.chart, lang)


def _chart(word: DocxDocument, chart: Chart, lang: str) -> None:
    """The chart under its table, centred, its caption under it on the same page."""
    picture = word.add_paragraph()
    picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fmt = picture.paragraph_format
    fmt.space_before, fmt.space_after, fmt.keep_with_next = Pt(12), Pt(3), True
    picture.add_run().add_picture(BytesIO(chart_png(chart, lang)), width=Cm(WIDTH_CM))
    _text(word, chart.caption, italic=True, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False,
          size=TABLE_PT)


def _data_table(word: DocxDocument, table: Table) -> None:
    widths = _column_widths(table)
    grid = _grid(word, widths, rows=len(table.rows) + 1, borders=True)
    _cell_margins(grid)
    rows = grid.rows  # cells are taken row by row: Table.cell() reads the whole table
    for column, cell in zip(table.columns, rows[0].cells, strict=True):
        _line(cell, column.label, TABLE_PT, bold=True, first=True)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    _repeat_header(rows[0])
    for values, row in zip(table.rows, list(rows)[1:], strict=True):
        _cant_split(row)
        for column, value, cell in zip(table.columns, values, row.cells, strict=True):
            align = "center" if column.key in ("no", "status") else column.align
            _line(cell, _keep_together(value), TABLE_PT, first=True).alignment = ALIGN[align]
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def _keep_together(value: str) -> str:
    """"≥ 5%" never broken after its sign (a no-break space)."""
    for sign in ("≥", "≤", "="):
        value = value.replace(f"{sign} ", f"{sign}\u00a0")
    return value


def _cell_margins(table: DocxTable) -> None:
    """Narrow cell margins, so that figures fit their columns."""
    margins = OxmlElement("w:tblCellMar")
    for side, twips in TABLE_MARGINS_TWIPS.items():
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:w"), str(twips))
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    table._tbl.tblPr.insert_element_before(margins, "w:tblLook", "w:tblCaption",
                                           "w:tblDescription", "w:tblPrChange")


def _column_widths(table: Table) -> list[float]:
    """The columns' widths in cm, scaled to the width between the margins."""
    wanted = [WIDTHS_CM.get(c.key, 2.0) for c in table.columns]
    scale = TEXT_CM / sum(wanted)
    return [w * scale for w in wanted]


# ------------------------------------------------------------------ building blocks


def _text(word: DocxDocument, text: str, *, bold: bool = False, italic: bool = False,
          align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.JUSTIFY, indent: bool = True,
          size: int = BODY_PT) -> Paragraph:
    """A paragraph of the body: justified, its first line indented."""
    p = word.add_paragraph()
    p.alignment = align
    p.paragraph_format.line_spacing = LINE_SPACING
    if indent:
        p.paragraph_format.first_line_indent = INDENT
    _run(p, text, size, bold, italic)
    return p


def _line(cell: _Cell, text: str, size: int, *, bold: bool = False, italic: bool = False,
          first: bool = False) -> Paragraph:
    """A centred line in a table cell, without spacing (``first``: the cell's own paragraph)."""
    p: Paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_before = p.paragraph_format.space_after = Pt(0)
    _run(p, text, size, bold, italic)
    return p


_RANGE = re.compile(r"(\d) - (\d)")


def _run(p: Paragraph, text: str, size: int, bold: bool, italic: bool) -> None:
    """A run of text in Times New Roman; "2021 - 2025" is not broken across lines."""
    text = _RANGE.sub("\\1\u00a0-\u00a0\\2", unicodedata.normalize("NFC", text))
    run = p.add_run(text)
    run.font.name, run.font.size = FONT, Pt(size)
    run.bold, run.italic = bold or None, italic or None


def _rule(container: DocxDocument | _Cell, width_cm: float, space_cm: float) -> Paragraph:
    """A centred horizontal line ``width_cm`` long: the top border of an empty paragraph
    indented so that the border has that length (the rules under the issuing body, the motto
    and the summary)."""
    p: Paragraph = container.add_paragraph()
    inner = space_cm - (CELL_PAD_CM if isinstance(container, _Cell) else 0)
    side = max((inner - width_cm) / 2, 0)
    fmt = p.paragraph_format
    fmt.left_indent = fmt.right_indent = Cm(side)
    fmt.first_line_indent = Cm(0)
    fmt.space_before, fmt.space_after = Pt(3), Pt(0)
    fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(2)
    mark = OxmlElement("w:rPr")  # the empty paragraph's mark: as small as the line
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), "2")
    mark.append(size)
    borders = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for attr, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "0"),
                        ("w:color", "000000")):
        top.set(qn(attr), value)
    borders.append(top)
    ppr = p._p.get_or_add_pPr()
    ppr.insert_element_before(borders, "w:shd", "w:tabs", "w:spacing", "w:ind", "w:jc")
    ppr.append(mark)
    return p


def _grid(word: DocxDocument, widths: Sequence[float], rows: int,
          borders: bool = False) -> DocxTable:
    """A table of fixed column widths (cm), centred; with borders or without."""
    table: DocxTable = word.add_table(rows=rows, cols=len(widths))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    if borders:
        table.style = word.styles["Table Grid"]
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)
    for row in table.rows:  # Word reads the cells' widths, LibreOffice the grid's
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Cm(width)
    total = table._tbl.tblPr.find(qn("w:tblW"))  # the table's width, as its columns' sum
    if total is not None:
        total.set(qn("w:type"), "dxa")
        total.set(qn("w:w"), str(round(sum(widths) / 2.54 * 1440)))
    return table


def _repeat_header(row: _Row) -> None:
    """The header row repeated at the top of each page the table runs onto."""
    row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))


def _cant_split(row: _Row) -> None:
    """A row is not split across two pages."""
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def _page_break(word: DocxDocument) -> None:
    word.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


# Advance widths of Times New Roman Bold in thousandths of an em (the Adobe metrics, which
# Times New Roman and Liberation Serif share), for the rules drawn as long as a line of text.
_CAPS = dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", (
    722, 667, 722, 722, 667, 611, 778, 778, 389, 500, 778, 667, 944, 722, 778, 611, 778, 722,
    556, 667, 722, 722, 1000, 722, 722, 667), strict=True))
_SMALL = dict(zip("abcdefghijklmnopqrstuvwxyz", (
    500, 556, 444, 556, 444, 333, 500, 556, 278, 333, 556, 278, 833, 556, 500, 556, 556, 444,
    389, 333, 556, 500, 722, 500, 500, 444), strict=True))


def _width_cm(text: str, size_pt: float) -> float:
    """The width of ``text`` set in bold at ``size_pt``, in cm (diacritics take no room)."""
    plain = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    units = sum(_CAPS.get(c) or _SMALL.get(c) or (0 if unicodedata.combining(c) else 500)
                if c not in " -.,:" else {" ": 250, "-": 333}.get(c, 250) for c in plain)
    return units / 1000 * size_pt / 72 * 2.54

