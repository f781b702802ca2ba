"""The words of an evaluation: status of a target, pace within a period, vintage of a figure."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Status", "Pace", "Vintage", "Comparator", "Tone", "assessment_tone", "result_tone",
           "all_missing",
           "count_tone", "group_tone"]


class Status(StrEnum):
    """Result of an actual against its target, from worst to best (then no data)."""

    NOT_MET = "not_met"
    MET = "met"
    EXCEEDED = "exceeded"
    NO_DATA = "no_data"

    @property
    def rank(self) -> int:
        """Order for "a better actual never gives a worse status"; no data ranks lowest."""
        return {"no_data": -1, "not_met": 0, "met": 1, "exceeded": 2}[self.value]

    @property
    def achieved(self) -> bool:
        """Met or exceeded: what "đạt và vượt" counts."""
        return self in (Status.MET, Status.EXCEEDED)


class Pace(StrEnum):
    """Progress within a period that is not closed yet (tiến độ)."""

    AHEAD = "ahead"
    ON_TRACK = "on_track"
    BEHIND = "behind"


class Vintage(StrEnum):
    """How final a figure is. A later vintage replaces an earlier one."""

    PLAN = "plan"
    ESTIMATE = "estimate"  # ước thực hiện
    PRELIMINARY = "preliminary"  # sơ bộ
    OFFICIAL = "official"  # chính thức

    @property
    def rank(self) -> int:
        return list(Vintage).index(self)


class Comparator(StrEnum):
    """How an actual is compared with a threshold."""

    AT_LEAST = "at_least"
    AT_MOST = "at_most"
    EQUAL = "equal"
    WITHIN = "within"
    YES = "yes"



class Tone(StrEnum):
    """How a result is coloured, on every page (the legend): one word per meaning.

    ``ok`` met, exceeded, ahead of or on its pace; ``bad`` not met or behind; ``none`` no
    figure yet (neutral grey: a missing figure is not a failure); ``info`` a count or a
    value that nothing asks for (neutral: there is nothing to meet)."""

    OK = "ok"
    BAD = "bad"
    NONE = "none"
    INFO = "info"


_ASSESSED: dict[str, Tone] = {
    Status.EXCEEDED: Tone.OK, Status.MET: Tone.OK, Status.NOT_MET: Tone.BAD,
    Status.NO_DATA: Tone.NONE, Pace.AHEAD: Tone.OK, Pace.ON_TRACK: Tone.OK,
    Pace.BEHIND: Tone.BAD}


def assessment_tone(assessment: Status | Pace | str | None) -> Tone:
    """The tone of a target's assessment (its status, or its pace while open); ``none``
    without one."""
    return _ASSESSED.get(assessment or "", Tone.NONE)


def result_tone(passed: bool | None) -> Tone:
    """The tone of a pass/fail result (a criteria set for one unit): ``none`` when unknown."""
    return Tone.NONE if passed is None else (Tone.OK if passed else Tone.BAD)


def all_missing(total: int, no_data: int) -> bool:
    """Whether none of ``total`` items (targets, criteria, units) has a figure yet: said
    "chưa có số liệu", not "0/110 đạt", which would read as a failure."""
    return total > 0 and no_data >= total


def count_tone(total: int, failed: int, no_data: int, *, asked: bool = True,
               target: Status | Pace | str | None = None) -> Tone:
    """The tone of a count ("7/10 chỉ tiêu đạt", "8/15 xã đạt chuẩn").

    ``target``: the assessment of a target set on the count (8 model communes of 15 asked
    for 5): it decides. Else nothing counted yet (or nothing to count) is ``none``; a count
    that nothing asks to be full (``asked`` false: 2 of 15 communes are tourist places) is
    ``info``; a count of things each asked for is ``bad`` when one failed, ``none`` when
    some have no figure yet, else ``ok``."""
    if target is not None:
        return assessment_tone(target)
    if total <= 0 or no_data >= total:
        return Tone.NONE
    if not asked:
        return Tone.INFO
    if failed:
        return Tone.BAD
    return Tone.NONE if no_data else Tone.OK


def group_tone(total: int, not_met: int, behind: int, no_data: int, partial: int) -> Tone:
    """The tone of a group of targets: while its period runs with part of its figures
    (``partial``), what is behind its pace fails it, as the report reads the group ("đạt
    và vượt tiến độ"); else what is not met does."""
    return count_tone(total, behind if partial else not_met, no_data)
