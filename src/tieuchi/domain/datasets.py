"""Data sets: the indicators a unit reports together, on one form, for one period."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from pydantic import Field

from tieuchi.domain.base import CODE_PATTERN, Model
from tieuchi.domain.indicators import Indicator
from tieuchi.domain.periods import Period, PeriodKind

__all__ = ["DataSet", "DEFAULT_DATASET", "DUE_DAYS", "default_datasets"]

DUE_DAYS = 366
"""How far from a period's end a due date may lie, in days, either way."""

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
    # When it is due: days after the period's last day (15: the 15th day after it; 0: the
    # last day itself; -20: twenty days before it, as a year's report due in early
    # December). None: no due date, so never late.
    due: int | None = Field(default=None, ge=-DUE_DAYS, le=DUE_DAYS)

    def reported_by(self, level: str) -> bool:
        return not self.levels or level in self.levels

    def due_date(self, period: Period) -> date | None:
        """The day the form is due for ``period`` (None: it declares no due date)."""
        return None if self.due is None else period.end + timedelta(days=self.due)

    def days_late(self, period: Period, today: date) -> int:
        """How many days past its due date the form is on ``today`` (0: not late, or no
        due date)."""
        due = self.due_date(period)
        return max(0, (today - due).days) if due is not None else 0


def default_datasets(indicators: Sequence[Indicator]) -> tuple[DataSet, ...]:
    """The data set of a folder that defines none: every indicator entered rather than
    computed (from a criteria set or from components)."""
    entered = tuple(i.code for i in indicators if not i.derived_from_set and not i.components)
    if not entered:
        return ()
    return (DataSet(code=DEFAULT_DATASET, name="Tất cả chỉ tiêu", name_en="All indicators",
                    indicators=entered),)
