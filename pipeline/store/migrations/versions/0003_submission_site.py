"""Sites: which site's watcher took each file, so one store can serve several sites.

Revision ID: 0003
Revises: 0002
Created: 2026-11-23

Written by hand to match pipeline/store/models.py exactly (tests compare them).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("submissions") as batch:
        batch.add_column(sa.Column("site", sa.String(), nullable=True))
        batch.create_index("ix_submissions_site", ["site"])


def downgrade() -> None:
    with op.batch_alter_table("submissions") as batch:
        batch.drop_index("ix_submissions_site")
        batch.drop_column("site")
