"""The report as a document: built once from an evaluation, written by every view.

:func:`build_document` lays out what the report says: the header of an official document
(Nghị định 30/2020/NĐ-CP), the numbered sections of sentences, the appendix tables, the
recipients and the signature. The Markdown, HTML and DOCX views only decide how it looks;
none of them computes a figure or a status. The words come from the phrasebook
(:mod:`tieuchi.domain.words`) with the organisation's own phrases (``report.phrases`` in its
definitions) in place of the defaults.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Literal

import polars as pl

from tieuchi.domain.bases import BasisWords
from tieuchi.domain.bundle import Definitions
from tieuchi.domain.criteria import CriteriaSet
from tieuchi.domain.issuer import NO_ISSUER, Issuer, is_dated, issuer_of, written
from tieuchi.domain.narrative import CAUSE, SECTIONS, Block, Narrative, blocks, next_period_label
from tieuchi.domain.outline import default_items, own_sections, written_outline
from tieuchi.domain.periods import Period
from tieuchi.domain.project import ReportSection
from tieuchi.domain.words import WORDS, Words, with_phrases
from tieuchi.engine.evaluate import Evaluation
from tieuchi.engine.succession import succession_links
from tieuchi.reports.formatting import (
    join_names,
    long_date,
    lower_first,
    number_ranges,
    percent,
    short_date,
)
from tieuchi.reports.text import (
    RENDERERS,
    VINTAGES,
    Context,
    actual_text,
    assessment_text,
    change_text,
    condition_threshold_text,
    condition_value_text,
    full_name,
    full_set_name,
    is_paced,
    item_kind,
    plan_text,
    set_name,
    share_text,
    unit_of_measure,
)

__all__ = ["ReportDocument", "Header", "Section", "Cause", "Block", "Table", "Column", "Chart",
           "Bar", "Signature", "ReportError", "build_document", "phrasebook", "group_heads"]

Align = Literal["left", "center", "right"]


class ReportError(Exception):
    """The report cannot be written: a phrase that does not fit, a converter missing."""


@dataclass(frozen=True)
class Header:
    """The top of the first page: who issues the report, the motto, its number, date, title."""

    parent_body: tuple[str, ...]  # lines, as written ("Ủy ban nhân dân thành phố Hà Nội")
    issuer: tuple[str, ...]  # lines, as written; views write them in upper case
    number: str | None  # "Số:      /BC-UBND"
    motto: str  # a Party committee's: "ĐẢNG CỘNG SẢN VIỆT NAM" (no second line)
    motto_sub: str
    place_date: str | None  # "{place}, ngày … tháng … năm …"
    kind: str  # "BÁO CÁO"
    title: str  # "Báo cáo kết quả thực hiện nhiệm vụ chính trị năm 2023"
    subtitle: str  # "Kết quả thực hiện nhiệm vụ chính trị năm 2023"
    star: bool = False  # a "*" under the issuing body in place of its rule (the Party's)


@dataclass(frozen=True)
class Cause:
    """The cause written for a target (:mod:`tieuchi.domain.narrative`), after the
    paragraph that states the target."""

    lead: str  # "Nguyên nhân (Lệ phí trước bạ)"
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Section:
    numeral: str  # "I"
    title: str
    paragraphs: tuple[str, ...]  # one per report item, without its number
    causes: tuple[tuple[Cause, ...], ...] = ()  # after each paragraph: its targets' causes
    blocks: tuple[Block, ...] = ()  # a narrative section's text, not numbered


@dataclass(frozen=True)
class Column:
    key: str  # "no", "target", "plan", … (the keys of ``Words.columns``)
    label: str
    align: Align


@dataclass(frozen=True)
class Bar:
    """One target in a chart: its name, its % of the target and its status, as evaluated."""

    name: str  # the short name ("Lệ phí trước bạ"); views shorten it to fit
    percent: float  # the evaluation's percent_of_target: 85.6178…
    label: str  # the same, written as the table writes it: "85,6%"
    status: str  # the evaluation's assessment: "exceeded", "met", "not_met"; "ahead",
    # "on_track", "behind" while the target's period is open with part of its figures


@dataclass(frozen=True)
class Chart:
    """The % of the target of each target of a group, drawn under the group's table."""

    caption: str  # "Biểu đồ 1: Tỷ lệ thực hiện so với kế hoạch – Chỉ tiêu …"
    bars: tuple[Bar, ...]  # in the table's order; targets without a % left out
    achieved: str  # the legend of the bars met or exceeded: "Đạt / Vượt"
    not_met: str  # the legend of the others: "Không đạt"


@dataclass(frozen=True)
class Table:
    title: str  # "Phụ lục 1: Chỉ tiêu nhiệm vụ chính trị năm 2023 của Đảng bộ huyện"
    columns: tuple[Column, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str | None = None  # under the table (a set whose criteria are illustrative)
    chart: Chart | None = None  # a group's table with at least two % of the target


@dataclass(frozen=True)
class Signature:
    title: tuple[str, ...]  # ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH")
    name: str | None


@dataclass(frozen=True)
class ReportDocument:
    lang: str
    unit: str  # the code of the unit the report is about
    unit_name: str | None  # "{Kind} {name}": "Xã A"
    about_root: bool  # whether that unit is the project's root (the issuer's own)
    period: str  # "năm 2023"
    date: date  # the evaluation's date (the report's own, unless it is left undated)
    header: Header
    notes: tuple[str, ...]  # "Số liệu ước thực hiện đến …", "Nguồn: …"
    sections: tuple[Section, ...]
    tables: tuple[Table, ...]
    appendix_note: str | None  # "(Kèm theo Báo cáo số … ngày … của …)"
    recipients_label: str
    recipients: tuple[str, ...]  # "- Thường trực Huyện ủy;" … "- Lưu: VT."
    signature: Signature

    @property
    def has_content(self) -> bool:
        """Whether the unit has anything to report: a section or a table."""
        return bool(self.sections or self.tables)


def phrasebook(definitions: Definitions, lang: str) -> Words:
    """The words of ``lang`` with the organisation's own phrases (``report.phrases``)."""
    if lang not in WORDS:
        raise ReportError(f"'{lang}' is not a report language (vi, en)")
    phrases = next((p for key, p in definitions.report.phrases.items() if key == lang), {})
    try:
        return with_phrases(WORDS[lang], phrases)
    except ValueError as exc:
        raise ReportError(f"report.phrases.{lang}.{exc}") from None


def build_document(ev: Evaluation, lang: str = "vi", unit: str | None = None, *,
                   narrative: Narrative | None = None) -> ReportDocument:
    """The report of ``unit`` (default: the project's root) in ``lang``, with ``narrative``
    (default: the definitions' for the unit and period)."""
    defs = ev.definitions
    default = defs.project.root or (ev.units[0] if ev.units else "")
    root = unit or default
    ctx = Context(ev, phrasebook(defs, lang), root)
    w = ctx.words
    issuer = unit_issuer(defs, root, default, lang)
    outline = written_outline(defs, root)
    sections = unit_sections(ev, root, w)
    title = (outline.title_en if lang == "en" else outline.title) or (
        defs.report.title_en if lang == "en" else defs.report.title)
    header = _header(ev, ctx, issuer, title)
    return ReportDocument(
        lang=lang, unit=root, unit_name=ctx.unit_name(root) if root else None,
        about_root=root == (defs.project.root or root), period=ev.period.label(lang),
        date=ev.as_of,
        header=header, notes=_notes(ev, ctx) + _unverified_sets(ev, ctx, sections),
        sections=_narrated(_sections(ctx, sections), ctx,
                           narrative if narrative is not None
                           else defs.narrative(root, ev.period.code), sections),
        tables=_tables(ev, ctx, sections), appendix_note=_appendix_note(ev, ctx, issuer),
        recipients_label=w.recipients, recipients=_recipients(issuer.recipients),
        signature=Signature(issuer.signer_title, issuer.signer_name),
    )


def unit_issuer(defs: Definitions, unit: str, default: str | None = None,
                lang: str = "vi") -> Issuer:
    """Who issues ``unit``'s report (:func:`tieuchi.domain.issuer.issuer_of`), with what
    the definitions write of it; ``default``: the unit reported when none is asked."""
    found = defs.unit_by_code.get(unit)
    overrides = defs.project.header_overrides(unit, default)
    if found is None:  # no unit to derive from: what is written, or nothing
        return written(NO_ISSUER, *overrides)
    parent = defs.unit_by_code.get(found.parent or "")
    levels = defs.level_by_code
    return issuer_of(found, levels.get(found.level), parent,
                     levels.get(parent.level) if parent else None, *overrides, lang=lang)


def unit_sections(ev: Evaluation, unit: str, w: Words = WORDS["vi"]
                  ) -> tuple[ReportSection, ...]:
    """The sections of ``unit``'s report: the items of its outline that belong to it, else
    its default outline (:mod:`tieuchi.domain.outline`); the criteria sets are those the
    evaluation rates the unit, or units below it, on."""
    defs = ev.definitions
    sets = {row["set"] for frame in (ev.sets.sets, ev.sets.summaries) if frame.height
            for row in frame.filter(pl.col("unit") == unit).iter_rows(named=True)}
    sections = own_sections(defs, written_outline(defs, unit).sections, unit, sets)
    if sections:
        return sections
    targets, assessed = default_items(defs, unit, sets)
    return tuple(ReportSection(title=title, title_en=title, items=items)
                 for title, items in ((w.section_targets, targets), (w.section_sets, assessed))
                 if items)


def _lines(text: str | None) -> tuple[str, ...]:
    return tuple(line.strip() for line in (text or "").splitlines() if line.strip())


def _header(ev: Evaluation, ctx: Context, issuer: Issuer, title: str | None) -> Header:
    w, lang = ctx.words, ctx.lang
    title = ev.period.fill(title or w.title, lang)
    subtitle = title[len(w.title_prefix):] if title.startswith(w.title_prefix) else title
    place_date = (w.place_date.format(place=issuer.place, date=_date(ev, ctx))
                  if issuer.place else None)
    return Header(
        parent_body=_lines(issuer.parent_body), issuer=_lines(issuer.author),
        number=_number_line(issuer, w),
        motto=w.party_title if issuer.party else w.motto,
        motto_sub="" if issuer.party else w.motto_sub,
        place_date=place_date, kind=w.document_kind, title=title,
        subtitle=subtitle[:1].upper() + subtitle[1:], star=issuer.party,
    )


def _date(ev: Evaluation, ctx: Context, short: bool = False) -> str:
    """The report's date: the evaluation's, or, for a period long past
    (:func:`~tieuchi.domain.issuer.is_dated`), left for the signer to write ("ngày … tháng …
    năm …", as Nghị định 30/2020's forms leave a date): the report on 2022 is not dated in
    2022, and the day it is signed is not known (its data note gives the day the figures
    were known)."""
    if is_dated(ev.period, ev.as_of):
        return (short_date if short else long_date)(ev.as_of, ctx.lang)
    return ctx.words.undated_short if short else ctx.words.undated


def _number(issuer: Issuer) -> str:
    """The number as ND 30/2020 writes it: "05" under 10; blank when not yet given."""
    number = issuer.number or ""
    if number.isdigit() and int(number) < 10:
        return f"{int(number):02d}"
    return number or " " * 6


def _numbered(issuer: Issuer) -> str:
    """"…/BC-UBND"; a Party committee's "…-BC/ĐU"."""
    return f"{_number(issuer)}{'-' if issuer.party else '/'}{issuer.symbol}"


def _number_line(issuer: Issuer, w: Words) -> str | None:
    if not issuer.symbol:
        return None
    line = w.party_number_line if issuer.party else w.number_line
    return line.format(number=_number(issuer), symbol=issuer.symbol)


def _appendix_note(ev: Evaluation, ctx: Context, issuer: Issuer) -> str | None:
    """"(Kèm theo Báo cáo số …/BC-UBND ngày 12/12/2023 của …)" under each appendix title."""
    w = ctx.words
    body = " ".join(_lines(issuer.author))
    if not body:
        return None
    day = _date(ev, ctx, short=True)
    if issuer.symbol:
        return w.attachment.format(number=_numbered(issuer), date=day, issuer=body)
    return w.attachment_plain.format(date=day, issuer=body)


def _recipients(items: tuple[str, ...]) -> tuple[str, ...]:
    """"- Thường trực Huyện ủy;" … "- Lưu: VT.": a dash before, ";" after, "." at the end."""
    out = []
    for position, item in enumerate(items, start=1):
        text = item.strip().lstrip("-").strip().rstrip(";.")
        out.append(f"- {text}{'.' if position == len(items) else ';'}")
    return tuple(out)


def _notes(ev: Evaluation, ctx: Context) -> tuple[str, ...]:
    """The data note, then the project's source: only in a report on the project's period
    (the source of one year's figures is not another's)."""
    note = " ".join(n for n in (_data_note(ev, ctx), *_rebased_notes(ev, ctx)) if n)
    project = ev.definitions.project
    source = project.source if project.period in (None, ev.period.code) else None
    return tuple(n for n in (note, f"{ctx.words.source}: {source}." if source else "") if n)


def _rebased_notes(ev: Evaluation, ctx: Context) -> list[str]:
    """"Số liệu năm 2024 của xã X được tính lại theo địa giới mới: cộng số liệu của xã A, xã
    B và 40% số liệu của xã C (chia theo dân số, nguồn: …).": one sentence per unit of the
    report whose figures compared with (last year's, a baseline's) are its predecessors',
    re-based on it (:mod:`tieuchi.engine.succession`)."""
    periods = rebased_periods(ev)
    if periods.is_empty():
        return []
    w = ctx.words
    links = succession_links(ev.definitions)
    notes = []
    for (unit,), rows in periods.group_by("unit", maintain_order=True):
        labels = [Period.parse(c).label(ctx.lang) for c in
                  sorted(rows.get_column("period").unique().to_list(), reverse=True)]
        before = links.filter(pl.col("successor") == unit).sort("position")
        wholes = [_name(c, ctx) for c in before.filter(pl.col("share") == 1)
                  .get_column("unit").to_list()]
        shares = [w.rebased_share.format(
            share=percent(r["share"] * 100, ctx.lang), name=_name(r["unit"], ctx),
            by=w.split_by.get(r["by"], r["by"]), source=r["source"])
            for r in before.filter(pl.col("share") < 1).iter_rows(named=True)]
        names = ", ".join(wholes) if shares else join_names(wholes, ctx.lang)
        parts = [w.rebased_whole.format(names=names)] if wholes else []
        parts += shares
        notes.append(w.rebased_note.format(
            periods=join_names(labels, ctx.lang), unit=_name(unit, ctx),
            parts=join_names(parts, ctx.lang)))
    return notes


def rebased_periods(ev: Evaluation) -> pl.DataFrame:
    """unit, period: the periods compared with whose figures of a unit of the report are
    carried to it from the units it succeeded (a target's baseline, the same period last
    year of a target or of a figure stated)."""
    targets = ev.targets
    last = targets.filter(pl.col("last_year_origin") == "carried")
    before = {c: Period.parse(c).same_period_last_year().code
              for c in last.get_column("period").unique().to_list()}
    last = last.select("unit", pl.col("period").replace_strict(before, return_dtype=pl.String))
    base = targets.filter(pl.col("baseline_origin") == "carried").select(
        "unit", pl.col("baseline").alias("period"))
    frames = [last, base]
    if "last_year_origin" in ev.figures.columns:
        frames.append(ev.figures.filter(pl.col("last_year_origin") == "carried").select(
            "unit", pl.lit(ev.period.same_period_last_year().code).alias("period")))
    return pl.concat([f.cast(pl.String) for f in frames]).unique(maintain_order=True)


def _name(code: str, ctx: Context) -> str:
    """A unit's name inside a sentence: "xã Ba Vì (cũ)" (its kind in lower case)."""
    name = ctx.unit_name(code)
    return lower_first(name) if ctx.lang == "vi" else name
def _unverified_sets(ev: Evaluation, ctx: Context,
                     outline: tuple[ReportSection, ...]) -> tuple[str, ...]:
    """A note naming the criteria sets whose results the report states (an item of the
    outline, or the unit's target on a count of units passing one) without their table,
    when some of their criteria were not read in the legal text: nothing unverified reads as
    official. A set with a table has the note under it (:func:`_unverified_note`)."""
    defs, unit = ev.definitions, ctx.unit
    counted = ev.targets.filter(pl.col("unit") == unit).get_column("indicator").unique()
    stated = {i.criteria_set for s in outline for i in s.items} | {
        defs.indicator_by_code[c].criteria_set for c in counted.to_list()
        if c in defs.indicator_by_code}
    rated = set(ev.sets.sets.get_column("set").to_list()) if ev.sets.sets.height else set()
    tabled = set(ev.sets.criteria.filter(pl.col("unit") == unit).get_column("set").to_list()
                 ) if ev.sets.criteria.height else set()
    names = [set_name(c, ctx.lang) for c in defs.criteria_sets
             if c.code in stated & rated - tabled and not c.fully_verified]
    if not names:
        return ()
    w = ctx.words
    template = w.unverified_sets_one if len(names) == 1 else w.unverified_sets_many
    sep = "; " if any("," in n for n in names) else ", "  # "Model …, 2021-2025; …"
    return (template.format(names=join_names(names, ctx.lang, sep)),)


def _data_note(ev: Evaluation, ctx: Context) -> str:
    """"Số liệu ước thực hiện đến …": the least final vintage of the figures reported (the
    targets', the criteria's and the figures stated without a target)."""
    empty = pl.Series([], dtype=pl.Int8)
    ranks = pl.concat([ev.targets.get_column("actual_vintage").cast(pl.Int8),
                       ev.sets.conditions.get_column("vintage_rank").cast(pl.Int8)
                       if ev.sets.conditions.height else empty,
                       ev.figures.get_column("actual_vintage").cast(pl.Int8)
                       if "actual_vintage" in ev.figures.columns else empty])
    ranks = ranks.drop_nulls()
    if not len(ranks):
        return ""
    vintage = ctx.words.vintage[VINTAGES[int(ranks.min())]]  # type: ignore[arg-type]
    date = long_date(ev.as_of, ctx.lang)
    if ev.as_of > ev.period.end:  # the figures of a period ended, as known on that date
        return ctx.words.data_note_past.format(vintage=vintage, date=date,
                                               period=ev.period.label(ctx.lang))
    return ctx.words.data_note.format(vintage=vintage, date=date)


def _sections(ctx: Context, outline: tuple[ReportSection, ...]) -> tuple[Section, ...]:
    """The outline's sections, numbered I, II, …; a section with nothing to say is left out."""
    sections: list[Section] = []
    for section in outline:
        title = ctx.ev.period.fill(
            (section.title_en if ctx.lang == "en" else None) or section.title, ctx.lang)
        texts = tuple(t for t in (RENDERERS[item_kind(i)](i, ctx) for i in section.items) if t)
        if texts:
            sections.append(Section(ctx.words.numerals[len(sections)], title, texts))
    return tuple(sections)


def _tables(ev: Evaluation, ctx: Context,
            outline: tuple[ReportSection, ...]) -> tuple[Table, ...]:
    """A table per group reported, and one per criteria set the report's unit is rated on."""
    tables: list[Table] = []
    groups = [i.group for s in outline for i in s.items if i.group]
    for code in groups:
        charts = sum(t.chart is not None for t in tables)
        table = _group_table(code, len(tables) + 1, charts + 1, ctx)
        if table is not None:
            tables.append(table)
    for cset in ev.definitions.criteria_sets:
        table = _criteria_table(cset.code, len(tables) + 1, ctx)
        if table is not None:
            tables.append(table)
    return tuple(tables)


def group_heads(basis: BasisWords, estimated: bool, w: Words) -> tuple[tuple[str, str], ...]:
    """The columns of a group's table, (key, head), the target's and its % named by the
    group's basis ("Dự toán", "% dự toán"): the report's and the workbook's."""
    c = w.columns
    return (("no", c["no"]), ("target", c["target"]), ("measure", c["measure"]),
            ("plan", basis.column_text), ("actual", c["estimate"] if estimated else c["actual"]),
            ("percent", basis.percent_column_text), ("change", c["change"]),
            ("status", c["status"]))


_ALIGN: dict[str, Align] = {"no": "right", "plan": "right", "actual": "right",
                            "percent": "right", "change": "right"}


def _group_columns(basis: BasisWords, estimated: bool, w: Words) -> tuple[Column, ...]:
    return tuple(Column(key, head, _ALIGN.get(key, "left"))
                 for key, head in group_heads(basis, estimated, w))


def _group_table(code: str, n: int, chart_n: int, ctx: Context) -> Table | None:
    """The group's table, numbered ``n``, with its chart, numbered ``chart_n``; none when
    the definitions do not hold the group (those of a unit kept in the store have its own
    groups only) or it has no target evaluated."""
    ev = ctx.ev
    group = ev.definitions.group_by_code.get(code)
    if group is None:
        return None
    members = ev.definitions.members.filter(pl.col("group") == code)
    rows = members.join(ev.targets, on="key").sort("position")
    figures = _member_figures(members.join(rows.select("key"), on="key", how="anti"), ctx)
    if not rows.height and not figures:
        return None
    name = group.title(ev.period, ctx.lang)
    listed = sorted([(int(str(r["position"])), True, r) for r in rows.iter_rows(named=True)]
                    + [(int(str(f["position"])), False, f) for f in figures], key=lambda x: x[0])
    estimated = any(r["actual_vintage"] == VINTAGES.index("estimate") for _, _, r in listed)
    cells = tuple(
        (str(i), full_name(r, ctx), unit_of_measure(r["indicator"], ctx),
         plan_text(r, ctx) if target else "", actual_text(r, ctx),
         share_text(r, ctx) if target else "", change_text(r, ctx),
         assessment_text(r, ctx) if target else "")
        for i, (_, target, r) in enumerate(listed, start=1))
    return Table(ctx.words.appendix.format(n=n, name=name),
                 _group_columns(ctx.basis(group.basis), estimated, ctx.words), cells,
                 chart=_group_chart(rows, chart_n, name, ctx.basis(group.basis), ctx))


def _member_figures(members: pl.DataFrame, ctx: Context) -> list[dict[str, object]]:
    """The figures of the period of a group's ``members`` that have no target of the period
    (the 2022 figures under the 2023 plan): rows of ``Evaluation.figures`` of each member's
    unit and indicator, with its position and name; none for a member without a figure."""
    found = members.join(ctx.ev.definitions.targets.select("key", "unit", "indicator", "name"),
                         on="key").join(ctx.ev.figures, on=["unit", "indicator"])
    out = []
    for r in found.iter_rows(named=True):
        ind = ctx.ev.definitions.indicator_by_code[r["indicator"]]
        out.append({**r, "display_name": r["name"] or ind.name, "short_name": ind.short_name})
    return out


def _group_chart(rows: pl.DataFrame, n: int, name: str, basis: BasisWords,
                 ctx: Context) -> Chart | None:
    """The bars of the targets whose % of the target the table gives (not a ceiling's: see
    :func:`~tieuchi.reports.text.share_text`); none under two bars."""
    w = ctx.words
    shown = [r for r in rows.iter_rows(named=True)
             if r["percent_of_target"] is not None and r["comparator"] != "at_most"]
    bars = tuple(Bar(_short_name(r, ctx), float(r["percent_of_target"]), share_text(r, ctx),
                     str(r["assessment"])) for r in shown)
    if len(bars) < 2:
        return None
    caption = w.chart.format(n=n, name=name, basis=basis.short_text)
    if any(is_paced(r) for r in shown):  # the legend in the words of the appendix
        return Chart(caption, bars, achieved=f"{w.pace['ahead']} / {w.pace['on_track']}",
                     not_met=w.pace["behind"])
    return Chart(caption, bars, achieved=f"{w.status['met']} / {w.status['exceeded']}",
                 not_met=w.status["not_met"])


def _short_name(row: dict[str, object], ctx: Context) -> str:
    """The name a sentence gives the target ("Thu cố định"), capitalised: a chart's label."""
    ind = ctx.ev.definitions.indicator_by_code[str(row["indicator"])]
    if ctx.lang == "en" and ind.name_en:
        return ind.name_en
    name = str(row["short_name"] or row["display_name"])
    return name[:1].upper() + name[1:]


def _criteria_table(code: str, n: int, ctx: Context) -> Table | None:
    ev, w = ctx.ev, ctx.words
    cset = ev.definitions.set_by_code[code]
    mine = (pl.col("unit") == ctx.unit) & (pl.col("set") == code)
    own = ev.sets.criteria.filter(mine).sort("position")
    if not own.height:
        return None
    conditions = ev.sets.conditions.filter(mine)
    rows = []
    numbers: dict[str, int] = {}
    for i, r in enumerate(own.iter_rows(named=True), start=1):
        numbers[r["criterion"]] = i
        conds = list(conditions.filter(pl.col("criterion") == r["criterion"])
                     .sort("condition").iter_rows(named=True))
        rows.append((str(i), str(r["criterion_name"]),
                     "; ".join(condition_value_text(x, ctx) for x in conds),
                     "; ".join(condition_threshold_text(x, ctx) for x in conds),
                     w.status[r["status"]]))  # the engine's: met, not met or no data
    c = w.columns
    columns = (Column("no", c["no"], "right"), Column("criterion", c["criterion"], "left"),
               Column("value", c["value"], "right"),
               Column("threshold", c["threshold"], "left"),
               Column("status", c["status"], "left"))
    title = w.appendix_criteria.format(n=n, name=full_set_name(cset, ctx.lang),
                                       unit=ctx.unit_name(ctx.unit))
    return Table(title, columns, tuple(rows), _unverified_note(cset, numbers, ctx))


def _unverified_note(cset: CriteriaSet, numbers: dict[str, int], ctx: Context) -> str | None:
    """The note under a set's table when some of its criteria were not read in the legal
    text (:meth:`~tieuchi.domain.criteria.CriteriaSet.unverified_criteria`): all of them,
    the set is illustrative; some, the rows (``numbers``: criterion → row) whose thresholds
    are. None when every criterion is verified."""
    unverified = cset.unverified_criteria()
    rows = [numbers[c.code] for c in unverified if c.code in numbers]
    if not unverified:
        return None
    if len(unverified) == len(cset.criteria) or not rows:
        return ctx.words.illustrative
    w = ctx.words
    return (w.unverified_one if len(rows) == 1 else w.unverified_many).format(
        term=cset.term, numbers=number_ranges(rows, ctx.lang))


# ---------------------------------------------------------------------- the narrative


def _narrated(sections: tuple[Section, ...], ctx: Context, narrative: Narrative,
              outline: tuple[ReportSection, ...]) -> tuple[Section, ...]:
    """The figures' sections with each target's cause after the paragraph that states the
    target, then the narrative's sections, numbered on (IV. Tồn tại, hạn chế, …); a section
    with no text is left out. A cause whose target no paragraph states goes in the
    *Nguyên nhân* section, after its text, led by the target's name. ``outline``: the
    unit's sections that ``sections`` were written from."""
    if not narrative:
        return sections
    causes = narrative.causes
    placed: set[str] = set()
    out = list(sections)
    if causes:
        for n, said in enumerate(_keys_stated(ctx, outline)):
            attached = tuple(_causes_of(keys, causes, placed, ctx) for keys in said)
            out[n] = replace(out[n], causes=attached) if any(attached) else out[n]
    w = ctx.words
    for code in SECTIONS:
        found = list(blocks(narrative.section(code)))
        if code == CAUSE:
            for key, text in causes.items():
                if key not in placed:
                    found += _led(_target_name(key, ctx), blocks(text))
        if not found:
            continue
        out.append(Section(w.numerals[len(out)], narrative_title(code, ctx), (),
                           blocks=tuple(found)))
    return tuple(out)


def narrative_title(code: str, ctx: Context) -> str:
    """The title of the narrative's section ``code``: "Phương hướng, nhiệm vụ năm 2024"."""
    return ctx.words.narrative[code].format(next=next_period_label(ctx.ev.period, ctx.lang))


def cause_lead(key: str, ctx: Context) -> str:
    """What leads the cause of target ``key``: "Nguyên nhân (Lệ phí trước bạ)"."""
    return ctx.words.cause.format(name=_target_name(key, ctx))


def _keys_stated(ctx: Context, outline: tuple[ReportSection, ...]) -> list[list[list[str]]]:
    """The target keys each paragraph of each section states, section by section as
    :func:`_sections` makes them (a section or an item with nothing to say has none): a
    group's members and highlights, a target."""
    members = ctx.ev.definitions.members
    out = []
    for section in outline:
        said = [i for i in section.items if RENDERERS[item_kind(i)](i, ctx)]
        if not said:
            continue
        keys: list[list[str]] = []
        for item in said:
            found: list[str] = []
            if item.group:
                found += members.filter(pl.col("group") == item.group
                                        ).get_column("key").to_list()
            for key in (*([item.target] if item.target else []), *item.highlight_keys):
                row = ctx.target(key, item.unit or ctx.unit)
                found += [str(row["key"])] if row else []
            keys.append(found)
        out.append(keys)
    return out


def _causes_of(keys: list[str], causes: dict[str, str], placed: set[str],
               ctx: Context) -> tuple[Cause, ...]:
    out = []
    for key in dict.fromkeys(keys):
        if key in causes and key not in placed:
            placed.add(key)
            out.append(Cause(cause_lead(key, ctx), blocks(causes[key])))
    return tuple(out)


def _target_name(key: str, ctx: Context) -> str:
    row = ctx.ev.target(key)
    return _short_name(row, ctx) if row is not None else key


def _led(lead: str, found: tuple[Block, ...]) -> list[Block]:
    """``found`` led by ``lead``: "lead: first paragraph", or "lead:" above a list."""
    if found and not found[0].item:
        return [Block(f"{lead}: {found[0].text}"), *found[1:]]
    return [Block(f"{lead}:"), *found]


def cause_blocks(cause: Cause) -> list[Block]:
    """A cause as the renderers write it: its lead, then its text."""
    return _led(cause.lead, cause.blocks)


def paragraphs_of(found: tuple[Block, ...] | list[Block]) -> list[str]:
    """Blocks as the paragraphs every view writes: a list item after "- "."""
    return [f"- {b.text}" if b.item else b.text for b in found]


def causes_after(section: Section, index: int) -> list[str]:
    """The paragraphs of the causes written after paragraph ``index`` (from 0) of
    ``section``."""
    if index >= len(section.causes):
        return []
    return [text for cause in section.causes[index] for text in paragraphs_of(cause_blocks(cause))]
