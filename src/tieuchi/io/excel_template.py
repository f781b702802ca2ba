"""The Excel entry template ("mẫu nhập số liệu"): one sheet per unit for a data set and period.

Each sheet has title rows (unit, period, data set, vintage), then the table
STT | Mã chỉ tiêu | Chỉ tiêu | Đơn vị tính | Giá trị | Nguồn | Ghi chú with the figures held
now. The sheets are protected without a password: only the value, source and note cells are
unlocked (shaded), yes/no values have a drop-down list (Đạt / Chưa đạt), numbers are
formatted ``#,##0.##`` (shown with the separators of the computer's regional settings:
1.234,5 on a Vietnamese Windows). A hidden sheet ``_tieuchi`` records the data set, period,
vintage, template version, the unit of each sheet and the figures the template was made with,
so that the import knows what it reads and which cells were changed. Every cell is written
by :func:`~tieuchi.reports.cells.write_cell`: a source is never a formula, and the upload
reads back the text the template wrote.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import polars as pl
from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.formatting.rule import Rule  # type: ignore[import-untyped]
from openpyxl.styles import (  # type: ignore[import-untyped]
    Alignment,
    Border,
    Font,
    PatternFill,
    Protection,
    Side,
)
from openpyxl.styles.differential import DifferentialStyle  # type: ignore[import-untyped]
from openpyxl.styles.numbers import NumberFormat  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
from openpyxl.workbook.protection import WorkbookProtection  # type: ignore[import-untyped]
from openpyxl.worksheet.datavalidation import DataValidation  # type: ignore[import-untyped]
from openpyxl.worksheet.worksheet import Worksheet  # type: ignore[import-untyped]

from tieuchi.domain.datasets import DataSet
from tieuchi.domain.indicators import Indicator, ValueType
from tieuchi.domain.periods import Period, PeriodError
from tieuchi.domain.problems import Problem, ProblemError, suggest
from tieuchi.domain.ruleset import MAGNITUDE, value_range
from tieuchi.domain.status import Vintage
from tieuchi.domain.units import Unit
from tieuchi.io.figures import best, datasets_by_level
from tieuchi.io.values import NO, YES, yesno_text
from tieuchi.reports.cells import write_cell, write_row
from tieuchi.reports.formatting import number
from tieuchi.store import Store

__all__ = ["TEMPLATE_VERSION", "META_SHEET", "COLUMNS", "HEADER_ROW", "FIRST_ROW",
           "VINTAGE_NAMES", "TemplateRow", "TemplateSheet", "Template", "plan_template",
           "build_workbook", "workbook_bytes", "number_format", "unit_title"]

TEMPLATE_VERSION = 1
META_SHEET = "_tieuchi"
COLUMNS = ("STT", "Mã chỉ tiêu", "Chỉ tiêu", "Đơn vị tính", "Giá trị", "Nguồn", "Ghi chú")
HEADER_ROW, FIRST_ROW = 6, 7
CODE_COL, NAME_COL, MEASURE_COL, VALUE_COL, SOURCE_COL, NOTE_COL = 2, 3, 4, 5, 6, 7
WIDTHS = (6, 20, 56, 16, 16, 42, 28)
VINTAGE_NAMES = {"plan": "Kế hoạch", "estimate": "Ước thực hiện", "preliminary": "Sơ bộ",
                 "official": "Chính thức"}
VIETNAMESE = "[$-42A]"  # the locale of a number format: Vietnamese
KIND_NAMES = {"month": "tháng", "quarter": "quý", "half": "6 tháng", "ytd": "lũy kế tháng",
              "year": "năm", "multi_year": "nhiều năm"}
META_COLUMNS = ("sheet", "row", "unit", "indicator", "value", "vintage", "source", "note")

_FONT = "Times New Roman"
_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_INPUT = PatternFill("solid", fgColor="FFF8DC")
_HEAD = PatternFill("solid", fgColor="D9E1F2")
_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class TemplateRow:
    indicator: Indicator
    value: float | None
    vintage: str | None
    source: str | None
    note: str | None = None


@dataclass(frozen=True)
class TemplateSheet:
    title: str
    unit: Unit
    rows: tuple[TemplateRow, ...]


@dataclass(frozen=True)
class Template:
    """What a template holds: the data set and period, and a sheet per unit."""

    dataset: DataSet
    period: Period
    vintage: str
    sheets: tuple[TemplateSheet, ...]

    @property
    def file_name(self) -> str:
        who = self.sheets[0].unit.code if len(self.sheets) == 1 else "nhieu-don-vi"
        return f"mau-{self.dataset.code}-{who}-{self.period.code}.xlsx"


def _bad(place: str, en: str, vi: str) -> ProblemError:
    return ProblemError([Problem.located(place, "invalid-option", en, vi)])


def plan_template(store: Store, units: Sequence[str], *, period: str, dataset: str,
                  all_units: bool = False, vintage: str = Vintage.OFFICIAL.value) -> Template:
    """The template of ``dataset`` for ``period``: a sheet for each of ``units``, or, with
    ``all_units``, for every unit under them (under the whole hierarchy when none is given)
    that reports the data set. Raises :class:`ProblemError` for options that cannot be
    used."""
    try:
        chosen = Period.parse(period)
    except PeriodError as error:
        raise _bad("--period", str(error), f"'{period}' không phải kỳ báo cáo hợp lệ (ví dụ "
                   "2023, 2023-Q3, 2023-05)") from None
    if vintage not in VINTAGE_NAMES:
        raise _bad("--vintage", f"'{vintage}' is not plan, estimate, preliminary or official",
                   f"'{vintage}' không phải loại số liệu hợp lệ")
    picked = _units(store, units, all_units, dataset, chosen)
    ds = _dataset(store, picked, dataset)
    catalogue = {i.code: i for i in store.units.indicators()}
    _check_period(ds, catalogue, chosen)
    figures = best(store.figures.held([u.code for u in picked], [chosen.code]))
    titles = _titles(picked)
    sheets = tuple(TemplateSheet(titles[u.code], u, _rows(ds, catalogue, figures, u.code))
                   for u in picked)
    return Template(ds, chosen, vintage, sheets)


def _units(store: Store, codes: Sequence[str], all_units: bool, dataset: str,
           period: Period) -> list[Unit]:
    if not all_units and not codes:
        raise _bad("--unit", "give --unit (repeatable) or --all-units",
                   "cần chọn đơn vị (--unit) hoặc tất cả đơn vị (--all-units)")
    everything = store.units.under(None)
    by_code = {u.code: u for u in everything}
    for code in codes:
        if code not in by_code:
            raise _bad("--unit", f"'{code}' is not a unit{suggest(code, by_code)}",
                       f"đơn vị '{code}' không có trong danh mục")
    if all_units:
        roots: list[str | None] = list(codes) or [None]
        found = {u.code: u for root in roots for u in store.units.under(root)}
        reporting = datasets_by_level(store, list(found.values()))
        picked = [u for u in found.values() if u.valid_on(period.start, period.end)
                  and dataset in {d.code for d in reporting[u.level]}]
        if not picked:
            raise _bad("--dataset", f"no unit reports the data set '{dataset}'",
                       f"không đơn vị nào báo cáo biểu '{dataset}'")
        return picked
    picked = [by_code[c] for c in dict.fromkeys(codes)]
    reporting = datasets_by_level(store, picked)
    for unit in picked:
        reported = [d.code for d in reporting[unit.level]]
        if dataset not in reported:
            raise _bad("--dataset", f"unit {unit.code} does not report '{dataset}'"
                       f"{suggest(dataset, reported)} (it reports: {', '.join(reported)})",
                       f"đơn vị {unit.code} không báo cáo biểu '{dataset}' (các biểu: "
                       f"{', '.join(reported)})")
    return picked


def _dataset(store: Store, units: Sequence[Unit], code: str) -> DataSet:
    for sets in datasets_by_level(store, units).values():
        for ds in sets:
            if ds.code == code:
                return ds
    raise _bad("--dataset", f"'{code}' is not a data set", f"'{code}' không phải biểu nhập "
               "số liệu")


def _check_period(ds: DataSet, catalogue: dict[str, Indicator], period: Period) -> None:
    """A period finer than every indicator of the data set is collected for is refused."""
    kinds = [catalogue[c].frequency for c in ds.indicators if c in catalogue]
    if kinds and all(period.kind.granularity < k.granularity for k in kinds):
        coarsest = min(kinds, key=lambda k: k.granularity)
        raise _bad("--period", f"the data set '{ds.code}' is collected by {coarsest.value} "
                   f"or longer, not for {period.code}",
                   f"biểu '{ds.code}' thu thập theo {KIND_NAMES[coarsest.value]}, "
                   f"không theo kỳ {period.code}")


def _rows(ds: DataSet, catalogue: dict[str, Indicator], figures: pl.DataFrame,
          unit: str) -> tuple[TemplateRow, ...]:
    mine = {r["indicator"]: r for r in figures.filter(pl.col("unit") == unit)
            .iter_rows(named=True)}
    rows = []
    for code in ds.indicators:
        indicator = catalogue.get(code)
        if indicator is None:
            continue
        figure = mine.get(code) or {}
        rows.append(TemplateRow(indicator, figure.get("value"), figure.get("vintage"),
                                figure.get("source"), figure.get("note")))
    return tuple(rows)


def _titles(units: Sequence[Unit]) -> dict[str, str]:
    """A sheet title per unit: its name (Excel allows 31 characters, no []:*?/\\), made
    unique with the code when two units share a name."""
    titles: dict[str, str] = {}
    used: set[str] = {META_SHEET.casefold()}
    for unit in units:
        title = _BAD_TITLE.sub(" ", unit.name).strip()[:31] or unit.code[:31]
        if title.casefold() in used:
            title = f"{title[:30 - len(unit.code)]} {unit.code}"[:31]
        n = 2
        while title.casefold() in used:
            title = f"{title[:28]} {n}"
            n += 1
        used.add(title.casefold())
        titles[unit.code] = title
    return titles


def unit_title(unit: Unit) -> str:
    """"Xã A", "Thị trấn B": the unit as a title names it."""
    if not unit.kind:
        return unit.name
    return f"{unit.kind[:1].upper()}{unit.kind[1:]} {unit.name}"


def number_format(indicator: Indicator) -> str:
    """``#,##0.##`` (as many ``#`` as the indicator's decimals, at least two), ``#,##0``
    for counts and whole numbers, marked Vietnamese (``[$-42A]``): LibreOffice shows
    1.234,5 whatever the computer's settings, Excel with the separators of the computer."""
    if indicator.type is ValueType.COUNT or indicator.decimals == 0:
        return VIETNAMESE + "#,##0"
    return VIETNAMESE + "#,##0." + "#" * max(2, indicator.decimals)


# ---------------------------------------------------------------------- the workbook


def build_workbook(template: Template, now: datetime | None = None) -> Workbook:
    book = Workbook()
    book.remove(book.active)
    for sheet in template.sheets:
        _sheet(book.create_sheet(sheet.title), template, sheet)
    _metadata(book.create_sheet(META_SHEET), template, now or datetime.now(UTC))
    book.active = 0
    book.security = WorkbookProtection(lockStructure=True)
    return book


def workbook_bytes(template: Template, now: datetime | None = None) -> bytes:
    buffer = io.BytesIO()
    build_workbook(template, now).save(buffer)
    return buffer.getvalue()


def _font(bold: bool = False, size: int = 12) -> Font:
    return Font(name=_FONT, size=size, bold=bold)


def _sheet(ws: Worksheet, template: Template, sheet: TemplateSheet) -> None:
    _title_rows(ws, template, sheet)
    for col, (name, width) in enumerate(zip(COLUMNS, WIDTHS, strict=True), start=1):
        cell = write_cell(ws, HEADER_ROW, col, name)
        cell.font, cell.fill, cell.border = _font(bold=True), _HEAD, _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(col)].width = width
    yesno = DataValidation(type="list", formula1=f'"{YES},{NO}"', allow_blank=True,
                           showErrorMessage=True, errorTitle="Giá trị không hợp lệ",
                           error=f"Chọn {YES} hoặc {NO}.", promptTitle="Đạt / Chưa đạt",
                           prompt=f"Chọn {YES} hoặc {NO} trong danh sách.",
                           showInputMessage=True)
    ws.add_data_validation(yesno)
    for index, row in enumerate(sheet.rows):
        _data_row(ws, FIRST_ROW + index, index + 1, row, yesno)
    last = FIRST_ROW + len(sheet.rows) - 1
    if sheet.rows:
        _whole_numbers(ws, last)
    ws.freeze_panes = ws.cell(FIRST_ROW, 1)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.protection.sheet = True
    ws.protection.formatColumns = ws.protection.formatRows = False  # widths may change


def _title_rows(ws: Worksheet, template: Template, sheet: TemplateSheet) -> None:
    lines = [
        (f"Đơn vị: {unit_title(sheet.unit)} ({sheet.unit.code})", True),
        (f"Kỳ báo cáo: {template.period.label('vi')}", True),
        (f"Biểu: {template.dataset.name}", True),
        (f"Loại số liệu: {VINTAGE_NAMES[template.vintage]}. Chỉ nhập vào các cột Giá trị, "
         "Nguồn, Ghi chú; số viết theo kiểu Việt Nam (1.234,5).", False),
    ]
    for row, (text, bold) in enumerate(lines, start=1):
        cell = write_cell(ws, row, 1, text)
        cell.font = _font(bold=bold, size=14 if row == 1 else 12)
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(COLUMNS))


def _data_row(ws: Worksheet, r: int, number: int, row: TemplateRow,
              yesno: DataValidation) -> None:
    indicator = row.indicator
    values: list[object] = [number, indicator.code, indicator.name, indicator.unit or "",
                            None, row.source or "", row.note or ""]
    if row.value is not None:
        values[VALUE_COL - 1] = yesno_text(row.value) if indicator.type is ValueType.YESNO \
            and row.value in (0, 1) else row.value
    for col, value in enumerate(values, start=1):
        cell = write_cell(ws, r, col, value if value != "" else None)
        cell.font, cell.border = _font(), _BORDER
        cell.alignment = Alignment(vertical="top", wrap_text=col in (NAME_COL, SOURCE_COL,
                                                                    NOTE_COL))
        if col >= VALUE_COL:
            cell.protection = Protection(locked=False)
            cell.fill = _INPUT
    ws.row_dimensions[r].height = _height(values)
    value_cell = ws.cell(r, VALUE_COL)
    if indicator.type is ValueType.YESNO:
        yesno.add(value_cell)
        value_cell.alignment = Alignment(horizontal="center", vertical="top")
    else:
        value_cell.number_format = number_format(indicator)
        ws.add_data_validation(_number_rule(indicator, value_cell.coordinate))


def _height(values: Sequence[object]) -> float:
    """Room for the wrapped lines of the longest cell (Excel does not size rows on open)."""
    lines = max(math.ceil(len(str(v or "")) / (WIDTHS[col - 1] * 1.05))
                for col, v in enumerate(values, start=1) if col in (NAME_COL, SOURCE_COL))
    return 16.5 * max(1, lines)


def _number_rule(indicator: Indicator, cell: str) -> DataValidation:
    """Excel refuses text, and a number outside the indicator's range
    (:func:`~tieuchi.domain.ruleset.value_range`), in a number cell as it is typed, with a
    Vietnamese message."""
    low, high = value_range(indicator)
    kind = "whole" if indicator.type is ValueType.COUNT else "decimal"
    bounds = (f"{-MAGNITUDE if low is None else low:g}", f"{MAGNITUDE if high is None else high:g}")
    what = "một số nguyên" if kind == "whole" else "một số"
    if low is not None and high is not None:
        what += f" từ {number(low, 'vi', 6)} đến {number(high, 'vi', 6)}"
    elif low is not None:
        what += f" từ {number(low, 'vi', 6)} trở lên"
    rule = DataValidation(type=kind, operator="between", formula1=bounds[0],
                          formula2=bounds[1], allow_blank=True, showErrorMessage=True,
                          errorTitle="Giá trị không hợp lệ",
                          error=f"Nhập {what}; dấu phẩy trước phần thập phân (1.234,5), "
                                "không ghi đơn vị tính.")
    rule.add(cell)
    return rule


def _whole_numbers(ws: Worksheet, last: int) -> None:
    """Whole numbers without a trailing decimal separator ("14", not "14," as Excel shows
    ``#,##0.##``)."""
    area = f"{get_column_letter(VALUE_COL)}{FIRST_ROW}:{get_column_letter(VALUE_COL)}{last}"
    first = f"{get_column_letter(VALUE_COL)}{FIRST_ROW}"
    style = DifferentialStyle(numFmt=NumberFormat(numFmtId=165,
                                                  formatCode=VIETNAMESE + "#,##0"))
    rule = Rule(type="expression", dxf=style,
                formula=[f"AND(ISNUMBER({first}),MOD({first},1)=0)"])
    ws.conditional_formatting.add(area, rule)


def _metadata(ws: Worksheet, template: Template, now: datetime) -> None:
    rows: list[Sequence[object]] = [
        ["tieuchi", "Trang thông tin của mẫu nhập số liệu: không sửa, không xóa."],
        ["template_version", TEMPLATE_VERSION],
        ["dataset", template.dataset.code],
        ["period", template.period.code],
        ["vintage", template.vintage],
        ["generated_at", now.astimezone(UTC).isoformat(timespec="seconds")],
        [],
        list(META_COLUMNS),
    ]
    for sheet in template.sheets:
        rows.append([sheet.title, None, sheet.unit.code])
        rows += [[sheet.title, FIRST_ROW + index, sheet.unit.code, row.indicator.code,
                  row.value, row.vintage, row.source, row.note]
                 for index, row in enumerate(sheet.rows)]
    for line, values in enumerate(rows, start=1):
        write_row(ws, line, values)
    ws.sheet_state = "hidden"
    ws.protection.sheet = True
