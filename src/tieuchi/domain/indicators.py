"""Indicators: what is measured, in which unit, which way is better, how it adds up."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from pydantic import Field, model_validator

from tieuchi.domain.base import CODE_PATTERN, Model
from tieuchi.domain.periods import PeriodKind
from tieuchi.domain.status import Comparator

__all__ = ["Indicator", "ValueType", "Direction", "TimeAggregation", "Rollup"]


class ValueType(StrEnum):
    NUMBER = "number"
    PERCENT = "percent"
    YESNO = "yesno"
    COUNT = "count"


class Direction(StrEnum):
    """Which way is better; gives a target's comparator when it names none."""

    HIGHER = "higher"
    LOWER = "lower"
    EXACT = "exact"
    RANGE = "range"

    @property
    def comparator(self) -> Comparator:
        return {
            Direction.HIGHER: Comparator.AT_LEAST,
            Direction.LOWER: Comparator.AT_MOST,
            Direction.EXACT: Comparator.EQUAL,
            Direction.RANGE: Comparator.WITHIN,
        }[self]


class TimeAggregation(StrEnum):
    """How sub-period figures make a period's figure."""

    SUM = "sum"  # flows: revenue, production value
    LAST = "last"  # stocks: population, number of communes that pass
    MEAN = "mean"


class Rollup(StrEnum):
    """How children's figures make a parent's figure."""

    SUM = "sum"
    MEAN = "mean"  # mean over the leaf units
    WEIGHTED_MEAN = "weighted_mean"  # needs ``weight``
    RATIO = "ratio"  # needs ``numerator`` and ``denominator``; both summed, then divided
    COUNT_PASSING = "count_passing"  # needs ``criteria_set``: how many units pass it
    SHARE_PASSING = "share_passing"  # the same as a percentage of the units it applies to
    NONE = "none"  # only reported directly


class Indicator(Model):
    code: str = Field(pattern=CODE_PATTERN)
    name: str
    name_en: str | None = None
    short_name: str | None = None  # for report sentences: "thu cố định"
    # other names the indicator goes by in plans and reports ("tăng trưởng kinh tế",
    # "GRDP"): matched, accents folded, when a plan's table is read into targets
    synonyms: tuple[str, ...] = ()
    unit: str | None = None  # unit of measure: "tỷ đồng", "%", "người"
    unit_en: str | None = None  # in English reports: "VND billion", "people"
    type: ValueType = ValueType.NUMBER
    direction: Direction = Direction.HIGHER
    time: TimeAggregation = TimeAggregation.SUM
    rollup: Rollup = Rollup.SUM
    frequency: PeriodKind = PeriodKind.MONTH  # the finest period it is collected for
    weight: str | None = None
    numerator: str | None = None
    denominator: str | None = None
    scale: float = 100.0  # ratio = numerator / denominator x scale
    criteria_set: str | None = None
    of_level: str | None = None  # count_passing / share_passing: units of this level
    components: tuple[str, ...] = ()  # value = sum of these indicators of the same unit
    decimals: int = Field(default=1, ge=0, le=6)
    # Whether values keep ``decimals`` places, trailing zeros included ("2.418,50"): true
    # when ``decimals`` is written (unless this says false); otherwise at most one decimal.
    decimals_fixed: bool = False
    # The lowest and highest value (ruleset.value_range): without them, 0 to 100 for a
    # percentage, 0 or more for other numbers; a change or a balance declares a negative min.
    min: float | None = Field(default=None, allow_inf_nan=False)
    max: float | None = Field(default=None, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _declared_decimals(cls, data: Any) -> Any:
        """Declared decimals are kept as written: "2.418,50", not "2.418,5"."""
        if isinstance(data, Mapping) and "decimals" in data and "decimals_fixed" not in data:
            return {**data, "decimals_fixed": True}
        return data

    @model_validator(mode="after")
    def _rollup_needs(self) -> Indicator:
        need = {
            Rollup.WEIGHTED_MEAN: ("weight",),
            Rollup.RATIO: ("numerator", "denominator"),
            Rollup.COUNT_PASSING: ("criteria_set",),
            Rollup.SHARE_PASSING: ("criteria_set",),
        }.get(self.rollup, ())
        missing = [f for f in need if getattr(self, f) is None]
        if missing:
            raise ValueError(f"rollup '{self.rollup}' needs {' and '.join(missing)}")
        return self

    @model_validator(mode="after")
    def _range(self) -> Indicator:
        if self.type is ValueType.YESNO and (self.min is not None or self.max is not None):
            raise ValueError("a yes/no indicator is 1 or 0: it takes no min or max")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min:g} is above max {self.max:g}")
        return self

    @property
    def derived_from_set(self) -> bool:
        return self.rollup in (Rollup.COUNT_PASSING, Rollup.SHARE_PASSING)
