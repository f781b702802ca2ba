"""Trends: one indicator of a unit over the years, and the units directly below it for the
period, as SVG charts drawn on the server by the report's chart stack
(:mod:`tieuchi.reports.charts`: the same functions draw the DOCX's PNG), each with its
figures in a table beside it. No script draws them.

Figures are read off the read model (the unit's result of each year, and of the period);
nothing is recomputed here.
"""

from __future__ import annotations

import threading
from typing import Any

import polars as pl
from fastapi import Request
from fastapi.responses import HTMLResponse

from tieuchi.app import Action
from tieuchi.domain.indicators import Indicator, ValueType
from tieuchi.domain.outline import named_targets
from tieuchi.domain.ruleset import is_yes
from tieuchi.domain.status import Comparator
from tieuchi.reports.charts import ACHIEVED, NO_DATA, NOT_MET, PLAIN, Bars, Line, svg, warm
from tieuchi.reports.formatting import number
from tieuchi.reports.text import assessment_text, unit_of_measure
from tieuchi.web.app import render
from tieuchi.web.i18n import N_, named_text, translator
from tieuchi.web.pages.common import CurrentUser, page_router
from tieuchi.web.security import Needs
from tieuchi.web.views import STATUS_CLASS, UnitView, open_unit, refused

__all__ = ["router"]

router = page_router()


def _warm_charts() -> None:
    """When the application starts: import the chart stack in the background (the first
    trend page or DOCX of a worker would otherwise wait about 1.5 s for it)."""
    threading.Thread(target=warm, name="tieuchi-charts-warm", daemon=True).start()


router.add_event_handler("startup", _warm_charts)

BAR_COLOURS = {"ok": ACHIEVED, "bad": NOT_MET, "none": NO_DATA, "": PLAIN}

Target = tuple[float | None, tuple[float, float] | None, str]  # value, range, basis


def _with_measure(text: str, measure: str) -> str:
    if not measure or not text:
        return text
    return text + measure if measure == "%" else f"{text} {measure}"


def _options(view: UnitView) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Indicators with a target in the subtree, then those with figures only."""
    defs, facts = view.light, view.result.facts
    targeted, observed = facts.targeted, facts.observed
    assigned: list[dict[str, str]] = []
    figures: list[dict[str, str]] = []
    for ind in defs.indicators:
        if ind.code not in targeted and ind.code not in observed:
            continue
        measure = unit_of_measure(ind.code, view.ctx)
        label = named_text(ind.name, ind.name_en, view.lang) + (
            f" ({measure})" if measure else "")
        (assigned if ind.code in targeted else figures).append({"code": ind.code,
                                                                "label": label})
    return assigned, figures


def _default_indicator(view: UnitView, options: list[dict[str, str]]) -> str | None:
    """The first of the unit's key targets (in the report's order), else the first of its
    targets, else the first indicator with figures of its own (a number rather than a yes/no),
    else the first with figures below it."""
    defs = view.light
    keys = named_targets(defs, view.code)
    mine = view.result.own("targets", view.code)
    by_key = dict(mine.select("key", "indicator").iter_rows())
    indicators = set(by_key.values())
    for key in keys:
        if key in by_key:
            return str(by_key[key])
        if key in indicators:
            return key
    if mine.height:
        return str(mine.row(0, named=True)["indicator"])
    own = view.result.facts.own
    listed = [o["code"] for o in options]
    numeric = [c for c in listed if defs.indicator_by_code[c].type is not ValueType.YESNO]
    for code in [*numeric, *listed]:
        if code in own:
            return code
    fallback = numeric or listed
    return fallback[0] if fallback else None


def _split(comparator: str | None, low: float, high: float | None
           ) -> tuple[float | None, tuple[float, float] | None]:
    """A target as the charts draw it: a range target ("trong khoảng") as a band, any other
    as a value on the target line."""
    if comparator == Comparator.WITHIN.value and high is not None:
        return None, (low, high)
    return low, None


def _targets_by_year(view: UnitView, indicator: str) -> dict[str, Target]:
    """The unit's target of each year shown, with its basis: the evaluated threshold for the
    period, the assigned absolute value for the other years."""
    found: dict[str, Target] = {}
    assigned = view.app.results.targets(view.code, [indicator]).filter(
        pl.col("period").is_in(view.years) & pl.col("value").is_not_null()
        & pl.col("relative").is_null())
    for r in assigned.iter_rows(named=True):
        found.setdefault(r["period"], (*_split(r["comparator"], float(r["value"]),
                                               r["value_high"]), r["basis"] or "plan"))
    current = view.result.own("targets", view.code).filter(
        (pl.col("indicator") == indicator) & pl.col("target").is_not_null())
    if current.height and view.period.code in view.years:
        r = current.row(0, named=True)
        found[view.period.code] = (*_split(r["comparator"], float(r["target"]),
                                           r.get("value_high")), r["basis"] or "plan")
    return found


def _text(view: UnitView, indicator: Indicator, value: float | None) -> str:
    """A figure as the pages write it: "43.799", "Có"/"Không" for a yes/no indicator."""
    if value is None:
        return ""
    if indicator.type is ValueType.YESNO:
        return view.ctx.words.comparator["yes" if is_yes(value) else "no"]
    return number(value, view.lang, indicator.decimals)


def _target_text(view: UnitView, indicator: Indicator, target: Target | None,
                 measure: str) -> str:
    """A year's target as the table beside the chart writes it: "43.000 tỷ đồng", a range
    "80 – 90%"."""
    if target is None:
        return ""
    value, band, _ = target
    if band is not None:
        return _with_measure(f"{_text(view, indicator, band[0])} – "
                             f"{_text(view, indicator, band[1])}", measure)
    return _with_measure(_text(view, indicator, value), measure)


def _line(view: UnitView, indicator: Indicator, name: str, measure: str,
          points: list[tuple[str, float | None]], targets: dict[str, Target]) -> Line:
    _ = translator(view.lang).gettext
    years = [y for y, _v in points]
    target_name = view.ctx.basis(next(iter(targets.values()))[2]).column_text if targets \
        else ""  # "Kế hoạch", "Dự toán"
    labels = tuple(_text(view, indicator, v) for _y, v in points)
    shown = [f"{y}: {_with_measure(label, measure)}" for (y, v), label in zip(
        points, labels, strict=True) if v is not None]
    comparator = view.ctx.words.comparator
    return Line(
        categories=tuple(years), values=tuple(v for _y, v in points), labels=labels,
        targets=tuple(targets[y][0] if y in targets else None for y in years),
        bands=tuple(targets[y][1] if y in targets else None for y in years),
        actual_name=_("Thực hiện"), target_name=target_name,
        band_name=f"{target_name} ({comparator['within']})", measure=measure,
        ticks=((0.0, comparator["no"]), (1.0, comparator["yes"]))
        if indicator.type is ValueType.YESNO else (),
        lang=view.lang, title=_("%(name)s qua các năm") % {"name": name},
        description="; ".join(shown))


def _children_rows(view: UnitView, indicator: Indicator) -> list[dict[str, Any]]:
    """The units directly below with a figure for the period, largest first."""
    children = [u.code for u in view.children()]
    if not children:
        return []
    values = view.ev.values.filter((pl.col("indicator") == indicator.code)
                                   & pl.col("unit").is_in(children)
                                   & pl.col("value").is_not_null())
    targets = {r["unit"]: r for r in view.ev.targets.filter(
        (pl.col("indicator") == indicator.code) & pl.col("unit").is_in(children)
    ).iter_rows(named=True)}
    rows = []
    for unit, value in values.select("unit", "value").iter_rows():
        target = targets.get(unit)  # its assessment: the pace while its period is open
        mark, band = _split(target["comparator"], float(target["target"]),
                            target.get("value_high")) if target and target["target"] \
            is not None else (None, None)
        rows.append({"code": unit, "name": view.name(unit), "value": float(value),
                     "text": _text(view, indicator, value), "mark": mark, "band": band,
                     "status_class": STATUS_CLASS.get(target["assessment"], "")
                     if target else "",
                     "status_text": assessment_text(target, view.ctx) if target else ""})
    rows.sort(key=lambda r: -r["value"])
    return rows


def _bars(view: UnitView, indicator: Indicator, name: str, measure: str,
          rows: list[dict[str, Any]]) -> Bars:
    _ = translator(view.lang).gettext
    period = view.period.label(view.lang)
    return Bars(
        names=tuple(r["name"] for r in rows), values=tuple(r["value"] for r in rows),
        labels=tuple(r["text"] for r in rows),
        colours=tuple(BAR_COLOURS[r["status_class"]] for r in rows),
        marks=tuple(r["mark"] for r in rows), bands=tuple(r["band"] for r in rows),
        target_name=_("Chỉ tiêu được giao"),
        band_name=f"{_('Chỉ tiêu được giao')} ({view.ctx.words.comparator['within']})",
        lang=view.lang,
        title=_("%(name)s của các đơn vị trực thuộc, %(period)s") % {"name": name,
                                                                    "period": period},
        description="; ".join(f"{r['name']}: {_with_measure(r['text'], measure)}"
                              + (f" ({r['status_text']})" if r["status_text"] else "")
                              for r in rows))


@router.get("/units/{code}/trend", dependencies=[Needs(Action.READ)])
def trend(request: Request, user: CurrentUser, code: str, period: str | None = None,
          indicator: str = "") -> HTMLResponse:
    """An indicator of the unit over the years, and the units below it for the period."""
    view = open_unit(request, user, code, period)
    assigned, figures = _options(view)
    chosen = indicator or _default_indicator(view, assigned + figures)
    context: dict[str, Any] = {"assigned": assigned, "figures": figures,
                               "chosen": chosen, "ind": None}
    if chosen:
        ind = view.light.indicator_by_code.get(chosen)
        if ind is None:
            raise refused("not-found", N_("Không có chỉ tiêu “%(indicator)s”."),
                          indicator=chosen)
        measure = unit_of_measure(ind.code, view.ctx)
        name = named_text(ind.name, ind.name_en, view.lang)
        points = view.trends([ind.code])[ind.code]
        targets = _targets_by_year(view, ind.code)
        children = _children_rows(view, ind)
        line = _line(view, ind, name, measure, points, targets)
        target_row = view.result.own("targets", code).filter(pl.col("indicator") == ind.code)
        context.update(
            ind=ind, measure=measure,
            points=[{"year": y, "value": _with_measure(_text(view, ind, v), measure)
                     if v is not None else "–",
                     "target": _target_text(view, ind, targets.get(y), measure)}
                    for y, v in points],
            has_points=any(v is not None for _, v in points),
            target_name=line.target_name if targets else "",
            line_svg=svg(line) if any(v is not None for _, v in points) else "",
            children=[{**r, "shown": _with_measure(r["text"], measure)} for r in children],
            has_children=bool(view.children()),
            bars_svg=svg(_bars(view, ind, name, measure, children)) if children else "",
            target_key=target_row.row(0, named=True)["key"] if target_row.height else None,
        )
    return render(request, "trend.html", user=user, view=view, tab="trend", **context)
