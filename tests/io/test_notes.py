"""A figure's note ("Ghi chú") is kept with it: written by the store like its source (None
keeps the note held, an empty text takes it away), from the Excel template, the CSV exchange
and the application's commands; audited; limited by ``TEXT_LIMITS["note"]``."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.io.conftest import open_template, save
from tieuchi.app import App, System
from tieuchi.domain.problems import ProblemError
from tieuchi.domain.ruleset import TEXT_LIMITS
from tieuchi.io.csv_exchange import observations_frame, read_csv, write_csv
from tieuchi.io.excel_import import read_workbook
from tieuchi.io.plan import Plan, apply
from tieuchi.reports.trace import trace
from tieuchi.store import Entry, Store

YM = "Yên Mỹ"
ROW = {"thu-nhap-bq": 24, "ngheo-da-chieu": 25}
SYSTEM = System("test")


def note_of(store: Store, unit: str, indicator: str, period: str = "2023") -> str | None:
    return store.figures.latest(unit, period, [indicator])[indicator].get("note")


def test_the_store_keeps_a_note_like_the_source(store: Store) -> None:
    app = App(store)
    key = ("TT-YENMY", "ngheo-da-chieu", "2023")
    assert app.write_figures(SYSTEM, [Entry(*key, 0.25, note="Theo rà soát tháng 10")]) == 1
    assert note_of(store, "TT-YENMY", "ngheo-da-chieu") == "Theo rà soát tháng 10"
    assert app.write_figures(SYSTEM, [Entry(*key, 0.3)]) == 1  # no note given: kept
    assert note_of(store, "TT-YENMY", "ngheo-da-chieu") == "Theo rà soát tháng 10"
    assert app.write_figures(SYSTEM, [Entry(*key, 0.3, note="  ")]) == 1  # emptied: away
    assert note_of(store, "TT-YENMY", "ngheo-da-chieu") is None
    [last, before, *_] = store.audit.history("observation", "TT-YENMY|ngheo-da-chieu|2023")
    assert last.old is not None and last.old["note"] == "Theo rà soát tháng 10"
    assert last.new is not None and "note" not in last.new
    assert before.new is not None and before.new["note"] == "Theo rà soát tháng 10"


def test_a_note_too_long_is_refused(store: Store) -> None:
    long = "x" * (TEXT_LIMITS["note"] + 1)
    with pytest.raises(ProblemError) as caught:
        App(store).write_figures(SYSTEM, [Entry("TT-YENMY", "ngheo-da-chieu", "2023", 0.2,
                                                note=long)])
    assert [p.code for p in caught.value.problems] == ["text-too-long"]


def test_the_excel_template_stores_its_notes(store: Store, tmp_path: Path) -> None:
    book = open_template(store, tmp_path, ["TT-YENMY"])
    book[YM][f"G{ROW['thu-nhap-bq']}"] = "Số ước, chờ Chi cục Thống kê"  # a note alone
    book[YM][f"E{ROW['ngheo-da-chieu']}"] = 0.2
    book[YM][f"G{ROW['ngheo-da-chieu']}"] = "Sau phúc tra"
    plan = read_workbook(store, save(book, tmp_path))
    assert not [w for w in plan.warnings if "note" in w.code]
    assert apply(App(store), plan, actor=SYSTEM) == 2
    assert note_of(store, "TT-YENMY", "thu-nhap-bq") == "Số ước, chờ Chi cục Thống kê"
    assert note_of(store, "TT-YENMY", "ngheo-da-chieu") == "Sau phúc tra"
    # the next template shows the notes; untouched, it changes nothing; a note cleared goes
    again = open_template(store, tmp_path, ["TT-YENMY"])
    assert again[YM][f"G{ROW['ngheo-da-chieu']}"].value == "Sau phúc tra"
    assert len(read_workbook(store, save(again, tmp_path, "again.xlsx"))) == 0
    again[YM][f"G{ROW['ngheo-da-chieu']}"] = None
    plan = read_workbook(store, save(again, tmp_path, "cleared.xlsx"))
    assert apply(App(store), plan, actor=SYSTEM) == 1
    assert note_of(store, "TT-YENMY", "ngheo-da-chieu") is None


def test_the_csv_exchange_carries_notes(store: Store, tmp_path: Path) -> None:
    App(store).write_figures(SYSTEM, [Entry("TT-DAIANG", "ngheo-da-chieu", "2023", 0.4,
                                            note="Số liệu sơ bộ của xã")])
    path = tmp_path / "observations.csv"
    write_csv(observations_frame(store, "TT-DAIANG", "2023"), path)
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0].endswith(",source,note")
    assert "Số liệu sơ bộ của xã" in text
    plan = read_csv(store, path)
    assert isinstance(plan, Plan) and len(plan) == 0
    path.write_text(text.replace("Số liệu sơ bộ của xã", "Đã đối chiếu"), encoding="utf-8")
    plan = read_csv(store, path)
    assert isinstance(plan, Plan)
    assert apply(App(store), plan, actor=SYSTEM) == 1
    assert note_of(store, "TT-DAIANG", "ngheo-da-chieu") == "Đã đối chiếu"


def test_the_trace_of_a_figure_shows_its_note(store: Store) -> None:
    app = App(store)
    app.write_figures(SYSTEM, [Entry("TT-YENMY", "thu-nhap-bq", "2023", 81.0,
                                     note="Số liệu Chi cục Thống kê")])
    rows = trace(app.results.evaluation("TT-YENMY", "2023"), "TT-YENMY", "thu-nhap-bq")
    used = [r for r in rows if r["kind"] == "observation" and r["used"]]
    assert [r["note"] for r in used] == ["Số liệu Chi cục Thống kê"]


def test_the_entry_form_command_takes_notes(store: Store) -> None:
    """``App.enter_figures(notes=…)``: what the entry form sends. A note alone changes the
    figure held, in its own vintage; a value with a note writes both; an empty note clears."""
    app = App(store)
    held = store.figures.latest("TT-YENMY", "2023", ["thu-nhap-bq"])["thu-nhap-bq"]
    count = app.enter_figures(SYSTEM, "TT-YENMY", "2023", "ntm-nang-cao", {},
                              vintage="official", notes={"thu-nhap-bq": "Chờ số chính thức"})
    after = store.figures.latest("TT-YENMY", "2023", ["thu-nhap-bq"])["thu-nhap-bq"]
    assert count == 1 and (after["value"], after["vintage"]) == (held["value"],
                                                                 held["vintage"])
    assert after["note"] == "Chờ số chính thức"
    assert app.enter_figures(SYSTEM, "TT-YENMY", "2023", "ntm-nang-cao", {},
                             vintage="official",
                             notes={"thu-nhap-bq": "Chờ số chính thức"}) == 0  # unchanged
    assert app.enter_figures(SYSTEM, "TT-YENMY", "2023", "ntm-nang-cao",
                             {"ngheo-da-chieu": 0.2}, vintage="official",
                             notes={"ngheo-da-chieu": "Sau phúc tra"}) == 1
    assert note_of(store, "TT-YENMY", "ngheo-da-chieu") == "Sau phúc tra"
    assert app.enter_figures(SYSTEM, "TT-YENMY", "2023", "ntm-nang-cao", {},
                             vintage="official", notes={"thu-nhap-bq": ""}) == 1
    assert note_of(store, "TT-YENMY", "thu-nhap-bq") is None
