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

These are the rules; the drafts, versions and comments are kept by the drafts repository
(:mod:`tieuchi.store.drafts`), which writes every action to the audit log (entity ``draft``,
key ``{id}``, ``{id}|v{n}`` or ``{id}|c{comment}``). Each command is one unit of work: its
checks and its write see the same data. The text comes from the caller (``tieuchi.reports``):
the store does not write reports.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from tieuchi.app.policy import Action, Resource, allowed, refusal
from tieuchi.domain.periods import Period
from tieuchi.domain.problems import Problem, ProblemError
from tieuchi.domain.ruleset import TEXT_LIMITS, checked_text, normal_text, text_problem
from tieuchi.store import Store, User, now
from tieuchi.store.drafts import CLOSED, ENTITY, OPEN, Comment, Draft, Version
from tieuchi.store.units import unknown_unit

__all__ = [
    "Draft", "Version", "Comment", "Access", "Change", "OPEN", "CLOSED", "ACCEPTED",
    "EXPLAINED", "OUTCOMES", "MAX_COMMENT", "ENTITY", "split_paragraphs", "compare",
    "inline_diff", "check_may_manage", "create_draft", "add_version", "drafts_of",
    "open_drafts_above", "get_draft", "get_version", "versions_of", "comments_of",
    "add_comment", "resolve_comment", "close_draft", "canonical_period",
]

ACCEPTED, EXPLAINED = "accepted", "explained"
OUTCOMES = (ACCEPTED, EXPLAINED)
MAX_COMMENT = TEXT_LIMITS["comment"]
VIETNAM = timezone(timedelta(hours=7), "ICT")

_BLANK_LINE = re.compile(r"\n[ \t]*\n+")
_TOKEN = re.compile(r"\s+|[^\s]+")


# ---------------------------------------------------------------------- records


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


def _error(code: str, field: str, en: str, vi: str) -> ProblemError:
    return ProblemError([Problem(code, en, vi, field=field)])


def _forbidden(en: str, vi: str) -> ProblemError:
    return ProblemError([Problem("forbidden", en, vi)])


def _day(at: datetime) -> str:
    """The date in Việt Nam (UTC+7 all year)."""
    return at.astimezone(VIETNAM).strftime("%d/%m/%Y")


def canonical_period(period: str) -> str:
    """The period's code ("2023-q3" → "2023-Q3"); :class:`ProblemError` when it is none."""
    try:
        return Period.parse(period).code
    except ValueError:
        raise _error("invalid-period", "period", f"'{period}' is not a period (2023, 2023-Q3)",
                     f"'{period}' không phải kỳ báo cáo hợp lệ (ví dụ 2023, 2023-Q3)") from None


def _closed_error(draft: Draft) -> ProblemError:
    when = _day(draft.closed_at) if draft.closed_at else ""
    return _error(
        "draft-closed", "draft",
        f"the consultation on draft no. {draft.id} ended on {when}: it takes no more comments "
        "or versions; save a new draft to consult again",
        f"Dự thảo số {draft.id} đã kết thúc lấy ý kiến ngày {when}: không nhận thêm góp ý, "
        "không lưu thêm phiên bản; muốn lấy ý kiến lại thì lưu dự thảo mới.")


# ---------------------------------------------------------------------- rights


def _rights(store: Store, user: User, unit: str,
            author: str | None = None) -> tuple[Access, list[str]]:
    """The user's rights on the drafts of ``unit`` (the policy's), and the unit's path;
    :class:`ProblemError` when the unit does not exist."""
    path = store.units.path(unit)
    if not path:
        raise ProblemError([unknown_unit(unit)])
    resource = Resource.unit(path, author)
    read = allowed(user, Action.READ_DRAFTS, resource)
    return Access(read=read, comment=read,
                  manage=allowed(user, Action.MANAGE_DRAFT, resource)), path


def _refuse(action: Action, unit: str) -> ProblemError:
    return _forbidden(*refusal(action, unit))


def check_may_manage(store: Store, draft_id: int, user: User) -> None:
    """:class:`ProblemError` (``forbidden``) unless the user may save a version of the
    draft, resolve its comments and close it."""
    with store.session():
        _managed(store, user, draft_id)


def _draft_of(store: Store, draft_id: int) -> Draft:
    draft = store.drafts.get(draft_id)
    if draft is None:
        raise _error("unknown-draft", "draft", f"draft no. {draft_id} does not exist",
                     f"không có dự thảo số {draft_id}")
    return draft


def _readable(store: Store, user: User, draft_id: int) -> tuple[Draft, Access]:
    draft = _draft_of(store, draft_id)
    access, _ = _rights(store, user, draft.unit, draft.created_by)
    if not access.read:
        raise _refuse(Action.READ_DRAFTS, draft.unit)
    return draft, access


def _managed(store: Store, user: User, draft_id: int) -> Draft:
    draft, access = _readable(store, user, draft_id)
    if not access.manage:
        raise _refuse(Action.MANAGE_DRAFT, draft.unit)
    return draft


# ---------------------------------------------------------------------- drafts and versions


def create_draft(store: Store, unit: str, period: str, markdown: str, *, user: User,
                 lang: str = "vi") -> Draft:
    """Save the report's text as version 1 of a new draft of ``unit`` for ``period``. Only
    one draft of a unit and period is open at a time."""
    period = canonical_period(period)
    paragraphs = _paragraphs(markdown)
    with store.session():
        _, path = _rights(store, user, unit)
        if not allowed(user, Action.WRITE_DRAFT, Resource.unit(path)):
            raise _refuse(Action.WRITE_DRAFT, unit)
        held = store.drafts.open_for(unit, period)
        if held is not None:
            raise _error("draft-open", "period",
                         f"draft no. {held.id} of {unit} for {period} is still open for "
                         "comments: save a new version of it, or close it first",
                         f"dự thảo số {held.id} của đơn vị {unit} kỳ {period} đang lấy ý kiến: "
                         "lưu phiên bản mới của dự thảo đó, hoặc kết thúc lấy ý kiến trước")
        return store.drafts.create(unit, period, lang, _title(paragraphs, period), paragraphs,
                                   by=user.username, at=now())


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
    with store.session():
        draft = _managed(store, user, draft_id)
        if not draft.is_open:
            raise _closed_error(draft)
        latest = store.drafts.latest(draft_id)
        if list(latest.paragraphs) == paragraphs:
            raise _error("unchanged", "text",
                         f"the report is the same as version {latest.number}: nothing to save",
                         f"nội dung báo cáo không thay đổi so với phiên bản {latest.number}: "
                         "không lưu phiên bản mới")
        changed = sum(c.kind != "same" for c in compare(latest.paragraphs, paragraphs))
        return store.drafts.add_version(draft, latest.number + 1, paragraphs,
                                        changed=changed, by=user.username, at=now())


def drafts_of(store: Store, unit: str, *, user: User) -> tuple[list[Draft], Access]:
    """The unit's drafts, newest first, with their counts; and the user's rights on them."""
    with store.session():
        access, _ = _rights(store, user, unit)
        if not access.read:
            raise _refuse(Action.READ_DRAFTS, unit)
        return store.drafts.of_unit(unit), access


def open_drafts_above(store: Store, unit: str, *, user: User) -> list[Draft]:
    """The open drafts of the units above ``unit`` that the user may comment on: how a
    commune sees its district's consultations."""
    with store.session():
        above = store.units.path(unit)[1:]
        if not above:
            return []
        return store.drafts.counted([d for d in store.drafts.open_in(above)
                                     if _rights(store, user, d.unit)[0].comment])


def get_draft(store: Store, draft_id: int, *, user: User) -> tuple[Draft, Access]:
    """The draft with its counts and the user's rights on it (:class:`ProblemError`,
    ``forbidden``, when the user may not read it)."""
    with store.session():
        draft, access = _readable(store, user, draft_id)
        return store.drafts.counted([draft])[0], access


def versions_of(store: Store, draft_id: int, *, user: User) -> list[Version]:
    with store.session():
        _readable(store, user, draft_id)
        return store.drafts.versions(draft_id)


def get_version(store: Store, draft_id: int, number: int | None = None, *,
                user: User) -> Version:
    """Version ``number`` of the draft, the latest when None."""
    with store.session():
        _readable(store, user, draft_id)
        if number is None:
            return store.drafts.latest(draft_id)
        return _version_of(store, draft_id, number)


def _version_of(store: Store, draft_id: int, number: int) -> Version:
    version = store.drafts.version(draft_id, number)
    if version is None:
        raise _error("unknown-version", "version",
                     f"draft no. {draft_id} has no version {number}",
                     f"dự thảo số {draft_id} không có phiên bản {number}")
    return version


def close_draft(store: Store, draft_id: int, *, user: User, note: str | None = None) -> Draft:
    """End the consultation ("kết thúc lấy ý kiến"): no new comment nor version after it."""
    note = checked_text("note", note)
    with store.session():
        draft = _managed(store, user, draft_id)
        if not draft.is_open:
            raise _closed_error(draft)
        return store.drafts.close(draft, note, by=user.username, at=now())


# ---------------------------------------------------------------------- comments


def comments_of(store: Store, draft_id: int, *, user: User,
                version: int | None = None) -> list[Comment]:
    """The draft's comments (of one version when given), oldest first."""
    with store.session():
        _readable(store, user, draft_id)
        return store.drafts.comments(draft_id, version)


def add_comment(store: Store, draft_id: int, version: int, paragraph: int, text: str, *,
                user: User) -> Comment:
    """Comment on a paragraph of the latest version of an open draft."""
    text = normal_text(text) or ""
    with store.session():
        draft, access = _readable(store, user, draft_id)
        if not access.comment:
            raise _forbidden(f"you may not comment on the drafts of unit {draft.unit}",
                             f"bạn không có quyền góp ý dự thảo của đơn vị {draft.unit}")
        if not draft.is_open:
            raise _closed_error(draft)
        _check_place(store, draft_id, version, paragraph)
        _check_text(text)
        return store.drafts.add_comment(draft, version, paragraph, text, by=user, at=now())


def _check_place(store: Store, draft_id: int, version: int, paragraph: int) -> None:
    """The comment goes on a paragraph that exists, of the latest version."""
    latest = store.drafts.latest(draft_id)
    if version != latest.number:
        _version_of(store, draft_id, version)
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
    found = text_problem("comment", text, field="text")
    if found is not None:
        raise ProblemError([found])


def resolve_comment(store: Store, draft_id: int, comment_id: int, outcome: str,
                    note: str | None = None, *, user: User) -> Comment:
    """Resolve an open comment: ``accepted`` ("đã tiếp thu") or ``explained`` ("giải
    trình", which needs the explanation in ``note``). Allowed after the draft is closed."""
    note = checked_text("note", note)
    if outcome not in OUTCOMES:
        raise _error("invalid-outcome", "outcome",
                     "a comment is resolved as accepted or explained",
                     "góp ý được xử lý là \"Đã tiếp thu\" hoặc \"Giải trình\"")
    if outcome == EXPLAINED and note is None:
        raise _error("note-required", "note", "an explanation needs its note",
                     "giải trình cần nêu nội dung giải trình")
    with store.session():
        draft = _managed(store, user, draft_id)
        comment = store.drafts.comment(draft_id, comment_id)
        if comment is None:
            raise _error("unknown-comment", "comment",
                         f"draft no. {draft_id} has no comment {comment_id}",
                         f"dự thảo số {draft_id} không có góp ý số {comment_id}")
        if not comment.is_open:
            raise _error("already-resolved", "comment",
                         f"comment {comment_id} was resolved by {comment.resolved_by}",
                         f"góp ý số {comment_id} đã được {comment.resolved_by} xử lý")
        return store.drafts.resolve(draft, comment_id, outcome, note, by=user.username,
                                    at=now())
