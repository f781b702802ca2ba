"""tieuchi units add / list: the published units into a folder that validates."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from tieuchi.cli import app
from tieuchi.definitions import check_definitions

runner = CliRunner()


def folder_with_project(path: Path, root: str, levels: str = "") -> Path:
    path.mkdir()
    (path / "tieuchi.yaml").write_text(
        f'project:\n  name: "Thử"\n  root: {root}\n  period: "2026"\n{levels}', "utf-8")
    return path


def units_of(folder: Path) -> dict[str, object]:
    definitions, problems = check_definitions(folder)
    assert definitions is not None, [str(p) for p in problems]
    return {u.code: u for u in definitions.units}


def test_units_add_writes_a_province_that_validates(tmp_path: Path) -> None:
    folder = folder_with_project(tmp_path / "gia-lai", "P52")
    result = runner.invoke(app, ["units", "add", str(folder), "--province", "gia lai"])
    assert result.exit_code == 0, result.output
    assert "136 units" in result.output
    text = (folder / "units.yaml").read_text("utf-8")
    assert text.startswith("# Tỉnh Gia Lai: written by tieuchi (units add, init) from "
                           "vietnamadminunits 1.0.4")
    assert "MIT licence" in text and "levels:" in text
    units = units_of(folder)
    assert len(units) == 136
    ia_sao = units["X24073"]
    assert ia_sao.name == "Ia Sao" and ia_sao.kind == "xã" and ia_sao.parent == "P52"
    assert ia_sao.official_code == "24073"


def test_units_add_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    folder = folder_with_project(tmp_path / "x", "P52")
    assert runner.invoke(app, ["units", "add", str(folder), "--province", "52"]).exit_code == 0
    again = runner.invoke(app, ["units", "add", str(folder), "--province", "52",
                                "--commune", "Ia Sao"], env={"COLUMNS": "400"})
    assert again.exit_code == 2
    assert "units.yaml exists; give --force" in " ".join(again.output.split())
    forced = runner.invoke(app, ["units", "add", str(folder), "--province", "52",
                                 "--commune", "Ia Sao", "--before-2025", "--force"])
    assert forced.exit_code == 0, forced.output
    assert set(units_of(folder)) == {"P52", "X24073", "T64", "H624", "L24070",
                                       "L24073"}


def test_levels_the_folder_declares_are_not_written_again(tmp_path: Path) -> None:
    levels = ('levels:\n  - {code: tinh, name: Tỉnh, name_en: Province}\n'
              '  - {code: xa, name: Xã, name_en: Commune}\n')
    folder = folder_with_project(tmp_path / "x", "P01", levels)
    result = runner.invoke(app, ["units", "add", str(folder), "--province", "Hà Nội",
                                 "--district", "Thanh Trì"])
    assert result.exit_code == 0, result.output
    text = (folder / "units.yaml").read_text("utf-8")
    assert '{code: "huyen"' in text and '{code: "tinh"' not in text  # only the missing one
    units = units_of(folder)
    assert units["H020"].valid_to is not None and units["H020"].parent == "P01"
    assert all(set(u.successors) <= set(units) for u in units.values())


def test_an_unknown_province_is_refused_with_the_closest_names(tmp_path: Path) -> None:
    result = runner.invoke(app, ["units", "add", str(tmp_path / "x"), "--province",
                                 "Gia Lay"])
    assert result.exit_code == 2
    assert "closest: Tỉnh Gia Lai (52)" in " ".join(result.output.split())
    assert not (tmp_path / "x").exists()


def test_units_list_prints_the_communes() -> None:
    result = runner.invoke(app, ["units", "list", "--province", "Gia Lai"])
    assert result.exit_code == 0, result.output
    assert "135 communes" in result.output and "Ia Sao" in result.output
    assert "114,6" in result.output  # km², written the Vietnamese way


def test_units_a_folder_already_has_are_refused_and_nothing_is_kept(tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "ia-sao"
    shutil.copytree(Path(__file__).resolve().parents[2] / "examples" / "ia-sao-2025", folder)
    before = sorted(p.name for p in folder.iterdir())
    result = runner.invoke(app, ["units", "add", str(folder), "--province", "Gia Lai"])
    assert result.exit_code == 1, result.output
    text = " ".join(result.output.split())
    assert "duplicate-official-code" in text and "'P52' and 'GL'" in text
    assert "nothing was written" in text
    assert sorted(p.name for p in folder.iterdir()) == before  # no units.yaml left
    assert check_definitions(folder)[0] is not None


def test_a_replaced_units_file_is_put_back_when_the_folder_breaks(tmp_path: Path) -> None:
    folder = folder_with_project(tmp_path / "ia-sao", "X24073")
    first = runner.invoke(app, ["units", "add", str(folder), "--province", "52",
                                "--commune", "Ia Sao"])
    assert first.exit_code == 0, first.output
    kept = (folder / "units.yaml").read_bytes()
    (folder / "more.yaml").write_text(
        'units:\n  - {code: IS, name: Ia Sao, level: xa, official_code: "24073"}\n', "utf-8")
    (folder / "units.yaml").write_text(kept.decode("utf-8").replace('"24073"', '"99999"'),
                                       "utf-8")
    edited = (folder / "units.yaml").read_bytes()
    again = runner.invoke(app, ["units", "add", str(folder), "--province", "52",
                                "--commune", "Ia Sao", "--force"])
    assert again.exit_code == 1, again.output
    assert (folder / "units.yaml").read_bytes() == edited  # as it was before the command
