"""The words of an evaluation: status of a target, pace within a period, vintage of a figure."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Status", "Pace", "Vintage", "Comparator"]


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

