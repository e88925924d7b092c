"""Weekly snapshot items: what each week's workbook showed overdue and who was supported.

And ``weekly_snapshots.items_kept``: whether a week has them (weeks written before do not).

Revision ID: 0005
Revises: 0004
Created: 2026-12-02

Written by hand to match pipeline/store/models.py exactly (tests compare them).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "weekly_snapshot_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("week", sa.String(8), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.CheckConstraint("kind IN ('overdue', 'active')",
                           name=op.f("ck_weekly_snapshot_items_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_weekly_snapshot_items")),
        sa.UniqueConstraint("week", "kind", "key", name=op.f("uq_weekly_snapshot_items_week")),
    )
    op.create_index(op.f("ix_weekly_snapshot_items_week"), "weekly_snapshot_items", ["week"])
    with op.batch_alter_table("weekly_snapshots") as batch:
        batch.add_column(sa.Column("items_kept", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("weekly_snapshots") as batch:
        batch.drop_column("items_kept")
    op.drop_table("weekly_snapshot_items")
