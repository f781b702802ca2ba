"""A unit's report: read in the browser, each figure linked to where it comes from, and
downloaded as Markdown, DOCX, PDF or XLSX.

The page is the report document (:mod:`tieuchi.reports.document`): the same sentences and
tables as the DOCX. A figure of a sentence or of a table links to its trace
(``/units/{code}/trace``), shown beside the report (htmx) or as a page of its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

import polars as pl
from fastapi import Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup, escape

from tieuchi.app import Action
from tieuchi.domain.narrative import CAUSE, CAUSED, SECTIONS, Narrative, part_name
from tieuchi.domain.periods import Period
from tieuchi.domain.problems import ProblemError
from tieuchi.domain.project import ReportItem
from tieuchi.engine.evaluate import Evaluation
from tieuchi.reports.document import (
    ReportDocument,
    ReportError,
    build_document,
    cause_lead,
    causes_after,
    narrative_title,
    paragraphs_of,
    phrasebook,
    unit_sections,
)
from tieuchi.reports.formatting import measured
from tieuchi.reports.text import RENDERERS, Context, item_kind, sentence_name
from tieuchi.reports.trace import appendix_rows, trace
from tieuchi.store import User
from tieuchi.web.app import lang_of, render
from tieuchi.web.i18n import LANGS, N_, named, named_text, translator
from tieuchi.web.pages.common import CurrentUser, local_time, page_router
from tieuchi.web.security import Needs, app_of
from tieuchi.web.views import UnitView, open_unit, refused

router = page_router()

DOWNLOADS = ("docx", "pdf", "xlsx", "md")
MEDIA_TYPES = {
    "md": "text/markdown; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_SAFE = re.compile(r"[^A-Za-z0-9-]+")
_STEMS = {"vi": "bao-cao", "en": "report"}  # a file's name, in ASCII: not a message


# ------------------------------------------------------------------------ routes


@router.get("/units/{code}/report", dependencies=[Needs(Action.READ)])
def report_page(request: Request, user: CurrentUser, code: str,
                period: str | None = None) -> HTMLResponse:
    return _report(request, user, open_unit(request, user, code, period))


def _report(request: Request, user: User, view: UnitView, status_code: int = 200,
            alert: str | None = None) -> HTMLResponse:
    """The report page of ``view``'s unit and period, with the narrative's forms for who
    may write it."""
    narrative = app_of(request).narrative(view.code, view.period.code)
    try:
        doc = build_document(view.full_ev, view.lang, view.code, narrative=narrative)
    except ReportError as exc:
        raise HTTPException(422, str(exc)) from None
    links = _Links(view)
    forms = (_narrative_forms(view, narrative)
             if app_of(request).may(user, Action.WRITE_NARRATIVE, view.code) else [])
    return render(request, "report.html", status_code=status_code, user=user, view=view,
                  tab="report", doc=doc, sections=_sections(doc, links),
                  tables=_tables(doc, links), downloads=_downloads(view), forms=forms,
                  alert=alert)


@router.post("/units/{code}/narrative", dependencies=[Needs(Action.WRITE_NARRATIVE)])
def write_narrative(request: Request, user: CurrentUser, code: str,
                    period: Annotated[str, Form()] = "", part: Annotated[str, Form()] = "",
                    narrative: Annotated[str, Form()] = "") -> Response:
    """Save one part of the unit's report narrative for the period (a section, or a
    target's cause); the report shows it at once."""
    view = open_unit(request, user, code, period or None)
    try:
        app_of(request).write_narrative(user, code, view.period.code, {part: narrative})
    except ProblemError as error:
        if error.status in (401, 403, 404):
            raise
        return _report(request, user, view, status_code=error.status,
                       alert=error.message(view.lang))
    query = urlencode({"period": view.period.code})
    return RedirectResponse(f"/units/{code}/report?{query}#narrative", status_code=303)


def _narrative_forms(view: UnitView, narrative: Narrative) -> list[dict[str, str]]:
    """A form per section of the narrative, and one per target of the unit assessed not met
    or behind its pace (the engine's ``assessment``: an open target on pace is neither), or
    with a cause written: its part, its title and the text the report states."""
    ctx = Context(view.full_ev, phrasebook(view.definitions, view.lang), view.code)
    forms = [{"part": code, "title": narrative_title(code, ctx),
              "text": narrative.section(code)} for code in SECTIONS]
    causes = narrative.causes
    rows = view.full_ev.targets.filter(
        (pl.col("unit") == view.code)
        & (pl.col("assessment").is_in(CAUSED)
           | pl.col("key").is_in(list(causes))))
    for key in rows.get_column("key").to_list():
        forms.append({"part": part_name((CAUSE, key)), "title": cause_lead(key, ctx),
                      "text": causes.get(key, "")})
    return forms


@router.get("/units/{code}/trace", dependencies=[Needs(Action.READ)])
def trace_page(request: Request, user: CurrentUser, code: str, indicator: str,
               period: str | None = None, of: str | None = None) -> HTMLResponse:
    """Where the unit's figure of ``indicator`` comes from: for the period (or ``of``, the
    longer period of a target), and, for a target compared with last year, that figure's
    too. A fragment for htmx, else a page."""
    view = open_unit(request, user, code, period)
    if indicator not in view.definitions.indicator_by_code:
        raise refused("not-found", N_("Không có chỉ tiêu “%(indicator)s”."),
                      indicator=indicator)
    figure_period = _figure_period(view, of)
    blocks = [_trace_block(view, indicator, figure_period, None)]
    target = _target(view.full_ev, code, indicator, figure_period)
    if target is not None and target["last_year"] is not None:
        previous = Period.parse(figure_period).same_period_last_year().code
        blocks.append(_trace_block(view, indicator, previous,
                                   translator(view.lang).gettext("Cùng kỳ năm trước")))
    fragment = request.headers.get("HX-Request") == "true"
    return render(request, "report_trace.html" if fragment else "report_trace_page.html",
                  user=user, view=view, tab="report", blocks=blocks,
                  name=_indicator_name(view, indicator),
                  name_text=_indicator_name(view, indicator, text=True))


@router.get("/units/{code}/report.{ext}", dependencies=[Needs(Action.READ)])
def download(request: Request, user: CurrentUser, code: str, ext: str,
             period: str | None = None, lang: str | None = None) -> Response:
    """The report as a file: ``ext`` is md, docx, pdf or xlsx; ``lang`` vi or en."""
    if ext not in MEDIA_TYPES:
        raise refused("not-found", N_("Không có báo cáo dạng “.%(ext)s”: chọn một trong "
                                      "%(choices)s."), ext=ext, choices=", ".join(DOWNLOADS))
    view = open_unit(request, user, code, period)
    language = lang or lang_of(request)
    if language not in LANGS:
        raise refused("invalid-request", N_("Ngôn ngữ “%(lang)s” không có: chọn vi hoặc "
                                            "en."), lang=language)
    narrative = app_of(request).narrative(code, view.period.code)
    try:
        content = _RENDER[ext](view.full_ev, language, code, narrative)
    except ReportError as exc:
        raise HTTPException(503 if ext == "pdf" else 422, str(exc)) from None
    name = file_name(view.period.code, code, ext, language)
    return Response(content, media_type=MEDIA_TYPES[ext],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def file_name(period: str, unit: str, ext: str, lang: str = "vi") -> str:
    """"bao-cao-2023-TT.docx" (ASCII only: every browser and mail client keeps it)."""
    stem = _STEMS.get(lang, _STEMS["vi"])
    parts = [_SAFE.sub("-", p).strip("-") for p in (period, unit)]
    return f"{stem}-{'-'.join(p for p in parts if p)}.{ext}"


def _markdown(ev: Evaluation, lang: str, unit: str, narrative: Narrative) -> bytes:
    from tieuchi.reports.text import render_markdown

    return render_markdown(ev, lang, unit, narrative=narrative).encode("utf-8")


def _docx(ev: Evaluation, lang: str, unit: str, narrative: Narrative) -> bytes:
    from tieuchi.reports.docx import render_docx

    return render_docx(ev, lang, unit, narrative=narrative)


def _pdf(ev: Evaluation, lang: str, unit: str, narrative: Narrative) -> bytes:
    from tieuchi.reports.docx import render_docx
    from tieuchi.reports.pdf import to_pdf

    return to_pdf(render_docx(ev, lang, unit, narrative=narrative))


def _xlsx(ev: Evaluation, lang: str, unit: str, narrative: Narrative) -> bytes:
    from tieuchi.reports.xlsx import render_xlsx

    return render_xlsx(ev, lang, unit)  # the appendix tables: no narrative


_RENDER: dict[str, Callable[[Evaluation, str, str, Narrative], bytes]] = {
    "md": _markdown, "docx": _docx, "pdf": _pdf, "xlsx": _xlsx}


def _downloads(view: UnitView) -> list[dict[str, str]]:
    query = urlencode({"period": view.period.code, "lang": view.lang})
    labels = {"docx": "Word (DOCX)", "pdf": "PDF", "xlsx": "Excel (XLSX)", "md": "Markdown"}
    return [{"ext": ext, "label": labels[ext],
             "href": f"/units/{view.code}/report.{ext}?{query}"} for ext in DOWNLOADS]


# ------------------------------------------------------------------------ links


@dataclass
class _Links:
    """Where each figure of the report links: a trace, or an appendix table."""

    view: UnitView
    layout: pl.DataFrame = field(init=False)

    def __post_init__(self) -> None:
        self.layout = appendix_rows(self.view.full_ev, self.view.code)

    def trace(self, indicator: str, period: str | None = None, unit: str | None = None) -> str:
        """The trace of a figure of the report's unit (or of ``unit``): of the period, or
        of a target's longer period."""
        query = {"indicator": indicator, "period": self.view.period.code}
        if period and period != self.view.period.code:
            query["of"] = period
        return f"/units/{unit or self.view.code}/trace?{urlencode(query)}"

    def table(self, kind: str, code: str) -> str | None:
        """The anchor of the appendix table of a group or a set."""
        found = self.layout.filter((pl.col("kind") == kind) & (pl.col("code") == code))
        return f"#bieu-{found['table'][0]}" if found.height else None

    def row(self, table: int, row: int) -> dict[str, Any] | None:
        """The figure of a row of an appendix table (a set's: its first indicator)."""
        found = self.layout.filter((pl.col("table") == table) & (pl.col("row") == row)
                                   & pl.col("indicator").is_not_null())
        return found.row(0, named=True) if found.height else None


class _Marker:
    """Wraps figures found in a text in links, each once, left to right where it can."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.spans: list[tuple[int, int, str]] = []

    def link(self, figure: str, href: str | None, after: int = 0) -> int:
        """Link the first free occurrence of ``figure`` at or after ``after`` (else
        anywhere); the position after it, or ``after`` when not found."""
        if not figure or not href:
            return after
        pattern = re.compile(r"(?<![\d.,])" + re.escape(figure) + r"(?![\d])(?!,\d)")
        for start in (after, 0):
            for found in pattern.finditer(self.text, start):
                if not any(s < found.end() and found.start() < e for s, e, _ in self.spans):
                    self.spans.append((found.start(), found.end(), href))
                    return found.end()
        return after

    def find(self, words: str) -> int:
        at = self.text.lower().find(words.lower()) if words else -1
        return at if at >= 0 else 0

    def markup(self) -> Markup:
        out, last = [], 0
        for start, end, href in sorted(self.spans):
            out.append(escape(self.text[last:start]))
            out.append(Markup('<a class="fig" href="{0}" hx-get="{0}" hx-target="#trace" '
                              'hx-swap="innerHTML">{1}</a>').format(href,
                                                                   self.text[start:end]))
            last = end
        out.append(escape(self.text[last:]))
        return Markup("").join(out)


def _sections(doc: ReportDocument, links: _Links) -> list[dict[str, Any]]:
    """The document's sections, each paragraph with its figures linked. A paragraph is
    matched to the outline item that wrote it (the items that wrote nothing are left out,
    as the document leaves them)."""
    view = links.view
    ctx = Context(view.full_ev, phrasebook(view.definitions, view.lang), view.code)
    outline = [[i for i in s.items if RENDERERS[item_kind(i)](i, ctx)]
               for s in unit_sections(view.full_ev, view.code, ctx.words)]
    outline = [items for items in outline if items]
    out = []
    for position, section in enumerate(doc.sections):
        items = outline[position] if position < len(outline) else []
        if len(items) != len(section.paragraphs):
            items = []  # the outline and the document disagree: no links, never wrong ones
        paragraphs = [_paragraph(text, items[i] if items else None, ctx, links)
                      for i, text in enumerate(section.paragraphs)]
        out.append({"numeral": section.numeral, "title": section.title,
                    "paragraphs": paragraphs, "narrative": bool(section.blocks),
                    "causes": [causes_after(section, i) for i in range(len(paragraphs))],
                    "blocks": paragraphs_of(section.blocks)})
    return out


def _paragraph(text: str, item: ReportItem | None, ctx: Context, links: _Links) -> Markup:
    marker = _Marker(text)
    if item is not None:
        for mark in _ITEM_LINKS[item_kind(item)]:
            mark(marker, item, ctx, links)
    return marker.markup()


def _target_figures(marker: _Marker, row: dict[str, Any], ctx: Context,
                    links: _Links) -> None:
    """A target's actual, % of target and change, after its name."""
    name = sentence_name(row, ctx)
    href = links.trace(row["indicator"], row["period"], row["unit"])
    at = marker.find(name)
    if row["actual"] is not None and row["type"] != "yesno":
        at = marker.link(ctx.value(row["actual"], row), href, at)
    change = row["change_vs_same_period"]
    if change is not None and row["change_kind"] == "percent":
        at = marker.link(ctx.pct(abs(change), row), href, at)
    if row["percent_of_target"] is not None:
        marker.link(ctx.pct(row["percent_of_target"], row), href, at)


def _group_links(marker: _Marker, item: ReportItem, ctx: Context, links: _Links) -> None:
    assert item.group is not None
    found = ctx.ev.groups.filter(pl.col("group") == item.group)
    if not found.height:
        return
    g = found.row(0, named=True)
    at = marker.link(f"{g['exceeded'] + g['met']}/{g['total']}", links.table("group", item.group))
    if g["partial"]:
        marker.link(f"{g['ahead'] + g['on_track']}/{g['total']}",
                    links.table("group", item.group))
    members = ctx.ev.definitions.members.filter(pl.col("group") == item.group)
    short = ctx.ev.targets.join(members.select("key", "position"), on="key").filter(
        pl.col("status") == "not_met").sort("position")
    for row in short.iter_rows(named=True):  # "(92,1%)" after each target not met
        if row["percent_of_target"] is not None:
            at = marker.link(ctx.pct(row["percent_of_target"], row),
                             links.trace(row["indicator"], row["period"], row["unit"]), at)
    for key in item.highlight_keys:
        highlight = ctx.target(key, item.unit or ctx.unit)
        if highlight is not None:
            _target_figures(marker, highlight, ctx, links)


def _target_links(marker: _Marker, item: ReportItem, ctx: Context, links: _Links) -> None:
    assert item.target is not None
    row = ctx.target(item.target, item.unit or ctx.unit)
    if row is not None:
        _target_figures(marker, row, ctx, links)


def _set_links(marker: _Marker, item: ReportItem, ctx: Context, links: _Links) -> None:
    """"30/34" to the set's table; "15/15" (units passing) to the count's trace."""
    assert item.criteria_set is not None
    code, unit = item.criteria_set, item.unit or ctx.unit
    sets = ctx.ev.sets
    own = sets.sets.filter((pl.col("unit") == unit) & (pl.col("set") == code))
    if own.height:
        r = own.row(0, named=True)
        href = links.table("criteria", code) or f"/units/{unit}/criteria/{code}"
        marker.link(f"{r['met']}/{r['total']}", href)
        return
    summary = sets.summaries.filter((pl.col("unit") == unit) & (pl.col("set") == code))
    if not summary.height:
        return
    s = summary.row(0, named=True)
    counts = [i.code for i in ctx.ev.definitions.indicators if i.criteria_set == code]
    rows = [ctx.target(key, unit) for key in item.highlight_keys]
    chosen = [r["indicator"] for r in rows if r is not None and r["indicator"] in counts]
    href = (links.trace((chosen or counts)[0], unit=unit) if counts
            else f"/units/{unit}/criteria/{code}")
    marker.link(f"{s['passed']}/{s['total']}", href)


_ITEM_LINKS: dict[str, tuple[Callable[[_Marker, ReportItem, Context, _Links], None], ...]] = {
    "group": (_group_links,),
    "target": (_target_links,),
    "criteria_set": (_set_links,),
    "indicator": (),
}


def _tables(doc: ReportDocument, links: _Links) -> list[dict[str, Any]]:
    """The appendix tables, the figure cells of each row linked to the row's trace."""
    linked = {"actual", "percent", "change", "value"}
    out = []
    for n, table in enumerate(doc.tables, start=1):
        rows = []
        for i, row in enumerate(table.rows, start=1):
            figure = links.row(n, i)
            href = links.trace(figure["indicator"], figure["period"]) if figure else None
            cells = []
            for column, value in zip(table.columns, row, strict=True):
                link = href if column.key in linked and value not in ("", "–") else None
                cells.append({"value": value, "align": column.align, "href": link})
            rows.append(cells)
        out.append({"n": n, "title": table.title, "columns": table.columns, "rows": rows,
                    "note": table.note})
    return out


# ------------------------------------------------------------------------ traces


def _figure_period(view: UnitView, of: str | None) -> str:
    if not of:
        return view.period.code
    try:
        return Period.parse(of).code
    except ValueError as exc:
        raise refused("invalid-request", N_("Kỳ “%(period)s” viết chưa đúng."),
                      period=of) from exc


def _target(ev: Evaluation, unit: str, indicator: str, period: str) -> dict[str, Any] | None:
    found = ev.targets.filter((pl.col("unit") == unit) & (pl.col("indicator") == indicator)
                              & (pl.col("period") == period))
    return found.row(0, named=True) if found.height else None


def _indicator_name(view: UnitView, code: str, text: bool = False) -> Any:
    """An indicator's (or a set's) name in the page's language (plain ``text`` for a
    title)."""
    show = named_text if text else named
    ind = view.definitions.indicator_by_code.get(code)
    if ind is not None:
        return show(ind.name, ind.name_en, view.lang)
    cset = view.definitions.set_by_code.get(code)
    return show(cset.name, cset.name_en, view.lang) if cset is not None else code


def _in(row: dict[str, Any], key: str, lang: str) -> str:
    """A trace row's wording in ``lang`` (``step_en``), else its Vietnamese (``step``)."""
    return str(row.get(f"{key}_{lang}") or row.get(key) or "")


def _recorded(at: str | None, lang: str) -> str:
    """When a figure was recorded, as people write a time ("07/12/2026 08:57")."""
    if not at:
        return ""
    try:
        return local_time(datetime.fromisoformat(at), lang)
    except ValueError:
        return at


def _period_label(code: str | None, lang: str) -> str:
    try:
        return Period.parse(code or "").label(lang)
    except ValueError:
        return code or ""


def _trace_block(view: UnitView, indicator: str, period: str,
                 heading: str | None) -> dict[str, Any]:
    """One figure's trace, worded for the page: each figure with its unit of measure at
    its indicator's decimals, periods and times as people write them, sources by name."""
    rows = trace(view.full_ev, view.code, indicator, period)
    lang = view.lang
    _ = translator(lang).gettext
    first = rows[0] if rows else {}
    indicators = view.definitions.indicator_by_code
    lines = []
    for row in rows:
        if row["kind"] == "missing" and row["depth"] == 0:
            continue
        value = row["value"]
        shown = (_("Đạt") if value else _("Chưa đạt")) if row["kind"] == "set-result" \
            else measured(value, indicators.get(row["indicator"]), lang)
        note = _in(row, "step", lang)
        own = row["unit"] == view.code
        link = (f"/units/{row['unit']}/criteria/{row['indicator']}?period={view.period.code}"
                if row["kind"] == "set-result" else None)
        lines.append({
            "unit": "" if own else view.name(row["unit"])
            if row["unit"] in view.definitions.unit_by_code else row["unit"], "link": link,
            "indicator": _indicator_name(view, row["indicator"]),
            "period": _period_label(row["period"], lang), "period_code": row["period"],
            "vintage": view.ctx.words.vintage.get(row["vintage"] or "", ""),
            "value": shown,
            "source": view.source_text(row["source"], row["indicator"]) if row["source"]
            else "",
            "recorded": _recorded(row["recorded_at"], lang),
            "note": note if row["used"] else _("không dùng: đã có bản mới hơn"),
            "figure_note": row.get("note") or "",
            "used": row["used"], "depth": row["depth"], "kind": row["kind"],
        })
    return {"heading": heading, "period": Period.parse(period).label(lang),
            "value": measured(first.get("figure_value"), indicators.get(indicator), lang),
            "rule": _in(first, "rule", lang), "lines": lines}
