"""Import from Excel ("nhập từ Excel"): download a unit's entry template, upload it filled in,
see what would change (old → new, cell by cell), then confirm.

The upload is read and checked whole (:func:`tieuchi.io.excel_import.read_workbook`); the
application decides whether the user may import its units on this page
(:meth:`App.check_import`: within the user's scope and under the page's unit).
The preview carries the changes to the confirmation signed with the application's key, so
any worker can write them; the confirmation compares them with the figures held then (the
preview is shown again if they changed) and writes them in one ``store.figures.write``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

import polars as pl
from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.datastructures import UploadFile

from tieuchi.app import Action, allowed
from tieuchi.app.policy import Resource
from tieuchi.domain.indicators import Indicator
from tieuchi.domain.periods import Period
from tieuchi.domain.problems import Problem, ProblemError
from tieuchi.domain.units import Unit
from tieuchi.io.excel_import import MAX_BYTES, read_workbook, refresh
from tieuchi.io.excel_template import plan_template, workbook_bytes
from tieuchi.io.plan import CHANGE_SCHEMA, Plan, apply
from tieuchi.web.app import render
from tieuchi.web.i18n import named_text, translator
from tieuchi.web.pages.common import VINTAGE_NAMES, CurrentUser, page_router
from tieuchi.web.pages.entry import PostedForm
from tieuchi.web.security import Needs, app_of, store_of
from tieuchi.web.views import UnitView, open_unit, shown_value

router = page_router()

__all__ = ["router", "PREVIEW_SALT", "MAX_AGE", "preview_signer"]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PREVIEW_SALT = "tieuchi.import"  # of the signed changes a preview hands to the confirmation
MAX_AGE = 3600  # seconds a preview may be confirmed within

def preview_signer(request: Request, salt: str = PREVIEW_SALT) -> URLSafeTimedSerializer:
    """The signer of what a preview hands to its confirmation (``salt``: the page's)."""
    key = request.app.state.settings.secret_key or store_of(request).users.secret()
    return URLSafeTimedSerializer(key, salt=salt)


_signer = preview_signer


# ---------------------------------------------------------------------- templates


def _writable(view: UnitView) -> list[Unit]:
    """The page's unit and the units below it the user may write, valid in the period."""
    above = view.store.units.path(view.code)[1:]
    parents = {u.code: u.parent for u in view.light.units}
    found = []
    for unit in (view.unit, *(view.light.unit_by_code[c]
                              for c in view.light.descendants(view.code))):
        path: list[str] = []
        current: str | None = unit.code
        while current is not None and current != view.code:
            path.append(current)
            current = parents.get(current)
        path += [view.code, *above]
        if allowed(view.user, Action.WRITE, Resource.unit(path)) and \
                unit.valid_on(view.period.start, view.period.end):
            found.append(unit)
    return found


def _templates(view: UnitView) -> list[dict[str, Any]]:
    units = _writable(view)
    rows = []
    for ds in view.light.data_sets:
        mine = [u for u in units if ds.reported_by(u.level)]
        if not mine:
            continue
        rows.append({"code": ds.code, "name": named_text(ds.name, ds.name_en, view.lang),
                     "own": mine[0].code == view.code,
                     "below": len([u for u in mine if u.code != view.code])})
    return rows


@router.get("/units/{code}/import/template", dependencies=[Needs(Action.WRITE)])
def template(request: Request, user: CurrentUser, code: str, dataset: str,
             period: str | None = None, below: int = 0) -> Response:
    """The Excel template of ``dataset`` for the unit, or (``below=1``) for the units below
    it that report it."""
    view = open_unit(request, user, code, period)
    _ = translator(view.lang).gettext
    ds = next((d for d in view.light.data_sets if d.code == dataset), None)
    if ds is None:
        raise HTTPException(404, _("Không có biểu nhập số liệu này."))
    units = [u.code for u in _writable(view)
             if (u.code != code) == bool(below) and ds.reported_by(u.level)]
    if not units:
        raise HTTPException(404, _("Không có đơn vị nào bạn được nhập số liệu báo cáo biểu "
                                   "này."))
    try:
        made = plan_template(store_of(request), units, period=view.period.code,
                             dataset=dataset)
    except ProblemError as error:
        return _page(request, view, status_code=422, problems=list(error.problems))
    return Response(workbook_bytes(made), media_type=XLSX, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(made.file_name)}"})


# ---------------------------------------------------------------------- pages


def _page(request: Request, view: UnitView, *, status_code: int = 200,
          problems: Sequence[Problem] | None = None, alert: str | None = None,
          message: str | None = None, reason: str = "") -> HTMLResponse:
    return render(request, "imports.html", status_code=status_code, user=view.user,
                  view=view, tab="import", templates=_templates(view),
                  problems=[p.text(view.lang) for p in problems or []], alert=alert,
                  message=message, reason=reason, max_mb=MAX_BYTES // 2**20)


@router.get("/units/{code}/import", dependencies=[Needs(Action.WRITE)])
def upload_page(request: Request, user: CurrentUser, code: str,
                period: str | None = None) -> HTMLResponse:
    return _page(request, open_unit(request, user, code, period))


@router.post("/units/{code}/import", dependencies=[Needs(Action.WRITE)])
def upload(request: Request, user: CurrentUser, form: PostedForm, code: str,
           period: str | None = None) -> HTMLResponse:
    """Read the uploaded workbook and show what it would change, or every problem."""
    view = open_unit(request, user, code, period)
    _, store = translator(view.lang).gettext, store_of(request)
    reason = str(form.get("reason") or "").strip()
    file = form.get("file")
    if not isinstance(file, UploadFile) or not file.filename:
        return _page(request, view, status_code=422, reason=reason,
                     alert=_("Chọn một tệp Excel (.xlsx) để tải lên."))
    data = file.file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        return _page(request, view, status_code=413, reason=reason,
                     alert=_("Tệp lớn hơn %(mb)s MB.") % {"mb": MAX_BYTES // 2**20})
    app = app_of(request)
    try:
        plan = read_workbook(store, data, name=file.filename,
                             allow=lambda units: app.check_import(user, code, units))
    except ProblemError as error:
        status = error.status if isinstance(error, ProblemError) else 422
        return _page(request, view, status_code=status, problems=list(error.problems),
                     alert=_("Tệp có %(n)s lỗi, chưa nhập gì. Sửa các ô sau rồi tải lên lại:")
                     % {"n": len(error.problems)}, reason=reason)
    return _preview(request, view, plan, reason)


def _preview(request: Request, view: UnitView, plan: Plan, reason: str, *,
             status_code: int = 200, alert: str | None = None) -> HTMLResponse:
    lang = view.lang
    _ = translator(lang).gettext
    catalogue = {i.code: i for i in view.light.indicators}
    names = {u.code: u.name for u in view.light.units}
    rows = [{
        "place": c.place, "unit": names.get(c.unit, c.unit),
        "period": Period.parse(c.period).label(lang),
        "indicator": _name(catalogue.get(c.indicator), c.indicator, lang),
        "old": shown_value(c.old, catalogue.get(c.indicator), lang, 6),
        "old_vintage": _(VINTAGE_NAMES[c.old_vintage]) if c.old_vintage in VINTAGE_NAMES
        else "",
        "new": _("(xóa)") if c.value is None else shown_value(
            c.value, catalogue.get(c.indicator), lang, 6),
        "vintage": _(VINTAGE_NAMES[c.vintage]) if c.vintage in VINTAGE_NAMES else c.vintage,
        "source": c.source if c.source and c.source != c.old_source else "",
        "note": c.note or "", "action": c.action,
    } for c in plan.changes()]
    payload = _signer(request).dumps({
        "user": view.user.id, "unit": view.code, "file": plan.file,
        "rows": plan.frame.to_dicts()})
    return render(request, "imports_preview.html", status_code=status_code, user=view.user,
                  view=view, tab="import", file=plan.file, rows=rows,
                  counts=plan.counts(), warnings=[w.text(lang) for w in plan.warnings],
                  payload=payload, reason=reason, alert=alert)


def _status(problems: Sequence[Problem]) -> int:
    """The status of an import the application refused: its problems' codes are the
    catalogue's (409 for a closed data set)."""
    return ProblemError([Problem(p.code, p.message, p.message_vi) for p in problems]).status


def _name(indicator: Indicator | None, code: str, lang: str) -> str:
    if indicator is None:
        return code
    return named_text(indicator.name, indicator.name_en, lang)


@router.post("/units/{code}/import/confirm", dependencies=[Needs(Action.WRITE)])
def confirm(request: Request, user: CurrentUser, form: PostedForm, code: str,
            period: str | None = None) -> HTMLResponse:
    """Write the changes of the preview, unless the figures held changed in between."""
    view = open_unit(request, user, code, period)
    _, store = translator(view.lang).gettext, store_of(request)
    expired = _("Phiên xem trước đã hết hạn hoặc không hợp lệ; tải tệp lên lại.")
    reason = str(form.get("reason") or "").strip()
    try:
        data = _signer(request).loads(str(form.get("payload") or ""), max_age=MAX_AGE)
    except BadSignature:
        return _page(request, view, status_code=400, alert=expired, reason=reason)
    if data.get("user") != user.id or data.get("unit") != code:
        return _page(request, view, status_code=400, alert=expired, reason=reason)
    shown = Plan(str(data["file"]), pl.DataFrame(data["rows"], schema=CHANGE_SCHEMA))
    app = app_of(request)
    app.check_import(user, code, shown.units)
    plan = refresh(store, shown)
    if not plan.frame.equals(shown.frame):
        return _preview(request, view, plan, reason, status_code=409, alert=_(
            "Số liệu đã thay đổi từ lúc xem trước; kiểm tra lại rồi xác nhận."))
    try:
        count = apply(app, plan, actor=user, reason=reason or None)
    except ProblemError as error:
        return _page(request, view, status_code=_status(error.problems),
                     problems=list(error.problems), reason=reason,
                     alert=_("Tệp có %(n)s lỗi, chưa nhập gì. Sửa các ô sau rồi tải lên lại:")
                     % {"n": len(error.problems)})
    return _page(request, view, message=_("Đã nhập %(n)s thay đổi từ tệp %(file)s.")
                 % {"n": count, "file": plan.file})
