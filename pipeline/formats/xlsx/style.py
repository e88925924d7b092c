"""The look of the Excel forms: the Word form's colours, Arial, boxed answer cells."""

from __future__ import annotations

import math

from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side

ACCENT = "1F4E5F"  # pipeline/formats/word/build.py ACCENT
LABEL_FILL = PatternFill("solid", fgColor="E8EEF0")
HEADER_FILL = PatternFill("solid", fgColor="D5E1E5")
SECTION_FILL = PatternFill("solid", fgColor=ACCENT)
ANSWER_FILL = PatternFill("solid", fgColor="FFFFFF")
FONT = "Arial"
BODY = Font(name=FONT, size=10)
BOLD = Font(name=FONT, size=10, bold=True)
TITLE = Font(name=FONT, size=18, bold=True, color=ACCENT)
SUBTITLE = Font(name=FONT, size=11, bold=True, color=ACCENT)
SECTION = Font(name=FONT, size=12, bold=True, color="FFFFFF")
NOTE = Font(name=FONT, size=9, italic=True, color="5F6B70")
NUMBER = Font(name=FONT, size=9, color="5F6B70")
STAMP = Font(name=FONT, size=8, color="5F6B70")
_LINE = Side(style="thin", color="8FA3AB")
BOX = Border(left=_LINE, right=_LINE, top=_LINE, bottom=_LINE)
UNLOCKED = Protection(locked=False)
WRAP_TOP = Alignment(wrap_text=True, vertical="top")
WRAP_CENTRE = Alignment(wrap_text=True, vertical="center")
# Dates and numbers sit on the left like every other answer, not where Excel puts numbers.
LEFT_CENTRE = Alignment(horizontal="left", vertical="center")
CENTRE = Alignment(horizontal="center", vertical="center")
_LABEL_BOLD = InlineFont(rFont=FONT, sz=10, b=True)
_LABEL_STAR = InlineFont(rFont=FONT, sz=10, b=True, color="A01E1E")
_LABEL_HELP = InlineFont(rFont=FONT, sz=8.5, i=True, color="5F6B70")
_LABEL_HINT = InlineFont(rFont=FONT, sz=8, color="5F6B70")

# Column widths in characters: the number column, the label column, each answer column.
NUMBER_WIDTH = 5.0
LABEL_WIDTH = 32.0
ANSWER_WIDTH = 18.0
LINE_POINTS = 13.0


def label_text(label: str, *, required: bool = False, help_text: str | None = None,
               hint: str | None = None) -> CellRichText:
    """A label cell: the label in bold (its first line, which readers match), a red star
    for a required answer, then a format hint and help on lines of their own."""
    parts: list[str | TextBlock] = [TextBlock(_LABEL_BOLD, label)]
    if required:
        parts.append(TextBlock(_LABEL_STAR, " *"))
    if hint:
        parts.append(TextBlock(_LABEL_HINT, f"\n{hint}"))
    if help_text:
        parts.append(TextBlock(_LABEL_HELP, f"\n{help_text}"))
    return CellRichText(parts)


def lines_needed(text: str, width_chars: float) -> int:
    """Roughly how many lines ``text`` wraps to in a column ``width_chars`` wide."""
    per_line = max(width_chars * 0.95, 1.0)
    return sum(max(1, math.ceil(len(part) / per_line)) for part in text.split("\n"))
