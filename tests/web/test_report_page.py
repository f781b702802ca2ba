"""The report page: the report's figures linked to their traces, the traces, the downloads,
and the scope of who may read them."""

from __future__ import annotations

import html
import io
import os
import re

import pytest
from openpyxl import load_workbook

from tests.web.conftest import Site

FIGURE = re.compile(r'<a class="fig" href="([^"]+)"[^>]*>([^<]+)</a>')


def _text(page: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html.unescape(page)).split())


def _figures(page: str) -> dict[str, list[str]]:
    """Each linked figure of the page and where it links, in order."""
    found: dict[str, list[str]] = {}
    for href, text in FIGURE.findall(html.unescape(page)):
        found.setdefault(text, []).append(href)
    return found


@pytest.fixture(scope="module")
def page(site: Site) -> str:
    text = site.get("thanhtri", "/units/TT/report?period=2023")
    assert site.status == 200
    return text


def test_the_report_shows_its_figures_linked_to_their_traces(page: str) -> None:
    figures = _figures(page)
    assert figures["18/18"] == ["#bieu-1"]  # a group's count goes to its table
    assert figures["30/34"] == ["#bieu-5"]
    assert figures["100,2%"][0] == "/units/TT/trace?indicator=thu-co-dinh&period=2023"
    assert figures["857,7"][0] == "/units/TT/trace?indicator=thu-co-dinh&period=2023"
    assert figures["15/15"] == ["/units/TT/trace?indicator=ntm-nc-ty-le&period=2023"]
    text = _text(page)
    assert "Hoàn thành đạt và vượt 18/18 chỉ tiêu nhiệm vụ chính trị năm 2023" in text
    assert "đạt 100,2% dự toán giao" in text and "đạt 30/34 tiêu chí thành lập quận" in text
    assert 'hx-get="/units/TT/trace?indicator=thu-co-dinh&period=2023"' in page  # unescaped


def test_the_tables_link_each_figure_to_its_trace(page: str) -> None:
    tables = re.findall(r'<h2 id="(bieu-\d)">([^<]+)</h2>', page)
    assert [t[0] for t in tables] == ["bieu-1", "bieu-2", "bieu-3", "bieu-4", "bieu-5"]
    assert tables[0][1] == "Phụ lục 1: Chỉ tiêu nhiệm vụ chính trị năm 2023 của Đảng bộ huyện"
    links = _figures(page)
    # a target of a longer period (2020-2025) traces the figure of that period
    assert ("/units/TT/trace?indicator=ntm-nc-ty-le&period=2023&of=2020-2025"
            in links["125%"])
    assert "/units/TT/trace?indicator=dan-so&period=2023" in links["301.200 người"]


def test_the_tab_and_the_downloads(page: str) -> None:
    assert re.search(r'<a href="/units/TT/report\?period=2023" class="on" aria-current="page">'
                     r"Báo cáo</a>", page)
    for ext in ("docx", "pdf", "xlsx", "md"):
        assert f'href="/units/TT/report.{ext}?period=2023&lang=vi"' in page


def test_the_trace_of_thu_co_dinh_lists_its_observations(site: Site) -> None:
    fragment = site.get("thanhtri", "/units/TT/trace?indicator=thu-co-dinh&period=2023",
                        headers={"HX-Request": "true"})
    assert site.status == 200
    assert "<html" not in fragment and "<nav" not in fragment  # a fragment for htmx
    text = _text(fragment)
    assert "Tổng 10 chỉ tiêu thành phần" in text and "857,7" in text
    assert ("Thu từ khu vực doanh nghiệp nhà nước năm 2023 · ước thực hiện 13,1 tỷ đồng"
            in text)  # the period by its label, the figure with its unit
    this_year, last_year = fragment.split("<h4>Cùng kỳ năm trước</h4>")  # the change's base
    assert len(re.findall(r'<tr class="observation" data-unit="" data-period="2023"',
                          this_year)) == 10
    assert len(re.findall(r'<tr class="observation" data-unit="" data-period="2022"',
                          last_year)) == 10
    assert "Số liệu thực hiện năm 2022 (minh họa)" in last_year


def test_the_trace_as_a_page_and_of_a_count(site: Site) -> None:
    page = site.get("thanhtri",
                    "/units/TT/trace?indicator=ntm-nc-ty-le&period=2023&of=2020-2025")
    assert site.status == 200 and "<html" in page
    text = _text(page)
    assert "Về báo cáo" in text and "giai đoạn 2020 - 2025" in text
    assert "Tỷ lệ đơn vị đạt bộ tiêu chí nông thôn mới nâng cao = 15/15 × 100" in text
    assert len(re.findall(r'<tr class="set-result"', page)) == 15
    assert 'href="/units/TT-YENMY/criteria/ntm-nang-cao?period=2023"' in page


@pytest.mark.parametrize(("ext", "media_type"), [
    ("md", "text/markdown; charset=utf-8"),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
])
def test_downloads(site: Site, ext: str, media_type: str) -> None:
    client, _ = site.user("thanhtri")
    response = client.get(f"/units/TT/report.{ext}?period=2023&lang=vi")
    assert response.status_code == 200
    assert response.headers["content-type"] == media_type
    assert response.headers["content-disposition"] == (
        f'attachment; filename="bao-cao-2023-TT.{ext}"')
    if ext == "md":
        assert "Hoàn thành đạt và vượt 18/18" in response.text
    if ext == "xlsx":
        book = load_workbook(io.BytesIO(response.content))
        assert book["Biểu 2 - Kinh tế-văn hóa-xã hội"]["E7"].value == 857.7
    if ext == "docx":
        assert response.content[:2] == b"PK"


def test_the_pdf(site: Site) -> None:
    from tieuchi.reports.pdf import find_soffice

    if find_soffice() is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice is not installed; the PDF tests must run in CI")
        pytest.skip("LibreOffice is not installed")
    client, _ = site.user("thanhtri")
    response = client.get("/units/TT/report.pdf?period=2023&lang=en")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == 'attachment; filename="report-2023-TT.pdf"'
    assert response.content.startswith(b"%PDF")


def test_a_commune_officer_cannot_read_the_districts_report(site: Site) -> None:
    client, _ = site.user("yenmy")
    for url in ("/units/TT/report", "/units/TT/report.xlsx", "/units/TT/report.md",
                "/units/TT/trace?indicator=gtsx&period=2023"):
        assert client.get(url).status_code == 403, url


def test_a_commune_officer_reads_the_communes_report(site: Site) -> None:
    client, _ = site.user("yenmy")
    own = client.get("/units/TT-YENMY/report?period=2023")
    assert own.status_code == 200 and "Xã Yên Mỹ" in html.unescape(own.text)
    issuer = re.search(r'<p class="issuer">([^<]+)</p>\s*<p class="date">([^<]+)</p>',
                       html.unescape(own.text))
    assert issuer is not None  # the commune's own committee, not the district's
    assert issuer.groups() == ("Ủy ban nhân dân xã Yên Mỹ", "Yên Mỹ, ngày 12 tháng 12 năm 2023")
    assert "Đảng bộ huyện" not in html.unescape(own.text)  # the district's groups: not its own
    md = client.get("/units/TT-YENMY/report.md?period=2023").text
    assert md.startswith("**ỦY BAN NHÂN DÂN XÃ YÊN MỸ**") and "Thanh Trì, ngày" not in md
    assert client.get("/units/TT-YENMY/report.xlsx?period=2023").status_code == 200


def test_bad_requests(site: Site) -> None:
    site.get("thanhtri", "/units/TT/report.exe")
    assert site.status == 404
    site.get("thanhtri", "/units/TT/trace?indicator=no-such-thing")
    assert site.status == 404
    site.get("thanhtri", "/units/TT/report.md?lang=fr")
    assert site.status == 422


def test_in_english(site: Site) -> None:
    client, _ = site.user("viewer")
    client.cookies.set("lang", "en")
    text = _text(client.get("/units/TT/report?period=2023").text)
    assert "Report" in text and "Download" in text
    assert "Met or exceeded 18/18" in text
