"""The audit log: who changed what, when and why.

Single writes record one row each (:meth:`Audit.record`); a bulk load records one batch
(who, when, why) and its changes compactly, as Parquet parts (:meth:`Audit.record_batch`).
:meth:`Audit.history` reads both alike.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import polars as pl
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from tieuchi.store.tables import AuditBatchRow, AuditPartRow, AuditRow
from tieuchi.store.unit_of_work import Repository, aware, chunks

__all__ = ["Audit", "AuditEntry", "KEY_PARTS", "SEPARATOR", "audit_key"]

SEPARATOR = "|"
KEY_PARTS: dict[str, tuple[str, ...]] = {
    "observation": ("unit", "indicator", "period", "vintage"),
    "workflow": ("unit", "period", "dataset"),
    "narrative": ("unit", "period", "part"),
}
"""What the audit key of a value of each kind is made of, in order (a target's key is its own
key, a draft's its number)."""


def audit_key(entity: str, **parts: str | None) -> str:
    """The audit key of one value of ``entity`` from its parts (:data:`KEY_PARTS`); the
    leading parts alone make the prefix of the keys of every value under them (a unit's
    figures of one indicator: ``audit_key("observation", unit=…, indicator=…)``)."""
    given: list[str] = []
    for name in KEY_PARTS[entity]:
        value = parts.pop(name, None)
        if value is None:
            break
        given.append(value)
    if parts and any(v is not None for v in parts.values()):
        raise ValueError(f"{entity} keys have no {', '.join(parts)} without the parts before")
    return SEPARATOR.join(given)

# Changes per Parquet part of a bulk load's audit: one part is what a lookup opens.
_AUDIT_PART = 10_000


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str
    action: str
    entity: str
    key: str
    unit: str | None
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    reason: str | None

    @property
    def parts(self) -> dict[str, str]:
        """The key's parts by name (:data:`KEY_PARTS`; ``{"key": …}`` for a target or a
        draft)."""
        names = KEY_PARTS.get(self.entity)
        if names is None:
            return {"key": self.key}
        return dict(zip(names, self.key.split(SEPARATOR), strict=False))


class Audit(Repository):
    """The audit log of every aggregate."""

    def record(self, at: datetime, actor: str, action: str, entity: str, key: str,
               unit: str | None, old: dict[str, Any] | None, new: dict[str, Any] | None,
               reason: str | None) -> None:
        """Record one change, in the unit of work that makes it."""
        with self._session() as s:
            s.add(AuditRow(at=at, actor=actor, action=action, entity=entity, key=key,
                           unit=unit, old=old, new=new, reason=reason))

    def record_batch(self, at: datetime, actor: str, action: str, reason: str | None,
                     changes: dict[str, pl.DataFrame]) -> None:
        """Audit a bulk write compactly: one ``audit_batches`` row (who, when, why) and its
        changes (``key``, ``unit``, ``action``, ``old``, ``new``: JSON text) per entity,
        sorted by key, as Parquet parts of up to ``_AUDIT_PART`` changes. Nothing when
        nothing changed."""
        if not any(frame.height for frame in changes.values()):
            return
        with self._session() as s:
            batch = AuditBatchRow(at=at, actor=actor, action=action, reason=reason)
            s.add(batch)
            s.flush()
            for entity, frame in changes.items():
                frame = frame.sort("key")
                for start in range(0, frame.height, _AUDIT_PART):
                    part = frame.slice(start, _AUDIT_PART)
                    keys = part.get_column("key")
                    buffer = io.BytesIO()
                    part.write_parquet(buffer, compression="zstd")
                    s.add(AuditPartRow(batch_id=batch.id, entity=entity, first_key=keys[0],
                                       last_key=keys[-1], count=part.height,
                                       changes=buffer.getvalue()))

    def history(self, entity: str, key_prefix: str) -> list[AuditEntry]:
        """The changes of one value (or of every value whose key starts with the prefix),
        newest first: single writes and bulk loads alike."""
        prefix = key_prefix + "|"
        with self._session() as s:
            # substr, not LIKE: "_" is a character of codes (not a wildcard) and codes differ
            # by case (SQLite's LIKE ignores it).
            rows = s.scalars(select(AuditRow).where(
                AuditRow.entity == entity,
                or_(AuditRow.key == key_prefix,
                    func.substr(AuditRow.key, 1, len(prefix)) == prefix),
            ).order_by(AuditRow.id.desc()))
            entries = [AuditEntry(aware(r.at), r.actor, r.action, r.entity, r.key, r.unit,
                                  r.old, r.new, r.reason) for r in rows]
            entries += _batch_history(s, entity, key_prefix)
        return sorted(entries, key=lambda e: e.at, reverse=True)

    def count(self) -> int:
        """How many changes the audit log holds: its rows and the changes of bulk loads."""
        with self._session() as s:
            rows = s.scalar(select(func.count()).select_from(AuditRow)) or 0
            batched = s.scalar(select(func.sum(AuditPartRow.count))) or 0
            return int(rows) + int(batched)


def _batch_history(s: Session, entity: str, key_prefix: str) -> list[AuditEntry]:
    """The changes of bulk loads to the keys ``key_prefix`` and ``key_prefix|…``, newest
    load first. Those keys sort from ``key_prefix`` to before ``key_prefix}`` ("}" follows
    "|"): only the parts whose key range meets that span are opened."""
    parts = s.execute(select(AuditPartRow.id, AuditPartRow.first_key,
                             AuditPartRow.last_key).where(AuditPartRow.entity == entity))
    end = key_prefix + "}"
    ids = [p.id for p in parts if p.first_key < end and p.last_key >= key_prefix]
    entries: list[AuditEntry] = []
    for chunk in chunks(ids):
        for batch, changes in s.execute(
                select(AuditBatchRow, AuditPartRow.changes).join(AuditPartRow)
                .where(AuditPartRow.id.in_(chunk))
                .order_by(AuditBatchRow.id.desc(), AuditPartRow.id)):
            found = pl.read_parquet(io.BytesIO(changes)).filter(
                (pl.col("key") == key_prefix) | pl.col("key").str.starts_with(
                    key_prefix + "|"))
            entries += [AuditEntry(
                aware(batch.at), batch.actor, r["action"], entity, r["key"], r["unit"],
                _json(r["old"]), _json(r["new"]), batch.reason)
                for r in found.iter_rows(named=True)]
    return entries


def _json(value: str | None) -> Any:
    return None if value is None else json.loads(value)
