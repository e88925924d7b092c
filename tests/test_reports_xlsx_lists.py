"""List sheets (pipeline/reports/xlsx/lists.py): every kind of value read back as it was
meant, links to files and to other sheets, shaded columns, empty lists, long lists."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from pipeline.reports.xlsx.book import Book, write_workbook
from pipeline.reports.xlsx.links import place
from pipeline.reports.xlsx.lists import write_list_sheet
from pipeline.reports.xlsx.style import Column, Kind, Link, Value

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
     "line one\r\nline two\rline three with a great many words that wrap around the cell "
     "more than once, surely, at this width", 1.0],
    ["", date(2026, 12, 31), -4, 7.25, 2.0, Link("", "../archive/x.docx"), None,
     "tab\there and a control \x0b character", 0.0],
    ["x" * 80, date(1900, 3, 1), 1, 1.0, None, Link("a" * 120, "a"), None, "word " * 60, 0.25],
]


def write(path: Path, sheets: Sequence[tuple[str, Sequence[Column], Sequence[Sequence[Value]]]],
          ) -> Any:
    def fill(book: Book) -> None:
        for title, columns, rows in sheets:
            write_list_sheet(book, title, columns, rows, empty_message="Nothing.",
                             footer="R&D weekly")

    return openpyxl.load_workbook(write_workbook(path, fill, title="Test"))


@pytest.fixture
def awkward(tmp_path: Path) -> Any:
    return write(tmp_path / "awkward.xlsx", [("List", COLUMNS, AWKWARD)])["List"]


def values(ws: Any) -> list[list[Any]]:
    return [list(row) for row in ws.iter_rows(min_row=2, values_only=True)]


def test_values_read_back_as_meant(awkward: Any) -> None:
    rows = values(awkward)
    assert rows[0] == ["CS-0001", datetime(2026, 3, 9), 3, 2.5, -1.5, "plan 1.docx",
                       datetime(2026, 3, 9, 9, 30), "Sign the plan & date it <today>.", 0.5]
    assert rows[1][:2] == ["  leading and trailing  ", None]
    assert rows[1][6] == datetime(2026, 7, 1, 23, 30)  # naive: UK time already
    assert rows[1][7] == "=1+2 is text, not a formula"
    assert awkward["H3"].data_type == "s"
    # Excel's 29 February 1900 that never was: the days either side keep their dates.
    assert (rows[2][1], rows[4][1]) == (datetime(1900, 2, 28), datetime(1900, 3, 1))
    assert rows[2][7].startswith("line one\nline two\nline three")  # PDF line breaks
    assert rows[3][0] is None and rows[3][5] is None  # empty text is an empty cell
    assert rows[3][7] == "tab\there and a control   character"


def test_utc_times_are_shown_in_uk_time(awkward: Any) -> None:
    assert awkward["G2"].value == datetime(2026, 3, 9, 9, 30)  # GMT in March
    assert awkward["G2"].number_format == "dd/mm/yyyy hh:mm"


@pytest.mark.parametrize(("cell", "number_format", "horizontal", "wrapped"), [
    pytest.param("A2", "General", None, True, id="text_wraps"),
    pytest.param("B2", "dd/mm/yyyy", "center", False, id="date"),
    pytest.param("C2", "General", "center", False, id="count"),
    pytest.param("D2", "0.0", "center", False, id="score"),
    pytest.param("E2", "+0.0;-0.0;0.0", "center", False, id="change"),
    pytest.param("F2", "General", None, False, id="file_one_line"),
    pytest.param("I2", "0%", "center", False, id="percent"),
    pytest.param("B3", "dd/mm/yyyy", "center", False, id="empty_date_keeps_its_format"),
])
def test_each_kind_has_its_format_and_alignment(awkward: Any, cell: str, number_format: str,
                                                horizontal: str | None, wrapped: bool) -> None:
    found = awkward[cell]
    assert found.number_format == number_format
    assert (found.alignment.horizontal, found.alignment.vertical) == (horizontal, "top")
    assert bool(found.alignment.wrap_text) == wrapped
    assert (found.font.name, found.font.sz) == ("Arial", 10)


def test_links_open_their_files_in_link_style(awkward: Any) -> None:
    assert awkward["F2"].hyperlink.target == "..\\archive\\plan%201.docx"
    assert awkward["F4"].hyperlink.target == "file:///C:\\forms\\%C3%9C.pdf"
    assert awkward["F6"].hyperlink.target == "a"  # a one-letter name next to the workbook
    font = awkward["F2"].font
    assert font.u == "single" and str(font.color.rgb).endswith("0563C1")


def test_header_frozen_filtered_and_printed(awkward: Any) -> None:
    assert [c.value for c in awkward[1]] == [c.header for c in COLUMNS]
    header = awkward["B1"]
    assert header.font.b and str(header.fill.fgColor.rgb).endswith("D5E1E5")
    assert (header.alignment.horizontal, header.alignment.vertical) == ("center", "center")
    assert header.border.bottom.style == "thin"
    assert awkward["A1"].alignment.horizontal == "left"
    assert (awkward.freeze_panes, awkward.auto_filter.ref) == ("A2", "A1:I6")
    assert awkward.print_title_rows == "$1:$1" and awkward.print_options.gridLines
    assert awkward.page_setup.orientation == "landscape"
    assert awkward.oddFooter.left.text == "R&&D weekly"  # a lone & would start a code
    assert awkward.oddFooter.right.text == "&A, page &P of &N"


def test_widths_fit_and_long_text_gets_the_height_it_needs(awkward: Any) -> None:
    widths = {letter: awkward.column_dimensions[letter].width for letter in "ABH"}
    assert widths["A"] == pytest.approx(36.71, abs=0.01)  # text: capped at 36, then wraps
    assert widths["B"] == pytest.approx(13.71, abs=0.01)  # 10.6 for a date, 2 to spare
    assert widths["H"] == pytest.approx(50.71, abs=0.01)
    assert awkward.row_dimensions[6].height > 4 * 13  # "word " * 60 over several lines
    assert awkward.row_dimensions[2].height is None  # one line: the default height


def test_an_empty_list_says_so(tmp_path: Path) -> None:
    ws = write(tmp_path / "e.xlsx", [("Empty", COLUMNS, [])])["Empty"]
    assert ws["A2"].value == "Nothing."
    assert ws["A2"].font.i and not ws["A2"].alignment.wrap_text
    assert ws.max_row == 2 and ws.auto_filter.ref == "A1:I2"


def test_a_shaded_column_colours_cells_by_value(tmp_path: Path) -> None:
    shades = {"Overdue": "red", "Due soon": "amber"}
    columns = [Column("Person"),
               Column("Status", shade=lambda v: shades.get(v) if isinstance(v, str) else None)]
    ws = write(tmp_path / "s.xlsx", [("S", columns, [("P1", "Overdue"), ("P2", "Due soon"),
                                                     ("P3", "Upcoming")])])["S"]
    fills = [str(ws.cell(row, 2).fill.fgColor.rgb)[-6:] if ws.cell(row, 2).fill.fill_type
             else None for row in (2, 3, 4)]
    assert fills == ["FFC7CE", "FFEB9C", None]
    assert str(ws["B2"].font.color.rgb).endswith("9C0006")
    assert ws["A2"].fill.fill_type is None


def test_links_to_rows_of_other_sheets(tmp_path: Path) -> None:
    """A change list linking to the row it is about on another sheet (issue 18's
    "Since last week"): a link to a place in the workbook, not to a file."""
    overdue = [("P1",), ("P2",), ("P3",)]
    changes: list[tuple[Value, ...]] = [
        ("Newly overdue", Link("P3", place("Overdue", 4))),
        ("Named oddly", Link("it", place("Bob's list", 2, 3)))]
    book = write(tmp_path / "c.xlsx", [
        ("Since last week", [Column("Change"), Column("Row", Kind.FILE)], changes),
        ("Overdue", [Column("Person")], overdue),
        ("Bob's list", [Column("Person")], overdue)])
    ws = book["Since last week"]
    assert ws["B2"].value == "P3"
    assert (ws["B2"].hyperlink.location, ws["B2"].hyperlink.target) == ("'Overdue'!A4", None)
    assert ws["B3"].hyperlink.location == "'Bob''s list'!C2"
    assert book["Overdue"]["A4"].value == "P3"


def test_thousands_of_rows_all_written(tmp_path: Path) -> None:
    rows = AWKWARD * 900
    ws = write(tmp_path / "many.xlsx", [("Many", COLUMNS, rows)])["Many"]
    assert ws.max_row == len(rows) + 1
    assert [c.value for c in ws[ws.max_row]][:3] == ["x" * 80, datetime(1900, 3, 1), 1]
    last_link = ws.cell(ws.max_row - 4, 6)
    assert last_link.hyperlink.target == "..\\archive\\plan%201.docx"
