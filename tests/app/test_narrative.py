"""Writing a report's narrative: who may, what a text may hold, the audit, and the rule that
the text written on the pages wins over the folder's; on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses

import pytest

from tests.store.helpers import (
    COMMUNE,
    DISTRICT,
    admin_user,
    entry_user,
    officer_user,
    viewer_user,
)
from tieuchi.app import SYSTEM, App
from tieuchi.domain.bundle import Definitions
from tieuchi.domain.narrative import Narrative
from tieuchi.domain.problems import ProblemError
from tieuchi.store import Store


def _codes(error: pytest.ExceptionInfo[ProblemError]) -> list[str]:
    return [p.code for p in error.value.problems]


def test_officers_write_the_narrative_audited(loaded_store: Store) -> None:
    app = App(loaded_store)
    officer = officer_user(loaded_store)
    assert app.write_narrative(officer, DISTRICT, "2023", {
        "ton-tai": "Còn chậm.\r\n\r\n- Ý một.", "nguyen-nhan:tcd-lptb": "Thị trường trầm lắng."},
        reason="họp giao ban") == 2
    narrative = app.narrative(DISTRICT, "2023")
    assert narrative.section("ton-tai") == "Còn chậm.\n\n- Ý một."
    assert narrative.causes == {"tcd-lptb": "Thị trường trầm lắng."}
    assert app.write_narrative(officer, DISTRICT, "2023", {"ton-tai": "Còn chậm.\n\n- Ý một."},
                               ) == 0  # the same text: nothing written
    assert app.write_narrative(officer, DISTRICT, "2023", {"ton-tai": "Đã khắc phục."}) == 1
    history = loaded_store.audit.history("narrative", f"{DISTRICT}|2023|ton-tai")
    assert [(h.actor, h.old, h.new) for h in history] == [
        ("officer", {"text": "Còn chậm.\n\n- Ý một."}, {"text": "Đã khắc phục."}),
        ("officer", None, {"text": "Còn chậm.\n\n- Ý một."})]
    assert history[1].reason == "họp giao ban"
    # an administrator, and an officer of the commune, write the commune's
    admin = admin_user(loaded_store)
    assert app.write_narrative(admin, COMMUNE, "2023-ytd06", {"kien-nghi": "Hỗ trợ vốn."}) == 1
    assert app.narrative(COMMUNE, "2023-YTD06").section("kien-nghi") == "Hỗ trợ vốn."


@pytest.mark.parametrize("who", ["entry", "viewer", "commune officer"])
def test_who_may_not_write_is_refused_and_nothing_is_written(loaded_store: Store,
                                                             who: str) -> None:
    app = App(loaded_store)
    user = {"entry": lambda: entry_user(loaded_store, DISTRICT),
            "viewer": lambda: viewer_user(loaded_store),
            "commune officer": lambda: officer_user(loaded_store, COMMUNE)}[who]()
    with pytest.raises(ProblemError) as raised:
        app.write_narrative(user, DISTRICT, "2023", {"ton-tai": "x"})
    assert _codes(raised) == ["forbidden"]
    assert not app.narrative(DISTRICT, "2023")


def test_a_narrative_is_checked_as_every_text(loaded_store: Store) -> None:
    app = App(loaded_store)
    officer = officer_user(loaded_store)
    with pytest.raises(ProblemError) as raised:
        app.write_narrative(officer, DISTRICT, "2023", {
            "ton-tai": "x" * 20_001, "kien-nghi": "a\x00b", "ket-luan": "y",
            "nguyen-nhan:khong-co": "z", "ton-tai:tcd-lptb": "w"})
    assert sorted(_codes(raised)) == ["control-character", "invalid-option", "invalid-option",
                                      "text-too-long", "unknown-target"]
    assert {p.field for p in raised.value.problems} >= {"ton-tai", "nguyen-nhan:khong-co"}
    with pytest.raises(ProblemError) as raised:
        app.write_narrative(officer, DISTRICT, "2023 năm", {"ton-tai": "x"})
    assert _codes(raised) == ["invalid-period"]
    assert not app.narrative(DISTRICT, "2023")
    # decomposed text is kept composed; its length counted composed
    app.write_narrative(officer, DISTRICT, "2023", {"ton-tai": "To\u0302\u0300n ta\u0323i"})
    assert app.narrative(DISTRICT, "2023").section("ton-tai") == "Tồn tại"


def test_the_written_text_wins_over_the_folders(loaded_store: Store,
                                                thanh_tri: Definitions) -> None:
    app = App(loaded_store)
    folder = Narrative(DISTRICT, "2023", {("ton-tai", ""): "Từ tệp.",
                                          ("kien-nghi", ""): "Kiến nghị từ tệp."})
    summary = app.load(SYSTEM, dataclasses.replace(thanh_tri, narratives=(folder,)))
    assert summary.added == {"narratives": 2}
    assert app.narrative(DISTRICT, "2023").texts == folder.texts
    officer = officer_user(loaded_store)
    app.write_narrative(officer, DISTRICT, "2023", {"ton-tai": "Từ trang.", "kien-nghi": ""})
    assert app.narrative(DISTRICT, "2023").texts == {("ton-tai", ""): "Từ trang."}
    # loading the folder again (changed) keeps the written texts over it
    changed = Narrative(DISTRICT, "2023", {("ton-tai", ""): "Tệp mới.",
                                           ("phuong-huong", ""): "Phương hướng từ tệp."})
    summary = app.load(SYSTEM, dataclasses.replace(thanh_tri, narratives=(changed,)))
    assert summary.added == {"narratives": 1} and summary.changed == {"narratives": 2}
    assert app.narrative(DISTRICT, "2023").texts == {
        ("ton-tai", ""): "Từ trang.", ("phuong-huong", ""): "Phương hướng từ tệp."}
    history = loaded_store.audit.history("narrative", f"{DISTRICT}|2023|kien-nghi")
    assert [h.action for h in history] == ["load", "update", "load"]
