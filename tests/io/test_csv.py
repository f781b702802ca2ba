"""CSV files of observations and targets: export, import back, and row-level problems."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from tests.io.conftest import FIGURE_KEYS, changed_keys, figures
from tieuchi.app import App, System
from tieuchi.cli import app
from tieuchi.domain.periods import Period
from tieuchi.domain.problems import ProblemError
from tieuchi.io.csv_exchange import (
    OBSERVATION_CSV,
    TARGET_CSV,
    TargetPlan,
    apply_targets,
    observations_frame,
    read_csv,
    targets_frame,
    write_csv,
)
from tieuchi.io.figures import within
from tieuchi.io.plan import Plan, apply
from tieuchi.store import Store

runner = CliRunner()
HEADER = ",".join(OBSERVATION_CSV)


def export(store: Store, kind: str, path: Path, *args: str) -> str:
    result = runner.invoke(app, ["export", kind, "--unit", "TT", "-o", str(path), *args,
                                 "--database-url", str(store.engine.url)])
    assert result.exit_code == 0, result.output
    return result.output


def observations_plan(store: Store, path: Path) -> Plan:
    plan = read_csv(store, path)
    assert isinstance(plan, Plan)
    return plan


def test_observations_round_trip(store: Store, empty_store: Store, tmp_path: Path) -> None:
    path = tmp_path / "observations.csv"
    output = export(store, "observations", path, "--period", "2023")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == HEADER and "TT-YENMY,thu-nhap-bq,2023,80.1,estimate," in "\n".join(lines)
    assert f"wrote {path}: {len(lines) - 1} observations" in " ".join(output.split())
    assert len(observations_plan(store, path)) == 0  # the store holds every figure already
    plan = observations_plan(empty_store, path)
    assert apply(App(empty_store), plan, actor=System("test")) == len(lines) - 1
    exported = figures(store).filter(pl.col("period") == "2023")
    assert figures(empty_store).equals(exported)


def test_export_takes_the_periods_within() -> None:
    frame = pl.DataFrame({"period": ["2023", "2023-Q3", "2023-05", "2023-YTD09", "2024",
                                     "2021-2025"]})
    assert within(frame, Period.parse("2023")).get_column("period").to_list() == [
        "2023", "2023-Q3", "2023-05", "2023-YTD09"]
    assert within(frame, Period.parse("2023-H2")).get_column("period").to_list() == [
        "2023-Q3"]


def test_a_changed_row_changes_that_figure_only(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "observations.csv"
    write_csv(observations_frame(store, "TT-YENMY", "2023"), path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("TT-YENMY,thu-nhap-bq,2023,80.1,estimate",
                                 "TT-YENMY,thu-nhap-bq,2023,81.25,estimate"), encoding="utf-8")
    before = figures(store)
    dry = runner.invoke(app, ["import", str(path), "--dry-run", "--database-url",
                              str(store.engine.url)])
    assert dry.exit_code == 0, dry.output
    assert "observations.csv:" in dry.output and "80,1 (estimate) → 81,25 (estimate)" in \
        " ".join(dry.output.split())
    assert figures(store).equals(before)
    done = runner.invoke(app, ["import", str(path), "--database-url", str(store.engine.url)])
    assert done.exit_code == 0, done.output
    assert changed_keys(before, figures(store)) == {("TT-YENMY", "thu-nhap-bq", "2023",
                                                     "estimate")}


BAD_ROWS = [
    ("TT-NOWHERE,gtsx,2023,1,official,", "unknown-unit", "'TT-NOWHERE' không có"),
    ("TT,gtsx,2023-Q5,1,official,", "invalid-period", "không phải kỳ báo cáo"),
    ("TT,gtsx,2023,\"1.234,5\",official,", "csv-value", "dấu chấm thập phân"),
    ("TT,gtsxx,2023,1,official,", "unknown-indicator", "có phải là 'gtsx' không?"),
    ("TT,gtsx,2023,1,guess,", "invalid-vintage", "loại số liệu 'guess'"),
    ("TT-YENMY,ntmnc-01,2023,maybe,official,", "yesno-value", "ghi 1 hoặc 0"),
    ("TT,gtsx,2023,,official,", "csv-value", "để trống"),
    ("TT,ho-ngheo,2023,120,official,", "percent-range", "từ 0 đến 100"),
]


@pytest.mark.parametrize(("row", "code", "words"), BAD_ROWS,
                         ids=[code for _, code, _ in BAD_ROWS])
def test_a_bad_row_is_reported_at_its_line(store: Store, tmp_path: Path, row: str, code: str,
                                           words: str) -> None:
    path = tmp_path / "figures.csv"
    path.write_text(f"{HEADER}\nTT,vdt-xh,2023,11020,official,ok\n{row}\n", encoding="utf-8")
    before, audit = figures(store), store.audit.count()
    with pytest.raises(ProblemError) as caught:
        read_csv(store, path)
    (problem,) = caught.value.problems
    assert (problem.place, problem.code) == ("figures.csv:3", code)
    assert words in problem.message_vi
    result = runner.invoke(app, ["import", str(path), "--database-url", str(store.engine.url)])
    assert result.exit_code == 1 and f"figures.csv:3: error {code}" in result.output
    assert figures(store).equals(before) and store.audit.count() == audit


def test_duplicates_and_header(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "figures.csv"
    path.write_text(f"{HEADER},colour\n", encoding="utf-8")
    with pytest.raises(ProblemError) as caught:
        read_csv(store, path)
    assert [p.place for p in caught.value.problems] == ["figures.csv:1"]
    row = "TT,gtsx,2023,1,official,"
    path.write_text(f"{HEADER}\n{row}\n{row}\n", encoding="utf-8")
    with pytest.raises(ProblemError) as caught:
        read_csv(store, path)
    assert [(p.place, p.code) for p in caught.value.problems] == [
        ("figures.csv:2", "duplicate-observation"), ("figures.csv:3", "duplicate-observation")]


def test_a_locked_data_set_refuses_the_whole_file(store: Store, tmp_path: Path) -> None:
    admin = store.users.all()[0]
    for action in ("submit", "approve", "lock"):
        store.workflow.transition("TT-YENMY", "2023", "ntm-nang-cao", action, actor=admin.username)
    path = tmp_path / "figures.csv"
    path.write_text(f"{HEADER}\nTT,gtsx,2023,45000,official,\n"
                    "TT-YENMY,ntmnc-04,2023,0,official,\n", encoding="utf-8")
    with pytest.raises(ProblemError) as caught:
        read_csv(store, path)
    (problem,) = caught.value.problems
    assert (problem.place, problem.code) == ("figures.csv:3", "locked")


# ---------------------------------------------------------------------- targets


def test_targets_round_trip(store: Store, empty_store: Store, tmp_path: Path) -> None:
    path = tmp_path / "targets.csv"
    export(store, "targets", path)
    assert path.read_text(encoding="utf-8").splitlines()[0] == ",".join(TARGET_CSV)
    again = read_csv(store, path)
    assert isinstance(again, TargetPlan) and len(again) == 0
    fresh = read_csv(empty_store, path)
    assert isinstance(fresh, TargetPlan)
    count = apply_targets(App(empty_store), fresh, actor=System("test"))
    held = targets_frame(store, "TT")
    assert count == held.height > 0
    assert targets_frame(empty_store, "TT").sort("key").equals(held.sort("key"))


def test_a_changed_target(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "targets.csv"
    frame = targets_frame(store, "TT", "2023").with_columns(
        pl.when(pl.col("key") == "tcd-khac").then(pl.lit("42")).otherwise(pl.col("value"))
        .alias("value"))
    write_csv(frame, path)
    plan = read_csv(store, path)
    assert isinstance(plan, TargetPlan)
    assert [(c.key, c.old["value"] if c.old else None, c.new["value"]) for c in
            plan.changes] == [("tcd-khac", 40.0, 42.0)]
    result = runner.invoke(app, ["import", str(path), "--database-url", str(store.engine.url)])
    assert result.exit_code == 0, result.output
    assert "tcd-khac: value: 40.0 → 42.0" in result.output
    assert [d["value"] for d in store.targets.of(["TT"], "2023")
            if d["key"] == "tcd-khac"] == [42.0]


def test_a_bad_target_row(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "targets.csv"
    path.write_text("key,unit,indicator,period,comparator,value\n"
                    "x,TT,gtsx,2023,at_least,1\n"
                    ",TT,gtsx,2023,most,1\n", encoding="utf-8")
    with pytest.raises(ProblemError) as caught:
        read_csv(store, path)
    (problem,) = caught.value.problems
    assert (problem.place, problem.code) == ("targets.csv:3", "invalid-target")
    assert "comparator 'most'" in problem.message


def test_frames_have_the_definition_columns(store: Store) -> None:
    assert observations_frame(store, "TT").columns == list(OBSERVATION_CSV)
    assert targets_frame(store, "TT").columns == list(TARGET_CSV)
    assert set(FIGURE_KEYS) <= set(OBSERVATION_CSV)


@pytest.mark.parametrize(("cells", "code"), [
    ("at_least,nan,", "invalid-value"),
    ("at_least,inf,", "invalid-value"),
    ("at_least,-inf,", "invalid-value"),
    ("within,9,3", "range-order"),
])
def test_a_target_row_goes_through_the_target_rule(store: Store, tmp_path: Path, cells: str,
                                                   code: str) -> None:
    """The same rule as the loader, the API and store.targets.save."""
    path = tmp_path / "targets.csv"
    path.write_text("key,unit,indicator,period,comparator,value,value_high\n"
                    "x,TT,gtsx,2023,at_least,1,\n"
                    f"y,TT,gtsx,2024,{cells}\n", encoding="utf-8")
    with pytest.raises(ProblemError) as caught:
        read_csv(store, path)
    (problem,) = caught.value.problems
    assert (problem.place, problem.code) == ("targets.csv:3", code)
    assert problem.message_vi


def test_a_locked_period_refuses_a_target_file(store: Store, tmp_path: Path) -> None:
    admin = store.users.all()[0]
    for action in ("submit", "approve", "lock"):
        store.workflow.transition("TT", "2023", "kinh-te-xa-hoi", action, actor=admin.username)
    path = tmp_path / "targets.csv"
    frame = targets_frame(store, "TT", "2023").with_columns(
        pl.when(pl.col("key") == "ktxh-dn-moi").then(pl.lit("750")).otherwise(pl.col("value"))
        .alias("value"))
    write_csv(frame, path)
    line = 2 + frame.get_column("key").to_list().index("ktxh-dn-moi")
    with pytest.raises(ProblemError) as caught:
        read_csv(store, path)
    (problem,) = caught.value.problems
    assert (problem.place, problem.code) == (f"targets.csv:{line}", "locked")
    store.workflow.transition("TT", "2023", "kinh-te-xa-hoi", "reopen", actor=admin.username,
                              reason="điều chỉnh")
    plan = read_csv(store, path)
    assert isinstance(plan, TargetPlan)
    assert apply_targets(App(store), plan, actor=System("test")) == 1
