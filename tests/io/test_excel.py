"""The Excel entry template: what it looks like, filled in and imported as a user would, and
broken in the ways users break it (each problem at its cell, nothing imported)."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from tests.io.conftest import Edit, changed_keys, figures, open_template, save
from tieuchi.app import App, System
from tieuchi.cli import app
from tieuchi.domain.problems import ProblemError
from tieuchi.io.excel_import import MAX_BYTES, MAX_ROWS, read_workbook
from tieuchi.io.excel_template import META_SHEET, plan_template
from tieuchi.io.plan import apply
from tieuchi.store import Store

runner = CliRunner()
YM, DA = "Yên Mỹ", "Đại Áng"  # the sheets of the communes TT-YENMY and TT-DAIANG
# rows of the sheet of the data set ntm-nang-cao
ROW = {"ntmnc-01": 7, "ntmnc-02": 8, "ntmnc-03": 9, "ntmnc-04": 10, "thu-nhap-bq": 24,
       "ngheo-da-chieu": 25, "nuoc-sach-tap-trung": 26}


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


# ---------------------------------------------------------------------- the template


def test_template_of_one_commune(store: Store, tmp_path: Path) -> None:
    book = open_template(store, tmp_path, ["TT-YENMY"])
    assert book.sheetnames == [YM, META_SHEET]
    ws = book[YM]
    assert ws["A1"].value == "Đơn vị: Xã Yên Mỹ (TT-YENMY)"
    assert ws["A2"].value == "Kỳ báo cáo: năm 2023"
    assert ws["A3"].value == "Biểu: Tiêu chí xã nông thôn mới nâng cao"
    assert "Chính thức" in str(ws["A4"].value)
    assert [c.value for c in ws[6]] == ["STT", "Mã chỉ tiêu", "Chỉ tiêu", "Đơn vị tính",
                                         "Giá trị", "Nguồn", "Ghi chú"]
    assert [c.value for c in ws[7]][:5] == [1, "ntmnc-01", "Đạt tiêu chí Quy hoạch (NTM nâng "
                                            "cao)", None, "Đạt"]
    income = [c.value for c in ws[24]]
    assert income[1:5] == ["thu-nhap-bq", "Thu nhập bình quân đầu người",
                           "triệu đồng/người/năm", 80.1]
    assert "#,##0.##" in ws["E24"].number_format and ws["E24"].number_format.startswith(
        "[$-42A]")
    assert ws.max_row == 26


def test_template_drop_downs_protection_and_metadata(store: Store, tmp_path: Path) -> None:
    book = open_template(store, tmp_path, ["TT-YENMY"])
    ws = book[YM]
    lists = [v for v in ws.data_validations.dataValidation if v.type == "list"]
    assert len(lists) == 1 and lists[0].formula1 == '"Đạt,Chưa đạt"'
    assert "E7" in lists[0].sqref and "E23" in lists[0].sqref and "E24" not in lists[0].sqref
    assert ws.protection.sheet and not ws.protection.password
    assert all(not ws.cell(7, col).protection.locked for col in (5, 6, 7))
    assert all(ws.cell(7, col).protection.locked for col in (1, 2, 3, 4))
    assert ws["C1"].protection.locked and book.security.lockStructure
    meta = book[META_SHEET]
    assert meta.sheet_state == "hidden"
    keys = {meta.cell(r, 1).value: meta.cell(r, 2).value for r in range(1, 7)}
    assert keys["dataset"] == "ntm-nang-cao" and keys["period"] == "2023"
    assert keys["template_version"] == 1 and keys["vintage"] == "official"


def test_template_for_all_communes(store: Store, tmp_path: Path) -> None:
    book = open_template(store, tmp_path, ["TT"], all_units=True)
    assert len(book.sheetnames) == 17 and book.sheetnames[-1] == META_SHEET
    assert DA in book.sheetnames and book[DA]["A1"].value == "Đơn vị: Xã Đại Áng (TT-DAIANG)"
    assert book["Văn Điển"]["A1"].value == "Đơn vị: Thị trấn Văn Điển (TT-VANDIEN)"


def test_template_refuses_a_unit_that_does_not_report_the_data_set(store: Store) -> None:
    with pytest.raises(ProblemError) as caught:
        plan_template(store, ["TT"], period="2023", dataset="ntm-nang-cao")
    assert "does not report" in caught.value.problems[0].message


def test_template_refuses_a_period_finer_than_the_data_set(store: Store) -> None:
    with pytest.raises(ProblemError) as caught:
        plan_template(store, ["TT-YENMY"], period="2023-Q3", dataset="ntm-nang-cao")
    assert caught.value.problems[0].place == "--period"


def test_template_command(store: Store, tmp_path: Path) -> None:
    target = tmp_path / "mau.xlsx"
    result = runner.invoke(app, ["template", "--unit", "TT", "--all-units", "-p", "2023",
                                 "-d", "ntm-nang-cao", "-o", str(target),
                                 "--database-url", str(store.engine.url)])
    assert result.exit_code == 0, result.output
    assert "16 sheet(s)" in result.output and len(load_workbook(target).sheetnames) == 17


# ---------------------------------------------------------------------- filled in


def test_filled_in_template_changes_exactly_the_cells_filled_in(store: Store,
                                                                tmp_path: Path) -> None:
    book = open_template(store, tmp_path, ["TT"], all_units=True)
    book[YM]["E9"] = "Chưa đạt"  # ntmnc-03, official 1 → 0
    book[YM]["E24"] = "85,5"  # thu-nhap-bq: a new official figure next to the estimate
    book[YM]["E25"] = 0.2  # ngheo-da-chieu, official 0.25 → 0.2
    book[YM]["F26"] = "Báo cáo số 12/BC-UBND"  # nuoc-sach-tap-trung: its source only
    book[DA]["E24"] = "92,3"
    book[DA]["E26"] = None  # cleared: deletes Đại Áng's nuoc-sach-tap-trung
    file = save(book, tmp_path)
    before, audit = figures(store), store.audit.count()
    plan = read_workbook(store, file)
    assert apply(App(store), plan, actor=System("test"), reason="nhập từ Excel") == 6
    after = figures(store)
    assert changed_keys(before, after) == {
        ("TT-YENMY", "ntmnc-03", "2023", "official"),
        ("TT-YENMY", "thu-nhap-bq", "2023", "official"),
        ("TT-YENMY", "ngheo-da-chieu", "2023", "official"),
        ("TT-YENMY", "nuoc-sach-tap-trung", "2023", "official"),
        ("TT-DAIANG", "thu-nhap-bq", "2023", "official"),
        ("TT-DAIANG", "nuoc-sach-tap-trung", "2023", "official"),
    }
    held = store.figures.latest("TT-YENMY", "2023", ["ntmnc-03", "thu-nhap-bq", "ngheo-da-chieu",
                                                     "nuoc-sach-tap-trung"])
    assert {k: v["value"] for k, v in held.items()} == {
        "ntmnc-03": 0, "thu-nhap-bq": 85.5, "ngheo-da-chieu": 0.2,
        "nuoc-sach-tap-trung": 86.5}
    assert held["nuoc-sach-tap-trung"]["source"] == "Báo cáo số 12/BC-UBND"
    assert "nuoc-sach-tap-trung" not in store.figures.latest("TT-DAIANG", "2023",
                                                       ["nuoc-sach-tap-trung"])
    assert store.audit.count() == audit + 6
    assert store.audit.history("observation", "TT-YENMY|ntmnc-03|2023")[0].reason == "nhập từ Excel"


def test_an_untouched_template_changes_nothing(store: Store, tmp_path: Path) -> None:
    book = open_template(store, tmp_path, ["TT"], all_units=True)
    plan = read_workbook(store, save(book, tmp_path))
    assert len(plan) == 0 and not plan.warnings


def test_nfd_text_still_matches(store: Store, tmp_path: Path) -> None:
    """Text typed on a Mac may come decomposed (NFD): names, units and yes/no words still
    match, and a row without its code is found by its name."""
    book = open_template(store, tmp_path, ["TT-YENMY"])
    ws = book[YM]
    for row in range(7, 27):
        ws.cell(row, 3).value = nfd(str(ws.cell(row, 3).value))
        ws.cell(row, 4).value = nfd(str(ws.cell(row, 4).value or "")) or None
    ws["E8"] = nfd("Chưa đạt")
    ws["B10"], ws["E10"] = None, nfd("chưa đạt")  # no code: found by its (NFD) name
    plan = read_workbook(store, save(book, tmp_path))
    assert [(c.indicator, c.value) for c in plan.changes()] == [("ntmnc-02", 0.0),
                                                               ("ntmnc-04", 0.0)]


def test_a_figure_changed_since_the_template_is_a_warning(store: Store,
                                                          tmp_path: Path) -> None:
    book = open_template(store, tmp_path, ["TT-YENMY"])
    from tieuchi.store import Entry

    store.figures.write([Entry("TT-YENMY", "ngheo-da-chieu", "2023", 0.3)], actor="someone")
    book[YM]["E25"] = 0.22
    plan = read_workbook(store, save(book, tmp_path))
    (warning,) = plan.warnings
    assert warning.code == "changed-since-template" and warning.place == "'Yên Mỹ'!E25"
    assert "0,25" in warning.message_vi and "0,3" in warning.message_vi
    assert plan.changes()[0].old == 0.3


# ---------------------------------------------------------------------- broken files


def _rename(book: Workbook) -> None:
    book[YM].title = "Xã khác"


def _no_metadata(book: Workbook) -> None:
    del book[META_SHEET]


def _text(book: Workbook) -> None:
    book[YM]["E24"] = "khoảng 80"


def _unknown_code(book: Workbook) -> None:
    book[YM]["B10"] = "ntmnc-99"


def _merged(book: Workbook) -> None:
    book[YM].merge_cells("E24:E25")


def _unit_column(book: Workbook) -> None:
    book[YM]["D24"] = "nghìn đồng/người/năm"


def _suffix(book: Workbook) -> None:
    book[YM]["E24"] = "80,1 nghìn đồng"


def _duplicate(book: Workbook) -> None:
    ws = book[YM]
    ws["B8"], ws["C8"] = ws["B7"].value, ws["C7"].value


def _other_name(book: Workbook) -> None:
    book[YM]["C9"] = "Đạt tiêu chí Điện (NTM nâng cao)"


def _yesno(book: Workbook) -> None:
    book[YM]["E7"] = "Có"


def _percent(book: Workbook) -> None:
    book[YM]["E25"] = 150


def _date(book: Workbook) -> None:
    book[YM]["E24"] = datetime(2023, 1, 5)


def _formula(book: Workbook) -> None:
    book[YM]["E24"] = "=80+5"


BROKEN: dict[str, tuple[Edit, str, str, str]] = {
    # name: (edit, place, code, words of the Vietnamese message)
    "wrong sheet": (_rename, "'Xã khác'", "wrong-sheet", "không thuộc mẫu"),
    "no metadata": (_no_metadata, "filled.xlsx", "missing-metadata", "không có trang"),
    "text in a number cell": (_text, "'Yên Mỹ'!E24", "not-a-number", "không phải là số"),
    "unknown indicator": (_unknown_code, "'Yên Mỹ'!B10", "unknown-indicator",
                          "có phải là 'ntmnc-19'"),
    "merged cells": (_merged, "'Yên Mỹ'!E24:E25", "merged-cells", "bỏ gộp ô"),
    "unit column changed": (_unit_column, "'Yên Mỹ'!D24", "unit-of-measure",
                            "khác đơn vị của chỉ tiêu"),
    "value in another unit": (_suffix, "'Yên Mỹ'!E24", "unit-of-measure",
                              "tính bằng nghìn đồng"),
    "duplicate row": (_duplicate, "'Yên Mỹ'!B8", "duplicate-row", "có hai dòng (7 và 8)"),
    "name of another code": (_other_name, "'Yên Mỹ'!C9", "name-mismatch", "xáo trộn"),
    "yes/no word": (_yesno, "'Yên Mỹ'!E7", "yesno-value", "ghi Đạt, Chưa đạt, 1 hoặc 0"),
    "percent out of range": (_percent, "'Yên Mỹ'!E25", "percent-range", "từ 0 đến 100"),
    "a date": (_date, "'Yên Mỹ'!E24", "not-a-number", "ngày tháng"),
    "a formula never computed": (_formula, "'Yên Mỹ'!E24", "formula-not-computed",
                                 "công thức"),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_file_imports_nothing(store: Store, tmp_path: Path, case: str) -> None:
    """The command prints the problem at its cell, in English then in Vietnamese."""
    edit, place, code, words = BROKEN[case]
    book = open_template(store, tmp_path, ["TT-YENMY"])
    book[YM]["E9"] = "Chưa đạt"  # a good change in the same file, not written either
    edit(book)
    file = save(book, tmp_path)
    before, audit = figures(store), store.audit.count()
    result = runner.invoke(app, ["import", str(file), "--database-url",
                                 str(store.engine.url)])
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    found = [i for i, line in enumerate(lines) if line.startswith(f"{place}: error {code} ")]
    assert found, result.output
    assert words in lines[found[0] + 1], result.output  # the Vietnamese message
    assert "nothing was imported" in result.output
    assert figures(store).equals(before) and store.audit.count() == audit


def test_a_value_in_another_money_unit_gets_the_conversion(store: Store,
                                                           tmp_path: Path) -> None:
    book = open_template(store, tmp_path, ["TT"], dataset="thu-ngan-sach")
    book["Thanh Trì"]["E7"] = "12 triệu đồng"
    with pytest.raises(ProblemError) as caught:
        read_workbook(store, save(book, tmp_path))
    (problem,) = caught.value.problems
    assert problem.place == "'Thanh Trì'!E7" and problem.code == "unit-of-measure"
    assert problem.message_vi == (
        "\"12 triệu đồng\" tính bằng triệu đồng, nhưng chỉ tiêu tính bằng tỷ đồng; ghi số "
        "theo tỷ đồng (12 triệu đồng = 0,012 tỷ đồng), không ghi đơn vị")


def test_not_a_workbook(store: Store, tmp_path: Path) -> None:
    file = tmp_path / "notes.xlsx"
    file.write_text("unit,indicator\n", encoding="utf-8")
    with pytest.raises(ProblemError) as caught:
        read_workbook(store, file)
    assert caught.value.problems[0].code == "unreadable-file"


def test_a_locked_data_set_is_refused_with_the_store_message(store: Store,
                                                             tmp_path: Path) -> None:
    admin = store.users.all()[0]
    for action in ("submit", "approve", "lock"):
        store.workflow.transition("TT-YENMY", "2023", "ntm-nang-cao", action, actor=admin.username)
    book = open_template(store, tmp_path, ["TT-YENMY"])
    book[YM]["E10"] = "Chưa đạt"
    before, audit = figures(store), store.audit.count()
    with pytest.raises(ProblemError) as caught:
        read_workbook(store, save(book, tmp_path))
    (problem,) = caught.value.problems
    assert problem.place == "'Yên Mỹ'!E10" and problem.code == "locked"
    assert "đã khóa" in problem.message_vi
    assert figures(store).equals(before) and store.audit.count() == audit


# ---------------------------------------------------------------------- the command


def test_dry_run_prints_the_changes_and_writes_nothing(store: Store, tmp_path: Path) -> None:
    book = open_template(store, tmp_path, ["TT-YENMY"])
    book[YM]["E24"] = "85,5"
    file = save(book, tmp_path)
    before, audit = figures(store), store.audit.count()
    url = str(store.engine.url)
    dry = runner.invoke(app, ["import", str(file), "--dry-run", "--database-url", url])
    assert dry.exit_code == 0, dry.output
    text = " ".join(dry.output.split())
    assert "'Yên Mỹ'!E24: TT-YENMY thu-nhap-bq 2023: 80,1 (estimate) → 85,5 (official)" in text
    assert "1 changed (dry run: nothing was written)" in text
    assert figures(store).equals(before) and store.audit.count() == audit
    done = runner.invoke(app, ["import", str(file), "--reason", "số liệu chính thức",
                               "--database-url", url])
    assert done.exit_code == 0, done.output
    assert store.audit.count() == audit + 1
    assert store.audit.history("observation", "TT-YENMY|thu-nhap-bq|2023")[0].actor == \
        "import:filled.xlsx"


def _meta_row(book: Workbook, key: str) -> int:
    return next(row[0].row for row in book[META_SHEET].iter_rows() if row[0].value == key)


def _bad_period(book: Workbook) -> None:
    book[META_SHEET].cell(_meta_row(book, "period"), 2).value = "2023-13"


def _header(book: Workbook) -> None:
    book[YM]["E6"] = "Số"


def _no_code(book: Workbook) -> None:
    book[YM]["B24"], book[YM]["C24"] = None, "Thu nhập không có trong biểu"


def _other_dataset(book: Workbook) -> None:
    book[YM]["B24"], book[YM]["C24"] = "gtsx", None


def _long_sheet(book: Workbook) -> None:
    book[YM].cell(MAX_ROWS + 20, 1).value = "x"


MORE_BROKEN: dict[str, tuple[Edit, str, str, str]] = {
    # name: (edit, start of the place, code, words of the Vietnamese message)
    "a period of the metadata": (_bad_period, f"{META_SHEET}!B", "bad-metadata",
                                 "không phải kỳ báo cáo hợp lệ"),
    "a header renamed": (_header, "'Yên Mỹ'!E6", "wrong-header", "không được đổi tên"),
    "a row without a code": (_no_code, "'Yên Mỹ'!B24", "missing-indicator",
                             "không có mã chỉ tiêu"),
    "an indicator of another data set": (_other_dataset, "'Yên Mỹ'!B24", "not-in-dataset",
                                         "không thuộc biểu"),
    "too many rows": (_long_sheet, "'Yên Mỹ'", "too-large", f"hơn {MAX_ROWS} dòng"),
}


@pytest.mark.parametrize("case", list(MORE_BROKEN))
def test_more_broken_files_name_the_place_and_the_fix(store: Store, tmp_path: Path,
                                                      case: str) -> None:
    edit, place, code, words = MORE_BROKEN[case]
    book = open_template(store, tmp_path, ["TT-YENMY"])
    book[YM]["E24"] = 95
    edit(book)
    with pytest.raises(ProblemError) as caught:
        read_workbook(store, save(book, tmp_path))
    found = [p for p in caught.value.problems if p.code == code]
    assert found, [str(p) for p in caught.value.problems]
    assert found[0].place.startswith(place) and words in found[0].message_vi, found[0]


def test_a_file_over_the_size_limit_is_not_opened(store: Store) -> None:
    with pytest.raises(ProblemError) as caught:
        read_workbook(store, b"PK" + b"\0" * MAX_BYTES, name="big.xlsx")
    (problem,) = caught.value.problems
    assert (problem.code, problem.place, problem.status) == ("too-large", "big.xlsx", 413)
