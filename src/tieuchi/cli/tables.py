"""The scorecard as Rich tables: groups, criteria sets, targets."""

from __future__ import annotations

from typing import cast

import polars as pl
from rich.console import Group
from rich.table import Table

from tieuchi.domain.status import all_missing
from tieuchi.domain.words import WORDS
from tieuchi.engine import Evaluation
from tieuchi.reports.text import (
    Context,
    actual_text,
    assessment_text,
    change_text,
    full_name,
    plan_text,
)

__all__ = ["scorecard"]

STYLE = {"exceeded": "bold green", "met": "green", "not_met": "bold red", "no_data": "yellow",
         "ahead": "green", "on_track": "cyan", "behind": "red"}

HEADINGS = {
    "vi": {"groups": "Nhóm chỉ tiêu", "sets": "Bộ tiêu chí", "targets": "Chỉ tiêu",
           "unit": "Đơn vị", "total": "Tổng", "achieved": "Đạt và vượt",
           "missing": "Chỉ tiêu chưa đạt",
           "result": "Kết quả", "pace": "Tiến độ", "passed": "Đạt chuẩn",
           "not_passed": "Chưa đạt chuẩn", "units": "Số đơn vị"},
    "en": {"groups": "Target groups", "sets": "Criteria sets", "targets": "Targets",
           "unit": "Unit", "total": "Total", "achieved": "Met or exceeded",
           "missing": "Which are not met", "result": "Result", "pace": "Pace", "passed": "Passed",
           "not_passed": "Not passed", "units": "Units"},
}


def _styled(code: str | None, label: str) -> str:
    return f"[{STYLE[code]}]{label}[/]" if code in STYLE else label


def scorecard(
    ev: Evaluation, lang: str = "vi", focus: str | None = None, targets: bool = True
) -> Group:
    """Groups, criteria sets and (with ``targets``) every target of an evaluation; sets are
    shown for ``focus`` (default: the project's root): its own result, or how many of its
    units pass."""
    w, h = WORDS[lang], HEADINGS[lang]
    defs = ev.definitions
    ctx = Context(ev, w, focus or defs.project.root or "")
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
            group = defs.group_by_code[g["group"]]
            t.add_row(group.title(ev.period, lang),
                      names[g["unit"]],
                      _styled("met" if achieved == g["total"] else "not_met", ratio),
                      str(g["exceeded"]), str(g["met"]), str(g["not_met"]), str(g["no_data"]),
                      "; ".join(g["not_met_items"] + g["no_data_items"]))
        tables.append(t)
    if ev.sets.sets.height:
        tables.append(_sets_table(ev, lang, ctx.unit))
    if targets and ev.targets.height:
        c = w.columns
        several = ev.targets.get_column("unit").n_unique() > 1
        t = Table(title=h["targets"], title_justify="left")
        t.add_column(c["target"], min_width=20, ratio=1)
        if several:
            t.add_column(h["unit"], max_width=18)
        for col in (c["plan"], c["actual"], c["percent"], c["change"]):
            t.add_column(col, justify="right", no_wrap=True)
        t.add_column(c["status"], max_width=10)
        t.add_column(h["pace"], max_width=10)
        for r in _ordered_targets(ev).iter_rows(named=True):
            t.add_row(
                full_name(r, ctx), *([names[r["unit"]]] if several else []),
                plan_text(r, ctx), actual_text(r, ctx),
                ctx.pct(r["percent_of_target"], r) if r["percent_of_target"] is not None
                else "",
                change_text(r, ctx),
                _styled(r["assessment"], assessment_text(r, ctx)),
                _styled(r["pace"], w.pace[r["pace"]]) if r["pace"] else "",
            )
        tables.append(t)
    return Group(*tables)


def _ordered_targets(ev: Evaluation) -> pl.DataFrame:
    """Targets in the order of their groups, then the others by key."""
    groups = {code: i for i, code in enumerate(ev.groups.get_column("group").to_list())}
    members = ev.definitions.members.with_columns(
        pl.col("group").replace_strict(groups, default=None, return_dtype=pl.Int64)
        .alias("group_order")
    ).drop_nulls("group_order").sort("group_order", "position").unique("key", keep="first")
    return (ev.targets.join(members.select("key", "group_order", "position"), on="key",
                            how="left")
            .sort("group_order", "position", "unit", "key", nulls_last=True))


def _sets_table(ev: Evaluation, lang: str, focus: str) -> Table:
    h = HEADINGS[lang]
    names = {u.code: u.name for u in ev.definitions.units}
    t = Table(title=h["sets"], title_justify="left")
    for col in (h["sets"], h["unit"], h["result"], h["missing"]):
        t.add_column(col, overflow="fold")
    for cset in ev.definitions.criteria_sets:
        own = ev.sets.sets.filter(pl.col("set") == cset.code)
        mine = own.filter(pl.col("unit") == focus)
        summary = ev.sets.summaries.filter(
            (pl.col("set") == cset.code) & (pl.col("unit") == focus))
        if mine.height:
            rows = mine
        elif summary.height:
            s = summary.row(0, named=True)
            t.add_row(cset.name, names[focus], _summary_text(s, lang),
                      ", ".join(s["failed_units"]))
            continue
        else:
            rows = own
        for s in rows.iter_rows(named=True):
            term = cset.term if lang == "vi" else ""
            tone = "met" if s["passed"] else "no_data" if s["passed"] is None else "not_met"
            t.add_row(cset.name, names[s["unit"]],
                      _styled(tone, _with_missing(f"{s['met']}/{s['total']} {term}".strip(),
                                                  s.get("no_data"), lang)),
                      "; ".join(s["unmet"]))
    return t


def _summary_text(s: dict[str, object], lang: str) -> str:
    """How many of the units pass ("3/110 đạt chuẩn"), and how many have no figures yet
    ("; 107 chưa có số liệu"): a set with no data is not a set failed."""
    passed, total, missing = s["passed"], s["total"], s.get("no_data") or 0
    text = _with_missing(f"{passed}/{total} {HEADINGS[lang]['passed'].lower()}", missing, lang)
    empty = all_missing(cast(int, total), cast(int, missing))
    tone = "met" if passed == total else "no_data" if empty else "not_met"
    return _styled(tone, text)


def _with_missing(text: str, missing: object, lang: str) -> str:
    """``text`` and, when some have no figures yet, how many: "; 10 chưa có số liệu"."""
    return f"{text}; {missing} {WORDS[lang].status['no_data'].lower()}" if missing else text
