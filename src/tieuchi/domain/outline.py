"""What a unit's report is about: the items of the outline that belong to the unit.

The outline (``report`` in the definitions) is written for the project's root unit. The
report on another unit states that unit's own results, never another's:

- the outline is the one written for the unit (``report.outlines[UNIT]``), else for its
  level (``report.outlines[LEVEL]``), else the report's;
- an item belongs to the unit when it is written with ``unit:`` of that unit or of a unit
  below it (a province's report may state a district's result), or, written
  without ``unit:``, when it is about the unit: a group of the unit, a target of the unit
  (a key that is not a target's, an indicator code, is the unit's own target), or a criteria
  set the unit or a unit below it is rated on. Other items are left out, and so are the
  highlights of another unit's targets;
- a unit none of whose items belongs to it gets a default outline (:func:`default_items`):
  its own groups and targets, then the criteria sets it or its units below are rated on.
"""

from __future__ import annotations

from collections.abc import Collection

import polars as pl

from tieuchi.domain.bundle import Definitions
from tieuchi.domain.project import ReportItem, ReportSection, UnitOutline

__all__ = ["written_outline", "own_sections", "default_items", "named_targets"]


def written_outline(defs: Definitions, unit: str) -> UnitOutline:
    """The outline written for ``unit``: its own, else its level's, else the report's."""
    report = defs.report
    found = defs.unit_by_code.get(unit)
    for code in (unit, found.level if found is not None else None):
        if code is not None and code in report.outlines:
            return report.outlines[code]
    return UnitOutline(title=report.title, title_en=report.title_en, sections=report.sections)


def _above(defs: Definitions, unit: str) -> set[str]:
    """The units above ``unit`` (its parent, the parent's parent, …)."""
    seen: set[str] = set()
    found = defs.unit_by_code.get(unit)
    while found is not None and found.parent and found.parent not in seen:
        seen.add(found.parent)
        found = defs.unit_by_code.get(found.parent)
    return seen


def _target_units(defs: Definitions) -> dict[str, str]:
    frame = defs.targets.select("key", "unit")
    return dict(zip(frame.get_column("key").to_list(), frame.get_column("unit").to_list(),
                    strict=True))


def own_sections(defs: Definitions, sections: tuple[ReportSection, ...], unit: str,
                 sets: Collection[str]) -> tuple[ReportSection, ...]:
    """The ``sections`` with the items that belong to ``unit`` (``sets``: the criteria sets
    it or a unit below it is rated on); a section left with no item is left out."""
    owners = _target_units(defs)

    def about(item: ReportItem) -> bool:
        if item.unit is not None:  # written for a unit: itself, or one below it
            return item.unit == unit or unit in _above(defs, item.unit)
        if item.group is not None:
            group = defs.group_by_code.get(item.group)
            return group is not None and group.unit == unit
        if item.target is not None:
            return owners.get(item.target, unit) == unit
        if item.indicator is not None:  # the unit's own figure of the indicator
            return True
        return item.criteria_set in sets

    out = []
    for section in sections:
        items = tuple(
            item.model_copy(update={"highlights": tuple(
                h for h in item.highlights  # a highlight written with its unit is kept
                if h.unit is not None
                or owners.get(h.key, item.unit or unit) == (item.unit or unit))})
            for item in section.items if about(item))
        if items:
            out.append(section.model_copy(update={"items": items}))
    return tuple(out)


def default_items(defs: Definitions, unit: str, sets: Collection[str]
                  ) -> tuple[tuple[ReportItem, ...], tuple[ReportItem, ...]]:
    """The default outline of ``unit``: (its groups, then its targets in no group), (the
    criteria sets it or its units below are rated on), in the order of the definitions."""
    grouped = set(defs.members.get_column("key").to_list())
    groups = tuple(ReportItem(group=g.code) for g in defs.groups if g.unit == unit)
    keys = defs.targets.filter((pl.col("unit") == unit) & ~pl.col("key").is_in(list(grouped)))
    targets = tuple(ReportItem(target=key) for key in keys.get_column("key").unique(
        maintain_order=True).to_list())
    return groups + targets, tuple(ReportItem(criteria_set=s.code)
                                   for s in defs.criteria_sets if s.code in sets)


def named_targets(defs: Definitions, unit: str) -> list[str]:
    """The target keys and indicator codes that the items of ``unit``'s outline name (its
    highlights and single targets), in order: the unit's key figures. Every criteria set
    counts as rated here: a set item only brings its highlights."""
    sets = {s.code for s in defs.criteria_sets}
    keys: list[str] = []
    for section in own_sections(defs, written_outline(defs, unit).sections, unit, sets):
        for item in section.items:
            keys.extend(item.highlight_keys)
            if item.target:
                keys.append(item.target)
    return keys
