"""Review schedules for a workspace: ``planwatch schedule`` and the demo call this.

Obligations come from :func:`pipeline.casework.obligations` (the workspace's policy
defaults); "last contact" is the latest dated form recording work with the person.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from sqlalchemy import func, select

from pipeline import casework
from pipeline.config import Settings
from pipeline.definitions import Catalogue
from pipeline.errors import ReportError
from pipeline.names import Names
from pipeline.reports.saving import report_folder
from pipeline.reports.schedule.calendar import write_calendar
from pipeline.reports.schedule.workbook import (
    ScheduleInput,
    schedule_input,
    write_schedule_workbook,
)
from pipeline.store.models import EventRow, Submission, SubmissionStatus
from pipeline.store.session import Store

# Events that are not contact with the person: a referral arriving, a manager's Part 2.
NOT_CONTACT = ("referral", "review_part2")


def last_contacts(store: Store, as_of: date) -> dict[tuple[str, str], date]:
    """(person, service) to the date of their latest contact event on or before ``as_of``."""
    with store.session() as session:
        rows = session.execute(
            select(EventRow.person_id, EventRow.service, func.max(EventRow.on))
            .join(Submission, EventRow.submission_id == Submission.id)
            .where(Submission.status == SubmissionStatus.STORED, EventRow.on <= as_of,
                   EventRow.kind.not_in(NOT_CONTACT))
            .group_by(EventRow.person_id, EventRow.service))
        return {(person, service): on for person, service, on in rows}


def workspace_schedule(store: Store, settings: Settings, *, as_of: date, weeks: int,
                       worker: str | None = None) -> ScheduleInput:
    """The schedule of the workspace (or one worker's caseload) for ``weeks`` weeks."""
    catalogue = Catalogue.load(settings.forms_path)
    policies = casework.service_policies(settings, catalogue)
    return schedule_input(
        casework.obligations(store, settings, as_of, policies), as_of, weeks, worker=worker,
        last_contact=last_contacts(store, as_of),
        forms_needed=policies.forms_needed(catalogue), names=Names.of(policies, catalogue))


def write_schedule(store: Store, settings: Settings, output: Path, *, as_of: date,
                   weeks: int | None = None, worker: str | None = None,
                   now: datetime | None = None) -> Path:
    """Write a schedule to ``output``: a workbook (.xlsx) or a calendar (.ics).

    Owner-only, as is any folder made for it (see
    :func:`pipeline.files.output_folder`). ``weeks`` defaults to the
    ``schedule_weeks`` setting; calendar reminders are
    ``reminder_days_before`` days before each due date at 09:00. Raises
    :class:`ReportError` for another file type, an unknown worker or an unwritable file.
    """
    suffix = output.suffix.lower()
    if suffix not in (".xlsx", ".ics"):
        raise ReportError(f"{output.name}: a schedule is written as .xlsx or .ics.",
                          hint="Give -o a name ending in .xlsx (a workbook) or .ics "
                          "(a calendar for Outlook or Thunderbird).")
    data = workspace_schedule(store, settings, as_of=as_of,
                              weeks=weeks or settings.schedule_weeks, worker=worker)
    report_folder(output, settings.reports_path)
    if suffix == ".ics":
        return write_calendar(data, output, generated_at=now,
                              reminder_days_before=settings.reminder_days_before)
    return write_schedule_workbook(data, output)
