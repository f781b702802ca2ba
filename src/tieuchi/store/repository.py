"""The store: definitions, observations, workflow, users and the audit log in one database.

:class:`Store` is the one application object the CLI and the web share. It takes the same
:class:`~tieuchi.domain.bundle.Definitions` the files give and gives them back, for the whole
hierarchy or for one unit and what lies under it, so the engine evaluates from the database as
it does from files. Every write is one transaction: all or nothing.
"""

from __future__ import annotations

import hashlib
import io
import json
import secrets
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, Select, String, Text, cast, delete, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from tieuchi.domain.base import fold
from tieuchi.domain.bundle import (
    MEMBER_SCHEMA,
    OBSERVATION_SCHEMA,
    TARGET_SCHEMA,
    Definitions,
    observation_frame,
)
from tieuchi.domain.criteria import CriteriaSet
from tieuchi.domain.datasets import DataSet, default_datasets
from tieuchi.domain.indicators import Indicator
from tieuchi.domain.periods import Period
from tieuchi.domain.project import Project, ReportOutline
from tieuchi.domain.ruleset import (
    VINTAGE_RANK,
    best_vintage,
    figure_problems,
    normal_targets,
    problem_of,
    target_problems,
)
from tieuchi.domain.status import Vintage
from tieuchi.domain.targets import TargetGroup
from tieuchi.domain.units import Level, Unit
from tieuchi.domain.workflow import REASON_REQUIRED, STATE_NAMES, TRANSITIONS, State, Step
from tieuchi.store import bulk, database, results
from tieuchi.store.access import Role, User
from tieuchi.store.tables import (
    AuditBatchRow,
    AuditPartRow,
    AuditRow,
    Base,
    CriteriaSetRow,
    DataSetRow,
    GroupRow,
    IndicatorRow,
    LevelRow,
    LoginAttemptRow,
    Meta,
    ObservationRow,
    TargetRow,
    TokenRow,
    UnitRow,
    UserRow,
    WorkflowRow,
)

__all__ = [
    "Store", "StoreError", "Refused", "Entry", "EntryProblem", "LoadSummary", "AuditEntry",
    "State", "STATE_NAMES",
]

_hasher = PasswordHasher()
_CHUNK = 500


def now() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime) -> datetime:
    """SQLite gives back naive datetimes; every time stored is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class StoreError(Exception):
    """A request the store cannot carry out; ``problems`` say where and why."""

    def __init__(self, problems: Sequence[EntryProblem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(p.message for p in self.problems))


class Refused(Exception):
    """Outside the user's scope or role. ``message`` says what was refused."""

    def __init__(self, message: str, message_vi: str) -> None:
        self.message, self.message_vi = message, message_vi
        super().__init__(message)



@dataclass(frozen=True)
class Entry:
    """A figure to write. ``value`` None deletes the figure."""

    unit: str
    indicator: str
    period: str
    value: float | None
    vintage: str = Vintage.OFFICIAL.value
    source: str | None = None


@dataclass(frozen=True)
class EntryProblem:
    """Why an entry was refused; ``index`` is its place in the request, ``field`` the field."""

    index: int | None
    field: str
    code: str
    message: str
    message_vi: str

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "message_vi": self.message_vi,
                "field": self.field, "index": self.index}


@dataclass
class LoadSummary:
    added: dict[str, int] = field(default_factory=dict)
    changed: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.added.values()) + sum(self.changed.values())


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


_OBS_KEYS = ["unit", "indicator", "period", "vintage"]
# A target as read from the database: its key, group, place in the group and its document.
_TARGET_ROW_SCHEMA: dict[str, Any] = {"key": pl.String, "group": pl.String,
                                      "group_position": pl.Int32, "doc": pl.String}
_OBS_FIELDS = ["value", "source", "recorded_at"]
# The columns of ``targets`` a load writes (``position`` too, for a new target), and those
# of its group membership.
_TARGET_MEMBERSHIP = ["group_code", "group_position"]
_TARGET_COLUMNS = ["key", "unit", "indicator", "period", *_TARGET_MEMBERSHIP, "doc"]
# Changes per Parquet part of a bulk load's audit: one part is what a lookup opens.
_AUDIT_PART = 10_000


def _obs_key(unit: str, indicator: str, period: str, vintage: str) -> str:
    return f"{unit}|{indicator}|{period}|{vintage}"


class Store:
    """Storage on SQLite or PostgreSQL behind one interface."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._session = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(cls, url: str, *, upgrade: bool = True) -> Store:
        """Connect to ``url``; bring its schema up to date unless ``upgrade`` is False."""
        store = cls(database.connect(url))
        if upgrade:
            database.upgrade(store.engine)
        return store

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: committed at the end, rolled back on any error."""
        with self._session() as session, session.begin():
            yield session

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    # ------------------------------------------------------------------ settings in the db

    def secret(self) -> str:
        """The key that signs session cookies when none is configured, made once."""
        with self.session() as s:
            row = s.get(Meta, "secret")
            if row is None:
                row = Meta(key="secret", value={"key": secrets.token_urlsafe(48)})
                s.add(row)
            return str(row.value["key"])

    # ------------------------------------------------------------------ definitions in

    def load(self, defs: Definitions, *, actor: str, reason: str | None = None) -> LoadSummary:
        """Write the definitions and figures of a validated folder in one transaction.

        New items are added and changed ones updated (changes of targets and figures are
        audited); what is already there is left as it is, so loading the same folder again
        changes nothing. Items missing from the folder are kept. A figure for a unit's data
        set that is submitted, approved or locked refuses the whole load.
        """
        summary = LoadSummary()
        stamp = now()
        with self.session() as s:
            self._load_meta(s, "project", defs.project.model_dump(mode="json"), summary)
            self._load_meta(s, "report", defs.report.model_dump(mode="json"), summary)
            self._load_documents(s, LevelRow, "levels", defs.levels, summary)
            self._load_documents(s, UnitRow, "units", defs.units, summary, extra=lambda u: {
                "name": u.name, "search_name": fold(u.name), "level": u.level,
                "parent": u.parent})
            self._load_documents(s, IndicatorRow, "indicators", defs.indicators, summary)
            self._load_documents(s, CriteriaSetRow, "criteria_sets", defs.criteria_sets,
                                 summary)
            self._load_documents(s, DataSetRow, "datasets", defs.datasets, summary)
            self._load_documents(s, GroupRow, "groups", defs.groups, summary,
                                 exclude={"targets"},
                                 extra=lambda g: {"unit": g.unit, "period": g.period})
            self._audit_batch(s, stamp, actor, "load", reason, {
                "target": self._load_targets(s, defs, summary),
                "observation": self._load_observations(s, defs, summary, actor, stamp)})
            if summary.total:
                results.stamp_all(s)
        return summary

    @staticmethod
    def _load_meta(s: Session, key: str, value: dict[str, Any], summary: LoadSummary) -> None:
        row = s.get(Meta, key)
        if row is None:
            s.add(Meta(key=key, value=value))
            summary.added[key] = 1
        elif row.value != value:
            row.value = value
            summary.changed[key] = 1

    @staticmethod
    def _load_documents(
        s: Session, table: Any, name: str, items: Sequence[Any], summary: LoadSummary,
        exclude: set[str] | None = None, extra: Any = None,
    ) -> None:
        existing = {r.code: r for r in s.scalars(select(table))}
        offset = max((r.position for r in existing.values()), default=-1) + 1
        for index, item in enumerate(items):
            doc = item.model_dump(mode="json", exclude=exclude)
            columns = extra(item) if extra else {}
            row = existing.get(item.code)
            if row is None:
                s.add(table(code=item.code, position=offset + index, doc=doc, **columns))
                summary.added[name] = summary.added.get(name, 0) + 1
            elif row.doc != doc or any(getattr(row, k) != v for k, v in columns.items()):
                row.doc = doc
                for k, v in columns.items():
                    setattr(row, k, v)
                summary.changed[name] = summary.changed.get(name, 0) + 1
        s.flush()

    def _load_targets(self, s: Session, defs: Definitions, summary: LoadSummary) -> pl.DataFrame:
        """Compare the folder's targets with those held (a Polars join on the key) and write
        only the new and the changed ones; returns their changes for the audit."""
        members = defs.members.unique("key", keep="last").select(
            "key", pl.col("group").alias("group_code"),
            pl.col("position").alias("group_position"))
        held = self._held_target_frame(s)
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
        self._refuse_closed_targets(s, new, known)
        table = Base.metadata.tables[TargetRow.__tablename__]
        bulk.insert_frame(s, table, new.select(*_TARGET_COLUMNS, "position"))
        bulk.update_frame(s, table, changed.select(*_TARGET_COLUMNS), "key")
        _count(summary, "targets", new.height, changed.height)
        return pl.concat([
            new.select("key", "unit", action=pl.lit("add"), old=pl.lit(None, pl.String),
                       new="doc"),
            changed.select("key", "unit", action=pl.lit("change"), old="doc_held", new="doc")])

    def _refuse_closed_targets(self, s: Session, new: pl.DataFrame,
                               known: pl.DataFrame) -> None:
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
        problems = self._closed(s, touched.iter_rows())
        if problems:
            raise StoreError(problems)

    @staticmethod
    def _held_target_frame(s: Session) -> pl.DataFrame:
        """The targets held: key, document (JSON text), group and position, as a frame."""
        return bulk.read_frame(s, select(
            TargetRow.key, cast(TargetRow.doc, String).label("doc"), TargetRow.group,
            TargetRow.group_position, TargetRow.position), {
            "key": pl.String, "doc": pl.String, "group_code": pl.String,
            "group_position": pl.Int32, "position": pl.Int64})

    def _load_observations(self, s: Session, defs: Definitions, summary: LoadSummary,
                           actor: str, stamp: datetime) -> pl.DataFrame:
        """Compare the folder's figures with those held (a Polars join, not a loop over the
        figures) and write only the new and the changed ones, in bulk; returns their changes
        for the audit."""
        frame = defs.observations.select(list(OBSERVATION_SCHEMA))
        held = self._held_observations(s, frame.get_column("unit").unique().to_list())
        joined = frame.join(held, on=_OBS_KEYS, how="left", suffix="_held")
        new = joined.filter(pl.col("id").is_null()).select(list(OBSERVATION_SCHEMA))
        changed = joined.filter(pl.col("id").is_not_null() & pl.any_horizontal(
            pl.col(c).ne_missing(pl.col(f"{c}_held")) for c in _OBS_FIELDS))
        touched = pl.concat([new.select("unit", "indicator", "period"),
                             changed.select("unit", "indicator", "period")])
        problems = self._closed(s, touched.iter_rows())
        if problems:
            raise StoreError(problems)
        stamped = {"changed_at": stamp, "changed_by": actor}
        table = Base.metadata.tables[ObservationRow.__tablename__]
        bulk.insert_frame(s, table, new, stamped)
        bulk.update_frame(s, table, changed.select("id", *_OBS_FIELDS), "id", stamped)
        _count(summary, "observations", new.height, changed.height)
        key = pl.concat_str(_OBS_KEYS, separator="|").alias("key")
        figure = pl.struct("value", "source").struct.json_encode()
        return pl.concat([
            new.select(key, "unit", action=pl.lit("add"), old=pl.lit(None, pl.String),
                       new=figure),
            changed.select(key, "unit", action=pl.lit("change"), old=pl.struct(
                value="value_held", source="source_held").struct.json_encode(), new=figure)])

    @staticmethod
    def _held_observations(s: Session, units: Sequence[str]) -> pl.DataFrame:
        """The figures held for ``units``, with their ids, as a frame (read in bulk)."""
        columns = ["id", *_OBS_KEYS, *_OBS_FIELDS]
        schema = {"id": pl.Int64, **{c: OBSERVATION_SCHEMA[c] for c in columns[1:]}}
        return pl.concat([pl.DataFrame(schema=schema)] + [bulk.read_frame(s, select(
            *(getattr(ObservationRow, c) for c in columns)).where(
            ObservationRow.unit.in_(chunk)), schema) for chunk in _chunks(units)])

    # ------------------------------------------------------------------ definitions out

    def project(self) -> Project:
        with self.session() as s:
            row = s.get(Meta, "project")
            return Project.model_validate(row.value) if row else Project(name="tieuchi")

    def indicators(self) -> list[Indicator]:
        with self.session() as s:
            return list(self._documents(s, IndicatorRow, Indicator))

    def targets_by_key(self, keys: Sequence[str]) -> dict[str, tuple[str, str, str]]:
        """key → (unit, indicator, period) of the targets that exist."""
        with self.session() as s:
            rows = s.execute(select(TargetRow.key, TargetRow.unit, TargetRow.indicator,
                                    TargetRow.period).where(TargetRow.key.in_(keys)))
            return {key: (unit, indicator, period) for key, unit, indicator, period in rows}

    def has_definitions(self) -> bool:
        with self.session() as s:
            return s.get(Meta, "project") is not None

    def definitions(self, root: str | None = None, *, data: bool = True) -> Definitions:
        """The definitions, with targets and figures of ``root`` and the units under it only
        (everything when ``root`` is None): a unit's page never loads the whole country.
        Targets and figures are read columnar (:func:`~tieuchi.store.bulk.read_frame`),
        never as ORM rows. With ``data=False`` they are left out (empty frames): what a page
        reading the read model needs."""
        with self.session() as s:
            project = s.get(Meta, "project")
            report = s.get(Meta, "report")
            units_query = select(UnitRow).order_by(UnitRow.position)
            groups_query = select(GroupRow).order_by(GroupRow.position)
            targets_query = select(TargetRow.key, TargetRow.group.label("group"),
                                   TargetRow.group_position,
                                   cast(TargetRow.doc, Text).label("doc"),
                                   ).order_by(TargetRow.position)
            obs_query = select(*(getattr(ObservationRow, c) for c in OBSERVATION_SCHEMA))
            if root is not None:
                tree = self._subtree_query(root)
                units_query = units_query.where(UnitRow.code.in_(tree))
                groups_query = groups_query.where(GroupRow.unit.in_(tree))
                targets_query = targets_query.where(TargetRow.unit.in_(tree))
                obs_query = obs_query.where(ObservationRow.unit.in_(tree))
            units = tuple(Unit.model_validate(r.doc) for r in s.scalars(units_query))
            if data:
                targets = bulk.read_frame(s, targets_query, _TARGET_ROW_SCHEMA)
                observations = bulk.read_frame(s, obs_query.order_by(ObservationRow.id),
                                               OBSERVATION_SCHEMA)
            else:
                targets = pl.DataFrame(schema=_TARGET_ROW_SCHEMA)
                observations = pl.DataFrame(schema=OBSERVATION_SCHEMA)
            return Definitions(
                project=Project.model_validate(project.value) if project else Project(
                    name="tieuchi"),
                levels=self._documents(s, LevelRow, Level),
                units=units,
                indicators=self._documents(s, IndicatorRow, Indicator),
                groups=tuple(TargetGroup.model_validate(r.doc) for r in s.scalars(groups_query)),
                criteria_sets=self._documents(s, CriteriaSetRow, CriteriaSet),
                targets=_target_docs(targets),
                members=targets.filter(pl.col("group").is_not_null()).select(
                    "group", "key", pl.col("group_position").alias("position"),
                ).cast(pl.Schema(MEMBER_SCHEMA)),
                observations=observation_frame(observations),
                report=ReportOutline.model_validate(report.value) if report else
                ReportOutline(),
                datasets=self._documents(s, DataSetRow, DataSet),
            )

    @staticmethod
    def _documents(s: Session, table: Any, model: Any) -> tuple[Any, ...]:
        return tuple(model.model_validate(r.doc)
                     for r in s.scalars(select(table).order_by(table.position)))

    @staticmethod
    def _subtree_query(root: str) -> Select[str]:
        """The codes of ``root`` and every unit under it, as a subquery (a recursive CTE)."""
        tree = select(UnitRow.code).where(UnitRow.code == root).cte(recursive=True)
        tree = tree.union_all(select(UnitRow.code).where(UnitRow.parent == tree.c.code))
        return select(tree.c.code)

    @classmethod
    def _subtree(cls, s: Session, root: str) -> list[str]:
        return list(s.scalars(cls._subtree_query(root)))

    # ------------------------------------------------------------------ the read model

    def unit_version(self, unit: str) -> int:
        """The version of the last write that can change ``unit``'s results."""
        with self.session() as s:
            return results.unit_version(s, unit)

    def stored_result(self, unit: str, period: str) -> results.StoredResult | None:
        with self.session() as s:
            return results.stored(s, unit, period)

    def save_result(self, result: results.StoredResult) -> None:
        with self.session() as s:
            results.save(s, result, now())

    def results_kept_for(self, units: Iterable[str]) -> list[tuple[str, str]]:
        with self.session() as s:
            return results.kept_for(s, units)

    # ------------------------------------------------------------------ hierarchy

    def unit(self, code: str) -> Unit | None:
        with self.session() as s:
            row = s.get(UnitRow, code)
            return Unit.model_validate(row.doc) if row else None

    def path(self, code: str) -> list[str]:
        """The unit, then its parent, up to the top; empty when the unit does not exist."""
        with self.session() as s:
            return self._path(s, code)

    def path_in(self, s: Session, code: str) -> list[str]:
        """:meth:`path` inside the caller's transaction ``s``."""
        return self._path(s, code)

    @staticmethod
    def _path(s: Session, code: str) -> list[str]:
        chain: list[str] = []
        current: str | None = code
        while current is not None and current not in chain:
            row = s.get(UnitRow, current)
            if row is None:
                break
            chain.append(current)
            current = row.parent
        return chain

    def children(self, code: str | None) -> list[Unit]:
        """The units directly under ``code`` (the top units when None)."""
        with self.session() as s:
            query = select(UnitRow).order_by(UnitRow.position)
            query = query.where(UnitRow.parent.is_(None) if code is None else
                                UnitRow.parent == code)
            return [Unit.model_validate(r.doc) for r in s.scalars(query)]

    def search_units(self, text: str, within: str | None = None, limit: int = 20) -> list[Unit]:
        """Units whose name contains ``text``, diacritics ignored ("thanh tri" finds
        "Thanh Trì"), within the subtree of ``within``."""
        with self.session() as s:
            query = select(UnitRow).where(UnitRow.search_name.contains(fold(text),
                                                                      autoescape=True))
            if within is not None:
                query = query.where(UnitRow.code.in_(self._subtree(s, within)))
            rows = s.scalars(query.order_by(UnitRow.position).limit(limit))
            return [Unit.model_validate(r.doc) for r in rows]

    def top_units(self) -> list[str]:
        with self.session() as s:
            query = select(UnitRow.code).where(UnitRow.parent.is_(None))
            return list(s.scalars(query.order_by(UnitRow.position)))

    # ------------------------------------------------------------------ figures

    def write(self, entries: Sequence[Entry], *, actor: str,
              reason: str | None = None) -> int:
        """Write figures, all or nothing, audited under ``actor``; returns how many changed.

        Raises :class:`StoreError` listing every refused entry (unknown unit or indicator, a
        computed indicator, a bad period or value, a data set that is not a draft). Who may
        write is the application's question (:class:`tieuchi.app.App`), asked before.
        """
        name = actor
        stamp = now()
        entries = [replace(e, period=Period.canonical(e.period)) for e in entries]
        with self.session() as s:
            problems = self._refusals(s, entries)
            if problems:
                raise StoreError(problems)
            held = {(r.unit, r.indicator, r.period, r.vintage): r for r in s.scalars(
                select(ObservationRow).where(
                    ObservationRow.unit.in_({e.unit for e in entries}),
                    ObservationRow.indicator.in_({e.indicator for e in entries}),
                    ObservationRow.period.in_({e.period for e in entries})))}
            count = sum(self._write_one(s, e, held.get((e.unit, e.indicator, e.period,
                                                         e.vintage)), name, reason, stamp)
                        for e in entries)
            if count:
                results.stamp(s, {e.unit for e in entries})
            return count

    def check_entries(self, entries: Sequence[Entry]) -> list[EntryProblem]:
        """What :meth:`write` would refuse, without writing (a dry run); scope aside."""
        entries = [replace(e, period=Period.canonical(e.period)) for e in entries]
        with self.session() as s:
            return self._refusals(s, entries)

    def _refusals(self, s: Session, entries: Sequence[Entry]) -> list[EntryProblem]:
        problems = self._check_entries(s, entries)
        problems += self._closed(s, [(e.unit, e.indicator, e.period) for e in entries],
                                 indices=True)
        return sorted(problems, key=lambda p: (p.index or 0, p.field))

    def _write_one(self, s: Session, e: Entry, row: ObservationRow | None, actor: str,
                   reason: str | None, stamp: datetime) -> int:
        """Write one figure over ``row``, the figure held for its key (None if none)."""
        key = _obs_key(e.unit, e.indicator, e.period, e.vintage)
        if row is None and e.value is None:
            return 0
        if row is None:
            assert e.value is not None
            s.add(ObservationRow(unit=e.unit, indicator=e.indicator, period=e.period,
                                 vintage=e.vintage, value=e.value, source=e.source,
                                 recorded_at=stamp.isoformat(timespec="seconds"),
                                 changed_at=stamp, changed_by=actor))
            self._audit(s, stamp, actor, "add", "observation", key, e.unit, None,
                        {"value": e.value, "source": e.source}, reason)
            return 1
        if e.value is None:
            self._audit(s, stamp, actor, "delete", "observation", key, e.unit, _figure(row),
                        None, reason)
            s.delete(row)
            return 1
        source = e.source if e.source is not None else row.source
        if row.value == e.value and row.source == source:
            return 0
        self._audit(s, stamp, actor, "change", "observation", key, e.unit, _figure(row),
                    {"value": e.value, "source": source}, reason)
        row.value, row.source = e.value, source
        row.recorded_at = stamp.isoformat(timespec="seconds")
        row.changed_at, row.changed_by = stamp, actor
        return 1

    def _check_entries(self, s: Session, entries: Sequence[Entry]) -> list[EntryProblem]:
        """What the store knows of each entry (its unit, indicator, vintage, whether it is
        given twice), then the domain's rules for its value and period."""
        units = {r.code for r in s.scalars(select(UnitRow).where(
            UnitRow.code.in_({e.unit for e in entries})))}
        indicators = {r.code: Indicator.model_validate(r.doc) for r in s.scalars(
            select(IndicatorRow).where(IndicatorRow.code.in_({e.indicator for e in entries})))}
        problems: list[EntryProblem] = []
        seen: set[str] = set()
        vintages = [v.value for v in Vintage]
        for index, e in enumerate(entries):
            def bad(field: str, code: str, en: str, vi: str, index: int = index) -> None:
                problems.append(EntryProblem(index, field, code, en, vi))

            if e.unit not in units:
                bad("unit", "unknown-unit", f"unit '{e.unit}' does not exist",
                    f"đơn vị '{e.unit}' không có trong danh mục")
            indicator = indicators.get(e.indicator)
            if indicator is None:
                bad("indicator", "unknown-indicator", f"indicator '{e.indicator}' does not "
                    "exist", f"chỉ tiêu '{e.indicator}' không có trong danh mục")
            elif indicator.derived_from_set or indicator.components:
                bad("indicator", "computed-indicator", f"'{e.indicator}' is computed, not "
                    "entered", f"chỉ tiêu '{e.indicator}' được tính tự động, không nhập")
            if e.vintage not in vintages:
                bad("vintage", "invalid-vintage", f"vintage must be one of "
                    f"{', '.join(vintages)}", "loại số liệu phải là một trong "
                    f"{', '.join(vintages)}")
            key = _obs_key(e.unit, e.indicator, e.period, e.vintage)
            if key in seen:
                bad("indicator", "duplicate-observation", "the same figure is given twice",
                    "số liệu này được nhập hai lần")
            seen.add(key)
        frame = pl.DataFrame([(e.indicator, e.period, e.value) for e in entries],
                             schema={"indicator": pl.String, "period": pl.String,
                                     "value": pl.Float64}, orient="row")
        return problems + _rule_problems(figure_problems(frame, indicators))

    def figures(self, unit: str, period: str, indicators: Sequence[str]) -> dict[str, Any]:
        """The latest figure of each indicator of ``unit`` for ``period`` (best vintage)."""
        with self.session() as s:
            rows = list(s.scalars(select(ObservationRow).where(
                ObservationRow.unit == unit, ObservationRow.period == period,
                ObservationRow.indicator.in_(indicators))))
            frame = pl.DataFrame(
                [(i, r.indicator, VINTAGE_RANK[r.vintage], r.recorded_at)
                 for i, r in enumerate(rows)],
                schema={"row": pl.Int64, "indicator": pl.String, "vintage_rank": pl.Int64,
                        "recorded_at": pl.String}, orient="row")
            best = [rows[i] for i in best_vintage(frame, ["indicator"]).get_column("row")]
            return {r.indicator: {"value": r.value, "vintage": r.vintage, "source": r.source,
                                  "changed_by": r.changed_by,
                                  "changed_at": _aware(r.changed_at)} for r in best}

    # ------------------------------------------------------------------ workflow

    def datasets_for(self, unit: str) -> list[DataSet]:
        """The data sets the unit reports, given its level."""
        with self.session() as s:
            return self._datasets_for(s, unit)

    def _datasets_for(self, s: Session, unit: str) -> list[DataSet]:
        row = s.get(UnitRow, unit)
        if row is None:
            return []
        return [d for d in self._data_sets(s) if d.reported_by(row.level)]

    def _data_sets(self, s: Session) -> list[DataSet]:
        """The data sets defined, or the one a folder without any gets."""
        defined = [DataSet.model_validate(r.doc) for r in s.scalars(
            select(DataSetRow).order_by(DataSetRow.position))]
        return defined or list(default_datasets(self._documents(s, IndicatorRow, Indicator)))

    def state(self, unit: str, period: str, dataset: str) -> State:
        with self.session() as s:
            row = s.get(WorkflowRow, (unit, period, dataset))
            return State(row.state) if row else State.DRAFT

    def states(self, units: Sequence[str], period: str) -> dict[tuple[str, str], State]:
        """(unit, data set) → state for ``period``; missing pairs are drafts."""
        with self.session() as s:
            rows = s.scalars(select(WorkflowRow).where(
                WorkflowRow.unit.in_(units), WorkflowRow.period == period))
            return {(r.unit, r.dataset): State(r.state) for r in rows}

    def transition(self, unit: str, period: str, dataset: str, action: str, *, actor: str,
                   reason: str | None = None) -> str:
        """Move a unit's data set for a period along the workflow; returns the new state."""
        if action not in TRANSITIONS:
            raise StoreError([EntryProblem(None, "action", "invalid-action",
                                           f"'{action}' is not a workflow action",
                                           f"'{action}' không phải thao tác hợp lệ")])
        sources, target = TRANSITIONS[Step(action)]
        try:
            period = Period.parse(period).code
        except ValueError:
            raise StoreError([EntryProblem(None, "period", "invalid-period",
                                           f"'{period}' is not a period (2023, 2023-Q3)",
                                           f"'{period}' không phải kỳ báo cáo hợp lệ "
                                           "(ví dụ 2023, 2023-Q3)")]) from None
        stamp = now()
        with self.session() as s:
            if dataset not in {d.code for d in self._datasets_for(s, unit)}:
                raise StoreError([EntryProblem(None, "dataset", "unknown-dataset",
                                               f"unit {unit} does not report '{dataset}'",
                                               f"đơn vị {unit} không báo cáo biểu '{dataset}'")])
            if action in REASON_REQUIRED and not (reason and reason.strip()):
                raise StoreError([EntryProblem(None, "reason", "reason-required",
                                               "give the reason", "cần nêu lý do")])
            row = s.get(WorkflowRow, (unit, period, dataset))
            current = State(row.state) if row else State.DRAFT
            if current not in sources:
                names_en, names_vi = STATE_NAMES["en"], STATE_NAMES["vi"]
                raise StoreError([EntryProblem(None, "state", "wrong-state",
                                               f"cannot {action}: the data set is "
                                               f"{names_en[current].lower()}",
                                               f"không thực hiện được: biểu đang ở trạng thái "
                                               f"\"{names_vi[current]}\"")])
            if row is None:
                row = WorkflowRow(unit=unit, period=period, dataset=dataset, state=target,
                                  changed_at=stamp, changed_by=actor)
                s.add(row)
            else:
                row.state, row.changed_at, row.changed_by = target, stamp, actor
            self._audit(s, stamp, actor, action, "workflow",
                        f"{unit}|{period}|{dataset}", unit, {"state": current},
                        {"state": target}, reason)
            return target

    def _closed(self, s: Session, touched: Iterable[tuple[str, str, str]],
                indices: bool = False) -> list[EntryProblem]:
        """Problems for figures (unit, indicator, period) that fall in a data set that is
        not a draft: submitted or approved data is returned before it is edited; locked
        data is reopened by an administrator first."""
        touched = list(touched)
        units = {u for u, _, _ in touched}
        rows: list[WorkflowRow] = []
        for chunk in _chunks(sorted(units)):
            rows.extend(s.scalars(select(WorkflowRow).where(
                WorkflowRow.unit.in_(chunk), WorkflowRow.state != State.DRAFT)))
        if not rows:
            return []
        datasets = {d.code: d for d in self._data_sets(s)}
        closed: dict[str, list[tuple[Period, DataSet, str]]] = {}
        for r in rows:
            ds = datasets.get(r.dataset)
            if ds is not None:
                closed.setdefault(r.unit, []).append((Period.parse(r.period), ds, r.state))
        problems = []
        for index, (unit, indicator, period_code) in enumerate(touched):
            try:
                period = Period.parse(period_code)
            except ValueError:
                continue
            for span, ds, state in closed.get(unit, ()):
                if indicator in ds.indicators and span.start <= period.start and \
                        period.end <= span.end:
                    problems.append(_closed_problem(index if indices else None, unit,
                                                    indicator, period_code, span, ds, state))
                    break
        return problems

    # ------------------------------------------------------------------ audit

    def _audit(self, s: Session, *args: Any) -> None:
        s.add(self._audit_row(*args))

    def audit_in(self, s: Session, at: datetime, actor: str, action: str, entity: str, key: str,
                 unit: str | None, old: dict[str, Any] | None, new: dict[str, Any] | None,
                 reason: str | None) -> None:
        """Record a change in the audit log, inside the caller's transaction ``s``."""
        self._audit(s, at, actor, action, entity, key, unit, old, new, reason)

    @staticmethod
    def _audit_row(at: datetime, actor: str, action: str, entity: str, key: str,
                   unit: str | None, old: dict[str, Any] | None, new: dict[str, Any] | None,
                   reason: str | None) -> AuditRow:
        return AuditRow(at=at, actor=actor, action=action, entity=entity, key=key, unit=unit,
                        old=old, new=new, reason=reason)

    def _audit_batch(self, s: Session, at: datetime, actor: str, action: str,
                     reason: str | None, changes: dict[str, pl.DataFrame]) -> None:
        """Audit a bulk write compactly: one ``audit_batches`` row (who, when, why) and its
        changes (``key``, ``unit``, ``action``, ``old``, ``new``: JSON text) per entity,
        sorted by key, as Parquet parts of up to ``_AUDIT_PART`` changes. Nothing when
        nothing changed."""
        if not any(frame.height for frame in changes.values()):
            return
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
        with self.session() as s:
            # substr, not LIKE: "_" is a character of codes (not a wildcard) and codes differ
            # by case (SQLite's LIKE ignores it).
            rows = s.scalars(select(AuditRow).where(
                AuditRow.entity == entity,
                or_(AuditRow.key == key_prefix,
                    func.substr(AuditRow.key, 1, len(prefix)) == prefix),
            ).order_by(AuditRow.id.desc()))
            entries = [AuditEntry(_aware(r.at), r.actor, r.action, r.entity, r.key, r.unit,
                                  r.old, r.new, r.reason) for r in rows]
            entries += self._batch_history(s, entity, key_prefix)
        return sorted(entries, key=lambda e: e.at, reverse=True)

    @staticmethod
    def _batch_history(s: Session, entity: str, key_prefix: str) -> list[AuditEntry]:
        """The changes of bulk loads to the keys ``key_prefix`` and ``key_prefix|…``, newest
        load first. Those keys sort from ``key_prefix`` to before ``key_prefix}`` ("}"
        follows "|"): only the parts whose key range meets that span are opened."""
        parts = s.execute(select(AuditPartRow.id, AuditPartRow.first_key,
                                 AuditPartRow.last_key).where(AuditPartRow.entity == entity))
        end = key_prefix + "}"
        ids = [p.id for p in parts if p.first_key < end and p.last_key >= key_prefix]
        entries: list[AuditEntry] = []
        for chunk in _chunks(ids):
            for batch, changes in s.execute(
                    select(AuditBatchRow, AuditPartRow.changes).join(AuditPartRow)
                    .where(AuditPartRow.id.in_(chunk))
                    .order_by(AuditBatchRow.id.desc(), AuditPartRow.id)):
                found = pl.read_parquet(io.BytesIO(changes)).filter(
                    (pl.col("key") == key_prefix) | pl.col("key").str.starts_with(
                        key_prefix + "|"))
                entries += [AuditEntry(
                    _aware(batch.at), batch.actor, r["action"], entity, r["key"], r["unit"],
                    _json(r["old"]), _json(r["new"]), batch.reason)
                    for r in found.iter_rows(named=True)]
        return entries

    def audit_count(self) -> int:
        """How many changes the audit log holds: its rows and the changes of bulk loads."""
        with self.session() as s:
            rows = s.scalar(select(func.count()).select_from(AuditRow)) or 0
            batched = s.scalar(select(func.sum(AuditPartRow.count))) or 0
            return int(rows) + int(batched)

    # ------------------------------------------------------------------ targets

    def save_targets(self, docs: Sequence[dict[str, Any]], *, actor: str,
                     reason: str | None = None) -> int:
        """Add or change targets (rows of TARGET_SCHEMA), audited under ``actor``, all or
        nothing.

        Raises :class:`StoreError` listing every refused target (unknown unit or indicator,
        a value the domain's rules refuse, a change inside a data set that is not a draft).
        Who may set targets is the application's question, asked before.
        """
        stamp = now()
        frame = _target_rows(docs)
        with self.session() as s:
            held = self._held_targets(s, frame.get_column("key").to_list())
            problems = self._target_refusals(s, frame, held)
            if problems:
                raise StoreError(problems)
            offset = int(s.scalar(select(func.max(TargetRow.position))) or 0) + 1
            count = 0
            touched: set[str] = set()  # the units whose results may change
            for index, doc in enumerate(frame.to_dicts()):
                row = held.get(doc["key"])
                if row is None:
                    s.add(TargetRow(key=doc["key"], unit=doc["unit"], indicator=doc["indicator"],
                                    period=doc["period"], group=None, group_position=None,
                                    position=offset + index, doc=doc))
                    self._audit(s, stamp, actor, "add", "target", doc["key"],
                                doc["unit"], None, doc, reason)
                    touched.add(doc["unit"])
                    count += 1
                elif row.doc != doc:
                    touched.update((row.unit, doc["unit"]))
                    self._audit(s, stamp, actor, "change", "target", doc["key"],
                                doc["unit"], row.doc, doc, reason)
                    row.doc = doc
                    row.unit, row.indicator, row.period = (doc["unit"], doc["indicator"],
                                                           doc["period"])
                    count += 1
            if count:
                results.stamp(s, touched)
            return count

    def check_targets(self, docs: Sequence[dict[str, Any]]) -> list[EntryProblem]:
        """What :meth:`save_targets` would refuse, without saving (a dry run); scope aside."""
        frame = _target_rows(docs)
        with self.session() as s:
            held = self._held_targets(s, frame.get_column("key").to_list())
            return self._target_refusals(s, frame, held)

    @staticmethod
    def _held_targets(s: Session, keys: Sequence[str]) -> dict[str, TargetRow]:
        held: dict[str, TargetRow] = {}
        for chunk in _chunks(sorted({k for k in keys if k is not None})):
            held.update((r.key, r) for r in s.scalars(
                select(TargetRow).where(TargetRow.key.in_(chunk))))
        return held

    def _target_refusals(self, s: Session, frame: pl.DataFrame,
                         held: dict[str, TargetRow]) -> list[EntryProblem]:
        """Unknown units and indicators, the domain's target rules, and changes inside a
        data set that is not a draft (a lock covers the unit's targets too)."""
        codes = set(frame.get_column("unit").drop_nulls())
        units = {r for r in s.scalars(select(UnitRow.code).where(UnitRow.code.in_(codes)))}
        indicators = {r.code: Indicator.model_validate(r.doc) for r in s.scalars(
            select(IndicatorRow).where(IndicatorRow.code.in_(
                set(frame.get_column("indicator").drop_nulls()))))}
        problems: list[EntryProblem] = []
        touched: list[tuple[str, str, str]] = []
        places: list[int] = []
        for index, doc in enumerate(frame.iter_rows(named=True)):
            if doc["unit"] not in units:
                problems.append(EntryProblem(index, "unit", "unknown-unit",
                                             f"unit '{doc['unit']}' does not exist",
                                             f"đơn vị '{doc['unit']}' không có trong danh mục"))
            if doc["indicator"] not in indicators:
                problems.append(EntryProblem(
                    index, "indicator", "unknown-indicator",
                    f"indicator '{doc['indicator']}' does not exist",
                    f"chỉ tiêu '{doc['indicator']}' không có trong danh mục"))
            row = held.get(doc["key"])
            if row is not None and row.doc == doc:
                continue
            for place in {(doc["unit"], doc["indicator"], doc["period"]),
                          *([(row.unit, row.indicator, row.period)] if row else [])}:
                touched.append(place)
                places.append(index)
        problems += _rule_problems(target_problems(frame, indicators))
        problems += [replace(p, index=places[p.index or 0])
                     for p in self._closed(s, touched, indices=True)]
        return sorted(problems, key=lambda p: (p.index or 0, p.field))

    def targets_of(self, units: Sequence[str], period: str | None = None) -> list[dict[str, Any]]:
        with self.session() as s:
            query = select(TargetRow).where(TargetRow.unit.in_(units))
            if period:
                query = query.where(TargetRow.period == period)
            return [dict(r.doc) for r in s.scalars(query.order_by(TargetRow.position))]

    # ------------------------------------------------------------------ users

    def add_user(self, username: str, password: str, *, role: Role | str, unit: str | None,
                 full_name: str | None = None, actor: str = "cli") -> User:
        role = Role(role)
        problems = []
        if len(password) < 8:
            problems.append(EntryProblem(None, "password", "weak-password",
                                         "a password has at least 8 characters",
                                         "mật khẩu cần ít nhất 8 ký tự"))
        if unit is None and role is not Role.ADMIN:
            problems.append(EntryProblem(None, "unit", "missing-unit",
                                         "only an administrator may have no unit",
                                         "chỉ quản trị hệ thống mới không gắn với đơn vị"))
        with self.session() as s:
            if unit is not None and s.get(UnitRow, unit) is None:
                problems.append(EntryProblem(None, "unit", "unknown-unit",
                                             f"unit '{unit}' does not exist",
                                             f"đơn vị '{unit}' không có trong danh mục"))
            if s.scalar(select(UserRow).where(UserRow.username == username)) is not None:
                problems.append(EntryProblem(None, "username", "duplicate-user",
                                             f"user '{username}' already exists",
                                             f"tài khoản '{username}' đã có"))
            if problems:
                raise StoreError(problems)
            row = UserRow(username=username, full_name=full_name or username,
                          password_hash=_hasher.hash(password), role=role.value, unit=unit,
                          active=True, created_at=now())
            s.add(row)
            s.flush()
            self._audit(s, now(), actor, "add", "user", username, unit, None,
                        {"role": role.value, "unit": unit}, None)
            return self._user(s, row)

    def _user(self, s: Session, row: UserRow) -> User:
        """The user of ``row``, with the path of their unit (for the policy's rules)."""
        path = tuple(self._path(s, row.unit)) if row.unit else ()
        return User(row.id, row.username, row.full_name, Role(row.role), row.unit, path)

    def users(self, within: str | None = None) -> list[User]:
        with self.session() as s:
            rows = list(s.scalars(select(UserRow).order_by(UserRow.username)))
            users = [self._user(s, r) for r in rows]
            if within is None:
                return users
            return [u for u in users if u.unit and within in self._path(s, u.unit)]

    def get_user(self, user_id: int) -> tuple[User, str] | None:
        """The user and a fingerprint of their password hash, which a session carries so that
        a password change ends old sessions."""
        with self.session() as s:
            row = s.get(UserRow, user_id)
            if row is None or not row.active:
                return None
            return self._user(s, row), _fingerprint(row.password_hash)

    def authenticate(self, username: str, password: str, address: str, *, limit: int,
                     window: timedelta) -> User | None:
        """The user when the password is right; records the attempt. Raises :class:`Refused`
        when the user name or the address failed ``limit`` times within ``window``."""
        stamp = now()
        with self.session() as s:
            since = stamp - window
            failures = s.scalar(select(func.count()).select_from(LoginAttemptRow).where(
                LoginAttemptRow.at >= since, LoginAttemptRow.ok.is_(False),
                or_(LoginAttemptRow.username == username, LoginAttemptRow.address == address)))
            if (failures or 0) >= limit:
                minutes = int(window.total_seconds() // 60)
                raise Refused(f"too many failed logins; try again in {minutes} minutes",
                              f"đăng nhập sai quá nhiều lần; thử lại sau {minutes} phút")
            row = s.scalar(select(UserRow).where(UserRow.username == username))
            ok = False
            if row is not None and row.active:
                try:
                    ok = _hasher.verify(row.password_hash, password)
                except (VerificationError, InvalidHashError):
                    ok = False
                if ok and _hasher.check_needs_rehash(row.password_hash):
                    row.password_hash = _hasher.hash(password)
            s.add(LoginAttemptRow(username=username, address=address, at=stamp, ok=ok))
            s.execute(delete(LoginAttemptRow).where(LoginAttemptRow.at < stamp - 10 * window))
            return self._user(s, row) if ok and row is not None else None

    def add_token(self, username: str, name: str = "api") -> str:
        """A new API token for the user; only its hash is kept, so it is shown once."""
        token = "tc_" + secrets.token_urlsafe(32)
        with self.session() as s:
            row = s.scalar(select(UserRow).where(UserRow.username == username))
            if row is None:
                raise StoreError([EntryProblem(None, "username", "unknown-user",
                                               f"user '{username}' does not exist",
                                               f"không có tài khoản '{username}'")])
            s.add(TokenRow(user_id=row.id, token_hash=_token_hash(token), name=name,
                           created_at=now()))
        return token

    def user_for_token(self, token: str) -> User | None:
        with self.session() as s:
            row = s.scalar(select(UserRow).join(TokenRow, TokenRow.user_id == UserRow.id).where(
                TokenRow.token_hash == _token_hash(token), UserRow.active.is_(True)))
            return self._user(s, row) if row else None


def _closed_problem(index: int | None, unit: str, indicator: str, period: str, span: Period,
                    ds: DataSet, state: str) -> EntryProblem:
    if state == State.LOCKED:
        en = (f"{unit} {indicator} {period}: the data set '{ds.code}' for {span.code} is "
              "locked; an administrator must reopen it, giving a reason")
        vi = (f"{unit} {indicator} {period}: biểu \"{ds.name}\" kỳ {span.label()} đã khóa; "
              "cần quản trị mở khóa (nêu lý do) trước khi sửa")
        return EntryProblem(index, "value", "locked", en, vi)
    names = STATE_NAMES["vi"]
    en = (f"{unit} {indicator} {period}: the data set '{ds.code}' for {span.code} is "
          f"{state}; the level above must return it before it is edited")
    vi = (f"{unit} {indicator} {period}: biểu \"{ds.name}\" kỳ {span.label()} đang ở trạng "
          f"thái \"{names[State(state)]}\"; cần cấp trên trả lại trước khi sửa")
    return EntryProblem(index, "value", state, en, vi)


def _target_rows(docs: Sequence[dict[str, Any]]) -> pl.DataFrame:
    """Target docs as rows of TARGET_SCHEMA in their one form (:func:`normal_targets`)."""
    return normal_targets(pl.DataFrame([{k: d.get(k) for k in TARGET_SCHEMA} for d in docs],
                                       schema=TARGET_SCHEMA, strict=False))


def _rule_problems(found: pl.DataFrame) -> list[EntryProblem]:
    """The problem rows of a domain rule (:mod:`tieuchi.domain.ruleset`) as the store's."""
    return [EntryProblem(row["index"], row["field"], row["code"], p.message, p.message_vi)
            for row in found.iter_rows(named=True) for p in [problem_of(row)]]


def _target_docs(rows: pl.DataFrame) -> pl.DataFrame:
    """The targets' documents (JSON text) as rows of :data:`TARGET_SCHEMA`, decoded by
    Polars column-wise."""
    if not rows.height:
        return pl.DataFrame(schema=TARGET_SCHEMA)
    return rows.select(pl.col("doc").str.json_decode(pl.Struct(TARGET_SCHEMA))).unnest("doc")


def _json(value: str | None) -> Any:
    return None if value is None else json.loads(value)


def _count(summary: LoadSummary, name: str, added: int, changed: int) -> None:
    """Count a load's new and changed items of one kind in its summary."""
    if added:
        summary.added[name] = added
    if changed:
        summary.changed[name] = changed


def _figure(row: Any) -> dict[str, Any]:
    get = row.get if isinstance(row, dict) else lambda k: getattr(row, k)
    return {"value": get("value"), "source": get("source")}




def _fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start:start + _CHUNK]

