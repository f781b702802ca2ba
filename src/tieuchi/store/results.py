"""The read model's storage: evaluation results per unit and period, and the versions of the
data they were computed from.

Every write (figures, targets, a load) calls :func:`stamp` inside its transaction: the data
version counts up, and the units written to and every unit above them take the new version.
A stored result is fresh while its version is at least its unit's: a write the result does
not know of makes it stale, whichever worker reads it next. The results themselves are
computed by the application (:mod:`tieuchi.app.readmodel`); the store only keeps them.

A result that is one write behind can be brought up to date by re-evaluating only what that
write changed (:meth:`~tieuchi.app.readmodel.ReadModel.refresh`). So that a patched result
never skips a write, :func:`stamp` marks (version ``-1``) the kept results of the units it
touches that were stale already: a result left unmarked with a version below its unit's
missed exactly one write. :func:`patch` saves a patched result only over the very version
it was made from (compare and swap); anything else is computed again in full.

A load may change the definitions themselves (units, indicators, groups, sets):
:func:`stamp_all` marks every result and records the version as the *definitions version*
(the ``data_version`` row :data:`DEFINITIONS`), which workers key their cached definitions on.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import polars as pl
from sqlalchemy import Text, cast, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from tieuchi.domain.bundle import (
    MEMBER_SCHEMA,
    OBSERVATION_SCHEMA,
    TARGET_SCHEMA,
    observation_frame,
)
from tieuchi.store import bulk
from tieuchi.store.tables import (
    DataVersionRow,
    ObservationRow,
    ResultRow,
    TargetRow,
    UnitRow,
    UnitVersionRow,
)
from tieuchi.store.unit_of_work import Repository, now

__all__ = ["Results", "StoredResult", "Kept", "DATA", "DEFINITIONS", "stamp",
           "stamp_all", "unit_version", "versions", "stored", "save", "patch", "kept_for", "kept",
           "figures_of", "targets_of", "members_of"]

DATA, DEFINITIONS = 1, 2
"""The rows of ``data_version``: the version of the data (every write counts it up), and the
version of the last load (definitions may have changed)."""

STALE = -1  # the version of a result marked as more than one write behind


@dataclass(frozen=True)
class StoredResult:
    unit: str
    period: str
    version: int
    as_of: date
    payload: bytes


@dataclass(frozen=True)
class Kept:
    """A kept result without its payload."""

    unit: str
    period: str
    version: int
    as_of: date


def _next_version(s: Session) -> int:
    found = s.execute(update(DataVersionRow).where(DataVersionRow.id == DATA)
                      .values(version=DataVersionRow.version + 1)
                      .returning(DataVersionRow.version)).scalar()
    if found is None:
        s.add(DataVersionRow(id=DATA, version=1))
        s.flush()
        return 1
    return int(found)


def _upsert(s: Session, table: type[ResultRow] | type[UnitVersionRow] | type[DataVersionRow],
            rows: list[dict[str, object]], keys: Sequence[str], guard: bool = False) -> None:
    """Insert ``rows``, replacing the rows with the same ``keys``; with ``guard`` only by a
    row of a version at least as new."""
    if not rows:
        return
    insert = pg_insert if s.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(table).values(rows)
    columns = {c: statement.excluded[c] for c in rows[0] if c not in keys}
    where = (table.version <= statement.excluded.version) if guard else None
    s.execute(statement.on_conflict_do_update(index_elements=list(keys), set_=columns,
                                              where=where))


def _ancestry(s: Session, units: Iterable[str]) -> set[str]:
    """The units and every unit above them."""
    parents: dict[str, str | None] = {code: parent for code, parent in s.execute(
        select(UnitRow.code, UnitRow.parent))}
    found: set[str] = set()
    for unit in units:
        current: str | None = unit
        while current is not None and current not in found:
            found.add(current)
            current = parents.get(current)
    return found


def stamp(s: Session, units: Iterable[str]) -> int:
    """A new data version for a write to ``units``, in the writing transaction ``s``: the
    units and their ancestors take it. Returns the version."""
    version = _next_version(s)
    touched = sorted(_ancestry(s, units))
    for start in range(0, len(touched), 500):
        chunk = touched[start:start + 500]
        held = (select(UnitVersionRow.version).where(UnitVersionRow.unit == ResultRow.unit)
                .scalar_subquery())
        s.execute(update(ResultRow).where(ResultRow.unit.in_(chunk), ResultRow.version < held)
                  .values(version=STALE))
        _upsert(s, UnitVersionRow, [{"unit": u, "version": version} for u in chunk], ["unit"])
    return version


def stamp_all(s: Session) -> int:
    """A new data version for a write that may change every unit and the definitions (a
    load): every kept result is marked, and the version becomes the definitions version."""
    s.execute(update(ResultRow).values(version=STALE))
    version = stamp(s, s.scalars(select(UnitRow.code)).all())
    _upsert(s, DataVersionRow, [{"id": DEFINITIONS, "version": version}], ["id"])
    return version


def unit_version(s: Session, unit: str) -> int:
    """The version of the last write that can change ``unit``'s results (0: none yet)."""
    return versions(s, unit)[0]


def versions(s: Session, unit: str) -> tuple[int, int]:
    """``unit``'s version and the definitions version (0: none yet), in one query."""
    found = s.execute(select(
        select(UnitVersionRow.version).where(UnitVersionRow.unit == unit).scalar_subquery(),
        select(DataVersionRow.version).where(DataVersionRow.id == DEFINITIONS)
        .scalar_subquery())).one()
    return int(found[0] or 0), int(found[1] or 0)


def stored(s: Session, unit: str, period: str) -> StoredResult | None:
    row = s.get(ResultRow, (unit, period))
    if row is None:
        return None
    return StoredResult(row.unit, row.period, row.version, row.as_of, row.payload)


def save(s: Session, result: StoredResult, at: datetime) -> None:
    """Keep ``result``, unless a result computed from newer data is kept already."""
    _upsert(s, ResultRow, [{"unit": result.unit, "period": result.period,
                            "version": result.version, "as_of": result.as_of,
                            "computed_at": at, "payload": result.payload}],
            ["unit", "period"], guard=True)


def patch(s: Session, result: StoredResult, base: int, at: datetime) -> bool:
    """Keep ``result`` in place of the kept result it was patched from, only while that one
    is still kept at version ``base``; whether it was."""
    done = s.execute(update(ResultRow).where(
        ResultRow.unit == result.unit, ResultRow.period == result.period,
        ResultRow.version == base).values(
        version=result.version, as_of=result.as_of, computed_at=at, payload=result.payload))
    return bool(getattr(done, "rowcount", 0))


def kept_for(s: Session, units: Iterable[str]) -> list[tuple[str, str]]:
    """(unit, period) of the results kept for ``units``."""
    return [(k.unit, k.period) for k in kept(s, units)]


def kept(s: Session, units: Iterable[str]) -> list[Kept]:
    """The results kept for ``units`` (without their payloads)."""
    chosen = sorted(set(units))
    found: list[Kept] = []
    for start in range(0, len(chosen), 500):
        found.extend(Kept(*row) for row in s.execute(
            select(ResultRow.unit, ResultRow.period, ResultRow.version, ResultRow.as_of)
            .where(ResultRow.unit.in_(chosen[start:start + 500]))))
    return found


def figures_of(s: Session, units: Sequence[str], indicators: Iterable[str]) -> pl.DataFrame:
    """The figures of ``indicators`` for ``units`` (rows of OBSERVATION_SCHEMA), in the order
    a full read gives them."""
    wanted = sorted(set(indicators))
    schema = {**OBSERVATION_SCHEMA, "id": pl.Int64}
    frames = [pl.DataFrame(schema=schema)] + [bulk.read_frame(s, select(
        *(getattr(ObservationRow, c) for c in schema)).where(
        ObservationRow.unit.in_(chunk), ObservationRow.indicator.in_(wanted)), schema)
        for chunk in _chunks(units)]
    return observation_frame(pl.concat(frames).sort("id").drop("id"))


def targets_of(s: Session, units: Sequence[str],
               indicators: Iterable[str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The targets of ``indicators`` for ``units`` (TARGET_SCHEMA) in their order, and the
    groups they are members of (MEMBER_SCHEMA)."""
    wanted = sorted(set(indicators))
    rows = _target_rows(s, [TargetRow.unit.in_(chunk) & TargetRow.indicator.in_(wanted)
                            for chunk in _chunks(units)])
    if not rows.height:
        return pl.DataFrame(schema=TARGET_SCHEMA), _members(rows)
    return (rows.select(pl.col("doc").str.json_decode(pl.Struct(TARGET_SCHEMA))).unnest("doc"),
            _members(rows))


def members_of(s: Session, groups: Iterable[str]) -> pl.DataFrame:
    """Every member of ``groups`` (MEMBER_SCHEMA)."""
    schema = {"group": pl.String, "key": pl.String, "position": pl.Int32}
    return pl.concat([pl.DataFrame(schema=schema)] + [bulk.read_frame(s, select(
        TargetRow.group.label("group"), TargetRow.key,
        TargetRow.group_position.label("position")).where(TargetRow.group.in_(chunk)), schema)
        for chunk in _chunks(sorted(set(groups)))]).cast(pl.Schema(MEMBER_SCHEMA))


def _members(rows: pl.DataFrame) -> pl.DataFrame:
    return rows.filter(pl.col("group").is_not_null()).select(
        "group", "key", pl.col("group_position").alias("position")).cast(
        pl.Schema(MEMBER_SCHEMA))


def _target_rows(s: Session, conditions: list[Any]) -> pl.DataFrame:
    schema = {"key": pl.String, "group": pl.String, "group_position": pl.Int32,
              "doc": pl.String, "position": pl.Int64}
    frames = [pl.DataFrame(schema=schema)] + [bulk.read_frame(s, select(
        TargetRow.key, TargetRow.group.label("group"), TargetRow.group_position,
        cast(TargetRow.doc, Text).label("doc"), TargetRow.position).where(condition), schema)
        for condition in conditions]
    return pl.concat(frames).sort("position").drop("position")


def _chunks(items: Sequence[str], size: int = 500) -> list[Sequence[str]]:
    return [items[start:start + size] for start in range(0, len(items), size)]


class Results(Repository):
    """The read model's rows and versions, in the shared unit of work (the functions above,
    for a caller without a session)."""

    def stamp(self, units: Iterable[str]) -> int:
        """:func:`stamp`: a new data version for a write to ``units``."""
        with self._session() as s:
            return stamp(s, units)

    def stamp_all(self) -> int:
        with self._session() as s:
            return stamp_all(s)

    def unit_version(self, unit: str) -> int:
        """The version of the last write that can change ``unit``'s results."""
        with self._session() as s:
            return unit_version(s, unit)

    def stored(self, unit: str, period: str) -> StoredResult | None:
        with self._session() as s:
            return stored(s, unit, period)

    def save(self, result: StoredResult) -> None:
        with self._session() as s:
            save(s, result, now())

    def kept_for(self, units: Iterable[str]) -> list[tuple[str, str]]:
        with self._session() as s:
            return kept_for(s, units)
