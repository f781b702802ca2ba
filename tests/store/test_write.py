"""Writing figures in the store: checked, audited, all or nothing. Who may write and the
workflow's steps are the application's (tests/app/test_commands.py)."""

from __future__ import annotations

import pytest

from tests.store.helpers import (
    COMMUNE,
    COMPUTED,
    DISTRICT,
    OTHER_COMMUNE,
    YESNO,
    entry_user,
    snapshot,
    unchanged,
)
from tieuchi.domain.problems import ProblemError
from tieuchi.store import Entry, Store

# A year with no figures in the reference district, so every write there is new.
YEAR = "2024"


def test_write_adds_changes_and_deletes_with_audit(loaded_store: Store) -> None:
    store = loaded_store
    key = f"{COMMUNE}|{YESNO}|{YEAR}"
    audits = store.audit.count()

    assert store.figures.write([Entry(COMMUNE, YESNO, YEAR, 1, source="biên bản")],
                               actor="anh") == 1
    figure = store.figures.latest(COMMUNE, YEAR, [YESNO])[YESNO]
    assert (figure["value"], figure["source"], figure["changed_by"]) == (1, "biên bản", "anh")
    assert figure["changed_at"].tzinfo is not None

    # The same figure again changes nothing and is not audited.
    assert store.figures.write([Entry(COMMUNE, YESNO, YEAR, 1)], actor="anh") == 0
    assert store.audit.count() == audits + 1

    assert store.figures.write([Entry(COMMUNE, YESNO, YEAR, 0)], actor="binh",
                               reason="rà soát") == 1
    figure = store.figures.latest(COMMUNE, YEAR, [YESNO])[YESNO]
    assert (figure["value"], figure["source"]) == (0, "biên bản")  # the source is kept

    assert store.figures.write([Entry(COMMUNE, YESNO, YEAR, None)], actor="chi") == 1
    assert store.figures.latest(COMMUNE, YEAR, [YESNO]) == {}
    # Deleting what is not there changes nothing.
    assert store.figures.write([Entry(COMMUNE, YESNO, YEAR, None)], actor="chi") == 0

    deleted, changed, added = store.audit.history("observation", key)
    assert (added.action, added.actor, added.old, added.new) == (
        "add", "anh", None, {"value": 1, "source": "biên bản"})
    assert (changed.action, changed.actor, changed.reason) == ("change", "binh", "rà soát")
    assert changed.old == {"value": 1, "source": "biên bản"}
    assert changed.new == {"value": 0, "source": "biên bản"}
    assert (deleted.action, deleted.actor, deleted.new) == ("delete", "chi", None)
    assert deleted.old == {"value": 0, "source": "biên bản"}
    assert all(e.unit == COMMUNE and e.key == f"{key}|official" for e in (added, deleted))
    assert store.audit.count() == audits + 3


def test_write_as_a_user_records_the_user_name(loaded_store: Store) -> None:
    user = entry_user(loaded_store)
    assert loaded_store.figures.write([Entry(COMMUNE, YESNO, YEAR, 1)], actor=user.username) == 1
    assert loaded_store.figures.latest(COMMUNE, YEAR, [YESNO])[YESNO]["changed_by"] == user.username
    history = loaded_store.audit.history("observation", f"{COMMUNE}|{YESNO}|{YEAR}")
    assert history[0].actor == "entry"


def test_write_keeps_vintages_apart(loaded_store: Store) -> None:
    loaded_store.figures.write([Entry(COMMUNE, YESNO, YEAR, 0, vintage="estimate"),
                                Entry(COMMUNE, YESNO, YEAR, 1, vintage="official")], actor="t")
    figure = loaded_store.figures.latest(COMMUNE, YEAR, [YESNO])[YESNO]
    assert (figure["value"], figure["vintage"]) == (1, "official")
    assert len(loaded_store.audit.history("observation", f"{COMMUNE}|{YESNO}|{YEAR}")) == 2


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
    before = snapshot(loaded_store)
    for code, (bad, field) in BAD.items():
        with pytest.raises(ProblemError) as raised:
            loaded_store.figures.write([GOOD, bad], actor="t")
        problems = [(p.index, p.field, p.code) for p in raised.value.problems]
        assert problems == [(1, field, code)], code
        assert raised.value.problems[0].message and raised.value.problems[0].message_vi
        unchanged(loaded_store, before)


def test_every_bad_entry_is_reported(loaded_store: Store) -> None:
    before = snapshot(loaded_store)
    batch = [GOOD, BAD["unknown-indicator"][0], BAD["yesno-value"][0],
             BAD["period-too-fine"][0], BAD["computed-indicator"][0],
             BAD["duplicate-observation"][0], Entry(OTHER_COMMUNE, YESNO, YEAR, 1)]
    with pytest.raises(ProblemError) as raised:
        loaded_store.figures.write(batch, actor="t")
    problems = [(p.index, p.field, p.code) for p in raised.value.problems]
    assert problems == [
        (1, "indicator", "unknown-indicator"),
        (2, "value", "yesno-value"),
        (3, "period", "period-too-fine"),
        (4, "indicator", "computed-indicator"),
        (5, "indicator", "duplicate-observation"),
    ]
    assert raised.value.problems[0].as_dict()["index"] == 1
    unchanged(loaded_store, before)


def test_history_matches_keys_exactly(loaded_store: Store) -> None:
    loaded_store.figures.write([Entry(COMMUNE, YESNO, YEAR, 1)], actor="t")
    key = f"{COMMUNE}|{YESNO}|{YEAR}"
    assert len(loaded_store.audit.history("observation", key)) == 1
    assert len(loaded_store.audit.history("observation", f"{key}|official")) == 1
    assert len(loaded_store.audit.history("observation", f"{COMMUNE}|{YESNO}")) == 2  # and 2023
    # Codes are case-sensitive and "_" is a character like any other (not a LIKE pattern).
    assert loaded_store.audit.history("observation", key.lower()) == []
    assert loaded_store.audit.history("observation", key.replace("-", "_")) == []
    assert loaded_store.audit.history("observation", f"{COMMUNE}|%") == []
    assert loaded_store.audit.history("observation", COMMUNE[:-1]) == []


def test_period_codes_are_stored_in_canonical_form(loaded_store: Store) -> None:
    loaded_store.figures.write([Entry("TT-YENMY", "thu-nhap-bq", "2023-ytd12", 81.0)], actor="test")
    assert loaded_store.figures.latest("TT-YENMY", "2023", ["thu-nhap-bq"])["thu-nhap-bq"][
        "value"] == 81.0
