"""What a cell of Planwatch's workbooks holds and how it looks, shared by every .xlsx report.

A report describes its columns with :class:`Column` (a header and a :class:`Kind`: how
the values show, and so how wide the column may grow) and hands rows of plain values, or
:class:`Link` for a cell that opens a file or another place in the workbook, to the list
sheet writer (:mod:`.lists`). A cell's look is a :class:`Style`, a plain value the
workbook turns into one XlsxWriter format per distinct style (:mod:`.book`).

Text from forms and file names is untrusted: :func:`clean_text` strips what XML cannot
carry, and text is always written as text, never as a formula.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import Enum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pipeline.errors import ReportError

DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
PERCENT_FORMAT = "0%"
ACCENT = "1F4E5F"  # the colour of the blank forms' headings (pipeline/formats/word/build.py)
# Arial, as on the blank forms; LibreOffice draws it with metric-compatible Liberation Sans.
FONT_NAME = "Arial"
# Excel refuses longer cell text; a form field that long is cut rather than fail the report.
MAX_CELL_CHARS = 32_767
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


WRAPPED = frozenset({Kind.TEXT, Kind.LONG_TEXT})  # long text wraps in the cell
LEFT = frozenset({*WRAPPED, Kind.FILE})  # text reads from the left; numbers are centred
NUMBER_FORMAT = {
    Kind.DATE: DATE_FORMAT,
    Kind.DATETIME: DATETIME_FORMAT,
    Kind.PERCENT: PERCENT_FORMAT,
    Kind.SCORE: "0.0",
    Kind.CHANGE: "+0.0;-0.0;0.0",
}


@dataclass(frozen=True, slots=True)  # slots: a council's workbook has 100,000s
class Link:
    """A cell that shows ``text`` and opens ``target``: a file (a relative link from
    :func:`pipeline.reports.xlsx.links.file_link`, or a ``file:`` URI), or a place in the
    same workbook when ``target`` starts with ``#`` (``#'Overdue'!A5``, see
    :func:`pipeline.reports.xlsx.links.place`)."""

    text: str
    target: str


Value = str | int | float | date | datetime | Link | None
RAG = str  # "green", "amber" or "red" (pipeline.reports.tally.rag)


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its header text, how its values are shown and, for a
    column whose cells are coloured by what they say, ``shade``: the RAG colour of a
    value (None for none)."""

    header: str
    kind: Kind = Kind.TEXT
    shade: Callable[[Value], RAG | None] | None = None


@dataclass(frozen=True, slots=True)
class Style:
    """How one cell looks: font, fill, bottom border, alignment and number format
    (colours as RRGGBB). Every cell of a report is Arial."""

    size: int = 10
    bold: bool = False
    italic: bool = False
    colour: str | None = None
    underline: bool = False
    fill: str | None = None
    border: str | None = None  # the colour of a thin bottom border
    align: str | None = None  # "left" or "center"; None: Excel's general alignment
    valign: str | None = "top"  # "top" or "center"; None: Excel's default, the bottom
    wrap: bool = False
    number_format: str | None = None

    def properties(self) -> dict[str, object]:
        """The XlsxWriter format properties of this style."""
        found: dict[str, object] = {"font_name": FONT_NAME, "font_size": self.size}
        optional: dict[str, object] = {
            "bold": self.bold, "italic": self.italic, "underline": 1 if self.underline else 0,
            "font_color": self.colour and f"#{self.colour}", "text_wrap": self.wrap,
            "align": self.align, "num_format": self.number_format,
            "valign": "vcenter" if self.valign == "center" else self.valign}
        found.update({key: value for key, value in optional.items() if value})
        if self.fill:
            found.update(pattern=1, bg_color=f"#{self.fill}")
        if self.border:
            found.update(bottom=1, bottom_color=f"#{self.border}")
        return found


BODY = Style()
BOLD = Style(bold=True)
TITLE = Style(size=14, bold=True, colour=ACCENT, valign=None)
HEADING = Style(size=11, bold=True, colour=ACCENT, valign=None)
NOTE = Style(size=9, italic=True, colour="595959")
HEADER = Style(bold=True, colour=ACCENT, fill="D5E1E5", border=ACCENT, valign="center")
LINK_COLOUR = "0563C1"
# Excel's own Good / Neutral / Bad cell styles, so the colours read as they do elsewhere:
# (fill, font colour).
RAG_COLOURS = {"green": ("C6EFCE", "006100"), "amber": ("FFEB9C", "9C5700"),
               "red": ("FFC7CE", "9C0006")}


def body_style(kind: Kind, *, link: bool = False) -> Style:
    """A body cell of ``kind``: its number format and alignment (numbers and dates are
    centred, as their headers, which a right-aligned header would hide under Excel's
    filter button), wrapped if long text; a link's blue underlined font."""
    return Style(
        colour=LINK_COLOUR if link else None, underline=link,
        number_format=NUMBER_FORMAT.get(kind), wrap=kind in WRAPPED,
        align=None if kind in LEFT else "center")


def header_style(kind: Kind) -> Style:
    """A header cell above values of ``kind``: aligned with them."""
    return replace(HEADER, align="left" if kind in LEFT else "center")


def coloured(style: Style, rag: RAG | None, *, bold: bool = False) -> Style:
    """``style`` filled green, amber or red (``rag``), with the matching font colour;
    unchanged for None."""
    if rag is None:
        return style
    fill, font = RAG_COLOURS[rag]
    return replace(style, fill=fill, colour=font, bold=bold, underline=False)


# What XML 1.0 cannot carry: control characters but tab and line breaks, and halves of
# surrogate pairs (an undecodable byte in a file name arrives as one).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
# Whether clean_text would change a text shorter than a cell's most: what XML refuses,
# or a carriage return. A quick test for the usual text, which needs nothing.
needs_cleaning = re.compile("[\x00-\x08\x0b-\x1f\ud800-\udfff]").search


def clean_text(text: str) -> str:
    """``text`` without characters XML refuses (Word line breaks arrive as \\v), line
    breaks as a cell takes them (a PDF field's \\r\\n or \\r as \\n), cut to the most
    a cell holds."""
    if _NOT_XML.search(text) is not None:
        text = _NOT_XML.sub(" ", text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text[:MAX_CELL_CHARS]


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
