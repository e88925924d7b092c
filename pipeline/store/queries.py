"""The questions callers ask the store, typed. Each takes an open session and commits nothing.

Only ``get_or_create_person`` writes (it flushes a new person so the caller can link rows
to it in the same transaction).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pipeline.records import Event
from pipeline.store.models import EventRow, Person, Submission, SubmissionStatus


def find_submission_by_sha(session: Session, sha256: str) -> Submission | None:
    """The submission of the file with this content hash (any status), or ``None``."""
    return session.scalars(select(Submission).where(Submission.sha256 == sha256)).first()


def stored_submissions(session: Session) -> list[Submission]:
    """Submissions whose status is ``stored`` (current copies), oldest first."""
    query = (
        select(Submission)
        .where(Submission.status == SubmissionStatus.STORED)
        .order_by(Submission.received_at, Submission.id)
    )
    return list(session.scalars(query))


def rejected(session: Session) -> list[Submission]:
    """Rejected submissions, newest first (what a person should look at next)."""
    query = (
        select(Submission)
        .where(Submission.status == SubmissionStatus.REJECTED)
        .order_by(Submission.received_at.desc(), Submission.id.desc())
    )
    return list(session.scalars(query))


def events(session: Session) -> list[Event]:
    """Every event of a ``stored`` submission, by date: what the rules work from.

    Events of superseded or rejected submissions are left out; ``source`` is the
    submission's archived file.
    """
    query = (
        select(EventRow, Submission.archived_path)
        .join(Submission, EventRow.submission_id == Submission.id)
        .where(Submission.status == SubmissionStatus.STORED)
        .order_by(EventRow.on, EventRow.id)
    )
    return [
        Event(
            person_id=row.person_id,
            service=row.service,
            kind=row.kind,
            on=row.on,
            at=row.at,
            worker=row.worker,
            team=row.team,
            complete=row.complete,
            submission_id=row.submission_id,
            source=archived_path,
            details=row.details,
        )
        for row, archived_path in session.execute(query)
    ]


def get_or_create_person(session: Session, person_id: str) -> Person:
    """The person with this id, created (and flushed) if the store has not seen them.

    Safe when two processes meet the same new person at once: the loser of the race
    finds the winner's row instead of failing.
    """
    existing = _person(session, person_id)
    if existing is not None:
        return existing
    person = Person(person_id=person_id)
    try:
        with session.begin_nested():
            session.add(person)
    except IntegrityError:
        found = _person(session, person_id)
        if found is None:
            raise
        return found
    return person


def _person(session: Session, person_id: str) -> Person | None:
    return session.scalars(select(Person).where(Person.person_id == person_id)).first()
