"""The database commands: db upgrade, load, user add, token add."""

from __future__ import annotations

import shutil
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
    return database


def test_upgrade_then_load_twice(url: str) -> None:
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "revision" in result.output
    first = runner.invoke(app, ["load", str(EXAMPLE)])
    assert first.exit_code == 0, first.output
    assert "624 observations added" in " ".join(first.output.split())
    again = runner.invoke(app, ["load", str(EXAMPLE)])
    assert again.exit_code == 0 and "nothing changed" in " ".join(again.output.split())


def test_load_of_a_broken_folder_loads_nothing(url: str, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(EXAMPLE, broken)
    units = broken / "units.yaml"
    units.write_text(units.read_text(encoding="utf-8").replace("level: xa", "level: xaa", 1),
                     encoding="utf-8")
    result = runner.invoke(app, ["load", str(broken)])
    assert result.exit_code == 1
    assert "unknown-level" in result.output and "nothing was loaded" in result.output
    assert not Store.open(url).has_definitions()


def test_load_refuses_a_locked_data_set(url: str, tmp_path: Path) -> None:
    assert runner.invoke(app, ["load", str(EXAMPLE)]).exit_code == 0
    store = Store.open(url)
    admin = store.add_user("admin", "password123", role="admin", unit=None)
    for action in ("submit", "approve", "lock"):
        store.transition("TT-YENMY", "2023", "ntm-nang-cao", action, actor=admin.username)
    changed = tmp_path / "changed"
    shutil.copytree(EXAMPLE, changed)
    csv = changed / "observations-2023-nong-thon-moi.csv"
    text = csv.read_text(encoding="utf-8")
    csv.write_text(text.replace("TT-YENMY,ntmnc-04,2023,1", "TT-YENMY,ntmnc-04,2023,0"),
                   encoding="utf-8")
    audit = store.audit_count()
    result = runner.invoke(app, ["load", str(changed)])
    assert result.exit_code == 1, result.output
    assert "locked" in result.output and "nothing was loaded" in result.output
    assert store.figures("TT-YENMY", "2023", ["ntmnc-04"])["ntmnc-04"]["value"] == 1
    assert store.audit_count() == audit


def test_user_and_token(url: str) -> None:
    assert runner.invoke(app, ["load", str(EXAMPLE)]).exit_code == 0
    result = runner.invoke(app, ["user", "add", "yenmy", "--role", "entry", "--unit",
                                 "TT-YENMY", "--password", "password123"])
    assert result.exit_code == 0, result.output
    bad = runner.invoke(app, ["user", "add", "x", "--role", "entry", "--unit", "TT-NOWHERE",
                              "--password", "password123"])
    assert bad.exit_code == 2 and "--unit" in bad.output
    role = runner.invoke(app, ["user", "add", "y", "--role", "boss", "--password", "p"])
    assert role.exit_code == 2 and "--role" in role.output
    token = runner.invoke(app, ["token", "add", "yenmy"])
    assert token.exit_code == 0
    user = Store.open(url).user_for_token(token.output.strip())
    assert user is not None and user.unit == "TT-YENMY"


def test_report_as_xlsx(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    target = tmp_path / "bao-cao.xlsx"
    result = runner.invoke(app, ["report", str(EXAMPLE), "-f", "xlsx", "-o", str(target)])
    assert result.exit_code == 0, result.output
    book = load_workbook(target)
    assert book.sheetnames[0].startswith("Biểu 1")
    assert book.sheetnames[-1] == "Nguồn số liệu"
    refused = runner.invoke(app, ["report", str(EXAMPLE), "-f", "xlsx"])
    assert refused.exit_code == 2
