"""Fixtures of the web tests: the application over a SQLite copy of the reference district,
with a user (and an API token) of every role.

The district is loaded, and the users are made, once per test session into a template
database, on SQLite and on PostgreSQL; each app gets its own copy of it (a file copy, or
``CREATE DATABASE … TEMPLATE``), and ``web`` and ``fresh_web`` run each test on both
backends, so:

- ``web`` (module scope) is one app per test module, shared by its tests: read from it, or
  write only data the test owns (a period or a target key no other test of the module uses);
- ``fresh_web`` (function scope) is an app of its own for a test that changes shared data
  (a workflow step on the district, a figure another test reads).

Users (password :data:`PASSWORD`), by role and unit:

========== ======== ============ ====================================
user       role     unit         scope
========== ======== ============ ====================================
admin      admin    (none)       everything
hn         officer  HN           Hà Nội and everything under it
thanhtri   officer  TT           Thanh Trì and everything under it
viewer     viewer   TT           reads Thanh Trì and below, writes nothing
yenmy      entry    TT-YENMY     the commune Yên Mỹ only
daiang     entry    TT-DAIANG    the commune Đại Áng only
========== ======== ============ ====================================

``web.client("yenmy")`` is a TestClient sending yenmy's API token; ``web.login("yenmy")``
signs a TestClient in through the login form (session cookie) and gives its CSRF token,
to send as ``X-CSRF-Token``; ``web.anonymous()`` has no credentials.

For the HTML pages, :class:`Site` is a browser per user over an app: ``site`` (module
scope, over ``web``) and ``own_site`` (function scope, over ``fresh_web``).
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import Templates, _new_database
from tieuchi.settings import Settings
from tieuchi.store import Store
from tieuchi.web.app import create_app

__all__ = ["PASSWORD", "USERS", "Site", "WebApp", "login", "session_csrf"]

PASSWORD = "password123"
BACKENDS = ["sqlite", "postgresql"]

# username → (role, unit)
USERS: dict[str, tuple[str, str | None]] = {
    "admin": ("admin", None),
    "hn": ("officer", "HN"),
    "thanhtri": ("officer", "TT"),
    "viewer": ("viewer", "TT"),
    "yenmy": ("entry", "TT-YENMY"),
    "daiang": ("entry", "TT-DAIANG"),
}

SECRET_KEY = "tests-only-secret-key"

_CSRF_FIELD = re.compile(r'name="csrf_token"\s+value="([^"]+)"')


@dataclass(frozen=True)
class WebTemplate:
    """The database every app copies (the URL of a copy of the reference district with the
    users), and the API token of each user."""

    url: str
    tokens: dict[str, str]


@dataclass
class WebApp:
    """An application over its own copy of the reference district."""

    app: FastAPI
    store: Store
    tokens: dict[str, str]  # username → API token

    def client(self, username: str) -> TestClient:
        """A client sending the user's API token (``Authorization: Bearer tc_…``)."""
        return TestClient(self.app, headers={
            "Authorization": f"Bearer {self.tokens[username]}"})

    def anonymous(self) -> TestClient:
        return TestClient(self.app)

    def login(self, username: str, password: str = PASSWORD) -> tuple[TestClient, str]:
        """A client signed in through the login form, and its session's CSRF token."""
        client = TestClient(self.app)
        return client, login(client, username, password)


def session_csrf(client: TestClient) -> str:
    """The CSRF token of the client's session: the signed cookie's payload (base64 JSON
    before the first dot) is readable; only its signature is secret."""
    cookie = client.cookies.get("tieuchi_session")
    assert cookie, "no session cookie"
    payload = cookie.split(".")[0]
    data = json.loads(base64.b64decode(payload + "=" * (-len(payload) % 4)))
    token = data.get("csrf")
    assert isinstance(token, str), f"the session has no CSRF token: {sorted(data)}"
    return token


def login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Sign ``client`` in as a browser does (GET /login, read the form's hidden CSRF token,
    POST the form); returns the CSRF token of the new session (signing in makes a new one)."""
    page = client.get("/login")
    assert page.status_code == 200, page.text
    found = _CSRF_FIELD.search(page.text)
    assert found, "no csrf_token field in the login form"
    response = client.post("/login", data={
        "username": username, "password": password, "csrf_token": found.group(1), "next": "/",
    }, follow_redirects=False)
    assert response.status_code == 303, f"login of {username} failed: {response.status_code}"
    return session_csrf(client)


@dataclass
class Site:
    """The HTML pages of an app as its users see them in a browser: a client per user,
    signed in through the login form when first used, that sends its form posts with the
    session's CSRF token. ``get`` and ``post`` give the page unescaped and keep its HTTP
    status in ``status``."""

    web: WebApp
    clients: dict[str, tuple[TestClient, str]] = field(default_factory=dict)
    status: int = 0

    @property
    def store(self) -> Store:
        return self.web.store

    def user(self, username: str) -> tuple[TestClient, str]:
        """The user's signed-in client and its CSRF token."""
        if username not in self.clients:
            self.clients[username] = self.web.login(username)
        return self.clients[username]

    def get(self, username: str, url: str, headers: dict[str, str] | None = None) -> str:
        response = self.user(username)[0].get(url, headers=headers)
        self.status = response.status_code
        return html.unescape(response.text)

    def post(self, username: str, url: str, data: dict[str, str]) -> str:
        """Post a form as the user, its CSRF token included."""
        client, token = self.user(username)
        response = client.post(url, data={"csrf_token": token, **data})
        self.status = response.status_code
        return html.unescape(response.text)


@pytest.fixture(scope="session")
def web_templates(templates: Templates) -> dict[str, WebTemplate]:
    """Per backend, made when first used: the reference district (a copy of the session's
    template), the users and their tokens."""

    class Made(dict[str, WebTemplate]):
        def __missing__(self, backend: str) -> WebTemplate:
            url = templates.copy(backend, "loaded")
            store = Store.open(url, upgrade=False)
            tokens = {}
            for username, (role, unit) in USERS.items():
                store.users.add(username, PASSWORD, role=role, unit=unit)
                tokens[username] = store.users.add_token(username, "tests")
            store.engine.dispose()
            self[backend] = WebTemplate(url, tokens)
            return self[backend]

    return Made()


@contextmanager
def _app_on(backend: str, templates: dict[str, WebTemplate], folder: Path) -> Iterator[WebApp]:
    """An app over a new copy of the backend's web template."""
    template = templates[backend]
    with _new_database(backend, folder, template.url) as url:
        store = Store.open(url, upgrade=False)
        settings = Settings(_env_file=None, secret_key=SECRET_KEY)
        try:
            yield WebApp(create_app(store, settings), store, dict(template.tokens))
        finally:
            store.engine.dispose()


@pytest.fixture(scope="module", params=BACKENDS, ids=BACKENDS)
def web(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
        web_templates: dict[str, WebTemplate]) -> Iterator[WebApp]:
    """One app for the test module, over its own copy of the district, on each backend."""
    with _app_on(request.param, web_templates, tmp_path_factory.mktemp("web")) as app:
        yield app


@pytest.fixture
def fresh_web(backend: str, tmp_path: Path,
              web_templates: dict[str, WebTemplate]) -> Iterator[WebApp]:
    """An app of the test's own, for tests that change shared data, on each backend."""
    with _app_on(backend, web_templates, tmp_path) as app:
        yield app


@pytest.fixture(scope="module")
def site(web: WebApp) -> Site:
    """The pages of the module's app (``web``): for tests that change nothing, or only data
    of their own."""
    return Site(web)


@pytest.fixture
def own_site(fresh_web: WebApp) -> Site:
    """The pages of an app of the test's own (``fresh_web``): for tests that change data."""
    return Site(fresh_web)
