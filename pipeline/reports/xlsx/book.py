"""A workbook written with XlsxWriter in constant-memory mode, saved atomically.

    def fill(book: Book) -> None:
        summary = book.sheet("Summary")          # sheets in tab order,
        summary.write(1, 1, "Title", TITLE)      # each row by row, top to bottom
        write_list_sheet(book, "Overdue", columns, rows, ...)

    write_workbook(path, fill, title="Planwatch weekly compliance 2026-W11")

Constant memory: XlsxWriter writes each row to disk once the next row is started, so a
council's workbook of millions of cells never sits in memory, and a row cannot be
changed once a later one is written. Sheets are therefore filled one at a time and in
row order: a list sheet from its rows (:mod:`.lists`), a sheet of small tables laid out
first and then written (:mod:`.table`). The rows on disk wait in a private temporary
folder that goes with the workbook; the workbook itself is written through
:func:`pipeline.reports.saving.write_report` (owner-only, atomic).
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

import xlsxwriter
from xlsxwriter.exceptions import FileCreateError

from pipeline.reports.saving import write_report
from pipeline.reports.xlsx.sheet import Sheet
from pipeline.reports.xlsx.style import Style

CREATOR = "Planwatch"


class Book:
    """One workbook being written: its sheets and the formats of its cells."""

    def __init__(self, workbook: Any) -> None:
        self.workbook = workbook
        self._formats: dict[Style, Any] = {}

    def format(self, style: Style) -> Any:
        """The workbook's XlsxWriter format for ``style`` (one per distinct style)."""
        found = self._formats.get(style)
        if found is None:
            found = self._formats[style] = self.workbook.add_format(style.properties())
        return found

    def sheet(self, title: str) -> Sheet:
        """A new sheet after the others, named ``title`` (a name Excel accepts)."""
        return Sheet(self.workbook.add_worksheet(title), title, self.format)

    def chart(self, options: dict[str, Any]) -> Any:
        """A new XlsxWriter chart (``{"type": "line"}``), to insert in a sheet."""
        return self.workbook.add_chart(options)


def write_workbook(path: Path, fill: Callable[[Book], None], *, title: str) -> Path:
    """Write the workbook ``fill`` makes to ``path`` atomically and owner-only, with
    ``title`` and Planwatch as its author in its properties; return ``path``.

    Raises :class:`~pipeline.errors.ReportError` when the folder or file cannot be
    written (whatever ``fill`` raises passes through).
    """

    def write(handle: BinaryIO) -> None:
        # The sheets' rows wait here until the workbook is put together: owner-only
        # (0700), and gone afterwards whatever happens.
        with tempfile.TemporaryDirectory(prefix="planwatch-xlsx-") as rows:
            workbook = xlsxwriter.Workbook(handle, {"constant_memory": True, "tmpdir": rows})
            workbook.set_properties({"title": title, "author": CREATOR})
            try:
                fill(Book(workbook))
            except BaseException:
                # Closing is the one way to close the files of the rows written so far;
                # what it writes goes with the temporary file.
                with contextlib.suppress(Exception):
                    workbook.close()
                raise
            try:
                workbook.close()
            except FileCreateError as exc:  # XlsxWriter's wrapper of an OSError
                cause = exc.args[0] if exc.args else None
                raise (cause if isinstance(cause, OSError) else OSError(str(exc))) from exc

    return write_report(path, write, what="the workbook")
