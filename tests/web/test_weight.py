"""The weight of a page as a browser downloads it: compressed responses (web/headers.py), and
the trend page with its charts and every asset it loads under 500 KB transferred."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.web.conftest import WebApp

LIMIT = 500_000  # bytes transferred: the page and every asset it loads
GZIP = {"Accept-Encoding": "gzip"}


def _assets(html: str) -> list[str]:
    """The site's own files a page loads: styles, scripts, icons, images."""
    found = re.findall(r'<(?:link|script|img)\b[^>]*\b(?:href|src)="(/[^"]+)"', html)
    return list(dict.fromkeys(found))


def _transferred(client: TestClient, url: str) -> tuple[int, str]:
    """The bytes that come over the wire for ``url`` (compressed), and their encoding."""
    response = client.get(url, headers=GZIP)
    assert response.status_code == 200, url
    return response.num_bytes_downloaded, response.headers.get("content-encoding", "")


def test_the_trend_page_and_its_assets_weigh_under_500_kb(web: WebApp) -> None:
    client, _ = web.login("thanhtri")
    url = "/units/TT/trend?period=2023&indicator=thu-nhap-bq"
    page = client.get(url)
    assert page.status_code == 200 and 'id="trend-units"' in page.text
    total, encoding = _transferred(client, url)
    assert encoding == "gzip"
    assets = _assets(page.text)
    assert "/static/app.css" in assets and "/static/htmx.min.js" in assets
    for asset in assets:
        size, encoding = _transferred(client, asset)
        assert encoding == "gzip" or size < 1000, asset
        total += size
    assert total < LIMIT, f"{total} bytes"
    assert total < 100_000  # today: ~30 KB


def test_a_small_response_is_not_compressed(web: WebApp) -> None:
    response = web.anonymous().get("/healthz", headers=GZIP)
    assert response.json() == {"ok": True} and "content-encoding" not in response.headers


def test_without_accept_encoding_nothing_is_compressed(web: WebApp) -> None:
    client, _ = web.login("thanhtri")
    response = client.get("/static/app.css", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in response.headers
    assert response.num_bytes_downloaded == len(response.content)
