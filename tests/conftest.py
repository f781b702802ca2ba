"""Shared fixtures: the reference district, evaluated once per test session; databases on
SQLite and PostgreSQL, each test its own."""

from __future__ import annotations

import os
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import URL, make_url

from tieuchi.definitions import load_definitions
from tieuchi.domain.bundle import Definitions
from tieuchi.engine import Evaluation, evaluate
from tieuchi.store import Store, database

pytest_plugins = ["tests.problem_codes"]

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "thanh-tri-2023"

# The PostgreSQL server the tests create their databases on (trust authentication).
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BACKENDS = ["sqlite", "postgresql"]


def copy_sqlite(source: Path, target: Path) -> None:
    """Copy a SQLite database (WAL included) with the backup API: a test's own copy of a
    database made once."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


@pytest.fixture(scope="session")
def thanh_tri() -> Definitions:
    return load_definitions(EXAMPLE)


@pytest.fixture(scope="session")
def thanh_tri_2023(thanh_tri: Definitions) -> Evaluation:
    return evaluate(thanh_tri, "2023")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--snapshot-update", action="store_true",
                     help="rewrite tests/snapshots/ from the current outputs")


# ---------------------------------------------------------------------- databases


def _psycopg_options(url: URL) -> dict[str, Any]:
    """Keyword arguments of ``psycopg.connect`` for a SQLAlchemy URL."""
    options: dict[str, Any] = {"dbname": url.database, "user": url.username,
                               "password": url.password, "host": url.host, "port": url.port,
                               "connect_timeout": 5}
    options.update(url.query)
    return {k: v for k, v in options.items() if v is not None}


@pytest.fixture
def _engines(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Engine]]:
    """Every engine the test makes through :func:`tieuchi.store.database.connect`, disposed
    at teardown (a pooled connection left open makes DROP DATABASE wait)."""
    made: list[Engine] = []
    connect = database.connect

    def recording(url: str) -> Engine:
        engine = connect(url)
        made.append(engine)
        return engine

    monkeypatch.setattr(database, "connect", recording)
    yield made
    for engine in made:
        engine.dispose()


@contextmanager
def _new_database(backend: str, folder: Path) -> Iterator[str]:
    """The URL of a new, empty database: a SQLite file in ``folder``, or a database made on
    the PostgreSQL server of ``TIEUCHI_TEST_POSTGRES_URL`` and dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{folder}/t.db"
        return
    import psycopg
    from psycopg import sql

    server = make_url(os.environ.get("TIEUCHI_TEST_POSTGRES_URL") or POSTGRES_URL)
    if server.drivername == "postgresql":  # SQLAlchemy would take psycopg2, not installed
        server = server.set(drivername="postgresql+psycopg")
    reason: str | None = None
    try:
        admin = psycopg.connect(**_psycopg_options(server), autocommit=True)
    except psycopg.OperationalError as error:
        reason = " ".join(str(error).split())
    if reason is not None:
        message = (f"PostgreSQL at {server.render_as_string(hide_password=True)} cannot be "
                   f"reached ({reason}); set TIEUCHI_TEST_POSTGRES_URL")
        if os.environ.get("CI"):
            pytest.fail(f"{message}. PostgreSQL tests must run in CI.", pytrace=False)
        pytest.skip(message)
    name = f"tieuchi_t_{secrets.token_hex(6)}"
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield server.set(database=name).render_as_string(hide_password=False)
        finally:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)))


@pytest.fixture(params=BACKENDS, ids=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path,
                 _engines: list[Engine]) -> Iterator[str]:
    """The URL of a new, empty database for the test, on SQLite and on PostgreSQL. Without
    a PostgreSQL server the PostgreSQL tests are skipped, except in CI (``CI`` set), where
    they fail."""
    with _new_database(request.param, tmp_path) as url:
        try:
            yield url
        finally:
            for engine in _engines:
                engine.dispose()


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    """An empty store, its schema up to date."""
    opened = Store.open(database_url)
    yield opened
    opened.engine.dispose()


@pytest.fixture
def loaded_store(store: Store, thanh_tri: Definitions) -> Store:
    """A store holding the reference district (``thanh_tri`` is ``load_definitions(EXAMPLE)``,
    read once per session)."""
    store.load(thanh_tri, actor="test")
    return store


@pytest.fixture(scope="session", params=BACKENDS, ids=BACKENDS)
def reference_store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
                    thanh_tri: Definitions) -> Iterator[Store]:
    """The reference district loaded once per session and backend, for tests that only
    read: never write to it (use ``loaded_store``)."""
    with _new_database(request.param, tmp_path_factory.mktemp("reference")) as url:
        opened = Store.open(url)
        try:
            opened.load(thanh_tri, actor="test")
            yield opened
        finally:
            opened.engine.dispose()
