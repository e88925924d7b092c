"""The weekly workbook's Summary sheet: headline facts, counts by group, the 12-week trend.

    Planwatch weekly compliance 2026-W11
    As of / Active people / Overdue / Due soon / On-time rate    (headline facts)
    By service | By team | By worker                            (one table each, with totals)
    note: how each number is counted, what the colours mean
    On-time rate, last 12 weeks                                 (table + line chart;
                                                                 files rejected each week)

On-time rates are coloured green, amber or red by the thresholds in the input. The trend
comes from the store's weekly snapshots (``WeeklyInput.history``) for the 11 weeks before
``as_of``'s week, and from this week's own counts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any

from openpyxl.chart import LineChart, Reference
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break

from pipeline.reports.tally import ALL, NO_TEAM, UNASSIGNED, GroupKey, Member, Tally, rag, tallies
from pipeline.reports.weekly.data import WeeklyInput
from pipeline.reports.xlsx.style import (
    ACCENT,
    BOLD_FONT,
    TITLE_FONT,
    Column,
    Kind,
    Value,
    colour,
    fit_heights,
    fit_widths,
    merged_note,
    put,
    set_print,
    write_block,
)
from pipeline.store.models import SnapshotGroup

TREND_WEEKS = 12
STATUS_COLUMNS = (
    Column("Active people", Kind.COUNT),
    Column("Due to date", Kind.COUNT),
    Column("Met on time", Kind.COUNT),
    Column("Met late", Kind.COUNT),
    Column("Overdue", Kind.COUNT),
    Column("Missed", Kind.COUNT),
    Column("Due soon", Kind.COUNT),
    Column("On-time rate", Kind.PERCENT),
)
RATE_COLUMN = len(STATUS_COLUMNS) + 1  # the sheet column of every table's rate
_GROUPS = (
    (SnapshotGroup.SERVICE, "Service", "All services"),
    (SnapshotGroup.TEAM, "Team", "All teams"),
    (SnapshotGroup.WORKER, "Worker", "All workers"),
)


def iso_week(day: date) -> str:
    """``2026-W11``: the ISO year and week of ``day``."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_start(day: date) -> date:
    """The Monday of ``day``'s ISO week."""
    return day - timedelta(days=day.weekday())


def counts_note(data: WeeklyInput) -> str:
    green, amber = round(data.green_at * 100), round(data.amber_at * 100)
    return (
        "Due to date = Met on time + Met late + Overdue + Missed (never done before the"
        " episode closed). On-time rate = Met on time ÷ Due to date; blank where nothing was"
        f" due yet. Due soon = not met and due within the next {data.due_soon_days} days."
        " Upcoming and not-applicable obligations are not counted. Each count is the number"
        " of rows on the Obligations sheet with that Service, Team or Worker and Status;"
        " Active people counts rows on the Active people sheet."
        f" Colours: green {green}% or more, amber {amber}% to {green - 1}%, red below"
        f" {amber}%."
    )


def current_tallies(data: WeeklyInput) -> dict[GroupKey, Tally]:
    """This week's counts for every group, from the obligations and open episodes."""
    members = [Member(p.service, p.team, p.worker) for p in data.active_people]
    return tallies(data.obligations, members)


def write_summary(ws: Any, data: WeeklyInput, footer: str) -> None:
    """Fill ``ws`` (the workbook's first sheet) with the Summary; see the module docstring."""
    ws.title = "Summary"
    counted = current_tallies(data)
    overall = counted[(SnapshotGroup.ALL, ALL)]
    title = put(ws, 1, 1, f"Planwatch weekly compliance {iso_week(data.as_of)}")
    title.font, title.alignment = TITLE_FONT, Alignment()
    facts: list[tuple[str, Value, Kind]] = [
        ("As of", data.as_of, Kind.DATE),
        ("Active people", overall.active, Kind.COUNT),
        ("Overdue", overall.overdue, Kind.COUNT),
        ("Due soon", overall.due_soon, Kind.COUNT),
        ("On-time rate", overall.rate, Kind.PERCENT),
    ]
    for row, (label, value, shown) in enumerate(facts, start=2):
        put(ws, row, 1, label).font = BOLD_FONT
        cell = put(ws, row, 2, value, shown)
        cell.alignment = Alignment(horizontal="left", vertical="top")
    colour(ws.cell(row=6, column=2), _rag(data, overall.rate), bold=True)

    row = 8
    all_rows: list[Sequence[Value]] = []
    bodies: list[tuple[int, list[list[Value]]]] = []
    for kind, header, total_label in _GROUPS:
        named = _shown(data, kind)
        names = sorted((name for k, name in counted if k is kind),
                       key=lambda name: _group_order(named(name)))
        body = [_row(named(name), counted[(kind, name)]) for name in names]
        body.append(_row(total_label, overall))
        columns = [Column(header), *STATUS_COLUMNS]
        first = row + 2
        row = write_block(ws, row, f"By {header.lower()}", columns, body, bold_last=True)
        for offset, values in enumerate(body):
            colour(ws.cell(row=first + offset, column=RATE_COLUMN),
                   _rag(data, _rate(values)), bold=values is body[-1])
        bodies.append((first, body))
        all_rows += body
        row += 1
    columns = [Column("Group"), *STATUS_COLUMNS]
    fit_widths(ws, columns, all_rows)
    for first, body in bodies:
        fit_heights(ws, columns, body, first)
    merged_note(ws, row, counts_note(data), len(columns))
    # The trend starts a printed page of its own: the tables above fill the first.
    ws.row_breaks.append(Break(id=row + 1))
    _trend(ws, row + 2, data, counted)
    set_print(ws, footer=footer)


def _group_order(name: str) -> tuple[bool, str]:
    # Unassigned work last: it is the row a manager has to act on, not a person's caseload.
    return (name in (UNASSIGNED, NO_TEAM), name.casefold())


def _shown(data: WeeklyInput, kind: SnapshotGroup) -> Callable[[str], str]:
    """How a group's name reads: a service by its name, a team or worker as it is."""
    if kind is SnapshotGroup.SERVICE:
        return data.names.service
    return lambda name: name


def _row(label: str, tally: Tally) -> list[Value]:
    return [label, tally.active, tally.due, tally.met, tally.met_late, tally.overdue,
            tally.missed, tally.due_soon, tally.rate]


def _rate(values: Sequence[Value]) -> float | None:
    rate = values[-1]
    return rate if isinstance(rate, float) else None


def _rag(data: WeeklyInput, rate: float | None) -> str | None:
    return rag(rate, green_at=data.green_at, amber_at=data.amber_at)


def trend_rates(
    data: WeeklyInput, counted: dict[GroupKey, Tally]
) -> tuple[list[str], list[tuple[str, date, list[float | None]]]]:
    """The trend table: series names (all services, then each service) and one row per
    week, oldest first: (ISO week, its Monday, the rates in series order)."""
    this_week = week_start(data.as_of)
    kept = [h for h in data.history
            if h.group_kind in (SnapshotGroup.ALL, SnapshotGroup.SERVICE)
            and this_week - timedelta(weeks=TREND_WEEKS - 1) <= h.week_start < this_week]
    services = sorted({name for kind, name in counted if kind is SnapshotGroup.SERVICE}
                      | {h.group_name for h in kept if h.group_kind is SnapshotGroup.SERVICE},
                      key=lambda service: data.names.service(service).casefold())
    keys: list[GroupKey] = [(SnapshotGroup.ALL, ALL)]
    keys += [(SnapshotGroup.SERVICE, s) for s in services]
    rows: list[tuple[str, date, list[float | None]]] = []
    for back in range(TREND_WEEKS - 1, -1, -1):
        monday = this_week - timedelta(weeks=back)
        if back == 0:
            rates = [counted[key].rate if key in counted else None for key in keys]
        else:
            found = {(h.group_kind, h.group_name): h.rate for h in kept if h.week_start == monday}
            rates = [found.get(key) for key in keys]
        rows.append((iso_week(monday), monday, rates))
    return ["All services", *map(data.names.service, services)], rows


def rejected_by_week(data: WeeklyInput) -> dict[date, int]:
    """How many of the files that could not be taken in arrived in each ISO week (by
    its Monday): the trend's last column, beside the rates."""
    weeks: dict[date, int] = {}
    for row in data.rejected:
        monday = week_start(row.received_at.date())
        weeks[monday] = weeks.get(monday, 0) + 1
    return weeks


def _trend(ws: Any, row: int, data: WeeklyInput, counted: dict[GroupKey, Tally]) -> None:
    """The last 12 weeks' on-time rates as a table, and a line chart of it underneath."""
    series, weeks = trend_rates(data, counted)
    rejected = rejected_by_week(data)
    columns = [Column("Week"), Column("Week starting", Kind.DATE),
               *(Column(name, Kind.PERCENT) for name in series),
               Column("Files rejected", Kind.COUNT)]
    body: list[list[Value]] = [[week, monday, *rates, rejected.get(monday, 0)]
                               for week, monday, rates in weeks]
    header_row, first = row + 1, row + 2
    end = write_block(ws, row, f"On-time rate, last {TREND_WEEKS} weeks", columns, body)
    # Service names are long and the columns are sized for the tables above: wrap them.
    for number in range(1, len(columns) + 1):
        ws.cell(row=header_row, column=number).alignment = Alignment(
            horizontal="center", vertical="center", wrap_text=True)
    ws.row_dimensions[header_row].height = 40
    for offset, (_, _, rates) in enumerate(weeks):
        for number, rate in enumerate(rates, start=3):
            colour(ws.cell(row=first + offset, column=number), _rag(data, rate))
    chart = LineChart()  # untitled: the heading above the table names it
    chart.style = 2
    chart.legend.position = "b"  # below: the plot keeps the width for 12 week labels
    chart.height, chart.width = 8.0, 26.0
    chart.y_axis.title = "On-time rate"
    chart.y_axis.number_format = "0%"
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 1
    chart.y_axis.majorUnit = 0.25
    # openpyxl leaves "delete" unset and newer Excel then hides both axes.
    chart.x_axis.delete = chart.y_axis.delete = False
    chart.display_blanks = "gap"  # a week without a snapshot is a gap, not a 0%
    values = Reference(ws, min_col=3, max_col=2 + len(series), min_row=header_row,
                       max_row=end - 1)
    chart.add_data(values, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=end - 1))
    for number, line in enumerate(chart.series):
        # Markers, so a week standing alone (the first ever written) still shows.
        line.marker.symbol = "circle"
        line.smooth = False
        if number == 0:
            line.graphicalProperties.line.solidFill = ACCENT
            line.graphicalProperties.line.width = 28_575  # 2.25 pt in EMU
            line.marker.graphicalProperties.solidFill = ACCENT
            line.marker.graphicalProperties.line.solidFill = ACCENT
    ws.add_chart(chart, f"A{end + 1}")
    # The chart floats over empty cells: without a print area it would be cut off.
    last_column = get_column_letter(max(len(columns), RATE_COLUMN))
    ws.print_area = f"A1:{last_column}{end + 16}"
