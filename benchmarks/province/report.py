"""The phases as a Markdown table, each figure beside issue 8's goal and whether it is met."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["markdown"]

GB = 1024

Phase = dict[str, Any]


def _ok(p: Phase) -> bool:
    return bool(p.get("status") == "ok")


def _load_met(p: Phase) -> bool:
    return _ok(p) and p["seconds"] < 30 and p["peak_mb"] < 1.5 * GB


def _definitions_met(p: Phase) -> bool:
    return _ok(p) and p["seconds"] < 2


def _edit_met(p: Phase) -> bool:
    return _ok(p) and all(isinstance(s, float) and s < 1 for s in p["visible_s"].values())


def _users_met(p: Phase) -> bool:
    return (_ok(p) and isinstance(p["p95_s"], float) and p["p95_s"] < 0.150
            and isinstance(p["p50_s"], float) and p["p50_s"] < 0.050 and not p["errors"]
            and all(m < GB for m in p["worker_peak_mb"]))


# phase name prefix → (goal, met)
GOALS: dict[str, tuple[str, Callable[[Phase], bool]]] = {
    "load": ("< 30 s, < 1.5 GB", _load_met),
    "definitions read": ("< 2 s", _definitions_met),
    "edit visible": ("< 1 s in every ancestor", _edit_met),
    "50 users": ("p95 < 150 ms, p50 well under 50 ms, no error, worker < 1 GB", _users_met),
}


def _seconds(value: Any) -> str:
    return value if isinstance(value, str) else f"{value:,.2f} s" if value >= 1 \
        else f"{value * 1000:,.0f} ms"


def _figure(p: Phase) -> str:
    status = str(p.get("status", ""))
    if status not in ("ok", "> limit or errors"):
        if status == "> limit":
            return f"> {p.get('limit_s', '?')} s (limit)" + _peak(p)
        return status
    name = p["phase"]
    if name == "generate":
        return (f"{p['units']:,} units, {p['indicators']} indicators, "
                f"{p['observations']:,} figures, {p['targets']:,} targets, "
                f"{p['groups']:,} groups in {p['seconds']} s")
    if name.startswith("definitions read"):
        return (f"{_seconds(p['seconds'])} ({p['units']:,} units, {p['targets']:,} targets, "
                f"{p['observations']:,} figures){_peak(p)}")
    if name.startswith("dashboard"):
        return f"{_seconds(p['seconds'])} (first {_seconds(p['first_s'])})"
    if name.startswith("edit visible"):
        shown = ", ".join(f"{k} {_seconds(v)}" for k, v in p["visible_s"].items())
        return f"{shown} (write {_seconds(p['write_s'])})"
    if "users" in name:
        return _users(p)
    cpu = f" ({p['cpu_s']:,.0f} s CPU)" if p.get("cpu_s") else ""
    return f"{_seconds(p['seconds'])}{cpu}{_peak(p)}"


def _peak(p: Phase) -> str:
    return f", peak {p['peak_mb']:,} MB" if p.get("peak_mb") else ""


def _users(p: Phase) -> str:
    kinds = ", ".join(f"{k} ×{v}" for k, v in p["error_kinds"].items())
    errors = f"{p['errors']} errors ({kinds})" if p["errors"] else "no error"
    waiting = f", {p['unfinished']} cut off at the limit" if p["unfinished"] else ""
    p50 = _seconds(p["p50_s"]) if p["p50_s"] is not None else "–"
    p95 = _seconds(p["p95_s"]) if p["p95_s"] is not None else "–"
    return (f"p50 {p50}, p95 {p95}, {p['requests_per_s']} req/s, {p['finished']} done, "
            f"{errors}{waiting}; {p.get('cpu_ms_per_request', '–')} ms CPU a request; "
            f"workers {' / '.join(f'{m:,}' for m in p['worker_peak_mb'])} MB")


def _goal(p: Phase) -> tuple[str, str]:
    for prefix, (goal, met) in GOALS.items():
        if p["phase"].startswith(prefix):
            return goal, "met" if met(p) else "**not met**"
    return "", ""


def markdown(phases: list[Phase]) -> str:
    lines = ["| data | phase | backend | figure | goal (issue 8) | |",
             "|---|---|---|---|---|---|"]
    for p in phases:
        goal, met = _goal(p)
        lines.append(f"| {p['data']} | {p['phase']} | {p.get('backend', '—')} | "
                     f"{_figure(p)} | {goal} | {met} |")
    return "\n".join(lines)
