"""Free text through the application's commands (issue 9): every field is limited and
refuses control characters, with the field named, before anything is written; text is kept
in Unicode NFC."""

from __future__ import annotations

import unicodedata

import pytest

from tests.store.helpers import (
    COMMUNE,
    COMMUNE_SET,
    DISTRICT,
    admin_user,
    officer_user,
    snapshot,
    unchanged,
)
from tieuchi.app import SYSTEM, App
from tieuchi.domain.problems import ProblemError
from tieuchi.domain.ruleset import TEXT_LIMITS
from tieuchi.store import Entry, Store

YEAR = "2024"


def _refused(code: str, field: str) -> pytest.RaisesExc[ProblemError]:
    return pytest.raises(ProblemError, check=lambda e: [(p.code, p.field) for p in e.problems]
                         == [(code, field)])


def test_a_figures_source_and_the_reason_are_checked_before_anything_is_written(
        loaded_store: Store) -> None:
    app = App(loaded_store)
    admin = admin_user(loaded_store)
    before = snapshot(loaded_store)
    with _refused("control-character", "source"):
        app.write_figures(admin, [Entry(COMMUNE, "ntmnc-02", YEAR, 1, source="Báo cáo\x01số 5")])
    with _refused("text-too-long", "source"):
        app.write_figures(admin, [Entry(COMMUNE, "ntmnc-02", YEAR, 1, source="x" * 1_000_000)])
    with _refused("control-character", "source"):  # a lone surrogate, as JSON can send
        app.write_figures(admin, [Entry(COMMUNE, "ntmnc-02", YEAR, 1, source="a\ud800")])
    with _refused("text-too-long", "reason"):
        app.write_figures(admin, [Entry(COMMUNE, "ntmnc-02", YEAR, 1)],
                          reason="x" * (TEXT_LIMITS["reason"] + 1))
    with _refused("control-character", "source"):  # the form's path
        app.enter_figures(admin, COMMUNE, YEAR, COMMUNE_SET, {"ntmnc-02": 1.0},
                          vintage="official", source="a\x1bb")
    unchanged(loaded_store, before)

    decomposed = unicodedata.normalize("NFD", " Báo cáo số 5 của UBND xã ")
    assert app.write_figures(admin, [Entry(COMMUNE, "ntmnc-02", YEAR, 1, source=decomposed)],
                             reason="Nhập lại\nsố liệu") == 1
    held = loaded_store.figures.latest(COMMUNE, YEAR, ["ntmnc-02"])["ntmnc-02"]
    assert held["source"] == "Báo cáo số 5 của UBND xã"


def test_targets_reasons_and_documents_are_checked(loaded_store: Store) -> None:
    app = App(loaded_store)
    officer = officer_user(loaded_store)
    [target] = [t for t in loaded_store.targets.of([DISTRICT], "2023")
                if t["key"] == "ktxh-dn-moi"]
    before = snapshot(loaded_store)
    with _refused("control-character", "document"):
        app.set_targets(officer, [{**target, "document": "NQ số\x0c12"}])
    with _refused("text-too-long", "issuer"):
        app.set_targets(officer, [{**target, "issuer": "x" * 301}])
    with _refused("text-too-long", "reason"):
        app.set_targets(officer, [target], reason="x" * 30_000_000)
    with _refused("value-range", "value"):  # issue 9: negative targets of a revenue
        app.set_targets(officer, [{**target, "key": "thu-khac-am", "indicator": "thu-khac",
                                    "value": -5.0}])
    below = sorted(u.code for u in loaded_store.units.children(DISTRICT) if u.level == "xa")
    with _refused("control-character", "document"):
        app.allocate(officer, DISTRICT, "ktxh-dn-moi",
                     {u: target["value"] / len(below) for u in below}, document="QĐ\x00")
    unchanged(loaded_store, before)


def test_workflow_reasons_user_names_and_token_names_are_checked(loaded_store: Store) -> None:
    app = App(loaded_store)
    admin = admin_user(loaded_store)
    with _refused("control-character", "reason"):
        app.transition(admin, COMMUNE, "2023", COMMUNE_SET, "submit", reason="ok\x07")
    with _refused("text-too-long", "full_name"):
        app.add_user(SYSTEM, "moi", "mat-khau-dai-du-12", role="viewer", unit=COMMUNE,
                     full_name="x" * 201)
    with _refused("control-character", "name"):
        app.add_token(SYSTEM, admin.username, "api\n")
    assert app.transition(admin, COMMUNE, "2023", COMMUNE_SET, "submit",
                          reason="Đủ số liệu\r\nquý 4") == "submitted"
