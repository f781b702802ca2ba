"""The workflow of a unit's data set for a period: draft → submitted → approved → locked,
returned to a draft by the level above, reopened by an administrator. Who may take a step is
the application's policy (:data:`tieuchi.app.STEP_ACTIONS`); this module says which steps
exist and where each one leads."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["State", "States", "Step", "TRANSITIONS", "REASON_REQUIRED", "STATE_NAMES",
           "OPEN_STATES"]


class State(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    LOCKED = "locked"

    @property
    def is_open(self) -> bool:
        """Whether the data set's figures and targets may change in this state (a lock, a
        submission or an approval covers them all until the data set is returned or
        reopened)."""
        return self in OPEN_STATES


OPEN_STATES = frozenset({State.DRAFT})
"""The states in which a data set takes changes."""


class States(dict[tuple[str, str], State]):
    """(unit, data set) → state for one period. A data set nobody has moved along the
    workflow is a draft, so a missing pair reads as :attr:`State.DRAFT`."""

    def __missing__(self, key: tuple[str, str]) -> State:
        return State.DRAFT


class Step(StrEnum):
    SUBMIT = "submit"
    APPROVE = "approve"
    RETURN = "return"
    LOCK = "lock"
    REOPEN = "reopen"


# step → (the states it starts from, the state it leads to)
TRANSITIONS: dict[Step, tuple[frozenset[State], State]] = {
    Step.SUBMIT: (frozenset({State.DRAFT}), State.SUBMITTED),
    Step.APPROVE: (frozenset({State.SUBMITTED}), State.APPROVED),
    Step.RETURN: (frozenset({State.SUBMITTED, State.APPROVED}), State.DRAFT),
    Step.LOCK: (frozenset({State.APPROVED}), State.LOCKED),
    Step.REOPEN: (frozenset({State.LOCKED}), State.DRAFT),
}

REASON_REQUIRED = frozenset({Step.RETURN, Step.REOPEN})
"""Steps taken only with a reason, kept in the audit log."""

STATE_NAMES: dict[str, dict[State, str]] = {
    "vi": {State.DRAFT: "Đang nhập", State.SUBMITTED: "Đã gửi",
           State.APPROVED: "Đã phê duyệt", State.LOCKED: "Đã khóa"},
    "en": {State.DRAFT: "Draft", State.SUBMITTED: "Submitted", State.APPROVED: "Approved",
           State.LOCKED: "Locked"},
}
