"""Writing one validated form into the store, inside the caller's transaction.

Contract: ``record_submission`` adds the submission, its events, actions and outcome
scores and an audit entry, and settles supersession: of two stored copies of the same
form for the same person and event date, the correction wins (fewer blocking findings,
then the later last-saved time, then the later arrival), so the order in which copies
arrive does not decide which one counts. Both stay in the history. Then it rebuilds the
person's episodes in that service (:func:`settle_episodes`), again independent of order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.definitions import FormDefinition
from pipeline.records import Event, RawForm, Record
from pipeline.rules.episodes import CLOSING_EVENT, split_episodes
from pipeline.rules.events import event_order_key, first_fact, latest_value
from pipeline.store import audit
from pipeline.store.models import (
    Action,
    Episode,
    EventRow,
    OutcomeScore,
    Submission,
    SubmissionStatus,
)
from pipeline.store.queries import get_or_create_person

LONDON = ZoneInfo("Europe/London")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Stored:
    submission_id: int
    outcome: str  # "stored" or "superseded"
    reason: str | None = None


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def _rank(submission: Submission) -> tuple[int, datetime, datetime, int]:
    blocking = sum(1 for f in submission.findings if f.get("severity") == "blocking")
    saved = submission.values.get("saved_at")
    saved_at = datetime.fromisoformat(saved) if isinstance(saved, str) else _EPOCH
    return (-blocking, saved_at, submission.received_at, submission.id)


def _settle_supersession(session: Session, new: Submission) -> tuple[str, str | None]:
    if new.event_date is None or new.person_id is None:
        return "stored", None
    rivals = session.scalars(
        select(Submission).where(
            Submission.status == SubmissionStatus.STORED,
            Submission.person_id == new.person_id,
            Submission.form_id == new.form_id,
            Submission.event_date == new.event_date,
            Submission.id != new.id,
        )
    ).all()
    if not rivals:
        return "stored", None
    best = max([new, *rivals], key=_rank)
    for submission in [new, *rivals]:
        if submission is not best:
            submission.status = SubmissionStatus.SUPERSEDED
            submission.superseded_by = best.id
    other = rivals[0]
    if best is new:
        return "superseded", (f"Replaces the copy '{other.original_name}' of the same form, "
                              "person and date: this is the corrected copy.")
    return "superseded", (f"Kept in the history only: the copy '{best.original_name}' "
                          "already stored is the corrected one.")


def _as_event(row: EventRow) -> Event:
    return Event(person_id=row.person_id, service=row.service, kind=row.kind, on=row.on,
                 at=row.at, worker=row.worker, team=row.team, complete=row.complete,
                 submission_id=row.submission_id, details=row.details)


def settle_episodes(session: Session, person_id: str, service: str) -> None:
    """Rebuild one person's episodes in one service from their stored forms' events.

    The split is the rules' own (:func:`pipeline.rules.episodes.split_episodes`) over
    the events of ``stored`` submissions in rule order, so the store's episodes never
    depend on the order forms arrived in and always agree with the deadlines. Episode
    rows are reused in date order, added or removed as needed; an episode opens on its
    first event and closes on its first closure. Each event is linked to its episode; a
    superseded copy's event to the latest episode opened on or before its date.
    """
    rows = session.execute(
        select(EventRow, Submission.status)
        .join(Submission, EventRow.submission_id == Submission.id)
        .where(EventRow.person_id == person_id, EventRow.service == service)
    ).all()
    pairs = sorted(((_as_event(row), row) for row, status in rows
                    if status == SubmissionStatus.STORED), key=lambda p: event_order_key(p[0]))
    row_of = {id(event): row for event, row in pairs}
    segments = split_episodes([event for event, _ in pairs])
    episodes = list(session.scalars(
        select(Episode).where(Episode.person_id == person_id, Episode.service == service)
        .order_by(Episode.opened_on, Episode.id)))
    while len(episodes) < len(segments):
        episodes.append(Episode(person_id=person_id, service=service))
        session.add(episodes[-1])
    for episode, segment in zip(episodes, segments, strict=False):
        closure = first_fact(segment, CLOSING_EVENT)
        episode.opened_on = segment[0].on
        episode.closed_on = closure.on if closure is not None else None
        episode.worker = latest_value(segment, "worker")
        episode.team = latest_value(segment, "team")
    session.flush()
    for episode, segment in zip(episodes, segments, strict=False):
        for event in segment:
            row_of[id(event)].episode_id = episode.id
    kept = episodes[:len(segments)]
    for row, status in rows:
        if status != SubmissionStatus.STORED:
            opened = [e for e in kept if e.opened_on <= row.on]
            row.episode_id = (opened[-1] if opened else kept[0]).id if kept else None
    session.flush()
    for surplus in episodes[len(segments):]:
        session.delete(surplus)
    session.flush()


def _events(session: Session, submission: Submission, record: Record, person_id: str,
            definition: FormDefinition) -> int:
    worker = record.values.get("worker")
    team = record.values.get("team")
    count = 0
    for spec in definition.events:
        kind, value = spec.kind, record.values.get(spec.date_field)
        if value is None:
            continue
        at = None
        if isinstance(value, datetime):
            at = value.astimezone(LONDON).replace(tzinfo=None)
            value = at.date()
        # Linked to its episode by settle_episodes, once supersession is settled.
        session.add(EventRow(
            submission_id=submission.id, person_id=person_id, episode_id=None,
            service=record.service, kind=kind, on=value, at=at, worker=worker, team=team,
            complete=record.complete,
            details={key: _jsonable(record.values.get(key)) for key in spec.details}))
        count += 1
    return count


def _rows(session: Session, submission: Submission, record: Record, person_id: str) -> None:
    for row in record.tables.get("actions", []):
        session.add(Action(
            submission_id=submission.id, person_id=person_id, area=row.get("area"),
            issue=row.get("issue"), task=row.get("task"), responsible=row.get("responsible"),
            target_date=row.get("target_date")))
    for row in record.tables.get("scores", []):
        if row.get("area") and row.get("score") is not None:
            session.add(OutcomeScore(
                submission_id=submission.id, person_id=person_id, area=row["area"],
                score=round(row["score"]), scored_on=record.event_date))


def record_submission(
    session: Session, *, raw: RawForm, record: Record, sha256: str, original_name: str,
    received_at: datetime, archived_path: str, command: str, definition: FormDefinition,
    site: str | None = None,
) -> Stored:
    """Store one complete-or-not form (it has a person id); see the module docstring."""
    assert record.person_id is not None
    person = get_or_create_person(session, record.person_id)
    values = record.json_values()
    values["saved_at"] = raw.modified.isoformat() if raw.modified else None
    submission = Submission(
        sha256=sha256, original_name=original_name, received_at=received_at,
        form_id=record.form_id, form_version=record.form_version, service=record.service,
        person_id=person.person_id, event_date=record.event_date, archived_path=archived_path,
        status=SubmissionStatus.STORED, values=values,
        findings=[f.model_dump(mode="json") for f in record.findings], command=command,
        site=site)
    session.add(submission)
    session.flush()
    events = _events(session, submission, record, person.person_id, definition)
    _rows(session, submission, record, person.person_id)
    outcome, reason = _settle_supersession(session, submission)
    settle_episodes(session, person.person_id, record.service)
    audit.record(session, command=command, action=outcome, submission_id=submission.id,
                 sha256=sha256, detail={"form_id": record.form_id, "file_name": original_name,
                                        "archived_path": archived_path, "event_count": events,
                                        "superseded_by_id": submission.superseded_by,
                                        "finding_codes": sorted({f.code for f in
                                                                 record.findings})})
    return Stored(submission.id, outcome, reason)
