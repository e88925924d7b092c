"""The questions callers ask the store, typed. Each takes an open session and commits nothing.

Only ``get_or_create_person`` writes (it flushes a new person so the caller can link rows
to it in the same transaction).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import String, select, type_coerce
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
    # Columns, not ORM objects: a store of 20,000 people holds 350,000 events, and
    # loading each as an entity cost more than the rules themselves.
    # The details as stored: most events share one of a few thousand texts, so each text is
    # decoded once (SQLite hands over text; PostgreSQL's driver decodes JSON itself).
    query = (
        select(EventRow.person_id, EventRow.service, EventRow.kind, EventRow.on, EventRow.at,
               EventRow.worker, EventRow.team, EventRow.complete, EventRow.submission_id,
               Submission.archived_path, type_coerce(EventRow.details, String))
        .join(Submission, EventRow.submission_id == Submission.id)
        .where(Submission.status == SubmissionStatus.STORED)
        .order_by(EventRow.on, EventRow.id)
    )
    decoded: dict[str, Any] = {}

    def details_of(stored: Any) -> Any:
        if not isinstance(stored, str):
            return stored
        if stored not in decoded:
            decoded[stored] = json.loads(stored)
        return decoded[stored]

    # Each Event validates (and so copies) its details: events never share a dict.
    return [
        Event(person_id=person_id, service=service, kind=kind, on=on, at=at, worker=worker,
              team=team, complete=complete, submission_id=submission_id, source=source,
              details=details_of(details))
        for (person_id, service, kind, on, at, worker, team, complete, submission_id, source,
             details) in session.execute(query)
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
