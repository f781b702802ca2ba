
"""Criteria sets: the sets that concern a unit, the matrix of one set (units × criteria) and
the conditions behind one cell of it.

Every status shown is read off the evaluation (``ev.sets``); nothing is recomputed here.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse

from tieuchi.app import Action
from tieuchi.domain.criteria import CriteriaSet, Criterion
from tieuchi.domain.ruleset import is_yes
from tieuchi.domain.status import Status
from tieuchi.reports.formatting import number
from tieuchi.web.app import render
from tieuchi.web.pages.common import CurrentUser, page_router
from tieuchi.web.security import Needs
from tieuchi.web.views import STATUS_CLASS, UnitView, open_unit

router = page_router()

WORDS: dict[str, dict[str, str]] = {
    "vi": {
        "no_sets": "Không có bộ tiêu chí nào áp dụng cho đơn vị này hoặc các đơn vị trực "
                   "thuộc trong kỳ.",
        "open_matrix": "Xem bảng đánh giá",
        "criteria_count": "{n} {term}",
        "legal_source": "Căn cứ",
        "illustrative": "Danh mục và mức đạt chuẩn chưa được đối chiếu với văn bản gốc, "
                        "chỉ có giá trị minh họa.",
        "rule_all": "Đạt chuẩn khi đạt tất cả {n} {term}.",
        "rule_one": "Đạt chuẩn khi đạt {term} này.",
        "rule_at_least": "Đạt chuẩn khi đạt từ {k}/{n} {term} trở lên.",
        "rule_at_least_share": "Đạt chuẩn khi đạt từ {k}% số {term} trở lên.",
        "rule_mandatory_plus": "Đạt chuẩn khi đạt mọi {term} bắt buộc và thêm {k} {term} khác.",
        "rule_score_at_least": "Đạt chuẩn khi tổng điểm đạt từ {k} trở lên.",
        "own_summary": "{unit} đạt {met}/{total} {term}",
        "units_summary": "{passed}/{total} {noun} đạt chuẩn",
        "unmet_list": "{term} chưa đạt ({n})",
        "no_data_list": "{term} chưa có số liệu ({n})",
        "failed_units": "Chưa đạt chuẩn ({n})",
        "no_data_units": "Chưa có số liệu ({n})",
        "result": "Kết quả",
        "unit": "Đơn vị",
        "passed": "Đạt chuẩn",
        "failed": "Chưa đạt chuẩn",
        "pending": "Chưa có số liệu",
        "met": "Đạt",
        "not_met": "Chưa đạt",
        "no_data": "Chưa có số liệu",
        "legend": "Chú giải",
        "pick_cell": "Chọn một ô của bảng để xem các chỉ tiêu, giá trị, ngưỡng và nguồn số "
                     "liệu của tiêu chí đó.",
        "catalogue": "Danh mục {term}",
        "needs": "Đạt khi đạt {k}/{n} chỉ tiêu.",
        "mandatory": "{term} bắt buộc",
        "scroll_hint": "Kéo ngang để xem hết các cột.",
        "all_sets": "Tất cả bộ tiêu chí",
        "matrix": "Bảng đánh giá",
        "vintage": "số liệu {name}",
        "tolerance": "sai số cho phép {value}",
        "not_in_effect": "Bộ tiêu chí không có hiệu lực trong {period}.",
        "load_error": "Không tải được chi tiết của ô này (mã lỗi {status}).",
    },
    "en": {
        "no_sets": "No criteria set applies to this unit or the units below it in this period.",
        "open_matrix": "Open the assessment table",
        "criteria_count": "{n} {term}",
        "legal_source": "Legal basis",
        "illustrative": "The criteria and thresholds have not been checked against the legal "
                        "text; they are illustrative only.",
        "rule_all": "Passes when all {n} {term} are met.",
        "rule_one": "Passes when its one criterion is met.",
        "rule_at_least": "Passes when at least {k} of the {n} {term} are met.",
        "rule_at_least_share": "Passes when at least {k}% of the {term} are met.",
        "rule_mandatory_plus": "Passes when every mandatory criterion and {k} others are met.",
        "rule_score_at_least": "Passes with a total score of at least {k}.",
        "own_summary": "{unit}: {met}/{total} {term} met",
        "units_summary": "{passed} of {total} units pass",
        "unmet_list": "{term} not met ({n})",
        "no_data_list": "{term} without data ({n})",
        "failed_units": "Not passing ({n})",
        "no_data_units": "No data yet ({n})",
        "result": "Result",
        "unit": "Unit",
        "passed": "Passes",
        "failed": "Does not pass",
        "pending": "No data yet",
        "met": "Met",
        "not_met": "Not met",
        "no_data": "No data",
        "legend": "Legend",
        "pick_cell": "Pick a cell of the table to see the indicators, values, thresholds and "
                     "sources of that criterion.",
        "catalogue": "The {term}",
        "needs": "Met when {k} of its {n} conditions are met.",
        "mandatory": "mandatory",
        "scroll_hint": "Scroll sideways to see every column.",
        "all_sets": "All criteria sets",
        "matrix": "Assessment table",
        "vintage": "{name} figure",
        "tolerance": "tolerance {value}",
        "not_in_effect": "The criteria set is not in effect for {period}.",
        "load_error": "The details of this cell could not be loaded (error {status}).",
    },
}

MARK: dict[str, str] = {Status.MET: "✓", Status.NOT_MET: "✗", Status.NO_DATA: "–"}
_VINTAGES = ("plan", "estimate", "preliminary", "official")


def _words(view: UnitView) -> dict[str, str]:
    return WORDS[view.lang]


def _set_name(cset: CriteriaSet, lang: str) -> str:
    return (cset.name_en or cset.name) if lang == "en" else cset.name


def _term(cset: CriteriaSet, lang: str) -> str:
    return cset.term_en if lang == "en" else cset.term


def _criterion_name(criterion: Criterion | None, fallback: str, lang: str) -> str:
    if criterion is not None and lang == "en" and criterion.name_en:
        return criterion.name_en
    return fallback


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _result(passed: bool | None, words: dict[str, str]) -> tuple[str, str]:
    """The set's result for one unit, and its colour: passes, does not, no data yet."""
    if passed is None:
        return words["pending"], "none"
    return (words["passed"], "ok") if passed else (words["failed"], "bad")


def _rule_text(cset: CriteriaSet, lang: str) -> str:
    words = WORDS[lang]
    value = cset.rule.value
    k = number(value, lang, 2) if value is not None else ""
    kind = cset.rule.kind.value
    if len(cset.criteria) == 1 and kind == "all":
        kind = "one"
    return words[f"rule_{kind}"].format(
        n=len(cset.criteria), k=k, term=_term(cset, lang))


def _source_text(cset: CriteriaSet) -> str:
    if cset.source is None:
        return ""
    parts = [cset.source.document, cset.source.issuer]
    return " · ".join(p for p in parts if p)


def _set_or_404(view: UnitView, set_code: str) -> CriteriaSet:
    cset = view.light.set_by_code.get(set_code)
    if cset is None:
        raise HTTPException(404, f"criteria set '{set_code}' does not exist")
    return cset


@router.get("/units/{code}/criteria", dependencies=[Needs(Action.READ)])
def criteria_sets(request: Request, user: CurrentUser, code: str,
                  period: str | None = None) -> HTMLResponse:
    """The sets the unit is assessed against, or that the units below it are."""
    view = open_unit(request, user, code, period)
    words = _words(view)
    sets = []
    for s in view.set_results():
        cset = view.light.set_by_code[s["code"]]
        if s["kind"] == "own":
            passed = s["passed"]
            headline = words["own_summary"].format(unit=view.name(), met=s["met"],
                                                   total=s["total"], term=s["term"])
        else:
            passed = True if s["passed"] else (None if s["no_data"] and not s["unmet"]
                                               else False)
            headline = words["units_summary"].format(passed=s["met"], total=s["total"],
                                                     noun=_noun(view, cset))
        result, result_class = _result(passed, words)
        sets.append({**s, "headline": headline, "result": result,
                     "result_class": result_class, "rule": _rule_text(cset, view.lang),
                     "source": _source_text(cset), "verified": cset.verified,
                     "count": len(cset.criteria), "set_term": _term(cset, view.lang),
                     "set_term_cap": _capital(_term(cset, view.lang))})
    return render(request, "criteria.html", user=user, view=view, tab="criteria", sets=sets,
                  cw=words)


def _noun(view: UnitView, cset: CriteriaSet, units: list[str] | None = None) -> str:
    """What the units assessed are called: "xã", "khu vực dự kiến thành lập phường"."""
    if view.lang == "en":
        return "units"
    if units is None:
        frame = view.ev.sets.sets.filter(pl.col("set") == cset.code)
        units = frame.get_column("unit").to_list() if frame.height else []
    levels = {view.light.unit_by_code[u].level for u in units
              if u in view.light.unit_by_code}
    if len(levels) == 1:
        level = view.light.level_by_code.get(levels.pop())
        if level is not None:
            return level.name.lower()
    return "đơn vị"


@router.get("/units/{code}/criteria/{set_code}", dependencies=[Needs(Action.READ)])
def criteria_matrix(request: Request, user: CurrentUser, code: str, set_code: str,
                    period: str | None = None) -> HTMLResponse:
    """Units × criteria: ✓ met, ✗ not met, – no data; the last column is the unit's result."""
    view = open_unit(request, user, code, period)
    cset = _set_or_404(view, set_code)
    words = _words(view)
    if not cset.is_effective(view.period.start, view.period.end):
        message = words["not_in_effect"].format(period=view.period.label(view.lang))
        return render(request, "criteria_matrix.html", user=user, view=view, tab="criteria",
                      cset=cset, set_name=_set_name(cset, view.lang), rows=[], cw=words,
                      not_in_effect=message, rule=_rule_text(cset, view.lang),
                      source=_source_text(cset))
    results = view.ev.sets.sets.filter(pl.col("set") == set_code)
    own = results.filter(pl.col("unit") == code)
    if own.height:
        results = own
    order = {u.code: i for i, u in enumerate(view.light.units)}
    units = sorted(results.get_column("unit").to_list() if results.height else [],
                   key=lambda u: order.get(u, len(order)))
    if not units:
        raise HTTPException(404, f"criteria set '{set_code}' is not assessed for "
                            f"{view.name()} or the units below it in {view.period.code}")
    by_unit = {r["unit"]: r for r in results.iter_rows(named=True)}
    unit_header, names = _row_names(view, units)
    criteria = view.ev.sets.criteria.filter((pl.col("set") == set_code)
                                            & pl.col("unit").is_in(units))
    cells: dict[tuple[str, str], str] = {
        (r["unit"], r["criterion"]): r["status"]
        for r in criteria.select("unit", "criterion", "status").iter_rows(named=True)}
    columns: list[dict[str, Any]] = [
        {"code": c.code, "name": _criterion_name(c, c.name, view.lang), "group": c.group or "",
         "mandatory": c.mandatory} for c in cset.criteria]
    term = _term(cset, view.lang)
    rows = []
    for unit in units:
        r = by_unit[unit]
        result, result_class = _result(r["passed"], words)
        row_cells = []
        for c in columns:
            status = cells.get((unit, c["code"]))
            row_cells.append({
                "criterion": c["code"], "name": c["name"], "status": status or "",
                "mark": MARK.get(status or "", ""), "class": STATUS_CLASS.get(status or "", ""),
                "text": words.get(status or "", ""),
            })
        rows.append({"code": unit, "name": view.name(unit), "short": names[unit],
                     "cells": row_cells,
                     "met": r["met"], "total": r["total"], "result": result,
                     "result_class": result_class, "unmet": r["unmet"],
                     "no_data": r["no_data_criteria"]})
    single = len(rows) == 1 and rows[0]["code"] == code
    if single:
        headline = words["own_summary"].format(unit=view.name(), met=rows[0]["met"],
                                               total=rows[0]["total"], term=term)
    else:
        summary = view.ev.sets.summaries.filter((pl.col("set") == set_code)
                                                & (pl.col("unit") == code))
        if summary.height:
            found = summary.row(0, named=True)
            passed, total = found["passed"], found["total"]
        else:
            passed, total = sum(1 for r in rows if r["result_class"] == "ok"), len(rows)
        headline = words["units_summary"].format(passed=passed, total=total,
                                                 noun=_noun(view, cset, units))
    return render(request, "criteria_matrix.html", user=user, view=view, tab="criteria",
                  cset=cset, set_name=_set_name(cset, view.lang), term=term,
                  term_cap=_capital(term), columns=columns, groups=_group_runs(columns),
                  rows=rows, single=single, unit_header=unit_header, headline=headline,
                  rule=_rule_text(cset, view.lang), source=_source_text(cset), cw=words,
                  failed=[r for r in rows if r["result_class"] == "bad"],
                  pending=[r for r in rows if r["result_class"] == "none"])


def _row_names(view: UnitView, units: list[str]) -> tuple[str, dict[str, str]]:
    """The heading of the first column and each row's name: when every unit is of one level
    and named after it ("Xã A", "Khu vực dự kiến thành lập phường B"), the
    level heads the column and the rows keep the rest ("A")."""
    names = {u: view.name(u) for u in units}
    heading = _words(view)["unit"]
    levels = {view.light.unit_by_code[u].level for u in units}
    level = view.light.level_by_code.get(levels.pop()) if len(levels) == 1 else None
    if level is None or len(units) < 2:
        return heading, names
    prefix = ((level.name_en or level.name) if view.lang == "en" else level.name) + " "
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
    words = _words(view)
    found = view.ev.sets.criteria.filter(
        (pl.col("unit") == code) & (pl.col("set") == set_code)
        & (pl.col("criterion") == criterion))
    if not found.height:
        raise HTTPException(404, f"criterion '{criterion}' of set '{set_code}' is not "
                            f"assessed for {view.name()} in {view.period.code}")
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
        "status": status, "status_text": words[status], "status_class": STATUS_CLASS[status],
        "mark": MARK[status], "needs": words["needs"].format(k=needed, n=count)
        if needed < count else "",
        "mandatory": _capital(words["mandatory"].format(term=term)) if crit["mandatory"]
        else "",
        "legal_source": definition.source if definition else None,
        "note": definition.note if definition else None,
        "conditions": [_condition(view, x) for x in conditions.iter_rows(named=True)],
    }
    fragment = bool(request.headers.get("hx-request"))
    template = "criteria_cell.html" if fragment else "criteria_cell_page.html"
    response = render(request, template, user=user, view=view, tab="criteria", d=detail,
                      cset=cset, cw=words)
    response.headers["Vary"] = "HX-Request"
    return response


def _condition(view: UnitView, x: dict[str, Any]) -> dict[str, Any]:
    """A condition as the report words it: what is measured, the figure with its unit of
    measure, the comparison with the threshold, the status and where the figure comes from."""
    lang, words = view.lang, _words(view)
    comparators = view.ctx.words.comparator
    defs = view.light
    indicator = defs.indicator_by_code.get(x["indicator"] or "")
    measure = ""
    if indicator is not None and indicator.unit:
        unit = (indicator.unit_en or indicator.unit) if lang == "en" else indicator.unit
        measure = unit if unit == "%" else f" {unit}"
    decimals = max(indicator.decimals, 2) if indicator is not None else 2
    value, threshold = x["value"], x["threshold"]
    link = None
    if x["ref_set"]:
        ref = defs.set_by_code.get(x["ref_set"])
        what = _set_name(ref, lang) if ref else str(x["ref_set"])
        value_text = words["no_data"] if value is None else (
            words["passed"] if is_yes(value) else words["failed"])
        comparator, threshold_text = "", words["passed"]
        link = f"/units/{x['unit']}/criteria/{x['ref_set']}?period={view.period.code}"
    else:
        what = (indicator.name_en or indicator.name) if lang == "en" and indicator else (
            indicator.name if indicator else str(x["indicator"]))
        if x["comparator"] == "yes":
            wanted = threshold is None or is_yes(threshold)
            value_text = words["no_data"] if value is None else comparators[
                "yes" if is_yes(value) else "no"]
            comparator, threshold_text = "", comparators["yes" if wanted else "no"]
        elif x["comparator"] == "within":
            value_text = words["no_data"] if value is None else (
                number(value, lang, decimals) + measure)
            comparator = comparators["within"]
            threshold_text = (f"{number(threshold, lang, decimals)}–"
                              f"{number(x['threshold_high'], lang, decimals)}{measure}")
        else:
            value_text = words["no_data"] if value is None else (
                number(value, lang, decimals) + measure)
            comparator = comparators.get(x["comparator"], x["comparator"])
            threshold_text = number(threshold, lang, decimals) + measure
    if x["label"]:
        what = f"{what} ({x['label']})"
    status = x["status"]
    vintage_rank = x["vintage_rank"]
    vintage = ""
    if vintage_rank is not None and 0 <= vintage_rank < len(_VINTAGES):
        vintage = words["vintage"].format(name=view.ctx.words.vintage[_VINTAGES[vintage_rank]])
    tolerance = x["tolerance"]
    return {
        "what": what, "indicator": x["indicator"], "value": value_text,
        "comparator": comparator, "threshold": threshold_text,
        "tolerance": words["tolerance"].format(value=number(tolerance, lang, decimals))
        if tolerance else "",
        "status": status,
        "status_text": words["met"] if status in ("met", "exceeded") else words[status],
        "status_class": STATUS_CLASS[status], "source": x["source"] or "",
        "vintage": vintage, "link": link,
    }


__all__ = ["router", "WORDS"]
