"""The manager's weekly compliance workbook.

    Summary         as-of date, active people, counts by service and by worker
    Overdue         obligations past due and not met, most overdue first
    Due soon        not met, due within the due-soon window (14 days by default)
    Incomplete      one row per finding on a stored form still waiting to be fixed
    Rejected        files that could not be taken in, and why
    Obligations     every obligation row: filtering it reproduces every Summary count
    Active people   every open episode: filtering it reproduces the active-people counts

A pure function over :class:`~pipeline.reports.weekly_data.WeeklyInput`: no store, no
settings. Statuses are taken as the rules computed them for ``as_of``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from pipeline.errors import ReportError
from pipeline.records import Obligation, ObligationStatus, Severity
from pipeline.reports.weekly_data import ActivePerson, WeeklyInput
from pipeline.reports.xlsx_style import (
    BOLD_FONT,
    HEADING_FONT,
    NOTE_FONT,
    TITLE_FONT,
    Column,
    Kind,
    Link,
    Value,
    file_link,
    fit_heights,
    fit_widths,
    put,
    save_atomically,
    set_print,
    style_header,
    wrapped_lines,
    write_list_sheet,
)

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


def _rate_note(group: str, due_soon_days: int) -> str:
    return (
        "On-time rate = Met on time ÷ Due to date, where Due to date = Met on time + Met late"
        " + Overdue; blank where nothing was due yet. Due soon = not met and due within the"
        f" next {due_soon_days} days. Missed and not-applicable obligations are listed but not"
        f" counted. Each count is the number of rows on the Obligations sheet with that {group}"
        " and Status; Active people counts rows on the Active people sheet."
    )


def weekly_report_name(as_of: date) -> str:
    """The file name of the week's workbook: ``compliance-YYYY-Www.xlsx`` (ISO year, week)."""
    return f"compliance-{_iso_week(as_of)}.xlsx"


def write_weekly_workbook(data: WeeklyInput, path: Path, *, files_root: Path | None = None) -> Path:
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

    def link(stored: str | None, text: str | None = None) -> Value:
        if stored is None:
            return text
        return Link(text or Path(stored).name, file_link(stored, path.parent, files_root))

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
    """The counts of one Summary row. Missed, not-applicable and upcoming obligations are
    not counted: the brief defines "due to date" as met on time + met late + overdue."""

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
        counts = [self.active, due, self.met, self.met_late, self.overdue, self.due_soon]
        return [label, *counts, rate]


def _tallies(
    data: WeeklyInput, key: Callable[[Obligation | ActivePerson], str]
) -> dict[str, _Tally]:
    """Counts per group; ``key`` names the group of an obligation or of an active person."""
    tallies: dict[str, _Tally] = {}
    for person in data.active_people:
        tallies.setdefault(key(person), _Tally()).active += 1
    for ob in data.obligations:
        tallies.setdefault(key(ob), _Tally()).add(ob.status)
    return tallies


def _summary(ws: Any, data: WeeklyInput, week: str, footer: str) -> None:
    """The Summary sheet: headline facts, then one table by service and one by worker."""
    ws.title = "Summary"
    title = put(ws, 1, 1, f"Planwatch weekly compliance {week}")
    title.font, title.alignment = TITLE_FONT, Alignment()  # one line, running across
    facts: list[tuple[int, str, Value, Kind]] = [
        (2, "As of", data.as_of, Kind.DATE),
        (3, "Active people", len(data.active_people), Kind.COUNT),
    ]
    for row, label, value, kind in facts:
        put(ws, row, 1, label).font = BOLD_FONT
        put(ws, row, 2, value, kind).alignment = Alignment(horizontal="left", vertical="top")
    by_service = _tallies(data, lambda item: item.service)
    by_worker = _tallies(data, lambda item: _worker(item.worker))
    # Unassigned work last: it is the row a manager has to act on, not a person's caseload.
    worker_names = sorted(by_worker, key=lambda name: (name == UNASSIGNED, name.casefold()))
    total = _Tally(active=len(data.active_people))
    for ob in data.obligations:
        total.add(ob.status)
    tables = [
        ("Service", "All services", sorted(by_service, key=str.casefold), by_service),
        ("Worker", "All workers", worker_names, by_worker),
    ]
    all_rows: list[list[Value]] = []
    placed: list[tuple[int, list[list[Value]], int]] = []  # first body row, body, note row
    row = 5
    for group, total_label, names, tallies in tables:
        columns = [Column(group), *SUMMARY_COLUMNS]
        body = [tallies[name].row(name) for name in names] + [total.row(total_label)]
        all_rows += body
        heading = put(ws, row, 1, f"By {group.lower()}")
        heading.font, heading.alignment = HEADING_FONT, Alignment()
        style_header(ws, row + 1, columns)
        for offset, values in enumerate(body, start=row + 2):
            for number, (col, value) in enumerate(zip(columns, values, strict=True), start=1):
                cell = put(ws, offset, number, value, col.kind)
                if values is body[-1]:
                    cell.font = BOLD_FONT
        placed.append((row + 2, body, row + 2 + len(body)))
        row += 2 + len(body)
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(columns))
        put(ws, row, 1, _rate_note(group, data.due_soon_days), Kind.LONG_TEXT).font = NOTE_FONT
        row += 2
    fit_widths(ws, columns, all_rows)
    letters = [get_column_letter(n) for n in range(1, len(columns) + 1)]
    table_width = sum(ws.column_dimensions[letter].width for letter in letters)
    for first_row, body, note_row in placed:
        fit_heights(ws, columns, body, first_row)
        # A merged cell never grows to fit; 9-point text gets 10/9 as many characters a line.
        lines = wrapped_lines(ws.cell(row=note_row, column=1).value, table_width * 10 / 9)
        ws.row_dimensions[note_row].height = 12 * lines + 4
    set_print(ws, footer=footer)


T = TypeVar("T")
_Sheet = tuple[str, list[Column], list[list[Value]], str]
_Field = tuple[Column, Callable[[T], Value]]


def _sheet(title: str, fields: Sequence[_Field[T]], items: Iterable[T], empty: str) -> _Sheet:
    return title, [col for col, _ in fields], [[get(i) for _, get in fields] for i in items], empty


def _list_sheets(data: WeeklyInput, link: Callable[..., Value]) -> list[_Sheet]:
    """Title, columns, rows and empty-list message of every list sheet, in tab order."""
    as_of, shown = data.as_of, f"{data.as_of:%d/%m/%Y}"
    person: _Field[Obligation] = (Column("Person"), lambda ob: ob.person_id)
    service: _Field[Obligation] = (Column("Service"), lambda ob: ob.service)
    obligation: _Field[Obligation] = (Column("Obligation"), lambda ob: ob.obligation)
    due: _Field[Obligation] = (Column("Due", Kind.DATE), lambda ob: ob.due)
    worker: _Field[Obligation] = (Column("Worker"), lambda ob: _worker(ob.worker))
    source: _Field[Obligation] = (Column("Source file", Kind.FILE), lambda ob: link(ob.source))

    def having(status: ObligationStatus) -> list[Obligation]:
        chosen = (ob for ob in data.obligations if ob.status is status)
        # Earliest due first: for overdue rows that is the most overdue.
        return sorted(chosen, key=lambda ob: (ob.due, ob.service, ob.person_id, ob.obligation))

    incomplete = sorted(
        data.incomplete,
        key=lambda r: (r.severity is not Severity.BLOCKING, r.received_at, r.person_id or ""),
    )
    return [
        _sheet(
            "Overdue",
            [person, service, obligation, due,
             (Column("Days overdue", Kind.COUNT), lambda ob: (as_of - ob.due).days),
             worker, source],
            having(ObligationStatus.OVERDUE),
            f"Nothing overdue as of {shown}.",
        ),
        _sheet(
            "Due soon",
            [person, service, obligation, due,
             (Column("Days left", Kind.COUNT), lambda ob: (ob.due - as_of).days), worker],
            having(ObligationStatus.DUE_SOON),
            f"Nothing due in the {data.due_soon_days} days after {shown}.",
        ),
        _sheet(
            "Incomplete",
            [(Column("Person"), lambda r: r.person_id or NOT_GIVEN),
             (Column("Service"), lambda r: r.service),
             (Column("Form"), lambda r: r.form_id),
             (Column("Field"), lambda r: r.field),
             (Column("Blocking or advisory"), lambda r: r.severity.value.capitalize()),
             (Column("What to fix", Kind.LONG_TEXT), lambda r: r.message),
             (Column("Received", Kind.DATETIME), lambda r: r.received_at),
             (Column("Archived file", Kind.FILE), lambda r: link(r.archived_path))],
            incomplete,
            "No incomplete forms waiting.",
        ),
        _sheet(
            "Rejected",
            [(Column("File", Kind.FILE), lambda r: link(r.rejected_path, r.file_name)),
             (Column("Received", Kind.DATETIME), lambda r: r.received_at),
             (Column("Reason", Kind.LONG_TEXT), lambda r: r.reason)],
            sorted(data.rejected, key=lambda r: (r.received_at, r.file_name)),
            "No rejected files.",
        ),
        _sheet(
            "Obligations",
            [person, service, obligation, due,
             (Column("Status"), lambda ob: STATUS_LABELS[ob.status]),
             (Column("Met on", Kind.DATE), lambda ob: ob.met_on),
             worker, source],
            sorted(data.obligations, key=lambda ob: (
                ob.service, _worker(ob.worker), ob.person_id, ob.due, ob.obligation)),
            "No obligations recorded.",
        ),
        _sheet(
            "Active people",
            [(Column("Person"), lambda p: p.person_id),
             (Column("Service"), lambda p: p.service),
             (Column("Worker"), lambda p: _worker(p.worker))],
            sorted(data.active_people, key=lambda p: (p.service, _worker(p.worker), p.person_id)),
            "No active people.",
        ),
    ]
