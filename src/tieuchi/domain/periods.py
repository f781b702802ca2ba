"""Reporting periods: year, half, quarter, month, year-to-date and multi-year.

A period is written as a short code, the same in YAML, CSV, the CLI and JSON:

=================  ======================================  ============================
code               meaning                                 Vietnamese label
=================  ======================================  ============================
``2023``           the calendar year                       năm 2023
``2023-H1``        first half                              6 tháng đầu năm 2023
``2023-Q3``        third quarter                           quý III/2023
``2023-05``        May                                     tháng 5/2023
``2023-YTD09``     January to September (year to date)     9 tháng năm 2023
``2021-2025``      several years (a plan, a term)          giai đoạn 2021 - 2025
=================  ======================================  ============================

The years are those of :data:`YEARS`, 1900 to 2200: wide enough for any series and plan a
government keeps, narrow enough that "the same period last year" and every date of a period
exist. A code outside them is refused like any code that is no period (:class:`PeriodError`),
by files, the command line, the pages and the API alike.
"""

from __future__ import annotations

import calendar
import functools
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import assert_never

__all__ = ["Period", "PeriodKind", "PeriodError", "FIRST_YEAR", "LAST_YEAR", "YEARS"]

FIRST_YEAR, LAST_YEAR = 1900, 2200
YEARS = range(FIRST_YEAR, LAST_YEAR + 1)
"""The years a period may name."""


class PeriodError(ValueError):
    """A period code that cannot be read."""


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    HALF = "half"
    YTD = "ytd"
    YEAR = "year"
    MULTI_YEAR = "multi_year"

    @property
    def granularity(self) -> int:
        """Rank from finest (0) to coarsest; YTD counts as months, the finest data it sums."""
        return _GRANULARITY[self]


_GRANULARITY = {
    PeriodKind.MONTH: 0,
    PeriodKind.QUARTER: 1,
    PeriodKind.HALF: 2,
    PeriodKind.YTD: 3,
    PeriodKind.YEAR: 4,
    PeriodKind.MULTI_YEAR: 5,
}

_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
_EN_MONTHS = [calendar.month_abbr[m] for m in range(13)]

_PATTERNS: list[tuple[re.Pattern[str], PeriodKind]] = [
    (re.compile(r"^([1-9]\d{3})$"), PeriodKind.YEAR),
    (re.compile(r"^([1-9]\d{3})-H([12])$"), PeriodKind.HALF),
    (re.compile(r"^([1-9]\d{3})-Q([1-4])$"), PeriodKind.QUARTER),
    (re.compile(r"^([1-9]\d{3})-(0[1-9]|1[0-2])$"), PeriodKind.MONTH),
    (re.compile(r"^([1-9]\d{3})-YTD(0[1-9]|1[0-2])$"), PeriodKind.YTD),
    (re.compile(r"^([1-9]\d{3})-([1-9]\d{3})$"), PeriodKind.MULTI_YEAR),
]


@dataclass(frozen=True, order=True)
class Period:
    """A span of whole months, from ``start`` to ``end`` (both inclusive)."""

    start: date
    end: date
    kind: PeriodKind
    code: str

    @classmethod
    def parse(cls, text: str | int) -> Period:
        return _parse(str(text))

    @classmethod
    def _parse(cls, text: str) -> Period:
        code = text.strip().upper()
        for pattern, kind in _PATTERNS:
            match = pattern.match(code)
            if match:
                year = int(match.group(1))
                second = int(match.group(2)) if match.lastindex == 2 else 0
                for named in (year, second) if kind is PeriodKind.MULTI_YEAR else (year,):
                    if named not in YEARS:
                        raise PeriodError(f"'{text}': the year {named} is not between "
                                          f"{FIRST_YEAR} and {LAST_YEAR}")
                return cls._build(kind, year, second)
        raise PeriodError(
            f"'{text}' is not a period; write 2023, 2023-H1, 2023-Q3, 2023-05, 2023-YTD09 "
            f"or 2021-2025 (years {FIRST_YEAR} to {LAST_YEAR})"
        )

    @classmethod
    def canonical(cls, text: str) -> str:
        """The code of the period ``text`` names, in its one written form ("2023-q3" →
        "2023-Q3", "2023-YTD12" → "2023"); a text that is no period is given back as it is,
        for the check that reads it to report with its row."""
        try:
            return cls.parse(text).code
        except PeriodError:
            return text

    @classmethod
    def _build(cls, kind: PeriodKind, year: int, n: int) -> Period:
        match kind:
            case PeriodKind.YEAR:
                return cls.months(year, 1, year, 12, kind, f"{year}")
            case PeriodKind.HALF:
                return cls.months(year, 6 * n - 5, year, 6 * n, kind, f"{year}-H{n}")
            case PeriodKind.QUARTER:
                return cls.months(year, 3 * n - 2, year, 3 * n, kind, f"{year}-Q{n}")
            case PeriodKind.MONTH:
                return cls.months(year, n, year, n, kind, f"{year}-{n:02d}")
            case PeriodKind.YTD:
                if n == 12:  # twelve months to date are the year
                    return cls._build(PeriodKind.YEAR, year, 0)
                return cls.months(year, 1, year, n, kind, f"{year}-YTD{n:02d}")
            case PeriodKind.MULTI_YEAR:
                if n <= year:
                    raise PeriodError(f"'{year}-{n}': the last year must come after the first")
                return cls.months(year, 1, n, 12, kind, f"{year}-{n}")
            case _:
                assert_never(kind)

    @classmethod
    def months(cls, y1: int, m1: int, y2: int, m2: int, kind: PeriodKind, code: str) -> Period:
        last_day = calendar.monthrange(y2, m2)[1]
        return cls(date(y1, m1, 1), date(y2, m2, last_day), kind, code)

    def __str__(self) -> str:
        return self.code

    @property
    def year(self) -> int:
        return self.start.year

    @property
    def part(self) -> int:
        """Which half (1, 2), quarter (1–4) or month (1–12, also the last month of a
        year to date) of its year the period is; 0 for a year or several years."""
        months = {PeriodKind.HALF: 6, PeriodKind.QUARTER: 3, PeriodKind.MONTH: 1,
                  PeriodKind.YTD: 1}.get(self.kind)
        return self.end.month // months if months else 0

    @property
    def month_count(self) -> int:
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    def same_period_last_year(self) -> Period:
        """The period one year earlier; for a multi-year period, the span just before it. It
        is built, not read: the year before :data:`FIRST_YEAR` exists as a period to compare
        with (it has no figures, as no code names it)."""
        if self.kind is PeriodKind.MULTI_YEAR:
            span = self.end.year - self.start.year + 1
            return Period._build(self.kind, self.start.year - span, self.end.year - span)
        return Period._build(self.kind, self.year - 1, self.part)

    def contains(self, other: Period) -> bool:
        return self.start <= other.start and other.end <= self.end

    def is_closed(self, as_of: date) -> bool:
        return as_of > self.end

    def elapsed_share(self, as_of: date) -> float:
        """Share of the period's days elapsed on ``as_of`` (0 before it starts, 1 after it)."""
        if as_of < self.start:
            return 0.0
        if as_of >= self.end:
            return 1.0
        return ((as_of - self.start).days + 1) / ((self.end - self.start).days + 1)

    def label(self, lang: str = "vi") -> str:
        """The period as an official report writes it ("9 tháng năm 2023", "quý III/2023")."""
        return _label_vi(self) if lang == "vi" else _label_en(self)

    def fill(self, template: str, lang: str = "vi") -> str:
        """A title written over the period: "Báo cáo … {period}" → "Báo cáo … năm 2022",
        "… năm {year}" → "… năm 2022" (:data:`PERIOD_PLACEHOLDERS`, checked on loading)."""
        if "{" not in template and "}" not in template:
            return template
        return template.format(period=self.label(lang), year=self.year)


PERIOD_PLACEHOLDERS = frozenset({"period", "year"})
"""What a title may say of the period evaluated: ``{period}`` its label ("năm 2022", "6 tháng
đầu năm 2024"), ``{year}`` its year ("2022")."""


@functools.lru_cache(maxsize=4096)
def _parse(text: str) -> Period:
    """:meth:`Period.parse`, once per distinct text: a folder or a table names the same few
    periods on every row, and a period is immutable."""
    return Period._parse(text)


def _label_vi(p: Period) -> str:
    match p.kind:
        case PeriodKind.YEAR:
            return f"năm {p.year}"
        case PeriodKind.HALF:
            return f"6 tháng đầu năm {p.year}" if p.part == 1 else f"6 tháng cuối năm {p.year}"
        case PeriodKind.QUARTER:
            return f"quý {_ROMAN[p.part]}/{p.year}"
        case PeriodKind.MONTH:
            return f"tháng {p.part}/{p.year}"
        case PeriodKind.YTD:
            if p.end.month == 6:
                return f"6 tháng đầu năm {p.year}"
            return f"{p.end.month} tháng năm {p.year}"
        case PeriodKind.MULTI_YEAR:
            return f"giai đoạn {p.start.year} - {p.end.year}"
        case _:
            assert_never(p.kind)


def _label_en(p: Period) -> str:
    match p.kind:
        case PeriodKind.YEAR:
            return f"{p.year}"
        case PeriodKind.HALF:
            return f"H{p.part} {p.year}"
        case PeriodKind.QUARTER:
            return f"Q{p.part} {p.year}"
        case PeriodKind.MONTH:
            return f"{_EN_MONTHS[p.end.month]} {p.year}"
        case PeriodKind.YTD:
            return f"Jan–{_EN_MONTHS[p.end.month]} {p.year}"
        case PeriodKind.MULTI_YEAR:
            return f"{p.start.year}–{p.end.year}"
        case _:
            assert_never(p.kind)
