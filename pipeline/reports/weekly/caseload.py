"""The weekly workbook's Caseload sheet: open episodes by service, team and worker.

A service with a capacity (Families First works with at most 30 families at once, seed
002 Step 1) shows how much of it is used: red over capacity, amber from 90%. Every
number counts rows of the Active people sheet, which links each episode to its form.
"""

from __future__ import annotations

from collections import Counter

from pipeline.reports.weekly.data import WeeklyInput
from pipeline.reports.weekly.sheets import team_of, worker_of
from pipeline.reports.xlsx.book import Book
from pipeline.reports.xlsx.fit import column_widths
from pipeline.reports.xlsx.style import TITLE, Column, Kind, Value
from pipeline.reports.xlsx.table import Table, merged_note, write_block

NEAR_CAPACITY = 0.9


def capacity_rag(used: float | None) -> str | None:
    """Red over capacity, amber from 90% of it, green below; None without a capacity."""
    if used is None:
        return None
    if used > 1:
        return "red"
    return "amber" if used >= NEAR_CAPACITY else "green"


def write_caseload(book: Book, data: WeeklyInput, footer: str) -> None:
    """Add the Caseload sheet to ``book`` (see the module docstring).

    Services are listed when someone is open to them or their capacity is given; every
    table has the count in its second column, so the three read alike.
    """
    people = data.active_people
    service_name = data.names.service
    by_service = Counter(p.service for p in people)
    by_team = Counter(team_of(p.team) for p in people)
    by_worker = Counter(worker_of(p.worker) for p in people)
    table = Table()
    table.put(1, 1, f"Caseload: open episodes as of {data.as_of:%d/%m/%Y}", TITLE)

    def joined(values: set[str]) -> str:
        return ", ".join(sorted(values, key=_order))

    service_rows: list[list[Value]] = []
    for service in sorted(set(by_service) | set(data.capacities),
                          key=lambda s: service_name(s).casefold()):
        capacity = data.capacities.get(service)
        used = by_service[service] / capacity if capacity else None
        service_rows.append([service_name(service), by_service[service], capacity, used])
    team_rows: list[list[Value]] = [
        [team, count,
         joined({service_name(p.service) for p in people if team_of(p.team) == team})]
        for team, count in sorted(by_team.items(), key=lambda item: _order(item[0]))
    ]
    worker_rows: list[list[Value]] = [
        [worker, count,
         joined({team_of(p.team) for p in people if worker_of(p.worker) == worker}),
         joined({service_name(p.service) for p in people if worker_of(p.worker) == worker})]
        for worker, count in sorted(by_worker.items(), key=lambda item: _order(item[0]))
    ]
    total = len(people)
    count = Column("Open episodes", Kind.COUNT)
    tables: list[tuple[str, list[Column], list[list[Value]]]] = [
        ("By service", [Column("Service"), count, Column("Capacity", Kind.COUNT),
                        Column("Use of capacity", Kind.PERCENT)],
         [*service_rows, ["All services", total, None, None]]),
        ("By team", [Column("Team"), count, Column("Services")],
         [*team_rows, ["All teams", total, None]]),
        ("By worker", [Column("Worker"), count, Column("Teams"), Column("Services")],
         [*worker_rows, ["All workers", total, None, None]]),
    ]
    row = 3
    for heading, columns, body in tables:
        first = row + 2
        row = write_block(table, row, heading, columns, body, bold_last=True) + 1
        if heading == "By service":
            for offset, values in enumerate(body):
                share = values[3]
                table.colour(first + offset, 4,
                             capacity_rag(share if isinstance(share, float) else None))
    table.widths = _widths(tables)
    merged_note(
        table, row,
        "Open episodes: people supported on this date, once per service (the rows of the"
        " Active people sheet, where each links to the form that opened it). Capacity is the"
        " most a service may hold at once; use of capacity shows red above it and amber from"
        f" {round(NEAR_CAPACITY * 100)}%.",
        max(len(columns) for _, columns, _ in tables),
    )
    table.write(book, "Caseload").print_setup(footer=footer)


def _order(name: str) -> tuple[bool, str]:
    return (name.startswith("("), name.casefold())


def _widths(tables: list[tuple[str, list[Column], list[list[Value]]]]) -> list[int]:
    """Column widths that suit every table: each column as wide as its widest use."""
    widths: list[int] = []
    for _, columns, body in tables:
        for number, width in enumerate(column_widths(columns, body)):
            if number < len(widths):
                widths[number] = max(widths[number], width)
            else:
                widths.append(width)
    return widths
