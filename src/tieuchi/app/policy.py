"""Who may do what where: one policy, ``allowed(actor, action, resource)``.

Every route of the web application and the API declares the :class:`Action` it needs (a test
walks the routes), every command of :class:`tieuchi.app.App` asks this module before it
writes, and the pages ask it which buttons to show. The rules are small functions registered
per action, the way Datasette registers its permission hooks; nothing else in the code base
compares roles.

A resource is a unit, given by its path (the unit, then its parent, up to the top), and, for
a draft report, its author. Roles are scoped to a unit and what lies under it:

- ``admin``: everything within the scope, users included; reopens locked data;
- ``officer``: reads and writes the unit and everything under it; approves the units below;
- ``entry``: reads and writes one unit's data and submits it;
- ``viewer``: reads the unit and everything under it.

The command line acts as :data:`SYSTEM`, an explicit actor that may do everything: whoever
runs it holds the database.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from tieuchi.store.access import Role, User

__all__ = ["Action", "Resource", "System", "SYSTEM", "Actor", "allowed", "refusal", "RULES"]


class Action(StrEnum):
    """What a request does to a unit."""

    PUBLIC = "public"  # no unit: the sign-in page, static files, the language switch
    SIGNED_IN = "signed-in"  # any signed-in user; rows are checked one by one afterwards
    READ = "read"  # see a unit's figures, targets, results and reports
    WRITE = "write"  # enter figures, import files, submit a data set
    APPROVE = "approve"  # approve, return or lock a data set: the level above
    REOPEN = "reopen"  # reopen a locked data set, giving a reason
    MANAGE_TARGETS = "manage-targets"  # assign and allocate targets
    MANAGE_USERS = "manage-users"  # add users and tokens
    READ_DRAFTS = "read-drafts"  # read and comment on draft reports
    WRITE_DRAFT = "write-draft"  # save a draft report for consultation
    MANAGE_DRAFT = "manage-draft"  # save a version, resolve comments, close a draft
    WRITE_NARRATIVE = "write-narrative"  # write a report's narrative (tồn tại, …)


@dataclass(frozen=True)
class System:
    """The command line and other trusted callers: audited under ``name``."""

    name: str = "cli"

    @property
    def username(self) -> str:
        return self.name


SYSTEM = System()

Actor = User | System


@dataclass(frozen=True)
class Resource:
    """A unit, by its path from itself up to the top (empty when the unit does not exist),
    and the author of the draft when the resource is one; or, with ``whole``, the whole
    hierarchy (what a user without a unit works on)."""

    path: tuple[str, ...]
    author: str | None = None
    whole: bool = False

    @classmethod
    def unit(cls, path: Sequence[str], author: str | None = None) -> Resource:
        return cls(tuple(path), author)

    @classmethod
    def everything(cls) -> Resource:
        """The whole hierarchy: only the actors whose scope has no unit reach it."""
        return cls((), whole=True)

    @property
    def code(self) -> str | None:
        return self.path[0] if self.path else None


def _in_scope(user: User, r: Resource) -> bool:
    """The unit lies within the user's scope: for a data-entry officer, their unit only;
    for the other roles, their unit and everything under it; for a user without a unit (an
    administrator), everything. The whole hierarchy is only in the scope of a user without
    a unit."""
    path = r.path
    if r.whole:
        return user.unit is None
    if not path:
        return False
    if user.unit is None:
        return True
    if user.role is Role.ENTRY:
        return path[0] == user.unit
    return user.unit in path


def _read(user: User, r: Resource) -> bool:
    return _in_scope(user, r)


def _write(user: User, r: Resource) -> bool:
    return user.role is not Role.VIEWER and _in_scope(user, r)


def _approve(user: User, r: Resource) -> bool:
    """Approval is by the level above: an officer approves units strictly below their own;
    an administrator anything in scope."""
    if user.role is Role.ADMIN:
        return _in_scope(user, r)
    return user.role is Role.OFFICER and user.unit in r.path[1:]


def _admin(user: User, r: Resource) -> bool:
    return user.role is Role.ADMIN and _in_scope(user, r)


def _officer(user: User, r: Resource) -> bool:
    return user.role in (Role.ADMIN, Role.OFFICER) and _in_scope(user, r)


def _read_drafts(user: User, r: Resource) -> bool:
    """Drafts are read and commented on within the scope, and from the units below: a
    commune's users comment on their district's draft."""
    return bool(r.path) and (_in_scope(user, r) or r.path[0] in user.path[1:])


def _manage_draft(user: User, r: Resource) -> bool:
    """A draft's author manages it while they may read it; officers and administrators of
    the unit always."""
    return _officer(user, r) or (r.author is not None and r.author == user.username
                                 and _read_drafts(user, r))


Rule = Callable[[User, Resource], bool]

RULES: dict[Action, Rule] = {
    Action.PUBLIC: lambda user, r: True,
    Action.SIGNED_IN: lambda user, r: True,
    Action.READ: _read,
    Action.WRITE: _write,
    Action.APPROVE: _approve,
    Action.REOPEN: _admin,
    Action.MANAGE_TARGETS: _officer,
    Action.MANAGE_USERS: _admin,
    Action.READ_DRAFTS: _read_drafts,
    Action.WRITE_DRAFT: _officer,
    Action.MANAGE_DRAFT: _manage_draft,
    Action.WRITE_NARRATIVE: _officer,
}


def allowed(actor: Actor | None, action: Action, resource: Resource | None = None) -> bool:
    """Whether ``actor`` may do ``action`` on ``resource``. Nobody (``None``, not signed in)
    may only do public things; the system actor may do everything."""
    if action is Action.PUBLIC:
        return True
    if actor is None:
        return False
    if isinstance(actor, System):
        return True
    return RULES[action](actor, resource or Resource(()))


# The refusal of each action, in English and Vietnamese ({unit} is the unit's code).
_REFUSALS: dict[Action, tuple[str, str]] = {
    Action.SIGNED_IN: ("sign in or give a bearer token",
                       "cần đăng nhập hoặc gửi mã truy cập (bearer token)"),
    Action.READ: ("you may not see the data of unit {unit}",
                  "bạn không có quyền xem số liệu của đơn vị {unit}"),
    Action.WRITE: ("you may not change the data of unit {unit}",
                   "bạn không có quyền sửa số liệu của đơn vị {unit}"),
    Action.APPROVE: ("only the level above may approve or lock the data of unit {unit}",
                     "chỉ cấp trên mới được phê duyệt hoặc khóa số liệu của đơn vị {unit}"),
    Action.REOPEN: ("only an administrator of unit {unit} may reopen locked data",
                    "chỉ quản trị của đơn vị {unit} mới được mở khóa số liệu"),
    Action.MANAGE_TARGETS: ("you may not set targets for unit {unit}",
                            "bạn không có quyền giao chỉ tiêu cho đơn vị {unit}"),
    Action.MANAGE_USERS: ("only an administrator of unit {unit} may manage its users",
                          "chỉ quản trị của đơn vị {unit} mới được quản lý tài khoản"),
    Action.READ_DRAFTS: ("you may not see the drafts of unit {unit}",
                         "bạn không có quyền xem dự thảo của đơn vị {unit}"),
    Action.WRITE_DRAFT: ("only an officer or administrator of unit {unit} may save its draft",
                         "chỉ cán bộ phụ trách hoặc quản trị của đơn vị {unit} mới được lưu "
                         "dự thảo báo cáo"),
    Action.WRITE_NARRATIVE: ("only an officer or administrator of unit {unit} may write its "
                             "report's narrative",
                             "chỉ cán bộ phụ trách hoặc quản trị của đơn vị {unit} mới được viết "
                             "phần đánh giá, phương hướng của báo cáo"),
    Action.MANAGE_DRAFT: ("only the author of the draft or an officer or administrator of unit "
                          "{unit} may do this",
                          "chỉ người lập dự thảo hoặc cán bộ phụ trách, quản trị của đơn vị "
                          "{unit} mới được thực hiện thao tác này"),
}


def refusal(action: Action, unit: str) -> tuple[str, str]:
    """Why ``action`` on ``unit`` is refused, in English and Vietnamese."""
    en, vi = _REFUSALS.get(action, _REFUSALS[Action.READ])
    return en.format(unit=unit), vi.format(unit=unit)
