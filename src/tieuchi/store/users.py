"""Users, their API tokens and the limit on failed sign-ins; and the key that signs session
cookies when none is configured.

Sign-in limit: one counter of failures per user name and one per address
(``login_limits``). A sign-in first *reserves* its try on both counters, in one statement
each (an upsert that returns the new count), in a transaction of its own; only a try within
both limits gets its password checked, and a right password gives the try back. So however
many requests arrive at once, at most ``limit`` passwords are checked per name and window.
A name that does not exist, or a disabled user, costs the same argon2 check as a real one.

Revocation: each user has a ``generation``, carried by their sessions and moved on by
signing out, a password change and disabling; a session of an older generation is refused.
A token has an expiry and may be revoked; a password change and disabling revoke them all.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import case, delete, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from tieuchi.domain.problems import Problem, ProblemError, problem
from tieuchi.store.access import Role, User
from tieuchi.store.audit import Audit
from tieuchi.store.tables import LoginLimitRow, Meta, TokenRow, UnitRow, UserRow
from tieuchi.store.unit_of_work import Repository, UnitOfWork, aware, now
from tieuchi.store.units import Units, unknown_unit

__all__ = ["Users", "Token", "MIN_PASSWORD", "unknown_token",
           "unknown_user"]

MIN_PASSWORD = 8

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """A hash no password matches, checked for a user name that does not exist (or a
    disabled user) so that the answer takes as long as for a real one."""
    return _hasher.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class Token:
    """An API token as listed: never the token itself, which is shown once."""

    id: int
    username: str
    unit: str | None  # the owner's
    name: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None

    def active(self, at: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > at


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
        problems = _password_problems(password)
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
                          active=True, created_at=now(), generation=0)
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
            ) -> tuple[User, int] | None:
        """The active user and their generation, which a session carries: signing out, a
        password change and disabling move it on, ending the sessions made before;
        ``path_of`` as for :meth:`_user`."""
        with self._session() as s:
            row = s.get(UserRow, user_id)
            if row is None or not row.active:
                return None
            return self._user(row, path_of), row.generation

    # ------------------------------------------------------------------ signing in

    def authenticate(self, username: str, password: str, address: str, *, limit: int,
                     window: timedelta, address_limit: int | None = None) -> User | None:
        """The user when the password is right and the user is active, else None. Raises
        :class:`~tieuchi.domain.problems.ProblemError` (``too-many-logins``) when the user
        name failed ``limit`` times, or the address ``address_limit`` times (default:
        ``limit``), within ``window``: then no password is checked."""
        stamp = now()
        keys = [("user:" + username)[:200], ("address:" + address)[:200]]
        self._reserve(list(zip(keys, (limit, address_limit or limit), strict=True)),
                      window, stamp)
        with self._session() as s:
            row = s.scalar(select(UserRow).where(UserRow.username == username))
            ok = _verify(row.password_hash if row is not None else _dummy_hash(), password)
            ok = ok and row is not None and row.active
            if ok and row is not None and _hasher.check_needs_rehash(row.password_hash):
                row.password_hash = _hasher.hash(password)
            user = self._user(row) if ok and row is not None else None
        if user is not None:
            self._give_back(keys)
        else:
            self._forget(stamp - 10 * window)
        return user

    def _reserve(self, keys: Sequence[tuple[str, int]], window: timedelta,
                 stamp: datetime) -> None:
        """Count one more failure on each key, in one transaction, keys in order (so two
        sign-ins never wait on each other's keys crosswise); refused, nothing is counted."""
        t = LoginLimitRow
        with self._session() as s:
            insert: Any = pg_insert if _postgres(s) else sqlite_insert
            for key, limit in sorted(keys):
                old = t.started < literal(stamp - window, t.started.type)
                statement = insert(t).values(key=key, started=stamp, failures=1)
                statement = statement.on_conflict_do_update(index_elements=[t.key], set_={
                    "failures": case((old, 1), else_=t.failures + 1),
                    "started": case((old, literal(stamp, t.started.type)), else_=t.started),
                }).returning(t.failures, t.started)
                failures, started = s.execute(statement).one()
                if failures > limit:
                    raise _too_many(aware(started) + window - stamp)

    def _give_back(self, keys: Sequence[str]) -> None:
        """A right password: its reserved try is not a failure."""
        t = LoginLimitRow
        with self._session() as s:
            s.execute(update(t).where(t.key.in_(sorted(keys))).values(
                failures=case((t.failures > 0, t.failures - 1), else_=0)))

    def _forget(self, before: datetime) -> None:
        """Drop the counters of windows long past. Best effort: two sign-ins cleaning at
        once may deadlock on PostgreSQL; the one that loses leaves it to the next."""
        try:
            with self._session() as s:
                s.execute(delete(LoginLimitRow).where(LoginLimitRow.started < before))
        except DBAPIError:
            pass

    # ------------------------------------------------------------------ accounts

    def set_password(self, username: str, password: str, *, actor: str) -> None:
        """A new password: every session and API token of the user ends."""
        problems = _password_problems(password)
        if problems:
            raise ProblemError(problems)
        with self._session() as s:
            row = self._row(s, username)
            row.password_hash = _hasher.hash(password)
            row.generation += 1
            self._revoke_all(s, row)
            self._audit.record(now(), actor, "password", "user", username, row.unit, None,
                               None, None)

    def set_active(self, username: str, active: bool, *, actor: str) -> None:
        """Enable or disable a user; disabling ends every session and API token of theirs
        (enabling gives no token back)."""
        with self._session() as s:
            row = self._row(s, username)
            if row.active == active:
                return
            row.active = active
            if not active:
                row.generation += 1
                self._revoke_all(s, row)
            self._audit.record(now(), actor, "enable" if active else "disable", "user",
                               username, row.unit, {"active": not active}, {"active": active},
                               None)

    def end_sessions(self, user_id: int) -> None:
        """Signing out: every session of the user ends, on every device."""
        with self._session() as s:
            s.execute(update(UserRow).where(UserRow.id == user_id).values(
                generation=UserRow.generation + 1))

    def _row(self, s: Session, username: str) -> UserRow:
        row = s.scalar(select(UserRow).where(UserRow.username == username))
        if row is None:
            raise ProblemError([unknown_user(username)])
        return row

    def _revoke_all(self, s: Session, row: UserRow) -> None:
        s.execute(update(TokenRow).where(TokenRow.user_id == row.id,
                                         TokenRow.revoked_at.is_(None)).values(
            revoked_at=now()))

    # ------------------------------------------------------------------ API tokens

    def add_token(self, username: str, name: str = "api", *, days: int = 90,
                  actor: str = "cli") -> str:
        """A new API token for the user, valid ``days`` days; only its hash is kept, so it
        is shown once."""
        token = "tc_" + secrets.token_urlsafe(32)
        stamp = now()
        with self._session() as s:
            row = self._row(s, username)
            made = TokenRow(user_id=row.id, token_hash=_token_hash(token), name=name,
                            created_at=stamp, expires_at=stamp + timedelta(days=days))
            s.add(made)
            s.flush()
            self._audit.record(stamp, actor, "add-token", "user", username, row.unit, None,
                               {"token": made.id, "name": name,
                                "expires": made.expires_at.isoformat()}, None)
        return token

    def tokens(self, username: str | None = None, token_id: int | None = None
               ) -> list[Token]:
        """The API tokens (of ``username``, or the one numbered ``token_id``, when given),
        newest first: revoked and expired ones too."""
        query = select(TokenRow, UserRow).join(UserRow, TokenRow.user_id == UserRow.id)
        if username is not None:
            query = query.where(UserRow.username == username)
        if token_id is not None:
            query = query.where(TokenRow.id == token_id)
        with self._session() as s:
            return [_token(t, owner) for t, owner in s.execute(query.order_by(
                TokenRow.id.desc()))]

    def revoke_token(self, token_id: int, *, actor: str) -> Token:
        """End the API token ``token_id`` (already ended: nothing changes)."""
        with self._session() as s:
            found = s.execute(select(TokenRow, UserRow).join(
                UserRow, TokenRow.user_id == UserRow.id).where(TokenRow.id == token_id)).first()
            if found is None:
                raise ProblemError([unknown_token(token_id)])
            row, owner = found
            if row.revoked_at is None:
                row.revoked_at = now()
                self._audit.record(row.revoked_at, actor, "revoke-token", "user",
                                   owner.username, owner.unit, None,
                                   {"token": row.id, "name": row.name}, None)
            return _token(row, owner)

    def for_token(self, token: str) -> User | None:
        """The active user the API token belongs to, while it is neither expired nor
        revoked."""
        with self._session() as s:
            row = s.scalar(select(UserRow).join(TokenRow, TokenRow.user_id == UserRow.id).where(
                TokenRow.token_hash == _token_hash(token), UserRow.active.is_(True),
                TokenRow.revoked_at.is_(None), TokenRow.expires_at > now()))
            return self._user(row) if row else None


def unknown_token(token_id: int) -> Problem:
    return problem("unknown-token", {"token": token_id}, field="token")


def _token(row: TokenRow, owner: UserRow) -> Token:
    return Token(row.id, owner.username, owner.unit, row.name, aware(row.created_at),
                 aware(row.expires_at), aware(row.revoked_at) if row.revoked_at else None)


def _password_problems(password: str) -> list[Problem]:
    if len(password) >= MIN_PASSWORD:
        return []
    return [Problem("weak-password", f"a password has at least {MIN_PASSWORD} characters",
                    f"mật khẩu cần ít nhất {MIN_PASSWORD} ký tự", field="password")]


def unknown_user(username: str) -> Problem:
    return Problem("unknown-user", f"user '{username}' does not exist",
                   f"không có tài khoản '{username}'", field="username")


def _too_many(left: timedelta) -> ProblemError:
    minutes = max(1, -(-int(left.total_seconds()) // 60))
    return ProblemError([Problem(
        "too-many-logins", f"too many failed logins; try again in {minutes} minutes",
        f"đăng nhập sai quá nhiều lần; thử lại sau {minutes} phút")])


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _postgres(s: Session) -> bool:
    return s.get_bind().dialect.name == "postgresql"


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
