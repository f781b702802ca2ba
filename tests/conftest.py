"""Shared fixtures: the reference district, evaluated once per test session; databases on
SQLite and PostgreSQL, each test its own, copied from templates made once per session (per
pytest-xdist worker)."""

from __future__ import annotations

import os
import queue
import secrets
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

# pytest-xdist's workers start with COLUMNS=80, which Rich would fix as the width of the CLI's
# consoles when they are made: without it the width is read at each print, so a test that
# invokes the CLI with env={"COLUMNS": …} gets the width it asks for in every process.
os.environ.pop("COLUMNS", None)

from sqlalchemy.engine import URL, make_url

from tieuchi.definitions import load_definitions
from tieuchi.domain.bundle import Definitions
from tieuchi.engine import Evaluation, evaluate
from tieuchi.store import Store, database

pytest_plugins = ["tests.problem_codes", "tests.scheduling"]

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
def _new_database(backend: str, folder: Path, template: str | None = None) -> Iterator[str]:
    """The URL of a new database: empty, or a copy of the database at ``template`` (a URL
    this function gave, on the same backend, with no connection open). On SQLite a file in
    ``folder``; on PostgreSQL a database made on the server of ``TIEUCHI_TEST_POSTGRES_URL``
    (``CREATE DATABASE … TEMPLATE`` for a copy) and dropped afterwards."""
    if backend == "sqlite":
        path = folder / "t.db"
        if template is not None:
            copy_sqlite(Path(str(make_url(template).database)), path)
        yield f"sqlite:///{path}"
        return
    from psycopg import sql

    name = f"tieuchi_t_{secrets.token_hex(6)}"
    create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template is not None:
        create = sql.SQL("{} TEMPLATE {}").format(create, sql.Identifier(
            str(make_url(template).database)))
    server = _postgres_server()
    made = False
    try:
        with _postgres_admin(server) as admin:  # closed before the test: one less connection
            admin.execute(create)
            made = True
            # A test database need not wait for its commits to reach the disk.
            admin.execute(sql.SQL("ALTER DATABASE {} SET synchronous_commit = off").format(
                sql.Identifier(name)))
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        if made:
            _DROPPER.drop(server, name)


class _Dropper:
    """Drops the tests' PostgreSQL databases in a thread of its own: a ``DROP DATABASE``
    waits for a checkpoint (a second or more on a busy disk), which the next test need not
    wait for. The session's end waits until every database is dropped (:meth:`join`)."""

    def __init__(self) -> None:
        self.queue: queue.Queue[tuple[URL, str] | None] = queue.Queue()
        self.thread: threading.Thread | None = None
        self.errors: list[str] = []

    def drop(self, server: URL, name: str) -> None:
        if self.thread is None:
            self.thread = threading.Thread(target=self._run, name="drop-databases",
                                           daemon=True)
            self.thread.start()
        self.queue.put((server, name))

    def _run(self) -> None:
        import psycopg
        from psycopg import sql

        while (item := self.queue.get()) is not None:
            server, name = item
            try:
                with psycopg.connect(**_psycopg_options(server), autocommit=True) as admin:
                    admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                        sql.Identifier(name)))
            except psycopg.Error as error:
                self.errors.append(f"{name}: {error}")

    def join(self) -> list[str]:
        """Wait for the databases still to drop; what could not be dropped."""
        if self.thread is not None:
            self.queue.put(None)
            self.thread.join()
            self.thread = None
        return self.errors


_DROPPER = _Dropper()


def pytest_sessionfinish(session: pytest.Session) -> None:
    errors = _DROPPER.join()
    if errors:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        print("\nTest databases not dropped:\n" + "\n".join(errors))


def _postgres_server() -> URL:
    """The URL of the server's own database the tests connect to (to make theirs)."""
    server = make_url(os.environ.get("TIEUCHI_TEST_POSTGRES_URL") or POSTGRES_URL)
    if server.drivername == "postgresql":  # SQLAlchemy would take psycopg2, not installed
        server = server.set(drivername="postgresql+psycopg")
    return server


@contextmanager
def _postgres_admin(server: URL) -> Iterator[Any]:
    """A connection to the server (autocommit); without one the test is skipped, except in
    CI (``CI`` set), where it fails."""
    import psycopg

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
    with admin:
        yield admin


class Templates:
    """Databases made once per session (per pytest-xdist worker) and backend, that the
    tests' own databases copy: ``empty`` (the schema up to date) and ``loaded`` (the
    reference district too). Copying is several times faster than migrating and loading."""

    def __init__(self, factory: pytest.TempPathFactory, thanh_tri: Definitions,
                 stack: ExitStack) -> None:
        self.factory, self.thanh_tri, self.stack = factory, thanh_tri, stack
        self.made: dict[tuple[str, str], str] = {}

    def url(self, backend: str, kind: str) -> str:
        """The URL of the template ``kind`` on ``backend``, made when first asked for."""
        if (backend, kind) not in self.made:
            if kind == "empty":
                url = self.stack.enter_context(
                    _new_database(backend, self.factory.mktemp(f"template-{kind}")))
                Store.open(url).engine.dispose()
            else:
                url = self.copy(backend, "empty")
                store = Store.open(url, upgrade=False)
                store.load(self.thanh_tri, actor="test")
                store.engine.dispose()
            self.made[backend, kind] = url
        return self.made[backend, kind]

    def copy(self, backend: str, kind: str) -> str:
        """A new database copied from the template ``kind``, kept to the end of the session
        (for a session or module fixture's own database)."""
        return self.stack.enter_context(_new_database(
            backend, self.factory.mktemp(f"copy-{kind}"), self.url(backend, kind)))


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory,
              thanh_tri: Definitions) -> Iterator[Templates]:
    with ExitStack() as stack:
        yield Templates(tmp_path_factory, thanh_tri, stack)


@pytest.fixture(params=BACKENDS, ids=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Each database test runs on SQLite and on PostgreSQL."""
    return str(request.param)


@pytest.fixture
def database_url(backend: str, tmp_path: Path, _engines: list[Engine]) -> Iterator[str]:
    """The URL of a new, empty database for the test, on SQLite and on PostgreSQL. Without
    a PostgreSQL server the PostgreSQL tests are skipped, except in CI (``CI`` set), where
    they fail."""
    with _new_database(backend, tmp_path) as url:
        try:
            yield url
        finally:
            for engine in _engines:
                engine.dispose()


@contextmanager
def _copied_store(backend: str, kind: str, templates: Templates, folder: Path,
                  engines: list[Engine]) -> Iterator[Store]:
    with _new_database(backend, folder, templates.url(backend, kind)) as url:
        opened = Store.open(url, upgrade=False)
        try:
            yield opened
        finally:
            opened.engine.dispose()
            for engine in engines:
                engine.dispose()


@pytest.fixture
def store(backend: str, templates: Templates, tmp_path: Path,
          _engines: list[Engine]) -> Iterator[Store]:
    """An empty store of the test's own, its schema up to date (a copy of a template)."""
    with _copied_store(backend, "empty", templates, tmp_path, _engines) as opened:
        yield opened


@pytest.fixture
def loaded_store(backend: str, templates: Templates, tmp_path: Path,
                 _engines: list[Engine]) -> Iterator[Store]:
    """A store of the test's own holding the reference district (``thanh_tri``, loaded
    once into a template that this copies)."""
    with _copied_store(backend, "loaded", templates, tmp_path, _engines) as opened:
        yield opened


@pytest.fixture(scope="session", params=BACKENDS, ids=BACKENDS)
def reference_store(request: pytest.FixtureRequest, templates: Templates) -> Iterator[Store]:
    """The reference district, one store per session and backend, for tests that only
    read: never write to it (use ``loaded_store``)."""
    opened = Store.open(templates.copy(request.param, "loaded"), upgrade=False)
    yield opened
    opened.engine.dispose()
