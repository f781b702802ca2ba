"""Period codes, their dates, labels and the same period last year."""

from __future__ import annotations

from datetime import date

import pytest

from tieuchi.domain.periods import FIRST_YEAR, LAST_YEAR, Period, PeriodError, PeriodKind
from tieuchi.domain.targets import TargetGroup


@pytest.mark.parametrize(("code", "start", "end", "vi", "en", "last"), [
    ("2023", date(2023, 1, 1), date(2023, 12, 31), "năm 2023", "2023", "2022"),
    ("2023-H1", date(2023, 1, 1), date(2023, 6, 30), "6 tháng đầu năm 2023", "H1 2023",
     "2022-H1"),
    ("2023-H2", date(2023, 7, 1), date(2023, 12, 31), "6 tháng cuối năm 2023", "H2 2023",
     "2022-H2"),
    ("2023-Q3", date(2023, 7, 1), date(2023, 9, 30), "quý III/2023", "Q3 2023", "2022-Q3"),
    ("2024-02", date(2024, 2, 1), date(2024, 2, 29), "tháng 2/2024", "Feb 2024", "2023-02"),
    ("2023-YTD09", date(2023, 1, 1), date(2023, 9, 30), "9 tháng năm 2023", "Jan–Sep 2023",
     "2022-YTD09"),
    ("2021-2025", date(2021, 1, 1), date(2025, 12, 31), "giai đoạn 2021 - 2025",
     "2021–2025", "2016-2020"),
])
def test_periods(code: str, start: date, end: date, vi: str, en: str, last: str) -> None:
    period = Period.parse(code)
    assert (period.start, period.end) == (start, end)
    assert period.label("vi") == vi
    assert period.label("en") == en
    assert period.same_period_last_year().code == last


@pytest.mark.parametrize("bad", ["2023-13", "2023-Q5", "23", "2025-2021", "năm 2023", ""])
def test_bad_period_codes(bad: str) -> None:
    with pytest.raises(PeriodError, match="not a period|must come after"):
        Period.parse(bad)


def test_open_and_elapsed() -> None:
    year = Period.parse(2023)
    assert year.kind is PeriodKind.YEAR
    assert not year.is_closed(date(2023, 12, 12))
    assert year.is_closed(date(2024, 1, 1))
    assert year.elapsed_share(date(2023, 7, 2)) == pytest.approx(183 / 365)
    assert year.contains(Period.parse("2023-Q2"))
    assert not Period.parse("2023-Q2").contains(year)


def test_twelve_months_to_date_are_the_year() -> None:
    assert Period.parse("2023-YTD12") == Period.parse("2023")
    assert Period.parse("2023-YTD12").label() == "năm 2023"


@pytest.mark.parametrize("code", ["1000", "1899", "2201", "9999", "1000-H1", "1899-Q4",
                                  "2201-05", "9999-YTD03", "1899-1905", "2195-2201"])
def test_a_year_outside_the_years_is_refused(code: str) -> None:
    """Issue 9: "1000" was read, then "the same period last year" (999) was not: a 500 on
    every page, a traceback in the CLI."""
    with pytest.raises(PeriodError, match=f"is not between {FIRST_YEAR} and {LAST_YEAR}"):
        Period.parse(code)


@pytest.mark.parametrize(("code", "last"), [
    ("1900", "1899"), ("1900-Q1", "1899-Q1"), ("1900-YTD05", "1899-YTD05"),
    ("1900-1904", "1895-1899"), ("2200", "2199"), ("2200-12", "2199-12")])
def test_the_first_and_last_years_are_periods_with_a_year_before(code: str, last: str) -> None:
    """The edges are periods, and the period before the first year exists to compare with
    (no code names it, so it has no figures)."""
    period = Period.parse(code)
    assert period.code == code
    assert period.same_period_last_year().code == last
    assert Period.canonical(code) == code


@pytest.mark.parametrize(("code", "lang", "filled"), [
    ("2022", "vi", "Báo cáo năm 2022 (2022)"),
    ("2024-H1", "vi", "Báo cáo 6 tháng đầu năm 2024 (2024)"),
    ("2024-YTD09", "vi", "Báo cáo 9 tháng năm 2024 (2024)"),
    ("2024-H1", "en", "Báo cáo H1 2024 (2024)"),
])
def test_a_title_is_filled_with_the_period(code: str, lang: str, filled: str) -> None:
    period = Period.parse(code)
    assert period.fill("Báo cáo {period} ({year})", lang) == filled
    assert period.fill("Chỉ tiêu thu cố định", lang) == "Chỉ tiêu thu cố định"  # as written
    assert period.fill("{{năm}} {year}", lang) == f"{{năm}} {period.year}"


def test_a_groups_title_is_its_name_over_the_period() -> None:
    group = TargetGroup(code="nvct", name="Chỉ tiêu năm {year}", name_en="Targets, {year}",
                        unit="TT", period="2022")
    assert group.title(Period.parse("2022")) == "Chỉ tiêu năm 2022"
    assert group.title(Period.parse("2023-YTD09"), "en") == "Targets, 2023"
