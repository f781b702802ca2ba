"""Consultation on draft reports ("lấy ý kiến dự thảo báo cáo"): a unit's drafts, a draft's
text by paragraph with its comments ("góp ý"), resolving them ("đã tiếp thu", "giải
trình"), new versions and their comparison, closing the consultation.

The text of a draft is the report (:func:`tieuchi.reports.text.render_markdown`) of the unit
for the period, made from the data when the draft or a version is saved; the rules of who may
do what are in :mod:`tieuchi.app.drafts`. Users of the units below the draft's unit read it
and comment without reading the unit's other pages: their page has no unit tabs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup, escape

from tieuchi.app import Action
from tieuchi.app import drafts as d
from tieuchi.domain.issuer import titled_name
from tieuchi.domain.periods import Period
from tieuchi.domain.problems import ProblemError
from tieuchi.domain.units import Unit
from tieuchi.engine import evaluate
from tieuchi.reports.consultation import CommentRow, Consultation, consultation_docx, excerpt
from tieuchi.reports.text import render_markdown
from tieuchi.store import Store, User
from tieuchi.web.app import lang_of, problem_text, render
from tieuchi.web.i18n import N_, named_text, translator
from tieuchi.web.pages.common import CurrentUser, local_time, page_router
from tieuchi.web.security import Needs, app_of, store_of
from tieuchi.web.views import open_unit

router = page_router()

__all__ = ["router", "DRAFT_STATES", "COMMENT_STATES", "KIND_NAMES", "DONE", "report_text",
           "paragraph_html"]

DRAFT_STATES = {"open": N_("Đang lấy ý kiến"), "closed": N_("Đã kết thúc lấy ý kiến")}
COMMENT_STATES = {"open": N_("Chưa xử lý"), "accepted": N_("Đã tiếp thu"),
                  "explained": N_("Giải trình")}
KIND_NAMES = {"changed": N_("Sửa"), "added": N_("Thêm"), "removed": N_("Bỏ")}
REPORT_LANGS = {"vi": N_("Tiếng Việt"), "en": N_("Tiếng Anh")}  # the languages of a report
DONE = {"created": N_("Đã lưu dự thảo (phiên bản 1)."), "version": N_("Đã lưu phiên bản %(n)s."),
        "comment": N_("Đã gửi góp ý."), "resolved": N_("Đã xử lý góp ý."),
        "closed": N_("Đã kết thúc lấy ý kiến.")}
"""What the page says after each step (``?done=``)."""

_SEPARATOR = re.compile(r"^\|(\s*:?-+:?\s*\|)+$")
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$", re.DOTALL)
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![*\w])\*(?!\s)(.+?)(?<!\s)\*(?![*\w])")
_NUM = ' class="num"'
_MARKER = re.compile(r"\*\*|(?<![*\w])\*(?=\S)|(?<=\S)\*(?![*\w])")


# ---------------------------------------------------------------------- helpers


def report_text(store: Store, unit: str, period: str, lang: str) -> str:
    """The unit's report for the period, from the data and the narrative as they are now."""
    definitions = store.units.definitions(unit)
    return render_markdown(evaluate(definitions, period, units=[unit]), lang, unit,
                           narrative=store.narratives.of(unit, Period.canonical(period)))


@contextmanager
def _found(lang: str) -> Iterator[None]:
    """A draft, version or comment that does not exist (a 404 in the catalogue) is raised
    for the error page; other refusals go on to the page that shows them."""
    try:
        yield
    except ProblemError as error:
        refused = error
        if refused.status == 404:
            raise refused from None
        raise


def _message(error: ProblemError, lang: str) -> str:
    text = problem_text(error, lang)
    return text[:1].upper() + text[1:]


def _status(error: ProblemError) -> int:
    """The catalogue's status of the refusal (409 for a closed draft or a stale version)."""
    return error.status


def _unit_name(unit: Unit, lang: str) -> str:
    """"Xã A" (the unit's kind before its name); its English name in English."""
    return named_text(titled_name(unit), unit.name_en, lang)


def _frame(request: Request, user: User, code: str, period: str | None) -> dict[str, Any]:
    """What every drafts page shows on top: the unit's header and tabs for users who read
    the unit, a plain heading for users of the units below it."""
    store = store_of(request)
    lang = lang_of(request)
    unit = store.units.get(code)
    if unit is None:
        raise HTTPException(404, translator(lang).gettext("Không có đơn vị %(code)s.")
                            % {"code": code})
    readable = app_of(request).may(user, Action.READ, code)
    view = open_unit(request, user, code, period) if readable else None
    home = store.units.get(user.unit) if user.unit and not readable else None
    return {"user": user, "view": view, "unit": unit, "unit_name": _unit_name(unit, lang),
            "home_name": _unit_name(home, lang) if home else "", "code": code,
            "tab": "drafts", "kind_names": KIND_NAMES, "report_langs": REPORT_LANGS}


def _draft_of(store: Store, code: str, draft_id: int, user: User,
              lang: str) -> tuple[d.Draft, d.Access]:
    with _found(lang):
        draft, access = d.get_draft(store, draft_id, user=user)
    if draft.unit != code:
        raise HTTPException(404, translator(lang).gettext(
            "Dự thảo số %(id)s không phải của đơn vị này.") % {"id": draft_id})
    return draft, access


def _draft_row(draft: d.Draft, lang: str) -> dict[str, Any]:
    return {"id": draft.id, "period": draft.period,
            "period_label": Period.parse(draft.period).label(lang),
            "title": draft.title, "versions": draft.versions, "state": draft.state,
            "state_text": translator(lang).gettext(DRAFT_STATES[draft.state]),
            "author": draft.created_by,
            "when": local_time(draft.created_at, lang), "comments": draft.comments,
            "open": draft.open_comments, "unit": draft.unit}


# ---------------------------------------------------------------------- Markdown → HTML


def _inline(text: str) -> str:
    html = str(escape(text))
    html = _BOLD.sub(r"<strong>\1</strong>", html)
    return _ITALIC.sub(r"<em>\1</em>", html)


def _is_table(paragraph: str) -> bool:
    return all(line.startswith("|") for line in paragraph.split("\n"))


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _table_html(lines: Sequence[tuple[str, str]]) -> Markup:
    """A Markdown table; each line is (kind, text), kind ``same``, ``added`` or ``removed``
    (rows of a comparison)."""
    separator = next((t for _, t in lines if _SEPARATOR.match(t)), "")
    right = [c.endswith(":") for c in _cells(separator)] if separator else []
    rows = [(kind, text) for kind, text in lines if not _SEPARATOR.match(text)]
    out = ['<div class="md-table"><table class="data">']
    for index, (kind, text) in enumerate(rows):
        tag = "th" if index == 0 else "td"
        cells = "".join(f"<{tag}{_NUM if i < len(right) and right[i] else ''}>"
                        f"{_inline(c)}</{tag}>" for i, c in enumerate(_cells(text)))
        marked = f' class="row-{kind}"' if kind != "same" else ""
        out.append(f"<tr{marked}>{cells}</tr>")
    out.append("</table></div>")
    return Markup("".join(out))


def paragraph_html(paragraph: str) -> Markup:
    """A paragraph of a report (a heading, a sentence, a table) as HTML: the text is
    escaped, then bold, italics and tables are drawn."""
    if _is_table(paragraph):
        return _table_html([("same", line) for line in paragraph.split("\n")])
    heading = _HEADING.match(paragraph)
    if heading:
        level = len(heading.group(1))
        return Markup(f'<div class="md-h md-h{level}">{_inline(heading.group(2))}</div>')
    lines = "<br>".join(_inline(line) for line in paragraph.split("\n"))
    return Markup(f"<p>{lines}</p>")


def _plain(paragraph: str) -> str:
    """A paragraph's words without Markdown's emphasis markers, to compare word by word."""
    heading = _HEADING.match(paragraph)
    return _MARKER.sub("", heading.group(2) if heading else paragraph)


def _change_html(old: str, new: str) -> Markup:
    if _is_table(old) and _is_table(new):
        lines = [(kind, line) for kind, text in d.inline_diff(old, new, by_line=True)
                 for line in text.split("\n")]
        return _table_html(lines)
    tags = {"same": "{}", "removed": "<del>{}</del>", "added": "<ins>{}</ins>"}
    words = "".join(tags[kind].format(escape(text))
                    for kind, text in d.inline_diff(_plain(old), _plain(new)))
    return Markup(f"<p>{words}</p>")


# ---------------------------------------------------------------------- the list


@router.get("/units/{code}/drafts", dependencies=[Needs(Action.READ_DRAFTS)])
def draft_list(request: Request, user: CurrentUser, code: str,
               period: str | None = None) -> HTMLResponse:
    """The unit's drafts with their state and open comments; the form that saves a new one;
    the open drafts of the units above."""
    return _list_page(request, user, code, period)


def _list_page(request: Request, user: User, code: str, period: str | None, *,
               status_code: int = 200, alert: str | None = None) -> HTMLResponse:
    store = store_of(request)
    lang = lang_of(request)
    with _found(lang):
        drafts, _ = d.drafts_of(store, code, user=user)
    frame = _frame(request, user, code, period)
    above = d.open_drafts_above(store, code, user=user)
    names = _unit_names(store, {x.unit for x in above}, lang)
    labels = {p: Period.parse(p).label(lang) for p in frame["view"].periods} \
        if frame["view"] is not None else {}
    return render(request, "drafts.html", status_code=status_code, alert=alert,
                  period_labels=labels,
                  rows=[_draft_row(x, lang) for x in drafts],
                  above=[_draft_row(x, lang) | {"unit_name": names[x.unit]} for x in above],
                  may_draft=app_of(request).may(user, Action.WRITE_DRAFT, code), **frame)


@router.post("/units/{code}/drafts", dependencies=[Needs(Action.WRITE_DRAFT)])
def save_draft(request: Request, user: CurrentUser, code: str,
               period: Annotated[str, Form()] = "", report_lang: Annotated[str, Form()] = "vi",
               draft: Annotated[int | None, Form()] = None) -> Response:
    """Save the report as a new draft ("Lưu dự thảo"), or as a new version of ``draft``."""
    if draft is not None:
        return _save_version(request, user, code, draft)
    store = store_of(request)
    lang = lang_of(request)
    with _found(lang):  # the route's Needs(WRITE_DRAFT) has checked the user may
        chosen = d.canonical_period(period or app_of(request).default_period())
    text_lang = report_lang if report_lang in REPORT_LANGS else "vi"
    try:
        made = d.create_draft(store, code, chosen, report_text(store, code, chosen, text_lang),
                              user=user, lang=text_lang)
    except ProblemError as error:
        return _list_page(request, user, code, chosen, status_code=_status(error),
                          alert=_message(error, lang))
    return RedirectResponse(f"/units/{code}/drafts/{made.id}?done=created", status_code=303)


def _save_version(request: Request, user: User, code: str, draft_id: int) -> Response:
    store = store_of(request)
    lang = lang_of(request)
    draft, _ = _draft_of(store, code, draft_id, user, lang)
    d.check_may_manage(store, draft_id, user)  # before the report is written
    try:
        version = d.add_version(store, draft_id, report_text(store, code, draft.period,
                                                             draft.lang), user=user)
    except ProblemError as error:
        return _draft_page(request, user, code, draft_id, None, status_code=_status(error),
                           alert=_message(error, lang))
    return RedirectResponse(f"/units/{code}/drafts/{draft_id}?version={version.number}"
                            "&done=version", status_code=303)


# ---------------------------------------------------------------------- one draft


@router.get("/units/{code}/drafts/{draft_id}", dependencies=[Needs(Action.READ_DRAFTS)])
def draft_page(request: Request, user: CurrentUser, code: str, draft_id: int,
               version: int | None = None, done: str | None = None) -> HTMLResponse:
    """The text of a version by paragraph, each with its comments and the forms to comment
    and to resolve."""
    return _draft_page(request, user, code, draft_id, version, done=done)


def _draft_page(request: Request, user: User, code: str, draft_id: int, number: int | None,
                *, status_code: int = 200, done: str | None = None,
                alert: str | None = None) -> HTMLResponse:
    context = _draft_context(request, user, code, draft_id, number)
    message = None
    if done in DONE:
        message = translator(lang_of(request)).gettext(DONE[done]) % {"n": context["shown"]}
    return render(request, "draft.html", status_code=status_code, message=message,
                  alert=alert, **context)


def _draft_context(request: Request, user: User, code: str, draft_id: int,
                   number: int | None) -> dict[str, Any]:
    store = store_of(request)
    lang = lang_of(request)
    draft, access = _draft_of(store, code, draft_id, user, lang)
    with _found(lang):
        versions = d.versions_of(store, draft_id, user=user)
        shown = d.get_version(store, draft_id, number, user=user)
        comments = d.comments_of(store, draft_id, user=user)
    latest = versions[-1].number
    names = _unit_names(store, {c.author_unit for c in comments if c.author_unit}, lang)
    mine = [c for c in comments if c.version == shown.number]
    paragraphs = [{"n": n, "html": paragraph_html(text), "table": _is_table(text),
                   "comments": [_comment(c, names, lang) for c in mine if c.paragraph == n]}
                  for n, text in enumerate(shown.paragraphs, start=1)]
    others: dict[int, int] = {}
    for c in comments:
        if c.version != shown.number:
            others[c.version] = others.get(c.version, 0) + 1
    frame = _frame(request, user, code, draft.period)
    return {
        **frame, "draft": _draft_row(draft, lang), "access": access, "shown": shown.number,
        "latest": latest, "paragraphs": paragraphs, "other_versions": sorted(others.items()),
        "versions": [{"n": v.number, "who": v.created_by, "when": local_time(v.created_at, lang)}
                     for v in versions],
        "version_info": {"who": shown.created_by, "when": local_time(shown.created_at, lang)},
        "can_comment": access.comment and draft.is_open and shown.number == latest,
        "closed": {"when": local_time(draft.closed_at, lang), "who": draft.closed_by,
                   "note": draft.closing_note} if draft.closed_at else None,
    }


def _unit_names(store: Store, codes: set[str], lang: str) -> dict[str, str]:
    names = {}
    for code in codes:
        unit = store.units.get(code)
        names[code] = _unit_name(unit, lang) if unit else code
    return names


def _comment(c: d.Comment, names: dict[str, str], lang: str) -> dict[str, Any]:
    _ = translator(lang).gettext
    return {"id": c.id, "author": c.author,
            "unit": names.get(c.author_unit or "", ""), "when": local_time(c.created_at, lang),
            "text": c.text, "state": c.state, "state_text": _(COMMENT_STATES[c.state]),
            "open": c.is_open, "note": c.note or "", "resolved_by": c.resolved_by or "",
            "resolved_when": local_time(c.resolved_at, lang) if c.resolved_at else ""}


def _after(request: Request, user: User, code: str, draft_id: int, version: int,
           paragraph: int, done: str, error: ProblemError | None = None) -> Response:
    """The answer to a comment or a resolution: the paragraph again for htmx, else the page
    (with the error) or a redirect to it (after success)."""
    lang = lang_of(request)
    status = _status(error) if error else 200
    alert = _message(error, lang) if error else None
    if request.headers.get("hx-request"):
        context = _draft_context(request, user, code, draft_id, version)
        found = [p for p in context["paragraphs"] if p["n"] == paragraph]
        if not found:
            raise HTTPException(404, translator(lang).gettext("Đoạn %(n)s") % {"n": paragraph})
        message = None if error else translator(lang).gettext(DONE[done])
        return render(request, "draft_paragraph.html", status_code=status, p=found[0],
                      p_alert=alert, p_message=message, **context)
    if error is not None:
        return _draft_page(request, user, code, draft_id, version, status_code=status,
                           alert=alert)
    return RedirectResponse(f"/units/{code}/drafts/{draft_id}?version={version}&done={done}"
                            f"#p-{paragraph}", status_code=303)


@router.post("/units/{code}/drafts/{draft_id}/comments", dependencies=[Needs(Action.READ_DRAFTS)])
def comment(request: Request, user: CurrentUser, code: str, draft_id: int,
            version: Annotated[int, Form()], paragraph: Annotated[int, Form()],
            text: Annotated[str, Form()] = "") -> Response:
    """Comment on a paragraph of the latest version ("góp ý")."""
    store = store_of(request)
    _draft_of(store, code, draft_id, user, lang_of(request))
    try:
        d.add_comment(store, draft_id, version, paragraph, text, user=user)
    except ProblemError as error:
        if _status(error) == 404:  # an unknown version
            raise error from None
        return _after(request, user, code, draft_id, version, paragraph, "comment", error)
    return _after(request, user, code, draft_id, version, paragraph, "comment")


@router.post("/units/{code}/drafts/{draft_id}/comments/{comment_id}/resolve",
             dependencies=[Needs(Action.READ_DRAFTS)])
def resolve(request: Request, user: CurrentUser, code: str, draft_id: int, comment_id: int,
            outcome: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "",
            version: Annotated[int | None, Form()] = None,
            paragraph: Annotated[int | None, Form()] = None) -> Response:
    """Resolve a comment: accepted ("đã tiếp thu") or explained ("giải trình")."""
    store = store_of(request)
    lang = lang_of(request)
    _draft_of(store, code, draft_id, user, lang)
    try:
        with _found(lang):
            done = d.resolve_comment(store, draft_id, comment_id, outcome, note, user=user)
    except ProblemError as error:
        if version is None or paragraph is None:
            return _draft_page(request, user, code, draft_id, version,
                               status_code=_status(error), alert=_message(error, lang))
        return _after(request, user, code, draft_id, version, paragraph, "resolved", error)
    return _after(request, user, code, draft_id, done.version, done.paragraph, "resolved")


@router.post("/units/{code}/drafts/{draft_id}/close", dependencies=[Needs(Action.READ_DRAFTS)])
def close(request: Request, user: CurrentUser, code: str, draft_id: int,
          note: Annotated[str, Form()] = "") -> Response:
    """End the consultation ("kết thúc lấy ý kiến")."""
    store = store_of(request)
    lang = lang_of(request)
    _draft_of(store, code, draft_id, user, lang)
    try:
        d.close_draft(store, draft_id, user=user, note=note)
    except ProblemError as error:
        return _draft_page(request, user, code, draft_id, None, status_code=_status(error),
                           alert=_message(error, lang))
    return RedirectResponse(f"/units/{code}/drafts/{draft_id}?done=closed", status_code=303)


# ---------------------------------------------------------------------- báo cáo tiếp thu


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@router.get("/units/{code}/drafts/{draft_id}/comments.docx",
            dependencies=[Needs(Action.READ_DRAFTS)])
def comments_docx(request: Request, user: CurrentUser, code: str, draft_id: int) -> Response:
    """The draft's comments and their resolution as a Word document ("báo cáo tiếp thu,
    giải trình"): each comment, who made it, on which paragraph, and how it was resolved."""
    store = store_of(request)
    lang = lang_of(request)
    _, pgettext = translator(lang).gettext, translator(lang).pgettext
    draft, _access = _draft_of(store, code, draft_id, user, lang)
    with _found(lang):
        versions = {v.number: v for v in d.versions_of(store, draft_id, user=user)}
        comments = d.comments_of(store, draft_id, user=user)
    names = _unit_names(store, {c.author_unit for c in comments if c.author_unit}, lang)
    rows = []
    for number, c in enumerate(sorted(comments, key=lambda c: (c.version, c.paragraph, c.id)),
                               start=1):
        paragraphs = versions[c.version].paragraphs if c.version in versions else ()
        text = paragraphs[c.paragraph - 1] if 0 < c.paragraph <= len(paragraphs) else ""
        unit = names.get(c.author_unit or "", "")
        rows.append(CommentRow(
            number=number,
            place=_("Đoạn %(n)s, phiên bản %(v)s") % {"n": c.paragraph, "v": c.version},
            excerpt=excerpt(text), text=c.text,
            by="\n".join(filter(None, [c.author, unit, local_time(c.created_at, lang)])),
            outcome=_(COMMENT_STATES[c.state]), resolution=c.note or "",
            resolved_by=f"{c.resolved_by}, {local_time(c.resolved_at, lang)}"
            if c.resolved_by and c.resolved_at else ""))
    counts = {state: sum(c.state == state for c in comments) for state in COMMENT_STATES}
    row = _draft_row(draft, lang)
    closing = None
    if draft.closed_at:
        closing = _("Đã kết thúc lấy ý kiến ngày %(when)s (%(who)s): không nhận thêm góp ý.") \
            % {"when": local_time(draft.closed_at, lang), "who": draft.closed_by}
        if draft.closing_note:
            closing += f" {draft.closing_note}"
    document = Consultation(
        title=_("BÁO CÁO TIẾP THU, GIẢI TRÌNH Ý KIẾN GÓP Ý"), subtitle=draft.title,
        lines=(" · ".join([_("Dự thảo số %(id)s") % {"id": draft.id}, row["period_label"],
                           _("Phiên bản %(n)s") % {"n": max(versions)}, row["state_text"]]),
               _("%(total)s góp ý: %(accepted)s đã tiếp thu, %(explained)s giải trình, "
                 "%(open)s chưa xử lý.") % {"total": len(comments), **counts}),
        headings=(_("STT"), _("Đoạn"), pgettext("column", "Nội dung góp ý"),
                  _("Người góp ý"), _("Tiếp thu / giải trình"),
                  _("Nội dung tiếp thu hoặc giải trình")),
        rows=tuple(rows), empty=_("Dự thảo chưa có góp ý nào."), closing=closing, lang=lang)
    name = f"tiep-thu-giai-trinh-du-thao-{draft.id}.docx"
    return Response(consultation_docx(document), media_type=DOCX,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


# ---------------------------------------------------------------------- comparison


@router.get("/units/{code}/drafts/{draft_id}/compare", dependencies=[Needs(Action.READ_DRAFTS)])
def compare(request: Request, user: CurrentUser, code: str, draft_id: int,
            a: int | None = None, b: int | None = None) -> HTMLResponse:
    """Two versions paragraph by paragraph: what was changed, added, removed; the runs of
    unchanged paragraphs folded."""
    store = store_of(request)
    lang = lang_of(request)
    draft, access = _draft_of(store, code, draft_id, user, lang)
    with _found(lang):
        versions = d.versions_of(store, draft_id, user=user)
        new = d.get_version(store, draft_id, b, user=user)
        old = d.get_version(store, draft_id, a if a is not None else max(new.number - 1, 1),
                            user=user)
    changes = d.compare(old.paragraphs, new.paragraphs)
    counts = {kind: sum(c.kind == kind for c in changes)
              for kind in ("changed", "added", "removed")}
    return render(request, "draft_compare.html", draft=_draft_row(draft, lang), access=access,
                  a=old.number, b=new.number, blocks=_blocks(changes), counts=counts,
                  versions=[v.number for v in versions], **_frame(request, user, code,
                                                                    draft.period))


def _blocks(changes: list[d.Change]) -> list[dict[str, Any]]:
    """The comparison as blocks: one per change, runs of unchanged paragraphs together."""
    blocks: list[dict[str, Any]] = []
    for change in changes:
        if change.kind == "same":
            item = {"new": change.new, "html": paragraph_html(change.new_text or "")}
            if blocks and blocks[-1]["kind"] == "same":
                blocks[-1]["items"].append(item)
            else:
                blocks.append({"kind": "same", "items": [item]})
            continue
        if change.kind == "changed":
            html = _change_html(change.old_text or "", change.new_text or "")
        else:
            html = paragraph_html(change.new_text or change.old_text or "")
        blocks.append({"kind": change.kind, "old": change.old, "new": change.new,
                       "html": html})
    return blocks
