"""Engine scenarios: small YAML cases in tests/scenarios/, readable by a domain expert.

Each file has ``definitions`` (a definition folder written as one YAML document), the
``period`` to evaluate, an optional ``as_of`` date and ``units``, and ``expect``:

- ``values``: ``UNIT:INDICATOR: number`` or ``UNIT:INDICATOR: {value:, origin:, ...}``;
- ``targets``: ``TARGET_KEY: {column: expected, ...}`` (any column of the target results);
- ``groups``: ``GROUP: {total:, exceeded:, met:, not_met:, no_data:, not_met_items: [...]}``;
- ``sets``: ``UNIT:SET: {passed:, met:, total:, unmet: [...]}``;
- ``criteria``: ``UNIT:SET:CRITERION: {met:, conditions_met:, condition_count:, ...}``;
- ``summaries``: ``UNIT:SET: {total:, passed:, passed_units: [...]}``;
- ``absent``: ``{targets: [KEY], groups: [GROUP], sets: [UNIT:SET], summaries: [UNIT:SET],
  values: [UNIT:INDICATOR]}``: rows that must not be in the results (e.g. outside ``units``);
- ``figures``: ``UNIT:INDICATOR: {column: expected, ...}`` (the figures the report's
  highlights and indicator items state);
- ``sentences``: texts the Vietnamese report (Markdown, of the project's root) holds exactly,
  a sentence or a table row; ``missing``: texts it must not hold; ``sentences_en``: texts
  the English report holds.

Numbers match to within 0.05 (reports show one decimal).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml

from tieuchi.definitions import load_definitions
from tieuchi.engine import Evaluation, evaluate
from tieuchi.reports.text import render_markdown

SCENARIOS = sorted((Path(__file__).parent.parent / "scenarios").glob("*.yaml"))


def _check(found: dict[str, Any], expected: dict[str, Any], where: str) -> None:
    for column, want in expected.items():
        assert column in found, f"{where}: no column {column!r}"
        got = found[column]
        if isinstance(want, float | int) and not isinstance(want, bool) and got is not None:
            assert got == pytest.approx(want, abs=0.05), f"{where}.{column}: {got} != {want}"
        else:
            assert got == want, f"{where}.{column}: {got!r} != {want!r}"


def _row(frame: pl.DataFrame, where: str, **keys: str) -> dict[str, Any]:
    rows = frame.filter(*[pl.col(k) == v for k, v in keys.items()])
    assert rows.height == 1, f"{where}: {rows.height} rows for {keys}"
    return rows.row(0, named=True)


def run_scenario(path: Path, tmp_path: Path) -> tuple[Evaluation, dict[str, Any]]:
    scenario = yaml.safe_load(path.read_text(encoding="utf-8"))
    folder = tmp_path / path.stem
    folder.mkdir()
    (folder / "definitions.yaml").write_text(
        yaml.safe_dump(scenario["definitions"], allow_unicode=True), encoding="utf-8"
    )
    definitions = load_definitions(folder)
    as_of = scenario.get("as_of")
    result = evaluate(definitions, str(scenario["period"]), units=scenario.get("units"),
                      as_of=as_of if isinstance(as_of, date) else None,
                      vintage=scenario.get("vintage"))
    return result, scenario["expect"]


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario(path: Path, tmp_path: Path) -> None:
    result, expect = run_scenario(path, tmp_path)
    for key, want in (expect.get("values") or {}).items():
        unit, indicator = key.split(":")
        row = _row(result.values, key, unit=unit, indicator=indicator)
        _check(row, want if isinstance(want, dict) else {"value": want}, key)
    for key, want in (expect.get("targets") or {}).items():
        _check(_row(result.targets, key, key=key), want, key)
    for key, want in (expect.get("groups") or {}).items():
        _check(_row(result.groups, key, group=key), want, key)
    for key, want in (expect.get("sets") or {}).items():
        unit, code = key.split(":")
        _check(_row(result.sets.sets, key, unit=unit, set=code), want, key)
    for key, want in (expect.get("criteria") or {}).items():
        unit, code, criterion = key.split(":")
        row = _row(result.sets.criteria, key, unit=unit, set=code, criterion=criterion)
        _check(row, want, key)
    for key, want in (expect.get("summaries") or {}).items():
        unit, code = key.split(":")
        _check(_row(result.sets.summaries, key, unit=unit, set=code), want, key)
    for key, want in (expect.get("figures") or {}).items():
        unit, indicator = key.split(":")
        _check(_row(result.figures, key, unit=unit, indicator=indicator), want, key)
    if expect.get("sentences") or expect.get("missing"):
        text = render_markdown(result, "vi")
        for sentence in expect.get("sentences") or ():
            assert sentence in text, f"not in the report: {sentence}\n\n{text}"
        for sentence in expect.get("missing") or ():
            assert sentence not in text, f"in the report: {sentence}"
    if expect.get("sentences_en"):
        text = render_markdown(result, "en")
        for sentence in expect["sentences_en"]:
            assert sentence in text, f"not in the English report: {sentence}\n\n{text}"
    for kind, keys in (expect.get("absent") or {}).items():
        frame, columns = _frames(result)[kind]
        for key in keys:
            parts = key.split(":", len(columns) - 1)
            where = dict(zip(columns, parts, strict=True))
            found = frame.filter(*[pl.col(k) == v for k, v in where.items()]) if (
                frame.height) else frame
            assert found.height == 0, f"absent.{kind}: {key} is in the results"


def _frames(result: Evaluation) -> dict[str, tuple[pl.DataFrame, list[str]]]:
    """The result frames ``absent`` can name, with the columns their keys are made of."""
    return {
        "values": (result.values, ["unit", "indicator"]),
        "targets": (result.targets, ["key"]),
        "groups": (result.groups, ["group"]),
        "sets": (result.sets.sets, ["unit", "set"]),
        "summaries": (result.sets.summaries, ["unit", "set"]),
    }


def test_every_scenario_expects_something() -> None:
    assert SCENARIOS, "no scenario files"
    for path in SCENARIOS:
        scenario = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert scenario.get("name") and scenario.get("expect"), path.name
