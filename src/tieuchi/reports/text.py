
"""The report as text (Markdown, HTML) in the register of a Vietnamese official report.

The outline comes from the definitions' ``report`` section; each item is written by the
renderer registered for its kind (group, target, criteria set). Every figure is read from the
:class:`~tieuchi.engine.Evaluation`; nothing is computed here but wording.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING, Any

import polars as pl

from tieuchi.domain.bases import BasisWords
from tieuchi.domain.criteria import CriteriaSet, RuleKind
from tieuchi.domain.issuer import is_dated, titled_name, unit_kind
from tieuchi.domain.periods import Period, PeriodKind
from tieuchi.domain.precision import Precision
from tieuchi.domain.project import Highlight, ReportItem
from tieuchi.domain.ruleset import is_yes
from tieuchi.domain.statements import nearest, state_misfit
from tieuchi.domain.status import Pace, Status
from tieuchi.domain.words import Words
from tieuchi.engine.comparators import passes_expr
from tieuchi.engine.evaluate import Evaluation
from tieuchi.reports.formatting import (
    count,
    join_names,
    lower_first,
    measure_of,
    number,
    percent,
)

if TYPE_CHECKING:
    from tieuchi.domain.narrative import Narrative
    from tieuchi.reports.document import ReportDocument, Table

__all__ = ["render_markdown", "markdown", "render_html", "html", "RENDERERS",
           "sentence_for_target", "Context", "plan_text", "plan_prose", "actual_text",
           "change_text", "full_name", "full_set_name", "set_noun", "sentence_name",
           "unit_of_measure", "share_text", "assessment_text", "is_paced", "condition_value_text",
           "condition_threshold_text", "item_kind", "VINTAGES", "sentence_for_figure",
           "LIST_LIMIT", "set_name"]

VINTAGES = ("plan", "estimate", "preliminary", "official")
PACES = frozenset(p.value for p in Pace)
Row = dict[str, Any]
LIST_LIMIT = 10
"""A count names its members up to this many; past it, it names the exceptions (the other,
smaller side): "41/45 công trình …; 4 công trình chưa …: A, B, C và D"."""


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

    def precision(self, row: Row | None = None) -> Precision:
        """How ``row``'s percentages are written: its resolved columns (the engine's, or a
        highlight's own), each falling back on the report's; without a row, the report's."""
        default = self.ev.definitions.percent_precision
        if row is None:
            return default
        decimals, fixed = row.get("percent_decimals"), row.get("percent_fixed")
        return Precision(default.decimals if decimals is None else int(decimals),
                         default.fixed if fixed is None else bool(fixed))

    def pct_number(self, value: float | None, row: Row | None = None) -> str:
        """A percentage or a change in points without its sign: "86,47", "0,2"."""
        return number(value, self.lang, *self.precision(row))

    def pct(self, value: float | None, row: Row | None = None) -> str:
        """A percentage of ``row`` (% of the target, a change): "86,47%", "5,0%"."""
        return percent(value, self.lang, *self.precision(row))

    def value(self, value: float | None, row: Row) -> str:
        """A value of ``row``'s indicator: its declared decimals kept ("2.418,50"), else
        at most its default decimals ("2.418,5")."""
        return number(value, self.lang, int(row["decimals"]), bool(row.get("decimals_fixed")))

    def basis(self, code: str | None) -> BasisWords:
        """A basis's phrases in the report's language ("kế hoạch", "dự toán giao")."""
        return self.ev.definitions.basis(code).words(self.lang)

    def unit_name(self, code: str) -> str:
        """"Xã A": the name with its kind or level, unless it already has it."""
        defs = self.ev.definitions
        unit = defs.unit_by_code[code]
        if self.lang == "en":
            return unit.name_en or unit.name
        return titled_name(unit, defs.level_by_code.get(unit.level))

    def target(self, key: str, unit: str) -> Row | None:
        """A target by key, or the unit's target for an indicator code."""
        found = self.ev.target(key)
        if found is not None:
            return found
        rows = self.ev.targets.filter((pl.col("indicator") == key) & (pl.col("unit") == unit))
        return rows.row(0, named=True) if rows.height else None

    def figure(self, key: str, unit: str | None) -> Row | None:
        """The evaluated figure of an indicator (by code, or that of a target by key, of the
        target's unit unless ``unit`` is given; default the report's) for the period: a row
        of :attr:`~tieuchi.engine.Evaluation.figures`."""
        defined = self.ev.definitions.targets.filter(pl.col("key") == key)
        if defined.height:
            key, unit = defined.item(0, "indicator"), unit or defined.item(0, "unit")
        unit = unit or self.unit
        if "actual" not in self.ev.figures.columns:
            return None
        rows = self.ev.figures.filter((pl.col("indicator") == key) & (pl.col("unit") == unit))
        return rows.row(0, named=True) if rows.height else None


def _name(row: Row, ctx: Context) -> str:
    ind = ctx.ev.definitions.indicator_by_code[row["indicator"]]
    if ctx.lang == "en" and ind.name_en:
        return ind.name_en
    return str(row["short_name"] or row["display_name"])


def sentence_name(row: Row, ctx: Context) -> str:
    """A target's name as its sentence in the report writes it."""
    return _name(row, ctx)


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
    return measure_of(ctx.ev.definitions.indicator_by_code.get(row["indicator"] or ""),
                      ctx.lang)


def _value(value: float | None, row: Row, ctx: Context) -> str:
    return ctx.value(value, row) + _measure(row, ctx)


def _target_value(row: Row, ctx: Context) -> str:
    """The target as written: at most the indicator's decimals ("≤ 0,2")."""
    return ctx.num(row["target"], int(row["decimals"])) + _measure(row, ctx)


def _change(row: Row, ctx: Context, period: Period) -> str:
    """The comparison with the same period last year, as the row's ``compare`` says:
    "tăng 14% so với năm 2022", "bằng 106,5% so với năm 2022", or nothing."""
    how = row.get("compare") or "change"
    if row.get("change_vs_baseline") is not None and how != "none":
        return _change_on_baseline(row, ctx)
    change = row["change_vs_same_period"]
    if change is None or how == "none":
        return ""
    w = ctx.words
    if period.contains(ctx.ev.period):  # a year's target at 9 months: its 9 months' figure
        period = ctx.ev.period
    previous = period.same_period_last_year()
    year = period.kind is PeriodKind.YEAR
    vs = (w.vs_same_period_year.format(year=previous.year) if year
          else w.vs_same_period_named.format(year=previous.year) if row.get("year_named")
          else w.vs_same_period)
    if how == "ratio" and row.get("ratio_vs_same_period") is not None:
        base = w.base_year.format(year=previous.year) if year else w.base_same_period
        return w.ratio_vs.format(pct=ctx.pct(row["ratio_vs_same_period"], row), vs=vs,
                                 base=base)
    word = w.increase if change >= 0 else w.decrease
    amount = ctx.pct_number(abs(change), row) + (
        w.points if row["change_kind"] == "points" else "%")
    return f"{word} {amount} {vs}"


def _change_on_baseline(row: Row, ctx: Context) -> str:
    """A growth or reduction planned on a baseline period, stated on it: "tăng 9% so với
    năm 2024", "bằng 109% so với năm 2024" (``compare: ratio``)."""
    w = ctx.words
    label = Period.parse(row["baseline"]).label(ctx.lang)
    vs = w.vs_period.format(period=label)
    if row.get("compare") == "ratio" and row.get("ratio_vs_baseline") is not None:
        return w.ratio_vs.format(pct=ctx.pct(row["ratio_vs_baseline"], row), vs=vs,
                                 base=label)
    change = row["change_vs_baseline"]
    word = w.increase if change >= 0 else w.decrease
    amount = ctx.pct_number(abs(change), row) + (
        w.points if row["change_kind_baseline"] == "points" else "%")
    return f"{word} {amount} {vs}"


def _excess(row: Row, ctx: Context, basis: BasisWords) -> str:
    """"vượt 158,2 tấn so với kế hoạch" / "vượt 2,6% kế hoạch": a target exceeded, as its
    ``excess`` says (``basis``: the basis's words); "" otherwise."""
    w = ctx.words
    words = {"basis": basis.name, "short": basis.short_text}
    if row.get("excess") == "quantity" and row.get("excess_amount"):
        return w.excess_quantity.format(amount=_value(row["excess_amount"], row, ctx), **words)
    if row.get("excess") == "percent" and row.get("excess_percent"):
        return w.excess_percent.format(pct=ctx.pct(row["excess_percent"], row), **words)
    return ""


def _scope(unit: str, ctx: Context) -> str:
    """Whose count: "toàn xã" for the report's own unit, else the unit's name ("Xã A")."""
    defs = ctx.ev.definitions
    found = defs.unit_by_code[unit]
    kind = unit_kind(found, defs.level_by_code.get(found.level))
    if unit == ctx.unit and kind:
        return ctx.words.whole_unit.format(kind=kind, name=ctx.unit_name(unit))
    return ctx.words.other_unit.format(name=ctx.unit_name(unit))


def _count_opening(row: Row, ctx: Context, figure: Row | None) -> str:
    """The count behind ``figure`` (a row of ``Evaluation.figures``) as ``row``'s ``state``
    says: "toàn tỉnh có 320/411 xã đạt chuẩn NTM, tương đương 77,86%" (fraction), "toàn xã
    có 4 hộ nghèo, chiếm tỷ lệ 0,2%" (count_share), "toàn tỉnh có 09 đơn vị …" (count); ""
    for the value form, or a figure without that count (a rate needs its numerator)."""
    state = row.get("state") or "value"
    if state in ("value", "change") or figure is None:
        return ""
    indicator = ctx.ev.definitions.indicator_by_code[figure["indicator"]]
    ratio = figure.get("numerator") is not None
    if (state_misfit(state, indicator) or (indicator.numerator and not ratio)
            or (state == "fraction" and figure.get("denominator") is None)):
        return ""  # a definition error (tieuchi validate), or no figure of the numerator
    w = ctx.words
    subject = ctx.ev.definitions.indicator_by_code[
        figure["numerator_indicator"] if ratio else figure["indicator"]]
    name = row.get("subject") or (
        (subject.name_en or subject.name) if ctx.lang == "en"  # a label: "Poor households: 4"
        else (subject.short_name or subject.name))
    digits = row.get("min_digits") if w.pads_counts else None
    fields = {
        "scope": _scope(figure["unit"], ctx), "name": name,
        "n": count(figure["numerator"] if ratio else figure["actual"], ctx.lang, digits),
        "total": count(figure["denominator"], ctx.lang, digits) if ratio and figure.get(
            "denominator") is not None else "",
        # the rate as its indicator writes it ("5,0%"), unless the statement gives decimals
        "pct": ctx.pct(figure["actual"], row) if row.get("own_percent")
        else _value(figure["actual"], figure, ctx),
    }
    template = {"fraction": w.count_fraction, "count_share": w.count_share,
                "count": w.count_of}[state]
    return template.format(**fields)


def _verb(lower: bool, estimated: bool, w: Words) -> str:
    """"đạt" is for what should grow; a rate or a count that should fall "là" (is)."""
    return ((w.is_estimate if estimated else w.is_) if lower
            else (w.reached_estimate if estimated else w.reached))


def sentence_for_figure(row: Row, ctx: Context) -> str:
    """One sentence on one figure without a target (a row of ``Evaluation.figures``): the
    value and its comparison with the same period: "Giá trị sản xuất dịch vụ ước đạt
    315 tỷ đồng, tăng 12,3% so với năm 2022"."""
    ind = ctx.ev.definitions.indicator_by_code[row["indicator"]]
    name = (ind.name_en or ind.name) if ctx.lang == "en" else (ind.short_name or ind.name)
    estimated = row["actual_vintage"] == VINTAGES.index("estimate")
    w = ctx.words
    change = _change(row, ctx, Period.parse(row["period"]))
    if row.get("state") == "change" and change:  # "… ước tăng 12,4% so với cùng kỳ"
        return w.change_only.format(name=row.get("subject") or name, change=change,
                                    estimated=w.estimated if estimated else "")
    verb = _verb(row["direction_comparator"] == "at_most", estimated, w)
    parts = [_count_opening(row, ctx, row) or f"{name} {verb} {_value(row['actual'], row, ctx)}"]
    return ", ".join([*parts, change] if change else parts)


def sentence_for_target(row: Row, ctx: Context) -> str:
    """One sentence on one target: actual, change, % of target, status against it."""
    w = ctx.words
    name = _name(row, ctx)
    period = Period.parse(row["period"])
    if row["type"] == "yesno":
        done = row["status"] in ("met", "exceeded")
        return (w.yes_done if done else w.yes_not_done).format(name=name)
    declared = ctx.ev.definitions.basis(row["basis"])
    basis = declared.words(ctx.lang)
    if row["actual"] is None:
        return f"{name}: {w.status['no_data'].lower()}"
    if declared.form == "quota" and row["percent_of_target"] is not None:
        return w.quota.format(name=name, pct=ctx.pct(row["percent_of_target"], row),
                              basis=basis.name, actual=ctx.num(row["actual"], 0),
                              target=ctx.num(row["target"], 0), measure=_measure(row, ctx))
    estimated = row["actual_vintage"] == VINTAGES.index("estimate")
    lower = row["comparator"] == "at_most" or row["relative"] in ("reduction", "reduction_pp")
    verb = _verb(lower, estimated, w)
    opening = _count_opening(row, ctx, ctx.figure(row["indicator"], row["unit"])) if row.get(
        "state") else ""
    parts = [opening or f"{name} {verb} {_value(row['actual'], row, ctx)}"]
    change = _change(row, ctx, period)
    if change:
        plan = ""
        if row["relative"] in ("growth", "reduction", "reduction_pp"):
            plan = " " + w.plan_relative.format(target=plan_prose(row, ctx))
        parts.append(change + plan)
    if period.kind is PeriodKind.MULTI_YEAR:
        parts.append(target_clause(row, ctx))
        return ", ".join(parts)
    status = row["status"]
    if row["relative"] and status == Status.NO_DATA:  # no figure of the base: no verdict
        return ", ".join([*parts, f"{w.no_comparison} "
                          + w.plan_relative.format(target=plan_prose(row, ctx))])
    paced = is_paced(row)
    excess = "" if lower or paced else _excess(row, ctx, basis)
    if excess and row["percent_of_target"] is not None:
        return ", ".join([*parts, excess])
    if row["percent_of_target"] is not None and not lower:
        # Open with part of its figures: "đạt 86,47% kế hoạch năm", never "chưa đạt".
        template = w.percent_of if paced or Status(status).achieved else w.percent_below
        named = basis.name
        if paced and period.kind is PeriodKind.YEAR:
            named = w.basis_year.format(basis=named, short=basis.short_text)
        parts.append(template.format(pct=ctx.pct(row["percent_of_target"], row), basis=named))
        if status == Status.NOT_MET and not paced:
            parts.append(w.not_met_target.format(basis=basis.short_text))
        return ", ".join(parts)
    target = "" if row["relative"] else f" ({plan_prose(row, ctx)})"
    verdict = excess or (lower_first(w.pace[row["assessment"]]) if paced else {
        Status.EXCEEDED: w.exceeded_target, Status.MET: w.met_target}.get(
        status, w.not_met_target).format(basis=basis.short_text))
    parts.append(verdict + target)
    return ", ".join(parts)


def target_clause(row: Row, ctx: Context) -> str:
    """"vượt chỉ tiêu giai đoạn 2021 - 2025 được UBND Thành phố giao (≥ 5 xã), về đích trước
    2 năm": a target's result as a clause after the sentence that gives the actual."""
    w = ctx.words
    period = Period.parse(row["period"]).label(ctx.lang)
    target = plan_prose(row, ctx)
    which = (w.multi_year_issuer.format(period=period, issuer=row["issuer"], target=target)
             if row["issuer"] else w.multi_year_target.format(period=period, target=target))
    if row["status"] == Status.NO_DATA:
        return w.nothing_yet.format(name=which)
    verb = {Status.EXCEEDED: w.exceeded_target, Status.MET: w.met_target}.get(
        row["status"], w.not_met_target).format(basis=which)
    if row["years_early"]:
        verb += ", " + w.years_early.format(n=row["years_early"])
    return verb


def _stated(row: Row, *layers: object) -> Row:
    """``row`` with the nearest way of stating it written (comparison, excess, precision of
    its percentages): a highlight's, an item's (a group's, for a figure), else the row's own
    (a target's: its own, its group's, the report's)."""
    out = dict(row)
    for name in ("compare", "excess", "percent_decimals", "percent_fixed", "year_named"):
        value = nearest(*(getattr(x, name, None) for x in layers), row.get(name))
        out[name] = getattr(value, "value", value)
    # the count forms: written on a highlight or an item only
    written = [x for x in layers if isinstance(x, Highlight | ReportItem)]
    state = nearest(*(x.state for x in written))
    out["state"] = state.value if state else None
    out["subject"] = nearest(*(x.name for x in written))
    out["min_digits"] = nearest(*(x.min_digits for x in written))
    out["own_percent"] = any(x.percent_decimals is not None for x in written)
    return out


def _highlight(h: Highlight, item: ReportItem, ctx: Context, group: object = None,
               quiet: bool = False) -> str:
    """A highlight's sentence: its target's, else its indicator's figure for the period
    (also that of a target of another period, or without data yet); "" when the period has
    neither, or only a target without data and ``quiet`` (its group said so already)."""
    row = ctx.target(h.key, h.unit or item.unit or ctx.unit)
    if row is not None and row["actual"] is not None:
        return _capital(sentence_for_target(_stated(row, h, item), ctx)) + "."
    figure = ctx.figure(h.key, h.unit or item.unit)
    if figure is not None:
        return _capital(sentence_for_figure(_stated(figure, h, item, group), ctx)) + "."
    if row is not None and not quiet:
        return _capital(sentence_for_target(row, ctx)) + "."
    return ""


def _group(item: ReportItem, ctx: Context) -> str:
    """The group's count, then its highlights; a group the period has no targets of (the
    2023 group in the 2022 report) states its highlights' figures alone."""
    assert item.group is not None
    group = ctx.ev.definitions.group_by_code.get(item.group)
    rows = ctx.ev.groups.filter(pl.col("group") == item.group)
    g = rows.row(0, named=True) if rows.height and group is not None else None
    quiet = g is not None and g["no_data"] == g["total"]
    highlights = [t for t in (_highlight(h, item, ctx, group, quiet) for h in item.highlights)
                  if t]
    if g is None:
        return " ".join(highlights)
    return " ".join([_group_count(item.group, g, ctx), *highlights])


def _group_count(code: str, g: Row, ctx: Context) -> str:
    """"Có 7/10 chỉ tiêu … đạt và vượt dự toán giao; 3 chỉ tiêu chưa đạt: …"."""
    w = ctx.words
    group = ctx.ev.definitions.group_by_code[code]
    title = group.title(ctx.ev.period, ctx.lang)
    name = lower_first(title)
    achieved = g["exceeded"] + g["met"]
    members = ctx.ev.definitions.members.filter(pl.col("group") == code)
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
            basis=ctx.basis(g["basis"]).goal_text,
        )
    missing = []
    if g["not_met"] > LIST_LIMIT and g["not_met"] > achieved:  # name the exceptions
        done = targets.filter(passes_expr(pl.col("status")))
        if done.height:
            text += ": " + "; ".join(_name(r, ctx) for r in done.iter_rows(named=True))
        missing.append(w.not_met_count.format(n=g["not_met"]))
    elif g["not_met"]:
        short = targets.filter(pl.col("status") == Status.NOT_MET.value)
        names = [
            f"{_name(r, ctx)} ({ctx.pct(r['percent_of_target'], r)})"
            if r["percent_of_target"] is not None else _name(r, ctx)
            for r in short.iter_rows(named=True)
        ]
        missing.append(w.not_met_list.format(n=g["not_met"], names="; ".join(names)))
    if g["no_data"]:
        # a target with its figure but nothing to compare it with (a growth on a base year
        # without figures) is not a target without figures
        pending = targets.filter(pl.col("status") == Status.NO_DATA.value)
        unbased = pending.filter(pl.col("actual").is_not_null())
        if unbased.height < g["no_data"]:
            bare = [n for n in g["no_data_items"]
                    if n not in set(unbased.get_column("display_name").to_list())]
            missing.append(w.no_data_list.format(n=len(bare), names="; ".join(bare)))
        if unbased.height:
            missing.append(w.no_base_list.format(n=unbased.height, names="; ".join(
                unbased.get_column("display_name").to_list())))
    if missing:
        text += "; " + "; ".join(missing)
    return text + "."


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
    return _capital(sentence_for_target(_stated(row, item), ctx)) + "." if row else ""


def _indicator(item: ReportItem, ctx: Context) -> str:
    """One figure on its own: the unit's target for the indicator, else its figure."""
    assert item.indicator is not None
    return _highlight(Highlight(indicator=item.indicator), item, ctx)


def set_name(cset: CriteriaSet, lang: str) -> str:
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
            return "" if _past(ctx) else w.nothing_yet.format(name=w.assessment.format(
                name=full_set_name(cset, ctx.lang), who=ctx.unit_name(unit))) + "."
        phrase = cset.phrase_en if ctx.lang == "en" else cset.phrase
        if phrase and (r["passed"] or (r["passed"] is False and r["total"] == 1)):
            verdict = phrase if r["passed"] else f"{w.negation} {phrase}"
            text = f"{ctx.unit_name(unit)} {verdict}"
            if r["total"] > 1:
                text += f" ({w.met_of.format(met=r['met'], total=r['total'], term=term)})"
            return text + "."
        text = w.set_unit.format(unit=ctx.unit_name(unit), met=r["met"], total=r["total"],
                                 term=term, name=set_name(cset, ctx.lang))
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
    if s["total"] == 1:  # one unit rated: named with its own result, not "0/1 huyện"
        below = set(ctx.ev.definitions.descendants(unit))
        one = ctx.ev.sets.sets.filter((pl.col("set") == cset.code)
                                      & pl.col("unit").is_in(list(below)))
        if one.height == 1:
            text = _criteria_set(item.model_copy(update={"unit": one.item(0, "unit"),
                                                         "highlights": ()}), ctx)
            return "; ".join([text.removesuffix("."), *_set_highlights(item, unit, ctx)]) + "."
    phrase = cset.phrase_en if ctx.lang == "en" else cset.phrase
    if phrase is None and cset.rule.kind is RuleKind.AT_LEAST:
        phrase = w.set_at_least_phrase.format(k=int(cset.rule.value or 0), n=s["criteria"],
                                              term=term)
    phrase = phrase or w.set_default_phrase.format(name=set_name(cset, ctx.lang))
    noun = set_noun(cset, ctx, s["total"])
    if s["no_data"] == s["total"]:
        return "" if _past(ctx) else w.nothing_yet.format(name=w.assessment.format(
            name=full_set_name(cset, ctx.lang), who=f"{s['total']} {noun}")) + "."
    text = w.set_summary.format(passed=s["passed"], total=s["total"], noun=noun, phrase=phrase)
    failed = s["failed_units"]
    if 0 < s["passed"] < s["total"] and LIST_LIMIT < s["passed"] and len(failed) < s["passed"]:
        # name the exceptions: "41/45 công trình đã …; 4 công trình chưa …: A, B, C và D"
        text += "; " + w.set_failed.format(n=len(failed), noun=noun,
                                           phrase=_denied(cset, phrase, ctx),
                                           names=join_names(failed, ctx.lang))
    elif 0 < s["passed"] < s["total"]:
        text += ": " + join_names(s["passed_units"], ctx.lang)
    if s["no_data"]:
        listed = s["no_data_units"] if s["no_data"] <= 10 else []
        text += "; " + w.units_no_data.format(
            n=s["no_data"], noun=noun, names=join_names(listed, ctx.lang)
        ).replace(" ()", "")
    return "; ".join([text, *_set_highlights(item, unit, ctx)]) + "."


def _set_highlights(item: ReportItem, unit: str, ctx: Context) -> list[str]:
    """The targets stated after a count of units: "vượt chỉ tiêu giai đoạn … (≥ 5 xã)"."""
    rows = [ctx.target(key, unit) for key in item.highlight_keys]
    return [target_clause(row, ctx) for row in rows if row is not None]


def _denied(cset: CriteriaSet, phrase: str, ctx: Context) -> str:
    """What the units that do not pass a set are: the set's ``phrase_not``, else its phrase
    denied ("đã đưa vào sử dụng" → "chưa đưa vào sử dụng")."""
    own = cset.phrase_not_en if ctx.lang == "en" else cset.phrase_not
    w = ctx.words
    return own or w.set_negated.format(phrase=phrase.removeprefix(w.past) if w.past else phrase)


def _past(ctx: Context) -> bool:
    """A report on a period long past (:func:`~tieuchi.domain.issuer.is_dated`, the rule of
    its undated date line): a set nobody was assessed against in it is left out ("chưa có
    số liệu" is for a period running or just ended)."""
    return not is_dated(ctx.ev.period, ctx.ev.as_of)


def set_noun(cset: CriteriaSet, ctx: Context, n: int = 1) -> str:
    """What the applied units are called: their common kind ("xã"), else their level; in
    English its English name, plural for ``n`` other than 1 ("communes"), else its
    Vietnamese name unchanged ("công trình", never "công trìnhs")."""
    defs = ctx.ev.definitions
    units = ctx.ev.sets.sets.filter(pl.col("set") == cset.code).get_column("unit").to_list()
    kinds = {defs.unit_by_code[u].kind for u in units}
    levels = {defs.unit_by_code[u].level for u in units}
    if ctx.lang == "vi" and len(kinds) == 1 and None not in kinds:
        return str(kinds.pop())
    if len(levels) == 1:
        level = defs.level_by_code.get(levels.pop())
        if level is not None:
            if ctx.lang == "en" and level.name_en:
                noun = lower_first(level.name_en)
                return noun + "s" if n != 1 and not noun.endswith("s") else noun
            return lower_first(level.name)
    return ""


Renderer = Callable[[ReportItem, Context], str]
RENDERERS: dict[str, Renderer] = {
    "group": _group,
    "target": _target,
    "criteria_set": _criteria_set,
    "indicator": _indicator,
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
    from tieuchi.reports.document import causes_after

    h = doc.header
    lines: list[str] = []
    if h.parent_body:
        lines += [" ".join(h.parent_body).upper(), ""]
    if h.issuer:
        lines += [f"**{' '.join(h.issuer).upper()}**", ""] + (["\\*", ""] if h.star else [])
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
                      for line in (_literal(cause), "")]
        lines += [line for b in section.blocks
                  for line in ((f"- {_literal(b.text)}" if b.item else _literal(b.text)), "")]
    for table in doc.tables:
        lines += _markdown_table(table)
    return "\n".join(lines).rstrip() + "\n"


_MARKDOWN_START = re.compile(r"^(#|>|\||[*+] |\d+[.)] |=+$|-+$)")


def _literal(text: str) -> str:
    """A text typed by a user (a narrative paragraph) as Markdown reads it back as text: a
    start that Markdown would take for a heading, a quote, a table, a list or a numbered
    paragraph ("# …", "> …", "1. …") is escaped with a backslash."""
    if not _MARKDOWN_START.match(text):
        return text
    numbered = re.match(r"\d+(?=[.)] )", text)  # "1. …": the dot is what is escaped
    return (text[:numbered.end()] + "\\" + text[numbered.end():] if numbered
            else "\\" + text)


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
        f"<div><b>{escape(x.upper())}</b></div>" for x in h.issuer) + (
        ("<div>*</div>" if h.star else "<hr>") if h.issuer else "")
    parts = [f'<!doctype html><html lang="{doc.lang}"><meta charset="utf-8">',
             f"<title>{escape(h.title)}</title><style>{_CSS}</style><body>",
             f'<div class="head"><div>{left}</div><div class="motto"><b>{escape(h.motto)}'
             f"</b>{'<br><b>' + escape(h.motto_sub) + '</b>' if h.motto_sub else ''}<hr></div>"
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
    return ctx.pct(r["percent_of_target"], r)


def is_paced(r: Row) -> bool:
    """Whether the engine assesses ``r`` by its pace (open, with part of its figures)."""
    return r["assessment"] in PACES


def assessment_text(r: Row, ctx: Context) -> str:
    """The engine's assessment of the target in words: its status ("Không đạt"), or, while
    its period is open with part of its figures, its pace ("Chậm tiến độ")."""
    return (ctx.words.pace if is_paced(r) else ctx.words.status)[r["assessment"]]


def plan_text(r: Row, ctx: Context, measured: bool = False) -> str:
    """The target as a table cell: "≥ 856", "tăng ≥ 12%", "Đạt"; ``measured``: with its unit
    of measure ("≥ 856 tỷ đồng"), for a table without a column of units."""
    if r["type"] == "yesno":
        wanted = r["target"] is None or is_yes(r["target"])
        return ctx.words.comparator["yes" if wanted else "no"]
    if r["relative"]:
        return f"{ctx.words.comparator[r['relative']]} {_relative_value(r, ctx)}"
    symbol = ctx.words.comparator[r["comparator"]]
    unit = _measure(r, ctx) if measured else ""
    if r["comparator"] == "within":
        return f"{ctx.num(r['target'])}–{ctx.num(r['value_high'])}{unit}"
    return f"{symbol} {ctx.num(r['target'], int(r['decimals']))}{unit}"


def _relative_value(r: Row, ctx: Context) -> str:
    """A relative target's amount: "12%", "0,5 điểm phần trăm"."""
    return ctx.num(r["relative_value"]) + (
        "%" if r["relative"] in ("growth", "reduction", "share_of_baseline")
        else ctx.words.points if r["relative"] == "reduction_pp" else "")


def plan_prose(r: Row, ctx: Context) -> str:
    """The target inside a sentence, worded as an official text words it, never with a
    sign: "từ 856 tỷ đồng trở lên", "không quá 0,2%", "tăng từ 12% trở lên" (``Words.
    comparator_text``); a yes/no target as its table cell."""
    if r["type"] == "yesno":
        return plan_text(r, ctx)
    words = ctx.words.comparator_text
    if r["relative"]:
        return words[r["relative"]].format(v=_relative_value(r, ctx))
    if r["comparator"] == "within":
        return words["within"].format(v=ctx.num(r["target"]),
                                      high=ctx.num(r["value_high"]) + _measure(r, ctx))
    return words[r["comparator"]].format(v=_target_value(r, ctx))


def actual_text(r: Row, ctx: Context, measured: bool = False) -> str:
    """The actual as a table cell: a number (``measured``: with its unit of measure), or
    Đạt / Không đạt for yes/no."""
    if r["type"] == "yesno" and r["actual"] is not None:
        return ctx.words.comparator["yes" if is_yes(r["actual"]) else "no"]
    if measured and r["actual"] is not None:
        return _value(r["actual"], r, ctx)
    return ctx.value(r["actual"], r)


def change_text(r: Row, ctx: Context) -> str:
    """The change on the same period as a table cell: "+5,5%", "−0,2 đpt"."""
    change = r["change_vs_same_period"]
    if change is None:
        return ""
    sign = "+" if change >= 0 else "−"
    unit = " điểm %" if r["change_kind"] == "points" and ctx.lang == "vi" else (
        " pp" if r["change_kind"] == "points" else "%")
    return f"{sign}{ctx.pct_number(abs(change), r)}{unit}"


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
        return set_name(cset, ctx.lang)
    if x["comparator"] == "yes":
        wanted = x["threshold"] is None or is_yes(x["threshold"])
        return ctx.words.comparator["yes" if wanted else "no"]
    if x["comparator"] == "within":
        return f"{ctx.num(x['threshold'], 2)}–{ctx.num(x['threshold_high'], 2)}"
    return (f"{ctx.words.comparator[x['comparator']]} {ctx.num(x['threshold'], 2)}"
            + _cond_measure(x, ctx))
