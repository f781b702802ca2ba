"""The criteria sets shipped with tieuchi: national sets with their legal sources.

Each shipped set is a definition file under ``data/criteria/`` (``<name>.yaml``), listed with
its title in ``data/criteria/index.yaml``. A file holds one or more ``criteria_sets`` (the
2026 admin-unit standards hold one set per kind of unit) and the ``indicators`` their
conditions need, so that it loads alone in a folder with units. Whether a criterion was read
in the legal text is the criterion's own ``verified``; this module only counts it.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

import yaml

from tieuchi.domain.base import fold
from tieuchi.domain.criteria import CriteriaSet
from tieuchi.domain.problems import Problem, ProblemError

__all__ = ["IN_FORCE", "HISTORY", "ShippedSet", "shipped_sets", "set_file", "files_for",
           "resolve"]

IN_FORCE = "in force"
HISTORY = "history"


@dataclass(frozen=True)
class ShippedSet:
    """One shipped file: its name (``tieuchi criteria add NAME``), title, the documents its
    sets come from, when it is in force, and how many of its criteria were read in the
    legal text (``verified``)."""

    name: str
    title: str
    title_en: str
    document: str
    effective_from: date | None
    effective_to: date | None
    criteria: int
    verified: int
    sets: tuple[CriteriaSet, ...]

    def status(self, on: date | None = None) -> str:
        """``in force`` on the day ``on`` (default today), else ``history``."""
        day = on or date.today()
        ended = self.effective_to is not None and self.effective_to < day
        return HISTORY if ended else IN_FORCE


def _data(name: str) -> str:
    return (resources.files("tieuchi.library") / "data" / "criteria" / name).read_text("utf-8")


@cache
def _index() -> tuple[dict[str, str], ...]:
    entries = yaml.safe_load(_data("index.yaml"))["sets"]
    return tuple({k: str(v) for k, v in entry.items()} for entry in entries)


def _names() -> list[str]:
    return [entry["name"] for entry in _index()]


def resolve(name: str) -> str:
    """The shipped name that ``name`` means: accents, case, spaces and a ``.yaml`` ending do
    not matter. Raises :class:`ProblemError` (``unknown-shipped-set``) with the closest
    names otherwise."""
    names = _names()
    key = fold(name).removesuffix(".yaml").replace(" ", "-")
    if key in names:
        return key
    close = difflib.get_close_matches(key, names, n=3, cutoff=0.5)
    quoted = ", ".join(f"'{c}'" for c in close)
    raise ProblemError([Problem(
        "unknown-shipped-set",
        f"no shipped criteria set is named '{name}'"
        + (f"; did you mean {quoted}?" if close else "")
        + f"; the shipped sets are: {', '.join(names)} (tieuchi criteria list)",
        f"không có bộ tiêu chí có sẵn nào tên là '{name}'"
        + (f"; có phải {quoted}?" if close else "")
        + f"; các bộ có sẵn: {', '.join(names)} (tieuchi criteria list)",
        field="name")])


def set_file(name: str) -> str:
    """The YAML text of the shipped set ``name``, to copy into a folder as it is."""
    return _data(f"{resolve(name)}.yaml")


@cache
def _shipped(name: str) -> ShippedSet:
    entry = next(e for e in _index() if e["name"] == name)
    data: dict[str, Any] = yaml.safe_load(_data(f"{name}.yaml"))
    sets = tuple(CriteriaSet.model_validate(item) for item in data["criteria_sets"])
    documents = list(dict.fromkeys(s.source.document for s in sets if s.source is not None))
    starts = [s.effective_from for s in sets]
    ends = [s.effective_to for s in sets]
    criteria = [c for s in sets for c in s.criteria]
    return ShippedSet(
        name=name, title=entry["title"], title_en=entry.get("title_en", entry["title"]),
        document="; ".join(documents),
        effective_from=None if None in starts else min(d for d in starts if d is not None),
        effective_to=None if None in ends else max(d for d in ends if d is not None),
        criteria=len(criteria), verified=sum(c.verified for c in criteria), sets=sets,
    )


def shipped_sets() -> list[ShippedSet]:
    """Every shipped set, in force first, in the order of the index."""
    return [_shipped(name) for name in _names()]


def files_for(name: str, have: set[str]) -> str:
    """The YAML text of the shipped set ``name`` without the definitions of the indicators
    whose codes are in ``have`` (the folder already defines them). Comments and the order
    of everything else are kept."""
    lines = set_file(name).splitlines(keepends=True)
    kept: list[str] = []
    section: str | None = None
    item: list[str] = []

    def flush() -> None:
        if item:
            code = (yaml.safe_load("".join(item)) or [{}])[0].get("code")
            if code not in have:
                kept.extend(item)
            item.clear()

    for line in lines:
        top = bool(line.strip()) and not line[0].isspace() and not line.startswith("#")
        if top:
            flush()
            section = line.split(":", 1)[0].strip()
            kept.append(line)
        elif section == "indicators" and line.startswith("  - "):
            flush()
            item.append(line)
        elif section == "indicators" and item and (line.startswith("    ") or not line.strip()):
            item.append(line)
        else:
            flush()
            kept.append(line)
    flush()
    text = "".join(kept)
    if not (yaml.safe_load(text) or {}).get("indicators"):  # every indicator dropped
        text = "".join(line for line in kept if line.rstrip() != "indicators:")
    return text
