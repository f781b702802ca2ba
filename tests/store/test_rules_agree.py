"""``tieuchi load`` (the definition loader) and ``store.figures.write`` accept and refuse the same
figures: both use the domain's figure rule (``tieuchi.domain.ruleset``). A property test
(hypothesis) over values of every indicator type, periods of several sizes, and the numbers
that are not finite; on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tieuchi.definitions import check_definitions
from tieuchi.domain.problems import Problem
from tieuchi.store import Entry, Store

CATALOGUE = """\
levels:
  - {code: xa, name: Xã}
units:
""" + "".join(f"  - {{code: U{i}, name: Đơn vị {i}, level: xa}}\n" for i in range(8)) + """\
indicators:
  - {code: so, name: Số, frequency: month}
  - {code: ty-le, name: Tỷ lệ, type: percent, time: last, rollup: none, frequency: month}
  - {code: co-khong, name: Có/không, type: yesno, time: last, rollup: none, frequency: quarter}
  - {code: so-luong, name: Số lượng, type: count, frequency: year}
"""
FIGURE_CODES = {"invalid-value", "yesno-value", "percent-range", "count-value",
                "period-too-fine"}

values = st.one_of(
    st.sampled_from([0.0, 1.0, 100.0, 150.0, 2.5, -1.0, 0.5, 100.0001, -0.0, 1e-9,
                     math.nan, math.inf, -math.inf]),
    st.integers(-20, 240).map(lambda n: n / 2),
    st.floats(-1e6, 1e6, allow_nan=False),
)
figures = st.lists(st.tuples(st.sampled_from(["so", "ty-le", "co-khong", "so-luong"]),
                             st.sampled_from(["2023", "2023-Q2", "2023-05", "2023-YTD09"]),
                             values), min_size=1, max_size=8)


def _yaml_number(value: float) -> str:
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    return repr(value)


def _loader_refusals(folder: Path, rows: list[tuple[str, str, float]]) -> set[tuple[int, str]]:
    """(row, code) of the figure problems the loader reports for ``rows``, one unit each."""
    folder.mkdir()
    (folder / "catalogue.yaml").write_text(CATALOGUE, encoding="utf-8")
    lines = ["observations:"]
    for i, (indicator, period, value) in enumerate(rows):
        lines += [f"  - unit: U{i}", f"    indicator: {indicator}", f"    period: '{period}'",
                  f"    value: {_yaml_number(value)}"]
    (folder / "data.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    _, problems = check_definitions(folder)
    found: set[tuple[int, str]] = set()
    for problem in problems:
        assert isinstance(problem, Problem)
        assert problem.code in FIGURE_CODES, str(problem)
        assert problem.file is not None and problem.file.endswith("data.yaml")
        assert problem.line is not None
        found.add(((problem.line - 2) // 4, problem.code))
    return found


@pytest.fixture
def catalogued(store: Store, tmp_path: Path) -> Store:
    folder = tmp_path / "catalogue"
    folder.mkdir()
    (folder / "catalogue.yaml").write_text(CATALOGUE, encoding="utf-8")
    defs, problems = check_definitions(folder)
    assert defs is not None, problems
    store.load(defs, actor="test")
    return store


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=figures)
def test_the_loader_and_store_write_refuse_the_same_figures(
        catalogued: Store, tmp_path: Path, rows: list[tuple[str, str, float]]) -> None:
    folder = tmp_path / f"folder-{next(_counter)}"
    by_loader = _loader_refusals(folder, rows)
    entries = [Entry(f"U{i}", indicator, period, value)
               for i, (indicator, period, value) in enumerate(rows)]
    by_store = {(p.index, p.code) for p in catalogued.figures.check(entries)}
    assert by_loader == by_store


def test_the_two_cases_of_the_issue(catalogued: Store, tmp_path: Path) -> None:
    """A percentage of 150 and a count of 2.5: refused by both, with the same codes."""
    rows = [("ty-le", "2023", 150.0), ("so-luong", "2023", 2.5), ("so", "2023", 150.0)]
    expected = {(0, "percent-range"), (1, "count-value")}
    assert _loader_refusals(tmp_path / "folder", rows) == expected
    entries = [Entry(f"U{i}", ind, period, value) for i, (ind, period, value) in enumerate(rows)]
    assert {(p.index, p.code) for p in catalogued.figures.check(entries)} == expected


_counter = itertools.count()
