"""The narrative on the web: an officer writes a section and a target's cause on the report
page (plain forms, no JavaScript), the report shows them at once, in the page and in the
downloads; the saved draft carries them, its narrative paragraphs take comments, and a new
version compares them. On SQLite and PostgreSQL."""

from __future__ import annotations

import re
from io import BytesIO
from typing import TYPE_CHECKING

from docx import Document

from tieuchi.app import drafts as d

if TYPE_CHECKING:
    from tests.web.conftest import Site


def _forms(page: str) -> dict[str, str]:
    """Each narrative form's part and its textarea's text."""
    return dict(re.findall(r'<form method="post" action="/units/TT/narrative"[^>]*'
                           r'data-part="([^"]+)".*?<textarea[^>]*>(.*?)</textarea>', page, re.S))


def test_write_the_narrative_then_draft_comment_and_compare(own_site: Site) -> None:
    site = own_site
    page = site.get("thanhtri", "/units/TT/report?period=2023")
    forms = _forms(page)
    assert list(forms)[:4] == ["ton-tai", "nguyen-nhan", "phuong-huong", "kien-nghi"]
    assert "nguyen-nhan:tcd-lptb" in forms  # a target not met has its cause's form
    assert 'maxlength="20000"' in page and "Phương hướng, nhiệm vụ năm 2024" in page
    assert "IV. Tồn tại" not in page

    page = site.post("thanhtri", "/units/TT/narrative", {
        "period": "2023", "part": "ton-tai",
        "narrative": "Một số khoản thu chưa đạt dự toán.\n\n- Lệ phí trước bạ đạt thấp."})
    assert site.status == 200  # after the redirect: the report
    assert "IV. Tồn tại, hạn chế" in page
    assert '<p class="item narrative">- Lệ phí trước bạ đạt thấp.</p>' in page
    site.post("thanhtri", "/units/TT/narrative", {
        "period": "2023", "part": "nguyen-nhan:tcd-lptb",
        "narrative": "Thị trường bất động sản trầm lắng."})
    page = site.get("thanhtri", "/units/TT/report?period=2023")
    assert ('<p class="item cause">Nguyên nhân (Lệ phí trước bạ): Thị trường bất động sản '
            'trầm lắng.</p>') in page
    assert _forms(page)["ton-tai"].startswith("Một số khoản thu")

    # A text over the limit comes back on the page with the reason; a viewer has no forms
    # and may not post.
    page = site.post("thanhtri", "/units/TT/narrative",
                     {"period": "2023", "part": "kien-nghi", "narrative": "x" * 20_001})
    assert site.status == 422 and "tối đa 20000 ký tự" in page
    page = site.get("viewer", "/units/TT/report?period=2023")
    assert "IV. Tồn tại, hạn chế" in page and not _forms(page)
    site.post("viewer", "/units/TT/narrative", {"period": "2023", "part": "ton-tai",
                                                 "narrative": "x"})
    assert site.status == 403

    client = site.user("thanhtri")[0]
    docx = client.get("/units/TT/report.docx?period=2023")
    texts = [p.text for p in Document(BytesIO(docx.content)).paragraphs]
    assert "IV. Tồn tại, hạn chế" in texts and "- Lệ phí trước bạ đạt thấp." in texts
    assert "- Lệ phí trước bạ đạt thấp." in client.get("/units/TT/report.md?period=2023").text

    # The draft is the report: the narrative is in its paragraphs, which take comments.
    page = site.post("thanhtri", "/units/TT/drafts", {"period": "2023"})
    draft = int(re.search(r"Dự thảo số (\d+)", page).group(1))  # type: ignore[union-attr]
    officer = next(u for u in site.store.users.all() if u.username == "thanhtri")
    paragraphs = d.get_version(site.store, draft, user=officer).paragraphs
    assert "## IV. Tồn tại, hạn chế" in paragraphs
    cause = paragraphs.index("Nguyên nhân (Lệ phí trước bạ): Thị trường bất động sản trầm lắng.")
    assert paragraphs[cause - 1].startswith("3. Có 7/10")
    item = paragraphs.index("- Lệ phí trước bạ đạt thấp.") + 1
    site.post("yenmy", f"/units/TT/drafts/{draft}/comments", {
        "version": "1", "paragraph": str(item), "text": "Nêu rõ tỷ lệ đạt."})
    assert site.status == 200
    assert [c.paragraph for c in d.comments_of(site.store, draft, user=officer)] == [item]

    site.post("thanhtri", "/units/TT/narrative", {
        "period": "2023", "part": "ton-tai",
        "narrative": "Một số khoản thu chưa đạt dự toán.\n\n- Lệ phí trước bạ đạt 85,6% dự toán."})
    page = site.post("thanhtri", "/units/TT/drafts", {"draft": str(draft)})
    assert site.status == 200 and "Đã lưu phiên bản 2." in page
    page = site.get("thanhtri", f"/units/TT/drafts/{draft}/compare?a=1&b=2")
    changed = re.findall(r'<section class="para change-changed".*?</section>', page, re.S)
    assert len(changed) == 1
    assert "<del>thấp.</del>" in changed[0] and "<ins>85,6% dự toán.</ins>" in changed[0]
