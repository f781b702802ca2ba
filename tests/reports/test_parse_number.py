"""Numbers typed the Vietnamese way (decimal comma, thousands dots) into entry forms."""

from __future__ import annotations

import pytest

from tieuchi.reports.formatting import number, parse_number


@pytest.mark.parametrize(("text", "value"), [
    ("1.234,5", 1234.5),
    ("5,5", 5.5),
    ("5", 5.0),
    ("0,25", 0.25),
    ("-0,25", -0.25),
    ("+12", 12.0),
    ("1.000", 1000.0),
    ("3.450.000.000", 3450000000.0),
    (",5", 0.5),
    ("  86,5 ", 86.5),
])
def test_vietnamese(text: str, value: float) -> None:
    assert parse_number(text) == value
    assert parse_number(text, "vi") == value


def test_english() -> None:
    assert parse_number("1,234.5", "en") == 1234.5
    assert parse_number("5.5", "en") == 5.5


@pytest.mark.parametrize("value", [0.0, 5.5, 14.0, 1234.5, 43799.0, -12.25, 3450000000.0])
def test_round_trip(value: float) -> None:
    """What :func:`number` writes, :func:`parse_number` reads back."""
    assert parse_number(number(value, "vi", 2)) == value
    assert parse_number(number(value, "en", 2), "en") == value


@pytest.mark.parametrize(("text", "words"), [
    ("", "chưa nhập số"),
    ("   ", "chưa nhập số"),
    ("abc", "không phải là số"),
    ("5,5%", "không phải là số"),
    ("1e3", "không phải là số"),
    ("NaN", "không phải là số"),
    ("1 234", "không phải là số"),
    ("1.5", "có phải là 15 hoặc 1,5?"),
    ("12.34,5", "dấu chấm phân cách hàng nghìn"),
    ("9" * 400, "quá lớn"),
    ("1" + ".000" * 9, "quá lớn"),  # 28 digits grouped: Babel's own check gave up (a 500)
    ("-1" + ".000" * 120 + ",5", "quá lớn"),
])
def test_refused_with_a_vietnamese_message(text: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        parse_number(text)


def test_refused_in_english() -> None:
    with pytest.raises(ValueError, match="not a number"):
        parse_number("abc", "en")
    with pytest.raises(ValueError, match="did you mean 15 or 1.5"):
        parse_number("1,5", "en")
