"""Where a figure of a report comes from: the observations it was made of and the rule that
made it ("số liệu của đơn vị", "cộng từ 15 đơn vị trực thuộc", "tổng 10 chỉ tiêu thành phần",
"tỷ lệ = tử số / mẫu số × 100", "đếm số đơn vị đạt bộ tiêu chí …", "lũy kế các kỳ", the
vintage chosen), in Vietnamese and English (documented in docs/trace.md).

A figure is read off the evaluation's ``values`` (its ``origin`` says how the engine made
it); the trace walks down from it, level by level, every figure of a level at once, with
Polars joins: a figure made of others (components, a ratio, the units below, merged units)
adds them to the next level; a figure taken from the data ends in the observations it was
taken from (every version of them, the one used marked); a count of units passing a criteria
set ends in those units' results. Nothing is recomputed but which inputs were used; statuses
are never touched.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import polars as pl

from tieuchi.domain.bundle import Definitions
from tieuchi.domain.indicators import Rollup
from tieuchi.domain.issuer import titled_name
from tieuchi.domain.periods import Period, PeriodKind
from tieuchi.domain.status import Vintage
from tieuchi.domain.words import WORDS

# The engine's own steps, so that the trace picks exactly what the engine picked: how
# sub-periods tile a period, and how a merged unit's figures go to its successor.
from tieuchi.engine.evaluate import Evaluation, carry_to_successors, hierarchy_frame
from tieuchi.engine.succession import succession_links
from tieuchi.engine.values import best_observations, resolve_values
from tieuchi.engine.values import tile_parts as tile
from tieuchi.reports.document import unit_sections
from tieuchi.reports.formatting import lower_first, number, percent

__all__ = ["TRACE_SCHEMA", "RULES", "trace", "trace_frame", "report_unit", "appendix_rows"]

TRACE_SCHEMA: dict[str, Any] = {
    "figure": pl.String,  # the figure's id, as the caller named it
    "figure_unit": pl.String,
    "figure_indicator": pl.String,
    "figure_period": pl.String,
    "figure_value": pl.Float64,
    "rule": pl.String,  # how the figure was made, in Vietnamese
    "rule_en": pl.String,
    "kind": pl.String,  # observation | figure | set-result | missing
    "depth": pl.Int32,  # 0: the figure's own data; 1: what it was made of directly; …
    "unit": pl.String,
    "indicator": pl.String,  # the criteria set's code for a set result
    "period": pl.String,
    "vintage": pl.String,
    "value": pl.Float64,
    "source": pl.String,
    "recorded_at": pl.String,
    "note": pl.String,  # the observation's note (Ghi chú)
    "used": pl.Boolean,  # False: another version of the figure, superseded
    "step": pl.String,  # the rule of the figure this row went into directly
    "step_en": pl.String,
}

RULES: dict[str, dict[str, str]] = {
    "vi": {
        "own": "Số liệu của đơn vị ({vintage})",
        "own_of": "Số liệu của đơn vị: bản {vintage}, bản mới nhất trong {n} bản",
        "sum": "Lũy kế các kỳ: cộng {n} kỳ",
        "mean": "Bình quân {n} kỳ (theo số tháng)",
        "last": "Số liệu kỳ gần nhất trong {n} kỳ",
        "to_date": "Số liệu lũy kế từ đầu năm ({ytd}), cộng {n} kỳ sau đó",
        "components": "Tổng {n} chỉ tiêu thành phần",
        "ratio": "Tỷ lệ = tử số / mẫu số × {scale} ({numerator} / {denominator})",
        "rollup_sum": "Cộng từ {n} đơn vị trực thuộc",
        "rollup_mean": "Bình quân các đơn vị cơ sở của {n} đơn vị trực thuộc",
        "rollup_weighted_mean": "Bình quân gia quyền của {n} đơn vị trực thuộc, "
                                "trọng số: {weight}",
        "rollup_ratio": "Tỷ lệ = tổng tử số / tổng mẫu số × {scale} của {n} đơn vị trực thuộc",
        "count": "Đếm số đơn vị đạt bộ tiêu chí {set}: {n}/{of} đơn vị",
        "share": "Tỷ lệ đơn vị đạt bộ tiêu chí {set} = {n}/{of} × 100",
        "carried": "Cộng từ {n} đơn vị đã sáp nhập vào đơn vị: {parts}",
        "carried_split": "Tính lại theo địa giới mới từ {n} đơn vị: {parts}",
        "carried_part": "{unit}: {value}",
        "carried_share": "{unit}: {value} × {share} theo {by} ({source})",
        "missing": "Chưa có số liệu",
        "set_result": "Kết quả đánh giá: đạt {met}/{total} {term}",
    },
    "en": {
        "own": "The unit's own figure ({vintage})",
        "own_of": "The unit's own figure: the {vintage} one, the latest of {n} versions",
        "sum": "Cumulative: the sum of {n} periods",
        "mean": "The mean of {n} periods (weighted by months)",
        "last": "The latest of {n} periods",
        "to_date": "Year to date ({ytd}), plus {n} later periods",
        "components": "The sum of {n} components",
        "ratio": "Ratio = numerator / denominator × {scale} ({numerator} / {denominator})",
        "rollup_sum": "The sum over {n} units below",
        "rollup_mean": "The mean over the base units of {n} units below",
        "rollup_weighted_mean": "The weighted mean over {n} units below, weighted by {weight}",
        "rollup_ratio": "Ratio = summed numerators / summed denominators × {scale} over "
                        "{n} units below",
        "count": "The number of units meeting the {set}: {n}/{of}",
        "share": "The share of units meeting the {set} = {n}/{of} × 100",
        "carried": "The sum over {n} units merged into it: {parts}",
        "carried_split": "Re-based on the new boundaries: {parts}",
        "carried_part": "{unit}: {value}",
        "carried_share": "{unit}: {value} × {share} by {by} ({source})",
        "missing": "No data",
        "set_result": "Assessment: {met}/{total} {term} met",
    },
}
"""The rules' wording; ``{n}`` and the other fields are filled per figure."""

_MAX_DEPTH = 32  # components of components of roll-ups … never this deep; a cycle guard
_INTERNAL = ("components", "ratio", "rollup", "rollup_ratio", "carried")
_NODE: dict[Any, Any] = {"figure": pl.String, "period": pl.String, "unit": pl.String,
                         "indicator": pl.String, "depth": pl.Int32, "path": pl.String}
_VINTAGE_NAMES = [v.value for v in Vintage]


def trace(ev: Evaluation, unit: str, indicator: str,
          period: str | None = None) -> list[dict[str, Any]]:
    """Where ``unit``'s figure of ``indicator`` comes from: one dict per observation (and
    per intermediate figure), each with the rule that made the figure (``rule``,
    ``rule_en``) and the rule of the step that took it (``step``, ``step_en``).

    ``period`` is the figure's period: the evaluated one by default, or a longer period a
    target is set for (its figure to date), or an earlier one (last year's figure)."""
    figures = pl.DataFrame({"figure": [f"{unit}/{indicator}"], "unit": [unit],
                            "indicator": [indicator], "period": [period or ev.period.code]})
    return trace_frame(ev, figures).to_dicts()


def trace_frame(ev: Evaluation, figures: pl.DataFrame) -> pl.DataFrame:
    """The traces of many figures at once: ``figures`` has ``figure`` (an id of the
    caller's), ``unit``, ``indicator`` and, optionally, ``period``; the result has the
    columns of :data:`TRACE_SCHEMA`, the figures in the order given, each as a tree
    (what a figure is made of follows it)."""
    if "period" not in figures.columns:
        figures = figures.with_columns(pl.lit(ev.period.code).alias("period"))
    figures = figures.select("figure", "unit", "indicator", "period").with_row_index("order")
    if figures.is_empty():
        return pl.DataFrame(schema=TRACE_SCHEMA)
    tracer = _Tracer.make(ev, figures)
    todo = figures.select("figure", "period", "unit", "indicator",
                          pl.lit(0, pl.Int32).alias("depth"), pl.lit("").alias("path"))
    nodes, rows = [], []
    for _ in range(_MAX_DEPTH):
        if todo.is_empty():
            break
        level = tracer.expand(tracer.classify(todo))
        nodes.append(level.nodes)
        rows.extend(level.rows)
        todo = level.todo
    return _assemble(figures, pl.concat(nodes), rows)


def report_unit(ev: Evaluation, unit: str | None = None) -> str:
    """The unit a report is about, as :func:`~tieuchi.reports.text.render_markdown` picks it."""
    return unit or ev.definitions.project.root or (ev.units[0] if ev.units else "")


def appendix_rows(ev: Evaluation, unit: str | None = None) -> pl.DataFrame:
    """The rows of the report's appendix tables, in the order the report prints them (a
    table per group of the outline, then one per criteria set the unit is rated on):
    ``table`` (1-based), ``kind`` (group, criteria), ``code`` (the group or set), ``row``
    (1-based), ``key`` (a group's target), ``criterion`` and ``condition`` (a set's), and
    the figure of the row: ``unit``, ``indicator``, ``period``."""
    defs = ev.definitions
    frames: list[pl.DataFrame] = []
    root = report_unit(ev, unit)
    outline = [i.group for s in unit_sections(ev, root) for i in s.items if i.group]
    for code in outline:
        rows = defs.members.filter(pl.col("group") == code).join(
            ev.targets.select("key", "unit", "indicator", "period"), on="key").sort("position")
        if rows.height:
            frames.append(rows.select(
                pl.lit(len(frames) + 1).alias("table"), pl.lit("group").alias("kind"),
                pl.lit(code).alias("code"), (pl.int_range(pl.len()) + 1).alias("row"), "key",
                pl.lit(None, pl.String).alias("criterion"),
                pl.lit(None, pl.Int32).alias("condition"), "unit", "indicator", "period"))
    rated = defs.criteria_sets if ev.sets.criteria.height else ()  # none in effect: no columns
    for cset in rated:
        own = ev.sets.criteria.filter((pl.col("unit") == root) & (pl.col("set") == cset.code))
        if not own.height:
            continue
        conditions = ev.sets.conditions.filter(
            (pl.col("unit") == root) & (pl.col("set") == cset.code)).sort("position", "condition")
        frames.append(conditions.select(
            pl.lit(len(frames) + 1).alias("table"), pl.lit("criteria").alias("kind"),
            pl.lit(cset.code).alias("code"),
            pl.col("position").rank("dense").alias("row"), pl.lit(None, pl.String).alias("key"),
            "criterion", "condition", "unit", "indicator",
            pl.lit(ev.period.code).alias("period")))
    schema: dict[Any, Any] = {
        "table": pl.Int32, "kind": pl.String, "code": pl.String, "row": pl.Int32,
        "key": pl.String, "criterion": pl.String, "condition": pl.Int32, "unit": pl.String,
        "indicator": pl.String, "period": pl.String}
    if not frames:
        return pl.DataFrame(schema=schema)
    return pl.concat([f.cast(schema) for f in frames])


# ------------------------------------------------------------------------ the catalogue


@dataclass(frozen=True)
class _Tracer:
    """What the trace reads: every period's values, the units below each unit, the data,
    and the rule of every indicator."""

    ev: Evaluation
    values: pl.DataFrame  # period, unit, indicator, value, vintage_rank, origin
    children: pl.DataFrame  # period, unit (the parent), child, position
    periods: pl.DataFrame  # period, q_start, q_end, cut, q_granularity
    best: pl.DataFrame  # the engine's pool: the best version of each figure
    observations: pl.DataFrame  # every version
    meta: pl.DataFrame  # indicator, time, rollup, weight, scale, criteria_set, of_level, …
    components: pl.DataFrame  # indicator, part, position (components, ratio's terms)
    merged: pl.DataFrame  # unit (the successor), part (a unit merged into it), position
    parents: pl.DataFrame  # period, unit, indicator: the units below have the figure

    @classmethod
    def make(cls, ev: Evaluation, figures: pl.DataFrame) -> _Tracer:
        defs = ev.definitions
        codes = figures.get_column("period").unique().sort().to_list()
        periods = [Period.parse(c) for c in codes]
        frames, children, closures = [], [], []
        for p in periods:
            hierarchy, closure = hierarchy_frame(defs, p)
            closures.append(closure)
            children.append(_children(hierarchy, p.code))
        scope = _scope(defs, figures.get_column("unit").unique().to_list(), closures)
        observations = defs.observations.filter(pl.col("unit").is_in(scope))
        best = best_observations(observations).collect()
        for p in periods:
            frames.append(_period_values(ev, p, best).with_columns(pl.lit(p.code)
                                                                  .alias("period")))
        values = pl.concat([f.select("period", "unit", "indicator", "value", "vintage_rank",
                                     "origin") for f in frames])
        return cls(
            ev=ev,
            values=values,
            children=pl.concat(children),
            periods=pl.DataFrame({
                "period": [p.code for p in periods],
                "q_start": [p.start for p in periods],
                "q_end": [p.end for p in periods],
                "cut": [min(p.end, ev.period.end) for p in periods],
                "q_granularity": [p.kind.granularity for p in periods],
            }, schema_overrides={"q_granularity": pl.Int8}),
            best=best,
            observations=observations,
            meta=_indicator_meta(defs),
            components=_components(defs),
            merged=_merged(defs),
            parents=_parents(values, pl.concat(children)),
        )

    # ------------------------------------------------------------------ classify

    def classify(self, todo: pl.DataFrame) -> pl.DataFrame:
        """Each figure of a level with its value and how it was made (``how``)."""
        direct = self.best.select("unit", "indicator", "period",
                                  pl.col("vintage_rank").alias("_direct_rank"))
        frame = (
            todo.join(self.values, on=["period", "unit", "indicator"], how="left")
            .join(direct, on=["unit", "indicator", "period"], how="left")
            .join(self.meta, on="indicator", how="left")
            .join(self.parents.with_columns(pl.lit(True).alias("_below")),
                  on=["period", "unit", "indicator"], how="left")
        )
        origin = pl.col("origin")
        how = (
            pl.when(pl.col("value").is_null() | origin.is_null()).then(pl.lit("missing"))
            .when((origin == "observed") & (pl.col("_direct_rank") == pl.col("vintage_rank")))
            .then(pl.lit("own"))
            .when(origin == "observed").then(pl.lit("to_date"))
            .when(origin == "aggregated").then(pl.lit("aggregated"))
            .when(origin == "derived").then(pl.col("rollup"))  # count_passing, share_passing
            .when((origin == "carried") & (pl.col("rollup") == Rollup.RATIO.value))
            .then(pl.lit("ratio"))  # recomputed from its carried terms
            .when(origin == "carried").then(pl.lit("carried"))
            .when(pl.col("rollup") == Rollup.RATIO.value)
            .then(pl.when(origin == "computed").then(pl.lit("ratio"))
                  .otherwise(pl.lit("rollup_ratio")))
            .when(pl.col("has_components") & ((origin == "computed")
                                              | pl.col("_below").is_null()))
            .then(pl.lit("components"))
            .otherwise(pl.lit("rollup"))
        )
        return frame.with_columns(how.alias("how")).drop("_direct_rank", "_below")

    # ------------------------------------------------------------------ expand

    def expand(self, found: pl.DataFrame) -> _Level:
        """Each figure's rule, the rows that end here (observations, set results, no
        data), and the figures of the next level."""
        steps, ends, nexts = [], [], []
        for how, handler in _HANDLERS.items():
            part = found.filter(pl.col("how").is_in(how.split("|")))
            if part.is_empty():
                continue
            step, end, below = handler(self, part)
            steps.append(step)
            ends.extend(end)
            nexts.extend(below)
        rules = pl.concat(steps)
        nodes = found.join(rules, on=["figure", "path"]).select(
            "figure", "path", "depth", "unit", "indicator", "period", "value", "vintage_rank",
            "how", "step", "step_en")
        rows = [e.join(rules, on=["figure", "path"], how="left") for e in ends]
        todo = (pl.concat([n.select(_NODE.keys()).cast(_NODE) for n in nexts])
                if nexts else pl.DataFrame(schema=_NODE))
        return _Level(nodes, rows, todo)

    def own(self, part: pl.DataFrame) -> _Made:
        picks = part.select("figure", "path", "unit", "indicator",
                            pl.col("period").alias("period_obs"),
                            pl.col("vintage_rank").alias("pick_rank"),
                            pl.lit(True).alias("counted"), pl.lit(0).alias("position"))
        versions = self._versions(picks)
        n = versions.group_by("figure", "path").agg(pl.len().alias("n"))
        step = part.join(n, on=["figure", "path"], how="left").select(
            "figure", "path", *_rule_columns(
                lambda r, lang: pl.when(pl.col("n") > 1)
                .then(_format(r["own_of"], vintage=_vintage_word(lang), n=pl.col("n")))
                .otherwise(_format(r["own"], vintage=_vintage_word(lang)))))
        return step, [versions], []

    def aggregated(self, part: pl.DataFrame) -> _Made:
        parts = self._parts(part)
        latest = pl.col("end") == pl.col("end").max().over("figure", "path")
        counted = pl.when(pl.col("time") == "last").then(latest).otherwise(pl.lit(True))
        picks = parts.with_columns(counted.alias("counted"))
        n = picks.group_by("figure", "path").agg(pl.len().alias("n"))
        step = part.join(n, on=["figure", "path"], how="left").select(
            "figure", "path", *_rule_columns(lambda r, lang: _format(
                pl.col("time").replace_strict({k: r[k] for k in ("sum", "mean", "last")},
                                              default=r["sum"], return_dtype=pl.String),
                n=pl.col("n").fill_null(0))))
        return step, [self._versions(_positions(picks))], []

    def to_date(self, part: pl.DataFrame) -> _Made:
        """The latest year-to-date figure, then the sub-periods after it."""
        ytd = (
            self._scoped(part)
            .filter((pl.col("kind") == PeriodKind.YTD.value)
                    & (pl.col("start") == pl.col("q_start")))
            .sort("end").group_by("figure", "path").last()
        )
        later = self._parts(part).join(
            ytd.select("figure", "path", pl.col("end").alias("ytd_end")), on=["figure", "path"]
        ).filter(pl.col("start") > pl.col("ytd_end"))
        columns = ["figure", "path", "unit", "indicator", "period_obs", "vintage_rank", "start",
                   "end"]
        picks = pl.concat([ytd.select(columns), later.select(columns)]).with_columns(
            pl.lit(True).alias("counted"))
        n = later.group_by("figure", "path").agg(pl.len().alias("n"))
        step = part.join(ytd.select("figure", "path", pl.col("period_obs").alias("ytd")),
                         on=["figure", "path"], how="left").join(
            n, on=["figure", "path"], how="left").select(
            "figure", "path", *_rule_columns(lambda r, lang: _format(
                r["to_date"], ytd=pl.col("ytd").fill_null("–"), n=pl.col("n").fill_null(0))))
        return step, [self._versions(_positions(picks))], []

    def components_of(self, part: pl.DataFrame) -> _Made:
        below = part.join(self.components.filter(pl.col("role") == "component"),
                          on="indicator")
        n = below.group_by("figure", "path").agg(pl.len().alias("n"))
        step = part.join(n, on=["figure", "path"], how="left").select(
            "figure", "path", *_rule_columns(
                lambda r, lang: _format(r["components"], n=pl.col("n").fill_null(0))))
        return step, [], [_next(below, unit=pl.col("unit"), indicator=pl.col("part"))]

    def ratio(self, part: pl.DataFrame) -> _Made:
        below = part.join(self.components.filter(pl.col("role") != "component"),
                          on="indicator")
        step = part.select("figure", "path", pl.col("ratio_vi").alias("step"),
                           pl.col("ratio_en").alias("step_en"))
        return step, [], [_next(below, unit=pl.col("unit"), indicator=pl.col("part"))]

    def rollup(self, part: pl.DataFrame) -> _Made:
        """The units directly below that have the figure (for a ratio, those that have
        its two terms): each a figure of the next level; a weighted mean adds their
        weights."""
        present = self.values.filter(pl.col("value").is_not_null()).select(
            "period", pl.col("unit").alias("child"), "indicator",
            pl.col("origin").alias("child_origin"))
        ratio = pl.col("how") == "rollup_ratio"
        below = (
            part.join(self.children, on=["period", "unit"])
            .join(present, on=["period", "child", "indicator"])
            .filter(pl.col("child_origin") != "carried")  # carried after the roll-up
            .filter(~ratio | pl.col("child_origin").is_in(["computed", "rollup"]))
        )
        n = below.group_by("figure", "path").agg(pl.col("child").n_unique().alias("n"))
        weighted = below.filter((pl.col("rollup") == Rollup.WEIGHTED_MEAN.value)
                                & pl.col("weight").is_not_null())
        nexts = [
            _next(below.with_columns(pl.col("position") * 2), unit=pl.col("child"),
                  indicator=pl.col("indicator")),
            _next(weighted.with_columns(pl.col("position") * 2 + 1), unit=pl.col("child"),
                  indicator=pl.col("weight")),
        ]
        rollups = ("sum", "mean", "weighted_mean")
        step = part.join(n, on=["figure", "path"], how="left").select(
            "figure", "path", *_rule_columns(lambda r, lang: _format(
                pl.when(ratio).then(pl.lit(r["rollup_ratio"])).otherwise(
                    pl.col("rollup").replace_strict({k: r[f"rollup_{k}"] for k in rollups},
                                                    default=r["rollup_sum"],
                                                    return_dtype=pl.String)),
                n=pl.col("n").fill_null(0), weight=pl.col("weight_name").fill_null(""),
                scale=pl.col("scale_text"))))
        return step, [], nexts

    def counted(self, part: pl.DataFrame) -> _Made:
        """A count (or share) of the units that pass a criteria set: their results."""
        hierarchy, closure = hierarchy_frame(self.ev.definitions, self.ev.period)
        levels = hierarchy.select(pl.col("unit").alias("descendant"), "level")
        sets = self.ev.sets.sets.select(pl.col("unit").alias("descendant"),
                                        pl.col("set").alias("criteria_set"), "passed", "met",
                                        "total")
        units = (
            part.join(closure.rename({"ancestor": "unit"}), on="unit")
            .join(levels, on="descendant")
            .filter(pl.col("of_level").is_null() | (pl.col("level") == pl.col("of_level")))
            .join(sets, on=["descendant", "criteria_set"])
        )
        tally = units.group_by("figure", "path").agg(
            pl.col("passed").sum().alias("n"), pl.len().alias("of"))
        share = pl.col("rollup") == Rollup.SHARE_PASSING.value
        step = part.join(tally, on=["figure", "path"], how="left").select(
            "figure", "path", *_rule_columns(lambda r, lang: _format(
                pl.when(share).then(pl.lit(r["share"])).otherwise(pl.lit(r["count"])),
                set=pl.col(f"set_{lang}"), n=pl.col("n").fill_null(0),
                of=pl.col("of").fill_null(0))))
        rows = units.select(
            "figure", "path", pl.lit("set-result").alias("kind"),
            pl.col("descendant").alias("unit"), pl.col("criteria_set").alias("indicator"),
            pl.lit(self.ev.period.code).alias("period"),  # sets are evaluated for it only
            pl.col("passed").cast(pl.Float64).alias("value"),
            _format(RULES["vi"]["set_result"], met=pl.col("met"), total=pl.col("total"),
                    term=pl.col("term_vi")).alias("source"),
            pl.lit(True).alias("used"),
            pl.concat_str("path", pl.lit("/"), pl.col("position_in_tree").cast(pl.String)
                          .str.zfill(6)).alias("row_path"),
        )
        return step, [rows], []

    def carried(self, part: pl.DataFrame) -> _Made:
        """The units the figure's unit succeeded, each with its figure and, for a unit
        split among several, the share that came to this one, its basis and source."""
        below = part.join(self.merged, on="unit")
        given = self.values.filter(pl.col("value").is_not_null()).select(
            "period", pl.col("unit").alias("part"), "indicator",
            pl.col("value").alias("part_value"))
        counted = below.join(given, on=["period", "part", "indicator"]).sort("position")
        words = _carried_words(self.ev.definitions, counted)
        split = pl.col("split").fill_null(False)
        step = part.join(words, on=["figure", "path"], how="left").select(
            "figure", "path", *_rule_columns(lambda r, lang: _format(
                pl.when(split).then(pl.lit(r["carried_split"])).otherwise(pl.lit(r["carried"])),
                n=pl.col("n").fill_null(0), parts=pl.col(f"parts_{lang}").fill_null(""))))
        return step, [], [_next(below, unit=pl.col("part"), indicator=pl.col("indicator"))]

    def missing(self, part: pl.DataFrame) -> _Made:
        step = part.select("figure", "path", pl.lit(RULES["vi"]["missing"]).alias("step"),
                           pl.lit(RULES["en"]["missing"]).alias("step_en"))
        rows = part.select("figure", "path", pl.lit("missing").alias("kind"), "unit",
                           "indicator", "period", pl.lit(True).alias("used"),
                           pl.col("path").alias("row_path"))
        return step, [rows], []

    # ------------------------------------------------------------------ the data

    def _scoped(self, part: pl.DataFrame) -> pl.DataFrame:
        """The best figures of each figure's unit and indicator inside its period."""
        return (
            part.select("figure", "path", "unit", "indicator", "time", "period")
            .join(self.periods, on="period")
            .join(self.best.rename({"period": "period_obs"}), on=["unit", "indicator"])
            .filter((pl.col("start") >= pl.col("q_start")) & (pl.col("end") <= pl.col("cut"))
                    & (pl.col("period_obs") != pl.col("period")))
        )

    def _parts(self, part: pl.DataFrame) -> pl.DataFrame:
        """The sub-periods the engine adds up for each figure (as ``period_values`` does:
        the shorter periods inside it, tiled without overlap, year-to-date figures apart)."""
        inside = self._scoped(part).filter(
            (pl.col("granularity") < pl.col("q_granularity"))
            & (pl.col("kind") != PeriodKind.YTD.value))
        key = ["period", "unit", "indicator"]
        tiled = []
        for (code,), rows in inside.group_by("period"):  # a loop over periods, not data
            figures = rows.select(*key[1:], pl.col("period_obs").alias("period"), "granularity",
                                  "start", "end").unique()
            tiled.append(tile(figures).select(
                pl.lit(code).alias("period"), *key[1:], pl.col("period").alias("period_obs")))
        if not tiled:
            return inside
        return inside.join(pl.concat(tiled), on=[*key, "period_obs"], how="semi")

    def _versions(self, picks: pl.DataFrame) -> pl.DataFrame:
        """Every version of each picked figure; the one the engine used marked ``used``:
        of the vintage picked, the latest recorded."""
        if "pick_rank" not in picks.columns:
            picks = picks.rename({"vintage_rank": "pick_rank"})
        group = ["figure", "path", "unit", "indicator", "period_obs"]
        match = pl.col("counted") & (pl.col("vintage_rank") == pl.col("pick_rank"))
        used = match & (match.cast(pl.Int32).cum_sum().over(group) == 1)
        versions = (
            picks.select(*group, "pick_rank", "counted", "position")
            .join(self.observations.rename({"period": "period_obs"}),
                  on=["unit", "indicator", "period_obs"])
            .sort("recorded_at", descending=True, nulls_last=True)
            .with_columns(used.alias("used"))
            .sort("used", "vintage_rank", descending=True, nulls_last=True, maintain_order=True)
            .with_columns(pl.int_range(pl.len()).over(group).alias("version"))
        )
        return versions.select(
            "figure", "path", pl.lit("observation").alias("kind"), "unit", "indicator",
            pl.col("period_obs").alias("period"), "vintage", "value", "source", "recorded_at",
            "note", "used",
            # at the depth of the figure they are the data of
            pl.concat_str("path", pl.lit(":"), pl.col("position").cast(pl.String).str.zfill(6),
                          pl.lit("."), pl.col("version").cast(pl.String).str.zfill(2))
            .alias("row_path"),
        )


_Made = tuple[pl.DataFrame, list[pl.DataFrame], list[pl.DataFrame]]
"""What a rule gives: each figure's rule text, the rows that end there, the figures below."""


@dataclass(frozen=True)
class _Level:
    nodes: pl.DataFrame  # the level's figures, each with its rule (step, step_en)
    rows: list[pl.DataFrame]  # observations, set results, no data
    todo: pl.DataFrame  # the figures of the next level


def _positions(picks: pl.DataFrame) -> pl.DataFrame:
    """Number the picked sub-periods of each figure in time order."""
    return picks.sort("start", "end").with_columns(
        pl.int_range(pl.len()).over("figure", "path").alias("position"))


_HANDLERS = {
    "own": _Tracer.own,
    "aggregated": _Tracer.aggregated,
    "to_date": _Tracer.to_date,
    "components": _Tracer.components_of,
    "ratio": _Tracer.ratio,
    "rollup|rollup_ratio": _Tracer.rollup,
    f"{Rollup.COUNT_PASSING.value}|{Rollup.SHARE_PASSING.value}": _Tracer.counted,
    "carried": _Tracer.carried,
    "missing": _Tracer.missing,
}


def _next(frame: pl.DataFrame, unit: pl.Expr, indicator: pl.Expr) -> pl.DataFrame:
    """The figures one level down, each under its parent's path."""
    return frame.select(
        "figure", "period", unit.alias("unit"), indicator.alias("indicator"),
        (pl.col("depth") + 1).cast(pl.Int32).alias("depth"),
        pl.concat_str("path", pl.lit("/"), pl.col("position").cast(pl.String).str.zfill(6))
        .alias("path"),
    )


# ------------------------------------------------------------------------ values


def _period_values(ev: Evaluation, period: Period, best: pl.DataFrame) -> pl.DataFrame:
    """The values of ``period`` as the evaluation saw them: its own, or, for a target's
    longer period, those up to the evaluated period's end (with the counts of units passing
    a set, which exist for the evaluated period only), or, for a period compared with (last
    year), its values carried to the units that succeeded merged ones."""
    if period == ev.period:
        return ev.values
    defs = ev.definitions
    hierarchy, _ = hierarchy_frame(defs, period)
    found = resolve_values(best, defs.indicators, hierarchy, period,
                           min(period.end, ev.period.end))
    if not period.contains(ev.period):
        return carry_to_successors(defs, found)
    derived = ev.values.filter(pl.col("origin") == "derived")
    return pl.concat([found, derived.join(found.select("unit", "indicator"),
                                          on=["unit", "indicator"], how="anti")])


def _scope(defs: Definitions, units: list[str], closures: list[pl.DataFrame]) -> list[str]:
    """The units whose data a trace may read: the figures' units, the units below them,
    and the units merged into any of those (and below them), in any period traced."""
    closure = pl.concat(closures)
    merged = {u.code: set(u.successors) for u in defs.units if u.successors}
    scope: set[str] = set()
    new = set(units)
    while new:
        scope |= new
        below = closure.filter(pl.col("ancestor").is_in(list(new)))
        found = set(below.get_column("descendant").to_list())
        found |= {code for code, after in merged.items() if after & (scope | found)}
        new = found - scope
    return sorted(scope)


def _parents(values: pl.DataFrame, children: pl.DataFrame) -> pl.DataFrame:
    """The units and indicators for which a unit directly below has a figure."""
    return values.join(children.rename({"unit": "parent", "child": "unit"}),
                       on=["period", "unit"]).select(
        "period", pl.col("parent").alias("unit"), "indicator").unique()


def _children(hierarchy: pl.DataFrame, period: str) -> pl.DataFrame:
    """The units directly below each unit that add up into it (not planning areas)."""
    real = hierarchy.filter(~pl.col("pseudo")).with_row_index("position")
    return real.filter(pl.col("parent").is_not_null()).select(
        pl.lit(period).alias("period"), pl.col("parent").alias("unit"),
        pl.col("unit").alias("child"), pl.col("position").cast(pl.Int64))


def _indicator_meta(defs: Definitions) -> pl.DataFrame:
    """Each indicator's rule, with the names its rule text needs (a catalogue, not data)."""
    names = {i.code: i.name for i in defs.indicators}
    names_en = {i.code: i.name_en or i.name for i in defs.indicators}
    sets = {s.code: s for s in defs.criteria_sets}

    def scale(value: float) -> str:
        return f"{value:g}"

    rows = []
    for i in defs.indicators:
        cset = sets.get(i.criteria_set or "")
        rows.append({
            "indicator": i.code, "time": i.time.value, "rollup": i.rollup.value,
            "weight": i.weight, "weight_name": names.get(i.weight or ""),
            "scale_text": scale(i.scale), "criteria_set": i.criteria_set,
            "of_level": i.of_level, "has_components": bool(i.components),
            "set_vi": lower_first(cset.short_name or cset.name) if cset else i.criteria_set,
            "set_en": (cset.name_en or cset.name) if cset else i.criteria_set,
            "term_vi": cset.term if cset else "tiêu chí",
            "term_en": cset.term_en if cset else "criteria",
            "ratio_vi": _format_text(RULES["vi"]["ratio"], scale=scale(i.scale),
                                     numerator=names.get(i.numerator or "", ""),
                                     denominator=names.get(i.denominator or "", "")),
            "ratio_en": _format_text(RULES["en"]["ratio"], scale=scale(i.scale),
                                     numerator=names_en.get(i.numerator or "", ""),
                                     denominator=names_en.get(i.denominator or "", "")),
        })
    return pl.DataFrame(rows, schema={
        "indicator": pl.String, "time": pl.String, "rollup": pl.String, "weight": pl.String,
        "weight_name": pl.String, "scale_text": pl.String, "criteria_set": pl.String,
        "of_level": pl.String, "has_components": pl.Boolean, "set_vi": pl.String,
        "set_en": pl.String,
        "term_vi": pl.String, "term_en": pl.String, "ratio_vi": pl.String,
        "ratio_en": pl.String})


def _components(defs: Definitions) -> pl.DataFrame:
    """What each indicator is made of: its components, or its ratio's two terms."""
    rows: list[tuple[str, str, str, int]] = []
    for i in defs.indicators:
        rows.extend((i.code, c, "component", n) for n, c in enumerate(i.components))
        if i.rollup is Rollup.RATIO and i.numerator and i.denominator:
            rows += [(i.code, i.numerator, "numerator", 0),
                     (i.code, i.denominator, "denominator", 1)]
    return pl.DataFrame(rows, schema={"indicator": pl.String, "part": pl.String,
                                      "role": pl.String, "position": pl.Int64}, orient="row")


def _merged(defs: Definitions) -> pl.DataFrame:
    """unit (a successor), part (a unit it succeeded), position, share, by, source: the
    engine's links (:func:`~tieuchi.engine.succession.succession_links`)."""
    return succession_links(defs).select(
        pl.col("successor").alias("unit"), pl.col("unit").alias("part"), "position", "share",
        "by", "source")


def _carried_words(defs: Definitions, counted: pl.DataFrame) -> pl.DataFrame:
    """figure, path, n, split, parts_vi, parts_en: each carried figure's predecessors, as
    "Xã A (cũ): 120; Xã C (cũ): 150 × 40% theo dân số (Đề án …)" (at the indicator's
    decimals). A few rows per figure traced: worded one by one."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for r in counted.iter_rows(named=True):
        entry = rows.setdefault((r["figure"], r["path"]), {
            "figure": r["figure"], "path": r["path"], "n": 0, "split": False, "vi": [],
            "en": []})
        entry["n"] += 1
        entry["split"] |= r["share"] < 1
        unit = defs.unit_by_code[r["part"]]
        decimals = defs.indicator_by_code[r["indicator"]].decimals
        for lang in ("vi", "en"):
            name = (unit.name_en or unit.name) if lang == "en" else titled_name(
                unit, defs.level_by_code.get(unit.level))
            fields = {"unit": name, "value": number(r["part_value"], lang, decimals)}
            if r["share"] < 1:
                by = WORDS[lang].split_by.get(r["by"], r["by"])
                text = RULES[lang]["carried_share"].format(
                    **fields, share=percent(r["share"] * 100, lang), by=by, source=r["source"])
            else:
                text = RULES[lang]["carried_part"].format(**fields)
            entry[lang].append(text)
    return pl.DataFrame(
        [{"figure": e["figure"], "path": e["path"], "n": e["n"], "split": e["split"],
          "parts_vi": "; ".join(e["vi"]), "parts_en": "; ".join(e["en"])}
         for e in rows.values()],
        schema={"figure": pl.String, "path": pl.String, "n": pl.Int64, "split": pl.Boolean,
                "parts_vi": pl.String, "parts_en": pl.String})


# ------------------------------------------------------------------------ wording


def _fields(template: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(template) if name]


def _format(template: str | pl.Expr, **values: pl.Expr) -> pl.Expr:
    """A rule's text per row: ``template`` (a text, or an expression choosing one of
    several texts with the same fields) with its ``{fields}`` filled from ``values``."""
    if isinstance(template, str):
        names = _fields(template)
        plain = template
        for name in names:
            plain = plain.replace("{" + name + "}", "{}")
        return pl.format(plain, *[values[n].cast(pl.String) for n in names])
    out: pl.Expr = template
    for name, value in values.items():
        out = out.str.replace_all("{" + name + "}", value.cast(pl.String), literal=True)
    return out


def _format_text(template: str, **values: str) -> str:
    return template.format(**values)


def _vintage_word(lang: str) -> pl.Expr:
    vintage = WORDS[lang].vintage
    return pl.col("vintage_rank").replace_strict(
        {n: vintage[name] for n, name in enumerate(_VINTAGE_NAMES)}, default="",
        return_dtype=pl.String)


def _rule_columns(make: Callable[[dict[str, str], str], pl.Expr]) -> list[pl.Expr]:
    """The rule in Vietnamese (``step``) and English (``step_en``): ``make`` is given the
    language's :data:`RULES` and the language."""
    return [make(RULES[lang], lang).alias(column)
            for lang, column in (("vi", "step"), ("en", "step_en"))]


# ------------------------------------------------------------------------ the result


def _assemble(figures: pl.DataFrame, nodes: pl.DataFrame,
              ends: Iterable[pl.DataFrame]) -> pl.DataFrame:
    """One frame: each figure's rule and value, then its rows in tree order."""
    tops = nodes.filter(pl.col("depth") == 0).select(
        "figure", pl.col("value").alias("figure_value"), pl.col("step").alias("rule"),
        pl.col("step_en").alias("rule_en"))
    inner = nodes.filter((pl.col("depth") > 0) & pl.col("how").is_in(_INTERNAL)).select(
        "figure", "path", pl.lit("figure").alias("kind"), "unit", "indicator", "period",
        pl.col("vintage_rank").replace_strict(dict(enumerate(_VINTAGE_NAMES)), default=None,
                                              return_dtype=pl.String).alias("vintage"),
        "value", pl.lit(True).alias("used"), pl.col("path").alias("row_path"), "step",
        "step_en")
    depth = pl.col("row_path").str.count_matches("/").cast(pl.Int32)
    rows = pl.concat([inner, *ends], how="diagonal_relaxed")
    rows = rows.with_columns(depth.alias("depth"))
    head = figures.select("order", "figure", pl.col("unit").alias("figure_unit"),
                          pl.col("indicator").alias("figure_indicator"),
                          pl.col("period").alias("figure_period")).join(
        tops, on="figure", how="left")
    out = head.join(rows, on="figure", how="left").sort("order", "row_path")
    return out.select([pl.col(c).cast(t) if c in out.columns else pl.lit(None, t).alias(c)
                       for c, t in TRACE_SCHEMA.items()])
