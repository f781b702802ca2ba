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
from tieuchi.domain.ruleset import best_vintage

__all__ = [
    "tile_parts",
    "VALUE_SCHEMA",
    "best_observations",
    "observations_within",
    "indicator_frame",
    "period_values",
    "rollup",
    "computed_values",
    "ratio_values",
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


_POOL_COLUMNS = ("unit", "indicator", "period", "value", "vintage_rank", "recorded_at", "source",
                 "start", "end", "kind", "granularity", "months", "key_hash")


def observations_within(observations: pl.DataFrame, start: date, end: date) -> pl.DataFrame:
    """The figures of periods that lie inside ``start``…``end``: all a period's value up to a
    cut-off is made of (see :func:`period_values`). Every figure of a unit, indicator and
    period shares its dates, so choosing the best vintage after this filter gives what it
    gives before it, over a year's figures rather than a whole history. No copy is made when
    every figure already lies inside."""
    if observations.is_empty():
        return observations
    first, last = observations.select(pl.col("start").min(), pl.col("end").max()).row(0)
    if first is not None and first >= start and last <= end:
        return observations
    return observations.filter((pl.col("start") >= start) & (pl.col("end") <= end))


def best_observations(observations: pl.DataFrame, vintage: str | None = None) -> pl.LazyFrame:
    """One row per unit, indicator and period: the most final vintage, then the latest
    recorded figure.

    A key can only be given more than once through a less final vintage or a dated
    revision (the loader refuses two undated figures of one vintage), so only the keys of
    those rows go through the sort; the bulk of final figures is passed on as it is. The
    result is lazy: the figures are not copied until a period's filter picks its rows.
    """
    if vintage is not None:
        observations = observations.filter(pl.col("vintage") == vintage)
    observations = observations.select(c for c in _POOL_COLUMNS if c in observations.columns)
    key = ["unit", "indicator", "period"]
    top = observations.get_column("vintage_rank").max()
    if top is None:  # no figure at all (or none of the vintage asked for)
        return observations.drop("recorded_at").lazy()
    hashes = (observations.get_column("key_hash") if "key_hash" in observations.columns
              else observations.select(pl.struct(key).hash()).to_series())
    doubtful = hashes.filter(
        (observations.get_column("vintage_rank") != top)
        | observations.get_column("recorded_at").is_not_null()
    )
    if doubtful.is_empty():
        return observations.drop("recorded_at").lazy()
    # Membership by hash: a collision only sends a unique figure through the exact choice.
    mask = hashes.is_in(doubtful.unique().implode())
    chosen = best_vintage(observations.filter(mask), key).drop("recorded_at")
    alone = observations.drop("recorded_at").with_columns((~mask).alias("_alone"))
    return pl.concat([alone.lazy().filter("_alone").drop("_alone"), chosen.lazy()])


def _month_index(column: str) -> pl.Expr:
    return pl.col(column).dt.year().cast(pl.Int32) * 12 + pl.col(column).dt.month().cast(pl.Int32)


def period_values(
    pool: pl.LazyFrame | pl.DataFrame, indicators: pl.DataFrame, period: Period, cutoff: date
) -> pl.DataFrame:
    """The value of every unit and indicator for ``period`` from data up to ``cutoff``.

    Three candidates compete: the period's own figure; the sub-periods that tile it; the
    latest year-to-date figure plus the sub-periods after it. The one covering the most
    months wins, then the most final vintage, then that order.
    """
    cut = min(period.end, cutoff)
    direct = pool.lazy().filter(
        (pl.col("period") == period.code) & (pl.col("end") <= cut)
    ).select(*_KEY, "value", "vintage_rank", "source", pl.col("end").alias("coverage_end"),
             pl.lit("observed").alias("origin"), pl.lit(period.month_count).alias("covered"),
             pl.lit(0).alias("rank")).collect()
    ytd = pl.col("kind") == PeriodKind.YTD.value
    inside = pool.lazy().filter(
        (pl.col("start") >= period.start) & (pl.col("end") <= cut)
        & ((pl.col("granularity") < period.kind.granularity) | (ytd & (pl.col("end") < period.end)))
        & (pl.col("period") != period.code)
    ).select(*_KEY, "period", "value", "vintage_rank", "start", "end", "kind", "granularity",
             "months")  # no source: what is made of several figures has none
    # Lazy, so the figures are read by the group-bys rather than copied first; only what
    # decides the plan is computed ahead.
    has_ytd, sizes = inside.select(
        ytd.any(), pl.col("granularity").filter(~ytd).n_unique()).collect().row(0)
    parts = inside.filter(~ytd) if has_ytd else inside
    if sizes > 1:  # sub-periods of several sizes (months and a quarter, say) may overlap
        parts = tile_parts(parts.collect()).lazy()
    by_time = {
        kind: indicators.filter(pl.col("time") == kind.value).get_column("indicator").to_list()
        for kind in TimeAggregation
    }
    found = [direct, _aggregate(parts, by_time).with_columns(
        pl.lit("aggregated").alias("origin"), pl.lit(1).alias("rank"))]
    if has_ytd:
        found.append(_to_date(inside.filter(ytd), parts, period, by_time))
    columns = [*VALUE_SCHEMA, "covered", "rank"]
    types = {**VALUE_SCHEMA, "covered": pl.Int32, "rank": pl.Int32}
    candidates = pl.concat([f.select(columns).cast(types) for f in found])
    return (
        candidates.sort(["covered", "vintage_rank", "rank"], descending=[True, True, False],
                        nulls_last=True)
        .unique(_KEY, keep="first")
        .drop("covered", "rank")
    )


def _to_date(
    ytd: pl.LazyFrame, parts: pl.LazyFrame, period: Period,
    by_time: dict[TimeAggregation, list[str]],
) -> pl.DataFrame:
    """The latest year-to-date figure of each unit and indicator, with the sub-periods after
    it."""
    latest = (ytd.filter(pl.col("start") == period.start).collect()
              .sort("end").group_by(_KEY).last())
    after = parts.join(latest.lazy().select(*_KEY, pl.col("end").alias("ytd_end")), on=_KEY,
                       how="inner").filter(pl.col("start") > pl.col("ytd_end")).drop("ytd_end")
    return _aggregate(pl.concat([latest.lazy(), after.select(latest.columns)]), by_time
                      ).with_columns(pl.lit("observed").alias("origin"), pl.lit(2).alias("rank"))


_TIME_VALUE = {
    TimeAggregation.SUM: pl.col("value").sum(),
    TimeAggregation.MEAN: (pl.col("value") * pl.col("months")).sum() / pl.col("months").sum(),
    TimeAggregation.LAST: pl.col("value").get(pl.col("end").arg_max()),
}


def _aggregate(
    parts: pl.LazyFrame | pl.DataFrame, by_time: dict[TimeAggregation, list[str]]
) -> pl.DataFrame:
    """Sub-period figures of each unit and indicator made into one, by the indicator's time
    aggregation (one group-by per kind, each computing only its own aggregate); ``covered``
    counts the months they cover."""
    lazy = parts.lazy().select(*_KEY, "value", "vintage_rank", "end", "months")
    plans = [  # lazy, so each filter and group-by run fused, and the kinds in parallel
        lazy.filter(pl.col("indicator").is_in(by_time[kind])).group_by(_KEY).agg(
            value.alias("value"),
            pl.col("vintage_rank").min(),
            pl.lit(None, pl.String).alias("source"),
            pl.col("end").max().alias("coverage_end"),
            pl.col("months").sum().alias("covered"),
        )
        for kind, value in _TIME_VALUE.items() if by_time[kind]
    ]
    return pl.concat(pl.collect_all(plans))


def tile_parts(parts: pl.DataFrame) -> pl.DataFrame:
    """The sub-periods that tile a period without overlap.

    Where figures of several sizes exist (months, a quarter, a half), a longer period is
    replaced by the shorter ones inside it only when they cover all its months; otherwise
    it is kept and the shorter ones inside it are dropped.
    """
    if parts.get_column("granularity").n_unique() <= 1:
        return parts  # one size of sub-period (all months, say): nothing overlaps
    mixed_keys = (
        parts.group_by(_KEY).agg(pl.col("granularity").n_unique().alias("kinds"))
        .filter(pl.col("kinds") > 1).select(_KEY)
    )
    if mixed_keys.is_empty():
        return parts
    mixed = parts.join(mixed_keys, on=_KEY, how="semi")
    spans = mixed.select(*_KEY, "period", "granularity", _month_index("start").alias("m0"),
                         _month_index("end").alias("m1"))
    months = spans.select(*_KEY, pl.col("granularity").alias("g"),
                          pl.int_ranges("m0", pl.col("m1") + 1).alias("m")).explode("m")
    coverage = (
        spans.join(months, on=_KEY)
        .filter((pl.col("g") < pl.col("granularity")) & pl.col("m").is_between("m0", "m1"))
        .group_by(*_KEY, "period").agg(pl.col("m").n_unique().alias("n"))
    )
    replaced = spans.join(coverage, on=[*_KEY, "period"], how="left").filter(
        pl.col("n") == pl.col("m1") - pl.col("m0") + 1).select(*_KEY, "period")
    kept = spans.join(replaced, on=[*_KEY, "period"], how="anti")
    inside_kept = (
        kept.join(kept.select(*_KEY, pl.col("granularity").alias("g"),
                              pl.col("m0").alias("k0"), pl.col("m1").alias("k1")), on=_KEY)
        .filter((pl.col("g") > pl.col("granularity")) & (pl.col("m0") >= pl.col("k0"))
                & (pl.col("m1") <= pl.col("k1")))
        .select(*_KEY, "period").unique()
    )
    chosen = kept.join(inside_kept, on=[*_KEY, "period"], how="anti").select(*_KEY, "period")
    return pl.concat([
        parts.join(mixed_keys, on=_KEY, how="anti"),
        mixed.join(chosen, on=[*_KEY, "period"], how="semi"),
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
    weighted = pl.col("rollup") == Rollup.WEIGHTED_MEAN.value
    state = (
        values.join(meta, on="indicator", how="inner")
        .join(weights, on=["unit", "weight"], how="left")
        .select(
            *_KEY, "rollup", "vintage_rank", "coverage_end",
            pl.when(weighted).then(pl.col("value") * pl.col("w"))
            .otherwise(pl.col("value")).alias("num"),
            pl.when(weighted).then(pl.col("w")).otherwise(pl.lit(1.0)).alias("den"),
            pl.lit(1.0).alias("scale"),
            pl.lit(True).alias("own"),
        )
    )
    rolled = _climb(state, hierarchy).filter(~pl.col("own"))
    kept = values.join(rolled.select(_KEY), on=_KEY, how="anti")  # stale own figures go
    return pl.concat([kept, _as_values(rolled, "rollup")])


def _climb(state: pl.DataFrame, hierarchy: pl.DataFrame) -> pl.DataFrame:
    """Add, level by level from the deepest, each parent's components (sums of its
    children's ``num`` and ``den``) where the parent has none of its own, or where its own
    figure covers less of the period than its children's (a district's first-quarter figure
    against its communes' half year)."""
    parents = hierarchy.select("unit", "parent", "depth")
    max_depth = int(parents.get_column("depth").max() or 0)  # type: ignore[arg-type]
    for depth in range(max_depth, 0, -1):
        level = parents.filter(pl.col("depth") == depth).drop("depth")
        up = (
            state.join(level, on="unit", how="inner")
            .filter(pl.col("parent").is_not_null() & pl.col("num").is_not_null())
            .group_by("parent", "indicator")
            .agg(pl.col("rollup").first(), pl.col("vintage_rank").min(),
                 pl.col("coverage_end").max(), pl.col("num").sum(), pl.col("den").sum(),
                 pl.col("scale").first())
            .rename({"parent": "unit"})
            .join(state.select(*_KEY, pl.col("coverage_end").alias("own_end")), on=_KEY,
                  how="left")
            .filter(pl.col("own_end").is_null() | (pl.col("coverage_end") > pl.col("own_end")))
            .drop("own_end")
            .with_columns(pl.lit(False).alias("own"))
        )
        state = pl.concat([state.join(up.select(_KEY), on=_KEY, how="anti"),
                           up.select(state.columns)])
    return state


def _as_values(state: pl.DataFrame, origin: str) -> pl.DataFrame:
    value = (
        pl.when(pl.col("rollup") == Rollup.SUM.value).then(pl.col("num"))
        .otherwise(pl.col("num") / pl.col("den") * pl.col("scale"))
    )
    return state.select(
        *_KEY, value.alias("value"), "vintage_rank", pl.lit(None, pl.String).alias("source"),
        "coverage_end", pl.lit(origin).alias("origin"),
    ).cast(VALUE_SCHEMA)


def ratio_values(
    values: pl.DataFrame, indicators: tuple[Indicator, ...], hierarchy: pl.DataFrame
) -> pl.DataFrame:
    """Ratios (numerator / denominator × scale) where a unit has no ratio of its own.

    A unit with its own numerator and denominator uses them; a parent without them gets
    the sums over its children that have both, so a commune that reports only one of the
    two is left out of both sums and never skews the district's rate. A unit's own rate
    (without numerator and denominator) is kept for it, and its children's sums still go up.
    """
    own = values.filter(pl.col("origin") != "rollup")
    for ind in indicators:
        if ind.rollup is not Rollup.RATIO:
            continue
        num = own.filter(pl.col("indicator") == ind.numerator)
        den = own.filter(pl.col("indicator") == ind.denominator)
        pairs = num.join(den, on="unit", how="inner", suffix="_den").filter(
            pl.col("value_den") != 0
        ).select(
            "unit", pl.lit(ind.code).alias("indicator"), pl.lit(Rollup.RATIO.value)
            .alias("rollup"),
            pl.min_horizontal("vintage_rank", "vintage_rank_den").alias("vintage_rank"),
            pl.max_horizontal("coverage_end", "coverage_end_den").alias("coverage_end"),
            pl.col("value").alias("num"), pl.col("value_den").alias("den"),
            pl.lit(ind.scale).alias("scale"), pl.lit(True).alias("own"),
        )
        direct = values.filter(pl.col("indicator") == ind.code).select("unit")
        state = _climb(pairs, hierarchy)
        made = pl.concat([
            _as_values(state.filter(pl.col("own") & pl.col("num").is_not_null()), "computed"),
            _as_values(state.filter(~pl.col("own")), "rollup"),
        ]).join(direct, on="unit", how="anti")
        values = pl.concat([values, made])
    return values


def computed_values(values: pl.DataFrame, indicators: tuple[Indicator, ...]) -> pl.DataFrame:
    """Add sums of components where a unit has no figure of its own, in dependency order.

    A sum made from rolled-up components is itself marked as a roll-up.
    """
    for indicator in _computation_order(indicators):
        parts = values.filter(pl.col("indicator").is_in(list(indicator.components)))
        made = parts.group_by("unit").agg(
            pl.col("value").sum(), pl.col("vintage_rank").min(),
            pl.col("coverage_end").max(), pl.len().alias("n"),
            pl.when((pl.col("origin") == "rollup").any()).then(pl.lit("rollup"))
            .otherwise(pl.lit("computed")).alias("origin"),
        ).filter(pl.col("n") == len(set(indicator.components))).drop("n")
        made = made.with_columns(
            pl.lit(indicator.code).alias("indicator"),
            pl.lit(None, pl.String).alias("source"),
        ).join(values.filter(pl.col("indicator") == indicator.code).select("unit"),
               on="unit", how="anti")
        values = pl.concat([values, made.select(*VALUE_SCHEMA).cast(VALUE_SCHEMA)])
    return values


def _computation_order(indicators: tuple[Indicator, ...]) -> list[Indicator]:
    """Indicators made of components, each after the components it is made from."""
    computed = {i.code: i for i in indicators if i.components}
    order: list[Indicator] = []
    done: set[str] = set()

    def visit(code: str, path: tuple[str, ...]) -> None:
        if code in done or code not in computed or code in path:
            return
        for dep in computed[code].components:
            visit(dep, (*path, code))
        done.add(code)
        order.append(computed[code])

    for code in computed:
        visit(code, ())
    return order


def resolve_values(
    pool: pl.LazyFrame | pl.DataFrame,
    indicators: tuple[Indicator, ...],
    hierarchy: pl.DataFrame,
    period: Period,
    cutoff: date,
) -> pl.DataFrame:
    """Every unit's value of every indicator for ``period``: observed, rolled up, computed."""
    meta = indicator_frame(indicators)
    values = period_values(pool, meta, period, cutoff)
    values = values.filter(pl.col("unit").is_in(hierarchy.get_column("unit").implode()))
    # Planning areas ("khu vực dự kiến") overlap real units: they never add up into a parent.
    real = hierarchy.filter(~pl.col("pseudo")) if "pseudo" in hierarchy.columns else hierarchy
    # Sums of components first where a unit gives its components (so a unit that reports the
    # parts, not the total, still counts in its parent's total), then roll up, then again for
    # the parents that got only rolled-up parts.
    values = computed_values(values, indicators)
    values = rollup(values, meta, real)
    values = computed_values(values, indicators)
    return ratio_values(values, indicators, real)
