"""The domain's rules, each written once and used by the loader, the store, the importers
and the API alike.

- a figure's value against its indicator (:func:`figure_problems`): finite; a yes/no figure
  is 1 or 0; a percentage is from 0 to 100; a count is a whole number, 0 or more;
- a period allowed for an indicator (:func:`too_fine`): not finer than its frequency;
- a target's values (:func:`target_problems`): finite numbers; a comparator or a relative
  target, not both; a yes/no target 1 or 0; a range whose upper value is not below its
  lower one; a baseline only with a relative target; a comparator that fits the indicator;
- yes/no truth (:func:`is_yes`, :func:`yes`): a yes/no value counts as yes from 0.5;
- the best vintage (:func:`best_vintage`): the most final vintage, then the latest recorded.

Checks over many rows are column-wise (Polars). Each problem is a row with a stable ``code``,
the ``index`` of the row it belongs to and its ``field``; :data:`~tieuchi.domain.problems.CATALOGUE`
holds the English and Vietnamese template of every code, and :func:`problem_of` makes the
:class:`~tieuchi.domain.problems.Problem` of a problem row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from tieuchi.domain.indicators import Indicator, ValueType
from tieuchi.domain.periods import Period, PeriodError
from tieuchi.domain.problems import Problem, problem
from tieuchi.domain.status import Comparator, Vintage
from tieuchi.domain.targets import Relative

__all__ = [
    "PROBLEM_SCHEMA", "TARGET_NUMBERS", "VINTAGE_RANK", "YES_FROM",
    "best_vintage", "canonical_periods", "figure_problems", "is_yes", "normal_targets",
    "problem_of", "target_problems", "too_fine", "yes",
]

YES_FROM = 0.5
"""A yes/no value counts as yes from this value on (1 is yes, 0 is no)."""

VINTAGE_RANK: dict[str, int] = {v.value: v.rank for v in Vintage}
"""How final each vintage is: a higher rank replaces a lower one."""

TARGET_NUMBERS = ("value", "value_high", "relative_value", "baseline_value", "tolerance")
"""The numeric fields of a target row (``TARGET_SCHEMA``)."""

PROBLEM_SCHEMA: dict[str, Any] = {"index": pl.Int64, "field": pl.String, "code": pl.String}

_KIND_VI = {"month": "tháng", "quarter": "quý", "half": "nửa năm", "ytd": "lũy kế",
            "year": "năm", "multi_year": "giai đoạn nhiều năm"}
_TYPE_VI = {"number": "số", "percent": "tỷ lệ phần trăm", "yesno": "có/không",
            "count": "số lượng"}

_FIX = {
    "yesno": ("its target is 'yes: true' (comparator yes, value 1)",
              "chỉ tiêu có/không giao bằng 'yes: true' (so sánh yes, giá trị 1)"),
    "other": ("'yes' is for yes/no indicators — use at_least, at_most, equal or within",
              "'yes' chỉ dùng cho chỉ tiêu có/không — dùng at_least, at_most, equal hoặc "
              "within"),
}


# ---------------------------------------------------------------------- truth and vintage


def is_yes(value: float) -> bool:
    """Whether a yes/no value counts as yes."""
    return value >= YES_FROM


def yes(value: pl.Expr) -> pl.Expr:
    """:func:`is_yes`, column-wise."""
    return value >= YES_FROM


def best_vintage(frame: pl.DataFrame, key: Sequence[str]) -> pl.DataFrame:
    """One row per ``key``: the most final vintage (``vintage_rank``), then the latest
    recorded (``recorded_at``; a figure without a date comes after a dated one)."""
    order = [c for c in ("vintage_rank", "recorded_at") if c in frame.columns]
    return frame.sort(order, descending=True, nulls_last=True).unique(list(key), keep="first")


# ---------------------------------------------------------------------- messages


def problem_of(row: Mapping[str, Any]) -> Problem:
    """The :class:`~tieuchi.domain.problems.Problem` of a problem row (the checked row's
    columns with the problem's ``code``, ``field`` and ``index``): its message is the
    catalogue's template for the code, filled from the row."""
    return problem(row["code"], row, field=row.get("field"), index=row.get("index"))


# ---------------------------------------------------------------------- periods


def canonical_periods(frame: pl.DataFrame, column: str) -> pl.Expr:
    """The codes of ``column`` in their one written form (:meth:`Period.canonical`), each
    distinct code read once."""
    codes = frame.get_column(column).drop_nulls().unique().to_list()
    return pl.col(column).replace({c: Period.canonical(c) for c in codes})


def too_fine(period: Period, indicator: Indicator) -> bool:
    """Whether ``period`` is finer than ``indicator`` is collected for."""
    return period.kind.granularity < indicator.frequency.granularity


def _period_problems(frame: pl.DataFrame, column: str,
                     indicators: Mapping[str, Indicator] | None) -> pl.DataFrame:
    """``invalid-period`` for unreadable codes of ``column``; ``period-too-fine`` for those
    finer than their indicator (when ``indicators`` are given)."""
    codes = frame.get_column(column).drop_nulls().unique().to_list()
    parsed: dict[str, Period | None] = {}
    for code in codes:
        try:
            parsed[code] = Period.parse(code)
        except PeriodError:
            parsed[code] = None
    bad = [c for c, p in parsed.items() if p is None]
    found = [frame.filter(pl.col(column).is_in(bad)).with_columns(
        pl.lit("invalid-period").alias("code"), pl.col(column).alias("period"))]
    if indicators and column == "period":
        grain = {c: p.kind.granularity for c, p in parsed.items() if p is not None}
        finest = {c: i.frequency.granularity for c, i in indicators.items()}
        frequency = {c: i.frequency.value for c, i in indicators.items()}
        found.append(frame.filter(
            pl.col("period").replace_strict(grain, default=None, return_dtype=pl.Int64)
            < pl.col("indicator").replace_strict(finest, default=None, return_dtype=pl.Int64)
        ).with_columns(pl.lit("period-too-fine").alias("code"),
                       pl.col("indicator").replace_strict(frequency, default=None)
                       .alias("frequency")).with_columns(
            pl.col("frequency").replace_strict(_KIND_VI).alias("frequency_vi")))
    return _stack(found, column)


def _stack(frames: Sequence[pl.DataFrame], field: str) -> pl.DataFrame:
    frames = [f.with_columns(pl.lit(field).alias("field")) for f in frames if f.height]
    return pl.concat(frames, how="diagonal_relaxed") if frames else _none()


def _none() -> pl.DataFrame:
    return pl.DataFrame(schema=PROBLEM_SCHEMA)


def _indexed(frame: pl.DataFrame) -> pl.DataFrame:
    return frame if "index" in frame.columns else frame.with_row_index("index").with_columns(
        pl.col("index").cast(pl.Int64))


def _types(indicators: Mapping[str, Indicator]) -> pl.Expr:
    return pl.col("indicator").replace_strict(
        {c: i.type.value for c, i in indicators.items()}, default=None, return_dtype=pl.String)


def _finish(found: Sequence[pl.DataFrame]) -> pl.DataFrame:
    frames = [f for f in found if f.height]
    if not frames:
        return _none()
    return pl.concat(frames, how="diagonal_relaxed").sort("index", "field", maintain_order=True)


# ---------------------------------------------------------------------- figures


def figure_problems(frame: pl.DataFrame, indicators: Mapping[str, Indicator]) -> pl.DataFrame:
    """The problems of figures: ``frame`` has ``indicator``, ``period`` and ``value``
    columns (an ``index`` is added unless it has one); figures of indicators not in
    ``indicators`` are left to the check that reports unknown codes, a null value (a
    deletion) passes. One row per problem: the figure's columns with ``field`` and ``code``.
    """
    frame = _indexed(frame)
    value, kind = pl.col("value"), _types(indicators)
    code = (
        pl.when(value.is_null()).then(None)
        .when(~value.is_finite()).then(pl.lit("invalid-value"))
        .when((kind == ValueType.YESNO.value) & ~value.is_in([0.0, 1.0]))
        .then(pl.lit("yesno-value"))
        .when((kind == ValueType.PERCENT.value) & ((value < 0) | (value > 100)))
        .then(pl.lit("percent-range"))
        .when((kind == ValueType.COUNT.value) & ((value < 0) | (value != value.floor())))
        .then(pl.lit("count-value"))
    )
    values = frame.with_columns(code.alias("code")).filter(pl.col("code").is_not_null())
    return _finish([_stack([values], "value"), _period_problems(frame, "period", indicators)])


# ---------------------------------------------------------------------- targets


def normal_targets(frame: pl.DataFrame) -> pl.DataFrame:
    """Target rows (``TARGET_SCHEMA``) in their one form: canonical period codes, a ``yes``
    target without a value asks for yes (1), no tolerance is 0."""
    frame = frame.with_columns(canonical_periods(frame, c) for c in ("period", "baseline"))
    return frame.with_columns(
        pl.when((pl.col("comparator") == Comparator.YES.value) & pl.col("value").is_null())
        .then(1.0).otherwise(pl.col("value")).alias("value"),
        pl.col("tolerance").fill_null(0.0),
    )


def target_problems(frame: pl.DataFrame,
                    indicators: Mapping[str, Indicator] | None = None) -> pl.DataFrame:
    """The problems of target rows (``TARGET_SCHEMA``, after :func:`normal_targets`); with
    ``indicators``, also whether each target fits its indicator (comparator and period).
    One row per problem: the target's columns with ``field``, ``code`` and the ``index`` of
    its row."""
    frame = _indexed(frame)
    found = [_stack([frame.filter(~pl.col(c).is_finite()).with_columns(
        pl.lit("invalid-value").alias("code"), pl.col(c).alias("value"))], c)
        for c in TARGET_NUMBERS]
    frame = frame.filter(pl.all_horizontal(pl.col(c).is_finite().fill_null(True)
                                           for c in TARGET_NUMBERS))
    found += [_kind_problems(frame), _period_problems(frame, "period", indicators),
              _period_problems(frame, "baseline", None)]
    if indicators:
        found.append(_fit_problems(frame, indicators))
    return _finish(found)


def _kind_problems(frame: pl.DataFrame) -> pl.DataFrame:
    comparator, relative = pl.col("comparator"), pl.col("relative")
    value, high = pl.col("value"), pl.col("value_high")
    known = (comparator.is_in([c.value for c in Comparator]).fill_null(False)
             ^ relative.is_in([r.value for r in Relative]).fill_null(False))
    unknown = (comparator.is_not_null() & ~comparator.is_in([c.value for c in Comparator])) | (
        relative.is_not_null() & ~relative.is_in([r.value for r in Relative]))
    kind = frame.filter(~known | unknown)
    frame = frame.filter(known & ~unknown)
    within = comparator == Comparator.WITHIN.value
    yesno = comparator == Comparator.YES.value
    checks = [
        ("comparator", [kind.with_columns(pl.lit("target-kind").alias("code"))]),
        ("value", [
            frame.filter(comparator.is_not_null() & value.is_null()).with_columns(
                pl.lit("missing-value").alias("code")),
            frame.filter(yesno & ~value.is_in([0.0, 1.0])).with_columns(
                pl.lit("yesno-value").alias("code")),
        ]),
        ("value_high", [
            frame.filter(within & high.is_null()).with_columns(
                pl.lit("missing-value-high").alias("code")),
            frame.filter(within & (high < value)).with_columns(
                pl.lit("range-order").alias("code")),
        ]),
        ("relative_value", [
            frame.filter(relative.is_not_null() & pl.col("relative_value").is_null())
            .with_columns(pl.lit("missing-value").alias("code"))]),
        ("baseline", [
            frame.filter(relative.is_null() & (pl.col("baseline").is_not_null()
                                               | pl.col("baseline_value").is_not_null()))
            .with_columns(pl.lit("baseline-without-relative").alias("code"))]),
        ("tolerance", [frame.filter(pl.col("tolerance") < 0).with_columns(
            pl.lit("negative-tolerance").alias("code"))]),
    ]
    return pl.concat([_stack(found, field) for field, found in checks],
                     how="diagonal_relaxed")


def _fit_problems(frame: pl.DataFrame, indicators: Mapping[str, Indicator]) -> pl.DataFrame:
    """A yes/no indicator's target is ``yes`` (or ``equal``) with 1 or 0; ``yes`` is for
    yes/no indicators only."""
    kind, comparator = _types(indicators), pl.col("comparator")
    yesno = kind == ValueType.YESNO.value
    answer = comparator.is_in([Comparator.YES.value, Comparator.EQUAL.value]).fill_null(False)
    wrong = frame.with_columns(kind.alias("type")).filter(
        (yesno & (~answer | pl.col("relative").is_not_null()))
        | (~yesno & kind.is_not_null() & (comparator == Comparator.YES.value)))
    fixes = {"yesno": _FIX["yesno"], **{t.value: _FIX["other"] for t in ValueType
                                        if t is not ValueType.YESNO}}
    wrong = wrong.with_columns(
        pl.col("type").replace_strict({k: v[0] for k, v in fixes.items()}).alias("fix"),
        pl.col("type").replace_strict({k: v[1] for k, v in fixes.items()}).alias("fix_vi"),
        pl.col("type").replace_strict(_TYPE_VI).alias("type_vi"),
        pl.col("type").str.replace("yesno", "yes/no").alias("type_en"),
        pl.lit("target-comparator").alias("code"))
    values = frame.filter(yesno & (comparator == Comparator.EQUAL.value)
                          & ~pl.col("value").is_in([0.0, 1.0])).with_columns(
        pl.lit("yesno-value").alias("code"))
    return pl.concat([_stack([wrong], "comparator"), _stack([values], "value")],
                     how="diagonal_relaxed")
