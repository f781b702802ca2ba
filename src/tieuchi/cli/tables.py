"""The scorecard as Rich tables: groups, criteria sets, targets."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.table import Table

from tieuchi.engine import Evaluation
from tieuchi.reports.formatting import number, percent
from tieuchi.reports.words import WORDS

__all__ = ["scorecard"]

STYLE = {"exceeded": "bold green", "met": "green", "not_met": "bold red", "no_data": "yellow",
         "ahead": "green", "on_track": "cyan", "behind": "red"}

HEADINGS = {
    "vi": {"groups": "Nhóm chỉ tiêu", "sets": "Bộ tiêu chí", "targets": "Chỉ tiêu",
           "unit": "Đơn vị", "total": "Tổng", "achieved": "Đạt và vượt", "missing": "Chưa đạt",
           "result": "Kết quả", "pace": "Tiến độ", "passed": "Đạt chuẩn",
           "not_passed": "Chưa đạt chuẩn", "units": "Số đơn vị"},
    "en": {"groups": "Target groups", "sets": "Criteria sets", "targets": "Targets",
           "unit": "Unit", "total": "Total", "achieved": "Met or exceeded",
           "missing": "Not met", "result": "Result", "pace": "Pace", "passed": "Passed",
           "not_passed": "Not passed", "units": "Units"},
}


def _styled(code: str | None, label: str) -> str:
    return f"[{STYLE[code]}]{label}[/]" if code in STYLE else label


def scorecard(ev: Evaluation, lang: str = "vi") -> Group:
    w, h = WORDS[lang], HEADINGS[lang]
    defs = ev.definitions
    names = {u.code: u.name for u in defs.units}
    tables = []
    if ev.groups.height:
        t = Table(title=f"{h['groups']} — {ev.period.label(lang)}", title_justify="left")
        for col in (h["groups"], h["unit"], h["total"], w.status["exceeded"], w.status["met"],
                    w.status["not_met"], w.status["no_data"], h["missing"]):
            t.add_column(col, overflow="fold")
        for g in ev.groups.iter_rows(named=True):
            achieved = g["exceeded"] + g["met"]
            ratio = f"{achieved}/{g['total']}"
            t.add_row(g["name"], names[g["unit"]],
                      _styled("met" if achieved == g["total"] else "not_met", ratio),
                      str(g["exceeded"]), str(g["met"]), str(g["not_met"]), str(g["no_data"]),
                      "; ".join(g["not_met_items"] + g["no_data_items"]))
        tables.append(t)
    if ev.sets.summaries.height:
        t = Table(title=h["sets"], title_justify="left")
        for col in (h["sets"], h["unit"], h["passed"], h["not_passed"]):
            t.add_column(col, overflow="fold")
        set_names = {s.code: s.name for s in defs.criteria_sets}
        for s in _top_summaries(ev):
            t.add_row(set_names[s["set"]], names[s["unit"]],
                      f"{s['passed']}/{s['total']}", ", ".join(s["failed_units"]))
        own = ev.sets.sets.join(ev.sets.summaries.select("set").unique(), on="set", how="anti")
        for s in own.iter_rows(named=True):
            t.add_row(set_names[s["set"]], names[s["unit"]],
                      _styled("met" if s["passed"] else "not_met", f"{s['met']}/{s['total']}"),
                      "; ".join(s["unmet"]))
        tables.append(t)
    if ev.targets.height:
        c = w.columns
        t = Table(title=h["targets"], title_justify="left")
        for col, justify in ((c["target"], "left"), (h["unit"], "left"), (c["plan"], "right"),
                             (c["actual"], "right"), (c["percent"], "right"),
                             (c["change"], "right"), (c["status"], "left"),
                             (h["pace"], "left")):
            t.add_column(col, justify=justify, overflow="fold")  # type: ignore[arg-type]
        for r in ev.targets.sort("unit", "key").iter_rows(named=True):
            plan = number(r["target"], lang, 2) if r["target"] is not None else (
                w.comparator["yes"] if r["comparator"] == "yes" else "")
            change = r["change_vs_same_period"]
            t.add_row(
                r["display_name"], names[r["unit"]], plan,
                number(r["actual"], lang, 2) if r["actual"] is not None else "–",
                percent(r["percent_of_target"], lang) if r["percent_of_target"] is not None
                else "",
                ("+" if change >= 0 else "") + number(change, lang) + (
                    "" if r["change_kind"] == "points" else "%") if change is not None else "",
                _styled(r["status"], w.status[r["status"]]),
                _styled(r["pace"], w.pace[r["pace"]]) if r["pace"] else "",
            )
        tables.append(t)
    return Group(*tables)


def _depth(ev: Evaluation, code: str) -> int:
    depth, unit = 0, ev.definitions.unit_by_code[code]
    while unit.parent and unit.parent in ev.definitions.unit_by_code and depth < 50:
        depth, unit = depth + 1, ev.definitions.unit_by_code[unit.parent]
    return depth


def _top_summaries(ev: Evaluation) -> list[dict[str, Any]]:
    """For each set, its summary at the highest unit of the selection."""
    best: dict[str, dict[str, Any]] = {}
    for row in ev.sets.summaries.iter_rows(named=True):
        current = best.get(row["set"])
        if current is None or _depth(ev, row["unit"]) < _depth(ev, str(current["unit"])):
            best[row["set"]] = row
    return list(best.values())
