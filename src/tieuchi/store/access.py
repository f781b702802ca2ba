"""Who may do what where: roles, each scoped to a unit and what lies under it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["Role", "User", "ROLE_NAMES"]


class Role(StrEnum):
    ADMIN = "admin"  # everything within the scope, users included; reopens locked data
    OFFICER = "officer"  # reads and writes the unit and everything under it; approves below
    ENTRY = "entry"  # reads and writes one unit's data; submits it
    VIEWER = "viewer"  # reads the unit and everything under it


ROLE_NAMES = {
    "vi": {Role.ADMIN: "Quản trị", Role.OFFICER: "Cán bộ phụ trách",
           Role.ENTRY: "Cán bộ nhập liệu", Role.VIEWER: "Người xem"},
    "en": {Role.ADMIN: "Administrator", Role.OFFICER: "Officer",
           Role.ENTRY: "Data-entry officer", Role.VIEWER: "Viewer"},
}


@dataclass(frozen=True)
class User:
    """A signed-in user. ``unit`` is the scope (None: the whole hierarchy, administrators
    only); ``path`` is that unit and its ancestors, used for checks against a unit's path."""

    id: int
    username: str
    full_name: str
    role: Role
    unit: str | None

    def in_scope(self, path: Sequence[str]) -> bool:
        """Whether the unit whose path (itself, then its ancestors) is ``path`` lies within
        the scope."""
        if self.unit is None:
            return True
        if self.role is Role.ENTRY:
            return bool(path) and path[0] == self.unit
        return self.unit in path

    def can_read(self, path: Sequence[str]) -> bool:
        return self.in_scope(path)

    def can_write(self, path: Sequence[str]) -> bool:
        return self.role is not Role.VIEWER and self.in_scope(path)

    def can_approve(self, path: Sequence[str]) -> bool:
        """Approval is by the level above: an officer approves units strictly below their
        own; an administrator anything in scope."""
        if self.role is Role.ADMIN:
            return self.in_scope(path)
        return self.role is Role.OFFICER and self.unit in path[1:]

    def can_reopen(self, path: Sequence[str]) -> bool:
        return self.role is Role.ADMIN and self.in_scope(path)

    def can_manage_targets(self, path: Sequence[str]) -> bool:
        return self.role in (Role.ADMIN, Role.OFFICER) and self.in_scope(path)

    def can_manage_users(self, path: Sequence[str]) -> bool:
        return self.role is Role.ADMIN and self.in_scope(path)
