"""What the imports and exports do with the figures they read from the store.

The reads themselves are the repositories' (``store.figures.held``, ``store.units.under``,
``store.units.known``, ``store.targets.by_key``): in bulk, as Polars frames, a chunk of units
per query. What is left here works on those frames.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from tieuchi.domain.datasets import DataSet
from tieuchi.domain.periods import Period
from tieuchi.domain.ruleset import VINTAGE_RANK, best_vintage
from tieuchi.domain.units import Unit
from tieuchi.store import Store
from tieuchi.store.figures import HELD_SCHEMA

__all__ = ["HELD_SCHEMA", "within", "best", "datasets_by_level", "VINTAGE_RANK"]


def within(frame: pl.DataFrame, period: Period) -> pl.DataFrame:
    """The rows whose period lies within ``period`` (2023-Q3 and 2023-05 are within 2023)."""
    inside: list[str] = []
    for code in frame.get_column("period").unique().to_list():
        try:
            if period.contains(Period.parse(code)):
                inside.append(code)
        except ValueError:
            continue
    return frame.filter(pl.col("period").is_in(inside))


def best(frame: pl.DataFrame) -> pl.DataFrame:
    """One row per unit, indicator and period: the best vintage (the domain's
    :func:`~tieuchi.domain.ruleset.best_vintage`), in the frame's order."""
    ranked = frame.with_columns(
        pl.col("vintage").replace_strict(VINTAGE_RANK, default=-1, return_dtype=pl.Int8)
        .alias("vintage_rank"), pl.int_range(pl.len()).alias("_order"))
    return (best_vintage(ranked, ["unit", "indicator", "period"])
            .sort("_order").drop("vintage_rank", "_order"))


def datasets_by_level(store: Store, units: Sequence[Unit]) -> dict[str, list[DataSet]]:
    """The data sets each level of ``units`` reports (one store query per level)."""
    found: dict[str, list[DataSet]] = {}
    for unit in units:
        if unit.level not in found:
            found[unit.level] = store.units.datasets_for(unit.code)
    return found
