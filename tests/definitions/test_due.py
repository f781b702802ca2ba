"""A data set's due date (``due``: days after its period's end): read, computed, and
checked on load with its file and line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.definitions.test_loader import CATALOGUE, write
from tieuchi.definitions import check_definitions
from tieuchi.domain.datasets import DataSet
from tieuchi.domain.periods import Period


def _form(due: int | None, period: str = "year") -> DataSet:
    return DataSet.model_validate({"code": "f", "name": "Biểu", "indicators": ["gtsx"],
                                   "period": period, "due": due})


@pytest.mark.parametrize(("due", "period", "expected"), [
    (15, "2023", date(2024, 1, 15)),
    (0, "2023", date(2023, 12, 31)),
    (-31, "2023", date(2023, 11, 30)),
    (10, "2024-Q1", date(2024, 4, 10)),
])
def test_the_due_date_counts_from_the_period_end(due: int, period: str,
                                                 expected: date) -> None:
    kind = Period.parse(period).kind.value
    assert _form(due, kind).due_date(Period.parse(period)) == expected


def test_days_late_count_only_past_the_due_date() -> None:
    form, year = _form(-31), Period.parse("2023")
    assert form.days_late(year, date(2023, 11, 30)) == 0
    assert form.days_late(year, date(2023, 12, 3)) == 3
    assert _form(None).days_late(year, date(2030, 1, 1)) == 0
    assert _form(None).due_date(year) is None


def _problems(tmp_path: Path, due: str, period: str = "year") -> list[str]:
    folder = write(tmp_path, {"base.yaml": CATALOGUE, "datasets.yaml": f"""\
datasets:
  - code: kt
    name: Kinh tế
    period: {period}
    due: {due}
    indicators: [gtsx]
"""})
    _, problems = check_definitions(folder)
    return [f"{Path(p.file or '').name}:{p.line}: {p.code} {p.message}" for p in problems]


def test_a_due_date_loads(tmp_path: Path) -> None:
    assert _problems(tmp_path, "-26") == []


@pytest.mark.parametrize(("due", "period"), [("mười lăm", "year"), ("400", "year"),
                                              ("-40", "month"), ("-365", "year")])
def test_a_wrong_due_date_is_a_problem_at_its_line(tmp_path: Path, due: str,
                                                   period: str) -> None:
    found = _problems(tmp_path, due, period)
    assert found and all(p.startswith("datasets.yaml:5:") for p in found), found
