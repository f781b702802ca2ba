"""The comparator fields shared by targets and criteria conditions.

A target or a condition names exactly one comparator, the way a person would write it::

    at_least: 95          # ≥ 95
    at_most: 1.5          # ≤ 1,5
    equal: 0              # = 0
    within: [16, 18]      # between 16 and 18
    yes: true             # "Đạt" / "có"
"""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from tieuchi.domain.base import Model
from tieuchi.domain.periods import Period
from tieuchi.domain.status import Comparator

__all__ = ["Comparison", "PeriodCode", "COMPARATOR_FIELDS"]

T = TypeVar("T")

COMPARATOR_FIELDS: tuple[str, ...] = tuple(c.value for c in Comparator)
_COMPARATORS = {c.value: c for c in Comparator}


def _period_code(value: str | int) -> str:
    return Period.parse(value).code


PeriodCode = Annotated[
    str,
    BeforeValidator(lambda v: str(v) if isinstance(v, int) else v),
    AfterValidator(_period_code),
]


class Comparison(Model, Generic[T]):
    """At most one comparator with its threshold of type ``T`` (a number, or numbers by region)."""

    at_least: T | None = None
    at_most: T | None = None
    equal: T | None = None
    within: tuple[T, T] | None = None
    yes: bool | None = None
    tolerance: float = Field(default=0.0, ge=0)

    @model_validator(mode="after")
    def _one_comparator(self) -> Comparison[T]:
        given = [f for f in COMPARATOR_FIELDS if getattr(self, f) is not None]
        if len(given) > 1:
            raise ValueError(
                f"give one comparator, not {len(given)} ({', '.join(given)}); "
                "split it into two conditions"
            )
        return self

    @property
    def comparator(self) -> Comparator | None:
        for name in COMPARATOR_FIELDS:
            if getattr(self, name) is not None:
                return _COMPARATORS[name]
        return None

    @property
    def threshold(self) -> tuple[T | None, T | None]:
        """(value, upper value) of the comparator; ``yes`` has 1 (true) or 0 (false)."""
        comparator = self.comparator
        if comparator is None:
            return (None, None)
        if comparator is Comparator.YES:
            return (1.0 if self.yes else 0.0, None)  # type: ignore[return-value]
        if comparator is Comparator.WITHIN:
            assert self.within is not None
            return self.within
        return (getattr(self, comparator.value), None)
