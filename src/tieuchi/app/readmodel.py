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
from dataclasses import fields
from datetime import date, datetime

import polars as pl

from tieuchi.domain.bundle import Definitions
from tieuchi.domain.periods import Period
from tieuchi.engine import Evaluation, evaluate
from tieuchi.engine.criteria import SetResults
from tieuchi.store import Store
from tieuchi.store.results import StoredResult

__all__ = ["ReadModel", "pack", "unpack"]

_FRAMES = ("values", "targets", "groups")
_SET_FRAMES = tuple(f.name for f in fields(SetResults))


def pack(ev: Evaluation) -> bytes:
    """The evaluation's frames as one blob: a ZIP (stored, not compressed) of Arrow IPC
    files and a small JSON header."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("meta.json", json.dumps({
            "period": ev.period.code, "as_of": ev.as_of.isoformat(), "units": ev.units}))
        frames = {**{n: getattr(ev, n) for n in _FRAMES},
                  **{f"sets.{n}": getattr(ev.sets, n) for n in _SET_FRAMES}}
        for name, frame in frames.items():
            data = io.BytesIO()
            frame.write_ipc(data)
            archive.writestr(f"{name}.arrow", data.getvalue())
    return buffer.getvalue()


def unpack(payload: bytes, definitions: Definitions) -> Evaluation:
    """The evaluation kept in ``payload``, over ``definitions``."""
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        meta = json.loads(archive.read("meta.json"))

        def frame(name: str) -> pl.DataFrame:
            return pl.read_ipc(io.BytesIO(archive.read(f"{name}.arrow")))

        return Evaluation(
            definitions, Period.parse(meta["period"]), date.fromisoformat(meta["as_of"]),
            tuple(meta["units"]), frame("values"), frame("targets"), frame("groups"),
            SetResults(**{n: frame(f"sets.{n}") for n in _SET_FRAMES}))


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
        """``unit``'s evaluation for ``period``, from the read model when it is fresh, else
        computed (from ``definitions`` when given, read at ``version`` or later) and kept.

        A caller passing ``definitions`` reads the unit's version *before* them (see
        :meth:`snapshot`): a result kept with an older version than its data is only
        computed again, never taken for fresher than it is."""
        code = Period.parse(period).code if isinstance(period, str) else period.code
        if definitions is None:
            version, definitions = self.snapshot(unit)
        elif version is None:
            version = self.store.unit_version(unit)
        as_of = self.as_of(definitions)
        kept = self.store.stored_result(unit, code)
        if kept is not None and kept.version >= version and kept.as_of == as_of:
            return unpack(kept.payload, definitions)
        return self._compute(unit, code, definitions, version, as_of)

    def snapshot(self, unit: str) -> tuple[int, Definitions]:
        """The unit's version, then its definitions (read after, so at least as new)."""
        version = self.store.unit_version(unit)
        return version, self.store.definitions(unit)

    def refresh(self, units: Iterable[str]) -> int:
        """Compute again the results kept for ``units`` and every unit above them (what a
        write to ``units`` can change); returns how many were computed."""
        above: set[str] = set()
        for unit in units:
            above.update(self.store.path(unit))
        done = 0
        for unit in sorted(above):
            kept = self.store.results_kept_for([unit])
            if not kept:
                continue
            version, definitions = self.snapshot(unit)
            for _, period in kept:
                self._compute(unit, period, definitions, version, self.as_of(definitions))
                done += 1
        return done

    def _compute(self, unit: str, period: str, definitions: Definitions, version: int,
                 as_of: date) -> Evaluation:
        ev = evaluate(definitions, period, units=[unit], as_of=as_of)
        self.store.save_result(StoredResult(unit, period, version, as_of, pack(ev)))
        return ev
