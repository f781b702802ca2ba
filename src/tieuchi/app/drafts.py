"""Consultation on draft reports ("lấy ý kiến dự thảo báo cáo").

An officer saves a unit's generated report for a period as a draft: its Markdown text, split
into numbered paragraphs, is version 1. Users who may read the draft comment ("góp ý") on a
paragraph of the latest version; the author (or an officer or administrator of the unit)
resolves each comment with a note: accepted ("đã tiếp thu") or explained ("giải trình"). After
the figures change, the author saves a new version; two versions are compared paragraph by
paragraph. Closing the draft ("kết thúc lấy ý kiến") ends the consultation: no new comment
nor version; open comments can still be resolved.

Who may do what (see ``docs/drafts.md``):

- **read and comment**: the draft's unit is in the user's scope (any role), or the user's
  unit lies below the draft's unit (a commune's users comment on their district's draft);
- **save a draft**: an officer or an administrator whose scope includes the unit;
- **save a version, resolve, close**: those, and the draft's author while they may read it.

Every action is written to the audit log (entity ``draft``, key ``{id}``, ``{id}|v{n}`` or
``{id}|c{comment}``) in the transaction that makes it. The text comes from the caller
(``tieuchi.reports``): the store does not write reports.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tieuchi.app.policy import Action, Resource, allowed, refusal
from tieuchi.domain.periods import Period
from tieuchi.store.access import User
from tieuchi.store.repository import EntryProblem, Refused, Store, StoreError, now
from tieuchi.store.tables import DraftCommentRow, DraftRow, DraftVersionRow

__all__ = [
    "Draft", "Version", "Comment", "Access", "Change", "OPEN", "CLOSED", "ACCEPTED",
    "EXPLAINED", "OUTCOMES", "MAX_COMMENT", "split_paragraphs", "compare", "inline_diff",
    "check_may_manage", "create_draft", "add_version", "drafts_of",
    "open_drafts_above", "get_draft", "get_version", "versions_of", "comments_of", "add_comment",
    "resolve_comment", "close_draft", "canonical_period",
]

OPEN, CLOSED = "open", "closed"
ACCEPTED, EXPLAINED = "accepted", "explained"
OUTCOMES = (ACCEPTED, EXPLAINED)
MAX_COMMENT = 4000
ENTITY = "draft"
VIETNAM = timezone(timedelta(hours=7), "ICT")

_BLANK_LINE = re.compile(r"\n[ \t]*\n+")
_TOKEN = re.compile(r"\s+|[^\s]+")


# ---------------------------------------------------------------------- records


@dataclass(frozen=True)
class Draft:
    id: int
    unit: str
    period: str
    lang: str
    title: str
    state: str
    created_at: datetime
    created_by: str
    closed_at: datetime | None
    closed_by: str | None
    closing_note: str | None
    versions: int = 0
    comments: int = 0
    open_comments: int = 0

    @property
    def is_open(self) -> bool:
        return self.state == OPEN


@dataclass(frozen=True)
class Version:
    draft_id: int
    number: int
    paragraphs: tuple[str, ...]
    created_at: datetime
    created_by: str


@dataclass(frozen=True)
class Comment:
    id: int
    draft_id: int
    version: int
    paragraph: int
    text: str
    author: str
    author_unit: str | None
    created_at: datetime
    state: str  # open, accepted, explained
    note: str | None
    resolved_by: str | None
    resolved_at: datetime | None

    @property
    def is_open(self) -> bool:
        return self.state == OPEN


@dataclass(frozen=True)
class Access:
    """What a user may do with the drafts of a unit."""

    read: bool
    comment: bool
    manage: bool


@dataclass(frozen=True)
class Change:
    """One paragraph in the comparison of two versions: the same, added, removed or changed;
    ``old`` and ``new`` are its numbers in each version."""

    kind: str
    old: int | None
    new: int | None
    old_text: str | None
    new_text: str | None


# ---------------------------------------------------------------------- text


def split_paragraphs(markdown: str) -> list[str]:
    """The text's paragraphs: blocks between blank lines (a heading, a numbered sentence, a
    whole table), in Unicode NFC."""
    text = unicodedata.normalize("NFC", markdown.replace("\r\n", "\n")).strip()
    return [block.strip("\n") for block in _BLANK_LINE.split(text) if block.strip()]


def _title(paragraphs: Sequence[str], period: str) -> str:
    for paragraph in paragraphs:
        if paragraph.startswith("# "):
            return paragraph[2:].strip()[:300]
    return f"Báo cáo {period}"


def compare(old: Sequence[str], new: Sequence[str]) -> list[Change]:
    """The paragraphs of two versions aligned (``difflib``): equal ones are the same, a
    replaced run is paired position by position, what is left over is removed or added."""
    changes: list[Change] = []
    matcher = difflib.SequenceMatcher(a=list(old), b=list(new), autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            changes += [Change("same", i + 1, j + 1, old[i], new[j])
                        for i, j in zip(range(i1, i2), range(j1, j2), strict=True)]
            continue
        paired = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        changes += [Change("changed", i1 + k + 1, j1 + k + 1, old[i1 + k], new[j1 + k])
                    for k in range(paired)]
        changes += [Change("removed", i + 1, None, old[i], None)
                    for i in range(i1 + paired, i2)]
        changes += [Change("added", None, j + 1, None, new[j]) for j in range(j1 + paired, j2)]
    return changes


def inline_diff(old: str, new: str, *, by_line: bool = False) -> list[tuple[str, str]]:
    """(kind, text) pieces of a changed paragraph: ``same``, ``removed``, ``added``; word by
    word, or line by line (``by_line``, for tables: a row is a line)."""
    a = old.split("\n") if by_line else _TOKEN.findall(old)
    b = new.split("\n") if by_line else _TOKEN.findall(new)
    pieces: list[tuple[str, str]] = []
    joiner = "\n" if by_line else ""
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pieces.append(("same", joiner.join(a[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(("removed", joiner.join(a[i1:i2])))
        if j2 > j1:
            pieces.append(("added", joiner.join(b[j1:j2])))
    return pieces


# ---------------------------------------------------------------------- problems


def _error(code: str, field: str, en: str, vi: str) -> StoreError:
    return StoreError([EntryProblem(None, field, code, en, vi)])


def _day(at: datetime) -> str:
    """The date in Việt Nam (UTC+7 all year)."""
    return _aware(at).astimezone(VIETNAM).strftime("%d/%m/%Y")


def canonical_period(period: str) -> str:
    """The period's code ("2023-q3" → "2023-Q3"); :class:`StoreError` when it is none."""
    try:
        return Period.parse(period).code
    except ValueError:
        raise _error("invalid-period", "period", f"'{period}' is not a period (2023, 2023-Q3)",
                     f"'{period}' không phải kỳ báo cáo hợp lệ (ví dụ 2023, 2023-Q3)") from None


def _closed_error(row: DraftRow) -> StoreError:
    when = _day(row.closed_at) if row.closed_at else ""
    return _error(
        "draft-closed", "draft",
        f"the consultation on draft no. {row.id} ended on {when}: it takes no more comments "
        "or versions; save a new draft to consult again",
        f"Dự thảo số {row.id} đã kết thúc lấy ý kiến ngày {when}: không nhận thêm góp ý, "
        "không lưu thêm phiên bản; muốn lấy ý kiến lại thì lưu dự thảo mới.")


# ---------------------------------------------------------------------- rights


def _rights(store: Store, s: Session, user: User, unit: str,
            author: str | None = None) -> tuple[Access, list[str]]:
    """The user's rights on the drafts of ``unit`` (the policy's), and the unit's path;
    :class:`StoreError` when the unit does not exist."""
    path = store.path_in(s, unit)
    if not path:
        raise _error("unknown-unit", "unit", f"unit '{unit}' does not exist",
                     f"đơn vị '{unit}' không có trong danh mục")
    resource = Resource.unit(path, author)
    read = allowed(user, Action.READ_DRAFTS, resource)
    return Access(read=read, comment=read,
                  manage=allowed(user, Action.MANAGE_DRAFT, resource)), path


def _may_draft(user: User, path: Sequence[str]) -> bool:
    return allowed(user, Action.WRITE_DRAFT, Resource.unit(path))


def _refuse_read(unit: str) -> Refused:
    return Refused(*refusal(Action.READ_DRAFTS, unit))


def _refuse_manage(unit: str) -> Refused:
    return Refused(*refusal(Action.MANAGE_DRAFT, unit))


def _refuse_draft(unit: str) -> Refused:
    return Refused(*refusal(Action.WRITE_DRAFT, unit))


def check_may_manage(store: Store, draft_id: int, user: User) -> None:
    """:class:`Refused` unless the user may save a version of the draft, resolve its
    comments and close it."""
    with store.session() as s:
        _managed(store, s, user, draft_id)


def _draft_row(s: Session, draft_id: int) -> DraftRow:
    row = s.get(DraftRow, draft_id)
    if row is None:
        raise _error("unknown-draft", "draft", f"draft no. {draft_id} does not exist",
                     f"không có dự thảo số {draft_id}")
    return row


def _readable(store: Store, s: Session, user: User, draft_id: int) -> tuple[DraftRow, Access]:
    row = _draft_row(s, draft_id)
    access, _ = _rights(store, s, user, row.unit, row.created_by)
    if not access.read:
        raise _refuse_read(row.unit)
    return row, access


def _managed(store: Store, s: Session, user: User, draft_id: int) -> DraftRow:
    row, access = _readable(store, s, user, draft_id)
    if not access.manage:
        raise _refuse_manage(row.unit)
    return row


# ---------------------------------------------------------------------- drafts and versions


def create_draft(store: Store, unit: str, period: str, markdown: str, *, user: User,
                 lang: str = "vi") -> Draft:
    """Save the report's text as version 1 of a new draft of ``unit`` for ``period``. Only
    one draft of a unit and period is open at a time."""
    period = canonical_period(period)
    paragraphs = _paragraphs(markdown)
    stamp = now()
    with store.session() as s:
        _, path = _rights(store, s, user, unit)
        if not _may_draft(user, path):
            raise _refuse_draft(unit)
        held = s.scalar(select(DraftRow).where(DraftRow.unit == unit, DraftRow.period == period,
                                               DraftRow.state == OPEN))
        if held is not None:
            raise _error("draft-open", "period",
                         f"draft no. {held.id} of {unit} for {period} is still open for "
                         "comments: save a new version of it, or close it first",
                         f"dự thảo số {held.id} của đơn vị {unit} kỳ {period} đang lấy ý kiến: "
                         "lưu phiên bản mới của dự thảo đó, hoặc kết thúc lấy ý kiến trước")
        row = DraftRow(unit=unit, period=period, lang=lang, title=_title(paragraphs, period),
                       state=OPEN, created_at=stamp, created_by=user.username)
        s.add(row)
        s.flush()
        s.add(DraftVersionRow(draft_id=row.id, number=1, paragraphs=paragraphs,
                              created_at=stamp, created_by=user.username))
        store.audit_in(s, stamp, user.username, "create", ENTITY, str(row.id), unit, None,
                     {"unit": unit, "period": period, "lang": lang, "version": 1,
                      "paragraphs": len(paragraphs)}, None)
        return _draft(row, versions=1)


def _paragraphs(markdown: str) -> list[str]:
    paragraphs = split_paragraphs(markdown)
    if not paragraphs:
        raise _error("empty-draft", "text", "the report has no text to put out for comments",
                     "báo cáo không có nội dung để lấy ý kiến")
    return paragraphs


def add_version(store: Store, draft_id: int, markdown: str, *, user: User) -> Version:
    """Save the report's text again as the draft's next version; refused when the draft is
    closed or the text is the same as the latest version's."""
    paragraphs = _paragraphs(markdown)
    stamp = now()
    with store.session() as s:
        row = _managed(store, s, user, draft_id)
        if row.state != OPEN:
            raise _closed_error(row)
        latest = _latest(s, draft_id)
        if list(latest.paragraphs) == paragraphs:
            raise _error("unchanged", "text",
                         f"the report is the same as version {latest.number}: nothing to save",
                         f"nội dung báo cáo không thay đổi so với phiên bản {latest.number}: "
                         "không lưu phiên bản mới")
        number = latest.number + 1
        version = DraftVersionRow(draft_id=draft_id, number=number, paragraphs=paragraphs,
                                  created_at=stamp, created_by=user.username)
        s.add(version)
        changed = sum(c.kind != "same" for c in compare(latest.paragraphs, paragraphs))
        store.audit_in(s, stamp, user.username, "version", ENTITY, f"{draft_id}|v{number}",
                     row.unit, {"version": latest.number},
                     {"version": number, "paragraphs": len(paragraphs), "changed": changed},
                     None)
        return _version(version)


def _latest(s: Session, draft_id: int) -> DraftVersionRow:
    row = s.scalar(select(DraftVersionRow).where(DraftVersionRow.draft_id == draft_id)
                   .order_by(DraftVersionRow.number.desc()).limit(1))
    assert row is not None, f"draft {draft_id} has no version"
    return row


def drafts_of(store: Store, unit: str, *, user: User) -> tuple[list[Draft], Access]:
    """The unit's drafts, newest first, with their counts; and the user's rights on them."""
    with store.session() as s:
        access, _ = _rights(store, s, user, unit)
        if not access.read:
            raise _refuse_read(unit)
        rows = list(s.scalars(select(DraftRow).where(DraftRow.unit == unit)
                              .order_by(DraftRow.id.desc())))
        return _with_counts(s, rows), access


def open_drafts_above(store: Store, unit: str, *, user: User) -> list[Draft]:
    """The open drafts of the units above ``unit`` that the user may comment on: how a
    commune sees its district's consultations."""
    with store.session() as s:
        above = store.path_in(s, unit)[1:]
        if not above:
            return []
        rows = list(s.scalars(select(DraftRow).where(DraftRow.unit.in_(above),
                                                     DraftRow.state == OPEN)
                              .order_by(DraftRow.id.desc())))
        rows = [r for r in rows if _rights(store, s, user, r.unit)[0].comment]
        return _with_counts(s, rows)


def _with_counts(s: Session, rows: list[DraftRow]) -> list[Draft]:
    ids = [r.id for r in rows]
    if not ids:
        return []
    versions: dict[int, int] = {
        draft_id: count for draft_id, count in s.execute(
            select(DraftVersionRow.draft_id, func.count())
            .where(DraftVersionRow.draft_id.in_(ids)).group_by(DraftVersionRow.draft_id))}
    comments: dict[int, dict[bool, int]] = {}
    for draft_id, state, count in s.execute(
            select(DraftCommentRow.draft_id, DraftCommentRow.state, func.count())
            .where(DraftCommentRow.draft_id.in_(ids))
            .group_by(DraftCommentRow.draft_id, DraftCommentRow.state)):
        held = comments.setdefault(draft_id, {True: 0, False: 0})
        held[state == OPEN] += count
    return [_draft(r, versions=versions.get(r.id, 0),
                   comments=sum(comments.get(r.id, {}).values()),
                   open_comments=comments.get(r.id, {}).get(True, 0)) for r in rows]


def get_draft(store: Store, draft_id: int, *, user: User) -> tuple[Draft, Access]:
    """The draft with its counts and the user's rights on it (:class:`Refused` when the user
    may not read it)."""
    with store.session() as s:
        row, access = _readable(store, s, user, draft_id)
        return _with_counts(s, [row])[0], access


def versions_of(store: Store, draft_id: int, *, user: User) -> list[Version]:
    with store.session() as s:
        _readable(store, s, user, draft_id)
        rows = s.scalars(select(DraftVersionRow).where(DraftVersionRow.draft_id == draft_id)
                         .order_by(DraftVersionRow.number))
        return [_version(r) for r in rows]


def get_version(store: Store, draft_id: int, number: int | None = None, *,
                user: User) -> Version:
    """Version ``number`` of the draft, the latest when None."""
    with store.session() as s:
        _readable(store, s, user, draft_id)
        if number is None:
            return _version(_latest(s, draft_id))
        return _version(_version_row(s, draft_id, number))


def _version_row(s: Session, draft_id: int, number: int) -> DraftVersionRow:
    row = s.scalar(select(DraftVersionRow).where(DraftVersionRow.draft_id == draft_id,
                                                 DraftVersionRow.number == number))
    if row is None:
        raise _error("unknown-version", "version",
                     f"draft no. {draft_id} has no version {number}",
                     f"dự thảo số {draft_id} không có phiên bản {number}")
    return row


def close_draft(store: Store, draft_id: int, *, user: User, note: str | None = None) -> Draft:
    """End the consultation ("kết thúc lấy ý kiến"): no new comment nor version after it."""
    stamp = now()
    note = (note or "").strip() or None
    with store.session() as s:
        row = _managed(store, s, user, draft_id)
        if row.state != OPEN:
            raise _closed_error(row)
        counts = _with_counts(s, [row])[0]
        row.state, row.closed_at, row.closed_by, row.closing_note = (CLOSED, stamp,
                                                                      user.username, note)
        store.audit_in(s, stamp, user.username, "close", ENTITY, str(draft_id), row.unit,
                     {"state": OPEN}, {"state": CLOSED, "open_comments": counts.open_comments},
                     note)
        return _with_counts(s, [row])[0]


# ---------------------------------------------------------------------- comments


def comments_of(store: Store, draft_id: int, *, user: User,
                version: int | None = None) -> list[Comment]:
    """The draft's comments (of one version when given), oldest first."""
    with store.session() as s:
        _readable(store, s, user, draft_id)
        query = select(DraftCommentRow).where(DraftCommentRow.draft_id == draft_id)
        if version is not None:
            query = query.where(DraftCommentRow.version == version)
        return [_comment(r) for r in s.scalars(query.order_by(DraftCommentRow.id))]


def add_comment(store: Store, draft_id: int, version: int, paragraph: int, text: str, *,
                user: User) -> Comment:
    """Comment on a paragraph of the latest version of an open draft."""
    text = unicodedata.normalize("NFC", text).strip()
    stamp = now()
    with store.session() as s:
        row, access = _readable(store, s, user, draft_id)
        if not access.comment:
            raise Refused(f"you may not comment on the drafts of unit {row.unit}",
                          f"bạn không có quyền góp ý dự thảo của đơn vị {row.unit}")
        if row.state != OPEN:
            raise _closed_error(row)
        _check_place(s, draft_id, version, paragraph)
        _check_text(text)
        comment = DraftCommentRow(draft_id=draft_id, version=version, paragraph=paragraph,
                                  text=text, author=user.username, author_unit=user.unit,
                                  created_at=stamp, state=OPEN)
        s.add(comment)
        s.flush()
        store.audit_in(s, stamp, user.username, "comment", ENTITY, f"{draft_id}|c{comment.id}",
                     row.unit, None, {"version": version, "paragraph": paragraph, "text": text},
                     None)
        return _comment(comment)


def _check_place(s: Session, draft_id: int, version: int, paragraph: int) -> None:
    """The comment goes on a paragraph that exists, of the latest version."""
    latest = _latest(s, draft_id)
    if version != latest.number:
        _version_row(s, draft_id, version)
        raise _error("old-version", "version",
                     f"version {version} has been replaced by version {latest.number}: "
                     "comment on the latest version",
                     f"phiên bản {version} đã được thay bằng phiên bản {latest.number}: "
                     "góp ý trên phiên bản mới nhất")
    if not 1 <= paragraph <= len(latest.paragraphs):
        raise _error("unknown-paragraph", "paragraph",
                     f"version {version} has paragraphs 1 to {len(latest.paragraphs)}, "
                     f"not {paragraph}",
                     f"phiên bản {version} có các đoạn từ 1 đến {len(latest.paragraphs)}, "
                     f"không có đoạn {paragraph}")


def _check_text(text: str) -> None:
    if not text:
        raise _error("empty-comment", "text", "write the comment",
                     "chưa nhập nội dung góp ý")
    if len(text) > MAX_COMMENT:
        raise _error("comment-too-long", "text",
                     f"a comment has at most {MAX_COMMENT} characters ({len(text)} given)",
                     f"góp ý dài tối đa {MAX_COMMENT} ký tự (đã nhập {len(text)})")


def resolve_comment(store: Store, draft_id: int, comment_id: int, outcome: str,
                    note: str | None = None, *, user: User) -> Comment:
    """Resolve an open comment: ``accepted`` ("đã tiếp thu") or ``explained`` ("giải
    trình", which needs the explanation in ``note``). Allowed after the draft is closed."""
    note = unicodedata.normalize("NFC", note or "").strip() or None
    if outcome not in OUTCOMES:
        raise _error("invalid-outcome", "outcome",
                     "a comment is resolved as accepted or explained",
                     "góp ý được xử lý là \"Đã tiếp thu\" hoặc \"Giải trình\"")
    if outcome == EXPLAINED and note is None:
        raise _error("note-required", "note", "an explanation needs its note",
                     "giải trình cần nêu nội dung giải trình")
    stamp = now()
    with store.session() as s:
        row = _managed(store, s, user, draft_id)
        comment = s.get(DraftCommentRow, comment_id)
        if comment is None or comment.draft_id != draft_id:
            raise _error("unknown-comment", "comment",
                         f"draft no. {draft_id} has no comment {comment_id}",
                         f"dự thảo số {draft_id} không có góp ý số {comment_id}")
        if comment.state != OPEN:
            raise _error("already-resolved", "comment",
                         f"comment {comment_id} was resolved by {comment.resolved_by}",
                         f"góp ý số {comment_id} đã được {comment.resolved_by} xử lý")
        comment.state, comment.note = outcome, note
        comment.resolved_by, comment.resolved_at = user.username, stamp
        store.audit_in(s, stamp, user.username, "resolve", ENTITY, f"{draft_id}|c{comment_id}",
                     row.unit, {"state": OPEN}, {"state": outcome, "note": note}, None)
        return _comment(comment)


# ---------------------------------------------------------------------- rows → records


def _aware(value: datetime) -> datetime:
    """SQLite gives back naive datetimes; every time stored is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _maybe(value: datetime | None) -> datetime | None:
    return _aware(value) if value is not None else None


def _draft(row: DraftRow, **counts: Any) -> Draft:
    return Draft(row.id, row.unit, row.period, row.lang, row.title, row.state,
                 _aware(row.created_at), row.created_by, _maybe(row.closed_at), row.closed_by,
                 row.closing_note, **counts)


def _version(row: DraftVersionRow) -> Version:
    return Version(row.draft_id, row.number, tuple(row.paragraphs), _aware(row.created_at),
                   row.created_by)


def _comment(row: DraftCommentRow) -> Comment:
    return Comment(row.id, row.draft_id, row.version, row.paragraph, row.text, row.author,
                   row.author_unit, _aware(row.created_at), row.state, row.note,
                   row.resolved_by, _maybe(row.resolved_at))
