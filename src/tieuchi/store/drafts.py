"""Draft reports put out for comments: their versions and comments, each change audited
(entity ``draft``, key ``{id}``, ``{id}|v{n}`` or ``{id}|c{comment}``) in the unit of work
that makes it. Who may do what, and what a closed draft refuses, is the application's
(:mod:`tieuchi.app.drafts`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import func, select

from tieuchi.store.access import User
from tieuchi.store.audit import Audit
from tieuchi.store.tables import DraftCommentRow, DraftRow, DraftVersionRow
from tieuchi.store.unit_of_work import Repository, UnitOfWork, aware

__all__ = ["Drafts", "Draft", "Version", "Comment", "OPEN", "CLOSED", "ENTITY"]

OPEN, CLOSED = "open", "closed"
ENTITY = "draft"


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


class Drafts(Repository):
    """The drafts, their versions and their comments."""

    def __init__(self, work: UnitOfWork, audit: Audit) -> None:
        super().__init__(work)
        self._audit = audit

    # ------------------------------------------------------------------ drafts

    def get(self, draft_id: int) -> Draft | None:
        """The draft (without its counts: see :meth:`counted`)."""
        with self._session() as s:
            row = s.get(DraftRow, draft_id)
            return _draft(row) if row is not None else None

    def open_for(self, unit: str, period: str) -> Draft | None:
        """The draft of ``unit`` for ``period`` that is open for comments, if any."""
        with self._session() as s:
            row = s.scalar(select(DraftRow).where(DraftRow.unit == unit,
                                                  DraftRow.period == period,
                                                  DraftRow.state == OPEN))
            return _draft(row) if row is not None else None

    def of_unit(self, unit: str) -> list[Draft]:
        """The unit's drafts, newest first, with their counts."""
        with self._session() as s:
            rows = s.scalars(select(DraftRow).where(DraftRow.unit == unit)
                             .order_by(DraftRow.id.desc()))
            return self.counted([_draft(r) for r in rows])

    def open_in(self, units: Sequence[str]) -> list[Draft]:
        """The open drafts of ``units``, newest first (without their counts)."""
        with self._session() as s:
            rows = s.scalars(select(DraftRow).where(DraftRow.unit.in_(units),
                                                    DraftRow.state == OPEN)
                             .order_by(DraftRow.id.desc()))
            return [_draft(r) for r in rows]

    def counted(self, drafts: Sequence[Draft]) -> list[Draft]:
        """``drafts`` with their numbers of versions, comments and open comments."""
        ids = [d.id for d in drafts]
        if not ids:
            return []
        with self._session() as s:
            versions: dict[int, int] = {
                draft_id: count for draft_id, count in s.execute(
                    select(DraftVersionRow.draft_id, func.count())
                    .where(DraftVersionRow.draft_id.in_(ids))
                    .group_by(DraftVersionRow.draft_id))}
            comments: dict[int, dict[bool, int]] = {}
            for draft_id, state, count in s.execute(
                    select(DraftCommentRow.draft_id, DraftCommentRow.state, func.count())
                    .where(DraftCommentRow.draft_id.in_(ids))
                    .group_by(DraftCommentRow.draft_id, DraftCommentRow.state)):
                held = comments.setdefault(draft_id, {True: 0, False: 0})
                held[state == OPEN] += count
        return [replace(d, versions=versions.get(d.id, 0),
                        comments=sum(comments.get(d.id, {}).values()),
                        open_comments=comments.get(d.id, {}).get(True, 0)) for d in drafts]

    def create(self, unit: str, period: str, lang: str, title: str,
               paragraphs: Sequence[str], *, by: str, at: datetime) -> Draft:
        """A new open draft with its version 1."""
        with self._session() as s:
            row = DraftRow(unit=unit, period=period, lang=lang, title=title, state=OPEN,
                           created_at=at, created_by=by)
            s.add(row)
            s.flush()
            s.add(DraftVersionRow(draft_id=row.id, number=1, paragraphs=list(paragraphs),
                                  created_at=at, created_by=by))
            self._audit.record(at, by, "create", ENTITY, str(row.id), unit, None,
                               {"unit": unit, "period": period, "lang": lang, "version": 1,
                                "paragraphs": len(paragraphs)}, None)
            return replace(_draft(row), versions=1)

    def close(self, draft: Draft, note: str | None, *, by: str, at: datetime) -> Draft:
        """End the draft's consultation; returns it with its counts."""
        with self._session() as s:
            open_comments = self.counted([draft])[0].open_comments
            row = s.get(DraftRow, draft.id)
            assert row is not None
            row.state, row.closed_at, row.closed_by, row.closing_note = CLOSED, at, by, note
            self._audit.record(at, by, "close", ENTITY, str(draft.id), draft.unit,
                               {"state": OPEN}, {"state": CLOSED, "open_comments": open_comments},
                               note)
            return self.counted([_draft(row)])[0]

    # ------------------------------------------------------------------ versions

    def latest(self, draft_id: int) -> Version:
        with self._session() as s:
            row = s.scalar(select(DraftVersionRow).where(DraftVersionRow.draft_id == draft_id)
                           .order_by(DraftVersionRow.number.desc()).limit(1))
            assert row is not None, f"draft {draft_id} has no version"
            return _version(row)

    def version(self, draft_id: int, number: int) -> Version | None:
        with self._session() as s:
            row = s.scalar(select(DraftVersionRow).where(DraftVersionRow.draft_id == draft_id,
                                                         DraftVersionRow.number == number))
            return _version(row) if row is not None else None

    def versions(self, draft_id: int) -> list[Version]:
        with self._session() as s:
            return [_version(r) for r in s.scalars(
                select(DraftVersionRow).where(DraftVersionRow.draft_id == draft_id)
                .order_by(DraftVersionRow.number))]

    def add_version(self, draft: Draft, number: int, paragraphs: Sequence[str], *,
                    changed: int, by: str, at: datetime) -> Version:
        """Version ``number`` of the draft; ``changed`` paragraphs differ from the last."""
        with self._session() as s:
            row = DraftVersionRow(draft_id=draft.id, number=number,
                                  paragraphs=list(paragraphs), created_at=at, created_by=by)
            s.add(row)
            self._audit.record(at, by, "version", ENTITY, f"{draft.id}|v{number}", draft.unit,
                               {"version": number - 1},
                               {"version": number, "paragraphs": len(paragraphs),
                                "changed": changed}, None)
            return _version(row)

    # ------------------------------------------------------------------ comments

    def comments(self, draft_id: int, version: int | None = None) -> list[Comment]:
        """The draft's comments (of one version when given), oldest first."""
        with self._session() as s:
            query = select(DraftCommentRow).where(DraftCommentRow.draft_id == draft_id)
            if version is not None:
                query = query.where(DraftCommentRow.version == version)
            return [_comment(r) for r in s.scalars(query.order_by(DraftCommentRow.id))]

    def comment(self, draft_id: int, comment_id: int) -> Comment | None:
        """Comment ``comment_id`` of the draft, if it exists."""
        with self._session() as s:
            row = s.get(DraftCommentRow, comment_id)
            return _comment(row) if row is not None and row.draft_id == draft_id else None

    def add_comment(self, draft: Draft, version: int, paragraph: int, text: str, *,
                    by: User, at: datetime) -> Comment:
        with self._session() as s:
            row = DraftCommentRow(draft_id=draft.id, version=version, paragraph=paragraph,
                                  text=text, author=by.username, author_unit=by.unit,
                                  created_at=at, state=OPEN)
            s.add(row)
            s.flush()
            self._audit.record(at, by.username, "comment", ENTITY, f"{draft.id}|c{row.id}",
                               draft.unit, None,
                               {"version": version, "paragraph": paragraph, "text": text},
                               None)
            return _comment(row)

    def resolve(self, draft: Draft, comment_id: int, outcome: str, note: str | None, *,
                by: str, at: datetime) -> Comment:
        with self._session() as s:
            row = s.get(DraftCommentRow, comment_id)
            assert row is not None and row.draft_id == draft.id
            row.state, row.note, row.resolved_by, row.resolved_at = outcome, note, by, at
            self._audit.record(at, by, "resolve", ENTITY, f"{draft.id}|c{comment_id}",
                               draft.unit, {"state": OPEN}, {"state": outcome, "note": note},
                               None)
            return _comment(row)


def _maybe(value: datetime | None) -> datetime | None:
    return aware(value) if value is not None else None


def _draft(row: DraftRow) -> Draft:
    return Draft(row.id, row.unit, row.period, row.lang, row.title, row.state,
                 aware(row.created_at), row.created_by, _maybe(row.closed_at), row.closed_by,
                 row.closing_note)


def _version(row: DraftVersionRow) -> Version:
    return Version(row.draft_id, row.number, tuple(row.paragraphs), aware(row.created_at),
                   row.created_by)


def _comment(row: DraftCommentRow) -> Comment:
    return Comment(row.id, row.draft_id, row.version, row.paragraph, row.text, row.author,
                   row.author_unit, aware(row.created_at), row.state, row.note,
                   row.resolved_by, _maybe(row.resolved_at))
