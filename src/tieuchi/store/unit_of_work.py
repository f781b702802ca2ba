"""One unit of work: the transaction the repositories of a store share.

Every repository method runs in :meth:`UnitOfWork.session`. Outside a unit of work that is a
transaction of its own, committed at the end and rolled back on any error. Inside one (a
command that opened ``with store.session():``) it is that same session: the figures, their
audit and the read model's versions written by several repositories are committed together,
or not at all. The open session is held in a context variable, so each thread and each task
has its own.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

__all__ = ["UnitOfWork", "Repository", "now", "aware", "chunks", "CHUNK"]

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
