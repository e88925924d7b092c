"""The store's tables, as SQLAlchemy 2 typed declarative models.

    persons ◀── episodes
       ▲  ▲
       │  └──────────── submissions ◀── events, actions, outcome_scores
       │   (person_id)    (sha256)       (submission_id, person_id)
    audit_log  (append-only; refers to submissions by id and hash, deliberately no FK)
    weekly_snapshots  (counts per ISO week and group for the workbook's trend; no person)
    weekly_snapshot_items  (what was overdue and who was supported each week: the change list)
    kept_obligations, kept_groups, kept_basis  (obligations kept as forms arrive, per person
                                                and service, and what they came from)

Every reference to a person is ``person_id``, the person's own id (e.g. ``P-0001``), a
foreign key to ``persons.person_id``: rows read the same in SQL as on a form, and no join
is needed to say whose they are. A submission's ``person_id`` is set only once that person
exists (:func:`pipeline.store.people.get_or_create_people`); a rejected form whose id
could not be read keeps ``None``.

Datetimes are timezone-aware UTC (naive ones are refused), except ``events.at``, which is
the wall-clock time written on the form. JSON columns are replaced, not mutated in
place: SQLAlchemy does not see changes made inside a dict.

``pipeline/store/migrations/versions`` must match these models exactly; a test compares
them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    CHAR,
    JSON,
    CheckConstraint,
    DateTime,
    Dialect,
    ForeignKey,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Stable constraint names let Alembic (and SQLite batch mode) find constraints again.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utc_now() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime, stored as UTC and always read back with ``tzinfo=UTC``.

    SQLite has no time-zone type and returns naive values; this makes both backends
    behave like PostgreSQL's ``timestamptz``. A naive value is a bug in the caller (whose
    clock?) and is refused with ``ValueError``.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value.isoformat()}: pass a timezone-aware one")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012  (SQLAlchemy reads this class attribute)
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        list[dict[str, Any]]: JSON(),
        str: String(),
    }


class SubmissionStatus(StrEnum):
    STORED = "stored"  # the current copy of this form: its events count
    SUPERSEDED = "superseded"  # a later copy replaced it (see superseded_by)
    REJECTED = "rejected"  # could not be stored as a form; the file is in rejected/


def _person_fk() -> ForeignKey:
    # CASCADE: correcting a mistyped person id in persons corrects every row that uses it.
    return ForeignKey("persons.person_id", onupdate="CASCADE")


class Person(Base):
    """A person supported by a service, known by the id written on their forms."""

    __tablename__ = "persons"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[str] = mapped_column(unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class Episode(Base):
    """A period of support from one service: opened on referral, closed on leaving."""

    __tablename__ = "episodes"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[str] = mapped_column(_person_fk(), index=True)
    service: Mapped[str]
    opened_on: Mapped[date]
    closed_on: Mapped[date | None]
    worker: Mapped[str | None]
    team: Mapped[str | None]

    person: Mapped[Person] = relationship()


class Submission(Base):
    """One file that reached Planwatch, stored or rejected; ``sha256`` makes ingest idempotent.

    ``values`` is :meth:`pipeline.records.Record.json_values` (empty when nothing could
    be read); ``findings`` is a list of :class:`pipeline.records.Finding` dumps; ``reason``
    says in plain English why a rejected file was rejected; ``command`` is the command
    that received it (``ingest``, ``watch``, ``demo``).
    """

    __tablename__ = "submissions"
    __table_args__ = (
        CheckConstraint("status IN ('stored', 'superseded', 'rejected')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(CHAR(64), unique=True)
    original_name: Mapped[str]
    received_at: Mapped[datetime]
    form_id: Mapped[str | None]
    form_version: Mapped[int | None]
    service: Mapped[str | None]
    person_id: Mapped[str | None] = mapped_column(_person_fk(), index=True)
    event_date: Mapped[date | None]
    archived_path: Mapped[str | None]
    rejected_path: Mapped[str | None]
    # The site whose watcher took the file (several sites may share one store).
    site: Mapped[str | None] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(index=True)
    superseded_by: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"))
    values: Mapped[dict[str, Any]] = mapped_column(default=dict)
    findings: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    reason: Mapped[str | None] = mapped_column(Text)
    # A rejection that says nothing final about the content (a time or memory limit
    # under load, a read or store failure): an identical copy dropped later is tried
    # again, and replaces this row if it gets further.
    retryable: Mapped[bool] = mapped_column(default=False, server_default=false())
    command: Mapped[str]

    person: Mapped[Person | None] = relationship()
    events: Mapped[list[EventRow]] = relationship(back_populates="submission")
    actions: Mapped[list[Action]] = relationship(back_populates="submission")
    scores: Mapped[list[OutcomeScore]] = relationship(back_populates="submission")


class EventRow(Base):
    """A dated fact from a stored form: where :class:`pipeline.records.Event` is kept.

    The rules read these rows as ``Event`` tuples (:func:`pipeline.store.queries.event_facts`),
    with ``source`` from the submission's archived file."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    person_id: Mapped[str] = mapped_column(_person_fk(), index=True)
    episode_id: Mapped[int | None] = mapped_column(ForeignKey("episodes.id"))
    service: Mapped[str]
    kind: Mapped[str] = mapped_column(index=True)
    on: Mapped[date]
    # The wall-clock time written on the form (UK local), not an instant: no time zone.
    at: Mapped[datetime | None] = mapped_column(DateTime(timezone=False))
    worker: Mapped[str | None]
    team: Mapped[str | None]
    complete: Mapped[bool]
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)

    submission: Mapped[Submission] = relationship(back_populates="events")


class Action(Base):
    """One row of a support plan's action table.

    Everything but the links may be empty: a form with blocking findings is still kept.
    """

    __tablename__ = "actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    person_id: Mapped[str] = mapped_column(_person_fk(), index=True)
    area: Mapped[str | None]
    issue: Mapped[str | None] = mapped_column(Text)
    task: Mapped[str | None] = mapped_column(Text)
    responsible: Mapped[str | None]
    target_date: Mapped[date | None]

    submission: Mapped[Submission] = relationship(back_populates="actions")


class OutcomeScore(Base):
    """One outcome area's score from a review (for outcome summaries)."""

    __tablename__ = "outcome_scores"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    person_id: Mapped[str] = mapped_column(_person_fk(), index=True)
    area: Mapped[str]
    score: Mapped[int]
    scored_on: Mapped[date | None]

    submission: Mapped[Submission] = relationship(back_populates="scores")


class AuditEntry(Base):
    """One thing Planwatch did to the store. Append-only: the database refuses UPDATE and
    DELETE (triggers in the initial migration).

    ``detail`` holds ids, hashes, form ids and file names only, never names, dates of
    birth or field values: write it through :func:`pipeline.store.audit.record`.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utc_now)
    command: Mapped[str]
    action: Mapped[str]
    # No foreign key: the log must outlive (and never block) changes to submissions.
    submission_id: Mapped[int | None] = mapped_column(index=True)
    sha256: Mapped[str | None] = mapped_column(CHAR(64))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class SnapshotGroup(StrEnum):
    """What a weekly snapshot row counts: everything, or one service, team or worker."""

    ALL = "all"
    SERVICE = "service"
    TEAM = "team"
    WORKER = "worker"


class WeeklySnapshot(Base):
    """One group's compliance counts in one ISO week: the workbook's 12-week trend.

    One row per (``week``, ``group_kind``, ``group_name``); writing a week's workbook again
    replaces that week's rows (:mod:`pipeline.reports.weekly.snapshots`). ``group_name`` is the
    service id, team or worker name (``""`` for all). Counts only: no person is named.
    """

    __tablename__ = "weekly_snapshots"
    __table_args__ = (
        UniqueConstraint("week", "group_kind", "group_name"),
        CheckConstraint("group_kind IN ('all', 'service', 'team', 'worker')", name="group_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    week: Mapped[str] = mapped_column(String(8))  # ISO year and week: 2026-W11
    week_start: Mapped[date] = mapped_column(index=True)  # the Monday of that week
    as_of: Mapped[date]
    group_kind: Mapped[str]
    group_name: Mapped[str]
    active: Mapped[int]
    met: Mapped[int]
    met_late: Mapped[int]
    overdue: Mapped[int]
    missed: Mapped[int]
    due_soon: Mapped[int]
    written_at: Mapped[datetime] = mapped_column(default=utc_now)
    # Whether the week's items (weekly_snapshot_items) were kept: weeks written before
    # they were have counts only, and next week's change list cannot be worked out.
    items_kept: Mapped[bool] = mapped_column(default=False, server_default=false())


class SnapshotItemKind(StrEnum):
    """What a weekly snapshot item records: an overdue obligation, or an open episode."""

    OVERDUE = "overdue"
    ACTIVE = "active"


class WeeklySnapshotItem(Base):
    """One thing a week's workbook showed, kept so next week's can say what changed.

    ``key`` identifies the item the same way every week: an overdue obligation as
    ``person|service|obligation|due`` (ISO date), an open episode as ``person|service``
    (:mod:`pipeline.reports.weekly.changes`). People are named only by their case
    reference, as in the workbook itself. Replaced with the week's counts.
    """

    __tablename__ = "weekly_snapshot_items"
    __table_args__ = (
        UniqueConstraint("week", "kind", "key"),
        CheckConstraint("kind IN ('overdue', 'active')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    week: Mapped[str] = mapped_column(String(8), index=True)  # ISO year and week
    kind: Mapped[str]
    key: Mapped[str]


# The kept states of pipeline.rules.kept.KeptState (the store does not import the rules;
# a test keeps the two the same).
OBLIGATION_STATES = ("met", "met_late", "missed", "not_applicable", "open", "planned", "slot",
                     "exempt_slot")


class KeptObligationRow(Base):
    """One obligation of one person's episode in one service, kept as forms arrive.

    Everything an obligation carries but its status, which depends on the as-of date:
    ``state`` says how it follows from that date (:class:`pipeline.rules.kept.KeptState`);
    ``next_due`` and ``onward`` (a chain's open slot only) when the next review slot
    overtakes it and how the chain goes on.
    Replaced whole, per person, in the transaction that stores their forms
    (:mod:`pipeline.store.kept`). ``person_id`` is no foreign key: a child listed on her
    mother's referral has obligations before any form of the child's arrives.
    """

    __tablename__ = "kept_obligations"
    __table_args__ = (
        CheckConstraint("state IN ({})".format(", ".join(f"'{s}'" for s in OBLIGATION_STATES)),
                        name="state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[str] = mapped_column(index=True)
    service: Mapped[str]
    obligation: Mapped[str]
    due: Mapped[date]
    state: Mapped[str]
    met_on: Mapped[date | None]
    worker: Mapped[str | None]
    team: Mapped[str | None]
    source: Mapped[str | None]
    cycle: Mapped[int]
    episode: Mapped[int]
    due_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(Text)
    # The submission whose form met it (no foreign key: rows are replaced whole, and a
    # kept row must never stop a submission's row changing).
    met_by: Mapped[int | None]
    # A chain's open slot only: when the next slot overtakes it, and how the chain goes
    # on (SQL NULL, not JSON null, where there is none: most rows).
    next_due: Mapped[date | None]
    onward: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))


class KeptGroupRow(Base):
    """One person in one service whose obligations are kept: up to which date they were
    worked out (``horizon``: the latest event they depend on; they hold as of that date
    and any later one), and who lists this person on their forms (``listers``: a child's
    mother, whose forms' changes change the child's obligations too)."""

    __tablename__ = "kept_groups"
    __table_args__ = (UniqueConstraint("person_id", "service"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[str]
    service: Mapped[str]
    horizon: Mapped[date]
    listers: Mapped[list[str]] = mapped_column(JSON, default=list)


class KeptBasis(Base):
    """What the kept obligations were worked out from: one row, or none before they ever
    were. ``fingerprint`` (:func:`pipeline.rules.basis.fingerprint`) of ``rule_sets``
    (their text, which whoever stores a form works by) and the rules' and holidays'
    versions; a fingerprint that is no hash (:data:`pipeline.store.kept.MIGRATED`,
    :data:`~pipeline.store.kept.STALE`) says they must be worked out again."""

    __tablename__ = "kept_basis"

    id: Mapped[int] = mapped_column(primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    rule_sets: Mapped[str | None] = mapped_column(Text)
    worked_out_at: Mapped[datetime] = mapped_column(default=utc_now)
