"""Outcome summaries for a workspace: on demand, when a closure arrives, before a departure.

    write_summary               ``planwatch summary PERSON``: the latest episode, now
    write_summary_for_closure   after ingest stores a closure form (the ingest hook)
    write_departure_drafts      a draft a week before a planned departure (daily check)

Summaries go to ``reports/summaries/`` (owner-only folder and files) unless another
path is given. File names carry the person's reference, never their name, made safe so
that two references never give one file name (:func:`~pipeline.files.file_part`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.definitions import Catalogue, FieldType, FormDefinition
from pipeline.errors import ReportError
from pipeline.files import file_part
from pipeline.names import Names
from pipeline.policies import SERVICE_PATTERN, load_policies
from pipeline.reports.outcome_summary.data import (
    CLOSURE_FORM,
    StoredForm,
    SummaryInput,
    build_summary,
)
from pipeline.reports.outcome_summary.document import TEMPLATE, write_summary_docx
from pipeline.reports.saving import report_folder, report_tree
from pipeline.store.models import Episode, EventRow, Submission, SubmissionStatus
from pipeline.store.session import Store

log = logging.getLogger("planwatch.reports")

SUMMARIES_DIR = "summaries"
CLOSURE_EVENT = "closure"
# Seed 000: the final session is in the last week of stay.
DRAFT_DAYS_BEFORE_DEPARTURE = 7


def summaries_path(reports_path: Path) -> Path:
    """Where summaries are written: ``<reports>/summaries``."""
    return reports_path / SUMMARIES_DIR


def summary_file_name(data: SummaryInput) -> str:
    """``outcome-summary-<person>-<service>-<closure date>.docx``, or ``-draft-<date>``
    (the planned departure, else the as-of date) while support is ongoing.

    The person's reference goes through :func:`file_part`, so two people never share a
    file: ``SWA 7001`` and ``SWA/7001`` are ``SWA_7001+<hash>`` with two hashes. A
    service id is already a safe name (lower-case letters, digits and dashes).
    """
    service = (data.service if re.fullmatch(SERVICE_PATTERN, data.service)
               else file_part(data.service))
    stem = f"outcome-summary-{file_part(data.person_id)}-{service}"
    if data.closure is not None and data.closure.closed_on is not None:
        return f"{stem}-{data.closure.closed_on:%Y-%m-%d}.docx"
    return f"{stem}-draft-{(data.planned_departure or data.as_of):%Y-%m-%d}.docx"


def _labels(definition: FormDefinition | None) -> dict[str, dict[str, str]]:
    if definition is None:
        return {}
    labels = {f.key: {c.value: c.label for c in f.choices}
              for f in definition.leaf_fields() if f.type is FieldType.CHOICE}
    for table in definition.tables:
        for column in table.columns:
            if column.type is FieldType.CHOICE:
                labels[f"{table.key}.{column.key}"] = {c.value: c.label for c in column.choices}
    return labels


def _long_texts(definition: FormDefinition | None) -> list[tuple[str, str]]:
    if definition is None:
        return []
    return [(f.key, f.label) for f in definition.leaf_fields()
            if f.type is FieldType.LONG_TEXT]


def _definition(catalogue: Catalogue, form_id: str | None) -> FormDefinition | None:
    return next((d for d in catalogue if d.id == form_id), None)


def load_summary(session: Session, catalogue: Catalogue, person_id: str, as_of: date,
                 service: str | None = None) -> SummaryInput:
    """The summary of ``person_id``'s latest episode (in ``service``) as of ``as_of``.

    Raises :class:`ReportError` when no form is stored for the person, or when they were
    supported by several services and ``service`` does not say which.
    """
    submissions = list(session.scalars(
        select(Submission).where(Submission.person_id == person_id,
                                 Submission.status == SubmissionStatus.STORED)
        .order_by(Submission.event_date, Submission.received_at, Submission.id)))
    services = sorted({s.service for s in submissions if s.service})
    if not services:
        raise ReportError(f"No forms are stored for person {person_id!r}.",
                          hint="Check the reference: `planwatch show PERSON_ID` lists forms.")
    if service is None:
        if len(services) > 1:
            raise ReportError(f"Person {person_id!r} was supported by several services: "
                              f"{', '.join(services)}.", hint="Choose one with --service.")
        service = services[0]
    elif service not in services:
        raise ReportError(f"No forms of service {service!r} are stored for {person_id!r}.",
                          hint=f"Their services: {', '.join(services)}.")
    episodes = list(session.scalars(
        select(Episode).where(Episode.person_id == person_id, Episode.service == service,
                              Episode.opened_on <= as_of).order_by(Episode.opened_on)))
    start = episodes[-1].opened_on if episodes else None
    # Each form by the title this service knows it by ("Support plan review", Part 1
    # only where there is a Part 2).
    names = Names.of(load_policies(catalogue.folder), catalogue)
    forms = [
        StoredForm(
            form_id=s.form_id or "", service=service, on=s.event_date,
            title=names.form(s.form_id, service)
            if (definition := _definition(catalogue, s.form_id)) else (s.form_id or "Form"),
            values=s.values.get("values", {}), tables=s.values.get("tables", {}),
            labels=_labels(definition), long_texts=_long_texts(definition),
            archived_path=s.archived_path)
        for s in submissions
        if s.service == service and (s.event_date is None or (
            s.event_date <= as_of and (start is None or s.event_date >= start)))
    ]
    return build_summary(person_id, service, forms, as_of, started_on=start)


def write_summary(store: Store, catalogue: Catalogue, person_id: str, *, as_of: date,
                  reports_path: Path, service: str | None = None, output: Path | None = None,
                  template: Path = TEMPLATE) -> Path:
    """Write ``person_id``'s outcome summary; return the path (default: in summaries/)."""
    with store.session() as session:
        data = load_summary(session, catalogue, person_id, as_of, service)
    if output is not None:
        path = report_folder(output, reports_path)
    else:
        path = report_tree(reports_path, summaries_path(reports_path)) / summary_file_name(data)
    return write_summary_docx(data, path, written_on=as_of, template=template)


def may_close(definition: FormDefinition) -> bool:
    """Whether a form of ``definition`` can close an episode (so may need a summary).

    Decided from the definition alone, before any store work: only the closure form, or a
    form that records a closure event, can be one :func:`write_summary_for_closure` acts on.
    """
    return definition.id == CLOSURE_FORM or any(
        spec.kind == CLOSURE_EVENT for spec in definition.events)


def _is_closure(session: Session, submission: Submission) -> bool:
    kinds = set(session.scalars(select(EventRow.kind).where(
        EventRow.submission_id == submission.id)))
    return CLOSURE_EVENT in kinds or submission.form_id == CLOSURE_FORM


def write_summary_for_closure(store: Store, catalogue: Catalogue, submission_id: int, *,
                              reports_path: Path, today: date) -> Path | None:
    """After a form is stored: if it is the current copy of a closure form, write the
    person's final outcome summary and return its path; otherwise do nothing (None).

    Safe to call for every stored submission. Raises :class:`ReportError` if the summary
    cannot be written; the form itself is already safely stored, so callers should
    report the error (without the person's name) and carry on.
    """
    with store.session() as session:
        submission = session.get(Submission, submission_id)
        if (submission is None or submission.status != SubmissionStatus.STORED
                or submission.person_id is None or not _is_closure(session, submission)):
            return None
        person_id, service = submission.person_id, submission.service
        as_of = max(today, submission.event_date or today)
    return write_summary(store, catalogue, person_id, as_of=as_of, service=service,
                         reports_path=reports_path)


def write_closure_summaries(store: Store, catalogue: Catalogue,
                            stored: Iterable[tuple[int, str | None]], *, reports_path: Path,
                            today: date) -> list[Path]:
    """The job that follows storing forms (one file from the watcher, or a whole backlog):
    one outcome summary per person and service with a closure among ``stored``
    (submission id, form id), written by the latest closure still current (an earlier
    one would describe the same, latest, episode: a summary is of the episode open on its
    date). A summary that cannot be written is logged and skipped: the forms are stored
    either way. Returns the summaries written.
    """
    candidates = sorted(sid for sid, form_id in stored
                        if form_id is not None and may_close(catalogue.get(form_id)))
    if not candidates:
        return []  # most forms cannot close an episode: no need to ask the store
    with store.session() as session:
        pairs = {sid: (person, service) for sid, person, service in session.execute(
            select(Submission.id, Submission.person_id, Submission.service)
            .where(Submission.id.in_(candidates)))}
    latest_first: dict[tuple[str | None, str | None], list[int]] = {}
    for sid in reversed(candidates):
        if sid in pairs:
            latest_first.setdefault(pairs[sid], []).append(sid)
    written: list[Path] = []
    for submissions in latest_first.values():
        for submission_id in submissions:
            try:
                path = write_summary_for_closure(store, catalogue, submission_id,
                                                 reports_path=reports_path, today=today)
            except ReportError:
                log.warning("summary_not_written", exc_info=True,
                            extra={"submission_id": submission_id})
                break
            if path is not None:
                written.append(path)
                break
    return written


def departures_due(session: Session, today: date) -> list[tuple[str, str, date]]:
    """(person, service, planned departure) of open episodes whose latest form with a
    planned departure puts it within a week of ``today`` (or past it, still open)."""
    open_episodes = {(e.person_id, e.service) for e in session.scalars(
        select(Episode).where(Episode.closed_on.is_(None)))}
    latest: dict[tuple[str, str], Any] = {}
    for submission in session.scalars(
            select(Submission).where(Submission.status == SubmissionStatus.STORED)
            .order_by(Submission.event_date, Submission.received_at, Submission.id)):
        value = submission.values.get("values", {}).get("planned_departure")
        key = (submission.person_id or "", submission.service or "")
        if value and key in open_episodes:
            latest[key] = value
    due: list[tuple[str, str, date]] = []
    for (person, service), value in sorted(latest.items()):
        try:
            leaving = date.fromisoformat(str(value)[:10])
        except ValueError:
            continue
        if today >= leaving - timedelta(days=DRAFT_DAYS_BEFORE_DEPARTURE):
            due.append((person, service, leaving))
    return due


def write_departure_drafts(store: Store, catalogue: Catalogue, *, reports_path: Path,
                           today: date) -> list[Path]:
    """Draft summaries for residents leaving within a week (once per planned date).

    For the watcher to call daily (and the demo). A draft already written for the same
    person, service and planned departure is left alone; a new date gets a new draft.
    """
    with store.session() as session:
        due = departures_due(session, today)
    written: list[Path] = []
    for person, service, _ in due:
        with store.session() as session:
            data = load_summary(session, catalogue, person, today, service)
        path = report_tree(reports_path, summaries_path(reports_path)) / summary_file_name(data)
        if data.draft and not path.exists():
            written.append(write_summary_docx(data, path, written_on=today))
    return written
