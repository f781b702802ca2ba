"""Loading a folder into the store: idempotent, audited, all or nothing, and the database
gives back what the files gave."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE
from tests.store.helpers import COMMUNE, COMMUNE_SET, admin_user
from tieuchi.definitions import load_definitions
from tieuchi.domain.bundle import Definitions
from tieuchi.domain.problems import ProblemError
from tieuchi.engine import evaluate
from tieuchi.reports.json_output import evaluation_dict
from tieuchi.store import Store

# One figure and one target of the reference district, as the files write them.
OBSERVATION_LINE = "TT-YENMY,ntmnc-01,2023,1,official,"
OBSERVATION_KEY = "TT-YENMY|ntmnc-01|2023"
TARGET_LINE = "- {code: ktxh-dn-moi, indicator: dn-moi, at_least: 700}"
TARGET_FILE = Path("targets") / "ktxh-2023.yaml"


def _edited_copy(tmp_path: Path) -> Path:
    """The reference district with TT-YENMY's ntmnc-01 for 2023 at 0 (was 1) and the target
    for new businesses at 750 (was 700)."""
    folder = tmp_path / "example"
    shutil.copytree(EXAMPLE, folder)
    csv = folder / "observations-2023-nong-thon-moi.csv"
    text = csv.read_text(encoding="utf-8")
    assert text.count(OBSERVATION_LINE) == 1
    csv.write_text(text.replace(OBSERVATION_LINE, "TT-YENMY,ntmnc-01,2023,0,official,"),
                   encoding="utf-8")
    yaml = folder / TARGET_FILE
    text = yaml.read_text(encoding="utf-8")
    assert text.count(TARGET_LINE) == 1
    yaml.write_text(text.replace(TARGET_LINE, TARGET_LINE.replace("700", "750")),
                    encoding="utf-8")
    return folder


def test_first_load_adds_everything(store: Store, thanh_tri: Definitions) -> None:
    assert not store.units.has_definitions()
    summary = store.load(thanh_tri, actor="test")
    assert summary.changed == {}
    assert summary.added["units"] == len(thanh_tri.units)
    assert summary.added["indicators"] == len(thanh_tri.indicators)
    assert summary.added["targets"] == thanh_tri.targets.height
    assert summary.added["observations"] == thanh_tri.observations.height
    assert store.units.has_definitions()
    # Targets and figures are audited, one entry each.
    assert store.audit.count() == thanh_tri.targets.height + thanh_tri.observations.height


def test_loading_again_changes_nothing(loaded_store: Store, thanh_tri: Definitions) -> None:
    audits = loaded_store.audit.count()
    summary = loaded_store.load(thanh_tri, actor="test")
    assert summary.total == 0
    assert summary.added == {} and summary.changed == {}
    assert loaded_store.audit.count() == audits


@pytest.mark.parametrize("root", [None, "TT", "TT-YENMY"], ids=["all", "TT", "TT-YENMY"])
def test_evaluation_from_the_database_equals_from_files(
    reference_store: Store, thanh_tri: Definitions, root: str | None,
) -> None:
    units = [root] if root else None
    from_database = evaluate(reference_store.units.definitions(root), "2023", units=units)
    from_files = evaluate(thanh_tri, "2023", units=units)
    assert evaluation_dict(from_database) == evaluation_dict(from_files)


def test_whole_definitions_come_back(reference_store: Store, thanh_tri: Definitions) -> None:
    back = reference_store.units.definitions()
    assert back.project == thanh_tri.project
    assert back.report == thanh_tri.report
    assert back.levels == thanh_tri.levels
    assert back.units == thanh_tri.units
    assert back.indicators == thanh_tri.indicators
    assert back.criteria_sets == thanh_tri.criteria_sets
    assert back.datasets == thanh_tri.datasets
    # A group is kept without its targets: they are rows of targets and members.
    assert back.groups == tuple(g.model_copy(update={"targets": ()}) for g in thanh_tri.groups)
    assert back.targets.equals(thanh_tri.targets)
    assert back.members.sort("group", "position").equals(
        thanh_tri.members.sort("group", "position"))
    columns = ["unit", "indicator", "period", "vintage", "value", "source"]
    assert back.observations.select(columns).sort(columns[:4]).equals(
        thanh_tri.observations.select(columns).sort(columns[:4]))


def test_a_unit_gets_only_its_own_data(reference_store: Store, thanh_tri: Definitions) -> None:
    defs = reference_store.units.definitions(COMMUNE)
    assert [u.code for u in defs.units] == [COMMUNE]
    assert set(defs.observations.get_column("unit")) == {COMMUNE}
    expected = thanh_tri.observations.filter(unit=COMMUNE).height
    assert expected > 0
    assert defs.observations.height == expected
    assert set(defs.targets.get_column("unit")) <= {COMMUNE}
    assert all(g.unit == COMMUNE for g in defs.groups)


def test_a_district_gets_its_subtree(reference_store: Store, thanh_tri: Definitions) -> None:
    defs = reference_store.units.definitions("TT")
    codes = {u.code for u in defs.units}
    assert "TT" in codes and COMMUNE in codes and "HN" not in codes
    assert set(defs.observations.get_column("unit")) <= codes
    assert defs.observations.height == thanh_tri.observations.filter(
        thanh_tri.observations.get_column("unit").is_in(list(codes))).height


def test_reload_with_changes(loaded_store: Store, tmp_path: Path) -> None:
    audits = loaded_store.audit.count()
    summary = loaded_store.load(load_definitions(_edited_copy(tmp_path)), actor="editor",
                                reason="corrected figures")
    assert summary.added == {}
    assert summary.changed == {"observations": 1, "targets": 1}
    assert loaded_store.audit.count() == audits + 2

    [change, add] = loaded_store.audit.history("observation", OBSERVATION_KEY)
    assert (change.action, change.actor, change.reason) == ("change", "editor",
                                                            "corrected figures")
    assert change.old is not None and change.new is not None
    assert (change.old["value"], change.new["value"]) == (1, 0)
    assert change.key == OBSERVATION_KEY + "|official" and change.unit == COMMUNE
    assert (add.action, add.actor, add.old) == ("add", "test", None)
    assert change.at >= add.at and change.at.tzinfo is not None

    [target_change, _] = loaded_store.audit.history("target", "ktxh-dn-moi")
    assert target_change.action == "change" and target_change.actor == "editor"
    assert target_change.old is not None and target_change.new is not None
    assert (target_change.old["value"], target_change.new["value"]) == (700, 750)

    figures = loaded_store.figures.latest(COMMUNE, "2023", ["ntmnc-01"])
    assert figures["ntmnc-01"]["value"] == 0
    assert figures["ntmnc-01"]["changed_by"] == "editor"
    assert [t["value"] for t in loaded_store.targets.of(["TT"], "2023")
            if t["key"] == "ktxh-dn-moi"] == [750]


def test_a_load_touching_a_locked_data_set_writes_nothing(
    loaded_store: Store, tmp_path: Path,
) -> None:
    admin = admin_user(loaded_store)
    for action in ("submit", "approve", "lock"):
        loaded_store.workflow.transition(COMMUNE, "2023", COMMUNE_SET, action, actor=admin.username)
    before = loaded_store.units.definitions()
    audits = loaded_store.audit.count()

    # The edited copy changes a locked figure and, elsewhere, a target: neither is written.
    with pytest.raises(ProblemError) as raised:
        loaded_store.load(load_definitions(_edited_copy(tmp_path)), actor="editor")
    [problem] = raised.value.problems
    assert problem.code == "locked" and problem.field == "value"
    assert OBSERVATION_KEY.replace("|", " ") in problem.message

    assert loaded_store.audit.count() == audits
    after = loaded_store.units.definitions()
    assert after.targets.equals(before.targets)
    assert after.observations.select("unit", "indicator", "period", "value").equals(
        before.observations.select("unit", "indicator", "period", "value"))
    assert loaded_store.audit.history("target", "ktxh-dn-moi")[0].action == "add"


def test_closed_data_sets_hold_back_only_their_own_figures(
    loaded_store: Store, thanh_tri: Definitions, tmp_path: Path,
) -> None:
    admin = admin_user(loaded_store)
    for action in ("submit", "approve", "lock"):
        loaded_store.workflow.transition(COMMUNE, "2023", COMMUNE_SET, action, actor=admin.username)
    # Figures that do not change do not count: the same folder loads again.
    assert loaded_store.load(thanh_tri, actor="test").total == 0
    # Another data set of the commune is closed; the changed figure is not in it.
    loaded_store.workflow.transition(COMMUNE, "2023", COMMUNE_SET, "reopen", actor=admin.username,
                                     reason="sửa số liệu")
    loaded_store.workflow.transition(COMMUNE, "2023", "ntm-kieu-mau", "submit",
                                     actor=admin.username)
    summary = loaded_store.load(load_definitions(_edited_copy(tmp_path)), actor="editor")
    assert summary.changed == {"observations": 1, "targets": 1}


def test_a_folder_without_data_sets_gets_one_of_every_entered_indicator(
    store: Store, thanh_tri: Definitions
) -> None:
    store.load(replace(thanh_tri, datasets=()), actor="test")
    (only,) = store.units.datasets_for("TT-YENMY")
    assert only.code == "tat-ca"
    assert "ntmnc-04" in only.indicators
    assert "ntm-nc-ty-le" not in only.indicators  # counted from a criteria set
    assert "thu-co-dinh" not in only.indicators  # the sum of its components
