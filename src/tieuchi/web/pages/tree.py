"""The unit tree: a unit and every unit below it that exists in the period, nested and
collapsible (``<details>``), each with its headline for the period and a link to it.

The headline is read off the unit's result in the read model: the one evaluation of the top
unit holds every target of its subtree with its assessment (:data:`STATUS_CLASS` gives each
its tone); nothing is evaluated here, unit by unit or otherwise.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from fastapi import Request
from fastapi.responses import HTMLResponse

from tieuchi.app import Action
from tieuchi.domain.status import Tone, count_tone
from tieuchi.web.app import render
from tieuchi.web.i18n import translator
from tieuchi.web.pages.common import CurrentUser, page_router
from tieuchi.web.security import Needs
from tieuchi.web.views import STATUS_CLASS, UnitView, open_unit

__all__ = ["router", "Headline", "headline", "Node"]

router = page_router()

OPEN_LEVELS = 1  # the top unit's list of units below is open; deeper lists start closed


@dataclass(frozen=True)
class Headline:
    """A unit's targets for the period by tone: met or on pace (``ok``), not met or behind
    (``bad``), without a figure yet (``none``)."""

    ok: int = 0
    bad: int = 0
    none: int = 0
    sets_passed: int = 0  # the criteria sets the unit itself is assessed against: told, not
    sets_total: int = 0  # coloured (whether a set is a goal is the set's target's to say)

    @property
    def total(self) -> int:
        return self.ok + self.bad + self.none

    @property
    def tone(self) -> str:
        """The colour of the unit's line: red when a target is not met or behind, green when
        every one is met or on pace, grey while figures are missing and none has failed,
        neutral (``info``) without targets."""
        if not self.total:
            return Tone.INFO.value
        return count_tone(self.total, self.bad, self.none).value  # the domain's rule


def headline(assessments: Iterable[str | None], sets: Iterable[bool] = ()) -> Headline:
    """The headline of a unit: its targets by the tone of their assessments as evaluated,
    and how many of its criteria sets it passes (``sets``: passed or not, one per set)."""
    tones = Counter(STATUS_CLASS.get(a or "", "none") for a in assessments)
    passed = list(sets)
    return Headline(ok=tones["ok"], bad=tones["bad"], none=tones["none"],
                    sets_passed=sum(passed), sets_total=len(passed))


@dataclass
class Node:
    code: str
    name: str
    headline: Headline
    depth: int
    children: list[Node] = field(default_factory=list)


def _tree(view: UnitView) -> Node:
    """The view's unit and the units below it that exist in the period, in the definitions'
    order, each with its headline."""
    start, end = view.period.start, view.period.end
    below: dict[str, list[str]] = {}
    for unit in view.light.units:
        if unit.parent and unit.valid_on(start, end):
            below.setdefault(unit.parent, []).append(unit.code)
    assessed = _by_unit(view.ev.targets, "assessment")
    sets = _by_unit(view.ev.sets.sets, "passed")

    def node(code: str, depth: int) -> Node:
        return Node(code, view.name(code),
                    headline(assessed.get(code, []), sets.get(code, [])), depth,
                    [node(c, depth + 1) for c in below.get(code, [])])

    return node(view.code, 0)


def _by_unit(frame: pl.DataFrame, column: str) -> dict[str, list[Any]]:
    """``column``'s values of each unit in ``frame`` (empty without rows: a project without
    criteria sets has a frame without columns)."""
    if not frame.height:
        return {}
    return dict(frame.group_by("unit").agg(pl.col(column)).select("unit", column).iter_rows())


def _text(h: Headline, lang: str) -> str:
    """"12/15 chỉ tiêu đạt · 2 chưa có số liệu · 3/3 bộ tiêu chí đạt chuẩn", as the line
    of the unit says it."""
    _ = translator(lang).gettext
    parts = []
    if h.total:
        parts.append(_("%(ok)s/%(total)s chỉ tiêu đạt") % {"ok": h.ok, "total": h.total})
    if h.none:
        parts.append(_("%(n)s chưa có số liệu") % {"n": h.none})
    if h.sets_total:
        parts.append(_("%(passed)s/%(total)s bộ tiêu chí đạt chuẩn") % {
            "passed": h.sets_passed, "total": h.sets_total})
    return " · ".join(parts) or _("Không có chỉ tiêu kỳ này")


def _rows(node: Node, lang: str) -> dict[str, Any]:
    return {"code": node.code, "name": node.name, "tone": node.headline.tone,
            "text": _text(node.headline, lang), "depth": node.depth,
            "open": node.depth < OPEN_LEVELS, "count": len(node.children),
            "children": [_rows(c, lang) for c in node.children]}


@router.get("/units/{code}/tree", dependencies=[Needs(Action.READ)])
def tree(request: Request, user: CurrentUser, code: str,
         period: str | None = None) -> HTMLResponse:
    """The unit and the units below it, with their headlines for the period."""
    view = open_unit(request, user, code, period)
    root = _rows(_tree(view), view.lang)
    return render(request, "tree.html", user=user, view=view, tab="tree", root=root)
