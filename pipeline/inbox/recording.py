"""Writing validated forms into the store, inside the caller's transaction.

Contract: ``record_submission`` adds the submission, its events, actions and outcome
scores and an audit entry, and settles supersession: of two stored copies of the same
form for the same person, service and event date, the correction wins (fewer blocking
findings, then the later last-saved time, never later than the file's arrival, then the
later arrival: :mod:`pipeline.store.supersession`), so the order in which copies
arrive does not decide which one counts. Both stay in the history. Then it rebuilds the
person's episodes in that service (:func:`settle_all_episodes`), again independent of order,
and brings the person's kept obligations up to date (:func:`keep_obligations`).
``record_submissions`` does the same for a batch of forms, in order, with the same rows
and outcomes as one at a time, reading and writing the store a table at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from pipeline.definitions import FormDefinition
from pipeline.records import Event, RawForm, Record
from pipeline.rules import basis
from pipeline.rules.episodes import CLOSING_EVENT, split_episodes
from pipeline.rules.events import event_order_key, first_fact, latest_value
from pipeline.rules.kept import stored_columns
from pipeline.rules.listing import listed_people
from pipeline.rules.obligations import kept_obligations
from pipeline.store import audit, queries, supersession
from pipeline.store import kept as kept_store
from pipeline.store.models import (
    Action,
    AuditEntry,
    Episode,
    EventRow,
    OutcomeScore,
    Submission,
    SubmissionStatus,
)
from pipeline.store.people import get_or_create_people

LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class Stored:
    submission_id: int
    outcome: str  # "stored" or "superseded"
    reason: str | None = None


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def _current_copies(session: Session, new: list[Submission]
                    ) -> dict[supersession.CopyKey, list[Submission]]:
    """The stored copies that the ``new`` submissions compete with, by copy key (person,
    service, form, event date), in id order: one query for the whole batch."""
    keys = {supersession.copy_key(s) for s in new if supersession.competes(s)}
    if not keys:
        return {}
    people = sorted({person for person, _, _, _ in keys if person is not None})
    services = sorted({service for _, service, _, _ in keys if service is not None})
    forms = sorted({form for _, _, form, _ in keys if form is not None})
    current: dict[supersession.CopyKey, list[Submission]] = {key: [] for key in keys}
    fresh = {id(s) for s in new}
    rows = session.scalars(
        select(Submission).where(Submission.status == SubmissionStatus.STORED,
                                 Submission.person_id.in_(people),
                                 Submission.service.in_(services),
                                 Submission.form_id.in_(forms))
        .order_by(Submission.id))
    for submission in rows:
        key = supersession.copy_key(submission)
        if key in current and id(submission) not in fresh:
            current[key].append(submission)
    return current


def _settle_supersession(new: Submission, current: dict[supersession.CopyKey, list[Submission]]
                         ) -> tuple[str, str | None]:
    """Settle ``new`` against the stored copies of the same form for the same person,
    service and date (``current``, updated: the loser leaves it, a winning ``new`` joins
    it), by :func:`pipeline.store.supersession.rank`."""
    if not supersession.competes(new):
        return "stored", None
    rivals = current.setdefault(supersession.copy_key(new), [])
    if not rivals:
        rivals.append(new)
        return "stored", None
    best = max([new, *rivals], key=supersession.rank)
    other = rivals[0]
    for submission in [new, *rivals]:
        if submission is not best:
            submission.status = SubmissionStatus.SUPERSEDED
            submission.superseded_by = best.id
    rivals[:] = [best]
    if best is new:
        why = supersession.why_counts(new, [other]).removeprefix("counts: ")
        return "superseded", (f"Replaces the copy '{other.original_name}' of the same form, "
                              f"person, service and date: this is the {why}.")
    why = supersession.why_superseded(new, best).removeprefix("kept in the history only: ")
    return "superseded", f"Kept in the history only: {why}."


def _as_event(row: EventRow) -> Event:
    # The rules' own record of the row (no source: the episodes do not need it).
    return Event(person_id=row.person_id, service=row.service, kind=row.kind, on=row.on,
                 at=row.at, worker=row.worker, team=row.team, complete=row.complete,
                 submission_id=row.submission_id, details=row.details)


def settle_all_episodes(session: Session, pairs: set[tuple[str, str]]) -> None:
    """Rebuild the episodes of each (person, service) in ``pairs`` from their stored forms'
    events, with one query for the events and one for the episodes of them all.

    The split is the rules' own (:func:`pipeline.rules.episodes.split_episodes`) over
    the events of ``stored`` submissions in rule order, so the store's episodes never
    depend on the order forms arrived in and always agree with the deadlines. Episode
    rows are reused in date order, added or removed as needed; an episode opens on its
    first event and closes on its first closure. Each event is linked to its episode; a
    superseded copy's event to the latest episode opened on or before its date.
    """
    if not pairs:
        return
    people = sorted({person for person, _ in pairs})
    rows: dict[tuple[str, str], list[tuple[EventRow, str]]] = {pair: [] for pair in pairs}
    for row, status in session.execute(
            select(EventRow, Submission.status)
            .join(Submission, EventRow.submission_id == Submission.id)
            .where(EventRow.person_id.in_(people)).order_by(EventRow.id)):
        rows.get((row.person_id, row.service), []).append((row, status))
    episodes: dict[tuple[str, str], list[Episode]] = {pair: [] for pair in pairs}
    for episode in session.scalars(select(Episode).where(Episode.person_id.in_(people))
                                   .order_by(Episode.opened_on, Episode.id)):
        episodes.get((episode.person_id, episode.service), []).append(episode)
    plans = [(pair, _split(rows[pair]), episodes[pair]) for pair in sorted(pairs)]
    for (person_id, service), segments, kept in plans:
        while len(kept) < len(segments):
            kept.append(Episode(person_id=person_id, service=service))
            session.add(kept[-1])
        for episode, (segment, _) in zip(kept, segments, strict=False):
            closure = first_fact(segment, CLOSING_EVENT)
            episode.opened_on = segment[0].on
            episode.closed_on = closure.on if closure is not None else None
            episode.worker = latest_value(segment, "worker")
            episode.team = latest_value(segment, "team")
    session.flush()
    surplus: list[Episode] = []
    for pair, segments, kept in plans:
        for episode, (_, segment_rows) in zip(kept, segments, strict=False):
            for row in segment_rows:
                row.episode_id = episode.id
        current = kept[:len(segments)]
        for row, status in rows[pair]:
            if status != SubmissionStatus.STORED:
                opened = [e for e in current if e.opened_on <= row.on]
                row.episode_id = (opened[-1] if opened else current[0]).id if current else None
        surplus += kept[len(segments):]
    session.flush()
    for episode in surplus:
        session.delete(episode)
    session.flush()


def _split(rows: list[tuple[EventRow, str]]) -> list[tuple[list[Event], list[EventRow]]]:
    """The episodes of one person in one service: each segment's events and their rows."""
    pairs = sorted(((_as_event(row), row) for row, status in rows
                    if status == SubmissionStatus.STORED), key=lambda p: event_order_key(p[0]))
    row_of = {id(event): row for event, row in pairs}
    return [(segment, [row_of[id(event)] for event in segment])
            for segment in split_episodes([event for event, _ in pairs])]


def _events(submission: Submission, record: Record, definition: FormDefinition
            ) -> list[dict[str, Any]]:
    """The event rows of one form (linked to episodes by settle_all_episodes, once supersession
    is settled)."""
    worker = record.values.get("worker")
    team = record.values.get("team")
    rows = []
    for spec in definition.events:
        kind, value = spec.kind, record.values.get(spec.date_field)
        if value is None:
            continue
        at = None
        if isinstance(value, datetime):
            at = value.astimezone(LONDON).replace(tzinfo=None)
            value = at.date()
        rows.append({
            "submission_id": submission.id, "person_id": submission.person_id,
            "episode_id": None, "service": record.service, "kind": kind, "on": value, "at": at,
            "worker": worker, "team": team, "complete": record.complete,
            "details": {key: event_detail(record, definition, key) for key in spec.details}})
    return rows


def event_detail(record: Record, definition: FormDefinition, key: str) -> Any:
    """One event detail as the store keeps it (JSON): a value, or a table's rows."""
    if key in definition.tables_by_key:
        return [{column: _jsonable(value) for column, value in row.items()}
                for row in record.tables.get(key, [])]
    return _jsonable(record.values.get(key))


def _actions(submission: Submission, record: Record) -> list[dict[str, Any]]:
    return [{"submission_id": submission.id, "person_id": submission.person_id,
             "area": row.get("area"), "issue": row.get("issue"), "task": row.get("task"),
             "responsible": row.get("responsible"), "target_date": row.get("target_date")}
            for row in record.tables.get("actions", [])]


def _scores(submission: Submission, record: Record) -> list[dict[str, Any]]:
    return [{"submission_id": submission.id, "person_id": submission.person_id,
             "area": row["area"], "score": round(row["score"]), "scored_on": record.event_date}
            for row in record.tables.get("scores", [])
            if row.get("area") and row.get("score") is not None]


def _insert(session: Session, table: type[Any], rows: list[dict[str, Any]]) -> None:
    """Many rows of one table in one statement (none: nothing to do)."""
    if rows:
        session.execute(insert(table), rows)


@dataclass(frozen=True)
class NewForm:
    """One validated form (it has a person id) to store, and where its file came from."""

    raw: RawForm
    record: Record
    sha256: str
    original_name: str
    received_at: datetime
    archived_path: str
    definition: FormDefinition


def record_submission(
    session: Session, *, raw: RawForm, record: Record, sha256: str, original_name: str,
    received_at: datetime, archived_path: str, command: str, definition: FormDefinition,
    site: str | None = None,
) -> Stored:
    """Store one complete-or-not form (it has a person id); see the module docstring."""
    form = NewForm(raw=raw, record=record, sha256=sha256, original_name=original_name,
                   received_at=received_at, archived_path=archived_path, definition=definition)
    return record_submissions(session, [form], command=command, site=site)[0]


def record_submissions(session: Session, forms: list[NewForm], *, command: str,
                       site: str | None = None) -> list[Stored]:
    """Store several forms in the caller's transaction, in order: the same rows and
    outcomes as :func:`record_submission` for each in turn, with the store read in a
    few queries for the whole batch instead of several per form."""
    people = get_or_create_people(session, sorted({f.record.person_id or "" for f in forms}))
    submissions = [_submission(form, people[form.record.person_id or ""].person_id, command,
                               site) for form in forms]
    session.add_all(submissions)
    session.flush()
    events: list[dict[str, Any]] = []
    event_counts: list[int] = []
    actions: list[dict[str, Any]] = []
    scores: list[dict[str, Any]] = []
    for form, submission in zip(forms, submissions, strict=True):
        rows = _events(submission, form.record, form.definition)
        events += rows
        event_counts.append(len(rows))
        actions += _actions(submission, form.record)
        scores += _scores(submission, form.record)
    _insert(session, EventRow, events)
    _insert(session, Action, actions)
    _insert(session, OutcomeScore, scores)
    current = _current_copies(session, submissions)
    stored: list[Stored] = []
    entries: list[dict[str, Any]] = []
    for form, submission, count in zip(forms, submissions, event_counts, strict=True):
        outcome, reason = _settle_supersession(submission, current)
        entries.append(audit.entry(
            command=command, action=outcome, submission_id=submission.id, sha256=form.sha256,
            detail={"form_id": form.record.form_id, "file_name": form.original_name,
                    "archived_path": form.archived_path, "event_count": count,
                    "superseded_by_id": submission.superseded_by,
                    "finding_codes": sorted({f.code for f in form.record.findings})}))
        stored.append(Stored(submission.id, outcome, reason))
    _insert(session, AuditEntry, entries)
    session.flush()
    settle_all_episodes(session, {(s.person_id or "", s.service or "") for s in submissions})
    keep_obligations(session, {s.person_id for s in submissions if s.person_id})
    return stored


def keep_obligations(session: Session, people: set[str]) -> None:
    """Bring the kept obligations of ``people`` up to date with their stored forms, in
    the caller's transaction, by the rule sets the store's were worked out with (so a
    watcher started before a policy changed keeps them as the rest were kept).

    The people their forms list (a mother's children: on any copy, so a child a
    corrected referral no longer lists is worked out again too) are brought up to date
    with them, from their own forms and those of everyone listing them. Nothing is done
    before obligations were first worked out (the first command that reads them works
    them all out); if the store's were worked out by another Planwatch (other rules or
    bank holidays), they are marked to be worked out again instead.
    """
    kept_store.hold(session, alone=False)
    found = kept_store.basis(session)
    if found is None or found.fingerprint in (kept_store.MIGRATED, kept_store.STALE):
        return
    if found.rule_sets is None or basis.fingerprint_of_text(found.rule_sets) != (
            found.fingerprint):
        kept_store.mark_stale(session)
        return
    rule_sets = basis.rule_sets_from_text(found.rule_sets)
    kept_store.lock_people(session, people)
    listed: set[str] = set()
    for rule_set in rule_sets.values():
        listing = rule_set.listed_on
        if listing is not None:
            for event in queries.people_event_facts(session, people, every_copy=True,
                                                    service=listing.service,
                                                    kind=listing.event):
                listed.update(listed_people(event, listing))
    listed -= people
    kept_store.lock_people(session, listed)
    worked = people | listed
    listers = {m for group in kept_store.groups(session, people=worked) for m in group.listers}
    events = queries.people_event_facts(session, worked | listers)
    groups = [group for group in kept_obligations(events, rule_sets)
              if group.person_id in worked]
    kept_store.replace(
        session, worked,
        [kept_store.Group(g.person_id, g.service, g.horizon, g.listers) for g in groups],
        [stored_columns(row) for group in groups for row in group.rows])


def _submission(form: NewForm, person_id: str, command: str, site: str | None) -> Submission:
    record = form.record
    values = record.json_values()
    values.update(supersession.saved_values(form.raw.modified, form.received_at))
    return Submission(
        sha256=form.sha256, original_name=form.original_name, received_at=form.received_at,
        form_id=record.form_id, form_version=record.form_version, service=record.service,
        person_id=person_id, event_date=record.event_date, archived_path=form.archived_path,
        status=SubmissionStatus.STORED, values=values,
        findings=[f.model_dump(mode="json") for f in record.findings], command=command,
        site=site)
