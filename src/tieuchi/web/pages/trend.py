
"""Trends: one indicator of a unit over the years, and the units directly below it for the
period, as plotly charts (the script is served from the installed package, never a CDN).

Figures are read off the read model (the unit's result of each year, and of the period);
nothing is recomputed here.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse

from tieuchi.app import Action
from tieuchi.domain.indicators import Indicator, ValueType
from tieuchi.domain.outline import named_targets
from tieuchi.domain.ruleset import is_yes
from tieuchi.reports.formatting import lower_first, number
from tieuchi.reports.text import assessment_text
from tieuchi.web.app import render
from tieuchi.web.pages.common import CurrentUser, page_router
from tieuchi.web.security import Needs
from tieuchi.web.views import STATUS_CLASS, UnitView, open_unit

__all__ = ["router", "WORDS"]

router = page_router()

WORDS: dict[str, dict[str, str]] = {
    "vi": {
        "indicator": "Chỉ tiêu",
        "show": "Xem",
        "assigned": "Có chỉ tiêu được giao",
        "figures_only": "Có số liệu",
        "none": "Chưa có chỉ tiêu hay số liệu nào để vẽ diễn biến.",
        "over_years": "{name} qua các năm",
        "by_unit": "{name} của các đơn vị trực thuộc, {period}",
        "actual": "Thực hiện",
        "year": "Năm",
        "no_figures": "Chưa có số liệu của {unit} về chỉ tiêu này trong các năm {years}.",
        "no_children": "Các đơn vị trực thuộc chưa có số liệu về chỉ tiêu này trong {period}.",
        "details": "Chi tiết chỉ tiêu",
    },
    "en": {
        "indicator": "Indicator",
        "show": "Show",
        "assigned": "With a target",
        "figures_only": "With figures",
        "none": "No target or figure to chart yet.",
        "over_years": "{name} over the years",
        "by_unit": "{name} of the units below, {period}",
        "actual": "Actual",
        "year": "Year",
        "no_figures": "{unit} has no figure for this indicator in {years}.",
        "no_children": "The units below have no figure for this indicator for {period}.",
        "details": "Target details",
    },
}

INK, LINK, ACCENT, MUTED = "#1d2433", "#174ea6", "#b3261e", "#667085"
BAR_COLOURS = {"ok": "#1e7b3c", "bad": "#b42318", "none": "#c9a227", "": LINK}
FONT = '"Segoe UI", "Noto Sans", "DejaVu Sans", Roboto, Arial, sans-serif'


def _name(indicator: Indicator, lang: str) -> str:
    return (indicator.name_en or indicator.name) if lang == "en" else indicator.name


def _measure(indicator: Indicator, lang: str) -> str:
    if not indicator.unit:
        return ""
    return (indicator.unit_en or indicator.unit) if lang == "en" else indicator.unit


def _with_measure(text: str, measure: str) -> str:
    if not measure:
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
        measure = _measure(ind, view.lang)
        label = _name(ind, view.lang) + (f" ({measure})" if measure else "")
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


def _targets_by_year(view: UnitView, indicator: str) -> dict[str, tuple[float, str]]:
    """The unit's target of each year shown, with its basis: the evaluated threshold for the
    period, the assigned absolute value for the other years."""
    found: dict[str, tuple[float, str]] = {}
    assigned = view.app.results.targets(view.code, [indicator]).filter(
        pl.col("period").is_in(view.years) & pl.col("value").is_not_null()
        & pl.col("relative").is_null())
    for r in assigned.iter_rows(named=True):
        found.setdefault(r["period"], (float(r["value"]), r["basis"] or "plan"))
    current = view.result.own("targets", view.code).filter(
        (pl.col("indicator") == indicator) & pl.col("target").is_not_null())
    if current.height and view.period.code in view.years:
        r = current.row(0, named=True)
        found[view.period.code] = (float(r["target"]), r["basis"] or "plan")
    return found


def _layout(view: UnitView, measure: str, **extra: Any) -> dict[str, Any]:
    return {
        "separators": ",." if view.lang == "vi" else ".,",
        "font": {"family": FONT, "size": 13, "color": INK},
        "paper_bgcolor": "#fff", "plot_bgcolor": "#fff",
        "margin": {"l": 10, "r": 20, "t": 20, "b": 40},
        "showlegend": True,
        "legend": {"orientation": "h", "x": 0, "y": 1.12},
        "hoverlabel": {"font": {"family": FONT}},
        **extra,
    }


def _text(view: UnitView, indicator: Indicator, value: float | None) -> str:
    """A figure as the pages write it: "43.799", "Có"/"Không" for a yes/no indicator."""
    if value is None:
        return ""
    if indicator.type is ValueType.YESNO:
        return view.ctx.words.comparator["yes" if is_yes(value) else "no"]
    return number(value, view.lang, indicator.decimals)


def _value_axis(view: UnitView, indicator: Indicator, measure: str) -> dict[str, Any]:
    """The axis of the values: yes/no as two ticks, numbers in the language's format."""
    axis: dict[str, Any] = {"title": {"text": measure}, "automargin": True,
                            "gridcolor": "#e6e9ef", "zerolinecolor": "#d8dde6"}
    if indicator.type is ValueType.YESNO:
        comparator = view.ctx.words.comparator
        return {**axis, "tickvals": [0, 1], "ticktext": [comparator["no"], comparator["yes"]],
                "range": [-0.2, 1.3]}
    return {**axis, "tickformat": ",~r", "rangemode": "tozero"}


def _line_figure(view: UnitView, indicator: Indicator,
                 points: list[tuple[str, float | None]],
                 targets: dict[str, tuple[float, str]]) -> dict[str, Any]:
    lang, measure = view.lang, _measure(indicator, view.lang)
    words = WORDS[lang]
    suffix = _with_measure("", measure)
    years = [y for y, _ in points]
    data: list[dict[str, Any]] = [{
        "type": "scatter", "mode": "lines+markers+text", "name": words["actual"],
        "x": years, "y": [v for _, v in points],
        "text": [_text(view, indicator, v) for _, v in points],
        "textposition": "top center", "cliponaxis": False,
        "hovertemplate": f"%{{text}}{suffix}<extra>{words['actual']}</extra>",
        "line": {"color": LINK, "width": 3}, "marker": {"size": 9, "color": LINK},
        "connectgaps": False,
    }]
    if targets:
        basis = next(iter(targets.values()))[1]
        name = view.ctx.basis(basis).column_text  # "Kế hoạch", "Dự toán"
        planned = [targets[y][0] if y in targets else None for y in years]
        data.append({
            "type": "scatter", "mode": "lines+markers", "name": name,
            "x": years, "y": planned, "text": [_text(view, indicator, v) for v in planned],
            "hovertemplate": f"%{{text}}{suffix}<extra>{name}</extra>",
            "line": {"color": ACCENT, "width": 2, "dash": "dash"},
            "marker": {"size": 9, "symbol": "diamond", "color": ACCENT},
            "connectgaps": False,
        })
    return {"data": data, "layout": _layout(
        view, measure, height=380, hovermode="x",
        xaxis={"type": "category", "title": {"text": words["year"]}, "automargin": True,
               "showgrid": False, "linecolor": MUTED},
        yaxis=_value_axis(view, indicator, measure),
    )}


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
        rows.append({"code": unit, "name": view.name(unit), "value": float(value),
                     "text": _text(view, indicator, value),
                     "status_class": STATUS_CLASS.get(target["assessment"], "")
                     if target else "",
                     "status_text": assessment_text(target, view.ctx) if target else ""})
    rows.sort(key=lambda r: -r["value"])
    return rows


def _bar_figure(view: UnitView, indicator: Indicator,
                rows: list[dict[str, Any]]) -> dict[str, Any]:
    measure = _measure(indicator, view.lang)
    suffix = _with_measure("", measure)
    ordered = list(reversed(rows))  # plotly draws horizontal bars from the bottom up
    return {"data": [{
        "type": "bar", "orientation": "h",
        "x": [r["value"] for r in ordered], "y": [r["name"] for r in ordered],
        "text": [r["text"] for r in ordered], "textposition": "outside", "cliponaxis": False,
        "customdata": [r["status_text"] for r in ordered],
        "hovertemplate": f"%{{y}}: %{{text}}{suffix}"
                         + ("<br>%{customdata}" if any(r["status_text"] for r in rows) else "")
                         + "<extra></extra>",
        "marker": {"color": [BAR_COLOURS[r["status_class"]] for r in ordered]},
    }], "layout": _layout(
        view, measure, height=max(240, 30 * len(rows) + 90), showlegend=False,
        margin={"l": 10, "r": 60, "t": 10, "b": 40}, bargap=0.3,
        xaxis=_value_axis(view, indicator, measure),
        yaxis={"automargin": True, "type": "category", "ticklabelstandoff": 6},
    )}


def _points(view: UnitView, indicator: str) -> list[tuple[str, float | None]]:
    """The unit's value of each of the view's years (None without a figure)."""
    return view.trends([indicator])[indicator]


@router.get("/units/{code}/trend", dependencies=[Needs(Action.READ)])
def trend(request: Request, user: CurrentUser, code: str, period: str | None = None,
          indicator: str = "") -> HTMLResponse:
    """An indicator of the unit over the years, and the units below it for the period."""
    view = open_unit(request, user, code, period)
    words = WORDS[view.lang]
    assigned, figures = _options(view)
    chosen = indicator or _default_indicator(view, assigned + figures)
    context: dict[str, Any] = {"assigned": assigned, "figures": figures, "tw": words,
                               "chosen": chosen, "ind": None,
                               "unit_in_text": lower_first(view.name()) if view.lang == "vi"
                               else view.name()}
    if chosen:
        ind = view.light.indicator_by_code.get(chosen)
        if ind is None:
            raise HTTPException(404, f"indicator '{chosen}' does not exist")
        measure = _measure(ind, view.lang)
        points = _points(view, ind.code)
        targets = _targets_by_year(view, ind.code)
        children = _children_rows(view, ind)
        target_row = view.result.own("targets", code).filter(pl.col("indicator") == ind.code)
        context.update(
            ind=ind, name=_name(ind, view.lang), measure=measure,
            points=[{"year": y, "value": _with_measure(_text(view, ind, v), measure)
                     if v is not None else "–",
                     "target": _with_measure(_text(view, ind, targets[y][0]), measure)
                     if y in targets else ""}
                    for y, v in points],
            has_points=any(v is not None for _, v in points),
            has_targets=bool(targets),
            line=_line_figure(view, ind, points, targets),
            children=children, has_children=bool(view.children()),
            bars=_bar_figure(view, ind, children) if children else None,
            target_key=target_row.row(0, named=True)["key"] if target_row.height else None,
        )
    return render(request, "trend.html", user=user, view=view, tab="trend", **context)

