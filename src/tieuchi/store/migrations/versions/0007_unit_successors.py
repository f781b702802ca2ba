"""Unit successors: each unit and the units that succeeded it (a merger, a split), so that a
unit's definitions bring the units it succeeded and their figures by a query

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-22 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "unit_successors",
        sa.Column("unit", sa.String(length=64), nullable=False),
        sa.Column("successor", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("unit", "successor", name=op.f("pk_unit_successors")),
    )
    op.create_index(op.f("ix_unit_successors_successor"), "unit_successors", ["successor"])
    # the successors of the units loaded before: from their documents
    units = sa.table("units", sa.column("code", sa.String), sa.column("doc", sa.JSON))
    rows = op.get_bind().execute(sa.select(units.c.code, units.c.doc)).all()
    pairs = [{"unit": code, "successor": successor} for code, doc in rows
             for successor in dict.fromkeys((doc or {}).get("successors") or ())]
    if pairs:
        op.bulk_insert(table, pairs)


def downgrade() -> None:
    op.drop_index(op.f("ix_unit_successors_successor"), table_name="unit_successors")
    op.drop_table("unit_successors")
