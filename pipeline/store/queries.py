"""The questions callers ask the store, typed. Each takes an open session and commits nothing."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import String, func, select, type_coerce
from sqlalchemy.orm import Session

from pipeline.records import Event
from pipeline.store.models import EventRow, Submission, SubmissionStatus


def find_submission_by_sha(session: Session, sha256: str) -> Submission | None:
    """The submission of the file with this content hash (any status), or ``None``."""
    return session.scalars(select(Submission).where(Submission.sha256 == sha256)).first()


def rejected(session: Session) -> list[Submission]:
    """Rejected submissions, newest first (what a person should look at next)."""
    query = (
        select(Submission)
        .where(Submission.status == SubmissionStatus.REJECTED)
        .order_by(Submission.received_at.desc(), Submission.id.desc())
    )
    return list(session.scalars(query))


def event_facts(session: Session) -> list[Event]:
    """Every event of a ``stored`` submission: what the rules work from.

    Events of superseded or rejected submissions are left out; ``source`` is the
    submission's archived file. Events with the same details share one ``details`` dict
    (see :class:`~pipeline.records.Event`). In no particular order: for
    :func:`pipeline.rules.compute_obligations`, which sorts each person's events itself,
    over a council's hundreds of thousands.
    """
    # Columns, not ORM objects: a store of 20,000 people holds 350,000 events, and
    # loading each as an entity cost more than the rules themselves. No join either: the
    # archived files of the stored submissions are read once, into a dict (a join looked
    # one up per event, and the database then sorted rows carrying them).
    sources: dict[int, str | None] = dict(session.connection().execute(
        select(Submission.id, Submission.archived_path)
        .where(Submission.status == SubmissionStatus.STORED)).all())
    # The details as stored: most events share one of a few thousand texts, so each
    # is decoded once (SQLite hands over text; PostgreSQL's driver decodes JSON).
    query = select(EventRow.submission_id, EventRow.person_id, EventRow.service,
                   EventRow.kind, EventRow.on, EventRow.at, EventRow.worker,
                   EventRow.team, EventRow.complete, type_coerce(EventRow.details, String))
    return _built(session.connection().execute(query).all(), sources)


def _built(rows: Iterable[tuple[int, str, str, str, date, datetime | None, str | None,
                                str | None, bool, Any]],
           sources: dict[int, str | None]) -> list[Event]:
    """Events from rows, keeping those of the submissions in ``sources`` (their files)."""
    # One dict per distinct details text, shared by the events that have it.
    decoded: dict[str, Any] = {}
    # One copy of each repeated text (service, kind, worker, a person's id) for all events.
    texts: dict[str, str] = {}
    once = texts.setdefault
    found: list[Event] = []
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
        add(Event(once(person_id, person_id), once(service, service), once(kind, kind),
                  on, at, None if worker is None else once(worker, worker),
                  None if team is None else once(team, team), complete,
                  submission_id, sources[submission_id], details))
    return found


_PEOPLE_PER_QUERY = 500


def people_event_facts(session: Session, person_ids: Iterable[str], *,
                       every_copy: bool = False, service: str | None = None,
                       kind: str | None = None) -> list[Event]:
    """The events of these people, as :func:`event_facts` gives everyone's (of one
    ``service`` and ``kind``, when given); with ``every_copy``, those of their
    superseded copies too (what their forms ever said). For a few people at a time (a
    batch of forms being stored)."""
    wanted = sorted(set(person_ids))
    statuses = ([SubmissionStatus.STORED, SubmissionStatus.SUPERSEDED] if every_copy
                else [SubmissionStatus.STORED])
    found: list[Event] = []
    for start in range(0, len(wanted), _PEOPLE_PER_QUERY):
        query = (select(EventRow.submission_id, EventRow.person_id, EventRow.service,
                        EventRow.kind, EventRow.on, EventRow.at, EventRow.worker,
                        EventRow.team, EventRow.complete, type_coerce(EventRow.details, String),
                        Submission.archived_path)
                 .join(Submission, EventRow.submission_id == Submission.id)
                 .where(EventRow.person_id.in_(wanted[start:start + _PEOPLE_PER_QUERY]),
                        Submission.status.in_(statuses)))
        if service is not None:
            query = query.where(EventRow.service == service)
        if kind is not None:
            query = query.where(EventRow.kind == kind)
        rows = session.connection().execute(query).all()
        sources = {row[0]: row[10] for row in rows}
        found += _built((row[:10] for row in rows), sources)
    return found


def count_people(session: Session) -> int:
    """How many people have events (of any copy of their forms)."""
    return int(session.scalar(select(func.count(EventRow.person_id.distinct()))) or 0)
