"""The live read model: each unit's evaluation for a period, kept in the database and
brought up to date by the writes, so that pages and the API read results instead of
evaluating from scratch on every request.

A result is the engine's frames (values, targets, groups, criteria sets) for one unit and
what lies under it, stored with the version of the data it was computed from and the date it
was computed for (:mod:`tieuchi.store.results`). After a command writes, the results kept for
the units written to and every unit above them are brought up to date
(:meth:`ReadModel.refresh`): when the command says which indicators and periods it wrote,
only what they can change is evaluated again (:func:`reach`: those indicators, the ones
computed from them, the criteria sets using them and the counts of units passing those sets)
from those indicators' figures and targets alone, and patched into the kept frames; anything
else is computed again in full. A reader checks the version anyway, so a result that a write
made stale, or one computed for another day, is computed again by whichever worker reads it
first and kept for the others. A report, an evaluation as of another date or of one vintage
still evaluates on demand.

Each worker keeps, in memory, the results it has read (by unit, period, version and date,
within a size budget) and the definitions without data of the units it has shown (by the
definitions version, which only a load changes): a page asks the database for two version
numbers, in one query, and reads nothing else of the read model when they have not moved.
"""

from __future__ import annotations

import io
import json
import threading
import zipfile
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime

import polars as pl

from tieuchi.domain.bundle import Definitions
from tieuchi.domain.indicators import Indicator
from tieuchi.domain.periods import Period, PeriodError, PeriodKind
from tieuchi.domain.project import Project
from tieuchi.engine import Evaluation, evaluate
from tieuchi.engine.criteria import SetResults
from tieuchi.engine.targets import group_counts
from tieuchi.store import Store, results
from tieuchi.store.results import StoredResult

__all__ = ["ReadModel", "Result", "Facts", "pack", "unpack", "facts_of", "reach"]

Written = Iterable[tuple[str, str]]
"""What a write changed: (indicator, period) pairs."""

_FRAMES = ("values", "targets", "groups", "figures")
_SET_FRAMES = tuple(f.name for f in fields(SetResults))


@dataclass(frozen=True)
class Facts:
    """What the pages of a unit show besides its evaluation, found in its data when the
    result is computed: the periods with figures or targets in the unit's subtree (years,
    halves, quarters, year-to-date, months; newest first), and the indicators with figures (in the
    subtree, of the unit itself) and with targets."""

    periods: tuple[str, ...] = ()
    observed: frozenset[str] = frozenset()
    own: frozenset[str] = frozenset()
    targeted: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Result:
    """A unit's evaluation for a period, its facts, and the slices of its frames pages have
    asked for (kept with the result in the worker's memory, so a page filters a province's
    frames for one unit once, not on every request)."""

    evaluation: Evaluation
    facts: Facts
    slices: dict[tuple[str, str], pl.DataFrame] = field(default_factory=dict, compare=False,
                                                        repr=False)

    def own(self, frame: str, unit: str) -> pl.DataFrame:
        """The rows about ``unit`` of one of the evaluation's frames: ``values``,
        ``targets``, ``groups``, or a set frame (``sets.sets``, ``sets.summaries`` …)."""
        found = self.slices.get((frame, unit))
        if found is None:
            found = _frames(self.evaluation)[frame].filter(pl.col("unit") == unit)
            self.slices[(frame, unit)] = found
        return found


_SHOWN_KINDS = (PeriodKind.YEAR, PeriodKind.HALF, PeriodKind.QUARTER, PeriodKind.YTD,
                PeriodKind.MONTH)


def facts_of(definitions: Definitions, unit: str) -> Facts:
    """The facts of ``unit`` in full ``definitions`` (its subtree's targets and figures)."""
    obs, targets = definitions.observations, definitions.targets
    return Facts(
        periods=_shown(set(obs.get_column("period").unique().to_list()) | set(
            targets.get_column("period").unique().to_list())),
        observed=frozenset(obs.get_column("indicator").unique().to_list()),
        own=frozenset(obs.filter(pl.col("unit") == unit).get_column("indicator")
                      .unique().to_list()),
        targeted=frozenset(targets.get_column("indicator").unique().to_list()))


def _shown(codes: Iterable[str]) -> tuple[str, ...]:
    """The periods among ``codes`` that pages offer, newest first."""
    found = []
    for code in codes:
        try:
            period = Period.parse(code)
        except PeriodError:
            continue
        if period.kind in _SHOWN_KINDS:
            found.append(period)
    return tuple(p.code for p in sorted(found, key=lambda p: (p.start, p.end), reverse=True))


def reach(definitions: Definitions, written: Iterable[str]) -> tuple[set[str], set[str]]:
    """(indicators, criteria sets) whose results a write to the ``written`` indicators can
    change: those indicators, the indicators computed from them (components, ratios,
    weights), the sets with a condition on them or on a set reached, and the counts or shares
    of units passing a set reached."""
    indicators, sets = set(written), set()
    grown = True
    while grown:
        grown = False
        for ind in definitions.indicators:
            if ind.code not in indicators and (
                    _inputs(ind) & indicators or ind.criteria_set in sets):
                indicators.add(ind.code)
                grown = True
        for cset in definitions.criteria_sets:
            if cset.code not in sets and any(
                    c.indicator in indicators or c.set in sets
                    for criterion in cset.criteria for c in criterion.conditions):
                sets.add(cset.code)
                grown = True
    return indicators, sets


def _needs(definitions: Definitions, indicators: set[str],
           sets: set[str]) -> tuple[set[str], set[str]]:
    """(indicators, sets) the evaluation of ``indicators`` and ``sets`` reads: them, and
    everything they are computed from."""
    indicators, sets = set(indicators), set(sets)
    grown = True
    while grown:
        size = len(indicators) + len(sets)
        for code in list(indicators):
            ind = definitions.indicator_by_code.get(code)
            if ind is not None:
                indicators |= _inputs(ind)
                sets.update([ind.criteria_set] if ind.criteria_set else [])
        for code in list(sets):
            cset = definitions.set_by_code.get(code)
            for criterion in cset.criteria if cset else ():
                for c in criterion.conditions:
                    indicators.update([c.indicator] if c.indicator else [])
                    sets.update([c.set] if c.set else [])
        grown = len(indicators) + len(sets) > size
    return indicators, sets


def _inputs(ind: Indicator) -> set[str]:
    """The indicators ``ind``'s value is computed from."""
    return {*ind.components, *(c for c in (ind.numerator, ind.denominator, ind.weight) if c)}


RESULT_FORMAT = 3
"""The layout of a packed result's frames. A result packed in another layout (1: before the
targets' ``assessment``, ``percent_decimals``, ``percent_fixed`` and ``decimals_fixed``; 2:
before their ``allocation``, or its facts listed the months with figures) is not read: it is
computed again."""


def pack(ev: Evaluation, facts: Facts = Facts()) -> bytes:
    """The evaluation's frames as one blob: a ZIP (stored, not compressed) of Arrow IPC
    files (LZ4-compressed buffers: a tenth of the size, at a cost too small to measure) and a
    small JSON header with the facts."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("meta.json", json.dumps({
            "format": RESULT_FORMAT,
            "period": ev.period.code, "as_of": ev.as_of.isoformat(), "units": ev.units,
            "facts": {"periods": list(facts.periods), "observed": sorted(facts.observed),
                      "own": sorted(facts.own), "targeted": sorted(facts.targeted)}}))
        for name, frame in _frames(ev).items():
            data = io.BytesIO()
            frame.write_ipc(data, compression="lz4")
            archive.writestr(f"{name}.arrow", data.getvalue())
    return buffer.getvalue()


def unpack(payload: bytes, definitions: Definitions) -> Evaluation | None:
    """The evaluation kept in ``payload``, over ``definitions``; None when it was packed in
    another layout (:data:`RESULT_FORMAT`)."""
    result = _unpack(payload, definitions)
    return result.evaluation if result is not None else None


def _unpack(payload: bytes, definitions: Definitions) -> Result | None:
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        meta = json.loads(archive.read("meta.json"))
        if meta.get("format", 1) != RESULT_FORMAT:
            return None

        def frame(name: str) -> pl.DataFrame:
            if f"{name}.arrow" not in archive.namelist():  # kept before the frame existed
                return pl.DataFrame(schema={"unit": pl.String, "indicator": pl.String})
            return pl.read_ipc(io.BytesIO(archive.read(f"{name}.arrow")))

        found = meta.get("facts", {})
        return Result(Evaluation(
            definitions, Period.parse(meta["period"]), date.fromisoformat(meta["as_of"]),
            tuple(meta["units"]), frame("values"), frame("targets"), frame("groups"),
            SetResults(**{n: frame(f"sets.{n}") for n in _SET_FRAMES}), frame("figures")), Facts(
            tuple(found.get("periods", ())), frozenset(found.get("observed", ())),
            frozenset(found.get("own", ())), frozenset(found.get("targeted", ()))))


_BUDGET = 384 * 2**20  # bytes of result frames a worker keeps in memory
_LIGHT = 256  # units whose definitions without data a worker keeps


@dataclass(frozen=True)
class _Kept:
    """A result kept in a worker's memory: its frames without the definitions."""

    version: int
    as_of: date
    evaluation: Evaluation
    facts: Facts
    size: int
    slices: dict[tuple[str, str], pl.DataFrame]

    def over(self, definitions: Definitions) -> Result:
        return Result(replace(self.evaluation, definitions=definitions), self.facts,
                      self.slices)


class ReadModel:
    """The results of the units of one store, and a worker's memory of them."""

    def __init__(self, store: Store, clock: Callable[[], datetime],
                 budget: int = _BUDGET) -> None:
        self.store = store
        self.clock = clock
        self.budget = budget
        self._lock = threading.Lock()
        self._results: OrderedDict[tuple[str, str], _Kept] = OrderedDict()
        self._size = 0
        self._light: OrderedDict[
            str, tuple[int, Definitions, tuple[tuple[str, str], ...]]] = OrderedDict()

    def as_of(self, definitions: Definitions) -> date:
        """The date results are computed for: the project's, else today."""
        return definitions.project.as_of or self.clock().date()

    def versions(self, unit: str) -> tuple[int, int]:
        """``unit``'s data version and the definitions version, in one query."""
        with self.store.session() as s:
            return results.versions(s, unit)

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
        """``unit``'s result for ``period``, from the worker's memory or the read model when
        it is fresh (over ``definitions``, which may be without targets and figures:
        ``data=False``), else computed from full definitions (``definitions`` themselves,
        or ``full()``) and kept.

        The unit's ``version`` is read *before* the definitions (see :meth:`snapshot`): a
        result kept with an older version than its data is only computed again, never taken
        for fresher than it is."""
        code = Period.parse(period).code if isinstance(period, str) else period.code
        if version is None:
            version = self.versions(unit)[0]
        as_of = self.as_of(definitions)
        with self._lock:
            found = self._results.get((unit, code))
            if found is not None and found.version >= version and found.as_of == as_of:
                self._results.move_to_end((unit, code))
                return found.over(definitions)
        kept = self.store.results.stored(unit, code)
        result = (_unpack(kept.payload, definitions) if kept is not None
                  and kept.version >= version and kept.as_of == as_of else None)
        if kept is not None and result is not None:
            self._remember(unit, code, kept.version, result)
            return result
        return self._compute(unit, code, full() if full else definitions, version, as_of)

    def snapshot(self, unit: str, *, data: bool = True,
                 versions: tuple[int, int] | None = None) -> tuple[int, Definitions]:
        """The unit's version, then its definitions (read after, so at least as new); with
        ``data=False`` without targets and figures, from the worker's memory while no load
        has changed them. ``versions``: those :meth:`versions` has just read."""
        version, defined = versions if versions is not None else self.versions(unit)
        if data:
            return version, self.store.units.definitions(unit)
        return version, self._page(unit, defined)[0]

    def ancestry(self, unit: str) -> tuple[tuple[str, str], ...]:
        """(code, name) of ``unit`` and every unit above it, up to the top; from the worker's
        memory when a :meth:`snapshot` without data has just read the unit's."""
        with self._lock:
            found = self._light.get(unit)
        return found[2] if found is not None else self._ancestry(unit)

    def targets(self, unit: str, indicators: Iterable[str]) -> pl.DataFrame:
        """The targets of ``indicators`` assigned to ``unit`` itself, as defined
        (TARGET_SCHEMA), without reading the rest of its subtree's."""
        with self.store.session() as s:
            return results.targets_of(s, [unit], indicators)[0]

    def members(self, groups: Iterable[str]) -> pl.DataFrame:
        """The members of target ``groups`` (MEMBER_SCHEMA)."""
        with self.store.session() as s:
            return results.members_of(s, groups)

    def _page(self, unit: str,
              defined: int) -> tuple[Definitions, tuple[tuple[str, str], ...]]:
        """The unit's definitions without data and its ancestry, kept while the definitions
        version is ``defined``."""
        with self._lock:
            found = self._light.get(unit)
            if found is not None and found[0] >= defined:
                self._light.move_to_end(unit)
                return found[1], found[2]
        light, ancestry = self.store.units.definitions(unit, data=False), self._ancestry(unit)
        with self._lock:
            self._light[unit] = (defined, light, ancestry)
            while len(self._light) > _LIGHT:
                self._light.popitem(last=False)
        return light, ancestry

    def _ancestry(self, unit: str) -> tuple[tuple[str, str], ...]:
        found = ((code, self.store.units.get(code)) for code in self.store.units.path(unit))
        return tuple((code, u.name) for code, u in found if u is not None)

    def refresh(self, units: Iterable[str], written: Written | None = None) -> int:
        """Bring up to date the results kept for ``units`` and every unit above them (what a
        write to ``units`` can change); returns how many were brought up to date. With
        ``written``, the (indicator, period) pairs the write changed, a result that missed
        only this write is patched: only what those indicators reach is evaluated again,
        once a period for the topmost unit, and sliced for the units below it."""
        above: set[str] = set()
        for unit in units:
            above.update(self.store.units.path(unit))
        with self.store.session() as s:
            kept = results.kept(s, above)  # one query for them all
        pages = {unit: self.snapshot(unit, data=False) for unit in {k.unit for k in kept}}
        stale = [k for k in kept if k.version < pages[k.unit][0]]  # else done by another
        done: set[tuple[str, str]] = set()
        if written is not None:
            changed = set(written)
            for period in sorted({k.period for k in stale}):
                done |= self._patch([k for k in stale if k.period == period
                                     and k.version >= 0
                                     and k.as_of == self.as_of(pages[k.unit][1])],
                                    changed, pages)
        full: dict[str, Definitions] = {}
        for k in stale:
            if (k.unit, k.period) not in done:
                if k.unit not in full:
                    full[k.unit] = self.store.units.definitions(k.unit)
                version, light = pages[k.unit]
                self._compute(k.unit, k.period, full[k.unit], version, self.as_of(light))
        return len(stale)

    def _patch(self, kept: list[results.Kept], written: set[tuple[str, str]],
               pages: dict[str, tuple[int, Definitions]]) -> set[tuple[str, str]]:
        """Patch the results ``kept`` for one period (each one write behind) with what
        ``written`` can change, each kept in its place if it is still kept unchanged;
        returns the (unit, period) of those kept. The reached indicators are evaluated once
        for the unit with the largest subtree and sliced for the units under it; the others
        (under another top unit) likewise after."""
        if not kept:
            return set()
        top = max(kept, key=lambda k: len(pages[k.unit][1].units))
        light = pages[top.unit][1]
        indicators, sets = reach(light, {i for i, _ in written})
        needed, needed_sets = _needs(light, indicators, sets)
        with self.store.session() as s:
            targets, members = results.targets_of(s, [u.code for u in light.units], indicators)
            restricted = replace(
                light, indicators=tuple(i for i in light.indicators if i.code in needed),
                criteria_sets=tuple(c for c in light.criteria_sets if c.code in needed_sets),
                groups=(), targets=targets, members=members,
                observations=results.figures_of(s, [u.code for u in light.units], needed))
            groups = members.get_column("group").unique().to_list()
            all_members = results.members_of(s, groups) if groups else members
        ev = evaluate(restricted, top.period, units=[top.unit], as_of=top.as_of)
        done: set[tuple[str, str]] = set()
        for k in kept:
            if k.unit not in light.unit_by_code:
                continue  # not under the top unit: patched after it, below
            subtree = {k.unit, *light.descendants(k.unit)}
            within = pl.col("unit").is_in(list(subtree))
            facts = facts_of(replace(restricted, targets=targets.filter(within),
                                     observations=restricted.observations.filter(within)),
                             k.unit)
            old = self._old(k, pages[k.unit][1])
            if old is None or any(p in old.facts.periods and p not in facts.periods
                                  for _, p in written):
                continue  # a period may have lost its last figure: look at all of them
            patched = _patched(old.evaluation, _within(ev, subtree), indicators, sets,
                               all_members)
            merged = Facts(
                _shown({*old.facts.periods, *facts.periods}),
                (old.facts.observed - needed) | facts.observed,
                (old.facts.own - needed) | facts.own,
                (old.facts.targeted - indicators) | facts.targeted)
            version = pages[k.unit][0]
            with self.store.session() as s:
                saved = results.patch(s, StoredResult(k.unit, k.period, version, k.as_of,
                                                      pack(patched, merged)), k.version,
                                      self.clock())
            if saved:
                self._remember(k.unit, k.period, version, Result(patched, merged))
                done.add((k.unit, k.period))
        return done | self._patch([k for k in kept if k.unit not in light.unit_by_code],
                                  written, pages)

    def _old(self, kept: results.Kept, light: Definitions) -> Result | None:
        """The result ``kept`` stands for: from memory, else unpacked from the database."""
        with self._lock:
            found = self._results.get((kept.unit, kept.period))
        if found is not None and found.version == kept.version and found.as_of == kept.as_of:
            return found.over(light)
        stored = self.store.results.stored(kept.unit, kept.period)
        if stored is None or stored.version != kept.version:
            return None
        return _unpack(stored.payload, light)

    def _compute(self, unit: str, period: str, definitions: Definitions, version: int,
                 as_of: date) -> Result:
        ev = evaluate(definitions, period, units=[unit], as_of=as_of)
        result = Result(ev, facts_of(definitions, unit))
        self.store.results.save(StoredResult(unit, period, version, as_of,
                                            pack(ev, result.facts)))
        self._remember(unit, period, version, result)
        return result

    def _remember(self, unit: str, period: str, version: int, result: Result) -> None:
        """Keep ``result`` in the worker's memory (the least recently read go first when
        the frames outgrow the budget)."""
        ev = result.evaluation
        size = int(sum(f.estimated_size() for f in _frames(ev).values()))
        kept = _Kept(version, ev.as_of, replace(ev, definitions=_NO_DEFINITIONS), result.facts,
                     size, result.slices)
        with self._lock:
            previous = self._results.pop((unit, period), None)
            if previous is not None:
                self._size -= previous.size
            if previous is not None and previous.version > version:
                kept = previous
            self._results[(unit, period)] = kept
            self._size += kept.size
            while self._size > self.budget and len(self._results) > 1:
                self._size -= self._results.popitem(last=False)[1].size


def _frames(ev: Evaluation) -> dict[str, pl.DataFrame]:
    return {**{n: getattr(ev, n) for n in _FRAMES},
            **{f"sets.{n}": getattr(ev.sets, n) for n in _SET_FRAMES}}


def _within(ev: Evaluation, units: set[str]) -> Evaluation:
    """``ev`` (evaluated for a unit above) as evaluated for the units ``units`` (a unit and
    all under it): every row about them, and no other."""
    chosen = pl.col("unit").is_in(list(units))

    def rows(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.filter(chosen) if "unit" in frame.columns else frame

    return replace(ev, units=tuple(u for u in ev.units if u in units),
                   values=rows(ev.values), targets=rows(ev.targets), groups=rows(ev.groups),
                   figures=rows(ev.figures),
                   sets=SetResults(**{n: rows(getattr(ev.sets, n)) for n in _SET_FRAMES}))


def _patched(old: Evaluation, new: Evaluation, indicators: set[str], sets: set[str],
             members: pl.DataFrame) -> Evaluation:
    """``old`` with the rows of ``indicators`` and ``sets`` taken from ``new`` (evaluated
    from those alone), and the groups with a member among them counted again."""
    of_indicators = pl.col("indicator").is_in(list(indicators))
    targets = _replaced(old.targets, new.targets, of_indicators, "key")
    groups = members.get_column("group").unique().to_list()
    counted = group_counts(members, targets)
    info = ["group", *(c for c in old.groups.columns if c not in counted.columns)]
    recounted = old.groups.filter(pl.col("group").is_in(groups)).select(info).join(
        counted, on="group", how="left").with_columns(
        pl.col(pl.UInt32, pl.Int64, pl.Int32).fill_null(0),
        pl.col(pl.List(pl.String)).fill_null([])).select(old.groups.columns).cast(
        old.groups.schema)
    return replace(
        old, values=_replaced(old.values, new.values, of_indicators),
        targets=targets,
        figures=_replaced(old.figures, new.figures, of_indicators) if (
            old.figures.width == new.figures.width) else new.figures,
        groups=_replaced(old.groups, recounted, pl.col("group").is_in(groups), "group"),
        sets=SetResults(**{n: _set_rows(getattr(old.sets, n), getattr(new.sets, n), sets)
                           for n in _SET_FRAMES}))


def _set_rows(old: pl.DataFrame, new: pl.DataFrame, sets: set[str]) -> pl.DataFrame:
    """A frame of set results with the rows of ``sets`` taken from ``new`` (a frame
    without columns holds no set's rows)."""
    if not sets or not new.width:
        return old.filter(~pl.col("set").is_in(list(sets))) if sets and old.width else old
    if not old.width:
        return new.filter(pl.col("set").is_in(list(sets)))
    return _replaced(old, new, pl.col("set").is_in(list(sets)))


def _replaced(old: pl.DataFrame, new: pl.DataFrame, chosen: pl.Expr,
              key: str | None = None) -> pl.DataFrame:
    """``old``'s rows but those ``chosen``, then ``new``'s rows ``chosen``; by ``key``, in
    ``old``'s order (new keys last, in ``new``'s order)."""
    frame = pl.concat([old.filter(~chosen), new.filter(chosen).select(old.columns)
                       .cast(old.schema)])
    if key is None:
        return frame
    order = old.select(key).with_row_index("_order")
    return frame.join(order, on=key, how="left", maintain_order="left").sort(
        "_order", nulls_last=True, maintain_order=True).drop("_order")


_NO_DEFINITIONS = Definitions(
    project=Project(name="tieuchi"), levels=(), units=(), indicators=(), groups=(),
    criteria_sets=(), targets=pl.DataFrame(), members=pl.DataFrame(),
    observations=pl.DataFrame())
