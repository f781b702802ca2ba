"""Criteria sets: every condition of every applied unit at once, then criteria, then sets.

Set rules are a registry keyed by :class:`~tieuchi.domain.criteria.RuleKind`, each a Polars
expression over the per-unit counts (``met``, ``total``, ``mandatory_missed``,
``optional_met``, ``score``) and the rule's value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import polars as pl

from tieuchi.domain.bundle import Definitions
from tieuchi.domain.criteria import CriteriaSet, RuleKind
from tieuchi.domain.indicators import Rollup
from tieuchi.domain.periods import Period
from tieuchi.domain.status import Comparator, Status
from tieuchi.engine.comparators import STATUS, passes_expr, status_expr
from tieuchi.engine.values import VALUE_SCHEMA

__all__ = ["SET_RULES", "SetResults", "evaluate_sets", "set_order"]

SetRuleExpr = Callable[[pl.Expr], pl.Expr]

SET_RULES: dict[RuleKind, SetRuleExpr] = {
    RuleKind.ALL: lambda v: pl.col("met") == pl.col("total"),
    RuleKind.AT_LEAST: lambda v: pl.col("met") >= v,
    RuleKind.AT_LEAST_SHARE: lambda v: pl.col("met") * 100 >= v * pl.col("total"),
    RuleKind.MANDATORY_PLUS: lambda v: (pl.col("mandatory_missed") == 0)
    & (pl.col("optional_met") >= v),
    RuleKind.SCORE_AT_LEAST: lambda v: pl.col("score") >= v,
}

CONDITION_SCHEMA: dict[Any, Any] = {
    "set": pl.String, "criterion": pl.String, "criterion_name": pl.String,
    "position": pl.Int32, "condition": pl.Int32, "indicator": pl.String,
    "ref_set": pl.String, "comparator": pl.String, "dim": pl.String,
    "threshold": pl.Float64, "threshold_high": pl.Float64, "tolerance": pl.Float64,
    "needed": pl.Int32, "mandatory": pl.Boolean, "score": pl.Float64,
    "label": pl.String,
}
DEFAULT_DIM = "default"


@dataclass(frozen=True)
class SetResults:
    sets: pl.DataFrame  # unit, set, passed, met, total, score, unmet
    criteria: pl.DataFrame  # unit, set, criterion, criterion_name, position, met, ...
    conditions: pl.DataFrame  # unit, set, criterion, condition, indicator, value, status, ...
    summaries: pl.DataFrame  # unit (an ancestor), set, total, passed, passed_units, ...


def set_order(definitions: Definitions) -> list[CriteriaSet]:
    """Sets after the sets they depend on (through conditions or count-passing indicators)."""
    by_code = definitions.set_by_code
    order: list[CriteriaSet] = []
    done: set[str] = set()

    def deps(cset: CriteriaSet) -> list[str]:
        found = []
        for criterion in cset.criteria:
            for condition in criterion.conditions:
                if condition.set:
                    found.append(condition.set)
                ind = definitions.indicator_by_code.get(condition.indicator or "")
                if ind is not None and ind.criteria_set:
                    found.append(ind.criteria_set)
        return found

    def visit(cset: CriteriaSet, path: tuple[str, ...]) -> None:
        if cset.code in done or cset.code in path:
            return
        for dep in deps(cset):
            if dep in by_code:
                visit(by_code[dep], (*path, cset.code))
        done.add(cset.code)
        order.append(cset)

    for cset in definitions.criteria_sets:
        visit(cset, ())
    return order


def _condition_rows(cset: CriteriaSet) -> pl.DataFrame:
    """One row per condition and dimension value of its thresholds (few rows: a catalogue)."""
    rows = []
    for position, criterion in enumerate(cset.criteria):
        needed = criterion.at_least or len(criterion.conditions)
        for index, condition in enumerate(criterion.conditions):
            comparator = condition.comparator or Comparator.YES
            low, high = condition.threshold
            dims: set[str] = set()
            for t in (low, high):
                if isinstance(t, dict):
                    dims.update(t)
            for dim in sorted(dims) or [DEFAULT_DIM]:
                rows.append({
                    "set": cset.code, "criterion": criterion.code,
                    "criterion_name": criterion.name, "position": position,
                    "condition": index, "indicator": condition.indicator,
                    "ref_set": condition.set, "comparator": comparator.value, "dim": dim,
                    "threshold": low.get(dim) if isinstance(low, dict) else low,
                    "threshold_high": high.get(dim) if isinstance(high, dict) else high,
                    "tolerance": condition.tolerance, "needed": needed,
                    "mandatory": criterion.mandatory, "score": criterion.score,
                    "label": condition.label,
                })
    return pl.DataFrame(rows, schema=CONDITION_SCHEMA)


def applied_units(cset: CriteriaSet, hierarchy: pl.DataFrame) -> pl.DataFrame:
    """The units (code, dimension value) a set is evaluated for."""
    rule = cset.applies_to
    chosen = pl.col("unit").is_in(list(rule.units)) if rule.units else (
        pl.col("level") == rule.level if rule.level else pl.lit(True)
    )
    if rule.kinds:
        chosen = chosen & pl.col("kind").is_in(list(rule.kinds))
    for key, value in rule.where.items():
        chosen = chosen & (pl.col("attributes").struct.field(key) == value
                           if key in _attribute_keys(hierarchy) else pl.lit(False))
    dim = (
        pl.col("attributes").struct.field(cset.dimension)
        if cset.dimension and cset.dimension in _attribute_keys(hierarchy)
        else pl.lit(None, pl.String)
    )
    return hierarchy.filter(chosen).select("unit", dim.alias("dim"))


def _attribute_keys(hierarchy: pl.DataFrame) -> list[str]:
    dtype = hierarchy.schema["attributes"]
    return [f.name for f in dtype.fields] if isinstance(dtype, pl.Struct) else []


def evaluate_sets(
    definitions: Definitions, period: Period, values: pl.DataFrame, hierarchy: pl.DataFrame,
    closure: pl.DataFrame,
) -> tuple[SetResults, pl.DataFrame]:
    """Evaluate every effective set for ``period``; return the results and the values with
    the count-passing and share-passing indicators added."""
    sets, criteria, conditions, summaries = [], [], [], []
    passed = pl.DataFrame(schema={"unit": pl.String, "set": pl.String, "passed": pl.Boolean})
    for cset in set_order(definitions):
        if not cset.is_effective(period.start, period.end):
            continue
        units = applied_units(cset, hierarchy)
        cond, crit, result = _evaluate_set(cset, units, values, passed)
        conditions.append(cond)
        criteria.append(crit)
        sets.append(result)
        passed = pl.concat([passed, result.select("unit", "set", "passed")])
        summaries.append(_summaries(cset, result, closure, hierarchy))
        made = _derived(definitions, cset, result, hierarchy, closure)
        # The count is computed from the set: it replaces any figure given for it.
        values = pl.concat([values.join(made.select("unit", "indicator"),
                                        on=["unit", "indicator"], how="anti"), made])
    if not sets and definitions.criteria_sets:
        # No set in force in the period: empty frames of the results' own columns, as the
        # pages and the report read them ("no set in force"), not frames without columns.
        cset = definitions.criteria_sets[0]
        none = applied_units(cset, hierarchy).clear()
        cond, crit, result = _evaluate_set(cset, none, values, passed)
        conditions, criteria, sets = [cond.clear()], [crit.clear()], [result.clear()]
        summaries = [_summaries(cset, result, closure, hierarchy).clear()]
    return SetResults(
        sets=_concat(sets),
        criteria=_concat(criteria),
        conditions=_concat(conditions),
        summaries=_concat(summaries),
    ), values


def _concat(frames: list[pl.DataFrame]) -> pl.DataFrame:
    return pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame()


def _evaluate_set(
    cset: CriteriaSet, units: pl.DataFrame, values: pl.DataFrame, passed: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    rows = _condition_rows(cset)
    keys = ["set", "criterion", "condition"]
    exact = units.join(rows, on="dim", how="inner")
    fallback = (
        units.join(rows.filter(pl.col("dim") == DEFAULT_DIM).drop("dim"), how="cross")
        .join(exact.select("unit", *keys), on=["unit", *keys], how="anti")
    )
    grid = pl.concat([exact, fallback.select(exact.columns)])
    refs = passed.select(pl.col("unit"), pl.col("set").alias("ref_set"),
                         pl.col("passed").cast(pl.Float64).alias("ref_value"))
    grid = (
        grid.join(values.select("unit", "indicator", "value", "source", "vintage_rank"),
                  on=["unit", "indicator"], how="left")
        .join(refs, on=["unit", "ref_set"], how="left")
        .with_columns(pl.coalesce("value", "ref_value").alias("value"))
        .drop("ref_value")
    )
    grid = grid.with_columns(
        status_expr(pl.col("comparator"), pl.col("value"), pl.col("threshold"),
                    pl.col("threshold_high"), pl.col("tolerance")).alias("status")
    ).with_columns(passes_expr(pl.col("status")).alias("passed")).sort(
        "unit", "position", "condition")
    criteria = (
        grid.group_by("unit", "set", "criterion", maintain_order=True)
        .agg(pl.col("criterion_name").first(), pl.col("position").first(),
             pl.col("passed").sum().alias("conditions_met"), pl.len().alias("condition_count"),
             pl.col("needed").first(), pl.col("mandatory").first(), pl.col("score").first(),
             (pl.col("status") == "no_data").sum().alias("conditions_missing"))
        .with_columns(
            (pl.col("conditions_missing") > 0).alias("missing_data"),
            (pl.col("conditions_met") >= pl.col("needed")).alias("met"),
        )
        .with_columns(  # not met, but the missing figures could still make it met: no data
            pl.when(pl.col("met")).then(pl.lit(Status.MET.value))
            .when(pl.col("conditions_met") + pl.col("conditions_missing") >= pl.col("needed"))
            .then(pl.lit(Status.NO_DATA.value))
            .otherwise(pl.lit(Status.NOT_MET.value)).cast(STATUS).alias("status")
        )
    )
    rule = cset.rule
    value = pl.lit(rule.value if rule.value is not None else 0.0)
    unknown = pl.col("status") == Status.NO_DATA.value
    failed = pl.col("status") == Status.NOT_MET.value
    result = (
        criteria.sort("unit", "position")
        .group_by("unit", "set", maintain_order=True)
        .agg(
            pl.col("met").sum().alias("met"),
            pl.len().alias("total"),
            unknown.sum().alias("no_data"),
            (pl.col("mandatory") & ~pl.col("met")).sum().alias("mandatory_missed"),
            (~pl.col("mandatory") & pl.col("met")).sum().alias("optional_met"),
            pl.col("score").filter(pl.col("met")).sum().alias("score"),
            (pl.col("mandatory") & unknown).sum().alias("_mandatory_unknown"),
            (~pl.col("mandatory") & unknown).sum().alias("_optional_unknown"),
            pl.col("score").filter(unknown).sum().alias("_score_unknown"),
            pl.col("criterion_name").filter(failed).alias("unmet"),
            pl.col("criterion").filter(failed).alias("unmet_codes"),
            pl.col("criterion_name").filter(unknown).alias("no_data_criteria"),
        )
    )
    # A unit that does not pass, but would if its missing figures were good, has no result
    # yet (null): it is neither counted as passing nor as failing.
    passes = SET_RULES[rule.kind](value)
    could = result.with_columns(
        pl.col("met") + pl.col("no_data"),
        pl.col("mandatory_missed") - pl.col("_mandatory_unknown"),
        pl.col("optional_met") + pl.col("_optional_unknown"),
        pl.col("score") + pl.col("_score_unknown"),
    ).select(passes.alias("could")).to_series()
    result = result.with_columns(
        pl.when(passes).then(True).when(pl.lit(could)).then(None).otherwise(False)
        .alias("passed")
    ).drop("_mandatory_unknown", "_optional_unknown", "_score_unknown")
    return grid, criteria, result


def _summaries(
    cset: CriteriaSet, result: pl.DataFrame, closure: pl.DataFrame, hierarchy: pl.DataFrame
) -> pl.DataFrame:
    """For each unit above the applied ones: how many pass, which, and the fewest met."""
    names = hierarchy.select("unit", "name")
    return (
        result.join(names, on="unit")
        .join(closure, left_on="unit", right_on="descendant")
        .sort("ancestor", "position_in_tree")
        .group_by("ancestor", maintain_order=True)
        .agg(
            pl.len().alias("total"),
            pl.col("passed").sum().alias("passed"),
            pl.col("passed").is_null().sum().alias("no_data"),
            pl.col("name").filter(pl.col("passed")).alias("passed_units"),
            pl.col("name").filter(pl.col("passed").not_()).alias("failed_units"),
            pl.col("name").filter(pl.col("passed").is_null()).alias("no_data_units"),
            pl.col("met").min().alias("min_met"),
            pl.col("total").max().alias("criteria"),
        )
        .rename({"ancestor": "unit"})
        .with_columns(pl.lit(cset.code).alias("set"))
    )


def _derived(
    definitions: Definitions, cset: CriteriaSet, result: pl.DataFrame, hierarchy: pl.DataFrame,
    closure: pl.DataFrame,
) -> pl.DataFrame:
    """Values of the indicators that count (or take the share of) units passing ``cset``."""
    frames = []
    levels = hierarchy.select("unit", "level")
    for ind in definitions.indicators:
        if ind.criteria_set != cset.code:
            continue
        scope = result.join(levels, on="unit")
        if ind.of_level:
            scope = scope.filter(pl.col("level") == ind.of_level)
        counted = (
            scope.join(closure, left_on="unit", right_on="descendant")
            .group_by("ancestor")
            .agg(pl.col("passed").sum().cast(pl.Float64).alias("n"), pl.len().alias("of"),
                 pl.col("passed").is_null().any().alias("unknown"))
        )
        # Units without a result yet leave the count unknown, not zero.
        value = pl.when(pl.col("unknown")).then(None).otherwise(
            pl.col("n") if ind.rollup is Rollup.COUNT_PASSING
            else pl.col("n") / pl.col("of") * 100)
        frames.append(counted.select(
            pl.col("ancestor").alias("unit"), pl.lit(ind.code).alias("indicator"),
            value.alias("value"), pl.lit(None, pl.Int8).alias("vintage_rank"),
            pl.lit(f"bộ tiêu chí {cset.code}").alias("source"),
            pl.lit(None, pl.Date).alias("coverage_end"), pl.lit("derived").alias("origin"),
        ).cast(VALUE_SCHEMA))
    return pl.concat(frames) if frames else pl.DataFrame(schema=VALUE_SCHEMA)
