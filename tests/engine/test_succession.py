"""Figures re-based on the units after a merger, a split and a merger of parts.

The three scenarios (tests/scenarios/succession_*.yaml, whose expectations
tests/engine/test_scenarios.py checks: the 2024 figures, the growth "so với năm 2024" and the
report's data note) are traced here: each carried figure names its predecessors, their
figures and, for a split one, its share, basis and source. A property test checks that the
shares add up: what the successors get is what their predecessors had.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.engine.test_properties import definitions
from tests.engine.test_scenarios import run_scenario
from tieuchi.domain.indicators import Indicator
from tieuchi.domain.periods import Period
from tieuchi.domain.units import Split, Unit
from tieuchi.engine import Evaluation
from tieuchi.engine.evaluate import hierarchy_frame
from tieuchi.engine.succession import carry_to_successors, succession_links
from tieuchi.engine.values import best_observations, resolve_values
from tieuchi.reports.trace import trace

SCENARIOS = Path(__file__).parent.parent / "scenarios"


def _scenario(name: str, tmp_path: Path) -> Evaluation:
    return run_scenario(SCENARIOS / f"succession_{name}.yaml", tmp_path)[0]


def _head(rows: list[dict[str, Any]]) -> tuple[float, str, str]:
    return rows[0]["figure_value"], rows[0]["rule"], rows[0]["rule_en"]


def test_a_merger_names_each_commune_merged_with_its_figure(tmp_path: Path) -> None:
    ev = _scenario("merge", tmp_path)
    rows = trace(ev, "M", "thu", "2024")
    assert _head(rows) == (
        100.0, "Cộng từ 2 đơn vị đã sáp nhập vào đơn vị: Xã An (cũ): 60; Xã Bình (cũ): 40",
        "The sum over 2 units merged into it: An (cũ): 60; Bình (cũ): 40")
    assert [(r["unit"], r["value"]) for r in rows] == [("A", 60.0), ("B", 40.0)]


def test_a_rate_is_recomputed_from_its_carried_terms(tmp_path: Path) -> None:
    ev = _scenario("merge", tmp_path)
    rows = trace(ev, "M", "tl-ngheo", "2024")
    assert rows[0]["figure_value"] == 4.0
    assert rows[0]["rule"] == "Tỷ lệ = tử số / mẫu số × 100 (Số hộ nghèo / Số hộ)"
    terms = {r["indicator"]: r["step"] for r in rows if r["kind"] == "figure"}
    assert terms == {"ngheo": "Cộng từ 2 đơn vị đã sáp nhập vào đơn vị: Xã An (cũ): 15; "
                              "Xã Bình (cũ): 5",
                     "ho": "Cộng từ 2 đơn vị đã sáp nhập vào đơn vị: Xã An (cũ): 300; "
                           "Xã Bình (cũ): 200"}


def test_a_mean_is_not_carried(tmp_path: Path) -> None:
    """A mean of two communes is not the mean of the commune they became: no figure."""
    ev = _scenario("merge", tmp_path)
    rows = trace(ev, "M", "thu-nhap", "2024")
    assert (rows[0]["figure_value"], rows[0]["rule"]) == (None, "Chưa có số liệu")


def test_a_split_names_the_share_its_basis_and_source(tmp_path: Path) -> None:
    ev = _scenario("split", tmp_path)
    east, west = trace(ev, "D", "thu", "2024"), trace(ev, "T", "thu", "2024")
    assert _head(east) == (
        150.0,
        "Tính lại theo địa giới mới từ 1 đơn vị: Xã Cũ: 200 × 75% theo dân số "
        "(Đề án sắp xếp (minh họa))",
        "Re-based on the new boundaries: Cũ: 200 × 75% by population "
        "(Đề án sắp xếp (minh họa))")
    assert west[0]["figure_value"] == 50.0
    assert "Xã Cũ: 200 × 25% theo dân số" in west[0]["rule"]
    assert [(r["unit"], r["value"]) for r in east] == [("C", 200.0)]


def test_a_merger_of_parts_adds_the_whole_and_the_share(tmp_path: Path) -> None:
    ev = _scenario("merge_of_parts", tmp_path)
    rows = trace(ev, "N1", "thu", "2024")
    assert _head(rows)[:2] == (
        100.0, "Tính lại theo địa giới mới từ 2 đơn vị: Xã An (cũ): 60; Xã Cũ: 100 × 40% "
               "theo dân số (Đề án sắp xếp (minh họa))")
    assert [(r["unit"], r["value"]) for r in rows] == [("A", 60.0), ("C", 100.0)]
    province = trace(ev, "P", "thu", "2024")  # the legacy communes, not their successors
    assert sorted(r["unit"] for r in province) == ["A", "B", "C"]


def test_links_whole_split_and_undeclared() -> None:
    units = [
        Unit(code="A", name="A", level="xa", successors=("N",)),
        Unit(code="C", name="C", level="xa", successors=("N", "M"),
             split=Split(by="diện tích", source="s", weights={"N": 1, "M": 3})),
        Unit(code="U", name="U", level="xa", successors=("N", "M")),  # no split: nothing
        Unit(code="N", name="N", level="xa"), Unit(code="M", name="M", level="xa"),
    ]
    links = succession_links(definitions(units, [], []))
    assert links.select("unit", "successor", "share", "by").rows() == [
        ("A", "N", 1.0, None), ("C", "N", 0.25, "diện tích"), ("C", "M", 0.75, "diện tích")]


def test_a_chain_is_followed_generation_by_generation() -> None:
    """A merged into B in 2020, B and C merged into D in 2025: D's 2019 figure is A's and
    C's; its 2024 figure is B's and C's."""
    units = [
        Unit(code="A", name="A", level="xa", valid_to=date(2019, 12, 31), successors=("B",)),
        Unit(code="B", name="B", level="xa", valid_from=date(2020, 1, 1),
             valid_to=date(2025, 6, 30), successors=("D",)),
        Unit(code="C", name="C", level="xa", valid_to=date(2025, 6, 30), successors=("D",)),
        Unit(code="D", name="D", level="xa", valid_from=date(2025, 7, 1)),
    ]
    thu = Indicator(code="thu", name="Thu")
    observations = [
        {"unit": "A", "indicator": "thu", "period": "2019", "value": 5.0},
        {"unit": "C", "indicator": "thu", "period": "2019", "value": 7.0},
        {"unit": "B", "indicator": "thu", "period": "2024", "value": 11.0},
        {"unit": "C", "indicator": "thu", "period": "2024", "value": 13.0},
    ]
    defs = definitions(units, [thu], observations)
    assert _carried(defs, "2019")["D"] == 12.0
    assert _carried(defs, "2024")["D"] == 24.0


def _carried(defs: Any, code: str) -> dict[str, float]:
    period = Period.parse(code)
    hierarchy, _ = hierarchy_frame(defs, period)
    found = resolve_values(best_observations(defs.observations), defs.indicators, hierarchy,
                           period, period.end)
    values = carry_to_successors(defs, found)
    return dict(values.select("unit", "value").iter_rows())


@st.composite
def _reorganisations(draw: st.DrawFn) -> tuple[list[Unit], list[dict[str, Any]]]:
    """Legacy communes L0…, each merged whole into one new commune or split among two or
    three by random weights; each with a random 2024 figure."""
    n_new = draw(st.integers(2, 4))
    new = [f"N{i}" for i in range(n_new)]
    units = [Unit(code=c, name=c, level="xa", valid_from=date(2025, 7, 1)) for c in new]
    observations = []
    for i in range(draw(st.integers(1, 6))):
        code = f"L{i}"
        successors = draw(st.lists(st.sampled_from(new), min_size=1, max_size=3, unique=True))
        split = None
        if len(successors) > 1:
            weights = draw(st.lists(st.floats(0.01, 1e6), min_size=len(successors),
                                    max_size=len(successors)))
            split = Split(by="dân số", source="s", weights=dict(zip(successors, weights,
                                                                     strict=True)))
        units.append(Unit(code=code, name=code, level="xa", valid_to=date(2025, 6, 30),
                          successors=tuple(successors), split=split))
        observations.append({"unit": code, "indicator": "thu", "period": "2024",
                             "value": draw(st.floats(0, 1e9))})
    return units, observations


@given(_reorganisations())
@settings(max_examples=40, deadline=None)
def test_the_successors_get_exactly_what_their_predecessors_had(
        case: tuple[list[Unit], list[dict[str, Any]]]) -> None:
    units, observations = case
    defs = definitions(units, [Indicator(code="thu", name="Thu")], observations)
    values = _carried(defs, "2024")
    before = sum(o["value"] for o in observations)
    after = sum(v for code, v in values.items() if code.startswith("N"))
    assert abs(after - before) <= 1e-9 * max(before, 1.0)


def test_a_carried_figure_is_evaluated_as_the_engine_does(tmp_path: Path) -> None:
    """The trace reads what evaluate compared with: the baseline of the target."""
    ev = _scenario("merge_of_parts", tmp_path)
    base = ev.targets.filter(pl.col("unit") == "N2").item(0, "base")
    assert trace(ev, "N2", "thu", "2024")[0]["figure_value"] == base == 100.0


def test_a_successor_with_a_predecessor_missing_gets_no_figure() -> None:
    """Two communes merged into one, a third split between it and another: the new commune's
    2024 figure is carried only when all three give theirs; one missing (not entered, or a
    split without weights) leaves it without a figure, never the sum of the others."""
    def units(split: Split | None) -> list[Unit]:
        return [
            Unit(code="A", name="A", level="xa", valid_to=date(2025, 6, 30), successors=("N",)),
            Unit(code="B", name="B", level="xa", valid_to=date(2025, 6, 30), successors=("N",)),
            Unit(code="C", name="C", level="xa", valid_to=date(2025, 6, 30),
                 successors=("N", "M"), split=split),
            Unit(code="N", name="N", level="xa", valid_from=date(2025, 7, 1)),
            Unit(code="M", name="M", level="xa", valid_from=date(2025, 7, 1)),
        ]
    weights = Split(by="dân số", source="s", weights={"N": 3, "M": 1})
    thu = Indicator(code="thu", name="Thu")
    every = [{"unit": u, "indicator": "thu", "period": "2024", "value": v}
             for u, v in (("A", 10.0), ("B", 20.0), ("C", 40.0))]
    assert _carried(definitions(units(weights), [thu], every), "2024") == {
        "A": 10.0, "B": 20.0, "C": 40.0, "N": 60.0, "M": 10.0}
    without_b = [o for o in every if o["unit"] != "B"]
    carried = _carried(definitions(units(weights), [thu], without_b), "2024")
    assert "N" not in carried and carried["M"] == 10.0
    undeclared = _carried(definitions(units(None), [thu], every), "2024")
    assert "N" not in undeclared and "M" not in undeclared
