"""tieuchi reminders: the late forms of a unit and the units below it."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import EXAMPLE
from tieuchi.cli import app
from tieuchi.store import Store

runner = CliRunner()


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    database = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("TIEUCHI_DATABASE_URL", database)
    assert runner.invoke(app, ["load", str(EXAMPLE)]).exit_code == 0
    return database


def test_reminders_list_the_late_forms_below_a_unit(url: str) -> None:
    store = Store.open(url)
    store.workflow.transition("TT-YENMY", "2023", "ntm-nang-cao", "submit", actor="t")
    result = runner.invoke(app, ["reminders", "--unit", "TT", "--period", "2023",
                                 "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    late = {(r["unit"], r["dataset"]) for r in rows}
    assert ("TT-DAIANG", "ntm-nang-cao") in late
    assert ("TT-YENMY", "ntm-nang-cao") not in late  # submitted: no longer late
    daiang = next(r for r in rows if r["unit"] == "TT-DAIANG")
    assert daiang["due"] == "2023-11-30" and int(daiang["days_late"]) > 0
    text = runner.invoke(app, ["reminders", "-p", "2023"])  # the project's root: Thanh Trì
    assert text.exit_code == 0 and "Đại Áng" in text.output


def test_reminders_of_an_unknown_unit_fail(url: str) -> None:
    result = runner.invoke(app, ["reminders", "--unit", "XYZ", "--period", "2023"])
    assert result.exit_code == 2 and "XYZ" in result.output
