"""Errors in the user's language: a wrong address answers with a sentence in Vietnamese or
English and a way back, never the framework's or a page's raw English ("unit 'XYZ' does not
exist", "422 / query.indicator: Field required"); the API keeps its one JSON error shape
(docs/api.md)."""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import Site

RAW = re.compile(r"does not exist|Field required|query\.|Not Found|Unprocessable")

# (address, the status it answers with): a page's own 404, the application's unknown unit,
# a missing query parameter, an address no route has, a value of the wrong type
WRONG = [
    ("/units/XYZ/drafts", 404),
    ("/units/XYZ", 404),
    ("/units/TT/history?period=20x3", 422),
    ("/no/such/page", 404),
    ("/units/TT/drafts/abc", 422),
    ("/units/TT/trend?indicator=NO-SUCH-INDICATOR", 404),
]


def _in(site: Site, lang: str) -> None:
    client, _csrf = site.user("thanhtri")
    client.cookies.set("lang", lang)


@pytest.mark.parametrize(("url", "status"), WRONG, ids=[u for u, _s in WRONG])
def test_a_wrong_address_answers_in_vietnamese_with_a_way_back(site: Site, url: str,
                                                               status: int) -> None:
    _in(site, "vi")
    page = site.get("thanhtri", url)
    assert site.status == status
    assert not RAW.search(page), page
    message = re.search(r'<p class="message">(.*?)</p>', page, re.S)
    assert message and re.search(r"[ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđ]",
                                 message.group(1)), page
    assert 'href="/"' in page and "Về trang đầu" in page
    assert '<html lang="vi">' in page


@pytest.mark.parametrize(("url", "status"), WRONG, ids=[u for u, _s in WRONG])
def test_a_wrong_address_answers_in_english_with_a_way_back(site: Site, url: str,
                                                            status: int) -> None:
    _in(site, "en")
    try:
        page = site.get("thanhtri", url)
    finally:
        _in(site, "vi")
    assert site.status == status
    assert not RAW.search(page), page
    message = re.search(r'<p class="message">(.*?)</p>', page, re.S)
    assert message and not re.search(r"[ạảấầậắằặẹếềệịọốồộớờợụứừựđ]", message.group(1)), page
    assert 'href="/"' in page and "Home page" in page
    assert '<html lang="en">' in page


def test_a_page_from_elsewhere_offers_to_go_back_there(site: Site) -> None:
    _in(site, "vi")
    page = site.get("thanhtri", "/units/XYZ/drafts",
                    headers={"Referer": "http://testserver/units/TT/targets"})
    assert 'href="/units/TT/targets"' in page
    page = site.get("thanhtri", "/units/XYZ/drafts",
                    headers={"Referer": "https://elsewhere.example/x"})
    assert "elsewhere" not in page


def test_the_api_keeps_its_error_shape(site: Site) -> None:
    client = site.web.client("thanhtri")
    response = client.get("/api/units/XYZ")
    assert response.status_code == 404
    body = response.json()
    assert body["ok"] is False and body["status"] == 404
    assert {"code", "message", "message_vi", "field", "index", "place"} <= set(body["errors"][0])
    response = client.get("/api/no/such/thing")
    assert response.status_code == 404 and response.json()["errors"][0]["code"] == "not-found"
