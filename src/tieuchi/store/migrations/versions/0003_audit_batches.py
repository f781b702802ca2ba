"""The compact audit of bulk loads: audit_batches, and their changes in audit_batch_parts

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 03:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_batches",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_batches")),
    )
    with op.batch_alter_table("audit_batches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_batches_at"), ["at"], unique=False)

    op.create_table(
        "audit_batch_parts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("first_key", sa.String(length=300), nullable=False),
        sa.Column("last_key", sa.String(length=300), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("changes", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["audit_batches.id"],
            name=op.f("fk_audit_batch_parts_batch_id_audit_batches"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_batch_parts")),
    )
    with op.batch_alter_table("audit_batch_parts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_batch_parts_batch_id"), ["batch_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_audit_batch_parts_entity_batch_id"),
                              ["entity", "batch_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_batch_parts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_batch_parts_entity_batch_id"))
        batch_op.drop_index(batch_op.f("ix_audit_batch_parts_batch_id"))

    op.drop_table("audit_batch_parts")
    with op.batch_alter_table("audit_batches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_batches_at"))

    op.drop_table("audit_batches")
