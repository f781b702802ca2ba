"""What an import would change, checked before anything is written, then written at once.

A :class:`Plan` is the figures a file changes, as a Polars frame with the place of each (sheet
and cell, file and line), the figure held now and the new one. :func:`check` asks the store's
rules about every entry without writing (unknown codes, value ranges, computed indicators,
closed data sets); :func:`apply` writes the whole plan with one ``store.figures.write``, so the
workflow locks and the audit log apply and a file with one refused figure writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from tieuchi.app import Actor, App
from tieuchi.domain.problems import Problem, ProblemError
from tieuchi.store import Entry, Store

__all__ = ["CHANGE_SCHEMA", "Change", "Plan", "check", "apply", "from_store_problems",
           "plan_observations"]

CHANGE_SCHEMA: dict[str, Any] = {
    "place": pl.String,
    "unit": pl.String,
    "indicator": pl.String,
    "period": pl.String,
    "vintage": pl.String,  # the vintage written, or deleted
    "value": pl.Float64,  # the new value; null deletes the figure
    "source": pl.String,  # null keeps the source held
    "old": pl.Float64,  # the figure held now (null: none)
    "old_vintage": pl.String,
    "old_source": pl.String,
    "note": pl.String,
}


@dataclass(frozen=True)
class Change:
    """One figure a file changes."""

    place: str
    unit: str
    indicator: str
    period: str
    vintage: str
    value: float | None
    source: str | None
    old: float | None
    old_vintage: str | None
    old_source: str | None
    note: str | None

    @property
    def action(self) -> str:
        """add, change or delete."""
        if self.value is None:
            return "delete"
        return "add" if self.old is None else "change"

    def entry(self) -> Entry:
        return Entry(self.unit, self.indicator, self.period, self.value, self.vintage,
                     self.source, note=self.note)


@dataclass(frozen=True)
class Plan:
    """The changes a file makes (:data:`CHANGE_SCHEMA`), and warnings worth reading first."""

    file: str
    frame: pl.DataFrame
    warnings: tuple[Problem, ...] = field(default=())

    @classmethod
    def of(cls, file: str, rows: Sequence[dict[str, Any]],
           warnings: Sequence[Problem] = ()) -> Plan:
        frame = pl.DataFrame([{c: r.get(c) for c in CHANGE_SCHEMA} for r in rows],
                             schema=CHANGE_SCHEMA)
        return cls(file, frame, tuple(warnings))

    def __len__(self) -> int:
        return self.frame.height

    def changes(self, limit: int | None = None) -> list[Change]:
        frame = self.frame if limit is None else self.frame.head(limit)
        return [Change(**row) for row in frame.iter_rows(named=True)]

    def entries(self) -> list[Entry]:
        return [Entry(u, i, p, v, vin, s, note=n) for u, i, p, vin, v, s, n in self.frame.select(
            "unit", "indicator", "period", "vintage", "value", "source", "note").iter_rows()]

    @property
    def places(self) -> list[str]:
        return self.frame.get_column("place").to_list()

    @property
    def units(self) -> list[str]:
        return sorted(self.frame.get_column("unit").unique().to_list())

    def counts(self) -> dict[str, int]:
        """How many figures are added, changed and deleted."""
        value, old = pl.col("value"), pl.col("old")
        counted = self.frame.select(
            add=(value.is_not_null() & old.is_null()).sum(),
            change=(value.is_not_null() & old.is_not_null()).sum(),
            delete=value.is_null().sum())
        return {k: int(v) for k, v in counted.row(0, named=True).items()}


def plan_observations(store: Store, frame: pl.DataFrame, file: str) -> Plan:
    """The figures of ``frame`` (place, unit, indicator, period, vintage, value, source and,
    when given, note) that differ from those the store holds for the same unit, indicator,
    period and vintage; a source or a note left empty keeps the one held."""
    keys = ["unit", "indicator", "period", "vintage"]
    if "note" not in frame.columns:
        frame = frame.with_columns(pl.lit(None, pl.String).alias("note"))
    units = frame.get_column("unit").unique().to_list()
    periods = frame.get_column("period").unique().to_list()
    now = store.figures.held(units, periods).select(
        *keys, pl.col("value").alias("old"), pl.col("source").alias("old_source"),
        pl.col("note").alias("old_note"))
    joined = frame.join(now, on=keys, how="left", maintain_order="left")
    changed = joined.filter(
        pl.col("old").is_null() | (pl.col("value") != pl.col("old"))
        | (pl.col("source").is_not_null()
           & (pl.col("source") != pl.col("old_source")).fill_null(True))
        | (pl.col("note").is_not_null()
           & (pl.col("note") != pl.col("old_note")).fill_null(True)))
    return Plan(file, changed.select(
        "place", *keys, "value", "source", "old",
        pl.when(pl.col("old").is_not_null()).then(pl.col("vintage")).alias("old_vintage"),
        "old_source", "note").cast(pl.Schema(CHANGE_SCHEMA)))


def from_store_problems(problems: Sequence[Problem], places: Sequence[str],
                        file: str) -> list[Problem]:
    """The store's refusals, each at the place of the entry it is about."""
    return [p.placed(places, file) for p in problems]


def check(store: Store, plan: Plan) -> list[Problem]:
    """Every entry the store would refuse, without writing anything (``store.figures.check``,
    the checks ``store.figures.write`` makes)."""
    if not len(plan):
        return []
    return from_store_problems(store.figures.check(plan.entries()), plan.places, plan.file)


def apply(app: App, plan: Plan, *, actor: Actor, reason: str | None = None) -> int:
    """Write the plan with the application's command (:meth:`App.write_figures`): all or
    nothing. Returns how many figures changed; raises :class:`ProblemError` with the store's
    refusals at their places (and lets a refusal of the actor's scope, 403, through)."""
    if not len(plan):
        return 0
    try:
        return app.write_figures(actor, plan.entries(), reason=reason)
    except ProblemError as error:
        if error.status == 403:
            raise
        raise ProblemError(from_store_problems(error.problems, plan.places,
                                                plan.file)) from None
