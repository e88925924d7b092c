"""One sheet of a workbook being written: cells by kind of value, links, print setup.

Rows and columns are numbered from 1, as in Excel, except in :meth:`Sheet.put` (the list
sheets' inner loop, from 0 as XlsxWriter counts). Rows are written top to bottom
(constant memory, see :mod:`pipeline.reports.xlsx.book`); a row's height is set before
its cells.

Links: Excel takes at most 65,530 hyperlinks on a sheet, and none whose target is longer
than 2,079 characters. A council's Obligations sheet links hundreds of thousands of
rows, so a link past the limit (or too long for a hyperlink) is written as a
``HYPERLINK()`` formula showing the same text, which opens the same file in Excel and
LibreOffice; one longer than a formula's text may be (255 characters) shows its text
unlinked. No row loses its text.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from urllib.parse import unquote

from pipeline.reports.text import one_line
from pipeline.reports.xlsx.style import (
    MAX_CELL_CHARS,
    Link,
    Style,
    Value,
    clean_text,
    local_naive,
    needs_cleaning,
)

MAX_LINKS = 65_530  # hyperlinks Excel takes on one sheet
MAX_URL = 2_079  # characters of a hyperlink's target
MAX_LITERAL = 255  # characters of one text in a formula
# Excel refuses a header or footer of more than 255 characters, codes and all.
MAX_FOOTER_CHARS = 200
A4 = 9  # Excel's paper size code
HEADER_MARGIN = 0.5  # inches from the page's edge to the header and the footer
_DAY_ZERO = date(1899, 12, 30)  # day 0 of Excel's calendar, from 1 March 1900 on
_LEAP_BUG_ENDS = date(1900, 3, 1)  # Excel counts a 29 February 1900 that never was


class Sheet:
    """A sheet of a :class:`~pipeline.reports.xlsx.book.Book`; ``worksheet`` is the
    XlsxWriter worksheet, for what is written once (a chart, a print area)."""

    def __init__(self, worksheet: Any, title: str, format_of: Callable[[Style], Any]) -> None:
        self.worksheet = worksheet
        self.title = title
        self.format = format_of
        self.links = 0
        self._serials: dict[date, int] = {}
        self._string = worksheet.write_string
        self._number = worksheet.write_number
        self._blank = worksheet.write_blank

    def write(self, row: int, column: int, value: Value, style: Style) -> None:
        """Write ``value`` to one cell in ``style``."""
        self.put(row - 1, column - 1, value, self.format(style))

    def put(self, row: int, column: int, value: Value, cell_format: Any) -> None:
        """Write ``value`` to the cell at ``row``, ``column`` (from 0) in ``cell_format``:
        text as text (never a formula), dates as Excel dates, times in UK time, a
        :class:`Link` as a link, None as an empty cell that keeps the format."""
        cls = value.__class__
        if cls is str:
            text: str = value  # type: ignore[assignment]
            if not text:
                self._blank(row, column, None, cell_format)
            elif needs_cleaning(text) is None and len(text) <= MAX_CELL_CHARS:
                self._string(row, column, text, cell_format)  # the usual: nothing to clean
            else:
                self._string(row, column, clean_text(text), cell_format)
        elif value is None:
            self._blank(row, column, None, cell_format)
        elif cls is int or cls is float:
            self._number(row, column, value, cell_format)
        elif cls is date:
            self._number(row, column, self._serial(value), cell_format)  # type: ignore[arg-type]
        elif isinstance(value, Link):
            self.link(row, column, value, cell_format)
        else:
            self._other(row, column, value, cell_format)

    def _other(self, row: int, column: int, value: Value, cell_format: Any) -> None:
        if isinstance(value, datetime):
            self.worksheet.write_datetime(row, column, local_naive(value), cell_format)
        elif isinstance(value, date):
            self._number(row, column, self._serial(value), cell_format)
        elif isinstance(value, bool):
            self.worksheet.write_boolean(row, column, value, cell_format)
        elif isinstance(value, int | float):
            self._number(row, column, value, cell_format)
        else:
            self.put(row, column, str(value), cell_format)

    def _serial(self, day: date) -> int:
        """``day`` as Excel's day number (what write_datetime works out, once a date)."""
        serial = self._serials.get(day)
        if serial is None:
            serial = (day - _DAY_ZERO).days
            if day < _LEAP_BUG_ENDS:
                serial -= 1
            self._serials[day] = serial
        return serial

    def link(self, row: int, column: int, link: Link, cell_format: Any) -> None:
        """Write ``link`` (see the module docstring for the limits)."""
        text, target = clean_text(link.text), link.target
        if not target or not text:  # nothing to go to, or nothing to click
            self.put(row, column, text, cell_format)
            return
        if target.startswith("#"):
            url = f"internal:{target[1:]}"
        elif "://" in target:  # a file: URI (another drive on Windows)
            url = target
        else:  # relative to the workbook ("./" for XlsxWriter's sake with a short name)
            url = f"external:{target if len(target) > 1 else './' + target}"
        length = len(url) if url.isascii() else len(url.encode("utf-16-le")) // 2
        if self.links < MAX_LINKS and length <= MAX_URL:
            self.links += 1
            self.worksheet.write_url(row, column, url, cell_format, text)
        else:
            self._formula_link(row, column, text, target, cell_format)

    def _formula_link(self, row: int, column: int, text: str, target: str,
                      cell_format: Any) -> None:
        # HYPERLINK() takes a path as a person types it: the target unquoted.
        location = (target if target.startswith("#") or "://" in target or "%" not in target
                    else unquote(target))
        if len(location) > MAX_LITERAL:
            self.put(row, column, text, cell_format)
            return
        formula = f"=HYPERLINK({_literal(location)},{_literal(text)})"
        self.worksheet.write_formula(row, column, formula, cell_format, text)

    def widths(self, widths: list[int] | list[float], first_column: int = 1) -> None:
        """Set the widths of the columns from ``first_column`` on."""
        for number, width in enumerate(widths, start=first_column - 1):
            self.worksheet.set_column(number, number, width)

    def height(self, row: int, points: float) -> None:
        """Set one row's height (before writing the row)."""
        self.worksheet.set_row(row - 1, points)

    def header_frozen_and_filtered(self, last_row: int, last_column: int) -> None:
        """The first row stays on screen, and filters the rows up to ``last_row``."""
        self.worksheet.freeze_panes(1, 0)
        self.worksheet.autofilter(0, 0, last_row - 1, last_column - 1)

    def print_setup(self, *, footer: str, header_row: bool = False,
                    gridlines: bool = False) -> None:
        """Landscape A4, one page wide and as many tall as needed, page numbers in the
        footer; with ``header_row`` the first row repeats on every page, with
        ``gridlines`` the grid is printed (rows stay traceable on paper)."""
        ws = self.worksheet
        ws.set_landscape()
        ws.set_paper(A4)
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.5, right=0.5, top=0.7, bottom=0.7)
        if header_row:
            ws.repeat_rows(0)
        if gridlines:
            ws.hide_gridlines(0)
        ws.set_header("", {"margin": HEADER_MARGIN})  # no header; the footer's room
        ws.set_footer(f"&L{footer_text(footer)}&R&A, page &P of &N", {"margin": HEADER_MARGIN})


def _literal(text: str) -> str:
    """``text`` as text in a formula: quoted, in pieces Excel takes, and with no "(" right
    after a word, which XlsxWriter would read as a newer Excel function's name."""
    if len(text) <= MAX_LITERAL and '"' not in text and "(" not in text:
        return f'"{text}"'  # the usual: a file name
    pieces = [text[at:at + MAX_LITERAL] for at in range(0, len(text), MAX_LITERAL)] or [""]
    quoted = ('"' + piece.replace('"', '""').replace("(", '"&"("&"') + '"' for piece in pieces)
    return "&".join(quoted)


def footer_text(text: str) -> str:
    """``text`` as the left part of an Excel footer: one line, short enough, and with
    ``&`` written ``&&`` (a lone ``&`` starts a code there: ``R&D`` would print a date)."""
    text = one_line(text)[:MAX_FOOTER_CHARS]
    while len(text) + text.count("&") > MAX_FOOTER_CHARS:
        text = text[:-1]
    return text.replace("&", "&&")
