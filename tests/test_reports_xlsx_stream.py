"""Streamed list sheets read back exactly as sheets written cell by cell with openpyxl."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl import Workbook

from pipeline.reports.xlsx.stream import StreamedSheets
from pipeline.reports.xlsx.style import (
    Column,
    Kind,
    Link,
    Value,
    colour,
    put,
    save_atomically,
    write_list_sheet,
)

COLUMNS = [Column("Person"), Column("Due", Kind.DATE), Column("Count", Kind.COUNT),
           Column("Score", Kind.SCORE), Column("Change", Kind.CHANGE),
           Column("File", Kind.FILE), Column("When", Kind.DATETIME),
           Column("What to fix", Kind.LONG_TEXT), Column("Rate", Kind.PERCENT)]
AWKWARD: list[list[Value]] = [
    ["CS-0001", date(2026, 3, 9), 3, 2.5, -1.5, Link("plan 1.docx", "../archive/plan%201.docx"),
     datetime(2026, 3, 9, 9, 30, tzinfo=UTC), "Sign the plan & date it <today>.", 0.5],
    ["  leading and trailing  ", None, 0, None, 0.0, None, datetime(2026, 7, 1, 23, 30),
     "=1+2 is text, not a formula", None],
    ["Zoë O'Brien — café", date(1900, 2, 28), 10**6, 1 / 3, 0.1,
     Link("Ünïcode & <angles>.pdf", "file:///C:/forms/%C3%9C.pdf"), None,
     "line one\r\nline two\nline three with a great many words that wrap around the cell "
     "more than once, surely, at this width", 1.0],
    ["", date(2026, 12, 31), -4, 7.25, 2.0, Link("", "../archive/x.docx"), None,
     "tab\there and a control \x0b character", 0.0],
    ["x" * 80, date(2026, 1, 1), 1, 1.0, None, Link("a" * 120, "../archive/a.docx"), None,
     "word " * 60, 0.25],
]


def _write(path: Path, rows: list[list[Value]], *, streamed: bool) -> Path:
    workbook = Workbook()
    put(workbook.active, 1, 1, "Summary first, as in the weekly workbook")
    sheets = StreamedSheets(workbook)
    for title, body in [("List", rows), ("Empty", []), ("Again", rows[:2])]:
        ws = workbook.create_sheet(title)
        if streamed:
            sheets.list_sheet(ws, COLUMNS, body, empty_message="Nothing.", footer="F")
        else:
            write_list_sheet(ws, COLUMNS, body, empty_message="Nothing.", footer="F")
    colour(workbook.active.cell(row=1, column=1), "red")
    return sheets.save(path) if streamed else save_atomically(workbook, path)


def _described(path: Path) -> dict[str, Any]:
    workbook = openpyxl.load_workbook(path)
    found: dict[str, Any] = {}
    for ws in workbook.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for cell in row:
                cells[cell.coordinate] = (
                    cell.value, cell.data_type, cell.number_format, repr(cell.font),
                    repr(cell.alignment), repr(cell.fill), repr(cell.border),
                    cell.hyperlink.target if cell.hyperlink else None)
        found[ws.title] = {
            "cells": cells, "dimensions": ws.dimensions, "freeze": ws.freeze_panes,
            "filter": ws.auto_filter.ref, "print_titles": ws.print_title_rows,
            "widths": {k: v.width for k, v in ws.column_dimensions.items()},
            "heights": {k: v.height for k, v in ws.row_dimensions.items() if v.height},
            "footer": ws.oddFooter.left.text, "grid": ws.print_options.gridLines,
        }
    return found


@pytest.mark.parametrize("rows", [
    pytest.param(AWKWARD, id="awkward_values"),
    pytest.param(AWKWARD * 900, id="thousands_of_rows_and_links"),
])
def test_streamed_sheets_read_back_as_written_cell_by_cell(tmp_path: Path,
                                                           rows: list[list[Value]]) -> None:
    expected = _described(_write(tmp_path / "cells.xlsx", rows, streamed=False))
    assert _described(_write(tmp_path / "streamed.xlsx", rows, streamed=True)) == expected
