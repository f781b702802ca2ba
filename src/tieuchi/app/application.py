"""The application object: the store, the permission policy, the clock and the settings, with
the use cases as commands (actor + command → result, or problems).

The web pages, the REST API, the command line and the importers translate requests into these
commands and results into responses; none of them decides who may do what. Each command asks
:func:`tieuchi.app.policy.allowed` for every unit it touches before anything is written, so a
request that reaches out of its scope is refused whole (:class:`~tieuchi.store.Refused`) and
writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from tieuchi.app.policy import Action, Actor, Resource, System, allowed, refusal
from tieuchi.app.readmodel import ReadModel
from tieuchi.domain.allocation import adds_up, allocatable, allocation, parts_of
from tieuchi.domain.bundle import Definitions, target_frame
from tieuchi.domain.periods import Period, PeriodError, PeriodKind
from tieuchi.domain.workflow import TRANSITIONS, State, Step
from tieuchi.reports.formatting import number
from tieuchi.settings import Settings
from tieuchi.store import Entry, EntryProblem, LoadSummary, Refused, Store, StoreError
from tieuchi.store.repository import now

__all__ = ["App", "STEP_ACTIONS", "UnknownUnit"]

# The permission each workflow step needs: the unit's writers submit, the level above
# approves, returns and locks, an administrator reopens.
STEP_ACTIONS: dict[Step, Action] = {
    Step.SUBMIT: Action.WRITE,
    Step.APPROVE: Action.APPROVE,
    Step.RETURN: Action.APPROVE,
    Step.LOCK: Action.APPROVE,
    Step.REOPEN: Action.REOPEN,
}


class UnknownUnit(LookupError):
    """A unit code that is not in the hierarchy."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(f"unit '{code}' does not exist")


class App:
    """One application over one store; shared by the web workers, the API and the CLI."""

    def __init__(self, store: Store, settings: Settings | None = None,
                 clock: Callable[[], datetime] = now) -> None:
        self.store = store
        self.settings = settings or Settings()
        self.clock = clock
        self.results = ReadModel(store, clock)

    # ------------------------------------------------------------------ permissions

    def resource(self, unit: str, author: str | None = None) -> Resource:
        return Resource.unit(self.store.path(unit), author)

    def may(self, actor: Actor | None, action: Action, unit: str,
            author: str | None = None) -> bool:
        """Whether ``actor`` may do ``action`` on ``unit`` (False for an unknown unit)."""
        return allowed(actor, action, self.resource(unit, author))

    def require(self, actor: Actor | None, action: Action, unit: str,
                author: str | None = None) -> Resource:
        """The unit as a resource, once ``actor`` may do ``action`` on it: raises
        :class:`UnknownUnit` when it does not exist, :class:`Refused` when it is out of the
        actor's reach."""
        resource = self.resource(unit, author)
        if not resource.path:
            raise UnknownUnit(unit)
        if not allowed(actor, action, resource):
            raise Refused(*refusal(action, unit))
        return resource

    def require_all(self, actor: Actor, action: Action, units: Iterable[str]) -> None:
        """Refuse the whole request when one of its units is out of reach; units that do not
        exist are left for the command to report with their row."""
        for unit in sorted(set(units)):
            resource = self.resource(unit)
            if resource.path and not allowed(actor, action, resource):
                raise Refused(*refusal(action, unit))

    def workflow_actions(self, actor: Actor | None, unit: str, state: State) -> list[Step]:
        """The workflow steps ``actor`` may take on a unit's data set in ``state``: the
        buttons of the entry page and the ``actions`` of ``GET /api/workflow``."""
        resource = self.resource(unit)
        return [step for step, (sources, _) in TRANSITIONS.items()
                if state in sources and allowed(actor, STEP_ACTIONS[step], resource)]

    def default_period(self, definitions: Definitions | None = None) -> str:
        """The period pages and the API show when none is asked for: the project's, else the
        current year (by the application's clock)."""
        project = definitions.project if definitions is not None else self.store.project()
        return project.period or str(self.clock().date().year)

    # ------------------------------------------------------------------ commands

    def load(self, actor: Actor, definitions: Definitions, *,
             reason: str | None = None) -> LoadSummary:
        """Load a validated definition folder (only the system actor may: the command
        line)."""
        self._require_system(actor, "load")
        return self.store.load(definitions, actor=actor.username, reason=reason)

    def write_figures(self, actor: Actor, entries: Sequence[Entry], *,
                      reason: str | None = None) -> int:
        """Write figures, all or nothing; returns how many changed."""
        self.require_all(actor, Action.WRITE, (e.unit for e in entries))
        count = self.store.write(entries, actor=actor.username, reason=reason)
        if count:
            self.results.refresh({e.unit for e in entries},
                                 {(e.indicator, e.period) for e in entries})
        return count

    def set_targets(self, actor: Actor, docs: Sequence[dict[str, Any]], *,
                    reason: str | None = None) -> int:
        """Add or change targets (rows of the target schema), all or nothing. A key already
        held by another unit is that unit's target: its scope decides too."""
        held = self.store.targets_by_key([d["key"] for d in docs])
        units = {d["unit"] for d in docs} | {held[d["key"]][0] for d in docs if d["key"] in held}
        self.require_all(actor, Action.MANAGE_TARGETS, units)
        count = self.store.save_targets(docs, actor=actor.username, reason=reason)
        if count:
            self.results.refresh(units, {(d["indicator"], d["period"]) for d in docs}
                                 | {(i, p) for _, i, p in held.values()})
        return count

    def allocate(self, actor: Actor, unit: str, key: str, parts: Mapping[str, float], *,
                 document: str | None = None, reason: str | None = None) -> int:
        """Split ``unit``'s target ``key`` among the units directly below it: saved, one
        target per unit, only when the parts are those units' and add up to the target
        (:mod:`tieuchi.domain.allocation`). Returns how many targets changed."""
        self.require(actor, Action.MANAGE_TARGETS, unit)
        definitions = self.store.definitions(unit, data=False)
        target = {t["key"]: t for t in self.store.targets_of([unit])}.get(key)
        indicator = definitions.indicator_by_code.get(target["indicator"]) if target else None
        if target is None or indicator is None or not allocatable(target, indicator):
            raise StoreError([EntryProblem(
                None, "key", "not-allocatable",
                f"target '{key}' of {unit} cannot be allocated to the units below (it must be "
                "a number, at least, at most or equal, of an indicator that adds up)",
                f"chỉ tiêu '{key}' của đơn vị {unit} không phân bổ được cho đơn vị trực thuộc "
                "(chỉ phân bổ chỉ tiêu dạng số: không thấp hơn, không vượt quá hoặc bằng, "
                "của chỉ tiêu cộng dồn được)")])
        below = {u.code for u in parts_of(definitions, unit, Period.parse(target["period"]))}
        if set(parts) != below:
            raise StoreError([EntryProblem(
                None, "parts", "allocation-units",
                f"give a part to each unit directly below {unit}, and to no other: "
                f"{', '.join(sorted(below)) or 'none'}",
                f"cần phân bổ cho đúng các đơn vị trực thuộc {unit}: "
                f"{', '.join(sorted(below)) or 'không có'}")])
        if not adds_up(target["value"], parts, indicator.decimals):
            def shown(value: float, lang: str) -> str:
                return number(value, lang, max(indicator.decimals, 6))

            total = sum(parts.values())
            raise StoreError([EntryProblem(
                None, "parts", "allocation-mismatch",
                f"The allocations add up to {shown(total, 'en')}, not the parent's target "
                f"{shown(target['value'], 'en')}",
                f"Tổng phân bổ {shown(total, 'vi')} khác chỉ tiêu cấp trên "
                f"{shown(target['value'], 'vi')}")])
        issuer = definitions.unit_by_code[unit].name
        docs = target_frame(allocation(target, parts, issuer, document)).to_dicts()
        return self.set_targets(actor, docs, reason=reason)

    def transition(self, actor: Actor, unit: str, period: str, dataset: str, step: str, *,
                   reason: str | None = None) -> str:
        """Move a unit's data set for a period along the workflow; returns the new state."""
        action = STEP_ACTIONS.get(Step(step)) if step in STEP_ACTIONS else None
        if action is not None:
            self.require(actor, action, unit)
        found = {d.code: d for d in self.store.datasets_for(unit)}.get(dataset)
        try:
            kind: PeriodKind | None = Period.parse(period).kind
        except PeriodError:
            kind = None  # reported by the store with its field
        if found is not None and kind is not None and found.period is not kind:
            raise StoreError([EntryProblem(
                None, "period", "wrong-period-kind",
                f"the data set '{found.code}' is reported by {found.period.value}, "
                f"not for {period}",
                f"biểu '{found.name}' không báo cáo theo kỳ {period}")])
        return self.store.transition(unit, period, dataset, step, actor=actor.username,
                                     reason=reason)

    @staticmethod
    def _require_system(actor: Actor, what: str) -> None:
        if not isinstance(actor, System):
            raise Refused(f"only the command line may {what}",
                          f"chỉ dòng lệnh quản trị mới được thực hiện thao tác này ({what})")

