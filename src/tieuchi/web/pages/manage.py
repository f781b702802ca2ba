"""Target management ("giao chỉ tiêu"): a unit's targets for a period, a form to assign one,
and the allocation ("phân bổ") of a target that adds up to the units directly below.

Each allocatable target shows its allocation rule ("Tổng giao cho cấp dưới phải từ 700 trở
lên"); an allocation is saved only when the children's targets keep it
(:func:`tieuchi.domain.allocation.rule_problem`, asked through :meth:`App.allocate`), then
one target per child is saved in one transaction.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse

from tieuchi.app import Action
from tieuchi.domain.allocation import allocatable, allocation_rule, parts_of
from tieuchi.domain.indicators import Indicator
from tieuchi.domain.problems import ProblemError
from tieuchi.domain.status import Comparator
from tieuchi.domain.targets import AllocationRule
from tieuchi.domain.units import Unit
from tieuchi.io.resolution import MAX_BYTES as RESOLUTION_BYTES
from tieuchi.reports.formatting import number, parse_number
from tieuchi.web.app import problem_text, render
from tieuchi.web.i18n import N_, named_text, translator
from tieuchi.web.pages.common import CurrentUser, page_router
from tieuchi.web.pages.entry import PostedForm, number_message
from tieuchi.web.security import Needs, app_of
from tieuchi.web.views import UnitView, open_unit

router = page_router()

__all__ = ["router", "COMPARATORS", "COMPARATOR_NAMES", "RULE_TEXTS", "manage_page"]

COMPARATORS = (Comparator.AT_LEAST.value, Comparator.AT_MOST.value, Comparator.EQUAL.value)

COMPARATOR_NAMES = {"at_least": N_("Không thấp hơn (≥)"), "at_most": N_("Không vượt quá (≤)"),
                    "equal": N_("Bằng (=)")}

RULE_TEXTS = {
    AllocationRule.EXACTLY: N_("Tổng giao cho cấp dưới phải bằng %(total)s"),
    AllocationRule.AT_LEAST: N_("Tổng giao cho cấp dưới phải từ %(total)s trở lên"),
    AllocationRule.AT_MOST: N_("Tổng giao cho cấp dưới không được vượt quá %(total)s"),
}
"""How the manage page states a target's allocation rule
(:func:`tieuchi.domain.allocation.allocation_rule`)."""


def _manage_view(request: Request, user: CurrentUser, code: str,
                 period: str | None) -> UnitView:
    """The unit's view, for users who may set its targets (``forbidden`` if not)."""
    return open_unit(request, user, code, period)


def _text(value: float | None, indicator: Indicator | None) -> str:
    """A number to edit, in the Vietnamese format, nothing rounded away."""
    if value is None:
        return ""
    return number(value, "vi", max(indicator.decimals if indicator else 1, 6))


def _children(view: UnitView) -> list[Unit]:
    """The units directly below that a total adds up from (planning areas never do)."""
    return parts_of(view.light, view.code, view.period)


def _allocatable(view: UnitView) -> list[dict[str, Any]]:
    """The unit's targets that can be split among the units below
    (:func:`tieuchi.domain.allocation.allocatable`), with each unit's part held."""
    out: list[dict[str, Any]] = []
    children = _children(view)
    if not children:
        return out
    ev = view.ev
    mine = ev.targets.filter(pl.col("unit") == view.code)
    raw = view.definitions.targets
    for r in mine.iter_rows(named=True):
        indicator = view.light.indicator_by_code.get(r["indicator"])
        if indicator is None or not allocatable(r, indicator):
            continue
        held = {row["unit"]: row["value"] for row in raw.filter(
            (pl.col("indicator") == r["indicator"]) & (pl.col("period") == r["period"])
            & pl.col("unit").is_in([c.code for c in children])
        ).iter_rows(named=True)}
        shown = view.target_row(r)
        rule = allocation_rule(r)
        value_text = number(r["value"], view.lang, indicator.decimals)
        measure = named_text(indicator.unit, indicator.unit_en, view.lang) \
            if indicator.unit else ""
        out.append({
            "key": r["key"], "indicator": indicator, "period": r["period"],
            "name": shown["name"], "plan": shown["plan"],
            "comparator": r["comparator"], "value": r["value"],
            "value_text": value_text, "rule": rule.value,
            "rule_text": translator(view.lang).gettext(RULE_TEXTS[rule])
            % {"total": f"{value_text} {measure}".strip()},
            "decimals": indicator.decimals, "basis": r["basis"], "document": r["document"],
            "measure": measure,
            "children": [{"code": c.code, "name": view.name(c.code),
                          "text": _text(held.get(c.code), indicator), "errors": []}
                         for c in children],
        })
    return out


def _page(request: Request, view: UnitView, *, status_code: int = 200,
          message: str | None = None, alert: str | None = None,
          assign: dict[str, Any] | None = None,
          allocation: dict[str, Any] | None = None) -> HTMLResponse:
    """The page; ``assign`` and ``allocation`` keep what was typed in a refused form."""
    lang = view.lang
    rows = view.target_rows()
    raw = {r["key"]: r for r in view.definitions.targets.filter(
        pl.col("unit") == view.code).iter_rows(named=True)}
    for row in rows:
        doc = raw.get(row["key"]) or {}
        row["issuer"], row["document"] = doc.get("issuer") or "", doc.get("document") or ""
    allocations = _allocatable(view)
    if allocation is not None:
        for a in allocations:
            if a["key"] != allocation["key"]:
                continue
            if "typed" not in allocation:  # saved: say so next to the form too
                a["message"] = message
                continue
            for child in a["children"]:
                child["text"] = allocation["typed"].get(child["code"], child["text"])
                child["errors"] = allocation["errors"].get(child["code"], [])
            a["error"] = allocation.get("error")
            a["reason"] = allocation.get("reason", "")
            a["document"] = allocation.get("document", a["document"])
    indicators = [{"code": i.code, "name": named_text(i.name, i.name_en, lang)}
                  for i in view.light.indicators]
    return render(
        request, "manage.html", status_code=status_code, user=view.user, view=view,
        tab="manage", comparator_names=COMPARATOR_NAMES, rows=rows, allocations=allocations,
        allocatable={a["key"] for a in allocations}, indicators=indicators,
        comparators=COMPARATORS, message=message, alert=alert,
        assign=assign or {"indicator": "", "comparator": "at_least", "value": "",
                          "issuer": "", "document": "", "reason": "", "errors": {}},
        has_children=bool(_children(view)), resolution_mb=RESOLUTION_BYTES // 2**20,
    )


manage_page = _page  # the page, for the pages that post to it (resolutions)


@router.get("/units/{code}/manage-targets", dependencies=[Needs(Action.MANAGE_TARGETS)])
def manage(request: Request, user: CurrentUser, code: str,
           period: str | None = None) -> HTMLResponse:
    return _page(request, _manage_view(request, user, code, period))


@router.post("/units/{code}/manage-targets/assign", dependencies=[Needs(Action.MANAGE_TARGETS)])
def assign(request: Request, user: CurrentUser, form: PostedForm, code: str,
           period: str | None = None) -> HTMLResponse:
    """Give the unit a target for an indicator and the period, or change the one it has."""
    view = _manage_view(request, user, code, period)
    _ = translator(view.lang).gettext
    typed = {k: str(form.get(k) or "").strip()
             for k in ("indicator", "comparator", "value", "issuer", "document", "reason")}
    errors: dict[str, str] = {}
    indicator = view.light.indicator_by_code.get(typed["indicator"])
    if indicator is None:
        errors["indicator"] = _("Chọn một chỉ tiêu trong danh mục")
    if typed["comparator"] not in COMPARATORS:
        errors["comparator"] = _("Loại chỉ tiêu phải là không thấp hơn, không vượt quá hoặc "
                                 "bằng")
    value: float | None = None
    if not typed["value"]:
        errors["value"] = _("Chưa nhập mức chỉ tiêu")
    else:
        try:
            value = parse_number(typed["value"], "vi")
        except ValueError as error:
            errors["value"] = number_message(error, typed["value"], view.lang)
    docs: list[dict[str, Any]] = []
    if not errors and indicator is not None and value is not None:
        app = app_of(request)
        try:
            docs = [app.assignment(code, indicator.code, view.period.code, typed["comparator"],
                                   value, issuer=typed["issuer"] or None,
                                   document=typed["document"] or None)]
        except ProblemError as error:
            errors["value"] = problem_text(error, view.lang)
        else:
            errors = _refused(request, user, docs, view.lang)
    if errors or not docs:
        return _page(request, view, status_code=422,
                     alert=_("Chưa lưu: sửa các ô báo lỗi rồi lưu lại."),
                     assign=typed | {"errors": errors})
    count = app_of(request).set_targets(user, docs, reason=typed["reason"] or None)
    fresh = open_unit(request, user, code, view.period.code)
    return _page(request, fresh, message=_("Đã giao chỉ tiêu.") if count
                 else _("Chỉ tiêu không thay đổi."))


def _refused(request: Request, user: CurrentUser, docs: list[dict[str, Any]],
             lang: str) -> dict[str, str]:
    """What the application refuses of ``docs`` (:meth:`App.check_targets`: the domain's
    target rules, a closed data set), as a message per form field."""
    found: dict[str, str] = {}
    for problem in app_of(request).check_targets(user, docs):
        field = problem.field if problem.field in ("indicator", "comparator") else "value"
        found.setdefault(field, problem_text(ProblemError([problem]), lang))
    return found


@router.post("/units/{code}/manage-targets/allocate", dependencies=[Needs(Action.MANAGE_TARGETS)])
def allocate(request: Request, user: CurrentUser, form: PostedForm, code: str,
             period: str | None = None) -> HTMLResponse:
    """Split a target among the units directly below (:meth:`App.allocate` decides whether
    the parts keep the target's allocation rule); the page reads the numbers and puts the
    messages by the fields."""
    view = _manage_view(request, user, code, period)
    _ = translator(view.lang).gettext
    key = str(form.get("key") or "")
    found = [a for a in _allocatable(view) if a["key"] == key]
    if not found:
        raise HTTPException(404, _("Chỉ tiêu này không phân bổ được cho đơn vị trực thuộc"))
    parent = found[0]
    reason = str(form.get("reason") or "").strip()
    document = str(form.get("document") or "").strip()
    typed: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    values: dict[str, float] = {}
    for child in parent["children"]:
        text = str(form.get(f"a__{child['code']}") or "").strip()
        typed[child["code"]] = text
        if not text:
            errors[child["code"]] = [_("Chưa nhập mức chỉ tiêu")]
            continue
        try:
            values[child["code"]] = parse_number(text, "vi")
        except ValueError as error:
            errors[child["code"]] = [number_message(error, text, view.lang)]
    kept = {"key": key, "typed": typed, "errors": errors, "reason": reason,
            "document": document}
    if errors:
        return _page(request, view, status_code=422,
                     alert=_("Chưa lưu: sửa các ô báo lỗi rồi lưu lại."), allocation=kept)
    try:
        app_of(request).allocate(user, code, key, values, document=document or None,
                                 reason=reason or _("Phân bổ chỉ tiêu %(key)s của %(unit)s")
                                 % {"key": key, "unit": view.unit.name})
    except ProblemError as refusal:
        refused = refusal
        if refused.status == 403:
            raise refused from None
        message = problem_text(refused, view.lang)
        return _page(request, view, status_code=refused.status, alert=message,
                     allocation=kept | {"error": message})
    fresh = open_unit(request, user, code, view.period.code)
    return _page(request, fresh, message=_("Đã phân bổ chỉ tiêu cho %(n)s đơn vị.")
                 % {"n": len(values)}, allocation={"key": key})
