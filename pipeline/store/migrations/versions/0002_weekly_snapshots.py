"""Weekly snapshots: compliance counts per ISO week and group, for the workbook's trend.

Revision ID: 0002
Revises: 0001
Created: 2026-01-12

Written by hand to match pipeline/store/models.py exactly (tests compare them).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "weekly_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("week", sa.String(8), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("group_kind", sa.String(), nullable=False),
        sa.Column("group_name", sa.String(), nullable=False),
        sa.Column("active", sa.Integer(), nullable=False),
        sa.Column("met", sa.Integer(), nullable=False),
        sa.Column("met_late", sa.Integer(), nullable=False),
        sa.Column("overdue", sa.Integer(), nullable=False),
        sa.Column("missed", sa.Integer(), nullable=False),
        sa.Column("due_soon", sa.Integer(), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "group_kind IN ('all', 'service', 'team', 'worker')",
            name=op.f("ck_weekly_snapshots_group_kind"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_weekly_snapshots")),
        sa.UniqueConstraint(
            "week", "group_kind", "group_name", name=op.f("uq_weekly_snapshots_week")
        ),
    )
    op.create_index(op.f("ix_weekly_snapshots_week_start"), "weekly_snapshots", ["week_start"])


def downgrade() -> None:
    op.drop_table("weekly_snapshots")
