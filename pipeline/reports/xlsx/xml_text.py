"""Quoting the links a council's workbook holds hundreds of thousands of, as fast as
plain text allows.

:func:`quote_path` gives exactly what ``urllib.parse.quote`` gives
(``tests/test_reports_xml_text.py`` checks it against it). It differs only in speed: the
library works character by character in Python, while most paths here (file names,
people's ids, dates) are ASCII, which it handles with one pass in C. (XlsxWriter escapes
the workbook's XML itself.)
"""

from __future__ import annotations

import re
import string
from urllib.parse import quote

# What quote() leaves alone with its default safe="/": letters, digits, "_.-~" and "/".
_URL_SAFE = frozenset(string.ascii_letters + string.digits + "_.-~/")
_URL_QUOTED = {code: f"%{code:02X}" for code in range(128) if chr(code) not in _URL_SAFE}
# Names of forms are letters, digits, dashes and spaces: only the spaces need quoting.
_ONLY_SPACES_TO_QUOTE = re.compile(r"[A-Za-z0-9_.\-~/ ]*").fullmatch


def quote_path(text: str) -> str:
    """``urllib.parse.quote(text)``: a path with every unsafe character as ``%XX``."""
    if _ONLY_SPACES_TO_QUOTE(text):
        return text.replace(" ", "%20")
    if text.isascii():
        # One character is one UTF-8 byte: quote's own mapping, character by character.
        return text.translate(_URL_QUOTED)
    return quote(text)

