"""Column widths fitted to the content, and row heights that show wrapped text whole.

Worked out from the values before anything is written (a streamed sheet's rows are
written once, in order). Widths are in Excel's column-width unit (one digit of the
default font), as Excel shows them; text wider than a column's cap wraps in the cell.
Neither LibreOffice nor Excel reliably grows a row on opening a file they did not lay
out, so a wrapped message would show only its first line without :func:`row_heights`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from pipeline.reports.xlsx.style import LINE_HEIGHT, WRAPPED, Column, Kind, Link, Value

# Widest a column may be fitted to; longer text wraps in the cell (TEXT, LONG_TEXT).
_MAX_WIDTH = {Kind.TEXT: 36, Kind.LONG_TEXT: 50, Kind.FILE: 50}
_FIXED_WIDTH = {Kind.DATE: 10.6, Kind.DATETIME: 16.4, Kind.PERCENT: 5.0, Kind.SCORE: 5.0,
                Kind.CHANGE: 5.0}
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


def _text(value: Value) -> str:
    return value.text if isinstance(value, Link) else str(value)


def shown_width(value: Value, kind: Kind) -> float:
    """How wide ``value`` shows, in column-width units."""
    if kind in _FIXED_WIDTH:
        return _FIXED_WIDTH[kind]
    if value is None:
        return 0
    return max((text_units(line) for line in _text(value).splitlines()), default=0)


def column_widths(columns: Sequence[Column], rows: Sequence[Sequence[Value]]) -> list[int]:
    """Each column's width from its header and values, capped for text kinds."""
    widths = []
    for offset, col in enumerate(columns):
        # Excel's filter button covers about 3 units at the right of each header cell.
        header = text_units(col.header, bold=True) + 4
        cap = _MAX_WIDTH.get(col.kind, 60)
        content = _widest([row[offset] for row in rows], col.kind, cap - 2) + 2
        widths.append(math.ceil(min(max(header, content, 8), cap)))
    return widths


def _widest(values: Sequence[Value], kind: Kind, enough: float) -> float:
    """``max(shown_width(v, kind) for v in values)`` (0 for none), computed only as far as
    it can matter: no text is measured once one at least ``enough`` wide is found, nor any
    too short to beat the widest so far (no character is wider than _WIDEST_CHAR)."""
    if kind in _FIXED_WIDTH or not values:
        return max((shown_width(v, kind) for v in values[:1]), default=0)
    # Inline, not _text(): this runs over every cell of a council's sheets.
    texts = {v if v.__class__ is str else v.text if isinstance(v, Link) else str(v)
             for v in values if v is not None}
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


def row_heights(columns: Sequence[Column], widths: Sequence[float],
                rows: Sequence[Sequence[Value]], first_row: int) -> dict[int, float]:
    """The height of each row (by sheet row number, the first of ``rows`` being
    ``first_row``) whose text wraps to several lines in the columns' ``widths``; other
    rows keep the default."""
    heights: dict[int, float] = {}
    for offset, (col, width) in enumerate(zip(columns, widths, strict=True)):
        if col.kind not in WRAPPED:
            continue
        lines = _lines_by_text([row[offset] for row in rows], width)
        if not lines:
            continue  # every text of the column fits on one line
        for number, row in enumerate(rows, start=first_row):
            value = row[offset]
            if value is None:
                continue
            found = lines.get(value if value.__class__ is str else _text(value), 1)
            if found > 1 and LINE_HEIGHT * found + 2 > heights.get(number, 0):
                heights[number] = LINE_HEIGHT * found + 2
    return heights


def _lines_by_text(values: Sequence[Value], width: float) -> dict[str, int]:
    """The texts among ``values`` that wrap to more than one line, with their lines."""
    texts = {v if v.__class__ is str else v.text if isinstance(v, Link) else str(v)
             for v in values if v is not None}
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


def note_height(text: str, width: float) -> float:
    """The height of a row holding a 9-point note ``text`` across ``width`` units."""
    # 9-point text gets 10/9 as many characters a line as the 10-point text widths assume.
    return 12 * wrapped_lines(text, width * 10 / 9) + 4
