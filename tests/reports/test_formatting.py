"""Vietnamese number and date formats (Babel vi_VN) and list joining."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tieuchi.reports.formatting import (
    join_names,
    long_date,
    lower_first,
    number,
    parse_number,
    percent,
)


@pytest.mark.parametrize(("value", "vi", "en"), [
    (14.0, "14", "14"),
    (5.5, "5,5", "5.5"),
    (100.2, "100,2", "100.2"),
    (1234.5, "1.234,5", "1,234.5"),
    (3450000000, "3.450.000.000", "3,450,000,000"),
    (-12.25, "-12,3", "-12.3"),  # half up, away from zero, as a statistics office rounds
    (87.25, "87,3", "87.3"),  # not "87,2" (half to even): issue 11
    (2.675, "2,7", "2.7"),  # the number as written, not its binary tail (2.67499…)
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


# ---------------------------------------------------------------- precision (issue 10)

@pytest.mark.parametrize(("value", "decimals", "fixed", "vi"), [
    (86.4712, 2, False, "86,47"),
    (8.9912, 2, False, "8,99"),
    (97.99, 2, False, "97,99"),
    (15.0, 2, False, "15"),
    (0.2, 2, False, "0,2"),
    (5.0, 1, True, "5,0"),
    (2418.5, 2, True, "2.418,50"),
    (2418.5, 1, False, "2.418,5"),
    (-0.001, 2, False, "0"),  # no "-0"
])
def test_number_at_a_precision(value: float, decimals: int, fixed: bool, vi: str) -> None:
    assert number(value, "vi", decimals, fixed) == vi
    assert percent(value, "vi", decimals, fixed) == vi + "%"


@settings(max_examples=300, deadline=None)
@given(value=st.floats(min_value=-1e9, max_value=1e9, allow_nan=False),
       decimals=st.integers(min_value=0, max_value=6), fixed=st.booleans(),
       lang=st.sampled_from(["vi", "en"]))
def test_the_printed_number_reads_back_as_the_value_rounded(
        value: float, decimals: int, fixed: bool, lang: str) -> None:
    """What a report prints parses back to the value rounded at N decimals, with N decimals
    when fixed and at most N (no trailing zero) otherwise."""
    text = number(value, lang, decimals, fixed)
    rounded = Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
    assert Decimal(repr(parse_number(text, lang))) == rounded
    mark = "," if lang == "vi" else "."
    places = text.split(mark)[1] if mark in text else ""
    if fixed:
        assert len(places) == decimals
    else:
        assert len(places) <= decimals and not places.endswith("0")
