"""Everything managers and workers read, written for the demo workspace in one call.

``planwatch demo`` ingests a year of forms at once, so the trend has no history yet:
earlier weeks' snapshots are recomputed first (never overwriting real ones), then the
weekly workbook, a team schedule (.xlsx), one worker's calendar (.ics), a few outcome
summaries (the people with the most reviews) and any departure drafts are written.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from pipeline.config import Settings
from pipeline.definitions import Catalogue
from pipeline.files import file_part
from pipeline.records import ObligationStatus
from pipeline.reports.outcome_summary.job import write_departure_drafts, write_summary
from pipeline.reports.schedule.job import workspace_schedule, write_schedule
from pipeline.reports.weekly.job import backfill_snapshots, write_compliance_report
from pipeline.store.models import OutcomeScore, Submission, SubmissionStatus
from pipeline.store.session import Store


@dataclass(frozen=True)
class DemoReports:
    """The files written, for the demo to point people at."""

    workbook: Path
    schedule: Path
    calendar: Path | None
    summaries: list[Path]


def most_reviewed(store: Store, count: int) -> list[tuple[str, str | None]]:
    """The ``count`` (person, service) pairs with the most scored reviews (ties by
    reference)."""
    with store.session() as session:
        rows = session.execute(
            select(OutcomeScore.person_id, Submission.service,
                   func.count(func.distinct(OutcomeScore.scored_on)))
            .join(Submission, OutcomeScore.submission_id == Submission.id)
            .where(Submission.status == SubmissionStatus.STORED)
            .group_by(OutcomeScore.person_id, Submission.service))
        ranked = sorted(rows, key=lambda row: (-row[2], row[0], row[1] or ""))
    # Each (person, service) once: a person supported by two services (a woman moving
    # on from the refuge to floating support) has a summary of each.
    return [(person, service) for person, service, _ in ranked[:count]]


def write_demo_reports(store: Store, settings: Settings, as_of: date, *,
                       summaries: int = 3) -> DemoReports:
    """Write the demo's reports into ``settings.reports_path`` (see the module docstring)."""
    catalogue = Catalogue.load(settings.forms_path)
    reports = settings.reports_path
    backfill_snapshots(store, settings, as_of)
    workbook = write_compliance_report(store, settings, as_of)
    schedule = write_schedule(store, settings, reports / f"schedule-{as_of:%Y-%m-%d}.xlsx",
                              as_of=as_of)
    due = workspace_schedule(store, settings, as_of=as_of, weeks=settings.schedule_weeks)
    busiest = Counter(i.worker for i in due.items
                      if i.worker and i.status is not ObligationStatus.UPCOMING).most_common(1)
    calendar = None
    if busiest:
        worker = busiest[0][0]
        calendar = write_schedule(store, settings, reports / f"schedule-{file_part(worker)}.ics",
                                  as_of=as_of, worker=worker)
    written = [write_summary(store, catalogue, person, as_of=as_of, reports_path=reports,
                             service=service)
               for person, service in most_reviewed(store, summaries)]
    written += write_departure_drafts(store, catalogue, reports_path=reports, today=as_of)
    return DemoReports(workbook=workbook, schedule=schedule, calendar=calendar,
                       summaries=written)
