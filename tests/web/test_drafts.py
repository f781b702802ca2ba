"""Consultation on a draft report in the browser: thanhtri saves the district's 2023 report
as a draft, the commune yenmy comments on a paragraph, thanhtri resolves it, a new version
after a figure changed, the comparison, closing; who may see and do what.

The reference district and its users come from ``conftest``, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from tieuchi.app import drafts as d
from tieuchi.domain.units import Unit
from tieuchi.store import Entry
from tieuchi.store.tables import UnitRow
from tieuchi.web.pages.drafts import paragraph_html, report_text

if TYPE_CHECKING:
    from tests.web.conftest import Site

HTMX = {"HX-Request": "true"}


def _draft_id(page: str) -> int:
    found = re.search(r"Dự thảo số (\d+)", page)
    assert found, "no draft number on the page"
    return int(found.group(1))


def _paragraph(page: str, n: int) -> str:
    found = re.search(rf'<section class="para[^"]*" id="p-{n}".*?</section>', page, re.S)
    assert found, f"no paragraph {n}"
    return found.group(0)


def _comment_id(page: str) -> int:
    found = re.search(r'<article class="comment open" id="c-(\d+)"', page)
    assert found, "no open comment"
    return int(found.group(1))


def test_a_consultation_from_draft_to_close(own_site: Site) -> None:
    site = own_site
    listing = site.get("thanhtri", "/units/TT/drafts?period=2023")
    assert site.status == 200
    assert 'id="new-draft"' in listing and "Lưu dự thảo" in listing
    assert 'id="no-drafts"' in listing

    page = site.post("thanhtri", "/units/TT/drafts", {"period": "2023"})
    assert site.status == 200, page
    draft = _draft_id(page)
    assert "Đã lưu dự thảo (phiên bản 1)." in page and "Đang lấy ý kiến" in page
    officer = next(u for u in site.store.users.all() if u.username == "thanhtri")
    saved = d.get_version(site.store, draft, user=officer)
    assert page.count('<section class="para') == len(saved.paragraphs) > 20
    assert saved.paragraphs == tuple(d.split_paragraphs(
        report_text(site.store, "TT", "2023", "vi")))
    assert "Báo cáo kết quả thực hiện nhiệm vụ chính trị năm 2023" in page
    base = f"/units/TT/drafts/{draft}"

    # The commune reads the district's draft without the district's tabs, and comments.
    page = site.get("yenmy", base)
    assert site.status == 200
    assert 'id="below-note"' in page and "/units/TT/targets" not in page
    assert 'id="new-version"' not in page and 'id="close-form"' not in page
    part = site.user("yenmy")[0].post(base + "/comments", headers=HTMX, data={
        "csrf_token": site.user("yenmy")[1], "version": "1", "paragraph": "2",
        "text": "Đề nghị ghi rõ ngày ban hành báo cáo."})
    assert part.status_code == 200
    assert part.text.lstrip().startswith("<section")
    assert "<html" not in part.text and "Đã gửi góp ý." in part.text
    assert "Đề nghị ghi rõ ngày ban hành báo cáo." in part.text and "Chưa xử lý" in part.text
    assert "Xã Yên Mỹ" in part.text

    # The viewer of the district sees it, without the forms to resolve it.
    page = site.get("viewer", base)
    assert "Đề nghị ghi rõ ngày ban hành báo cáo." in _paragraph(page, 2)
    assert 'class="resolve"' not in page

    # thanhtri resolves it.
    page = site.get("thanhtri", base)
    comment = _comment_id(_paragraph(page, 2))
    page = site.post("thanhtri", f"{base}/comments/{comment}/resolve", {
        "outcome": "accepted", "note": "Đã bổ sung ngày ban hành.", "version": "1",
        "paragraph": "2"})
    assert site.status == 200 and "Đã xử lý góp ý." in page
    resolved = _paragraph(page, 2)
    assert 'data-state="accepted"' in resolved and "Đã bổ sung ngày ban hành." in resolved
    assert "Đã tiếp thu" in resolved
    listing = site.get("thanhtri", "/units/TT/drafts")
    assert "0 chưa xử lý / 1" in listing

    # A figure changes: the new version differs in the paragraph that gives it.
    site.store.figures.write([Entry("TT", "gtsx", "2023", 44120, "estimate")], actor="thanhtri")
    page = site.post("thanhtri", "/units/TT/drafts", {"draft": str(draft)})
    assert site.status == 200 and "Đã lưu phiên bản 2." in page
    assert "Phiên bản 2/2" in page and "Góp ý trên phiên bản khác" in page
    again = site.post("thanhtri", "/units/TT/drafts", {"draft": str(draft)})
    assert site.status == 409 and "không thay đổi so với phiên bản 2" in again

    page = site.get("viewer", f"{base}/compare?a=1&b=2")
    assert site.status == 200
    changed = re.findall(r'<section class="para change-changed".*?</section>', page, re.S)
    production = [c for c in changed if "Tổng giá trị sản xuất ước đạt" in c]
    assert len(production) == 1
    assert "<del>43.799</del>" in production[0] and "<ins>44.120</ins>" in production[0]
    assert any('class="row-added"' in c and "44.120" in c for c in changed)  # the appendix
    assert "đoạn sửa" in page and 'class="same-run"' in page

    # Comments go on the latest version only.
    page = site.post("yenmy", f"{base}/comments", {"version": "1", "paragraph": "3",
                                                   "text": "Góp ý trên bản cũ."})
    assert site.status == 409 and "góp ý trên phiên bản mới nhất" in page

    # Closing ends the consultation; a comment after it is refused with a clear message.
    page = site.post("thanhtri", f"{base}/close", {"note": "Đủ ý kiến các xã."})
    assert site.status == 200 and "Đã kết thúc lấy ý kiến." in page
    assert 'id="closed-note"' in page and 'id="new-version"' not in page
    assert 'class="add-comment"' not in page
    page = site.post("yenmy", f"{base}/comments", {"version": "2", "paragraph": "3",
                                                   "text": "Góp ý muộn."})
    assert site.status == 409
    assert f"Dự thảo số {draft} đã kết thúc lấy ý kiến" in page
    late = site.user("yenmy")[0].post(base + "/comments", headers=HTMX, data={
        "csrf_token": site.user("yenmy")[1], "version": "2", "paragraph": "3",
        "text": "Góp ý muộn."})
    assert late.status_code == 409 and "không nhận thêm góp ý" in late.text
    assert 'id="p-3"' in late.text  # htmx puts the paragraph back with the message

    actions = [a.action for a in reversed(site.store.audit.history("draft", str(draft)))]
    assert actions == ["create", "comment", "resolve", "version", "close"]


def _other_district(site: Site) -> None:
    """Gia Lâm, a district of Hà Nội beside Thanh Trì, and a viewer of it."""
    unit = Unit(code="GL", name="Gia Lâm", level="huyen", parent="HN", kind="huyện")
    with site.store.session() as s:
        s.add(UnitRow(code="GL", position=999, doc=unit.model_dump(mode="json"),
                      name="Gia Lâm", search_name="gia lam", level="huyen", parent="HN"))
    site.store.users.add("gialam", "password123", role="viewer", unit="GL")


def test_who_may_see_and_do_what(site: Site) -> None:
    _other_district(site)
    page = site.post("thanhtri", "/units/TT/drafts", {"period": "2022"})
    assert site.status == 200
    district = f"/units/TT/drafts/{_draft_id(page)}"
    # A commune's report cannot be written yet (reports: the outline's district groups are
    # missing from a commune's definitions): its draft is saved with a text of its own.
    officer = next(u for u in site.store.users.all() if u.username == "thanhtri")
    made = d.create_draft(site.store, "TT-YENMY", "2022", "# Báo cáo xã Yên Mỹ\n\nĐoạn 2.",
                          user=officer)
    commune = f"/units/TT-YENMY/drafts/{made.id}"

    # Another district's users do not know of Thanh Trì: its drafts are not found (404, as
    # for a unit that does not exist).
    for url in ("/units/TT/drafts", district, district + "/compare"):
        page = site.get("gialam", url)
        assert site.status == 404, url
        assert "Không có đơn vị 'TT' hoặc bạn không có quyền xem" in page
    site.post("gialam", district + "/comments", {"version": "1", "paragraph": "1",
                                                 "text": "x"})
    assert site.status == 404
    site.get("daiang", commune)  # a commune does not read its neighbour's drafts
    assert site.status == 404
    site.get("yenmy", commune)
    assert site.status == 200

    # The commune sees its district's open consultation from its own list.
    page = site.get("yenmy", "/units/TT-YENMY/drafts")
    assert 'id="drafts-above"' in page and district in page
    assert 'id="new-draft"' not in page

    page = site.post("viewer", "/units/TT/drafts", {"period": "2021"})
    assert site.status == 403 and "mới được lưu dự thảo" in page
    site.post("yenmy", district + "/close", {})
    assert site.status == 403
    site.post("yenmy", district + "/comments/999/resolve", {"outcome": "accepted"})
    assert site.status == 403
    site.get("thanhtri", "/units/TT-YENMY" + district.removeprefix("/units/TT"))
    assert site.status == 404  # a draft is reached under its own unit only
    site.get("thanhtri", district + "?version=9")
    assert site.status == 404

    client, _ = site.user("yenmy")
    response = client.post(district + "/comments", data={"version": "1", "paragraph": "1",
                                                          "text": "x"})
    assert response.status_code == 403  # no CSRF token

    client, _ = site.user("viewer")
    client.cookies.set("lang", "en")
    try:
        page = client.get(district).text
    finally:
        client.cookies.delete("lang")
    assert "Open for comments" in page and "Version 1 of 1" in page
    assert "Comment on paragraph 3" in page


@pytest.mark.parametrize("lang, tab", [("vi", "Dự thảo"), ("en", "Drafts")])
def test_the_unit_tabs_lead_to_the_drafts(site: Site, lang: str, tab: str) -> None:
    client, _ = site.user("viewer")
    client.cookies.set("lang", lang)
    try:
        page = client.get("/units/TT?period=2023").text
    finally:
        client.cookies.delete("lang")
    assert re.search(rf'<a href="/units/TT/drafts\?period=2023"[^>]*>{tab}</a>', page)


def test_paragraphs_are_drawn_from_escaped_text() -> None:
    assert paragraph_html("**Đạt** <b>x</b> & *ghi chú*") == (
        "<p><strong>Đạt</strong> &lt;b&gt;x&lt;/b&gt; &amp; <em>ghi chú</em></p>")
    assert paragraph_html("## II. Xây dựng <i>") == (
        '<div class="md-h md-h2">II. Xây dựng &lt;i&gt;</div>')
    table = paragraph_html("| STT | Chỉ tiêu |\n|---:|---|\n| 1 | <script> |")
    assert '<th class="num">STT</th><th>Chỉ tiêu</th>' in table
    assert '<td class="num">1</td><td>&lt;script&gt;</td>' in table
