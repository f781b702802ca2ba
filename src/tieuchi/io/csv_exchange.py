"""Figures and targets as CSV files, with the columns of the definition files. Observations:
``unit,indicator,period,value,vintage,source,note`` (``recorded_at`` is read and ignored, as
the loader does; a note or a source left empty keeps the one held). Targets: the columns of
:data:`~tieuchi.domain.bundle.TARGET_SCHEMA`. Numbers are written with a dot for decimals
and no thousands separator; yes/no figures are 1 or 0. Text that starts like a formula
(``=``, ``+``, ``-``, ``@``) or with a single quote is written with a single quote in front,
which the import takes away (:mod:`tieuchi.reports.cells`). An import checks every row
(problems as ``file.csv:7: message``, the header being line 1) and writes all or nothing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from pydantic import ValidationError

from tieuchi.app import Actor, App
from tieuchi.definitions.csv_files import NO_WORDS, YES_WORDS
from tieuchi.domain.bundle import TARGET_SCHEMA, target_frame
from tieuchi.domain.indicators import Indicator, ValueType
from tieuchi.domain.periods import Period, PeriodError
from tieuchi.domain.problems import Problem, ProblemError, suggest
from tieuchi.domain.status import Comparator, Vintage
from tieuchi.domain.targets import Relative, Target
from tieuchi.io.figures import within
from tieuchi.io.plan import Plan, check, from_store_problems, plan_observations
from tieuchi.io.values import goi_y
from tieuchi.reports import cells
from tieuchi.store import Store

__all__ = ["OBSERVATION_CSV", "TARGET_CSV", "observations_frame", "targets_frame",
           "write_csv", "read_csv", "TargetPlan", "TargetChange", "apply_targets", "csv_kind",
           "MAX_PER_CHECK"]

OBSERVATION_CSV = ("unit", "indicator", "period", "value", "vintage", "source", "note")
_OBSERVATION_OPTIONAL = ("vintage", "source", "recorded_at", "note")
TARGET_CSV = tuple(c for c in TARGET_SCHEMA if c not in ("compare", "excess"))  # wording
_TARGET_REQUIRED = ("unit", "indicator", "period")
MAX_PER_CHECK = 20  # rows listed per check; the rest are counted
_NUMBERS = ("value", "value_high", "relative_value", "baseline_value", "tolerance")


# ---------------------------------------------------------------------- export


def _number_text(column: str) -> pl.Expr:
    """A number as the definition files write it: 14, 80.1, 1e-07; empty for none."""
    value = pl.col(column)
    whole = value.is_finite() & (value == value.round(0)) & (value.abs() < 1e15)
    return (pl.when(whole).then(value.cast(pl.Int64).cast(pl.String))
            .otherwise(value.cast(pl.String)).alias(column))


def observations_frame(store: Store, unit: str, period: str | None = None) -> pl.DataFrame:
    """The figures of ``unit`` and the units below it (every vintage), for the periods
    within ``period`` when given, as the CSV columns."""
    codes = [u.code for u in store.units.under(unit)]
    frame = store.figures.held(codes)
    if period is not None:
        frame = within(frame, Period.parse(period))
    return frame.select(*OBSERVATION_CSV).with_columns(_number_text("value"))


def targets_frame(store: Store, unit: str, period: str | None = None) -> pl.DataFrame:
    """The targets of ``unit`` and the units below it (of ``period`` only, when given)."""
    codes = [u.code for u in store.units.under(unit)]
    docs = store.targets.of(codes, Period.parse(period).code if period else None)
    frame = pl.DataFrame(docs, schema=TARGET_SCHEMA).select(TARGET_CSV)
    return frame.with_columns(*(_number_text(c) for c in _NUMBERS))


def write_csv(frame: pl.DataFrame, target: Path | io.BytesIO) -> None:
    """UTF-8 without a byte order mark, "\\n" line ends, quotes only where needed; text that
    starts like a formula gets a single quote in front (:func:`tieuchi.reports.cells.
    write_csv`, which the import reads back)."""
    cells.write_csv(frame, target, numbers=_NUMBERS)


# ---------------------------------------------------------------------- reading


def csv_kind(header: Sequence[str]) -> str:
    """``targets`` when the header has a comparator or a relative column, else
    ``observations``."""
    return "targets" if {"comparator", "relative", "key"} & set(header) else "observations"


def _read(data: bytes, file: str) -> pl.DataFrame:
    try:
        frame = pl.read_csv(io.BytesIO(data), infer_schema=False, encoding="utf8")
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError, UnicodeDecodeError,
            pl.exceptions.ShapeError) as error:
        raise ProblemError([Problem.located(
            file, "unreadable-file", f"cannot read the file as UTF-8 CSV: {error}",
            f"không đọc được tệp CSV (UTF-8): {error}")]) from None
    frame.columns = [c.lstrip("\ufeff").strip() for c in frame.columns]
    lines = _line_numbers(data, frame.height)
    return frame.with_columns(
        *(cells.read_csv_text(pl.col(c).str.strip_chars().str.normalize("NFC")).replace("", None)
          for c in frame.columns), lines.alias("line"))


def _line_numbers(data: bytes, rows: int) -> pl.Series:
    """The line each row starts on (the header is line 1); a quoted cell may hold a line
    break."""
    text = data.decode("utf-8", errors="replace")
    if text.count("\n") - text.endswith("\n") == rows:
        return pl.Series(range(2, rows + 2), dtype=pl.Int64)
    reader = csv.reader(io.StringIO(text))
    next(reader, None)
    starts, line = [], reader.line_num + 1
    for _ in reader:
        starts.append(line)
        line = reader.line_num + 1
    return pl.Series(starts[:rows], dtype=pl.Int64)


@dataclass
class _Rows:
    """Problems found row by row, capped per check."""

    file: str
    problems: list[Problem]

    def report(self, rows: pl.DataFrame, code: str, en: str, vi: str) -> None:
        """One problem per row of ``rows`` (its columns fill the message templates)."""
        for row in rows.head(MAX_PER_CHECK).iter_rows(named=True):
            self.problems.append(Problem.located(f"{self.file}:{row['line']}", code,
                                             en.format(**row), vi.format(**row)))
        if rows.height > MAX_PER_CHECK:
            more = rows.height - MAX_PER_CHECK
            self.problems.append(Problem.located(self.file, code, f"… and {more} more rows like "
                                             "this", f"… và {more} dòng tương tự"))

    def stop(self) -> None:
        if self.problems:
            raise ProblemError(self.problems)


def _header(frame: pl.DataFrame, required: Sequence[str], known: Sequence[str],
            rows: _Rows) -> None:
    header = [c for c in frame.columns if c != "line"]
    for column in required:
        if column not in header:
            rows.problems.append(Problem.located(
                f"{rows.file}:1", "csv-header", f"column '{column}' is missing; the header "
                f"needs {', '.join(required)}", f"thiếu cột '{column}'; dòng tiêu đề cần có "
                f"{', '.join(required)}"))
    for column in header:
        if column not in known:
            rows.problems.append(Problem.located(
                f"{rows.file}:1", "csv-header", f"unknown column '{column}'"
                f"{suggest(column, known)} (columns: {', '.join(known)})",
                f"cột '{column}' không dùng được{goi_y(column, known)} (các cột: "
                f"{', '.join(known)})"))
    rows.stop()


def read_csv(store: Store, data: bytes | Path, *, name: str | None = None,
             ) -> Plan | TargetPlan:
    """The changes a CSV file of observations or of targets makes (which, its header
    says); raises :class:`ProblemError` with every problem, row by row."""
    file = name or (data.name if isinstance(data, Path) else "data.csv")
    raw = data.read_bytes() if isinstance(data, Path) else data
    frame = _read(raw, file)
    if csv_kind(frame.columns) == "targets":
        return _read_targets(store, frame, file)
    return _read_observations(store, frame, file)


# ---------------------------------------------------------------------- observations


def _read_observations(store: Store, frame: pl.DataFrame, file: str) -> Plan:
    rows = _Rows(file, [])
    _header(frame, ("unit", "indicator", "period", "value"),
            ("unit", "indicator", "period", "value", *_OBSERVATION_OPTIONAL), rows)
    for column in ("vintage", "source", "note"):
        if column not in frame.columns:
            frame = frame.with_columns(pl.lit(None, pl.String).alias(column))
    frame = frame.with_columns(pl.col("vintage").fill_null(Vintage.OFFICIAL.value))
    catalogue = {i.code: i for i in store.units.indicators()}
    for column in ("unit", "indicator", "period", "value"):
        rows.report(frame.filter(pl.col(column).is_null()), "csv-value",
                    f"the '{column}' cell is empty; every row needs {column}",
                    f"ô '{column}' để trống; dòng nào cũng cần {column}")
    _unknown(frame, "unit", store.units.known(frame.get_column("unit").drop_nulls()),
             "unknown-unit", rows)
    _unknown(frame, "indicator", set(catalogue), "unknown-indicator", rows)
    frame = _periods(frame, rows)
    vintages = [v.value for v in Vintage]
    rows.report(frame.filter(~pl.col("vintage").is_in(vintages)), "invalid-vintage",
                "vintage '{vintage}' is not one of " + ", ".join(vintages),
                "loại số liệu '{vintage}' phải là một trong " + ", ".join(vintages))
    frame = _numbers(frame, catalogue, rows)
    duplicated = frame.filter(pl.struct("unit", "indicator", "period", "vintage")
                              .is_duplicated())
    rows.report(duplicated, "duplicate-observation",
                "{unit} {indicator} {period} ({vintage}) is given twice; keep one row",
                "{unit} {indicator} {period} ({vintage}) có hai dòng; giữ lại một dòng")
    rows.stop()
    plan = plan_observations(store, frame.sort("line").select(
        pl.format("{}:{}", pl.lit(file), pl.col("line")).alias("place"),
        "unit", "indicator", "period", "vintage", pl.col("number").alias("value"), "source",
        "note"), file)
    rows.problems += check(store, plan)
    rows.stop()
    return plan


def _unknown(frame: pl.DataFrame, column: str, known: set[str], code: str,
             rows: _Rows) -> None:
    bad = frame.filter(pl.col(column).is_not_null() & ~pl.col(column).is_in(sorted(known)))
    if not bad.height:
        return
    hints = {c: suggest(c, known) for c in bad.get_column(column).unique().to_list()}
    hints_vi = {c: goi_y(c, known) for c in hints}
    bad = bad.with_columns(pl.col(column).replace_strict(hints, default="").alias("hint"),
                           pl.col(column).replace_strict(hints_vi, default="").alias("goi_y"))
    what = {"unit": ("unit", "đơn vị"), "indicator": ("indicator", "chỉ tiêu")}[column]
    rows.report(bad, code, f"{what[0]} '{{{column}}}' does not exist{{hint}}",
                f"{what[1]} '{{{column}}}' không có trong danh mục{{goi_y}}")


def _periods(frame: pl.DataFrame, rows: _Rows) -> pl.DataFrame:
    """Report unreadable periods; periods in their standard form (2023-q3 → 2023-Q3)."""
    codes: dict[str, str] = {}
    bad: list[str] = []
    for code in frame.get_column("period").drop_nulls().unique().to_list():
        try:
            codes[code] = Period.parse(code).code
        except PeriodError:
            bad.append(code)
    rows.report(frame.filter(pl.col("period").is_in(bad)), "invalid-period",
                "'{period}' is not a period; write 2023, 2023-H1, 2023-Q3, 2023-05, "
                "2023-YTD09 or 2021-2025",
                "'{period}' không phải kỳ báo cáo hợp lệ (ví dụ 2023, 2023-H1, 2023-Q3, "
                "2023-05, 2023-YTD09, 2021-2025)")
    return frame.with_columns(pl.col("period").replace(codes))


def _numbers(frame: pl.DataFrame, catalogue: dict[str, Indicator],
             rows: _Rows) -> pl.DataFrame:
    yesno = [c for c, i in catalogue.items() if i.type is ValueType.YESNO]
    lowered = pl.col("value").str.to_lowercase()
    number = (pl.when(pl.col("indicator").is_in(yesno))
              .then(pl.when(lowered.is_in(YES_WORDS)).then(1.0)
                    .when(lowered.is_in(NO_WORDS)).then(0.0))
              .otherwise(pl.col("value").cast(pl.Float64, strict=False)))
    frame = frame.with_columns(number.alias("number"))
    unread = frame.filter(pl.col("number").is_null() & pl.col("value").is_not_null())
    rows.report(unread.filter(pl.col("indicator").is_in(yesno)), "yesno-value",
                "'{value}' is not a yes/no value for {indicator}; write 1 or 0",
                "'{value}' không phải giá trị đạt/chưa đạt của {indicator}; ghi 1 hoặc 0")
    rows.report(unread.filter(~pl.col("indicator").is_in(yesno)), "csv-value",
                "'{value}' is not a number; write digits with a dot for decimals (1234.5), "
                "no thousands separator",
                "'{value}' không phải là số; trong tệp CSV viết số với dấu chấm thập phân "
                "(1234.5), không có dấu phân cách hàng nghìn")
    return frame


# ---------------------------------------------------------------------- targets


@dataclass(frozen=True)
class TargetChange:
    place: str
    key: str
    old: dict[str, Any] | None
    new: dict[str, Any]

    @property
    def action(self) -> str:
        return "add" if self.old is None else "change"


@dataclass(frozen=True)
class TargetPlan:
    """The targets a file adds or changes (rows of TARGET_SCHEMA), and every target row it
    gives with its place (``file:line``), for the application's check of the whole file."""

    file: str
    changes: tuple[TargetChange, ...]
    rows: tuple[tuple[str, dict[str, Any]], ...] = ()
    warnings: tuple[Problem, ...] = ()

    @property
    def docs(self) -> list[dict[str, Any]]:
        return [doc for _, doc in self.rows]

    @property
    def places(self) -> list[str]:
        return [place for place, _ in self.rows]

    def __len__(self) -> int:
        return len(self.changes)

    @property
    def units(self) -> list[str]:
        return sorted({c.new["unit"] for c in self.changes})


def _read_targets(store: Store, frame: pl.DataFrame, file: str) -> TargetPlan:
    rows = _Rows(file, [])
    _header(frame, _TARGET_REQUIRED, TARGET_CSV, rows)
    catalogue = {i.code: i for i in store.units.indicators()}
    units = store.units.known(frame.get_column("unit").drop_nulls())
    docs: list[tuple[str, dict[str, Any]]] = []
    for row in frame.iter_rows(named=True):
        place = f"{file}:{row['line']}"
        doc = _target_doc(row, place, units, catalogue, rows)
        if doc is not None:
            docs.append((place, doc))
    rows.stop()
    places = [place for place, _ in docs]
    rows.problems += from_store_problems(store.targets.check([doc for _, doc in docs]),
                                         places, file)
    rows.stop()
    held_now = store.targets.by_key([d["key"] for _, d in docs])
    changes = tuple(TargetChange(place, doc["key"], held_now.get(doc["key"]), doc)
                    for place, doc in docs if held_now.get(doc["key"]) != doc)
    return TargetPlan(file, changes, tuple(docs))


def _target_doc(row: dict[str, Any], place: str, units: set[str],
                catalogue: dict[str, Indicator], rows: _Rows) -> dict[str, Any] | None:
    """A row as a validated target (a row of TARGET_SCHEMA), or None with its problems."""
    def bad(code: str, en: str, vi: str) -> None:
        rows.problems.append(Problem.located(place, code, en, vi))

    empty = [c for c in _TARGET_REQUIRED if not row.get(c)]
    if empty:
        bad("csv-value", f"the {' and '.join(empty)} cell is empty; every target needs a unit,"
            " an indicator and a period", f"ô {', '.join(empty)} để trống; chỉ tiêu nào cũng "
            "cần đơn vị, mã chỉ tiêu và kỳ")
        return None
    if row["unit"] not in units:
        bad("unknown-unit", f"unit '{row['unit']}' does not exist",
            f"đơn vị '{row['unit']}' không có trong danh mục")
        return None
    if row["indicator"] not in catalogue:
        bad("unknown-indicator", f"indicator '{row['indicator']}' does not exist"
            f"{suggest(row['indicator'], catalogue)}", f"chỉ tiêu '{row['indicator']}' không "
            f"có trong danh mục{goi_y(row['indicator'], catalogue)}")
        return None
    numbers: dict[str, float | None] = {}
    for column in _NUMBERS:
        text = row.get(column)
        try:
            numbers[column] = float(text) if text is not None else None
        except ValueError:
            bad("csv-value", f"{column} '{text}' is not a number; write digits with a dot "
                "for decimals (1234.5)", f"{column} '{text}' không phải là số; viết số với "
                "dấu chấm thập phân (1234.5)")
            return None
    try:
        target = Target.model_validate(_target_fields(row, numbers))
    except (ValidationError, ValueError) as error:
        why = "; ".join(str(e["msg"]) for e in error.errors()) \
            if isinstance(error, ValidationError) else str(error)
        bad("invalid-target", f"not a valid target: {why}", f"chỉ tiêu không hợp lệ: {why}")
        return None
    doc: dict[str, Any] = target_frame([target]).to_dicts()[0]
    return doc


def _target_fields(row: dict[str, Any], numbers: dict[str, float | None]) -> dict[str, Any]:
    """The fields of a :class:`Target` from a TARGET_SCHEMA row."""
    fields: dict[str, Any] = {k: row.get(k) for k in (
        "unit", "indicator", "period", "baseline", "basis", "issuer", "document", "name",
        "allocation")}
    fields["baseline_value"] = numbers["baseline_value"]
    fields["tolerance"] = numbers["tolerance"] or 0.0
    key = row.get("key")
    if key and key != f"{row.get('unit')}:{row.get('indicator')}:{fields['period']}":
        fields["code"] = key
    comparator, relative = row.get("comparator"), row.get("relative")
    value = numbers["value"]
    if comparator == Comparator.WITHIN.value:
        fields["within"] = (value, numbers["value_high"])
    elif comparator == Comparator.YES.value:
        fields["yes"] = value is None or value != 0
    elif comparator:
        if comparator not in {c.value for c in Comparator}:
            raise ValueError(f"comparator '{comparator}' is not one of "
                             f"{', '.join(c.value for c in Comparator)}")
        fields[comparator] = value
    if relative:
        if relative not in {r.value for r in Relative}:
            raise ValueError(f"relative '{relative}' is not one of "
                             f"{', '.join(r.value for r in Relative)}")
        fields[relative] = numbers["relative_value"]
    return {k: v for k, v in fields.items() if v is not None}


def apply_targets(app: App, plan: TargetPlan, *, actor: Actor,
                  reason: str | None = None) -> int:
    """Save the targets with the application's command (:meth:`App.set_targets`), in one
    transaction: all or nothing. The command line acts as the system actor."""
    if not len(plan):
        return 0
    return app.set_targets(actor, [c.new for c in plan.changes], reason=reason)
