"""Kept obligations: each person's obligations in each service, kept as forms arrive.

``kept_obligations`` (the rows, without their status), ``kept_groups`` (per person and
service: up to which date they were worked out, and who lists them) and ``kept_basis``
(what they were worked out from). A store that already holds events is marked
``migrated``: the first command that reads deadlines works them all out, and says so.

Revision ID: 0006
Revises: 0005
Created: 2026-12-02

Written by hand to match pipeline/store/models.py exactly (tests compare them).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STATES = ("met", "met_late", "missed", "not_applicable", "open", "planned", "slot",
           "exempt_slot")


def upgrade() -> None:
    op.create_table(
        "kept_obligations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.String(), nullable=False),
        sa.Column("service", sa.String(), nullable=False),
        sa.Column("obligation", sa.String(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("met_on", sa.Date(), nullable=True),
        sa.Column("worker", sa.String(), nullable=True),
        sa.Column("team", sa.String(), nullable=True),
        sa.Column("source", sa.String(), nullable=True),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("episode", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("met_by", sa.Integer(), nullable=True),
        sa.Column("next_due", sa.Date(), nullable=True),
        sa.Column("onward", sa.JSON(), nullable=True),
        sa.CheckConstraint("state IN ({})".format(", ".join(f"'{s}'" for s in _STATES)),
                           name=op.f("ck_kept_obligations_state")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kept_obligations")),
    )
    op.create_index(op.f("ix_kept_obligations_person_id"), "kept_obligations", ["person_id"])
    op.create_table(
        "kept_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.String(), nullable=False),
        sa.Column("service", sa.String(), nullable=False),
        sa.Column("horizon", sa.Date(), nullable=False),
        sa.Column("listers", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kept_groups")),
        sa.UniqueConstraint("person_id", "service", name=op.f("uq_kept_groups_person_id")),
    )
    op.create_table(
        "kept_basis",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("rule_sets", sa.Text(), nullable=True),
        sa.Column("worked_out_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kept_basis")),
    )
    # A store with forms already: the first read works every obligation out (and says so).
    op.execute(sa.text(
        "INSERT INTO kept_basis (id, fingerprint, rule_sets, worked_out_at) "
        "SELECT 1, 'migrated', NULL, CURRENT_TIMESTAMP WHERE EXISTS (SELECT 1 FROM events)"))


def downgrade() -> None:
    op.drop_table("kept_basis")
    op.drop_table("kept_groups")
    op.drop_index(op.f("ix_kept_obligations_person_id"), table_name="kept_obligations")
    op.drop_table("kept_obligations")
