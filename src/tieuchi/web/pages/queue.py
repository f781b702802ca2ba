"""The work queue ("Chờ xử lý"): the forms of a unit and the units below it for a period,
their stage, completeness, due date and lateness (:meth:`App.queue`); approve, return (with
a reason) and lock from it, a form at a time or the ones ticked at once
(:meth:`App.move_forms`: form by form, a refusal names its form and the others go through);
what waits for the user on the dashboard (``_waiting.html``, loaded by htmx from
``/units/{code}/queue/waiting``: the dashboard is kept rendered, the queue is read fresh);
the late units as CSV (reminders).
"""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, Response

from tieuchi.app import Action, Moved
from tieuchi.app.queue import FILTERS, Item, Queue, Stage
from tieuchi.domain.problems import ProblemError
from tieuchi.domain.workflow import Step
from tieuchi.reports.formatting import percent, short_date
from tieuchi.web.app import problem_text, render
from tieuchi.web.i18n import N_, named, named_text, translator
from tieuchi.web.pages.common import CurrentUser, page_router
from tieuchi.web.security import Needs, app_of
from tieuchi.web.views import UnitView, open_unit

router = page_router()

__all__ = ["router", "STAGE_WORDS", "STEP_WORDS", "DONE_WORDS"]

STAGE_WORDS: dict[str, str] = {
    Stage.EMPTY: N_("Chưa nhập"), Stage.DRAFT: N_("Đang nhập"), Stage.SUBMITTED: N_("Đã gửi"),
    Stage.APPROVED: N_("Đã phê duyệt"), Stage.LOCKED: N_("Đã khóa"),
}
"""The name of each stage of a form (the chip ``wf wf-<stage>``)."""

STEP_WORDS: dict[str, str] = {
    Step.SUBMIT: N_("Gửi cấp trên"), Step.APPROVE: N_("Phê duyệt"), Step.RETURN: N_("Trả lại"),
    Step.LOCK: N_("Khóa số liệu"), Step.REOPEN: N_("Mở khóa"),
}
"""The button of each workflow step."""

DONE_WORDS: dict[str, str] = {
    Step.SUBMIT: N_("Đã gửi cấp trên."), Step.APPROVE: N_("Đã phê duyệt."),
    Step.RETURN: N_("Đã trả lại để sửa."), Step.LOCK: N_("Đã khóa số liệu."),
    Step.REOPEN: N_("Đã mở khóa số liệu."),
}
"""What a page says after a step."""

FILTER_WORDS: dict[str, str] = {
    "open": N_("Chưa phê duyệt"), "waiting": N_("Chờ tôi phê duyệt"), "late": N_("Trễ hạn"),
    **STAGE_WORDS, "all": N_("Tất cả"),
}

# The bulk actions: the steps each takes, in order.
BULK: dict[str, tuple[str, ...]] = {"approve": (Step.APPROVE,),
                                    "approve-lock": (Step.APPROVE, Step.LOCK),
                                    "lock": (Step.LOCK,), "return": (Step.RETURN,)}


def _rows(view: UnitView, items: list[Item]) -> list[dict[str, Any]]:
    lang, _ = view.lang, translator(view.lang).gettext
    return [{
        "key": i.key, "unit": i.unit.code, "dataset": i.dataset.code,
        "unit_name": view.name(i.unit.code),  # "Xã Tân Triều" (its kind in Vietnamese only)
        "form": named(i.dataset.name, i.dataset.name_en, lang),
        "form_text": named_text(i.dataset.name, i.dataset.name_en, lang),
        "stage": i.stage.value, "stage_text": _(STAGE_WORDS[i.stage]),
        "filled": i.filled, "required": i.required,
        "share": percent(i.share, lang, 0),
        "due": short_date(i.due) if i.due else "", "late": i.days_late,
        "steps": [{"step": s.value, "text": _(STEP_WORDS[s])} for s in i.steps],
        "lockable": Step.APPROVE in i.steps,
    } for i in items]


def _page(request: Request, view: UnitView, queue: Queue, shown: str, *,
          status_code: int = 200, message: str = "", alert: list[str] | None = None
          ) -> HTMLResponse:
    _ = translator(view.lang).gettext
    items = queue.of("" if shown == "all" else shown)
    counts = {f: len(queue.of("" if f == "all" else f)) for f in FILTERS}
    return render(
        request, "queue.html", status_code=status_code, user=view.user, view=view,
        tab="queue", rows=_rows(view, items), shown=shown,
        filters=[(f, _(FILTER_WORDS[f]), counts[f]) for f in FILTERS],
        late=_rows(view, queue.late()), message=message, alert=alert or [],
        bulk=any(i.steps for i in items))


@router.get("/units/{code}/queue", dependencies=[Needs(Action.READ)])
def queue_page(request: Request, user: CurrentUser, code: str, period: str | None = None,
               state: str = "open") -> HTMLResponse:
    """The queue, filtered by ``state`` (:data:`~tieuchi.app.queue.FILTERS`), late first."""
    view = open_unit(request, user, code, period)
    queue = app_of(request).queue(user, code, view.period.code)
    return _page(request, view, queue, state if state in FILTERS else "open")


@router.post("/units/{code}/queue", dependencies=[Needs(Action.READ)])
def queue_action(request: Request, user: CurrentUser, code: str, period: str | None = None,
                 state: str = "open", action: Annotated[str, Form()] = "",
                 one: Annotated[str, Form()] = "",
                 form: Annotated[list[str] | None, Form()] = None,
                 reason: Annotated[str, Form()] = "") -> Response:
    """Take ``action`` (:data:`BULK`) on the forms ticked (``form``: ``unit|dataset``,
    repeated), or the step of a row's button (``one``: ``action:unit|dataset``); each
    through the application's workflow command, form by form."""
    view = open_unit(request, user, code, period)
    app = app_of(request)
    _ = translator(view.lang).gettext
    if one:
        action, _sep, picked = one.partition(":")
        chosen = [picked]
    else:
        chosen = form or []
    forms = [(u, d) for u, _bar, d in (v.partition("|") for v in chosen) if u and d]
    shown = state if state in FILTERS else "open"
    if action not in BULK or not forms:
        queue = app.queue(user, code, view.period.code)
        return _page(request, view, queue, shown, status_code=422,
                     alert=[_("Chưa chọn biểu nào, hoặc thao tác không hợp lệ.")])
    within = {i.key: i for i in app.queue(user, code, view.period.code).items}
    outside = [f for f in forms if f"{f[0]}|{f[1]}" not in within]
    moved = app.move_forms(user, view.period.code,
                           [(u, d) for u, d in forms if f"{u}|{d}" in within],
                           BULK[action], reason=reason.strip() or None)
    queue = app.queue(user, code, view.period.code)
    done = [m for m in moved if m.state is not None]
    alert = [_refused_text(view, within[f"{m.unit}|{m.dataset}"], m) for m in moved
             if m.state is None]
    alert += [_("Biểu không có trong danh sách chờ xử lý của đơn vị này.")] if outside else []
    message = _("Đã thực hiện cho %(n)s biểu.") % {"n": len(done)} if done else ""
    return _page(request, view, queue, shown, message=message, alert=alert,
                 status_code=200 if done or not alert else 409)


def _refused_text(view: UnitView, item: Item, moved: Moved) -> str:
    error = ProblemError(list(moved.problems))
    return (f"{named_text(item.unit.name, item.unit.name_en, view.lang)} – "
            f"{named_text(item.dataset.name, item.dataset.name_en, view.lang)}: "
            f"{problem_text(error, view.lang)}")


@router.get("/units/{code}/queue/waiting", dependencies=[Needs(Action.READ)])
def waiting(request: Request, user: CurrentUser, code: str,
            period: str | None = None) -> HTMLResponse:
    """What waits for the user (the dashboard's ``_waiting.html``, loaded by htmx): the
    forms they may approve and the units that are late."""
    view = open_unit(request, user, code, period)
    queue = app_of(request).queue(user, code, view.period.code)
    return render(request, "_waiting_box.html", view=view, waiting=len(queue.waiting()),
                  late=len(queue.late_units()))


@router.get("/units/{code}/queue/late.csv", dependencies=[Needs(Action.READ)])
def late_csv(request: Request, user: CurrentUser, code: str,
             period: str | None = None) -> Response:
    """The reminder list: each late form's unit, form, due date and days late (CSV, UTF-8
    with a byte-order mark so that Excel reads the diacritics)."""
    view = open_unit(request, user, code, period)
    _ = translator(view.lang).gettext
    queue = app_of(request).queue(user, code, view.period.code)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Đơn vị"), _("Biểu"), _("Hạn nộp"), _("Số ngày trễ"), _("Trạng thái")])
    for i in queue.late():
        writer.writerow([named_text(i.unit.name, i.unit.name_en, view.lang),
                         named_text(i.dataset.name, i.dataset.name_en, view.lang),
                         short_date(i.due) if i.due else "", i.days_late,
                         _(STAGE_WORDS[i.stage])])
    name = f"tre-han-{view.code}-{view.period.code}.csv"
    return Response("\ufeff" + out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
