"""Vietnamese number and date formats (Babel vi_VN) and list joining."""

from __future__ import annotations

from datetime import date

import pytest

from tieuchi.reports.formatting import join_names, long_date, lower_first, number, percent


@pytest.mark.parametrize(("value", "vi", "en"), [
    (14.0, "14", "14"),
    (5.5, "5,5", "5.5"),
    (100.2, "100,2", "100.2"),
    (1234.5, "1.234,5", "1,234.5"),
    (3450000000, "3.450.000.000", "3,450,000,000"),
    (-12.25, "-12,2", "-12.2"),
    (None, "–", "–"),
])
def test_number(value: float | None, vi: str, en: str) -> None:
    assert number(value, "vi") == vi
    assert number(value, "en") == en


def test_percent_and_decimals() -> None:
    assert percent(5.5) == "5,5%"
    assert percent(100.0) == "100%"
    assert number(0.094, "vi", 2) == "0,09"
    assert number(43799.0, "vi", 0) == "43.799"


def test_long_date_follows_decree_30() -> None:
    assert long_date(date(2023, 12, 12)) == "ngày 12 tháng 12 năm 2023"
    assert long_date(date(2022, 3, 8)) == "ngày 08 tháng 3 năm 2022"
    assert long_date(date(2024, 2, 5)) == "ngày 05 tháng 02 năm 2024"


def test_join_names() -> None:
    assert join_names(["Yên Mỹ", "Đại Áng"]) == "Yên Mỹ và Đại Áng"
    assert join_names(["A", "B", "C"], "en") == "A, B and C"
    assert join_names(["A", "B", "C"], "vi", "; ") == "A; B và C"
    assert join_names([]) == ""


def test_lower_first_keeps_acronyms() -> None:
    assert lower_first("Chỉ tiêu thu cố định") == "chỉ tiêu thu cố định"
    assert lower_first("HĐND huyện") == "HĐND huyện"
