"""What changed since the previous weekly workbook: the Summary's first block and its sheet.

    Since last week (2026-W10, as of 02/03/2026)
    Newly overdue          5      → the rows on "Since last week", each linked to its
    Resolved               3        row on Overdue, Obligations, Rejected or Active people
    Files rejected         2
    People started         4
    People ended           1
    On-time rate           82% → 85% (up 3 points)

Each workbook keeps, with its counts, the keys of what it listed as overdue and of the
episodes open (:func:`kept_items`; :mod:`pipeline.reports.weekly.snapshots` stores them);
the next workbook compares its own with them (:func:`changes_since`). A key names the
obligation or episode the same way every week: a person by their case reference, a
service and an obligation by id, a due date. An overdue obligation whose due date moved (a
corrected plan date) reads as one resolved and one newly overdue.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from pipeline.records import Obligation, ObligationStatus
from pipeline.reports.weekly.data import ActivePerson, LastWeek, WeeklyInput
from pipeline.reports.weekly.sheets import (
    Sheet,
    active_in_order,
    having,
    obligations_in_order,
    rejected_in_order,
    status_text,
)
from pipeline.reports.xlsx.links import place
from pipeline.reports.xlsx.style import Column, Kind, Link, Value
from pipeline.store.models import SnapshotItemKind

SHEET_TITLE = "Since last week"
FIRST_ROW = 2  # list sheets have their header on row 1


class ChangeKind(StrEnum):
    """One kind of change, as its row on the Summary reads."""

    NEWLY_OVERDUE = "Newly overdue"
    RESOLVED = "No longer overdue"
    REJECTED = "Files rejected"
    STARTED = "People started"
    ENDED = "People ended"


@dataclass(frozen=True, slots=True)
class Change:
    """One row of the change list: what changed, for whom, and where its row is now.

    ``target`` is the row it links to in this workbook (``#'Overdue'!A5``), or None when
    it has none (an episode that ended is on no sheet this week).
    """

    kind: ChangeKind
    person_id: str | None
    service: str | None
    what: str
    on: date | None
    now: str
    target: str | None


@dataclass(frozen=True, slots=True)
class WeekChanges:
    """Every change since ``since``, in the order the list shows them."""

    since: LastWeek
    items: list[Change]

    def count(self, kind: ChangeKind) -> int:
        return sum(1 for item in self.items if item.kind is kind)

    def first_row(self, kind: ChangeKind) -> int | None:
        """The row of the first ``kind`` change on the change sheet (None: there is none)."""
        for number, item in enumerate(self.items, start=FIRST_ROW):
            if item.kind is kind:
                return number
        return None


def overdue_key(person_id: str, service: str, obligation: str, due: date) -> str:
    """The key an overdue obligation is kept under, the same every week."""
    return json.dumps([person_id, service, obligation, due.isoformat()])


def active_key(person_id: str, service: str) -> str:
    """The key an open episode is kept under, the same every week."""
    return json.dumps([person_id, service])


def kept_items(
    obligations: Iterable[Obligation], active_people: Iterable[ActivePerson]
) -> list[tuple[SnapshotItemKind, str]]:
    """What a week's workbook keeps for the next: its overdue obligations, its episodes."""
    overdue = {overdue_key(ob.person_id, ob.service, ob.obligation, ob.due)
               for ob in obligations if ob.status is ObligationStatus.OVERDUE}
    active = {active_key(p.person_id, p.service) for p in active_people}
    return ([(SnapshotItemKind.OVERDUE, key) for key in sorted(overdue)]
            + [(SnapshotItemKind.ACTIVE, key) for key in sorted(active)])


def only_people(last: LastWeek, people: set[tuple[str, str]]) -> LastWeek:
    """``last`` restricted to some (person, service) pairs: one site's view."""

    def mine(key: str) -> bool:
        person_id, service = json.loads(key)[:2]
        return (person_id, service) in people

    return last.model_copy(update={
        "overdue": frozenset(filter(mine, last.overdue)),
        "active": frozenset(filter(mine, last.active)),
    })


def changes_since(data: WeeklyInput) -> WeekChanges | None:
    """What changed since ``data.last_week`` (None when there was no earlier workbook).

    Rows link to their row on this workbook's Overdue, Obligations, Rejected or Active
    people sheet.
    """
    last = data.last_week
    if last is None:
        return None
    names = data.names
    items: list[Change] = []
    if last.items_kept:
        overdue = having(data, ObligationStatus.OVERDUE)
        now_overdue: set[str] = set()
        for row, ob in enumerate(overdue, start=FIRST_ROW):
            key = overdue_key(ob.person_id, ob.service, ob.obligation, ob.due)
            now_overdue.add(key)
            if key not in last.overdue:
                days = (data.as_of - ob.due).days
                items.append(Change(
                    ChangeKind.NEWLY_OVERDUE, ob.person_id, ob.service,
                    names.obligation(ob.service, ob.obligation), ob.due,
                    f"{days} day{'' if days == 1 else 's'} overdue", place("Overdue", row)))
        items += _resolved(data, last.overdue - now_overdue)
    for row, rejected in enumerate(rejected_in_order(data), start=FIRST_ROW):
        if rejected.received_at > last.cutoff:
            items.append(Change(
                ChangeKind.REJECTED, None, None, rejected.file_name,
                rejected.received_at.date(), rejected.reason, place("Rejected", row)))
    if last.items_kept:
        now_active: set[str] = set()
        for row, person in enumerate(active_in_order(data), start=FIRST_ROW):
            key = active_key(person.person_id, person.service)
            now_active.add(key)
            if key not in last.active:
                items.append(Change(
                    ChangeKind.STARTED, person.person_id, person.service,
                    "Support started", person.opened_on, "Supported now",
                    place("Active people", row)))
        for key in sorted(last.active - now_active):
            person_id, service = json.loads(key)
            items.append(Change(ChangeKind.ENDED, person_id, service, "Support ended",
                                None, "No longer supported", None))
    return WeekChanges(since=last, items=items)


def _resolved(data: WeeklyInput, keys: Iterable[str]) -> list[Change]:
    """Last week's overdue obligations that are not overdue now, in Obligations order."""
    left = set(keys)
    if not left:  # nothing to find: spare sorting a council's every obligation
        return []
    names = data.names
    found: list[Change] = []
    for row, ob in enumerate(obligations_in_order(data), start=FIRST_ROW):
        key = overdue_key(ob.person_id, ob.service, ob.obligation, ob.due)
        if key in left:
            left.discard(key)
            now = status_text(ob)
            if ob.met_on is not None:
                now += f" on {ob.met_on:%d/%m/%Y}"
            found.append(Change(
                ChangeKind.RESOLVED, ob.person_id, ob.service,
                names.obligation(ob.service, ob.obligation), ob.due, now,
                place("Obligations", row)))
    for key in sorted(left):  # no longer an obligation at all
        person_id, service, obligation, due = json.loads(key)
        found.append(Change(
            ChangeKind.RESOLVED, person_id, service, names.obligation(service, obligation),
            date.fromisoformat(due),
            "No longer due (a form was corrected, or the support ended)", None))
    return found


def changes_sheet(data: WeeklyInput, changes: WeekChanges | None) -> Sheet:
    """The "Since last week" list sheet: one row per change, linked to its row."""
    names = data.names
    columns = [Column("What changed"), Column("Person"), Column("Service"),
               Column("Obligation or file", Kind.LONG_TEXT), Column("Due or dated", Kind.DATE),
               Column("Now", Kind.LONG_TEXT), Column("Its row", Kind.FILE)]
    rows: list[tuple[Value, ...]] = []
    for item in changes.items if changes is not None else []:
        rows.append((
            item.kind.value, item.person_id,
            names.service(item.service) if item.service else None,
            item.what, item.on, item.now,
            Link(_row_label(item.target), item.target) if item.target else None,
        ))
    return SHEET_TITLE, columns, rows, empty_message(data, changes)


def _row_label(target: str) -> str:
    sheet, _, cell = target[1:].rpartition("!")
    return f"{sheet[1:-1].replace(chr(39) * 2, chr(39))} row {cell[1:]}"


def empty_message(data: WeeklyInput, changes: WeekChanges | None) -> str:
    """What the change sheet says when it lists nothing."""
    if data.last_week is None:
        return "This is the first weekly workbook: next week's will list what changed."
    if not data.last_week.items_kept:
        return (f"The workbook of {data.last_week.week} was written before Planwatch kept"
                " what each week listed: next week's will list what changed.")
    return f"Nothing changed since the workbook of {data.last_week.week}."


def summary_lines(changes: WeekChanges) -> Sequence[tuple[str, int, str | None]]:
    """The Summary's rows: each kind of change, how many, and the link to the first."""
    kinds = list(ChangeKind) if changes.since.items_kept else [ChangeKind.REJECTED]
    lines: list[tuple[str, int, str | None]] = []
    for kind in kinds:
        row = changes.first_row(kind)
        lines.append((kind.value, changes.count(kind),
                      place(SHEET_TITLE, row) if row is not None else None))
    return lines


def rate_change(changes: WeekChanges, now: float | None) -> str:
    """``82% → 85% (up 3 points)``: the on-time rate then and (``now``) now, in words."""
    before = changes.since.rate
    if before is None or now is None:
        shown = [f"{round(r * 100)}%" if r is not None else "nothing due" for r in (before, now)]
        return f"{shown[0]} → {shown[1]}"
    points = round(now * 100) - round(before * 100)
    size = f"{abs(points)} point{'' if abs(points) == 1 else 's'}"
    moved = "no change" if points == 0 else f"{'up' if points > 0 else 'down'} {size}"
    return f"{round(before * 100)}% → {round(now * 100)}% ({moved})"
