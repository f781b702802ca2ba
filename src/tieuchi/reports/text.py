
"""The report as text (Markdown, HTML) in the register of a Vietnamese official report.

The outline comes from the definitions' ``report`` section; each item is written by the
renderer registered for its kind (group, target, criteria set). Every figure is read from the
:class:`~tieuchi.engine.Evaluation`; nothing is computed here but wording.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING, Any

import polars as pl

from tieuchi.domain.criteria import CriteriaSet, RuleKind
from tieuchi.domain.issuer import unit_kind
from tieuchi.domain.periods import Period, PeriodKind
from tieuchi.domain.project import ReportItem
from tieuchi.domain.ruleset import is_yes
from tieuchi.domain.status import Status
from tieuchi.engine.comparators import passes_expr
from tieuchi.engine.evaluate import Evaluation
from tieuchi.reports.formatting import join_names, lower_first, number, percent
from tieuchi.reports.words import Words

if TYPE_CHECKING:
    from tieuchi.domain.narrative import Narrative
    from tieuchi.reports.document import ReportDocument, Table

__all__ = ["render_markdown", "markdown", "render_html", "html", "RENDERERS",
           "sentence_for_target", "Context", "plan_text", "actual_text", "change_text",
           "full_name", "full_set_name",
           "unit_of_measure", "share_text", "assessment_text", "condition_value_text",
           "condition_threshold_text", "item_kind", "VINTAGES"]

VINTAGES = ("plan", "estimate", "preliminary", "official")
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
        """"Xã A": the name with its kind or level, unless it already has it."""
        defs = self.ev.definitions
        unit = defs.unit_by_code[code]
        if self.lang == "en":
            return unit.name_en or unit.name
        prefix = unit_kind(unit, defs.level_by_code.get(unit.level))
        if prefix and not unit.name.lower().startswith(prefix):
            return f"{prefix[:1].upper()}{prefix[1:]} {unit.name}"
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
    estimated = row["actual_vintage"] == VINTAGES.index("estimate")
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
        template = w.percent_of if Status(status).achieved else w.percent_below
        parts.append(template.format(pct=ctx.pct(row["percent_of_target"]),
                                     basis=w.basis[basis]))
        if status == Status.NOT_MET:
            parts.append(w.not_met_target.format(basis=w.basis_short[basis]))
        return ", ".join(parts)
    target = "" if row["relative"] else (
        f" ({w.comparator[row['comparator']]} {_value(row['target'], row, ctx)})"
        if row["comparator"] in ("at_least", "at_most", "equal") else f" ({plan_text(row, ctx)})")
    verdict = {Status.EXCEEDED: w.exceeded_target, Status.MET: w.met_target}.get(
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
    if row["status"] == Status.NO_DATA:
        return w.nothing_yet.format(name=which)
    verb = {Status.EXCEEDED: w.exceeded_target, Status.MET: w.met_target}.get(
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
    title = group.title(ctx.ev.period, ctx.lang)
    name = lower_first(title)
    achieved = g["exceeded"] + g["met"]
    members = ctx.ev.definitions.members.filter(pl.col("group") == item.group)
    targets = ctx.ev.targets.join(members.select("key", "position"), on="key").sort("position")
    if (targets.get_column("type") == "yesno").all():
        return _milestones(title, targets, ctx)
    if g["total"] and g["no_data"] == g["total"]:
        return w.nothing_yet.format(name=_capital(name)) + "."
    if g["partial"]:
        return _on_pace(g, name, ctx)
    if achieved == g["total"]:
        text = w.achieved_all.format(n=achieved, total=g["total"], name=name)
    else:
        estimated = (targets.get_column("actual_vintage") == VINTAGES.index("estimate")).any()
        full_year = Period.parse(g["period"]).kind is PeriodKind.YEAR
        text = w.achieved_some.format(
            n=achieved, total=g["total"], name=name,
            estimate=w.estimate_full_year if estimated and full_year else "",
            basis=w.basis_goal[g["basis"]],
        )
    missing = []
    if g["not_met"]:
        short = targets.filter(pl.col("status") == Status.NOT_MET.value).sort("key")
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


def _milestones(name: str, targets: pl.DataFrame, ctx: Context) -> str:
    """A group of yes/no milestones: what is done, what is under way (or missed)."""
    w = ctx.words

    def names(frame: pl.DataFrame) -> str:
        return "; ".join(lower_first(full_name(r, ctx)) for r in frame.iter_rows(named=True))

    done = targets.filter(passes_expr(pl.col("status")))
    missed = targets.filter(pl.col("status") == Status.NOT_MET.value)
    unknown = targets.filter(pl.col("status") == Status.NO_DATA.value)
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


def full_set_name(cset: CriteriaSet, lang: str) -> str:
    return lower_first((cset.name_en or cset.name) if lang == "en" else cset.name)


def _criteria_set(item: ReportItem, ctx: Context) -> str:
    assert item.criteria_set is not None
    w = ctx.words
    cset = ctx.ev.definitions.set_by_code.get(item.criteria_set)
    if cset is None:  # definitions scoped to a unit may lack a set of the outline
        return ""
    unit = item.unit or ctx.unit
    term = cset.term_en if ctx.lang == "en" else cset.term
    own = ctx.ev.sets.sets.filter((pl.col("unit") == unit) & (pl.col("set") == cset.code))
    if own.height:
        r = own.row(0, named=True)
        if r["no_data"] == r["total"]:
            return w.nothing_yet.format(name=w.assessment.format(
                name=full_set_name(cset, ctx.lang), who=ctx.unit_name(unit))) + "."
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
            name=full_set_name(cset, ctx.lang), who=f"{s['total']} {noun}")) + "."
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


def item_kind(item: ReportItem) -> str:
    """The kind of a report item: the key of its renderer."""
    return next(k for k in RENDERERS if getattr(item, k) is not None)


def render_markdown(ev: Evaluation, lang: str = "vi", unit: str | None = None, *,
                    narrative: Narrative | None = None) -> str:
    """The whole report: header, numbered sections of sentences, appendix tables."""
    from tieuchi.reports.document import build_document

    return markdown(build_document(ev, lang, unit, narrative=narrative))


def markdown(doc: ReportDocument) -> str:
    """The report document as Markdown: the working text, without the motto and signature."""
    from tieuchi.reports.document import causes_after, paragraphs_of

    h = doc.header
    lines: list[str] = []
    if h.parent_body:
        lines += [" ".join(h.parent_body).upper(), ""]
    if h.issuer:
        lines += [f"**{' '.join(h.issuer).upper()}**", ""]
    if h.number:
        lines += [h.number, ""]
    if h.place_date:
        lines += [f"*{h.place_date}*", ""]
    lines += [f"# {h.title}", ""]
    if doc.unit_name:
        lines += [f"**{doc.unit_name}** — {doc.period}", ""]
    for note in doc.notes:
        lines += [note, ""]
    for section in doc.sections:
        lines += [f"## {section.numeral}. {section.title}", ""]
        for position, text in enumerate(section.paragraphs, start=1):
            lines += [f"{position}. {text}", ""]
            lines += [line for cause in causes_after(section, position - 1)
                      for line in (cause, "")]
        lines += [line for text in paragraphs_of(section.blocks) for line in (text, "")]
    for table in doc.tables:
        lines += _markdown_table(table)
    return "\n".join(lines).rstrip() + "\n"


def _markdown_table(table: Table) -> list[str]:
    rule = {"left": "---", "center": ":---:", "right": "---:"}
    lines = [f"## {table.title}", "",
             "| " + " | ".join(c.label for c in table.columns) + " |",
             "|" + "|".join(rule[c.align] for c in table.columns) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in table.rows]
    lines.append("")
    if table.note:
        lines += [f"*{table.note}*", ""]
    return lines


def render_html(ev: Evaluation, lang: str = "vi", unit: str | None = None) -> str:
    """The report as one HTML page laid out like the printed document."""
    from tieuchi.reports.document import build_document

    return html(build_document(ev, lang, unit))


_CSS = """body{font:14pt/1.35 "Times New Roman",Times,serif;max-width:16.5cm;margin:2cm auto}
.head{display:grid;grid-template-columns:6cm 1fr;text-align:center;font-size:13pt}
.head hr{width:40%;border:0;border-top:1px solid;margin:2pt auto}.motto hr{width:5.6cm}
.date{font-style:italic}.num{white-space:pre}hr.short{width:4cm;border:0;border-top:1px solid}
h1{font-size:14pt;text-align:center;margin:18pt 0 0}
.sub{text-align:center;font-weight:bold;text-indent:0;margin:0}h2{font-size:14pt;text-indent:1.27cm}
p{text-align:justify;text-indent:1.27cm;margin:0 0 6pt}.note{font-style:italic}
table{border-collapse:collapse;width:100%;font-size:12pt}td,th{border:1px solid;padding:1mm}
td.right{text-align:right}h3{font-size:13pt;text-align:center;margin-top:24pt}
.close{display:grid;grid-template-columns:7cm 1fr;margin-top:12pt}
.close p{text-indent:0;margin:0;text-align:left;font-size:11pt}.close b i{font-size:12pt}
.sign{text-align:center;font-weight:bold}.sign .name{margin-top:3cm}"""


def html(doc: ReportDocument) -> str:
    """The report document as a standalone HTML page (a preview; the DOCX is the document)."""
    from tieuchi.reports.document import causes_after, paragraphs_of

    h = doc.header
    left = "".join(f"<div>{escape(x.upper())}</div>" for x in h.parent_body) + "".join(
        f"<div><b>{escape(x.upper())}</b></div>" for x in h.issuer) + ("<hr>" if h.issuer else "")
    parts = [f'<!doctype html><html lang="{doc.lang}"><meta charset="utf-8">',
             f"<title>{escape(h.title)}</title><style>{_CSS}</style><body>",
             f'<div class="head"><div>{left}</div><div class="motto"><b>{escape(h.motto)}'
             f"</b><br><b>{escape(h.motto_sub)}</b><hr></div>"
             f'<div class="num">{escape(h.number or "")}</div>'
             f'<div class="date">{escape(h.place_date or "")}</div></div>',
             f'<h1>{escape(h.kind)}</h1><p class="sub">{escape(h.subtitle)}</p>']
    if doc.unit_name and not doc.about_root:
        parts[-1] += f'<p class="sub">{escape(doc.unit_name)}</p>'
    parts[-1] += '<hr class="short">'
    parts += [f'<p class="note">{escape(n)}</p>' for n in doc.notes]
    for section in doc.sections:
        parts.append(f"<h2>{section.numeral}. {escape(section.title)}</h2>")
        for i, t in enumerate(section.paragraphs, 1):
            parts.append(f"<p>{i}. {escape(t)}</p>")
            parts += [f"<p>{escape(c)}</p>" for c in causes_after(section, i - 1)]
        parts += [f"<p>{escape(t)}</p>" for t in paragraphs_of(section.blocks)]
    parts.append(_html_closing(doc))
    parts += [_html_table(table) for table in doc.tables]
    return "\n".join(parts) + "\n</body></html>\n"


def _html_closing(doc: ReportDocument) -> str:
    items = "".join(f"<p>{escape(r)}</p>" for r in doc.recipients)
    label = f"<p><b><i>{escape(doc.recipients_label)}</i></b></p>" if items else ""
    sign = "".join(f"<div>{escape(t.upper())}</div>" for t in doc.signature.title)
    name = doc.signature.name
    sign += f'<div class="name">{escape(name)}</div>' if name else ""
    return f'<div class="close"><div>{label}{items}</div><div class="sign">{sign}</div></div>'


def _html_table(table: Table) -> str:
    head = "".join(f"<th>{escape(c.label)}</th>" for c in table.columns)
    rows = "".join(
        "<tr>" + "".join(f'<td class="{c.align}">{escape(v)}</td>'
                         for c, v in zip(table.columns, row, strict=True)) + "</tr>"
        for row in table.rows)
    note = f'<p class="note">{escape(table.note)}</p>' if table.note else ""
    return (f"<h3>{escape(table.title)}</h3><table><thead><tr>{head}</tr></thead>"
            f"<tbody>{rows}</tbody></table>{note}")


def share_text(r: Row, ctx: Context) -> str:
    """% of the target, for targets to reach (not for ceilings: 45% of a poverty ceiling
    reads as a failure)."""
    if r["comparator"] == "at_most" or r["percent_of_target"] is None:
        return "–"
    return ctx.pct(r["percent_of_target"])


def assessment_text(r: Row, ctx: Context) -> str:
    """The status; for a target still running with part of its data, its pace."""
    if r["pace"] is not None and r["coverage"] is not None and r["coverage"] < 1:
        return ctx.words.pace[r["pace"]]
    return ctx.words.status[r["status"]]


def plan_text(r: Row, ctx: Context) -> str:
    """The target as a table cell: "≥ 856", "tăng ≥ 12%", "Đạt"."""
    if r["type"] == "yesno":
        wanted = r["target"] is None or is_yes(r["target"])
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
        return ctx.words.comparator["yes" if is_yes(r["actual"]) else "no"]
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


def condition_value_text(x: Row, ctx: Context) -> str:
    if x["ref_set"] or x["comparator"] == "yes":
        if x["value"] is None:
            return ctx.words.status["no_data"]
        if x["ref_set"]:
            return ctx.words.status["met" if is_yes(x["value"]) else "not_met"]
        return ctx.words.comparator["yes" if is_yes(x["value"]) else "no"]
    if x["value"] is None:
        return ctx.words.status["no_data"]
    return ctx.num(x["value"], 2) + _cond_measure(x, ctx)


def condition_threshold_text(x: Row, ctx: Context) -> str:
    if x["ref_set"]:
        cset = ctx.ev.definitions.set_by_code[x["ref_set"]]
        return _set_name(cset, ctx.lang)
    if x["comparator"] == "yes":
        wanted = x["threshold"] is None or is_yes(x["threshold"])
        return ctx.words.comparator["yes" if wanted else "no"]
    if x["comparator"] == "within":
        return f"{ctx.num(x['threshold'], 2)}–{ctx.num(x['threshold_high'], 2)}"
    return (f"{ctx.words.comparator[x['comparator']]} {ctx.num(x['threshold'], 2)}"
            + _cond_measure(x, ctx))
