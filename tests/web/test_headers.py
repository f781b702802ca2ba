"""The web's defences on every response (web/headers.py): security headers, a CSP that runs
no inline script, the limit on request bodies, and API documentation that fetches nothing
from the internet."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tieuchi.settings import Settings
from tieuchi.store import Store
from tieuchi.web.app import create_app
from tieuchi.web.headers import DOCS_ASSETS, content_policy, inline_scripts

TEMPLATES = Path(__file__).parents[2] / "src" / "tieuchi" / "web" / "templates"


def _client(**settings: object) -> TestClient:
    """An app over a database never opened: these requests need none."""
    app = create_app(Store.open("sqlite://", upgrade=False),
                     Settings(_env_file=None, secret_key="headers-only", **settings))
    return TestClient(app)


def test_the_policy_runs_scripts_of_the_site_only() -> None:
    policy = dict(d.split(" ", 1) for d in content_policy(["x = 1"]).split("; "))
    assert policy["script-src"].startswith("'self' 'sha256-")
    assert "unsafe" not in policy["script-src"] and "*" not in policy["script-src"]
    assert policy["default-src"] == "'self'" and policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    assert "http" not in content_policy()


@pytest.mark.parametrize("template", sorted(p.name for p in TEMPLATES.glob("*.html")))
def test_templates_have_no_inline_script(template: str) -> None:
    """What the policy would block: an inline <script> (other than a JSON data block) or
    an on…= handler attribute. Page code lives in static/*.js."""
    text = (TEMPLATES / template).read_text(encoding="utf-8")
    scripts = re.findall(r"<script\b([^>]*)>", text)
    inline = [a for a in scripts if "src=" not in a and 'type="application/json"' not in a]
    assert not inline, f"{template}: inline <script{inline[0]}>"
    handlers = re.findall(r"\son[a-z]+\s*=", text)
    assert not handlers, f"{template}: event handler attribute {handlers[0].strip()}"


@pytest.mark.parametrize("url", ["/login", "/healthz", "/api/openapi.json", "/static/app.js",
                                 "/api/units", "/no-such-page", DOCS_ASSETS + "/swagger-ui.css"])
def test_every_response_has_the_security_headers(url: str) -> None:
    response = _client().get(url)
    headers = response.headers
    assert headers["content-security-policy"] == content_policy(
        inline_scripts(_client().get("/api/docs").text))
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert "strict-transport-security" not in headers


def test_hsts_when_cookies_are_https_only() -> None:
    response = _client(secure_cookies=True).get("/login")
    assert response.headers["strict-transport-security"] == "max-age=31536000"


def test_the_api_docs_are_served_from_the_package() -> None:
    """Swagger UI from the installed package, not a CDN; its one inline script is allowed
    by its hash, nothing else."""
    client = _client()
    page = client.get("/api/docs")
    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith("/") for s in sources), sources
    for source in sources:
        assert client.get(source).status_code == 200, source
    [script] = inline_scripts(page.text)
    assert "SwaggerUIBundle" in script
    assert content_policy([script]) == page.headers["content-security-policy"]


@pytest.mark.parametrize("api", [True, False], ids=["api", "page"])
@pytest.mark.parametrize("chunked", [False, True], ids=["declared", "chunked"])
def test_a_body_over_the_limit_is_refused_with_413(api: bool, chunked: bool) -> None:
    """A body over TIEUCHI_MAX_REQUEST_MB: 413 in the one error shape (the API's JSON, the
    error page), whether its length is declared or it comes in chunks."""
    client = _client(max_request_mb=1)
    body = b"x" * (2**20 + 1)
    content = iter([body[:2**19], body[2**19:]]) if chunked else body
    url = "/api/observations" if api else "/login"
    kind = "application/json" if api else "application/x-www-form-urlencoded"
    response = client.post(url, content=content, headers={"content-type": kind})
    assert response.status_code == 413
    if api:
        assert response.json() == {"ok": False, "status": 413, "errors": [{
            "code": "request-too-large", "field": None, "index": None, "place": "",
            "message": "the request is larger than 1 MB; send less at once (a file: split it)",
            "message_vi": "yêu cầu gửi lên lớn hơn 1 MB; hãy gửi ít hơn mỗi lần (tệp: chia "
                          "nhỏ tệp)"}]}
    else:
        assert "Yêu cầu gửi lên lớn hơn 1 MB" in response.text  # a sentence on the page


def test_a_body_within_the_limit_is_read() -> None:
    client = _client(max_request_mb=1)
    response = client.post("/login", data={"username": "x" * 1000, "password": "y"})
    assert response.status_code == 403  # read, then refused for its missing CSRF token
