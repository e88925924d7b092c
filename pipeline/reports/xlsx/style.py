"""Sheet helpers shared by every .xlsx report Planwatch writes.

A list sheet always looks the same: a bold, filled header row that stays frozen, carries
an autofilter and repeats on every printed page; real Excel dates; column widths fitted
to the content (capped, long text wrapped); landscape A4, one page wide. A report
describes its columns with :class:`Column`, hands rows of plain values (or :class:`Link`)
to :func:`write_list_sheet`, and saves with :func:`save_atomically`.

Text from forms and file names is untrusted: :func:`put` strips characters XML cannot
carry and stores a leading ``=`` as text, never as a formula.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from pipeline.errors import ReportError
from pipeline.reports.saving import write_report
from pipeline.reports.text import one_line
from pipeline.reports.xlsx.xml_text import quote_path

DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
PERCENT_FORMAT = "0%"
ACCENT = "1F4E5F"  # the colour of the blank forms' headings (pipeline/formats/word/build.py)
# Arial, as on the blank forms; LibreOffice draws it with metric-compatible Liberation Sans.
FONT_NAME = "Arial"
BODY_FONT = Font(name=FONT_NAME, size=10)
BOLD_FONT = Font(name=FONT_NAME, size=10, bold=True)
TITLE_FONT = Font(name=FONT_NAME, size=14, bold=True, color=ACCENT)
HEADING_FONT = Font(name=FONT_NAME, size=11, bold=True, color=ACCENT)
HEADER_FONT = Font(name=FONT_NAME, size=10, bold=True, color=ACCENT)
NOTE_FONT = Font(name=FONT_NAME, size=9, italic=True, color="595959")
LINK_FONT = Font(name=FONT_NAME, size=10, color="0563C1", underline="single")
HEADER_FILL = PatternFill("solid", fgColor="D5E1E5")
# Excel's own Good / Neutral / Bad cell styles, so the colours read as they do elsewhere.
RAG_STYLES = {
    "green": (PatternFill("solid", fgColor="C6EFCE"), Font(name=FONT_NAME, size=10,
                                                             color="006100")),
    "amber": (PatternFill("solid", fgColor="FFEB9C"), Font(name=FONT_NAME, size=10,
                                                             color="9C5700")),
    "red": (PatternFill("solid", fgColor="FFC7CE"), Font(name=FONT_NAME, size=10,
                                                           color="9C0006")),
}
HEADER_BORDER = Border(bottom=Side(style="thin", color=ACCENT))
TOP_WRAP = Alignment(vertical="top", wrap_text=True)
# Numbers and dates are centred, headers too: a right-aligned header would hide under
# Excel's filter button, and a left one would float away from its right-aligned values.
TOP_CENTRE = Alignment(horizontal="center", vertical="top")
TOP = Alignment(vertical="top")
# Excel refuses longer cell text; a form field that long is cut rather than fail the report.
MAX_CELL_CHARS = 32_767
# Excel refuses a header or footer of more than 255 characters, codes and all.
MAX_FOOTER_CHARS = 200
REPORT_ZONE = "Europe/London"
LINE_HEIGHT = 13.0  # points per line of 10-point text, leading included


class Kind(Enum):
    """How a column's values are shown, and so how wide it may grow."""

    TEXT = "text"
    LONG_TEXT = "long_text"
    FILE = "file"  # a file name, usually a link: one line, since it has no spaces to wrap at
    DATE = "date"
    DATETIME = "datetime"
    COUNT = "count"
    PERCENT = "percent"
    SCORE = "score"  # one decimal place: averages of outcome scores
    CHANGE = "change"  # signed, one decimal place: +1.5, -0.5, 0.0


# Widest a column may be fitted to, in column-width units; longer text wraps in the cell.
_WRAPPED = {Kind.TEXT: 36, Kind.LONG_TEXT: 50}
_LEFT = {*_WRAPPED, Kind.FILE}
_MAX_WIDTH = {**_WRAPPED, Kind.FILE: 50}
_FIXED_WIDTH = {Kind.DATE: 10.6, Kind.DATETIME: 16.4, Kind.PERCENT: 5.0, Kind.SCORE: 5.0,
                Kind.CHANGE: 5.0}
_NUMBER_FORMAT = {
    Kind.DATE: DATE_FORMAT,
    Kind.DATETIME: DATETIME_FORMAT,
    Kind.PERCENT: PERCENT_FORMAT,
    Kind.SCORE: "0.0",
    Kind.CHANGE: "+0.0;-0.0;0.0",
}


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its header text and how its values are shown."""

    header: str
    kind: Kind = Kind.TEXT


@dataclass(frozen=True, slots=True)  # slots: a council's workbook has 100,000s
class Link:
    """A cell that shows ``text`` and opens ``target`` (see :func:`file_link`)."""

    text: str
    target: str


Value = str | int | float | date | datetime | Link | None


def clean_text(text: str) -> str:
    """``text`` without control characters XML refuses (Word line breaks arrive as \\v)."""
    cleaned: str = ILLEGAL_CHARACTERS_RE.sub(" ", text)
    return cleaned[:MAX_CELL_CHARS]


def local_naive(moment: datetime) -> datetime:
    """``moment`` as UK wall-clock time without tzinfo (Excel cannot store an offset).

    Naive datetimes are taken to be UK time already and returned unchanged.
    """
    if moment.tzinfo is None:
        return moment
    try:
        zone = ZoneInfo(REPORT_ZONE)
    except ZoneInfoNotFoundError as exc:
        raise ReportError(
            f"No time-zone data for {REPORT_ZONE}: cannot show times in UK time.",
            hint="Install the 'tzdata' Python package and run the command again.",
        ) from exc
    return moment.astimezone(zone).replace(tzinfo=None)


def file_link(stored: str, workbook_dir: Path, files_root: Path | None = None) -> str:
    """A link target for an archived file, relative to the workbook where possible.

    ``stored`` is absolute, or relative to ``files_root`` (the workspace); with no
    ``files_root`` a relative path is taken to be relative to the workbook already.
    Relative links keep working when the whole workspace is moved or shared.
    """
    target = Path(stored)
    if not target.is_absolute():
        if files_root is None:
            return quote_path(target.as_posix())
        target = files_root / target
    try:
        relative = Path(os.path.relpath(target, workbook_dir))
    except ValueError:  # another drive on Windows: no relative path exists
        return target.absolute().as_uri()
    return quote_path(relative.as_posix())


def file_links(workbook_dir: Path, files_root: Path | None = None) -> Callable[[str], str]:
    """:func:`file_link` for the many files of one workbook, giving the same targets.

    A file's target is its folder's target and its quoted name (``quote`` works character
    by character), so paths are worked out once per folder (``archive/2026/03``), not
    once per file: a council's workbook links to hundreds of thousands of forms.
    """
    folders: dict[str, str] = {}

    def link(stored: str) -> str:
        folder, slash, name = stored.rpartition("/")
        if not slash or not folder or name in ("", ".", "..") or ":" in stored:
            return file_link(stored, workbook_dir, files_root)
        if folder not in folders:
            folders[folder] = file_link(folder, workbook_dir, files_root)
        base = folders[folder]
        if ":" in base:  # a file: URI (another drive): left to file_link
            return file_link(stored, workbook_dir, files_root)
        return quote_path(name) if base == "." else f"{base}/{quote_path(name)}"

    return link


def put(ws: Any, row: int, column: int, value: Value, kind: Kind = Kind.TEXT) -> Any:
    """Write ``value`` to one cell with the number format and alignment of ``kind``."""
    cell = ws.cell(row=row, column=column)
    if isinstance(value, Link):
        cell.value = clean_text(value.text)
        cell.hyperlink = value.target
    elif isinstance(value, str):
        cell.value = clean_text(value)
    elif isinstance(value, datetime):
        cell.value = local_naive(value)
    else:
        cell.value = value
    if isinstance(cell.value, str) and cell.value.startswith("="):
        # openpyxl would store this as a formula; text from a form is only ever text.
        cell.data_type = "s"
    style_body(cell, kind, link=isinstance(value, Link))
    return cell


def style_body(cell: Any, kind: Kind, *, link: bool = False) -> None:
    """Give a body cell the font, number format and alignment of ``kind`` (a link's font)."""
    cell.font = LINK_FONT if link else BODY_FONT
    if kind in _NUMBER_FORMAT:
        cell.number_format = _NUMBER_FORMAT[kind]
    cell.alignment = TOP_WRAP if kind in _WRAPPED else TOP if kind in _LEFT else TOP_CENTRE


def style_header(ws: Any, row: int, columns: Sequence[Column], first_column: int = 1) -> None:
    """Write and style one header row: bold, filled, underlined, aligned with its values."""
    for offset, col in enumerate(columns):
        cell = ws.cell(row=row, column=first_column + offset, value=col.header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.border = HEADER_BORDER
        horizontal = "left" if col.kind in _LEFT else "center"
        cell.alignment = Alignment(horizontal=horizontal, vertical="center")


# Arial 10 glyph widths in Excel's column unit (one digit of the default font, 7 px): text
# of narrow letters fits a far narrower column than its length suggests, and vice versa.
_NARROW, _SEMI, _WIDE = set("iljI.,:;'!|()[] "), set("frt-/\\\"*"), set("mwMW@%")
_WIDEST_CHAR = 1.55  # no character is counted wider (text_units)


# ASCII characters by width class: text with the same classes in the same order has the
# same width to the last bit, so widths of ASCII text are worked out once per pattern.
_CLASSES = bytes(
    ord("n") if chr(c) in _NARROW else ord("s") if chr(c) in _SEMI else
    ord("w") if chr(c) in _WIDE else ord("u") if chr(c).isupper() else ord("o")
    for c in range(256))
_PATTERN_UNITS: dict[bytes, float] = {}


def text_units(text: str, *, bold: bool = False) -> float:
    """How wide one line of ``text`` is, in column-width units, erring slightly wide."""
    if text.isascii():
        pattern = text.encode("ascii").translate(_CLASSES)
        total = _PATTERN_UNITS.get(pattern)
        if total is None:
            total = _PATTERN_UNITS[pattern] = _units(text)
            if len(_PATTERN_UNITS) > 100_000:  # bounded: long free text rarely repeats
                _PATTERN_UNITS.clear()
    else:
        total = _units(text)
    return total * (1.1 if bold else 1.0)


def _units(text: str) -> float:
    total = 0.0
    for char in text:
        if char in _NARROW:
            total += 0.45
        elif char in _SEMI:
            total += 0.65
        elif char in _WIDE:
            total += 1.55
        else:
            total += 1.25 if char.isupper() else 1.0
    return total


def shown_width(value: Value, kind: Kind) -> float:
    """How wide ``value`` shows, in column-width units."""
    if kind in _FIXED_WIDTH:
        return _FIXED_WIDTH[kind]
    if value is None:
        return 0
    text = value.text if isinstance(value, Link) else str(value)
    return max((text_units(line) for line in text.splitlines()), default=0)


def fit_widths(
    ws: Any, columns: Sequence[Column], rows: Sequence[Sequence[Value]], first_column: int = 1
) -> None:
    """Set each column's width from its header and values, capped for text kinds."""
    for offset, col in enumerate(columns):
        # Excel's filter button covers about 3 units at the right of each header cell.
        header = text_units(col.header, bold=True) + 4
        cap = _MAX_WIDTH.get(col.kind, 60)
        content = _widest([row[offset] for row in rows], col.kind, cap - 2) + 2
        width = min(max(header, content, 8), cap)
        ws.column_dimensions[get_column_letter(first_column + offset)].width = math.ceil(width)


def _widest(values: Sequence[Value], kind: Kind, enough: float) -> float:
    """``max(shown_width(v, kind) for v in values)`` (0 for none), computed only as far as
    it can matter: no text is measured once one at least ``enough`` wide is found, nor any
    too short to beat the widest so far (no character is wider than _WIDEST_CHAR)."""
    if kind in _FIXED_WIDTH or not values:
        return max((shown_width(v, kind) for v in values[:1]), default=0)
    texts = {v.text if isinstance(v, Link) else str(v) for v in values if v is not None}
    widest = 0.0
    for text in sorted(texts, key=len, reverse=True):
        if widest >= enough or len(text) * _WIDEST_CHAR <= widest:
            break
        widest = max(widest, max((text_units(line) for line in text.splitlines()), default=0))
    return widest


def wrapped_lines(text: str, width: float) -> int:
    """How many lines ``text`` takes when wrapped in a column ``width`` units wide.

    Wraps at spaces as Excel does, breaking a word only when it is wider than the line.
    """
    room = max(width - 1.5, 1.0)  # the cell's own inner margins
    lines = 0
    for paragraph in text.splitlines() or [""]:
        lines += 1
        used = 0.0
        for word in paragraph.split(" "):
            needed = text_units(word if used == 0 else " " + word)
            if used and used + needed > room:
                lines += 1
                used, needed = 0.0, text_units(word)
            while needed > room:  # a long file name with no spaces breaks anywhere
                lines += 1
                needed -= room
            used += needed
    return lines


def fit_heights(
    ws: Any, columns: Sequence[Column], rows: Sequence[Sequence[Value]], first_row: int
) -> None:
    """Give rows whose text wraps the height to show all of it (call after fit_widths).

    Neither LibreOffice nor Excel reliably grows a row on opening a file written by
    openpyxl, so a wrapped message would show only its first line.
    """
    for number, height in row_heights(ws, columns, rows, first_row).items():
        ws.row_dimensions[number].height = height


def row_heights(
    ws: Any, columns: Sequence[Column], rows: Sequence[Sequence[Value]], first_row: int
) -> dict[int, float]:
    """The height of each row (by sheet row number) whose text wraps to several lines in
    the columns' widths (set by :func:`fit_widths`); other rows keep the default."""
    heights: dict[int, float] = {}
    for offset, col in enumerate(columns):
        if col.kind not in _WRAPPED:
            continue
        width = ws.column_dimensions[get_column_letter(offset + 1)].width
        lines = _lines_by_text([row[offset] for row in rows], width)
        if not lines:
            continue  # every text of the column fits on one line
        for number, row in enumerate(rows, start=first_row):
            value = row[offset]
            if value is None:
                continue
            found = lines.get(value.text if isinstance(value, Link) else str(value), 1)
            if found > 1 and LINE_HEIGHT * found + 2 > heights.get(number, 0):
                heights[number] = LINE_HEIGHT * found + 2
    return heights


def _lines_by_text(values: Sequence[Value], width: float) -> dict[str, int]:
    """The texts among ``values`` that wrap to more than one line, with their lines."""
    texts = {v.text if isinstance(v, Link) else str(v) for v in values if v is not None}
    found: dict[str, int] = {}
    for text in texts:
        # One line for sure: no line break, and too short to fill the line even in the
        # widest letters (wrapped_lines would say 1; it is the costly part).
        if text.isprintable() and len(text) * _WIDEST_CHAR <= width - 1.5:
            continue
        lines = wrapped_lines(text, width)
        if lines > 1:
            found[text] = lines
    return found


def colour(cell: Any, rag: str | None, *, bold: bool = False) -> None:
    """Fill ``cell`` green, amber or red (``rag`` from :func:`pipeline.reports.tally.rag`)."""
    if rag is None:
        return
    fill, font = RAG_STYLES[rag]
    cell.fill = fill
    cell.font = Font(name=font.name, size=font.size, color=font.color, bold=bold)


def write_block(
    ws: Any, row: int, title: str, columns: Sequence[Column], body: Sequence[Sequence[Value]],
    *, bold_last: bool = False,
) -> int:
    """A heading, a header row and ``body`` from ``row`` on; return the first free row.

    For sheets holding several small tables (Summary, Caseload). With ``bold_last`` the
    last row is a total. Widths are left to the caller (:func:`fit_widths` over every
    block's rows), heights are fitted here.
    """
    heading = put(ws, row, 1, title)
    heading.font, heading.alignment = HEADING_FONT, Alignment()  # one line, running across
    style_header(ws, row + 1, columns)
    for offset, values in enumerate(body, start=row + 2):
        for number, (col, value) in enumerate(zip(columns, values, strict=True), start=1):
            cell = put(ws, offset, number, value, col.kind)
            if bold_last and values is body[-1]:
                cell.font = BOLD_FONT if not isinstance(value, Link) else cell.font
    return row + 2 + len(body)


def merged_note(ws: Any, row: int, text: str, width_columns: int) -> None:
    """A small italic note across ``width_columns`` columns, tall enough for its text.

    Call after the column widths are set: a merged cell never grows to fit.
    """
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width_columns)
    put(ws, row, 1, text, Kind.LONG_TEXT).font = NOTE_FONT
    width = sum(ws.column_dimensions[get_column_letter(n)].width or 8.43
                for n in range(1, width_columns + 1))
    # 9-point text gets 10/9 as many characters a line as the 10-point text widths assume.
    ws.row_dimensions[row].height = 12 * wrapped_lines(text, width * 10 / 9) + 4


def footer_text(text: str) -> str:
    """``text`` as the left part of an Excel footer: one line, short enough, and with
    ``&`` written ``&&`` (a lone ``&`` starts a code there: ``R&D`` would print a date)."""
    text = one_line(text)[:MAX_FOOTER_CHARS]
    while len(text) + text.count("&") > MAX_FOOTER_CHARS:
        text = text[:-1]
    return text.replace("&", "&&")


def set_print(ws: Any, *, footer: str, title_rows: str | None = None) -> None:
    """Landscape A4, one page wide and as many tall as needed, page numbers in the footer."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.7
    if title_rows is not None:
        ws.print_title_rows = title_rows
    ws.oddFooter.left.text = footer_text(footer)
    ws.oddFooter.right.text = "&A, page &P of &N"


def write_list_sheet(
    ws: Any,
    columns: Sequence[Column],
    rows: Sequence[Sequence[Value]],
    *,
    empty_message: str,
    footer: str,
) -> None:
    """Fill ``ws`` with a header row and ``rows``, styled, filtered, fitted, print-ready.

    With no rows the sheet says ``empty_message`` under the header, so an empty list reads
    as good news rather than as a failed report.
    """
    style_header(ws, 1, columns)
    for row_number, row in enumerate(rows, start=2):
        for column_number, (col, value) in enumerate(zip(columns, row, strict=True), start=1):
            put(ws, row_number, column_number, value, col.kind)
    if not rows:
        note = put(ws, 2, 1, empty_message)
        note.font, note.alignment = NOTE_FONT, TOP  # one line, running across the columns
    last = f"{get_column_letter(len(columns))}{max(len(rows), 1) + 1}"
    ws.auto_filter.ref = f"A1:{last}"
    ws.freeze_panes = "A2"
    fit_widths(ws, columns, rows)
    fit_heights(ws, columns, rows, first_row=2)
    ws.print_options.gridLines = True  # rows stay traceable on paper
    set_print(ws, footer=footer, title_rows="1:1")


def save_atomically(workbook: Any, path: Path) -> Path:
    """Write ``workbook`` to ``path`` so a reader sees the old file or the new, never half.

    Owner-only, as every report: see :func:`pipeline.reports.saving.write_report`.
    Raises :class:`ReportError` when the folder or file cannot be written.
    """
    return write_report(path, workbook.save, what="the workbook")
