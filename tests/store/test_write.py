"""Writing figures: checked, audited, all or nothing; the workflow of a unit's data set
(draft, submitted, approved, locked) and who may move it."""

from __future__ import annotations

import polars as pl
import pytest

from tests.store.helpers import (
    COMMUNE,
    COMMUNE_SET,
    COMPUTED,
    DISTRICT,
    OTHER_COMMUNE,
    YESNO,
    admin_user,
    entry_user,
    officer_user,
    viewer_user,
)
from tieuchi.store import Entry, Refused, Store, StoreError

# A year with no figures in the reference district, so every write there is new.
YEAR = "2024"


def _snapshot(store: Store) -> tuple[pl.DataFrame, int]:
    """The figures and the size of the audit log: what a refused write must leave alone."""
    columns = ["unit", "indicator", "period", "vintage", "value", "source"]
    frame = store.definitions().observations.select(columns).sort(columns[:4])
    return frame, store.audit_count()


def _unchanged(store: Store, before: tuple[pl.DataFrame, int]) -> None:
    frame, audits = _snapshot(store)
    assert frame.equals(before[0])
    assert audits == before[1]


def test_write_adds_changes_and_deletes_with_audit(loaded_store: Store) -> None:
    store = loaded_store
    key = f"{COMMUNE}|{YESNO}|{YEAR}"
    audits = store.audit_count()

    assert store.write([Entry(COMMUNE, YESNO, YEAR, 1, source="biên bản")], actor="anh") == 1
    figure = store.figures(COMMUNE, YEAR, [YESNO])[YESNO]
    assert (figure["value"], figure["source"], figure["changed_by"]) == (1, "biên bản", "anh")
    assert figure["changed_at"].tzinfo is not None

    # The same figure again changes nothing and is not audited.
    assert store.write([Entry(COMMUNE, YESNO, YEAR, 1)], actor="anh") == 0
    assert store.audit_count() == audits + 1

    assert store.write([Entry(COMMUNE, YESNO, YEAR, 0)], actor="binh", reason="rà soát") == 1
    figure = store.figures(COMMUNE, YEAR, [YESNO])[YESNO]
    assert (figure["value"], figure["source"]) == (0, "biên bản")  # the source is kept

    assert store.write([Entry(COMMUNE, YESNO, YEAR, None)], actor="chi") == 1
    assert store.figures(COMMUNE, YEAR, [YESNO]) == {}
    # Deleting what is not there changes nothing.
    assert store.write([Entry(COMMUNE, YESNO, YEAR, None)], actor="chi") == 0

    deleted, changed, added = store.history("observation", key)
    assert (added.action, added.actor, added.old, added.new) == (
        "add", "anh", None, {"value": 1, "source": "biên bản"})
    assert (changed.action, changed.actor, changed.reason) == ("change", "binh", "rà soát")
    assert changed.old == {"value": 1, "source": "biên bản"}
    assert changed.new == {"value": 0, "source": "biên bản"}
    assert (deleted.action, deleted.actor, deleted.new) == ("delete", "chi", None)
    assert deleted.old == {"value": 0, "source": "biên bản"}
    assert all(e.unit == COMMUNE and e.key == f"{key}|official" for e in (added, deleted))
    assert store.audit_count() == audits + 3


def test_write_as_a_user_records_the_user_name(loaded_store: Store) -> None:
    user = entry_user(loaded_store)
    assert loaded_store.write([Entry(COMMUNE, YESNO, YEAR, 1)], actor=user) == 1
    assert loaded_store.figures(COMMUNE, YEAR, [YESNO])[YESNO]["changed_by"] == user.username
    assert loaded_store.history("observation", f"{COMMUNE}|{YESNO}|{YEAR}")[0].actor == "entry"


def test_write_keeps_vintages_apart(loaded_store: Store) -> None:
    loaded_store.write([Entry(COMMUNE, YESNO, YEAR, 0, vintage="estimate"),
                        Entry(COMMUNE, YESNO, YEAR, 1, vintage="official")], actor="t")
    figure = loaded_store.figures(COMMUNE, YEAR, [YESNO])[YESNO]
    assert (figure["value"], figure["vintage"]) == (1, "official")
    assert len(loaded_store.history("observation", f"{COMMUNE}|{YESNO}|{YEAR}")) == 2


GOOD = Entry(COMMUNE, YESNO, YEAR, 1)

BAD = {
    "unknown-unit": (Entry("NO-SUCH-UNIT", YESNO, YEAR, 1), "unit"),
    "unknown-indicator": (Entry(COMMUNE, "no-such-indicator", YEAR, 1), "indicator"),
    "yesno-value": (Entry(COMMUNE, "ntmnc-02", YEAR, 2), "value"),
    "period-too-fine": (Entry(COMMUNE, "ntmnc-03", f"{YEAR}-Q1", 1), "period"),
    "invalid-period": (Entry(COMMUNE, "ntmnc-04", "2024-13", 1), "period"),
    "computed-indicator": (Entry(DISTRICT, COMPUTED, YEAR, 50), "indicator"),
    "duplicate-observation": (Entry(COMMUNE, YESNO, YEAR, 0), "indicator"),
    "invalid-vintage": (Entry(COMMUNE, "ntmnc-05", YEAR, 1, vintage="draft"), "vintage"),
    "invalid-value": (Entry(COMMUNE, "ntmnc-06", YEAR, float("nan")), "value"),
    "percent-range": (Entry(DISTRICT, "ho-ngheo", YEAR, 150), "value"),
    "count-value": (Entry(DISTRICT, "dn-moi", YEAR, 2.5), "value"),
}


def test_one_bad_entry_refuses_the_batch(loaded_store: Store) -> None:
    before = _snapshot(loaded_store)
    for code, (bad, field) in BAD.items():
        with pytest.raises(StoreError) as raised:
            loaded_store.write([GOOD, bad], actor="t")
        problems = [(p.index, p.field, p.code) for p in raised.value.problems]
        assert problems == [(1, field, code)], code
        assert raised.value.problems[0].message and raised.value.problems[0].message_vi
        _unchanged(loaded_store, before)


def test_every_bad_entry_is_reported(loaded_store: Store) -> None:
    before = _snapshot(loaded_store)
    batch = [GOOD, BAD["unknown-indicator"][0], BAD["yesno-value"][0],
             BAD["period-too-fine"][0], BAD["computed-indicator"][0],
             BAD["duplicate-observation"][0], Entry(OTHER_COMMUNE, YESNO, YEAR, 1)]
    with pytest.raises(StoreError) as raised:
        loaded_store.write(batch, actor="t")
    problems = [(p.index, p.field, p.code) for p in raised.value.problems]
    assert problems == [
        (1, "indicator", "unknown-indicator"),
        (2, "value", "yesno-value"),
        (3, "period", "period-too-fine"),
        (4, "indicator", "computed-indicator"),
        (5, "indicator", "duplicate-observation"),
    ]
    assert raised.value.problems[0].as_dict()["index"] == 1
    _unchanged(loaded_store, before)


def test_writing_to_a_closed_data_set_is_refused(loaded_store: Store) -> None:
    admin = admin_user(loaded_store)
    for action, state in [("submit", "submitted"), ("approve", "approved"),
                          ("lock", "locked")]:
        assert loaded_store.transition(COMMUNE, "2023", COMMUNE_SET, action,
                                       user=admin) == state
        assert loaded_store.state(COMMUNE, "2023", COMMUNE_SET) == state
        before = _snapshot(loaded_store)
        with pytest.raises(StoreError) as raised:
            loaded_store.write([Entry(COMMUNE, "ntmnc-02", "2023", 0)], actor=admin)
        [problem] = raised.value.problems
        assert (problem.index, problem.field, problem.code) == (0, "value", state)
        _unchanged(loaded_store, before)

    # Other units, other years and the commune's other data set stay open.
    assert loaded_store.write([Entry(OTHER_COMMUNE, "ntmnc-02", "2023", 0),
                               Entry(COMMUNE, "ntmnc-02", YEAR, 0),
                               Entry(COMMUNE, "thon-thong-minh", "2023", 1)], actor=admin) == 3


def test_reopen_needs_a_reason_and_an_administrator(loaded_store: Store) -> None:
    admin = admin_user(loaded_store)
    officer = officer_user(loaded_store)
    for action in ("submit", "approve", "lock"):
        loaded_store.transition(COMMUNE, "2023", COMMUNE_SET, action, user=officer)
    assert loaded_store.state(COMMUNE, "2023", COMMUNE_SET) == "locked"

    with pytest.raises(Refused):
        loaded_store.transition(COMMUNE, "2023", COMMUNE_SET, "reopen", user=officer,
                                reason="sai số liệu")
    for reason in (None, "  "):
        with pytest.raises(StoreError) as raised:
            loaded_store.transition(COMMUNE, "2023", COMMUNE_SET, "reopen", user=admin,
                                    reason=reason)
        assert [p.code for p in raised.value.problems] == ["reason-required"]
    assert loaded_store.state(COMMUNE, "2023", COMMUNE_SET) == "locked"

    assert loaded_store.transition(COMMUNE, "2023", COMMUNE_SET, "reopen", user=admin,
                                   reason="sai số liệu") == "draft"
    assert loaded_store.write([Entry(COMMUNE, "ntmnc-02", "2023", 0)], actor=admin) == 1
    [reopened, *_] = loaded_store.history("workflow", f"{COMMUNE}|2023|{COMMUNE_SET}")
    assert (reopened.action, reopened.actor, reopened.reason) == ("reopen", "admin",
                                                                  "sai số liệu")
    assert (reopened.old, reopened.new) == ({"state": "locked"}, {"state": "draft"})


def test_approval_is_by_the_level_above(loaded_store: Store) -> None:
    clerk = entry_user(loaded_store)
    local_officer = officer_user(loaded_store, unit=COMMUNE, username="local")
    district_officer = officer_user(loaded_store)

    assert loaded_store.transition(COMMUNE, "2023", COMMUNE_SET, "submit", user=clerk) == \
        "submitted"
    for user in (clerk, local_officer):
        with pytest.raises(Refused):
            loaded_store.transition(COMMUNE, "2023", COMMUNE_SET, "approve", user=user)
    assert loaded_store.state(COMMUNE, "2023", COMMUNE_SET) == "submitted"
    assert loaded_store.transition(COMMUNE, "2023", COMMUNE_SET, "approve",
                                   user=district_officer) == "approved"
    assert loaded_store.states([COMMUNE], "2023") == {(COMMUNE, COMMUNE_SET): "approved"}

    # Returning needs a reason; then the unit may edit and submit again.
    with pytest.raises(StoreError):
        loaded_store.transition(COMMUNE, "2023", COMMUNE_SET, "return", user=district_officer)
    assert loaded_store.transition(COMMUNE, "2023", COMMUNE_SET, "return",
                                   user=district_officer, reason="bổ sung") == "draft"
    assert loaded_store.write([Entry(COMMUNE, "ntmnc-02", "2023", 0)], actor=clerk) == 1


def test_a_district_officer_cannot_approve_the_district(loaded_store: Store) -> None:
    officer = officer_user(loaded_store)
    admin = admin_user(loaded_store)
    loaded_store.transition(DISTRICT, "2023", "kinh-te-xa-hoi", "submit", user=officer)
    with pytest.raises(Refused):
        loaded_store.transition(DISTRICT, "2023", "kinh-te-xa-hoi", "approve", user=officer)
    assert loaded_store.transition(DISTRICT, "2023", "kinh-te-xa-hoi", "approve",
                                   user=admin) == "approved"


def test_transitions_follow_the_workflow(loaded_store: Store) -> None:
    admin = admin_user(loaded_store)
    with pytest.raises(StoreError) as raised:
        loaded_store.transition(COMMUNE, "2023", COMMUNE_SET, "lock", user=admin)
    assert [p.code for p in raised.value.problems] == ["wrong-state"]
    with pytest.raises(StoreError) as raised:
        loaded_store.transition(COMMUNE, "2023", "kinh-te-xa-hoi", "submit", user=admin)
    assert [p.code for p in raised.value.problems] == ["unknown-dataset"]
    with pytest.raises(StoreError) as raised:
        loaded_store.transition(COMMUNE, "2023", COMMUNE_SET, "publish", user=admin)
    assert [p.code for p in raised.value.problems] == ["invalid-action"]
    assert loaded_store.state(COMMUNE, "2023", COMMUNE_SET) == "draft"
    assert [d.code for d in loaded_store.datasets_for(COMMUNE)] == [COMMUNE_SET,
                                                                    "ntm-kieu-mau"]


def test_users_out_of_scope_are_refused(loaded_store: Store) -> None:
    clerk = entry_user(loaded_store)
    viewer = viewer_user(loaded_store)
    local_officer = officer_user(loaded_store, unit=COMMUNE, username="local")
    before = _snapshot(loaded_store)
    refusals = [
        (clerk, [Entry(OTHER_COMMUNE, YESNO, YEAR, 1)]),
        (clerk, [Entry(COMMUNE, YESNO, YEAR, 1), Entry(DISTRICT, "dv-moi", YEAR, 5)]),
        (viewer, [Entry(COMMUNE, YESNO, YEAR, 1)]),
        (local_officer, [Entry(DISTRICT, "dv-moi", YEAR, 5)]),
    ]
    for user, entries in refusals:
        with pytest.raises(Refused) as raised:
            loaded_store.write(entries, actor=user)
        assert raised.value.message and raised.value.message_vi
    _unchanged(loaded_store, before)

    with pytest.raises(Refused):
        loaded_store.check(clerk, OTHER_COMMUNE)
    loaded_store.check(clerk, COMMUNE, "write")
    loaded_store.check(viewer, COMMUNE, "read")
    with pytest.raises(Refused):
        loaded_store.check(viewer, COMMUNE, "write")
    with pytest.raises(Refused):
        loaded_store.transition(OTHER_COMMUNE, "2023", COMMUNE_SET, "submit", user=clerk)


def test_history_matches_keys_exactly(loaded_store: Store) -> None:
    loaded_store.write([Entry(COMMUNE, YESNO, YEAR, 1)], actor="t")
    key = f"{COMMUNE}|{YESNO}|{YEAR}"
    assert len(loaded_store.history("observation", key)) == 1
    assert len(loaded_store.history("observation", f"{key}|official")) == 1
    assert len(loaded_store.history("observation", f"{COMMUNE}|{YESNO}")) == 2  # and 2023
    # Codes are case-sensitive and "_" is a character like any other (not a LIKE pattern).
    assert loaded_store.history("observation", key.lower()) == []
    assert loaded_store.history("observation", key.replace("-", "_")) == []
    assert loaded_store.history("observation", f"{COMMUNE}|%") == []
    assert loaded_store.history("observation", COMMUNE[:-1]) == []


def test_period_codes_are_stored_in_canonical_form(loaded_store: Store) -> None:
    loaded_store.write([Entry("TT-YENMY", "thu-nhap-bq", "2023-ytd12", 81.0)], actor="test")
    assert loaded_store.figures("TT-YENMY", "2023", ["thu-nhap-bq"])["thu-nhap-bq"][
        "value"] == 81.0


def test_a_target_key_of_another_unit_is_that_units_target(loaded_store: Store) -> None:
    officer = loaded_store.add_user("tt", "password123", role="officer", unit="TT")
    held = loaded_store.targets_of(["TT"])[0]
    moved = {**held, "unit": "TT-YENMY", "value": 1.0}
    yenmy_officer = loaded_store.add_user("ym", "password123", role="officer", unit="TT-YENMY")
    with pytest.raises(Refused):
        loaded_store.save_targets([moved], user=yenmy_officer)
    assert loaded_store.save_targets([moved], user=officer) == 1
    assert loaded_store.targets_by_key([held["key"]])[held["key"]][0] == "TT-YENMY"
