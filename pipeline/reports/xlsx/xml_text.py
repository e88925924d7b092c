"""Quoting and escaping for the links and XML a council's workbook holds hundreds of
thousands of, as fast as plain text allows.

Each function gives exactly what the standard library gives (``urllib.parse.quote``,
``xml.sax.saxutils.escape`` and ``quoteattr``); ``tests/test_reports_xml_text.py``
checks them against it. They differ only in speed: the library works character by
character in Python, while most text here (file names, people's ids, dates) is ASCII
with nothing to escape, which these handle with one pass in C.
"""

from __future__ import annotations

import re
import string
from urllib.parse import quote
from xml.sax.saxutils import escape, quoteattr

# What quote() leaves alone with its default safe="/": letters, digits, "_.-~" and "/".
_URL_SAFE = frozenset(string.ascii_letters + string.digits + "_.-~/")
_URL_QUOTED = {code: f"%{code:02X}" for code in range(128) if chr(code) not in _URL_SAFE}
# Names of forms are letters, digits, dashes and spaces: only the spaces need quoting.
_ONLY_SPACES_TO_QUOTE = re.compile(r"[A-Za-z0-9_.\-~/ ]*").fullmatch
_NEEDS_ESCAPE = re.compile(r"[&<>]").search
_NEEDS_ATTRIBUTE_ESCAPE = re.compile("[&<>\"'\n\r\t]").search


def quote_path(text: str) -> str:
    """``urllib.parse.quote(text)``: a path with every unsafe character as ``%XX``."""
    if _ONLY_SPACES_TO_QUOTE(text):
        return text.replace(" ", "%20")
    if text.isascii():
        # One character is one UTF-8 byte: quote's own mapping, character by character.
        return text.translate(_URL_QUOTED)
    return quote(text)


def escape_text(text: str) -> str:
    """``xml.sax.saxutils.escape(text)``: ``&``, ``<`` and ``>`` as entities."""
    return escape(text) if _NEEDS_ESCAPE(text) else text


def quote_attribute(text: str) -> str:
    """``xml.sax.saxutils.quoteattr(text)``: an attribute value, quotes included."""
    return quoteattr(text) if _NEEDS_ATTRIBUTE_ESCAPE(text) else f'"{text}"'
