"""Targets against actuals: threshold, status, % of target, change, pace, estimate.

Everything is one pass of Polars expressions over a frame with one row per target, already
joined with its actual, its same-period-last-year actual and its base (for relative targets).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import polars as pl

from tieuchi.domain.indicators import TimeAggregation, ValueType
from tieuchi.domain.status import Comparator, Pace, Status
from tieuchi.domain.targets import Relative
from tieuchi.engine.comparators import passes_expr, status_expr

PACE = pl.Enum([p.value for p in Pace])
"""The type of the pace column: one of :class:`~tieuchi.domain.status.Pace`, or null."""

__all__ = ["PACE", "PACE_BAND", "score_targets", "group_counts", "same_period_exprs",
           "BASELINE_CHANGE", "assessment_expr"]

PACE_BAND = 0.05
"""Within ±5% of the pro-rata target is on track; above is ahead, below is behind."""

_RELATIVE_THRESHOLD: dict[Relative, tuple[Callable[[pl.Expr, pl.Expr], pl.Expr], Comparator]] = {
    # relative kind: (threshold from base b and value x, comparator)
    Relative.GROWTH: (lambda b, x: b * (1 + x / 100), Comparator.AT_LEAST),
    Relative.REDUCTION: (lambda b, x: b * (1 - x / 100), Comparator.AT_MOST),
    Relative.REDUCTION_PP: (lambda b, x: b - x, Comparator.AT_MOST),
    Relative.SHARE_OF_BASELINE: (lambda b, x: b * x / 100, Comparator.AT_LEAST),
}


def _relative_threshold() -> tuple[pl.Expr, pl.Expr]:
    base, x = pl.col("base"), pl.col("relative_value")
    threshold: pl.Expr = pl.col("value")
    comparator: pl.Expr = pl.col("comparator")
    for kind, (make, comp) in _RELATIVE_THRESHOLD.items():
        is_kind = pl.col("relative") == kind.value
        threshold = pl.when(is_kind).then(make(base, x)).otherwise(threshold)
        comparator = pl.when(is_kind).then(pl.lit(comp.value)).otherwise(comparator)
    return threshold, comparator


def score_targets(frame: pl.DataFrame, evaluated_end: date, as_of: date) -> pl.DataFrame:
    """Add target, status, percent_of_target, change, pace, estimate and years_early.

    ``frame`` has the target columns, ``start``/``end`` of the target's period, ``actual``,
    ``coverage_end``, ``last_year``, ``base``, and the indicator's ``time``, ``type`` and
    ``direction_comparator``.
    """
    threshold, comparator = _relative_threshold()
    frame = frame.with_columns(
        threshold.alias("target"),
        pl.coalesce(comparator, pl.col("direction_comparator")).alias("comparator"),
    )
    status = status_expr(pl.col("comparator"), pl.col("actual"), pl.col("target"),
                         pl.col("value_high"), pl.col("tolerance"))
    numeric = pl.col("comparator").is_in(
        [Comparator.AT_LEAST.value, Comparator.AT_MOST.value, Comparator.EQUAL.value]
    )
    percent_of_target = (
        pl.when(numeric & pl.col("relative").is_null() & (pl.col("target") != 0))
        .then(pl.col("actual") / pl.col("target") * 100)
    )
    # What a target to reach was exceeded by: "vượt 158,2 tấn so với kế hoạch"
    excess_amount = pl.when(
        (pl.col("comparator") == Comparator.AT_LEAST.value) & (pl.col("type") != "yesno")
        & (pl.col("actual") > pl.col("target"))).then(pl.col("actual") - pl.col("target"))
    frame = frame.with_columns(
        status.alias("status"),
        percent_of_target.alias("percent_of_target"),
        *same_period_exprs(pl.col("kind") == "multi_year"),
        *same_period_exprs(~_planned_on_baseline(), "baseline_actual", BASELINE_CHANGE),
        excess_amount.alias("excess_amount"),
        pl.when(percent_of_target > 100).then(percent_of_target - 100).alias("excess_percent"),
    )
    frame = frame.with_columns(*_pace(evaluated_end, as_of))
    return frame.with_columns(assessment_expr().alias("assessment"))


def same_period_exprs(no_change: pl.Expr, base: str = "last_year",
                      names: tuple[str, str, str] = ("change_vs_same_period", "change_kind",
                                                     "ratio_vs_same_period")) -> list[pl.Expr]:
    """The comparison of ``actual`` with ``last_year`` (the same period last year), or with
    the column ``base`` named: the change in % (in points for a percentage), its kind, and
    the ratio in % ("bằng 106,4%"), named ``names``. None for a yes/no figure, where
    ``no_change`` holds, or without the figure compared with."""
    before = pl.col(base)
    none = (pl.col("type") == ValueType.YESNO.value) | no_change | before.is_null()
    change = (
        pl.when(none)
        .then(None)
        .when(pl.col("type") == ValueType.PERCENT.value)
        .then(pl.col("actual") - before)
        .when(before != 0)
        .then((pl.col("actual") / before - 1) * 100)
    )
    change_kind = (
        pl.when(change.is_null()).then(None)
        .when(pl.col("type") == ValueType.PERCENT.value).then(pl.lit("points"))
        .otherwise(pl.lit("percent"))
    )
    ratio = pl.when(~none & (before != 0)).then(pl.col("actual") / before * 100)
    return [change.alias(names[0]), change_kind.alias(names[1]), ratio.alias(names[2])]


BASELINE_CHANGE = ("change_vs_baseline", "change_kind_baseline", "ratio_vs_baseline")
"""The columns of a target's comparison with its baseline period (``baseline: "2024"``): a
growth or reduction planned on that period is stated on it ("tăng 9% so với năm 2024")."""


def _planned_on_baseline() -> pl.Expr:
    """A growth or reduction planned on a baseline period of its own."""
    return pl.col("baseline").is_not_null() & pl.col("relative").is_in(
        ["growth", "reduction", "reduction_pp"])


def _partial() -> pl.Expr:
    """A target still open with figures for part of its period (a year's target at nine
    months): its pace, not its status, says how it is doing."""
    return pl.col("pace").is_not_null() & (pl.col("coverage") < 1)


def assessment_expr() -> pl.Expr:
    """The assessment of a target, the one every output words and colours: its pace
    (ahead, on_track, behind) while its period is open with partial figures, else its
    status (exceeded, met, not_met, no_data). An open target is never called failed."""
    return (pl.when(_partial()).then(pl.col("pace").cast(pl.String))
            .otherwise(pl.col("status")))


def _pace(evaluated_end: date, as_of: date) -> list[pl.Expr]:
    days = (pl.col("end") - pl.col("start")).dt.total_days() + 1
    covered = (pl.col("coverage_end") - pl.col("start")).dt.total_days() + 1
    share = (covered / days).clip(0.0, 1.0)
    is_open = pl.col("end") >= pl.lit(as_of)
    flow = (
        (pl.col("time") == TimeAggregation.SUM.value) & pl.col("relative").is_null()
        & pl.col("comparator").is_in([Comparator.AT_LEAST.value, Comparator.AT_MOST.value])
        & (share < 1) & (pl.col("target") != 0)
    )
    ratio = pl.col("actual") / pl.col("target") / share
    at_least = pl.col("comparator") == Comparator.AT_LEAST.value
    lo, hi = 1 - PACE_BAND, 1 + PACE_BAND
    by_ratio = (
        pl.when(at_least & (ratio >= hi)).then(pl.lit(Pace.AHEAD.value))
        .when(at_least & (ratio >= lo)).then(pl.lit(Pace.ON_TRACK.value))
        .when(at_least).then(pl.lit(Pace.BEHIND.value))
        .when(ratio <= lo).then(pl.lit(Pace.AHEAD.value))
        .when(ratio <= hi).then(pl.lit(Pace.ON_TRACK.value))
        .otherwise(pl.lit(Pace.BEHIND.value))
    )
    by_status = pl.col("status").replace_strict(
        {Status.EXCEEDED.value: Pace.AHEAD.value, Status.MET.value: Pace.ON_TRACK.value,
         Status.NOT_MET.value: Pace.BEHIND.value}, default=None, return_dtype=pl.String,
    )
    has_data = pl.col("actual").is_not_null()
    pace = (pl.when(~is_open | ~has_data).then(None).when(flow).then(by_ratio)
            .otherwise(by_status).cast(PACE))
    estimate = (
        pl.when(~is_open | ~has_data).then(None)
        .when(flow).then(pl.col("actual") / share)
        .otherwise(pl.col("actual"))
    )
    early = (
        pl.when(is_open & passes_expr(pl.col("status")) & (pl.col("kind") == "multi_year"))
        .then(pl.col("end").dt.year() - evaluated_end.year)
    )
    return [pace.alias("pace"), estimate.alias("estimate"), share.alias("coverage"),
            early.alias("years_early"), is_open.alias("open")]


def group_counts(members: pl.DataFrame, results: pl.DataFrame) -> pl.DataFrame:
    """Per group: the number of targets by status and by pace, the names of those not
    achieved and of those behind, and how many are still open with partial data (then
    the pace, not the status, says whether the group is on course: "đạt và vượt tiến độ")."""
    joined = members.join(
        results.select("key", "status", "pace", "display_name",
                       _partial().alias("partial")),
        on="key", how="inner").sort("group", "position")
    return joined.group_by("group", maintain_order=True).agg(
        pl.len().alias("total"),
        *[(pl.col("status") == s.value).sum().alias(s.value) for s in Status],
        *[(pl.col("pace") == p.value).sum().alias(p.value) for p in Pace],
        pl.col("partial").sum().alias("partial"),
        pl.col("display_name").filter(pl.col("pace") == Pace.BEHIND.value)
        .alias("behind_items"),
        pl.col("display_name").filter(pl.col("status") == Status.NOT_MET.value)
        .alias("not_met_items"),
        pl.col("display_name").filter(pl.col("status") == Status.NO_DATA.value)
        .alias("no_data_items"),
    )
