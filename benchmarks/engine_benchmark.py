"""Time the evaluation engine against a hand-written DuckDB query and vectorised pandas.

Run it with::

    uv run --group bench python benchmarks/engine_benchmark.py

It builds a synthetic province (1 province, 10 districts, 989 communes; 200 indicators; 12
months of 2023 for every commune: about 2.4 million observations; ``--years`` adds earlier
years), targets for 2023 for every unit and indicator (200,000), and ten groups of 20 targets
for every unit, and saves them as Parquet files. Then it evaluates 2023 three ways, each in a
process of its own (wall time, CPU time, peak memory), checks that they agree target by
target and group by group, and prints the figures. See ``benchmarks/README.md`` for the
figures and what each implementation does. ``--profile`` times the steps of the engine
instead.

This is a script, not a test: nothing here runs under pytest.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import resource
import signal
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields
from datetime import date
from functools import cached_property
from pathlib import Path
from time import perf_counter, process_time
from typing import Any

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

console = Console(width=120)


# --- synthetic data -------------------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    units: int
    indicators: int
    months: int
    seed: int
    years: int = 1  # years of monthly history up to 2023

    def arguments(self) -> list[str]:
        """The options that build this shape again (in a subprocess)."""
        return [f"--units={self.units}", f"--indicators={self.indicators}",
                f"--months={self.months}", f"--seed={self.seed}", f"--years={self.years}"]


def build(shape: Shape, out: Path) -> int:
    """Build the data, save it in ``out`` with a line that describes it."""
    data = synthesize(shape)
    data.save(out)
    (out / "data.json").write_text(json.dumps([describe(data), data.observations.height]))
    return 0



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
    """The inputs as plain frames; the engine's ``Definitions`` are built from them."""

    observations: pl.DataFrame  # observation_frame() rows
    units: pl.DataFrame  # unit, parent, level
    indicators: pl.DataFrame  # indicator, time, rollup, comparator
    targets: pl.DataFrame  # TARGET_SCHEMA rows
    members: pl.DataFrame  # MEMBER_SCHEMA rows
    groups: pl.DataFrame  # group, name, unit

    @cached_property
    def definitions(self) -> Definitions:
        return make_definitions(self)

    def save(self, folder: Path) -> None:
        for name in FRAMES:
            getattr(self, name).write_parquet(folder / f"{name}.parquet", compression="lz4")

    @classmethod
    def load(cls, folder: Path) -> Synthetic:
        return cls(**{name: pl.read_parquet(folder / f"{name}.parquet") for name in FRAMES})


FRAMES = [f.name for f in fields(Synthetic)]


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
    """Monthly figures of every commune for each year of the history, 2023 last."""
    last = int(PERIOD)
    return observation_frame(pl.concat([
        year_observations(str(year), shape, hierarchy, catalogue, level, rng)
        for year in range(last - shape.years + 1, last + 1)
    ]))


def year_observations(
    year: str, shape: Shape, hierarchy: Hierarchy, catalogue: Catalogue, level: np.ndarray,
    rng: np.random.Generator,
) -> pl.DataFrame:
    """A year's monthly figures: 1% of (commune, indicator) never reported, 3% of months
    missing; 2% of figures only estimated, 5% estimated first and then made official."""
    communes, n_ind, months = level.shape[0], shape.indicators, shape.months
    noise = 1 + 0.1 * rng.standard_normal((months, communes, n_ind))
    values = np.round(np.clip(level[None, :, :] * noise, 0, None), 2)
    never = rng.random((communes, n_ind)) < 0.01
    present = ~(never[None, :, :] | (rng.random((months, communes, n_ind)) < 0.03))
    draw = rng.random((months, communes, n_ind))
    estimate_only, estimate_first = draw < 0.02, (draw >= 0.02) & (draw < 0.07)
    superseded = np.round(values * rng.uniform(0.95, 1.05, values.shape), 2)
    unit_codes = pl.Series(hierarchy.codes[1 + hierarchy.districts:])
    periods = pl.Series([f"{year}-{m + 1:02d}" for m in range(months)])
    indicators = pl.Series(catalogue.codes)

    def rows(mask: np.ndarray, figures: np.ndarray, vintage: str) -> pl.DataFrame:
        m, c, i = np.nonzero(mask)  # month by month, as the reports come in
        return pl.DataFrame({
            "unit": unit_codes.gather(c), "indicator": indicators.gather(i),
            "period": periods.gather(m), "vintage": vintage, "value": figures[mask],
            "source": "báo cáo tháng",
        })

    return pl.concat([
        rows(present & estimate_first, superseded, "estimate"),
        rows(present & estimate_only, values, "estimate"),
        rows(present & ~estimate_only, values, "official"),
    ])


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


def make_groups(hierarchy: Hierarchy, catalogue: Catalogue) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Every unit's targets in groups of 20 indicators ("18/20 chỉ tiêu đạt và vượt"):
    the groups (group, name, unit) and their members."""
    per_unit = -(-len(catalogue.codes) // GROUP_SIZE)
    groups = pl.DataFrame({"unit": hierarchy.codes}).join(
        pl.DataFrame({"k": range(1, per_unit + 1)}), how="cross"
    ).select(
        pl.concat_str("unit", pl.lit(".N"), pl.col("k").cast(pl.String).str.zfill(2))
        .alias("group"),
        pl.concat_str(pl.lit("Nhóm chỉ tiêu "), pl.col("k").cast(pl.String)).alias("name"),
        "unit",
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


def make_definitions(data: Synthetic) -> Definitions:
    levels = (Level(code="tinh", name="tỉnh"), Level(code="huyen", name="huyện"),
              Level(code="xa", name="xã"))
    units = tuple(
        Unit(code=code, name=f"Đơn vị {code}", level=level, parent=parent)
        for code, parent, level in data.units.select("unit", "parent", "level").iter_rows()
    )
    indicators = tuple(
        Indicator(code=code, name=f"Chỉ tiêu {code}", time=TimeAggregation(time),
                  rollup=Rollup(roll),
                  direction=Direction.HIGHER if comp == "at_least" else Direction.LOWER)
        for code, time, roll, comp in data.indicators.select(
            "indicator", "time", "rollup", "comparator").iter_rows()
    )
    groups = tuple(TargetGroup(code=code, name=name, unit=unit, period=PERIOD)
                   for code, name, unit in data.groups.iter_rows())
    return Definitions(
        project=Project(name="Tỉnh tổng hợp", root="T01", period=PERIOD, as_of=AS_OF),
        levels=levels, units=units, indicators=indicators, groups=groups, criteria_sets=(),
        targets=data.targets, members=data.members, observations=data.observations,
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
    level_of = ["tinh", *["huyen"] * hierarchy.districts,
                *["xa"] * (len(hierarchy.codes) - 1 - hierarchy.districts)]
    return Synthetic(
        observations=observations,
        units=pl.DataFrame({"unit": hierarchy.codes, "parent": hierarchy.parents,
                            "level": level_of},
                           schema={"unit": pl.String, "parent": pl.String, "level": pl.String}),
        indicators=pl.DataFrame({"indicator": catalogue.codes, "time": catalogue.time,
                                 "rollup": catalogue.rollup,
                                 "comparator": catalogue.comparator}),
        targets=targets,
        members=members,
        groups=groups,
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


def run_engine(definitions: Definitions) -> Outcome:
    result = evaluate(definitions, PERIOD, as_of=AS_OF)
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


def pandas_status(targets: pd.DataFrame) -> np.ndarray:
    """The engine's at_least / at_most comparators, on whole columns."""
    unknown = set(targets["comparator"]) - {"at_least", "at_most"}
    if unknown:
        raise ValueError(f"comparators {sorted(unknown)} are not in the synthetic data")
    actual, target = targets["actual"], targets["value"]
    tolerance = targets["tolerance"].fillna(0.0)
    at_least = targets["comparator"] == "at_least"
    exceeded = np.where(at_least, actual > target + tolerance, actual < target - tolerance)
    met = np.where(at_least, actual >= target - tolerance, actual <= target + tolerance)
    return np.select([actual.isna(), exceeded, met], ["no_data", "exceeded", "met"], "not_met")


def pandas_ancestors(units: pd.DataFrame) -> pd.DataFrame:
    """(ancestor, unit) for every unit and each unit above it: one merge per level."""
    links = units.dropna(subset=["parent"]).rename(columns={"parent": "ancestor"})
    links = links[["ancestor", "unit"]]
    above = links.rename(columns={"unit": "ancestor", "ancestor": "above"})
    pairs, frontier = [links], links
    while not frontier.empty:
        frontier = (frontier.merge(above, on="ancestor")[["above", "unit"]]
                    .rename(columns={"above": "ancestor"}))
        pairs.append(frontier)
    return pd.concat(pairs, ignore_index=True)


def pandas_year(best: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """A year's figure from its months: summed for flows, the latest month for stocks."""
    best = best.merge(indicators[["indicator", "time"]], on="indicator")
    flows = (best[best["time"] == "sum"].groupby(["unit", "indicator"], as_index=False)
             ["value"].sum())
    stocks = (best[best["time"] == "last"].sort_values("end")
              .drop_duplicates(["unit", "indicator"], keep="last")[["unit", "indicator", "value"]])
    return pd.concat([flows, stocks], ignore_index=True)


def pandas_rollup(own: pd.DataFrame, units: pd.DataFrame, indicators: pd.DataFrame
                  ) -> pd.DataFrame:
    """Districts and the province from the communes (sum or mean), where a unit has no
    figure of its own."""
    leaves = own.merge(pandas_ancestors(units), on="unit").drop(columns="unit")
    leaves = leaves.merge(indicators.loc[indicators["rollup"] != "none",
                                         ["indicator", "rollup"]], on="indicator")
    rolled = (leaves.groupby(["ancestor", "indicator", "rollup"], as_index=False)["value"]
              .agg(["sum", "mean"]))
    rolled["value"] = np.where(rolled["rollup"] == "sum", rolled["sum"], rolled["mean"])
    rolled = rolled.rename(columns={"ancestor": "unit"})[["unit", "indicator", "value"]]
    rolled = rolled.merge(own[["unit", "indicator"]], how="left", indicator=True)
    return rolled[rolled["_merge"] == "left_only"].drop(columns="_merge")


def run_pandas(inputs: PandasInputs) -> Outcome:
    """Vectorised pandas, as a careful analyst would write it: filter the year's months,
    sort and de-duplicate the vintages, one group-by per time aggregation, merges for the
    ancestors and the roll-up, ``np.select`` for the statuses, ``value_counts`` for the
    groups. No ``apply``, no Python loop over rows. Figures are reported by communes only."""
    obs = inputs.observations
    months = obs[(obs["kind"] == "month") & (obs["start"] >= pd.Timestamp(YEAR_START))
                 & (obs["end"] <= pd.Timestamp(YEAR_END))]
    best = months.sort_values(["vintage_rank", "recorded_at"], ascending=False,
                              na_position="last").drop_duplicates(["unit", "indicator", "period"])
    own = pandas_year(best, inputs.indicators)
    rolled = pandas_rollup(own, inputs.units, inputs.indicators)
    values = pd.concat([own, rolled]).rename(columns={"value": "actual"})
    targets = inputs.targets.merge(values, on=["unit", "indicator"], how="left")
    targets["status"] = pandas_status(targets)
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


# --- timing, memory, agreement, report -----------------------------------------------------

ENGINE, DUCKDB, PANDAS = "tieuchi engine", "DuckDB SQL", "pandas (vectorised)"
CONTENDERS = (ENGINE, DUCKDB, PANDAS)
BASELINES = {"duckdb": DUCKDB, "pandas": PANDAS}  # --skip names
# Goals of issue 8: the engine within 1.5× the DuckDB query at 2.4 M figures and within 2× at
# 60 M (taken here as: up to 10 M figures, and above), and ≥ 2× faster than vectorised pandas.
DUCKDB_GOALS = ((10_000_000, 1.5), (None, 2.0))
PANDAS_GOAL = 2.0


@dataclass(frozen=True)
class Measure:
    """One contender's run in its own process."""

    wall: float  # best wall-clock seconds of the repeats
    cpu: float  # CPU seconds of the process (all its threads) in that run
    inputs: int  # resident bytes before the first run: the inputs, converted and registered
    peak: int  # peak resident bytes during the runs (inputs included)
    exact_peak: bool  # False: the peak of the whole process, building the data included

    @property
    def working(self) -> int:
        return max(self.peak - self.inputs, 0)


def proc_status(field: str) -> int:
    """A ``/proc/self/status`` memory field (VmRSS, VmHWM) in bytes."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise KeyError(field)


def reset_peak() -> bool:
    """Reset the process's peak resident size to its current one (Linux ≥ 4.0), so the peak
    read after a run is the run's; False where that is not possible."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")
        return True
    except OSError:
        return False


def prepared(name: str, data: Synthetic) -> Callable[[], Outcome]:
    """The contender's run, its inputs made ready (not timed)."""
    if name == ENGINE:
        definitions = data.definitions  # built from the frames once, as the loader does
        return lambda: run_engine(definitions)
    if name == DUCKDB:
        con = duckdb_connection(data)
        return lambda: run_duckdb(con)
    inputs = PandasInputs(data)  # the Polars frames are dropped once converted
    return lambda: run_pandas(inputs)


def measure(run: Callable[[], Outcome], repeat: int) -> tuple[Measure, Outcome]:
    exact = reset_peak()
    inputs = proc_status("VmRSS")
    best: tuple[float, float] = (float("inf"), 0.0)
    result = None
    for _ in range(repeat):
        result = None  # the previous run's outcome is not kept during the next one
        wall, cpu = perf_counter(), process_time()
        result = run()
        best = min(best, (perf_counter() - wall, process_time() - cpu))
    peak = (proc_status("VmHWM") if exact
            else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
    assert result is not None
    return Measure(best[0], best[1], inputs, peak, exact), result


def contender(name: str, repeat: int, out: Path) -> int:
    """Run one contender in this process on the inputs saved in ``out``, and leave its
    outcome and measure there."""
    data = Synthetic.load(out)
    run = prepared(name, data)
    del data
    gc.collect()
    found, result = measure(run, repeat)
    stem = out / str(CONTENDERS.index(name))
    result.targets.write_parquet(stem.with_suffix(".targets.parquet"))
    result.groups.write_parquet(stem.with_suffix(".groups.parquet"))
    stem.with_suffix(".json").write_text(json.dumps(asdict(found)))
    return 0


def spawn(name: str, repeat: int, out: Path) -> tuple[Measure, Outcome] | str:
    """Run one contender in a fresh Python process that reads the inputs from ``out``: its
    memory is its own. A contender that fails (out of memory, say) gives the reason."""
    done = subprocess.run([sys.executable, __file__, f"--repeat={repeat}", "--contender", name,
                           "--out", str(out)])
    if done.returncode:
        killed = " (killed: out of memory?)" if done.returncode == -signal.SIGKILL else ""
        return f"did not finish: exit status {done.returncode}{killed}"
    stem = out / str(CONTENDERS.index(name))
    return (Measure(**json.loads(stem.with_suffix(".json").read_text())),
            Outcome(pl.read_parquet(stem.with_suffix(".targets.parquet")),
                    pl.read_parquet(stem.with_suffix(".groups.parquet"))))


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


def describe(data: Synthetic) -> str:
    obs = data.observations
    return (
        f"{data.units.height:,} units, {data.indicators.height} indicators, "
        f"{obs.height:,} observations over {obs.get_column('period').str.head(4).n_unique()} "
        f"year(s)\n({obs.filter(pl.col('vintage') == 'estimate').height:,} estimates), "
        f"{data.targets.height:,} targets, {data.groups.height:,} groups"
    )


def statuses(result: Outcome) -> str:
    counts = result.targets.get_column("status").value_counts().sort("status")
    return "statuses: " + ", ".join(f"{s} {n:,}" for s, n in counts.iter_rows())


def gigabytes(n: int) -> str:
    return f"{n / 2**30:.2f}"


def ratio(goal: str, slow: Measure | None, fast: Measure | None, at_most: float) -> str:
    """Whether ``slow`` takes at most ``at_most`` times ``fast``'s wall time, with both ratios."""
    if slow is None or fast is None:
        return f"{goal}: not measured"
    met = "yes" if slow.wall <= at_most * fast.wall else "no"
    return (f"{goal}: {met} ({slow.wall / fast.wall:.2f} wall, "
            f"{slow.cpu / fast.cpu:.2f} CPU)")


def report(measures: dict[str, Measure | str], observations: int) -> None:
    table = Table(title=f"Evaluating {PERIOD}, all units")
    for column in ("implementation", "wall s", "CPU s", "peak GiB", "inputs GiB",
                   "above inputs GiB", "wall vs engine"):
        table.add_column(column, justify="left" if column == "implementation" else "right")
    done = {name: m for name, m in measures.items() if isinstance(m, Measure)}
    engine = done.get(ENGINE)
    for name, m in measures.items():
        if isinstance(m, str):
            table.add_row(name, m)
            continue
        versus = f"{m.wall / engine.wall:.2f}×" if engine else ""
        table.add_row(name, f"{m.wall:.3f}", f"{m.cpu:.3f}", gigabytes(m.peak),
                      gigabytes(m.inputs), gigabytes(m.working), versus)
    console.print(table)
    if not all(m.exact_peak for m in done.values()):
        console.print("peaks are of whole processes (reading the data included)", style="red")
    goal = next(g for limit, g in DUCKDB_GOALS if limit is None or observations <= limit)
    console.print(ratio(f"engine ≤ {goal:g}× DuckDB (engine / DuckDB)", engine,
                        done.get(DUCKDB), goal))
    console.print(ratio(f"engine ≥ {PANDAS_GOAL:g}× faster than vectorised pandas "
                        "(engine / pandas)", engine, done.get(PANDAS), 1 / PANDAS_GOAL))


def compare(shape: Shape, repeat: int, contenders: list[str]) -> int:
    measures: dict[str, Measure | str] = {}
    results: dict[str, Outcome] = {}
    with tempfile.TemporaryDirectory() as out:
        start = perf_counter()  # built in a process of its own too, to leave the memory free
        subprocess.run([sys.executable, __file__, *shape.arguments(), "--build", out],
                       check=True)
        summary, observations = json.loads((Path(out) / "data.json").read_text())
        console.print(f"synthetic data built and saved in {perf_counter() - start:.1f} s",
                      style="dim")
        for name in contenders:
            found = spawn(name, repeat, Path(out))
            if isinstance(found, str):
                measures[name] = found
                console.print(f"  {name}: {found}", style="red")
                continue
            measures[name], results[name] = found
            console.print(f"  {name}: {found[0].wall:.3f} s wall, {found[0].cpu:.3f} s CPU, "
                          f"peak {gigabytes(found[0].peak)} GiB", style="dim")
    if ENGINE not in results:
        console.print(summary)
        report(measures, observations)
        return 1
    reference = results[ENGINE]
    console.print(summary + "\n" + statuses(reference))
    problems = [p for name in (DUCKDB, PANDAS) if name in results
                for p in disagreements(name, reference, results[name])]
    report(measures, observations)
    for problem in problems:
        console.print(problem, style="red")
    agree = " and ".join(name for name in results if name != ENGINE) or "nothing"
    console.print(f"the engine and {agree} agree: " + ("no" if problems else
                  f"yes ({reference.targets.height:,} statuses and actuals\n"
                  f"within {RELATIVE_TOLERANCE:g}, {reference.groups.height:,} group counts)"))
    return 1 if problems or len(results) < len(contenders) else 0


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
    "tieuchi.engine.evaluate": ["evaluate", "hierarchy_frame", "observations_within",
                                "best_observations", "resolve_values", "evaluate_sets",
                                "_targets", "_groups", "score_targets", "group_counts"],
    "tieuchi.engine.values": ["period_values", "tile_parts", "_aggregate", "rollup",
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
    run_engine(data.definitions)  # warm up
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
                        metavar="1..12", help="months of each year with data (default 12)")
    parser.add_argument("--years", type=int, default=1,
                        help="years of monthly history up to 2023, evaluated: 2023 (default 1)")
    parser.add_argument("--seed", type=int, default=2023, help="default 2023")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; best counts")
    parser.add_argument("--skip", action="append", default=[], choices=BASELINES,
                        help="leave a baseline out (pandas at 60 M figures, whose inputs alone "
                        "do not fit in 24 GB beside the others')")
    parser.add_argument("--profile", action="store_true",
                        help="time the engine's steps instead of comparing implementations")
    parser.add_argument("--contender", choices=CONTENDERS, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--build", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    shape = Shape(args.units, args.indicators, args.months, args.seed, args.years)
    if args.build:  # the data, in the subprocess compare() started
        return build(shape, args.build)
    if args.contender:  # one contender, in the subprocess compare() started
        return contender(args.contender, args.repeat, args.out)
    console.print(f"polars {pl.__version__}, duckdb {duckdb.__version__}, "
                  f"pandas {pd.__version__}; seed {shape.seed}", style="dim")
    if not args.profile:
        skipped = {BASELINES[name] for name in args.skip}
        return compare(shape, args.repeat, [c for c in CONTENDERS if c not in skipped])
    start = perf_counter()
    data = synthesize(shape)
    console.print(f"synthetic data built in {perf_counter() - start:.1f} s", style="dim")
    return profile(data, args.repeat)


if __name__ == "__main__":
    sys.exit(main())
