"""The initial store: persons, episodes, submissions, events, actions, outcome scores and
the append-only audit log.

Revision ID: 0001
Revises:
Created: 2025-01-01

Written by hand to match pipeline/store/models.py exactly (tests compare them).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UTC = sa.DateTime(timezone=True)

_SQLITE_APPEND_ONLY = [
    f"""
    CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log
    BEGIN
        SELECT RAISE(ABORT, 'audit_log is append-only: {verb} refused');
    END
    """
    for verb in ("UPDATE", "DELETE")
]

_POSTGRESQL_APPEND_ONLY = [
    """
    CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP;
    END;
    $$
    """,
    """
    CREATE TRIGGER audit_log_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()
    """,
    # TRUNCATE skips row triggers, so it needs its own.
    """
    CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()
    """,
]


def _person_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["person_id"],
        ["persons.person_id"],
        name=op.f(f"fk_{table}_person_id_persons"),
        onupdate="CASCADE",
    )


def _submission_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["submission_id"], ["submissions.id"], name=op.f(f"fk_{table}_submission_id_submissions")
    )


def upgrade() -> None:
    op.create_table(
        "persons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.String(), nullable=False),
        sa.Column("created_at", _UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_persons")),
        sa.UniqueConstraint("person_id", name=op.f("uq_persons_person_id")),
    )
    op.create_table(
        "episodes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.String(), nullable=False),
        sa.Column("service", sa.String(), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("worker", sa.String(), nullable=True),
        sa.Column("team", sa.String(), nullable=True),
        _person_fk("episodes"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_episodes")),
    )
    op.create_index(op.f("ix_episodes_person_id"), "episodes", ["person_id"])
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.CHAR(64), nullable=False),
        sa.Column("original_name", sa.String(), nullable=False),
        sa.Column("received_at", _UTC, nullable=False),
        sa.Column("form_id", sa.String(), nullable=True),
        sa.Column("form_version", sa.Integer(), nullable=True),
        sa.Column("service", sa.String(), nullable=True),
        sa.Column("person_id", sa.String(), nullable=True),
        sa.Column("event_date", sa.Date(), nullable=True),
        sa.Column("archived_path", sa.String(), nullable=True),
        sa.Column("rejected_path", sa.String(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("superseded_by", sa.Integer(), nullable=True),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("command", sa.String(), nullable=False),
        sa.CheckConstraint(
            "status IN ('stored', 'superseded', 'rejected')", name=op.f("ck_submissions_status")
        ),
        _person_fk("submissions"),
        sa.ForeignKeyConstraint(
            ["superseded_by"],
            ["submissions.id"],
            name=op.f("fk_submissions_superseded_by_submissions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submissions")),
        sa.UniqueConstraint("sha256", name=op.f("uq_submissions_sha256")),
    )
    op.create_index(op.f("ix_submissions_person_id"), "submissions", ["person_id"])
    op.create_index(op.f("ix_submissions_status"), "submissions", ["status"])
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.String(), nullable=False),
        sa.Column("episode_id", sa.Integer(), nullable=True),
        sa.Column("service", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=False), nullable=True),
        sa.Column("worker", sa.String(), nullable=True),
        sa.Column("team", sa.String(), nullable=True),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["episode_id"], ["episodes.id"], name=op.f("fk_events_episode_id_episodes")
        ),
        _person_fk("events"),
        _submission_fk("events"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    op.create_index(op.f("ix_events_submission_id"), "events", ["submission_id"])
    op.create_index(op.f("ix_events_person_id"), "events", ["person_id"])
    op.create_index(op.f("ix_events_kind"), "events", ["kind"])
    op.create_table(
        "actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.String(), nullable=False),
        sa.Column("area", sa.String(), nullable=True),
        sa.Column("issue", sa.Text(), nullable=True),
        sa.Column("task", sa.Text(), nullable=True),
        sa.Column("responsible", sa.String(), nullable=True),
        sa.Column("target_date", sa.Date(), nullable=True),
        _person_fk("actions"),
        _submission_fk("actions"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actions")),
    )
    op.create_index(op.f("ix_actions_submission_id"), "actions", ["submission_id"])
    op.create_index(op.f("ix_actions_person_id"), "actions", ["person_id"])
    op.create_table(
        "outcome_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.String(), nullable=False),
        sa.Column("area", sa.String(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("scored_on", sa.Date(), nullable=True),
        _person_fk("outcome_scores"),
        _submission_fk("outcome_scores"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcome_scores")),
    )
    op.create_index(op.f("ix_outcome_scores_submission_id"), "outcome_scores", ["submission_id"])
    op.create_index(op.f("ix_outcome_scores_person_id"), "outcome_scores", ["person_id"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", _UTC, nullable=False),
        sa.Column("command", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=True),
        sa.Column("sha256", sa.CHAR(64), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_submission_id"), "audit_log", ["submission_id"])
    for statement in _append_only_statements():
        op.execute(statement)


def downgrade() -> None:
    # Dropping a table drops its indexes and triggers; the PostgreSQL function is separate.
    for table in (
        "audit_log",
        "outcome_scores",
        "actions",
        "events",
        "submissions",
        "episodes",
        "persons",
    ):
        op.drop_table(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION audit_log_append_only()")


def _append_only_statements() -> list[str]:
    """The dialect's triggers that make audit_log refuse UPDATE and DELETE."""
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        return _SQLITE_APPEND_ONLY
    if dialect == "postgresql":
        return _POSTGRESQL_APPEND_ONLY
    raise NotImplementedError(
        f"Planwatch's store runs on SQLite or PostgreSQL, not {dialect}: "
        "the audit log could not be made append-only."
    )
