"""Allocating a target ("giao chỉ tiêu", "phân bổ"): a unit's target split among the units
directly below it, which must add up to it.

A target can be allocated when its indicator adds up from the units below (roll-up by sum)
and it is a number (at least, at most or equal), not a growth, a reduction or a range. The
parts add up when their total is the target's value within half a unit of the indicator's
last decimal; planning areas (pseudo levels) never take a part.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

from tieuchi.domain.bundle import Definitions
from tieuchi.domain.indicators import Indicator, Rollup
from tieuchi.domain.periods import Period
from tieuchi.domain.problems import Problem
from tieuchi.domain.ruleset import number_problems, problem_of
from tieuchi.domain.status import Comparator
from tieuchi.domain.targets import Target
from tieuchi.domain.units import Unit

__all__ = ["ALLOCATABLE", "allocatable", "parts_of", "part_problems", "adds_up",
           "allocation"]

ALLOCATABLE = (Comparator.AT_LEAST.value, Comparator.AT_MOST.value, Comparator.EQUAL.value)


def allocatable(target: Mapping[str, Any], indicator: Indicator | None) -> bool:
    """Whether the target (a row of the target schema) can be split among the units below."""
    return (indicator is not None and indicator.rollup is Rollup.SUM
            and not target.get("relative") and target.get("comparator") in ALLOCATABLE
            and target.get("value") is not None)


def parts_of(definitions: Definitions, unit: str, period: Period) -> list[Unit]:
    """The units directly below ``unit`` that a total adds up from in ``period``."""
    levels = definitions.level_by_code
    return [u for u in definitions.units if u.parent == unit
            and u.valid_on(period.start, period.end)
            and not (u.level in levels and levels[u.level].pseudo)]


def part_problems(parts: Mapping[str, float], indicator: Indicator) -> list[Problem]:
    """What the domain's rule for a value of ``indicator`` (:func:`~tieuchi.domain.ruleset.
    number_problems`: finite, less than 10^15, within its range) refuses of each part, placed
    at ``parts.{unit}``."""
    units = list(parts)
    frame = pl.DataFrame({"unit": units, "indicator": [indicator.code] * len(units),
                          "value": [float(v) for v in parts.values()]},
                         schema={"unit": pl.String, "indicator": pl.String, "value": pl.Float64})
    return [problem_of({**row, "field": f"parts.{row['unit']}", "index": None})
            for row in number_problems(frame, {indicator.code: indicator})
            .iter_rows(named=True)]


def adds_up(total: float, parts: Mapping[str, float], decimals: int) -> bool:
    """Whether ``parts`` add up to ``total``, within half a unit of the last decimal."""
    return bool(abs(sum(parts.values()) - total) <= 0.5 * 10 ** -decimals + 1e-9)


def allocation(target: Mapping[str, Any], parts: Mapping[str, float], issuer: str,
               document: str | None) -> list[Target]:
    """The targets of the units below: the parent's indicator, period, kind and basis, each
    unit's part, issued by the parent unit under ``document`` (default: the parent's)."""
    return [Target.model_validate({
        "indicator": target["indicator"], "unit": unit, "period": target["period"],
        target["comparator"]: value, "issuer": issuer,
        "document": document or target.get("document"), "basis": target["basis"],
    }) for unit, value in parts.items()]
