"""CSV files of observations and targets, checked column by column.

A CSV file's name says what it holds: ``observations*.csv`` or ``targets*.csv``. Observations
are checked as whole columns with Polars (bulk files hold millions of rows); each problem
names the file and the line of the row (the header is line 1).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import polars as pl
from pydantic import ValidationError

from tieuchi.definitions.loader import Loaded, Located, display_path, validation_problems
from tieuchi.domain.indicators import ValueType
from tieuchi.domain.periods import Period, PeriodError
from tieuchi.domain.problems import Problem, suggest
from tieuchi.domain.status import Vintage
from tieuchi.domain.targets import Relative, Target

__all__ = ["read_csv", "OBSERVATION_COLUMNS", "TARGET_COLUMNS", "YES_WORDS", "NO_WORDS"]

OBSERVATION_COLUMNS: dict[str, tuple[str, ...]] = {
    "required": ("unit", "indicator", "period", "value"),
    "optional": ("vintage", "source", "recorded_at", "note"),
}
TARGET_COLUMNS: dict[str, tuple[str, ...]] = {
    "required": ("unit", "indicator", "period", "comparator", "value"),
    "optional": ("value_high", "tolerance", "baseline", "basis", "issuer", "document", "code",
                 "name", "group", "note", "percent_decimals", "percent_fixed",
                 "allocation"),
}
YES_WORDS = ("1", "yes", "true", "có", "đạt", "x")
NO_WORDS = ("0", "no", "false", "không", "không đạt", "chưa đạt")
MAX_PER_CHECK = 20  # rows listed per check and file; the rest are counted


def read_csv(loaded: Loaded, file: Path) -> None:
    name = display_path(file)
    stem = file.stem.lower()
    if stem.startswith("observations"):
        kind, columns = "observations", OBSERVATION_COLUMNS
    elif stem.startswith("targets"):
        kind, columns = "targets", TARGET_COLUMNS
    else:
        loaded.error("csv-header", "a CSV file's name starts with 'observations' or 'targets' "
                     "to say what it holds; rename it", name, None)
        return
    try:
        frame = pl.read_csv(file, infer_schema=False, encoding="utf8")
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError, UnicodeDecodeError) as exc:
        loaded.error("csv-value", f"cannot read the file as UTF-8 CSV: {exc}", name, None)
        return
    header = [c.strip() for c in frame.columns]
    frame.columns = header
    known = columns["required"] + columns["optional"]
    bad = False
    for column in columns["required"]:
        if column not in header:
            loaded.error("csv-header", f"column '{column}' is missing; the header needs "
                         f"{', '.join(columns['required'])}", name, 1)
            bad = True
    for column in header:
        if column not in known:
            loaded.error("csv-header", f"unknown column '{column}'{suggest(column, known)} "
                         f"(columns: {', '.join(known)})", name, 1)
            bad = True
    if bad:
        return
    frame = frame.with_columns(
        pl.col(c).str.strip_chars().str.normalize("NFC") for c in header
    ).with_columns(_line_numbers(file, frame.height).alias("line"))
    if kind == "observations":
        _observations(loaded, frame, name)
    else:
        _targets(loaded, frame, name)


def _line_numbers(file: Path, rows: int) -> pl.Series:
    """The line where each row starts (the header is line 1); rows may span lines when a
    quoted cell holds a line break."""
    text = file.read_text(encoding="utf-8")
    if text.count("\n") - text.endswith("\n") == rows:  # one line per row: the fast case
        return pl.Series(range(2, rows + 2), dtype=pl.Int64)
    starts = []
    reader = csv.reader(io.StringIO(text))
    next(reader, None)
    line = reader.line_num + 1
    for _ in reader:
        starts.append(line)
        line = reader.line_num + 1
    return pl.Series(starts[:rows], dtype=pl.Int64)


def _report(loaded: Loaded, rows: pl.DataFrame, code: str, file: str, message: str) -> None:
    """One problem per row of ``rows`` (columns: line + those the message names), capped."""
    for row in rows.head(MAX_PER_CHECK).iter_rows(named=True):
        loaded.error(code, message.format(**row), file, row["line"])
    if rows.height > MAX_PER_CHECK:
        loaded.error(code, f"… and {rows.height - MAX_PER_CHECK} more rows like this", file,
                     None)


def _observations(loaded: Loaded, frame: pl.DataFrame, file: str) -> None:
    units = {u.code for u in loaded.items("units")}
    indicators = {i.code: i for i in loaded.items("indicators")}
    if "vintage" not in frame.columns:
        frame = frame.with_columns(pl.lit(Vintage.OFFICIAL.value).alias("vintage"))
    frame = frame.with_columns(pl.col("vintage").fill_null(Vintage.OFFICIAL.value))
    errors_before = len(loaded.problems)
    for column in OBSERVATION_COLUMNS["required"]:
        _report(loaded, frame.filter(pl.col(column).is_null()), "csv-value", file,
                f"the '{column}' cell is empty; every row needs {column}")
    _unknown_codes(loaded, frame, "unit", units, "unknown-unit", file)
    _unknown_codes(loaded, frame, "indicator", indicators, "unknown-indicator", file)
    frame = _bad_periods(loaded, frame, file)
    vintages = [v.value for v in Vintage]
    _report(loaded, frame.filter(~pl.col("vintage").is_in(vintages)), "csv-value", file,
            "vintage '{vintage}' is not one of " + ", ".join(vintages))
    yesno = [code for code, i in indicators.items() if i.type is ValueType.YESNO]
    lowered = pl.col("value").str.to_lowercase()
    value = (
        pl.when(pl.col("indicator").is_in(yesno))
        .then(pl.when(lowered.is_in(YES_WORDS)).then(1.0)
              .when(lowered.is_in(NO_WORDS)).then(0.0))
        .otherwise(pl.col("value").cast(pl.Float64, strict=False))
    )
    frame = frame.with_columns(value.alias("number"))
    unreadable = frame.filter(pl.col("number").is_null() & pl.col("value").is_not_null())
    _report(loaded, unreadable.filter(pl.col("indicator").is_in(yesno)), "yesno-value", file,
            "'{value}' is not a yes/no value for {indicator}; write 1 or 0")
    _report(loaded, unreadable.filter(~pl.col("indicator").is_in(yesno)), "csv-value", file,
            "'{value}' is not a number; write digits with a dot for decimals (1234.5), "
            "no thousands separator")
    revision = ["recorded_at"] if "recorded_at" in frame.columns else []
    duplicated = frame.filter(
        pl.struct("unit", "indicator", "period", "vintage", *revision).is_duplicated()
    )
    _report(loaded, duplicated, "duplicate-observation", file,
            "{unit} {indicator} {period} ({vintage}) is given twice; keep one row")
    if len(loaded.problems) == errors_before:
        loaded.observation_frames.append(
            frame.select("unit", "indicator", "period", "vintage",
                         pl.col("number").alias("value"),
                         _optional(frame, "source"), _optional(frame, "recorded_at"),
                         _optional(frame, "note"), pl.lit(file).alias("file"), "line")
        )


def _optional(frame: pl.DataFrame, column: str) -> pl.Expr:
    return pl.col(column) if column in frame.columns else pl.lit(None, pl.String).alias(column)


def _unknown_codes(
    loaded: Loaded, frame: pl.DataFrame, column: str, known: object, code: str, file: str
) -> None:
    codes = list(known)  # type: ignore[call-overload]
    # Defined but invalid, or written in a file that cannot be parsed: not unknown.
    broken = loaded.invalid_codes.get(f"{column}s", set()) | loaded.unreadable_codes
    rows = frame.filter(pl.col(column).is_not_null()
                        & ~pl.col(column).is_in(codes + sorted(broken)))
    hints = {c: suggest(c, codes) for c in rows.get_column(column).unique().to_list()}
    rows = rows.with_columns(pl.col(column).replace_strict(hints, default="").alias("hint"))
    _report(loaded, rows, code, file, f"{column} '{{{column}}}' is not defined{{hint}}")


def _bad_periods(loaded: Loaded, frame: pl.DataFrame, file: str) -> pl.DataFrame:
    """Report unreadable periods; return the frame with periods in their standard form
    (``2023-h1`` → ``2023-H1``)."""
    bad: dict[str, str] = {}
    codes: dict[str, str] = {}
    for code in frame.get_column("period").drop_nulls().unique().to_list():
        try:
            codes[code] = Period.parse(code).code
        except PeriodError as exc:
            bad[code] = str(exc)
    rows = frame.filter(pl.col("period").is_in(list(bad))).with_columns(
        pl.col("period").replace_strict(bad, default="").alias("why")
    )
    _report(loaded, rows, "csv-value", file, "{why}")
    return frame.with_columns(pl.col("period").replace(codes))


def _targets(loaded: Loaded, frame: pl.DataFrame, file: str) -> None:
    kinds = ["at_least", "at_most", "equal", "within", "yes"] + [
        r.value for r in Relative
    ]
    for row in frame.iter_rows(named=True):
        line = row.pop("line")
        data = {k: v for k, v in row.items() if v not in (None, "")}
        group = data.pop("group", None)
        comparator = data.pop("comparator", None)
        value = data.pop("value", None)
        high = data.pop("value_high", None)
        if comparator not in kinds:
            loaded.error("invalid-value", f"comparator '{comparator}' is not one of "
                         f"{', '.join(kinds)}{suggest(str(comparator), kinds)}", file, line)
            continue
        if comparator == "within":
            data["within"] = [value, high]
        elif comparator == "yes":
            data["yes"] = True
        else:
            data[comparator] = value
        try:
            target = Target.model_validate(data)
        except ValidationError as exc:
            for problem in validation_problems(exc, Target, None, file, line):
                loaded.problems.append(Problem(problem.code, problem.message, file=file,
                                               line=line))
            continue
        loaded.csv_targets.append((Located(target, file, line, None), group))
