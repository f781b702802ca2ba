"""A period in which no criteria set of the folder is in force (a 2026 folder's 2024): the
results are empty frames of their own columns, and the report and the appendix read them as
"no set", not as a crash."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tieuchi.definitions import write_if_valid
from tieuchi.engine import evaluate
from tieuchi.library.starter import starter_files
from tieuchi.reports.document import build_document
from tieuchi.reports.xlsx import render_xlsx


def test_no_set_in_force_gives_empty_results_with_their_columns(tmp_path: Path) -> None:
    files = starter_files("Gia Lai", "Ia Sao", today=date(2026, 3, 1))
    definitions, _ = write_if_valid(tmp_path / "ia-sao", files)
    ev = evaluate(definitions, "2024")  # the 2026-2030 set starts on 15/02/2026
    assert ev.sets.sets.is_empty() and "unit" in ev.sets.sets.columns
    assert {"unit", "set", "criterion"} <= set(ev.sets.criteria.columns)
    assert {"unit", "set", "total"} <= set(ev.sets.summaries.columns)
    document = build_document(ev, unit="P52")
    assert document.period == "năm 2024"
    assert render_xlsx(ev, unit="P52")[:2] == b"PK"
