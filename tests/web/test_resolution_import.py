"""Targets from a resolution on the target management page: upload a real resolution's
table, see every row as understood, confirm, and the targets are stored with the document
as their source."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.web.conftest import Site

PAGE = "/units/TT/manage-targets?period=2023"
UPLOAD = "/units/TT/manage-targets/resolution?period=2023"
CONFIRM = "/units/TT/manage-targets/resolution/confirm?period=2023"
FIXTURES = Path(__file__).parents[1] / "fixtures" / "resolutions"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _upload(site: Site, user: str, name: str, data: bytes | None = None,
            **fields: str) -> tuple[int, str]:
    client, token = site.user(user)
    raw = data if data is not None else (FIXTURES / name).read_bytes()
    response = client.post(UPLOAD, data={"csrf_token": token, **fields},
                           files={"file": (name, raw, DOCX)})
    return response.status_code, html.unescape(response.text)


def test_the_page_offers_the_upload(site: Site) -> None:
    page = site.get("thanhtri", PAGE)
    assert 'id="resolution-form"' in page and "Nhập từ nghị quyết" in page


def test_upload_previews_every_row_then_confirm_stores_the_targets(own_site: Site) -> None:
    status, page = _upload(own_site, "thanhtri", "phu-tho-ktxh-2023.xlsx",
                           issuer="HĐND tỉnh Phú Thọ", document="Nghị quyết số 11/NQ-HĐND")
    assert status == 200, page[:2000]
    rows = re.findall(r'<tr data-row="(\d+)" data-ok="(yes|no)"', page)
    assert len(rows) == 22  # every row: understood or said why not
    understood = sum(ok == "yes" for _, ok in rows)
    # the reference district's indicators: 7 rows match one (bhyt, ld-dao-tao, …)
    assert understood == 7 and "Không khớp" in page and "Gần nhất" in page
    scores = re.findall(r'<td class="num" data-label="[^"]*">([\d.,]+)</td>\s*</tr>', page)
    assert len(scores) == 22 and any("," in s for s in scores), scores  # "88,5", not 88.5
    assert not [s for s in scores if "." in s], scores
    guesses = re.findall(r"Gần nhất: ([^<]*)</div>", page)
    assert guesses and all(re.search(r"\(\d+(,\d)?\)", g) for g in guesses), guesses
    assert "43,5 trở lên" in page and "≥ 43.500" in page  # nghìn tỷ đồng → tỷ đồng, said:
    assert '<div class="muted small converted">43,5 Nghìn tỷ đồng → 43.500 tỷ đồng</div>' \
        in page
    # 5 of them replace a target the district holds: the preview lists each, now → new
    replaced = re.findall(r'<li data-key="([^"]+)">([^<]+)</li>', page)
    assert len(replaced) == 5, page[:4000]
    bhyt = ("ktxh-bhyt", "Tỷ lệ dân số tham gia bảo hiểm y tế: ≥ 93,5% → ≥ 93,7%")
    assert bhyt in replaced, replaced
    assert "Xác nhận giao 7 chỉ tiêu (thay 5 chỉ tiêu đang có)" in page
    payload = re.search(r'name="payload" value="([^"]+)"', page)
    assert payload, page[:3000]
    before = own_site.store.targets.of(["TT"], "2023")
    client, token = own_site.user("thanhtri")
    response = client.post(CONFIRM, data={"csrf_token": token, "payload": payload.group(1),
                                          "reason": "Nhập từ nghị quyết"})
    done = html.unescape(response.text)
    assert response.status_code == 200, done[:2000]
    assert f"Đã giao {understood} chỉ tiêu từ tệp phu-tho-ktxh-2023.xlsx" in done
    after = own_site.store.targets.of(["TT"], "2023")
    imported = [t for t in after if t.get("document") == "Nghị quyết số 11/NQ-HĐND"]
    assert len(imported) == 7
    assert all(t["issuer"] == "HĐND tỉnh Phú Thọ" for t in imported)
    bhyt = [t for t in after if t["indicator"] == "bhyt"]  # replaced, not added beside
    assert [(t["key"], t["comparator"], t["value"]) for t in bhyt] == [
        ("ktxh-bhyt", "at_least", 93.7)]
    assert len(after) == len(before) + 2
    # the same resolution again: nothing to assign, said so, no replacement listed
    status, again = _upload(own_site, "thanhtri", "phu-tho-ktxh-2023.xlsx",
                            issuer="HĐND tỉnh Phú Thọ", document="Nghị quyết số 11/NQ-HĐND")
    assert status == 200
    assert "7 chỉ tiêu đã được giao đúng như nghị quyết: không đổi." in again
    assert 'id="replaced"' not in again and 'id="confirm"' not in again


def test_a_forged_or_foreign_payload_is_refused(own_site: Site) -> None:
    client, token = own_site.user("thanhtri")
    response = client.post(CONFIRM, data={"csrf_token": token, "payload": "forged"})
    assert response.status_code == 400


def test_a_file_that_is_not_a_resolution(site: Site) -> None:
    status, page = _upload(site, "thanhtri", "nq.docx", data=b"not a document")
    assert status == 422 and "Không đọc được tệp nghị quyết" in page


def test_a_viewer_may_not_upload(site: Site) -> None:
    status, _ = _upload(site, "viewer", "quoc-hoi-ktxh-2026.docx")
    assert status == 403


def test_the_issuer_column_shows_the_issuer_never_the_document(own_site: Site) -> None:
    status, page = _upload(own_site, "thanhtri", "phu-tho-ktxh-2023.xlsx")  # no issuer
    payload = re.search(r'name="payload" value="([^"]+)"', page)
    assert status == 200 and payload, page[:2000]
    client, token = own_site.user("thanhtri")
    done = html.unescape(client.post(CONFIRM, data={"csrf_token": token,
                                                    "payload": payload.group(1)}).text)
    row = re.search(r'<tr data-key="TT:thu-nhap-bq:2023">(.*?)</tr>', done, re.S)
    assert row, done[:3000]
    cells = [re.sub(r"<[^>]+>", "", c).strip()
             for c in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)]
    assert (cells[4], cells[5]) == ("", "phu-tho-ktxh-2023.xlsx")  # Cơ quan giao, Văn bản
