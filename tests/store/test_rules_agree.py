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
  - {code: bien-dong, name: Biến động, frequency: month, min: -100, max: 100}
"""
FIGURE_CODES = {"invalid-value", "yesno-value", "percent-range", "count-value",
                "period-too-fine", "value-range", "value-too-large"}
INDICATORS = ["so", "ty-le", "co-khong", "so-luong", "bien-dong"]

values = st.one_of(
    st.sampled_from([0.0, 1.0, 100.0, 150.0, 2.5, -1.0, 0.5, 100.0001, -0.0, 1e-9,
                     math.nan, math.inf, -math.inf, 1e15, -1e15, 9.99e14, 1e308, -100.5]),
    st.integers(-20, 240).map(lambda n: n / 2),
    st.floats(-1e6, 1e6, allow_nan=False),
)
figures = st.lists(st.tuples(st.sampled_from(INDICATORS),
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
    """A percentage of 150 and a count of 2.5 (issue 7), a negative revenue and 1e308
    (issue 9): refused by both, with the same codes."""
    rows = [("ty-le", "2023", 150.0), ("so-luong", "2023", 2.5), ("so", "2023", 150.0),
            ("so", "2023", -1.0), ("so", "2023", 1e308), ("bien-dong", "2023", -12.5)]
    expected = {(0, "percent-range"), (1, "count-value"), (3, "value-range"),
                (4, "value-too-large")}
    assert _loader_refusals(tmp_path / "folder", rows) == expected
    entries = [Entry(f"U{i}", ind, period, value) for i, (ind, period, value) in enumerate(rows)]
    assert {(p.index, p.code) for p in catalogued.figures.check(entries)} == expected


_counter = itertools.count()


def test_a_source_with_a_control_character_is_refused_by_both(catalogued: Store,
                                                              tmp_path: Path) -> None:
    """Issue 9: "Báo cáo\\x01số 5" broke every workbook of its unit; the loader (a CSV file
    of a definition folder) and the store's write refuse it, and a source of 501
    characters, naming the field."""
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "catalogue.yaml").write_text(CATALOGUE, encoding="utf-8")
    long = "x" * 501
    (folder / "observations.csv").write_text(
        "unit,indicator,period,value,source,note\n"
        "U0,so,2023,1,Báo cáo\x01số 5,\n"
        f"U1,so,2023,1,{long},\n"
        "U2,so,2023,1,Cục Thống kê,\"dòng 1\ndòng 2\"\n", encoding="utf-8")
    _, problems = check_definitions(folder)
    assert [(p.line, p.code) for p in problems] == [(2, "control-character"),
                                                    (3, "text-too-long")]
    assert "U+0001" in problems[0].message and "at most 500" in problems[1].message
    entries = [Entry("U0", "so", "2023", 1, source="Báo cáo\x01số 5"),
               Entry("U1", "so", "2023", 1, source=long),
               Entry("U2", "so", "2023", 1, source="Cục Thống kê")]
    assert [(p.index, p.field, p.code) for p in catalogued.figures.check(entries)] == [
        (0, "source", "control-character"), (1, "source", "text-too-long")]
