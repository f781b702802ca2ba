"""Targets from a resolution ("nhập từ nghị quyết"), on the target management page: upload
the resolution's ``.docx`` or ``.xlsx``, see each row of its target table as understood
(:mod:`tieuchi.io.resolution`: the target it gives and the indicator it matches, or why not,
with the best guesses), then confirm, which saves the targets understood with
:meth:`App.set_targets` (all or nothing), the document as their source.

The preview hands the targets to the confirmation signed with the application's key, as
the Excel import does (:func:`tieuchi.web.pages.imports.preview_signer`).
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from itsdangerous import BadSignature
from starlette.datastructures import UploadFile

from tieuchi.app import Action
from tieuchi.domain.bundle import target_frame
from tieuchi.domain.problems import ProblemError
from tieuchi.io.resolution import (
    MAX_BYTES,
    Resolution,
    candidates,
    describe,
    guess_text,
    read_resolution,
    score_text,
)
from tieuchi.reports.text import plan_text
from tieuchi.web.app import render
from tieuchi.web.i18n import named_text, translator
from tieuchi.web.pages.common import CurrentUser, page_router
from tieuchi.web.pages.entry import PostedForm
from tieuchi.web.pages.imports import MAX_AGE, preview_signer
from tieuchi.web.pages.manage import manage_page
from tieuchi.web.security import Needs, app_of
from tieuchi.web.views import UnitView, open_unit

router = page_router()

__all__ = ["router", "SALT"]

SALT = "tieuchi.resolution"  # of the targets a preview hands to the confirmation


@router.post("/units/{code}/manage-targets/resolution",
             dependencies=[Needs(Action.MANAGE_TARGETS)])
def upload(request: Request, user: CurrentUser, form: PostedForm, code: str,
           period: str | None = None) -> HTMLResponse:
    """Read the uploaded resolution and show each row of its target table as understood."""
    view = open_unit(request, user, code, period)
    _ = translator(view.lang).gettext
    issuer = str(form.get("issuer") or "").strip() or None
    document = str(form.get("document") or "").strip() or None
    file = form.get("file")
    if not isinstance(file, UploadFile) or not file.filename:
        return manage_page(request, view, status_code=422, alert=_(
            "Chọn tệp nghị quyết (.docx hoặc .xlsx) để tải lên."))
    data = file.file.read(MAX_BYTES + 1)
    try:
        found = read_resolution(data, file.filename, candidates(view.definitions))
    except ProblemError as error:
        return manage_page(request, view, status_code=error.status, alert=_(
            "Không đọc được tệp nghị quyết: %(why)s") % {"why": "; ".join(
                p.text(view.lang) for p in error.problems)})
    document = document or file.filename
    app = app_of(request)
    understood = _docs(found, view, issuer, document)
    changes = app.revision(understood)  # those that change something held, or add one
    docs = [doc for doc, _ in changes]
    refused = app.check_targets(user, docs) if docs else []
    payload = preview_signer(request, SALT).dumps({
        "user": user.id, "unit": code, "file": found.file, "docs": docs})
    return render(request, "manage_resolution.html", user=view.user, view=view, tab="manage",
                  file=found.file, rows=_rows(found, view), count=len(docs),
                  replaced=_replaced(changes, view), unchanged=len(understood) - len(changes),
                  refused=[p.text(view.lang) for p in refused], payload=payload,
                  issuer=issuer or "", document=document)


def _docs(found: Resolution, view: UnitView, issuer: str | None,
          document: str) -> list[dict[str, Any]]:
    """The targets understood, as rows of the target schema for the unit and period."""
    targets = found.targets(unit=view.code, period=view.period.code, issuer=issuer,
                            document=document)
    return target_frame(targets).to_dicts() if targets else []


def _replaced(revised: list[tuple[dict[str, Any], dict[str, Any] | None]],
              view: UnitView) -> list[dict[str, str]]:
    """The targets held that the import replaces: the indicator, the target now and the
    new one ("≥ 10% → ≥ 7,5%")."""
    return [{"key": new["key"], "indicator": _name(view, new["indicator"]),
             "old": _plan(old, view), "new": _plan(new, view)}
            for new, old in revised if old is not None]


def _name(view: UnitView, code: str) -> str:
    indicator = view.light.indicator_by_code.get(code)
    return named_text(indicator.name, indicator.name_en, view.lang) if indicator else code


def _plan(doc: dict[str, Any], view: UnitView) -> str:
    """A target (a row of the target schema) as the tables show it, with its unit."""
    indicator = view.light.indicator_by_code.get(doc["indicator"])
    row = {**doc, "target": doc["value"], "type": indicator.type.value if indicator else None,
           "decimals": indicator.decimals if indicator else 2}
    return plan_text(row, view.ctx, measured=True)


def _rows(found: Resolution, view: UnitView) -> list[dict[str, Any]]:
    names = {i.code: named_text(i.name, i.name_en, view.lang) for i in view.light.indicators}
    return [{
        "n": n, "place": u.row.place, "name": u.row.name, "unit": u.row.unit or "",
        "value": u.row.value or "", "understood": describe(u.fields) if u.fields else "",
        "converted": u.converted or "",
        "indicator": names.get(u.code or "", "") if u.code else "",
        "score": score_text(u.match.guesses[0].score, view.lang)
        if u.match.guesses and not u.chosen else None,
        "ok": u.ok, "problem": u.problem.text(view.lang) if u.problem else "",
        "guesses": guess_text(u.match, view.lang, names) if u.code is None else "",
    } for n, u in enumerate(found.rows, start=1)]


@router.post("/units/{code}/manage-targets/resolution/confirm",
             dependencies=[Needs(Action.MANAGE_TARGETS)])
def confirm(request: Request, user: CurrentUser, form: PostedForm, code: str,
            period: str | None = None) -> HTMLResponse:
    """Save the targets of the preview (:meth:`App.set_targets`, all or nothing)."""
    view = open_unit(request, user, code, period)
    _ = translator(view.lang).gettext
    expired = _("Phiên xem trước đã hết hạn hoặc không hợp lệ; tải tệp lên lại.")
    try:
        data = preview_signer(request, SALT).loads(str(form.get("payload") or ""),
                                                   max_age=MAX_AGE)
    except BadSignature:
        return manage_page(request, view, status_code=400, alert=expired)
    if data.get("user") != user.id or data.get("unit") != code or not data.get("docs"):
        return manage_page(request, view, status_code=400, alert=expired)
    reason = str(form.get("reason") or "").strip() or None
    try:
        count = app_of(request).set_targets(user, data["docs"], reason=reason)
    except ProblemError as error:
        if error.status == 403:
            raise
        return manage_page(request, view, status_code=error.status, alert="; ".join(
            p.text(view.lang) for p in error.problems))
    fresh = open_unit(request, user, code, view.period.code)
    return manage_page(request, fresh, message=_(
        "Đã giao %(n)s chỉ tiêu từ tệp %(file)s.") % {"n": count, "file": data["file"]})
