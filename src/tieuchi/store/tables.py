"""The database tables (SQLAlchemy 2). Schema changes go through Alembic migrations in
``store/migrations``; a test checks that the migrations give exactly these tables.

Definitions (levels, units, indicators, criteria sets, data sets, groups, targets) keep their
validated model as a JSON document beside the columns that are queried, so the database gives
back exactly the models the files gave. Observations are plain rows: they are the volume.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "Base", "Meta", "LevelRow", "UnitRow", "UnitSuccessorRow", "IndicatorRow", "CriteriaSetRow",
    "DataSetRow", "GroupRow", "TargetRow", "ObservationRow", "WorkflowRow", "UserRow", "TokenRow",
    "AuditRow", "AuditBatchRow", "AuditPartRow", "LoginLimitRow", "DOCUMENT_TABLES",
]

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

CODE = String(64)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON}


class Meta(Base):
    """Project-wide documents: the project, the report outline, the generated secret."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(JSON)


class _Document:
    code: Mapped[str] = mapped_column(CODE, primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    doc: Mapped[dict[str, Any]] = mapped_column(JSON)


class LevelRow(_Document, Base):
    __tablename__ = "levels"


class UnitRow(_Document, Base):
    __tablename__ = "units"
    name: Mapped[str] = mapped_column(String(200))
    search_name: Mapped[str] = mapped_column(String(200), index=True)  # no diacritics, lower
    level: Mapped[str] = mapped_column(CODE)
    parent: Mapped[str | None] = mapped_column(CODE, index=True)


class UnitSuccessorRow(Base):
    """A unit and one of the units that succeeded it (``Unit.successors``), kept at load: a
    unit's definitions bring the units it succeeded, and their figures, by one query
    (:meth:`tieuchi.store.units.Units.definitions`)."""

    __tablename__ = "unit_successors"
    unit: Mapped[str] = mapped_column(CODE, primary_key=True)
    successor: Mapped[str] = mapped_column(CODE, primary_key=True, index=True)


class IndicatorRow(_Document, Base):
    __tablename__ = "indicators"


class CriteriaSetRow(_Document, Base):
    __tablename__ = "criteria_sets"


class DataSetRow(_Document, Base):
    __tablename__ = "datasets"


class GroupRow(_Document, Base):
    __tablename__ = "target_groups"
    unit: Mapped[str] = mapped_column(CODE, index=True)
    period: Mapped[str] = mapped_column(String(32))


class TargetRow(Base):
    __tablename__ = "targets"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    unit: Mapped[str] = mapped_column(CODE, index=True)
    indicator: Mapped[str] = mapped_column(CODE)
    period: Mapped[str] = mapped_column(String(32))
    group: Mapped[str | None] = mapped_column("group_code", CODE, index=True)
    group_position: Mapped[int | None] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)
    doc: Mapped[dict[str, Any]] = mapped_column(JSON)


DOCUMENT_TABLES: dict[str, type[_Document]] = {
    "levels": LevelRow, "units": UnitRow, "indicators": IndicatorRow,
    "criteria_sets": CriteriaSetRow, "datasets": DataSetRow, "groups": GroupRow,
}


class ObservationRow(Base):
    __tablename__ = "observations"
    __table_args__ = (UniqueConstraint("unit", "indicator", "period", "vintage"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    unit: Mapped[str] = mapped_column(CODE, index=True)
    indicator: Mapped[str] = mapped_column(CODE)
    period: Mapped[str] = mapped_column(String(32))
    vintage: Mapped[str] = mapped_column(String(16))
    value: Mapped[float] = mapped_column(Float)
    source: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[str | None] = mapped_column(String(40))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    changed_by: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)  # "Ghi chú": what the figure needs said


class WorkflowRow(Base):
    """Where a unit's data set for a period stands: draft, submitted, approved, locked."""

    __tablename__ = "workflow"
    unit: Mapped[str] = mapped_column(CODE, primary_key=True)
    period: Mapped[str] = mapped_column(String(32), primary_key=True)
    dataset: Mapped[str] = mapped_column(CODE, primary_key=True)
    state: Mapped[str] = mapped_column(String(16))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    changed_by: Mapped[str] = mapped_column(String(200))


class UserRow(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str | None] = mapped_column(CODE)  # the scope; None: everything
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Moved on by signing out, a password change and disabling: a session made before
    # carries an older number and is refused on its next request.
    generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class TokenRow(Base):
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AuditRow(Base):
    """One change: who, when, what (entity and key), old → new, why."""

    __tablename__ = "audit"
    __table_args__ = (Index(None, "entity", "key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(32))
    entity: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(300))
    unit: Mapped[str | None] = mapped_column(CODE, index=True)
    old: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    new: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)


class AuditBatchRow(Base):
    """One bulk write (``tieuchi load``): who, when, why. Its changes are kept compactly in
    ``audit_batch_parts``, not one ``audit`` row each."""

    __tablename__ = "audit_batches"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(Text)


class AuditPartRow(Base):
    """Up to a few thousand changes of one entity in a batch, sorted by key (from
    ``first_key`` to ``last_key``, so a lookup by key opens only the parts that may hold it):
    a Parquet file (zstd) with one row per change: key, unit, action, old and new (JSON)."""

    __tablename__ = "audit_batch_parts"
    __table_args__ = (Index(None, "entity", "batch_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    batch_id: Mapped[int] = mapped_column(
        ForeignKey("audit_batches.id", ondelete="CASCADE"), index=True)
    entity: Mapped[str] = mapped_column(String(32))
    first_key: Mapped[str] = mapped_column(String(300))
    last_key: Mapped[str] = mapped_column(String(300))
    count: Mapped[int] = mapped_column(Integer)
    changes: Mapped[bytes] = mapped_column(LargeBinary)


class LoginLimitRow(Base):
    """The failed sign-ins of one user name or one address (``key``: ``user:…`` or
    ``address:…``) since ``started``; a sign-in reserves its try here, in one statement,
    before its password is checked, and a right password gives the try back."""

    __tablename__ = "login_limits"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    started: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    failures: Mapped[int] = mapped_column(Integer)


# ---------------------------------------------------------------------- drafts (lấy ý kiến)

__all__ += ["DraftRow", "DraftVersionRow", "DraftCommentRow"]


class DraftRow(Base):
    """A draft report put out for comments ("dự thảo báo cáo, lấy ý kiến"): a unit's report
    for a period, kept in versions (``draft_versions``); ``state`` is open or closed."""

    __tablename__ = "drafts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    unit: Mapped[str] = mapped_column(CODE, index=True)
    period: Mapped[str] = mapped_column(String(32))
    lang: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(300))
    state: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(200))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by: Mapped[str | None] = mapped_column(String(200))
    closing_note: Mapped[str | None] = mapped_column(Text)


class DraftVersionRow(Base):
    """One version of a draft: a snapshot of the report's text, paragraph by paragraph."""

    __tablename__ = "draft_versions"
    __table_args__ = (UniqueConstraint("draft_id", "number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    paragraphs: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(200))


class DraftCommentRow(Base):
    """A comment ("góp ý") on a paragraph of a version, and how it was resolved: open,
    accepted ("đã tiếp thu") or explained ("giải trình"), with a note."""

    __tablename__ = "draft_comments"
    __table_args__ = (
        ForeignKeyConstraint(["draft_id", "version"],
                             ["draft_versions.draft_id", "draft_versions.number"],
                             ondelete="CASCADE"),
        Index(None, "draft_id", "version"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    draft_id: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    paragraph: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(200))
    author_unit: Mapped[str | None] = mapped_column(CODE)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    state: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    resolved_by: Mapped[str | None] = mapped_column(String(200))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


# ---------------------------------------------------------------------- the read model

__all__ += ["DataVersionRow", "UnitVersionRow", "ResultRow"]


class DataVersionRow(Base):
    """The version of the data: one row, counted up by every write (figures, targets, a
    load) in the writing transaction."""

    __tablename__ = "data_version"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)


class UnitVersionRow(Base):
    """The version of the last write that can change a unit's results: a write to a unit
    stamps the unit and every unit above it."""

    __tablename__ = "unit_versions"
    unit: Mapped[str] = mapped_column(CODE, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)


class ResultRow(Base):
    """A unit's evaluation for a period, as the pages read it (the read model): the engine's
    frames in Arrow IPC, computed from the data at ``version`` for the date ``as_of``."""

    __tablename__ = "results"
    unit: Mapped[str] = mapped_column(CODE, primary_key=True)
    period: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)
    as_of: Mapped[date] = mapped_column(Date)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    payload: Mapped[bytes] = mapped_column(LargeBinary)


# ---------------------------------------------------------------------- narratives

__all__ += ["NarrativeRow"]


class NarrativeRow(Base):
    """A part of a unit's report narrative for a period (a section, or a target's cause:
    ``target`` is its key, "" for a section), as the definition folder gives it (``origin``
    folder) or as written on the pages (``origin`` written); the written text wins."""

    __tablename__ = "narratives"
    unit: Mapped[str] = mapped_column(CODE, primary_key=True)
    period: Mapped[str] = mapped_column(String(32), primary_key=True)
    section: Mapped[str] = mapped_column(String(32), primary_key=True)
    target: Mapped[str] = mapped_column(String(200), primary_key=True)
    origin: Mapped[str] = mapped_column(String(16), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    changed_by: Mapped[str] = mapped_column(String(200))
