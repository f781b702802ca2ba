"""The upload page: download a template, upload it filled in, preview, confirm; scope."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable
from pathlib import Path

from openpyxl import Workbook, load_workbook

from tests.io.conftest import Browser, changed_keys, figures, open_template, save
from tieuchi.store import Entry, Store

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE = "/units/TT-YENMY/import?period=2023"


def upload(browser: Browser, unit: str, file: Path, reason: str = "") -> tuple[int, str]:
    status, text = browser.post(f"/units/{unit}/import?period=2023", {"reason": reason},
                                files={"file": (file.name, file.read_bytes(), XLSX)})
    return status, html.unescape(text)


def hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, f"no field {name}"
    return html.unescape(found.group(1))


def test_the_page_offers_templates_and_an_upload_form(browse: Callable[[str], Browser],
                                                      store: Store) -> None:
    officer = browse("thanhtri")
    status, page = officer.get("/units/TT/import?period=2023")
    assert status == 200
    assert 'enctype="multipart/form-data"' in page and 'name="csrf_token"' in page
    assert 'type="file" name="file"' in page
    assert "Mẫu cho 16 đơn vị trực thuộc" in page and "Nhập từ Excel" in page
    response = officer.client.get("/units/TT/import/template?dataset=ntm-nang-cao"
                                  "&period=2023&below=1")
    assert response.status_code == 200 and response.headers["content-type"] == XLSX
    assert "mau-ntm-nang-cao-nhieu-don-vi-2023.xlsx" in response.headers["content-disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) == 17
    status, own = browse("yenmy").get(PAGE)
    assert status == 200 and "Mẫu của đơn vị" in own and "trực thuộc" not in own


def test_upload_previews_then_confirm_imports(browse: Callable[[str], Browser], store: Store,
                                             tmp_path: Path) -> None:
    book = open_template(store, tmp_path, ["TT-YENMY"])
    book["Yên Mỹ"]["E24"] = "85,5"
    book["Yên Mỹ"]["E10"] = "Chưa đạt"
    book["Yên Mỹ"]["G10"] = "Chưa có trạm biến áp mới"
    file = save(book, tmp_path)
    entry = browse("yenmy")
    before, audit = figures(store), store.audit.count()
    status, page = upload(entry, "TT-YENMY", file, reason="Báo cáo quý IV")
    assert status == 200, page
    assert "Xem trước: filled.xlsx" in page and "Thêm 0, sửa 2, xóa 0 số liệu." in page
    row = re.search(r"<tr data-place=\"'Yên Mỹ'!E24\".*?</tr>", page, re.S)
    assert row and "80,1" in row.group(0) and "85,5" in row.group(0)
    assert "Ước thực hiện" in row.group(0) and "Chính thức" in row.group(0)
    assert "Chưa có trạm biến áp mới" in page and "không được lưu" not in page
    assert 'id="confirm"' in page and figures(store).equals(before)
    status, done = entry.post("/units/TT-YENMY/import/confirm?period=2023", {
        "payload": hidden(page, "payload"), "reason": hidden(page, "reason")})
    assert status == 200, done
    assert "Đã nhập 2 thay đổi từ tệp filled.xlsx." in html.unescape(done)
    assert changed_keys(before, figures(store)) == {
        ("TT-YENMY", "thu-nhap-bq", "2023", "official"),
        ("TT-YENMY", "ntmnc-04", "2023", "official")}
    assert store.audit.count() == audit + 2
    last = store.audit.history("observation", "TT-YENMY|thu-nhap-bq|2023")[0]
    assert (last.actor, last.reason) == ("yenmy", "Báo cáo quý IV")
    held = store.figures.latest("TT-YENMY", "2023", ["ntmnc-04"])["ntmnc-04"]
    assert held["note"] == "Chưa có trạm biến áp mới"  # the note is kept with its figure


def test_a_broken_upload_lists_its_cells(browse: Callable[[str], Browser], store: Store,
                                         tmp_path: Path) -> None:
    book = open_template(store, tmp_path, ["TT-YENMY"])
    book["Yên Mỹ"]["E24"] = "khoảng 80"
    book["Yên Mỹ"]["E7"] = "Có"
    before = figures(store)
    status, page = upload(browse("yenmy"), "TT-YENMY", save(book, tmp_path))
    assert status == 422
    assert "Tệp có 2 lỗi, chưa nhập gì." in page
    assert "'Yên Mỹ'!E7: \"Có\" không phải giá trị đạt/chưa đạt" in page
    assert "'Yên Mỹ'!E24: \"khoảng 80\" không phải là số" in page
    assert figures(store).equals(before)


def test_an_entry_officer_cannot_import_another_commune(browse: Callable[[str], Browser],
                                                        store: Store, tmp_path: Path) -> None:
    book = open_template(store, tmp_path, ["TT-DAIANG"])
    book["Đại Áng"]["E24"] = "85,5"
    file = save(book, tmp_path)
    yenmy = browse("yenmy")
    before, audit = figures(store), store.audit.count()
    status, page = upload(yenmy, "TT-YENMY", file)
    assert status == 403 and "không có quyền sửa số liệu của đơn vị TT-DAIANG" in page
    status, _ = upload(yenmy, "TT-DAIANG", file)
    assert status == 404  # a unit she may not see is answered as no unit (issue 9)
    assert figures(store).equals(before) and store.audit.count() == audit
    status, _ = browse("viewer").get("/units/TT/import?period=2023")
    assert status == 403


def test_a_file_of_a_unit_outside_the_page(browse: Callable[[str], Browser], store: Store,
                                           tmp_path: Path) -> None:
    book = open_template(store, tmp_path, ["TT-DAIANG"])
    book["Đại Áng"]["E24"] = "85,5"
    status, page = upload(browse("thanhtri"), "TT-YENMY", save(book, tmp_path))
    assert status == 422 and "không thuộc TT-YENMY" in page


def test_a_stale_preview_is_shown_again(browse: Callable[[str], Browser], store: Store,
                                        tmp_path: Path) -> None:
    book = open_template(store, tmp_path, ["TT-YENMY"])
    book["Yên Mỹ"]["E25"] = 0.2
    entry = browse("yenmy")
    _, page = upload(entry, "TT-YENMY", save(book, tmp_path))
    store.figures.write([Entry("TT-YENMY", "ngheo-da-chieu", "2023", 0.3)], actor="someone")
    status, again = entry.post("/units/TT-YENMY/import/confirm?period=2023",
                               {"payload": hidden(page, "payload")})
    assert status == 409 and "Số liệu đã thay đổi từ lúc xem trước" in html.unescape(again)
    assert store.figures.latest("TT-YENMY", "2023", ["ngheo-da-chieu"])["ngheo-da-chieu"][
        "value"] == 0.3
    status, _ = entry.post("/units/TT-YENMY/import/confirm?period=2023",
                           {"payload": hidden(html.unescape(again), "payload")})
    assert status == 200
    assert store.figures.latest("TT-YENMY", "2023", ["ngheo-da-chieu"])["ngheo-da-chieu"][
        "value"] == 0.2


def test_a_tampered_payload_is_refused(browse: Callable[[str], Browser]) -> None:
    status, page = browse("yenmy").post("/units/TT-YENMY/import/confirm?period=2023",
                                        {"payload": "abc.def"})
    assert status == 400 and "hết hạn hoặc không hợp lệ" in html.unescape(page)


def test_confirm_needs_the_csrf_token(browse: Callable[[str], Browser]) -> None:
    entry = browse("yenmy")
    response = entry.client.post("/units/TT-YENMY/import/confirm?period=2023",
                                 data={"payload": "x"})
    assert response.status_code == 403


def test_the_import_pages_in_english(browse: Callable[[str], Browser], store: Store,
                                     tmp_path: Path) -> None:
    """Issue 11: "change only the Giá trị, Nguồn and Ghi chú columns" stayed Vietnamese in
    English; the preview said notes were not stored."""
    entry = browse("yenmy")
    entry.client.cookies.set("lang", "en")
    status, page = entry.get(PAGE)
    page = html.unescape(page)
    assert status == 200
    assert "change only the value, source and note columns" in page
    assert "Notes are kept with the figures." in page
    for vietnamese in ("Giá trị, Nguồn and Ghi chú", "Tải mẫu nhập số liệu", "Tệp Excel",
                       "Xem trước thay đổi"):
        assert vietnamese not in page, vietnamese
    book = open_template(store, tmp_path, ["TT-YENMY"])
    book["Yên Mỹ"]["E25"] = 0.2
    book["Yên Mỹ"]["G25"] = "Sau phúc tra"
    status, preview = upload(entry, "TT-YENMY", save(book, tmp_path))
    assert status == 200
    assert "Preview: filled.xlsx" in preview and "Sau phúc tra" in preview
    assert "Official" in preview and "Chính thức" not in preview
    assert "not stored" not in preview


def test_a_file_that_is_no_template_names_no_command(browse: Callable[[str], Browser],
                                                     tmp_path: Path) -> None:
    """No command-line instruction reaches the user of the web page."""
    file = tmp_path / "other.xlsx"
    Workbook().save(file)
    status, page = upload(browse("yenmy"), "TT-YENMY", file)
    assert status == 422
    assert "tải mẫu mới rồi chép số liệu vào" in page
    assert "tieuchi template" not in page and "lệnh" not in page
