"""The history of a unit's figures for a period: every change, newest first (who, when, the
old and the new figure, its vintage, source and note, and why); one indicator's alone when
the address names it (``?indicator=``), chosen on the page otherwise. The table alone for
htmx."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from tieuchi.app import Action
from tieuchi.domain.indicators import Indicator
from tieuchi.store import AuditEntry
from tieuchi.store.audit import audit_key
from tieuchi.web.app import render
from tieuchi.web.i18n import N_, named_text, translator
from tieuchi.web.pages.common import VINTAGE_NAMES, CurrentUser, local_time, page_router
from tieuchi.web.security import Needs, store_of
from tieuchi.web.views import UnitView, open_unit, shown_value

router = page_router()

__all__ = ["router", "ACTION_NAMES", "SHOWN"]

ACTION_NAMES = {"add": N_("Thêm"), "change": N_("Sửa"), "delete": N_("Xóa")}

SHOWN = 500
"""The most changes the page lists (the newest)."""


@router.get("/units/{code}/history", dependencies=[Needs(Action.READ)])
def history(request: Request, user: CurrentUser, code: str, indicator: str | None = None,
            period: str | None = None) -> HTMLResponse:
    """Every change of the unit's figures for the period, all vintages, newest first; of
    ``indicator`` only when given."""
    view = open_unit(request, user, code, period)
    catalogue = view.light.indicator_by_code
    chosen = catalogue.get(indicator) if indicator else None
    entries = [a for a in store_of(request).audit.history("observation", audit_key(
        "observation", unit=code, indicator=chosen.code if chosen else None))
        if a.parts.get("period") == view.period.code]
    changed = sorted({a.parts.get("indicator", "") for a in entries} - {""})
    if chosen is not None:
        entries = [a for a in entries if a.parts.get("indicator") == chosen.code]
    rows = [_row(a, catalogue.get(a.parts.get("indicator", "")), view)
            for a in entries[:SHOWN]]
    options = [(c, named_text(catalogue[c].name, catalogue[c].name_en, view.lang))
               for c in changed if c in catalogue]
    if chosen is not None and chosen.code not in changed:
        options.append((chosen.code, named_text(chosen.name, chosen.name_en, view.lang)))
    template = "history_table.html" if request.headers.get("hx-request") else "history.html"
    return render(request, template, status_code=404 if indicator and chosen is None else 200,
                  user=user, view=view, tab="entry", rows=rows, indicator=chosen,
                  unknown=indicator if indicator and chosen is None else None,
                  options=options, more=max(0, len(entries) - SHOWN))


def _note_only(a: AuditEntry) -> bool:
    """A change of a figure's note alone (its value as it was)."""
    return a.action == "change" and bool(a.old) and bool(a.new) and \
        (a.old or {}).get("value") == (a.new or {}).get("value") and \
        (a.old or {}).get("note") != (a.new or {}).get("note")


def _row(a: AuditEntry, indicator: Indicator | None, view: UnitView) -> dict[str, Any]:
    _ = translator(view.lang).gettext
    lang = view.lang
    vintage = a.parts.get("vintage", "")
    old, new = a.old or {}, a.new or {}
    return {
        "when": local_time(a.at, lang), "who": a.actor,
        "indicator": named_text(indicator.name, indicator.name_en, lang) if indicator
        else a.parts.get("indicator", ""),
        "code": indicator.code if indicator else "",
        "action": _(N_("Sửa ghi chú")) if _note_only(a) else _(ACTION_NAMES[a.action])
        if a.action in ACTION_NAMES else a.action,
        "old": shown_value(old.get("value"), indicator, lang) if a.old else "",
        "new": shown_value(new.get("value"), indicator, lang) if a.new else "",
        "vintage": _(VINTAGE_NAMES[vintage]) if vintage in VINTAGE_NAMES else vintage,
        "source": (new or old).get("source") or "",
        "note": new.get("note") or "" if a.new else old.get("note") or "",
        "reason": a.reason or "",
    }
