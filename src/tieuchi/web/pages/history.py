"""The history of a unit's figures: who changed what, when, from which value to which, why."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse

from tieuchi.app import Action
from tieuchi.domain.indicators import Indicator
from tieuchi.store import AuditEntry
from tieuchi.store.audit import audit_key
from tieuchi.web.app import lang_of, render
from tieuchi.web.pages.common import CurrentUser, page_router
from tieuchi.web.pages.entry import WORDS, local_time
from tieuchi.web.security import Needs, store_of
from tieuchi.web.views import open_unit, shown_value

router = page_router()

__all__ = ["router"]


# ---------------------------------------------------------------------- history


@router.get("/units/{code}/history", dependencies=[Needs(Action.READ)])
def history(request: Request, user: CurrentUser, code: str, indicator: str,
            period: str | None = None) -> HTMLResponse:
    """Every change of the unit's figure of ``indicator`` for the period, all vintages,
    newest first; the table alone for htmx."""
    view = open_unit(request, user, code, period)
    found = view.light.indicator_by_code.get(indicator)
    if found is None:
        raise HTTPException(404, f"indicator '{indicator}' does not exist")
    lang = lang_of(request)
    entries = store_of(request).audit.history("observation", audit_key(
        "observation", unit=code, indicator=indicator, period=view.period.code))
    rows = [_history_row(a, found, lang) for a in entries]
    template = "history_table.html" if request.headers.get("hx-request") else "history.html"
    name = (found.name_en or found.name) if lang == "en" else found.name
    return render(request, template, user=user, view=view, tab="entry", ew=WORDS[lang],
                  rows=rows, indicator=found, indicator_name=name)


def _history_row(a: AuditEntry, indicator: Indicator, lang: str) -> dict[str, Any]:
    ew = WORDS[lang]
    vintage = a.parts["vintage"]
    old = (a.old or {}).get("value")
    new = (a.new or {}).get("value")
    return {
        "when": local_time(a.at, lang), "who": a.actor,
        "action": ew["actions"].get(a.action, a.action),
        "old": shown_value(old, indicator, lang) if a.old else "",
        "new": shown_value(new, indicator, lang) if a.new else "",
        "vintage": ew["vintages"].get(vintage, vintage),
        "source": (a.new or a.old or {}).get("source") or "",
        "reason": a.reason or "",
    }
