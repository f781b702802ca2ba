"""The store: one database (SQLite or PostgreSQL) and its repositories, one per aggregate.

:class:`Store` only opens the engine and hands out the repositories, which share one unit of
work (:mod:`tieuchi.store.unit_of_work`):

- ``store.units``: the hierarchy and the definitions (:mod:`tieuchi.store.units`);
- ``store.figures``: figures (:mod:`tieuchi.store.figures`);
- ``store.targets``: targets (:mod:`tieuchi.store.targets`);
- ``store.workflow``: the data sets' states (:mod:`tieuchi.store.workflow`);
- ``store.audit``: the audit log (:mod:`tieuchi.store.audit`);
- ``store.users``: users, tokens and login throttling (:mod:`tieuchi.store.users`);
- ``store.drafts``: draft reports and their comments (:mod:`tieuchi.store.drafts`);
- ``store.narratives``: the reports' narratives (:mod:`tieuchi.store.narratives`);
- ``store.results``: the read model's rows (:mod:`tieuchi.store.results`).

Each repository method is one transaction, unless a unit of work is open
(``with store.session():``): then every repository writes in it, all or nothing. Loading a
folder (:meth:`Store.load`) is such a unit of work.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tieuchi.domain.bundle import Definitions
from tieuchi.store import database
from tieuchi.store.audit import Audit
from tieuchi.store.drafts import Drafts
from tieuchi.store.figures import Figures
from tieuchi.store.narratives import Narratives
from tieuchi.store.results import Results
from tieuchi.store.targets import Targets
from tieuchi.store.unit_of_work import UnitOfWork, now, serialize_load
from tieuchi.store.units import LoadSummary, Units
from tieuchi.store.users import Users
from tieuchi.store.workflow import Workflow

__all__ = ["Store"]


class Store:
    """One database and its repositories."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.work = UnitOfWork(engine)
        self.audit = Audit(self.work)
        self.results = Results(self.work)
        self.units = Units(self.work)
        self.workflow = Workflow(self.work, self.units, self.audit)
        self.figures = Figures(self.work, self.units, self.workflow, self.audit, self.results)
        self.targets = Targets(self.work, self.units, self.workflow, self.audit, self.results)
        self.users = Users(self.work, self.units, self.audit)
        self.drafts = Drafts(self.work, self.audit)
        self.narratives = Narratives(self.work, self.audit)

    @classmethod
    def open(cls, url: str, *, upgrade: bool = True) -> Store:
        """Connect to ``url``; bring its schema up to date unless ``upgrade`` is False."""
        store = cls(database.connect(url))
        if upgrade:
            database.upgrade(store.engine)
        return store

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One unit of work: every repository call inside it shares its transaction,
        committed at the end and rolled back on any error."""
        with self.work.session() as session:
            yield session

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def load(self, defs: Definitions, *, actor: str, reason: str | None = None) -> LoadSummary:
        """Write the definitions and figures of a validated folder in one unit of work.

        New items are added and changed ones updated (changes of targets and figures are
        audited as one batch); what is already there is left as it is, so loading the same
        folder again changes nothing. Items missing from the folder are kept. A figure or a
        target for a unit's data set that is submitted, approved or locked refuses the whole
        load (:class:`~tieuchi.domain.problems.ProblemError`).

        Loads take turns, with each other and with the writes of single values
        (:func:`~tieuchi.store.unit_of_work.serialize_load`): a second load waits for the
        first, then finds what it wrote; after :data:`~tieuchi.store.unit_of_work.LOCK_WAIT`
        seconds it is refused with ``database-busy``.
        """
        summary = LoadSummary()
        with self.session() as s:
            serialize_load(s)
            stamp = now()
            self.units.load(defs, summary)
            summary.count("narratives", *self.narratives.load(defs, by=actor, at=stamp))
            self.audit.record_batch(stamp, actor, "load", reason, {
                "target": self.targets.load(defs, summary),
                "observation": self.figures.load(defs, summary, actor=actor, stamp=stamp)})
            if summary.total:
                self.results.stamp_all()
        return summary
