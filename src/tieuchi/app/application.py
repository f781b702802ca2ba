"""The application object: the store, the permission policy, the clock and the settings, with
the use cases as commands (actor + command → result, or problems).

The web pages, the REST API, the command line and the importers translate requests into these
commands and results into responses; none of them decides who may do what, nor what a request
may hold. Each command asks :func:`tieuchi.app.policy.allowed` for every unit it touches before
anything is written, so a request that reaches out of its scope is refused whole and writes
nothing. Every refusal is a :class:`~tieuchi.domain.problems.ProblemError` (``forbidden``,
``system-only``, the request's own problems, and what the store refuses).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import ValidationError

from tieuchi.app.drafts import VIETNAM
from tieuchi.app.policy import Action, Actor, Resource, System, allowed, refusal
from tieuchi.app.queue import Queue, work_queue
from tieuchi.app.readmodel import ReadModel
from tieuchi.domain.allocation import (
    allocatable,
    allocation,
    part_problems,
    parts_of,
    rule_problem,
)
from tieuchi.domain.bases import PLAN
from tieuchi.domain.bundle import Definitions, target_frame
from tieuchi.domain.datasets import DataSet
from tieuchi.domain.narrative import CAUSE, KIND, SECTIONS, Narrative, Part, part_of
from tieuchi.domain.periods import Period, PeriodError, PeriodKind
from tieuchi.domain.problems import Problem, ProblemError, problem, suggest
from tieuchi.domain.ruleset import VINTAGE_RANK, checked_text, normal_text
from tieuchi.domain.status import Vintage
from tieuchi.domain.targets import Target
from tieuchi.domain.workflow import TRANSITIONS, State, Step
from tieuchi.reports.formatting import number
from tieuchi.settings import Settings
from tieuchi.store import (
    UNCHECKED,
    Entry,
    Expected,
    LoadSummary,
    Role,
    Stale,
    StaleFigures,
    Store,
    Token,
    User,
    now,
)
from tieuchi.store.figures import stale_problem
from tieuchi.store.users import unknown_token, unknown_user

__all__ = ["App", "FORM_VINTAGES", "STEP_ACTIONS", "UnknownUnit", "Shown", "expectation",
           "Moved", "kept_vintage"]

# The permission each workflow step needs: the unit's writers submit, the level above
# approves, returns and locks, an administrator reopens.
STEP_ACTIONS: dict[Step, Action] = {
    Step.SUBMIT: Action.WRITE,
    Step.APPROVE: Action.APPROVE,
    Step.RETURN: Action.APPROVE,
    Step.LOCK: Action.APPROVE,
    Step.REOPEN: Action.REOPEN,
}

# The vintages a data-entry form writes, least final first (plans come from definitions).
FORM_VINTAGES: tuple[str, ...] = (Vintage.ESTIMATE.value, Vintage.PRELIMINARY.value,
                                  Vintage.OFFICIAL.value)

@dataclass(frozen=True)
class Shown:
    """The figure a form's field showed: the best figure held for its indicator (value and
    vintage)."""

    value: float
    vintage: str


def expectation(shown: Shown | None, vintage: str) -> Expected:
    """What a form's writer saw of the figure of ``vintage`` it writes, from the figure its
    field showed (None: it showed none, so no figure of any vintage was held): that figure's
    value when it is of ``vintage``; None (there was none) when ``vintage`` is more final
    than the one shown (a more final figure would have been shown); :data:`UNCHECKED` when it
    is less final (the form did not show that figure: the write replaces it, audited)."""
    if shown is None:
        return None
    if shown.vintage == vintage:
        return shown.value
    if VINTAGE_RANK.get(vintage, 0) > VINTAGE_RANK.get(shown.vintage, 0):
        return None
    return UNCHECKED


def kept_vintage(replaced: str | None, usual: str) -> str:
    """The vintage a figure is saved in when the writer chose none: that of the figure it
    replaces (``replaced``), or, for a new figure, the form's ``usual`` one; never a vintage
    a form does not enter (a plan)."""
    return replaced if replaced in FORM_VINTAGES else usual


def _usual_vintage(vintages: Iterable[str]) -> str:
    """The vintage of a form's figures when they all have one that a form enters (a new
    figure joins them), else official."""
    found = set(vintages)
    return found.pop() if len(found) == 1 and found <= set(FORM_VINTAGES) else \
        Vintage.OFFICIAL.value


def stale_in(lang_value: Callable[[float | None, str], str], stale: Stale) -> Problem:
    """The ``stale-figure`` problem of ``stale`` as people read it: the value as
    ``lang_value`` writes it in each language, the time in Việt Nam's."""
    at = stale.changed_at.astimezone(VIETNAM) if stale.changed_at else None
    return stale_problem(
        stale, value_en=lang_value(stale.value, "en"), value_vi=lang_value(stale.value, "vi"),
        at_en=at.strftime("%Y-%m-%d %H:%M:%S") if at else "?",
        at_vi=at.strftime("%H:%M:%S %d/%m/%Y") if at else "?")


@dataclass(frozen=True)
class Moved:
    """What became of one form of :meth:`App.move_forms`: its new state, or why it was
    refused (its problems; the state it was left in is then ``None``)."""

    unit: str
    dataset: str
    state: str | None
    problems: tuple[Problem, ...] = ()


class UnknownUnit(ProblemError):
    """A unit the actor does not know of (``not-found``: 404): it is not in the hierarchy,
    or it lies outside what the actor may see. Both are answered alike, word for word, so
    that a refusal does not tell which unit codes exist."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__([Problem(
            "not-found", f"there is no unit '{code}', or you may not see it",
            f"không có đơn vị '{code}' hoặc bạn không có quyền xem", field="unit")])


SEEING = (Action.READ, Action.READ_DRAFTS)
"""What lets an actor know that a unit exists: reading it, or reading its drafts (the units
above one's own, whose drafts one comments on)."""


def _placed(p: Problem, index: int | None = None) -> Problem:
    """A problem of the store re-placed at row ``index`` of the request (kept where it is
    when None)."""
    return p if index is None else replace(p, index=index)


def _forbidden(action: Action, unit: str) -> ProblemError:
    return ProblemError([Problem("forbidden", *refusal(action, unit))])


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
        return Resource.unit(self.store.units.path(unit), author)

    def may(self, actor: Actor | None, action: Action, unit: str,
            author: str | None = None) -> bool:
        """Whether ``actor`` may do ``action`` on ``unit`` (False for an unknown unit)."""
        return allowed(actor, action, self.resource(unit, author))

    def require(self, actor: Actor | None, action: Action, unit: str,
                author: str | None = None) -> Resource:
        """The unit as a resource, once ``actor`` may do ``action`` on it: raises
        :class:`UnknownUnit` when it does not exist, ``forbidden`` when it is out of the
        actor's reach."""
        resource = self.resource(unit, author)
        if not resource.path:
            raise UnknownUnit(unit)
        if not allowed(actor, action, resource):
            raise _forbidden(action, unit)
        return resource

    def require_seen(self, actor: Actor | None, action: Action, unit: str) -> Resource:
        """:meth:`require` for a unit named in an address (the pages' and the API's paths
        and queries): a unit the actor may not see (:data:`SEEING`) is refused as one that
        does not exist (:class:`UnknownUnit`, 404), so that a refusal does not tell which
        codes exist; ``forbidden`` (403) only where the actor sees the unit but may not do
        ``action`` there (a viewer writing, an entry officer approving)."""
        resource = self.resource(unit)
        if resource.path and not allowed(actor, action, resource) and \
                not any(allowed(actor, seen, resource) for seen in SEEING):
            raise UnknownUnit(unit)
        return self.require(actor, action, unit)

    def require_all(self, actor: Actor, action: Action, units: Iterable[str]) -> None:
        """Refuse the whole request when one of its units is out of reach; units that do not
        exist are left for the command to report with their row."""
        for unit in sorted(set(units)):
            resource = self.resource(unit)
            if resource.path and not allowed(actor, action, resource):
                raise _forbidden(action, unit)

    def workflow_actions(self, actor: Actor | None, unit: str, state: State) -> list[Step]:
        """The workflow steps ``actor`` may take on a unit's data set in ``state``: the
        buttons of the entry page and the ``actions`` of ``GET /api/workflow``."""
        resource = self.resource(unit)
        return [step for step, (sources, _) in TRANSITIONS.items()
                if state in sources and allowed(actor, STEP_ACTIONS[step], resource)]

    def default_period(self, definitions: Definitions | None = None) -> str:
        """The period pages and the API show when none is asked for: the project's, else the
        current year (by the application's clock)."""
        project = definitions.project if definitions is not None else self.store.units.project()
        return project.period or str(self.clock().date().year)

    def dataset(self, unit: str, code: str) -> DataSet:
        """The data set ``code`` that ``unit`` reports (``not-found`` when it reports none of
        that code)."""
        found = {d.code: d for d in self.store.units.datasets_for(unit)}.get(code)
        if found is None:
            raise ProblemError([Problem(
                "not-found", f"unit {unit} does not report the data set '{code}'",
                f"đơn vị {unit} không báo cáo biểu '{code}'", field="dataset")])
        return found

    # ------------------------------------------------------------------ commands

    def load(self, actor: Actor, definitions: Definitions, *,
             reason: str | None = None) -> LoadSummary:
        """Load a validated definition folder (only the system actor may: the command
        line)."""
        self._require_system(actor, "load")
        return self.store.load(definitions, actor=actor.username,
                               reason=checked_text("reason", reason))

    def write_figures(self, actor: Actor, entries: Sequence[Entry], *,
                      reason: str | None = None) -> int:
        """Write figures, all or nothing; returns how many changed. An entry that says what
        its writer saw (:attr:`~tieuchi.store.Entry.expected`) is refused with
        ``stale-figure`` (409, the figure held now in its message) when the figure changed
        since; one that does not replaces what is held. Sources and notes are kept as
        :func:`~tieuchi.domain.ruleset.normal_text` writes them (the store checks them); a
        note of nothing but spaces takes the note held away."""
        self.require_all(actor, Action.WRITE, (e.unit for e in entries))
        reason = checked_text("reason", reason)
        entries = [replace(e, source=normal_text(e.source),
                           note=None if e.note is None else normal_text(e.note) or "")
                   for e in entries]
        try:
            count = self.store.figures.write(entries, actor=actor.username, reason=reason)
        except StaleFigures as error:
            raise ProblemError([stale_in(_figure_text, s) for s in error.stale]) from None
        if count:
            self.results.refresh({e.unit for e in entries},
                                 {(e.indicator, e.period) for e in entries})
        return count

    def enter_figures(self, actor: Actor, unit: str, period: str, dataset: str,
                      values: Mapping[str, float | None], *, vintage: str | None,
                      source: str | None = None, reason: str | None = None,
                      shown: Mapping[str, Shown | None] | None = None,
                      notes: Mapping[str, str | None] | None = None) -> int:
        """Save a data-entry form: ``values`` maps the data set's indicators to their new
        figure for the unit and period (None: the figure held is deleted, in its vintage).
        A figure equal to the one held is not written, nor an indicator outside the data set;
        the vintage is one a form enters (:data:`FORM_VINTAGES`), or None: each figure keeps
        the vintage of the one it replaces (:func:`kept_vintage`), so that saving a form does
        not turn an estimate into an official figure nobody chose. All or nothing; returns
        how many figures changed (0: nothing to write). Each problem's ``index`` is the place
        of its indicator in ``values``.

        ``shown`` is what the form showed of each indicator (None: no figure); a figure that
        changed since is refused with ``stale-figure`` (:func:`expectation`). An indicator
        not in ``shown`` is written over whatever is held.

        ``notes`` maps indicators to the note ("Ghi chú") of their figure: a note alone
        changes the figure held (in its vintage); an empty one takes the note away; an
        indicator left out keeps its note."""
        shown = shown or {}
        notes = notes or {}
        self.require(actor, Action.WRITE, unit)
        found = self.dataset(unit, dataset)
        if vintage is not None and vintage not in FORM_VINTAGES:
            raise ProblemError([Problem(
                "invalid-vintage", f"the vintage '{vintage}' is not estimate, preliminary or "
                "official", f"loại số liệu '{vintage}' không phải ước thực hiện, sơ bộ hoặc "
                "chính thức", field="vintage")])
        order = {code: index for index, code in enumerate(values)}
        held = self.store.figures.latest(unit, period, list(found.indicators))
        usual = _usual_vintage(f["vintage"] for f in held.values())
        entries: list[Entry] = []
        owners: list[int] = []  # the place in ``values`` of each entry
        for code in notes:
            if code not in values and code in held:
                values = {**values, code: held[code]["value"]}
                order.setdefault(code, len(order))
        for code, value in values.items():
            current = held.get(code)
            note = notes.get(code)
            if code not in found.indicators:
                continue
            if value == (current or {}).get("value"):
                if current is None or note is None or \
                        (normal_text(note) or None) == current.get("note"):
                    continue
                seen = shown.get(code)
                entries.append(Entry(unit, code, period, value, current["vintage"], None,
                                     expected=expectation(seen, current["vintage"])
                                     if code in shown else UNCHECKED, note=note))
                owners.append(order[code])
                continue
            seen = shown.get(code)
            if value is not None:
                chosen = vintage or kept_vintage(
                    seen.vintage if seen is not None else
                    None if code in shown else (current or {}).get("vintage"), usual)
                entries.append(Entry(unit, code, period, value, chosen, source or None,
                                     expected=expectation(seen, chosen) if code in shown
                                     else UNCHECKED, note=note))
            elif code not in shown and current is not None:
                entries.append(Entry(unit, code, period, None, current["vintage"]))
            elif seen is not None:  # delete the figure the field showed, if it still is
                entries.append(Entry(unit, code, period, None, seen.vintage,
                                     expected=seen.value))
            else:
                continue
            owners.append(order[code])
        if not entries:
            return 0
        try:
            return self.write_figures(actor, entries, reason=reason)
        except ProblemError as error:
            raise ProblemError([
                _placed(p, owners[p.index] if p.index is not None
                         and 0 <= p.index < len(owners) else None)
                for p in error.problems]) from None

    def check_targets(self, actor: Actor, docs: Sequence[dict[str, Any]]) -> list[Problem]:
        """What :meth:`set_targets` would refuse of ``docs``, without saving (a dry run):
        the request's own problems (a key given twice, a key that names another target) and
        the store's (the domain's target rules, unknown codes, a closed data set). Raises
        ``forbidden`` when a unit is out of the actor's reach."""
        held = self._require_targets(actor, docs)
        return _sorted(_key_problems(docs, held)
                       + [_placed(p) for p in self.store.targets.check(docs)])

    def set_targets(self, actor: Actor, docs: Sequence[dict[str, Any]], *,
                    reason: str | None = None) -> int:
        """Add or change targets (rows of the target schema), all or nothing. A key names one
        target: posting it again changes that target, whose unit, indicator and period stay
        what they are (``key-in-use``); the unit holding a key given is in scope too."""
        held = self._require_targets(actor, docs)
        reason = checked_text("reason", reason)
        problems = _key_problems(docs, held)
        if problems:
            raise ProblemError(_sorted(problems + [_placed(p)
                                                   for p in self.store.targets.check(docs)]))
        count = self.store.targets.save(docs, actor=actor.username, reason=reason)
        if count:
            self.results.refresh({d["unit"] for d in docs} | {u for u, _, _ in held.values()},
                                 {(d["indicator"], d["period"]) for d in docs}
                                 | {(i, p) for _, i, p in held.values()})
        return count

    def assignment(self, unit: str, indicator: str, period: str, comparator: str,
                   value: float, *, issuer: str | None = None,
                   document: str | None = None) -> dict[str, Any]:
        """The target (a row of the target schema) that assigning ``comparator`` ``value``
        to the unit for the indicator and period gives: the unit's target for them, if it
        has one, is changed, keeping its key, name, basis, tolerance and precision, and its
        issuer and document unless new ones are given (``invalid-target`` when no target is
        valid). Save
        it with :meth:`set_targets`; :meth:`check_targets` says what that would refuse."""
        held = self._held_target(unit, indicator, period) or {}
        try:
            target = Target.model_validate({
                "indicator": indicator, "unit": unit, "period": period, comparator: value,
                "issuer": issuer or held.get("issuer"),
                "document": document or held.get("document"),
                "basis": held.get("basis") or PLAN, "name": held.get("name"),
                "tolerance": held.get("tolerance") or 0.0,
                "percent_decimals": held.get("percent_decimals"),
                "percent_fixed": held.get("percent_fixed"),
            })
        except ValidationError as error:
            why = "; ".join(str(e["msg"]) for e in error.errors())
            raise ProblemError([Problem("invalid-target", f"not a valid target: {why}",
                                        f"chỉ tiêu không hợp lệ: {why}", field="value")]) \
                from None
        doc: dict[str, Any] = target_frame([target]).to_dicts()[0]
        if held:
            doc["key"] = held["key"]
        return doc

    def _held_target(self, unit: str, indicator: str, period: str) -> dict[str, Any] | None:
        """The unit's target for the indicator and period, the one an assignment changes."""
        return next((t for t in self.store.targets.of([unit], period)
                     if t["indicator"] == indicator), None)

    def revision(self, docs: Sequence[dict[str, Any]],
                 ) -> list[tuple[dict[str, Any], dict[str, Any] | None]]:
        """Targets (rows of the target schema) as they would revise what is held, with what
        they replace: a doc for a unit, indicator and period that has a target already
        (the one :meth:`assignment` changes) takes its key, and its name, basis, tolerance
        and precision when it gives none, so that :meth:`set_targets` replaces it rather
        than adding a second target beside it; ``None`` for a new one. A doc that would
        change nothing of the target held (:func:`same_target`) is left out. The targets
        held are read once per unit and period."""
        held_by: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
        revised: list[tuple[dict[str, Any], dict[str, Any] | None]] = []
        for doc in docs:
            place = (doc["unit"], doc["period"])
            if place not in held_by:
                held_by[place] = {t["indicator"]: t for t in reversed(
                    self.store.targets.of([doc["unit"]], doc["period"]))}
            held = held_by[place].get(doc["indicator"])
            if held is None:
                revised.append((dict(doc), None))
                continue
            kept = {k: held.get(k) for k in _KEPT if doc.get(k) is None}
            new = {**doc, **kept, "key": held["key"]}
            if not same_target(new, held):
                revised.append((new, held))
        return revised

    def _require_targets(self, actor: Actor, docs: Sequence[dict[str, Any]],
                         ) -> dict[str, tuple[str, str, str]]:
        """The targets held under the keys given (key → unit, indicator, period), once the
        actor may set the targets of every unit named and of every unit holding a key."""
        rows = self.store.targets.by_key([d["key"] for d in docs if d.get("key")])
        held = {key: (row["unit"], row["indicator"], row["period"]) for key, row in rows.items()}
        self.require_all(actor, Action.MANAGE_TARGETS,
                         {d["unit"] for d in docs} | {unit for unit, _, _ in held.values()})
        return held

    def allocate(self, actor: Actor, unit: str, key: str, parts: Mapping[str, float], *,
                 document: str | None = None, reason: str | None = None) -> int:
        """Split ``unit``'s target ``key`` among the units directly below it: saved, one
        target per unit, only when the parts are those units' and their total keeps the
        target's allocation rule (exactly, at least, at most: :mod:`tieuchi.domain.
        allocation`). Returns how many targets changed."""
        self.require(actor, Action.MANAGE_TARGETS, unit)
        document = checked_text("document", document)
        definitions = self.store.units.definitions(unit, data=False)
        target = {t["key"]: t for t in self.store.targets.of([unit])}.get(key)
        indicator = definitions.indicator_by_code.get(target["indicator"]) if target else None
        if target is None or indicator is None or not allocatable(target, indicator):
            raise ProblemError([Problem(
                "not-allocatable",
                f"target '{key}' of {unit} cannot be allocated to the units below (it must be "
                "a number, at least, at most or equal, of an indicator that adds up)",
                f"chỉ tiêu '{key}' của đơn vị {unit} không phân bổ được cho đơn vị trực thuộc "
                "(chỉ phân bổ chỉ tiêu dạng số: không thấp hơn, không vượt quá hoặc bằng, "
                "của chỉ tiêu cộng dồn được)", field="key")])
        below = {u.code for u in parts_of(definitions, unit, Period.parse(target["period"]))}
        if set(parts) != below:
            raise ProblemError([Problem(
                "allocation-units",
                f"give a part to each unit directly below {unit}, and to no other: "
                f"{', '.join(sorted(below)) or 'none'}",
                f"cần phân bổ cho đúng các đơn vị trực thuộc {unit}: "
                f"{', '.join(sorted(below)) or 'không có'}", field="parts")])
        problems = part_problems(parts, indicator)
        if problems:
            raise ProblemError(problems)
        def shown(value: float, lang: str) -> str:
            return number(value, lang, max(indicator.decimals, 6))

        broken = rule_problem(target, parts, indicator, shown)
        if broken is not None:
            raise ProblemError([broken])
        issuer = definitions.unit_by_code[unit].name
        docs = target_frame(allocation(target, parts, issuer, document)).to_dicts()
        return self.set_targets(actor, docs, reason=reason)

    def transition(self, actor: Actor, unit: str, period: str, dataset: str, step: str, *,
                   reason: str | None = None) -> str:
        """Move a unit's data set for a period along the workflow; returns the new state."""
        action = STEP_ACTIONS.get(Step(step)) if step in STEP_ACTIONS else None
        if action is not None:
            self.require(actor, action, unit)
        reason = checked_text("reason", reason)
        found = {d.code: d for d in self.store.units.datasets_for(unit)}.get(dataset)
        try:
            kind: PeriodKind | None = Period.parse(period).kind
        except PeriodError:
            kind = None  # reported by the store with its field
        if found is not None and kind is not None and found.period is not kind:
            raise ProblemError([Problem(
                "wrong-period-kind",
                f"the data set '{found.code}' is reported by {found.period.value}, "
                f"not for {period}",
                f"biểu '{found.name}' không báo cáo theo kỳ {period}", field="period")])
        return self.store.workflow.transition(unit, period, dataset, step, actor=actor.username,
                                     reason=reason)

    # ------------------------------------------------------------------ the work queue

    def today(self) -> date:
        """Today in Việt Nam, by the application's clock: what due dates are read against."""
        return self.clock().astimezone(VIETNAM).date()

    def queue(self, actor: Actor, unit: str, period: str) -> Queue:
        """The work queue of ``unit`` and the units below it for ``period``
        (:mod:`tieuchi.app.queue`): each form's state, completeness, due date and lateness,
        and the steps ``actor`` may take on it."""
        self.require_seen(actor, Action.READ, unit)
        try:
            parsed = Period.parse(period)
        except PeriodError:
            raise ProblemError([problem("invalid-period", {"field": "period", "period": period},
                                        field="period")]) from None
        return work_queue(self.store, actor, unit, parsed, self.today(), STEP_ACTIONS)

    def move_forms(self, actor: Actor, period: str, forms: Sequence[tuple[str, str]],
                   steps: Sequence[str], *, reason: str | None = None) -> list[Moved]:
        """Take ``steps`` in order (approve, or approve then lock) on each of ``forms``
        ((unit, data set) pairs) for ``period``: form by form, each through
        :meth:`transition` (who may, from which state, with a reason where one is needed).
        Not all or nothing: a form refused is named with its problems, the others go
        through; a form refused at its second step keeps its first."""
        moved = []
        for unit, dataset in dict.fromkeys(forms):
            state: str | None = None
            try:
                for step in steps:
                    state = self.transition(actor, unit, period, dataset, step, reason=reason)
            except ProblemError as error:
                moved.append(Moved(unit, dataset, None, tuple(error.problems)))
                continue
            moved.append(Moved(unit, dataset, state))
        return moved

    def narrative(self, unit: str, period: str) -> Narrative:
        """The narrative ``unit``'s report for ``period`` states: the texts written on the
        pages over the definition folder's (:func:`tieuchi.domain.narrative.merged`)."""
        return self.store.narratives.of(unit, Period.canonical(period))

    def write_narrative(self, actor: Actor, unit: str, period: str,
                        texts: Mapping[str, str | None], *,
                        reason: str | None = None) -> int:
        """Write parts of ``unit``'s report narrative for ``period``: ``texts`` maps a part
        ("ton-tai", "nguyen-nhan", "phuong-huong", "kien-nghi", or "nguyen-nhan:{target
        key}" for a target's cause) to its Markdown text (None or empty: no text, which
        hides the folder's). The unit's officers and administrators write
        (:attr:`~tieuchi.app.policy.Action.WRITE_NARRATIVE`); each text is checked as every
        text is (:func:`~tieuchi.domain.ruleset.checked_text`, kind ``narrative``); all or
        nothing, audited (old → new). Returns how many parts changed."""
        self.require(actor, Action.WRITE_NARRATIVE, unit)
        reason = checked_text("reason", reason)
        try:
            code = Period.parse(period).code
        except PeriodError:
            raise ProblemError([problem("invalid-period", {"field": "period", "period": period},
                                        field="period")]) from None
        keys: set[str] | None = None
        problems: list[Problem] = []
        clean: dict[Part, str] = {}
        for name, text in texts.items():
            part = part_of(name)
            if part[0] not in SECTIONS or (part[1] and part[0] != CAUSE):
                problems.append(Problem(
                    "invalid-option", f"'{name}' is not a part of the narrative: "
                    f"{', '.join(SECTIONS)} or {CAUSE}:{{target key}}",
                    f"'{name}' không phải một phần của báo cáo: {', '.join(SECTIONS)} hoặc "
                    f"{CAUSE}:{{mã chỉ tiêu}}", field=name))
                continue
            if part[1]:
                if keys is None:
                    keys = {t["key"] for t in self.store.targets.of([unit])}
                if part[1] not in keys:
                    problems.append(Problem(
                        "unknown-target", f"unit {unit} has no target '{part[1]}'"
                        f"{suggest(part[1], keys)}",
                        f"đơn vị {unit} không có chỉ tiêu '{part[1]}'", field=name))
                    continue
            try:
                clean[part] = checked_text(KIND, text, field=name) or ""
            except ProblemError as error:
                problems += error.problems
        if problems:
            raise ProblemError(problems)
        return self.store.narratives.write(unit, code, clean, by=actor.username,
                                           at=self.clock(), reason=reason)

    def check_import(self, actor: Actor, unit: str, units: Sequence[str]) -> None:
        """The units a file imported on ``unit``'s page writes to: each within the actor's
        reach (``forbidden``) and ``unit`` itself or a unit under it (``wrong-sheet``)."""
        self.require_all(actor, Action.WRITE, units)
        outside = [u for u in sorted(set(units)) if unit not in self.store.units.path(u)]
        if outside:
            raise ProblemError([Problem(
                "wrong-sheet",
                f"The file has figures of unit {outside[0]}, which is not under {unit}; import "
                "it on that unit's page or the page of the level above.",
                f"Tệp có số liệu của đơn vị {outside[0]}, không thuộc {unit}; nhập tại trang "
                "của đơn vị đó hoặc của cấp trên.", at=outside[0])])

    # ------------------------------------------------------------------ users and tokens

    def add_user(self, actor: Actor, username: str, password: str, *, role: str,
                 unit: str | None, full_name: str | None = None) -> User:
        """Add a user with a role scoped to ``unit`` and everything under it (no unit: the
        whole hierarchy, administrators only); the actor manages the users of that unit."""
        chosen = self.role(role)
        self._require_users(actor, unit)
        return self.store.users.add(username, password, role=chosen, unit=unit,
                                   full_name=checked_text("full_name", full_name),
                                   actor=actor.username)

    @staticmethod
    def role(role: str) -> Role:
        """The role named ``role`` (``invalid-option`` when there is none of that name)."""
        try:
            return Role(role)
        except ValueError:
            raise ProblemError([Problem(
                "invalid-option", f"role '{role}' is not one of "
                f"{', '.join(r.value for r in Role)}", f"vai trò '{role}' không phải một trong "
                f"{', '.join(r.value for r in Role)}", field="role")]) from None

    def add_token(self, actor: Actor, username: str, name: str = "api",
                  days: int | None = None) -> str:
        """A new API token for ``username`` (shown once: only its hash is kept), valid
        ``days`` days (default: the ``token_days`` setting); the actor manages the users of
        that user's unit."""
        owner = self.managed_user(actor, username)
        name = checked_text("token", name, field="name") or "api"
        return self.store.users.add_token(owner.username, name,
                                          days=days or self.settings.token_days,
                                          actor=actor.username)

    # ------------------------------------------------------------------ accounts

    def authenticate(self, username: str, password: str, address: str) -> User | None:
        """The user when the password is right (None otherwise), within the sign-in limits
        of the settings: per user name and, apart, per address (``too-many-logins``)."""
        return self.store.users.authenticate(
            username, password, address, limit=self.settings.login_attempts,
            address_limit=self.settings.login_attempts_per_address,
            window=timedelta(minutes=self.settings.login_window_minutes))

    def sign_out(self, user: User) -> None:
        """End every session of ``user``, on every device (API tokens stay)."""
        self.store.users.end_sessions(user.id)

    def change_password(self, user: User, current: str, new: str, address: str) -> None:
        """The user's own new password, given the current one (checked within the sign-in
        limits, so the form is no way around them); every session and token of theirs
        ends."""
        if self.authenticate(user.username, current, address) is None:
            raise ProblemError([problem("wrong-password", field="current")])
        self.store.users.set_password(user.username, new, actor=user.username)

    def set_password(self, actor: Actor, username: str, password: str) -> None:
        """Another user's new password, set by who manages the users of their unit; every
        session and token of theirs ends."""
        self.managed_user(actor, username)
        self.store.users.set_password(username, password, actor=actor.username)

    def set_active(self, actor: Actor, username: str, active: bool) -> None:
        """Enable or disable a user (disabled: no sign-in, no session, no token)."""
        self.managed_user(actor, username)
        self.store.users.set_active(username, active, actor=actor.username)

    def tokens(self, actor: Actor, username: str | None = None) -> list[Token]:
        """The API tokens of ``username`` (default: the actor's own; every user's for the
        command line)."""
        if username is None and isinstance(actor, System):
            return self.store.users.tokens()
        owner = username or actor.username
        if owner != actor.username:
            self.managed_user(actor, owner)
        return self.store.users.tokens(owner)

    def revoke_token(self, actor: Actor, token_id: int) -> Token:
        """End an API token: the actor's own, or one of a user they manage (another's is
        ``unknown-token``, as if it did not exist)."""
        found = self.store.users.tokens(token_id=token_id)
        if not found or not (found[0].username == actor.username or self._manages(
                actor, found[0].unit)):
            raise ProblemError([unknown_token(token_id)])
        return self.store.users.revoke_token(token_id, actor=actor.username)

    def managed_user(self, actor: Actor, username: str) -> User:
        """The user named ``username``, whose unit's users the actor manages."""
        owner = next((u for u in self.store.users.all() if u.username == username), None)
        if owner is None:
            raise ProblemError([unknown_user(username)])
        self._require_users(actor, owner.unit)
        return owner

    def _manages(self, actor: Actor, unit: str | None) -> bool:
        """Whether the actor manages the users of ``unit`` (None: of the whole hierarchy);
        a unit no longer in the hierarchy is managed by who manages the whole of it."""
        resource = None if unit is None else self.resource(unit)
        if resource is None or not resource.path:
            resource = Resource.everything()
        return allowed(actor, Action.MANAGE_USERS, resource)

    def _require_users(self, actor: Actor, unit: str | None) -> None:
        """The actor may manage the users of ``unit`` (None: of the whole hierarchy); a unit
        that does not exist is left for the store to report with its field."""
        if unit is not None and not self.resource(unit).path:
            return
        if not self._manages(actor, unit):
            raise _forbidden(Action.MANAGE_USERS, unit or "*")

    @staticmethod
    def _require_system(actor: Actor, what: str) -> None:
        if not isinstance(actor, System):
            raise ProblemError([Problem(
                "system-only", f"only the command line may {what}",
                f"chỉ dòng lệnh quản trị mới được thực hiện thao tác này ({what})")])


def _figure_text(value: float | None, lang: str) -> str:
    return number(value, lang, 6)


_KEPT = ("name", "basis", "tolerance", "percent_decimals", "percent_fixed")
_SAME = ("comparator", "value", "value_high", "relative", "relative_value", "baseline",
         "baseline_value", "document")


def same_target(doc: dict[str, Any], held: dict[str, Any]) -> bool:
    """Whether a target (a row of the target schema) is the one held already: the same
    comparator, values, baseline and document; assigning it would change nothing."""
    return all(doc.get(k) == held.get(k) for k in _SAME)
"""What a revised target keeps of the one it replaces when it gives none (:meth:`App.
revision`), as :meth:`App.assignment` does."""


def _key_problems(docs: Sequence[dict[str, Any]],
                  held: Mapping[str, tuple[str, str, str]]) -> list[Problem]:
    """What a request of targets gets wrong by itself: a key given twice, and a key that
    names another target (a key names one target: its unit, indicator and period stay)."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, doc in enumerate(docs):
        key = doc["key"]
        if key in seen:
            problems.append(Problem("duplicate-target", f"target '{key}' is given twice",
                                    f"chỉ tiêu '{key}' được giao hai lần", field="key",
                                    index=index))
        seen.add(key)
        if key not in held:
            continue
        unit, indicator, period = held[key]
        given = {"unit": doc["unit"], "indicator": doc["indicator"],
                 "period": Period.canonical(str(doc["period"]))}
        moved = next((name for name, value in (("unit", unit), ("indicator", indicator),
                                               ("period", period)) if given[name] != value),
                     None)
        if moved is not None:
            problems.append(Problem(
                "key-in-use", f"'{key}' is the target of {unit} for {indicator} in {period}; "
                "give another key", f"mã '{key}' là chỉ tiêu {indicator} kỳ {period} của đơn "
                f"vị {unit}; hãy đặt mã khác", field=moved, index=index))
    return problems


def _sorted(problems: list[Problem]) -> list[Problem]:
    """Problems by the row, then the field, they are about."""
    return sorted(problems, key=lambda p: (p.index or 0, p.field or ""))
