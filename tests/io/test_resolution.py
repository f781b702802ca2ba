"""Reading a resolution's target table: the values as written, the tables of .docx and .xlsx
files (the real fixtures of tests/fixtures/resolutions), and hostile files."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tieuchi.domain.indicators import Indicator
from tieuchi.domain.problems import ProblemError
from tieuchi.io.resolution import (
    Kind,
    Reading,
    Row,
    Unsupported,
    read_rows,
    read_value,
    target_fields,
    understand,
    unsupported,
)

FIXTURES = Path(__file__).parents[1] / "fixtures" / "resolutions"


def _vi(number: float, decimals: int) -> str:
    """``number`` written the Vietnamese way: 1.234,5."""
    whole, _, fraction = f"{number:.{decimals}f}".partition(".")
    groups = f"{int(whole):,}".replace(",", ".")
    return f"{groups},{fraction}" if fraction else groups


@given(st.integers(0, 10**9), st.integers(0, 3))
def test_vietnamese_numbers_read_back(whole: int, decimals: int) -> None:
    number = whole / 10**decimals
    reading = read_value(_vi(number, decimals))
    assert reading is not None and reading.kind is Kind.PLAIN
    assert reading.low == pytest.approx(number)
    assert read_value(f"từ {_vi(number, decimals)} trở lên") == Reading(Kind.AT_LEAST,
                                                                        reading.low)


@given(st.integers(0, 10**6), st.integers(0, 10**6))
def test_a_range_reads_as_its_two_ends_in_order(a: int, b: int) -> None:
    reading = read_value(f"{_vi(a, 0)} - {_vi(b, 0)}")
    if a == b:
        assert reading == Reading(Kind.WITHIN, a, b)
    else:
        assert reading is not None and reading.kind is Kind.WITHIN
        assert (reading.low, reading.high) == (min(a, b), max(a, b))


@pytest.mark.parametrize(("text", "expected"), [
    ("8–8,5", Reading(Kind.WITHIN, 8, 8.5)),
    ("8 - 8,5%", Reading(Kind.WITHIN, 8, 8.5)),
    ("8 đến 8,5", Reading(Kind.WITHIN, 8, 8.5)),
    ("≥ 95", Reading(Kind.AT_LEAST, 95)),
    ("trên 95", Reading(Kind.AT_LEAST, 95)),
    ("từ 95 trở lên", Reading(Kind.AT_LEAST, 95)),
    ("Tối thiểu 15", Reading(Kind.AT_LEAST, 15)),
    ("≤ 1,5", Reading(Kind.AT_MOST, 1.5)),
    ("dưới 1,5", Reading(Kind.AT_MOST, 1.5)),
    ("không quá 1,5", Reading(Kind.AT_MOST, 1.5)),
    ("Khoảng 24,96", Reading(Kind.PLAIN, 24.96, note="khoảng")),
    ("95", Reading(Kind.PLAIN, 95)),
    ("1.234,5", Reading(Kind.PLAIN, 1234.5)),
    ("tăng 10%", Reading(Kind.GROWTH, 10)),
    ("Tăng 10% so với năm 2025", Reading(Kind.GROWTH, 10, baseline="2025")),
    ("giảm 1-1,5", Reading(Kind.REDUCTION, 1, 1.5)),
    ("Giảm 1 - 1,5 điểm %", Reading(Kind.REDUCTION, 1, 1.5, points=True)),
    ("Đạt", Reading(Kind.YES)),
    ("Hoàn thành", Reading(Kind.YES)),
])
def test_values_as_written(text: str, expected: Reading) -> None:
    assert read_value(text) == expected


@pytest.mark.parametrize("text", ["", "theo kế hoạch", "7 và 9 và 11", "Tăng thêm 7 xã",
                                  "1.5", "95,5,5", "Tăng 74,55% so với dự toán năm 2019"])
def test_values_that_are_not_read(text: str) -> None:
    assert read_value(text) is None


@pytest.mark.parametrize(("value", "name", "why"), [
    ("Tăng thêm 7 xã", "Số xã đạt chuẩn nông thôn mới", Unsupported.ABSOLUTE_INCREASE),
    ("7 trở lên", "Số xã đạt chuẩn nông thôn mới tăng thêm", Unsupported.ABSOLUTE_INCREASE),
    ("Tăng 74,55% so với dự toán năm 2019", "Thu ngân sách nhà nước",
     Unsupported.VS_ESTIMATE),
    ("Tăng 10% so với năm 2025", "Thu ngân sách nhà nước", None),
    ("71 trở lên", "Tỷ lệ lao động qua đào tạo", None),
])
def test_a_target_no_import_holds_yet_is_named(value: str, name: str,
                                               why: Unsupported | None) -> None:
    assert unsupported(value, name) is why


def test_the_reason_a_row_is_not_imported_is_the_real_one() -> None:
    revenue = Indicator(code="thu-nsnn", name="Thu ngân sách nhà nước", unit="tỷ đồng")
    communes = Indicator(code="so-xa-ntm", name="Số xã đạt chuẩn nông thôn mới", unit="xã")
    rows = [Row("nq.docx, bảng 1, dòng 5", "4", "Thu ngân sách nhà nước", "%",
                "Tăng 74,55% so với dự toán năm 2019"),
            Row("nq.docx, bảng 1, dòng 6", "5", "Số xã đạt chuẩn nông thôn mới tăng thêm",
                "Xã", "7 trở lên")]
    estimate, more = understand(rows, [revenue, communes])
    assert (estimate.code, more.code) == ("thu-nsnn", "so-xa-ntm")  # matched, not written
    assert not estimate.ok and estimate.problem is not None
    assert "change on the budget estimate" in estimate.problem.message
    assert "mức tăng so với dự toán" in estimate.problem.text("vi")
    assert not more.ok and more.problem is not None
    assert "absolute increase" in more.problem.message and "cannot be read" not in \
        more.problem.message
    assert "mức tăng thêm tuyệt đối" in more.problem.text("vi")


def test_a_reduction_in_the_name_and_an_absolute_increase() -> None:
    assert read_value("Từ 0,5 trở lên", "%", "Tỷ lệ hộ nghèo giảm") == \
        Reading(Kind.REDUCTION, 0.5)
    assert read_value("7 trở lên", "xã", "Số xã đạt chuẩn nông thôn mới tăng thêm") is None
    assert read_value("1 - 1,5", "điểm %", "Tỷ lệ hộ nghèo giảm") == \
        Reading(Kind.REDUCTION, 1, 1.5, points=True)


_POOR = Indicator(code="ho-ngheo", name="Tỷ lệ hộ nghèo", unit="%", type="percent",
                  direction="lower", time="last", rollup="none")
_REVENUE = Indicator(code="thu", name="Tổng thu ngân sách nhà nước trên địa bàn",
                     unit="tỷ đồng")


def test_a_plain_number_follows_the_indicators_direction() -> None:
    assert target_fields(Reading(Kind.PLAIN, 1.5), _POOR) == {"indicator": "ho-ngheo",
                                                                "at_most": 1.5}
    assert target_fields(Reading(Kind.PLAIN, 900), _REVENUE) == {"indicator": "thu",
                                                                   "at_least": 900}


def test_a_reduction_is_in_points_for_a_rate_and_in_per_cent_otherwise() -> None:
    assert target_fields(Reading(Kind.REDUCTION, 1, 1.5), _POOR) == {
        "indicator": "ho-ngheo", "reduction_pp": 1, "note": "1–1,5"}
    assert target_fields(Reading(Kind.REDUCTION, 5), _REVENUE) == {"indicator": "thu",
                                                                     "reduction": 5}
    assert target_fields(Reading(Kind.GROWTH, 10, baseline="2025"), _REVENUE) == {
        "indicator": "thu", "growth": 10, "baseline": "2025"}


def test_the_docx_table_rows_with_their_places() -> None:
    rows = read_rows((FIXTURES / "quoc-hoi-ktxh-2026.docx").read_bytes(),
                     "quoc-hoi-ktxh-2026.docx")
    assert len(rows) == 15
    assert rows[0].place == "quoc-hoi-ktxh-2026.docx, bảng 1, dòng 2"
    assert (rows[0].number, rows[0].name, rows[0].unit, rows[0].value) == (
        "1", "Tốc độ tăng tổng sản phẩm trong nước (GDP)", "%", "Từ 10% trở lên")


@pytest.mark.parametrize("name", ["phu-tho-ktxh-2023.xlsx", "phu-tho-ktxh-2023.docx"])
def test_sections_and_merged_cells_give_no_rows(name: str) -> None:
    rows = read_rows((FIXTURES / name).read_bytes(), name)
    assert len(rows) == 22
    assert [r.section for r in (rows[0], rows[8], rows[19])] == [
        "Về kinh tế", "Về xã hội", "Về môi trường"]
    assert all(r.value for r in rows)
    if name.endswith(".xlsx"):
        assert rows[0].place == "phu-tho-ktxh-2023.xlsx, 'Chỉ tiêu'!B5"


@pytest.mark.parametrize(("name", "same_as", "first"), [
    # "Kế hoạch năm 2026" merged over "Chỉ tiêu | Ghi chú": the plan's own column
    ("layout-ke-hoach-ghi-chu.docx", "quoc-hoi-ktxh-2026.docx", "dòng 3"),
    # "Ước thực hiện / Kế hoạch" merged over "Năm 2022 | Năm 2023": the plan year's
    ("layout-uoc-thuc-hien-ke-hoach.xlsx", "phu-tho-ktxh-2023.xlsx", "'Chỉ tiêu'!B5"),
])
def test_a_header_on_two_rows_reads_the_plan_column(name: str, same_as: str,
                                                    first: str) -> None:
    rows = read_rows((FIXTURES / name).read_bytes(), name)
    plain = read_rows((FIXTURES / same_as).read_bytes(), same_as)
    # the sub-header is no target row; each row's value is the one of the one-row table
    assert [(r.name, r.unit, r.value, r.section) for r in rows] == [
        (r.name, r.unit, r.value, r.section) for r in plain]
    assert rows[0].place.endswith(first) and "Ghi chú" not in {r.name for r in rows}


def test_a_numbered_name_loses_its_number() -> None:
    import docx

    document = docx.Document()
    table = document.add_table(rows=3, cols=3)
    for cell, text in zip(table.rows[0].cells, ["Chỉ tiêu", "ĐVT", "Năm 2026"], strict=True):
        cell.text = text
    for cell, text in zip(table.rows[1].cells, ["a) Tỷ lệ hộ nghèo", "%", "dưới 2"],
                          strict=True):
        cell.text = text
    for cell, text in zip(table.rows[2].cells, ["- Thu ngân sách", "tỷ đồng", "900"],
                          strict=True):
        cell.text = text
    buffer = io.BytesIO()
    document.save(buffer)
    rows = read_rows(buffer.getvalue(), "nq.docx")
    assert [(r.number, r.name) for r in rows] == [("a)", "Tỷ lệ hộ nghèo"),
                                                  ("-", "Thu ngân sách")]
    found = understand(rows, [_POOR, _REVENUE])
    assert [u.fields for u in found] == [{"indicator": "ho-ngheo", "at_most": 2},
                                         {"indicator": "thu", "at_least": 900}]


def _codes(error: pytest.ExceptionInfo[ProblemError]) -> list[str]:
    return [p.code for p in error.value.problems]


def test_a_file_without_a_target_table() -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("Nghị quyết không có bảng")
    buffer = io.BytesIO()
    document.save(buffer)
    with pytest.raises(ProblemError) as error:
        read_rows(buffer.getvalue(), "nq.docx")
    assert _codes(error) == ["resolution-table"]


def test_not_a_document_and_hostile_packages() -> None:
    with pytest.raises(ProblemError) as error:
        read_rows(b"%PDF-1.7 not a zip", "nq.pdf")
    assert _codes(error) == ["unreadable-file"]
    raw = (FIXTURES / "quoc-hoi-ktxh-2026.docx").read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "word/document.xml":
                data = data.replace(b"?>", b'?><!DOCTYPE x [<!ENTITY a "aaaa">]>', 1)
            target.writestr(info, data)
    with pytest.raises(ProblemError) as error:
        read_rows(out.getvalue(), "nq.docx")
    assert _codes(error) == ["unsafe-xml"]
    assert "Word" in error.value.problems[0].message_vi
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as target:
        target.writestr("word/document.xml", b"<a>" + b" " * (40 * 2**20) + b"</a>")
    with pytest.raises(ProblemError) as error:
        read_rows(bomb.getvalue(), "nq.docx")
    assert _codes(error) == ["too-large"]
    assert "nghị quyết" in error.value.problems[0].message_vi


def test_the_criteria_sets_own_indicators_are_no_candidates() -> None:
    from tieuchi.definitions import load_definitions
    from tieuchi.io.resolution import candidates

    folder = load_definitions(Path(__file__).parents[2] / "examples" / "thanh-tri-2023")
    codes = [i.code for i in candidates(folder, [_POOR])]
    assert "ntmnc-01" not in codes  # "Đạt tiêu chí Quy hoạch (NTM nâng cao)": a criterion's
    assert {"nuoc-sach", "bhyt", "ho-ngheo"} <= set(codes)  # a criterion's that a target uses
    assert "thu-nhap-bq" in codes  # a measure a criterion uses, that a resolution may set
    assert codes.count("ho-ngheo") == 1  # the folder's own before the catalogue's
    row = Row("nq.docx, bảng 1, dòng 9", "7", "Đạt tiêu chí quy hoạch xã nông thôn mới",
              None, "Đạt")
    guesses = understand([row], candidates(folder))[0].match.guesses
    assert not [g for g in guesses if g.code.startswith("ntm")], guesses
