"""Allocating a target ("giao chỉ tiêu", "phân bổ"): a unit's target split among the units
directly below it, whose total the target's allocation rule bounds.

A target can be allocated when its indicator adds up from the units below (roll-up by sum)
and it is a number (at least, at most or equal), not a growth, a reduction or a range.
Each such target has an allocation rule (:class:`~tieuchi.domain.targets.AllocationRule`):
the parts add up to the target exactly, to at least it or to at most it. A target that does
not declare one takes its comparator's (:data:`DEFAULT_RULES`): "≥ 700" is allocated at
least 700 in all (a district usually gives its communes more than it was given), "≤ 0,2"
at most, "= 15" exactly. Totals are compared within half a unit of the indicator's last
decimal; planning areas (pseudo levels) never take a part. :func:`rule_problem` is the one
check, for every way an allocation is made (the web page, the API, the command line).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import polars as pl

from tieuchi.domain.bundle import Definitions
from tieuchi.domain.indicators import Indicator, Rollup
from tieuchi.domain.periods import Period
from tieuchi.domain.problems import Problem
from tieuchi.domain.ruleset import number_problems, problem_of
from tieuchi.domain.status import Comparator
from tieuchi.domain.targets import AllocationRule, Target
from tieuchi.domain.units import Unit

__all__ = ["ALLOCATABLE", "DEFAULT_RULES", "allocatable", "allocation_rule", "parts_of",
           "part_problems", "adds_up", "holds", "rule_problem", "allocation"]

ALLOCATABLE = (Comparator.AT_LEAST.value, Comparator.AT_MOST.value, Comparator.EQUAL.value)

DEFAULT_RULES: dict[str, AllocationRule] = {
    Comparator.AT_LEAST.value: AllocationRule.AT_LEAST,
    Comparator.AT_MOST.value: AllocationRule.AT_MOST,
    Comparator.EQUAL.value: AllocationRule.EXACTLY,
}
"""The allocation rule of a target that declares none, by its comparator."""


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


def allocation_rule(target: Mapping[str, Any]) -> AllocationRule:
    """The allocation rule of an allocatable target (a row of the target schema): the one it
    declares, else its comparator's (:data:`DEFAULT_RULES`)."""
    declared = target.get("allocation")
    if declared:
        return AllocationRule(declared)
    return DEFAULT_RULES.get(target.get("comparator") or "", AllocationRule.EXACTLY)


def _slack(decimals: int) -> float:
    return 0.5 * 10.0 ** -decimals + 1e-9


def adds_up(total: float, parts: Mapping[str, float], decimals: int) -> bool:
    """Whether ``parts`` add up to ``total``, within half a unit of the last decimal."""
    return bool(abs(sum(parts.values()) - total) <= _slack(decimals))


def holds(rule: AllocationRule, total: float, parts: Mapping[str, float],
          decimals: int) -> bool:
    """Whether ``parts`` keep ``rule`` against the parent's ``total`` (within half a unit of
    the last decimal)."""
    given = sum(parts.values())
    if rule is AllocationRule.AT_LEAST:
        return given >= total - _slack(decimals)
    if rule is AllocationRule.AT_MOST:
        return given <= total + _slack(decimals)
    return adds_up(total, parts, decimals)


def rule_problem(target: Mapping[str, Any], parts: Mapping[str, float],
                 indicator: Indicator, shown: Callable[[float, str], str]) -> Problem | None:
    """``allocation-mismatch`` when ``parts`` break the target's allocation rule, its
    message in each language with the numbers as ``shown(value, lang)`` writes them; None
    when they keep it."""
    rule = allocation_rule(target)
    total = float(target["value"])
    if holds(rule, total, parts, indicator.decimals):
        return None
    given = sum(parts.values())
    en_total, vi_total = shown(given, "en"), shown(given, "vi")
    en_target, vi_target = shown(total, "en"), shown(total, "vi")
    if rule is AllocationRule.AT_LEAST:
        en = (f"The allocations add up to {en_total}, less than the parent's target "
              f"{en_target}: they must add up to at least {en_target}")
        vi = (f"Tổng phân bổ {vi_total} thấp hơn chỉ tiêu cấp trên {vi_target}: tổng giao "
              f"cho cấp dưới phải từ {vi_target} trở lên")
    elif rule is AllocationRule.AT_MOST:
        en = (f"The allocations add up to {en_total}, more than the parent's target "
              f"{en_target}: they must add up to at most {en_target}")
        vi = (f"Tổng phân bổ {vi_total} vượt chỉ tiêu cấp trên {vi_target}: tổng giao cho "
              f"cấp dưới không được vượt quá {vi_target}")
    else:
        en = (f"The allocations add up to {en_total}, not the parent's target {en_target}: "
              "they must add up to it exactly")
        vi = (f"Tổng phân bổ {vi_total} khác chỉ tiêu cấp trên {vi_target}: tổng giao cho "
              "cấp dưới phải bằng đúng chỉ tiêu này")
    return Problem("allocation-mismatch", en, vi, field="parts")


def allocation(target: Mapping[str, Any], parts: Mapping[str, float], issuer: str,
               document: str | None) -> list[Target]:
    """The targets of the units below: the parent's indicator, period, kind and basis, each
    unit's part, issued by the parent unit under ``document`` (default: the parent's)."""
    return [Target.model_validate({
        "indicator": target["indicator"], "unit": unit, "period": target["period"],
        target["comparator"]: value, "issuer": issuer,
        "document": document or target.get("document"), "basis": target["basis"],
    }) for unit, value in parts.items()]
