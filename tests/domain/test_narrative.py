"""The narrative of a report: its Markdown blocks, its file's headings, the period its
directions are for, and which text wins."""

from __future__ import annotations

import pytest

from tieuchi.domain.narrative import (
    Block,
    Narrative,
    blocks,
    merged,
    next_period_label,
    parse_narrative,
)
from tieuchi.domain.periods import Period

FILE = """\
# Thuyết minh báo cáo

## Tồn tại, hạn chế

Một số khoản thu
chưa đạt dự toán.

- Thu lệ phí trước bạ đạt thấp;
- Giải ngân vốn đầu tư chậm.

## Phương hướng, nhiệm vụ năm 2024

Tập trung chỉ đạo thu ngân sách.

### Nguyên nhân: tcd-lptb

Thị trường bất động sản trầm lắng.

## kien-nghi

Đề nghị Thành phố bổ sung vốn.
"""


def test_blocks_are_paragraphs_and_dash_items() -> None:
    assert blocks("Một\nhai.\n\n- ba;\n  tiếp\n- bốn.\n\nNăm.") == (
        Block("Một hai."), Block("ba; tiếp", item=True), Block("bốn.", item=True),
        Block("Năm."))
    assert blocks("") == () and blocks(None) == ()
    # decomposed input comes out composed (NFC)
    assert blocks("Tô\u0300n ta\u0323i")[0].text == "Tồn tại"


def test_a_file_gives_its_parts_by_heading() -> None:
    texts, lines, problems = parse_narrative(FILE, "n.md")
    assert problems == []
    assert set(texts) == {("ton-tai", ""), ("phuong-huong", ""), ("nguyen-nhan", "tcd-lptb"),
                          ("kien-nghi", "")}
    assert texts[("ton-tai", "")].startswith("Một số khoản thu\nchưa đạt")
    assert lines[("nguyen-nhan", "tcd-lptb")] == 15
    narrative = Narrative("TT", "2023", texts)
    assert narrative.causes == {"tcd-lptb": "Thị trường bất động sản trầm lắng."}
    assert narrative.section("nguyen-nhan") == ""


def test_unknown_and_repeated_headings_are_problems_at_their_line() -> None:
    text = "## Tồn tại, hạn chế\n\nA.\n\n## Tồn tai\n\nB.\n\n## Tồn tại, hạn chế\n"
    _, _, problems = parse_narrative(text, "n.md")
    assert [(p.code, p.line) for p in problems] == [("unknown-heading", 5),
                                                   ("duplicate-heading", 9)]
    assert "## Kiến nghị, đề xuất" in problems[0].message
    assert "Tồn tại, hạn chế" in problems[0].message_vi
    _, _, problems = parse_narrative("Lời mở đầu.\n\n## Nguyên nhân\n", "n.md")
    assert [(p.code, p.line) for p in problems] == [("narrative-outside", 1)]


def test_a_part_longer_than_its_limit_is_refused_by_the_text_rule() -> None:
    _, _, problems = parse_narrative("## Nguyên nhân\n" + "x" * 20_001, "n.md")
    assert [(p.code, p.line) for p in problems] == [("text-too-long", 1)]


@pytest.mark.parametrize(("period", "vi", "en"), [
    ("2023", "năm 2024", "2024"),
    ("2023-YTD06", "6 tháng cuối năm 2023", "the last 6 months of 2023"),
    ("2024-YTD09", "3 tháng cuối năm 2024", "the last 3 months of 2024"),
    ("2024-YTD11", "tháng 12/2024", "Dec 2024"),
    ("2023-H1", "6 tháng cuối năm 2023", "H2 2023"),
    ("2023-H2", "6 tháng đầu năm 2024", "H1 2024"),
    ("2023-Q4", "quý I/2024", "Q1 2024"),
    ("2023-05", "tháng 6/2023", "Jun 2023"),
    ("2021-2025", "giai đoạn 2026 - 2030", "2026–2030"),
])
def test_the_directions_are_for_the_next_period(period: str, vi: str, en: str) -> None:
    assert next_period_label(Period.parse(period), "vi") == vi
    assert next_period_label(Period.parse(period), "en") == en


def test_the_text_written_on_the_pages_wins_part_by_part() -> None:
    folder = Narrative("TT", "2023", {("ton-tai", ""): "Tệp.", ("kien-nghi", ""): "Tệp."})
    both = merged(folder, {("ton-tai", ""): "Trang.", ("kien-nghi", ""): ""}, "TT", "2023")
    assert both.texts == {("ton-tai", ""): "Trang."}  # written empty: the folder's hidden
    assert merged(None, {}, "TT", "2023").texts == {}
    assert not Narrative("TT", "2023")
