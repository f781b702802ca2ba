"""Writing into a definition folder only if it stays valid: staged beside it, checked, then
moved in; a refusal, a failure or an interruption leaves the folder as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from tieuchi.definitions import write_if_valid
from tieuchi.definitions import writing as writing_module
from tieuchi.domain.problems import ProblemError

FOLDER = {
    "tieuchi.yaml": "levels:\n  - {code: xa, name: Xã}\n"
                    "units:\n  - {code: A, name: An, level: xa}\n",
    "indicators.yaml": "indicators:\n  - {code: thu, name: Thu, unit: tỷ đồng}\n",
}
GOOD = "targets:\n  - {indicator: thu, unit: A, period: 2026, at_least: 5}\n"
BAD = "targets:\n  - {indicator: chi, unit: A, period: 2026, at_least: 5}\n"  # no such indicator


def _folder(tmp_path: Path) -> Path:
    root = tmp_path / "xa"
    root.mkdir()
    for name, text in FOLDER.items():
        (root / name).write_text(text, "utf-8")
    return root


def _snapshot(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text("utf-8") for p in sorted(root.rglob("*"))
            if p.is_file()}


def test_a_valid_write_lands_and_leaves_no_staging_copy(tmp_path: Path) -> None:
    root = _folder(tmp_path)
    definitions, warnings = write_if_valid(root, {"targets/nq.yaml": GOOD})
    assert (root / "targets" / "nq.yaml").read_text("utf-8") == GOOD
    assert definitions.targets.height == 1 and warnings == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["xa"]


def test_a_write_that_makes_errors_writes_nothing_and_names_the_folders_files(
        tmp_path: Path) -> None:
    root = _folder(tmp_path)
    before = _snapshot(root)
    with pytest.raises(ProblemError) as refused:
        write_if_valid(root, {"targets/nq.yaml": BAD, "tieuchi.yaml": "units: []\n"})
    assert _snapshot(root) == before
    files = {p.file for p in refused.value.problems if p.file}
    assert files and all(f.startswith(str(root) + "/") for f in files), files
    assert sorted(p.name for p in tmp_path.iterdir()) == ["xa"]


def test_a_new_folder_appears_whole_or_not_at_all(tmp_path: Path) -> None:
    root = tmp_path / "moi"
    write_if_valid(root, {**FOLDER, "targets.yaml": GOOD})
    assert _snapshot(root) == {**FOLDER, "targets.yaml": GOOD}
    other = tmp_path / "khac"
    with pytest.raises(ProblemError):
        write_if_valid(other, {**FOLDER, "targets.yaml": BAD})
    assert not other.exists()


def test_an_interrupted_write_leaves_the_folder_as_it_was(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A process stopped while the copy is checked (Ctrl+C, a kill): nothing moved in."""
    root = _folder(tmp_path)
    before = _snapshot(root)

    def interrupted(path: Path) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(writing_module, "check_definitions", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_if_valid(root, {"targets/nq.yaml": GOOD})
    assert _snapshot(root) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["xa"]
