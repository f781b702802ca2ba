"""Storage on SQLite and PostgreSQL: tables, Alembic migrations and the :class:`Store`."""

from tieuchi.store.access import Role, User
from tieuchi.store.repository import (
    STATE_NAMES,
    AuditEntry,
    Entry,
    EntryProblem,
    LoadSummary,
    Refused,
    State,
    Store,
    StoreError,
)

__all__ = ["Store", "StoreError", "Refused", "Entry", "EntryProblem", "LoadSummary",
           "AuditEntry", "State", "STATE_NAMES", "Role", "User"]
