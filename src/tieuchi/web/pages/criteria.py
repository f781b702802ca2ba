
"""Criteria sets: the sets that concern a unit, the matrix of one set (units × criteria) and
the conditions behind one cell of it.

Every status shown is read off the evaluation (``ev.sets``); nothing is recomputed here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl
from fastapi import Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from tieuchi.app import Action
from tieuchi.domain.criteria import CriteriaSet, Criterion, Provenance, address
from tieuchi.domain.ruleset import is_yes
from tieuchi.domain.status import Status, all_missing, result_tone
from tieuchi.reports.formatting import measure_of, measured, number, short_date
from tieuchi.reports.text import set_noun
from tieuchi.web.app import render
from tieuchi.web.i18n import N_, named, named_text, translator
from tieuchi.web.pages.common import CurrentUser, page_router
from tieuchi.web.security import Needs
from tieuchi.web.views import STATUS_CLASS, UnitView, open_unit, refused

router = page_router()

RULES: dict[str, str] = {
    "all": N_("Đạt chuẩn khi đạt tất cả %(n)s %(term)s."),
    "one": N_("Đạt chuẩn khi đạt %(term)s này."),
    "at_least": N_("Đạt chuẩn khi đạt từ %(k)s/%(n)s %(term)s trở lên."),
    "at_least_share": N_("Đạt chuẩn khi đạt từ %(k)s%% số %(term)s trở lên."),
    "mandatory_plus": N_("Đạt chuẩn khi đạt mọi %(term)s bắt buộc và thêm %(k)s %(term)s khác."),
    "score_at_least": N_("Đạt chuẩn khi tổng điểm đạt từ %(k)s trở lên."),
}
"""How a set passes (its rule's kind), said on its card and its matrix."""

STATUS_WORDS: dict[str, str] = {Status.MET: N_("Đạt"), Status.EXCEEDED: N_("Đạt"),
                                Status.NOT_MET: N_("Chưa đạt"),
                                Status.NO_DATA: N_("Chưa có số liệu")}
MARK: dict[str, str] = {Status.MET: "✓", Status.NOT_MET: "✗", Status.NO_DATA: "–"}
_VINTAGES = ("plan", "estimate", "preliminary", "official")


def _words(view: UnitView) -> Callable[[str], str]:
    return translator(view.lang).gettext


def _set_name(cset: CriteriaSet, lang: str, text: bool = False) -> Any:
    return (named_text if text else named)(cset.name, cset.name_en, lang)


def _term(cset: CriteriaSet, lang: str) -> str:
    return named_text(cset.term, cset.term_en, lang)


def _criterion_name(criterion: Criterion | None, fallback: str, lang: str,
                    text: bool = False) -> Any:
    return (named_text if text else named)(fallback, criterion.name_en if criterion else None,
                                           lang)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _result(passed: bool | None, _: Callable[[str], str]) -> tuple[str, str]:
    """The set's result for one unit, and its tone (:func:`~tieuchi.domain.status.
    result_tone`): passes, does not, no data yet."""
    text = _("Chưa có số liệu") if passed is None else (
        _("Đạt chuẩn") if passed else _("Chưa đạt chuẩn"))
    return text, result_tone(passed).value


def _rule_text(cset: CriteriaSet, lang: str) -> str:
    value = cset.rule.value
    k = number(value, lang, 2) if value is not None else ""
    kind = cset.rule.kind.value
    if len(cset.criteria) == 1 and kind == "all":
        kind = "one"
    return translator(lang).gettext(RULES[kind]) % {
        "n": len(cset.criteria), "k": k, "term": _term(cset, lang)}


def _source_text(cset: CriteriaSet) -> str:
    if cset.source is None:
        return ""
    parts = [cset.source.document, cset.source.issuer]
    return " · ".join(p for p in parts if p)


def _provenance(p: Provenance) -> dict[str, Any]:
    """A criterion's or a threshold's provenance as the pages show it
    (:meth:`~tieuchi.domain.criteria.Criterion.provenance`)."""
    return {"basis": p.basis, "citation": p.citation or "", "url": p.url or "",
            "link": p.link, "verified": p.verified}


def _set_provenance(cset: CriteriaSet, lang: str) -> dict[str, Any]:
    """The set's document (with its address), when it is in force, and how many of its
    criteria were read in the legal text."""
    _ = translator(lang).gettext
    source = cset.source
    start, end = (short_date(d, lang) if d else "" for d in (cset.effective_from,
                                                              cset.effective_to))
    effective = (_("Hiệu lực từ %(start)s đến %(end)s") if start and end else _(
        "Hiệu lực từ %(start)s") if start else _("Hiệu lực đến %(end)s") if end else "") % {
        "start": start, "end": end}
    return {"document": source.document if source else "",
            "issuer": source.issuer or "" if source else "",
            "date": short_date(source.date, lang) if source and source.date else "",
            "link": address(source.url) if source else None,
            "effective": effective, "verified": cset.verified_count(),
            "total": len(cset.criteria), "complete": cset.fully_verified}


def _set_or_404(view: UnitView, set_code: str) -> CriteriaSet:
    cset = view.light.set_by_code.get(set_code)
    if cset is None:
        raise refused("not-found", N_("Không có bộ tiêu chí “%(set)s”."), set=set_code)
    return cset


@router.get("/units/{code}/criteria", dependencies=[Needs(Action.READ)])
def criteria_sets(request: Request, user: CurrentUser, code: str,
                  period: str | None = None) -> HTMLResponse:
    """The sets the unit is assessed against, or that the units below it are."""
    view = open_unit(request, user, code, period)
    _ = _words(view)
    sets = []
    for s in view.set_results():
        cset = view.light.set_by_code[s["code"]]
        if s["kind"] == "own":
            headline = _("%(unit)s đạt %(met)s/%(total)s %(term)s") % {
                "unit": view.name(), "met": s["met"], "total": s["total"], "term": s["term"]}
            result, _tone = _result(s["passed"], _)
        else:
            headline = (_("%(total)s %(noun)s chưa có số liệu") if s["empty"] else _(
                "%(passed)s/%(total)s %(noun)s đạt chuẩn")) % {
                "passed": s["met"], "total": s["total"], "noun": _noun(view, cset)}
            result = (s["target"]["status_text"] if s["target"] else _("Chưa có số liệu")
                      if s["empty"] else "")
        sets.append({**s, "headline": headline, "result": result,
                     "result_class": s["tone"], "rule": _rule_text(cset, view.lang),
                     "source": _source_text(cset), "set_term": _term(cset, view.lang),
                     "set_term_cap": _capital(_term(cset, view.lang))})
    return render(request, "criteria.html", user=user, view=view, tab="criteria", sets=sets)


def _noun(view: UnitView, cset: CriteriaSet, n: int = 2) -> str:
    """What the units assessed are called ("xã", "communes"): the report's word
    (:func:`tieuchi.reports.text.set_noun`), else "đơn vị"."""
    return set_noun(cset, view.ctx, n) or _words(view)("đơn vị")


@router.get("/units/{code}/criteria/{set_code}", dependencies=[Needs(Action.READ)])
def criteria_matrix(request: Request, user: CurrentUser, code: str, set_code: str,
                    period: str | None = None) -> HTMLResponse:
    """Units × criteria: ✓ met, ✗ not met, – no data; the last column is the unit's result."""
    view = open_unit(request, user, code, period)
    cset = _set_or_404(view, set_code)
    _ = _words(view)
    if not cset.is_effective(view.period.start, view.period.end):
        message = _("Bộ tiêu chí không có hiệu lực trong %(period)s.") % {
            "period": view.period.label(view.lang)}
        return render(request, "criteria_matrix.html", user=user, view=view, tab="criteria",
                      cset=cset, set_name=_set_name(cset, view.lang),
                      set_title=_set_name(cset, view.lang, text=True), rows=[],
                      not_in_effect=message, rule=_rule_text(cset, view.lang),
                      columns=_columns(cset, view.lang), term=_term(cset, view.lang),
                      provenance=_set_provenance(cset, view.lang))
    results = view.ev.sets.sets.filter(pl.col("set") == set_code)
    own = results.filter(pl.col("unit") == code)
    if own.height:
        results = own
    order = {u.code: i for i, u in enumerate(view.light.units)}
    units = sorted(results.get_column("unit").to_list() if results.height else [],
                   key=lambda u: order.get(u, len(order)))
    if not units:
        raise refused("not-found", N_("Bộ tiêu chí %(set)s không đánh giá %(unit)s hay đơn "
                                      "vị trực thuộc nào trong %(period)s."),
                      set=_set_name(cset, view.lang, text=True), unit=view.name(),
                      period=view.period.label(view.lang))
    by_unit = {r["unit"]: r for r in results.iter_rows(named=True)}
    unit_header, names = _row_names(view, units)
    criteria = view.ev.sets.criteria.filter((pl.col("set") == set_code)
                                            & pl.col("unit").is_in(units))
    cells: dict[tuple[str, str], str] = {
        (r["unit"], r["criterion"]): r["status"]
        for r in criteria.select("unit", "criterion", "status").iter_rows(named=True)}
    columns = _columns(cset, view.lang)
    term = _term(cset, view.lang)
    rows = []
    for unit in units:
        r = by_unit[unit]
        result, result_class = _result(r["passed"], _)
        row_cells = []
        for c in columns:
            status = cells.get((unit, c["code"]))
            row_cells.append({
                "criterion": c["code"], "name": c["name_text"], "status": status or "",
                "mark": MARK.get(status or "", ""), "class": STATUS_CLASS.get(status or "", ""),
                "text": _(STATUS_WORDS[status]) if status in STATUS_WORDS else "",
            })
        rows.append({"code": unit, "name": view.name(unit), "short": names[unit],
                     "cells": row_cells,
                     "met": r["met"], "total": r["total"], "result": result,
                     "result_class": result_class,
                     "unmet": view.criteria_names(set_code, r["unmet"]),
                     "no_data": view.criteria_names(set_code, r["no_data_criteria"])})
    single = len(rows) == 1 and rows[0]["code"] == code
    if single:
        headline = _("%(unit)s đạt %(met)s/%(total)s %(term)s") % {
            "unit": view.name(), "met": rows[0]["met"], "total": rows[0]["total"],
            "term": term}
    else:
        summary = view.ev.sets.summaries.filter((pl.col("set") == set_code)
                                                & (pl.col("unit") == code))
        if summary.height:
            found = summary.row(0, named=True)
            passed, total = found["passed"], found["total"]
            empty = all_missing(total, found["no_data"])
        else:
            passed, total = sum(1 for r in rows if r["result_class"] == "ok"), len(rows)
            empty = False
        headline = (_("%(total)s %(noun)s chưa có số liệu") if empty else _(
            "%(passed)s/%(total)s %(noun)s đạt chuẩn")) % {
            "passed": passed, "total": total, "noun": _noun(view, cset, total)}
    return render(request, "criteria_matrix.html", user=user, view=view, tab="criteria",
                  cset=cset, set_name=_set_name(cset, view.lang),
                  set_title=_set_name(cset, view.lang, text=True), term=term,
                  term_cap=_capital(term), columns=columns, groups=_group_runs(columns),
                  rows=rows, single=single, unit_header=unit_header, headline=headline,
                  rule=_rule_text(cset, view.lang),
                  provenance=_set_provenance(cset, view.lang),
                  failed=[r for r in rows if r["result_class"] == "bad"],
                  pending=[r for r in rows if r["result_class"] == "none"])


def _columns(cset: CriteriaSet, lang: str) -> list[dict[str, Any]]:
    """The set's criteria, as the matrix's columns and the list under it."""
    return [{"code": c.code, "name": _criterion_name(c, c.name, lang),
             "name_text": _criterion_name(c, c.name, lang, text=True), "group": c.group or "",
             "mandatory": c.mandatory, **_provenance(c.provenance(cset))}
            for c in cset.criteria]


def _row_names(view: UnitView, units: list[str]) -> tuple[str, dict[str, str]]:
    """The heading of the first column and each row's name: when every unit is of one level
    and named after it ("Xã A", "Khu vực dự kiến thành lập phường B"), the
    level heads the column and the rows keep the rest ("A")."""
    names = {u: view.name(u) for u in units}
    heading = _words(view)("Đơn vị")
    levels = {view.light.unit_by_code[u].level for u in units}
    level = view.light.level_by_code.get(levels.pop()) if len(levels) == 1 else None
    if level is None or len(units) < 2:
        return heading, names
    prefix = named_text(level.name, level.name_en, view.lang) + " "
    if all(n.lower().startswith(prefix.lower()) and len(n) > len(prefix)
           for n in names.values()):
        return _capital(prefix.strip()), {u: n[len(prefix):] for u, n in names.items()}
    return heading, names


def _group_runs(columns: list[dict[str, Any]]) -> list[tuple[str, int]]:
    """Consecutive columns of the same group, for a header row; empty without groups."""
    if not any(c["group"] for c in columns):
        return []
    runs: list[tuple[str, int]] = []
    for c in columns:
        if runs and runs[-1][0] == c["group"]:
            runs[-1] = (c["group"], runs[-1][1] + 1)
        else:
            runs.append((c["group"], 1))
    return runs


@router.get("/units/{code}/criteria/{set_code}/{criterion}", dependencies=[Needs(Action.READ)])
def criteria_cell(request: Request, user: CurrentUser, code: str, set_code: str,
                  criterion: str, period: str | None = None) -> HTMLResponse:
    """One criterion of one unit: each condition with its figure, threshold, status and
    source. A fragment for htmx, else a full page."""
    view = open_unit(request, user, code, period)
    cset = _set_or_404(view, set_code)
    _ = _words(view)
    found = view.ev.sets.criteria.filter(
        (pl.col("unit") == code) & (pl.col("set") == set_code)
        & (pl.col("criterion") == criterion))
    if not found.height:
        raise refused("not-found", N_("Tiêu chí “%(criterion)s” của bộ tiêu chí %(set)s "
                                      "không đánh giá %(unit)s trong %(period)s."),
                      criterion=criterion, set=_set_name(cset, view.lang, text=True),
                      unit=view.name(), period=view.period.label(view.lang))
    crit = found.row(0, named=True)
    definition = next((c for c in cset.criteria if c.code == criterion), None)
    conditions = view.ev.sets.conditions.filter(
        (pl.col("unit") == code) & (pl.col("set") == set_code)
        & (pl.col("criterion") == criterion)).sort("condition")
    term = _term(cset, view.lang)
    status = crit["status"]
    needed, count = crit["needed"], crit["condition_count"]
    detail = {
        "unit": code, "unit_name": view.name(), "set": set_code,
        "set_name": _set_name(cset, view.lang), "code": criterion,
        "name": _criterion_name(definition, crit["criterion_name"], view.lang),
        "name_text": _criterion_name(definition, crit["criterion_name"], view.lang, text=True),
        "status": status, "status_text": _(STATUS_WORDS[status]),
        "status_class": STATUS_CLASS[status], "mark": MARK[status],
        "needs": _("Đạt khi đạt %(k)s/%(n)s chỉ tiêu.") % {"k": needed, "n": count}
        if needed < count else "",
        "mandatory": _capital(_("%(term)s bắt buộc") % {"term": term}) if crit["mandatory"]
        else "",
        "provenance": _provenance(definition.provenance(cset)) if definition else None,
        "note": definition.note if definition else None,
        "conditions": [_condition(view, x) | _threshold_provenance(definition, cset, x)
                       for x in conditions.iter_rows(named=True)],
    }
    fragment = bool(request.headers.get("hx-request"))
    template = "criteria_cell.html" if fragment else "criteria_cell_page.html"
    response = render(request, template, user=user, view=view, tab="criteria", d=detail,
                      cset=cset)
    response.headers["Vary"] = "HX-Request"
    return response


def _threshold_provenance(criterion: Criterion | None, cset: CriteriaSet,
                          x: dict[str, Any]) -> dict[str, Any]:
    """Where the threshold of condition ``x`` is written and whether it was verified."""
    if criterion is None or not 0 <= x["condition"] < len(criterion.conditions):
        return {"provenance": None}
    p = criterion.conditions[x["condition"]].provenance(criterion, cset)
    return {"provenance": _provenance(p)}


def _condition(view: UnitView, x: dict[str, Any]) -> dict[str, Any]:
    """A condition as the report words it: what is measured, the figure with its unit of
    measure and its indicator's decimals, the comparison with the threshold, the status and
    where the figure comes from (a count of units names its set, never its code)."""
    lang, _ = view.lang, _words(view)
    comparators = view.ctx.words.comparator
    defs = view.light
    indicator = defs.indicator_by_code.get(x["indicator"] or "")
    measure = measure_of(indicator, lang)
    places = max(indicator.decimals, 2) if indicator is not None else 2  # thresholds: exact
    value, threshold = x["value"], x["threshold"]
    link = None
    no_data = _("Chưa có số liệu")
    what: Any
    if x["ref_set"]:
        ref = defs.set_by_code.get(x["ref_set"])
        what = _set_name(ref, lang) if ref else str(x["ref_set"])
        value_text = no_data if value is None else (
            _("Đạt chuẩn") if is_yes(value) else _("Chưa đạt chuẩn"))
        comparator, threshold_text = "", _("Đạt chuẩn")
        link = f"/units/{x['unit']}/criteria/{x['ref_set']}?period={view.period.code}"
    else:
        what = named(indicator.name, indicator.name_en, lang) if indicator else str(
            x["indicator"])
        if x["comparator"] == "yes":
            wanted = threshold is None or is_yes(threshold)
            value_text = no_data if value is None else comparators[
                "yes" if is_yes(value) else "no"]
            comparator, threshold_text = "", comparators["yes" if wanted else "no"]
        elif x["comparator"] == "within":
            value_text = no_data if value is None else measured(value, indicator, lang)
            comparator = comparators["within"]
            threshold_text = (f"{number(threshold, lang, places)}–"
                              f"{number(x['threshold_high'], lang, places)}{measure}")
        else:
            value_text = no_data if value is None else measured(value, indicator, lang)
            comparator = comparators.get(x["comparator"], x["comparator"])
            threshold_text = number(threshold, lang, places) + measure
    if x["label"]:
        what = Markup("{} ({})").format(what, x["label"])
    status = x["status"]
    vintage_rank = x["vintage_rank"]
    vintage = ""
    if vintage_rank is not None and 0 <= vintage_rank < len(_VINTAGES):
        vintage = _("số liệu %(name)s") % {
            "name": view.ctx.words.vintage[_VINTAGES[vintage_rank]]}
    tolerance = x["tolerance"]
    return {
        "what": what, "indicator": x["indicator"], "value": value_text,
        "comparator": comparator, "threshold": threshold_text,
        "tolerance": _("sai số cho phép %(value)s") % {
            "value": number(tolerance, lang, places) + measure} if tolerance else "",
        "status": status, "status_text": _(STATUS_WORDS[status]),
        "status_class": STATUS_CLASS[status],
        "source": view.source_text(x["source"], x["indicator"]) if x["source"] else "",
        "vintage": vintage, "link": link,
    }


__all__ = ["router", "RULES"]
