"""One unit of work: the transaction the repositories of a store share.

Every repository method runs in :meth:`UnitOfWork.session`. Outside a unit of work that is a
transaction of its own, committed at the end and rolled back on any error. Inside one (a
command that opened ``with store.session():``) it is that same session: the figures, their
audit and the read model's versions written by several repositories are committed together,
or not at all. The open session is held in a context variable, so each thread and each task
has its own.

Writers of the same values take turns (:func:`serialize`): what a write reads as "old" (for
its audit and its compare-and-set) is what is there until it commits. A bulk load takes its
turn against every writer and every other load (:func:`serialize_load`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from tieuchi.domain.problems import ProblemError, problem

__all__ = ["UnitOfWork", "Repository", "now", "aware", "chunks", "CHUNK", "LOCK_WAIT",
           "serialize", "serialize_load"]

CHUNK = 500
"""Codes per ``IN (…)`` of one query: a province's units are read in a few queries."""

T = TypeVar("T")


def now() -> datetime:
    return datetime.now(UTC)


def aware(value: datetime) -> datetime:
    """SQLite gives back naive datetimes; every time stored is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


LOCK_WAIT = 30.0
"""Seconds a writer waits for the values it writes while another holds them (a load holds
every value for its whole run) before it is refused with ``database-busy``."""

# The two 32-bit keys of the load's advisory lock on PostgreSQL (values take one 64-bit key
# each: the two kinds of keys never meet).
_LOAD_LOCK = (0x74696575, 1)


def serialize(s: Session, entity: str, names: Iterable[str]) -> None:
    """Take, to the end of ``s``'s transaction, the write lock of each value ``names`` of
    ``entity`` (a figure's or a target's audit key), and a share of the load's: a second
    writer of one of those values waits until this transaction ends, then reads what it
    wrote; a load waits for every writer, and they for it.

    PostgreSQL: advisory transaction locks, one per value (a key that does not exist yet is
    locked too: two first writes of a figure take turns), taken in the order of their keys so
    that two writers never wait for each other. SQLite: the database's one write lock
    (``BEGIN IMMEDIATE``), which covers every value. Waiting more than :data:`LOCK_WAIT`
    seconds raises ``database-busy``. Call it before reading what the write replaces."""
    if _is_sqlite(s):
        _sqlite_write_lock(s)
        return
    keys = sorted({_lock_key(f"{entity}\x1f{name}") for name in names})
    with _postgres_wait(s) as connection:
        connection.execute(text("SELECT pg_advisory_xact_lock_shared(:a, :b)"),
                           dict(zip("ab", _LOAD_LOCK, strict=True)))
        if keys:
            connection.execute(text(
                "SELECT count(pg_advisory_xact_lock(k)) FROM (SELECT unnest(CAST(:keys AS "
                "bigint[])) AS k ORDER BY k) AS ordered"), {"keys": keys})


def serialize_load(s: Session) -> None:
    """Take, to the end of ``s``'s transaction, the load's lock: a load (or a workflow step)
    waits for the other loads and steps and every writer (:func:`serialize`) to end, and
    they wait for it. Waiting more
    than :data:`LOCK_WAIT` seconds raises ``database-busy``."""
    if _is_sqlite(s):
        _sqlite_write_lock(s)
        return
    with _postgres_wait(s) as connection:
        connection.execute(text("SELECT pg_advisory_xact_lock(:a, :b)"),
                           dict(zip("ab", _LOAD_LOCK, strict=True)))


def _is_sqlite(s: Session) -> bool:
    return s.get_bind().dialect.name == "sqlite"


def _lock_key(name: str) -> int:
    """A 64-bit advisory lock key for ``name`` (two names that share one only take turns)."""
    digest = hashlib.blake2b(name.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _busy() -> ProblemError:
    return ProblemError([problem("database-busy", {"seconds": f"{LOCK_WAIT:g}"})])


def _sqlite_write_lock(s: Session) -> None:
    """SQLite's write lock for the rest of the transaction: ``BEGIN IMMEDIATE`` unless the
    transaction holds it already (it has written: the driver begins a transaction at the
    first write only)."""
    connection = s.connection()
    driver = connection.connection.driver_connection
    if driver is None or driver.in_transaction:
        return
    connection.exec_driver_sql(f"PRAGMA busy_timeout = {int(LOCK_WAIT * 1000)}")
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    except OperationalError as error:
        if "locked" not in str(error.orig):
            raise
        raise _busy() from None


@contextmanager
def _postgres_wait(s: Session) -> Iterator[Connection]:
    """The session's connection, its lock waits bounded by :data:`LOCK_WAIT` seconds
    (``database-busy`` after that) while the block runs."""
    connection = s.connection()
    connection.exec_driver_sql(f"SET LOCAL lock_timeout = {int(LOCK_WAIT * 1000)}")
    try:
        yield connection
    except DBAPIError as error:
        if getattr(error.orig, "sqlstate", None) != "55P03":  # lock_not_available
            raise
        raise _busy() from None
    connection.exec_driver_sql("SET LOCAL lock_timeout TO DEFAULT")


class UnitOfWork:
    """The sessions of one engine: one transaction per unit of work, however many
    repositories take part in it."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._factory = sessionmaker(engine, expire_on_commit=False)
        self._current: ContextVar[Session | None] = ContextVar(
            f"tieuchi_session_{id(self)}", default=None)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """The open unit of work's session, or a new transaction: committed at the end,
        rolled back on any error."""
        current = self._current.get()
        if current is not None:
            yield current
            return
        with self._factory() as session, session.begin():
            token = self._current.set(session)
            try:
                yield session
            finally:
                self._current.reset(token)


class Repository:
    """The storage of one aggregate, in the shared unit of work."""

    def __init__(self, work: UnitOfWork) -> None:
        self._work = work

    def _session(self) -> AbstractContextManager[Session]:
        """The unit of work's session (see :meth:`UnitOfWork.session`)."""
        return self._work.session()
