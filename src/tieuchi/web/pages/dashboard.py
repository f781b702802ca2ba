"""A unit's dashboard, its target table and the drill-down of one target to the units below."""

from __future__ import annotations

from typing import Any

import polars as pl
from fastapi import Request
from fastapi.responses import HTMLResponse

from tieuchi.app import Action, Resource, allowed
from tieuchi.domain.status import Pace, Status, result_tone
from tieuchi.reports.formatting import measured, number
from tieuchi.reports.text import plan_text
from tieuchi.store import STATE_NAMES, AuditEntry
from tieuchi.web.app import render
from tieuchi.web.i18n import N_, named
from tieuchi.web.pages.common import CurrentUser, local_time, page_router
from tieuchi.web.rendered import cached_render
from tieuchi.web.security import Needs
from tieuchi.web.views import STATUS_CLASS, UnitView, open_unit, refused

router = page_router()

_BAD_FIRST: dict[str, int] = {Status.NOT_MET: 0, Pace.BEHIND: 0, Status.NO_DATA: 1,
                              Status.MET: 2, Pace.ON_TRACK: 2, Status.EXCEEDED: 3,
                              Pace.AHEAD: 3}
# The statuses a user may filter the targets by, best first.
_FILTERS = (Status.EXCEEDED, Status.MET, Status.NOT_MET, Status.NO_DATA)


@router.get("/units/{code}", dependencies=[Needs(Action.READ)])
def dashboard(request: Request, user: CurrentUser, code: str,
              period: str | None = None) -> HTMLResponse:
    """Kept rendered (:mod:`tieuchi.web.rendered`) while the unit's data, the definitions,
    the data sets' states and the user are the same."""
    view = open_unit(request, user, code, period)
    forms = _forms(view)
    key = ("dashboard", view.period.code, view.version, view.defined, user,
           tuple((f["code"], f["state"]) for f in forms))
    return cached_render(request, key, "dashboard.html", lambda: dict(
        user=user, view=view, tab="dashboard", cards=view.group_cards(),
        key=view.key_targets(), sets=view.set_results(), children=view.children(),
        forms=forms))


def _forms(view: UnitView) -> list[dict[str, Any]]:
    """The unit's data sets for the period and where each stands (draft … locked)."""
    store = view.store
    states = store.workflow.states([view.code], view.period.code)
    writable = allowed(view.user, Action.WRITE, Resource.unit(view.path))
    names = STATE_NAMES[view.lang]
    out = []
    for ds in (d for d in view.light.data_sets if d.reported_by(view.unit.level)):
        state = states[(view.code, ds.code)]
        out.append({"code": ds.code, "name": named(ds.name, ds.name_en, view.lang),
                    "state": state, "state_text": names[state],
                    "link": writable})
    return out


@router.get("/units/{code}/targets", dependencies=[Needs(Action.READ)])
def targets(request: Request, user: CurrentUser, code: str, period: str | None = None,
            group: str = "", status: str = "") -> HTMLResponse:
    view = open_unit(request, user, code, period)
    frame = view.result.own("targets", code)
    groups = [(c["code"], c["name"]) for c in view.group_cards()]
    if group:
        keys = view.app.results.members([group])
        order = dict(keys.select("key", "position").iter_rows())
        frame = frame.filter(pl.col("key").is_in(list(order))).with_columns(
            pl.col("key").replace_strict(order, return_dtype=pl.Int64).alias("_order")
        ).sort("_order").drop("_order")
    if status:
        wanted = [s.value for s in Status if (s.achieved if status == "achieved"
                                              else s.value == status)]
        frame = frame.filter(pl.col("status").is_in(wanted))  # none for an unknown word
    rows = view.target_rows(frame)
    return render(request, "targets.html", user=user, view=view, tab="targets", rows=rows,
                  groups=groups, group=group, status=status, statuses=_FILTERS)


@router.get("/units/{code}/targets/{key:path}", dependencies=[Needs(Action.READ)])
def drill(request: Request, user: CurrentUser, code: str, key: str,
          period: str | None = None) -> HTMLResponse:
    """One target and, for each unit directly below, its figure, last year's, its own
    target and status: worst first, so the unit that pulls the total down comes first."""
    view = open_unit(request, user, code, period)
    found = view.result.own("targets", code).filter(pl.col("key") == key)
    if not found.height:
        raise refused("not-found", N_("%(unit)s không có chỉ tiêu “%(target)s” trong "
                                      "%(period)s."),
                      unit=view.name(), target=key, period=view.period.label(view.lang))
    target = found.row(0, named=True)
    row = view.target_row(target)
    indicator = view.light.indicator_by_code[target["indicator"]]
    if indicator.criteria_set:
        rows, passing = [], _set_rows(view, indicator.criteria_set)
    else:
        rows, passing = _children_rows(view, target["indicator"]), []
    history = [_target_change(a, view) for a in view.store.audit.history("target", key)]
    return render(request, "drill.html", user=user, view=view, tab="targets", row=row,
                  target=target, indicator=indicator, rows=rows, passing=passing,
                  history=history)


def _children_rows(view: UnitView, indicator: str) -> list[dict[str, Any]]:
    ev = view.ev
    children = [u.code for u in view.children()]
    if not children:
        return []
    values = dict(ev.values.filter((pl.col("indicator") == indicator)
                                   & pl.col("unit").is_in(children))
                  .select("unit", "value").iter_rows())
    own = {r["unit"]: r for r in ev.targets.filter(
        (pl.col("indicator") == indicator) & pl.col("unit").is_in(children)
    ).iter_rows(named=True)}
    total = sum(v for v in values.values() if v is not None) or None
    definition = view.light.indicator_by_code[indicator]
    out = []
    for child in children:
        value = values.get(child)
        target = own.get(child)
        if value is None and target is None:
            continue
        shown = view.target_row(target) if target else {}
        status = target["assessment"] if target else None  # its pace while open
        out.append({
            "code": child, "name": view.name(child),
            "value": measured(value, definition, view.lang) if value is not None else "",
            "raw": value,
            "share": number(value / total * 100, view.lang) + "%" if value is not None
            and total else "",
            "plan": shown.get("plan", ""), "percent": shown.get("percent", ""),
            "status": status, "status_text": shown.get("status_text", ""),
            "status_class": STATUS_CLASS.get(status or "", ""),
        })
    out.sort(key=lambda r: (_BAD_FIRST.get(r["status"] or "", 4),
                            r["raw"] if r["raw"] is not None else float("-inf")))
    return out


def _set_rows(view: UnitView, set_code: str) -> list[dict[str, Any]]:
    """For a count of units passing a set: each unit below it applies to, whether it passes,
    and its unmet criteria; those that do not pass first."""
    sets = view.ev.sets.sets.filter((pl.col("set") == set_code) & (pl.col("unit") != view.code))
    rows = [{"code": s["unit"], "name": view.name(s["unit"]), "passed": s["passed"],
             "met": s["met"], "total": s["total"],
             "unmet": view.criteria_names(set_code, s["unmet"]),
             "no_data": view.criteria_names(set_code, s["no_data_criteria"]),
             "status_class": result_tone(s["passed"]).value}
            for s in sets.iter_rows(named=True)]
    return sorted(rows, key=lambda r: ({"bad": 0, "none": 1, "ok": 2}[r["status_class"]],
                                       r["met"] or 0))


def _target_change(a: AuditEntry, view: UnitView) -> dict[str, Any]:
    """One change of a target: when, who, the target before and after, why."""
    indicators = view.light.indicator_by_code

    def wording(doc: dict[str, Any] | None) -> str:
        if not doc or doc.get("indicator") not in indicators:
            return "–"
        indicator = indicators[doc["indicator"]]
        return plan_text({**doc, "type": indicator.type.value, "target": doc["value"],
                          "decimals": indicator.decimals}, view.ctx, measured=True)

    return {"when": local_time(a.at, view.lang), "who": a.actor, "action": a.action,
            "old": wording(a.old), "new": wording(a.new), "reason": a.reason or ""}
