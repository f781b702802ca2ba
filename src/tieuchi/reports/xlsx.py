"""The report's appendix tables as an Excel workbook (openpyxl), every figure traceable.

One sheet per appendix table, in the order and with the rows of the report
(:func:`~tieuchi.reports.trace.appendix_rows`): a table per group of targets ("Biểu 1 - Nhiệm
vụ chính trị"), one per criteria set the unit is rated on, then "Nguồn số liệu", which lists
for each figure of the tables its cell, the rule that made it and the observations it came
from. Figures are numbers (equal to :func:`~tieuchi.reports.json_output.evaluation_dict`'s,
rounded the same way) with display formats ("≥ "#,##0.0, 0.0"%"); Excel shows their
decimal and thousands separators in the reader's locale. Every cell is written by
:func:`~tieuchi.reports.cells.write_cell`: text is never a formula. Layout: docs/trace.md.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

import polars as pl
from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.styles import (  # type: ignore[import-untyped]
    Alignment,
    Border,
    Font,
    PatternFill,
    Side,
)
from openpyxl.utils import get_column_letter, quote_sheetname  # type: ignore[import-untyped]
from openpyxl.worksheet.hyperlink import Hyperlink  # type: ignore[import-untyped]
from openpyxl.worksheet.page import PageMargins  # type: ignore[import-untyped]
from openpyxl.worksheet.worksheet import Worksheet  # type: ignore[import-untyped]

from tieuchi.domain.criteria import CriteriaSet, Criterion, Provenance
from tieuchi.domain.periods import Period, PeriodKind
from tieuchi.engine.evaluate import Evaluation
from tieuchi.reports.cells import write_cell
from tieuchi.reports.document import ReportDocument, build_document, group_heads, phrasebook
from tieuchi.reports.formatting import lower_first
from tieuchi.reports.text import (
    VINTAGES,
    Context,
    actual_text,
    assessment_text,
    condition_threshold_text,
    condition_value_text,
    full_name,
    plan_text,
    unit_of_measure,
)
from tieuchi.reports.trace import appendix_rows, report_unit, trace_frame

__all__ = ["render_xlsx", "MEDIA_TYPE", "SHEET_WORDS", "sheet_name"]

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

SHEET_WORDS: dict[str, dict[str, str]] = {
    "vi": {
        "table": "Biểu", "sources": "Nguồn số liệu",
        "sources_title": "Nguồn số liệu của các biểu",
        "sources_note": "Mỗi số liệu của các biểu: ô chứa số liệu (bấm để đến ô), cách tính "
                        "và các số liệu gốc (đơn vị, kỳ, bản số liệu, giá trị, nguồn).",
        "cell": "Ô", "figure": "Số liệu", "rule": "Cách tính", "from_unit": "Đơn vị (gốc)",
        "from_indicator": "Chỉ tiêu (gốc)", "period": "Kỳ", "vintage": "Bản số liệu",
        "value": "Giá trị", "source": "Nguồn", "note": "Ghi chú",
        "superseded": "Không dùng: đã có bản số liệu mới hơn",
        "plan_rule": "Chỉ tiêu được giao",
        "threshold": "mức cần đạt",
        # never "=" first: a text starting with "=" is a formula to Excel
        "percent_rule": "{label} = {actual} / {plan} × 100",
        "change_rule": "{label} = ({actual} / cùng kỳ năm {year} − 1) × 100; "
                       "cùng kỳ năm {year}: {last}",
        "points_rule": "{label} = {actual} − cùng kỳ năm {year}; cùng kỳ năm {year}: {last}",
        "recorded_at": "ghi nhận lúc {at}",
        "criterion_threshold": "Mức đạt chuẩn của bộ tiêu chí",
        "set_condition": "Kết quả đánh giá của đơn vị theo {name}",
        "points": " điểm %",
        "basis": "Căn cứ", "read_at": "Nguồn", "verified": "Đã đối chiếu", "yes": "Có",
        "no": "Chưa",
    },
    "en": {
        "table": "Table", "sources": "Sources",
        "sources_title": "Where the figures of the tables come from",
        "sources_note": "Each figure of the tables: its cell (click to go to it), how it was "
                        "made and the figures it was made from (unit, period, vintage, value, "
                        "source).",
        "cell": "Cell", "figure": "Figure", "rule": "How it is made", "from_unit": "From unit",
        "from_indicator": "From indicator", "period": "Period", "vintage": "Vintage",
        "value": "Value", "source": "Source", "note": "Note",
        "superseded": "Not used: a newer version exists",
        "plan_rule": "Target set",
        "threshold": "threshold",
        "percent_rule": "{label} = {actual} / {plan} × 100",
        "change_rule": "{label} = ({actual} / same period of {year} − 1) × 100; "
                       "{year}: {last}",
        "points_rule": "{label} = {actual} − same period of {year}; {year}: {last}",
        "recorded_at": "recorded at {at}",
        "criterion_threshold": "Threshold of the criteria set",
        "set_condition": "The unit's result against the {name}",
        "points": " pp",
        "basis": "Legal basis", "read_at": "Source", "verified": "Verified", "yes": "Yes",
        "no": "No",
    },
}
"""The workbook's own words; report words (columns, statuses) come from
:mod:`tieuchi.domain.words`."""

_FONT = "Times New Roman"  # the typeface of Vietnamese administrative documents
_HEADER_ROW = 5
_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="E7E6E6")
_WRAP = Alignment(wrap_text=True, vertical="top")
_NUMBER = Alignment(horizontal="right", vertical="top")
_CENTER = Alignment(horizontal="center", vertical="top", wrap_text=True)
_GROUP_WIDTHS = (6, 58, 12, 15, 15, 11, 13, 15)
_CRITERIA_WIDTHS = (6, 50, 16, 14, 18, 13, 36, 30, 11)
_UNVERIFIED_FILL = PatternFill("solid", fgColor="FFF2CC")  # a threshold for reference only
_SOURCE_WIDTHS = (24, 30, 11, 12, 32, 15, 30, 10, 12, 12, 40, 26)
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")

Figure = tuple[str, str, str]
"""(unit, indicator, period): a figure of the evaluation to trace."""


@dataclass
class _Cell:
    """A figure written in a table, for the sources sheet."""

    sheet: str
    ref: str
    name: str
    period: str
    value: Any
    number_format: str
    rule: str | None  # None: the rule of the (first) figure traced
    figures: tuple[Figure, ...] = ()


@dataclass
class _Sheets:
    ctx: Context
    doc: ReportDocument  # the report: titles, issuer, notes, as the DOCX has them
    cells: list[_Cell] = field(default_factory=list)
    names: set[str] = field(default_factory=set)

    @property
    def words(self) -> dict[str, str]:
        return SHEET_WORDS[self.ctx.lang]


def render_xlsx(ev: Evaluation, lang: str = "vi", unit: str | None = None) -> bytes:
    """The appendix tables of the report on ``unit`` (default: the project's root) as an
    .xlsx file: a sheet per table, then the sources of every figure."""
    ctx = Context(ev, phrasebook(ev.definitions, lang), report_unit(ev, unit))
    doc = build_document(ev, lang, unit)
    book = Workbook()
    book.remove(book.active)
    book.properties.title = doc.header.title
    book.properties.creator = "tieuchi"
    book.properties.created = datetime.combine(ev.as_of, time())
    sheets = _Sheets(ctx, doc)
    layout = appendix_rows(ev, unit)
    for (table, kind, code), rows in layout.group_by("table", "kind", "code",
                                                      maintain_order=True):
        if kind == "group":
            _group_sheet(book, sheets, int(table), str(code), rows)
        else:
            _criteria_sheet(book, sheets, int(table), str(code), rows)
    _sources_sheet(book.create_sheet(_unique(sheets, sheets.words["sources"])), sheets)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ------------------------------------------------------------------------ sheet names


def sheet_name(n: int, name: str, lang: str = "vi") -> str:
    """"Biểu 1 - Nhiệm vụ chính trị": the table's number and a short form of its name,
    within Excel's 31 characters. The name loses "Chỉ tiêu", "kế hoạch" and its year (and
    what follows it); then, while too long: a parenthesis, what follows "of"/"for", a last
    "targets", "thực hiện", the spaces around dashes; then it is cut at a word. No step
    leaves a single word."""
    prefix = f"{SHEET_WORDS[lang]['table']} {n} - "
    room = 31 - len(prefix)
    short = _BAD_SHEET_CHARS.sub("-", name.strip())
    for always, (pattern, repl) in enumerate(_SHORTER):
        if len(short) <= room and always >= 3:
            break
        shorter = re.sub(pattern, repl, short, flags=re.IGNORECASE).strip()
        if len(shorter.split()) >= 2:  # never down to one word ("Năm")
            short = shorter
    if len(short) > room:
        cut = short[:room - 1]
        short = (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(" -,") + "…"
    return prefix + short[:1].upper() + short[1:]


_SHORTER = (
    (r"^(các )?chỉ tiêu (kế hoạch )?", ""),
    (r"\s+(năm \d{4}|giai đoạn \d{4}|của )\b.*$", ""),
    (r",?\s*\d{4}(\s*[-–]\s*\d{4})?$", ""),
    (r"\s*\([^)]*\)", ""),
    (r"\s+(of|for)\s.*$", ""),
    (r"\s+(targets|items)$", ""),
    (r" thực hiện\b", ""),
    (r"\s+-\s+", "-"),
)
"""Ways to shorten a table's name for its sheet, tried in turn while it is too long."""


def _unique(sheets: _Sheets, name: str) -> str:
    found, n = name, 2
    while found.lower() in sheets.names:
        suffix = f" ({n})"
        found, n = name[:31 - len(suffix)] + suffix, n + 1
    sheets.names.add(found.lower())
    return found


# ------------------------------------------------------------------------ the tables


def _group_sheet(book: Workbook, sheets: _Sheets, n: int, code: str,
                 layout: pl.DataFrame) -> None:
    ctx = sheets.ctx
    group = ctx.ev.definitions.group_by_code[code]
    name = group.title(ctx.ev.period, ctx.lang)
    ws = book.create_sheet(_unique(sheets, sheet_name(n, name, ctx.lang)))
    rows = layout.select("key", "row").join(ctx.ev.targets, on="key").sort("row")
    estimated = bool((rows.get_column("actual_vintage") == VINTAGES.index("estimate")).any())
    header = [head for _, head in group_heads(ctx.basis(group.basis), estimated, ctx.words)]
    _heading(ws, sheets, n, header, _GROUP_WIDTHS)
    for i, r in enumerate(rows.iter_rows(named=True)):
        line = _HEADER_ROW + 1 + i
        _write_row(ws, line, [
            (r["row"], "0"), (full_name(r, ctx), None),
            (unit_of_measure(r["indicator"], ctx), None), _plan(r, ctx), _actual(r, ctx),
            _share(r, ctx), _change(r, ctx), (assessment_text(r, ctx), None)], _GROUP_WIDTHS)
        sheets.cells.extend(_target_cells(ws, line, r, sheets))
    _finish(ws, len(header), _HEADER_ROW + rows.height)


def _criteria_sheet(book: Workbook, sheets: _Sheets, n: int, code: str,
                    layout: pl.DataFrame) -> None:
    ctx = sheets.ctx
    cset = ctx.ev.definitions.set_by_code[code]
    short = cset.short_name or cset.name
    title_name = (cset.name_en or cset.name) if ctx.lang == "en" else short
    ws = book.create_sheet(_unique(sheets, sheet_name(n, title_name, ctx.lang)))
    c, words = ctx.words.columns, sheets.words
    header = [c["no"], c["criterion"], c["measure"], c["value"], c["threshold"], c["status"],
              words["basis"], words["read_at"], words["verified"]]
    _heading(ws, sheets, n, header, _CRITERIA_WIDTHS)
    ev = ctx.ev
    rows = (
        layout.select("unit", "criterion", "condition", "row")
        .join(ev.sets.conditions.filter(pl.col("set") == code),
              on=["unit", "criterion", "condition"])
        .join(ev.sets.criteria.filter(pl.col("set") == code).select(
            "unit", "criterion", pl.col("status").alias("criterion_status")),
              on=["unit", "criterion"])
        .sort("row", "condition")
    )
    criteria = {x.code: x for x in cset.criteria}
    for i, r in enumerate(rows.iter_rows(named=True)):
        line = _HEADER_ROW + 1 + i
        first = r["condition"] == rows.filter(pl.col("row") == r["row"])["condition"].min()
        status = ctx.words.status[r["criterion_status"]]
        provenance = _provenance(cset, criteria[r["criterion"]], r["condition"], first)
        _write_row(ws, line, [
            (r["row"] if first else None, "0"),
            (r["criterion_name"] if first else (r["label"] or ""), None),
            (unit_of_measure(r["indicator"], ctx), None), _condition_value(r, ctx),
            _condition_threshold(r, ctx), (status if first else "", None),
            (provenance.basis if provenance else "", None)], _CRITERIA_WIDTHS, texts=(2, 7))
        _write_provenance(ws, line, provenance, words)
        sheets.cells.extend(_condition_cells(ws, line, r, sheets))
    last = _HEADER_ROW + rows.height
    note_text = sheets.doc.tables[n - 1].note
    if note_text:
        note = write_cell(ws, last + 2, 1, note_text)
        note.font = Font(name=_FONT, size=11, italic=True)
        ws.merge_cells(start_row=last + 2, start_column=1, end_row=last + 2,
                       end_column=len(header))
        note.alignment = _WRAP
        ws.row_dimensions[last + 2].height = 30
    _finish(ws, len(header), last)


def _provenance(cset: CriteriaSet, criterion: Criterion, condition: int,
                first: bool) -> Provenance | None:
    """What a line of a set's sheet says of its provenance: the criterion's on its first
    line; on a further condition's line, the threshold's own when it has one."""
    if first:
        return criterion.provenance(cset)
    own = criterion.conditions[condition]
    if own.citation is None and own.verified is None:
        return None
    return own.provenance(criterion, cset)


def _write_provenance(ws: Worksheet, line: int, p: Provenance | None,
                      words: dict[str, str]) -> None:
    """After "Căn cứ" (the document and the place in it): "Nguồn", the address read (a link,
    on one line: an address does not make the row tall), and "Đã đối chiếu" (Có/Chưa); a
    line whose threshold is not verified is filled."""
    url = write_cell(ws, line, 8, p.url if p and p.url else "")
    verified = write_cell(ws, line, 9, "" if p is None else words["yes" if p.verified else "no"])
    for cell in (url, verified):
        cell.font = Font(name=_FONT, size=12)
        cell.border = _BORDER
    url.alignment = Alignment(vertical="top")
    verified.alignment = _CENTER
    if p is None:
        return
    if p.link:
        url.hyperlink = p.link
        url.font = Font(name=_FONT, size=12, color="1F4E79", underline="single")
    if not p.verified:
        for col in range(1, 10):
            ws.cell(line, col).fill = _UNVERIFIED_FILL


def _heading(ws: Worksheet, sheets: _Sheets, n: int, header: Sequence[str],
             widths: Sequence[int]) -> None:
    """Rows 1-4: the issuer and the table's number, its title (as in the report), what it
    is attached to, the unit, period and data note; row 5: the column headings."""
    doc, words = sheets.doc, sheets.words
    last = len(header)
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    bold = Font(name=_FONT, size=12, bold=True)
    _banner(ws, 1, 1, 3, " ".join(doc.header.issuer).upper(), bold)
    _banner(ws, 1, last - 1, last, f"{words['table']} {n}", bold, "right")
    title = doc.tables[n - 1].title
    _banner(ws, 2, 1, last, title, Font(name=_FONT, size=13, bold=True))
    _fit_height(ws, 2, title, sum(widths), 13)
    italic = Font(name=_FONT, size=12, italic=True)
    _banner(ws, 3, 1, last, doc.appendix_note or "", italic)
    about = " — ".join(x for x in (doc.unit_name, doc.period) if x)
    _banner(ws, 4, 1, last, " ".join(x for x in (about + ".", *doc.notes[:1]) if x), italic)
    for col, label in enumerate(header, start=1):
        cell = write_cell(ws, _HEADER_ROW, col, label)
        cell.font = bold
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
    ws.row_dimensions[_HEADER_ROW].height = 33


def _banner(ws: Worksheet, row: int, first: int, last: int, text: str, font: Font,
            align: str = "center") -> None:
    """A line of the heading, over columns ``first`` to ``last``."""
    cell = write_cell(ws, row, first, text)
    cell.font = font
    cell.alignment = Alignment(horizontal=align, vertical="center", wrap_text=True)
    if last > first:
        ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)


def _fit_height(ws: Worksheet, row: int, text: str, width: float, size: int = 12) -> None:
    """Make a row tall enough for ``text`` wrapped in ``width`` (Excel's column units):
    neither openpyxl nor LibreOffice's import measures wrapped text."""
    per_line = max(int(width * 12 / size * 1.3), 1)
    lines = sum(max(1, -(-len(part) // per_line)) for part in text.split("\n"))
    height = max(lines * size * 1.3 + 3, ws.row_dimensions[row].height or 0)
    ws.row_dimensions[row].height = height


def _write_row(ws: Worksheet, line: int, values: Sequence[tuple[Any, str | None]],
               widths: Sequence[int], texts: Sequence[int] = (2,)) -> None:
    """One table row: numbers right-aligned with their format; the text columns
    (``texts``, 1-based) wrapped at the left, other text centred; all bordered; the row as
    tall as its longest text."""
    for col, (value, number_format) in enumerate(values, start=1):
        cell = write_cell(ws, line, col, value)
        cell.font = Font(name=_FONT, size=12)
        cell.border = _BORDER
        if isinstance(value, int | float) and number_format:
            cell.number_format = number_format
            cell.alignment = _CENTER if col == 1 else _NUMBER
        else:
            cell.alignment = _WRAP if col in texts else _CENTER
        if isinstance(value, str) and value:
            _fit_height(ws, line, value, widths[col - 1] - 1)


def _finish(ws: Worksheet, columns: int, last: int) -> None:
    """Frozen header, A4 landscape, the header repeated on every printed page."""
    ws.freeze_panes = ws.cell(_HEADER_ROW + 1, 1)
    ws.print_title_rows = f"{_HEADER_ROW}:{_HEADER_ROW}"
    ws.print_area = f"A1:{get_column_letter(columns)}{max(last, _HEADER_ROW)}"
    _page(ws)


def _page(ws: Worksheet) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = PageMargins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "&P/&N"


# ------------------------------------------------------------------------ cells


def _decimals(value: float, most: int) -> int:
    """The fewest decimals (up to ``most``) that show ``value`` as the report does
    (trailing zeros dropped: 14, not 14,0)."""
    for d in range(most + 1):
        if abs(round(value, d) - round(value, most)) < 1e-9:
            return d
    return most


def _format(value: float, most: int, prefix: str = "", suffix: str = "",
            fixed: bool = False) -> str:
    """An Excel number format: ``"≥ "#,##0.0"%"``, with ``most`` decimals when ``fixed``.
    Excel writes the format with "," and "." and shows them as the reader's locale groups
    and separates decimals."""
    d = most if fixed else _decimals(value, most)
    body = "#,##0" + ("." + "0" * d if d else "")
    return (f'"{prefix}"' if prefix else "") + body + (f'"{suffix}"' if suffix else "")


def _plan(r: dict[str, Any], ctx: Context) -> tuple[Any, str | None]:
    """The target: a number (the threshold, or the growth asked) with its comparator."""
    if r["type"] == "yesno" or r["comparator"] == "within" or (
            r["target"] is None and r["relative_value"] is None):
        return plan_text(r, ctx), None
    comparator = ctx.words.comparator
    if r["relative"]:
        percent = r["relative"] in ("growth", "reduction", "share_of_baseline")
        value = round(float(r["relative_value"]), 6)
        return value, _format(value, 1, comparator[r["relative"]] + " ", "%" if percent else "")
    value = round(float(r["target"]), 6)
    return value, _format(value, int(r["decimals"]), comparator[r["comparator"]] + " ")


def _actual(r: dict[str, Any], ctx: Context) -> tuple[Any, str | None]:
    if r["type"] == "yesno" or r["actual"] is None:
        return actual_text(r, ctx), None
    value = round(float(r["actual"]), 6)
    return value, _format(value, int(r["decimals"]), fixed=bool(r["decimals_fixed"]))


def _share(r: dict[str, Any], ctx: Context) -> tuple[Any, str | None]:
    """% of the target, not for ceilings (as the report), with the target's precision."""
    if r["comparator"] == "at_most" or r["percent_of_target"] is None:
        return "–", None
    decimals, fixed = ctx.precision(r)
    value = round(float(r["percent_of_target"]), decimals)
    return value, _format(value, decimals, suffix="%", fixed=fixed)


def _change(r: dict[str, Any], ctx: Context) -> tuple[Any, str | None]:
    """"+5,5%", "−0,16 điểm %": the sign and unit are the format's, the number is the JSON's."""
    change = r["change_vs_same_period"]
    if change is None:
        return None, None
    points = r["change_kind"] == "points"
    most, fixed = ctx.precision(r)
    value = round(float(change), 6 if points else most)
    suffix = SHEET_WORDS[ctx.lang]["points"] if points else "%"
    body = _format(abs(value), most, suffix=suffix, fixed=fixed)
    return value, f'"+"{body};"−"{body};{body}'


def _condition_value(r: dict[str, Any], ctx: Context) -> tuple[Any, str | None]:
    """A condition's figure: a number, or the report's words (Đạt, Có, Chưa có số liệu)."""
    if r["value"] is None or r["ref_set"] or r["comparator"] == "yes":
        return condition_value_text(r, ctx), None
    value = round(float(r["value"]), 6)
    return value, _format(value, 2)


def _condition_threshold(r: dict[str, Any], ctx: Context) -> tuple[Any, str | None]:
    """A condition's threshold: a number with its comparator, or the report's words."""
    if r["ref_set"] or r["comparator"] in ("yes", "within") or r["threshold"] is None:
        return condition_threshold_text(r, ctx), None
    value = round(float(r["threshold"]), 6)
    return value, _format(value, 2, ctx.words.comparator[r["comparator"]] + " ")


# ------------------------------------------------------------------------ what each cell is


def _target_cells(ws: Worksheet, line: int, r: dict[str, Any],
                  sheets: _Sheets) -> Iterator[_Cell]:
    """The figures of a target's row: plan, actual, % of plan, change on last year."""
    ctx, words = sheets.ctx, sheets.words
    name = full_name(r, ctx)
    period = Period.parse(r["period"])
    actual: Figure = (r["unit"], r["indicator"], r["period"])

    def cell(column: str, rule: str | None, figures: tuple[Figure, ...] = ()) -> _Cell:
        found = ws[f"{column}{line}"]
        return _Cell(ws.title, f"{column}{line}", name, period.label(ctx.lang), found.value,
                     found.number_format, rule, figures)

    plan = ws[f"D{line}"].value
    if plan is not None:
        yield cell("D", _plan_rule(r, ctx))
    yield cell("E", None, (actual,))
    if isinstance(ws[f"F{line}"].value, float):
        yield cell("F", words["percent_rule"].format(label=ws["F5"].value, actual=f"E{line}",
                                                     plan=f"D{line}"))
    if r["change_vs_same_period"] is not None and period.kind is not PeriodKind.MULTI_YEAR:
        previous = period.same_period_last_year()
        template = words["points_rule" if r["change_kind"] == "points" else "change_rule"]
        rule = template.format(label=ws["G5"].value, actual=f"E{line}", year=previous.year,
                               last=ctx.num(r["last_year"], int(r["decimals"])))
        yield cell("G", rule, (actual, (r["unit"], r["indicator"], previous.code)))


def _plan_rule(r: dict[str, Any], ctx: Context) -> str:
    """"Chỉ tiêu được giao (Huyện ủy …, Nghị quyết …); mức cần đạt: 43.030,4"."""
    words = SHEET_WORDS[ctx.lang]
    who = ", ".join(x for x in (r["issuer"], r["document"]) if x)
    text = words["plan_rule"] + (f" ({who})" if who else "")
    if r["relative"] and r["target"] is not None:
        text += f"; {words['threshold']}: {ctx.num(r['target'], int(r['decimals']))}"
    return text


def _condition_cells(ws: Worksheet, line: int, r: dict[str, Any],
                     sheets: _Sheets) -> Iterator[_Cell]:
    ctx, words = sheets.ctx, sheets.words
    label = r["criterion_name"]
    period = ctx.ev.period.label(ctx.lang)

    def cell(column: str, rule: str | None, figures: tuple[Figure, ...] = ()) -> _Cell:
        found = ws[f"{column}{line}"]
        return _Cell(ws.title, f"{column}{line}", label, period, found.value,
                     found.number_format, rule, figures)

    if r["ref_set"]:
        cset = ctx.ev.definitions.set_by_code[r["ref_set"]]
        name = (cset.name_en or cset.name) if ctx.lang == "en" else lower_first(cset.name)
        yield cell("D", words["set_condition"].format(name=name))
    elif r["indicator"]:
        yield cell("D", None, ((r["unit"], r["indicator"], ctx.ev.period.code),))
    cset = ctx.ev.definitions.set_by_code[r["set"]]
    source = cset.source.document if cset.source else None
    yield cell("E", words["criterion_threshold"] + (f" ({source})" if source else ""))


# ------------------------------------------------------------------------ sources


_SOURCE_COLUMNS = ("cell", "figure_name", "period", "figure", "rule", "from_unit",
                   "from_indicator", "from_period", "vintage", "value", "source", "note")
_SOURCE_TOP = 4


def _sources_sheet(ws: Worksheet, sheets: _Sheets) -> None:
    """Each figure of the tables: its cell (a link to it), name, period, value and rule,
    then what it was made from, one a line: observations (unit, indicator, period,
    vintage, value, source), intermediate figures, units' results against a set."""
    ctx, words = sheets.ctx, sheets.words
    header = [words["cell"], ctx.words.columns["target"], words["period"], words["figure"],
              words["rule"], words["from_unit"], words["from_indicator"], words["period"],
              words["vintage"], words["value"], words["source"], words["note"]]
    _banner(ws, 1, 1, 6, words["sources_title"], Font(name=_FONT, size=13, bold=True), "left")
    about = " — ".join(x for x in (sheets.doc.unit_name, sheets.doc.period) if x)
    _banner(ws, 2, 1, 12, f"{about}. {words['sources_note']}",
            Font(name=_FONT, size=11, italic=True), "left")
    for col, (label, width) in enumerate(zip(header, _SOURCE_WIDTHS, strict=True), start=1):
        cell = write_cell(ws, _SOURCE_TOP, col, label)
        cell.font = Font(name=_FONT, size=11, bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
        ws.column_dimensions[get_column_letter(col)].width = width
    traced = _traces(sheets)
    line = _SOURCE_TOP
    for cell_info in sheets.cells:
        for values in _source_lines(cell_info, traced, ctx):
            line += 1
            _write_source(ws, line, cell_info, values)
    ws.freeze_panes = ws.cell(_SOURCE_TOP + 1, 2)
    ws.auto_filter.ref = f"A{_SOURCE_TOP}:{get_column_letter(len(header))}{line}"
    ws.print_title_rows = f"{_SOURCE_TOP}:{_SOURCE_TOP}"
    _page(ws)


def _traces(sheets: _Sheets) -> dict[Figure, list[dict[str, Any]]]:
    """The trace of every figure of the tables, made at once."""
    figures = list(dict.fromkeys(f for c in sheets.cells for f in c.figures))
    if not figures:
        return {}
    frame = pl.DataFrame(
        {"figure": [f"{i}" for i in range(len(figures))], "unit": [f[0] for f in figures],
         "indicator": [f[1] for f in figures], "period": [f[2] for f in figures]})
    out: dict[Figure, list[dict[str, Any]]] = {f: [] for f in figures}
    for row in trace_frame(sheets.ctx.ev, frame).iter_rows(named=True):
        out[figures[int(row["figure"])]].append(row)
    return out


def _source_lines(cell: _Cell, traced: dict[Figure, list[dict[str, Any]]],
                  ctx: Context) -> Iterator[dict[str, Any]]:
    """The lines of one figure: the first with the figure and its rule, then one per
    observation (or intermediate figure, or unit's result) it came from."""
    rows = [r for f in cell.figures for r in traced.get(f, [])]
    rule = cell.rule
    if rule is None and rows:
        rule = rows[0]["rule_en" if ctx.lang == "en" else "rule"]
    head = {"figure_name": cell.name, "period": cell.period, "figure": cell.value,
            "rule": rule}
    if not rows:
        yield head
        return
    for i, row in enumerate(rows):
        line = _observation(row, rule, ctx)
        yield {**head, **line} if i == 0 else line


def _observation(row: dict[str, Any], rule: str | None, ctx: Context) -> dict[str, Any]:
    defs = ctx.ev.definitions
    en = ctx.lang == "en"
    kind = row["kind"]
    step = row["step_en" if en else "step"]
    if kind == "set-result":
        cset = defs.set_by_code.get(row["indicator"])
        indicator = ((cset.name_en or cset.name) if en else cset.name) if cset else ""
        value: Any = ctx.words.status["met" if row["value"] else "not_met"]
    elif kind == "missing":
        indicator, value = _indicator_name(row["indicator"], ctx), None
    else:
        indicator, value = _indicator_name(row["indicator"], ctx), row["value"]
    note = step if step != rule or kind == "figure" else ""
    if not row["used"]:
        note = SHEET_WORDS[ctx.lang]["superseded"]
    vintage = ctx.words.vintage.get(row["vintage"] or "", "")
    source = row["source"] or ""
    if row["recorded_at"]:
        at = SHEET_WORDS[ctx.lang]["recorded_at"].format(at=row["recorded_at"])
        source = f"{source} ({at})" if source else at
    return {"from_unit": ctx.unit_name(row["unit"]) if row["unit"] in defs.unit_by_code
            else row["unit"], "from_indicator": indicator, "from_period": row["period"],
            "vintage": vintage, "value": value, "source": source, "note": note,
            "depth": row["depth"], "decimals": _indicator_decimals(row["indicator"], ctx)}


def _indicator_name(code: str | None, ctx: Context) -> str:
    ind = ctx.ev.definitions.indicator_by_code.get(code or "")
    if ind is None:
        return code or ""
    return (ind.name_en or ind.name) if ctx.lang == "en" else ind.name


def _indicator_decimals(code: str | None, ctx: Context) -> int:
    ind = ctx.ev.definitions.indicator_by_code.get(code or "")
    return ind.decimals if ind is not None else 2


def _write_source(ws: Worksheet, line: int, cell: _Cell, values: dict[str, Any]) -> None:
    """One line of the sources: the cell as a link to it, then the values; the first
    line of a figure in bold."""
    first = "rule" in values
    link = write_cell(ws, line, 1, f"{cell.sheet}!{cell.ref}")
    link.hyperlink = Hyperlink(ref=link.coordinate,
                               location=f"{quote_sheetname(cell.sheet)}!{cell.ref}")
    link.font = Font(name=_FONT, size=11, bold=first, color="1F4E79", underline="single")
    link.alignment = _WRAP
    link.border = _BORDER
    for col, key in enumerate(_SOURCE_COLUMNS[1:], start=2):
        value = values.get(key)
        target = write_cell(ws, line, col, value)
        target.font = Font(name=_FONT, size=11, italic=key == "note", bold=first and col == 4)
        target.border = _BORDER
        if isinstance(value, int | float) and not isinstance(value, bool):
            target.alignment = _NUMBER
            target.number_format = (cell.number_format if key == "figure" else
                                    _format(float(value), int(values.get("decimals", 2))))
            continue
        indent = max(int(values.get("depth") or 0) - 1, 0) if key == "from_unit" else 0
        target.alignment = Alignment(wrap_text=True, vertical="top", indent=indent)
        if isinstance(value, str) and value:
            _fit_height(ws, line, value, _SOURCE_WIDTHS[col - 1] - 1 - 2 * indent, 11)
    _fit_height(ws, line, link.value, _SOURCE_WIDTHS[0] - 1, 11)
