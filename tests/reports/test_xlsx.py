"""The appendix tables as XLSX: every figure a number equal to the engine's JSON, laid out to
print, and traced to its observations in the sheet "Nguồn số liệu"."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from tieuchi.definitions import load_definitions
from tieuchi.engine import Evaluation, evaluate
from tieuchi.reports.json_output import evaluation_dict
from tieuchi.reports.trace import appendix_rows
from tieuchi.reports.xlsx import render_xlsx, sheet_name

WORDING = Path(__file__).parent / "wording.yaml"
SHEETS = ["Biểu 1 - Nhiệm vụ chính trị", "Biểu 2 - Kinh tế-văn hóa-xã hội",
          "Biểu 3 - Thu cố định", "Biểu 4 - Mốc tiến độ Đề án…", "Biểu 5 - Thành lập quận",
          "Nguồn số liệu"]
FIRST = 6  # the first row of a table, under its header on row 5
# group tables: column → the JSON target's field (a relative target's plan is its growth)
TARGET_COLUMNS = {"D": ("target", "relative_value"), "E": ("actual",),
                  "F": ("percent_of_target",), "G": ("change_vs_same_period",)}


@pytest.fixture(scope="module")
def book(thanh_tri_2023: Evaluation) -> Workbook:
    return load_workbook(io.BytesIO(render_xlsx(thanh_tri_2023)))


@pytest.fixture(scope="module")
def figures(thanh_tri_2023: Evaluation) -> dict[str, Any]:
    return evaluation_dict(thanh_tri_2023)


def _tables(book: Workbook) -> list[Worksheet]:
    return book.worksheets[:-1]


def _sources(book: Workbook) -> list[tuple[Any, ...]]:
    return list(book["Nguồn số liệu"].iter_rows(min_row=5, values_only=True))


def _block(rows: list[tuple[Any, ...]], cell: str) -> list[tuple[Any, ...]]:
    """The lines of the sources sheet about one cell."""
    return [r for r in rows if r[0] == cell]


def test_a_sheet_per_appendix_table_then_the_sources(book: Workbook) -> None:
    assert book.sheetnames == SHEETS
    assert all(len(name) <= 31 for name in book.sheetnames)
    ws = book["Biểu 1 - Nhiệm vụ chính trị"]
    assert ws["A1"].value == "ỦY BAN NHÂN DÂN HUYỆN THANH TRÌ" and ws["G1"].value == "Biểu 1"
    assert ws["A2"].value == "Phụ lục 1: Chỉ tiêu nhiệm vụ chính trị năm 2023 của Đảng bộ huyện"
    assert ws["A3"].value.startswith("(Kèm theo Báo cáo số")
    assert ws["A4"].value == ("Huyện Thanh Trì — năm 2023. Số liệu ước thực hiện đến ngày 12 "
                              "tháng 12 năm 2023.")
    assert [c.value for c in ws[5]] == ["STT", "Chỉ tiêu", "ĐVT", "Kế hoạch",
                                        "Ước thực hiện", "% KH", "So cùng kỳ", "Đánh giá"]
    assert ws.max_row == 5 + 18


def test_every_figure_equals_the_json(book: Workbook, figures: dict[str, Any],
                                      thanh_tri_2023: Evaluation) -> None:
    """Each number of the tables is the JSON's number of that target or condition (the
    same rounding); no number is left unaccounted for."""
    targets = {t["key"]: t for t in figures["targets"]}
    sets = {(s["unit"], s["set"]): {c["code"]: c for c in s["criteria"]}
            for s in figures["criteria_sets"]}
    layout = appendix_rows(thanh_tri_2023)
    checked = 0
    for (table,), rows in layout.group_by("table", maintain_order=True):
        ws = _tables(book)[int(table) - 1]  # type: ignore[call-overload]
        cells = {c.coordinate: c.value for line in ws.iter_rows() for c in line}
        for i, row in enumerate(rows.iter_rows(named=True)):
            line = FIRST + i
            for column in "CDEFGH":
                value = cells.get(f"{column}{line}")
                if not isinstance(value, int | float):
                    continue
                if row["kind"] == "group":
                    expected = [targets[row["key"]][f] for f in TARGET_COLUMNS[column]]
                else:
                    condition = sets[(row["unit"], row["code"])][row["criterion"]][
                        "conditions"][row["condition"]]
                    expected = [condition[{"D": "value", "E": "threshold"}[column]]]
                assert value in expected, f"{ws.title}!{column}{line}: {value} ∉ {expected}"
                checked += 1
    # 51 targets: 47 plans and actuals (not yes/no), 42 % of plan (not ceilings nor
    # relative), 17 changes; 34 criteria: 31 values and thresholds (not yes/no)
    assert checked == 47 + 47 + 42 + 17 + 31 + 31


def test_numbers_are_numbers_with_a_vietnamese_display(book: Workbook) -> None:
    ws = book["Biểu 2 - Kinh tế-văn hóa-xã hội"]
    gtsx, thu = ws["D6"], ws["E7"]
    assert (gtsx.value, gtsx.number_format) == (12, '"tăng ≥ "#,##0"%"')
    assert (thu.value, thu.number_format) == (857.7, "#,##0.0")
    assert (ws["F7"].value, ws["F7"].number_format) == (100.2, '#,##0.0"%"')
    assert ws["G7"].value == 5.5 and ws["G7"].number_format.startswith('"+"#,##0.0"%";"−"')
    assert ws["E6"].value == 43799 and ws["E6"].number_format == "#,##0"
    for table in _tables(book):
        for row in table.iter_rows(min_row=FIRST, min_col=3):
            for cell in row:
                if isinstance(cell.value, int | float):
                    assert cell.number_format != "General", cell.coordinate
                    assert cell.data_type == "n"


def test_header_frozen_and_printed_on_every_page(book: Workbook) -> None:
    for ws in _tables(book):
        assert ws.freeze_panes == "A6"
        assert ws.print_title_rows == "$5:$5"
        assert ws.page_setup.orientation == "landscape"
        assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.column_dimensions["B"].width >= 50
        assert ws["B6"].alignment.wrap_text
        assert ws["A6"].border.left.style == "thin"
    sources = book["Nguồn số liệu"]
    assert sources.freeze_panes == "B5" and sources.auto_filter.ref.startswith("A4:L")


def test_criteria_sheet(book: Workbook) -> None:
    ws = book["Biểu 5 - Thành lập quận"]
    assert [c.value for c in ws[5]] == ["STT", "Tiêu chí", "ĐVT", "Giá trị", "Mức đạt chuẩn",
                                        "Đánh giá", "Căn cứ", "Nguồn", "Đã đối chiếu"]
    assert [c.value for c in ws[6]][:6] == [1, "Quy mô dân số", "người", 301200, 150000, "Đạt"]
    assert ws["E6"].number_format == '"≥ "#,##0'
    assert [c.value for c in ws[9]][3:6] == ["Không", "Có", "Không đạt"]
    unmet = [ws[f"B{r}"].value for r in range(FIRST, FIRST + 34)
             if ws[f"F{r}"].value == "Không đạt"]
    assert unmet == ["Cân đối thu chi ngân sách", "Trường THPT đạt chuẩn quốc gia",
                     "Tỷ lệ tuyến phố văn minh đô thị", "Công trình xanh"]
    # Q01, Q02 verified; the rest not
    assert ws[f"A{FIRST + 35}"].value == ("Ghi chú: ngưỡng của các tiêu chí số 3–34 chưa được "
                                          "đối chiếu với văn bản gốc, chỉ có giá trị minh họa.")


def test_the_sources_of_thu_co_dinh_are_its_ten_components(book: Workbook) -> None:
    rows = _sources(book)
    lines = _block(rows, "Biểu 2 - Kinh tế-văn hóa-xã hội!E7")
    assert lines[0][1:5] == ("Thu cố định ngân sách trên địa bàn", "năm 2023", 857.7,
                             "Tổng 10 chỉ tiêu thành phần")
    assert len(lines) == 10
    assert [line[6] for line in lines] == [
        "Thu từ khu vực doanh nghiệp nhà nước",
        "Thu từ khu vực doanh nghiệp có vốn đầu tư nước ngoài",
        "Thu từ khu vực công thương nghiệp ngoài quốc doanh", "Lệ phí trước bạ",
        "Thuế thu nhập cá nhân", "Thuế sử dụng đất phi nông nghiệp", "Thu phí, lệ phí",
        "Tiền thuê đất", "Thu khác ngân sách", "Thu từ quỹ đất công ích, hoa lợi công sản"]
    assert [line[9] for line in lines] == [13.1, 19.8, 372.6, 152.4, 139.3, 10.2, 29.6, 73.8,
                                           41.9, 5]
    assert {(line[5], line[7], line[8]) for line in lines} == {
        ("Huyện Thanh Trì", "2023", "ước thực hiện")}
    assert all(line[10].startswith("Ước thực hiện năm 2023") for line in lines)


def test_the_sources_of_a_share_of_communes_is_the_count_rule(book: Workbook) -> None:
    lines = _block(_sources(book), "Biểu 1 - Nhiệm vụ chính trị!E11")
    assert lines[0][1] == "Tỷ lệ xã đạt chuẩn nông thôn mới nâng cao đến năm 2025"
    assert lines[0][4] == "Tỷ lệ đơn vị đạt bộ tiêu chí nông thôn mới nâng cao = 15/15 × 100"
    assert len(lines) == 15 and {line[9] for line in lines} == {"Đạt"}
    assert lines[0][5] == "Xã Tân Triều" and lines[0][10] == "Kết quả đánh giá: đạt 19/19 tiêu chí"


def test_every_figure_has_its_sources(book: Workbook, thanh_tri_2023: Evaluation) -> None:
    """Each number of the tables has a line in the sources, whose value is the cell's and
    whose link goes to the cell."""
    rows = _sources(book)
    firsts = {r[0]: r for r in rows if r[4] is not None}
    links = {c.value: c.hyperlink.location for c in book["Nguồn số liệu"]["A"][4:]}
    for ws in _tables(book):
        for row in ws.iter_rows(min_row=FIRST, min_col=4, max_col=7):
            for cell in row:
                if isinstance(cell.value, int | float):
                    ref = f"{ws.title}!{cell.coordinate}"
                    assert firsts[ref][3] == cell.value, ref
                    assert links[ref] == f"'{ws.title}'!{cell.coordinate}"
    change = _block(rows, "Biểu 2 - Kinh tế-văn hóa-xã hội!G6")  # gtsx: 2023 and 2022
    assert change[0][4] == ("So cùng kỳ = (E6 / cùng kỳ năm 2022 − 1) × 100; cùng kỳ năm "
                            "2022: 38.420")
    assert [(line[7], line[9]) for line in change] == [("2023", 43799), ("2022", 38420)]
    percent = _block(rows, "Biểu 2 - Kinh tế-văn hóa-xã hội!F7")
    assert percent[0][4] == "% KH = E7 / D7 × 100"
    plan = _block(rows, "Biểu 2 - Kinh tế-văn hóa-xã hội!D6")[0]
    assert plan[4].startswith("Chỉ tiêu được giao (") and plan[4].endswith(
        "; mức cần đạt: 43.030,4")


def test_rates_reductions_and_targets_not_met() -> None:
    """Changes in points keep the indicator's decimals; a reduction's plan is the reduction
    asked; a ceiling has no % of plan; every number is the JSON's."""
    ev = evaluate(load_definitions(WORDING), "2023")
    ws = load_workbook(io.BytesIO(render_xlsx(ev))).worksheets[0]
    rows = {r[1].value: r for r in ws.iter_rows(min_row=FIRST)}
    poverty, accidents, revenue = (rows["Tỷ lệ hộ nghèo"], rows["Số vụ tai nạn giao thông"],
                                   rows["Thu ngân sách"])
    assert [c.value for c in poverty[3:]] == [0.2, 0.09, "–", -0.16, "Vượt"]
    assert poverty[6].number_format == ('"+"#,##0.00" điểm %";"−"#,##0.00" điểm %";'
                                        '#,##0.00" điểm %"')
    assert (accidents[3].value, accidents[3].number_format) == (5, '"giảm ≥ "#,##0"%"')
    assert [c.value for c in revenue[3:]] == [100, 20, 20, 11.11, "Không đạt"]
    targets = {t["indicator"]: t for t in evaluation_dict(ev)["targets"]}
    assert targets["ngheo"]["change_vs_same_period"] == -0.16
    assert targets["tn"]["relative_value"] == 5 and targets["thu"]["percent_of_target"] == 20


def test_an_english_workbook(thanh_tri_2023: Evaluation) -> None:
    book = load_workbook(io.BytesIO(render_xlsx(thanh_tri_2023, "en")))
    assert book.sheetnames[0] == "Table 1 - Political-task…"
    assert book.sheetnames[-1] == "Sources"
    assert [c.value for c in book.worksheets[0][5]][:5] == ["No.", "Target", "Unit", "Plan",
                                                            "Estimate"]
    assert book.worksheets[0]["H6"].value == "Exceeded"


def test_a_communes_workbook_has_its_own_tables_only(thanh_tri_2023: Evaluation) -> None:
    book = load_workbook(io.BytesIO(render_xlsx(thanh_tri_2023, unit="TT-YENMY")))
    layout = appendix_rows(thanh_tri_2023, "TT-YENMY")
    assert len(book.sheetnames) == layout.get_column("table").n_unique() + 1
    assert layout.filter(pl.col("kind") == "criteria").get_column("unit").unique().to_list() \
        in ([], ["TT-YENMY"])


@pytest.mark.parametrize(("name", "expected"), [
    ("Chỉ tiêu nhiệm vụ chính trị năm 2023 của Đảng bộ huyện", "Biểu 1 - Nhiệm vụ chính trị"),
    ("Chỉ tiêu kế hoạch kinh tế - văn hóa - xã hội năm 2023",
     "Biểu 1 - Kinh tế-văn hóa-xã hội"),
    ("Mốc tiến độ thực hiện Đề án thành lập quận và các phường thuộc quận năm 2023",
     "Biểu 1 - Mốc tiến độ Đề án…"),
    ("Danh mục: [a/b]?", "Biểu 1 - Danh mục- -a-b--"),
    ("Chỉ tiêu năm 2023", "Biểu 1 - Năm 2023"),
])
def test_sheet_names_fit_excel(name: str, expected: str) -> None:
    found = sheet_name(1, name)
    assert found == expected and len(found) <= 31
    assert not re.search(r"[\[\]:*?/\\]", found)
