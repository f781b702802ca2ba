"""``tieuchi init``: a new folder for a province, a commune or a pre-2025 district is valid at
once, evaluates with every figure missing, and says what to fill in; nothing half-written."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from tieuchi.cli import app
from tieuchi.definitions import check_definitions, load_definitions
from tieuchi.domain.bundle import Definitions
from tieuchi.domain.problems import Severity
from tieuchi.library.catalogue import catalogue_text

runner = CliRunner()


def _errors(folder: Path) -> list[str]:
    _, problems = check_definitions(folder)
    return [f"{p.place}: {p.message}" for p in problems if p.severity is Severity.ERROR]


@pytest.fixture(scope="module")
def gia_lai(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("init") / "gia-lai"
    result = runner.invoke(app, ["init", str(folder), "--province", "Gia Lai"])
    assert result.exit_code == 0, result.output
    return folder


def test_a_province_folder_validates_at_once(gia_lai: Path) -> None:
    result = runner.invoke(app, ["validate", str(gia_lai)])
    assert result.exit_code == 0, result.output
    assert _errors(gia_lai) == []


def test_it_holds_the_province_and_its_135_communes_as_published(gia_lai: Path) -> None:
    definitions = load_definitions(gia_lai)
    kinds = Counter(u.kind for u in definitions.units)
    assert kinds == {"tỉnh": 1, "xã": 110, "phường": 25}
    assert definitions.project.root == "P52"
    assert {u.parent for u in definitions.units if u.kind != "tỉnh"} == {"P52"}


def test_it_holds_the_2026_2030_set_and_the_catalogue(gia_lai: Path) -> None:
    assert (gia_lai / "indicators.yaml").read_text(encoding="utf-8") == catalogue_text()
    definitions = load_definitions(gia_lai)
    assert [s.code for s in definitions.criteria_sets] == ["ntm-xa-2026-2030"]
    assert sorted(p.name for p in gia_lai.iterdir()) == [
        "README.md", "criteria", "indicators.yaml", "targets.yaml", "tieuchi.yaml",
        "units.yaml"]


def test_it_evaluates_2026_with_every_figure_missing(gia_lai: Path) -> None:
    result = runner.invoke(app, ["evaluate", str(gia_lai), "--period", "2026",
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    statuses = {c["status"] for s in document["criteria_sets"] for c in s["criteria"]}
    assert statuses == {"no_data"}
    assert len(document["criteria_sets"]) == 110  # the xã, not the phường
    assert all(t["status"] == "no_data" for t in document["targets"])
    summary = document["set_summaries"][0]
    assert (summary["unit"], summary["total"], summary["no_data"]) == ("P52", 110, 110)
    text = runner.invoke(app, ["evaluate", str(gia_lai), "--period", "2026"],
                         env={"COLUMNS": "200"})
    assert text.exit_code == 0, text.output
    assert "110 chưa có số liệu" in " ".join(text.output.split())


def test_the_readme_says_what_to_fill_in(gia_lai: Path) -> None:
    readme = (gia_lai / "README.md").read_text(encoding="utf-8")
    for words in ("nhom", "N1|N2|N3", "dia_ban", "--unit P52 --period 2026", "vietnamadminunits",
                  "Quyết định số 51/2025/QĐ-TTg",
                  "135 đơn vị hành chính cấp xã từ 1/7/2025 (110 xã, 25 phường)"):
        assert words in readme, words
    assert "Split communes" not in readme  # a 2025 folder has no legacy units


def test_the_commented_plan_is_a_valid_plan_once_uncommented(gia_lai: Path,
                                                             tmp_path: Path) -> None:
    for file in ("tieuchi.yaml", "units.yaml", "indicators.yaml"):
        (tmp_path / file).write_text((gia_lai / file).read_text(encoding="utf-8"),
                                     encoding="utf-8")
    lines = (gia_lai / "targets.yaml").read_text(encoding="utf-8").splitlines()
    start = lines.index("# groups:")
    (tmp_path / "targets.yaml").write_text(
        "\n".join(line[2:] for line in lines[start:]) + "\n", encoding="utf-8")
    assert _errors(tmp_path) == []
    group = load_definitions(tmp_path).groups[0]
    assert (group.unit, group.period, len(group.targets)) == ("P52", "2026", 3)


def _init(folder: Path, *options: str) -> Definitions:
    """Run ``tieuchi init FOLDER OPTIONS``; the folder it writes loads without an error."""
    result = runner.invoke(app, ["init", str(folder), *options])
    assert result.exit_code == 0, result.output
    assert _errors(folder) == []
    return load_definitions(folder)


def test_a_commune_folder(tmp_path: Path) -> None:
    definitions = _init(tmp_path / "ia-sao", "--province", "gia lai", "--commune", "Xã Ia Sao")
    assert [u.code for u in definitions.units] == ["P52", "X24073"]
    assert definitions.project.root == "X24073"
    assert definitions.project.name == "Xã Ia Sao: kế hoạch và kết quả thực hiện"


def test_a_pre_2025_district_folder(tmp_path: Path) -> None:
    folder = tmp_path / "ayun-pa"
    definitions = _init(folder, "--province", "Gia Lai", "--district", "Ayun Pa")
    assert (definitions.project.root, definitions.project.period) == ("H624", "2024")
    legacy = [u for u in definitions.units if u.valid_to is not None and u.level == "xa"]
    assert legacy and all(u.successors for u in legacy)
    assert [s.code for s in definitions.criteria_sets] == ["ntm-xa-2021-2025"]
    ev = runner.invoke(app, ["evaluate", str(folder)])
    assert ev.exit_code == 0, ev.output


def test_a_district_of_a_merged_province_reports_to_its_province_of_then(tmp_path: Path
                                                                         ) -> None:
    from tieuchi.reports.document import unit_issuer

    definitions = _init(tmp_path / "tay-son", "--province", "Gia Lai", "--district", "Tây Sơn")
    assert definitions.project.root == "H547"
    assert definitions.unit_by_code["H547"].parent == "T52"
    assert unit_issuer(definitions, "H547").recipients[0] == "Ủy ban nhân dân tỉnh Bình Định"
    refused = runner.invoke(app, ["init", str(tmp_path / "bd"), "--province", "Bình Định",
                                  "--before-2025"])
    assert refused.exit_code != 0 and "Gia Lai" in refused.output


def test_several_sets_share_the_catalogue(tmp_path: Path) -> None:
    folder = tmp_path / "sets"
    definitions = _init(folder, "--province", "52", "--set", "dvhc-2026",
                        "--set", "ntm-xa-2026-2030")
    assert {s.code for s in definitions.criteria_sets} >= {"ntm-xa-2026-2030",
                                                            "dvhc-2026-xa"}
    shipped = yaml.safe_load((folder / "criteria" / "dvhc-2026.yaml").read_text("utf-8"))
    own = {i["code"] for i in shipped.get("indicators") or ()}
    assert "dan-so" not in own  # the catalogue's, not defined twice


def test_a_folder_that_is_not_empty_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    result = runner.invoke(app, ["init", str(tmp_path), "--province", "Gia Lai"])
    assert result.exit_code == 2
    assert "not an empty folder" in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_an_unknown_province_writes_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "x"
    result = runner.invoke(app, ["init", str(folder), "--province", "Gia Lay Lay"])
    assert result.exit_code == 2, result.output
    assert not folder.exists()


def test_an_invalid_folder_is_removed_again(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Were the files written ever not to load, none of them is left behind."""
    from tieuchi.library import starter

    real = starter.starter_files

    def broken(*args: object, **kwargs: object) -> dict[str, str]:
        files = real(*args, **kwargs)  # type: ignore[arg-type]
        files["criteria/extra.yaml"] = "criteria_sets:\n  - {code: bad}\n"
        return files

    monkeypatch.setattr(starter, "starter_files", broken)
    folder = tmp_path / "new"
    result = runner.invoke(app, ["init", str(folder), "--province", "Gia Lai",
                                 "--commune", "Ia Sao"])
    assert result.exit_code == 1, result.output
    assert "nothing was written" in result.output
    assert not folder.exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    result = runner.invoke(app, ["init", str(empty), "--province", "Gia Lai",
                                 "--commune", "Ia Sao"])
    assert result.exit_code == 1 and empty.is_dir() and not any(empty.iterdir())


def test_demo_serves_a_folder(gia_lai: Path, tmp_path: Path,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIEUCHI_DATA_DIR", str(tmp_path))
    result = runner.invoke(app, ["demo", "--no-serve", "--folder", str(gia_lai)])
    assert result.exit_code == 0, result.output
    assert "canbo / tieuchi2023" in result.output
    from tieuchi.store import Store

    store = Store.open(f"sqlite:///{tmp_path / 'demo.db'}")
    users = {u.username: u for u in store.users.all()}
    assert set(users) == {"quantri", "canbo"}
    assert users["canbo"].unit == "P52"
    assert store.units.project().root == "P52"


def test_a_write_that_fails_part_way_is_undone(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    real = Path.write_text
    calls: list[Path] = []

    def failing(self: Path, *args: object, **kwargs: object) -> int:
        calls.append(self)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "write_text", failing)
    folder = tmp_path / "new"
    result = runner.invoke(app, ["init", str(folder), "--province", "Gia Lai",
                                 "--commune", "Ia Sao"])
    assert result.exit_code == 1, result.output
    assert "No space left on device" in " ".join(result.output.split())
    assert len(calls) == 3 and not folder.exists()


def test_a_file_in_the_way_is_named(tmp_path: Path) -> None:
    afile = tmp_path / "afile"
    afile.write_text("x", "utf-8")
    inside = runner.invoke(app, ["init", str(afile / "sub"), "--province", "52"])
    assert inside.exit_code == 2
    assert "a part of its path is a file" in " ".join(inside.output.split())
    itself = runner.invoke(app, ["init", str(afile), "--province", "52"])
    assert itself.exit_code == 2 and "is a file" in " ".join(itself.output.split())
