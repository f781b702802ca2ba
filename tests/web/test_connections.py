"""Pooled connections are not pinged before use (tieuchi.store.database): one the server has
closed answers 503 with Retry-After, once, and the next request reconnects."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from tests.store.helpers import PASSWORD
from tests.web.conftest import login
from tieuchi.settings import Settings
from tieuchi.store import Store
from tieuchi.store.database import connect, upgrade
from tieuchi.web.app import RETRY_AFTER, create_app

ONE = Settings(pool_size=1, pool_max_overflow=0, secret_key="tests-only")


@pytest.fixture
def one_connection(database_url: str) -> Iterator[Store]:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no server to close a connection")
    store = Store(connect(database_url, ONE))
    upgrade(store.engine)
    yield store
    store.engine.dispose()


def test_a_dropped_connection_answers_503_then_reconnects(one_connection: Store) -> None:
    store = one_connection
    assert store.engine.pool._pre_ping is False  # type: ignore[attr-defined]
    store.users.add("admin", PASSWORD, role="admin", unit=None)
    client = TestClient(create_app(store, ONE), raise_server_exceptions=False)
    login(client, "admin")
    assert client.get("/", follow_redirects=False).status_code == 200
    with store.engine.connect() as pooled:  # the pool's one connection: its server process
        pid = pooled.scalar(text("select pg_backend_pid()"))
    other = create_engine(store.engine.url.render_as_string(hide_password=False),
                          isolation_level="AUTOCOMMIT")
    with other.connect() as admin:
        assert admin.scalar(text("select pg_terminate_backend(:pid)"), {"pid": pid})
    other.dispose()
    dropped = client.get("/", follow_redirects=False)
    assert dropped.status_code == 503 and dropped.headers["Retry-After"] == str(RETRY_AFTER)
    assert client.get("/", follow_redirects=False).status_code == 200
