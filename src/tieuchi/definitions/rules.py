"""Semantic rules over the whole of a definition folder.

Each rule is a function registered with :func:`rule`; it reads the validated items and adds
problems to :class:`~tieuchi.definitions.loader.Loaded`. A rule never stops the others: every
problem of a folder is reported in one run.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from tieuchi.definitions.loader import Loaded, Located
from tieuchi.domain.bases import basis_catalogue
from tieuchi.domain.bundle import target_frame
from tieuchi.domain.criteria import CriteriaSet
from tieuchi.domain.indicators import Indicator
from tieuchi.domain.periods import PERIOD_PLACEHOLDERS, Period, PeriodError, PeriodKind
from tieuchi.domain.problems import Severity, problem, suggest
from tieuchi.domain.project import (
    Highlight,
    ReportOutline,
    ReportSection,
    UnitOutline,
    phrase_placeholders,
)
from tieuchi.domain.ruleset import figure_problems, problem_of, target_problems
from tieuchi.domain.statements import State, state_misfit
from tieuchi.domain.targets import Target, TargetGroup
from tieuchi.domain.units import Unit
from tieuchi.domain.words import WORDS, with_phrases

__all__ = ["RULES", "applied_units", "rule", "run_rules"]

Rule = Callable[[Loaded], None]
RULES: list[Rule] = []


def rule(function: Rule) -> Rule:
    RULES.append(function)
    return function


def run_rules(loaded: Loaded) -> None:
    for function in RULES:
        function(loaded)


_SECTION_OF = {
    "unknown-unit": "units", "unknown-indicator": "indicators", "unknown-level": "levels",
    "unknown-criteria-set": "criteria_sets", "unknown-group": "groups",
}


def _codes(loaded: Loaded, section: str) -> dict[str, Any]:
    return {loc.item.code: loc.item for loc in loaded.sections[section]}


def _check_ref(
    loaded: Loaded, code: str, value: str | None, known: Collection[str], where: Located,
    loc: tuple[str | int, ...], what: str,
) -> bool:
    """Report ``value`` as unknown when it is not in ``known``; True when it is fine.

    A code whose definition is itself invalid is known: its own problem is reported where
    it is defined, and the reference adds nothing (but is not fine either).
    """
    if value is None or value in known:
        return True
    if (value in loaded.invalid_codes.get(_SECTION_OF.get(code, ""), ())
            or value in loaded.unreadable_codes):
        return False
    hint = suggest(value, [*known, *loaded.unreadable_codes])
    loaded.error(code, f"{what} '{value}' is not defined{hint}",
                 where.file, where.line_at(*loc))
    return False


@rule
def duplicate_codes(loaded: Loaded) -> None:
    for section in ("levels", "units", "indicators", "groups", "criteria_sets", "datasets",
                    "bases"):
        seen: dict[str, Located] = {}
        for located in loaded.sections[section]:
            code = located.item.code
            if code in seen:
                first = seen[code]
                loaded.error("duplicate-code", f"{section} code '{code}' is already used at "
                             f"{first.file}:{first.line}; give each a code of its own",
                             located.file, located.line_at("code"))
            else:
                seen[code] = located
    for located in loaded.sections["criteria_sets"]:
        criteria: set[str] = set()
        for i, criterion in enumerate(located.item.criteria):
            if criterion.code in criteria:
                loaded.error("duplicate-code", f"criterion '{criterion.code}' appears twice in "
                             f"set '{located.item.code}'", located.file,
                             located.line_at("criteria", i, "code"))
            criteria.add(criterion.code)


@rule
def official_codes(loaded: Loaded) -> None:
    """Two units whose validity overlaps do not share an ``official_code``: a legacy commune
    (to 2025-06-30) and the 2025 one of the same GSO code (from 2025-07-01) may."""
    seen: dict[str, list[Located]] = {}
    for located in loaded.sections["units"]:
        unit: Unit = located.item
        if unit.official_code is None:
            continue
        for first in seen.get(unit.official_code, ()):
            other: Unit = first.item
            start = max(unit.valid_from or date.min, other.valid_from or date.min)
            end = min(unit.valid_to or date.max, other.valid_to or date.max)
            if start > end:
                continue
            since = "" if start == date.min else start.isoformat()
            until = "" if end == date.max else end.isoformat()
            loaded.problems.append(problem(
                "duplicate-official-code",
                {"unit": unit.code, "other": other.code, "official_code": unit.official_code,
                 "other_place": f"{_in_folder(loaded, first.file)}:{first.line}",
                 "overlap": _span(since, until, ("from {} to {}", "from {} on",
                                                 "until {}", "throughout")),
                 "overlap_vi": _span(since, until, ("từ {} đến {}", "từ {} trở đi",
                                                    "đến hết {}", "suốt thời gian"))},
                file=located.file, line=located.line_at("official_code")))
            break
        seen.setdefault(unit.official_code, []).append(located)


def _in_folder(loaded: Loaded, file: str | None) -> str:
    """A file's path from the definition folder ("criteria/x.yaml"), to name it in a
    message about another place."""
    path = Path(file or "")
    try:
        return path.relative_to(loaded.root).as_posix()
    except ValueError:
        return path.name


def _span(since: str, until: str, words: tuple[str, str, str, str]) -> str:
    """"from A to B", "from A on", "until B" or "throughout" (``words``, in a language)."""
    if since and until:
        return words[0].format(since, until)
    if since or until:
        return words[1].format(since) if since else words[2].format(until)
    return words[3]


@rule
def single_sections(loaded: Loaded) -> None:
    for section in ("project", "report"):
        if not loaded.sections[section]:
            continue
        first, *rest = loaded.sections[section]
        for located in rest:
            loaded.error("duplicate-section", f"'{section}' is already given at "
                         f"{first.file}:{first.line}; keep one of them", located.file,
                         located.line)


@rule
def unit_references(loaded: Loaded) -> None:
    units = _codes(loaded, "units")
    levels = _codes(loaded, "levels")
    for located in loaded.sections["units"]:
        unit: Unit = located.item
        if levels or unit.level:
            _check_ref(loaded, "unknown-level", unit.level, levels, located, ("level",), "level")
        _check_ref(loaded, "unknown-unit", unit.parent, units, located, ("parent",), "parent")
        for i, successor in enumerate(unit.successors):
            _check_ref(loaded, "unknown-unit", successor, units, located, ("successors", i),
                       "successor")
    for located in loaded.sections["project"]:
        _check_ref(loaded, "unknown-unit", located.item.root, units, located, ("root",), "unit")
        for code in located.item.headers:
            _check_ref(loaded, "unknown-unit", code, units, located, ("headers", code), "unit")
    for located in loaded.sections["observations"]:
        _check_ref(loaded, "unknown-unit", located.item.unit, units, located, ("unit",), "unit")


@rule
def hierarchy_cycles(loaded: Loaded) -> None:
    parents = {loc.item.code: loc.item.parent for loc in loaded.sections["units"]}
    reported: set[str] = set()
    for located in loaded.sections["units"]:
        seen = [located.item.code]
        parent = parents.get(located.item.code)
        while parent is not None and parent in parents:
            if parent in seen:
                cycle = seen[seen.index(parent):]
                if not reported & set(cycle):
                    loaded.error("hierarchy-cycle", "units are their own ancestors: "
                                 + " → ".join([*cycle, parent]) + "; fix one parent",
                                 located.file, located.line_at("parent"))
                reported.update(cycle)
                break
            seen.append(parent)
            parent = parents.get(parent)


def _all_targets(loaded: Loaded) -> Iterator[tuple[Target, Located, tuple[str | int, ...]]]:
    """Every target with where it is written: (target with group defaults, place, loc)."""
    for located in loaded.sections["targets"]:
        yield located.item, located, ()
    for located in loaded.sections["groups"]:
        group: TargetGroup = located.item
        for i, target in enumerate(group.resolved_targets()):
            yield target, located, ("targets", i)
    for located, _group in loaded.csv_targets:
        yield located.item, located, ()


def _own_unit(target: Target, located: Located, loc: tuple[str | int, ...]) -> bool:
    """Whether the target names its unit itself (not inherited from its group)."""
    if not loc:
        return True
    group: TargetGroup = located.item
    return group.targets[int(loc[1])].unit is not None


@rule
def target_references(loaded: Loaded) -> None:
    units = _codes(loaded, "units")
    indicators: dict[str, Indicator] = _codes(loaded, "indicators")
    for located in loaded.sections["groups"]:
        _check_ref(loaded, "unknown-unit", located.item.unit, units, located, ("unit",), "unit")
    keys: dict[str, tuple[str, int]] = {}
    for target, located, loc in _all_targets(loaded):
        if target.unit is None or target.period is None:
            missing = "unit" if target.unit is None else "period"
            loaded.error("missing-unit-or-period", f"the target for '{target.indicator}' has no "
                         f"{missing}; add '{missing}: …' or put it in a group", located.file,
                         located.line_at(*loc))
            continue
        if _own_unit(target, located, loc):
            _check_ref(loaded, "unknown-unit", target.unit, units, located, (*loc, "unit"),
                       "unit")
        ok = _check_ref(loaded, "unknown-indicator", target.indicator, indicators, located,
                        (*loc, "indicator"), "indicator")
        key = target.key
        if key in keys:
            file, line = keys[key]
            loaded.error("duplicate-target", f"target '{key}' is already defined at "
                         f"{file}:{line}; give one of them a 'code'",
                         located.file, located.line_at(*loc))
        else:
            keys[key] = (located.file, located.line_at(*loc))
        if ok:
            unit = units.get(target.unit)
            period = Period.parse(target.period)
            if unit is not None and not unit.valid_on(period.start, period.end):
                loaded.warn("unit-not-valid", f"unit '{unit.code}' does not exist in "
                            f"{period.code} ({_validity(unit.valid_from, unit.valid_to)})",
                            located.file, located.line_at(*loc))


@rule
def basis_references(loaded: Loaded) -> None:
    """A group's or a target's basis is a code of the catalogue: built in or declared."""
    known = basis_catalogue(loaded.items("bases"))
    for located in loaded.sections["groups"]:
        group: TargetGroup = located.item
        _check_basis(loaded, group.basis, known, located, ("basis",))
        for i, target in enumerate(group.targets):
            _check_basis(loaded, target.basis, known, located, ("targets", i, "basis"))
    for located in loaded.sections["targets"]:
        _check_basis(loaded, located.item.basis, known, located, ("basis",))
    for located, _group in loaded.csv_targets:
        _check_basis(loaded, located.item.basis, known, located, ())


def _check_basis(loaded: Loaded, code: str | None, known: Collection[str], where: Located,
                 loc: tuple[str | int, ...]) -> None:
    if code is None or code in known:
        return
    loaded.error("unknown-basis", f"basis '{code}' is not defined{suggest(code, known)} "
                 f"(bases: {', '.join(known)}); declare it under 'bases:' with its code and "
                 "its words (vi: {name: …})", where.file, where.line_at(*loc))


@rule
def target_values(loaded: Loaded) -> None:
    """The domain's rules for a target's values, over all targets at once: finite numbers,
    a yes/no target 1 or 0, a range in order, a comparator and a period that fit the
    indicator."""
    placed = list(_all_targets(loaded))
    if not placed:
        return
    loaded.target_rows = target_frame(t for t, _, _ in placed)
    frame = loaded.target_rows.with_columns(
        pl.Series("file", [loc.file for _, loc, _ in placed], pl.String),
        pl.Series("line", [loc.line_at(*path) for _, loc, path in placed], pl.Int64))
    indicators: dict[str, Indicator] = _codes(loaded, "indicators")
    problems = target_problems(frame, indicators)
    for row in problems.iter_rows(named=True):
        loaded.error(row["code"], problem_of(row).message, row["file"], row["line"])


@rule
def indicator_references(loaded: Loaded) -> None:
    indicators = _codes(loaded, "indicators")
    sets = _codes(loaded, "criteria_sets")
    levels = _codes(loaded, "levels")
    for located in loaded.sections["indicators"]:
        ind: Indicator = located.item
        for field in ("weight", "numerator", "denominator"):
            _check_ref(loaded, "unknown-indicator", getattr(ind, field), indicators, located,
                       (field,), field)
        for i, component in enumerate(ind.components):
            _check_ref(loaded, "unknown-indicator", component, indicators, located,
                       ("components", i), "component")
        _check_ref(loaded, "unknown-criteria-set", ind.criteria_set, sets, located,
                   ("criteria_set",), "criteria set")
        _check_ref(loaded, "unknown-level", ind.of_level, levels, located, ("of_level",),
                   "level")
    for located in loaded.sections["observations"]:
        _check_ref(loaded, "unknown-indicator", located.item.indicator, indicators, located,
                   ("indicator",), "indicator")


@rule
def criteria_references(loaded: Loaded) -> None:
    indicators = _codes(loaded, "indicators")
    sets = _codes(loaded, "criteria_sets")
    units: dict[str, Unit] = _codes(loaded, "units")
    levels = _codes(loaded, "levels")
    for located in loaded.sections["criteria_sets"]:
        cset: CriteriaSet = located.item
        _check_ref(loaded, "unknown-level", cset.applies_to.level, levels, located,
                   ("applies_to", "level"), "level")
        for i, code in enumerate(cset.applies_to.units):
            _check_ref(loaded, "unknown-unit", code, units, located, ("applies_to", "units", i),
                       "unit")
        if cset.dimension_values and cset.dimension is None:
            loaded.error("invalid-value", f"set '{cset.code}' lists dimension_values but no "
                         "dimension; add e.g. 'dimension: region'", located.file,
                         located.line_at("dimension_values"))
        applied = [units[u] for u in applied_units(cset, units.values())]
        for i, criterion in enumerate(cset.criteria):
            for j, condition in enumerate(criterion.conditions):
                loc = ("criteria", i, "conditions", j)
                _check_ref(loaded, "unknown-indicator", condition.indicator, indicators,
                           located, (*loc, "indicator"), "indicator")
                _check_ref(loaded, "unknown-criteria-set", condition.set, sets, located,
                           (*loc, "set"), "criteria set")
                low, high = condition.threshold
                for threshold in (low, high):
                    if isinstance(threshold, dict):
                        _dimension_thresholds(loaded, cset, threshold, applied, located, loc)


def applied_units(cset: CriteriaSet, units: Iterable[Unit]) -> list[str]:
    """Codes of the units a set applies to (the engine uses the same selection)."""
    return [u.code for u in units if cset.applies_to.covers(u)]


def _dimension_thresholds(
    loaded: Loaded, cset: CriteriaSet, threshold: dict[str, float], applied: list[Unit],
    located: Located, loc: tuple[str | int, ...],
) -> None:
    line = located.line_at(*loc)
    if cset.dimension is None:
        loaded.error("invalid-value", f"a threshold by region or group needs the set "
                     f"'{cset.code}' to name its dimension (e.g. 'dimension: region')",
                     located.file, line)
        return
    declared = set(cset.dimension_values)
    for key in threshold:
        if key != "default" and key not in declared:
            loaded.error("unknown-dimension-value", f"'{key}' is not a {cset.dimension} of set "
                         f"'{cset.code}'{suggest(key, declared)} (declared: "
                         f"{', '.join(sorted(declared)) or 'none'})", located.file, line)
    for unit in applied:
        value = unit.attributes.get(cset.dimension)
        if value is None:
            if "default" not in threshold:
                loaded.error("missing-dimension", f"unit '{unit.code}' has no attribute "
                             f"'{cset.dimension}', which set '{cset.code}' needs; add "
                             f"'attributes: {{{cset.dimension}: …}}' to the unit",
                             located.file, line)
        elif value not in threshold and "default" not in threshold:
            loaded.error("missing-threshold", f"unit '{unit.code}' has {cset.dimension} "
                         f"'{value}', which has no threshold here; add '{value}: …' or "
                         "'default: …'", located.file, line)


@rule
def set_cycles(loaded: Loaded) -> None:
    indicators: dict[str, Indicator] = _codes(loaded, "indicators")
    graph: dict[str, set[str]] = {}
    for located in loaded.sections["criteria_sets"]:
        deps: set[str] = set()
        for criterion in located.item.criteria:
            for condition in criterion.conditions:
                if condition.set:
                    deps.add(condition.set)
                ind = indicators.get(condition.indicator or "")
                if ind is not None and ind.criteria_set:
                    deps.add(ind.criteria_set)
        graph[located.item.code] = deps
    for located in loaded.sections["criteria_sets"]:
        path = _cycle_from(located.item.code, graph)
        if path:
            loaded.error("set-cycle", "criteria sets depend on each other in a cycle: "
                         + " → ".join(path), located.file, located.line)


def _cycle_from(start: str, graph: dict[str, set[str]]) -> list[str] | None:
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    while stack:
        node, path = stack.pop()
        for dep in sorted(graph.get(node, ())):
            if dep == start:
                return [*path, dep]
            if dep not in path:
                stack.append((dep, [*path, dep]))
    return None


@rule
def csv_group_and_observation_periods(loaded: Loaded) -> None:
    groups = _codes(loaded, "groups")
    for located, group in loaded.csv_targets:
        if group is not None and group not in groups:
            loaded.error("unknown-group", f"group '{group}' is not defined"
                         f"{suggest(group, groups)}; define it under 'groups:'",
                         located.file, located.line)


def _all_observations(loaded: Loaded) -> pl.DataFrame:
    """Every observation, inline or from CSV, with its file and line."""
    inline = pl.DataFrame(
        [{"unit": loc.item.unit, "indicator": loc.item.indicator, "period": loc.item.period,
          "vintage": loc.item.vintage.value, "recorded_at": loc.item.recorded_at,
          "value": loc.item.value, "source": loc.item.source, "file": loc.file,
          "line": loc.line_at("value"), "period_line": loc.line_at("period")}
         for loc in loaded.sections["observations"]],
        schema={"unit": pl.String, "indicator": pl.String, "period": pl.String,
                "vintage": pl.String, "recorded_at": pl.String, "value": pl.Float64,
                "source": pl.String, "file": pl.String,
                "line": pl.Int64, "period_line": pl.Int64},
    )
    frames = [f.with_columns(pl.col("line").alias("period_line")).select(inline.columns)
              .cast(inline.schema) for f in loaded.observation_frames]
    return pl.concat([inline, *frames])


def _rows(loaded: Loaded, rows: pl.DataFrame, code: str, message: Callable[[dict[str, Any]],
          str], warning: bool = False) -> None:
    report = loaded.warn if warning else loaded.error
    for row in rows.head(20).iter_rows(named=True):
        report(code, message(row), row["file"], row["line"])


@rule
def observations(loaded: Loaded) -> None:
    """Checks over all observations at once: the domain's figure rule (values, periods,
    sources), duplicates across files, units outside their validity."""
    frame = _all_observations(loaded)
    if frame.is_empty():
        return
    indicators: dict[str, Indicator] = _codes(loaded, "indicators")
    units: dict[str, Unit] = _codes(loaded, "units")
    frame = frame.filter(pl.col("indicator").is_in(list(indicators))
                         & pl.col("unit").is_in(list(units)))
    if frame.is_empty():
        return
    periods = frame.get_column("period").unique().to_list()
    parsed = {p: Period.parse(p) for p in periods}
    frame = frame.with_columns(
        pl.col("period").replace_strict({p: v.start for p, v in parsed.items()},
                                        return_dtype=pl.Date).alias("start"),
        pl.col("period").replace_strict({p: v.end for p, v in parsed.items()},
                                        return_dtype=pl.Date).alias("end"),
    )
    problems = figure_problems(frame, indicators)
    if problems.height:
        problems = problems.with_columns(
            pl.when(pl.col("field") == "period").then(pl.col("period_line"))
            .otherwise(pl.col("line")).alias("line"))
        for (code,), rows in problems.group_by("code", maintain_order=True):
            _rows(loaded, rows, str(code), lambda r: problem_of(r).message)
    counted = [c for c, i in indicators.items() if i.derived_from_set]
    _rows(loaded, frame.filter(pl.col("indicator").is_in(counted)), "computed-indicator",
          lambda r: f"'{r['indicator']}' is counted from criteria set "
          f"'{indicators[r['indicator']].criteria_set}'; this figure is not used — remove it "
          "or record the units' criteria instead", warning=True)
    # The same figure twice: same unit, indicator, period, vintage and recording time (a
    # later recording of a vintage is a revision, and the latest wins).
    key = ["unit", "indicator", "period", "vintage", "recorded_at"]
    first = frame.group_by(key, maintain_order=True).agg(
        pl.col("file").first().alias("first_file"), pl.col("line").first().alias("first_line"))
    repeated = frame.join(first, on=key, nulls_equal=True).filter(
        (pl.col("file") != pl.col("first_file")) | (pl.col("line") != pl.col("first_line")))
    repeated = repeated.filter(pl.col("file").str.ends_with(".csv").not_()
                               | (pl.col("file") != pl.col("first_file")))
    _rows(loaded, repeated, "duplicate-observation",
          lambda r: f"{r['unit']} {r['indicator']} {r['period']} ({r['vintage']}) is also "
          f"given at {r['first_file']}:{r['first_line']}; keep one")
    validity = pl.DataFrame(
        {"unit": list(units), "valid_from": [u.valid_from for u in units.values()],
         "valid_to": [u.valid_to for u in units.values()]},
        schema={"unit": pl.String, "valid_from": pl.Date, "valid_to": pl.Date},
    )
    outside = frame.join(validity, on="unit").filter(
        (pl.col("valid_from").is_not_null() & (pl.col("end") < pl.col("valid_from")))
        | (pl.col("valid_to").is_not_null() & (pl.col("start") > pl.col("valid_to")))
    )
    _rows(loaded, outside, "unit-not-valid",
          lambda r: f"unit '{r['unit']}' does not exist in {r['period']} "
          f"({_validity(r['valid_from'], r['valid_to'])}); the figure is not used",
          warning=True)


def _validity(start: object, end: object) -> str:
    if start and end:
        return f"valid from {start} to {end}"
    return f"valid from {start}" if start else f"valid until {end}"


@rule
def component_cycles(loaded: Loaded) -> None:
    graph = {loc.item.code: set(loc.item.components) for loc in loaded.sections["indicators"]}
    for located in loaded.sections["indicators"]:
        path = _cycle_from(located.item.code, graph)
        if path:
            loaded.error("component-cycle", "an indicator is part of its own total: "
                         + " → ".join(path) + "; remove one of these components",
                         located.file, located.line_at("components"))


@rule
def targets_within_their_group(loaded: Loaded) -> None:
    for located in loaded.sections["groups"]:
        group: TargetGroup = located.item
        span = Period.parse(group.period)
        for i, target in enumerate(group.targets):
            if target.period and not Period.parse(target.period).contains(span) and not (
                    span.contains(Period.parse(target.period))):
                loaded.error("target-period", f"the target for '{target.indicator}' is for "
                             f"{target.period}, which does not overlap the group's period "
                             f"{group.period}; move it to a group of its period",
                             located.file, located.line_at("targets", i, "period"))


@rule
def sets_apply_to_units(loaded: Loaded) -> None:
    units: dict[str, Unit] = _codes(loaded, "units")
    if loaded.invalid_codes.get("units") or loaded.unreadable_codes:
        return  # some units could not be read: which ones a set applies to is not known
    for located in loaded.sections["criteria_sets"]:
        cset: CriteriaSet = located.item
        if units and not applied_units(cset, units.values()):
            loaded.warn("set-applies-to-nothing", f"set '{cset.code}' applies to no unit "
                        "(check applies_to: level, units and where); it is never evaluated",
                        located.file, located.line_at("applies_to"))


@rule
def sets_in_force(loaded: Loaded) -> None:
    """A criteria set not in force at any time of the project's period is never evaluated
    for it: a set of another time copied in (tieuchi criteria add), or dates mistyped."""
    project = next(iter(loaded.items("project")), None)
    if project is None or project.period is None:
        return
    period = Period.parse(project.period)
    for located in loaded.sections["criteria_sets"]:
        cset: CriteriaSet = located.item
        if not cset.is_effective(period.start, period.end):
            span = f"{cset.effective_from or '…'} to {cset.effective_to or '…'}"
            loaded.warn("set-not-in-force", f"set '{cset.code}' is in force from {span}, not in "
                        f"the project's period {period.code}: it is not evaluated for it; "
                        "choose the set of that time (tieuchi criteria list) or check the "
                        "dates", located.file, located.line_at("effective_from"))


@rule
def empty_groups(loaded: Loaded) -> None:
    in_csv = {group for _, group in loaded.csv_targets if group}
    for located in loaded.sections["groups"]:
        group: TargetGroup = located.item
        if not group.targets and group.code not in in_csv:
            loaded.warn("empty-group", f"group '{group.code}' has no target; add targets under "
                        "'targets:' or with its code in the 'group' column of a targets CSV",
                        located.file, located.line)


@rule
def report_references(loaded: Loaded) -> None:
    groups = _codes(loaded, "groups")
    sets = _codes(loaded, "criteria_sets")
    units = _codes(loaded, "units")
    indicators = _codes(loaded, "indicators")
    keys = {t.key for t, _, _ in _all_targets(loaded)}
    levels = _codes(loaded, "levels")
    for located in loaded.sections["report"]:
        for code in located.item.outlines:
            _check_ref(loaded, "unknown-unit", code, units | levels, located,
                       ("outlines", code), "unit or level")
        for at, i, section in _outline_sections(located.item):
            for j, item in enumerate(section.items):
                loc: tuple[str | int, ...] = (*at, "sections", i, "items", j)
                _check_ref(loaded, "unknown-group", item.group, groups, located,
                           (*loc, "group"), "group")
                _check_ref(loaded, "unknown-criteria-set", item.criteria_set, sets, located,
                           (*loc, "criteria_set"), "criteria set")
                _check_ref(loaded, "unknown-target", item.target, keys, located,
                           (*loc, "target"), "target")
                _check_ref(loaded, "unknown-unit", item.unit, units, located, (*loc, "unit"),
                           "unit")
                _check_ref(loaded, "unknown-indicator", item.indicator, indicators, located,
                           (*loc, "indicator"), "indicator")
                for k, highlight in enumerate(item.highlights):
                    where = (*loc, "highlights", k)
                    _check_ref(loaded, "unknown-target", highlight.target,
                               keys | set(indicators), located, where, "target or indicator")
                    _check_ref(loaded, "unknown-indicator", highlight.indicator, indicators,
                               located, (*where, "indicator"), "indicator")
                    _check_ref(loaded, "unknown-unit", highlight.unit, units, located,
                               (*where, "unit"), "unit")


@rule
def report_phrases(loaded: Loaded) -> None:
    """Each phrase of ``report.phrases`` is a phrase of the report and uses only the
    placeholders of the one it replaces, written as names alone: the report's own check
    (:func:`tieuchi.domain.words.with_phrases`), made when the folder is loaded so that
    ``tieuchi validate`` finds a wrong phrase at its line rather than the report failing."""
    for located in loaded.sections["report"]:
        for lang, phrases in located.item.phrases.items():
            for key, value in phrases.items():
                texts = value.items() if isinstance(value, dict) else [(None, value)]
                for sub, text in texts:
                    loc = (("phrases", lang, key) if sub is None
                           else ("phrases", lang, key, sub))
                    try:
                        phrase_placeholders(text)
                    except ValueError as exc:
                        loaded.error("invalid-value", f"report.{'.'.join(loc)}: {exc}",
                                     located.file, located.line_at(*loc))
                        continue
                    try:  # the message names the phrase: "vs_same_peroid: not a phrase …"
                        with_phrases(WORDS[lang], {key: {sub: text} if sub else text})
                    except ValueError as exc:
                        loaded.error("invalid-value", f"report.phrases.{lang}.{exc}",
                                     located.file, located.line_at(*loc))


def _outlines(outline: ReportOutline) -> Iterator[tuple[tuple[str, ...],
                                                         ReportOutline | UnitOutline]]:
    """The report's outline and its units' (``outlines``): (where it is written, it)."""
    yield (), outline
    for code, written in outline.outlines.items():
        yield ("outlines", code), written


def _outline_sections(outline: ReportOutline) -> Iterator[
        tuple[tuple[str, ...], int, ReportSection]]:
    """Each section of the report's outline and of its units' (``outlines``): (where the
    outline is, its position, the section)."""
    for at, written in _outlines(outline):
        for i, section in enumerate(written.sections):
            yield at, i, section


def _period_texts(loaded: Loaded) -> Iterator[tuple[str, str, Located, tuple[str | int, ...]]]:
    """Every title written over the period: (text, what it is, place, loc)."""
    for located in loaded.sections["report"]:
        outline = located.item
        for at, titled in _outlines(outline):
            for key in ("title", "title_en"):
                yield (getattr(titled, key), f"report.{'.'.join((*at, key))}", located,
                       (*at, key))
        for at, i, section in _outline_sections(outline):
            for key in ("title", "title_en"):
                prefix = "".join(f"{a}." for a in at)
                yield (getattr(section, key), f"report.{prefix}sections[{i}].{key}", located,
                       (*at, "sections", i, key))
    for located in loaded.sections["groups"]:
        for key in ("name", "name_en"):
            yield getattr(located.item, key), f"group '{located.item.code}' {key}", located, (
                key,)


@rule
def period_titles(loaded: Loaded) -> None:
    """Titles and group names may name the period evaluated ({period}, {year}) and nothing
    else: a wrong name would fail when the report is written, not when the folder loads."""
    allowed = ", ".join(f"{{{p}}}" for p in sorted(PERIOD_PLACEHOLDERS))
    for text, what, located, loc in _period_texts(loaded):
        if not text:
            continue
        try:
            unknown = sorted(phrase_placeholders(text) - PERIOD_PLACEHOLDERS)
        except ValueError as exc:
            loaded.error("invalid-value", f"{what}: {exc}", located.file,
                         located.line_at(*loc))
            continue
        if unknown:
            loaded.error("invalid-value", f"{what}: {{{unknown[0]}}} is not a placeholder of "
                         f"a title; write {allowed} (the period evaluated: \"năm 2022\", "
                         "\"2022\"), or a brace as {{ or }}", located.file,
                         located.line_at(*loc))


@rule
def dataset_references(loaded: Loaded) -> None:
    indicators = _codes(loaded, "indicators")
    levels = _codes(loaded, "levels")
    for located in loaded.sections["datasets"]:
        for i, code in enumerate(located.item.indicators):
            if not _check_ref(loaded, "unknown-indicator", code, indicators, located,
                              ("indicators", i), "indicator"):
                continue
            indicator: Indicator = indicators[code]
            if indicator.derived_from_set or indicator.components:
                origin = "a criteria set" if indicator.derived_from_set else "its components"
                loaded.error("derived-in-dataset", f"indicator '{code}' is computed (from "
                             f"{origin}), not entered; take it out of the data set",
                             located.file, located.line_at("indicators", i))
        for i, code in enumerate(located.item.levels):
            _check_ref(loaded, "unknown-level", code, levels, located, ("levels", i), "level")


# The shortest period of each kind, in days: a form due earlier than this before its
# period's end would be due before the period began.
_SHORTEST_DAYS = {PeriodKind.MONTH: 28, PeriodKind.QUARTER: 90, PeriodKind.HALF: 181,
                  PeriodKind.YTD: 31, PeriodKind.YEAR: 365, PeriodKind.MULTI_YEAR: 730}


@rule
def dataset_due(loaded: Loaded) -> None:
    """A form is due after its period has begun: ``due: -40`` for a monthly form is a
    mistake (the report would be due before the month starts)."""
    for located in loaded.sections["datasets"]:
        ds = located.item
        shortest = _SHORTEST_DAYS[ds.period]
        if ds.due is not None and ds.due <= -shortest:
            loaded.error("invalid-value", f"data set '{ds.code}': due {ds.due} is {-ds.due} "
                         f"days before the end of its period ({ds.period.value}), so before "
                         f"the period begins; give a number of days after the period's end "
                         f"(15), or before it down to {1 - shortest}", located.file,
                         located.line_at("due"))


class _Figures:
    """Whether a unit (or a unit below it) has a figure of an indicator (or of one it is made
    of) within a period, from the folder's observations: what a report can state."""

    def __init__(self, loaded: Loaded) -> None:
        frame = _all_observations(loaded).select("unit", "indicator", "period").unique()
        self.indicators: dict[str, Indicator] = _codes(loaded, "indicators")
        self.spans: dict[str, list[tuple[str, Period]]] = {}
        for unit, indicator, code in frame.iter_rows():
            try:
                self.spans.setdefault(indicator, []).append((unit, Period.parse(code)))
            except PeriodError:
                continue
        self.children: dict[str, list[str]] = {}
        for located in loaded.sections["units"]:
            if located.item.parent:
                self.children.setdefault(located.item.parent, []).append(located.item.code)

    def _below(self, unit: str) -> set[str]:
        found, stack = {unit}, [unit]
        while stack:
            for child in self.children.get(stack.pop(), []):
                if child not in found:
                    found.add(child)
                    stack.append(child)
        return found

    def _inputs(self, code: str) -> set[str]:
        found, stack = {code}, [code]
        while stack:
            ind = self.indicators.get(stack.pop())
            if ind is None:
                continue
            for c in (*ind.components, ind.numerator, ind.denominator, ind.weight):
                if c and c not in found:
                    found.add(c)
                    stack.append(c)
        return found

    def has(self, indicator: str, unit: str, period: Period) -> bool:
        ind = self.indicators.get(indicator)
        if ind is not None and ind.derived_from_set:  # counted from a set when evaluated
            return True
        units = self._below(unit)
        return any(u in units and period.contains(p)
                   for code in self._inputs(indicator) for u, p in self.spans.get(code, ()))


@rule
def stated_highlights(loaded: Loaded) -> None:
    """Each highlight and indicator item the project's period can state: a target of the
    period, else a figure within it (a criteria set's highlights are targets only)."""
    project = next(iter(loaded.items("project")), None)
    if project is None or project.period is None:
        return
    period = Period.parse(project.period)
    targets = {t.key: t for t, _, _ in _all_targets(loaded)}
    indicators = _codes(loaded, "indicators")
    figures: _Figures | None = None
    for located in loaded.sections["report"]:
        for where, i, section in _outline_sections(located.item):
            for j, item in enumerate(section.items):
                loc: tuple[str | int, ...] = (*where, "sections", i, "items", j)
                entries: list[tuple[Highlight, tuple[str | int, ...]]] = [
                    (h, (*loc, "highlights", k)) for k, h in enumerate(item.highlights)]
                if item.indicator:
                    entries.append((Highlight(indicator=item.indicator), (*loc, "indicator")))
                for h, at in entries:
                    unit = h.unit or item.unit or project.root
                    target = targets.get(h.key)
                    code = target.indicator if target else h.key
                    if code not in indicators or unit is None:
                        continue  # an unknown code is reported by report_references
                    if any(t.period and Period.parse(t.period).contains(period)
                           and (t is target or (target is None and t.indicator == code
                                                and t.unit == unit))
                           for t in targets.values()):
                        continue
                    who = h.unit or item.unit or (target.unit if target else unit) or unit
                    figures = figures or _Figures(loaded)
                    if item.criteria_set is None and figures.has(code, who, period):
                        continue
                    details = {"key": h.key, "period": period.code, "indicator": code,
                               "unit": who}
                    if target is not None:
                        details["why"] = (f"target '{h.key}' is for {target.period} and no "
                                          f"figure is within {period.code}")
                        details["why_vi"] = (f"chỉ tiêu '{h.key}' thuộc kỳ {target.period} và "
                                             f"chưa có số liệu trong kỳ {period.code}")
                    else:
                        details["why"] = "no target of the period and no figure within it"
                        details["why_vi"] = ("không có chỉ tiêu của kỳ và chưa có số liệu "
                                             "trong kỳ")
                    loaded.problems.append(problem(
                        "highlight-not-stated", details, file=located.file,
                        line=located.line_at(*at), severity=Severity.WARNING))


@rule
def count_statements(loaded: Loaded) -> None:
    """A highlight or item stated as a count (``state``) names an indicator that can give
    it (:func:`~tieuchi.domain.statements.state_misfit`)."""
    targets = {t.key: t for t, _, _ in _all_targets(loaded)}
    indicators: dict[str, Indicator] = _codes(loaded, "indicators")
    for located in loaded.sections["report"]:
        for where, i, section in _outline_sections(located.item):
            for j, item in enumerate(section.items):
                loc: tuple[str | int, ...] = (*where, "sections", i, "items", j)
                entries: list[tuple[str | None, State | None, tuple[str | int, ...]]] = [
                    (h.key, h.state, (*loc, "highlights", k))
                    for k, h in enumerate(item.highlights)]
                entries.append((item.indicator or item.target, item.state, loc))
                for key, state, at in entries:
                    if key is None or state is None:
                        continue
                    target = targets.get(key)
                    indicator = indicators.get(target.indicator if target else key)
                    why = state_misfit(state, indicator) if indicator else None
                    if indicator is None or why is None:
                        continue  # an unknown code is reported by report_references
                    loaded.problems.append(problem(
                        "state-not-possible", {"key": key, "state": str(state),
                                               "indicator": indicator.code, "why": why[0],
                                               "why_vi": why[1]},
                        file=located.file, line=located.line_at(*at)))


@rule
def base_periods(loaded: Loaded) -> None:
    """A relative target of part of a year compares with the same part of last year: when
    that has no figure and the whole year has, say so, with the fix (``baseline``)."""
    figures: _Figures | None = None
    for target, located, loc in _all_targets(loaded):
        if (target.relative is None or target.baseline or target.baseline_value is not None
                or target.period is None or target.unit is None):
            continue
        period = Period.parse(target.period)
        if period.kind in (PeriodKind.YEAR, PeriodKind.MULTI_YEAR):
            continue
        base = period.same_period_last_year()
        year = Period.parse(str(base.year))
        figures = figures or _Figures(loaded)
        if (figures.has(target.indicator, target.unit, base)
                or not figures.has(target.indicator, target.unit, year)):
            continue
        loaded.problems.append(problem(
            "base-without-data", {"indicator": target.indicator, "period": period.code,
                                  "base": base.code, "year": year.code},
            file=located.file, line=located.line_at(*loc), severity=Severity.WARNING))


@rule
def narrative_references(loaded: Loaded) -> None:
    """A narrative file's unit (its folder) is a unit of the folder; a target's cause names
    a target key."""
    units = _codes(loaded, "units")
    keys = {t.key for t, _, _ in _all_targets(loaded)}
    for narrative, file, lines in loaded.narratives:
        _check_ref(loaded, "unknown-unit", narrative.unit, units,
                   Located(None, file, 1, None), (), "unit (the narrative file's folder)")
        for (_, key), line in lines.items():
            if key:
                _check_ref(loaded, "unknown-target", key, keys, Located(None, file, line, None),
                           (), "target")


@rule
def split_weights(loaded: Loaded) -> None:
    """A unit split among several successors shares its figures by declared weights: a
    ``split`` gives one weight above 0 for each successor and no other; a unit with one
    successor has no ``split``; a unit with two or more and no ``split`` is carried to none
    of them (a warning, with the declaration to add)."""
    for located in loaded.sections["units"]:
        unit: Unit = located.item
        successors = list(dict.fromkeys(unit.successors))
        names = ", ".join(successors)
        example = "{" + ", ".join(f"{code}: …" for code in successors) + "}"
        details: dict[str, Any] = {"unit": unit.code, "successors": names,
                                   "count": len(successors), "example": example}
        if unit.split is None:
            if len(successors) >= 2:
                loaded.problems.append(problem(
                    "split-undeclared", details, file=located.file,
                    line=located.line_at("successors"), severity=Severity.WARNING))
            continue
        if len(successors) < 2:
            loaded.problems.append(problem("split-one-successor", details, file=located.file,
                                           line=located.line_at("split")))
            continue
        why = _split_misfit(unit.split.weights, successors)
        if why is not None:
            loaded.problems.append(problem(
                "split-weights", {**details, "why": why[0], "why_vi": why[1]},
                file=located.file, line=located.line_at("split", "weights")))


def _split_misfit(weights: dict[str, float], successors: list[str]) -> tuple[str, str] | None:
    """What is wrong with a split's weights (in English and Vietnamese), or None."""
    missing = [code for code in successors if code not in weights]
    extra = [code for code in weights if code not in successors]
    low = [code for code, weight in weights.items() if not 0 < weight < math.inf]
    if missing:
        return (f"give none for {', '.join(missing)}",
                f"thiếu trọng số của {', '.join(missing)}")
    if extra:
        return (f"name {', '.join(extra)}, not a successor",
                f"có {', '.join(extra)} không phải đơn vị kế thừa")
    if low:
        return (f"are not above 0 for {', '.join(low)}",
                f"của {', '.join(low)} không lớn hơn 0")
    return None
