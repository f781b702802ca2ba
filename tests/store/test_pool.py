"""The connection pool: sized by the settings; when it is exhausted the web answers 503 with
Retry-After (the API in its one error shape, pages with an error page), never 500."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.store.helpers import PASSWORD
from tests.web.conftest import login
from tieuchi.settings import Settings
from tieuchi.store import Store
from tieuchi.store.database import connect, upgrade
from tieuchi.web.app import RETRY_AFTER, create_app

# One connection, no overflow, a short wait: holding the connection exhausts the pool.
TINY = Settings(pool_size=1, pool_max_overflow=0, pool_timeout=0.2, secret_key="tests-only")


@pytest.fixture
def tiny_store(database_url: str) -> Iterator[Store]:
    # ``connect`` as imported here, not the recording one of tests/conftest.py (which takes
    # the URL alone): this engine is disposed below.
    store = Store(connect(database_url, TINY))
    upgrade(store.engine)
    yield store
    store.engine.dispose()


def test_the_pool_is_sized_by_the_settings(tiny_store: Store) -> None:
    pool = tiny_store.engine.pool
    assert (pool.size(), pool.timeout()) == (1, 0.2)  # type: ignore[attr-defined]
    defaults = Settings()
    pool = connect(str(tiny_store.engine.url.render_as_string(hide_password=False)),
                   defaults).pool
    assert pool.size() == defaults.pool_size  # type: ignore[attr-defined]


def test_an_exhausted_pool_answers_503_with_retry_after(tiny_store: Store) -> None:
    tiny_store.users.add("admin", PASSWORD, role="admin", unit=None)
    client = TestClient(create_app(tiny_store, TINY), raise_server_exceptions=False)
    login(client, "admin")
    api = {"Authorization": "Bearer some-token"}
    with tiny_store.engine.connect():  # the only connection, held
        answer = client.get("/api/units", headers=api)
        page = client.get("/", follow_redirects=False)
        client.cookies.set("lang", "en")
        english = client.get("/", follow_redirects=False)
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == str(RETRY_AFTER)
    body = answer.json()
    assert body["ok"] is False and body["status"] == 503
    [error] = body["errors"]
    assert error["code"] == "busy"
    assert "kết nối cơ sở dữ liệu" in error["message_vi"]
    assert "database connection" in error["message"]
    assert page.status_code == 503 and page.headers["Retry-After"] == str(RETRY_AFTER)
    assert "text/html" in page.headers["content-type"]
    assert "Máy chủ đang bận" in page.text
    assert english.status_code == 503 and "Server busy" in english.text
    # Once the connection is back, the same requests are answered as usual.
    assert client.get("/api/units", headers=api).status_code == 401
    assert client.get("/", follow_redirects=False).status_code != 503
