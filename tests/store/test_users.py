"""Users, passwords, the login limit and API tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.store.helpers import COMMUNE, DISTRICT, PASSWORD, admin_user, entry_user
from tieuchi.domain.problems import ProblemError
from tieuchi.store import Role, Store
from tieuchi.store.tables import UserRow

WINDOW = timedelta(minutes=15)


def test_add_user_checks_its_input(loaded_store: Store) -> None:
    entry_user(loaded_store, username="chi")
    cases = [
        (dict(username="a", password="short", role="entry", unit=COMMUNE), ["weak-password"]),
        (dict(username="b", password=PASSWORD, role="entry", unit="NO-SUCH"),
         ["unknown-unit"]),
        (dict(username="chi", password=PASSWORD, role="viewer", unit=DISTRICT),
         ["duplicate-user"]),
        (dict(username="d", password=PASSWORD, role="officer", unit=None), ["missing-unit"]),
        (dict(username="chi", password="short", role="viewer", unit=None),
         ["weak-password", "missing-unit", "duplicate-user"]),
    ]
    for arguments, codes in cases:
        with pytest.raises(ProblemError) as raised:
            loaded_store.users.add(**arguments)  # type: ignore[arg-type]
        assert [p.code for p in raised.value.problems] == codes, arguments
    assert [u.username for u in loaded_store.users.all()] == ["chi"]


def test_users_and_their_scope(loaded_store: Store) -> None:
    admin = admin_user(loaded_store)
    clerk = entry_user(loaded_store)
    assert (admin.role, admin.unit) == (Role.ADMIN, None)
    assert (clerk.role, clerk.unit, clerk.full_name) == (Role.ENTRY, COMMUNE, "entry")
    assert [u.username for u in loaded_store.users.all()] == ["admin", "entry"]
    assert [u.username for u in loaded_store.users.all(within=DISTRICT)] == ["entry"]
    found = loaded_store.users.get(clerk.id)
    assert found is not None and found[0] == clerk and len(found[1]) == 16
    assert loaded_store.users.get(clerk.id + 1000) is None
    assert loaded_store.audit.history("user", "entry")[0].new == {"role": "entry", "unit": COMMUNE}


def test_passwords_are_kept_as_argon2_hashes(loaded_store: Store) -> None:
    admin_user(loaded_store)
    with loaded_store.session() as s:
        stored = s.scalar(select(UserRow.password_hash).where(UserRow.username == "admin"))
    assert stored is not None and stored.startswith("$argon2")
    assert PASSWORD not in stored


def test_authenticate_and_the_login_limit(loaded_store: Store) -> None:
    clerk = entry_user(loaded_store)
    assert loaded_store.users.authenticate("entry", PASSWORD, "10.0.0.1", limit=3,
                                           window=WINDOW) == clerk
    assert loaded_store.users.authenticate("entry", "wrong-password", "10.0.0.1", limit=3,
                                           window=WINDOW) is None
    assert loaded_store.users.authenticate("nobody", PASSWORD, "10.0.0.2", limit=3,
                                           window=WINDOW) is None
    for _ in range(2):
        assert loaded_store.users.authenticate("entry", "wrong-password", "10.0.0.3", limit=3,
                                               window=WINDOW) is None
    # Three failures for the name: refused, the right password included, from anywhere.
    with pytest.raises(ProblemError) as raised:
        loaded_store.users.authenticate("entry", PASSWORD, "10.0.0.9", limit=3, window=WINDOW)
    assert "15 minutes" in raised.value.problems[0].message
    # Another user is not held back, unless from an address that failed too often.
    admin = admin_user(loaded_store)
    assert loaded_store.users.authenticate("admin", PASSWORD, "10.0.0.9", limit=3,
                                           window=WINDOW) == admin
    assert loaded_store.users.authenticate("admin", "wrong-password", "10.0.0.9", limit=2,
                                           window=WINDOW) is None
    assert loaded_store.users.authenticate("admin", "wrong-password", "10.0.0.9", limit=2,
                                           window=WINDOW) is None
    with pytest.raises(ProblemError):
        loaded_store.users.authenticate("admin", PASSWORD, "10.0.0.9", limit=2, window=WINDOW)
    # Failures older than the window no longer count.
    assert loaded_store.users.authenticate("entry", PASSWORD, "10.0.0.1", limit=3,
                                           window=timedelta(0)) == clerk


def test_api_tokens(loaded_store: Store) -> None:
    clerk = entry_user(loaded_store)
    token = loaded_store.users.add_token("entry", "import")
    assert token.startswith("tc_")
    assert loaded_store.users.for_token(token) == clerk
    assert loaded_store.users.for_token(token + "x") is None
    assert loaded_store.users.for_token("tc_wrong") is None
    other = loaded_store.users.add_token("entry")
    assert other != token and loaded_store.users.for_token(other) == clerk
    with pytest.raises(ProblemError) as raised:
        loaded_store.users.add_token("nobody")
    assert [p.code for p in raised.value.problems] == ["unknown-user"]


def test_secret_is_made_once(store: Store) -> None:
    key = store.users.secret()
    assert len(key) >= 32 and store.users.secret() == key
