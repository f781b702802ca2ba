"""The work queue ("chờ xử lý"): every form of a unit and the units below it for a period,
where it stands in the workflow, how much of it is filled in, when it is due and how late it
is, and the steps the reader may take on it.

A read model over the store, read in bulk: the units of the subtree, the data sets, the
workflow states and the figures held for the period are a handful of queries whatever the
number of units (a province has hundreds of communes), never a query per unit or per form.
Who may take which step is the policy's (:func:`~tieuchi.app.policy.allowed`), asked with
each unit's path built in memory; the steps themselves are
:data:`~tieuchi.domain.workflow.TRANSITIONS`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from tieuchi.app.policy import Action, Actor, Resource, allowed
from tieuchi.domain.datasets import DataSet
from tieuchi.domain.periods import Period
from tieuchi.domain.units import Unit
from tieuchi.domain.workflow import TRANSITIONS, State, Step
from tieuchi.store import Store

__all__ = ["Stage", "Item", "Queue", "work_queue", "stage_of", "STAGES", "QUEUE_STEPS"]


class Stage(StrEnum):
    """Where a form stands, as the queue shows it: a draft is "chưa nhập" until it holds a
    figure."""

    EMPTY = "empty"  # chưa nhập: a draft without a figure
    DRAFT = "draft"  # đang nhập: a draft with figures
    SUBMITTED = "submitted"  # đã gửi: waits for the level above
    APPROVED = "approved"  # đã phê duyệt
    LOCKED = "locked"  # đã khóa


STAGES: tuple[Stage, ...] = (Stage.SUBMITTED, Stage.DRAFT, Stage.EMPTY, Stage.APPROVED,
                             Stage.LOCKED)
"""The stages in the order the queue lists them at equal lateness: what waits for the
level above first, what is done last."""

QUEUE_STEPS: tuple[Step, ...] = (Step.APPROVE, Step.RETURN, Step.LOCK)
"""The steps the queue offers: those of the level above."""


def stage_of(state: State, filled: int) -> Stage:
    """The queue's stage of a form in ``state`` with ``filled`` figures."""
    if state is State.DRAFT:
        return Stage.DRAFT if filled else Stage.EMPTY
    return Stage(state.value)


@dataclass(frozen=True)
class Item:
    """One form of one unit for the period."""

    unit: Unit
    dataset: DataSet
    state: State
    filled: int  # indicators of the form with a figure for the period
    required: int  # indicators of the form
    due: date | None
    days_late: int  # days past the due date of a form not yet submitted (0: not late)
    steps: tuple[Step, ...]  # the steps the reader may take on it (of :data:`QUEUE_STEPS`)

    @property
    def stage(self) -> Stage:
        return stage_of(self.state, self.filled)

    @property
    def share(self) -> float:
        """The share of the form's cells filled in, in percent."""
        return 100.0 * self.filled / self.required if self.required else 100.0

    @property
    def key(self) -> str:
        """The form's key in a request: ``unit|dataset``."""
        return f"{self.unit.code}|{self.dataset.code}"


@dataclass(frozen=True)
class Queue:
    """The forms of ``unit`` and the units below it for ``period``, late first."""

    unit: str
    period: Period
    today: date
    items: tuple[Item, ...]

    def waiting(self) -> list[Item]:
        """The submitted forms the reader may approve: what waits for them."""
        return [i for i in self.items if i.state is State.SUBMITTED and Step.APPROVE in i.steps]

    def late(self) -> list[Item]:
        """The forms past their due date and not yet submitted, latest first."""
        return [i for i in self.items if i.days_late > 0]

    def late_units(self) -> list[str]:
        """The units with a late form, in the queue's order."""
        return list(dict.fromkeys(i.unit.code for i in self.late()))

    def of(self, stage: str | None) -> list[Item]:
        """The forms at ``stage`` (a :class:`Stage`), ``"late"`` or ``"waiting"``; all of
        them for None or an empty word; none for a word that is no stage."""
        if not stage:
            return list(self.items)
        if stage == "late":
            return self.late()
        if stage == "waiting":
            return self.waiting()
        if stage == "open":
            return [i for i in self.items if i.state in (State.DRAFT, State.SUBMITTED)]
        return [i for i in self.items if i.stage.value == stage]


FILTERS: tuple[str, ...] = ("open", "waiting", "late", *(s.value for s in Stage), "all")
"""The filters of the queue page, the first its default: the forms not yet approved."""


def work_queue(store: Store, actor: Actor, root: str, period: Period, today: date,
               step_actions: Mapping[Step, Action]) -> Queue:
    """The queue of ``root`` and the units below it that ``actor`` may read, for
    ``period``: each form a unit's level reports for that kind of period."""
    units = [u for u in store.units.under(root) if u.valid_on(period.start, period.end)]
    paths = _paths(units, root, store.units.path(root))
    units = [u for u in units if allowed(actor, Action.READ, Resource.unit(paths[u.code]))]
    forms = [d for d in store.units.datasets() if d.period is period.kind]
    codes = [u.code for u in units]
    states = store.workflow.states(codes, period.code) if codes else {}
    filled = _filled(store, codes, period)
    items = []
    for position, unit in enumerate(units):
        resource = Resource.unit(paths[unit.code])
        held = filled.get(unit.code, set())
        for form in (f for f in forms if f.reported_by(unit.level)):
            state = states.get((unit.code, form.code), State.DRAFT)
            steps = tuple(s for s in QUEUE_STEPS if state in TRANSITIONS[s][0]
                          and allowed(actor, step_actions[s], resource))
            late = form.days_late(period, today) if state is State.DRAFT else 0
            items.append((position, Item(
                unit, form, state, len(held & set(form.indicators)), len(form.indicators),
                form.due_date(period), late, steps)))
    order = {stage: n for n, stage in enumerate(STAGES)}
    items.sort(key=lambda pi: (-pi[1].days_late, order[pi[1].stage], pi[0]))
    return Queue(root, period, today, tuple(i for _, i in items))


def _paths(units: Sequence[Unit], root: str, root_path: Sequence[str]) -> dict[str, tuple[
        str, ...]]:
    """Each unit's path (itself, its parent, … up to the top), from the root's."""
    parent = {u.code: u.parent for u in units}
    paths: dict[str, tuple[str, ...]] = {root: tuple(root_path)}

    def path(code: str) -> tuple[str, ...]:
        chain: list[str] = []
        current: str | None = code
        while current is not None and current not in paths and current not in chain:
            chain.append(current)
            current = parent.get(current)
        tail = paths.get(current, ()) if current is not None else ()
        for n, c in enumerate(chain):
            paths[c] = (*chain[n:], *tail)
        return paths[code] if code in paths else tuple(chain)

    for u in units:
        path(u.code)
    return paths


def _filled(store: Store, units: Iterable[str], period: Period) -> dict[str, set[str]]:
    """unit → the indicators with a figure (of any vintage) for ``period``."""
    held = store.figures.held(units, [period.code]).select("unit", "indicator").unique()
    out: dict[str, set[str]] = {}
    for unit, indicator in held.iter_rows():
        out.setdefault(unit, set()).add(indicator)
    return out
