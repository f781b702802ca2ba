"""The evaluation as JSON-ready data (documented in docs/json.md).

Percentages are numbers in percent rounded as the report prints them: a target's % of the
target and change in % at its ``percent_decimals`` (86.47; 100.2 where one decimal is set),
coverage at one decimal; other figures are rounded to six decimals to hide floating-point
noise.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from tieuchi.engine.evaluate import Evaluation

__all__ = ["evaluation_dict", "FORMAT_VERSION"]

FORMAT_VERSION = 1

_PERCENT_COLUMNS = ("percent_of_target", "change_vs_same_period", "coverage")
_TARGET_COLUMNS = {
    "key": "key", "unit": "unit", "unit_name": "unit_name", "indicator": "indicator",
    "display_name": "name", "period": "period", "actual": "actual", "target": "target",
    "value_high": "target_high", "comparator": "comparator", "relative": "relative",
    "relative_value": "relative_value", "measure": "measure",
    "percent_of_target": "percent_of_target",
    "change_vs_same_period": "change_vs_same_period", "change_kind": "change_kind",
    "last_year": "same_period_last_year", "status": "status", "pace": "pace",
    "estimate": "estimate", "years_early": "years_early", "vintage": "vintage",
    "actual_origin": "origin", "actual_source": "source", "coverage_percent": "coverage",
    "basis": "basis", "issuer": "issuer", "document": "document",
    "assessment": "assessment", "percent_decimals": "percent_decimals",
}
_VINTAGES = ["plan", "estimate", "preliminary", "official"]


def _round(row: dict[str, Any]) -> dict[str, Any]:
    out = {}
    points = row.get("change_kind") == "points"  # a change in points keeps its decimals
    places = row.get("percent_decimals")
    for key, value in row.items():
        if isinstance(value, float):
            percent = key in _PERCENT_COLUMNS and not (points and key == "change_vs_same_period")
            own = int(places) if places is not None and key != "coverage" else 1
            value = round(value, own if percent else 6)  # as the report prints it
        out[key] = value
    return out


def _rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
    return [_round(r) for r in frame.iter_rows(named=True)]


def evaluation_dict(ev: Evaluation) -> dict[str, Any]:
    """The keys ``groups``, ``criteria_sets``, ``set_summaries`` and ``targets``, plus the
    period, the evaluation date and the units."""
    defs = ev.definitions
    targets = ev.targets.with_columns(
        pl.col("actual_vintage").replace_strict(dict(enumerate(_VINTAGES)), default=None,
                                                return_dtype=pl.String).alias("vintage"),
        (pl.col("coverage") * 100).alias("coverage_percent"),
    ).select([pl.col(src).alias(dst) for src, dst in _TARGET_COLUMNS.items()])
    groups = ev.groups.select(
        "unit", pl.col("group").alias("code"), "name", "period", "basis", "issuer", "total",
        "exceeded", "met", "not_met", "no_data", "not_met_items", "no_data_items",
        "ahead", "on_track", "behind", "behind_items", "partial",
    )
    set_names = {s.code: s.name for s in defs.criteria_sets}
    criteria_sets = _criteria_sets(ev, set_names)
    summaries = [
        {"unit": r["unit"], "set": r["set"], "name": set_names[r["set"]], "total": r["total"],
         "passed": r["passed"], "no_data": r["no_data"], "passed_units": r["passed_units"],
         "failed_units": r["failed_units"], "no_data_units": r["no_data_units"],
         "min_met": r["min_met"], "criteria": r["criteria"]}
        for r in _rows(ev.sets.summaries)
    ] if ev.sets.summaries.height else []
    return {
        "format": FORMAT_VERSION,
        "project": defs.project.name,
        "period": ev.period.code,
        "as_of": ev.as_of.isoformat(),
        "units": list(ev.units),
        "groups": _rows(groups),
        "criteria_sets": criteria_sets,
        "set_summaries": summaries,
        "targets": _rows(targets.sort("unit", "key")),
    }


def _criteria_sets(ev: Evaluation, set_names: dict[str, str]) -> list[dict[str, Any]]:
    """Each unit's result for each set, with its criteria and their conditions nested."""
    if not ev.sets.sets.height:
        return []
    conditions = (
        ev.sets.conditions.sort("condition")
        .group_by("unit", "set", "criterion", maintain_order=True)
        .agg(pl.struct(
            "indicator", pl.col("ref_set").alias("set"), "comparator", "threshold",
            "threshold_high", "value", "status", "source",
        ).alias("conditions"))
    )
    criteria = (
        ev.sets.criteria.join(conditions, on=["unit", "set", "criterion"], how="left")
        .sort("position")
        .group_by("unit", "set", maintain_order=True)
        .agg(pl.struct(
            pl.col("criterion").alias("code"), pl.col("criterion_name").alias("name"),
            "met", "status", "mandatory", "missing_data", "conditions",
        ).alias("criteria"))
    )
    frame = ev.sets.sets.join(criteria, on=["unit", "set"], how="left").with_columns(
        pl.col("set").replace_strict(set_names, return_dtype=pl.String).alias("name")
    ).select("unit", "set", "name", "passed", "met", "total", "unmet", "unmet_codes",
             "no_data", "no_data_criteria", "score", "criteria")
    return [_round_deep(r) for r in frame.iter_rows(named=True)]


def _round_deep(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _round_deep(v) for k, v in _round(value).items()}
    if isinstance(value, list):
        return [_round_deep(v) for v in value]
    return value
