"""The evaluation: a pure function of the definitions, the period and the date."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from tieuchi.domain.bundle import Definitions, period_frame
from tieuchi.domain.periods import Period, PeriodError, PeriodKind
from tieuchi.engine.criteria import SetResults, evaluate_sets
from tieuchi.engine.targets import group_counts, same_period_exprs, score_targets
from tieuchi.engine.values import best_observations, observations_within, resolve_values

__all__ = ["Evaluation", "evaluate", "hierarchy_frame", "series", "carry_to_successors"]

Resolve = Callable[..., pl.DataFrame]
"""(period, cutoff, compare=False) -> every unit's values for that period up to the cut-off."""


@dataclass(frozen=True)
class Evaluation:
    """Everything computed for one period; views read it and never recompute a status."""

    definitions: Definitions
    period: Period
    as_of: date
    units: tuple[str, ...]  # the units the results are about
    values: pl.DataFrame  # unit, indicator, value, … for the period
    targets: pl.DataFrame  # one row per target
    groups: pl.DataFrame  # one row per target group
    sets: SetResults
    # unit × indicator named by the report's highlights and indicator items: the figure of
    # the period and its comparison with the same period last year (:func:`figures_frame`)
    figures: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(
        schema={"unit": pl.String, "indicator": pl.String}))

    def target(self, key: str) -> dict[str, object] | None:
        rows = self.targets.filter(pl.col("key") == key)
        return rows.row(0, named=True) if rows.height else None


def hierarchy_frame(definitions: Definitions, period: Period) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(units valid in the period with parent, depth, level, name, kind, attributes; ancestor
    pairs)."""
    valid = {u.code: u for u in definitions.units if u.valid_on(period.start, period.end)}
    order = {code: i for i, code in enumerate(valid)}
    depth: dict[str, int] = {}

    def ancestors(code: str) -> list[str]:
        chain: list[str] = []
        parent = valid[code].parent
        while parent in valid and parent not in chain and parent != code:
            chain.append(parent)
            parent = valid[parent].parent
        return chain

    pairs: list[tuple[str, str, int]] = []
    for code in valid:
        chain = ancestors(code)
        depth[code] = len(chain)
        pairs.extend((a, code, order[code]) for a in chain)
    keys = sorted({k for u in valid.values() for k in u.attributes}) or ["_"]
    hierarchy = pl.DataFrame({
        "unit": list(valid),
        "parent": [u.parent if u.parent in valid else None for u in valid.values()],
        "depth": [depth[c] for c in valid],
        "level": [u.level for u in valid.values()],
        "pseudo": [definitions.level_by_code[u.level].pseudo
                   if u.level in definitions.level_by_code else False for u in valid.values()],
        "name": [u.name for u in valid.values()],
        "kind": [u.kind for u in valid.values()],
        "attributes": [{k: u.attributes.get(k) for k in keys} for u in valid.values()],
    }, schema_overrides={
        "unit": pl.String, "parent": pl.String, "depth": pl.Int32, "level": pl.String,
        "pseudo": pl.Boolean,
        "name": pl.String, "kind": pl.String, "attributes": pl.Struct({k: pl.String for k in keys}),
    })
    closure = pl.DataFrame(pairs, schema={"ancestor": pl.String, "descendant": pl.String,
                                          "position_in_tree": pl.Int32}, orient="row")
    return hierarchy, closure


def evaluate(
    definitions: Definitions,
    period: Period | str,
    *,
    units: Sequence[str] | None = None,
    as_of: date | None = None,
    vintage: str | None = None,
) -> Evaluation:
    """Evaluate ``period``: every target, group and criteria set of the selected units.

    ``units`` selects units and everything below them (default: all). ``as_of`` is the date
    of the evaluation (default: the project's, else today): a target whose period ends after
    it is still open and gets a pace. ``vintage`` keeps only figures of that vintage.
    """
    period = Period.parse(period) if isinstance(period, str) else period
    as_of = as_of or definitions.project.as_of or date.today()
    hierarchy, closure = hierarchy_frame(definitions, period)
    selected = _selection(definitions, hierarchy, units)
    indicators = definitions.indicators
    hierarchies = {period.code: hierarchy}
    resolved: dict[tuple[str, date, bool], pl.DataFrame] = {}

    def values(p: Period, cutoff: date, compare: bool = False) -> pl.DataFrame:
        """:func:`resolve` once per period, cut-off and use."""
        if (p.code, cutoff, compare) not in resolved:
            resolved[p.code, cutoff, compare] = resolve(p, cutoff, compare)
        return resolved[p.code, cutoff, compare]

    def resolve(p: Period, cutoff: date, compare: bool = False) -> pl.DataFrame:
        """``p``'s values from data up to ``cutoff``, over the units that existed in ``p``;
        ``compare``: a period compared with (last year, a baseline), carried to the units
        of the evaluated period that succeeded merged ones. The best vintage is chosen among
        the figures inside ``p`` up to the cut-off only, not over the whole history; last
        year and baselines are compared with their best figures, whatever vintage is asked."""
        if p.code not in hierarchies:
            hierarchies[p.code] = hierarchy_frame(definitions, p)[0]
        inside = observations_within(definitions.observations, p.start, min(p.end, cutoff))
        pool = best_observations(inside, None if compare else vintage)
        found = resolve_values(pool, indicators, hierarchies[p.code], p, cutoff)
        return carry_to_successors(definitions, found) if compare else found

    current = values(period, period.end)
    set_results, current = evaluate_sets(definitions, period, current, hierarchy, closure)
    targets = _targets(definitions, period, as_of, selected, current, values)
    groups = _groups(definitions, period, selected, targets)
    keep = pl.col("unit").is_in(selected)
    sets = SetResults(
        sets=_filter(set_results.sets, keep),
        criteria=_filter(set_results.criteria, keep),
        conditions=_filter(set_results.conditions, keep),
        summaries=_filter(set_results.summaries, keep),
    )
    figures = figures_frame(definitions, period, selected, current, values)
    return Evaluation(definitions, period, as_of, tuple(selected),
                      current.filter(keep), targets, groups, sets, figures)


def stated_indicators(definitions: Definitions) -> list[str]:
    """The indicators the report may state as figures: those its highlights and indicator
    items name, those of the targets they name (stated as figures in a period without the
    target), and those of the members of the groups it reports (a group's table gives the
    figures of a period its targets are not for: the 2022 figures under the 2023 plan)."""
    by_key = dict(definitions.targets.select("key", "indicator").iter_rows())
    members = definitions.members
    codes: list[str] = []
    outlines = (definitions.report.sections,
                *(o.sections for o in definitions.report.outlines.values()))
    for section in (s for sections in outlines for s in sections):
        for item in section.items:
            keys = [*item.highlight_keys, *(k for k in (item.indicator, item.target) if k)]
            if item.group:
                keys += members.filter(pl.col("group") == item.group).get_column("key").to_list()
            for key in keys:
                code = by_key.get(key, key)
                if code in definitions.indicator_by_code and code not in codes:
                    codes.append(code)
    return codes


def figures_frame(
    definitions: Definitions, period: Period, selected: list[str], current: pl.DataFrame,
    resolve: Resolve,
) -> pl.DataFrame:
    """The figure of each selected unit × stated indicator (:func:`stated_indicators`) for
    ``period``: value, vintage, the same period last year, the change and the ratio (as a
    target's, :func:`~tieuchi.engine.targets.same_period_exprs`); for a ratio indicator, the
    values of its numerator and denominator (the count behind a rate: "320/411 xã …"); the
    indicator's type, decimals and direction; and the report's ``compare`` way. A unit
    without a figure has no row."""
    codes = stated_indicators(definitions)
    chosen = pl.col("indicator").is_in(codes) & pl.col("unit").is_in(selected)
    actual = current.filter(chosen & pl.col("value").is_not_null())
    if period.kind is not PeriodKind.MULTI_YEAR and actual.height:
        last = resolve(period.same_period_last_year(), period.same_period_last_year().end,
                       compare=True).filter(chosen)
    else:
        last = pl.DataFrame(schema={"unit": pl.String, "indicator": pl.String,
                                    "value": pl.Float64})
    meta = _indicator_meta(definitions).select("indicator", "type", "decimals",
                                               "decimals_fixed", "direction_comparator")
    return (
        actual.select("unit", "indicator", pl.col("value").alias("actual"),
                      pl.col("vintage_rank").alias("actual_vintage"))
        .join(last.select("unit", "indicator", pl.col("value").alias("last_year")),
              on=["unit", "indicator"], how="left")
        .join(_parts(definitions, codes, current), on=["unit", "indicator"], how="left")
        .join(meta, on="indicator", how="left")
        .with_columns(pl.lit(period.code).alias("period"),
                      *same_period_exprs(pl.lit(period.kind is PeriodKind.MULTI_YEAR)),
                      pl.lit(None, pl.String).alias("compare"))
        .with_columns(*_report_default(definitions, "compare"))
    )


def _parts(definitions: Definitions, codes: list[str], current: pl.DataFrame) -> pl.DataFrame:
    """unit, indicator (a ratio's), numerator_indicator, numerator, denominator: the values of
    the period that each stated ratio indicator is the ratio of."""
    ratios = [(i.code, i.numerator, i.denominator) for i in definitions.indicators
              if i.code in codes and i.numerator and i.denominator]
    pairs = pl.DataFrame(ratios, schema={"indicator": pl.String,
                                         "numerator_indicator": pl.String,
                                         "denominator_indicator": pl.String}, orient="row")
    values = current.select("unit", "indicator", "value")
    return (
        pairs.join(values.rename({"indicator": "numerator_indicator", "value": "numerator"}),
                   on="numerator_indicator")
        .join(values.rename({"indicator": "denominator_indicator", "value": "denominator"}),
              on=["unit", "denominator_indicator"], how="left")
        .select("unit", "indicator", "numerator_indicator", "numerator", "denominator")
    )


def series(
    definitions: Definitions, periods: Sequence[Period | str], units: Sequence[str],
    indicators: Sequence[str] | None = None,
) -> pl.DataFrame:
    """The values of ``units`` (and the units below them) over several periods, each as
    :func:`evaluate` gives it (roll-ups and counts of units passing a set included):
    columns period, unit, indicator, value."""
    frames = []
    for p in periods:
        period = Period.parse(p) if isinstance(p, str) else p
        present = [u for u in units if u in definitions.unit_by_code
                   and definitions.unit_by_code[u].valid_on(period.start, period.end)]
        if not present:
            continue
        values = evaluate(definitions, period, units=present).values
        if indicators is not None:
            values = values.filter(pl.col("indicator").is_in(list(indicators)))
        frames.append(values.select(pl.lit(period.code).alias("period"), "unit", "indicator",
                                    "value"))
    if not frames:
        return pl.DataFrame(schema={"period": pl.String, "unit": pl.String,
                                    "indicator": pl.String, "value": pl.Float64})
    return pl.concat(frames)


def carry_to_successors(definitions: Definitions, values: pl.DataFrame) -> pl.DataFrame:
    """Give a unit formed by a merger the summed figures of the units merged into it, for
    the indicators that add up (sums), where it has none of its own: last year's revenue of
    a new commune is that of the communes it was made of. A unit split into several gives
    nothing (its parts' shares are not known)."""
    pairs = [(u.code, u.successors[0]) for u in definitions.units if len(u.successors) == 1]
    if not pairs:
        return values
    additive = [i.code for i in definitions.indicators if i.rollup.value == "sum"]
    merged = pl.DataFrame(pairs, schema={"unit": pl.String, "successor": pl.String},
                          orient="row")
    carried = (
        values.filter(pl.col("indicator").is_in(additive))
        .join(merged, on="unit")
        .group_by("successor", "indicator")
        .agg(pl.col("value").sum(), pl.col("vintage_rank").min(),
             pl.col("coverage_end").max())
        .rename({"successor": "unit"})
        .join(values.select("unit", "indicator"), on=["unit", "indicator"], how="anti")
        .with_columns(pl.lit(None, pl.String).alias("source"),
                      pl.lit("carried").alias("origin"))
    )
    return pl.concat([values, carried.select(values.columns).cast(values.schema)])


def _filter(frame: pl.DataFrame, keep: pl.Expr) -> pl.DataFrame:
    return frame.filter(keep) if "unit" in frame.columns else frame


def _selection(
    definitions: Definitions, hierarchy: pl.DataFrame, units: Sequence[str] | None
) -> list[str]:
    existing = hierarchy.get_column("unit").to_list()
    if not units:
        return existing
    chosen: list[str] = []
    for code in units:
        if code not in definitions.unit_by_code:
            raise KeyError(code)
        chosen.extend([code, *definitions.descendants(code)])
    return [c for c in existing if c in set(chosen)]


def _targets(
    definitions: Definitions, period: Period, as_of: date, selected: list[str],
    current: pl.DataFrame, resolve: Resolve,
) -> pl.DataFrame:
    targets = definitions.targets.filter(pl.col("unit").is_in(selected))
    periods = period_frame(targets.get_column("period").unique().to_list())
    relevant = periods.filter(
        (pl.col("start") <= period.start) & (pl.col("end") >= period.end)
    )
    targets = targets.join(relevant, on="period", how="inner")
    last_year = period.same_period_last_year()
    actual_frames, last_frames, base_frames = [], [], []
    # Counts of units passing a set exist for the evaluated period only: a longer target
    # period (2021-2025 at 2023) takes them as its latest figure.
    derived = current.filter(pl.col("origin") == "derived")
    for code in relevant.get_column("period").to_list():
        target_period = Period.parse(code)
        if target_period == period:
            actual = current
        else:
            actual = resolve(target_period, period.end)
            actual = pl.concat([actual, derived.join(actual.select("unit", "indicator"),
                                                      on=["unit", "indicator"], how="anti")])
        actual_frames.append(actual.with_columns(pl.lit(code).alias("period")))
        if target_period.kind is not PeriodKind.MULTI_YEAR:
            previous = resolve(target_period.same_period_last_year(), last_year.end,
                               compare=True)
            last_frames.append(previous.with_columns(pl.lit(code).alias("period")))
    for code in targets.get_column("baseline").drop_nulls().unique().to_list():
        try:
            base_period = Period.parse(code)
        except PeriodError:  # stored before the years were bounded: no figure is for it
            continue
        base = resolve(base_period, base_period.end, compare=True)
        base_frames.append(base.with_columns(pl.lit(code).alias("baseline")))
    key = ["unit", "indicator", "period"]
    actual_all = _stack(actual_frames, key).select(
        *key, pl.col("value").alias("actual"), pl.col("vintage_rank").alias("actual_vintage"),
        pl.col("source").alias("actual_source"), "coverage_end", pl.col("origin").alias(
            "actual_origin"))
    last_all = _stack(last_frames, key).select(*key, pl.col("value").alias("last_year"))
    base_all = _stack(base_frames, ["unit", "indicator", "baseline"]).select(
        "unit", "indicator", "baseline", pl.col("value").alias("baseline_actual"))
    meta = _indicator_meta(definitions)
    names = pl.DataFrame({
        "unit": [u.code for u in definitions.units],
        "unit_name": [u.name for u in definitions.units],
    })
    frame = (
        targets.join(actual_all, on=key, how="left")
        .join(last_all, on=key, how="left")
        .join(base_all, on=["unit", "indicator", "baseline"], how="left")
        .join(meta, on="indicator", how="left")
        .join(names, on="unit", how="left")
        .with_columns(
            pl.coalesce(
                "baseline_value",
                pl.when(pl.col("baseline").is_not_null()).then(pl.col("baseline_actual"))
                .otherwise(pl.col("last_year")),
            ).alias("base"),
            pl.coalesce("name", "indicator_name").alias("display_name"),
            *_report_default(definitions, "compare", "excess"),
            *_precision(definitions),
        )
    )
    return score_targets(frame, period.end, as_of)


def _report_default(definitions: Definitions, *columns: str) -> list[pl.Expr]:
    """A target's way of stating (its own, else its group's), else the report's."""
    outline = definitions.report
    out = []
    for column in columns:
        value = getattr(outline, column)
        out.append(pl.col(column).fill_null(pl.lit(value.value if value else None, pl.String)))
    return out


def _precision(definitions: Definitions) -> list[pl.Expr]:
    """The precision of each target's percentages, resolved once: the target's (or its
    group's), else the report's (:attr:`Definitions.percent_precision`)."""
    default = definitions.percent_precision
    return [pl.col("percent_decimals").fill_null(default.decimals).cast(pl.Int8),
            pl.col("percent_fixed").fill_null(default.fixed)]


def _stack(frames: list[pl.DataFrame], key: list[str]) -> pl.DataFrame:
    if not frames:
        return pl.DataFrame(schema={**{k: pl.String for k in key}, "value": pl.Float64,
                                    "vintage_rank": pl.Int8, "source": pl.String,
                                    "coverage_end": pl.Date, "origin": pl.String})
    return pl.concat(frames, how="diagonal_relaxed")


def _indicator_meta(definitions: Definitions) -> pl.DataFrame:
    inds = definitions.indicators
    return pl.DataFrame({
        "indicator": [i.code for i in inds],
        "indicator_name": [i.name for i in inds],
        "short_name": [i.short_name for i in inds],
        "measure": [i.unit for i in inds],
        "type": [i.type.value for i in inds],
        "time": [i.time.value for i in inds],
        "direction_comparator": [i.direction.comparator.value for i in inds],
        "decimals": [i.decimals for i in inds],
        "decimals_fixed": [i.decimals_fixed for i in inds],
    }, schema_overrides={"short_name": pl.String, "measure": pl.String,
                         "decimals_fixed": pl.Boolean})


def _groups(
    definitions: Definitions, period: Period, selected: list[str], targets: pl.DataFrame
) -> pl.DataFrame:
    outline = {code: i for i, code in enumerate(
        i.group for s in definitions.report.sections for i in s.items if i.group)}
    chosen = set(selected)
    fits = {code: Period.parse(code).contains(period) for code in {g.period for g in
                                                                   definitions.groups}}
    groups = sorted(
        (g for g in definitions.groups if g.unit in chosen and fits[g.period]),
        key=lambda g: outline.get(g.code, len(outline)),
    )
    info = pl.DataFrame({
        "group": [g.code for g in groups],
        "name": [g.title(period) for g in groups],
        "unit": [g.unit for g in groups],
        "period": [g.period for g in groups],
        "basis": [g.basis for g in groups],
        "issuer": [g.issuer for g in groups],
    }, schema={"group": pl.String, "name": pl.String, "unit": pl.String, "period": pl.String,
               "basis": pl.String, "issuer": pl.String})
    counts = group_counts(definitions.members, targets)
    joined = info.join(counts, on="group", how="left")
    return joined.with_columns(  # a group none of whose targets is evaluated counts zeros
        pl.col(pl.UInt32, pl.Int64, pl.Int32).fill_null(0),
        pl.col(pl.List(pl.String)).fill_null([]),
    )
