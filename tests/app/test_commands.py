"""The application's commands: who may write figures, set targets and move a data set
along its workflow (draft, submitted, approved, locked), and the workflow's rules; the
refused commands write nothing."""

from __future__ import annotations

import pytest

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
from tieuchi.app import Action, App
from tieuchi.domain.problems import ProblemError
from tieuchi.store import Entry, Store

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

    with pytest.raises(ProblemError):
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
        with pytest.raises(ProblemError):
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
    with pytest.raises(ProblemError):
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
        with pytest.raises(ProblemError) as raised:
            app.write_figures(user, entries)
        assert raised.value.problems[0].message and raised.value.problems[0].message_vi
    unchanged(loaded_store, before)

    with pytest.raises(ProblemError):
        app.require(clerk, Action.READ, OTHER_COMMUNE)
    app.require(clerk, Action.WRITE, COMMUNE)
    app.require(viewer, Action.READ, COMMUNE)
    with pytest.raises(ProblemError):
        app.require(viewer, Action.WRITE, COMMUNE)
    with pytest.raises(ProblemError):
        app.transition(clerk, OTHER_COMMUNE, "2023", COMMUNE_SET, "submit")


def test_a_target_key_of_another_unit_is_that_units_target(loaded_store: Store) -> None:
    app = App(loaded_store)
    officer = loaded_store.users.add("tt", "password123", role="officer", unit="TT")
    held = loaded_store.targets.of(["TT"])[0]
    moved = {**held, "unit": "TT-YENMY", "value": 1.0}
    yenmy_officer = loaded_store.users.add("ym", "password123", role="officer", unit="TT-YENMY")
    with pytest.raises(ProblemError):
        app.set_targets(yenmy_officer, [moved])
    assert app.set_targets(officer, [moved]) == 1
    assert loaded_store.targets.by_key([held["key"]])[held["key"]]["unit"] == "TT-YENMY"


def test_an_allocation_is_saved_only_when_its_parts_add_up(loaded_store: Store) -> None:
    app = App(loaded_store)
    officer, clerk = officer_user(loaded_store), entry_user(loaded_store)
    [target] = [t for t in loaded_store.targets.of([DISTRICT], "2023")
                if t["key"] == "ktxh-dn-moi"]
    below = sorted(u.code for u in loaded_store.units.children(DISTRICT) if u.level == "xa")
    share = target["value"] / len(below)
    parts = {code: share for code in below}
    before = loaded_store.audit.count()

    for wrong, code in [({**parts, below[0]: share + 1}, "allocation-mismatch"),
                        ({k: v for k, v in parts.items() if k != below[0]}, "allocation-units"),
                        ({**parts, "HN": 0.0}, "allocation-units")]:
        with pytest.raises(ProblemError) as raised:
            app.allocate(officer, DISTRICT, "ktxh-dn-moi", wrong)
        assert [p.code for p in raised.value.problems] == [code]
        assert raised.value.problems[0].message_vi
    with pytest.raises(ProblemError) as raised:  # a growth target is not split
        app.allocate(officer, DISTRICT, "ktxh-gtsx", parts)
    assert [p.code for p in raised.value.problems] == ["not-allocatable"]
    with pytest.raises(ProblemError):
        app.allocate(clerk, DISTRICT, "ktxh-dn-moi", parts)
    assert loaded_store.audit.count() == before

    assert app.allocate(officer, DISTRICT, "ktxh-dn-moi", parts, document="QĐ 1") == len(below)
    held = {t["unit"]: t for t in loaded_store.targets.of(below, "2023")
            if t["indicator"] == "dn-moi"}
    assert {u: t["value"] for u, t in held.items()} == parts
    assert {t["document"] for t in held.values()} == {"QĐ 1"}
    assert {t["issuer"] for t in held.values()} == {"Thanh Trì"}
