"""One mistake gives one problem: a broken definition does not make every reference to it
"unknown", and a bad target does not hide the rest of its group."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import EXAMPLE
from tieuchi.definitions import check_definitions


def _break(folder: Path, file: str, old: str, new: str) -> None:
    path = folder / file
    text = path.read_text(encoding="utf-8")
    assert old in text, (file, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_broken_example_reports_each_mistake_once(tmp_path: Path) -> None:
    folder = tmp_path / "thanh-tri"
    shutil.copytree(EXAMPLE, folder)
    _break(folder, "units.yaml", "    name: Thanh Trì\n", "")
    _break(folder, "indicators.yaml", "    time: sum\n", "    time: [sum\n")
    _break(folder, "targets/ktxh-2023.yaml", "indicator: dn-moi,", "indicator: dn-mio,")
    _break(folder, "targets/ktxh-2023.yaml", "at_least: 4500}", "at_least: nhiều}")
    _break(folder, "targets/ktxh-2023.yaml", "{code: ktxh-bhyt, indicator: bhyt,",
           "{code: ktxh-bhyt, unit: TT-YENMI, indicator: bhyt,")
    definitions, problems = check_definitions(folder)
    assert definitions is None
    found = sorted((Path(p.file or "").name, p.code) for p in problems)
    assert found == [
        ("indicators.yaml", "yaml-syntax"),
        ("ktxh-2023.yaml", "unknown-indicator"),
        ("ktxh-2023.yaml", "unknown-unit"),
        ("ktxh-2023.yaml", "wrong-type"),
        ("units.yaml", "missing-field"),
    ], "\n".join(map(str, problems))
    messages = " ".join(p.message for p in problems)
    assert "did you mean 'TT-YENMY'" in messages
    assert "did you mean 'dn-moi'" in messages  # a code of the unreadable file
    assert all(p.line for p in problems)
