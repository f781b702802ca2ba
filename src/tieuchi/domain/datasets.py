"""Data sets: the indicators a unit reports together, on one form, for one period."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import Field

from tieuchi.domain.base import CODE_PATTERN, Model
from tieuchi.domain.indicators import Indicator
from tieuchi.domain.periods import PeriodKind

__all__ = ["DataSet", "DEFAULT_DATASET", "default_datasets"]

DEFAULT_DATASET = "tat-ca"
"""The code of the data set a folder gets when it defines none: every indicator it can enter."""


class DataSet(Model):
    """A form: which indicators, reported by units of which levels, for which kind of period.

    Entry, submission, approval and locking go by unit, period and data set
    ("biểu nhập số liệu"), as in DHIS2.
    """

    code: str = Field(pattern=CODE_PATTERN)
    name: str
    name_en: str | None = None
    indicators: tuple[str, ...] = Field(min_length=1)
    levels: tuple[str, ...] = ()  # the levels whose units report it; empty: every level
    period: PeriodKind = PeriodKind.YEAR  # the period it is reported for

    def reported_by(self, level: str) -> bool:
        return not self.levels or level in self.levels


def default_datasets(indicators: Sequence[Indicator]) -> tuple[DataSet, ...]:
    """The data set of a folder that defines none: every indicator entered rather than
    computed (from a criteria set or from components)."""
    entered = tuple(i.code for i in indicators if not i.derived_from_set and not i.components)
    if not entered:
        return ()
    return (DataSet(code=DEFAULT_DATASET, name="Tất cả chỉ tiêu", name_en="All indicators",
                    indicators=entered),)
