"""Gathering the weekly workbook's input from the store.

The report modules are pure functions over typed input; this module (with
:mod:`pipeline.reports.snapshots`) is where reports meet the store. It builds on
:func:`pipeline.casework.weekly_input` (obligations by the services' policies with the
workspace's defaults, incomplete and rejected forms, capacities, the form that meets
each obligation) and adds what the complete workbook shows: teams and opening forms of
open episodes, disagreements, outcome scores and the trend's snapshots.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline import casework
from pipeline.config import Settings
from pipeline.definitions import Catalogue
from pipeline.reports import snapshots
from pipeline.reports.weekly_data import (
    ActivePerson,
    Disagreed,
    DisagreementRow,
    ScoreRow,
    WeeklyInput,
)
from pipeline.reports.weekly_summary import TREND_WEEKS
from pipeline.store.models import Episode, EventRow, OutcomeScore, Submission, SubmissionStatus
from pipeline.store.session import Store

OPENING_EVENTS = ("referral", "start")


def weekly_input(store: Store, settings: Settings, as_of: date,
                 catalogue: Catalogue | None = None) -> WeeklyInput:
    """Everything the complete weekly workbook shows as of ``as_of``, from the store."""
    catalogue = catalogue or Catalogue.load(settings.forms_path)
    base = casework.weekly_input(store, settings, as_of)
    with store.session() as session:
        people = active_people(session, as_of)
        open_to = {(p.person_id, p.service) for p in people}
        services = set(session.scalars(select(EventRow.service).distinct()))
        extra: dict[str, Any] = {
            "active_people": people,
            "disagreements": disagreements(session, as_of, open_to, catalogue),
            "scores": scores(session, as_of, area_labels(catalogue)),
            "history": snapshots.load_weeks(
                session, as_of - timedelta(weeks=TREND_WEEKS - 1), as_of),
        }
    return WeeklyInput.model_validate({
        **dict(base), **extra,
        # A capacity shows only for services this workspace has forms of.
        "capacities": {s: n for s, n in base.capacities.items() if s in services},
        "green_at": settings.on_time_green_percent / 100,
        "amber_at": settings.on_time_amber_percent / 100,
    })


def active_people(session: Session, as_of: date) -> list[ActivePerson]:
    """Open episodes on ``as_of``, once per person and service (the latest episode),
    each with the archived form of its opening event."""
    episodes = session.scalars(
        select(Episode).where(Episode.opened_on <= as_of)
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
    for episode in episodes:
        if episode.closed_on is not None and episode.closed_on <= as_of:
            found.pop((episode.person_id, episode.service), None)
            continue
        found[(episode.person_id, episode.service)] = ActivePerson(
            person_id=episode.person_id, service=episode.service, worker=episode.worker,
            team=episode.team, opened_on=episode.opened_on, source=opening.get(episode.id))
    return list(found.values())


def _stored(session: Session) -> list[Submission]:
    """Current copies of forms with a person, by form date (oldest first)."""
    return list(session.scalars(
        select(Submission)
        .where(Submission.status == SubmissionStatus.STORED,
               Submission.person_id.is_not(None))
        .order_by(Submission.event_date, Submission.received_at, Submission.id)))


def disagreements(session: Session, as_of: date, open_to: set[tuple[str, str]],
                  catalogue: Catalogue) -> list[DisagreementRow]:
    """Forms of people supported now on which the person disagreed, or on which wishes
    could not be incorporated, dated on or before ``as_of``."""
    titles = {d.id: d.title for d in catalogue}
    found: list[DisagreementRow] = []
    for submission in _stored(session):
        person, service = submission.person_id or "", submission.service or ""
        if (person, service) not in open_to:
            continue
        if submission.event_date is not None and submission.event_date > as_of:
            continue
        values: dict[str, Any] = submission.values.get("values", {})
        common: dict[str, Any] = {
            "person_id": person, "service": service, "on": submission.event_date,
            "form_title": titles.get(submission.form_id or "", submission.form_id or ""),
            "worker": values.get("worker"), "team": values.get("team"),
            "archived_path": submission.archived_path,
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
        select(OutcomeScore, Submission)
        .join(Submission, OutcomeScore.submission_id == Submission.id)
        .where(Submission.status == SubmissionStatus.STORED)
        .order_by(OutcomeScore.scored_on, Submission.received_at, OutcomeScore.id))
    grouped: defaultdict[tuple[str, str, str], list[tuple[OutcomeScore, Submission]]] = (
        defaultdict(list))
    for score, submission in rows:
        if score.scored_on is not None and score.scored_on > as_of:
            continue
        area = named.get(score.area, score.area).strip()
        key = (score.person_id, submission.service or "", area.casefold())
        grouped[key].append((score, submission))
    found: list[ScoreRow] = []
    for (person, service, _), items in grouped.items():
        (first, _), (latest, latest_form) = items[0], items[-1]
        found.append(ScoreRow(
            person_id=person, service=service, area=named.get(latest.area, latest.area).strip(),
            first=first.score, first_on=first.scored_on,
            latest=latest.score, latest_on=latest.scored_on,
            times=len({s.scored_on for s, _ in items}),
            worker=latest_form.values.get("values", {}).get("worker"),
            source=latest_form.archived_path))
    return found
