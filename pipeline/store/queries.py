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

# Every field is given when an event is read from the store (Event is frozen: never changed).
_EVENT_FIELDS = set(Event.model_fields)


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
    # One copy of each repeated text (service, kind, worker, a person's id) for all events.
    texts: dict[str, str] = {}
    found: list[Event] = []
    for (person_id, service, kind, on, at, worker, team, complete, submission_id, source,
         details) in session.execute(query):
        if isinstance(details, str):
            if details not in decoded:
                decoded[details] = json.loads(details)
            details = decoded[details]
        # Built without validation: every value is already of its column's type, and a
        # council's store holds hundreds of thousands of events (validating them cost
        # seconds; one shared, never-changed set of fields saves a set per event).
        found.append(Event.model_construct(
            _EVENT_FIELDS, person_id=_once(texts, person_id), service=_once(texts, service),
            kind=_once(texts, kind), on=on, at=at,
            worker=None if worker is None else _once(texts, worker),
            team=None if team is None else _once(texts, team), complete=complete,
            submission_id=submission_id, source=source, details=dict(details)))
    return found


def _once(texts: dict[str, str], text: str) -> str:
    return texts.setdefault(text, text)


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
