"""The permission policy, tested as the pure function it is: every action × every role ×
every place of the user and of the unit, against an oracle written another way (sets of units
rather than paths), on the reference hierarchy and on random hierarchies (hypothesis).

The HTTP tests (tests/web/test_permissions.py) only sample the routes; what a role may do is
pinned here."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tieuchi.app.policy import RULES, SYSTEM, Action, Resource, allowed, refusal
from tieuchi.store.access import Role, User

# The reference shape: a city, two districts, communes under each, a planning area.
TREE: dict[str, str | None] = {
    "HN": None, "TT": "HN", "TT-YENMY": "TT", "TT-DAIANG": "TT", "TT-KV": "TT",
    "QX": "HN", "QX-A": "QX",
}

UNIT_ACTIONS = [a for a in Action if a not in (Action.PUBLIC, Action.SIGNED_IN)]


def path_of(tree: Mapping[str, str | None], code: str) -> tuple[str, ...]:
    out: list[str] = []
    current: str | None = code
    while current is not None:
        out.append(current)
        current = tree[current]
    return tuple(out)


def subtree(tree: Mapping[str, str | None], code: str) -> set[str]:
    """The unit and every unit under it, found downwards (not from paths)."""
    found, frontier = {code}, [code]
    while frontier:
        parent = frontier.pop()
        children = [c for c, p in tree.items() if p == parent]
        found.update(children)
        frontier.extend(children)
    return found


def user(tree: Mapping[str, str | None], role: Role, unit: str | None,
         name: str = "u") -> User:
    return User(1, name, name, role, unit, path_of(tree, unit) if unit else ())


def oracle(tree: Mapping[str, str | None], u: User, action: Action, unit: str,
           author: str | None = None) -> bool:
    """What the policy should say, written with sets of units."""
    everything = set(tree)
    scope = everything if u.unit is None else {u.unit} if u.role is Role.ENTRY else \
        subtree(tree, u.unit)
    above_me = set(path_of(tree, u.unit)[1:]) if u.unit else set()
    in_scope = unit in scope
    staff = u.role in (Role.ADMIN, Role.OFFICER)
    read_drafts = in_scope or unit in above_me
    expected = {
        Action.READ: in_scope,
        Action.WRITE: in_scope and u.role is not Role.VIEWER,
        Action.APPROVE: (u.role is Role.ADMIN and in_scope) or (
            u.role is Role.OFFICER and u.unit is not None
            and unit in subtree(tree, u.unit) - {u.unit}),
        Action.REOPEN: u.role is Role.ADMIN and in_scope,
        Action.MANAGE_USERS: u.role is Role.ADMIN and in_scope,
        Action.MANAGE_TARGETS: staff and in_scope,
        Action.WRITE_DRAFT: staff and in_scope,
        Action.WRITE_NARRATIVE: staff and in_scope,
        Action.READ_DRAFTS: read_drafts,
        Action.MANAGE_DRAFT: (staff and in_scope) or (author == u.username and read_drafts),
    }
    return expected[action]


def _users(tree: Mapping[str, str | None]) -> list[User]:
    return [user(tree, role, unit) for role in Role for unit in [*tree, None]
            if unit is not None or role is Role.ADMIN]


@pytest.mark.parametrize("action", UNIT_ACTIONS, ids=str)
def test_every_role_at_every_place_on_every_unit(action: Action) -> None:
    for u in _users(TREE):
        for unit in TREE:
            for author in (None, "u", "someone-else"):
                resource = Resource.unit(path_of(TREE, unit), author)
                assert allowed(u, action, resource) == oracle(TREE, u, action, unit, author), (
                    u.role, u.unit, action, unit, author)


@st.composite
def trees(draw: st.DrawFn) -> dict[str, str | None]:
    """A random hierarchy: each unit's parent is a unit made before it."""
    size = draw(st.integers(min_value=1, max_value=9))
    tree: dict[str, str | None] = {"u0": None}
    for index in range(1, size):
        parent = draw(st.one_of(st.none(), st.sampled_from(list(tree))))
        tree[f"u{index}"] = parent
    return tree


@settings(max_examples=150, deadline=None)
@given(tree=trees(), data=st.data())
def test_the_policy_agrees_with_the_oracle_on_any_hierarchy(
        tree: dict[str, str | None], data: st.DataObject) -> None:
    role = data.draw(st.sampled_from(list(Role)))
    place = data.draw(st.sampled_from([*tree, None] if role is Role.ADMIN else list(tree)))
    u = user(tree, role, place)
    unit = data.draw(st.sampled_from(list(tree)))
    author = data.draw(st.sampled_from([None, "u", "v"]))
    resource = Resource.unit(path_of(tree, unit), author)
    for action in UNIT_ACTIONS:
        assert allowed(u, action, resource) == oracle(tree, u, action, unit, author)


def test_rights_nest() -> None:
    """Writing implies reading, approving implies writing, reopening implies approving."""
    for u in _users(TREE):
        for unit in TREE:
            r = Resource.unit(path_of(TREE, unit))

            def may(action: Action, u: User = u, r: Resource = r) -> bool:
                return allowed(u, action, r)

            assert not may(Action.WRITE) or may(Action.READ)
            assert not may(Action.APPROVE) or may(Action.WRITE)
            assert not may(Action.REOPEN) or may(Action.APPROVE)
            assert not may(Action.MANAGE_TARGETS) or may(Action.WRITE)
            assert not may(Action.READ) or may(Action.READ_DRAFTS)


def test_nobody_and_the_system() -> None:
    resource = Resource.unit(path_of(TREE, "TT"))
    for action in Action:
        assert allowed(None, action, resource) is (action is Action.PUBLIC)
        assert allowed(SYSTEM, action, resource)
    # A unit that does not exist (empty path) is nobody's but the system's.
    admin = user(TREE, Role.ADMIN, None)
    assert not any(allowed(admin, a, Resource(())) for a in UNIT_ACTIONS)
    assert allowed(SYSTEM, Action.WRITE, Resource(()))


@pytest.mark.parametrize("action", [Action.READ, Action.MANAGE_USERS, Action.REOPEN], ids=str)
def test_the_whole_hierarchy_is_only_reached_without_a_unit(action: Action) -> None:
    """Resource.everything() (a user added without a unit, say): only an actor whose scope
    has no unit reaches it, with the role the action needs."""
    everything = Resource.everything()
    assert allowed(SYSTEM, action, everything)
    assert allowed(user(TREE, Role.ADMIN, None), action, everything)
    for role in Role:
        for unit in TREE:
            assert not allowed(user(TREE, role, unit), action, everything)
    assert allowed(user(TREE, Role.VIEWER, None), action, everything) is \
        (action is Action.READ)


def test_every_action_has_a_rule_and_a_refusal_in_both_languages() -> None:
    assert set(RULES) == set(Action)
    for action in UNIT_ACTIONS:
        en, vi = refusal(action, "TT-YENMY")
        assert "TT-YENMY" in en and "TT-YENMY" in vi and en != vi


# The reference rules written out, as docs/web.md states them (user → units allowed).
WRITTEN: dict[Action, dict[tuple[Role, str | None], set[str]]] = {
    Action.READ: {(Role.ENTRY, "TT-YENMY"): {"TT-YENMY"},
                  (Role.VIEWER, "TT"): {"TT", "TT-YENMY", "TT-DAIANG", "TT-KV"},
                  (Role.OFFICER, "QX"): {"QX", "QX-A"}},
    Action.WRITE: {(Role.VIEWER, "TT"): set(), (Role.ENTRY, "TT-YENMY"): {"TT-YENMY"}},
    Action.APPROVE: {(Role.OFFICER, "TT"): {"TT-YENMY", "TT-DAIANG", "TT-KV"},
                     (Role.ENTRY, "TT-YENMY"): set(),
                     (Role.ADMIN, "TT"): {"TT", "TT-YENMY", "TT-DAIANG", "TT-KV"}},
    Action.REOPEN: {(Role.OFFICER, "HN"): set(), (Role.ADMIN, "QX"): {"QX", "QX-A"}},
    Action.READ_DRAFTS: {(Role.ENTRY, "TT-YENMY"): {"TT-YENMY", "TT", "HN"}},
}


@pytest.mark.parametrize("action", list(WRITTEN), ids=str)
def test_the_written_rules(action: Action) -> None:
    for (role, unit), expected in WRITTEN[action].items():
        u = user(TREE, role, unit)
        found = {code for code in TREE if allowed(u, action, Resource.unit(path_of(TREE, code)))}
        assert found == expected, (role, unit)
