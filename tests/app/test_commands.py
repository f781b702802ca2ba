"""The application's commands: who may write figures, set targets and move a data set
along its workflow (draft, submitted, approved, locked), and the workflow's rules; the
refused commands write nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from tests.store.helpers import (
    COMMUNE,
    COMMUNE_SET,
    DISTRICT,
    OTHER_COMMUNE,
    YESNO,
    admin_user,
    entry_user,
    officer_user,
    snapshot,
    unchanged,
    viewer_user,
)
from tieuchi.app import SYSTEM, Action, App
from tieuchi.domain.problems import ProblemError
from tieuchi.store import Entry, Store, User


def refused(code: str = "forbidden") -> pytest.RaisesExc[ProblemError]:
    """The command is refused with ``code`` alone (the catalogue's one problem type)."""
    return pytest.raises(ProblemError, check=lambda e: [p.code for p in e.problems] == [code])

# A year with no figures in the reference district, so every write there is new.
YEAR = "2024"


def test_writing_to_a_closed_data_set_is_refused(loaded_store: Store) -> None:
    app = App(loaded_store)
    admin = admin_user(loaded_store)
    for action, state in [("submit", "submitted"), ("approve", "approved"),
                          ("lock", "locked")]:
        assert app.transition(admin, COMMUNE, "2023", COMMUNE_SET, action) == state
        assert loaded_store.workflow.state(COMMUNE, "2023", COMMUNE_SET) == state
        before = snapshot(loaded_store)
        with pytest.raises(ProblemError) as raised:
            app.write_figures(admin, [Entry(COMMUNE, "ntmnc-02", "2023", 0)])
        [problem] = raised.value.problems
        assert (problem.index, problem.field, problem.code) == (0, "value", state)
        unchanged(loaded_store, before)

    # Other units, other years and the commune's other data set stay open.
    assert app.write_figures(admin, [Entry(OTHER_COMMUNE, "ntmnc-02", "2023", 0),
                               Entry(COMMUNE, "ntmnc-02", YEAR, 0),
                               Entry(COMMUNE, "thon-thong-minh", "2023", 1)]) == 3


def test_reopen_needs_a_reason_and_an_administrator(loaded_store: Store) -> None:
    app = App(loaded_store)
    admin = admin_user(loaded_store)
    officer = officer_user(loaded_store)
    for action in ("submit", "approve", "lock"):
        app.transition(officer, COMMUNE, "2023", COMMUNE_SET, action)
    assert loaded_store.workflow.state(COMMUNE, "2023", COMMUNE_SET) == "locked"

    with refused():
        app.transition(officer, COMMUNE, "2023", COMMUNE_SET, "reopen",
                                reason="sai số liệu")
    for reason in (None, "  "):
        with pytest.raises(ProblemError) as raised:
            app.transition(admin, COMMUNE, "2023", COMMUNE_SET, "reopen",
                                    reason=reason)
        assert [p.code for p in raised.value.problems] == ["reason-required"]
    assert loaded_store.workflow.state(COMMUNE, "2023", COMMUNE_SET) == "locked"

    assert app.transition(admin, COMMUNE, "2023", COMMUNE_SET, "reopen",
                                   reason="sai số liệu") == "draft"
    assert app.write_figures(admin, [Entry(COMMUNE, "ntmnc-02", "2023", 0)]) == 1
    [reopened, *_] = loaded_store.audit.history("workflow", f"{COMMUNE}|2023|{COMMUNE_SET}")
    assert (reopened.action, reopened.actor, reopened.reason) == ("reopen", "admin",
                                                                  "sai số liệu")
    assert (reopened.old, reopened.new) == ({"state": "locked"}, {"state": "draft"})


def test_approval_is_by_the_level_above(loaded_store: Store) -> None:
    app = App(loaded_store)
    clerk = entry_user(loaded_store)
    local_officer = officer_user(loaded_store, unit=COMMUNE, username="local")
    district_officer = officer_user(loaded_store)

    assert app.transition(clerk, COMMUNE, "2023", COMMUNE_SET, "submit") == \
        "submitted"
    for user in (clerk, local_officer):
        with refused():
            app.transition(user, COMMUNE, "2023", COMMUNE_SET, "approve")
    assert loaded_store.workflow.state(COMMUNE, "2023", COMMUNE_SET) == "submitted"
    assert app.transition(district_officer, COMMUNE, "2023", COMMUNE_SET, "approve") == "approved"
    assert loaded_store.workflow.states([COMMUNE], "2023") == {(COMMUNE, COMMUNE_SET): "approved"}

    # Returning needs a reason; then the unit may edit and submit again.
    with pytest.raises(ProblemError):
        app.transition(district_officer, COMMUNE, "2023", COMMUNE_SET, "return")
    assert app.transition(district_officer, COMMUNE, "2023", COMMUNE_SET, "return",
                          reason="bổ sung") == "draft"
    assert app.write_figures(clerk, [Entry(COMMUNE, "ntmnc-02", "2023", 0)]) == 1


def test_a_district_officer_cannot_approve_the_district(loaded_store: Store) -> None:
    app = App(loaded_store)
    officer = officer_user(loaded_store)
    admin = admin_user(loaded_store)
    app.transition(officer, DISTRICT, "2023", "kinh-te-xa-hoi", "submit")
    with refused():
        app.transition(officer, DISTRICT, "2023", "kinh-te-xa-hoi", "approve")
    assert app.transition(admin, DISTRICT, "2023", "kinh-te-xa-hoi", "approve") == "approved"


def test_transitions_follow_the_workflow(loaded_store: Store) -> None:
    app = App(loaded_store)
    admin = admin_user(loaded_store)
    with pytest.raises(ProblemError) as raised:
        app.transition(admin, COMMUNE, "2023", COMMUNE_SET, "lock")
    assert [p.code for p in raised.value.problems] == ["wrong-state"]
    with pytest.raises(ProblemError) as raised:
        app.transition(admin, COMMUNE, "2023", "kinh-te-xa-hoi", "submit")
    assert [p.code for p in raised.value.problems] == ["unknown-dataset"]
    with pytest.raises(ProblemError) as raised:
        app.transition(admin, COMMUNE, "2023", COMMUNE_SET, "publish")
    assert [p.code for p in raised.value.problems] == ["invalid-action"]
    assert loaded_store.workflow.state(COMMUNE, "2023", COMMUNE_SET) == "draft"
    assert [d.code for d in loaded_store.units.datasets_for(COMMUNE)] == [COMMUNE_SET,
                                                                          "ntm-kieu-mau"]


def test_users_out_of_scope_are_refused(loaded_store: Store) -> None:
    app = App(loaded_store)
    clerk = entry_user(loaded_store)
    viewer = viewer_user(loaded_store)
    local_officer = officer_user(loaded_store, unit=COMMUNE, username="local")
    before = snapshot(loaded_store)
    refusals = [
        (clerk, [Entry(OTHER_COMMUNE, YESNO, YEAR, 1)]),
        (clerk, [Entry(COMMUNE, YESNO, YEAR, 1), Entry(DISTRICT, "dv-moi", YEAR, 5)]),
        (viewer, [Entry(COMMUNE, YESNO, YEAR, 1)]),
        (local_officer, [Entry(DISTRICT, "dv-moi", YEAR, 5)]),
    ]
    for user, entries in refusals:
        with refused() as raised:
            app.write_figures(user, entries)
        [problem] = raised.value.problems
        assert problem.message and problem.message_vi != problem.message
        assert raised.value.status == 403
    unchanged(loaded_store, before)

    with refused():
        app.require(clerk, Action.READ, OTHER_COMMUNE)
    app.require(clerk, Action.WRITE, COMMUNE)
    app.require(viewer, Action.READ, COMMUNE)
    with refused():
        app.require(viewer, Action.WRITE, COMMUNE)
    with refused():
        app.transition(clerk, OTHER_COMMUNE, "2023", COMMUNE_SET, "submit")


def test_a_target_key_names_one_target(loaded_store: Store) -> None:
    """A key stays with its unit, indicator and period (``key-in-use``); the unit holding a
    key is in scope too, so a unit outside it is refused first (``forbidden``); a key given
    twice in one request is refused."""
    app = App(loaded_store)
    officer = loaded_store.users.add("tt", "password123", role="officer", unit="TT")
    held = loaded_store.targets.of(["TT"])[0]
    yenmy_officer = loaded_store.users.add("ym", "password123", role="officer", unit="TT-YENMY")
    before = snapshot(loaded_store)
    with refused():
        app.set_targets(yenmy_officer, [{**held, "unit": "TT-YENMY", "value": 1.0}])
    for field, moved in [("unit", {**held, "unit": "TT-YENMY"}),
                         ("indicator", {**held, "indicator": "gtsx"}),
                         ("period", {**held, "period": "2031"})]:
        with pytest.raises(ProblemError) as raised:
            app.set_targets(officer, [moved])
        [problem] = [p for p in raised.value.problems if p.code == "key-in-use"]
        assert (problem.field, problem.index, raised.value.status) == (field, 0, 409)
        assert problem in app.check_targets(officer, [moved])  # the dry run says the same
    with refused("duplicate-target") as raised:
        app.set_targets(officer, [{**held, "value": 1.0}, {**held, "value": 2.0}])
    assert raised.value.problems[0].index == 1
    unchanged(loaded_store, before)
    assert app.check_targets(officer, [{**held, "value": 1.0}]) == []
    assert app.set_targets(officer, [{**held, "value": 1.0}]) == 1


def test_an_allocation_is_saved_only_when_its_parts_add_up(loaded_store: Store) -> None:
    app = App(loaded_store)
    officer, clerk = officer_user(loaded_store), entry_user(loaded_store)
    [target] = [t for t in loaded_store.targets.of([DISTRICT], "2023")
                if t["key"] == "ktxh-dn-moi"]
    below = sorted(u.code for u in loaded_store.units.children(DISTRICT) if u.level == "xa")
    share = target["value"] / len(below)
    parts = {code: share for code in below}
    before = loaded_store.audit.count()

    for wrong, code in [({**parts, below[0]: share - 1}, "allocation-mismatch"),
                        ({k: v for k, v in parts.items() if k != below[0]}, "allocation-units"),
                        ({**parts, "HN": 0.0}, "allocation-units")]:
        with pytest.raises(ProblemError) as raised:
            app.allocate(officer, DISTRICT, "ktxh-dn-moi", wrong)
        assert [p.code for p in raised.value.problems] == [code]
        assert raised.value.problems[0].message_vi
    # Issue 9: parts that add up, one of them negative, or absurdly large.
    for absurd, code in [(-1_000_000.0, "count-value"), (1e308, "value-too-large")]:
        odd = {**parts, below[0]: absurd, below[1]: parts[below[1]] + share - absurd}
        with pytest.raises(ProblemError) as raised:
            app.allocate(officer, DISTRICT, "ktxh-dn-moi", odd)
        assert [(p.code, p.field) for p in raised.value.problems][0] == (
            code, f"parts.{below[0]}")
    with pytest.raises(ProblemError) as raised:  # a growth target is not split
        app.allocate(officer, DISTRICT, "ktxh-gtsx", parts)
    assert [p.code for p in raised.value.problems] == ["not-allocatable"]
    with refused():
        app.allocate(clerk, DISTRICT, "ktxh-dn-moi", parts)
    assert loaded_store.audit.count() == before

    assert app.allocate(officer, DISTRICT, "ktxh-dn-moi", parts, document="QĐ 1") == len(below)
    held = {t["unit"]: t for t in loaded_store.targets.of(below, "2023")
            if t["indicator"] == "dn-moi"}
    assert {u: t["value"] for u, t in held.items()} == parts
    assert {t["document"] for t in held.values()} == {"QĐ 1"}
    assert {t["issuer"] for t in held.values()} == {"Thanh Trì"}


def test_a_form_saves_what_changed_of_its_data_set(loaded_store: Store) -> None:
    """enter_figures: a figure equal to the one held is not written, None deletes the figure
    held in its vintage, an indicator outside the data set is left alone; the vintage is one
    a form enters; problems are placed at their indicator in the request."""
    app = App(loaded_store)
    clerk = entry_user(loaded_store)
    held = loaded_store.figures.latest(COMMUNE, "2023", [YESNO])[YESNO]
    with refused("invalid-vintage"):
        app.enter_figures(clerk, COMMUNE, "2023", COMMUNE_SET, {YESNO: 0}, vintage="plan")
    with refused("not-found"):
        app.enter_figures(clerk, COMMUNE, "2023", "kinh-te-xa-hoi", {YESNO: 0},
                          vintage="official")
    with refused():
        app.enter_figures(clerk, OTHER_COMMUNE, "2023", COMMUNE_SET, {YESNO: 0},
                          vintage="official")
    assert app.enter_figures(clerk, COMMUNE, "2023", COMMUNE_SET,
                             {YESNO: held["value"], "dv-moi": 5}, vintage="estimate") == 0
    with pytest.raises(ProblemError) as raised:  # 1.5 is no yes/no value
        app.enter_figures(clerk, COMMUNE, "2023", COMMUNE_SET, {"ntmnc-02": 1, YESNO: 1.5},
                          vintage="official")
    assert [(p.code, p.index) for p in raised.value.problems] == [("yesno-value", 1)]
    assert app.enter_figures(clerk, COMMUNE, "2023", COMMUNE_SET, {YESNO: None},
                             vintage="estimate", reason="nhập nhầm") == 1
    assert YESNO not in loaded_store.figures.latest(COMMUNE, "2023", [YESNO])
    [deleted, *_] = loaded_store.audit.history("observation", f"{COMMUNE}|{YESNO}|2023|"
                                                        f"{held['vintage']}")
    assert (deleted.action, deleted.actor, deleted.reason) == ("delete", clerk.username,
                                                                "nhập nhầm")


def test_an_import_writes_within_the_scope_under_the_pages_unit(loaded_store: Store) -> None:
    app = App(loaded_store)
    officer, clerk = officer_user(loaded_store), entry_user(loaded_store)
    app.check_import(officer, DISTRICT, [COMMUNE, OTHER_COMMUNE, DISTRICT])
    app.check_import(clerk, COMMUNE, [COMMUNE])
    with refused():
        app.check_import(clerk, COMMUNE, [COMMUNE, OTHER_COMMUNE])
    with refused("wrong-sheet") as raised:
        app.check_import(officer, COMMUNE, [COMMUNE, OTHER_COMMUNE])
    assert raised.value.problems[0].place == OTHER_COMMUNE
    assert f"không thuộc {COMMUNE}" in raised.value.problems[0].message_vi


def test_users_and_tokens_are_added_by_who_manages_the_unit(loaded_store: Store) -> None:
    app = App(loaded_store)
    officer = officer_user(loaded_store)
    local_admin = loaded_store.users.add("qt", "password123", role="admin", unit=COMMUNE)
    user = app.add_user(SYSTEM, "nhap", "password123", role="entry", unit=COMMUNE,
                        full_name="Cán bộ nhập liệu")
    assert (user.role.value, user.unit, user.full_name) == ("entry", COMMUNE,
                                                            "Cán bộ nhập liệu")
    assert app.add_user(local_admin, "nhap2", "password123", role="viewer",
                        unit=COMMUNE).unit == COMMUNE
    for actor, unit in [(officer, COMMUNE), (local_admin, OTHER_COMMUNE), (local_admin, None)]:
        with refused():
            app.add_user(actor, "x", "password123", role="viewer", unit=unit)
    with refused("invalid-option") as raised:
        app.add_user(SYSTEM, "x", "password123", role="boss", unit=COMMUNE)
    assert raised.value.problems[0].field == "role"
    assert app.add_user(SYSTEM, "root", "password123", role="admin", unit=None).unit is None

    token = app.add_token(local_admin, "nhap")
    assert isinstance(loaded_store.users.for_token(token), User)
    with refused():
        app.add_token(officer, "nhap")
    with refused():
        app.add_token(local_admin, "root")
    with refused("unknown-user"):
        app.add_token(SYSTEM, "nobody")


def test_accounts_are_managed_by_who_manages_the_users_of_that_unit(
        loaded_store: Store) -> None:
    """Disabling, a new password and a token's revocation: the command line, an
    administrator of the user's unit, or (own tokens, own password) the user."""
    app = App(loaded_store)
    local_admin = loaded_store.users.add("qt", "password123", role="admin", unit=COMMUNE)
    clerk = entry_user(loaded_store)
    other = entry_user(loaded_store, OTHER_COMMUNE, username="other")
    officer = officer_user(loaded_store)
    for actor in (officer, clerk):
        with refused():
            app.set_active(actor, "entry", False)
        with refused():
            app.set_password(actor, "other", "new-password")
    app.set_active(local_admin, "entry", False)
    app.set_active(SYSTEM, "entry", True)
    app.set_password(local_admin, "entry", "new-password")

    own = app.add_token(SYSTEM, "entry", "mine")
    assert app.add_token(SYSTEM, "other", "theirs")
    [mine] = app.tokens(clerk)
    assert mine.name == "mine" and mine.expires_at - mine.created_at == timedelta(days=90)
    [theirs] = app.tokens(SYSTEM, "other")
    with refused():
        app.tokens(clerk, "other")
    assert {t.name for t in app.tokens(SYSTEM)} == {"mine", "theirs"}
    with refused("unknown-token"):  # another's token is as if it did not exist
        app.revoke_token(clerk, theirs.id)
    with refused("unknown-token"):
        app.revoke_token(officer, mine.id)
    assert app.revoke_token(clerk, mine.id).revoked_at is not None
    assert loaded_store.users.for_token(own) is None
    with refused("unknown-token"):  # an administrator of another commune
        app.revoke_token(local_admin, theirs.id)
    assert app.revoke_token(SYSTEM, theirs.id).username == "other"
    with refused("wrong-password"):
        app.change_password(other, "password1234", "another-one", "10.0.0.1")
    app.change_password(other, "password123", "another-one", "10.0.0.1")
    assert app.authenticate("other", "another-one", "10.0.0.1") == other


def test_a_token_of_a_user_whose_unit_is_gone_is_revoked_by_the_command_line_only(
        loaded_store: Store) -> None:
    """A user's unit that a later load removed is managed by no one below the whole
    hierarchy: a commune's administrator cannot revoke that user's tokens."""
    app = App(loaded_store)
    local_admin = loaded_store.users.add("qt", "password123", role="admin", unit=COMMUNE)
    entry_user(loaded_store, OTHER_COMMUNE, username="stray")
    app.add_token(SYSTEM, "stray", "theirs")
    with loaded_store.engine.begin() as connection:
        connection.execute(text("UPDATE users SET unit = 'GONE' WHERE username = 'stray'"))
    [theirs] = app.tokens(SYSTEM, "stray")
    with refused("unknown-token"):
        app.revoke_token(local_admin, theirs.id)
    assert app.revoke_token(SYSTEM, theirs.id).revoked_at is not None


def test_loading_is_for_the_system_actor(loaded_store: Store) -> None:
    app = App(loaded_store)
    with refused("system-only") as raised:
        app.load(admin_user(loaded_store), loaded_store.units.definitions())
    assert raised.value.status == 403


def test_assigning_changes_the_target_the_unit_has(loaded_store: Store) -> None:
    """assignment: the unit's target for the indicator and period keeps its key, name, basis,
    precision and issuer (unless a new one is given); a new one gets the key of its place."""
    app = App(loaded_store)
    officer = officer_user(loaded_store)
    [held] = [t for t in loaded_store.targets.of([DISTRICT], "2023") if t["key"] == "ktxh-dn-moi"]
    doc = app.assignment(DISTRICT, held["indicator"], "2023", "at_least", 701,
                         document="QĐ 2")
    assert (doc["key"], doc["value"], doc["document"]) == ("ktxh-dn-moi", 701, "QĐ 2")
    assert (doc["name"], doc["basis"], doc["issuer"]) == (held["name"], held["basis"],
                                                          held["issuer"])
    assert app.set_targets(officer, [{**doc, "percent_decimals": 1, "percent_fixed": True}]) == 1
    again = app.assignment(DISTRICT, held["indicator"], "2023", "at_least", 702)
    assert (again["percent_decimals"], again["percent_fixed"]) == (1, True)  # its precision
    fresh = app.assignment(COMMUNE, "thu-nhap-bq", "2023", "at_least", 70)
    assert fresh["key"] == f"{COMMUNE}:thu-nhap-bq:2023" and fresh["issuer"] is None
    with refused("invalid-target") as raised:
        app.assignment(COMMUNE, "thu-nhap-bq", "2023", "more_than", 70)
    assert raised.value.problems[0].field == "value"
