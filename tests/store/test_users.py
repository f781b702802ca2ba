"""Users, passwords, the login limit and API tokens."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.store.helpers import (
    COMMUNE,
    DISTRICT,
    PASSWORD,
    admin_user,
    entry_user,
    viewer_user,
)
from tieuchi.domain.problems import ProblemError
from tieuchi.store import Role, Store, users
from tieuchi.store.tables import UserRow

WINDOW = timedelta(minutes=15)
OFFICE = "10.20.0.1"  # one address for a commune's office
PARALLEL = 40


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
    assert found is not None and found == (clerk, 0)
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
    assert loaded_store.users.authenticate("admin", "wrong-password", "10.0.0.9", limit=9,
                                           address_limit=2, window=WINDOW) is None
    assert loaded_store.users.authenticate("nobody", "wrong-password", "10.0.0.9", limit=9,
                                           address_limit=2, window=WINDOW) is None
    with pytest.raises(ProblemError):
        loaded_store.users.authenticate("admin", PASSWORD, "10.0.0.9", limit=9,
                                        address_limit=2, window=WINDOW)
    # Failures older than the window no longer count.
    assert loaded_store.users.authenticate("entry", PASSWORD, "10.0.0.1", limit=3,
                                           window=timedelta(0)) == clerk


def test_one_users_failures_do_not_lock_out_the_others_at_that_address(
        loaded_store: Store) -> None:
    """Five wrong passwords of daiang from the office's address lock daiang out, not xem
    behind the same address: the address has a limit of its own."""
    daiang = entry_user(loaded_store, username="daiang")
    xem = viewer_user(loaded_store, username="xem")
    for _ in range(5):
        assert loaded_store.users.authenticate("daiang", "wrong-password", OFFICE, limit=5,
                                               address_limit=20, window=WINDOW) is None
    with pytest.raises(ProblemError):
        loaded_store.users.authenticate("daiang", PASSWORD, OFFICE, limit=5, address_limit=20,
                                        window=WINDOW)
    assert loaded_store.users.authenticate("xem", PASSWORD, OFFICE, limit=5, address_limit=20,
                                           window=WINDOW) == xem
    # A right password gives its try back: the address still has 15 failures to go.
    for name in [f"guess{i}" for i in range(15)]:
        assert loaded_store.users.authenticate(name, "x", OFFICE, limit=5, address_limit=20,
                                               window=WINDOW) is None
    with pytest.raises(ProblemError):
        loaded_store.users.authenticate("xem", PASSWORD, OFFICE, limit=5, address_limit=20,
                                        window=WINDOW)
    assert loaded_store.users.authenticate("daiang", PASSWORD, "10.9.9.9", limit=5,
                                           window=timedelta(0)) == daiang


@pytest.mark.parametrize("who", ["nobody", "disabled"])
def test_an_unknown_or_disabled_user_costs_one_password_check(
        loaded_store: Store, monkeypatch: pytest.MonkeyPatch, who: str) -> None:
    """A name that does not exist takes the same argon2 check as a real one, so the time of
    the answer does not tell which names exist (274 ms against 13.5 ms before)."""
    entry_user(loaded_store, username="disabled")
    loaded_store.users.set_active("disabled", False, actor="test")
    checked = _count_checks(monkeypatch)
    assert loaded_store.users.authenticate(who, PASSWORD, "10.0.0.1", limit=5,
                                           window=WINDOW) is None
    assert len(checked) == 1 and checked[0].startswith("$argon2")


def test_parallel_wrong_passwords_check_exactly_the_limit(
        loaded_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """40 wrong passwords for one user at once (limit 5): exactly 5 are checked, the others
    refused (17 were checked on SQLite and 33 on PostgreSQL before the try was reserved
    before the check)."""
    entry_user(loaded_store)
    checked = _count_checks(monkeypatch, pause=0.05)
    start = threading.Barrier(PARALLEL)

    def attempt(n: int) -> str:
        start.wait()
        try:
            loaded_store.users.authenticate("entry", "wrong-password", f"10.1.0.{n}", limit=5,
                                            window=WINDOW)
        except ProblemError as refused:
            return refused.problems[0].code
        return "checked"

    with ThreadPoolExecutor(PARALLEL) as pool:
        answers = list(pool.map(attempt, range(PARALLEL)))
    assert len(checked) == 5
    assert sorted(set(answers)) == ["checked", "too-many-logins"]
    assert answers.count("checked") == 5


def _count_checks(monkeypatch: pytest.MonkeyPatch, pause: float = 0.0) -> list[str]:
    """The password hashes checked from now on (each check taking ``pause`` seconds more,
    as a real one takes time: parallel requests arrive meanwhile)."""
    checked: list[str] = []
    lock = threading.Lock()
    real = users._verify

    def counted(password_hash: str, password: str) -> bool:
        with lock:
            checked.append(password_hash)
        time.sleep(pause)
        return real(password_hash, password)

    monkeypatch.setattr(users, "_verify", counted)
    return checked


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


def test_tokens_expire(loaded_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    clerk = entry_user(loaded_store)
    token = loaded_store.users.add_token("entry", "excel", days=30)
    [listed] = loaded_store.users.tokens("entry")
    assert listed.expires_at - listed.created_at == timedelta(days=30)
    assert loaded_store.users.for_token(token) == clerk
    later = listed.created_at + timedelta(days=30, seconds=1)
    monkeypatch.setattr(users, "now", lambda: later)
    assert loaded_store.users.for_token(token) is None
    assert not listed.active(later)


def test_revoking_a_token(loaded_store: Store) -> None:
    entry_user(loaded_store)
    kept, ended = (loaded_store.users.add_token("entry", name) for name in ("keep", "end"))
    number = next(t.id for t in loaded_store.users.tokens("entry") if t.name == "end")
    revoked = loaded_store.users.revoke_token(number, actor="admin")
    assert revoked.revoked_at is not None and revoked.username == "entry"
    assert loaded_store.users.for_token(ended) is None
    assert loaded_store.users.for_token(kept) is not None
    assert loaded_store.users.revoke_token(number, actor="admin") == revoked  # again: same
    with pytest.raises(ProblemError) as raised:
        loaded_store.users.revoke_token(number + 100, actor="admin")
    assert [p.code for p in raised.value.problems] == ["unknown-token"]
    actions = [(e.actor, e.action) for e in loaded_store.audit.history("user", "entry")]
    assert ("admin", "revoke-token") in actions and ("cli", "add-token") in actions


def test_a_new_password_ends_sessions_and_tokens(loaded_store: Store) -> None:
    clerk = entry_user(loaded_store)
    token = loaded_store.users.add_token("entry")
    before = loaded_store.users.get(clerk.id)
    assert before is not None
    with pytest.raises(ProblemError) as raised:
        loaded_store.users.set_password("entry", "short", actor="admin")
    assert [p.code for p in raised.value.problems] == ["weak-password"]
    loaded_store.users.set_password("entry", "another-password", actor="admin")
    after = loaded_store.users.get(clerk.id)
    assert after is not None and after[1] == before[1] + 1
    assert loaded_store.users.for_token(token) is None
    assert loaded_store.users.authenticate("entry", PASSWORD, "10.0.0.1", limit=5,
                                           window=WINDOW) is None
    assert loaded_store.users.authenticate("entry", "another-password", "10.0.0.1", limit=5,
                                           window=WINDOW) == clerk
    assert loaded_store.audit.history("user", "entry")[0].action == "password"


def test_a_disabled_user_has_no_session_sign_in_or_token(loaded_store: Store) -> None:
    clerk = entry_user(loaded_store)
    token = loaded_store.users.add_token("entry")
    loaded_store.users.set_active("entry", False, actor="admin")
    assert loaded_store.users.get(clerk.id) is None
    assert loaded_store.users.for_token(token) is None
    assert loaded_store.users.authenticate("entry", PASSWORD, "10.0.0.1", limit=5,
                                           window=WINDOW) is None
    loaded_store.users.set_active("entry", True, actor="admin")
    assert loaded_store.users.authenticate("entry", PASSWORD, "10.0.0.1", limit=5,
                                           window=WINDOW) == clerk
    assert loaded_store.users.for_token(token) is None  # enabling gives no token back
    assert [e.action for e in loaded_store.audit.history("user", "entry")][:2] == [
        "enable", "disable"]


def test_signing_out_moves_the_generation_on(loaded_store: Store) -> None:
    clerk = entry_user(loaded_store)
    token = loaded_store.users.add_token("entry")
    before = loaded_store.users.get(clerk.id)
    loaded_store.users.end_sessions(clerk.id)
    after = loaded_store.users.get(clerk.id)
    assert before is not None and after is not None and after[1] == before[1] + 1
    assert loaded_store.users.for_token(token) == clerk


def test_secret_is_made_once(store: Store) -> None:
    key = store.users.secret()
    assert len(key) >= 32 and store.users.secret() == key
