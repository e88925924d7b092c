"""The weekly workbook's list sheets: one row per thing a manager may have to act on.

Each sheet is described as (title, columns, rows, message when empty) and written by
:func:`pipeline.reports.xlsx.lists.write_list_sheet`. Every row that comes from a form
carries a link to the archived file (``link`` turns a stored path into a cell value).
Rows are sorted so the first row is the most urgent: most overdue, soonest due, blocking
before advisory, newest disagreement.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from statistics import fmean
from typing import TypeVar

from pipeline.records import Obligation, ObligationStatus, Severity
from pipeline.reports.tally import NO_TEAM, UNASSIGNED
from pipeline.reports.weekly.data import (
    ActivePerson,
    Disagreed,
    RejectedRow,
    ScoreRow,
    WeeklyInput,
)
from pipeline.reports.xlsx.style import Column, Kind, Value

NOT_GIVEN = "(not given)"
STATUS_LABELS = {
    ObligationStatus.MET: "Met on time",
    ObligationStatus.MET_LATE: "Met late",
    ObligationStatus.OVERDUE: "Overdue",
    ObligationStatus.DUE_SOON: "Due soon",
    ObligationStatus.UPCOMING: "Upcoming",
    ObligationStatus.NOT_APPLICABLE: "Not applicable",
    ObligationStatus.MISSED: "Missed",
    # Not a deadline (Families First's planned 6 months): never counted as overdue.
    ObligationStatus.PAST_PLANNED_DURATION: "Past planned duration: consider step-down",
}


def status_text(ob: Obligation) -> str:
    """The status as a manager reads it, with the reason when it is not applicable."""
    label = STATUS_LABELS[ob.status]
    if ob.note and ob.status is ObligationStatus.NOT_APPLICABLE:
        return f"{label} ({ob.note})"
    return label
DISAGREED_LABELS = {
    Disagreed.DISAGREEMENT: "Disagrees with the plan",
    Disagreed.WISHES: "Wishes not incorporated",
}

T = TypeVar("T")
Sheet = tuple[str, list[Column], list[tuple[Value, ...]], str]
Field = tuple[Column, Callable[[T], Value]]
Linker = Callable[..., Value]


def worker_of(name: str | None) -> str:
    return name or UNASSIGNED


def team_of(name: str | None) -> str:
    return name or NO_TEAM


def sheet(title: str, fields: Sequence[Field[T]], items: Iterable[T], empty: str) -> Sheet:
    """A list sheet from (column, getter) pairs applied to each item.

    The rows are tuples, made a column at a time: a council's sheets run to hundreds of
    thousands of rows, and this is several times quicker than calling each getter in
    turn for each item, and half the memory of lists. (A getter's calls happen in
    another order; none depends on it.)
    """
    listed = items if isinstance(items, list) else list(items)
    values = [list(map(get, listed)) for _, get in fields]
    return title, [col for col, _ in fields], list(zip(*values, strict=True)), empty


def having(data: WeeklyInput, status: ObligationStatus) -> list[Obligation]:
    """The rows of the Overdue or Due soon sheet, in its order: earliest due first (for
    overdue rows, the most overdue)."""
    chosen = (ob for ob in data.obligations if ob.status is status)
    return sorted(chosen, key=lambda ob: (ob.due, ob.service, ob.person_id, ob.obligation))


def rejected_in_order(data: WeeklyInput) -> list[RejectedRow]:
    """The rows of the Rejected sheet, in its order: oldest first."""
    return sorted(data.rejected, key=lambda r: (r.received_at, r.file_name))


def obligations_in_order(data: WeeklyInput) -> list[Obligation]:
    """The rows of the Obligations sheet, in its order: by service, worker, person, due."""
    return sorted(data.obligations, key=lambda ob: (
        ob.service, worker_of(ob.worker), ob.person_id, ob.due, ob.obligation))


def active_in_order(data: WeeklyInput) -> list[ActivePerson]:
    """The rows of the Active people sheet, in its order: by service, worker, person."""
    return sorted(data.active_people,
                  key=lambda p: (p.service, worker_of(p.worker), p.person_id))


def obligation_sheets(data: WeeklyInput, link: Linker) -> list[Sheet]:
    """Overdue and Due soon: who, whose caseload, since when, and which form is needed."""
    as_of, shown = data.as_of, f"{data.as_of:%d/%m/%Y}"

    names = data.names

    def fields(days: Field[Obligation]) -> list[Field[Obligation]]:
        return [
            (Column("Person"), lambda ob: ob.person_id),
            (Column("Service"), lambda ob: names.service(ob.service)),
            (Column("Team"), lambda ob: team_of(ob.team)),
            (Column("Worker"), lambda ob: worker_of(ob.worker)),
            (Column("Obligation"), lambda ob: names.obligation(ob.service, ob.obligation)),
            (Column("Form needed"), data.form_needed),
            (Column("Due", Kind.DATE), lambda ob: ob.due),
            days,
            (Column("Source file", Kind.FILE), lambda ob: link(ob.source)),
        ]

    return [
        sheet("Overdue",
              fields((Column("Days overdue", Kind.COUNT), lambda ob: (as_of - ob.due).days)),
              having(data, ObligationStatus.OVERDUE), f"Nothing overdue as of {shown}."),
        sheet("Due soon",
              fields((Column("Days left", Kind.COUNT), lambda ob: (ob.due - as_of).days)),
              having(data, ObligationStatus.DUE_SOON),
              f"Nothing due in the {data.due_soon_days} days after {shown}."),
    ]


def form_sheets(data: WeeklyInput, link: Linker) -> list[Sheet]:
    """Incomplete forms, and disagreements or wishes not incorporated."""
    names = data.names
    incomplete = sorted(
        data.incomplete,
        key=lambda r: (r.severity is not Severity.BLOCKING, r.received_at, r.person_id or ""),
    )
    disagreements = sorted(
        data.disagreements,
        key=lambda r: (-(r.on.toordinal() if r.on else 0), r.service, r.person_id, r.kind),
    )
    return [
        sheet(
            "Incomplete",
            [(Column("Person"), lambda r: r.person_id or NOT_GIVEN),
             (Column("Service"), lambda r: names.service(r.service) or NOT_GIVEN),
             (Column("Worker"), lambda r: worker_of(r.worker)),
             (Column("Form"), lambda r: names.form(r.form_id, r.service) or NOT_GIVEN),
             (Column("Field"), lambda r: names.field(r.form_id, r.field)),
             (Column("Blocking or advisory"), lambda r: r.severity.value.capitalize()),
             (Column("What to fix", Kind.LONG_TEXT), lambda r: r.message),
             (Column("Form dated", Kind.DATE), lambda r: r.form_date),
             (Column("Received", Kind.DATETIME), lambda r: r.received_at),
             (Column("Archived file", Kind.FILE), lambda r: link(r.archived_path))],
            incomplete,
            "No incomplete forms waiting.",
        ),
        sheet(
            "Disagreements and wishes",
            [(Column("Person"), lambda r: r.person_id),
             (Column("Service"), lambda r: names.service(r.service)),
             (Column("Worker"), lambda r: worker_of(r.worker)),
             (Column("Form"), lambda r: r.form_title),
             (Column("Date", Kind.DATE), lambda r: r.on),
             (Column("Recorded"), lambda r: DISAGREED_LABELS[r.kind]),
             (Column("The person's view or wishes", Kind.LONG_TEXT), lambda r: r.person_view),
             (Column("Worker's view, or why not", Kind.LONG_TEXT), lambda r: r.other_view),
             (Column("Archived file", Kind.FILE), lambda r: link(r.archived_path))],
            disagreements,
            "No disagreements or wishes not incorporated on the plans of people supported now.",
        ),
    ]


def outcome_sheets(data: WeeklyInput, link: Linker) -> list[Sheet]:
    """Outcomes (averages by service and area) and Outcomes by person (distance travelled)."""
    names = data.names
    groups: defaultdict[tuple[str, str], list[ScoreRow]] = defaultdict(list)
    for row in data.scores:
        groups[(row.service, row.area)].append(row)
    # (service, area, everyone scored, those scored twice or more): averages of change
    # only mean something over people with a first and a later score.
    averages: list[tuple[str, str, list[ScoreRow], list[ScoreRow]]] = [
        (service, area, rows, [r for r in rows if r.times > 1])
        for (service, area), rows in sorted(
            groups.items(), key=lambda g: (names.service(g[0][0]).casefold(),
                                           g[0][1].casefold()))
    ]

    def mean(rows: list[ScoreRow], value: Callable[[ScoreRow], float]) -> float | None:
        return fmean(value(r) for r in rows) if rows else None

    people = sorted(data.scores, key=lambda r: (r.service, r.person_id, r.area.casefold()))
    return [
        sheet(
            "Outcomes",
            [(Column("Service"), lambda a: names.service(a[0])),
             (Column("Outcome area"), lambda a: a[1]),
             (Column("People scored", Kind.COUNT), lambda a: len(a[2])),
             (Column("Scored twice or more", Kind.COUNT), lambda a: len(a[3])),
             (Column("Their average first score", Kind.SCORE),
              lambda a: mean(a[3], lambda r: r.first)),
             (Column("Their average latest score", Kind.SCORE),
              lambda a: mean(a[3], lambda r: r.latest)),
             (Column("Their average change", Kind.CHANGE),
              lambda a: mean(a[3], lambda r: r.change))],
            averages,
            "No outcome scores recorded yet.",
        ),
        sheet(
            "Outcomes by person",
            [(Column("Person"), lambda r: r.person_id),
             (Column("Service"), lambda r: names.service(r.service)),
             (Column("Worker"), lambda r: worker_of(r.worker)),
             (Column("Outcome area"), lambda r: r.area),
             (Column("First score", Kind.COUNT), lambda r: r.first),
             (Column("First scored", Kind.DATE), lambda r: r.first_on),
             (Column("Latest score", Kind.COUNT), lambda r: r.latest),
             (Column("Latest scored", Kind.DATE), lambda r: r.latest_on),
             (Column("Change", Kind.CHANGE), lambda r: r.change),
             (Column("Times scored", Kind.COUNT), lambda r: r.times),
             (Column("Latest form", Kind.FILE), lambda r: link(r.source))],
            people,
            "No outcome scores recorded yet.",
        ),
    ]


def detail_sheets(data: WeeklyInput, link: Linker) -> list[Sheet]:
    """Rejected files, then the rows every Summary and Caseload number is counted from."""
    names = data.names
    return [
        sheet(
            "Rejected",
            [(Column("File", Kind.FILE), lambda r: link(r.rejected_path, r.file_name)),
             (Column("Received", Kind.DATETIME), lambda r: r.received_at),
             (Column("Reason", Kind.LONG_TEXT), lambda r: r.reason)],
            rejected_in_order(data),
            "No rejected files.",
        ),
        sheet(
            "Obligations",
            [(Column("Person"), lambda ob: ob.person_id),
             (Column("Service"), lambda ob: names.service(ob.service)),
             (Column("Team"), lambda ob: team_of(ob.team)),
             (Column("Worker"), lambda ob: worker_of(ob.worker)),
             (Column("Obligation"), lambda ob: names.obligation(ob.service, ob.obligation)),
             (Column("Due", Kind.DATE), lambda ob: ob.due),
             (Column("Status"), status_text),
             (Column("Met on", Kind.DATE), lambda ob: ob.met_on),
             (Column("Source file", Kind.FILE), lambda ob: link(ob.source))],
            obligations_in_order(data),
            "No obligations recorded.",
        ),
        sheet(
            "Active people",
            [(Column("Person"), lambda p: p.person_id),
             (Column("Service"), lambda p: names.service(p.service)),
             (Column("Team"), lambda p: team_of(p.team)),
             (Column("Worker"), lambda p: worker_of(p.worker)),
             (Column("Open since", Kind.DATE), lambda p: p.opened_on),
             (Column("Opening form", Kind.FILE), lambda p: link(p.source))],
            active_in_order(data),
            "No active people.",
        ),
    ]
