"""Users and their roles. Who may do what is the application's policy
(:mod:`tieuchi.app.policy`); this module only says who someone is."""

from __future__ import annotations

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
    only); ``path`` is that unit and its ancestors up to the top (empty without a unit)."""

    id: int
    username: str
    full_name: str
    role: Role
    unit: str | None
    path: tuple[str, ...] = ()
