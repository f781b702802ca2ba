"""The domain's rules, written once (``tieuchi.domain.ruleset``): each on its own, on small
frames; the loader, the store, the importers and the API are tested to use them elsewhere."""

from __future__ import annotations

import math
import unicodedata

import polars as pl
import pytest

from tieuchi.domain.bundle import TARGET_SCHEMA
from tieuchi.domain.indicators import Indicator
from tieuchi.domain.periods import Period
from tieuchi.domain.problems import CATALOGUE
from tieuchi.domain.ruleset import (
    VINTAGE_RANK,
    best_vintage,
    figure_problems,
    is_yes,
    normal_targets,
    problem_of,
    target_problems,
    yes,
)

INDICATORS = {
    "so": Indicator(code="so", name="Số"),
    "ty-le": Indicator(code="ty-le", name="Tỷ lệ", type="percent"),
    "co-khong": Indicator(code="co-khong", name="Có/không", type="yesno"),
    "so-luong": Indicator(code="so-luong", name="Số lượng", type="count", frequency="year"),
}


@pytest.mark.parametrize(("value", "truth"), [(0.0, False), (0.49, False), (0.5, True),
                                              (1.0, True)])
def test_yes_no_truth_is_the_same_row_by_row_and_column_wise(value: float, truth: bool) -> None:
    assert is_yes(value) is truth
    assert pl.select(yes(pl.lit(value))).item() is truth


def test_best_vintage_is_the_most_final_then_the_latest_recorded() -> None:
    rank = VINTAGE_RANK
    frame = pl.DataFrame({
        "unit": ["A"] * 4 + ["B"] * 2,
        "vintage_rank": [rank["estimate"], rank["official"], rank["official"],
                         rank["preliminary"], rank["estimate"], rank["estimate"]],
        "recorded_at": ["2024-03-01", "2024-01-01", "2024-02-01", None, None, "2024-01-01"],
        "value": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
    })
    best = best_vintage(frame, ["unit"]).sort("unit")
    assert best.get_column("value").to_list() == [3.0, 6.0]  # a dated figure before an undated
    assert rank["official"] > rank["preliminary"] > rank["estimate"] > rank["plan"]


def test_figure_problems_name_the_row_the_field_and_the_code() -> None:
    frame = pl.DataFrame({
        "indicator": ["ty-le", "so-luong", "so-luong", "co-khong", "so", "so", "ty-le", "x"],
        "period": ["2023", "2023", "2023-Q1", "2023", "2023", "2023-13", "2023", "2023"],
        "value": [150.0, 2.5, 3.0, 0.5, math.inf, 1.0, None, math.nan],
    })
    found = figure_problems(frame, INDICATORS)
    assert found.select("index", "field", "code").rows() == [
        (0, "value", "percent-range"), (1, "value", "count-value"),
        (2, "period", "period-too-fine"), (3, "value", "yesno-value"),
        (4, "value", "invalid-value"), (5, "period", "invalid-period"),
        (7, "value", "invalid-value")]
    first = problem_of(found.row(0, named=True))
    assert (first.index, first.field, first.place) == (0, "value", "[0].value")
    en, vi = first.message, first.message_vi
    assert en == "150 is not a percentage for ty-le; a percentage is between 0 and 100"
    assert vi.startswith("150 không phải tỷ lệ phần trăm")


def test_accepted_figures_give_no_problem() -> None:
    frame = pl.DataFrame({"indicator": ["ty-le", "ty-le", "so-luong", "co-khong", "so"],
                          "period": ["2023-05", "2023", "2023", "2023-Q1", "2023"],
                          "value": [0.0, 100.0, 3.0, 1.0, -12.5]})
    assert figure_problems(frame, INDICATORS).is_empty()


def _targets(*rows: dict[str, object]) -> pl.DataFrame:
    base = {"key": "k", "unit": "A", "indicator": "so", "period": "2023"}
    return normal_targets(pl.DataFrame([{**base, **r} for r in rows], schema=TARGET_SCHEMA,
                                       strict=False))


def test_target_problems() -> None:
    frame = _targets(
        {"comparator": "at_least", "value": math.nan},
        {"comparator": "within", "value": 5.0, "value_high": 3.0},
        {"comparator": "within", "value": 5.0},
        {"relative": "growth", "relative_value": 5.0, "tolerance": -math.inf},
        {"comparator": "at_least", "value": 1.0, "baseline_value": 3.0},
        {"comparator": "yes", "value": 0.5, "indicator": "co-khong"},
        {"comparator": "at_least", "relative": "growth", "value": 1.0, "relative_value": 1.0},
        {"comparator": "at_least", "indicator": "co-khong", "value": 1.0},
        {"comparator": "yes", "indicator": "ty-le"},
        {"comparator": "at_most", "value": 3.0, "indicator": "so-luong", "period": "2023-Q1"},
        {"comparator": "at_least", "value": 3.0, "tolerance": -1.0},
        {"relative": "growth", "relative_value": 5.0, "baseline": "2022-Q5"},
    )
    assert target_problems(frame, INDICATORS).select("index", "field", "code").rows() == [
        (0, "value", "invalid-value"), (1, "value_high", "range-order"),
        (2, "value_high", "missing-value-high"), (3, "tolerance", "invalid-value"),
        (4, "baseline", "baseline-without-relative"), (5, "value", "yesno-value"),
        (6, "comparator", "target-kind"), (7, "comparator", "target-comparator"),
        (8, "comparator", "target-comparator"), (9, "period", "period-too-fine"),
        (10, "tolerance", "negative-tolerance"), (11, "baseline", "invalid-period")]


def test_normal_targets_are_canonical() -> None:
    frame = _targets({"comparator": "yes", "indicator": "co-khong", "period": "2023-ytd12",
                      "tolerance": None},
                     {"relative": "growth", "relative_value": 3.0, "baseline": "2022-q4"})
    assert frame.select("period", "value", "tolerance", "baseline").rows() == [
        ("2023", 1.0, 0.0, None), ("2023", None, 0.0, "2022-Q4")]
    assert target_problems(frame, INDICATORS).is_empty()


def test_canonical_period_codes() -> None:
    assert Period.canonical("2023-q3") == "2023-Q3"
    assert Period.canonical(" 2023-YTD12 ") == "2023"
    assert Period.canonical("2023-Q5") == "2023-Q5"  # reported with its row, not here


@pytest.mark.parametrize("code", sorted(c for c, e in CATALOGUE.items() if e.en))
def test_every_rule_says_it_in_english_and_vietnamese(code: str) -> None:
    en, vi = CATALOGUE[code].en, CATALOGUE[code].vi
    assert en and vi and en != vi
    assert unicodedata.normalize("NFC", vi) == vi
