"""Reading a filled-in Excel template back: every cell checked, then a :class:`Plan`.

The hidden sheet ``_tieuchi`` says which data set, period and vintage the workbook is for, the
unit of each sheet and the figures the template was made with. Only the cells that differ from
those are changes: a value typed in, changed or cleared (clearing deletes the figure the
template showed), or a source changed. Every cell of every sheet is read and every problem is
reported at its cell (``'Xã A'!E9``); one problem anywhere and the file imports nothing.
"""

from __future__ import annotations

import io
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import polars as pl
from openpyxl import Workbook, load_workbook  # type: ignore[import-untyped]
from openpyxl.cell.read_only import EMPTY_CELL  # type: ignore[import-untyped]
from openpyxl.utils import (  # type: ignore[import-untyped]
    get_column_letter,
    quote_sheetname,
)
from openpyxl.utils.cell import range_boundaries  # type: ignore[import-untyped]
from openpyxl.utils.exceptions import InvalidFileException  # type: ignore[import-untyped]

from tieuchi.domain.datasets import DataSet
from tieuchi.domain.indicators import Indicator
from tieuchi.domain.periods import Period, PeriodError
from tieuchi.domain.problems import Problem, ProblemError, Severity, suggest
from tieuchi.io.excel_template import (
    CODE_COL,
    COLUMNS,
    FIRST_ROW,
    HEADER_ROW,
    MEASURE_COL,
    META_COLUMNS,
    META_SHEET,
    NAME_COL,
    NOTE_COL,
    SOURCE_COL,
    TEMPLATE_VERSION,
    VALUE_COL,
    VINTAGE_NAMES,
)
from tieuchi.io.figures import best, datasets_by_level
from tieuchi.io.plan import Plan, check
from tieuchi.io.values import clean, goi_y, read_value, same_text
from tieuchi.io.xlsx_guard import Limits, inspect, not_a_workbook
from tieuchi.reports.formatting import number
from tieuchi.store import Store

__all__ = ["read_workbook", "refresh", "MAX_BYTES", "MAX_ROWS", "LIMITS", "Metadata",
           "cell_place"]

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000  # data rows read per sheet
MAX_META_ROWS = 200_000  # rows of the hidden sheet: a row per sheet and figure of the template
LIMITS = Limits(rows=MAX_ROWS, first_row=FIRST_ROW, rows_of={META_SHEET: MAX_META_ROWS})
"""What a workbook may hold at most; checked before its sheets are parsed
(:mod:`tieuchi.io.xlsx_guard`)."""
# SyntaxError: the XML parsers' ParseError (stdlib and lxml) derive from it
_UNREADABLE = (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError,
               OSError, IndexError, AttributeError, SyntaxError)


def cell_place(sheet: str, row: int, column: int) -> str:
    """``'Xã A'!E9``: what Excel's Name Box jumps to."""
    return f"{quote_sheetname(sheet)}!{get_column_letter(column)}{row}"


@dataclass(frozen=True)
class Prefill:
    value: float | None
    vintage: str | None
    source: str | None
    note: str | None = None


@dataclass(frozen=True)
class Metadata:
    """What the hidden sheet says the workbook is."""

    dataset: DataSet
    period: Period
    vintage: str
    sheets: dict[str, str]  # sheet title (NFC) → unit code
    prefill: dict[tuple[str, str], Prefill]  # (unit, indicator) → the figure in the template


@dataclass(frozen=True)
class Reading:
    """One data row of a sheet, read and checked."""

    place: str  # the value cell
    unit: str
    indicator: str
    value: float | None
    source: str | None
    note: str | None


@dataclass
class _Found:
    """The problems found so far."""

    file: str
    problems: list[Problem] = field(default_factory=list)

    def add(self, place: str, code: str, en: str, vi: str) -> None:
        self.problems.append(Problem.located(place, code, en, vi))

    def stop(self) -> None:
        if self.problems:
            raise ProblemError(self.problems)


def read_workbook(store: Store, data: bytes | Path, *, name: str | None = None,
                  allow: Callable[[list[str]], None] | None = None) -> Plan:
    """The changes a filled-in template makes; raises :class:`ProblemError` listing every
    problem of every cell (and every figure the store would refuse) when there is one.

    ``allow`` is given the units of the workbook as soon as they are known, before any cell
    is compared with the store: the web checks the user's scope with it (and raises)."""
    file = name or (data.name if isinstance(data, Path) else "workbook.xlsx")
    found = _Found(file)
    book = _open(data, found)
    try:
        meta = _metadata(store, book, found)
        if allow is not None:
            allow(sorted(set(meta.sheets.values())))
        catalogue = {i.code: i for i in store.units.indicators()}
        readings: list[Reading] = []
        for title in _sheets(book, meta, found):
            readings += _read_sheet(book, title, meta, catalogue, found)
    finally:
        book.close()
    found.stop()
    plan = _plan(store, meta, readings, file)
    found.problems += check(store, plan)
    found.stop()
    return plan


# ---------------------------------------------------------------------- the file


class _Book:
    """The workbook, checked by :func:`~tieuchi.io.xlsx_guard.inspect` and then read in
    openpyxl's read-only (streaming) mode, one sheet at a time; the values Excel computed for
    formulas are read only for a sheet that has formulas."""

    def __init__(self, raw: bytes, found: _Found) -> None:
        self.raw, self.found = raw, found
        self.sheets = inspect(raw, found.file, LIMITS)
        self.formulas = self._load(values=False)
        self._values: Workbook | None = None

    @property
    def sheetnames(self) -> list[str]:
        return list(self.formulas.sheetnames)

    def _load(self, values: bool) -> Workbook:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # extensions openpyxl does not read
            return load_workbook(io.BytesIO(self.raw), read_only=True, data_only=values)

    def rows(self, title: str, columns: int) -> list[tuple[Any, ...]]:
        """The cells of ``columns`` columns of each row, from the first; reading stops past
        the sheet's row limit (the guard counted the rows already: this is the second
        line)."""
        return self._rows(self.formulas, title, columns)

    def computed(self, title: str, columns: int) -> list[tuple[Any, ...]]:
        """The same cells with the values Excel saved for their formulas."""
        if self._values is None:
            try:
                self._values = self._load(values=True)
            except _UNREADABLE:
                raise not_a_workbook(self.found.file) from None
        return self._rows(self._values, title, columns)

    def _rows(self, book: Workbook, title: str, columns: int) -> list[tuple[Any, ...]]:
        """The sheet's rows as openpyxl parses them, lazily (read-only mode): a part that
        cannot be parsed is found here, and only here is it "not a workbook"."""
        limit = LIMITS.last_row(title)
        rows: list[tuple[Any, ...]] = []
        try:
            ws = book[title]
            ws.reset_dimensions()  # read to the last row, whatever <dimension> says
            for row in ws.iter_rows(max_col=columns):
                rows.append(row)
                if len(rows) > limit:
                    raise LIMITS.too_many_rows(title)
        except _UNREADABLE:
            raise not_a_workbook(self.found.file) from None
        return rows

    def close(self) -> None:
        for book in (self.formulas, self._values):
            if book is not None:
                book.close()


def _open(data: bytes | Path, found: _Found) -> _Book:
    """The workbook, once its size and structure are within the limits."""
    size = data.stat().st_size if isinstance(data, Path) else len(data)
    if size > MAX_BYTES:
        found.add(found.file, "too-large", f"the file is larger than {MAX_BYTES // 2**20} MB",
                  f"tệp lớn hơn {MAX_BYTES // 2**20} MB")
        found.stop()
    raw = data.read_bytes() if isinstance(data, Path) else data
    try:
        return _Book(raw, found)
    except _UNREADABLE:
        raise not_a_workbook(found.file) from None


def _cells(rows: list[tuple[Any, ...]], row: int, col: int) -> Any:
    """The cell at ``row`` and ``col`` (from 1) of rows read, or an empty cell."""
    if row <= len(rows) and col <= len(rows[row - 1]):
        return rows[row - 1][col - 1]
    return EMPTY_CELL


# ---------------------------------------------------------------------- metadata


def _metadata(store: Store, book: _Book, found: _Found) -> Metadata:
    if META_SHEET not in book.sheetnames:
        found.add(found.file, "missing-metadata",
                  "the workbook is not an entry template made by this application (it has "
                  "no information sheet); download a new template and copy the figures into "
                  "it",
                  "tệp không phải mẫu nhập số liệu do phần mềm tạo (không có trang thông "
                  "tin của mẫu); tải mẫu mới rồi chép số liệu vào")
        found.stop()
    rows = [tuple(c.value for c in row) for row in book.rows(META_SHEET, len(META_COLUMNS))]
    keys, table_start = _meta_keys(rows)
    period = _meta_period(keys, found)
    vintage = _meta_vintage(keys, found)
    _meta_version(keys, found)
    sheets, prefill = _meta_table(rows, table_start, found)
    dataset = _meta_dataset(store, keys, sheets, found)
    found.stop()
    assert period is not None and dataset is not None
    return Metadata(dataset, period, vintage, sheets, prefill)


def _meta_keys(rows: list[tuple[Any, ...]]) -> tuple[dict[str, tuple[object, int]], int]:
    """key → (value, row) of the rows above the table, and the table's header row."""
    keys: dict[str, tuple[object, int]] = {}
    row = 1
    while row <= len(rows) and clean(_cell_value(rows, row, 1)) != META_COLUMNS[0]:
        key = clean(_cell_value(rows, row, 1))
        if key:
            keys[key] = (_cell_value(rows, row, 2), row)
        row += 1
    return keys, row


def _cell_value(rows: list[tuple[Any, ...]], row: int, col: int) -> Any:
    values = rows[row - 1]
    return values[col - 1] if col <= len(values) else None


def _meta_place(keys: dict[str, tuple[object, int]], key: str) -> str:
    row = keys[key][1] if key in keys else 1
    return f"{META_SHEET}!B{row}"


def _missing(found: _Found, place: str, key: str) -> None:
    found.add(place, "bad-metadata", f"the template's {key} is missing; download a new "
              "template", f"mẫu thiếu thông tin '{key}'; tải mẫu mới")


def _meta_period(keys: dict[str, tuple[object, int]], found: _Found) -> Period | None:
    text = clean(keys.get("period", (None, 0))[0])
    place = _meta_place(keys, "period")
    if not text:
        _missing(found, place, "period")
        return None
    try:
        return Period.parse(text)
    except PeriodError as error:
        found.add(place, "bad-metadata", str(error), f"'{text}' không phải kỳ báo cáo hợp lệ")
        return None


def _meta_vintage(keys: dict[str, tuple[object, int]], found: _Found) -> str:
    text = clean(keys.get("vintage", ("official", 0))[0]) or "official"
    if text not in VINTAGE_NAMES:
        found.add(_meta_place(keys, "vintage"), "bad-metadata",
                  f"'{text}' is not plan, estimate, preliminary or official",
                  f"'{text}' không phải loại số liệu hợp lệ")
    return text


def _meta_version(keys: dict[str, tuple[object, int]], found: _Found) -> None:
    raw = keys.get("template_version", (None, 0))[0]
    place = _meta_place(keys, "template_version")
    if not isinstance(raw, int | float) or raw != int(raw) or raw < 1:
        _missing(found, place, "template_version")
    elif raw > TEMPLATE_VERSION:
        found.add(place, "bad-metadata", f"the template is version {int(raw)}, newer than "
                  f"this tieuchi reads ({TEMPLATE_VERSION}); update tieuchi",
                  f"mẫu phiên bản {int(raw)} mới hơn phiên bản phần mềm đọc được "
                  f"({TEMPLATE_VERSION}); cập nhật tieuchi")


def _meta_table(rows: list[tuple[Any, ...]], header: int, found: _Found,
                ) -> tuple[dict[str, str], dict[tuple[str, str], Prefill]]:
    sheets: dict[str, str] = {}
    prefill: dict[tuple[str, str], Prefill] = {}
    for row in range(header + 1, len(rows) + 1):
        title, _, unit, indicator, value, vintage, source, note = (
            _cell_value(rows, row, col) for col in range(1, len(META_COLUMNS) + 1))
        if not clean(title) or not clean(unit):
            continue
        sheets[clean(title)] = clean(unit)
        if clean(indicator):
            number = float(value) if isinstance(value, int | float) else None
            prefill[(clean(unit), clean(indicator))] = Prefill(
                number, clean(vintage) or None, clean(source) or None, clean(note) or None)
    if not sheets:
        found.add(f"{META_SHEET}!A{header}", "bad-metadata", "the template lists no sheet; "
                  "download a new template", "mẫu không ghi trang nào; tải mẫu mới")
    return sheets, prefill


def _meta_dataset(store: Store, keys: dict[str, tuple[object, int]], sheets: dict[str, str],
                  found: _Found) -> DataSet | None:
    code = clean(keys.get("dataset", (None, 0))[0])
    place = _meta_place(keys, "dataset")
    if not code:
        _missing(found, place, "dataset")
        return None
    units = {u.code: u for u in store.units.under(None)}
    for missing in sorted(set(sheets.values()) - set(units)):
        found.add(place, "unknown-unit", f"the template is for unit '{missing}', which does "
                  "not exist", f"mẫu dành cho đơn vị '{missing}' không có trong danh mục")
    chosen = [units[u] for u in dict.fromkeys(sheets.values()) if u in units]
    dataset: DataSet | None = None
    for unit in chosen:
        reported = {d.code: d for d in datasets_by_level(store, [unit])[unit.level]}
        if code not in reported:
            found.add(place, "bad-metadata", f"unit {unit.code} does not report the data set "
                      f"'{code}'", f"đơn vị {unit.code} không báo cáo biểu '{code}'")
        dataset = dataset or reported.get(code)
    return dataset


# ---------------------------------------------------------------------- sheets


def _sheets(book: _Book, meta: Metadata, found: _Found) -> Iterator[str]:
    """The titles of the data sheets; a sheet the template did not make, or one it made
    that is missing, is a problem."""
    present = {clean(t): t for t in book.sheetnames if t != META_SHEET}
    for key, title in present.items():
        if key not in meta.sheets:
            found.add(quote_sheetname(title), "wrong-sheet",
                      f"the sheet '{title}' is not one of the template ("
                      f"{', '.join(meta.sheets)}); enter figures on the template's sheets "
                      "only", f"trang '{title}' không thuộc mẫu (các trang của mẫu: "
                      f"{', '.join(meta.sheets)}); chỉ nhập số liệu vào các trang của mẫu")
    for key in meta.sheets:
        if key not in present:
            found.add(found.file, "wrong-sheet", f"the sheet '{key}' of the template is "
                      "missing; download a new template",
                      f"thiếu trang '{key}' của mẫu; tải mẫu mới")
    for key, title in present.items():
        if key in meta.sheets:
            yield title


def _read_sheet(book: _Book, title: str, meta: Metadata, catalogue: dict[str, Indicator],
                found: _Found) -> list[Reading]:
    unit = meta.sheets[clean(title)]
    rows = book.rows(title, len(COLUMNS))
    if not _header_ok(title, rows, found):
        return []
    _merged(title, book.sheets[title].merged if title in book.sheets else (), found)
    computed: list[list[tuple[Any, ...]]] = []

    def cached() -> list[tuple[Any, ...]]:
        if not computed:
            computed.append(book.computed(title, len(COLUMNS)))
        return computed[0]

    readings = []
    seen: dict[str, int] = {}
    for row in range(FIRST_ROW, len(rows) + 1):
        cells = [_cell(title, rows, row, col, cached, found)
                 for col in range(1, len(COLUMNS) + 1)]
        reading = _read_row(title, row, cells, unit, meta, catalogue, seen, found)
        if reading is not None:
            readings.append(reading)
    return readings


def _header_ok(title: str, rows: list[tuple[Any, ...]], found: _Found) -> bool:
    for col, name in enumerate(COLUMNS, start=1):
        given = _cells(rows, HEADER_ROW, col).value
        if not same_text(given, name):
            found.add(cell_place(title, HEADER_ROW, col), "wrong-header",
                      f"the header '{clean(given)}' should be '{name}'; the columns of the "
                      "template cannot be moved or renamed",
                      f"tiêu đề cột '{clean(given)}' phải là '{name}'; không được đổi tên hay "
                      "di chuyển các cột của mẫu")
            return False
    return True


def _merged(title: str, ranges: Iterable[str], found: _Found) -> None:
    for coord in ranges:
        try:
            max_row = range_boundaries(coord)[3]
        except (ValueError, TypeError):
            continue
        if max_row is not None and max_row >= HEADER_ROW:
            found.add(f"{quote_sheetname(title)}!{coord}", "merged-cells",
                      f"cells {coord} are merged inside the table; unmerge them "
                      "(one value per cell)",
                      f"các ô {coord} bị gộp trong bảng số liệu; bỏ gộp ô (mỗi ô "
                      "một giá trị)")


def _cell(title: str, rows: list[tuple[Any, ...]], row: int, col: int,
          cached: Callable[[], list[tuple[Any, ...]]], found: _Found) -> Any:
    cell = _cells(rows, row, col)
    if cell.data_type != "f":
        return cell.value
    value = _cells(cached(), row, col).value
    if value is None:
        found.add(cell_place(title, row, col), "formula-not-computed",
                  "the formula has no computed value (the file was not saved by Excel); "
                  "open it in Excel or LibreOffice, save it, or type the value",
                  "công thức chưa có kết quả (tệp chưa được lưu bằng Excel); mở tệp bằng "
                  "Excel hoặc LibreOffice rồi lưu lại, hoặc nhập thẳng giá trị")
    return value


def _read_row(title: str, row: int, cells: list[Any], unit: str, meta: Metadata,
              catalogue: dict[str, Indicator], seen: dict[str, int],
              found: _Found) -> Reading | None:
    def at(col: int) -> str:
        return cell_place(title, row, col)

    code, name = clean(cells[CODE_COL - 1]), clean(cells[NAME_COL - 1])
    given = [cells[c - 1] for c in (VALUE_COL, SOURCE_COL, NOTE_COL)]
    if not code and not name and not any(clean(v) for v in given):
        return None
    indicator = _indicator(code, name, at, meta.dataset, catalogue, found)
    if indicator is None:
        return None
    if indicator.code in seen:
        found.add(at(CODE_COL), "duplicate-row",
                  f"{indicator.code} is given twice (rows {seen[indicator.code]} and {row}); "
                  "keep one row", f"chỉ tiêu {indicator.code} có hai dòng ({seen[indicator.code]}"
                  f" và {row}); giữ lại một dòng")
        return None
    seen[indicator.code] = row
    measure = cells[MEASURE_COL - 1]
    if not same_text(measure, indicator.unit or ""):
        found.add(at(MEASURE_COL), "unit-of-measure",
                  f"the unit of measure '{clean(measure)}' is not the indicator's "
                  f"'{indicator.unit or ''}'; give the value in {indicator.unit or 'no unit'} "
                  "and leave the column as it was",
                  f"đơn vị tính '{clean(measure)}' khác đơn vị của chỉ tiêu "
                  f"'{indicator.unit or ''}'; ghi giá trị theo đơn vị của chỉ tiêu và giữ "
                  "nguyên cột Đơn vị tính")
    try:
        value = read_value(cells[VALUE_COL - 1], indicator)
    except ProblemError as error:
        found.problems += [replace(p, at=at(VALUE_COL)) for p in error.problems]
        return None
    return Reading(at(VALUE_COL), unit, indicator.code, value,
                   clean(cells[SOURCE_COL - 1]) or None, clean(cells[NOTE_COL - 1]) or None)


def _indicator(code: str, name: str, at: Callable[[int], str], ds: DataSet,
               catalogue: dict[str, Indicator], found: _Found) -> Indicator | None:
    """The row's indicator: by its code, else by its name; the name, when both are given,
    must be the code's (NFC and case aside)."""
    if not code:
        named = [catalogue[c] for c in ds.indicators
                 if c in catalogue and same_text(catalogue[c].name, name)]
        if named:
            return named[0]
        found.add(at(CODE_COL), "missing-indicator",
                  "the row has figures but no indicator code; write the code of one of the "
                  "data set's indicators", "dòng có số liệu nhưng không có mã chỉ tiêu; ghi mã "
                  "một chỉ tiêu của biểu")
        return None
    indicator = catalogue.get(code)
    if indicator is None:
        found.add(at(CODE_COL), "unknown-indicator",
                  f"indicator '{code}' does not exist{suggest(code, ds.indicators)}",
                  f"mã chỉ tiêu '{code}' không có trong danh mục{goi_y(code, ds.indicators)}")
        return None
    if code not in ds.indicators:
        found.add(at(CODE_COL), "not-in-dataset",
                  f"indicator '{code}' is not part of the data set '{ds.code}'; import it "
                  "with the template of its data set",
                  f"chỉ tiêu '{code}' không thuộc biểu \"{ds.name}\"; nhập bằng mẫu của biểu "
                  "có chỉ tiêu này")
        return None
    if name and not same_text(name, indicator.name):
        found.add(at(NAME_COL), "name-mismatch",
                  f"the name '{name}' is not that of {code} ('{indicator.name}'); rows may "
                  "have been moved: check the row, keep code and name together",
                  f"tên '{name}' không phải tên của chỉ tiêu {code} (\"{indicator.name}\"); "
                  "có thể các dòng đã bị xáo trộn: kiểm tra lại dòng này")
        return None
    return indicator


# ---------------------------------------------------------------------- the plan


def _plan(store: Store, meta: Metadata, readings: list[Reading], file: str) -> Plan:
    period = meta.period.code
    now = store.figures.held(sorted(set(meta.sheets.values())), [period])
    exact = {(r["unit"], r["indicator"], r["vintage"]): r for r in now.iter_rows(named=True)}
    shown = {(r["unit"], r["indicator"]): r for r in best(now).iter_rows(named=True)}
    rows: list[dict[str, Any]] = []
    warned: list[Problem] = []
    for reading in readings:
        key = (reading.unit, reading.indicator)
        before = meta.prefill.get(key, Prefill(None, None, None))
        change = _change(reading, before, meta.vintage, exact, shown.get(key), period)
        if change is None:
            continue
        rows.append(change)
        current = shown.get(key)
        if (current["value"] if current else None) != before.value:
            warned.append(_changed_since(reading, before, current))
    return Plan.of(file, rows, warned)


def _change(reading: Reading, before: Prefill, vintage: str,
            exact: dict[tuple[str, str, str], dict[str, Any]], current: dict[str, Any] | None,
            period: str) -> dict[str, Any] | None:
    """The change a row makes, or None when its cells are as the template had them (a
    source cleared is kept: the store keeps a figure's source; a note cleared is taken away
    from the figure, a note written is kept with it)."""
    value, source = reading.value, reading.source
    note = reading.note if reading.note != before.note else None
    if note is None and before.note and not reading.note:
        note = ""  # the note the template showed was cleared
    same_value = value == before.value
    if same_value and (source is None or source == before.source) and note is None:
        return None
    base = {"place": reading.place, "unit": reading.unit, "indicator": reading.indicator,
            "period": period, "note": note}
    if value is None:  # cleared: delete the figure the template showed
        held_now = exact.get((reading.unit, reading.indicator, before.vintage or ""))
        if held_now is None:
            return None
        return base | {"vintage": before.vintage, "value": None, "source": None,
                       "old": held_now["value"], "old_vintage": before.vintage,
                       "old_source": held_now["source"]}
    # a new value is a figure of the template's vintage; a new source alone corrects the
    # source of the figure the template showed
    chosen = before.vintage if same_value and before.vintage else vintage
    target = exact.get((reading.unit, reading.indicator, chosen))
    if target is not None and target["value"] == value and (
            source is None or source == target["source"]) and (
            note is None or (note or None) == target["note"]):
        return None  # the store holds it already
    return base | {"vintage": chosen, "value": value, "source": source,
                   "old": current["value"] if current else None,
                   "old_vintage": current["vintage"] if current else None,
                   "old_source": current["source"] if current else None}


def refresh(store: Store, plan: Plan) -> Plan:
    """The plan with the figures held now as its old values (a preview shown a while ago
    may be out of date); changes whose figure is already held are left out."""
    frame = plan.frame
    if not frame.height:
        return plan
    now = store.figures.held(frame.get_column("unit").unique().to_list(),
                             frame.get_column("period").unique().to_list())
    keys = ["unit", "indicator", "period"]
    shown = best(now).select(*keys, pl.col("value").alias("_old"),
                             pl.col("vintage").alias("_old_vintage"),
                             pl.col("source").alias("_old_source"))
    exact = now.select(*keys, "vintage", pl.col("value").alias("_exact"),
                       pl.col("source").alias("_exact_source"))
    joined = (frame.join(shown, on=keys, how="left", maintain_order="left")
              .join(exact, on=[*keys, "vintage"], how="left", maintain_order="left"))
    deleting = pl.col("value").is_null()
    updated = joined.with_columns(
        pl.when(deleting).then(pl.col("_exact")).otherwise(pl.col("_old")).alias("old"),
        pl.when(deleting).then(pl.when(pl.col("_exact").is_not_null()).then(pl.col("vintage")))
        .otherwise(pl.col("_old_vintage")).alias("old_vintage"),
        pl.when(deleting).then(pl.col("_exact_source")).otherwise(pl.col("_old_source"))
        .alias("old_source"))
    done = (deleting & pl.col("_exact").is_null()) | (
        ~deleting & (pl.col("_exact") == pl.col("value")).fill_null(False)
        & (pl.col("source").is_null() | (pl.col("source") == pl.col("_exact_source"))
           .fill_null(False)))
    return Plan(plan.file, updated.filter(~done).select(plan.frame.columns), plan.warnings)


def _changed_since(reading: Reading, before: Prefill,
                   current: dict[str, Any] | None) -> Problem:
    def shown(value: float | None, lang: str, empty: str) -> str:
        return empty if value is None else number(value, lang, 6)

    now_value = current["value"] if current else None
    then, now = shown(before.value, "en", "none"), shown(now_value, "en", "none")
    then_vi, now_vi = shown(before.value, "vi", "chưa có"), shown(now_value, "vi", "không có")
    who = f" by {current['changed_by']}" if current else ""
    ai = f" (bởi {current['changed_by']})" if current else ""
    return Problem.located(
        reading.place, "changed-since-template",
        f"the figure was {then} when the template was made and is now {now}{who}; importing "
        "replaces it", f"khi tạo mẫu số liệu là {then_vi}, nay là {now_vi}{ai}; nhập tệp sẽ "
        "ghi đè", Severity.WARNING)

