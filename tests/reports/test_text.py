"""Report sentences for the kinds of targets: rates that should fall, relative targets,
targets not met (bằng x% kế hoạch), and changes in percentage points."""

from __future__ import annotations

from pathlib import Path

import pytest

from tieuchi.definitions import load_definitions
from tieuchi.engine import evaluate
from tieuchi.reports.text import render_markdown

FOLDER = Path(__file__).parent / "wording.yaml"


@pytest.fixture(scope="module")
def text() -> str:
    return render_markdown(evaluate(load_definitions(FOLDER), "2023"), "vi")


def test_a_rate_that_should_fall(text: str) -> None:
    # "là", not "đạt"; the change in points keeps the indicator's decimals; no % of plan
    assert ("Tỷ lệ hộ nghèo là 0,09%, giảm 0,16 điểm phần trăm so với năm 2022, "
            "vượt kế hoạch (không quá 0,2%).") in text


def test_a_reduction_target(text: str) -> None:
    assert ("Số vụ tai nạn giao thông là 36 vụ, giảm 12,2% so với năm 2022 "
            "(kế hoạch: giảm từ 5% trở lên), vượt kế hoạch.") in text


def test_a_target_not_met(text: str) -> None:
    assert ("Thu ngân sách đạt 20 tỷ đồng, tăng 11,11% so với năm 2022, bằng 20% "
            "kế hoạch, chưa đạt kế hoạch.") in text
    assert "Có 2/3 chỉ tiêu năm 2023 đạt và vượt kế hoạch; 1 chỉ tiêu chưa đạt: " \
        "Thu ngân sách (20%)." in text


def test_no_percent_of_a_ceiling_in_the_appendix(text: str) -> None:
    row = next(line for line in text.splitlines() if line.startswith("| 1 | Tỷ lệ hộ nghèo"))
    assert "| – |" in row and "−0,16 điểm %" in row


def test_sentences_word_comparisons_and_tables_keep_the_signs(text: str) -> None:
    """"kế hoạch: tăng ≥ 12%" is a table's shorthand; a sentence says "tăng từ 12% trở
    lên", "không quá 0,2%" as an official text does."""
    sentences = [line for line in text.splitlines() if line[:1].isdigit()]
    rows = [line for line in text.splitlines() if line.startswith("|")]
    assert sentences and not [s for s in sentences if "≥" in s or "≤" in s]
    assert any("≥" in r for r in rows) and any("≤ 0,2" in r for r in rows)


def test_english_sentences_word_comparisons_too() -> None:
    english = render_markdown(evaluate(load_definitions(FOLDER), "2023"), "en")
    assert "(at most 0.2%)" in english and "(plan: a reduction of at least 5%)" in english
    assert not [line for line in english.splitlines()
                if line[:1].isdigit() and ("≥" in line or "≤" in line)]
