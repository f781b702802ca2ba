"""The engine's input: validated definitions, with observations and targets as Polars frames."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import polars as pl

from tieuchi.domain.bases import PLAN, Basis, basis_catalogue
from tieuchi.domain.criteria import CriteriaSet
from tieuchi.domain.datasets import DataSet, default_datasets
from tieuchi.domain.indicators import Indicator
from tieuchi.domain.narrative import Narrative
from tieuchi.domain.periods import Period, PeriodError
from tieuchi.domain.precision import Precision, nearest_precision
from tieuchi.domain.project import Project, ReportOutline
from tieuchi.domain.ruleset import VINTAGE_RANK
from tieuchi.domain.status import Vintage
from tieuchi.domain.targets import Target, TargetGroup
from tieuchi.domain.units import Level, Unit

__all__ = [
    "Definitions",
    "OBSERVATION_SCHEMA",
    "TARGET_SCHEMA",
    "MEMBER_SCHEMA",
    "PERIOD_SCHEMA",
    "observation_frame",
    "target_frame",
    "period_frame",
]

OBSERVATION_SCHEMA: dict[str, Any] = {
    "unit": pl.String,
    "indicator": pl.String,
    "period": pl.String,
    "vintage": pl.String,
    "value": pl.Float64,
    "source": pl.String,
    "recorded_at": pl.String,
    "note": pl.String,  # the figure's "Ghi chú"
}

TARGET_SCHEMA: dict[str, Any] = {
    "key": pl.String,
    "unit": pl.String,
    "indicator": pl.String,
    "period": pl.String,
    "comparator": pl.String,
    "value": pl.Float64,
    "value_high": pl.Float64,
    "relative": pl.String,
    "relative_value": pl.Float64,
    "baseline": pl.String,
    "baseline_value": pl.Float64,
    "tolerance": pl.Float64,
    "basis": pl.String,
    "issuer": pl.String,
    "document": pl.String,
    "name": pl.String,
    "compare": pl.String,
    "excess": pl.String,
    "percent_decimals": pl.Int8,  # as written on the target or its group; null: inherited
    "percent_fixed": pl.Boolean,
    "allocation": pl.String,  # the allocation rule as written; null: by the comparator
}

MEMBER_SCHEMA: dict[str, Any] = {"group": pl.String, "key": pl.String, "position": pl.Int32}

PERIOD_SCHEMA: dict[str, Any] = {
    "period": pl.String,
    "start": pl.Date,
    "end": pl.Date,
    "kind": pl.String,
    "granularity": pl.Int8,
    "months": pl.Int32,
}


def period_frame(codes: Iterable[str]) -> pl.DataFrame:
    """One row per distinct period code: its dates, kind and size. A code that is no period
    has no row: rows joined to it have no dates, so no period takes them (a database may hold
    figures written before the years were bounded, such as year 1000)."""
    periods = [p for p in map(_readable, sorted(set(codes))) if p is not None]
    return pl.DataFrame(
        {
            "period": [p.code for p in periods],
            "start": [p.start for p in periods],
            "end": [p.end for p in periods],
            "kind": [p.kind.value for p in periods],
            "granularity": [p.kind.granularity for p in periods],
            "months": [p.month_count for p in periods],
        },
        schema=PERIOD_SCHEMA,
    )


def _readable(code: str) -> Period | None:
    try:
        return Period.parse(code)
    except PeriodError:
        return None


def observation_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Observations with their period's dates and their vintage's rank added."""
    frame = frame.select(
        [pl.col(c).cast(t) if c in frame.columns else pl.lit(None, t).alias(c)
         for c, t in OBSERVATION_SCHEMA.items()]
    ).with_columns(pl.col("vintage").fill_null(Vintage.OFFICIAL.value))
    periods = period_frame(frame.get_column("period").unique().to_list())
    return frame.join(periods, on="period", how="left").with_columns(
        pl.col("vintage").replace_strict(VINTAGE_RANK, return_dtype=pl.Int8).alias("vintage_rank"),
        # An index of (unit, indicator, period), made once: the engine finds the figures given
        # in several vintages with it.
        pl.struct("unit", "indicator", "period").hash().alias("key_hash"),
    )


def target_frame(targets: Iterable[Target]) -> pl.DataFrame:
    """Targets (with unit and period resolved) as rows of :data:`TARGET_SCHEMA`."""
    rows = []
    for t in targets:
        low, high = t.threshold
        relative = t.relative
        rows.append({
            "key": t.key,
            "unit": t.unit,
            "indicator": t.indicator,
            "period": t.period,
            "comparator": t.comparator.value if t.comparator else None,
            "value": low,
            "value_high": high,
            "relative": relative.value if relative else None,
            "relative_value": getattr(t, relative.value) if relative else None,
            "baseline": t.baseline,
            "baseline_value": t.baseline_value,
            "tolerance": t.tolerance,
            "basis": t.basis or PLAN,
            "issuer": t.issuer,
            "document": t.document,
            "name": t.name,
            "compare": t.compare.value if t.compare else None,
            "excess": t.excess.value if t.excess else None,
            "percent_decimals": t.percent_decimals,
            "percent_fixed": t.percent_fixed,
            "allocation": t.allocation,
        })
    return pl.DataFrame(rows, schema=TARGET_SCHEMA)


@dataclass(frozen=True)
class Definitions:
    """Everything the engine evaluates: catalogues, hierarchy, targets, criteria, data."""

    project: Project
    levels: tuple[Level, ...]
    units: tuple[Unit, ...]
    indicators: tuple[Indicator, ...]
    groups: tuple[TargetGroup, ...]
    criteria_sets: tuple[CriteriaSet, ...]
    targets: pl.DataFrame  # TARGET_SCHEMA
    members: pl.DataFrame  # MEMBER_SCHEMA: which targets each group counts
    observations: pl.DataFrame  # observation_frame()
    report: ReportOutline = field(default_factory=ReportOutline)
    datasets: tuple[DataSet, ...] = ()
    bases: tuple[Basis, ...] = ()  # the folder's own; the built-in ones are always there

    @cached_property
    def basis_by_code(self) -> dict[str, Basis]:
        """The catalogue of bases: the built-in ones, with the folder's own."""
        return basis_catalogue(self.bases)

    def basis(self, code: str | None) -> Basis:
        """A target's basis; the plan's for a code the catalogue lacks (a store's target of
        a basis since dropped)."""
        catalogue = self.basis_by_code
        return catalogue.get(code or PLAN) or catalogue[PLAN]

    @cached_property
    def percent_precision(self) -> Precision:
        """The report's precision of percentages: the report outline's, else the
        project's, else the default (a target or its group may give its own)."""
        return nearest_precision(self.report, self.project)

    # The narratives written in the folder (narrative/{unit}/{period}.md), by unit and period.
    narratives: tuple[Narrative, ...] = ()

    def narrative(self, unit: str, period: str) -> Narrative:
        """The folder's narrative of ``unit`` for ``period`` (empty when it has none)."""
        return next((n for n in self.narratives if n.unit == unit and n.period == period),
                    Narrative(unit, period))

    @cached_property
    def data_sets(self) -> tuple[DataSet, ...]:
        """The data sets to enter data with: those defined, else one with every indicator
        that is entered rather than derived."""
        return self.datasets or default_datasets(self.indicators)

    @cached_property
    def unit_by_code(self) -> dict[str, Unit]:
        return {u.code: u for u in self.units}

    @cached_property
    def indicator_by_code(self) -> dict[str, Indicator]:
        return {i.code: i for i in self.indicators}

    @cached_property
    def level_by_code(self) -> dict[str, Level]:
        return {lv.code: lv for lv in self.levels}

    @cached_property
    def group_by_code(self) -> dict[str, TargetGroup]:
        return {g.code: g for g in self.groups}

    @cached_property
    def set_by_code(self) -> dict[str, CriteriaSet]:
        return {s.code: s for s in self.criteria_sets}

    @cached_property
    def children(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for u in self.units:
            if u.parent:
                out.setdefault(u.parent, []).append(u.code)
        return out

    def descendants(self, code: str) -> list[str]:
        """All units below ``code``, depth first."""
        found: list[str] = []
        stack = list(reversed(self.children.get(code, [])))
        while stack:
            c = stack.pop()
            found.append(c)
            stack.extend(reversed(self.children.get(c, [])))
        return found
