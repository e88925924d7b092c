"""The weekly workbook's Summary sheet: headline facts, counts by group, the 12-week trend.

    Planwatch weekly compliance 2026-W11
    As of / Active people / Overdue / Due soon / On-time rate    (headline facts)
    Since the workbook of 2026-W10                              (what changed: each kind
                                                                 links to its rows)
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
from dataclasses import replace
from datetime import date, timedelta
from typing import NamedTuple

from pipeline.reports.tally import ALL, NO_TEAM, UNASSIGNED, GroupKey, Member, Tally, rag, tallies
from pipeline.reports.weekly.changes import WeekChanges, rate_change, summary_lines
from pipeline.reports.weekly.data import LastWeek, WeeklyInput
from pipeline.reports.xlsx.book import Book
from pipeline.reports.xlsx.fit import column_widths, row_heights
from pipeline.reports.xlsx.sheet import Sheet
from pipeline.reports.xlsx.style import (
    ACCENT,
    HEADING,
    NOTE,
    TITLE,
    Column,
    Kind,
    Link,
    Value,
    body_style,
    header_style,
)
from pipeline.reports.xlsx.table import Table, merged_note, write_block
from pipeline.store.models import SnapshotGroup

TREND_WEEKS = 12
CHART_CM = (26.0, 8.0)  # width, height
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


def write_summary(book: Book, data: WeeklyInput, footer: str,
                  changes: WeekChanges | None = None) -> None:
    """Add the Summary sheet (the workbook's first) to ``book``; see the module docstring.

    ``changes`` are what changed since the previous workbook (none before the first).
    """
    counted = current_tallies(data)
    overall = counted[(SnapshotGroup.ALL, ALL)]
    table = Table()
    table.put(1, 1, f"Planwatch weekly compliance {iso_week(data.as_of)}", TITLE)
    facts: list[tuple[str, Value, Kind]] = [
        ("As of", data.as_of, Kind.DATE),
        ("Active people", overall.active, Kind.COUNT),
        ("Overdue", overall.overdue, Kind.COUNT),
        ("Due soon", overall.due_soon, Kind.COUNT),
        ("On-time rate", overall.rate, Kind.PERCENT),
    ]
    for row, (label, value, shown) in enumerate(facts, start=2):
        table.put(row, 1, label, replace(body_style(Kind.TEXT), bold=True))
        table.put(row, 2, value, replace(body_style(shown), align="left"))
    table.colour(6, 2, _rag(data, overall.rate), bold=True)

    row = 8
    if changes is not None:
        row = _changes(table, row, changes, overall.rate) + 1
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
        row = write_block(table, row, f"By {header.lower()}", columns, body, bold_last=True)
        for offset, values in enumerate(body):
            table.colour(first + offset, RATE_COLUMN, _rag(data, _rate(values)),
                         bold=values is body[-1])
        bodies.append((first, body))
        all_rows += body
        row += 1
    columns = [Column("Group"), *STATUS_COLUMNS]
    table.widths = column_widths(columns, all_rows)
    for first, body in bodies:
        table.heights.update(row_heights(columns, table.widths, body, first))
    merged_note(table, row, counts_note(data), len(columns))
    trend = _trend(table, row + 2, data, counted)
    sheet = table.write(book, "Summary")
    # The trend starts a printed page of its own: the tables above fill the first.
    sheet.worksheet.set_h_pagebreaks([row + 1])
    _chart(book, sheet, trend)
    sheet.print_setup(footer=footer)


def _changes(table: Table, row: int, changes: WeekChanges, rate: float | None) -> int:
    """What changed since the previous workbook, each kind linked to the first of its
    rows on the change sheet; return the first free row."""
    since = changes.since
    table.put(row, 1, f"Since the workbook of {since.week} (as of {since.as_of:%d/%m/%Y})",
              HEADING)
    label_style = replace(body_style(Kind.TEXT), bold=True)
    one_line = replace(body_style(Kind.TEXT), wrap=False, align="left")
    lines: list[tuple[Value, Value]] = [
        (Link(label, target) if target else label, count)
        for label, count, target in summary_lines(changes)]
    lines.append(("On-time rate", rate_change(changes, rate)))
    for number, (label, value) in enumerate(lines, start=row + 1):
        style = replace(body_style(Kind.TEXT, link=True), bold=True) \
            if isinstance(label, Link) else label_style
        table.put(number, 1, label, style)
        if isinstance(value, int):
            table.put(number, 2, value, replace(body_style(Kind.COUNT), align="left"))
        else:
            table.put(number, 2, value, one_line)
    if not since.items_kept:
        table.put(row + 1 + len(lines), 1, empty_message_for(since), replace(NOTE, wrap=False))
        return row + 2 + len(lines)
    return row + 1 + len(lines)


def empty_message_for(since: LastWeek) -> str:
    return (f"The workbook of {since.week} was written before Planwatch kept what each week"
            " listed: only the files rejected and the on-time rate can be compared.")


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


class _Trend(NamedTuple):
    """Where the trend table is: its header row, last row and series, for the chart."""

    header_row: int
    last_row: int
    series: int
    columns: int


def _trend(table: Table, row: int, data: WeeklyInput, counted: dict[GroupKey, Tally]) -> _Trend:
    """The last 12 weeks' on-time rates as a table (the chart goes underneath)."""
    series, weeks = trend_rates(data, counted)
    rejected = rejected_by_week(data)
    columns = [Column("Week"), Column("Week starting", Kind.DATE),
               *(Column(name, Kind.PERCENT) for name in series),
               Column("Files rejected", Kind.COUNT)]
    body: list[list[Value]] = [[week, monday, *rates, rejected.get(monday, 0)]
                               for week, monday, rates in weeks]
    header_row, first = row + 1, row + 2
    end = write_block(table, row, f"On-time rate, last {TREND_WEEKS} weeks", columns, body)
    # Service names are long and the columns are sized for the tables above: wrap them.
    for number, col in enumerate(columns, start=1):
        table.restyle(header_row, number,
                      replace(header_style(col.kind), align="center", wrap=True))
    table.heights[header_row] = 40
    for offset, (_, _, rates) in enumerate(weeks):
        for number, rate in enumerate(rates, start=3):
            table.colour(first + offset, number, _rag(data, rate))
    return _Trend(header_row, end - 1, len(series), len(columns))


def _chart(book: Book, sheet: Sheet, trend: _Trend) -> None:
    """A line chart of the trend's rates under its table, inside the printed area."""
    first, last = trend.header_row, trend.last_row  # sheet rows, from 1
    chart = book.chart({"type": "line"})
    chart.set_style(2)
    for number in range(trend.series):
        column = 2 + number  # from 0: the series are the table's third column on
        line: dict[str, object] = {
            "name": [sheet.title, first - 1, column],
            "categories": [sheet.title, first, 0, last - 1, 0],
            "values": [sheet.title, first, column, last - 1, column],
            # Markers, so a week standing alone (the first ever written) still shows.
            "marker": {"type": "circle"},
            "smooth": False,
        }
        if number == 0:  # all services: the accent colour, drawn thicker
            line["line"] = {"color": f"#{ACCENT}", "width": 2.25}
            line["marker"] = {"type": "circle", "fill": {"color": f"#{ACCENT}"},
                              "border": {"color": f"#{ACCENT}"}}
        chart.add_series(line)
    chart.set_title({"none": True})  # the heading above the table names it
    chart.set_legend({"position": "bottom"})  # the plot keeps the width for 12 weeks
    chart.set_y_axis({"name": "On-time rate", "num_format": "0%", "min": 0, "max": 1,
                      "major_unit": 0.25})
    chart.show_blanks_as("gap")  # a week without a snapshot is a gap, not a 0%
    chart.set_size({"width": _pixels(CHART_CM[0]), "height": _pixels(CHART_CM[1])})
    sheet.worksheet.insert_chart(last + 1, 0, chart)  # a row under the table
    # The chart floats over empty cells: without a print area it would be cut off.
    sheet.worksheet.print_area(0, 0, last + 16, max(trend.columns, RATE_COLUMN) - 1)


def _pixels(cm: float) -> int:
    return round(cm / 2.54 * 96)
