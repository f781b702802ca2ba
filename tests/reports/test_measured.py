"""A figure with its unit of measure and its declared decimals (reports.formatting.measured),
and a target worded in a sentence as an official text words it (reports.text.plan_prose)."""

from __future__ import annotations

from tieuchi.domain.indicators import Indicator
from tieuchi.reports.formatting import measure_of, measured


def _indicator(**fields: object) -> Indicator:
    return Indicator.model_validate({"code": "x", "name": "X", **fields})


def test_a_figure_shows_its_unit_of_measure() -> None:
    money = _indicator(unit="tỷ đồng", unit_en="VND billion")
    assert measured(857.7, money, "vi") == "857,7 tỷ đồng"
    assert measured(857.7, money, "en") == "857.7 VND billion"
    assert measured(43799, _indicator(unit="người", decimals=0), "vi") == "43.799 người"
    assert measured(80, _indicator(unit="%"), "vi") == "80%"  # glued, as the report writes it
    assert measured(None, money, "vi") == "–"
    assert measure_of(None) == "" and measure_of(_indicator()) == ""


def test_a_figure_keeps_its_declared_decimals() -> None:
    assert measured(87.25, _indicator(unit="%", decimals=2), "vi") == "87,25%"  # not "87,2"
    assert measured(2418.5, _indicator(unit="tấn", decimals=2), "vi") == "2.418,50 tấn"
    assert measured(2418.5, _indicator(unit="tấn"), "vi") == "2.418,5 tấn"
    assert measured(0.0912, _indicator(decimals=2), "vi", decimals=3) == "0,091"
