"""How a report states a figure: the comparison with the same period, and the excess over
the target. Each may be written on a report highlight or item, a target, a target group or
the report outline; the nearest written wins (:func:`nearest`)."""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from tieuchi.domain.indicators import Indicator, ValueType

__all__ = ["Compare", "Excess", "State", "nearest", "state_misfit"]


class Compare(StrEnum):
    """The comparison with the same period last year."""

    CHANGE = "change"  # "tăng 6,37% so với năm 2022" (the default)
    RATIO = "ratio"  # "bằng 106,37% so với năm 2022"
    NONE = "none"  # no comparison


class Excess(StrEnum):
    """What a target exceeded is said with, instead of "đạt 102,6% kế hoạch"."""

    QUANTITY = "quantity"  # "vượt 158,2 tấn so với kế hoạch"
    PERCENT = "percent"  # "vượt 2,6% kế hoạch"


class State(StrEnum):
    """What a figure's sentence opens with: its value (the default), or the count behind it.
    A count form of a ratio indicator (``rollup: ratio``) counts its numerator; its subject
    words are the numerator's ``short_name`` (or the highlight's ``name``)."""

    VALUE = "value"  # "Tỷ lệ hộ nghèo là 0,2%"
    FRACTION = "fraction"  # "toàn tỉnh có 320/411 xã đạt chuẩn NTM, tương đương 77,86%"
    COUNT_SHARE = "count_share"  # "toàn xã có 4 hộ nghèo, chiếm tỷ lệ 0,2%"
    COUNT = "count"  # "toàn tỉnh có 09 đơn vị cấp huyện đạt chuẩn xây dựng NTM"
    CHANGE = "change"  # "Chỉ số sản xuất công nghiệp ước tăng 12,4% so với cùng kỳ": the
    # change alone, for a figure whose level says nothing to the reader (an index)


def state_misfit(state: State | str | None, indicator: Indicator) -> tuple[str, str] | None:
    """Why ``indicator``'s figure cannot be stated as ``state`` (in English, in Vietnamese),
    or None when it can: a fraction or a share needs a ratio (its numerator and denominator);
    a count needs a ratio (its numerator is counted) or an indicator that is no rate."""
    ratio = bool(indicator.numerator and indicator.denominator)
    if state in (State.FRACTION, State.COUNT_SHARE) and not ratio:
        return ("is not a ratio (rollup: ratio, with numerator and denominator)",
                "không phải chỉ tiêu tỷ lệ (rollup: ratio, có numerator và denominator)")
    if state == State.COUNT and not ratio and indicator.type is ValueType.PERCENT:
        return "is a rate without a numerator to count", "là tỷ lệ không có tử số để đếm"
    return None


T = TypeVar("T")


def nearest(*values: T | None) -> T | None:
    """The first value written, from the nearest place (a highlight) to the farthest (the
    report)."""
    return next((v for v in values if v is not None), None)
