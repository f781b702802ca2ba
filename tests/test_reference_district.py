"""The reference district (Thanh Trì, 2023): facts F1–F13 of the article come out of the engine.

The facts are those of the news article the project was created from (Báo Kinh tế & Đô thị,
12/12/2023), as listed in the project's seed facts; examples/thanh-tri-2023/README.md maps
each one to the definitions that produce it.
"""

from __future__ import annotations

import json

import polars as pl
import pytest

from tests.conftest import ROOT
from tests.snapshot import assert_snapshot
from tieuchi.engine import Evaluation
from tieuchi.reports.json_output import evaluation_dict
from tieuchi.reports.text import render_markdown


def _group(ev: Evaluation, code: str) -> dict:
    return ev.groups.filter(pl.col("group") == code).row(0, named=True)


def _achieved(group: dict) -> int:
    return group["exceeded"] + group["met"]


def test_f1_f2_all_targets_met(thanh_tri_2023: Evaluation) -> None:
    nvct = _group(thanh_tri_2023, "nvct-2023")
    ktxh = _group(thanh_tri_2023, "ktxh-2023")
    assert (_achieved(nvct), nvct["total"]) == (18, 18)
    assert (_achieved(ktxh), ktxh["total"]) == (20, 20)


def test_f3_to_f6_production_and_fixed_revenue(thanh_tri_2023: Evaluation) -> None:
    gtsx = thanh_tri_2023.target("ktxh-gtsx")
    revenue = thanh_tri_2023.target("ktxh-thu-co-dinh")
    assert gtsx and revenue
    assert round(gtsx["change_vs_same_period"], 1) == 14.0
    assert round(revenue["change_vs_same_period"], 1) == 5.5
    assert round(revenue["percent_of_target"], 1) == 100.2
    items = _group(thanh_tri_2023, "thu-co-dinh-2023")
    assert (_achieved(items), items["total"]) == (7, 10)
    assert len(items["not_met_items"]) == 3


def _summary(ev: Evaluation, unit: str, code: str) -> dict:
    rows = ev.sets.summaries.filter((pl.col("unit") == unit) & (pl.col("set") == code))
    return rows.row(0, named=True)


def test_f7_to_f9_new_rural_and_tourism(thanh_tri_2023: Evaluation) -> None:
    nang_cao = _summary(thanh_tri_2023, "TT", "ntm-nang-cao")
    assert (nang_cao["passed"], nang_cao["total"]) == (15, 15)
    term = thanh_tri_2023.target("nvct-ntm-nang-cao")
    assert term and term["years_early"] == 2 and term["status"] in ("met", "exceeded")
    model = _summary(thanh_tri_2023, "TT", "ntm-kieu-mau")
    assert model["passed"] == 8
    city = thanh_tri_2023.target("tp-ntm-kieu-mau-2021-2025")
    assert city and city["actual"] == 8 and city["status"] == "exceeded"
    tourism = _summary(thanh_tri_2023, "TT", "diem-den-du-lich")
    assert sorted(tourism["passed_units"]) == sorted(["Yên Mỹ", "Đại Áng"])


def test_f10_call_up_quota(thanh_tri_2023: Evaluation) -> None:
    call_up = thanh_tri_2023.target("nvct-nhap-ngu")
    assert call_up and call_up["percent_of_target"] == pytest.approx(100.0)


def test_f11_f12_district_checklist(thanh_tri_2023: Evaluation) -> None:
    row = thanh_tri_2023.sets.sets.filter(
        (pl.col("unit") == "TT") & (pl.col("set") == "thanh-lap-quan")).row(0, named=True)
    assert (row["met"], row["total"], row["passed"]) == (30, 34, False)
    assert row["unmet"] == ["Cân đối thu chi ngân sách", "Trường THPT đạt chuẩn quốc gia",
                            "Tỷ lệ tuyến phố văn minh đô thị", "Công trình xanh"]


def test_f13_ward_areas(thanh_tri_2023: Evaluation) -> None:
    wards = _summary(thanh_tri_2023, "TT", "phuong-13")
    assert (wards["passed"], wards["total"], wards["criteria"]) == (14, 14, 13)
    assert wards["min_met"] >= 10


def test_report_states_the_facts_in_vietnamese_format(thanh_tri_2023: Evaluation) -> None:
    text = render_markdown(thanh_tri_2023, "vi").split("## Phụ lục")[0]  # the text itself
    for fact in ("18/18", "20/20", "tăng 14%", "tăng 5,5%", "100,2% dự toán", "7/10",
                 "15/15 xã", "8/15 xã", "Yên Mỹ và Đại Áng", "100% chỉ tiêu được giao",
                 "30/34", "Cân đối thu chi ngân sách", "Trường THPT đạt chuẩn quốc gia",
                 "Tỷ lệ tuyến phố văn minh đô thị", "Công trình xanh", "14/14",
                 "10/13", "về đích trước 2 năm"):
        assert fact in text, fact


def test_snapshot_report_vi(request: pytest.FixtureRequest, thanh_tri_2023: Evaluation) -> None:
    assert_snapshot(request, "thanh-tri-2023.vi.md", render_markdown(thanh_tri_2023, "vi"))


def test_snapshot_report_en(request: pytest.FixtureRequest, thanh_tri_2023: Evaluation) -> None:
    assert_snapshot(request, "thanh-tri-2023.en.md", render_markdown(thanh_tri_2023, "en"))


def test_snapshot_json(request: pytest.FixtureRequest, thanh_tri_2023: Evaluation) -> None:
    text = json.dumps(evaluation_dict(thanh_tri_2023), ensure_ascii=False, indent=2) + "\n"
    assert_snapshot(request, "thanh-tri-2023.json", text)


def test_snapshot_report_nine_months(request: pytest.FixtureRequest, thanh_tri) -> None:  # noqa: ANN001
    """At nine months the annual figures are not in yet: the report says so, and claims no
    failure."""
    from tieuchi.engine import evaluate

    text = render_markdown(evaluate(thanh_tri, "2023-YTD09"), "vi")
    assert "0/" not in text.split("## Phụ lục")[0]
    assert_snapshot(request, "thanh-tri-2023-YTD09.vi.md", text)


def test_snapshot_report_of_a_commune(request: pytest.FixtureRequest, thanh_tri) -> None:  # noqa: ANN001
    from tieuchi.engine import evaluate

    text = render_markdown(evaluate(thanh_tri, "2023", units=["TT-YENMY"]), "vi", "TT-YENMY")
    assert "Xã Yên Mỹ được công nhận là điểm đến du lịch" in text
    assert_snapshot(request, "thanh-tri-2023-yen-my.vi.md", text)


def test_the_2022_report_states_the_figures_of_2022(thanh_tri) -> None:  # noqa: ANN001
    """The 2023 groups are not of 2022: their highlights are stated as the 2022 figures."""
    from tieuchi.engine import evaluate

    text = render_markdown(evaluate(thanh_tri, "2022"), "vi").split("## Phụ lục")[0]
    assert "1. Tổng giá trị sản xuất đạt 38.420 tỷ đồng. Thu cố định đạt 813 tỷ đồng." in text
    assert "2023" not in text.split("## I.")[1].split("## II.")[0]


def test_the_2022_report_states_every_2022_figure_of_its_groups(thanh_tri) -> None:  # noqa: ANN001
    """Every 2022 figure the example holds is stated in the 2022 report: the groups' tables
    give their members' figures of the period their targets are not for, without a plan."""
    from tieuchi.engine import evaluate
    from tieuchi.reports.formatting import number

    text = render_markdown(evaluate(thanh_tri, "2022"), "vi")
    figures = pl.read_csv(ROOT / "examples/thanh-tri-2023/observations-2022.csv")
    assert figures.height == 16
    indicators = {i.code: i for i in thanh_tri.indicators}
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    for code, value in figures.select("indicator", "value").iter_rows():
        name = indicators[code].name
        shown = number(value, "vi", 1)
        assert any(f"| {name} |" in row and f"| {shown} |" in row and row.count("|  |") >= 2
                   for row in rows), (code, shown)


def test_a_report_on_a_period_long_past_leaves_out_the_sets_nobody_was_assessed_against(
        thanh_tri) -> None:  # noqa: ANN001
    """The 2022 report (evaluated on 12/12/2023) says nothing of the new-rural sets, which
    hold no 2022 figure; the nine-month report of 2023, just ended, still says "chưa có số
    liệu" of them."""
    from datetime import date

    from tieuchi.engine import evaluate

    past = render_markdown(evaluate(thanh_tri, "2022"), "vi")
    assert "Xây dựng nông thôn mới" not in past and "(15 xã): chưa có số liệu" not in past
    recent = render_markdown(evaluate(thanh_tri, "2023-YTD09", as_of=date(2023, 12, 12)), "vi")
    assert "(15 xã): chưa có số liệu" in recent
