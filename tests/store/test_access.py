"""Who may do what where (:class:`tieuchi.store.access.User`), as properties of paths.

A path is a unit, then its parent, up to the top, as :meth:`Store.path` gives it."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tieuchi.store import Role, User

CODES = ["HN", "TT", "TT-YENMY", "TT-DAIANG", "KV-1", "GL", "GL-A"]

paths = st.lists(st.sampled_from(CODES), min_size=1, max_size=5, unique=True)
scoped_roles = st.sampled_from([Role.OFFICER, Role.ENTRY, Role.VIEWER, Role.ADMIN])
PROPERTIES = settings(max_examples=200, deadline=None)


def _user(role: Role, unit: str | None) -> User:
    return User(1, "u", "U", role, unit)


@PROPERTIES
@given(unit=st.sampled_from(CODES), path=paths)
def test_entry_reads_and_writes_only_its_own_unit(unit: str, path: list[str]) -> None:
    user = _user(Role.ENTRY, unit)
    own = path[0] == unit
    assert user.can_read(path) is own
    assert user.can_write(path) is own
    assert user.can_approve(path) is False
    assert user.can_reopen(path) is False
    assert user.can_manage_targets(path) is False
    assert user.can_manage_users(path) is False


@PROPERTIES
@given(unit=st.sampled_from(CODES), path=paths)
def test_viewer_reads_its_subtree_and_never_writes(unit: str, path: list[str]) -> None:
    user = _user(Role.VIEWER, unit)
    assert user.can_read(path) is (unit in path)
    assert user.can_write(path) is False
    assert user.can_approve(path) is False
    assert user.can_reopen(path) is False
    assert user.can_manage_targets(path) is False


@PROPERTIES
@given(unit=st.sampled_from(CODES), path=paths)
def test_officer_approves_only_strict_descendants(unit: str, path: list[str]) -> None:
    user = _user(Role.OFFICER, unit)
    below = unit in path[1:]
    assert user.can_read(path) is (unit in path)
    assert user.can_write(path) is (unit in path)
    assert user.can_approve(path) is below
    if path[0] == unit:  # never the officer's own unit
        assert user.can_approve(path) is False
    assert user.can_reopen(path) is False
    assert user.can_manage_targets(path) is (unit in path)


@PROPERTIES
@given(unit=st.none() | st.sampled_from(CODES), path=paths)
def test_admin_does_everything_within_scope(unit: str | None, path: list[str]) -> None:
    user = _user(Role.ADMIN, unit)
    inside = unit is None or unit in path
    for allowed in (user.can_read, user.can_write, user.can_approve, user.can_reopen,
                    user.can_manage_targets, user.can_manage_users):
        assert allowed(path) is inside


@PROPERTIES
@given(role=scoped_roles, unit=st.sampled_from(CODES), path=paths)
def test_nothing_outside_the_scope(role: Role, unit: str, path: list[str]) -> None:
    user = _user(role, unit)
    if unit not in path:
        assert not any(allowed(path) for allowed in (
            user.can_read, user.can_write, user.can_approve, user.can_reopen,
            user.can_manage_targets, user.can_manage_users))
    # Whoever may write may read; whoever may approve may write.
    assert not user.can_write(path) or user.can_read(path)
    assert not user.can_approve(path) or user.can_write(path)
