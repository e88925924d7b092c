"""Appearance streams: what a PDF viewer draws for a field without running its own layout.

A viewer that honours ``/NeedAppearances`` redraws fields itself; many (printing, previews,
mobile viewers, poppler before it is asked to) draw only the stored appearance. So every
value written gets an appearance drawn here: text wrapped to the field and shrunk until all
of it shows, so a printed copy never hides what was typed.

The fonts are the standard Helvetica and ZapfDingbats, which every viewer has; Helvetica's
encoding is WinAnsi, so a character outside it is drawn as "?" (the field's value keeps
it, and the filler then asks viewers to redraw with ``/NeedAppearances``).
"""

from __future__ import annotations

from reportlab.pdfbase.pdfmetrics import stringWidth

TEXT_FONT = "/Helv"
CHECK_FONT = "/ZaDb"
TEXT_SIZE = 10.0
MIN_SIZE = 4.0
PADDING = 2.0
LEADING = 1.16
# Helvetica's cap height and ascent as fractions of the font size.
_CAP_HEIGHT = 0.72
_ASCENT = 0.93
_CHECK_GLYPH = "4"  # a tick in ZapfDingbats


def drawable(text: str) -> str:
    """The text as Helvetica can draw it: characters outside WinAnsi become "?"."""
    return text.encode("cp1252", errors="replace").decode("cp1252")


def needs_redraw(text: str) -> bool:
    """True when a viewer should redraw the field to show every character."""
    return drawable(text) != text


def _width(text: str, size: float) -> float:
    return float(stringWidth(text, "Helvetica", size))


def wrap(text: str, size: float, width: float) -> list[str]:
    """Lines of ``text`` no wider than ``width``: breaks kept, words moved, long words cut."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if _width(candidate, size) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            line = ""
            while _width(word, size) > width and len(word) > 1:
                cut = len(word) - 1
                while cut > 1 and _width(word[:cut], size) > width:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        lines.append(line)
    return lines


def fit(text: str, width: float, height: float, *, multiline: bool) -> tuple[list[str], float]:
    """The lines to draw and the font size at which all of them fit the box."""
    inner_width = max(width - 2 * PADDING, 1.0)
    if not multiline:
        line = text.replace("\r", " ").replace("\n", " ")
        size = min(TEXT_SIZE, max(height - 2 * PADDING, MIN_SIZE))
        natural = _width(line, size)
        if natural > inner_width:
            size = max(MIN_SIZE, size * inner_width / natural)
        return [line], size
    size = TEXT_SIZE
    while True:
        lines = wrap(text, size, inner_width)
        if len(lines) * size * LEADING + 2 * PADDING <= height or size <= MIN_SIZE:
            return lines, size
        size = max(MIN_SIZE, size - 0.5)


def _hex(text: str) -> str:
    return "<" + text.encode("cp1252").hex().upper() + ">"


def text_content(value: str, width: float, height: float, *, multiline: bool,
                 reserve_right: float = 0.0) -> bytes:
    """The content stream of a text or combo box field showing ``value``."""
    if not value:
        return b"/Tx BMC EMC"
    lines, size = fit(drawable(value), width - reserve_right, height, multiline=multiline)
    leading = size * LEADING
    # Multi-line text starts at the top, as viewers draw it; one line is centred.
    top = height - PADDING - size * _ASCENT if multiline else (height - size * _CAP_HEIGHT) / 2
    shown = [f"{_hex(lines[0])} Tj"] + [f"T* {_hex(line)} Tj" for line in lines[1:]]
    ops = [
        "/Tx BMC", "q",
        f"1 1 {width - 2:.2f} {height - 2:.2f} re W n",
        "BT", f"{TEXT_FONT} {size:.2f} Tf", "0 g", f"{leading:.2f} TL",
        f"{PADDING:.2f} {top:.2f} Td", *shown, "ET", "Q", "EMC",
    ]
    return "\n".join(ops).encode("ascii")


def check_content(width: float, height: float) -> bytes:
    """The content stream of a ticked check box: a ZapfDingbats tick, centred."""
    size = min(width, height) * 0.8
    glyph_width = float(stringWidth(_CHECK_GLYPH, "ZapfDingbats", size))
    x = (width - glyph_width) / 2
    y = (height - size * 0.7) / 2
    ops = ["q", "BT", f"{CHECK_FONT} {size:.2f} Tf", "0 g", f"{x:.2f} {y:.2f} Td",
           f"({_CHECK_GLYPH}) Tj", "ET", "Q"]
    return "\n".join(ops).encode("ascii")
