"""Every figure traceable: the observations a figure came from and the rule that made it.

The reference district's figures (components, counts of communes passing a set, last year's
figures) and a small province of the test's own for the other rules: roll-ups (sum, mean,
weighted mean, ratio), months added up, year to date plus later months, revised figures, a
merged commune."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest

from tieuchi.definitions import load_definitions
from tieuchi.engine import Evaluation, evaluate
from tieuchi.reports.document import build_document
from tieuchi.reports.trace import TRACE_SCHEMA, appendix_rows, trace, trace_frame

COMPONENTS = ["thu-dnnn", "thu-fdi", "thu-nqd", "thu-lptb", "thu-tncn", "thu-sdd-pnn",
              "thu-phi-lp", "thu-tien-thue-dat", "thu-khac", "thu-cong-ich"]

PROVINCE = """
project: {name: x, root: P, as_of: 2024-03-01}
levels: [{code: t, name: Tỉnh}, {code: x, name: Xã}]
units:
  - {code: P, name: Tỉnh A, level: t}
  - {code: A, name: Xã A, level: x, parent: P}
  - {code: B, name: Xã B, level: x, parent: P}
  - {code: OLD, name: Xã Cũ, level: x, parent: P, valid_to: 2022-12-31, successors: [A]}
indicators:
  - {code: thu, name: Thu ngân sách, unit: tỷ đồng}
  - {code: dan, name: Dân số, time: last, decimals: 0}
  - {code: ho, name: Số hộ, time: last}
  - {code: ngheo, name: Số hộ nghèo, time: last}
  - {code: tl-ngheo, name: Tỷ lệ hộ nghèo, type: percent, time: last, rollup: ratio,
     numerator: ngheo, denominator: ho}
  - {code: thu-nhap, name: Thu nhập bình quân, time: last, rollup: weighted_mean, weight: dan}
  - {code: diem, name: Điểm, time: last, rollup: mean}
observations:
  - {unit: A, indicator: thu, period: 2023-01, value: 1}
  - {unit: A, indicator: thu, period: 2023-02, value: 2}
  - {unit: A, indicator: thu, period: 2023-03, value: 3}
  - {unit: A, indicator: thu, period: 2023-03, value: 2.5, vintage: estimate}
  - {unit: B, indicator: thu, period: 2023-YTD02, value: 10}
  - {unit: B, indicator: thu, period: 2023-03, value: 4}
  - {unit: A, indicator: dan, period: 2023, value: 1000}
  - {unit: B, indicator: dan, period: 2023, value: 3000}
  - {unit: A, indicator: thu-nhap, period: 2023, value: 50}
  - {unit: B, indicator: thu-nhap, period: 2023, value: 70}
  - {unit: A, indicator: ho, period: 2023, value: 200}
  - {unit: A, indicator: ngheo, period: 2023, value: 4}
  - {unit: B, indicator: ho, period: 2023, value: 300}
  - {unit: B, indicator: ngheo, period: 2023, value: 3}
  - {unit: A, indicator: diem, period: 2023, value: 8}
  - {unit: A, indicator: diem, period: 2023, value: 7, recorded_at: "2024-01-05"}
  - {unit: B, indicator: diem, period: 2023, value: 6}
  - {unit: OLD, indicator: thu, period: 2022, value: 5}
  - {unit: B, indicator: thu, period: 2022, value: 9}
"""


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Evaluation:
    path = tmp_path_factory.mktemp("trace") / "province.yaml"
    path.write_text(PROVINCE, encoding="utf-8")
    return evaluate(load_definitions(path), "2023")


def _observations(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in rows if r["kind"] == "observation"]


# ------------------------------------------------------------------ the reference district


def test_thu_co_dinh_is_the_sum_of_its_ten_components(thanh_tri_2023: Evaluation) -> None:
    rows = trace(thanh_tri_2023, "TT", "thu-co-dinh")
    assert {r["rule"] for r in rows} == {"Tổng 10 chỉ tiêu thành phần"}
    assert {r["rule_en"] for r in rows} == {"The sum of 10 components"}
    seen = _observations(rows)
    assert [r["indicator"] for r in seen] == COMPONENTS  # in the definition's order
    assert all(r["unit"] == "TT" and r["period"] == "2023" and r["used"] for r in seen)
    assert {r["vintage"] for r in seen} == {"estimate"}
    assert all(r["source"].startswith("Ước thực hiện năm 2023") for r in seen)
    assert all(r["step"] == "Số liệu của đơn vị (ước thực hiện)" for r in seen)
    assert sum(r["value"] for r in seen) == pytest.approx(857.7)
    assert rows[0]["figure_value"] == pytest.approx(857.7)


def test_the_share_of_communes_passing_a_set_lists_their_results(
        thanh_tri_2023: Evaluation) -> None:
    rows = trace(thanh_tri_2023, "TT", "ntm-nc-ty-le", "2020-2025")
    assert rows[0]["rule"] == "Tỷ lệ đơn vị đạt bộ tiêu chí nông thôn mới nâng cao = 15/15 × 100"
    assert {r["kind"] for r in rows} == {"set-result"}
    assert len(rows) == 15 and all(r["value"] == 1.0 for r in rows)
    assert {r["indicator"] for r in rows} == {"ntm-nang-cao"}
    assert all(r["period"] == "2023" for r in rows)  # sets are evaluated for the period
    assert rows[0]["source"] == "Kết quả đánh giá: đạt 19/19 tiêu chí"


def test_the_count_of_communes_passing_a_set(thanh_tri_2023: Evaluation) -> None:
    rows = trace(thanh_tri_2023, "TT", "ntm-km-so-xa", "2021-2025")
    assert rows[0]["rule"].startswith("Đếm số đơn vị đạt bộ tiêu chí nông thôn mới kiểu mẫu: "
                                      "8/15")
    assert sum(r["value"] for r in rows) == 8 and len(rows) == 15


def test_last_years_figure(thanh_tri_2023: Evaluation) -> None:
    (row,) = trace(thanh_tri_2023, "TT", "gtsx", "2022")
    assert (row["value"], row["vintage"], row["rule"]) == (
        38420.0, "official", "Số liệu của đơn vị (chính thức)")


def test_a_figure_without_data(thanh_tri_2023: Evaluation) -> None:
    (row,) = trace(thanh_tri_2023, "TT-YENMY", "gtsx")
    assert (row["kind"], row["rule"], row["figure_value"]) == ("missing", "Chưa có số liệu",
                                                               None)


def test_every_figure_is_the_sum_of_what_it_was_made_of(thanh_tri_2023: Evaluation) -> None:
    """For the district's own figures and sums of components: the observations used add up
    to the figure (the trace picks what the engine picked)."""
    ev = thanh_tri_2023
    figures = ev.values.filter((pl.col("unit") == "TT")
                               & pl.col("origin").is_in(["observed", "computed"]))
    frame = trace_frame(ev, figures.select(
        pl.concat_str("unit", pl.lit("/"), "indicator").alias("figure"), "unit", "indicator"))
    assert frame.schema == pl.Schema(TRACE_SCHEMA)
    used = (frame.filter(pl.col("used") & (pl.col("kind") == "observation"))
            .group_by("figure").agg(pl.col("value").sum(), pl.col("figure_value").first()))
    assert used.height == figures.height
    assert used.filter((pl.col("value") - pl.col("figure_value")).abs() > 1e-9).is_empty()


def test_the_appendix_rows_are_the_reports_tables(thanh_tri_2023: Evaluation) -> None:
    doc = build_document(thanh_tri_2023, "vi")
    layout = appendix_rows(thanh_tri_2023)
    sizes = layout.group_by("table", maintain_order=True).agg(pl.col("row").max())
    assert sizes.get_column("row").to_list() == [len(t.rows) for t in doc.tables]
    assert layout.filter(pl.col("kind") == "criteria")["code"].unique().to_list() == [
        "thanh-lap-quan"]


# ------------------------------------------------------------------ the other rules


def test_a_roll_up_of_months_and_of_year_to_date(province: Evaluation) -> None:
    rows = trace(province, "P", "thu")
    assert rows[0]["rule"] == "Cộng từ 2 đơn vị trực thuộc"
    assert rows[0]["figure_value"] == 20.0
    a = [r for r in rows if r["unit"] == "A"]
    assert [(r["period"], r["vintage"], r["value"], r["used"]) for r in a] == [
        ("2023-01", "official", 1.0, True), ("2023-02", "official", 2.0, True),
        ("2023-03", "official", 3.0, True), ("2023-03", "estimate", 2.5, False)]
    assert {r["step"] for r in a} == {"Lũy kế các kỳ: cộng 3 kỳ"}
    b = [r for r in rows if r["unit"] == "B"]
    assert [(r["period"], r["value"]) for r in b] == [("2023-YTD02", 10.0), ("2023-03", 4.0)]
    assert {r["step"] for r in b} == {
        "Số liệu lũy kế từ đầu năm (2023-YTD02), cộng 1 kỳ sau đó"}
    assert {r["depth"] for r in rows} == {1}  # the communes' own data


def test_a_ratio_of_summed_terms(province: Evaluation) -> None:
    rows = trace(province, "P", "tl-ngheo")
    assert rows[0]["rule"] == ("Tỷ lệ = tổng tử số / tổng mẫu số × 100 của 2 đơn vị trực "
                               "thuộc")
    figures = [r for r in rows if r["kind"] == "figure"]
    assert [(r["unit"], r["value"]) for r in figures] == [("A", 2.0), ("B", 1.0)]
    assert figures[0]["step"] == "Tỷ lệ = tử số / mẫu số × 100 (Số hộ nghèo / Số hộ)"
    assert [(r["unit"], r["indicator"], r["depth"]) for r in _observations(rows)] == [
        ("A", "ngheo", 2), ("A", "ho", 2), ("B", "ngheo", 2), ("B", "ho", 2)]
    assert {r["depth"] for r in figures} == {1}


def test_a_weighted_mean_lists_the_weights(province: Evaluation) -> None:
    rows = trace(province, "P", "thu-nhap")
    assert rows[0]["rule"] == ("Bình quân gia quyền của 2 đơn vị trực thuộc, trọng số: "
                               "Dân số")
    assert [(r["unit"], r["indicator"], r["value"]) for r in rows] == [
        ("A", "thu-nhap", 50.0), ("A", "dan", 1000.0), ("B", "thu-nhap", 70.0),
        ("B", "dan", 3000.0)]


def test_a_revised_figure_is_the_latest_recorded(province: Evaluation) -> None:
    rows = trace(province, "A", "diem")
    assert [(r["value"], r["recorded_at"], r["used"]) for r in rows] == [
        (7.0, "2024-01-05", True), (8.0, None, False)]
    assert rows[0]["rule"] == "Số liệu của đơn vị: bản chính thức, bản mới nhất trong 2 bản"
    mean = trace(province, "P", "diem")
    assert mean[0]["rule"] == "Bình quân các đơn vị cơ sở của 2 đơn vị trực thuộc"
    assert mean[0]["figure_value"] == 6.5


def test_last_year_of_a_merged_commune(province: Evaluation) -> None:
    """A's 2022 figure is the commune merged into it; the province's is its communes'."""
    rows = trace(province, "A", "thu", "2022")
    assert rows[0]["rule"] == "Cộng từ 1 đơn vị đã sáp nhập vào đơn vị: Xã Cũ: 5"
    assert [(r["unit"], r["value"]) for r in rows] == [("OLD", 5.0)]
    total = trace(province, "P", "thu", "2022")
    assert total[0]["figure_value"] == 14.0  # not counting A's carried figure twice
    assert sorted(r["unit"] for r in total) == ["B", "OLD"]


def test_many_figures_at_once_keep_their_order(province: Evaluation) -> None:
    figures = pl.DataFrame({"figure": ["x", "y"], "unit": ["P", "B"],
                            "indicator": ["dan", "dan"]})
    frame = trace_frame(province, figures)
    assert frame.get_column("figure").to_list() == ["x", "x", "y"]
    assert frame.get_column("figure_value").to_list() == [4000.0, 4000.0, 3000.0]
    assert trace_frame(province, figures.clear()).is_empty()


def test_english_rules(province: Evaluation) -> None:
    assert trace(province, "P", "thu")[0]["rule_en"] == "The sum over 2 units below"
    assert trace(province, "A", "diem")[0]["rule_en"] == (
        "The unit's own figure: the official one, the latest of 2 versions")
