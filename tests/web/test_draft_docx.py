"""A draft downloadable as a Word document with its comments and their resolution (the
"báo cáo tiếp thu, giải trình"): each comment, who made it, on which paragraph, and how it
was resolved (tiếp thu, giải trình with its explanation), in a table. Opened with
python-docx; in both languages; a link on the draft page."""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING

from docx import Document

from tieuchi.reports.consultation import excerpt

if TYPE_CHECKING:
    from tests.web.conftest import Site


def _comment(site: Site, username: str, base: str, paragraph: int, text: str) -> None:
    client, token = site.user(username)
    response = client.post(base + "/comments", data={
        "csrf_token": token, "version": "1", "paragraph": str(paragraph), "text": text})
    assert response.status_code in (200, 303), response.text[:300]


def test_the_comments_of_a_draft_as_a_docx(own_site: Site) -> None:
    site = own_site
    page = site.post("thanhtri", "/units/TT/drafts", {"period": "2023"})
    draft = int(re.search(r"Dự thảo số (\d+)", page).group(1))  # type: ignore[union-attr]
    base = f"/units/TT/drafts/{draft}"
    assert f'href="{base}/comments.docx"' in page
    assert "Tải báo cáo tiếp thu, giải trình (DOCX)" in page
    _comment(site, "yenmy", base, 2, "Đề nghị ghi rõ ngày ban hành báo cáo.")
    _comment(site, "daiang", base, 3, "Số doanh nghiệp mới của xã chưa khớp.")
    page = site.get("thanhtri", base)
    ids = [int(i) for i in re.findall(r'<article class="comment open" id="c-(\d+)"', page)]
    client, token = site.user("thanhtri")
    for comment_id, outcome, note in zip(ids, ("accepted", "explained"), (
            "Đã bổ sung ngày ban hành.", "Số liệu lấy theo đăng ký kinh doanh của huyện."),
            strict=True):
        response = client.post(f"{base}/comments/{comment_id}/resolve", data={
            "csrf_token": token, "outcome": outcome, "note": note})
        assert response.status_code in (200, 303)

    response = client.get(f"{base}/comments.docx")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    assert f"tiep-thu-giai-trinh-du-thao-{draft}.docx" in response.headers[
        "content-disposition"]
    word = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in word.paragraphs)
    assert "BÁO CÁO TIẾP THU, GIẢI TRÌNH Ý KIẾN GÓP Ý" in text
    assert "2 góp ý: 1 đã tiếp thu, 1 giải trình, 0 chưa xử lý." in text
    [table] = word.tables
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows[0] == ["STT", "Đoạn", "Nội dung góp ý", "Người góp ý",
                       "Tiếp thu / giải trình", "Nội dung tiếp thu hoặc giải trình"]
    first, second = rows[1], rows[2]
    assert first[0] == "1" and first[1].startswith("Đoạn 2, phiên bản 1")
    assert first[2] == "Đề nghị ghi rõ ngày ban hành báo cáo."
    assert first[3].startswith("yenmy\nXã Yên Mỹ\n")
    assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d", first[3])
    assert first[4] == "Đã tiếp thu" and first[5].startswith("Đã bổ sung ngày ban hành.")
    assert "thanhtri" in first[5]
    assert second[1].startswith("Đoạn 3") and second[4] == "Giải trình"
    assert second[5].startswith("Số liệu lấy theo đăng ký kinh doanh của huyện.")

    # in English, for a reader of the district
    viewer, _token = site.user("viewer")
    viewer.cookies.set("lang", "en")
    english = Document(io.BytesIO(viewer.get(f"{base}/comments.docx").content))
    rows = [[cell.text for cell in row.cells] for row in english.tables[0].rows]
    assert rows[0][:2] == ["No.", "Paragraph"] and rows[1][4] == "Accepted"
    assert "REPORT ON THE COMMENTS RECEIVED AND THEIR RESOLUTION" in "\n".join(
        p.text for p in english.paragraphs)


def test_a_draft_without_comments_says_so(own_site: Site) -> None:
    page = own_site.post("thanhtri", "/units/TT/drafts", {"period": "2023"})
    draft = int(re.search(r"Dự thảo số (\d+)", page).group(1))  # type: ignore[union-attr]
    client, _token = own_site.user("thanhtri")
    word = Document(io.BytesIO(client.get(f"/units/TT/drafts/{draft}/comments.docx").content))
    assert not word.tables
    assert "Dự thảo chưa có góp ý nào." in [p.text for p in word.paragraphs]


def test_an_excerpt_keeps_the_first_words_without_marks() -> None:
    assert excerpt("## **1. Kết quả** đạt được") == "1. Kết quả đạt được"
    long = excerpt("từ " * 100, 20)
    assert long.endswith("…") and len(long) <= 21
