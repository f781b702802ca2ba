"""From observations to one value per unit, indicator and period, all columnar.

1. :func:`best_observations`: the newest vintage of each figure wins;
2. :func:`period_values`: a period's value is observed directly, or made from the figures
   inside it (months summed for flows, the last one for stocks, …), or the latest
   year-to-date figure, whichever covers the most of the period up to a cut-off date;
3. :func:`rollup`: a parent without its own figure gets its children's, summed, averaged over
   the leaves, or weighted;
4. :func:`computed_values`: sums of components and ratios of two rolled-up indicators.

A value row carries ``vintage_rank`` (how final), ``coverage_end`` (the last day its data
covers) and ``origin`` (observed, aggregated, rollup, computed, derived).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl

from tieuchi.domain.indicators import Indicator, Rollup, TimeAggregation
from tieuchi.domain.periods import Period, PeriodKind

__all__ = [
    "VALUE_SCHEMA",
    "best_observations",
    "indicator_frame",
    "period_values",
    "rollup",
    "computed_values",
    "resolve_values",
]

VALUE_SCHEMA: dict[Any, Any] = {
    "unit": pl.String,
    "indicator": pl.String,
    "value": pl.Float64,
    "vintage_rank": pl.Int8,
    "source": pl.String,
    "coverage_end": pl.Date,
    "origin": pl.String,
}
_KEY = ["unit", "indicator"]


def indicator_frame(indicators: tuple[Indicator, ...]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "indicator": [i.code for i in indicators],
            "time": [i.time.value for i in indicators],
            "rollup": [i.rollup.value for i in indicators],
            "weight": [i.weight for i in indicators],
        },
        schema={"indicator": pl.String, "time": pl.String, "rollup": pl.String,
                "weight": pl.String},
    )


def best_observations(observations: pl.DataFrame, vintage: str | None = None) -> pl.DataFrame:
    """One row per unit, indicator and period: the most final vintage, then the latest."""
    if vintage is not None:
        observations = observations.filter(pl.col("vintage") == vintage)
    return observations.sort(
        ["vintage_rank", "recorded_at"], descending=True, nulls_last=True
    ).unique(["unit", "indicator", "period"], keep="first")


def period_values(
    pool: pl.DataFrame, indicators: pl.DataFrame, period: Period, cutoff: date
) -> pl.DataFrame:
    """The value of every unit and indicator for ``period`` from data up to ``cutoff``."""
    cut = min(period.end, cutoff)
    direct = pool.filter(
        (pl.col("period") == period.code) & (pl.col("end") <= cut)
    ).select(*_KEY, "value", "vintage_rank", "source", pl.col("end").alias("coverage_end"),
             pl.lit("observed").alias("origin"), pl.lit(0).alias("rank"))
    inside = pool.filter(
        (pl.col("start") >= period.start) & (pl.col("end") <= cut)
        & (pl.col("granularity") < period.kind.granularity) & (pl.col("period") != period.code)
    )
    parts = _tile(inside.filter(pl.col("kind") != PeriodKind.YTD.value))
    by_time = pl.col("time")
    aggregated = (
        parts.join(indicators.select("indicator", "time"), on="indicator", how="left")
        .sort("end")
        .group_by(_KEY)
        .agg(
            pl.when(by_time.first() == TimeAggregation.SUM.value).then(pl.col("value").sum())
            .when(by_time.first() == TimeAggregation.MEAN.value).then(pl.col("value").mean())
            .otherwise(pl.col("value").last()).alias("value"),
            pl.col("vintage_rank").min(),
            pl.lit(None, pl.String).alias("source"),
            pl.col("end").max().alias("coverage_end"),
        )
        .with_columns(pl.lit("aggregated").alias("origin"), pl.lit(1).alias("rank"))
    )
    to_date = (
        inside.filter((pl.col("kind") == PeriodKind.YTD.value)
                      & (pl.col("start") == period.start))
        .sort("end")
        .group_by(_KEY)
        .agg(pl.col("value").last(), pl.col("vintage_rank").last(), pl.col("source").last(),
             pl.col("end").last().alias("coverage_end"))
        .with_columns(pl.lit("observed").alias("origin"), pl.lit(2).alias("rank"))
    )
    candidates = pl.concat(
        [f.select(*VALUE_SCHEMA, "rank").cast({**VALUE_SCHEMA, "rank": pl.Int32})
         for f in (direct, aggregated, to_date)]
    )
    return (
        candidates.sort(["coverage_end", "rank"], descending=[True, False])
        .unique(_KEY, keep="first")
        .drop("rank")
    )


def _tile(parts: pl.DataFrame) -> pl.DataFrame:
    """Keep the parts that tile the period without overlap, the finest first: months, then a
    quarter for the months not reported one by one, and so on."""
    mixed_keys = (
        parts.group_by(_KEY).agg(pl.col("granularity").n_unique().alias("kinds"))
        .filter(pl.col("kinds") > 1).select(_KEY)
    )
    if mixed_keys.is_empty():
        return parts
    mixed = parts.join(mixed_keys, on=_KEY, how="semi")
    finer = mixed.select(*_KEY, pl.col("start").alias("f_start"), pl.col("end").alias("f_end"),
                         pl.col("granularity").alias("f_granularity"))
    covered = (
        mixed.join(finer, on=_KEY)
        .filter((pl.col("f_granularity") < pl.col("granularity"))
                & (pl.col("f_start") <= pl.col("end")) & (pl.col("f_end") >= pl.col("start")))
        .select(*_KEY, "period").unique()
    )
    return pl.concat([
        parts.join(mixed_keys, on=_KEY, how="anti"),
        mixed.join(covered, on=[*_KEY, "period"], how="anti"),
    ])


def rollup(
    values: pl.DataFrame, indicators: pl.DataFrame, hierarchy: pl.DataFrame
) -> pl.DataFrame:
    """Add the roll-ups of sum, mean and weighted-mean indicators up the hierarchy.

    ``hierarchy`` has ``unit``, ``parent`` and ``depth`` for the units that exist in the
    period. A unit's own figure wins over its children's; otherwise it gets the aggregate of
    its children's components (value and weight), so a mean is over the leaves and a
    weighted mean is weighted by the leaves' weights, at every level. Sums and means go
    first, so a weight (population) is rolled up before the means it weighs.
    """
    simple = indicators.filter(pl.col("rollup").is_in([Rollup.SUM.value, Rollup.MEAN.value]))
    weighted = indicators.filter(pl.col("rollup") == Rollup.WEIGHTED_MEAN.value)
    for meta in (simple, weighted):
        if not meta.is_empty():
            values = _rollup_pass(values, meta.select("indicator", "rollup", "weight"),
                                  hierarchy)
    return values


def _rollup_pass(
    values: pl.DataFrame, meta: pl.DataFrame, hierarchy: pl.DataFrame
) -> pl.DataFrame:
    weights = values.select("unit", pl.col("indicator").alias("weight"),
                            pl.col("value").alias("w"))
    state = (
        values.join(meta, on="indicator", how="inner")
        .join(weights, on=["unit", "weight"], how="left")
        .select(
            *_KEY, "rollup", "vintage_rank", "coverage_end",
            pl.when(pl.col("rollup") == Rollup.WEIGHTED_MEAN.value)
            .then(pl.col("value") * pl.col("w")).otherwise(pl.col("value")).alias("num"),
            pl.when(pl.col("rollup") == Rollup.WEIGHTED_MEAN.value)
            .then(pl.col("w")).otherwise(pl.lit(1.0)).alias("den"),
            pl.lit(True).alias("own"),
        )
    )
    parents = hierarchy.select("unit", "parent", "depth")
    max_depth = int(parents.get_column("depth").max() or 0)  # type: ignore[arg-type]
    for depth in range(max_depth, 0, -1):
        level = parents.filter(pl.col("depth") == depth).drop("depth")
        up = (
            state.join(level, on="unit", how="inner")
            .filter(pl.col("parent").is_not_null() & pl.col("num").is_not_null())
            .group_by("parent", "indicator")
            .agg(pl.col("rollup").first(), pl.col("vintage_rank").min(),
                 pl.col("coverage_end").max(), pl.col("num").sum(), pl.col("den").sum())
            .rename({"parent": "unit"})
            .join(state.select(_KEY), on=_KEY, how="anti")
            .with_columns(pl.lit(False).alias("own"))
        )
        state = pl.concat([state, up.select(state.columns)])
    rolled = state.filter(~pl.col("own")).select(
        *_KEY,
        pl.when(pl.col("rollup") == Rollup.SUM.value).then(pl.col("num"))
        .otherwise(pl.col("num") / pl.col("den")).alias("value"),
        "vintage_rank",
        pl.lit(None, pl.String).alias("source"),
        "coverage_end",
        pl.lit("rollup").alias("origin"),
    )
    return pl.concat([values, rolled.cast(VALUE_SCHEMA)])


def computed_values(values: pl.DataFrame, indicators: tuple[Indicator, ...]) -> pl.DataFrame:
    """Add sums of components and ratios where a unit has no figure of its own.

    Indicators are computed in dependency order, so a ratio of two sums works.
    """
    for indicator in _computation_order(indicators):
        if indicator.components:
            parts = values.filter(pl.col("indicator").is_in(list(indicator.components)))
            made = parts.group_by("unit").agg(
                pl.col("value").sum(), pl.col("vintage_rank").min(),
                pl.col("coverage_end").max(), pl.len().alias("n"),
            ).filter(pl.col("n") == len(set(indicator.components))).drop("n")
        else:
            num = values.filter(pl.col("indicator") == indicator.numerator)
            den = values.filter(pl.col("indicator") == indicator.denominator)
            made = num.join(den, on="unit", how="inner", suffix="_den").filter(
                pl.col("value_den") != 0
            ).select(
                "unit",
                (pl.col("value") / pl.col("value_den") * indicator.scale).alias("value"),
                pl.min_horizontal("vintage_rank", "vintage_rank_den").alias("vintage_rank"),
                pl.max_horizontal("coverage_end", "coverage_end_den").alias("coverage_end"),
            )
        made = made.with_columns(
            pl.lit(indicator.code).alias("indicator"),
            pl.lit(None, pl.String).alias("source"),
            pl.lit("computed").alias("origin"),
        ).join(values.filter(pl.col("indicator") == indicator.code).select("unit"),
               on="unit", how="anti")
        values = pl.concat([values, made.select(*VALUE_SCHEMA).cast(VALUE_SCHEMA)])
    return values


def _computation_order(indicators: tuple[Indicator, ...]) -> list[Indicator]:
    """Computed indicators (components, ratios), each after those it is made from."""
    computed = {i.code: i for i in indicators if i.components or i.rollup is Rollup.RATIO}
    order: list[Indicator] = []
    done: set[str] = set()

    def visit(code: str, path: tuple[str, ...]) -> None:
        if code in done or code not in computed or code in path:
            return
        ind = computed[code]
        for dep in (*ind.components, ind.numerator or "", ind.denominator or ""):
            visit(dep, (*path, code))
        done.add(code)
        order.append(ind)

    for code in computed:
        visit(code, ())
    return order


def resolve_values(
    pool: pl.DataFrame,
    indicators: tuple[Indicator, ...],
    hierarchy: pl.DataFrame,
    period: Period,
    cutoff: date,
) -> pl.DataFrame:
    """Every unit's value of every indicator for ``period``: observed, rolled up, computed."""
    meta = indicator_frame(indicators)
    values = period_values(pool, meta, period, cutoff)
    values = values.filter(pl.col("unit").is_in(hierarchy.get_column("unit").implode()))
    values = rollup(values, meta, hierarchy)
    return computed_values(values, indicators)
