"""The questions callers ask the store, typed. Each takes an open session and commits nothing.

Only ``get_or_create_person`` writes (it flushes a new person so the caller can link rows
to it in the same transaction).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import String, select, type_coerce
from sqlalchemy.orm import Session

from pipeline.records import Event, StoredEvent, construct_trusted
from pipeline.rules.bulk import collector_paused
from pipeline.store.models import EventRow, Person, Submission, SubmissionStatus
from pipeline.store.people import get_or_create_people

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
    submission's archived file. Events of one date are in the order they were stored.
    """
    # Built without validation: every value is already of its column's type (validating
    # them cost seconds for a council). Each with its own details; all with one shared,
    # never-changed set of fields (Event is frozen).
    return [construct_trusted(Event, {**facts._asdict(), "details": dict(facts.details)},
                              _EVENT_FIELDS)
            for facts in _stored_events(session, ordered=True)]


def event_facts(session: Session) -> list[StoredEvent]:
    """The same events as :func:`events`, as :class:`~pipeline.records.StoredEvent`
    tuples in no particular order: for :func:`pipeline.rules.compute_obligations`, which
    sorts each person's events itself, over a council's hundreds of thousands."""
    return _stored_events(session, ordered=False)


def _stored_events(session: Session, *, ordered: bool) -> list[StoredEvent]:
    # Columns, not ORM objects: a store of 20,000 people holds 350,000 events, and
    # loading each as an entity cost more than the rules themselves. No join either: the
    # archived files of the stored submissions are read once, into a dict (a join looked
    # one up per event, and the database then sorted rows carrying them).
    with collector_paused():
        sources: dict[int, str | None] = dict(session.connection().execute(
            select(Submission.id, Submission.archived_path)
            .where(Submission.status == SubmissionStatus.STORED)).all())
        # The details as stored: most events share one of a few thousand texts, so each
        # is decoded once (SQLite hands over text; PostgreSQL's driver decodes JSON).
        query = select(EventRow.submission_id, EventRow.person_id, EventRow.service,
                       EventRow.kind, EventRow.on, EventRow.at, EventRow.worker,
                       EventRow.team, EventRow.complete, type_coerce(EventRow.details, String))
        if ordered:
            query = query.order_by(EventRow.on, EventRow.id)
        return _built(session.connection().execute(query).all(), sources)


def _built(rows: Iterable[tuple[int, str, str, str, date, datetime | None, str | None,
                                str | None, bool, Any]],
           sources: dict[int, str | None]) -> list[StoredEvent]:
    """Events from rows, keeping those of the submissions in ``sources`` (their files)."""
    # One dict per distinct details text, shared by the events that have it.
    decoded: dict[str, Any] = {}
    # One copy of each repeated text (service, kind, worker, a person's id) for all events.
    texts: dict[str, str] = {}
    once = texts.setdefault
    found: list[StoredEvent] = []
    add = found.append
    for (submission_id, person_id, service, kind, on, at, worker, team, complete,
         details) in rows:
        if submission_id not in sources:
            continue
        if isinstance(details, str):
            text = details
            details = decoded.get(text)
            if details is None:
                details = decoded[text] = json.loads(text)
        add(StoredEvent(once(person_id, person_id), once(service, service), once(kind, kind),
                        on, at, None if worker is None else once(worker, worker),
                        None if team is None else once(team, team), complete,
                        submission_id, sources[submission_id], details))
    return found


def get_or_create_person(session: Session, person_id: str) -> Person:
    """The person with this id, created (and flushed) if the store has not seen them.

    Safe when two processes meet the same new person at once: the loser of the race
    finds the winner's row instead of failing (see
    :func:`pipeline.store.people.get_or_create_people`).
    """
    return get_or_create_people(session, [person_id])[person_id]
