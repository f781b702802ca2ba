"""DHIS2 dataValueSets: periods, the mapping, and export → import giving the same figures."""

from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from tests.io.conftest import figures
from tieuchi.cli import app
from tieuchi.domain.problems import ProblemError
from tieuchi.io.dhis2 import (
    FIGURE_COLUMNS,
    Mapping,
    from_data_values,
    from_dhis2_period,
    load_mapping,
    read_data_values,
    to_data_values,
    to_dhis2_period,
)
from tieuchi.store import Store

runner = CliRunner()
DOCS = Path(__file__).resolve().parents[2] / "docs" / "exchange.md"
COMMUNE_SET = "ntm-nang-cao"


def docs_mapping(folder: Path) -> Path:
    """The example mapping of docs/exchange.md, as a file."""
    text = DOCS.read_text(encoding="utf-8")
    section = text[text.index("### Example mapping"):]
    block = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert block, "no YAML block in the example mapping section"
    path = folder / "thanh-tri.yaml"
    path.write_text(block.group(1), encoding="utf-8")
    return path


# ---------------------------------------------------------------------- periods

PERIODS = [("2023", "2023"), ("2023-H1", "2023S1"), ("2023-H2", "2023S2"),
           ("2023-Q1", "2023Q1"), ("2023-Q3", "2023Q3"), ("2023-05", "202305"),
           ("2023-12", "202312")]


@pytest.mark.parametrize(("code", "dhis2"), PERIODS)
def test_periods_convert_both_ways(code: str, dhis2: str) -> None:
    assert to_dhis2_period(code) == dhis2
    assert from_dhis2_period(dhis2) == code


@pytest.mark.parametrize("code", ["2023-YTD09", "2021-2025"])
def test_periods_dhis2_has_not(code: str) -> None:
    assert to_dhis2_period(code) is None


@pytest.mark.parametrize("dhis2", ["2023W5", "20230105", "202301B", "2023April", "2023Q5",
                                   "202313", ""])
def test_dhis2_periods_tieuchi_has_not(dhis2: str) -> None:
    assert from_dhis2_period(dhis2) is None


# ---------------------------------------------------------------------- round trip

UNITS = {"X-A": "OrgUnitAaa1", "X-B": "OrgUnitBbb2", "X-C": "OrgUnitCcc3"}
MAPPING = Mapping.model_validate({
    "org_units": UNITS,
    "data_elements": {"so": "DataElemNo1", "ty-le": "DataElemNo2",
                      "dat": {"data_element": "DataElemNo3",
                              "category_option_combo": "CatOptCmb01"},
                      "dat-khac": {"data_element": "DataElemNo3"}},
    "vintages": {"plan": "AttrOptCmb1", "estimate": "AttrOptCmb2",
                 "preliminary": "AttrOptCmb3", "official": "AttrOptCmb4"},
})
YESNO = {"dat", "dat-khac"}
period_codes = st.one_of(
    st.integers(2000, 2099).map(str),
    st.tuples(st.integers(2000, 2099), st.integers(1, 2)).map(lambda t: f"{t[0]}-H{t[1]}"),
    st.tuples(st.integers(2000, 2099), st.integers(1, 4)).map(lambda t: f"{t[0]}-Q{t[1]}"),
    st.tuples(st.integers(2000, 2099), st.integers(1, 12)).map(
        lambda t: f"{t[0]}-{t[1]:02d}"))


@st.composite
def figure(draw: st.DrawFn) -> tuple[object, ...]:
    indicator = draw(st.sampled_from(["so", "ty-le", "dat", "dat-khac"]))
    value = draw(st.sampled_from([0.0, 1.0])) if indicator in YESNO else draw(
        st.floats(allow_nan=False, allow_infinity=False))
    return (draw(st.sampled_from(sorted(UNITS))), indicator, draw(period_codes),
            draw(st.sampled_from(["plan", "estimate", "preliminary", "official"])), value,
            draw(st.none() | st.text(min_size=1, max_size=30)))


@settings(max_examples=40, deadline=None)
@given(st.lists(figure(), max_size=25, unique_by=lambda f: f[:4]))
def test_export_then_import_gives_the_same_figures(rows: list[tuple[object, ...]]) -> None:
    frame = pl.DataFrame(rows, schema={"unit": pl.String, "indicator": pl.String,
                                       "period": pl.String, "vintage": pl.String,
                                       "value": pl.Float64, "source": pl.String},
                         orient="row")
    values, problems = to_data_values(frame, MAPPING, YESNO)
    assert problems == []
    document = json.loads(json.dumps({"dataValues": values}, ensure_ascii=False))
    back, problems = from_data_values(document, MAPPING, YESNO, file="dvs.json")
    assert problems == []
    assert back.select(FIGURE_COLUMNS).equals(frame.select(FIGURE_COLUMNS))


def test_values_read_as_dhis2_writes_them() -> None:
    values, _ = to_data_values(pl.DataFrame({
        "unit": ["X-A", "X-A"], "indicator": ["dat", "so"], "period": ["2023-Q3", "2023-05"],
        "vintage": ["official", "estimate"], "value": [1.0, 45000.0], "source": [None, "BC"],
    }), MAPPING, YESNO)
    assert values == [
        {"dataElement": "DataElemNo3", "period": "2023Q3", "orgUnit": "OrgUnitAaa1",
         "categoryOptionCombo": "CatOptCmb01", "attributeOptionCombo": "AttrOptCmb4",
         "value": "true"},
        {"dataElement": "DataElemNo1", "period": "202305", "orgUnit": "OrgUnitAaa1",
         "categoryOptionCombo": "HllvX50cXC0", "attributeOptionCombo": "AttrOptCmb2",
         "value": "45000", "comment": "BC"}]


def test_the_communes_of_the_reference_district_round_trip(store: Store, empty_store: Store,
                                                           tmp_path: Path) -> None:
    mapping, out = docs_mapping(tmp_path), tmp_path / "dvs.json"
    exported = runner.invoke(app, [
        "dhis2", "export", "--unit", "TT", "--period", "2023", "--dataset", COMMUNE_SET,
        "--mapping", str(mapping), "-o", str(out), "--database-url", str(store.engine.url)])
    assert exported.exit_code == 0, exported.output
    document = json.loads(out.read_text(encoding="utf-8"))
    count = len(document["dataValues"])
    assert count == 15 * 20  # the communes but the township Văn Điển, 20 indicators each
    assert f"{count} data value(s)" in exported.output
    imported = runner.invoke(app, ["dhis2", "import", str(out), "--mapping", str(mapping),
                                   "--database-url", str(empty_store.engine.url)])
    assert imported.exit_code == 0, imported.output
    chosen = load_mapping(mapping)
    original = figures(store).filter(pl.col("unit").str.starts_with("TT-")
                                     & pl.col("indicator").is_in(list(chosen.data_elements))
                                     & (pl.col("period") == "2023"))
    assert original.height == count
    assert figures(empty_store).equals(original)
    again = runner.invoke(app, ["dhis2", "import", str(out), "--mapping", str(mapping),
                                "--dry-run", "--database-url", str(store.engine.url)])
    assert again.exit_code == 0 and "nothing would change" in again.output


def test_unmapped_codes_are_reported(store: Store, tmp_path: Path) -> None:
    text = docs_mapping(tmp_path).read_text(encoding="utf-8")
    mapping = tmp_path / "partial.yaml"
    mapping.write_text(text.replace("  TT-DAIANG: Xvh9eF5EFe9\n", ""), encoding="utf-8")
    out = tmp_path / "dvs.json"
    args = ["dhis2", "export", "--unit", "TT", "--period", "2023", "--dataset", COMMUNE_SET,
            "--mapping", str(mapping), "-o", str(out), "--database-url", str(store.engine.url)]
    refused = runner.invoke(app, args)
    assert refused.exit_code == 1 and not out.exists()
    assert "unit 'TT-DAIANG' (20 value(s)) has no counterpart in org_units" in \
        " ".join(refused.output.split())
    skipped = runner.invoke(app, [*args, "--skip-unmapped"])
    assert skipped.exit_code == 0, skipped.output
    assert "TT-DAIANG" in skipped.output and "280 data value(s), 1 left out" in \
        " ".join(skipped.output.split())


def test_import_problems_are_at_their_data_value(store: Store, tmp_path: Path) -> None:
    mapping = load_mapping(docs_mapping(tmp_path))
    path = tmp_path / "dvs.json"
    good = {"dataElement": "hqLYOuI2Lzl", "orgUnit": "Ej6sfG573zK", "period": "2023",
            "attributeOptionCombo": "HllvX50cXC0", "value": "81"}
    path.write_text(json.dumps({"dataValues": [
        good,
        {**good, "orgUnit": "Zzzzzzzzzz1"},
        {**good, "period": "2023W5"},
        {**good, "dataElement": "JwdLvRVsf8R", "value": "abc"},
        {**good, "attributeOptionCombo": "Qqqqqqqqqq1", "dataElement": "lrnTMRcsdy5",
         "value": "true"},
        "not an object",
    ]}), encoding="utf-8")
    before, audit = figures(store), store.audit.count()
    with pytest.raises(ProblemError) as caught:
        read_data_values(store, path, mapping)
    assert [(p.place, p.code) for p in caught.value.problems] == [
        ("dvs.json:dataValues[1]", "unmapped"),
        ("dvs.json:dataValues[2]", "dhis2-period"),
        ("dvs.json:dataValues[3]", "dhis2-value"),
        ("dvs.json:dataValues[4]", "unmapped"),
        ("dvs.json:dataValues[5]", "dhis2-value")]
    assert figures(store).equals(before) and store.audit.count() == audit


def test_a_locked_data_set_refuses_the_import(store: Store, tmp_path: Path) -> None:
    admin = store.users.all()[0]
    for action in ("submit", "approve", "lock"):
        store.workflow.transition("TT-YENMY", "2023", COMMUNE_SET, action, actor=admin.username)
    mapping = load_mapping(docs_mapping(tmp_path))
    value = {"dataElement": "hqLYOuI2Lzl", "orgUnit": "Ej6sfG573zK", "period": "2023",
             "attributeOptionCombo": "HllvX50cXC0", "value": "81"}
    with pytest.raises(ProblemError) as caught:
        read_data_values(store, json.dumps({"dataValues": [value]}).encode(), mapping,
                         name="dvs.json")
    (problem,) = caught.value.problems
    assert (problem.place, problem.code) == ("dvs.json:dataValues[0]", "locked")


def test_mapping_problems_name_their_line(tmp_path: Path) -> None:
    path = tmp_path / "map.yaml"
    path.write_text("org_units:\n  TT: ySC2yuNK7vO\n  TT-YENMY: abc\n"
                    "data_elements:\n  gtsx: lrnTMRcsdy5\n  vdt-xh: lrnTMRcsdy5\n",
                    encoding="utf-8")
    with pytest.raises(ProblemError) as caught:
        load_mapping(path)
    (problem,) = caught.value.problems
    assert problem.place == "map.yaml:3" and "'abc' is not a DHIS2 UID" in problem.message
    path.write_text("org_units:\n  TT: ySC2yuNK7vO\n"
                    "data_elements:\n  gtsx: lrnTMRcsdy5\n  vdt-xh: lrnTMRcsdy5\n",
                    encoding="utf-8")
    with pytest.raises(ProblemError) as caught:
        load_mapping(path)
    (problem,) = caught.value.problems
    assert problem.place == "map.yaml:3" and "vdt-xh and gtsx both map to" in problem.message


def test_a_mapping_with_an_alias_bomb_is_refused_at_its_line(tmp_path: Path) -> None:
    """The mapping is read with the definitions' YAML limits (issue 9)."""
    chain = "".join(f"  - &a{i} [{', '.join([f'*a{i - 1}' if i else 'lol'] * 9)}]\n"
                    for i in range(9))
    path = tmp_path / "map.yaml"
    path.write_text(f"laughs:\n{chain}org_units: {{TT: *a8}}\n", encoding="utf-8")
    with pytest.raises(ProblemError) as caught:
        load_mapping(path)
    (problem,) = caught.value.problems
    assert (problem.place, problem.code) == ("map.yaml:8", "mapping")
    assert problem.message == ("cannot read the mapping: with its aliases (*name) written "
                               "out, this value is longer than 8 MB; write the values out or "
                               "use fewer aliases")
