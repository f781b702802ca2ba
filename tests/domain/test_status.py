"""The status legend: which tone a result is shown in is one pure function
(tieuchi.domain.status); the pages only read it."""

from __future__ import annotations

import pytest

from tieuchi.domain import status as legend
from tieuchi.domain.status import Pace, Status, Tone

assessment_tone, count_tone = legend.assessment_tone, legend.count_tone
group_tone, result_tone = legend.group_tone, legend.result_tone


@pytest.mark.parametrize(("assessment", "tone"), [
    (Status.EXCEEDED, Tone.OK), (Status.MET, Tone.OK), (Status.NOT_MET, Tone.BAD),
    (Status.NO_DATA, Tone.NONE), (Pace.AHEAD, Tone.OK), (Pace.ON_TRACK, Tone.OK),
    (Pace.BEHIND, Tone.BAD), (None, Tone.NONE), ("exceeded", Tone.OK)])
def test_a_targets_assessment_has_one_tone(assessment: str | None, tone: Tone) -> None:
    assert assessment_tone(assessment) is tone


def test_no_data_is_never_the_failure_tone() -> None:
    assert assessment_tone(Status.NO_DATA) is not Tone.BAD
    assert result_tone(None) is Tone.NONE
    assert count_tone(15, 0, 15, asked=False) is Tone.NONE  # a year without data: not "0/15"
    assert count_tone(15, 0, 15) is Tone.NONE
    assert count_tone(0, 0, 0) is Tone.NONE


def test_a_count_is_coloured_by_the_target_on_it() -> None:
    # 8 of 15 communes are model communes; the target asks for 5: met, not "8/15 red"
    assert count_tone(15, 7, 0, asked=False, target=Status.EXCEEDED) is Tone.OK
    assert count_tone(15, 12, 0, asked=False, target=Status.NOT_MET) is Tone.BAD
    assert count_tone(15, 0, 15, asked=False, target=Status.NO_DATA) is Tone.NONE


def test_a_count_nothing_asks_for_is_informational() -> None:
    # 2 of 15 communes are tourist destinations; nobody asks for 15
    assert count_tone(15, 13, 0, asked=False) is Tone.INFO


def test_a_group_of_targets_is_bad_only_when_one_failed() -> None:
    assert count_tone(10, 3, 0) is Tone.BAD
    assert count_tone(10, 0, 0) is Tone.OK
    assert count_tone(10, 0, 2) is Tone.NONE  # achieved so far, some figures missing
    assert count_tone(10, 1, 2) is Tone.BAD


def test_a_group_still_running_is_read_by_its_pace() -> None:
    # 9 months in: 3 targets "not met" yet but on pace, none behind: on track, not red
    assert group_tone(10, 3, 0, 0, partial=3) is Tone.OK
    assert group_tone(10, 3, 1, 0, partial=3) is Tone.BAD
    assert group_tone(10, 3, 0, 0, partial=0) is Tone.BAD


def test_a_set_result_for_one_unit() -> None:
    assert [result_tone(p) for p in (True, False, None)] == [Tone.OK, Tone.BAD, Tone.NONE]


def test_the_pages_read_the_same_mapping() -> None:
    from tieuchi.web.views import STATUS_CLASS, TONES

    assert STATUS_CLASS == {s.value: assessment_tone(s).value for s in (*Status, *Pace)}
    assert set(TONES) == {"ok", "bad", "none", "info"}
