"""The read model's storage: evaluation results per unit and period, and the versions of the
data they were computed from.

Every write (figures, targets, a load) calls :func:`stamp` inside its transaction: the data
version counts up, and the units written to and every unit above them take the new version.
A stored result is fresh while its version is at least its unit's: a write the result does
not know of makes it stale, whichever worker reads it next. The results themselves are
computed by the application (:mod:`tieuchi.app.readmodel`); the store only keeps them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from tieuchi.store.tables import DataVersionRow, ResultRow, UnitRow, UnitVersionRow
from tieuchi.store.unit_of_work import Repository, now

__all__ = ["Results", "StoredResult", "stamp", "stamp_all", "unit_version", "stored", "save",
           "kept_for"]


@dataclass(frozen=True)
class StoredResult:
    unit: str
    period: str
    version: int
    as_of: date
    payload: bytes


def _next_version(s: Session) -> int:
    found = s.execute(update(DataVersionRow).where(DataVersionRow.id == 1)
                      .values(version=DataVersionRow.version + 1)
                      .returning(DataVersionRow.version)).scalar()
    if found is None:
        s.add(DataVersionRow(id=1, version=1))
        s.flush()
        return 1
    return int(found)


def _upsert(s: Session, table: type[ResultRow] | type[UnitVersionRow],
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
        _upsert(s, UnitVersionRow, [{"unit": u, "version": version}
                                    for u in touched[start:start + 500]], ["unit"])
    return version


def stamp_all(s: Session) -> int:
    """A new data version for a write that may change every unit (a load of definitions)."""
    return stamp(s, s.scalars(select(UnitRow.code)).all())


def unit_version(s: Session, unit: str) -> int:
    """The version of the last write that can change ``unit``'s results (0: none yet)."""
    return int(s.scalar(select(UnitVersionRow.version).where(UnitVersionRow.unit == unit))
               or 0)


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


def kept_for(s: Session, units: Iterable[str]) -> list[tuple[str, str]]:
    """(unit, period) of the results kept for ``units``."""
    chosen = sorted(set(units))
    found: list[tuple[str, str]] = []
    for start in range(0, len(chosen), 500):
        found.extend((unit, period) for unit, period in s.execute(
            select(ResultRow.unit, ResultRow.period).where(
                ResultRow.unit.in_(chosen[start:start + 500]))))
    return found


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
