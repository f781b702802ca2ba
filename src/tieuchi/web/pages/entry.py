"""Data entry ("nhập số liệu"): a unit's data sets for a period, the form of one, its workflow
(gửi cấp trên, phê duyệt, trả lại, khóa số liệu, mở khóa). The history of a value: pages/history.py.
A unit that reports no form of its own (a city) is pointed to the work queue of the units below.

Every figure is written through :meth:`App.enter_figures` in one go: a form with one bad field
saves nothing. Numbers are typed the Vietnamese way (1.234,5), whatever the page's language.
Each field sends, hidden, the figure it showed (``seen__<indicator>``: ``vintage:value``, empty
for none): a figure someone else changed in the meantime is not overwritten, the field says
who changed it to what (``stale-figure``, 409). A field changed keeps the vintage of the
figure it showed unless the user picks one (:meth:`App.enter_figures` with no vintage).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import FormData

from tieuchi.app import FORM_VINTAGES, Action, Shown
from tieuchi.app.queue import stage_of
from tieuchi.domain.datasets import DataSet
from tieuchi.domain.indicators import Indicator, ValueType
from tieuchi.domain.periods import PeriodKind
from tieuchi.domain.problems import ProblemError
from tieuchi.domain.workflow import State
from tieuchi.reports.formatting import NumberError, number, parse_number
from tieuchi.store.audit import audit_key
from tieuchi.web.app import problem_text, render
from tieuchi.web.i18n import N_, named, named_text, translator
from tieuchi.web.pages.common import VINTAGE_NAMES, CurrentUser, local_time, page_router
from tieuchi.web.pages.queue import DONE_WORDS, STAGE_WORDS, STEP_WORDS
from tieuchi.web.security import Needs, app_of, store_of
from tieuchi.web.views import UnitView, open_unit

router = page_router()

__all__ = ["router", "number_message", "PostedForm"]


KIND_WORDS: dict[str, str] = {
    PeriodKind.YEAR: N_("năm"), PeriodKind.HALF: N_("6 tháng"), PeriodKind.QUARTER: N_("quý"),
    PeriodKind.MONTH: N_("tháng"), PeriodKind.YTD: N_("lũy kế tháng"),
    PeriodKind.MULTI_YEAR: N_("nhiều năm"),
}

CLOSED = frozenset({State.SUBMITTED.value, State.APPROVED.value, State.LOCKED.value})
"""The problems of a figure in a form that is no longer a draft."""


async def _form(request: Request) -> FormData:
    """The posted form, read once (the CSRF check has read it already)."""
    return await request.form()


PostedForm = Annotated[FormData, Depends(_form)]


def _places(value: float) -> int:
    """The decimals ``value`` has (up to 6): 87.25 → 2."""
    digits = f"{round(value, 6):.6f}".rstrip("0").split(".")[1]
    return len(digits)


def _input_text(value: float | None, indicator: Indicator) -> str:
    """A figure as the form shows it to be edited: Vietnamese format, nothing rounded away."""
    if value is None:
        return ""
    if indicator.type is ValueType.YESNO and value in (0, 1):
        return str(int(value))
    return number(value, "vi", max(indicator.decimals, 6))


def _held_text(value: float, indicator: Indicator, lang: str) -> str:
    """A figure held, next to its field: as typed (87,25 stays 87,25, not the indicator's
    one decimal), with the declared decimals kept when they are fixed (2.418,50)."""
    if indicator.type is ValueType.YESNO and value in (0, 1):
        _ = translator(lang).gettext
        return _("Đạt") if value == 1 else _("Chưa đạt")
    places = _places(value)
    if indicator.decimals_fixed:
        return number(value, lang, max(places, indicator.decimals), fixed=True)
    return number(value, lang, places)


# ---------------------------------------------------------------------- the data sets


@router.get("/units/{code}/entry", dependencies=[Needs(Action.WRITE)])
def datasets(request: Request, user: CurrentUser, code: str,
             period: str | None = None) -> HTMLResponse:
    """The unit's forms for the period: how much of each is filled in and where it stands;
    a unit without a form of its own (a city) is pointed to the queue of the units below."""
    view = open_unit(request, user, code, period)
    store = store_of(request)
    lang = view.lang
    _ = translator(lang).gettext
    states = store.workflow.states([code], view.period.code)
    rows = []
    for ds in store.units.datasets_for(code):
        state = states[(code, ds.code)]
        filled = store.figures.latest(code, view.period.code, list(ds.indicators))
        stage = stage_of(state, len(filled))
        rows.append({"code": ds.code, "name": named(ds.name, ds.name_en, lang),
                     "count": len(ds.indicators), "filled": len(filled), "stage": stage,
                     "state_text": _(STAGE_WORDS[stage])})
    return render(request, "entry.html", user=user, view=view, tab="entry", rows=rows,
                  below=bool(view.children()))


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
    _ = translator(lang).gettext
    period = view.period.code
    figures = store.figures.latest(code, period, list(ds.indicators))
    state = store.workflow.state(code, period, ds.code)
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
            "name": named(indicator.name, indicator.name_en, lang),
            "name_text": named_text(indicator.name, indicator.name_en, lang),
            "measure": named(indicator.unit, indicator.unit_en, lang) if indicator.unit
            else "",
            "yesno": indicator.type is ValueType.YESNO,
            "text": text,
            # in the form's own number format (typed the Vietnamese way in both languages):
            # the figure held reads as the field beside it ("43.799", not "43,799")
            "current": _held_text(value, indicator, "vi") if value is not None else "",
            "vintage": _(VINTAGE_NAMES[current["vintage"]])
            if current and current["vintage"] in VINTAGE_NAMES else "",
            "changed": f"{current['changed_by']}, {local_time(current['changed_at'])}"
            if current else "",
            "note": (current or {}).get("note") or "",
            "errors": (errors or {}).get(ind_code, []),
        })
    steps = app_of(request).workflow_actions(user, code, state)
    wrong_period = ""
    if view.period.kind != ds.period:
        wrong_period = _("Biểu này nhập theo kỳ %(kind)s; kỳ đang chọn là %(period)s.") % {
            "kind": _(KIND_WORDS[ds.period]), "period": view.period.label(lang)}
    last = store.audit.history("workflow", audit_key("workflow", unit=code, period=period,
                                                     dataset=ds.code))[:1]
    stage = stage_of(state, len(figures))
    return render(
        request, "entry_form.html", status_code=status_code, user=user, view=view,
        tab="entry", ds=ds, ds_name=named(ds.name, ds.name_en, lang),
        ds_title=named_text(ds.name, ds.name_en, lang), rows=rows, state=state,
        closed_note=_closed_text(state, lang),
        stage=stage.value, state_text=_(STAGE_WORDS[stage]),
        editable=state.is_open, alert=alert, message=message,
        buttons=[(s.value, _(STEP_WORDS[s])) for s in steps],
        vintages=[(v, _(VINTAGE_NAMES[v])) for v in FORM_VINTAGES],
        vintage=kept.get("vintage", ""), source=kept.get("source", ""),
        reason=kept.get("reason", ""), wrong_period=wrong_period,
        last=[{"who": a.actor, "when": local_time(a.at),
               "action": _(STEP_WORDS[a.action]) if a.action in STEP_WORDS else a.action,
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
    not either; an emptied one is sent as None (the application deletes a figure held).
    No vintage chosen (the default): each figure keeps the vintage of the one it replaces."""
    view = open_unit(request, user, code, period)
    app = app_of(request)
    ds = app.dataset(code, dataset)
    lang, period_code = view.lang, view.period.code
    _ = translator(lang).gettext
    keep = {k: str(form.get(k) or "").strip() for k in ("vintage", "source", "reason")}
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
    if errors:
        return _form_page(request, view, ds, status_code=422, typed=typed, errors=errors,
                          alert=_("Chưa lưu: sửa các ô báo lỗi rồi lưu lại."), kept=keep)
    try:
        count = app.enter_figures(user, code, period_code, ds.code, values,
                                  vintage=keep["vintage"] or None,
                                  source=keep["source"] or None,
                                  reason=keep["reason"] or None, shown=shown,
                                  notes=_notes(form, ds.indicators))
    except ProblemError as refusal:
        refused = refusal
        if refused.status == 403:
            raise refused from None
        return _refused_form(request, view, ds, refused, list(values), typed, keep)
    if not count:
        return _form_page(request, view, ds, message=_("Không có thay đổi."), kept=keep)
    return _form_page(request, view, ds, message=_("Đã lưu %(n)s thay đổi.") % {"n": count},
                      kept=keep | {"reason": ""})


def _notes(form: FormData, indicators: Iterable[str]) -> dict[str, str]:
    """The "Ghi chú" of each figure the form sent (one equal to the note held changes
    nothing; an emptied one takes it away)."""
    return {code: str(form.get(f"note__{code}") or "").strip() for code in indicators
            if f"note__{code}" in form}


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
        vintage, _sep, value = text.partition(":")
        try:
            shown[code] = Shown(float(value), vintage)
        except ValueError:
            continue
    return shown


def _refused_form(request: Request, view: UnitView, ds: DataSet, error: ProblemError,
                  sent: list[str], typed: dict[str, str], kept: dict[str, str]) -> HTMLResponse:
    """The form again with each problem next to its field (``sent[index]``), the others on
    top; a closed data set (409) says so on top, in a sentence (no codes)."""
    _ = translator(view.lang).gettext
    fix = _("Chưa lưu: sửa các ô báo lỗi rồi lưu lại.")
    errors: dict[str, list[str]] = {}
    general: list[str] = []
    for problem in error.problems:
        text = _closed_text(problem.code, view.lang) if problem.code in CLOSED else \
            problem_text(ProblemError([problem]), view.lang)
        owner = sent[problem.index] if problem.index is not None and \
            0 <= problem.index < len(sent) else None
        found = errors.setdefault(owner, []) if owner is not None else general
        if text not in found:
            found.append(text)
    first = next((m for ms in errors.values() for m in ms), fix)
    closed = error.status == 409
    alert = "; ".join(general) or (first if closed else fix)
    if any(p.field == "vintage" for p in error.problems):
        kept = kept | {"vintage": ""}
    return _form_page(request, view, ds, status_code=error.status, typed=typed, errors=errors,
                      alert=alert, kept=kept)


def _closed_text(state: str, lang: str) -> str:
    _ = translator(lang).gettext
    if state == State.LOCKED:
        return _("Số liệu đã khóa: không sửa được. Quản trị có thể mở khóa, nêu lý do.")
    if state == State.APPROVED:
        return _("Biểu đã được cấp trên phê duyệt: không sửa được cho đến khi được trả lại.")
    return _("Biểu đã gửi lên cấp trên: không sửa được cho đến khi được trả lại.")


def number_message(error: ValueError, text: str, lang: str) -> str:
    """Why ``text`` is not a number, in the page's language (numbers are always typed the
    Vietnamese way): what :func:`~tieuchi.reports.formatting.parse_number` found wrong."""
    _ = translator(lang).gettext
    kind = error.kind if isinstance(error, NumberError) else "not-a-number"
    if kind == "too-large":
        return _("\"%(text)s\" quá lớn.") % {"text": text}
    if isinstance(error, NumberError) and error.options:
        return _("\"%(text)s\" không phải là số viết theo cách Việt Nam: dấu chấm phân cách "
                 "hàng nghìn, dấu phẩy trước phần thập phân (1.234,5); có phải là "
                 "%(options)s?") % {"text": text, "options": _(" hoặc ").join(error.options)}
    return _("\"%(text)s\" không phải là số viết theo cách Việt Nam: dấu chấm phân cách "
             "hàng nghìn, dấu phẩy trước phần thập phân (1.234,5).") % {"text": text}


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
    done = DONE_WORDS.get(action)
    return _form_page(request, view, ds,
                      message=translator(view.lang).gettext(done) if done else "")
