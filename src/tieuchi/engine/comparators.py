"""Comparators as a registry: each turns (actual, threshold, upper, tolerance) into a status.

Every comparator is a Polars expression builder, so a status is computed for a whole column
at once. ``better`` says which way a larger actual moves the status (+1 up, -1 down, 0 none).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import polars as pl

from tieuchi.domain.ruleset import yes
from tieuchi.domain.status import Comparator, Status

__all__ = ["ComparatorRule", "COMPARATORS", "STATUS", "register", "status_expr", "passes_expr"]

STATUS = pl.Enum([s.value for s in Status])
"""The type of every status column of an evaluation: one of :class:`Status`, nothing else."""

EPSILON = 1e-9
StatusBuilder = Callable[[pl.Expr, pl.Expr, pl.Expr, pl.Expr], pl.Expr]


@dataclass(frozen=True)
class ComparatorRule:
    id: Comparator
    symbol: str
    better: int
    status: StatusBuilder


COMPARATORS: dict[Comparator, ComparatorRule] = {}


def register(rule: ComparatorRule) -> ComparatorRule:
    COMPARATORS[rule.id] = rule
    return rule


def _lit(status: Status) -> pl.Expr:
    return pl.lit(status.value)


def _at_least(actual: pl.Expr, low: pl.Expr, _high: pl.Expr, tol: pl.Expr) -> pl.Expr:
    return (
        pl.when(actual > low + tol).then(_lit(Status.EXCEEDED))
        .when(actual >= low - tol).then(_lit(Status.MET))
        .otherwise(_lit(Status.NOT_MET))
    )


def _at_most(actual: pl.Expr, low: pl.Expr, _high: pl.Expr, tol: pl.Expr) -> pl.Expr:
    return (
        pl.when(actual < low - tol).then(_lit(Status.EXCEEDED))
        .when(actual <= low + tol).then(_lit(Status.MET))
        .otherwise(_lit(Status.NOT_MET))
    )


def _equal(actual: pl.Expr, low: pl.Expr, _high: pl.Expr, tol: pl.Expr) -> pl.Expr:
    return pl.when((actual - low).abs() <= tol).then(_lit(Status.MET)).otherwise(
        _lit(Status.NOT_MET)
    )


def _within(actual: pl.Expr, low: pl.Expr, high: pl.Expr, tol: pl.Expr) -> pl.Expr:
    inside = (actual >= low - tol) & (actual <= high + tol)
    return pl.when(inside).then(_lit(Status.MET)).otherwise(_lit(Status.NOT_MET))


def _yes(actual: pl.Expr, low: pl.Expr, _high: pl.Expr, _tol: pl.Expr) -> pl.Expr:
    """Met when the answer is the one asked for: 1 for ``yes: true``, 0 for ``yes: false``."""
    wanted = yes(low.fill_null(1.0))
    return pl.when(yes(actual) == wanted).then(_lit(Status.MET)).otherwise(
        _lit(Status.NOT_MET))


register(ComparatorRule(Comparator.AT_LEAST, "≥", +1, _at_least))
register(ComparatorRule(Comparator.AT_MOST, "≤", -1, _at_most))
register(ComparatorRule(Comparator.EQUAL, "=", 0, _equal))
register(ComparatorRule(Comparator.WITHIN, "∈", 0, _within))
register(ComparatorRule(Comparator.YES, "Đạt", +1, _yes))


def status_expr(
    comparator: pl.Expr, actual: pl.Expr, low: pl.Expr, high: pl.Expr, tolerance: pl.Expr
) -> pl.Expr:
    """The status of each row: its comparator applied to its actual; no data when null."""
    # A threshold computed from a base (110 = 100 × 1.1) carries floating-point noise; a
    # relative epsilon keeps an actual equal to it "met".
    tol = tolerance.fill_null(0.0) + EPSILON * (low.abs().fill_null(0.0) + 1.0)
    expr: Any = pl.when(
        actual.is_null() | (low.is_null() & (comparator != Comparator.YES.value))
    ).then(_lit(Status.NO_DATA))
    for rule in COMPARATORS.values():
        expr = expr.when(comparator == rule.id.value).then(rule.status(actual, low, high, tol))
    result: pl.Expr = expr.otherwise(_lit(Status.NO_DATA))
    return result.cast(STATUS)


def passes_expr(status: pl.Expr) -> pl.Expr:
    """Met or exceeded."""
    return status.is_in([Status.MET.value, Status.EXCEEDED.value])
