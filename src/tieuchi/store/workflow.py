"""The workflow of each unit's data sets, period by period: draft, submitted, approved,
locked (:mod:`tieuchi.domain.workflow`), and what a data set that is not a draft closes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select

from tieuchi.domain.datasets import DataSet
from tieuchi.domain.periods import Period
from tieuchi.domain.problems import Problem, ProblemError
from tieuchi.domain.workflow import (
    OPEN_STATES,
    REASON_REQUIRED,
    STATE_NAMES,
    TRANSITIONS,
    State,
    States,
    Step,
)
from tieuchi.store.audit import Audit, audit_key
from tieuchi.store.tables import WorkflowRow
from tieuchi.store.unit_of_work import Repository, UnitOfWork, chunks, now, serialize_load
from tieuchi.store.units import Units

__all__ = ["Workflow"]


class Workflow(Repository):
    """The states of the units' data sets, their steps and their audit."""

    def __init__(self, work: UnitOfWork, units: Units, audit: Audit) -> None:
        super().__init__(work)
        self._units, self._audit = units, audit

    def state(self, unit: str, period: str, dataset: str) -> State:
        with self._session() as s:
            row = s.get(WorkflowRow, (unit, period, dataset))
            return State(row.state) if row else State.DRAFT

    def states(self, units: Sequence[str], period: str) -> States:
        """(unit, data set) → state for ``period``; missing pairs read as drafts."""
        with self._session() as s:
            rows = s.scalars(select(WorkflowRow).where(
                WorkflowRow.unit.in_(units), WorkflowRow.period == period))
            return States({(r.unit, r.dataset): State(r.state) for r in rows})

    def transition(self, unit: str, period: str, dataset: str, action: str, *, actor: str,
                   reason: str | None = None) -> str:
        """Move a unit's data set for a period along the workflow; returns the new state."""
        if action not in TRANSITIONS:
            raise _refused("invalid-action", "action", f"'{action}' is not a workflow action",
                           f"'{action}' không phải thao tác hợp lệ")
        sources, target = TRANSITIONS[Step(action)]
        try:
            period = Period.parse(period).code
        except ValueError:
            raise _refused("invalid-period", "period",
                           f"'{period}' is not a period (2023, 2023-Q3)",
                           f"'{period}' không phải kỳ báo cáo hợp lệ (ví dụ 2023, 2023-Q3)"
                           ) from None
        with self._session() as s:
            # The step waits for every write of figures and targets under way (they check
            # the data set's state under their locks) and for another step, so the state it
            # reads is the one it replaces.
            serialize_load(s)
            stamp = now()
            if dataset not in {d.code for d in self._units.datasets_for(unit)}:
                raise _refused("unknown-dataset", "dataset",
                               f"unit {unit} does not report '{dataset}'",
                               f"đơn vị {unit} không báo cáo biểu '{dataset}'")
            if action in REASON_REQUIRED and not (reason and reason.strip()):
                raise _refused("reason-required", "reason", "give the reason", "cần nêu lý do")
            row = s.get(WorkflowRow, (unit, period, dataset))
            current = State(row.state) if row else State.DRAFT
            if current not in sources:
                names_en, names_vi = STATE_NAMES["en"], STATE_NAMES["vi"]
                raise _refused("wrong-state", "state",
                               f"cannot {action}: the data set is {names_en[current].lower()}",
                               "không thực hiện được: biểu đang ở trạng thái "
                               f"\"{names_vi[current]}\"")
            if row is None:
                row = WorkflowRow(unit=unit, period=period, dataset=dataset, state=target,
                                  changed_at=stamp, changed_by=actor)
                s.add(row)
            else:
                row.state, row.changed_at, row.changed_by = target, stamp, actor
            self._audit.record(stamp, actor, action, "workflow",
                              audit_key("workflow", unit=unit, period=period, dataset=dataset),
                               unit, {"state": current}, {"state": target}, reason)
            return target

    def closed(self, touched: Iterable[tuple[str, str, str]], *,
               indices: bool = True) -> list[Problem]:
        """Problems for figures or targets (unit, indicator, period) that fall in a data set
        that is not a draft: submitted or approved data is returned before it is edited;
        locked data is reopened by an administrator first. With ``indices``, a problem's
        ``index`` is the place of its (unit, indicator, period) in ``touched``."""
        touched = list(touched)
        units = {u for u, _, _ in touched}
        with self._session() as s:
            rows: list[WorkflowRow] = []
            for chunk in chunks(sorted(units)):
                rows.extend(s.scalars(select(WorkflowRow).where(
                    WorkflowRow.unit.in_(chunk), WorkflowRow.state.not_in(OPEN_STATES))))
            if not rows:
                return []
            datasets = {d.code: d for d in self._units.datasets()}
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


def _refused(code: str, field: str, en: str, vi: str) -> ProblemError:
    return ProblemError([Problem(code, en, vi, field=field)])


def _closed_problem(index: int | None, unit: str, indicator: str, period: str,
                    span: Period, ds: DataSet, state: str) -> Problem:
    if state == State.LOCKED:
        en = (f"{unit} {indicator} {period}: the data set '{ds.code}' for {span.code} is "
              "locked; an administrator must reopen it, giving a reason")
        vi = (f"{unit} {indicator} {period}: biểu \"{ds.name}\" kỳ {span.label()} đã khóa; "
              "cần quản trị mở khóa (nêu lý do) trước khi sửa")
        return Problem("locked", en, vi, field="value", index=index)
    names = STATE_NAMES["vi"]
    en = (f"{unit} {indicator} {period}: the data set '{ds.code}' for {span.code} is "
          f"{state}; the level above must return it before it is edited")
    vi = (f"{unit} {indicator} {period}: biểu \"{ds.name}\" kỳ {span.label()} đang ở trạng "
          f"thái \"{names[State(state)]}\"; cần cấp trên trả lại trước khi sửa")
    return Problem(state, en, vi, field="value", index=index)
