"""Snapshot files for the outputs people read: compare, or rewrite with --snapshot-update.

Run ``uv run pytest --snapshot-update`` after a deliberate change in wording or numbers, and
review the diff of ``tests/snapshots/`` like any other change.
"""

from __future__ import annotations

from pathlib import Path

import pytest

SNAPSHOTS = Path(__file__).parent / "snapshots"


def assert_snapshot(request: pytest.FixtureRequest, name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if request.config.getoption("--snapshot-update"):
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"no snapshot {name}; run pytest --snapshot-update"
    expected = path.read_text(encoding="utf-8")
    assert text == expected, f"{name} changed; review it and run pytest --snapshot-update"
