"""The manager's weekly compliance workbook.

    Summary         as-of date, active people, counts by service and by worker
    Overdue         obligations past due and not met, most overdue first
    Due soon        obligations due within the next 14 days, soonest first
    Incomplete      one row per finding on a stored form still waiting to be fixed
    Rejected        files that could not be taken in, and why
    Obligations     every obligation row: filtering it reproduces every Summary count
    Active people   every open episode: filtering it reproduces the active-people counts

A pure function over :class:`~pipeline.reports.weekly_data.WeeklyInput`: no store, no
settings. Statuses are taken as the rules computed them for ``as_of``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from pipeline.errors import ReportError
from pipeline.records import Obligation, ObligationStatus, Severity
from pipeline.reports.weekly_data import WeeklyInput
from pipeline.reports.xlsx_style import (
    DATE_FORMAT,
    NOTE_FONT,
    Column,
    Kind,
    Link,
    Value,
    file_link,
    fit_widths,
    put,
    save_atomically,
    set_print,
    style_header,
    write_list_sheet,
)

DUE_SOON_DAYS = 14  # the rules' window for ObligationStatus.DUE_SOON, quoted in the notes
UNASSIGNED = "(unassigned)"
NOT_GIVEN = "(not given)"
STATUS_LABELS = {
    ObligationStatus.MET: "Met on time",
    ObligationStatus.MET_LATE: "Met late",
    ObligationStatus.OVERDUE: "Overdue",
    ObligationStatus.DUE_SOON: "Due soon",
    ObligationStatus.UPCOMING: "Upcoming",
    ObligationStatus.NOT_APPLICABLE: "Not applicable",
    ObligationStatus.MISSED: "Missed",
}
# Summary count headers are the Obligations sheet's status labels, so a reader can match a
# number to the filter that reproduces it.
SUMMARY_COLUMNS = (
    Column("Active people", Kind.COUNT),
    Column("Due to date", Kind.COUNT),
    Column(STATUS_LABELS[ObligationStatus.MET], Kind.COUNT),
    Column(STATUS_LABELS[ObligationStatus.MET_LATE], Kind.COUNT),
    Column(STATUS_LABELS[ObligationStatus.OVERDUE], Kind.COUNT),
    Column(STATUS_LABELS[ObligationStatus.DUE_SOON], Kind.COUNT),
    Column("On-time rate", Kind.PERCENT),
)
RATE_NOTE = (
    "On-time rate = Met on time ÷ Due to date, where Due to date = Met on time + Met late + "
    "Overdue; blank where nothing was due yet. Due soon = not met and due within the next "
    f"{DUE_SOON_DAYS} days. Missed and not-applicable obligations are listed but not counted. "
    "Each count is the number of rows on the Obligations sheet with that {group} and Status "
    "(Active people: the Active people sheet)."
)


def weekly_report_name(as_of: date) -> str:
    """The file name of the week's workbook: ``compliance-YYYY-Www.xlsx`` (ISO year, week)."""
    return f"compliance-{_iso_week(as_of)}.xlsx"


def write_weekly_workbook(
    data: WeeklyInput, path: Path, *, files_root: Path | None = None
) -> Path:
    """Write the weekly compliance workbook for ``data`` to ``path`` and return ``path``.

    The file is replaced atomically: readers see the previous workbook or the new one.
    Archived-file paths become links relative to the workbook; relative stored paths are
    taken relative to ``files_root`` (the workspace) or, without it, to the workbook's
    folder. Raises :class:`ReportError` when ``path`` is not an .xlsx file or cannot be
    written.
    """
    if path.suffix.lower() != ".xlsx":
        raise ReportError(
            f"{path}: the weekly workbook must be an .xlsx file.",
            hint="Give an output name ending in .xlsx.",
        )
    week = _iso_week(data.as_of)
    footer = f"Planwatch weekly compliance {week}, as of {data.as_of:%d/%m/%Y}"

    def link(stored: str | None) -> Value:
        if stored is None:
            return None
        return Link(Path(stored).name, file_link(stored, path.parent, files_root))

    workbook = Workbook()
    workbook.properties.title = f"Planwatch weekly compliance {week}"
    workbook.properties.creator = "Planwatch"
    _summary(workbook.active, data, week, footer)
    for title, columns, rows, empty in _list_sheets(data, link):
        write_list_sheet(
            workbook.create_sheet(title), columns, rows, empty_message=empty, footer=footer
        )
    return save_atomically(workbook, path)


def _iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _worker(name: str | None) -> str:
    return name or UNASSIGNED


@dataclass
class _Tally:
    active: int = 0
    met: int = 0
    met_late: int = 0
    overdue: int = 0
    due_soon: int = 0

    def add(self, status: ObligationStatus) -> None:
        if status is ObligationStatus.MET:
            self.met += 1
        elif status is ObligationStatus.MET_LATE:
            self.met_late += 1
        elif status is ObligationStatus.OVERDUE:
            self.overdue += 1
        elif status is ObligationStatus.DUE_SOON:
            self.due_soon += 1

    def row(self, label: str) -> list[Value]:
        due = self.met + self.met_late + self.overdue
        rate = self.met / due if due else None
        return [label, self.active, due, self.met, self.met_late, self.overdue,
                self.due_soon, rate]


def _tallies(
    data: WeeklyInput,
    ob_key: Callable[[Obligation], str],
    person_key: Callable[[str | None, str], str],
) -> dict[str, _Tally]:
    tallies: dict[str, _Tally] = {}
    for person in data.active_people:
        tallies.setdefault(person_key(person.worker, person.service), _Tally()).active += 1
    for ob in data.obligations:
        tallies.setdefault(ob_key(ob), _Tally()).add(ob.status)
    return tallies


def _summary(ws: object, data: WeeklyInput, week: str, footer: str) -> None:
    """The Summary sheet: headline facts, then one table by service and one by worker."""
    ws.title = "Summary"  # type: ignore[attr-defined]
    put(ws, 1, 1, f"Planwatch weekly compliance {week}").font = Font(bold=True, size=14)
    put(ws, 2, 1, "As of").font = Font(bold=True)
    put(ws, 2, 2, data.as_of, Kind.DATE)
    put(ws, 3, 1, "Active people").font = Font(bold=True)
    put(ws, 3, 2, len(data.active_people), Kind.COUNT)
    by_service = _tallies(data, lambda ob: ob.service, lambda _worker, service: service)
    by_worker = _tallies(data, lambda ob: _worker(ob.worker), lambda w, _service: _worker(w))
    # Unassigned work last: it is the row a manager has to act on, not a person's caseload.
    worker_names = sorted(by_worker, key=lambda name: (name == UNASSIGNED, name.casefold()))
    tables = [
        ("Service", "All services", sorted(by_service, key=str.casefold), by_service),
        ("Worker", "All workers", worker_names, by_worker),
    ]
    columns = [Column("Service"), *SUMMARY_COLUMNS]
    all_rows: list[list[Value]] = []
    row = 5
    for group, total_label, names, tallies in tables:
        columns[0] = Column(group)
        total = _Tally(active=len(data.active_people))
        for ob in data.obligations:
            total.add(ob.status)
        body = [tallies[name].row(name) for name in names] + [total.row(total_label)]
        all_rows += body
        put(ws, row, 1, f"By {group.lower()}").font = Font(bold=True, size=12)
        style_header(ws, row + 1, columns)
        for offset, values in enumerate(body, start=row + 2):
            for number, (col, value) in enumerate(zip(columns, values, strict=True), start=1):
                cell = put(ws, offset, number, value, col.kind)
                cell.font = Font(bold=values is body[-1])
        row += 2 + len(body)
        _note(ws, row, len(columns), RATE_NOTE.format(group=group))
        row += 2
    fit_widths(ws, columns, all_rows)
    set_print(ws, footer=footer)


def _note(ws: object, row: int, width: int, text: str) -> None:
    # Merged across the table and wrapped, so the note prints inside the page width rather
    # than spilling past the last column; merged rows never auto-fit, hence the height.
    end = get_column_letter(width)
    ws.merge_cells(f"A{row}:{end}{row}")  # type: ignore[attr-defined]
    cell = put(ws, row, 1, text, Kind.LONG_TEXT)
    cell.font = NOTE_FONT
    ws.row_dimensions[row].height = 15 * (len(text) // 90 + 1)  # type: ignore[attr-defined]


_Sheet = tuple[str, Sequence[Column], list[list[Value]], str]


def _list_sheets(data: WeeklyInput, link: Callable[[str | None], Value]) -> list[_Sheet]:
    """Title, columns, rows and empty-list message of every list sheet, in tab order."""
    as_of = data.as_of
    shown = f"{as_of:%d/%m/%Y}"
    obs = data.obligations
    overdue = sorted(
        (ob for ob in obs if ob.status is ObligationStatus.OVERDUE),
        key=lambda ob: (ob.due, ob.service, ob.person_id, ob.obligation),
    )
    due_soon = sorted(
        (ob for ob in obs if ob.status is ObligationStatus.DUE_SOON),
        key=lambda ob: (ob.due, ob.service, ob.person_id, ob.obligation),
    )
    incomplete = sorted(
        data.incomplete,
        key=lambda r: (r.severity is not Severity.BLOCKING, r.received_at, r.service,
                       r.person_id or "", r.form_id, r.field),
    )
    every = sorted(
        obs, key=lambda ob: (ob.service, _worker(ob.worker), ob.person_id, ob.due, ob.obligation)
    )
    people = sorted(
        data.active_people, key=lambda p: (p.service, _worker(p.worker), p.person_id)
    )
    person, service, obligation, due = (
        Column("Person"), Column("Service"), Column("Obligation"), Column("Due", Kind.DATE)
    )
    worker, source = Column("Worker"), Column("Source file")
    return [
        ("Overdue",
         [person, service, obligation, due, Column("Days overdue", Kind.COUNT), worker, source],
         [[ob.person_id, ob.service, ob.obligation, ob.due, (as_of - ob.due).days,
           _worker(ob.worker), link(ob.source)] for ob in overdue],
         f"Nothing overdue as of {shown}."),
        ("Due soon",
         [person, service, obligation, due, Column("Days left", Kind.COUNT), worker],
         [[ob.person_id, ob.service, ob.obligation, ob.due, (ob.due - as_of).days,
           _worker(ob.worker)] for ob in due_soon],
         f"Nothing due in the {DUE_SOON_DAYS} days after {shown}."),
        ("Incomplete",
         [person, service, Column("Form"), Column("Field"), Column("Blocking or advisory"),
          Column("What to fix", Kind.LONG_TEXT), Column("Received", Kind.DATETIME),
          Column("Archived file")],
         [[r.person_id or NOT_GIVEN, r.service, r.form_id, r.field,
           r.severity.value.capitalize(), r.message, r.received_at, link(r.archived_path)]
          for r in incomplete],
         "No incomplete forms waiting."),
        ("Rejected",
         [Column("File"), Column("Received", Kind.DATETIME), Column("Reason", Kind.LONG_TEXT)],
         [[link(r.rejected_path) if r.rejected_path else r.file_name, r.received_at, r.reason]
          for r in sorted(data.rejected, key=lambda r: (r.received_at, r.file_name))],
         "No rejected files."),
        ("Obligations",
         [person, service, obligation, due, Column("Status"), Column("Met on", Kind.DATE),
          worker, source],
         [[ob.person_id, ob.service, ob.obligation, ob.due, STATUS_LABELS[ob.status],
           ob.met_on, _worker(ob.worker), link(ob.source)] for ob in every],
         "No obligations recorded."),
        ("Active people",
         [person, service, worker],
         [[p.person_id, p.service, _worker(p.worker)] for p in people],
         "No active people."),
    ]


__all__ = ["DATE_FORMAT", "STATUS_LABELS", "weekly_report_name", "write_weekly_workbook"]
