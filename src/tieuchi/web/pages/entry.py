"""Data entry ("nhập số liệu"): a unit's data sets for a period, the form of one, its workflow
(gửi cấp trên, phê duyệt, trả lại, khóa số liệu, mở khóa). The history of a value: pages/history.py.

Every figure is written through :meth:`App.enter_figures` in one go: a form with one bad field
saves nothing. Numbers are typed the Vietnamese way (1.234,5), whatever the page's language.
Each field sends, hidden, the figure it showed (``seen__<indicator>``: ``vintage:value``, empty
for none): a figure someone else changed in the meantime is not overwritten, the field says
who changed it to what (``stale-figure``, 409).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import FormData

from tieuchi.app import FORM_VINTAGES, Action, Shown
from tieuchi.domain.datasets import DataSet
from tieuchi.domain.indicators import Indicator, ValueType
from tieuchi.domain.problems import ProblemError
from tieuchi.domain.status import Vintage
from tieuchi.reports.formatting import number, parse_number
from tieuchi.store import STATE_NAMES
from tieuchi.store.audit import audit_key
from tieuchi.web.app import problem_text, render
from tieuchi.web.pages.common import CurrentUser, page_router
from tieuchi.web.security import Needs, app_of, store_of
from tieuchi.web.views import UnitView, open_unit, shown_value
from tieuchi.web.words import UI

router = page_router()

__all__ = ["router", "WORDS", "local_time", "number_message", "PostedForm"]

# Shown to the user in their time: Việt Nam has had no daylight saving since 1975.
try:
    VIETNAM: tzinfo = ZoneInfo("Asia/Ho_Chi_Minh")
except ZoneInfoNotFoundError:  # no time-zone database on the host
    VIETNAM = timezone(timedelta(hours=7), "ICT")

WORDS: dict[str, dict[str, Any]] = {
    "vi": {
        "datasets": "Biểu nhập số liệu",
        "no_datasets": "Đơn vị không có biểu nhập số liệu nào.",
        "indicators": "Số chỉ tiêu",
        "filled": "Đã có số liệu",
        "open": "Mở biểu",
        "measure": "Đơn vị tính",
        "current": "Số liệu hiện có",
        "none_yet": "Chưa có",
        "history_link": "Lịch sử",
        "source_hint": "Nguồn số liệu (không bắt buộc), ví dụ báo cáo số…",
        "reason_hint": "Lý do thay đổi (không bắt buộc)",
        "empty_deletes": "Để trống một ô đang có số liệu là xóa số liệu đó.",
        "vintages": {"plan": "Kế hoạch", "estimate": "Ước thực hiện", "preliminary": "Sơ bộ",
                     "official": "Chính thức"},
        "workflow": "Gửi và phê duyệt",
        "wf_reason_hint": "Lý do (bắt buộc khi trả lại, mở khóa)",
        "done": {"submit": "Đã gửi cấp trên.", "approve": "Đã phê duyệt.",
                 "return": "Đã trả lại để sửa.", "lock": "Đã khóa số liệu.",
                 "reopen": "Đã mở khóa số liệu."},
        "no_action": "Bạn không có thao tác nào với biểu ở trạng thái này.",
        "last_change": "Thay đổi gần nhất",
        "by": "bởi",
        "actions": {"add": "Thêm", "change": "Sửa", "delete": "Xóa"},
        "old_new": "Giá trị cũ → mới",
        "wrong_period": "Biểu này nhập theo kỳ {kind}; kỳ đang chọn là {period}.",
        "kinds": {"year": "năm", "half": "6 tháng", "quarter": "quý", "month": "tháng",
                  "ytd": "lũy kế tháng", "multi_year": "nhiều năm"},
    },
    "en": {
        "datasets": "Data-entry forms",
        "no_datasets": "The unit reports no data-entry form.",
        "indicators": "Indicators",
        "filled": "With figures",
        "open": "Open",
        "measure": "Unit",
        "current": "Current figure",
        "none_yet": "None yet",
        "history_link": "History",
        "source_hint": "Source of the figures (optional), e.g. report no. …",
        "reason_hint": "Reason for the change (optional)",
        "empty_deletes": "Emptying a field that has a figure deletes that figure.",
        "vintages": {"plan": "Plan", "estimate": "Estimate", "preliminary": "Preliminary",
                     "official": "Official"},
        "workflow": "Submission and approval",
        "wf_reason_hint": "Reason (required to return or reopen)",
        "done": {"submit": "Submitted to the level above.", "approve": "Approved.",
                 "return": "Returned for correction.", "lock": "Locked.",
                 "reopen": "Reopened."},
        "no_action": "You have no action on the form in this state.",
        "last_change": "Last change",
        "by": "by",
        "actions": {"add": "Added", "change": "Changed", "delete": "Deleted"},
        "old_new": "Old → new value",
        "wrong_period": "This form is entered by {kind}; the period chosen is {period}.",
        "kinds": {"year": "year", "half": "half-year", "quarter": "quarter", "month": "month",
                  "ytd": "year to date", "multi_year": "several years"},
    },
}


async def _form(request: Request) -> FormData:
    """The posted form, read once (the CSRF check has read it already)."""
    return await request.form()


PostedForm = Annotated[FormData, Depends(_form)]


def local_time(at: datetime, lang: str = "vi") -> str:
    """An audit time in Việt Nam time: 05/12/2023 14:30 (2023-12-05 14:30 in English)."""
    local = (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(VIETNAM)
    return local.strftime("%d/%m/%Y %H:%M" if lang == "vi" else "%Y-%m-%d %H:%M")


def _ds_name(ds: DataSet, lang: str) -> str:
    return (ds.name_en or ds.name) if lang == "en" else ds.name


def _input_text(value: float | None, indicator: Indicator) -> str:
    """A figure as the form shows it to be edited: Vietnamese format, nothing rounded away."""
    if value is None:
        return ""
    if indicator.type is ValueType.YESNO and value in (0, 1):
        return str(int(value))
    return number(value, "vi", max(indicator.decimals, 6))


# ---------------------------------------------------------------------- the data sets


@router.get("/units/{code}/entry", dependencies=[Needs(Action.WRITE)])
def datasets(request: Request, user: CurrentUser, code: str,
             period: str | None = None) -> HTMLResponse:
    view = open_unit(request, user, code, period)
    store = store_of(request)
    lang = view.lang
    states = store.workflow.states([code], view.period.code)
    rows = []
    for ds in store.units.datasets_for(code):
        state = states[(code, ds.code)]
        filled = store.figures.latest(code, view.period.code, list(ds.indicators))
        rows.append({"code": ds.code, "name": _ds_name(ds, lang), "count": len(ds.indicators),
                     "filled": len(filled), "state": state,
                     "state_text": STATE_NAMES[lang][state]})
    return render(request, "entry.html", user=user, view=view, tab="entry", rows=rows,
                  ew=WORDS[lang])


# ---------------------------------------------------------------------- one data set


def _form_page(request: Request, view: UnitView, ds: DataSet, *, status_code: int = 200,
               typed: dict[str, str] | None = None, errors: dict[str, list[str]] | None = None,
               alert: str | None = None, message: str | None = None,
               kept: dict[str, str] | None = None) -> HTMLResponse:
    """The form of data set ``ds``: current figures, or what was typed with its errors;
    ``kept`` holds the vintage, source and reason typed."""
    kept = kept or {}
    store = store_of(request)
    user, code, lang = view.user, view.code, view.lang
    period = view.period.code
    figures = store.figures.latest(code, period, list(ds.indicators))
    state = store.workflow.state(code, period, ds.code)
    ew = WORDS[lang]
    rows = []
    for ind_code in ds.indicators:
        indicator = view.light.indicator_by_code.get(ind_code)
        if indicator is None:
            continue
        current = figures.get(ind_code)
        value = current["value"] if current else None
        text = typed[ind_code] if typed is not None and ind_code in typed else \
            _input_text(value, indicator)
        rows.append({
            "code": ind_code,
            "seen": f"{current['vintage']}:{value!r}" if current else "",
            "name": (indicator.name_en or indicator.name) if lang == "en" else indicator.name,
            "measure": (indicator.unit_en or indicator.unit) if lang == "en" else indicator.unit,
            "yesno": indicator.type is ValueType.YESNO,
            "text": text,
            "current": shown_value(value, indicator, lang) if current else "",
            "vintage": ew["vintages"].get(current["vintage"], current["vintage"])
            if current else "",
            "changed": f"{current['changed_by']}, {local_time(current['changed_at'], lang)}"
            if current else "",
            "errors": (errors or {}).get(ind_code, []),
        })
    buttons = app_of(request).workflow_actions(user, code, state)
    wrong_period = ""
    if view.period.kind != ds.period:
        wrong_period = ew["wrong_period"].format(kind=ew["kinds"][ds.period.value],
                                                 period=view.period.label(lang))
    last = store.audit.history("workflow", audit_key("workflow", unit=code, period=period,
                                                     dataset=ds.code))[:1]
    return render(
        request, "entry_form.html", status_code=status_code, user=user, view=view,
        tab="entry", ew=ew, ds=ds, ds_name=_ds_name(ds, lang), rows=rows, state=state,
        state_text=STATE_NAMES[lang][state],
        editable=state.is_open, buttons=buttons, alert=alert, message=message,
        vintages=FORM_VINTAGES, vintage=kept.get("vintage") or Vintage.OFFICIAL.value,
        source=kept.get("source", ""), reason=kept.get("reason", ""), wrong_period=wrong_period,
        last=[{"who": a.actor, "when": local_time(a.at, lang), "action": a.action,
               "reason": a.reason} for a in last],
    )


@router.get("/units/{code}/entry/{dataset}", dependencies=[Needs(Action.WRITE)])
def entry_form(request: Request, user: CurrentUser, code: str, dataset: str,
               period: str | None = None) -> HTMLResponse:
    view = open_unit(request, user, code, period)
    return _form_page(request, view, app_of(request).dataset(code, dataset))


@router.post("/units/{code}/entry/{dataset}", dependencies=[Needs(Action.WRITE)])
def save(request: Request, user: CurrentUser, form: PostedForm, code: str, dataset: str,
         period: str | None = None) -> HTMLResponse:
    """Read the form and save it with :meth:`App.enter_figures`, all or nothing. A field
    left out of the form (disabled) is not sent; one whose text is what the form showed is
    not either; an emptied one is sent as None (the application deletes a figure held)."""
    view = open_unit(request, user, code, period)
    app = app_of(request)
    ds = app.dataset(code, dataset)
    lang, period_code = view.lang, view.period.code
    keep = {k: str(form.get(k) or "").strip() for k in ("vintage", "source", "reason")}
    keep["vintage"] = keep["vintage"] or Vintage.OFFICIAL.value
    figures = store_of(request).figures.latest(code, period_code, list(ds.indicators))
    shown = _shown(form, ds.indicators)
    typed: dict[str, str] = {}  # the fields changed: shown again as typed if refused
    errors: dict[str, list[str]] = {}
    values: dict[str, float | None] = {}
    for ind_code in ds.indicators:
        field = f"v__{ind_code}"
        indicator = view.light.indicator_by_code.get(ind_code)
        if field not in form or indicator is None:
            continue
        text = str(form.get(field) or "").strip()
        if ind_code in shown:
            was = shown[ind_code]
            before = _input_text(was.value if was is not None else None, indicator)
        else:  # a form that does not say what it showed: compared with what is held
            current = figures.get(ind_code)
            before = _input_text(current["value"] if current else None, indicator)
        if text == before:
            continue
        typed[ind_code] = text
        try:
            values[ind_code] = parse_number(text, "vi") if text else None
        except ValueError as error:
            errors[ind_code] = [number_message(error, text, lang)]
    t = UI[lang]
    if errors:
        return _form_page(request, view, ds, status_code=422, typed=typed, errors=errors,
                          alert=t["fix_errors"], kept=keep)
    try:
        count = app.enter_figures(user, code, period_code, ds.code, values,
                                  vintage=keep["vintage"], source=keep["source"] or None,
                                  reason=keep["reason"] or None, shown=shown)
    except ProblemError as refusal:
        refused = refusal
        if refused.status == 403:
            raise refused from None
        return _refused_form(request, view, ds, refused, list(values), typed, keep)
    if not count:
        return _form_page(request, view, ds, message=t["nothing_changed"], kept=keep)
    return _form_page(request, view, ds, message=t["saved"].format(n=count),
                      kept=keep | {"reason": ""})


def _shown(form: FormData, indicators: Iterable[str]) -> dict[str, Shown | None]:
    """What each field showed, from its hidden ``seen__<indicator>`` (``vintage:value``,
    empty: no figure); a field without one, or with one that cannot be read, is left out."""
    shown: dict[str, Shown | None] = {}
    for code in indicators:
        text = form.get(f"seen__{code}")
        if not isinstance(text, str):
            continue
        if not text:
            shown[code] = None
            continue
        vintage, _, value = text.partition(":")
        try:
            shown[code] = Shown(float(value), vintage)
        except ValueError:
            continue
    return shown


def _refused_form(request: Request, view: UnitView, ds: DataSet, error: ProblemError,
                  sent: list[str], typed: dict[str, str], kept: dict[str, str]) -> HTMLResponse:
    """The form again with each problem next to its field (``sent[index]``), the others on
    top; a closed data set (409) says so on top too."""
    errors: dict[str, list[str]] = {}
    general: list[str] = []
    for problem in error.problems:
        text = problem.message_vi if view.lang == "vi" else problem.message
        owner = sent[problem.index] if problem.index is not None and \
            0 <= problem.index < len(sent) else None
        found = errors.setdefault(owner, []) if owner is not None else general
        if text not in found:
            found.append(text)
    first = next((m for ms in errors.values() for m in ms), UI[view.lang]["fix_errors"])
    closed = error.status == 409
    alert = "; ".join(general) or (first if closed else UI[view.lang]["fix_errors"])
    if any(p.field == "vintage" for p in error.problems):
        kept = kept | {"vintage": ""}
    return _form_page(request, view, ds, status_code=error.status, typed=typed, errors=errors,
                      alert=alert, kept=kept)


def number_message(error: ValueError, text: str, lang: str) -> str:
    """Why ``text`` is not a number, in the page's language (numbers are always typed the
    Vietnamese way)."""
    if lang == "vi":
        return str(error)
    return (f"\"{text}\" is not a number in the Vietnamese format: a dot groups thousands, "
            "a comma starts the decimals (1.234,5)")


@router.post("/units/{code}/entry/{dataset}/workflow", dependencies=[Needs(Action.WRITE)])
def workflow(request: Request, user: CurrentUser, code: str, dataset: str,
             action: Annotated[str, Form()], reason: Annotated[str, Form()] = "",
             period: str | None = None) -> HTMLResponse:
    """Submit, approve, return, lock or reopen the data set for the period; the application
    checks who may, from which state, and that returning and reopening give a reason."""
    view = open_unit(request, user, code, period)
    app = app_of(request)
    ds = app.dataset(code, dataset)
    try:
        app.transition(user, code, view.period.code, ds.code, action,
                       reason=reason.strip() or None)
    except ProblemError as refusal:
        error = refusal
        if error.status == 403:
            raise error from None
        return _form_page(request, view, ds, status_code=error.status,
                          alert=problem_text(error, view.lang))
    return _form_page(request, view, ds, message=WORDS[view.lang]["done"].get(action, ""))

