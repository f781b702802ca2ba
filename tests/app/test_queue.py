"""The work queue (App.queue, tieuchi.app.queue): the forms of a unit and the units below it
for a period with their stage, completeness, due date and lateness; steps taken form by form
from it (App.move_forms); a saved form keeps its figures' vintage (App.enter_figures)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tests.store.helpers import (
    COMMUNE,
    COMMUNE_SET,
    DISTRICT,
    OTHER_COMMUNE,
    admin_user,
    entry_user,
    officer_user,
)
from tieuchi.app import App, Shown
from tieuchi.app.application import kept_vintage
from tieuchi.app.queue import Stage, stage_of
from tieuchi.domain.problems import ProblemError
from tieuchi.domain.workflow import State, Step
from tieuchi.store import Store

CITY = "HN"
# The clock of the tests: a week after the communes' forms of 2023 were due (30/11/2023).
LATER = datetime(2023, 12, 7, 3, 0, tzinfo=UTC)


def _app(store: Store) -> App:
    return App(store, clock=lambda: LATER)


def test_a_draft_is_empty_until_it_holds_a_figure() -> None:
    assert stage_of(State.DRAFT, 0) is Stage.EMPTY
    assert stage_of(State.DRAFT, 3) is Stage.DRAFT
    assert stage_of(State.LOCKED, 3) is Stage.LOCKED


def test_kept_vintage_is_the_replaced_figure_s() -> None:
    assert kept_vintage("estimate", "official") == "estimate"
    assert kept_vintage(None, "preliminary") == "preliminary"
    assert kept_vintage("plan", "official") == "official"


@pytest.mark.parametrize("root", [DISTRICT, CITY])
def test_the_queue_lists_every_form_below_with_its_state(loaded_store: Store,
                                                         root: str) -> None:
    app = _app(loaded_store)
    officer = officer_user(loaded_store, unit=CITY)
    queue = app.queue(officer, root, "2023")
    units = {i.unit.code for i in queue.items}
    assert COMMUNE in units and DISTRICT in units and CITY not in units  # the city has no form
    mine = {i.dataset.code: i for i in queue.items if i.unit.code == COMMUNE}
    commune = mine[COMMUNE_SET]
    assert commune.stage is Stage.DRAFT and commune.filled == commune.required == 20
    assert commune.share == 100
    assert commune.due == date(2023, 11, 30) and commune.days_late == 7
    assert Step.APPROVE not in commune.steps  # a draft is not approved
    assert mine["ntm-kieu-mau"].state is State.DRAFT
    # late first, then the rest; the lateness only of forms not yet submitted
    lates = [i.days_late for i in queue.items]
    assert lates == sorted(lates, reverse=True)
    assert COMMUNE in queue.late_units()
    # a year without figures: every form empty, none late yet
    next_year = app.queue(officer, root, "2024")
    assert {i.stage for i in next_year.items} == {Stage.EMPTY}
    assert next_year.late() == [] and {i.share for i in next_year.items} == {0}


def test_a_submitted_form_waits_for_the_level_above(loaded_store: Store) -> None:
    app = _app(loaded_store)
    clerk, officer = entry_user(loaded_store), officer_user(loaded_store)
    app.transition(clerk, COMMUNE, "2023", COMMUNE_SET, "submit")
    queue = app.queue(officer, DISTRICT, "2023")
    [waiting] = queue.waiting()
    assert (waiting.unit.code, waiting.dataset.code, waiting.days_late) == (
        COMMUNE, COMMUNE_SET, 0)
    assert set(waiting.steps) == {Step.APPROVE, Step.RETURN}
    assert queue.of("submitted") == [waiting]
    assert waiting.key not in {i.key for i in queue.late()}
    # the commune's clerk sees their own forms, and may approve none
    own = app.queue(clerk, COMMUNE, "2023")
    assert {i.unit.code for i in own.items} == {COMMUNE} and own.waiting() == []
    with pytest.raises(ProblemError):
        app.queue(clerk, DISTRICT, "2023")


def test_forms_move_one_by_one_and_a_refusal_names_its_form(loaded_store: Store) -> None:
    app = _app(loaded_store)
    clerk, officer = entry_user(loaded_store), officer_user(loaded_store)
    app.transition(clerk, COMMUNE, "2023", COMMUNE_SET, "submit")
    moved = app.move_forms(officer, "2023", [(COMMUNE, COMMUNE_SET),
                                             (OTHER_COMMUNE, COMMUNE_SET)],
                           ["approve", "lock"])
    assert [(m.unit, m.state) for m in moved] == [(COMMUNE, "locked"), (OTHER_COMMUNE, None)]
    assert [p.code for p in moved[1].problems] == ["wrong-state"]
    assert loaded_store.workflow.state(COMMUNE, "2023", COMMUNE_SET) == "locked"
    assert loaded_store.workflow.state(OTHER_COMMUNE, "2023", COMMUNE_SET) == "draft"
    # the district's officer does not approve the district's own forms
    [own] = app.move_forms(officer, "2023", [(DISTRICT, "kinh-te-xa-hoi")], ["approve"])
    assert own.state is None and own.problems
    assert app.queue(officer, DISTRICT, "2023").waiting() == []


def test_saving_a_form_keeps_the_vintage_of_the_figure_it_changes(
        loaded_store: Store) -> None:
    """Issue 11: saving a form turned an "Ước thực hiện" figure into a new "Chính thức"
    one ("Thêm – → 81,5"); with no vintage chosen, the figure keeps its own."""
    app = _app(loaded_store)
    admin = admin_user(loaded_store)
    indicator = "thu-nhap-bq"
    app.enter_figures(admin, COMMUNE, "2024", COMMUNE_SET, {indicator: 80.0},
                      vintage="estimate")
    assert app.enter_figures(admin, COMMUNE, "2024", COMMUNE_SET, {indicator: 81.5},
                             vintage=None, shown={indicator: Shown(80.0, "estimate")}) == 1
    held = loaded_store.figures.held([COMMUNE], ["2024"])
    assert held.filter(held["indicator"] == indicator).select("vintage", "value").rows() == [
        ("estimate", 81.5)]
    # a new figure of a form whose figures are all estimates is an estimate too
    app.enter_figures(admin, COMMUNE, "2024", "ntm-kieu-mau", {"thon-thong-minh": 1.0},
                      vintage="estimate")
    app.enter_figures(admin, COMMUNE, "2024", "ntm-kieu-mau", {"diem-den-du-lich": 1.0},
                      vintage=None, shown={"diem-den-du-lich": None})
    held = loaded_store.figures.held([COMMUNE], ["2024"])
    assert held.filter(held["indicator"] == "diem-den-du-lich")["vintage"].to_list() == [
        "estimate"]
    # a vintage chosen is the one written
    app.enter_figures(admin, COMMUNE, "2024", COMMUNE_SET, {indicator: 82.0},
                      vintage="official", shown={indicator: Shown(81.5, "estimate")})
    held = loaded_store.figures.held([COMMUNE], ["2024"])
    assert sorted(held.filter(held["indicator"] == indicator)["vintage"].to_list()) == [
        "estimate", "official"]


def test_a_note_written_after_the_first_figures_is_read_with_them(loaded_store: Store) -> None:
    """The frames of the figures held are read with their declared types: a note held only
    by a figure written late (none in the first rows read) broke the queue and the exports."""
    app = _app(loaded_store)
    clerk, officer = entry_user(loaded_store), officer_user(loaded_store)
    before = loaded_store.figures.held([COMMUNE, OTHER_COMMUNE, DISTRICT])
    assert before.height > 100 and before["note"].null_count() == before.height
    codes = list(app.dataset(COMMUNE, COMMUNE_SET).indicators)
    indicator = list(loaded_store.figures.latest(COMMUNE, "2023", codes))[-1]
    app.enter_figures(clerk, COMMUNE, "2023", COMMUNE_SET, {}, vintage=None,
                      notes={indicator: "Số ước, chờ Chi cục Thống kê"})
    held = loaded_store.figures.held([COMMUNE, OTHER_COMMUNE, DISTRICT])
    assert held.schema["note"] == before.schema["note"]
    assert "Số ước, chờ Chi cục Thống kê" in held["note"].to_list()
    assert app.queue(officer, DISTRICT, "2023").items  # read as before
