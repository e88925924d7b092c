"""List sheets: a header row and one row per thing, however many, streamed.

A list sheet always looks the same: a bold, filled header row that stays frozen, carries
an autofilter and repeats on every printed page; real Excel dates; column widths fitted
to the content (capped, long text wrapped, rows tall enough for it); landscape A4, one
page wide, gridlines printed. With no rows the sheet says so under the header, so an
empty list reads as good news rather than as a failed report.

    write_list_sheet(book, "Overdue", columns, rows, empty_message="Nothing overdue.",
                     footer="Planwatch weekly compliance 2026-W11")

Rows are written as they come (a council's Obligations sheet has hundreds of thousands),
each cell in its column's format: one format per column for plain values and one for
links, and, for a column with a ``shade``, one per colour.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pipeline.reports.xlsx.fit import column_widths, row_heights
from pipeline.reports.xlsx.style import (
    NOTE,
    Column,
    Link,
    Value,
    body_style,
    coloured,
    header_style,
)

if TYPE_CHECKING:
    from pipeline.reports.xlsx.book import Book
    from pipeline.reports.xlsx.sheet import Sheet


def write_list_sheet(book: Book, title: str, columns: Sequence[Column],
                     rows: Sequence[Sequence[Value]], *, empty_message: str,
                     footer: str) -> Sheet:
    """Add the sheet ``title`` holding ``rows`` under a header of ``columns`` (see the
    module docstring); return it."""
    sheet = book.sheet(title)
    widths = column_widths(columns, rows)
    sheet.widths(widths)
    for number, col in enumerate(columns, start=1):
        sheet.write(1, number, col.header, header_style(col.kind))
    if rows:
        _write_rows(book, sheet, columns, rows, row_heights(columns, widths, rows, 2))
    else:
        sheet.write(2, 1, empty_message, NOTE)  # one line, running across the columns
    sheet.header_frozen_and_filtered(max(len(rows), 1) + 1, len(columns))
    sheet.print_setup(footer=footer, header_row=True, gridlines=True)
    return sheet


def _write_rows(book: Book, sheet: Sheet, columns: Sequence[Column],
                rows: Sequence[Sequence[Value]], heights: dict[int, float]) -> None:
    plain = [book.format(body_style(col.kind)) for col in columns]
    linked = [book.format(body_style(col.kind, link=True)) for col in columns]
    shaded = [(number, col) for number, col in enumerate(columns) if col.shade is not None]
    put, set_row = sheet.put, sheet.worksheet.set_row
    for index, values in enumerate(rows, start=1):
        height = heights.get(index + 1)
        if height is not None:
            set_row(index, height)
        formats = _shaded(book, plain, shaded, values) if shaded else plain
        for column, value in enumerate(values):
            put(index, column, value,
                linked[column] if value.__class__ is Link else formats[column])


def _shaded(book: Book, plain: list[Any], shaded: list[tuple[int, Column]],
            values: Sequence[Value]) -> list[Any]:
    """The row's formats, the shaded columns' coloured by their values."""
    formats = list(plain)
    for number, col in shaded:
        assert col.shade is not None
        rag = col.shade(values[number])
        if rag is not None:
            formats[number] = book.format(coloured(body_style(col.kind), rag))
    return formats
