"""The domain's rules, written once (``tieuchi.domain.ruleset``): each on its own, on small
frames; the loader, the store, the importers and the API are tested to use them elsewhere."""

from __future__ import annotations

import math
import unicodedata

import polars as pl
import pytest
from pydantic import ValidationError

from tieuchi.domain.allocation import part_problems
from tieuchi.domain.bundle import TARGET_SCHEMA
from tieuchi.domain.indicators import Indicator
from tieuchi.domain.periods import Period
from tieuchi.domain.problems import CATALOGUE, ProblemError
from tieuchi.domain.ruleset import (
    CONTROL,
    TEXT_LIMITS,
    VINTAGE_RANK,
    best_vintage,
    checked_text,
    figure_problems,
    is_yes,
    normal_targets,
    problem_of,
    target_problems,
    text_problem,
    text_problems,
    value_range,
    yes,
)

INDICATORS = {
    "so": Indicator(code="so", name="Số"),
    "ty-le": Indicator(code="ty-le", name="Tỷ lệ", type="percent"),
    "co-khong": Indicator(code="co-khong", name="Có/không", type="yesno"),
    "so-luong": Indicator(code="so-luong", name="Số lượng", type="count", frequency="year"),
    "bien-dong": Indicator(code="bien-dong", name="Biến động", min=-100, max=100),
    "chi-so": Indicator(code="chi-so", name="Chỉ số", type="percent", max=200),
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
    frame = pl.DataFrame({"indicator": ["ty-le", "ty-le", "so-luong", "co-khong", "bien-dong",
                                        "chi-so", "so"],
                          "period": ["2023-05", "2023", "2023", "2023-Q1", "2023", "2023",
                                     "2023"],
                          "value": [0.0, 100.0, 3.0, 1.0, -12.5, 150.0, 9.99e14],
                          "source": ["=HYPERLINK(\"x\")", None, "Báo cáo số 5", "", "a b",
                                     "x" * TEXT_LIMITS["source"], "Cục Thống kê"]})
    assert figure_problems(frame, INDICATORS).is_empty()


def test_a_value_is_within_its_indicators_range_and_below_10_to_the_15() -> None:
    """Issue 9: negative revenue and 1e308 were accepted. A number is 0 or more unless its
    indicator declares a lower ``min``; declared bounds replace a percentage's 0 to 100."""
    frame = pl.DataFrame({
        "indicator": ["so", "so", "so", "bien-dong", "bien-dong", "chi-so", "so-luong"],
        "period": ["2023"] * 7,
        "value": [-1_000_000.0, 1e308, -1e15, -100.5, 100.5, 200.5, -3.0]})
    found = figure_problems(frame, INDICATORS)
    assert found.select("index", "code").rows() == [
        (0, "value-range"), (1, "value-too-large"), (2, "value-too-large"),
        (3, "value-range"), (4, "value-range"), (5, "value-range"), (6, "count-value")]
    first, declared = (problem_of(found.row(i, named=True)) for i in (0, 3))
    assert first.message == ("value -1e+06 is outside the range of so (0 or more); if it can "
                             "be below 0 (a change, a balance), declare 'min' on the indicator")
    assert "khai báo 'min' cho chỉ tiêu" in first.message_vi
    assert "(from -100 to 100)" in declared.message
    assert "(từ -100 đến 100)" in declared.message_vi
    assert value_range(INDICATORS["so"]) == (0.0, None)
    assert value_range(INDICATORS["ty-le"]) == (0.0, 100.0)
    assert value_range(INDICATORS["chi-so"]) == (0.0, 200.0)


def test_an_indicator_declares_a_sensible_range() -> None:
    with pytest.raises(ValidationError, match="min 5 is above max 1"):
        Indicator(code="x", name="X", min=5, max=1)
    with pytest.raises(ValidationError, match="takes no min or max"):
        Indicator(code="x", name="X", type="yesno", min=0)
    with pytest.raises(ValidationError):
        Indicator(code="x", name="X", min=math.nan)


def test_target_thresholds_are_within_the_range_and_every_number_below_10_to_the_15() -> None:
    frame = _targets(
        {"comparator": "at_least", "value": -5.0},
        {"comparator": "within", "value": -50.0, "value_high": 150.0, "indicator": "bien-dong"},
        {"relative": "growth", "relative_value": -3.0, "baseline_value": -1.0},
        {"comparator": "at_most", "value": 1e308},
        {"relative": "growth", "relative_value": 1e300},
        {"comparator": "at_least", "value": 5.0, "tolerance": 2e15},
        {"comparator": "at_least", "value": -20.0, "indicator": "bien-dong"},
    )
    assert target_problems(frame, INDICATORS).select("index", "field", "code").rows() == [
        (0, "value", "value-range"), (1, "value_high", "value-range"),
        (2, "baseline_value", "value-range"), (3, "value", "value-too-large"),
        (4, "relative_value", "value-too-large"), (5, "tolerance", "value-too-large")]


def test_an_allocations_parts_are_values_of_the_indicator() -> None:
    """Issue 9: −1.000.000 and +1.000.856 add up to 856, yet no revenue is below 0."""
    found = part_problems({"A": -1_000_000.0, "B": 1_000_856.0, "C": math.inf},
                          INDICATORS["so"])
    assert [(p.code, p.field) for p in found] == [("value-range", "parts.A"),
                                                  ("invalid-value", "parts.C")]
    assert part_problems({"A": -10.0, "B": 20.0}, INDICATORS["bien-dong"]) == []


@pytest.mark.parametrize(("kind", "text", "code", "character"), [
    ("source", "Báo cáo\x01số 5", "control-character", "U+0001"),
    ("source", "Báo cáo\nsố 5", "control-character", "U+000A"),
    ("source", "a\x7fb", "control-character", "U+007F"),
    ("source", "a\x85b", "control-character", "U+0085"),
    ("reason", "a\ud800b", "control-character", "U+D800"),
    ("reason", "a\x00", "control-character", "U+0000"),
    ("reason", "x" * (TEXT_LIMITS["reason"] + 1), "text-too-long", ""),
    ("source", "x" * (TEXT_LIMITS["source"] + 1), "text-too-long", ""),
    ("comment", "x" * (TEXT_LIMITS["comment"] + 1), "text-too-long", ""),
])
def test_free_text_refuses_control_characters_and_is_limited(kind: str, text: str, code: str,
                                                              character: str) -> None:
    found = text_problem(kind, text, field="body")
    assert found is not None
    assert (found.code, found.field) == (code, "body")
    assert character in found.message and character in found.message_vi
    if code == "text-too-long":
        assert f"at most {TEXT_LIMITS[kind]}" in found.message
        assert f"tối đa {TEXT_LIMITS[kind]} ký tự" in found.message_vi
    with pytest.raises(ProblemError):
        checked_text(kind, text)
    if "\ud800" not in text:  # a frame cannot hold a lone surrogate
        column = text_problems(pl.DataFrame({kind: [text, "ok"]}), [kind])
        assert column.select("index", "field", "code").rows() == [(0, kind, code)]
        assert problem_of(column.row(0, named=True)).message == text_problem(kind,
                                                                              text).message


def test_multi_line_text_keeps_its_line_breaks_and_text_is_kept_in_nfc() -> None:
    assert text_problem("reason", "Lý do:\n\t- sửa số liệu") is None
    assert text_problem("note", "dòng 1\r\ndòng 2") is None
    decomposed = unicodedata.normalize("NFD", "  Báo cáo số 5\r\nQuý 3 ")
    assert checked_text("reason", decomposed) == "Báo cáo số 5\nQuý 3"
    assert checked_text("reason", "   ") is None
    frame = _targets({"comparator": "at_least", "value": 1.0,
                      "issuer": unicodedata.normalize("NFD", " Huyện ủy Thanh Trì ")})
    assert frame.get_column("issuer").to_list() == ["Huyện ủy Thanh Trì"]
    assert CONTROL.sub("", "a\x01b\ud800c\nd") == "abc\nd"


def test_target_text_fields_are_free_text() -> None:
    frame = _targets({"comparator": "at_least", "value": 1.0, "document": "NQ\x0b12",
                      "name": "x" * 301})
    assert target_problems(frame, INDICATORS).select("field", "code").rows() == [
        ("document", "control-character"), ("name", "text-too-long")]


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


def test_free_text_is_counted_in_composed_characters() -> None:
    """A name typed decomposed (NFD, as a Mac does) is composed before its length is
    counted."""
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Ánh " * 13).strip()
    assert len(decomposed) > TEXT_LIMITS["full_name"]
    assert checked_text("full_name", decomposed) == unicodedata.normalize("NFC", decomposed)
