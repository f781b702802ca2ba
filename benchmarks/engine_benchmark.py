"""Time the evaluation engine against plain pandas and a hand-written DuckDB query.

Run it with::

    uv run --group bench python benchmarks/engine_benchmark.py

It builds a synthetic province in memory (1 province, 10 districts, 989 communes; 200
indicators; 12 months of 2023 for every commune: about 2.4 million observations), targets for
2023 for every unit and indicator (200,000), and ten groups of 20 targets for every unit.
Then it evaluates 2023 three ways, checks that the three agree target by target and group by
group, and prints the times. See ``benchmarks/README.md`` for the figures and what each of the
three implementations does. ``--profile`` times the steps of the engine instead.

This is a script, not a test: nothing here runs under pytest.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from time import perf_counter
from typing import Any, TypeVar

import duckdb
import numpy as np
import pandas as pd
import polars as pl
from rich.console import Console
from rich.table import Table

from tieuchi.domain.bundle import MEMBER_SCHEMA, TARGET_SCHEMA, Definitions, observation_frame
from tieuchi.domain.indicators import Direction, Indicator, Rollup, TimeAggregation
from tieuchi.domain.project import Project
from tieuchi.domain.status import Status
from tieuchi.domain.targets import TargetGroup
from tieuchi.domain.units import Level, Unit
from tieuchi.engine import evaluate

PERIOD = "2023"
AS_OF = date(2024, 1, 31)
YEAR_START, YEAR_END = date(2023, 1, 1), date(2023, 12, 31)
GROUP_SIZE = 20
COMMUNES_PER_DISTRICT = 100
STATUSES = [s.value for s in Status]
COUNT_COLUMNS = ["total", *STATUSES]
RELATIVE_TOLERANCE = 1e-6

T = TypeVar("T")
console = Console()


# --- synthetic data -------------------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    units: int
    indicators: int
    months: int
    seed: int


@dataclass(frozen=True)
class Hierarchy:
    codes: list[str]  # province, then districts, then communes
    parents: list[str | None]
    districts: int
    district_of_commune: np.ndarray  # index of each commune's district


@dataclass(frozen=True)
class Catalogue:
    codes: list[str]
    time: np.ndarray  # "sum" | "last"
    rollup: np.ndarray  # "sum" | "mean" | "none"
    comparator: np.ndarray  # "at_least" | "at_most"
    tolerance_share: np.ndarray  # share of the target given as tolerance, or NaN
    scale: np.ndarray  # typical monthly figure of a commune


@dataclass(frozen=True)
class Synthetic:
    """The definitions for the engine, and the same inputs as plain frames for the others."""

    definitions: Definitions
    observations: pl.DataFrame  # observation_frame() rows
    units: pl.DataFrame  # unit, parent
    indicators: pl.DataFrame  # indicator, time, rollup
    targets: pl.DataFrame  # TARGET_SCHEMA rows
    members: pl.DataFrame  # MEMBER_SCHEMA rows


def make_hierarchy(n_units: int) -> Hierarchy:
    """One province, one district per 100 units, the rest communes spread over the districts."""
    districts = max(1, n_units // COMMUNES_PER_DISTRICT)
    communes = n_units - 1 - districts
    if communes < 1:
        raise SystemExit("--units must be at least 3")
    district_codes = [f"H{d + 1:02d}" for d in range(districts)]
    of_commune = np.arange(communes) % districts
    commune_codes = [f"X{c + 1:04d}" for c in range(communes)]
    return Hierarchy(
        codes=["T01", *district_codes, *commune_codes],
        parents=[None, *["T01"] * districts, *[district_codes[d] for d in of_commune]],
        districts=districts,
        district_of_commune=of_commune,
    )


def make_catalogue(n: int, rng: np.random.Generator) -> Catalogue:
    """60% flows summed over months, 40% stocks (last month); a quarter lower-is-better;
    roll-up by sum (85%), mean over communes (10%) or none (5%); a third with a tolerance."""
    roll = rng.random(n)
    return Catalogue(
        codes=[f"CT{i + 1:03d}" for i in range(n)],
        time=np.where(rng.random(n) < 0.6, "sum", "last"),
        rollup=np.select([roll < 0.05, roll < 0.15], ["none", "mean"], "sum"),
        comparator=np.where(rng.random(n) < 0.75, "at_least", "at_most"),
        tolerance_share=np.where(rng.random(n) < 1 / 3, 0.02, np.nan),
        scale=10 ** rng.uniform(0, 4, n),
    )


def make_observations(
    shape: Shape, hierarchy: Hierarchy, catalogue: Catalogue, level: np.ndarray,
    rng: np.random.Generator,
) -> pl.DataFrame:
    """Monthly figures of every commune: 1% of (commune, indicator) never reported, 3% of
    months missing; 2% of figures only estimated, 5% estimated first and then made official."""
    communes, n_ind, months = level.shape[0], shape.indicators, shape.months
    noise = 1 + 0.1 * rng.standard_normal((months, communes, n_ind))
    values = np.round(np.clip(level[None, :, :] * noise, 0, None), 2)
    never = rng.random((communes, n_ind)) < 0.01
    present = ~(never[None, :, :] | (rng.random((months, communes, n_ind)) < 0.03))
    draw = rng.random((months, communes, n_ind))
    estimate_only, estimate_first = draw < 0.02, (draw >= 0.02) & (draw < 0.07)
    superseded = np.round(values * rng.uniform(0.95, 1.05, values.shape), 2)
    unit_codes = pl.Series(hierarchy.codes[1 + hierarchy.districts:])
    periods = pl.Series([f"{PERIOD}-{m + 1:02d}" for m in range(months)])
    indicators = pl.Series(catalogue.codes)

    def rows(mask: np.ndarray, figures: np.ndarray, vintage: str) -> pl.DataFrame:
        m, c, i = np.nonzero(mask)  # month by month, as the reports come in
        return pl.DataFrame({
            "unit": unit_codes.gather(c), "indicator": indicators.gather(i),
            "period": periods.gather(m), "vintage": vintage, "value": figures[mask],
            "source": "báo cáo tháng",
        })

    frame = pl.concat([
        rows(present & estimate_first, superseded, "estimate"),
        rows(present & estimate_only, values, "estimate"),
        rows(present & ~estimate_only, values, "official"),
    ])
    return observation_frame(frame)


def make_targets(
    hierarchy: Hierarchy, catalogue: Catalogue, level: np.ndarray, months: int,
    rng: np.random.Generator,
) -> pl.DataFrame:
    """A 2023 target for every unit and indicator, ±10% around what the data should give."""
    expected = np.where(catalogue.time == "sum", level * months, level)
    d_index = hierarchy.district_of_commune
    counts = np.bincount(d_index, minlength=hierarchy.districts)[:, None]
    d_sum = np.zeros((hierarchy.districts, expected.shape[1]))
    np.add.at(d_sum, d_index, expected)
    is_mean = catalogue.rollup == "mean"
    district = np.where(is_mean, d_sum / counts, d_sum)
    province = np.where(is_mean, expected.mean(axis=0), expected.sum(axis=0))[None, :]
    expected = np.vstack([province, district, expected])
    value = (expected * rng.uniform(0.9, 1.1, expected.shape)).ravel()
    n_units, n_ind = expected.shape
    units = pl.Series(hierarchy.codes).gather(np.repeat(np.arange(n_units), n_ind))
    indicators = pl.Series(catalogue.codes).gather(np.tile(np.arange(n_ind), n_units))
    frame = pl.DataFrame({
        "unit": units, "indicator": indicators, "value": value,
        "comparator": np.tile(catalogue.comparator, n_units),
        "tolerance": value * np.tile(catalogue.tolerance_share, n_units),
    }, nan_to_null=True)
    return frame.select(
        pl.concat_str("unit", "indicator", pl.lit(PERIOD), separator=":").alias("key"),
        "unit", "indicator", pl.lit(PERIOD).alias("period"), "comparator", "value",
        *[pl.lit(None, TARGET_SCHEMA[c]).alias(c) for c in
          ("value_high", "relative", "relative_value", "baseline", "baseline_value")],
        "tolerance", pl.lit("plan").alias("basis"), pl.lit("HĐND").alias("issuer"),
        pl.lit("Nghị quyết số 1/NQ-HĐND").alias("document"), pl.lit(None, pl.String).alias("name"),
    ).cast(TARGET_SCHEMA)


def make_groups(
    hierarchy: Hierarchy, catalogue: Catalogue
) -> tuple[tuple[TargetGroup, ...], pl.DataFrame]:
    """Every unit's targets in groups of 20 indicators ("18/20 chỉ tiêu đạt và vượt")."""
    per_unit = -(-len(catalogue.codes) // GROUP_SIZE)
    groups = tuple(
        TargetGroup(code=f"{unit}.N{k + 1:02d}", name=f"Nhóm chỉ tiêu {k + 1}", unit=unit,
                    period=PERIOD)
        for unit in hierarchy.codes for k in range(per_unit)
    )
    members = pl.DataFrame({"unit": hierarchy.codes}).join(
        pl.DataFrame({"indicator": catalogue.codes}).with_row_index("i"), how="cross"
    ).select(
        pl.concat_str("unit", pl.lit(".N"), (pl.col("i") // GROUP_SIZE + 1).cast(pl.String)
                      .str.zfill(2)).alias("group"),
        pl.concat_str("unit", "indicator", pl.lit(PERIOD), separator=":").alias("key"),
        (pl.col("i") % GROUP_SIZE).alias("position"),
    ).cast(MEMBER_SCHEMA)
    return groups, members


def make_definitions(
    hierarchy: Hierarchy, catalogue: Catalogue, groups: tuple[TargetGroup, ...],
    targets: pl.DataFrame, members: pl.DataFrame, observations: pl.DataFrame,
) -> Definitions:
    levels = (Level(code="tinh", name="tỉnh"), Level(code="huyen", name="huyện"),
              Level(code="xa", name="xã"))
    level_of = ["tinh", *["huyen"] * hierarchy.districts,
                *["xa"] * (len(hierarchy.codes) - 1 - hierarchy.districts)]
    units = tuple(
        Unit(code=code, name=f"Đơn vị {code}", level=lv, parent=parent)
        for code, lv, parent in zip(hierarchy.codes, level_of, hierarchy.parents, strict=True)
    )
    indicators = tuple(
        Indicator(code=code, name=f"Chỉ tiêu {code}", time=TimeAggregation(time),
                  rollup=Rollup(roll),
                  direction=Direction.HIGHER if comp == "at_least" else Direction.LOWER)
        for code, time, roll, comp in zip(catalogue.codes, catalogue.time, catalogue.rollup,
                                          catalogue.comparator, strict=True)
    )
    return Definitions(
        project=Project(name="Tỉnh tổng hợp", root="T01", period=PERIOD, as_of=AS_OF),
        levels=levels, units=units, indicators=indicators, groups=groups, criteria_sets=(),
        targets=targets, members=members, observations=observations,
    )


def synthesize(shape: Shape) -> Synthetic:
    rng = np.random.default_rng(shape.seed)
    hierarchy = make_hierarchy(shape.units)
    catalogue = make_catalogue(shape.indicators, rng)
    communes = len(hierarchy.codes) - 1 - hierarchy.districts
    level = catalogue.scale[None, :] * rng.lognormal(0, 0.3, (communes, shape.indicators))
    observations = make_observations(shape, hierarchy, catalogue, level, rng)
    targets = make_targets(hierarchy, catalogue, level, shape.months, rng)
    groups, members = make_groups(hierarchy, catalogue)
    definitions = make_definitions(hierarchy, catalogue, groups, targets, members, observations)
    return Synthetic(
        definitions=definitions,
        observations=observations,
        units=pl.DataFrame({"unit": hierarchy.codes, "parent": hierarchy.parents},
                           schema={"unit": pl.String, "parent": pl.String}),
        indicators=pl.DataFrame({"indicator": catalogue.codes, "time": catalogue.time,
                                 "rollup": catalogue.rollup}),
        targets=targets,
        members=members,
    )


# --- the three implementations -------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    targets: pl.DataFrame  # key, actual, status
    groups: pl.DataFrame  # group, total, exceeded, met, not_met, no_data


def outcome(targets: pl.DataFrame, groups: pl.DataFrame) -> Outcome:
    return Outcome(
        targets.select(pl.col("key").cast(pl.String), pl.col("actual").cast(pl.Float64),
                       pl.col("status").cast(pl.String)),
        groups.select(pl.col("group").cast(pl.String),
                      *[pl.col(c).fill_null(0).cast(pl.Int64) for c in COUNT_COLUMNS]),
    )


def run_engine(data: Synthetic) -> Outcome:
    result = evaluate(data.definitions, PERIOD, as_of=AS_OF)
    return outcome(result.targets, result.groups)


class PandasInputs:
    """The same inputs as pandas frames (converted once, outside the timing)."""

    def __init__(self, data: Synthetic) -> None:
        self.observations = data.observations.select(
            "unit", "indicator", "period", "kind", "start", "end", "vintage_rank",
            "recorded_at", "value").to_pandas()
        self.units = data.units.to_pandas()
        self.indicators = data.indicators.to_pandas()
        self.targets = data.targets.filter(pl.col("period") == PERIOD).to_pandas()
        self.members = data.members.to_pandas()


def pandas_status(row: pd.Series) -> str:
    """The engine's at_least / at_most comparators, one target at a time."""
    actual, target = row["actual"], row["value"]
    tolerance = 0.0 if pd.isna(row["tolerance"]) else row["tolerance"]
    if pd.isna(actual):
        return "no_data"
    if row["comparator"] == "at_least":
        if actual > target + tolerance:
            return "exceeded"
        return "met" if actual >= target - tolerance else "not_met"
    if row["comparator"] == "at_most":
        if actual < target - tolerance:
            return "exceeded"
        return "met" if actual <= target + tolerance else "not_met"
    raise ValueError(f"comparator {row['comparator']!r} is not in the synthetic data")


def pandas_year_value(g: pd.DataFrame) -> float:
    """A year's figure from its months: summed for flows, the latest month for stocks."""
    if g["time"].iloc[0] == "sum":
        return float(g["value"].sum())
    return float(g["value"].iloc[-1])


def pandas_ancestors(units: pd.DataFrame) -> pd.DataFrame:
    """(ancestor, unit) for every unit and each unit above it."""
    parent = dict(zip(units["unit"], units["parent"], strict=True))
    pairs = []
    for unit in units["unit"]:
        above = parent[unit]
        while isinstance(above, str):
            pairs.append((above, unit))
            above = parent[above]
    return pd.DataFrame(pairs, columns=["ancestor", "unit"])


def pandas_rollup(g: pd.DataFrame) -> float:
    return float(g["value"].sum() if g["rollup"].iloc[0] == "sum" else g["value"].mean())


def run_pandas(inputs: PandasInputs) -> Outcome:
    """How an analyst would write it in pandas: sort and de-duplicate the vintages, a
    ``groupby().apply`` for the year's figures and for the roll-up, a row-wise ``apply`` for
    the statuses, ``value_counts`` for the groups. Figures are reported by communes only."""
    obs = inputs.observations
    best = obs.sort_values(["vintage_rank", "recorded_at"], ascending=False,
                           na_position="last").drop_duplicates(["unit", "indicator", "period"])
    months = best[(best["kind"] == "month") & (best["start"] >= pd.Timestamp(YEAR_START))
                  & (best["end"] <= pd.Timestamp(YEAR_END))]
    months = months.merge(inputs.indicators, on="indicator").sort_values("end")
    own = (months.groupby(["unit", "indicator"])[["time", "value"]]
           .apply(pandas_year_value).rename("value").reset_index())
    leaves = own.merge(pandas_ancestors(inputs.units), on="unit").drop(columns="unit")
    leaves = leaves.merge(inputs.indicators[inputs.indicators["rollup"] != "none"],
                          on="indicator")
    rolled = (leaves.groupby(["ancestor", "indicator"])[["rollup", "value"]]
              .apply(pandas_rollup).rename("value").reset_index()
              .rename(columns={"ancestor": "unit"}))
    rolled = rolled.merge(own[["unit", "indicator"]], how="left", indicator=True)
    rolled = rolled[rolled["_merge"] == "left_only"].drop(columns="_merge")
    values = pd.concat([own, rolled]).rename(columns={"value": "actual"})
    targets = inputs.targets.merge(values, on=["unit", "indicator"], how="left")
    targets["status"] = targets.apply(pandas_status, axis=1)
    counts = (inputs.members.merge(targets[["key", "status"]], on="key")
              .groupby("group")["status"].value_counts().unstack(fill_value=0)
              .reindex(columns=STATUSES, fill_value=0))
    counts.insert(0, "total", counts.sum(axis=1))
    return outcome(pl.from_pandas(targets[["key", "actual", "status"]]),
                   pl.from_pandas(counts.reset_index()))


DUCKDB_TARGETS = f"""
CREATE OR REPLACE TEMP TABLE target_status AS
WITH RECURSIVE tree(ancestor, unit) AS (            -- every unit with each unit above it
    SELECT parent, unit FROM units WHERE parent IS NOT NULL
    UNION ALL
    SELECT u.parent, tree.unit FROM tree JOIN units u ON u.unit = tree.ancestor
    WHERE u.parent IS NOT NULL
),
best AS (                                           -- the most final vintage of each month
    SELECT unit, indicator, "end", value FROM observations
    WHERE kind = 'month' AND start >= DATE '{YEAR_START}' AND "end" <= DATE '{YEAR_END}'
    QUALIFY row_number() OVER (PARTITION BY unit, indicator, period
                               ORDER BY vintage_rank DESC, recorded_at DESC NULLS LAST) = 1
),
own AS (                                            -- the year from the months
    SELECT b.unit, b.indicator,
           CASE WHEN any_value(i.time) = 'sum' THEN sum(b.value)
                ELSE arg_max(b.value, b."end") END AS value
    FROM best b JOIN indicators i USING (indicator)
    GROUP BY b.unit, b.indicator
),
rolled AS (                                         -- districts and province from communes
    SELECT t.ancestor AS unit, o.indicator,
           CASE WHEN any_value(i.rollup) = 'sum' THEN sum(o.value) ELSE avg(o.value) END
               AS value
    FROM own o JOIN tree t USING (unit) JOIN indicators i USING (indicator)
    WHERE i.rollup IN ('sum', 'mean')
    GROUP BY t.ancestor, o.indicator
),
actuals AS (                                        -- a unit's own figure wins
    SELECT unit, indicator, value FROM own
    UNION ALL
    SELECT r.unit, r.indicator, r.value FROM rolled r ANTI JOIN own o USING (unit, indicator)
),
scored AS (
    SELECT t.key, t.comparator, t.value AS target, coalesce(t.tolerance, 0) AS tol,
           a.value AS actual
    FROM targets t LEFT JOIN actuals a USING (unit, indicator)
    WHERE t.period = '{PERIOD}'
)
SELECT key, actual,
       CASE
           WHEN actual IS NULL THEN 'no_data'
           WHEN comparator = 'at_least' THEN
               CASE WHEN actual > target + tol THEN 'exceeded'
                    WHEN actual >= target - tol THEN 'met' ELSE 'not_met' END
           WHEN comparator = 'at_most' THEN
               CASE WHEN actual < target - tol THEN 'exceeded'
                    WHEN actual <= target + tol THEN 'met' ELSE 'not_met' END
           ELSE 'no_data'
       END AS status
FROM scored
"""

DUCKDB_GROUPS = """
SELECT m."group", count(*) AS total,
       count_if(s.status = 'not_met') AS not_met, count_if(s.status = 'met') AS met,
       count_if(s.status = 'exceeded') AS exceeded, count_if(s.status = 'no_data') AS no_data
FROM members m JOIN target_status s USING (key)
GROUP BY m."group"
"""


def duckdb_connection(data: Synthetic) -> duckdb.DuckDBPyConnection:
    """An in-memory database with the inputs registered as Arrow tables (no copy)."""
    con = duckdb.connect()
    for name in ("observations", "units", "indicators", "targets", "members"):
        con.register(name, getattr(data, name).to_arrow())
    return con


def run_duckdb(con: duckdb.DuckDBPyConnection) -> Outcome:
    con.execute(DUCKDB_TARGETS)
    return outcome(con.sql("SELECT * FROM target_status").pl(), con.sql(DUCKDB_GROUPS).pl())


# --- timing, agreement, report --------------------------------------------------------------


def best_of(repeat: int, run: Callable[[], T]) -> tuple[float, T]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = perf_counter()
        result = run()
        best = min(best, perf_counter() - start)
    assert result is not None
    return best, result


def disagreements(name: str, reference: Outcome, other: Outcome) -> list[str]:
    """What ``other`` computes differently from the engine, one line per kind of difference."""
    problems = []
    t = reference.targets.join(other.targets, on="key", how="full", coalesce=True,
                               suffix="_other")
    a, b = pl.col("actual"), pl.col("actual_other")
    checks = {
        "targets missing": pl.col("status").is_null() | pl.col("status_other").is_null(),
        "statuses differ": pl.col("status") != pl.col("status_other"),
        "actuals differ": (a.is_null() != b.is_null()) | (
            (a - b).abs() > RELATIVE_TOLERANCE * pl.max_horizontal(a.abs(), pl.lit(1.0))),
    }
    for label, bad in checks.items():
        rows = t.filter(bad.fill_null(False))
        if rows.height:
            problems.append(f"{name}: {rows.height} {label}, e.g. {rows.row(0, named=True)}")
    g = reference.groups.join(other.groups, on="group", how="full", coalesce=True,
                              suffix="_other")
    bad_groups = g.filter(pl.any_horizontal(
        [pl.col(c).ne_missing(pl.col(f"{c}_other")) for c in COUNT_COLUMNS]))
    if bad_groups.height:
        problems.append(f"{name}: {bad_groups.height} group counts differ, "
                        f"e.g. {bad_groups.row(0, named=True)}")
    return problems


def describe(data: Synthetic, result: Outcome) -> None:
    obs = data.observations
    statuses = result.targets.get_column("status").value_counts().sort("status")
    mix = ", ".join(f"{s} {n:,}" for s, n in statuses.iter_rows())
    console.print(
        f"{len(data.definitions.units):,} units, {data.indicators.height} indicators, "
        f"{obs.height:,} observations\n"
        f"({obs.filter(pl.col('vintage') == 'estimate').height:,} estimates), "
        f"{data.targets.height:,} targets, {result.groups.height:,} groups\n"
        f"statuses: {mix}"
    )


def report(times: dict[str, float]) -> None:
    engine = times["tieuchi engine"]
    table = Table(title=f"Evaluating {PERIOD}, all units")
    table.add_column("implementation")
    table.add_column("seconds", justify="right")
    table.add_column("ratio vs tieuchi", justify="right")
    for name, seconds in times.items():
        table.add_row(name, f"{seconds:.3f}", f"{seconds / engine:.2f}×")
    console.print(table)
    duck_ok = engine <= 3 * times["DuckDB SQL"]
    pandas_ok = times["pandas"] >= 20 * engine
    console.print(f"engine ≤ 3× DuckDB: {'yes' if duck_ok else 'no'} "
                  f"(engine / DuckDB = {engine / times['DuckDB SQL']:.2f})")
    console.print(f"engine ≥ 20× faster than pandas: {'yes' if pandas_ok else 'no'} "
                  f"(pandas / engine = {times['pandas'] / engine:.1f})")


def compare(data: Synthetic, repeat: int) -> int:
    inputs = PandasInputs(data)
    con = duckdb_connection(data)
    runs: dict[str, Callable[[], Outcome]] = {
        "tieuchi engine": lambda: run_engine(data),
        "DuckDB SQL": lambda: run_duckdb(con),
        "pandas": lambda: run_pandas(inputs),
    }
    times, results = {}, {}
    for name, run in runs.items():
        times[name], results[name] = best_of(repeat, run)
        console.print(f"  {name}: {times[name]:.3f} s", style="dim")
    reference = results["tieuchi engine"]
    describe(data, reference)
    problems = [p for name in ("DuckDB SQL", "pandas")
                for p in disagreements(name, reference, results[name])]
    report(times)
    for problem in problems:
        console.print(problem, style="red")
    console.print("the three agree: " + ("no" if problems else
                  f"yes ({reference.targets.height:,} statuses and actuals\n"
                  f"within {RELATIVE_TOLERANCE:g}, {reference.groups.height:,} group counts)"))
    return 1 if problems else 0


# --- profile ------------------------------------------------------------------------------


class StepTimer:
    """Inclusive and own time of wrapped functions; own = inclusive minus wrapped callees."""

    def __init__(self) -> None:
        self.total: dict[str, float] = defaultdict(float)
        self.own: dict[str, float] = defaultdict(float)
        self.calls: Counter[str] = Counter()
        self.stack: list[float] = []

    def wrap(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            self.stack.append(0.0)
            start = perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                elapsed = perf_counter() - start
                inner = self.stack.pop()
                self.total[name] += elapsed
                self.own[name] += elapsed - inner
                self.calls[name] += 1
                if self.stack:
                    self.stack[-1] += elapsed
        return timed


PROFILED = {  # steps that no longer exist are skipped
    "tieuchi.engine.evaluate": ["evaluate", "hierarchy_frame", "best_observations",
                                "resolve_values", "evaluate_sets", "_targets", "_groups",
                                "score_targets", "group_counts"],
    "tieuchi.engine.values": ["period_values", "_tile", "_aggregate", "rollup",
                              "computed_values"],
}


@contextmanager
def patched(timer: StepTimer) -> Iterator[Callable[..., Any]]:
    """The engine's steps wrapped in ``timer``; yields the wrapped ``evaluate``."""
    originals = []
    for module_name, names in PROFILED.items():
        module = importlib.import_module(module_name)
        for name in [n for n in names if hasattr(module, n)]:
            originals.append((module, name, getattr(module, name)))
            setattr(module, name, timer.wrap(name, getattr(module, name)))
    try:
        yield importlib.import_module("tieuchi.engine.evaluate").evaluate
    finally:
        for module, name, fn in originals:
            setattr(module, name, fn)


def profile(data: Synthetic, repeat: int) -> int:
    run_engine(data)  # warm up
    timer = StepTimer()
    with patched(timer) as timed_evaluate:
        for _ in range(repeat):
            timed_evaluate(data.definitions, PERIOD, as_of=AS_OF)
    table = Table(title=f"Engine steps, mean of {repeat} runs",
                  caption="own: without the steps listed that it calls")
    for column in ("step", "calls/run", "inclusive s", "own s", "own %"):
        table.add_column(column, justify="left" if column == "step" else "right")
    whole = timer.total["evaluate"]
    for name in sorted(timer.total, key=lambda n: -timer.own[n]):
        table.add_row(name, f"{timer.calls[name] / repeat:g}",
                      f"{timer.total[name] / repeat:.3f}", f"{timer.own[name] / repeat:.3f}",
                      f"{100 * timer.own[name] / whole:.0f}%")
    console.print(table)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=1000, help="units in all (default 1000)")
    parser.add_argument("--indicators", type=int, default=200, help="default 200")
    parser.add_argument("--months", type=int, default=12, choices=range(1, 13),
                        metavar="1..12", help="months of 2023 with data (default 12)")
    parser.add_argument("--seed", type=int, default=2023, help="default 2023")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; best counts")
    parser.add_argument("--profile", action="store_true",
                        help="time the engine's steps instead of comparing implementations")
    args = parser.parse_args(argv)
    shape = Shape(args.units, args.indicators, args.months, args.seed)
    start = perf_counter()
    data = synthesize(shape)
    console.print(f"synthetic data built in {perf_counter() - start:.1f} s (seed {shape.seed})\n"
                  f"polars {pl.__version__}, duckdb {duckdb.__version__}, "
                  f"pandas {pd.__version__}", style="dim")
    return profile(data, args.repeat) if args.profile else compare(data, args.repeat)


if __name__ == "__main__":
    sys.exit(main())
