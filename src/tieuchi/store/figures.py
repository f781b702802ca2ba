"""Figures (observations): written one request at a time, audited figure by figure, or
loaded in bulk from a folder; read back per unit and period, or in bulk as Polars frames for
the imports and exports.

A write is compare-and-set: an entry may say what its writer saw (:attr:`Entry.expected`),
and the store checks it against the figure held, under the figure's write lock
(:func:`~tieuchi.store.unit_of_work.serialize`), in the transaction that writes the figure
and its audit. So the audit's "old" of every change is the "new" of the one before, and a
writer who saw a figure that has changed since gets ``stale-figure`` (409), not a silent
overwrite."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import Enum
from typing import Any, Final, Literal

import polars as pl
from sqlalchemy import select

from tieuchi.domain.bundle import OBSERVATION_SCHEMA, Definitions
from tieuchi.domain.periods import Period
from tieuchi.domain.problems import Problem, ProblemError, problem
from tieuchi.domain.ruleset import (
    VINTAGE_RANK,
    best_vintage,
    figure_problems,
    problem_of,
    text_problem,
)
from tieuchi.domain.status import Vintage
from tieuchi.store import bulk
from tieuchi.store.audit import SEPARATOR, Audit, audit_key
from tieuchi.store.results import Results
from tieuchi.store.tables import Base, ObservationRow
from tieuchi.store.unit_of_work import (
    Repository,
    UnitOfWork,
    aware,
    chunks,
    now,
    serialize,
)
from tieuchi.store.units import LoadSummary, Units, unknown_indicator, unknown_unit
from tieuchi.store.workflow import Workflow

__all__ = ["Figures", "Entry", "Expected", "HELD_SCHEMA", "UNCHECKED", "Stale", "StaleFigures"]

HELD_SCHEMA: dict[str, Any] = {
    "unit": pl.String, "indicator": pl.String, "period": pl.String, "vintage": pl.String,
    "value": pl.Float64, "source": pl.String, "changed_by": pl.String,
    "changed_at": pl.String, "note": pl.String,
}
"""The figures as the imports and exports read them (:meth:`Figures.held`)."""

# The columns' types as read, not guessed from the first rows (a note or a source held only
# by a later figure); ``changed_at`` is read as each backend gives it (:func:`_utc`).
_READ_SCHEMA = {"id": pl.Int64, **{c: t for c, t in HELD_SCHEMA.items() if c != "changed_at"}}

_OBS_KEYS = ["unit", "indicator", "period", "vintage"]
_OBS_FIELDS = ["value", "source", "recorded_at"]


class _Unchecked(Enum):
    UNCHECKED = "unchecked"


UNCHECKED: Final = _Unchecked.UNCHECKED
"""An entry's :attr:`~Entry.expected` when its writer says nothing of what it saw."""

Expected = float | None | Literal[_Unchecked.UNCHECKED]
"""What a writer saw of a figure: its value, None (there was none) or :data:`UNCHECKED`."""


@dataclass(frozen=True)
class Entry:
    """A figure to write. ``value`` None deletes the figure.

    ``expected`` is the figure its writer saw (the value of this unit, indicator, period and
    vintage; None: there was none): the write is refused with ``stale-figure`` when the
    figure held is another. Left :data:`UNCHECKED`, the entry replaces whatever is held (the
    last writer wins, audited with what it replaced).

    ``source`` and ``note`` (the figure's "Ghi chú") left None keep those held; an empty
    note takes the note held away."""

    unit: str
    indicator: str
    period: str
    value: float | None
    vintage: str = Vintage.OFFICIAL.value
    source: str | None = None
    expected: Expected = UNCHECKED
    note: str | None = None


@dataclass(frozen=True)
class Stale:
    """A figure that is not what the writer of entry ``index`` saw: what is held now (value
    None: no figure), and the last change to it (who and when; None when nobody changed it
    since it was loaded without an audit)."""

    index: int
    entry: Entry
    value: float | None
    changed_by: str | None
    changed_at: datetime | None


class StaleFigures(ProblemError):
    """A write refused because figures changed after their writers read them: ``stale``
    says what is held now; one ``stale-figure`` problem per entry."""

    def __init__(self, stale: Sequence[Stale]) -> None:
        self.stale = tuple(stale)
        super().__init__(stale_problem(
            f, value_en=repr(f.value), value_vi=repr(f.value).replace(".", ","),
            at_en=f.changed_at.isoformat(timespec="seconds") if f.changed_at else "?",
            at_vi=f.changed_at.isoformat(timespec="seconds") if f.changed_at else "?")
            for f in self.stale)


def stale_problem(stale: Stale, *, value_en: str, value_vi: str, at_en: str,
                  at_vi: str) -> Problem:
    """The ``stale-figure`` problem of ``stale``, its value and time as given (formatted for
    each language by the caller)."""
    changed = stale.value is not None
    return problem("stale-figure", {
        "actor": stale.changed_by or "?", "at_en": at_en, "at_vi": at_vi,
        "change_en": f"changed to {value_en}" if changed else "deleted",
        "change_vi": f"sửa thành {value_vi}" if changed else "xóa",
    }, field="value", index=stale.index)


class Figures(Repository):
    """The figures of every unit, with their audit."""

    def __init__(self, work: UnitOfWork, units: Units, workflow: Workflow, audit: Audit,
                 results: Results) -> None:
        super().__init__(work)
        self._units, self._workflow, self._audit, self._results = (units, workflow, audit,
                                                                   results)

    # ------------------------------------------------------------------ writes

    def write(self, entries: Sequence[Entry], *, actor: str,
              reason: str | None = None) -> int:
        """Write figures, all or nothing, audited under ``actor``; returns how many changed.

        Raises :class:`~tieuchi.domain.problems.ProblemError` listing every refused entry
        (unknown unit or indicator, a computed indicator, a bad period or value, a data set
        that is not a draft). Who may write is the application's question, asked before.
        Then, under the figures' write locks, raises :class:`StaleFigures` when a figure is
        not what its entry expected (:attr:`Entry.expected`).
        """
        entries = [replace(e, period=Period.canonical(e.period)) for e in entries]
        with self._session() as s:
            keys = [_obs_key(e.unit, e.indicator, e.period, e.vintage) for e in entries]
            # Under the locks, which a workflow step waits for: a data set cannot be
            # submitted or locked between the check of its state and the write.
            serialize(s, "observation", keys)
            problems = self._refusals(entries)
            if problems:
                raise ProblemError(problems)
            stamp = now()  # after the wait: the audit's times follow the order of the writes
            held = {_obs_key(r.unit, r.indicator, r.period, r.vintage): r for r in s.scalars(
                select(ObservationRow).where(
                    ObservationRow.unit.in_({e.unit for e in entries}),
                    ObservationRow.indicator.in_({e.indicator for e in entries}),
                    ObservationRow.period.in_({e.period for e in entries}),
                ).execution_options(populate_existing=True))}
            rows = [held.get(key) for key in keys]
            stale = [self._stale(index, e, row) for index, (e, row)
                     in enumerate(zip(entries, rows, strict=True))
                     if e.expected is not UNCHECKED
                     and e.expected != (row.value if row is not None else None)]
            if stale:
                raise StaleFigures(stale)
            count = sum(self._write_one(e, row, actor, reason, stamp)
                        for e, row in zip(entries, rows, strict=True))
            if count:
                self._results.stamp({e.unit for e in entries})
            return count

    def _stale(self, index: int, entry: Entry, row: ObservationRow | None) -> Stale:
        """What entry ``index`` finds instead of what its writer saw: the figure held, or
        the last change of the audit when there is none (it was deleted)."""
        if row is not None:
            return Stale(index, entry, row.value, row.changed_by, aware(row.changed_at))
        last = next(iter(self._audit.history("observation", _obs_key(
            entry.unit, entry.indicator, entry.period, entry.vintage))), None)
        return Stale(index, entry, None, last.actor if last else None,
                     last.at if last else None)

    def check(self, entries: Sequence[Entry]) -> list[Problem]:
        """What :meth:`write` would refuse, without writing (a dry run); scope aside."""
        entries = [replace(e, period=Period.canonical(e.period)) for e in entries]
        return self._refusals(entries)

    def _refusals(self, entries: Sequence[Entry]) -> list[Problem]:
        problems = self._check_entries(entries)
        problems += self._workflow.closed([(e.unit, e.indicator, e.period) for e in entries])
        return sorted(problems, key=lambda p: (p.index or 0, p.field or ""))

    def _write_one(self, e: Entry, row: ObservationRow | None, actor: str,
                   reason: str | None, stamp: datetime) -> int:
        """Write one figure over ``row``, the figure held for its key (None if none)."""
        key = _obs_key(e.unit, e.indicator, e.period, e.vintage)
        if row is None and e.value is None:
            return 0
        with self._session() as s:
            if row is None:
                assert e.value is not None
                note = e.note or None
                s.add(ObservationRow(unit=e.unit, indicator=e.indicator, period=e.period,
                                     vintage=e.vintage, value=e.value, source=e.source,
                                     recorded_at=stamp.isoformat(timespec="seconds"),
                                     changed_at=stamp, changed_by=actor, note=note))
                self._audit.record(stamp, actor, "add", "observation", key, e.unit, None,
                                   _kept(e.value, e.source, note), reason)
                return 1
            if e.value is None:
                self._audit.record(stamp, actor, "delete", "observation", key, e.unit,
                                   _figure(row), None, reason)
                s.delete(row)
                return 1
            source = e.source if e.source is not None else row.source
            note = (e.note or None) if e.note is not None else row.note
            if row.value == e.value and row.source == source and row.note == note:
                return 0
            self._audit.record(stamp, actor, "change", "observation", key, e.unit,
                               _figure(row), _kept(e.value, source, note), reason)
            row.value, row.source, row.note = e.value, source, note
            row.recorded_at = stamp.isoformat(timespec="seconds")
            row.changed_at, row.changed_by = stamp, actor
            return 1

    def _check_entries(self, entries: Sequence[Entry]) -> list[Problem]:
        """What the store knows of each entry (its unit, indicator, vintage, whether it is
        given twice), then the domain's rules for its source, value and period."""
        units = self._units.known(e.unit for e in entries)
        indicators = {i.code: i for i in self._units.indicators(e.indicator for e in entries)}
        problems: list[Problem] = []
        seen: set[str] = set()
        vintages = [v.value for v in Vintage]
        for index, e in enumerate(entries):
            if e.unit not in units:
                problems.append(unknown_unit(e.unit, index))
            indicator = indicators.get(e.indicator)
            if indicator is None:
                problems.append(unknown_indicator(e.indicator, index))
            elif indicator.derived_from_set or indicator.components:
                problems.append(Problem(
                    "computed-indicator", f"'{e.indicator}' is computed, not entered",
                    f"chỉ tiêu '{e.indicator}' được tính tự động, không nhập",
                    field="indicator", index=index))
            if e.vintage not in vintages:
                problems.append(Problem(
                    "invalid-vintage", f"vintage must be one of {', '.join(vintages)}",
                    f"loại số liệu phải là một trong {', '.join(vintages)}", field="vintage",
                    index=index))
            key = _obs_key(e.unit, e.indicator, e.period, e.vintage)
            if key in seen:
                problems.append(Problem("duplicate-observation", "the same figure is given "
                                        "twice", "số liệu này được nhập hai lần",
                                        field="indicator", index=index))
            seen.add(key)
            problems += filter(None, [text_problem("source", e.source, index=index),
                                      text_problem("note", e.note, index=index)])
        frame = pl.DataFrame([(e.indicator, e.period, e.value) for e in entries],
                             schema={"indicator": pl.String, "period": pl.String,
                                     "value": pl.Float64}, orient="row")
        return problems + [problem_of(row) for row in figure_problems(
            frame, indicators).iter_rows(named=True)]

    # ------------------------------------------------------------------ bulk load

    def load(self, defs: Definitions, summary: LoadSummary, *, actor: str,
             stamp: datetime) -> pl.DataFrame:
        """Compare the folder's figures with those held (a Polars join, not a loop over the
        figures) and write only the new and the changed ones, in bulk; returns their changes
        for the audit. A figure for a data set that is not a draft refuses the load."""
        frame = defs.observations.select(list(OBSERVATION_SCHEMA))
        with self._session() as s:
            held = self._held_observations(frame.get_column("unit").unique().to_list())
            joined = frame.join(held, on=_OBS_KEYS, how="left", suffix="_held")
            new = joined.filter(pl.col("id").is_null()).select(list(OBSERVATION_SCHEMA))
            changed = joined.filter(pl.col("id").is_not_null() & pl.any_horizontal(
                pl.col(c).ne_missing(pl.col(f"{c}_held")) for c in _OBS_FIELDS))
            touched = pl.concat([new.select("unit", "indicator", "period"),
                                 changed.select("unit", "indicator", "period")])
            problems = self._workflow.closed(touched.iter_rows(), indices=False)
            if problems:
                raise ProblemError(problems)
            stamped = {"changed_at": stamp, "changed_by": actor}
            table = Base.metadata.tables[ObservationRow.__tablename__]
            bulk.insert_frame(s, table, new, stamped)
            bulk.update_frame(s, table, changed.select("id", *_OBS_FIELDS), "id", stamped)
        summary.count("observations", new.height, changed.height)
        key = pl.concat_str(_OBS_KEYS, separator=SEPARATOR).alias("key")
        figure = pl.struct("value", "source").struct.json_encode()
        return pl.concat([
            new.select(key, "unit", action=pl.lit("add"), old=pl.lit(None, pl.String),
                       new=figure),
            changed.select(key, "unit", action=pl.lit("change"), old=pl.struct(
                value="value_held", source="source_held").struct.json_encode(), new=figure)])

    def _held_observations(self, units: Sequence[str]) -> pl.DataFrame:
        """The figures held for ``units``, with their ids, as a frame (read in bulk)."""
        columns = ["id", *_OBS_KEYS, *_OBS_FIELDS]
        schema = {"id": pl.Int64, **{c: OBSERVATION_SCHEMA[c] for c in columns[1:]}}
        with self._session() as s:
            return pl.concat([pl.DataFrame(schema=schema)] + [bulk.read_frame(s, select(
                *(getattr(ObservationRow, c) for c in columns)).where(
                ObservationRow.unit.in_(chunk)), schema) for chunk in chunks(units)])

    # ------------------------------------------------------------------ reads

    def latest(self, unit: str, period: str, indicators: Sequence[str]) -> dict[str, Any]:
        """The latest figure of each indicator of ``unit`` for ``period`` (best vintage)."""
        with self._session() as s:
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
                                  "note": r.note, "changed_by": r.changed_by,
                                  "changed_at": aware(r.changed_at)} for r in best}

    def held(self, units: Iterable[str], periods: Iterable[str] | None = None,
             ) -> pl.DataFrame:
        """Every figure held for ``units`` (for ``periods`` only, when given), every
        vintage, as a frame of :data:`HELD_SCHEMA`, in the order they were first written;
        ``changed_at`` is UTC, written ``2023-12-12T03:04:05.000``. Read in bulk, a chunk of
        units per query."""
        wanted = sorted(set(units))
        chosen = sorted(set(periods)) if periods is not None else None
        columns = [ObservationRow.id, *(getattr(ObservationRow, c) for c in HELD_SCHEMA)]
        frames = []
        with self._session() as s:
            for chunk in chunks(wanted):
                query = select(*columns).where(ObservationRow.unit.in_(chunk))
                if chosen is not None:
                    query = query.where(ObservationRow.period.in_(chosen))
                frames.append(_utc(pl.read_database(
                    query, connection=s.connection(), schema_overrides=_READ_SCHEMA)))
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


def _obs_key(unit: str, indicator: str, period: str, vintage: str) -> str:
    return audit_key("observation", unit=unit, indicator=indicator, period=period,
                     vintage=vintage)


def _figure(row: ObservationRow) -> dict[str, Any]:
    return _kept(row.value, row.source, row.note)


def _kept(value: float | None, source: str | None, note: str | None) -> dict[str, Any]:
    """A figure as the audit keeps it: its value and source, and its note when it has one."""
    return {"value": value, "source": source} | ({"note": note} if note else {})
