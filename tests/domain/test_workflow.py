"""The workflow's states and steps as data: no store, no web."""

from tieuchi.domain.workflow import OPEN_STATES, TRANSITIONS, State, States


def test_a_data_set_nobody_moved_reads_as_a_draft() -> None:
    states = States({("X", "KT"): State.LOCKED})
    assert states[("X", "KT")] is State.LOCKED
    assert states[("X", "VH")] is State.DRAFT
    assert states[("Y", "KT")] is State.DRAFT
    assert ("Y", "KT") not in states  # reading a missing pair does not add it


def test_only_drafts_take_changes_and_every_state_is_reached() -> None:
    assert {s for s in State if s.is_open} == set(OPEN_STATES) == {State.DRAFT}
    reached = {target for _, target in TRANSITIONS.values()}
    assert reached | {State.DRAFT} == set(State)
    for sources, target in TRANSITIONS.values():
        assert target not in sources
