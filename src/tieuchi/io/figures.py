"""What the imports and exports read from the store, in bulk and as Polars frames.

These reads are not (yet) methods of :class:`~tieuchi.store.Store`: they use its session and
tables directly, each in one transaction, in chunks of units so that a province's file does
not make one query per figure. They belong in the store (see ``docs/exchange.md``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import polars as pl
from sqlalchemy import select

from tieuchi.domain.datasets import DataSet
from tieuchi.domain.periods import Period
from tieuchi.domain.ruleset import VINTAGE_RANK, best_vintage
from tieuchi.domain.units import Unit
from tieuchi.store import Store
from tieuchi.store.tables import ObservationRow, TargetRow, UnitRow

__all__ = ["HELD_SCHEMA", "units_under", "known_units", "held", "within", "best",
           "datasets_by_level", "targets_by_key", "VINTAGE_RANK"]

HELD_SCHEMA: dict[str, Any] = {
    "unit": pl.String, "indicator": pl.String, "period": pl.String, "vintage": pl.String,
    "value": pl.Float64, "source": pl.String, "changed_by": pl.String,
    "changed_at": pl.String,
}
_CHUNK = 500


def _chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start:start + _CHUNK]


def units_under(store: Store, root: str | None) -> list[Unit]:
    """``root`` and every unit below it (the whole hierarchy when None), in the order of
    the definitions."""
    with store.session() as s:
        rows = {r.code: r for r in s.scalars(select(UnitRow).order_by(UnitRow.position))}
    if root is None:
        return [Unit.model_validate(r.doc) for r in rows.values()]
    if root not in rows:
        return []
    below: dict[str | None, list[str]] = {}
    for r in rows.values():
        below.setdefault(r.parent, []).append(r.code)
    found, stack = [], [root]
    while stack:
        code = stack.pop()
        found.append(code)
        stack.extend(reversed(below.get(code, [])))
    order = {code: i for i, code in enumerate(rows)}
    return [Unit.model_validate(rows[c].doc) for c in sorted(found, key=order.__getitem__)]


def known_units(store: Store, codes: Iterable[str]) -> set[str]:
    """Those of ``codes`` that are units of the hierarchy."""
    wanted = sorted(set(codes))
    found: set[str] = set()
    with store.session() as s:
        for chunk in _chunks(wanted):
            found.update(s.scalars(select(UnitRow.code).where(UnitRow.code.in_(chunk))))
    return found


def held(store: Store, units: Iterable[str], periods: Iterable[str] | None = None,
         ) -> pl.DataFrame:
    """Every figure the store holds for ``units`` (for ``periods`` only, when given), every
    vintage, as a frame of :data:`HELD_SCHEMA`, in the order they were first written;
    ``changed_at`` is UTC, written ``2023-12-12T03:04:05.000``."""
    wanted = sorted(set(units))
    chosen = sorted(set(periods)) if periods is not None else None
    columns = [ObservationRow.id, *(getattr(ObservationRow, c) for c in HELD_SCHEMA)]
    frames = []
    with store.session() as s:
        for chunk in _chunks(wanted):
            query = select(*columns).where(ObservationRow.unit.in_(chunk))
            if chosen is not None:
                query = query.where(ObservationRow.period.in_(chosen))
            frames.append(_utc(pl.read_database(query, connection=s.connection())))
    if not frames:
        return pl.DataFrame(schema=HELD_SCHEMA)
    return pl.concat(frames).sort("id").select(
        pl.col(c).cast(t) for c, t in HELD_SCHEMA.items())


def _utc(frame: pl.DataFrame) -> pl.DataFrame:
    """``changed_at`` as text in UTC (SQLite gives times back without their time zone,
    PostgreSQL with it)."""
    stamp = pl.col("changed_at")
    kind = frame.schema["changed_at"]
    if isinstance(kind, pl.Datetime):
        if kind.time_zone is not None:
            stamp = stamp.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
        stamp = stamp.dt.strftime("%Y-%m-%dT%H:%M:%S%.3f")
    return frame.with_columns(stamp.cast(pl.String))


def within(frame: pl.DataFrame, period: Period) -> pl.DataFrame:
    """The rows whose period lies within ``period`` (2023-Q3 and 2023-05 are within 2023)."""
    inside: list[str] = []
    for code in frame.get_column("period").unique().to_list():
        try:
            if period.contains(Period.parse(code)):
                inside.append(code)
        except ValueError:
            continue
    return frame.filter(pl.col("period").is_in(inside))


def best(frame: pl.DataFrame) -> pl.DataFrame:
    """One row per unit, indicator and period: the best vintage (the domain's
    :func:`~tieuchi.domain.ruleset.best_vintage`), in the frame's order."""
    ranked = frame.with_columns(
        pl.col("vintage").replace_strict(VINTAGE_RANK, default=-1, return_dtype=pl.Int8)
        .alias("vintage_rank"), pl.int_range(pl.len()).alias("_order"))
    return (best_vintage(ranked, ["unit", "indicator", "period"])
            .sort("_order").drop("vintage_rank", "_order"))


def datasets_by_level(store: Store, units: Sequence[Unit]) -> dict[str, list[DataSet]]:
    """The data sets each level of ``units`` reports (one store query per level)."""
    found: dict[str, list[DataSet]] = {}
    for unit in units:
        if unit.level not in found:
            found[unit.level] = store.datasets_for(unit.code)
    return found


def targets_by_key(store: Store, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The targets (rows of TARGET_SCHEMA) the store holds under ``keys``."""
    wanted = sorted(set(keys))
    found: dict[str, dict[str, Any]] = {}
    with store.session() as s:
        for chunk in _chunks(wanted):
            found.update((r.key, dict(r.doc)) for r in s.scalars(
                select(TargetRow).where(TargetRow.key.in_(chunk))))
    return found
