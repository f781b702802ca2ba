"""How a report states a figure: the comparison with the same period, and the excess over
the target. Each may be written on a report highlight or item, a target, a target group or
the report outline; the nearest written wins (:func:`nearest`)."""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

__all__ = ["Compare", "Excess", "nearest"]


class Compare(StrEnum):
    """The comparison with the same period last year."""

    CHANGE = "change"  # "tăng 6,37% so với năm 2022" (the default)
    RATIO = "ratio"  # "bằng 106,37% so với năm 2022"
    NONE = "none"  # no comparison


class Excess(StrEnum):
    """What a target exceeded is said with, instead of "đạt 102,6% kế hoạch"."""

    QUANTITY = "quantity"  # "vượt 158,2 tấn so với kế hoạch"
    PERCENT = "percent"  # "vượt 2,6% kế hoạch"


T = TypeVar("T")


def nearest(*values: T | None) -> T | None:
    """The first value written, from the nearest place (a highlight) to the farthest (the
    report)."""
    return next((v for v in values if v is not None), None)
