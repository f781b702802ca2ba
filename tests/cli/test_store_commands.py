"""The database commands: db upgrade, load, user add, token add."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import EXAMPLE
from tieuchi.cli import app
from tieuchi.store import Store, User, unit_of_work

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
    assert not Store.open(url).units.has_definitions()


def _loaded_and_locked(url: str, unit: str, dataset: str) -> tuple[Store, User]:
    """The example loaded, with ``unit``'s ``dataset`` for 2023 locked by an administrator."""
    assert runner.invoke(app, ["load", str(EXAMPLE)]).exit_code == 0
    store = Store.open(url)
    admin = store.users.add("admin", "password123", role="admin", unit=None)
    for action in ("submit", "approve", "lock"):
        store.workflow.transition(unit, "2023", dataset, action, actor=admin.username)
    return store, admin


def test_load_refuses_a_locked_data_set(url: str, tmp_path: Path) -> None:
    store, _ = _loaded_and_locked(url, "TT-YENMY", "ntm-nang-cao")
    changed = tmp_path / "changed"
    shutil.copytree(EXAMPLE, changed)
    csv = changed / "observations-2023-nong-thon-moi.csv"
    text = csv.read_text(encoding="utf-8")
    csv.write_text(text.replace("TT-YENMY,ntmnc-04,2023,1", "TT-YENMY,ntmnc-04,2023,0"),
                   encoding="utf-8")
    audit = store.audit.count()
    result = runner.invoke(app, ["load", str(changed)])
    assert result.exit_code == 1, result.output
    assert "locked" in result.output and "nothing was loaded" in result.output
    assert store.figures.latest("TT-YENMY", "2023", ["ntmnc-04"])["ntmnc-04"]["value"] == 1
    assert store.audit.count() == audit


def test_load_refuses_the_figures_store_write_refuses(url: str, tmp_path: Path) -> None:
    """A percentage of 150 and a count of 2.5: `tieuchi load` refuses them, as store.figures.write
    does, each at its file and line."""
    changed = tmp_path / "changed"
    shutil.copytree(EXAMPLE, changed)
    csv = changed / "observations-2023.csv"
    text = csv.read_text(encoding="utf-8")
    csv.write_text(text.replace("TT,dn-moi,2023,815,", "TT,dn-moi,2023,2.5,")
                   .replace("TT,ho-ngheo,2023,0.09,", "TT,ho-ngheo,2023,150,"), encoding="utf-8")
    result = runner.invoke(app, ["load", str(changed)])
    assert result.exit_code == 1, result.output
    output = " ".join(result.output.split())
    assert "observations-2023.csv:21: error count-value 2.5 is not a count for dn-moi" in output
    assert "observations-2023.csv:22: error percent-range 150 is not a percentage" in output
    assert "nothing was loaded" in output
    assert not Store.open(url).units.has_definitions()


def test_load_refuses_a_target_change_in_a_locked_period(url: str, tmp_path: Path) -> None:
    store, admin = _loaded_and_locked(url, "TT", "kinh-te-xa-hoi")
    changed = tmp_path / "changed"
    shutil.copytree(EXAMPLE, changed)
    found = [p for p in (changed / "targets").rglob("*") if p.is_file()
             and "ktxh-dn-moi" in p.read_text(encoding="utf-8")]
    assert found, "the example's target ktxh-dn-moi moved"
    text = found[0].read_text(encoding="utf-8")
    assert text.count("at_least: 700") == 1, "the example's target ktxh-dn-moi changed"
    found[0].write_text(text.replace("at_least: 700", "at_least: 701"), encoding="utf-8")
    result = runner.invoke(app, ["load", str(changed)])
    assert result.exit_code == 1, result.output
    assert "locked" in result.output and "reopen" in result.output
    assert [t["value"] for t in store.targets.of(["TT"], "2023")
            if t["key"] == "ktxh-dn-moi"] == [700.0]
    store.workflow.transition("TT", "2023", "kinh-te-xa-hoi", "reopen", actor=admin.username,
                              reason="điều chỉnh")
    assert runner.invoke(app, ["load", str(changed)]).exit_code == 0


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
    asked = runner.invoke(app, ["user", "add", "y", "--role", "boss"])  # no password given
    assert asked.exit_code == 2 and "Password" not in asked.output  # refused before asking
    token = runner.invoke(app, ["token", "add", "yenmy"])
    assert token.exit_code == 0
    user = Store.open(url).users.for_token(token.output.strip())
    assert user is not None and user.unit == "TT-YENMY"
    nobody = runner.invoke(app, ["token", "add", "nobody"])
    assert nobody.exit_code == 2 and "--username: user 'nobody' does not exist" in nobody.output


def test_a_targets_csv_cannot_move_a_key(url: str, tmp_path: Path) -> None:
    """The application's rule, as for the API: a key names one target, so a row that gives
    a held key another unit is refused at its line, in a dry run too, and nothing is
    written."""
    assert runner.invoke(app, ["load", str(EXAMPLE)]).exit_code == 0
    path = tmp_path / "targets.csv"
    exported = runner.invoke(app, ["export", "targets", "--unit", "TT", "-o", str(path)])
    assert exported.exit_code == 0, exported.output
    with path.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    key = rows[0]["key"]
    rows[0]["unit"] = "TT-YENMY" if rows[0]["unit"] != "TT-YENMY" else "TT-DAIANG"
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    before = Store.open(url).targets.by_key([key])
    for dry_run in (["--dry-run"], []):
        result = runner.invoke(app, ["import", str(path), *dry_run])
        assert result.exit_code == 1, result.output
        assert "targets.csv:2" in result.output and "key-in-use" in result.output
    assert Store.open(url).targets.by_key([key]) == before


def test_a_targets_csv_giving_a_key_twice_is_refused_at_the_second_line(url: str,
                                                                        tmp_path: Path) -> None:
    """The application's rule (a key given twice in one request), at the line of the row."""
    assert runner.invoke(app, ["load", str(EXAMPLE)]).exit_code == 0
    path = tmp_path / "targets.csv"
    path.write_text("key,unit,indicator,period,comparator,value\n"
                    "moi,TT,gtsx,2024,at_least,1\n"
                    "moi,TT,gtsx,2024,at_least,2\n", encoding="utf-8")
    result = runner.invoke(app, ["import", str(path), "--dry-run"])
    assert result.exit_code == 1, result.output
    assert "targets.csv:3" in result.output and "duplicate-target" in result.output
    assert Store.open(url).targets.by_key(["moi"]) == {}


def test_report_as_xlsx(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    target = tmp_path / "bao-cao.xlsx"
    result = runner.invoke(app, ["report", str(EXAMPLE), "-f", "xlsx", "-o", str(target)])
    assert result.exit_code == 0, result.output
    book = load_workbook(target)
    assert book.sheetnames[0].startswith("Biểu 1")
    assert book.sheetnames[-1] == "Nguồn số liệu"


def test_a_load_while_another_runs_is_refused_in_one_line(
        database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another load holds the database longer than LOCK_WAIT: the second says so with its
    code, and loads nothing (no traceback); afterwards it loads."""
    monkeypatch.setenv("TIEUCHI_DATABASE_URL", database_url)
    monkeypatch.setattr(unit_of_work, "LOCK_WAIT", 0.3)
    store = Store.open(database_url)
    with store.session() as s:
        unit_of_work.serialize_load(s)
        result = runner.invoke(app, ["load", str(EXAMPLE)])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    said = " ".join(result.output.split())
    assert said.startswith("error database-busy another load is running"), said
    assert said.endswith("run it again later 1 refused; nothing was loaded.")
    assert not store.units.has_definitions()
    assert runner.invoke(app, ["load", str(EXAMPLE)]).exit_code == 0
    store.engine.dispose()
