"""Storage on SQLite and PostgreSQL: tables, Alembic migrations, and the :class:`Store` that
hands out one repository per aggregate, sharing one unit of work."""

from tieuchi.domain.workflow import STATE_NAMES, State
from tieuchi.store.access import Role, User
from tieuchi.store.audit import AuditEntry
from tieuchi.store.figures import UNCHECKED, Entry, Expected, Stale, StaleFigures
from tieuchi.store.repository import Store
from tieuchi.store.unit_of_work import now
from tieuchi.store.units import LoadSummary
from tieuchi.store.users import Token

__all__ = ["Store", "Entry", "Expected", "UNCHECKED", "Stale", "StaleFigures", "LoadSummary",
           "AuditEntry", "State", "STATE_NAMES", "Role", "User", "Token", "now"]
