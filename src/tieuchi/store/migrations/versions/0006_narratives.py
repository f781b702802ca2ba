"""Narratives: the text sections of a unit's report for a period (tồn tại, nguyên nhân,
phương hướng, kiến nghị; a target's nguyên nhân), from the definition folder and the pages

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-21 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "narratives",
        sa.Column("unit", sa.String(length=64), nullable=False),
        sa.Column("period", sa.String(length=32), nullable=False),
        sa.Column("section", sa.String(length=32), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("unit", "period", "section", "target", "origin",
                                name=op.f("pk_narratives")),
    )


def downgrade() -> None:
    op.drop_table("narratives")
