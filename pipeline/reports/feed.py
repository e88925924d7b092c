"""Gathering the weekly workbook's input from the store.

The report modules are pure functions over typed input; this module (with
:mod:`pipeline.reports.weekly.snapshots`) is where reports meet the store: obligations by the
services' policies with the workspace's defaults (:func:`pipeline.casework.obligations`),
incomplete and rejected forms, open episodes with their teams and opening forms,
disagreements, outcome scores, capacities, the form that meets each obligation and the
trend's snapshots.

A council's store holds hundreds of thousands of forms, so every question reads only the
columns it needs (a value inside a form's JSON is read by the database), never whole
submissions: loading each as an object took most of a minute and gigabytes of memory.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from typing import Any, NamedTuple

from sqlalchemy import String, cast, select, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from pipeline import casework
from pipeline.config import Settings
from pipeline.definitions import Catalogue
from pipeline.records import Finding
from pipeline.reports.weekly import snapshots
from pipeline.reports.weekly.data import (
    ActivePerson,
    Disagreed,
    DisagreementRow,
    IncompleteRow,
    RejectedRow,
    ScoreRow,
    WeeklyInput,
)
from pipeline.reports.weekly.summary_sheet import TREND_WEEKS
from pipeline.store import queries
from pipeline.store.models import Episode, EventRow, OutcomeScore, Submission, SubmissionStatus
from pipeline.store.session import Store

OPENING_EVENTS = ("referral", "start")
# How a ticked yes/no box reads back from a form's JSON in SQL, by database.
_MAYBE_TRUE = {"1", "true", "True"}
_IDS_PER_QUERY = 500
_ROWS_PER_PART = 10_000


def weekly_input(store: Store, settings: Settings, as_of: date,
                 catalogue: Catalogue | None = None) -> WeeklyInput:
    """Everything the complete weekly workbook shows as of ``as_of``, from the store."""
    catalogue = catalogue or Catalogue.load(settings.forms_path)
    policies = casework.service_policies(settings, catalogue)
    events = casework.stored_events(store)
    rows = casework.obligations(store, settings, as_of, policies, events)
    across = casework.link_findings(events, policies)
    with store.session() as session:
        people = active_people(session, as_of)
        open_to = {(p.person_id, p.service) for p in people}
        services = set(session.scalars(select(EventRow.service).distinct()))
        # Each current form's JSON is read by the database once, for all that need it.
        forms = current_forms(session)
        return WeeklyInput(
            as_of=as_of, obligations=rows,
            incomplete=[*incomplete(session, as_of), *linked(session, as_of, across)],
            rejected=rejected(session), active_people=people,
            due_soon_days=settings.due_soon_days,
            disagreements=disagreements(session, as_of, open_to, catalogue, forms),
            scores=scores(session, as_of, area_labels(catalogue), forms),
            history=snapshots.load_weeks(
                session, as_of - timedelta(weeks=TREND_WEEKS - 1), as_of),
            # A capacity shows only for services this workspace has forms of.
            capacities={s: n for s, n in policies.capacities().items() if s in services},
            forms_needed=policies.forms_needed(catalogue),
            green_at=settings.on_time_green_percent / 100,
            amber_at=settings.on_time_amber_percent / 100)


def _value(key: str) -> ColumnElement[str]:
    """A text value of a stored form (``values["values"][key]``), read by the database."""
    value: ColumnElement[str] = Submission.values[("values", key)].as_string()
    return value


def _decoded(stored: Any, cache: dict[str, Any]) -> Any:
    """A JSON column read as text (SQLite) decoded once per distinct text; PostgreSQL's
    driver hands over decoded values already."""
    if not isinstance(stored, str):
        return stored
    if stored not in cache:
        cache[stored] = json.loads(stored)
    return cache[stored]


def incomplete(session: Session, as_of: date) -> list[IncompleteRow]:
    """One row per finding on a stored form received by ``as_of``, in order of arrival."""
    # Only forms with findings: few of a council's forms (an empty list is stored as
    # "[]"; a form stored otherwise is read and found to have none), so a form's JSON is
    # read for its worker only when it has a finding.
    query = (
        select(Submission.person_id, Submission.service, Submission.form_id,
               Submission.received_at, Submission.archived_path, _value("worker"),
               type_coerce(Submission.findings, String), Submission.event_date)
        .where(Submission.status == SubmissionStatus.STORED,
               cast(Submission.findings, String) != "[]")
        .order_by(Submission.received_at, Submission.id))
    cache: dict[str, Any] = {}
    found: list[IncompleteRow] = []
    for person, service, form_id, received_at, archived, worker, stored, dated in (
            session.execute(query)):
        if received_at.date() > as_of:
            continue
        for finding in _decoded(stored, cache):
            found.append(IncompleteRow.from_finding(
                Finding.model_validate(finding), person_id=person, service=service or "",
                form_id=form_id or "", received_at=received_at, archived_path=archived,
                worker=worker, form_date=dated))
    return found


def linked(session: Session, as_of: date,
           findings: dict[int, list[Finding]]) -> list[IncompleteRow]:
    """Rows for findings across forms (:func:`pipeline.casework.link_findings`: a child's
    referral and her mother's disagree), on the stored forms they are shown against."""
    if not findings:
        return []
    found: list[IncompleteRow] = []
    ids = sorted(findings)
    for start in range(0, len(ids), _IDS_PER_QUERY):
        query = (
            select(Submission.id, Submission.person_id, Submission.service,
                   Submission.form_id, Submission.received_at, Submission.archived_path,
                   _value("worker"), Submission.event_date)
            .where(Submission.id.in_(ids[start:start + _IDS_PER_QUERY]),
                   Submission.status == SubmissionStatus.STORED)
            .order_by(Submission.received_at, Submission.id))
        for number, person, service, form_id, received_at, archived, worker, dated in (
                session.execute(query)):
            if received_at.date() > as_of:
                continue
            found += [IncompleteRow.from_finding(
                finding, person_id=person, service=service or "", form_id=form_id or "",
                received_at=received_at, archived_path=archived, worker=worker,
                form_date=dated)
                for finding in findings[number]]
    return found


def rejected(session: Session) -> list[RejectedRow]:
    """Files that could not be taken in, newest first."""
    return [
        RejectedRow(file_name=s.original_name, received_at=s.received_at,
                    reason=s.reason or "", rejected_path=s.rejected_path, site=s.site)
        for s in queries.rejected(session)
    ]


def active_people(session: Session, as_of: date) -> list[ActivePerson]:
    """Open episodes on ``as_of``, once per person and service (the latest episode),
    each with the archived form of its opening event."""
    episodes = session.execute(
        select(Episode.id, Episode.person_id, Episode.service, Episode.opened_on,
               Episode.closed_on, Episode.worker, Episode.team)
        .where(Episode.opened_on <= as_of)
        .order_by(Episode.person_id, Episode.service, Episode.opened_on, Episode.id)).all()
    opening: dict[int, str | None] = {}
    rows = session.execute(
        select(EventRow.episode_id, Submission.archived_path)
        .join(Submission, EventRow.submission_id == Submission.id)
        .where(Submission.status == SubmissionStatus.STORED,
               EventRow.kind.in_(OPENING_EVENTS))
        .order_by(EventRow.on, EventRow.id))
    for episode_id, archived in rows:
        if episode_id is not None:
            opening.setdefault(episode_id, archived)
    found: dict[tuple[str, str], ActivePerson] = {}
    for episode_id, person, service, opened_on, closed_on, worker, team in episodes:
        if closed_on is not None and closed_on <= as_of:
            found.pop((person, service), None)
            continue
        found[(person, service)] = ActivePerson(
            person_id=person, service=service, worker=worker, team=team, opened_on=opened_on,
            source=opening.get(episode_id))
    return list(found.values())


def _chunks(items: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(items), _IDS_PER_QUERY):
        yield items[start:start + _IDS_PER_QUERY]


class CurrentForm(NamedTuple):
    """A current (``stored``) form the workbook may list as a disagreement: whose, which,
    its file, and the two answers that decide, as the database reads them from its JSON
    (SQLite gives a JSON true as 1, PostgreSQL as 'true')."""

    id: int
    person_id: str | None
    service: str | None
    event_date: date | None
    form_id: str | None
    archived_path: str | None
    disagreement: Any
    wishes_not_incorporated: Any


class ScoredForm(NamedTuple):
    """What an outcome score shows of the form it is on: service, file and worker."""

    service: str | None
    archived_path: str | None
    worker: str | None


class CurrentForms(NamedTuple):
    """What the workbook reads of the current forms, each form's JSON read once: those
    with a disagreement or wishes not incorporated (maybe: checked exactly later), by
    date then arrival, and the forms that carry outcome scores, by id."""

    flagged: list[CurrentForm]
    scored: dict[int, ScoredForm]


def current_forms(session: Session) -> CurrentForms:
    """The :class:`CurrentForms` of the store, for :func:`disagreements` and
    :func:`scores` (a council's forms: only what those need is kept)."""
    scored_ids = set(session.scalars(select(OutcomeScore.submission_id).distinct()))
    rows = session.connection().execute(
        select(Submission.id, Submission.person_id, Submission.service,
               Submission.event_date, Submission.form_id, Submission.archived_path,
               _value("disagreement"), _value("wishes_not_incorporated"), _value("worker"))
        .where(Submission.status == SubmissionStatus.STORED)
        .order_by(Submission.event_date, Submission.received_at, Submission.id))
    flagged: list[CurrentForm] = []
    scored: dict[int, ScoredForm] = {}
    # One copy of each worker's name and service for all the forms kept.
    texts: dict[str, str] = {}
    once = texts.setdefault
    for part in rows.partitions(_ROWS_PER_PART):
        for row in part:
            number, _, service, _, _, archived, disagreement, wishes, worker = row
            # Most forms have neither answer (None is never true: spared two str()s).
            if (disagreement is not None or wishes is not None) and (
                    str(disagreement) in _MAYBE_TRUE or str(wishes) in _MAYBE_TRUE):
                flagged.append(CurrentForm._make(row[:8]))
            if number in scored_ids:
                scored[number] = ScoredForm(
                    None if service is None else once(service, service), archived,
                    None if worker is None else once(worker, worker))
    return CurrentForms(flagged, scored)


def disagreements(session: Session, as_of: date, open_to: set[tuple[str, str]],
                  catalogue: Catalogue,
                  forms: CurrentForms | None = None) -> list[DisagreementRow]:
    """Forms of people supported now on which the person disagreed, or on which wishes
    could not be incorporated, dated on or before ``as_of`` (``forms``: the
    :func:`current_forms`, when already read)."""
    titles = {d.id: d.title for d in catalogue}
    # First only the two answers that decide, as the database reads them, for every
    # current form with a person...
    chosen = [form for form in (current_forms(session) if forms is None else forms).flagged
              if form.person_id is not None
              and (form.person_id or "", form.service or "") in open_to
              and (form.event_date is None or form.event_date <= as_of)]
    # ...then the whole answers of those forms alone, checked exactly.
    answers: dict[int, dict[str, Any]] = {}
    for ids in _chunks([form.id for form in chosen]):
        for number, stored in session.execute(
                select(Submission.id, Submission.values).where(Submission.id.in_(ids))):
            answers[number] = stored.get("values", {})
    found: list[DisagreementRow] = []
    for form in chosen:
        values = answers[form.id]
        common: dict[str, Any] = {
            "person_id": form.person_id or "", "service": form.service or "",
            "on": form.event_date,
            "form_title": titles.get(form.form_id or "", form.form_id or ""),
            "worker": values.get("worker"), "team": values.get("team"),
            "archived_path": form.archived_path,
        }
        if values.get("disagreement") is True:
            found.append(DisagreementRow(
                kind=Disagreed.DISAGREEMENT, person_view=values.get("disagreement_person_view"),
                other_view=values.get("disagreement_worker_view"), **common))
        if values.get("wishes_not_incorporated") is True:
            found.append(DisagreementRow(
                kind=Disagreed.WISHES, person_view=values.get("person_views"),
                other_view=values.get("wishes_reason"), **common))
    return found


def area_labels(catalogue: Catalogue) -> dict[str, str]:
    """Outcome areas chosen from a list are stored by value ("stay_safe"): their labels."""
    labels: dict[str, str] = {}
    for definition in catalogue:
        table = definition.tables_by_key.get("scores")
        for column in table.columns if table else ():
            if column.key == "area":
                labels.update({c.value: c.label for c in column.choices})
    return labels


def scores(session: Session, as_of: date, labels: dict[str, str] | None = None,
           forms: CurrentForms | None = None) -> list[ScoreRow]:
    """First and latest outcome score per person, service and area, up to ``as_of``.

    Areas are shown by their ``labels`` where chosen from a list; typed areas are matched
    ignoring case and surrounding spaces and shown as last written. ``forms``: the
    :func:`current_forms`, when already read (the scores' forms: service, file, worker).
    """
    named = labels or {}
    by_id = (current_forms(session) if forms is None else forms).scored
    # Only the scores' own columns: the forms' are in by_id (the join is for the order).
    rows = session.connection().execute(
        select(OutcomeScore.person_id, OutcomeScore.area, OutcomeScore.score,
               OutcomeScore.scored_on, OutcomeScore.submission_id)
        .join(Submission, OutcomeScore.submission_id == Submission.id)
        .where(Submission.status == SubmissionStatus.STORED)
        .order_by(OutcomeScore.scored_on, Submission.received_at, OutcomeScore.id)).all()
    grouped: defaultdict[tuple[str, str, str], list[Any]] = defaultdict(list)
    # An area as matched: a council's scores use a few dozen, so each is worked out once.
    matched: dict[str, str] = {}
    for row in rows:
        person, area, _, scored_on, submission_id = row
        if scored_on is not None and scored_on > as_of:
            continue
        folded = matched.get(area)
        if folded is None:
            folded = matched[area] = named.get(area, area).strip().casefold()
        grouped[(person, by_id[submission_id].service or "", folded)].append(row)
    found: list[ScoreRow] = []
    for (person, service, _), items in grouped.items():
        first, latest = items[0], items[-1]
        form = by_id[latest[4]]
        # A whole-number score made a float (the workbook's averages are), and at least
        # one date counted (a score without a date counts once).
        found.append(ScoreRow(
            person_id=person, service=service, area=named.get(latest[1], latest[1]).strip(),
            first=float(first[2]), first_on=first[3], latest=float(latest[2]),
            latest_on=latest[3], times=len({item[3] for item in items}), worker=form.worker,
            source=form.archived_path))
    return found
