"""The command line, run as a user runs it (exit codes, formats, messages)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import EXAMPLE
from tieuchi.cli import app
from tieuchi.definitions import load_definitions

runner = CliRunner()


def test_validate_example_ok() -> None:
    result = runner.invoke(app, ["validate", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    assert "valid" in result.output


def test_validate_refuses_a_yaml_alias_bomb_quickly_and_briefly(tmp_path: Path) -> None:
    """A 500-byte chain of aliases ("billion laughs") used as a field's value: refused at its
    line in a moment, in a line of output (it took 94 s, 4.3 GB and printed 722 MB)."""
    chain = "".join(f"  - &a{i} [{', '.join([f'*a{i - 1}' if i else 'lol'] * 9)}]\n"
                    for i in range(9))
    (tmp_path / "defs.yaml").write_text(f"units:\n{chain}project: {{name: *a8}}\n",
                                        encoding="utf-8")
    start = time.perf_counter()
    result = runner.invoke(app, ["validate", str(tmp_path)])
    assert time.perf_counter() - start < 2
    assert result.exit_code == 1, result.output
    assert "defs.yaml:8: error yaml-limit with its aliases (*name) written out" in \
        " ".join(result.output.split())
    assert len(result.output) < 1000, result.output[:1000]


def test_validate_broken_folder(tmp_path: Path) -> None:
    (tmp_path / "defs.yaml").write_text(
        "levels:\n  - {code: xa, name: Xã}\n"
        "units:\n  - {code: X1, name: Xã 1, level: xa}\n"
        "indicators:\n  - {code: thu, name: Thu}\n"
        "targets:\n  - {unit: X1, indicator: thuu, period: 2023, at_least: 5}\n"
        "  - {unit: X9, indicator: thu, period: 2023, at_least: x}\n",
        encoding="utf-8",
    )
    (tmp_path / "more.yaml").write_text("units: [\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(tmp_path)])
    assert result.exit_code == 1
    out = result.output
    assert "defs.yaml:8: error unknown-indicator" in out
    assert "did you mean 'thu'?" in out
    assert "defs.yaml:9: error wrong-type" in out
    assert "more.yaml:2: error yaml-syntax" in out or "more.yaml:1: error yaml-syntax" in out


def test_validate_json(tmp_path: Path) -> None:
    (tmp_path / "defs.yaml").write_text("unitz: []\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(tmp_path), "--format", "json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False
    assert data["errors"][0]["code"] == "unknown-section"


def test_evaluate_refuses_broken_definitions(tmp_path: Path) -> None:
    (tmp_path / "defs.yaml").write_text("units:\n  - {code: X1}\n", encoding="utf-8")
    result = runner.invoke(app, ["evaluate", str(tmp_path), "--period", "2023"])
    assert result.exit_code == 1
    assert "nothing was evaluated" in result.output


def test_evaluate_json_keys() -> None:
    result = runner.invoke(app, ["evaluate", str(EXAMPLE), "--period", "2023",
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    group = next(g for g in data["groups"] if g["code"] == "thu-co-dinh-2023")
    for key in ("unit", "code", "name", "period", "total", "exceeded", "met", "not_met",
                "no_data", "not_met_items"):
        assert key in group
    assert group["exceeded"] + group["met"] == 7
    district = next(s for s in data["criteria_sets"]
                    if s["unit"] == "TT" and s["set"] == "thanh-lap-quan")
    assert (district["met"], district["total"], len(district["unmet"])) == (30, 34, 4)
    revenue = next(t for t in data["targets"] if t["key"] == "ktxh-thu-co-dinh")
    assert revenue["percent_of_target"] == 100.2
    assert revenue["change_vs_same_period"] == 5.5
    for key in ("unit", "indicator", "name", "period", "actual", "target",
                "percent_of_target", "change_vs_same_period", "status", "pace"):
        assert key in revenue


def test_evaluate_table_and_unit_filter() -> None:
    result = runner.invoke(app, ["evaluate", str(EXAMPLE), "--period", "2023", "--unit",
                                 "TT-YENMY"])
    assert result.exit_code == 0, result.output
    assert "Yên Mỹ" in result.output


def test_unknown_unit_and_bad_period() -> None:
    result = runner.invoke(app, ["evaluate", str(EXAMPLE), "--unit", "TT-YENMI"])
    assert result.exit_code == 2
    assert "TT-YENMY" in result.output
    result = runner.invoke(app, ["evaluate", str(EXAMPLE), "--period", "2023-Q5"])
    assert result.exit_code == 2
    assert "is not a period" in result.output


@pytest.mark.parametrize("period", ["1000", "2201-Q1"])
def test_a_year_outside_the_years_is_refused_without_a_traceback(period: str) -> None:
    """Issue 9: ``--period 1000`` ended in a traceback (the year before it, 999, was no
    period)."""
    result = runner.invoke(app, ["evaluate", str(EXAMPLE), "--period", period])
    assert result.exit_code == 2, result.output
    assert "is not between 1900 and 2200" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_figure_for_year_1000_in_a_folder_is_refused_at_its_line(tmp_path: Path) -> None:
    (tmp_path / "defs.yaml").write_text(
        "levels:\n  - {code: xa, name: Xã}\n"
        "units:\n  - {code: X1, name: Xã 1, level: xa}\n"
        "indicators:\n  - {code: thu, name: Thu}\n"
        "observations:\n  - {unit: X1, indicator: thu, period: 1000, value: 5}\n",
        encoding="utf-8")
    result = runner.invoke(app, ["validate", str(tmp_path)])
    assert result.exit_code == 1, result.output
    assert "defs.yaml:8: error" in result.output
    assert "'1000': the year 1000 is not between 1900 and 2200" in result.output


def test_report_markdown_vi_and_en(tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", str(EXAMPLE), "--period", "2023", "--format", "md"])
    assert result.exit_code == 0, result.output
    assert "Hoàn thành đạt và vượt 18/18" in result.stdout
    target = tmp_path / "report.md"
    result = runner.invoke(app, ["report", str(EXAMPLE), "--lang", "en", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert "Met or exceeded 18/18" in target.read_text(encoding="utf-8")


def test_a_binary_report_without_o_is_written_under_its_own_name(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A new user's `tieuchi report … --unit TT-YENMY --format docx` writes a file named after
    the period and the unit in the current folder (a binary file never goes to a terminal)."""
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["report", str(EXAMPLE), "--unit", "TT-YENMY",
                                 "--format", "docx"])
    assert result.exit_code == 0, result.output
    assert "wrote bao-cao-2023-TT-YENMY.docx" in result.output
    assert (tmp_path / "bao-cao-2023-TT-YENMY.docx").read_bytes().startswith(b"PK")
    result = runner.invoke(app, ["report", str(EXAMPLE), "--format", "xlsx", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "report-2023-TT.xlsx").exists()


def test_demo_prepares_a_fresh_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIEUCHI_DATA_DIR", str(tmp_path))
    for _ in range(2):  # a second run starts again from a fresh database
        result = runner.invoke(app, ["demo", "--no-serve", "--port", "8123"])
        assert result.exit_code == 0, result.output
    assert "thanhtri" in result.output and "http://127.0.0.1:8123/" in result.output
    from tieuchi.store import Store

    store = Store.open(f"sqlite:///{tmp_path / 'demo.db'}")
    assert {u.username for u in store.users.all()} >= {"quantri", "thanhtri", "yenmy", "xem"}
    assert store.load(load_definitions(EXAMPLE), actor="test").total == 0


def test_unit_that_no_longer_exists(tmp_path: Path) -> None:
    (tmp_path / "defs.yaml").write_text(
        "levels: [{code: xa, name: Xã}]\n"
        "units:\n"
        "  - {code: X2, name: Xã Hai, level: xa, valid_to: 2022-12-31, successors: [X1]}\n"
        "  - {code: X1, name: Xã Một, level: xa, valid_from: 2023-01-01}\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["evaluate", str(tmp_path), "--period", "2023", "--unit", "X2"])
    assert result.exit_code == 2
    assert "does not exist in 2023" in result.output and "X1" in result.output
