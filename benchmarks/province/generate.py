"""A generated province as a definition folder (YAML + CSV, the format of docs/definitions.md).

Deterministic from its seed. Two shapes of the same communes and figures:

- ``districts``: the province before 2025, province → districts → communes;
- ``two-level``: the 2025 province, province → communes.

Every commune reports 12 monthly figures of 2023 for every indicator; targets for 2023 go to
every commune for nearly all indicators and to every district and the province for every
indicator that rolls up; two criteria sets apply to the communes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import yaml

__all__ = ["SHAPES", "Kind", "Province", "Scale", "SCALES", "write_province"]

SHAPES = ("districts", "two-level")
YEAR = "2023"
MONTHS = [f"{YEAR}-{m:02d}" for m in range(1, 13)]
PROVINCE = "BA"
SKIPPED_PER_100 = 3  # a commune has no target for 3 % of the indicators (6 of 200)
SYLLABLES = ["An", "Bình", "Hòa", "Phú", "Tân", "Thạnh", "Long", "Mỹ", "Đông", "Tây", "Nam",
             "Bắc", "Hưng", "Phước", "Quang", "Thuận", "Vĩnh", "Xuân", "Yên", "Lộc"]


@dataclass(frozen=True)
class Scale:
    communes: int
    districts: int
    indicators: int


SCALES = {"full": Scale(communes=700, districts=30, indicators=200),
          "smoke": Scale(communes=70, districts=3, indicators=40)}


@dataclass(frozen=True)
class Kind:
    """One kind of indicator: its YAML fields, how its monthly figures are drawn, and the
    target group it belongs to."""

    key: str
    name: str
    fields: dict[str, Any]
    low: float
    high: float
    decimals: int
    group: str
    rolls_up: bool


# An indicator's kind is KINDS[index % 10]: 40 % money (sum), 20 % counts (sum), 20 %
# percentages (mean over communes), 10 % yes/no (not rolled up), 10 % averages (mean).
_MONEY = Kind("money", "Thu ngân sách và giá trị sản xuất",
              {"unit": "tỷ đồng", "time": "sum", "rollup": "sum", "decimals": 1},
              1, 50, 1, "kinh-te", True)
_COUNT = Kind("count", "Lao động, hộ gia đình được hỗ trợ",
              {"unit": "người", "type": "count", "time": "sum", "rollup": "sum", "decimals": 0},
              0, 200, 0, "xa-hoi", True)
_PERCENT = Kind("percent", "Tỷ lệ bao phủ dịch vụ",
                {"unit": "%", "type": "percent", "time": "last", "rollup": "mean"},
                40, 100, 1, "ty-le", True)
_LOWER = Kind("lower", "Tỷ lệ hộ nghèo, tai nạn",
              {"unit": "%", "type": "percent", "direction": "lower", "time": "last",
               "rollup": "mean"}, 0, 20, 1, "ty-le", True)
_YESNO = Kind("yesno", "Đạt tiêu chí",
              {"type": "yesno", "time": "last", "rollup": "none", "decimals": 0},
              0, 1, 0, "tieu-chi", False)
_MEAN = Kind("mean", "Thu nhập bình quân",
             {"unit": "triệu đồng/người", "time": "mean", "rollup": "mean"},
             30, 90, 1, "kinh-te", True)
KINDS = [_MONEY, _MONEY, _MONEY, _MONEY, _COUNT, _COUNT, _PERCENT, _LOWER, _YESNO, _MEAN]
GROUP_NAMES = {"kinh-te": "Chỉ tiêu kinh tế, ngân sách", "xa-hoi": "Chỉ tiêu xã hội",
               "ty-le": "Chỉ tiêu tỷ lệ", "tieu-chi": "Tiêu chí được công nhận"}


@dataclass(frozen=True)
class Province:
    """What was written: the folder, its unit codes and what the benchmark needs to know."""

    folder: Path
    shape: str
    root: str
    districts: tuple[str, ...]
    communes: tuple[str, ...]
    parent: dict[str, str]
    indicators: tuple[str, ...]
    observations: pl.DataFrame
    target_count: int
    group_count: int

    def kind(self, indicator: str) -> Kind:
        return KINDS[self.indicators.index(indicator) % len(KINDS)]

    def total(self, unit: str, indicator: str) -> float:
        """The year's figure of ``unit`` for a summed indicator: what its dashboard shows."""
        below = [c for c in self.communes if unit in (c, self.parent[c], self.root)]
        frame = self.observations.filter(pl.col("unit").is_in(below)
                                          & (pl.col("indicator") == indicator))
        return float(frame["value"].sum())


def write_province(folder: Path, shape: str, scale: Scale, seed: int) -> Province:
    """Write the province's definition folder; the same seed gives the same files."""
    if shape not in SHAPES:
        raise ValueError(f"unknown shape {shape!r}: {', '.join(SHAPES)}")
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    districts = [f"{PROVINCE}-H{d + 1:02d}" for d in range(scale.districts)]
    communes = [f"{PROVINCE}-X{c + 1:04d}" for c in range(scale.communes)]
    home = {c: districts[i % len(districts)] for i, c in enumerate(communes)}
    parent = {c: (home[c] if shape == "districts" else PROVINCE) for c in communes}
    indicators = [f"ct-{i + 1:03d}" for i in range(scale.indicators)]
    observations = _observations(rng, communes, indicators)
    _write_yaml(folder / "tieuchi.yaml", _project(shape, scale))
    _write_yaml(folder / "units.yaml", {"units": _units(shape, districts, communes, home)})
    _write_yaml(folder / "indicators.yaml", {"indicators": _indicators(indicators)})
    _write_yaml(folder / "criteria.yaml", {"criteria_sets": _criteria_sets(indicators)})
    targets = _targets(rng, observations, parent, indicators, communes)
    groups = _groups(targets)
    _write_yaml(folder / "groups.yaml", {"groups": groups})
    targets.write_csv(folder / "targets-2023.csv")
    _as_written(observations, indicators).write_csv(folder / "observations-2023.csv")
    uppers = (PROVINCE, *districts) if shape == "districts" else (PROVINCE,)
    return Province(folder=folder, shape=shape, root=PROVINCE,
                    districts=uppers[1:], communes=tuple(communes),
                    parent={**parent, **{d: PROVINCE for d in uppers[1:]}},
                    indicators=tuple(indicators), observations=observations,
                    target_count=targets.height, group_count=len(groups))


def _write_yaml(path: Path, data: dict[str, Any]) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100),
                    encoding="utf-8")


def _project(shape: str, scale: Scale) -> dict[str, Any]:
    levels = [{"code": "tinh", "name": "Tỉnh", "name_en": "Province"},
              {"code": "huyen", "name": "Huyện", "name_en": "District"},
              {"code": "xa", "name": "Xã", "name_en": "Commune"}]
    if shape == "two-level":
        levels = [levels[0], levels[2]]
    return {"project": {
        "name": f"Tỉnh Bình An (giả lập, {scale.communes} xã): chỉ tiêu năm {YEAR}",
        "root": PROVINCE, "period": YEAR, "as_of": f"{YEAR}-12-31",
        "author": "Ủy ban nhân dân\ntỉnh Bình An",
        "description": "Tỉnh giả lập cho phép đo hiệu năng (benchmarks/province_benchmark.py).",
    }, "levels": levels}


def _place_name(index: int) -> str:
    first, second = divmod(index, len(SYLLABLES))
    return f"{SYLLABLES[first % len(SYLLABLES)]} {SYLLABLES[second]} {index // 400 + 1}"


def _units(shape: str, districts: Sequence[str], communes: Sequence[str],
           home: dict[str, str]) -> list[dict[str, Any]]:
    units: list[dict[str, Any]] = [{"code": PROVINCE, "name": "Bình An", "level": "tinh",
                                    "kind": "tỉnh", "official_code": "99"}]
    if shape == "districts":
        units += [{"code": d, "name": _place_name(i * 7 + 3), "level": "huyen",
                   "parent": PROVINCE, "kind": "huyện"} for i, d in enumerate(districts)]
    for i, c in enumerate(communes):
        units.append({"code": c, "name": _place_name(i), "level": "xa",
                      "parent": home[c] if shape == "districts" else PROVINCE,
                      "kind": "phường" if i % 9 == 0 else "xã",
                      "official_code": f"{i + 1:05d}"})
    return units


def _indicators(codes: Sequence[str]) -> list[dict[str, Any]]:
    out = []
    for i, code in enumerate(codes):
        kind = KINDS[i % len(KINDS)]
        out.append({"code": code, "name": f"{kind.name} ({i + 1:03d})",
                    "frequency": "month", **kind.fields})
    return out


def _observations(rng: np.random.Generator, communes: Sequence[str],
                  indicators: Sequence[str]) -> pl.DataFrame:
    """Every commune × indicator × month: a level per (commune, indicator), ±20 % a month."""
    n_c, n_i, n_m = len(communes), len(indicators), len(MONTHS)
    kinds = [KINDS[i % len(KINDS)] for i in range(n_i)]
    low = np.array([k.low for k in kinds])
    high = np.array([k.high for k in kinds])
    level = rng.uniform(low, high, size=(n_c, n_i))
    values = level[:, :, None] * rng.uniform(0.8, 1.2, size=(n_c, n_i, n_m))
    values = np.minimum(values, high[None, :, None])
    yesno = np.array([k.key == "yesno" for k in kinds])
    values[:, yesno, :] = (rng.uniform(size=(n_c, int(yesno.sum()), n_m)) < 0.97)
    decimals = np.array([k.decimals for k in kinds])
    values = np.where(decimals[None, :, None] == 0, np.round(values), np.round(values, 1))
    return pl.DataFrame({
        "unit": np.repeat(np.array(communes), n_i * n_m),
        "indicator": np.tile(np.repeat(np.array(indicators), n_m), n_c),
        "period": np.tile(np.array(MONTHS), n_c * n_i),
        "value": values.reshape(-1),
    }).with_columns(pl.lit("official").alias("vintage"))


def _as_written(observations: pl.DataFrame, indicators: Sequence[str]) -> pl.DataFrame:
    """Whole numbers written without decimals (a yes/no figure is 1 or 0, not 1.0)."""
    whole = [c for i, c in enumerate(indicators) if KINDS[i % len(KINDS)].decimals == 0]
    return observations.with_columns(
        pl.when(pl.col("indicator").is_in(whole))
        .then(pl.col("value").cast(pl.Int64).cast(pl.String))
        .otherwise(pl.col("value").cast(pl.String)).alias("value"))


def _year_values(observations: pl.DataFrame, indicators: Sequence[str]) -> pl.DataFrame:
    """Each commune's figure for the year, the way the indicator adds up over time."""
    time = {c: KINDS[i % len(KINDS)].fields["time"] for i, c in enumerate(indicators)}
    frame = observations.with_columns(pl.col("indicator").replace_strict(time).alias("time"))
    return frame.sort("period").group_by("unit", "indicator", "time").agg(
        pl.col("value").sum().alias("sum"), pl.col("value").last().alias("last"),
        pl.col("value").mean().alias("mean"),
    ).select("unit", "indicator", pl.when(pl.col("time") == "sum").then(pl.col("sum"))
             .when(pl.col("time") == "last").then(pl.col("last"))
             .otherwise(pl.col("mean")).alias("year"))


def _targets(rng: np.random.Generator, observations: pl.DataFrame, parent: dict[str, str],
             indicators: Sequence[str], communes: Sequence[str]) -> pl.DataFrame:
    """Targets of 2023 within ±10 % of what the figures give: each commune for 97 % of the
    indicators, each district and the province for every indicator that rolls up."""
    year = _year_values(observations, indicators)
    position = {c: i for i, c in enumerate(indicators)}
    commune_index = {c: i for i, c in enumerate(communes)}
    spread = (pl.col("unit").replace_strict(commune_index, return_dtype=pl.Int64) * 7
              + pl.col("indicator").replace_strict(position, return_dtype=pl.Int64)) % 100
    keep = year.filter(spread >= SKIPPED_PER_100)
    kinds = {c: KINDS[i % len(KINDS)] for i, c in enumerate(indicators)}
    rolled = [c for c in indicators if kinds[c].rolls_up]
    uppers = _rolled_up(year.filter(pl.col("indicator").is_in(rolled)), parent, kinds)
    frame = pl.concat([keep, uppers]).sort("unit", "indicator")
    factor = rng.uniform(0.9, 1.1, size=frame.height)
    return frame.with_columns(
        pl.col("indicator").replace_strict({c: _comparator(kinds[c]) for c in indicators})
        .alias("comparator"),
        (pl.col("year") * pl.Series(factor)).alias("raw"),
        pl.col("indicator").replace_strict({c: kinds[c].group for c in indicators})
        .alias("theme"),
    ).with_columns(
        pl.when(pl.col("comparator") == "yes").then(None)
        .otherwise(pl.col("raw").round(1).clip(upper_bound=_cap(kinds, indicators)))
        .alias("value"),
        pl.lit(YEAR).alias("period"),
        (pl.col("unit") + "-" + pl.col("theme")).alias("group"),
    ).select("unit", "indicator", "period", "comparator", "value", "group")


def _cap(kinds: dict[str, Kind], indicators: Sequence[str]) -> pl.Expr:
    """Percentages stay at or under 100."""
    return pl.col("indicator").replace_strict(
        {c: (100.0 if kinds[c].fields.get("type") == "percent" else 1e15) for c in indicators},
        return_dtype=pl.Float64)


def _comparator(kind: Kind) -> str:
    if kind.key == "yesno":
        return "yes"
    return "at_most" if kind.fields.get("direction") == "lower" else "at_least"


def _rolled_up(year: pl.DataFrame, parent: dict[str, str], kinds: dict[str, Kind]
               ) -> pl.DataFrame:
    """The year's figure of every unit above the communes: the sum or the mean of its
    communes."""
    links = [(c, p) for c in parent for p in _ancestors(c, parent)]
    ancestors = pl.DataFrame(links, schema=["unit", "ancestor"], orient="row")
    rollup = {c: k.fields["rollup"] for c, k in kinds.items()}
    joined = year.join(ancestors, on="unit").with_columns(
        pl.col("indicator").replace_strict(rollup).alias("rollup"))
    return joined.group_by("ancestor", "indicator").agg(
        pl.when(pl.col("rollup").first() == "sum").then(pl.col("year").sum())
        .otherwise(pl.col("year").mean()).alias("year"),
    ).rename({"ancestor": "unit"})


def _ancestors(unit: str, parent: dict[str, str]) -> list[str]:
    out = []
    while unit in parent:
        unit = parent[unit]
        out.append(unit)
    if PROVINCE not in out:
        out.append(PROVINCE)
    return out


def _groups(targets: pl.DataFrame) -> list[dict[str, Any]]:
    pairs = targets.select("unit", "group").unique(maintain_order=True).sort("unit", "group")
    return [{"code": group, "name": GROUP_NAMES[group.removeprefix(f"{unit}-")],
             "unit": unit, "period": YEAR}
            for unit, group in pairs.iter_rows()]


def _criteria_sets(indicators: Sequence[str]) -> list[dict[str, Any]]:
    """A standard every commune is assessed on (all its yes/no criteria) and a model standard
    that asks for the first and most of the percentages."""
    yesno = [c for i, c in enumerate(indicators) if KINDS[i % len(KINDS)].key == "yesno"]
    rates = [c for i, c in enumerate(indicators) if KINDS[i % len(KINDS)].key == "percent"]
    source = {"document": "Bộ tiêu chí giả lập cho phép đo hiệu năng", "verified": False}
    standard = {"code": "xa-dat-chuan", "name": "Xã đạt chuẩn (giả lập)",
                "short_name": "đạt chuẩn", "source": dict(source), "applies_to": {"level": "xa"},
                "rule": "all",
                "criteria": [{"code": f"TC{n + 1:02d}", "name": f"Tiêu chí {n + 1}",
                              "indicator": code, "yes": True}
                             for n, code in enumerate(yesno)]}
    model = {"code": "xa-kieu-mau", "name": "Xã kiểu mẫu (giả lập)",
             "short_name": "kiểu mẫu", "source": dict(source), "applies_to": {"level": "xa"},
             "rule": {"at_least": max(1, len(rates) * 2 // 3)},
             "criteria": [{"code": "KM00", "name": "Đạt chuẩn", "set": "xa-dat-chuan"}]
             + [{"code": f"KM{n + 1:02d}", "name": f"Tỷ lệ {n + 1}", "indicator": code,
                 "at_least": 60} for n, code in enumerate(rates)]}
    return [standard, model]
