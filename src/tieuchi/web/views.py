"""What pages show, read off an evaluation: the web never recomputes a status.

A :class:`UnitView` is one unit's evaluation for a period, loaded from the store for that unit
and what lies under it only, with the wording of the report renderers (so the dashboard says
exactly what the report says).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import polars as pl
from fastapi import Request

from tieuchi.app import Action, App, Resource, UnknownUnit, allowed
from tieuchi.app.readmodel import Result
from tieuchi.domain.bundle import Definitions
from tieuchi.domain.indicators import Indicator, ValueType
from tieuchi.domain.outline import named_targets
from tieuchi.domain.periods import Period, PeriodError
from tieuchi.domain.problems import Problem, ProblemError, problem
from tieuchi.domain.status import (
    Pace,
    Status,
    Tone,
    all_missing,
    assessment_tone,
    count_tone,
    group_tone,
    result_tone,
)
from tieuchi.domain.units import Unit
from tieuchi.domain.words import WORDS
from tieuchi.engine import Evaluation
from tieuchi.reports.formatting import measured, number
from tieuchi.reports.text import (
    Context,
    actual_text,
    assessment_text,
    change_text,
    is_paced,
    plan_text,
    share_text,
)
from tieuchi.store import Store, User
from tieuchi.web.app import lang_of
from tieuchi.web.i18n import named, named_text, translator
from tieuchi.web.security import app_of, unit_versions

__all__ = ["UnitView", "open_unit", "shown_value", "refused", "picker_order", "STATUS_CLASS",
           "TONES"]

STATUS_CLASS: dict[str, str] = {s.value: assessment_tone(s).value for s in (*Status, *Pace)}
"""A target's assessment → the class of its tone (:func:`tieuchi.domain.status.
assessment_tone`): the pages read it, never decide it."""

TONES = tuple(t.value for t in Tone)


@dataclass
class UnitView:
    """``light`` are the unit's definitions without targets and figures (what the read
    model's results need); :attr:`definitions`, with them, are read only by the pages that
    use them (reports, target management, trends)."""

    app: App
    user: User
    unit: Unit
    light: Definitions
    period: Period
    lang: str
    crumbs: list[tuple[str, str, bool]] = field(default_factory=list)  # code, name, readable
    version: int = 0  # the unit's data version, read before the definitions
    defined: int = 0  # the definitions version, read with it
    path: list[str] = field(default_factory=list)  # the unit, then its parent, up to the top

    @property
    def store(self) -> Store:
        return self.app.store

    @cached_property
    def _resource(self) -> Resource:
        return self.app.resource(self.code)

    def may(self, action: Action | str) -> bool:
        """Whether the user may do ``action`` on the unit (the tabs the page shows)."""
        return allowed(self.user, Action(action), self._resource)

    @cached_property
    def definitions(self) -> Definitions:
        """The full definitions of the unit's subtree: targets and figures too."""
        return self.store.units.definitions(self.code)

    def result_of(self, period: Period | str) -> Result:
        """The unit's result for ``period`` from the read model (computed from the full
        definitions when it is stale)."""
        return self.app.results.result(self.code, period, self.light, self.version,
                                       full=lambda: self.definitions)

    @cached_property
    def result(self) -> Result:
        return self.result_of(self.period)

    @property
    def ev(self) -> Evaluation:
        """The unit's evaluation for the period, from the read model."""
        return self.result.evaluation

    @cached_property
    def full_ev(self) -> Evaluation:
        """The same evaluation over the full definitions, for the reports (their text reads
        the groups' members and the figures' sources)."""
        return self.app.results.evaluation(self.code, self.period, self.definitions,
                                           self.version)

    @cached_property
    def ctx(self) -> Context:
        return Context(self.ev, WORDS[self.lang], self.unit.code)

    @property
    def code(self) -> str:
        return self.unit.code

    def name(self, code: str | None = None) -> str:
        return self.ctx.unit_name(code or self.unit.code)

    @cached_property
    def periods(self) -> list[str]:
        """Periods to choose from: those with figures or targets in the unit's subtree
        (years, 9 months and other years to date, halves, quarters, months), and the
        current one, in :func:`picker_order`."""
        found = {Period.parse(c) for c in {*self.result.facts.periods, self.period.code}}
        return [p.code for p in sorted(found, key=picker_order)]

    @cached_property
    def period_choices(self) -> list[tuple[str, str]]:
        """:attr:`periods` with their labels in the page's language ("quý III/2023")."""
        return [(code, Period.parse(code).label(self.lang)) for code in self.periods]

    @cached_property
    def years(self) -> list[str]:
        """Up to five years up to the period's, for trends."""
        end = self.period.end.year
        observed = {Period.parse(c).start.year for c in self.periods}
        return [str(y) for y in range(end - 4, end + 1) if y in observed or y == end]

    # ---------------------------------------------------------------- dashboard parts

    def group_cards(self) -> list[dict[str, Any]]:
        """Each target group: how many of its targets are met, those not met, behind or
        without data (named in the page's language), and its tone (:func:`~tieuchi.domain.
        status.count_tone`): grey while none has a figure, never red."""
        rows = self.result.own("groups", self.code)
        cards = []
        for g in rows.iter_rows(named=True):
            group = self.light.group_by_code[g["group"]]
            achieved = g["exceeded"] + g["met"]
            tone = group_tone(g["total"], g["not_met"], g["behind"], g["no_data"],
                              g["partial"])
            cards.append({
                "code": g["group"],
                "name": group.title(self.period, self.lang),
                "achieved": achieved, "total": g["total"], "exceeded": g["exceeded"],
                "on_pace": g["ahead"] + g["on_track"],
                "complete": achieved == g["total"], "not_met": self._names(g["not_met_items"]),
                "no_data": self._names(g["no_data_items"]),
                "behind": self._names(g["behind_items"]), "partial": g["partial"],
                "tone": tone.value, "empty": all_missing(g["total"], g["no_data"]),
            })
        return cards

    @cached_property
    def _target_names(self) -> dict[str, Any]:
        """A target's display name → its name in the page's language (:func:`named`)."""
        out: dict[str, Any] = {}
        indicators = self.light.indicator_by_code
        for r in self.result.own("targets", self.code).select(
                "display_name", "indicator").iter_rows(named=True):
            ind = indicators.get(r["indicator"])
            out[r["display_name"]] = named(r["display_name"], ind.name_en if ind else None,
                                           self.lang)
        return out

    def _names(self, names: list[str]) -> list[Any]:
        return [self._target_names.get(n, n) for n in names]

    def target_name(self, r: dict[str, Any], text: bool = False) -> Any:
        """A target's full name for a table: its indicator's English name in English, else
        its display name, marked "vi" in English (``text``: as plain text, for a title)."""
        ind = self.light.indicator_by_code.get(r["indicator"])
        name = str(r["display_name"])
        show = named_text if text else named
        return show(name[:1].upper() + name[1:], ind.name_en if ind else None, self.lang)

    def target_rows(self, frame: pl.DataFrame | None = None) -> list[dict[str, Any]]:
        frame = self.result.own("targets", self.code) if frame is None else frame
        return [self.target_row(r) for r in frame.iter_rows(named=True)]

    def target_row(self, r: dict[str, Any]) -> dict[str, Any]:
        """A target as the tables show it: the report's words (:mod:`tieuchi.reports.text`:
        % of the target as the report writes it, none for a ceiling), each figure with its
        unit of measure, the tone of its assessment."""
        ctx = self.ctx
        return {
            "key": r["key"], "indicator": r["indicator"], "unit": r["unit"],
            "name": self.target_name(r), "name_text": self.target_name(r, text=True),
            "plan": plan_text(r, ctx, measured=True),
            "actual": actual_text(r, ctx, measured=True),
            "percent": share_text(r, ctx) if r["percent_of_target"] is not None else "",
            "change": change_text(r, ctx), "status": r["status"],
            "status_text": assessment_text(r, ctx),
            "status_class": STATUS_CLASS[r["assessment"]],
            "pace": ctx.words.pace[r["pace"]] if r["pace"] and not is_paced(r) else "",
            "source": self.source_text(r.get("actual_source"), r["indicator"]),
            "vintage": r.get("actual_vintage"),
        }

    def source_text(self, source: str | None, indicator: str | None) -> Any:
        """Where a figure comes from, as a reader names it: a count of units passing a
        criteria set names the set (never its code), else the source as entered."""
        ind = self.light.indicator_by_code.get(indicator or "")
        cset = self.light.set_by_code.get(ind.criteria_set or "") if ind else None
        if cset is not None:
            return translator(self.lang).gettext("Kết quả đánh giá theo %(set)s") % {
                "set": named(cset.name, cset.name_en, self.lang)}
        return source or ""

    def key_targets(self) -> list[dict[str, Any]]:
        """The report's highlighted figures for this unit, else its first targets."""
        keys = named_targets(self.light, self.code)
        mine = self.result.own("targets", self.code)
        chosen = mine.filter(pl.col("key").is_in(keys) | pl.col("indicator").is_in(keys))
        if not chosen.height:
            chosen = mine.head(6)
        rows = self.target_rows(chosen)
        trends = self.trends([r["indicator"] for r in rows])
        for row in rows:
            row["trend"] = trends.get(row["indicator"], [])
            row["spark"] = spark_points(row["trend"])
            indicator = self.light.indicator_by_code.get(row["indicator"])
            row["trend_text"] = ", ".join(f"{year}: {measured(value, indicator, self.lang)}"
                                          for year, value in row["trend"])
        return rows

    def trends(self, indicators: list[str]) -> dict[str, list[tuple[str, float | None]]]:
        if not indicators:
            return {}
        frames = [self.result_of(year).own("values", self.code).filter(
                  pl.col("indicator").is_in(indicators))
                  .select(pl.lit(year).alias("period"), "indicator", "value")
                  for year in self.years
                  if self.unit.valid_on(Period.parse(year).start, Period.parse(year).end)]
        values = pl.concat(frames) if frames else pl.DataFrame(
            schema={"period": pl.String, "indicator": pl.String, "value": pl.Float64})
        out: dict[str, list[tuple[str, float | None]]] = {}
        for code in indicators:
            found = dict(values.filter(pl.col("indicator") == code)
                         .select("period", "value").iter_rows())
            out[code] = [(y, found.get(y)) for y in self.years]
        return out

    def set_results(self) -> list[dict[str, Any]]:
        """Each criteria set: the unit's own result ("30/34 tiêu chí; chưa đạt: …") or how
        many of its units pass ("15/15 xã đạt chuẩn"), with its tone: a count of units is
        coloured by the unit's target on it if any (8 of 15 communes against "≥ 5" is
        met), else it is informational; nothing assessed yet is grey."""
        out = []
        names = {u.code: u.name for u in self.light.units}
        for cset in self.light.criteria_sets:
            own = self.result.own("sets.sets", self.code).filter(pl.col("set") == cset.code)
            summary = self.result.own("sets.summaries", self.code).filter(
                pl.col("set") == cset.code)
            name = named(cset.name, cset.name_en, self.lang)
            term = named_text(cset.term, cset.term_en, self.lang)
            # how many of its criteria were read in the legal text
            checked = {"verified_count": cset.verified_count(), "count": len(cset.criteria),
                       "fully_verified": cset.fully_verified, "criteria_term": term}
            if own.height:
                s = own.row(0, named=True)
                out.append({"code": cset.code, "name": name, "kind": "own",
                            "passed": s["passed"], "met": s["met"], "total": s["total"],
                            "term": term, "target": None,
                            "unmet": self.criteria_names(cset.code, s["unmet"]),
                            "no_data": self.criteria_names(cset.code, s["no_data_criteria"]),
                            "tone": result_tone(s["passed"]).value,
                            "empty": all_missing(s["total"], s["no_data"]), **checked})
            elif summary.height:
                s = summary.row(0, named=True)
                target = self.count_target(cset.code)
                failed = len(s["failed_units"])
                tone = count_tone(s["total"], failed, s["no_data"], asked=False,
                                  target=target["assessment"] if target else None)
                out.append({"code": cset.code, "name": name, "kind": "units",
                            "passed": s["passed"] == s["total"], "met": s["passed"],
                            "total": s["total"], "term": "",
                            "target": self.target_row(target) if target else None,
                            "unmet": [names.get(u, u) for u in s["failed_units"]],
                            "no_data": [names.get(u, u) for u in s["no_data_units"]],
                            "tone": tone.value, "empty": all_missing(s["total"], s["no_data"]),
                            **checked})
        return out

    def criteria_names(self, set_code: str, names: list[str]) -> list[Any]:
        """Criteria named by the evaluation (in Vietnamese) in the page's language."""
        cset = self.light.set_by_code.get(set_code)
        english = {c.name: c.name_en for c in cset.criteria} if cset else {}
        return [named(n, english.get(n), self.lang) for n in names]

    def count_target(self, set_code: str) -> dict[str, Any] | None:
        """The unit's target on a count of units passing ``set_code`` (the first, if
        several), or None."""
        counts = [i.code for i in self.light.indicators if i.criteria_set == set_code]
        if not counts:
            return None
        rows = self.result.own("targets", self.code).filter(pl.col("indicator").is_in(counts))
        return rows.row(0, named=True) if rows.height else None

    def children(self) -> list[Unit]:
        return [u for u in self.light.units if u.parent == self.code
                and u.valid_on(self.period.start, self.period.end)]


def picker_order(period: Period) -> tuple[int, int, int]:
    """The order of the period picker: the newest year first; within a year, the year, then
    the parts of it from the widest (9 months, 6 months, quarters, months), each the latest
    first (quý IV before quý III); several years before the year they end in."""
    return (-period.end.year, -period.kind.granularity, -period.end.toordinal())


def spark_points(trend: list[tuple[str, float | None]], width: int = 80,
                 height: int = 24) -> str:
    """SVG polyline points of a small trend; empty with fewer than two figures."""
    values = [v for _, v in trend if v is not None]
    if len(values) < 2:
        return ""
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    step = (width - 4) / (len(values) - 1)
    return " ".join(f"{2 + i * step:.1f},{height - 2 - (v - low) * (height - 4) / span:.1f}"
                    for i, v in enumerate(values))


def shown_value(value: float | None, indicator: Indicator | None, lang: str,
                decimals: int | None = None) -> str:
    """A figure as a table shows it: Đạt / Chưa đạt for yes/no, else the number with the
    indicator's decimals (or ``decimals``)."""
    if value is None:
        return "–"
    if indicator is not None and indicator.type is ValueType.YESNO and value in (0, 1):
        _ = translator(lang).gettext
        return _("Đạt") if value == 1 else _("Chưa đạt")
    places = decimals if decimals is not None else (indicator.decimals if indicator else 6)
    return number(value, lang, places)


def refused(code: str, message: str, **values: Any) -> ProblemError:
    """A request refused with ``code`` (``not-found``, ``invalid-request``) and a message of
    the catalogue, in both languages (the error page and the API show the user's)."""
    english = translator("en").gettext(message) % values
    return ProblemError([Problem(code, english, message % values)])


def open_unit(request: Request, user: User, code: str, period: str | None) -> UnitView:
    """The unit's view for ``period`` (default: the project's). Whether the user may see it
    was decided by the route's :class:`~tieuchi.web.security.Needs`."""
    app = app_of(request)
    version, defined = unit_versions(request, code)
    version, light = app.results.snapshot(code, data=False, versions=(version, defined))
    unit = light.unit_by_code.get(code)
    if unit is None:
        raise UnknownUnit(code)
    chosen = period or app.default_period(light)
    try:
        parsed = Period.parse(chosen)
    except PeriodError:
        raise ProblemError([problem("invalid-period", {"field": "period", "period": chosen},
                                    field="period")]) from None
    view = UnitView(app, user, unit, light, parsed, lang_of(request))
    view.version, view.defined = version, defined
    ancestry = app.results.ancestry(code)
    view.path = [c for c, _ in ancestry]
    for index in range(len(ancestry) - 1, 0, -1):
        ancestor, name = ancestry[index]
        view.crumbs.append((ancestor, name,
                            allowed(user, Action.READ, Resource.unit(view.path[index:]))))
    return view
