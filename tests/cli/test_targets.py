"""``tieuchi targets import``: a real resolution's table read into a folder's targets, as a
dry run, then written, then refused when the folder would not validate."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from tieuchi.cli import app
from tieuchi.definitions import load_definitions

runner = CliRunner()
ROOT = Path(__file__).parents[2]
IA_SAO = ROOT / "examples" / "ia-sao-2025"
PHU_THO = ROOT / "tests" / "fixtures" / "resolutions" / "phu-tho-ktxh-2023.xlsx"
QUOC_HOI = ROOT / "tests" / "fixtures" / "resolutions" / "quoc-hoi-ktxh-2026.docx"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    copy = tmp_path / "ia-sao"
    shutil.copytree(IA_SAO, copy)
    return copy


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["targets", "import", *args], env={"COLUMNS": "200"})
    return result.exit_code, " ".join(result.output.split())


def test_a_dry_run_shows_every_row_and_writes_nothing(folder: Path) -> None:
    code, output = _run(str(PHU_THO), str(folder), "--unit", "IS", "--period", "2026")
    assert code == 0, output
    assert "20 of 22 rows understood" in output
    assert "≥ 6.109" in output and "thu-nsnn" in output  # the folder's own indicator
    assert "≥ 43.500 (43,5 Nghìn tỷ đồng → 43.500 tỷ đồng)" in output  # a unit converted
    assert "grdp-tang-truong (catalogue)" in output
    assert "│ 95,6 │" in output and "│ 95.6" not in output  # scores the Vietnamese way
    assert "UNMATCHED" in output and "guesses:" in output
    assert "resolution-value '7 trở lên' is an absolute increase" in output
    assert "enter this target by hand" in output
    assert "dry run: nothing written" in output
    assert not (folder / "targets").exists()


def test_apply_writes_a_group_that_validates_and_names_its_document(folder: Path) -> None:
    code, output = _run(str(QUOC_HOI), str(folder), "--unit", "IS", "--period", "2026",
                        "--document", "Nghị quyết KT-XH 2026 của Quốc hội", "--issuer",
                        "Quốc hội", "--apply")
    assert code == 0, output
    written = folder / "targets" / "nghi-quyet-kt-xh-2026-cua-quoc-hoi.yaml"
    content = yaml.safe_load(written.read_text(encoding="utf-8"))
    group = content["groups"][0]
    assert (group["unit"], group["period"], group["issuer"]) == ("IS", "2026", "Quốc hội")
    assert group["name"] == "Chỉ tiêu theo Nghị quyết KT-XH 2026 của Quốc hội"
    assert len(group["targets"]) == 14  # 15 rows: one in USD, not imported
    poor = next(t for t in group["targets"] if t["indicator"] == "ty-le-ho-ngheo-da-chieu")
    assert poor["reduction_pp"] == 1 and poor["note"] == \
        "Tỷ lệ hộ nghèo (theo chuẩn nghèo đa chiều): Giảm 1 - 1,5"  # the range said once
    industry = next(t for t in group["targets"]
                    if t["indicator"] == "ty-trong-cong-nghiep-che-bien")
    assert industry["note"].endswith(": Khoảng 24,96")  # not "…; khoảng" again
    defs = load_definitions(folder)
    targets = defs.targets.filter(defs.targets["indicator"] == "ty-le-bhyt")
    assert targets.height == 1 and targets["document"][0] == \
        "Nghị quyết KT-XH 2026 của Quốc hội"
    code, output = _run(str(QUOC_HOI), str(folder), "--unit", "IS", "--period", "2026",
                        "--document", "Nghị quyết KT-XH 2026 của Quốc hội", "--apply")
    assert code == 2 and f"{written} exists already" in output and "--replace" in output


def test_replace_writes_a_revised_resolution_over_the_earlier_import(folder: Path) -> None:
    args = (str(QUOC_HOI), str(folder), "--unit", "IS", "--period", "2026", "--apply")
    code, output = _run(*args)
    assert code == 0, output
    written = folder / "targets" / "quoc-hoi-ktxh-2026.yaml"
    group = yaml.safe_load(written.read_text(encoding="utf-8"))["groups"][0]
    # no --document: the group is the plan of the period, its source the file read
    assert group["name"] == "Chỉ tiêu kế hoạch năm 2026"
    assert group["document"] == "quoc-hoi-ktxh-2026.docx"
    code, output = _run(*args, "--replace", "--issuer", "Quốc hội")
    assert code == 0 and f"replaced {written}: 14 targets" in output, output
    group = yaml.safe_load(written.read_text(encoding="utf-8"))["groups"][0]
    assert group["issuer"] == "Quốc hội" and len(group["targets"]) == 14
    assert load_definitions(folder).targets.height > 14


def test_a_map_names_a_rows_indicator(folder: Path) -> None:
    code, output = _run(str(PHU_THO), str(folder), "--unit", "IS", "--period", "2026",
                        "--map", "row 18=nha-tam")
    assert code == 0, output
    assert "nha-tam (--map)" in output and "21 of 22 rows understood" in output
    code, output = _run(str(PHU_THO), str(folder), "--unit", "IS", "--period", "2026",
                        "--map", "eighteen")
    assert code == 2 and "is not 'row N=CODE'" in output
    code, output = _run(str(PHU_THO), str(folder), "--unit", "IS", "--period", "2026",
                        "--map", "row 18=nha-tm")
    assert code == 2 and "'nha-tm' is neither" in output and "nha-tam" in output
    code, output = _run(str(PHU_THO), str(folder), "--unit", "IS", "--period", "2026",
                        "--map", "row 23=nha-tam")
    assert code == 2 and "the table has 22 rows, not row 23" in output


def test_nothing_is_written_when_the_folder_would_not_validate(folder: Path) -> None:
    # another file of the folder holds a group of the code the import would give
    (folder / "other.yaml").write_text(
        "groups:\n  - {code: nq-11, name: Khác, unit: IS, period: '2026', targets: []}\n",
        encoding="utf-8")
    code, output = _run(str(PHU_THO), str(folder), "--unit", "IS", "--period", "2026",
                        "--document", "NQ 11", "--apply")
    assert code == 2, output
    assert "nq-11" in output and "nothing written" in output
    assert not (folder / "targets").exists()


def test_a_wrong_unit_or_period_or_file(folder: Path, tmp_path: Path) -> None:
    assert _run(str(PHU_THO), str(folder), "--unit", "XX", "--period", "2026")[0] == 2
    assert _run(str(PHU_THO), str(folder), "--unit", "IS", "--period", "20x6")[0] == 2
    bad = tmp_path / "nq.docx"
    bad.write_bytes(b"not a document")
    code, output = _run(str(bad), str(folder), "--unit", "IS", "--period", "2026")
    assert code == 1 and "unreadable-file" in output
