"""The live read model: each unit's evaluation for a period, kept in the database and
brought up to date by the writes, so that pages and the API read results instead of
evaluating from scratch on every request.

A result is the engine's frames (values, targets, groups, criteria sets) for one unit and
what lies under it, stored with the version of the data it was computed from and the date it
was computed for (:mod:`tieuchi.store.results`). After a command writes, the results kept for
the units written to and every unit above them are computed again (:meth:`ReadModel.refresh`);
a reader checks the version anyway, so a result that a write made stale, or one computed for
another day, is computed again by whichever worker reads it first and kept for the others.
A report, an evaluation as of another date or of one vintage still evaluates on demand.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from datetime import date, datetime

import polars as pl

from tieuchi.domain.bundle import Definitions
from tieuchi.domain.periods import Period, PeriodError, PeriodKind
from tieuchi.engine import Evaluation, evaluate
from tieuchi.engine.criteria import SetResults
from tieuchi.store import Store
from tieuchi.store.results import StoredResult

__all__ = ["ReadModel", "Result", "Facts", "pack", "unpack", "facts_of"]

_FRAMES = ("values", "targets", "groups")
_SET_FRAMES = tuple(f.name for f in fields(SetResults))


@dataclass(frozen=True)
class Facts:
    """What the pages of a unit show besides its evaluation, found in its data when the
    result is computed: the periods with figures or targets in the unit's subtree (years,
    halves, quarters, year-to-date; newest first), and the indicators with figures (in the
    subtree, of the unit itself) and with targets."""

    periods: tuple[str, ...] = ()
    observed: frozenset[str] = frozenset()
    own: frozenset[str] = frozenset()
    targeted: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Result:
    evaluation: Evaluation
    facts: Facts


_SHOWN_KINDS = (PeriodKind.YEAR, PeriodKind.HALF, PeriodKind.QUARTER, PeriodKind.YTD)


def facts_of(definitions: Definitions, unit: str) -> Facts:
    """The facts of ``unit`` in full ``definitions`` (its subtree's targets and figures)."""
    obs, targets = definitions.observations, definitions.targets
    found = []
    for code in set(obs.get_column("period").unique().to_list()) | set(
            targets.get_column("period").unique().to_list()):
        try:
            period = Period.parse(code)
        except PeriodError:
            continue
        if period.kind in _SHOWN_KINDS:
            found.append(period)
    return Facts(
        periods=tuple(p.code for p in sorted(found, key=lambda p: (p.start, p.end),
                                             reverse=True)),
        observed=frozenset(obs.get_column("indicator").unique().to_list()),
        own=frozenset(obs.filter(pl.col("unit") == unit).get_column("indicator")
                      .unique().to_list()),
        targeted=frozenset(targets.get_column("indicator").unique().to_list()))


def pack(ev: Evaluation, facts: Facts = Facts()) -> bytes:
    """The evaluation's frames as one blob: a ZIP (stored, not compressed) of Arrow IPC
    files and a small JSON header with the facts."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("meta.json", json.dumps({
            "period": ev.period.code, "as_of": ev.as_of.isoformat(), "units": ev.units,
            "facts": {"periods": list(facts.periods), "observed": sorted(facts.observed),
                      "own": sorted(facts.own), "targeted": sorted(facts.targeted)}}))
        frames = {**{n: getattr(ev, n) for n in _FRAMES},
                  **{f"sets.{n}": getattr(ev.sets, n) for n in _SET_FRAMES}}
        for name, frame in frames.items():
            data = io.BytesIO()
            frame.write_ipc(data)
            archive.writestr(f"{name}.arrow", data.getvalue())
    return buffer.getvalue()


def unpack(payload: bytes, definitions: Definitions) -> Evaluation:
    """The evaluation kept in ``payload``, over ``definitions``."""
    return _unpack(payload, definitions).evaluation


def _unpack(payload: bytes, definitions: Definitions) -> Result:
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        meta = json.loads(archive.read("meta.json"))

        def frame(name: str) -> pl.DataFrame:
            return pl.read_ipc(io.BytesIO(archive.read(f"{name}.arrow")))

        found = meta.get("facts", {})
        return Result(Evaluation(
            definitions, Period.parse(meta["period"]), date.fromisoformat(meta["as_of"]),
            tuple(meta["units"]), frame("values"), frame("targets"), frame("groups"),
            SetResults(**{n: frame(f"sets.{n}") for n in _SET_FRAMES})), Facts(
            tuple(found.get("periods", ())), frozenset(found.get("observed", ())),
            frozenset(found.get("own", ())), frozenset(found.get("targeted", ()))))


class ReadModel:
    """The results of the units of one store."""

    def __init__(self, store: Store, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.clock = clock

    def as_of(self, definitions: Definitions) -> date:
        """The date results are computed for: the project's, else today."""
        return definitions.project.as_of or self.clock().date()

    def evaluation(self, unit: str, period: Period | str,
                   definitions: Definitions | None = None,
                   version: int | None = None) -> Evaluation:
        """:meth:`result`'s evaluation, over full ``definitions`` (read when not given)."""
        if definitions is None:
            version, definitions = self.snapshot(unit)
        return self.result(unit, period, definitions, version).evaluation

    def result(self, unit: str, period: Period | str, definitions: Definitions,
               version: int | None = None,
               full: Callable[[], Definitions] | None = None) -> Result:
        """``unit``'s result for ``period``, from the read model when it is fresh (over
        ``definitions``, which may be without targets and figures: ``data=False``), else
        computed from full definitions (``definitions`` themselves, or ``full()``) and kept.

        The unit's ``version`` is read *before* the definitions (see :meth:`snapshot`): a
        result kept with an older version than its data is only computed again, never taken
        for fresher than it is."""
        code = Period.parse(period).code if isinstance(period, str) else period.code
        if version is None:
            version = self.store.results.unit_version(unit)
        as_of = self.as_of(definitions)
        kept = self.store.results.stored(unit, code)
        if kept is not None and kept.version >= version and kept.as_of == as_of:
            return _unpack(kept.payload, definitions)
        return self._compute(unit, code, full() if full else definitions, version, as_of)

    def snapshot(self, unit: str, *, data: bool = True) -> tuple[int, Definitions]:
        """The unit's version, then its definitions (read after, so at least as new); with
        ``data=False`` without targets and figures."""
        version = self.store.results.unit_version(unit)
        return version, self.store.units.definitions(unit, data=data)

    def refresh(self, units: Iterable[str]) -> int:
        """Compute again the results kept for ``units`` and every unit above them (what a
        write to ``units`` can change); returns how many were computed."""
        above: set[str] = set()
        for unit in units:
            above.update(self.store.units.path(unit))
        kept: dict[str, list[str]] = {}
        for unit, period in self.store.results.kept_for(above):  # one query for them all
            kept.setdefault(unit, []).append(period)
        for unit, periods in sorted(kept.items()):
            version, definitions = self.snapshot(unit)
            for period in periods:
                self._compute(unit, period, definitions, version, self.as_of(definitions))
        return sum(len(p) for p in kept.values())

    def _compute(self, unit: str, period: str, definitions: Definitions, version: int,
                 as_of: date) -> Result:
        ev = evaluate(definitions, period, units=[unit], as_of=as_of)
        result = Result(ev, facts_of(definitions, unit))
        self.store.results.save(StoredResult(unit, period, version, as_of,
                                             pack(ev, result.facts)))
        return result
