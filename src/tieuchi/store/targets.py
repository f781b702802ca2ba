"""Targets: set from a page, the API or a file (checked by the domain's rules and audited
target by target) or loaded in bulk from a folder; a lock on a unit's data set covers its
targets too."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

import polars as pl
from sqlalchemy import String, cast, func, select

from tieuchi.domain.bundle import TARGET_SCHEMA, Definitions
from tieuchi.domain.problems import Problem, ProblemError
from tieuchi.domain.ruleset import normal_targets, problem_of, target_problems
from tieuchi.store import bulk
from tieuchi.store.audit import Audit
from tieuchi.store.results import Results
from tieuchi.store.tables import Base, TargetRow
from tieuchi.store.unit_of_work import Repository, UnitOfWork, chunks, now, serialize
from tieuchi.store.units import (
    LoadSummary,
    Units,
    unknown_basis,
    unknown_indicator,
    unknown_unit,
)
from tieuchi.store.workflow import Workflow

__all__ = ["Targets"]

# The columns of ``targets`` a load writes (``position`` too, for a new target), and those
# of its group membership.
_TARGET_MEMBERSHIP = ["group_code", "group_position"]
_TARGET_COLUMNS = ["key", "unit", "indicator", "period", *_TARGET_MEMBERSHIP, "doc"]


class Targets(Repository):
    """The targets of every unit, with their audit."""

    def __init__(self, work: UnitOfWork, units: Units, workflow: Workflow, audit: Audit,
                 results: Results) -> None:
        super().__init__(work)
        self._units, self._workflow, self._audit, self._results = (units, workflow, audit,
                                                                   results)

    # ------------------------------------------------------------------ writes

    def save(self, docs: Sequence[dict[str, Any]], *, actor: str,
             reason: str | None = None) -> int:
        """Add or change targets (rows of TARGET_SCHEMA), audited under ``actor``, all or
        nothing.

        Raises :class:`~tieuchi.domain.problems.ProblemError` listing every refused target
        (unknown unit or indicator, a value the domain's rules refuse, a change inside a
        data set that is not a draft). Who may set targets is the application's question,
        asked before.
        """
        frame = _target_rows(docs)
        with self._session() as s:
            keys = frame.get_column("key").to_list()
            # What save reads as "old" stays what is held until it commits.
            serialize(s, "target", (k for k in keys if k is not None))
            stamp = now()
            held = self._held(keys)
            problems = self._refusals(frame, held)
            if problems:
                raise ProblemError(problems)
            offset = int(s.scalar(select(func.max(TargetRow.position))) or 0) + 1
            count = 0
            touched: set[str] = set()  # the units whose results may change
            for index, doc in enumerate(frame.to_dicts()):
                row = held.get(doc["key"])
                if row is None:
                    s.add(TargetRow(key=doc["key"], unit=doc["unit"], indicator=doc["indicator"],
                                    period=doc["period"], group=None, group_position=None,
                                    position=offset + index, doc=doc))
                    self._audit.record(stamp, actor, "add", "target", doc["key"], doc["unit"],
                                       None, doc, reason)
                    touched.add(doc["unit"])
                    count += 1
                elif row.doc != doc:
                    touched.update((row.unit, doc["unit"]))
                    self._audit.record(stamp, actor, "change", "target", doc["key"],
                                       doc["unit"], row.doc, doc, reason)
                    row.doc = doc
                    row.unit, row.indicator, row.period = (doc["unit"], doc["indicator"],
                                                           doc["period"])
                    count += 1
            if count:
                self._results.stamp(touched)
            return count

    def check(self, docs: Sequence[dict[str, Any]]) -> list[Problem]:
        """What :meth:`save` would refuse, without saving (a dry run); scope aside."""
        frame = _target_rows(docs)
        with self._session():
            return self._refusals(frame, self._held(frame.get_column("key").to_list()))

    def _held(self, keys: Sequence[str]) -> dict[str, TargetRow]:
        held: dict[str, TargetRow] = {}
        with self._session() as s:
            for chunk in chunks(sorted({k for k in keys if k is not None})):
                held.update((r.key, r) for r in s.scalars(
                    select(TargetRow).where(TargetRow.key.in_(chunk))
                    .execution_options(populate_existing=True)))
        return held

    def _refusals(self, frame: pl.DataFrame, held: dict[str, TargetRow]) -> list[Problem]:
        """Unknown units and indicators, the domain's target rules, and changes inside a
        data set that is not a draft (a lock covers the unit's targets too)."""
        units = self._units.known(frame.get_column("unit").drop_nulls())
        indicators = {i.code: i for i in self._units.indicators(
            frame.get_column("indicator").drop_nulls())}
        bases = self._units.bases()
        problems: list[Problem] = []
        touched: list[tuple[str, str, str]] = []
        places: list[int] = []
        for index, doc in enumerate(frame.iter_rows(named=True)):
            if doc["unit"] not in units:
                problems.append(unknown_unit(doc["unit"], index))
            if doc["indicator"] not in indicators:
                problems.append(unknown_indicator(doc["indicator"], index))
            if doc.get("basis") is not None and doc["basis"] not in bases:
                problems.append(unknown_basis(doc["basis"], bases, index))
            row = held.get(doc["key"])
            if row is not None and row.doc == doc:
                continue
            for place in {(doc["unit"], doc["indicator"], doc["period"]),
                          *([(row.unit, row.indicator, row.period)] if row else [])}:
                touched.append(place)
                places.append(index)
        problems += [problem_of(row) for row in target_problems(
            frame, indicators).iter_rows(named=True)]
        problems += [replace(p, index=places[p.index or 0])
                     for p in self._workflow.closed(touched)]
        return sorted(problems, key=lambda p: (p.index or 0, p.field or ""))

    # ------------------------------------------------------------------ bulk load

    def load(self, defs: Definitions, summary: LoadSummary) -> pl.DataFrame:
        """Compare the folder's targets with those held (a Polars join on the key) and write
        only the new and the changed ones; returns their changes for the audit."""
        members = defs.members.unique("key", keep="last").select(
            "key", pl.col("group").alias("group_code"),
            pl.col("position").alias("group_position"))
        with self._session() as s:
            held = self._held_frame()
            offset = held.select(pl.col("position").max() + 1).item() or 0  # None: none held
            frame = (defs.targets.select(list(TARGET_SCHEMA))
                     .with_columns(doc=pl.struct(list(TARGET_SCHEMA)).struct.json_encode())
                     .join(members, on="key", how="left")
                     .with_row_index("position", offset).with_columns(pl.col("position").cast(
                         pl.Int64)))
            joined = frame.join(held, on="key", how="left", suffix="_held")
            new = joined.filter(pl.col("doc_held").is_null())
            known = joined.filter(pl.col("doc_held").is_not_null()).with_columns(
                known=pl.col("doc_held").str.json_decode(pl.Struct(TARGET_SCHEMA)))
            changed = known.filter(pl.any_horizontal(
                *(pl.col(c).ne_missing(pl.col("known").struct.field(c)) for c in TARGET_SCHEMA),
                *(pl.col(c).ne_missing(pl.col(f"{c}_held")) for c in _TARGET_MEMBERSHIP)))
            self._refuse_closed(new, known)
            table = Base.metadata.tables[TargetRow.__tablename__]
            bulk.insert_frame(s, table, new.select(*_TARGET_COLUMNS, "position"))
            bulk.update_frame(s, table, changed.select(*_TARGET_COLUMNS), "key")
        summary.count("targets", new.height, changed.height)
        return pl.concat([
            new.select("key", "unit", action=pl.lit("add"), old=pl.lit(None, pl.String),
                       new="doc"),
            changed.select("key", "unit", action=pl.lit("change"), old="doc_held", new="doc")])

    def _refuse_closed(self, new: pl.DataFrame, known: pl.DataFrame) -> None:
        """A lock (or a submission, an approval) covers the unit's targets too: refuse the
        load when a new target, or a changed one (where it was or where it goes), falls in
        a data set that is not a draft."""
        moved = known.filter(pl.any_horizontal(
            pl.col(c).ne_missing(pl.col("known").struct.field(c)) for c in TARGET_SCHEMA))
        places = ["unit", "indicator", "period"]
        touched = pl.concat([
            new.select(places), moved.select(places),
            moved.select(pl.col("known").struct.field(c).alias(c) for c in places),
        ]).unique(maintain_order=True)
        problems = self._workflow.closed(touched.iter_rows(), indices=False)
        if problems:
            raise ProblemError(problems)

    def _held_frame(self) -> pl.DataFrame:
        """The targets held: key, document (JSON text), group and position, as a frame."""
        with self._session() as s:
            return bulk.read_frame(s, select(
                TargetRow.key, cast(TargetRow.doc, String).label("doc"), TargetRow.group,
                TargetRow.group_position, TargetRow.position), {
                "key": pl.String, "doc": pl.String, "group_code": pl.String,
                "group_position": pl.Int32, "position": pl.Int64})

    # ------------------------------------------------------------------ reads

    def of(self, units: Sequence[str], period: str | None = None) -> list[dict[str, Any]]:
        """The targets (rows of TARGET_SCHEMA) of ``units`` (for ``period`` only, when
        given), in the order of the definitions."""
        with self._session() as s:
            query = select(TargetRow).where(TargetRow.unit.in_(units))
            if period:
                query = query.where(TargetRow.period == period)
            return [dict(r.doc) for r in s.scalars(query.order_by(TargetRow.position))]

    def by_key(self, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The targets (rows of TARGET_SCHEMA) held under ``keys``."""
        return {key: dict(row.doc) for key, row in self._held(list(keys)).items()}


def _target_rows(docs: Sequence[dict[str, Any]]) -> pl.DataFrame:
    """Target docs as rows of TARGET_SCHEMA in their one form (:func:`normal_targets`)."""
    return normal_targets(pl.DataFrame([{k: d.get(k) for k in TARGET_SCHEMA} for d in docs],
                                       schema=TARGET_SCHEMA, strict=False))
