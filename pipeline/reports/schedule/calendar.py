"""Review schedules as an iCalendar file for Outlook, Thunderbird and phones.

One all-day event per due item, with a reminder at 09:00 a set number of days before.
Re-importing a regenerated file updates events rather than duplicating them:

- ``UID`` is fixed per obligation and cycle (:attr:`ScheduleItem.uid`);
- ``SEQUENCE`` is the number of minutes from 2024-01-01 to when the file was made, so a
  later file always carries the higher number and its version wins;
- an overdue item sits on the schedule's as-of date (a past date would be out of sight);
- items met since an earlier schedule are written again, marked done and without a
  reminder, so the earlier event stops reminding anyone.

Events name the person by their reference only, never by name: calendars are synced to
phones and shared more widely than the store. Every text from a form (a reference, a
worker's name) is put on one line first (:func:`~pipeline.reports.text.one_line`):
a line break or control character in it would end the calendar's line.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from icalendar import Alarm, Calendar, Event

from pipeline.errors import ReportError
from pipeline.records import ObligationStatus
from pipeline.reports.saving import write_report_bytes
from pipeline.reports.schedule.workbook import STATUS_TEXT, ScheduleInput, ScheduleItem
from pipeline.reports.text import one_line

PRODID = "-//Planwatch//Review schedule//EN"
SEQUENCE_EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
REMINDER_HOUR = 9


def sequence_for(generated_at: datetime) -> int:
    """The SEQUENCE of every event in a file made at ``generated_at`` (aware)."""
    return max(0, int((generated_at - SEQUENCE_EPOCH).total_seconds() // 60))


def _title(item: ScheduleItem) -> str:
    what = one_line(item.form_needed or item.obligation_shown).rstrip(".")
    person = one_line(item.person_id)
    if item.status in (ObligationStatus.MET, ObligationStatus.MET_LATE):
        return f"Done: {what}, {person}"
    if item.status is ObligationStatus.OVERDUE:
        return f"OVERDUE since {item.due:%d/%m}: {what}, {person}"
    return f"Due: {what}, {person}"


def _description(item: ScheduleItem, data: ScheduleInput, generated_at: datetime) -> str:
    lines = [
        f"Person: {one_line(item.person_id)}",
        f"Service: {one_line(item.service_shown)}",
        f"Obligation: {one_line(item.obligation_shown)}",
        *([f"Form needed: {one_line(item.form_needed)}"] if item.form_needed else []),
        f"Due: {item.due:%d/%m/%Y}",
        f"Status on {data.as_of:%d/%m/%Y}: {STATUS_TEXT[item.status]}",
    ]
    if item.met_on is not None:
        lines.append(f"Met on: {item.met_on:%d/%m/%Y}")
    lines.append(f"Last contact: {item.last_contact:%d/%m/%Y}" if item.last_contact
                 else "Last contact: none recorded")
    lines.append(f"From Planwatch, {generated_at:%d/%m/%Y %H:%M} UTC.")
    return "\n".join(lines)


def _event(item: ScheduleItem, data: ScheduleInput, generated_at: datetime,
           reminder_days_before: int) -> Event:
    if item.status in (ObligationStatus.MET, ObligationStatus.MET_LATE):
        day: date = item.met_on or item.due
    elif item.status is ObligationStatus.OVERDUE:
        day = data.as_of
    else:
        day = item.due
    event = Event()
    event.add("uid", item.uid)
    event.add("dtstamp", generated_at)
    event.add("last-modified", generated_at)
    event.add("sequence", sequence_for(generated_at))
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("summary", _title(item))
    event.add("description", _description(item, data, generated_at))
    event.add("categories", ["Planwatch"])
    event.add("transp", "TRANSPARENT")  # a reminder, not time taken out of the day
    event.add("status", "CONFIRMED")
    event.add("class", "PRIVATE")
    event.add("x-microsoft-cdo-alldayevent", "TRUE")
    if item.status not in (ObligationStatus.MET, ObligationStatus.MET_LATE):
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", _title(item))
        # Relative to the start of the day: 09:00 that many days before.
        alarm.add("trigger", timedelta(days=-reminder_days_before, hours=REMINDER_HOUR))
        event.add_component(alarm)
    return event


def build_calendar(data: ScheduleInput, *, generated_at: datetime,
                   reminder_days_before: int = 1) -> bytes:
    """The iCalendar text of ``data`` (see the module docstring) as UTF-8 bytes.

    ``generated_at`` must be timezone-aware: it stamps every event and sets SEQUENCE.
    """
    if generated_at.tzinfo is None:
        raise ValueError("generated_at must be timezone-aware")
    stamp = generated_at.astimezone(UTC).replace(microsecond=0)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    owner = f"{one_line(data.worker)}'s reviews" if data.worker else "reviews"
    calendar.add("x-wr-calname", f"Planwatch {owner}")
    for item in [*data.items, *data.done]:
        calendar.add_component(_event(item, data, stamp, reminder_days_before))
    return bytes(calendar.to_ical())


def write_calendar(data: ScheduleInput, path: Path, *, generated_at: datetime | None = None,
                   reminder_days_before: int = 1) -> Path:
    """Write ``data`` as an .ics file (atomically, owner-only) and return ``path``.

    Raises :class:`ReportError` for a name not ending in .ics or an unwritable file.
    """
    if path.suffix.lower() != ".ics":
        raise ReportError(f"{path}: a calendar must be an .ics file.",
                          hint="Give -o a name ending in .ics (or .xlsx for a workbook).")
    text = build_calendar(data, generated_at=generated_at or datetime.now(UTC),
                          reminder_days_before=reminder_days_before)
    return write_report_bytes(path, text, what="the calendar")
