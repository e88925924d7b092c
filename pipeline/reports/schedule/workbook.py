"""Review schedules: what each worker has due in the next weeks, as a workbook.

    ScheduleInput   the due items (and, for calendars, the ones just done) of a window
    schedule_input  choose them from obligations: overdue, or due within ``weeks`` weeks
    write_schedule_workbook   a sheet per worker: person, obligation, due, status,
                              last contact

The same input feeds :mod:`pipeline.reports.schedule.calendar`. A schedule for one worker
carries only that worker's caseload: nothing else about anyone else is written. People
are named by their reference only, never by name.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from pipeline.errors import ReportError
from pipeline.names import Names, humanise
from pipeline.records import Obligation, ObligationStatus
from pipeline.reports.tally import UNASSIGNED
from pipeline.reports.text import one_line
from pipeline.reports.xlsx.book import Book, write_workbook
from pipeline.reports.xlsx.lists import write_list_sheet
from pipeline.reports.xlsx.style import Column, Kind, Value

DUE = (ObligationStatus.OVERDUE, ObligationStatus.DUE_SOON, ObligationStatus.UPCOMING)
DONE = (ObligationStatus.MET, ObligationStatus.MET_LATE)
STATUS_TEXT = {
    ObligationStatus.OVERDUE: "Overdue",
    ObligationStatus.DUE_SOON: "Due soon",
    ObligationStatus.UPCOMING: "Upcoming",
    ObligationStatus.MET: "Done",
    ObligationStatus.MET_LATE: "Done (late)",
}
# A fixed namespace: the same obligation gets the same calendar UID on every run.
UID_NAMESPACE = uuid.UUID("8d4f3c1e-5b6a-4f0e-9a57-3c2b1d0e7f64")


class ScheduleItem(BaseModel):
    """One obligation on a worker's schedule.

    ``service`` and ``obligation`` are ids (the calendar UID is made of them);
    ``service_name`` and ``obligation_name`` are what a person reads.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    person_id: str
    service: str
    obligation: str
    cycle: int = 0
    episode: int = 1
    due: date
    status: ObligationStatus
    met_on: date | None = None
    worker: str | None = None
    form_needed: str | None = None
    last_contact: date | None = None
    service_name: str | None = None
    obligation_name: str | None = None

    @property
    def service_shown(self) -> str:
        return self.service_name or self.service

    @property
    def obligation_shown(self) -> str:
        return self.obligation_name or humanise(self.obligation)

    @property
    def uid(self) -> str:
        """A calendar UID that stays the same for this obligation forever: the same
        person, service, episode, obligation and cycle give the same UID."""
        key = (f"{self.service}|{self.person_id}|{self.episode}|{self.obligation}|"
               f"{self.cycle}")
        return f"{uuid.uuid5(UID_NAMESPACE, key)}@planwatch"

    @property
    def worker_name(self) -> str:
        return self.worker or UNASSIGNED


class ScheduleInput(BaseModel):
    """A schedule from ``as_of`` to ``until``: ``items`` are due (overdue ones included);
    ``done`` were met in the ``weeks`` before ``as_of`` and are only used to update
    calendar entries written earlier. ``worker`` is set for one worker's schedule."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    as_of: date
    weeks: int = Field(ge=1)
    items: list[ScheduleItem]
    done: list[ScheduleItem] = Field(default_factory=list)
    worker: str | None = None

    @property
    def until(self) -> date:
        return self.as_of + timedelta(weeks=self.weeks)

    def workers(self) -> list[str]:
        """The workers with something due, unassigned last (one sheet each)."""
        names = {item.worker_name for item in self.items}
        if self.worker is not None:
            names.add(self.worker)
        return sorted(names, key=lambda n: (n == UNASSIGNED, n.casefold()))


def schedule_input(
    obligations: Iterable[Obligation], as_of: date, weeks: int, *,
    worker: str | None = None, last_contact: Mapping[tuple[str, str], date] | None = None,
    forms_needed: Mapping[str, Mapping[str, str]] | None = None,
    names: Names | None = None,
) -> ScheduleInput:
    """The schedule of ``obligations`` (evaluated as of ``as_of``) for ``weeks`` weeks.

    ``worker`` (matched ignoring case, and line breaks or other control characters on
    either side as spaces) keeps only that worker's caseload and raises
    :class:`ReportError` when nobody's obligations name that worker. ``last_contact``
    maps (person, service) to the date of the latest form recording contact; ``names``
    gives the service and obligation names people read (the ids, as words, without).
    """
    rows = list(obligations)
    if worker is not None:
        wanted = one_line(worker).casefold()
        mine = [ob for ob in rows if one_line(ob.worker or "").casefold() == wanted]
        if not mine:
            known = sorted({one_line(ob.worker) for ob in rows if ob.worker},
                           key=str.casefold)
            raise ReportError(
                f"No obligations name the worker {one_line(worker)!r}.",
                hint="Give the name as written on the forms"
                + (f": {', '.join(known)}." if known else "."))
        worker, rows = mine[0].worker, mine
    until = as_of + timedelta(weeks=weeks)
    since = as_of - timedelta(weeks=weeks)
    contacts = last_contact or {}
    titles = forms_needed or {}
    named = names or Names()

    def item(ob: Obligation) -> ScheduleItem:
        return ScheduleItem(
            person_id=ob.person_id, service=ob.service, obligation=ob.obligation,
            cycle=ob.cycle, episode=ob.episode, due=ob.due, status=ob.status,
            met_on=ob.met_on, worker=ob.worker,
            form_needed=titles.get(ob.service, {}).get(ob.obligation),
            last_contact=contacts.get((ob.person_id, ob.service)),
            service_name=named.service(ob.service),
            obligation_name=named.obligation(ob.service, ob.obligation))

    due = [item(ob) for ob in rows if ob.status in DUE and ob.due <= until]
    done = [item(ob) for ob in rows if ob.status in DONE and ob.met_on is not None
            and since <= ob.met_on <= as_of]
    return ScheduleInput(as_of=as_of, weeks=weeks, items=sorted(due, key=_order),
                         done=sorted(done, key=_order), worker=worker)


def _order(item: ScheduleItem) -> tuple[date, str, str, int]:
    return (item.due, item.person_id, item.obligation, item.cycle)


def sheet_title(name: str, taken: set[str]) -> str:
    """A worksheet name Excel accepts, unique ignoring case among ``taken`` (updated).

    One line (line breaks and control characters become spaces), none of []:*?/\\, no
    apostrophe at either end, at most 31 characters, never empty nor Excel's reserved
    "History".
    """
    base = one_line(re.sub(r"[\[\]:*?/\\]", " ", name)).strip("'")[:31].strip(" '")
    if not base:
        base = "Worker"
    elif base.casefold() == "history":
        base = f"{base} (worker)"
    title, counter = base, 2
    while title.casefold() in taken:
        suffix = f" ({counter})"
        title, counter = base[: 31 - len(suffix)] + suffix, counter + 1
    taken.add(title.casefold())
    return title


_SHADES = {STATUS_TEXT[ObligationStatus.OVERDUE]: "red",
           STATUS_TEXT[ObligationStatus.DUE_SOON]: "amber"}


def _status_shade(status: Value) -> str | None:
    return _SHADES.get(status) if isinstance(status, str) else None


COLUMNS = [Column("Person"), Column("Service"), Column("Obligation"), Column("Form needed"),
           Column("Due", Kind.DATE), Column("Status", shade=_status_shade),
           Column("Days left", Kind.COUNT), Column("Last contact", Kind.DATE)]


def write_schedule_workbook(data: ScheduleInput, path: Path) -> Path:
    """Write ``data`` as a workbook, one sheet per worker, and return ``path``.

    Written atomically and owner-only (it lists people's references). "Days left" is
    negative for overdue items: how many days overdue. Raises :class:`ReportError` for a name
    not ending in .xlsx or a file that cannot be written.
    """
    if path.suffix.lower() != ".xlsx":
        raise ReportError(f"{path}: a schedule workbook must be an .xlsx file.",
                          hint="Give -o a name ending in .xlsx (or .ics for a calendar).")
    span = f"{data.as_of:%d/%m/%Y} to {data.until:%d/%m/%Y}"

    def fill(book: Book) -> None:
        taken: set[str] = set()
        for worker in data.workers() or ["Schedule"]:
            rows = [[one_line(i.person_id), one_line(i.service_shown),
                     one_line(i.obligation_shown),
                     one_line(i.form_needed) if i.form_needed else None, i.due,
                     STATUS_TEXT[i.status], (i.due - data.as_of).days, i.last_contact]
                    for i in data.items if i.worker_name == worker]
            write_list_sheet(book, sheet_title(worker, taken), COLUMNS, rows,
                             footer=f"Planwatch schedule: {one_line(worker)}, {span}",
                             empty_message=f"Nothing due from {span}.")

    return write_workbook(path, fill,
                          title=f"Planwatch review schedule from {data.as_of:%d/%m/%Y}")
