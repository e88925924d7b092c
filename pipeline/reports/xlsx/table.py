"""Sheets of a few small tables (Summary, Caseload): laid out first, then written.

A :class:`Table` holds the sheet's cells, row heights and merged notes while a report
places, colours and measures them in whatever order suits it; :meth:`Table.write` then
writes the rows top to bottom, as a constant-memory workbook must.

    table = Table()
    end = write_block(table, 3, "By service", columns, body, bold_last=True)
    table.colour(5, 4, "red")
    table.widths = column_widths(columns, body)
    merged_note(table, end + 1, "How each number is counted.", len(columns))
    sheet = table.write(book, "Caseload")
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from pipeline.reports.xlsx.fit import note_height
from pipeline.reports.xlsx.style import (
    HEADING,
    NOTE,
    RAG,
    Column,
    Kind,
    Link,
    Style,
    Value,
    body_style,
    coloured,
    header_style,
)

if TYPE_CHECKING:
    from pipeline.reports.xlsx.book import Book
    from pipeline.reports.xlsx.sheet import Sheet

DEFAULT_WIDTH = 8.43  # Excel's width of a column never sized


class Table:
    """The cells of one sheet by (row, column) from 1, each with its style."""

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], tuple[Value, Style]] = {}
        self.heights: dict[int, float] = {}
        self.merged: dict[int, int] = {}  # row -> the last column of its merged cell
        self.widths: list[int] = []

    def put(self, row: int, column: int, value: Value, style: Style | None = None,
            kind: Kind = Kind.TEXT) -> None:
        """Place ``value``, in ``style`` or else the body style of ``kind``."""
        shown = style if style is not None else body_style(kind, link=isinstance(value, Link))
        self.cells[(row, column)] = (value, shown)

    def restyle(self, row: int, column: int, style: Style) -> None:
        """Give the cell placed at ``row``, ``column`` another style."""
        value, _ = self.cells[(row, column)]
        self.cells[(row, column)] = (value, style)

    def colour(self, row: int, column: int, rag: RAG | None, *, bold: bool = False) -> None:
        """Fill the cell green, amber or red (``rag``, from pipeline.reports.tally.rag)."""
        value, style = self.cells[(row, column)]
        self.cells[(row, column)] = (value, coloured(style, rag, bold=bold))

    def width(self, column: int) -> float:
        """The width of ``column`` (from 1), as set in ``widths`` or Excel's default."""
        return self.widths[column - 1] if column <= len(self.widths) else DEFAULT_WIDTH

    def write(self, book: Book, title: str) -> Sheet:
        """Add the sheet ``title`` to ``book`` with these cells, row by row; return it."""
        sheet = book.sheet(title)
        sheet.widths(self.widths)
        rows = sorted({row for row, _ in self.cells} | set(self.heights))
        by_row = sorted(self.cells.items())
        at = 0
        for row in rows:
            if row in self.heights:
                sheet.height(row, self.heights[row])
            if row in self.merged:
                _, style = self.cells[(row, 1)]
                sheet.worksheet.merge_range(row - 1, 0, row - 1, self.merged[row] - 1, "",
                                            book.format(style))
            while at < len(by_row) and by_row[at][0][0] == row:
                (_, column), (value, style) = by_row[at]
                sheet.write(row, column, value, style)
                at += 1
        return sheet


def write_block(table: Table, row: int, title: str, columns: Sequence[Column],
                body: Sequence[Sequence[Value]], *, bold_last: bool = False) -> int:
    """A heading, a header row and ``body`` from ``row`` on; return the first free row.

    With ``bold_last`` the last row is a total. Widths are left to the caller
    (:func:`~pipeline.reports.xlsx.fit.column_widths` over every block's rows), and so
    are heights.
    """
    table.put(row, 1, title, HEADING)  # one line, running across
    for number, col in enumerate(columns, start=1):
        table.put(row + 1, number, col.header, header_style(col.kind))
    for offset, values in enumerate(body, start=row + 2):
        last = bold_last and values is body[-1]
        for number, (col, value) in enumerate(zip(columns, values, strict=True), start=1):
            style = body_style(col.kind, link=isinstance(value, Link))
            if last and not isinstance(value, Link):
                style = replace(style, bold=True)
            table.put(offset, number, value, style)
    return row + 2 + len(body)


def merged_note(table: Table, row: int, text: str, width_columns: int) -> None:
    """A small italic note across ``width_columns`` columns, tall enough for its text.

    Call after the column widths are set: a merged cell never grows to fit.
    """
    table.put(row, 1, text, replace(NOTE, wrap=True))
    table.merged[row] = width_columns
    width = sum(table.width(number) for number in range(1, width_columns + 1))
    table.heights[row] = note_height(text, width)

