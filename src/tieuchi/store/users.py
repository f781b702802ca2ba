"""Users, their API tokens and the throttling of failed logins; and the key that signs
session cookies when none is configured."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, or_, select

from tieuchi.domain.problems import Problem, ProblemError
from tieuchi.store.access import Role, User
from tieuchi.store.audit import Audit
from tieuchi.store.tables import LoginAttemptRow, Meta, TokenRow, UnitRow, UserRow
from tieuchi.store.unit_of_work import Repository, UnitOfWork, now
from tieuchi.store.units import Units, unknown_unit

__all__ = ["Users", "MIN_PASSWORD"]

MIN_PASSWORD = 8

_hasher = PasswordHasher()


class Users(Repository):
    """Who may sign in, with what, and how often they failed."""

    def __init__(self, work: UnitOfWork, units: Units, audit: Audit) -> None:
        super().__init__(work)
        self._units, self._audit = units, audit

    def secret(self) -> str:
        """The key that signs session cookies when none is configured, made once."""
        with self._session() as s:
            row = s.get(Meta, "secret")
            if row is None:
                row = Meta(key="secret", value={"key": secrets.token_urlsafe(48)})
                s.add(row)
            return str(row.value["key"])

    def add(self, username: str, password: str, *, role: Role | str, unit: str | None,
            full_name: str | None = None, actor: str = "cli") -> User:
        role = Role(role)
        problems = []
        if len(password) < MIN_PASSWORD:
            problems.append(Problem("weak-password",
                                    f"a password has at least {MIN_PASSWORD} characters",
                                    f"mật khẩu cần ít nhất {MIN_PASSWORD} ký tự",
                                    field="password"))
        if unit is None and role is not Role.ADMIN:
            problems.append(Problem("missing-unit", "only an administrator may have no unit",
                                    "chỉ quản trị hệ thống mới không gắn với đơn vị",
                                    field="unit"))
        with self._session() as s:
            if unit is not None and s.get(UnitRow, unit) is None:
                problems.append(unknown_unit(unit))
            if s.scalar(select(UserRow).where(UserRow.username == username)) is not None:
                problems.append(Problem("duplicate-user", f"user '{username}' already exists",
                                        f"tài khoản '{username}' đã có", field="username"))
            if problems:
                raise ProblemError(problems)
            row = UserRow(username=username, full_name=full_name or username,
                          password_hash=_hasher.hash(password), role=role.value, unit=unit,
                          active=True, created_at=now())
            s.add(row)
            s.flush()
            self._audit.record(now(), actor, "add", "user", username, unit, None,
                               {"role": role.value, "unit": unit}, None)
            return self._user(row)

    def _user(self, row: UserRow, path_of: Callable[[str], list[str]] | None = None) -> User:
        """The user of ``row``, with the path of their unit (for the policy's rules), read by
        ``path_of`` when given (a cache of the caller's), else from the units."""
        path = tuple((path_of or self._units.path)(row.unit)) if row.unit else ()
        return User(row.id, row.username, row.full_name, Role(row.role), row.unit, path)

    def all(self, within: str | None = None) -> list[User]:
        """Every user (those whose unit lies within ``within``, when given), by name."""
        with self._session() as s:
            users = [self._user(r) for r in s.scalars(select(UserRow).order_by(
                UserRow.username))]
        if within is None:
            return users
        return [u for u in users if u.unit and within in u.path]

    def get(self, user_id: int, path_of: Callable[[str], list[str]] | None = None
            ) -> tuple[User, str] | None:
        """The user and a fingerprint of their password hash, which a session carries so that
        a password change ends old sessions; ``path_of`` as for :meth:`_user`."""
        with self._session() as s:
            row = s.get(UserRow, user_id)
            if row is None or not row.active:
                return None
            return self._user(row, path_of), _fingerprint(row.password_hash)

    def authenticate(self, username: str, password: str, address: str, *, limit: int,
                     window: timedelta) -> User | None:
        """The user when the password is right; records the attempt. Raises
        :class:`~tieuchi.domain.problems.ProblemError` (``too-many-logins``) when the user
        name or the address failed ``limit`` times within ``window``."""
        stamp = now()
        with self._session() as s:
            since = stamp - window
            failures = s.scalar(select(func.count()).select_from(LoginAttemptRow).where(
                LoginAttemptRow.at >= since, LoginAttemptRow.ok.is_(False),
                or_(LoginAttemptRow.username == username, LoginAttemptRow.address == address)))
            if (failures or 0) >= limit:
                minutes = int(window.total_seconds() // 60)
                raise ProblemError([Problem(
                    "too-many-logins", f"too many failed logins; try again in {minutes} minutes",
                    f"đăng nhập sai quá nhiều lần; thử lại sau {minutes} phút")])
            row = s.scalar(select(UserRow).where(UserRow.username == username))
            ok = False
            if row is not None and row.active:
                try:
                    ok = _hasher.verify(row.password_hash, password)
                except (VerificationError, InvalidHashError):
                    ok = False
                if ok and _hasher.check_needs_rehash(row.password_hash):
                    row.password_hash = _hasher.hash(password)
            s.add(LoginAttemptRow(username=username, address=address, at=stamp, ok=ok))
            s.execute(delete(LoginAttemptRow).where(LoginAttemptRow.at < stamp - 10 * window))
            return self._user(row) if ok and row is not None else None

    def add_token(self, username: str, name: str = "api") -> str:
        """A new API token for the user; only its hash is kept, so it is shown once."""
        token = "tc_" + secrets.token_urlsafe(32)
        with self._session() as s:
            row = s.scalar(select(UserRow).where(UserRow.username == username))
            if row is None:
                raise ProblemError([Problem("unknown-user", f"user '{username}' does not exist",
                                            f"không có tài khoản '{username}'",
                                            field="username")])
            s.add(TokenRow(user_id=row.id, token_hash=_token_hash(token), name=name,
                           created_at=now()))
        return token

    def for_token(self, token: str) -> User | None:
        """The active user the API token belongs to."""
        with self._session() as s:
            row = s.scalar(select(UserRow).join(TokenRow, TokenRow.user_id == UserRow.id).where(
                TokenRow.token_hash == _token_hash(token), UserRow.active.is_(True)))
            return self._user(row) if row else None


def _fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
