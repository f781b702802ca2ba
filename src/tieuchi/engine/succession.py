"""Re-basing figures onto the units that succeeded merged and split ones.

A figure of a period before a reorganisation (last year, a baseline) is about the units of
that period; the units that succeeded them get it re-based: a unit merged whole into a
successor gives it all of its figure, a unit split among several successors gives each the
share its declared weight says (``split: {by: dân số, weights: {A: 3, B: 1}}``: 3/4 and 1/4),
and a successor made of whole units and parts of split ones ("merge of parts") gets the sum
of both. Only indicators that add up (``rollup: sum``) are carried; a ratio of two such
indicators is recomputed from the carried numerator and denominator; any other indicator
(a mean, a rate without its terms) has no figure to compare with.

A chain (a unit merged into one that was itself merged later) is followed generation by
generation: each successor gets its predecessors' figures once they are complete.

A successor gets a figure only when every one of its predecessors gives one: a predecessor
without a figure for the indicator, or split without declared weights, leaves the successor
without a figure to compare with (never a sum of the ones at hand, which would read as a
fall, or a growth that did not happen).
"""

from __future__ import annotations

import polars as pl

from tieuchi.domain.bundle import Definitions
from tieuchi.domain.indicators import Rollup
from tieuchi.engine.values import ratio_values

__all__ = ["LINK_SCHEMA", "succession_links", "carry_to_successors"]

LINK_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "unit": pl.String,  # the unit before (a predecessor)
    "successor": pl.String,
    "share": pl.Float64,  # of the predecessor's figure the successor gets: 1 when whole
    "by": pl.String,  # a split's basis ("dân số"), None when whole
    "source": pl.String,  # where a split's weights come from
    "generation": pl.Int32,  # 1: a successor of units without predecessors; 2: of those …
    "position": pl.Int64,  # the predecessor's place among the units
}

_NO_PARENTS = pl.DataFrame(schema={"unit": pl.String, "parent": pl.String, "depth": pl.Int32})


def succession_links(definitions: Definitions) -> pl.DataFrame:
    """Every predecessor → successor link with the share of the predecessor's figures the
    successor gets (:data:`LINK_SCHEMA`): a unit with one successor gives it all; a unit
    with several gives each the weight its ``split`` declares over the sum of the weights
    of its successors; without a ``split`` (or with weights that do not add up to more
    than 0) it gives none (the definition rules warn)."""
    rows: list[tuple[str, str, float, str | None, str | None, int]] = []
    for position, unit in enumerate(definitions.units):
        successors = list(dict.fromkeys(unit.successors))
        if len(successors) == 1:
            rows.append((unit.code, successors[0], 1.0, None, None, position))
        elif unit.split is not None:
            weights = {c: w for c, w in unit.split.weights.items() if c in successors and w > 0}
            total = sum(weights.values())
            rows.extend((unit.code, code, weight / total, unit.split.by, unit.split.source,
                         position) for code, weight in weights.items() if total > 0)
    generation = _generations([(r[0], r[1]) for r in rows])
    return pl.DataFrame(
        [(*r[:5], generation[r[1]], r[5]) for r in rows], schema=LINK_SCHEMA, orient="row")


def _generations(pairs: list[tuple[str, str]]) -> dict[str, int]:
    """How many reorganisations lie behind each successor: 1 when its predecessors have none
    before them, else one more than the most of theirs (a cycle counts once)."""
    before: dict[str, list[str]] = {}
    for unit, successor in pairs:
        before.setdefault(successor, []).append(unit)
    found: dict[str, int] = {}

    def depth(code: str, path: frozenset[str]) -> int:
        if code in found:
            return found[code]
        if code not in before or code in path:
            return 0
        value = 1 + max(depth(p, path | {code}) for p in before[code])
        found[code] = value
        return value

    return {successor: depth(successor, frozenset()) for successor in before}


def carry_to_successors(definitions: Definitions, values: pl.DataFrame) -> pl.DataFrame:
    """Give each unit formed by a merger or a split its predecessors' figures re-based on it
    (:func:`succession_links`), for the indicators that add up, where it has none of its
    own: last year's revenue of a new commune is that of the communes it was made of, and
    its share of the one split among it and others. Then a ratio of two carried figures is
    recomputed from them. The carried rows have ``origin`` "carried"."""
    links = succession_links(definitions)
    if links.is_empty():
        return values
    additive = [i.code for i in definitions.indicators if i.rollup is Rollup.SUM]
    needed = links.group_by("successor").agg(pl.len().alias("needed")).filter(
        ~pl.col("successor").is_in(sorted(_shares_unknown(definitions))))
    for generation in sorted(set(links.get_column("generation").to_list())):
        carried = (
            values.filter(pl.col("indicator").is_in(additive) & pl.col("value").is_not_null())
            .join(links.filter(pl.col("generation") == generation), on="unit")
            .group_by("successor", "indicator")
            .agg((pl.col("value") * pl.col("share")).sum(), pl.col("vintage_rank").min(),
                 pl.col("coverage_end").max(), pl.len().alias("given"))
            .join(needed, on="successor")
            .filter(pl.col("given") == pl.col("needed"))
            .drop("given", "needed")
            .rename({"successor": "unit"})
            .join(values.select("unit", "indicator"), on=["unit", "indicator"], how="anti")
            .with_columns(pl.lit(None, pl.String).alias("source"),
                          pl.lit("carried").alias("origin"))
        )
        values = pl.concat([values, carried.select(values.columns).cast(values.schema)])
    return _ratios(definitions, values, links)


def _shares_unknown(definitions: Definitions) -> set[str]:
    """The successors of a unit split among several without declared weights for each: the
    part of it they took is not known."""
    unknown: set[str] = set()
    for unit in definitions.units:
        successors = set(unit.successors)
        if len(successors) < 2:
            continue
        weights = unit.split.weights if unit.split is not None else {}
        if not all(weights.get(code, 0) > 0 for code in successors):
            unknown |= successors
    return unknown


def _ratios(definitions: Definitions, values: pl.DataFrame, links: pl.DataFrame) -> pl.DataFrame:
    """The ratios of the successors, from their carried numerators and denominators."""
    successors = links.get_column("successor").unique()
    carried = values.filter(pl.col("unit").is_in(successors.implode()))
    made = ratio_values(carried, definitions.indicators, _NO_PARENTS).join(
        carried.select("unit", "indicator"), on=["unit", "indicator"], how="anti")
    if made.is_empty():
        return values
    return pl.concat([values, made.with_columns(pl.lit("carried").alias("origin"))
                      .select(values.columns).cast(values.schema)])
