"""The report as text (Markdown) in the register of a Vietnamese official report.

The outline comes from the definitions' ``report`` section; each item is written by the
renderer registered for its kind (group, target, criteria set). Every figure is read from the
:class:`~tieuchi.engine.Evaluation`; nothing is computed here but wording.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import polars as pl

from tieuchi.domain.criteria import CriteriaSet, RuleKind
from tieuchi.domain.periods import Period, PeriodKind
from tieuchi.domain.project import ReportItem
from tieuchi.engine.evaluate import Evaluation
from tieuchi.reports.formatting import join_names, long_date, lower_first, number, percent
from tieuchi.reports.words import WORDS, Words

__all__ = ["render_markdown", "RENDERERS", "sentence_for_target", "Context", "plan_text",
           "actual_text", "change_text", "full_name"]

_VINTAGES = ("plan", "estimate", "preliminary", "official")
Row = dict[str, Any]


@dataclass(frozen=True)
class Context:
    ev: Evaluation
    words: Words
    unit: str  # the report's unit

    @property
    def lang(self) -> str:
        return self.words.lang

    def num(self, value: float | None, decimals: int = 1) -> str:
        return number(value, self.lang, decimals)

    def pct(self, value: float | None) -> str:
        return percent(value, self.lang)

    def unit_name(self, code: str) -> str:
        """"Huyện Thanh Trì": the name with its kind or level, unless it already has it."""
        defs = self.ev.definitions
        unit = defs.unit_by_code[code]
        if self.lang == "en":
            return unit.name_en or unit.name
        level = defs.level_by_code.get(unit.level)
        prefix = unit.kind or (level.name if level and not level.pseudo else None)
        if prefix and not unit.name.lower().startswith(prefix.lower()):
            return f"{prefix[:1].upper()}{prefix[1:].lower()} {unit.name}"
        return unit.name

    def target(self, key: str, unit: str) -> Row | None:
        """A target by key, or the unit's target for an indicator code."""
        found = self.ev.target(key)
        if found is not None:
            return found
        rows = self.ev.targets.filter((pl.col("indicator") == key) & (pl.col("unit") == unit))
        return rows.row(0, named=True) if rows.height else None


def _name(row: Row, ctx: Context) -> str:
    ind = ctx.ev.definitions.indicator_by_code[row["indicator"]]
    if ctx.lang == "en" and ind.name_en:
        return ind.name_en
    return str(row["short_name"] or row["display_name"])


def full_name(row: Row, ctx: Context) -> str:
    """The target's full name, for tables."""
    ind = ctx.ev.definitions.indicator_by_code[row["indicator"]]
    if ctx.lang == "en" and ind.name_en:
        return ind.name_en
    return _capital(str(row["display_name"]))


def unit_of_measure(code: str | None, ctx: Context) -> str:
    """The indicator's unit of measure in the report's language ("" when it has none)."""
    ind = ctx.ev.definitions.indicator_by_code.get(code or "")
    if ind is None or not ind.unit:
        return ""
    return (ind.unit_en or ind.unit) if ctx.lang == "en" else ind.unit


def _measure(row: Row, ctx: Context) -> str:
    """The unit of measure after a number: "5,5%", "857,7 tỷ đồng"."""
    unit = unit_of_measure(row["indicator"], ctx)
    return unit if unit == "%" else (f" {unit}" if unit else "")


def _change_decimals(row: Row) -> int:
    return max(int(row["decimals"]), 1) if row["change_kind"] == "points" else 1


def _value(value: float | None, row: Row, ctx: Context) -> str:
    return ctx.num(value, int(row["decimals"])) + _measure(row, ctx)


def _change(row: Row, ctx: Context, period: Period) -> str:
    change = row["change_vs_same_period"]
    if change is None:
        return ""
    w = ctx.words
    word = w.increase if change >= 0 else w.decrease
    amount = ctx.num(abs(change), _change_decimals(row)) + (
        w.points if row["change_kind"] == "points" else "%")
    previous = period.same_period_last_year()
    vs = (w.vs_same_period_year.format(year=previous.year)
          if period.kind is PeriodKind.YEAR else w.vs_same_period)
    return f"{word} {amount} {vs}"


def sentence_for_target(row: Row, ctx: Context) -> str:
    """One sentence on one target: actual, change, % of target, status against it."""
    w = ctx.words
    name = _name(row, ctx)
    period = Period.parse(row["period"])
    if row["type"] == "yesno":
        done = row["status"] in ("met", "exceeded")
        return (w.yes_done if done else w.yes_not_done).format(name=name)
    basis = row["basis"] or "plan"
    if row["actual"] is None:
        return f"{name}: {w.status['no_data'].lower()}"
    if basis == "quota" and row["percent_of_target"] is not None:
        return w.quota.format(name=name, pct=ctx.pct(row["percent_of_target"]),
                              basis=w.basis[basis], actual=ctx.num(row["actual"], 0),
                              target=ctx.num(row["target"], 0), measure=_measure(row, ctx))
    estimated = row["actual_vintage"] == _VINTAGES.index("estimate")
    # "đạt" is for what should grow; a rate or a count that should fall "là" (is).
    lower = row["comparator"] == "at_most" or row["relative"] in ("reduction", "reduction_pp")
    verb = ((w.is_estimate if estimated else w.is_) if lower
            else (w.reached_estimate if estimated else w.reached))
    parts = [f"{name} {verb} {_value(row['actual'], row, ctx)}"]
    change = _change(row, ctx, period)
    if change:
        plan = ""
        if row["relative"] in ("growth", "reduction", "reduction_pp"):
            plan = " " + w.plan_relative.format(target=plan_text(row, ctx))
        parts.append(change + plan)
    if period.kind is PeriodKind.MULTI_YEAR:
        parts.append(target_clause(row, ctx))
        return ", ".join(parts)
    status = row["status"]
    if row["percent_of_target"] is not None and not lower:
        template = w.percent_of if status in ("met", "exceeded") else w.percent_below
        parts.append(template.format(pct=ctx.pct(row["percent_of_target"]),
                                     basis=w.basis[basis]))
        if status == "not_met":
            parts.append(w.not_met_target.format(basis=w.basis_short[basis]))
        return ", ".join(parts)
    target = "" if row["relative"] else (
        f" ({w.comparator[row['comparator']]} {_value(row['target'], row, ctx)})"
        if row["comparator"] in ("at_least", "at_most", "equal") else f" ({plan_text(row, ctx)})")
    verdict = {"exceeded": w.exceeded_target, "met": w.met_target}.get(
        status, w.not_met_target).format(basis=w.basis_short[basis])
    parts.append(verdict + target)
    return ", ".join(parts)


def target_clause(row: Row, ctx: Context) -> str:
    """"vượt chỉ tiêu giai đoạn 2021 - 2025 được UBND Thành phố giao (≥ 5 xã), về đích trước
    2 năm": a target's result as a clause after the sentence that gives the actual."""
    w = ctx.words
    period = Period.parse(row["period"]).label(ctx.lang)
    target = f"{w.comparator[row['comparator']]} {_value(row['target'], row, ctx)}"
    which = (w.multi_year_issuer.format(period=period, issuer=row["issuer"], target=target)
             if row["issuer"] else w.multi_year_target.format(period=period, target=target))
    if row["status"] == "no_data":
        return w.nothing_yet.format(name=which)
    verb = {"exceeded": w.exceeded_target, "met": w.met_target}.get(
        row["status"], w.not_met_target).format(basis=which)
    if row["years_early"]:
        verb += ", " + w.years_early.format(n=row["years_early"])
    return verb


def _group(item: ReportItem, ctx: Context) -> str:
    w = ctx.words
    assert item.group is not None
    rows = ctx.ev.groups.filter(pl.col("group") == item.group)
    if not rows.height:
        return ""
    g = rows.row(0, named=True)
    group = ctx.ev.definitions.group_by_code[item.group]
    name = lower_first((group.name_en or group.name) if ctx.lang == "en" else group.name)
    achieved = g["exceeded"] + g["met"]
    members = ctx.ev.definitions.members.filter(pl.col("group") == item.group)
    targets = ctx.ev.targets.join(members.select("key", "position"), on="key").sort("position")
    if (targets.get_column("type") == "yesno").all():
        return _milestones(g, group.name_en if ctx.lang == "en" else None, targets, ctx)
    if g["total"] and g["no_data"] == g["total"]:
        return w.nothing_yet.format(name=_capital(name)) + "."
    if g["partial"]:
        return _on_pace(g, name, ctx)
    if achieved == g["total"]:
        text = w.achieved_all.format(n=achieved, total=g["total"], name=name)
    else:
        estimated = (targets.get_column("actual_vintage") == _VINTAGES.index("estimate")).any()
        full_year = Period.parse(g["period"]).kind is PeriodKind.YEAR
        text = w.achieved_some.format(
            n=achieved, total=g["total"], name=name,
            estimate=w.estimate_full_year if estimated and full_year else "",
            basis=w.basis_goal[g["basis"]],
        )
    missing = []
    if g["not_met"]:
        short = targets.filter(pl.col("status") == "not_met").sort("key")
        order = {k: i for i, k in enumerate(members.get_column("key"))}
        names = [
            f"{_name(r, ctx)} ({ctx.pct(r['percent_of_target'])})"
            if r["percent_of_target"] is not None else _name(r, ctx)
            for r in sorted(short.iter_rows(named=True), key=lambda r: order[r["key"]])
        ]
        missing.append(w.not_met_list.format(n=g["not_met"], names="; ".join(names)))
    if g["no_data"]:
        missing.append(w.no_data_list.format(n=g["no_data"], names="; ".join(g["no_data_items"])))
    if missing:
        text += "; " + "; ".join(missing)
    sentences = [text + "."]
    for key in item.highlights:
        row = ctx.target(key, item.unit or ctx.unit)
        if row is not None:
            sentences.append(_capital(sentence_for_target(row, ctx)) + ".")
    return " ".join(sentences)


def _on_pace(g: Row, name: str, ctx: Context) -> str:
    """A group of a period still running, with figures for part of it: its pace.

    "Có 12/20 chỉ tiêu đạt và vượt tiến độ 9 tháng năm 2023; 8 chỉ tiêu chậm tiến độ: …"
    """
    w = ctx.words
    text = w.achieved_pace.format(n=g["ahead"] + g["on_track"], total=g["total"], name=name,
                                  period=ctx.ev.period.label(ctx.lang))
    if g["behind"]:
        text += "; " + w.behind_list.format(n=g["behind"], names="; ".join(g["behind_items"]))
    if g["no_data"]:
        text += "; " + w.no_data_list.format(n=g["no_data"],
                                             names="; ".join(g["no_data_items"]))
    return text + "."


def _milestones(g: Row, name_en: str | None, targets: pl.DataFrame, ctx: Context) -> str:
    """A group of yes/no milestones: what is done, what is under way (or missed)."""
    w = ctx.words

    def names(frame: pl.DataFrame) -> str:
        return "; ".join(lower_first(full_name(r, ctx)) for r in frame.iter_rows(named=True))

    done = targets.filter(pl.col("status").is_in(["met", "exceeded"]))
    missed = targets.filter(pl.col("status") == "not_met")
    unknown = targets.filter(pl.col("status") == "no_data")
    name = name_en or g["name"]
    if unknown.height == targets.height:
        return w.nothing_yet.format(name=name) + "."
    text = w.milestones.format(name=name, n=done.height, total=targets.height,
                               names=f" ({names(done)})" if done.height else "")
    still_open = missed.filter(pl.col("open"))
    for frame, template in ((still_open, w.milestones_open),
                            (missed.filter(~pl.col("open")), w.milestones_missed),
                            (unknown, w.no_data_list.replace("{n} ", ""))):
        if frame.height:
            text += "; " + template.format(names=names(frame), n=frame.height)
    return text + "."


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _target(item: ReportItem, ctx: Context) -> str:
    assert item.target is not None
    row = ctx.target(item.target, item.unit or ctx.unit)
    return _capital(sentence_for_target(row, ctx)) + "." if row else ""


def _set_name(cset: CriteriaSet, lang: str) -> str:
    """The set's name inside a sentence, without a leading "tiêu chí"/"tiêu chuẩn"."""
    if lang == "en":
        return cset.name_en or cset.name
    name = lower_first(cset.short_name or cset.name)
    for word in (cset.term, "tiêu chí", "tiêu chuẩn", "bộ tiêu chí"):
        if name.startswith(word + " "):
            name = name[len(word) + 1:]
    return name


def _full_set_name(cset: CriteriaSet, lang: str) -> str:
    return lower_first((cset.name_en or cset.name) if lang == "en" else cset.name)


def _criteria_set(item: ReportItem, ctx: Context) -> str:
    assert item.criteria_set is not None
    w = ctx.words
    cset = ctx.ev.definitions.set_by_code[item.criteria_set]
    unit = item.unit or ctx.unit
    term = cset.term_en if ctx.lang == "en" else cset.term
    own = ctx.ev.sets.sets.filter((pl.col("unit") == unit) & (pl.col("set") == cset.code))
    if own.height:
        r = own.row(0, named=True)
        if r["no_data"] == r["total"]:
            return w.nothing_yet.format(name=w.assessment.format(
                name=_full_set_name(cset, ctx.lang), who=ctx.unit_name(unit))) + "."
        phrase = cset.phrase_en if ctx.lang == "en" else cset.phrase
        if phrase and (r["passed"] or (r["passed"] is False and r["total"] == 1)):
            verdict = phrase if r["passed"] else f"{w.negation} {phrase}"
            text = f"{ctx.unit_name(unit)} {verdict}"
            if r["total"] > 1:
                text += f" ({w.met_of.format(met=r['met'], total=r['total'], term=term)})"
            return text + "."
        text = w.set_unit.format(unit=ctx.unit_name(unit), met=r["met"], total=r["total"],
                                 term=term, name=_set_name(cset, ctx.lang))
        if r["unmet"]:
            text += "; " + w.set_unmet.format(n=len(r["unmet"]), term=term,
                                               names=join_names(r["unmet"], ctx.lang, "; "))
        if r["no_data_criteria"]:
            text += "; " + w.set_no_data.format(
                n=len(r["no_data_criteria"]), term=term,
                names=join_names(r["no_data_criteria"], ctx.lang, "; "))
        return text + "."
    rows = ctx.ev.sets.summaries.filter((pl.col("unit") == unit) & (pl.col("set") == cset.code))
    if not rows.height:
        return ""
    s = rows.row(0, named=True)
    phrase = cset.phrase_en if ctx.lang == "en" else cset.phrase
    if phrase is None and cset.rule.kind is RuleKind.AT_LEAST:
        phrase = w.set_at_least_phrase.format(k=int(cset.rule.value or 0), n=s["criteria"],
                                              term=term)
    phrase = phrase or w.set_default_phrase.format(name=_set_name(cset, ctx.lang))
    noun = _noun(cset, ctx)
    if ctx.lang == "en" and s["total"] != 1 and noun and not noun.endswith("s"):
        noun += "s"
    if s["no_data"] == s["total"]:
        return w.nothing_yet.format(name=w.assessment.format(
            name=_full_set_name(cset, ctx.lang), who=f"{s['total']} {noun}")) + "."
    text = w.set_summary.format(passed=s["passed"], total=s["total"], noun=noun, phrase=phrase)
    if 0 < s["passed"] < s["total"]:
        text += ": " + join_names(s["passed_units"], ctx.lang)
    if s["no_data"]:
        listed = s["no_data_units"] if s["no_data"] <= 10 else []
        text += "; " + w.units_no_data.format(
            n=s["no_data"], noun=noun, names=join_names(listed, ctx.lang)
        ).replace(" ()", "")
    sentences = [text]
    for key in item.highlights:
        row = ctx.target(key, unit)
        if row is not None:
            sentences.append(target_clause(row, ctx))
    return "; ".join(sentences) + "."


def _noun(cset: CriteriaSet, ctx: Context) -> str:
    """What the applied units are called: their common kind ("xã"), else their level."""
    defs = ctx.ev.definitions
    units = ctx.ev.sets.sets.filter(pl.col("set") == cset.code).get_column("unit").to_list()
    kinds = {defs.unit_by_code[u].kind for u in units}
    levels = {defs.unit_by_code[u].level for u in units}
    if ctx.lang == "vi" and len(kinds) == 1 and None not in kinds:
        return str(kinds.pop())
    if len(levels) == 1:
        level = defs.level_by_code.get(levels.pop())
        if level is not None:
            return lower_first(level.name_en or level.name) if ctx.lang == "en" else (
                lower_first(level.name))
    return ""


Renderer = Callable[[ReportItem, Context], str]
RENDERERS: dict[str, Renderer] = {
    "group": _group,
    "target": _target,
    "criteria_set": _criteria_set,
}


def _item_kind(item: ReportItem) -> str:
    return next(k for k in RENDERERS if getattr(item, k) is not None)


def render_markdown(ev: Evaluation, lang: str = "vi", unit: str | None = None) -> str:
    """The whole report: heading, numbered sections of sentences, appendix tables."""
    w = WORDS[lang]
    defs = ev.definitions
    root = unit or defs.project.root or (ev.units[0] if ev.units else "")
    ctx = Context(ev, w, root)
    outline = defs.report
    lines: list[str] = []
    if defs.project.author:
        lines += [f"**{defs.project.author.upper()}**", ""]
    if defs.project.place and lang == "vi":
        lines += [f"*{defs.project.place}, {long_date(ev.as_of, lang)}*", ""]
    title = (outline.title_en if lang == "en" else outline.title) or w.title.format(
        period=ev.period.label(lang))
    lines += [f"# {title}", ""]
    if root:
        lines += [f"**{ctx.unit_name(root)}** — {ev.period.label(lang)}", ""]
    note = _data_note(ev, ctx)
    if note:
        lines += [note, ""]
    if defs.project.source:
        lines += [f"{w.source}: {defs.project.source}.", ""]
    shown = 0
    for section in outline.sections:
        heading = (section.title_en if lang == "en" else None) or section.title
        texts = [t for t in (RENDERERS[_item_kind(i)](i, ctx) for i in section.items) if t]
        if not texts:
            continue  # nothing of this section concerns the report's unit
        lines += [f"## {w.numerals[shown]}. {heading}", ""]
        lines += [line for position, text in enumerate(texts, start=1)
                  for line in (f"{position}. {text}", "")]
        shown += 1
    lines += _appendix(ev, ctx)
    return "\n".join(lines).rstrip() + "\n"


def _data_note(ev: Evaluation, ctx: Context) -> str:
    """"Số liệu ước thực hiện đến …": the least final vintage of the figures reported."""
    ranks = pl.concat([ev.targets.get_column("actual_vintage").cast(pl.Int8),
                       ev.sets.conditions.get_column("vintage_rank").cast(pl.Int8)
                       if ev.sets.conditions.height else pl.Series([], dtype=pl.Int8)])
    ranks = ranks.drop_nulls()
    if not len(ranks):
        return ""
    vintage = _VINTAGES[int(ranks.min())]  # type: ignore[arg-type]
    date = long_date(ev.as_of, ctx.lang)
    return ctx.words.data_note.format(vintage=ctx.words.vintage[vintage], date=date)


def _appendix(ev: Evaluation, ctx: Context) -> list[str]:
    """A table per group reported, and one per criteria set the report's unit is rated on."""
    w = ctx.words
    c = w.columns
    lines: list[str] = []
    n = 0
    outline_groups = [i.group for s in ev.definitions.report.sections for i in s.items
                      if i.group]
    for code in outline_groups:
        group = ev.definitions.group_by_code[code]
        members = ev.definitions.members.filter(pl.col("group") == code)
        rows = members.join(ev.targets, on="key").sort("position")
        if not rows.height:
            continue
        n += 1
        name = (group.name_en or group.name) if ctx.lang == "en" else group.name
        basis = group.basis.value
        plan = c["plan"] if basis == "plan" else c[basis]
        share = c["percent"] if basis == "plan" else c[f"percent_{basis}"]
        estimated = (rows.get_column("actual_vintage") == _VINTAGES.index("estimate")).any()
        actual = c["estimate"] if estimated else c["actual"]
        lines += [f"## {w.appendix.format(n=n, name=name)}", "",
                  f"| {c['no']} | {c['target']} | {c['measure']} | {plan} | "
                  f"{actual} | {share} | {c['change']} | {c['status']} |",
                  "|---:|---|---|---:|---:|---:|---:|---|"]
        for i, r in enumerate(rows.iter_rows(named=True), start=1):
            lines.append(
                f"| {i} | {full_name(r, ctx)} | {unit_of_measure(r['indicator'], ctx)} | "
                f"{plan_text(r, ctx)} | "
                f"{actual_text(r, ctx)} | {_share_text(r, ctx)} | "
                f"{change_text(r, ctx)} | {_assessment(r, ctx)} |"
            )
        lines.append("")
    for cset in ev.definitions.criteria_sets:
        own = ev.sets.criteria.filter(
            (pl.col("unit") == ctx.unit) & (pl.col("set") == cset.code)).sort("position")
        if not own.height:
            continue
        n += 1
        heading = w.appendix_criteria.format(n=n, name=_full_set_name(cset, ctx.lang),
                                             unit=ctx.unit_name(ctx.unit))
        lines += [f"## {heading}",
                  "", f"| {c['no']} | {c['criterion']} | {c['value']} | {c['threshold']} | "
                  f"{c['status']} |", "|---:|---|---:|---|---|"]
        conditions = ev.sets.conditions.filter(
            (pl.col("unit") == ctx.unit) & (pl.col("set") == cset.code))
        for i, r in enumerate(own.iter_rows(named=True), start=1):
            conds = conditions.filter(pl.col("criterion") == r["criterion"]).sort("condition")
            values = "; ".join(_cond_value(x, ctx) for x in conds.iter_rows(named=True))
            thresholds = "; ".join(_cond_threshold(x, ctx) for x in conds.iter_rows(named=True))
            status = w.status["met" if r["met"] else "not_met"]
            lines.append(f"| {i} | {r['criterion_name']} | {values} | {thresholds} | {status} |")
        lines.append("")
        if not cset.verified:
            lines += [f"*{w.illustrative}*", ""]
    return lines


def _share_text(r: Row, ctx: Context) -> str:
    """% of the target, for targets to reach (not for ceilings: 45% of a poverty ceiling
    reads as a failure)."""
    if r["comparator"] == "at_most" or r["percent_of_target"] is None:
        return "–"
    return ctx.pct(r["percent_of_target"])


def _assessment(r: Row, ctx: Context) -> str:
    """The status; for a target still running with part of its data, its pace."""
    if r["pace"] is not None and r["coverage"] is not None and r["coverage"] < 1:
        return ctx.words.pace[r["pace"]]
    return ctx.words.status[r["status"]]


def plan_text(r: Row, ctx: Context) -> str:
    """The target as a table cell: "≥ 856", "tăng ≥ 12%", "Đạt"."""
    if r["type"] == "yesno":
        wanted = r["target"] is None or r["target"] >= 0.5
        return ctx.words.comparator["yes" if wanted else "no"]
    if r["relative"]:
        return f"{ctx.words.comparator[r['relative']]} {ctx.num(r['relative_value'])}" + (
            "%" if r["relative"] in ("growth", "reduction", "share_of_baseline") else "")
    symbol = ctx.words.comparator[r["comparator"]]
    if r["comparator"] == "within":
        return f"{ctx.num(r['target'])}–{ctx.num(r['value_high'])}"
    return f"{symbol} {ctx.num(r['target'], int(r['decimals']))}"


def actual_text(r: Row, ctx: Context) -> str:
    """The actual as a table cell: a number, or Đạt / Không đạt for yes/no."""
    if r["type"] == "yesno" and r["actual"] is not None:
        return ctx.words.comparator["yes" if r["actual"] >= 0.5 else "no"]
    return ctx.num(r["actual"], int(r["decimals"]))


def change_text(r: Row, ctx: Context) -> str:
    """The change on the same period as a table cell: "+5,5%", "−0,2 đpt"."""
    change = r["change_vs_same_period"]
    if change is None:
        return ""
    sign = "+" if change >= 0 else "−"
    unit = " điểm %" if r["change_kind"] == "points" and ctx.lang == "vi" else (
        " pp" if r["change_kind"] == "points" else "%")
    return f"{sign}{ctx.num(abs(change), _change_decimals(r))}{unit}"


def _cond_measure(x: Row, ctx: Context) -> str:
    return _measure(x, ctx)


def _cond_value(x: Row, ctx: Context) -> str:
    if x["ref_set"] or x["comparator"] == "yes":
        if x["value"] is None:
            return ctx.words.status["no_data"]
        if x["ref_set"]:
            return ctx.words.status["met" if x["value"] >= 0.5 else "not_met"]
        return ctx.words.comparator["yes" if x["value"] >= 0.5 else "no"]
    if x["value"] is None:
        return ctx.words.status["no_data"]
    return ctx.num(x["value"], 2) + _cond_measure(x, ctx)


def _cond_threshold(x: Row, ctx: Context) -> str:
    if x["ref_set"]:
        cset = ctx.ev.definitions.set_by_code[x["ref_set"]]
        return _set_name(cset, ctx.lang)
    if x["comparator"] == "yes":
        wanted = x["threshold"] is None or x["threshold"] >= 0.5
        return ctx.words.comparator["yes" if wanted else "no"]
    if x["comparator"] == "within":
        return f"{ctx.num(x['threshold'], 2)}–{ctx.num(x['threshold_high'], 2)}"
    return (f"{ctx.words.comparator[x['comparator']]} {ctx.num(x['threshold'], 2)}"
            + _cond_measure(x, ctx))
