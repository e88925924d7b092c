"""Gathering the weekly workbook's input from the store.

The report modules are pure functions over typed input; this module (with
:mod:`pipeline.reports.snapshots`) is where reports meet the store: obligations by the
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
from typing import Any

from sqlalchemy import String, select, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from pipeline import casework
from pipeline.config import Settings
from pipeline.definitions import Catalogue
from pipeline.records import Finding
from pipeline.reports import snapshots
from pipeline.reports.weekly_data import (
    ActivePerson,
    Disagreed,
    DisagreementRow,
    IncompleteRow,
    RejectedRow,
    ScoreRow,
    WeeklyInput,
)
from pipeline.reports.weekly_summary import TREND_WEEKS
from pipeline.store import queries
from pipeline.store.models import Episode, EventRow, OutcomeScore, Submission, SubmissionStatus
from pipeline.store.session import Store

OPENING_EVENTS = ("referral", "start")
# How a ticked yes/no box reads back from a form's JSON in SQL, by database.
_MAYBE_TRUE = {"1", "true", "True"}
_IDS_PER_QUERY = 500


def weekly_input(store: Store, settings: Settings, as_of: date,
                 catalogue: Catalogue | None = None) -> WeeklyInput:
    """Everything the complete weekly workbook shows as of ``as_of``, from the store."""
    catalogue = catalogue or Catalogue.load(settings.forms_path)
    policies = casework.service_policies(settings, catalogue)
    rows = casework.obligations(store, settings, as_of, policies)
    with store.session() as session:
        people = active_people(session, as_of)
        open_to = {(p.person_id, p.service) for p in people}
        services = set(session.scalars(select(EventRow.service).distinct()))
        return WeeklyInput(
            as_of=as_of, obligations=rows, incomplete=incomplete(session, as_of),
            rejected=rejected(session), active_people=people,
            due_soon_days=settings.due_soon_days,
            disagreements=disagreements(session, as_of, open_to, catalogue),
            scores=scores(session, as_of, area_labels(catalogue)),
            history=snapshots.load_weeks(session, as_of - timedelta(weeks=TREND_WEEKS - 1),
                                         as_of),
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
    query = (
        select(Submission.person_id, Submission.service, Submission.form_id,
               Submission.received_at, Submission.archived_path, _value("worker"),
               type_coerce(Submission.findings, String))
        .where(Submission.status == SubmissionStatus.STORED)
        .order_by(Submission.received_at, Submission.id))
    cache: dict[str, Any] = {}
    found: list[IncompleteRow] = []
    for person, service, form_id, received_at, archived, worker, stored in (
            session.execute(query)):
        if received_at.date() > as_of:
            continue
        for finding in _decoded(stored, cache):
            found.append(IncompleteRow.from_finding(
                Finding.model_validate(finding), person_id=person, service=service or "",
                form_id=form_id or "", received_at=received_at, archived_path=archived,
                worker=worker))
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


def disagreements(session: Session, as_of: date, open_to: set[tuple[str, str]],
                  catalogue: Catalogue) -> list[DisagreementRow]:
    """Forms of people supported now on which the person disagreed, or on which wishes
    could not be incorporated, dated on or before ``as_of``."""
    titles = {d.id: d.title for d in catalogue}
    # First only the two answers that decide, as the database reads them (SQLite gives a
    # JSON true as 1, PostgreSQL as 'true'), for every current form with a person...
    flagged = session.execute(
        select(Submission.id, Submission.person_id, Submission.service,
               Submission.event_date, Submission.form_id, Submission.archived_path,
               _value("disagreement"), _value("wishes_not_incorporated"))
        .where(Submission.status == SubmissionStatus.STORED,
               Submission.person_id.is_not(None))
        .order_by(Submission.event_date, Submission.received_at, Submission.id)).all()
    chosen = [row for row in flagged
              if (row[1] or "", row[2] or "") in open_to
              and (row[3] is None or row[3] <= as_of)
              and (str(row[6]) in _MAYBE_TRUE or str(row[7]) in _MAYBE_TRUE)]
    # ...then the whole answers of those forms alone, checked exactly.
    answers: dict[int, dict[str, Any]] = {}
    for ids in _chunks([row[0] for row in chosen]):
        for number, stored in session.execute(
                select(Submission.id, Submission.values).where(Submission.id.in_(ids))):
            answers[number] = stored.get("values", {})
    found: list[DisagreementRow] = []
    for number, person, service, on, form_id, archived, *_ in chosen:
        values = answers[number]
        common: dict[str, Any] = {
            "person_id": person or "", "service": service or "", "on": on,
            "form_title": titles.get(form_id or "", form_id or ""),
            "worker": values.get("worker"), "team": values.get("team"),
            "archived_path": archived,
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


def scores(session: Session, as_of: date,
           labels: dict[str, str] | None = None) -> list[ScoreRow]:
    """First and latest outcome score per person, service and area, up to ``as_of``.

    Areas are shown by their ``labels`` where chosen from a list; typed areas are matched
    ignoring case and surrounding spaces and shown as last written.
    """
    named = labels or {}
    rows = session.execute(
        select(OutcomeScore.person_id, OutcomeScore.area, OutcomeScore.score,
               OutcomeScore.scored_on, Submission.service, Submission.archived_path,
               _value("worker"))
        .join(Submission, OutcomeScore.submission_id == Submission.id)
        .where(Submission.status == SubmissionStatus.STORED)
        .order_by(OutcomeScore.scored_on, Submission.received_at, OutcomeScore.id))
    grouped: defaultdict[tuple[str, str, str], list[Any]] = defaultdict(list)
    for row in rows:
        person, area, _, scored_on, service = row[:5]
        if scored_on is not None and scored_on > as_of:
            continue
        key = (person, service or "", named.get(area, area).strip().casefold())
        grouped[key].append(row)
    found: list[ScoreRow] = []
    for (person, service, _), items in grouped.items():
        first, latest = items[0], items[-1]
        found.append(ScoreRow(
            person_id=person, service=service, area=named.get(latest[1], latest[1]).strip(),
            first=first[2], first_on=first[3], latest=latest[2], latest_on=latest[3],
            times=len({item[3] for item in items}), worker=latest[6], source=latest[5]))
    return found
