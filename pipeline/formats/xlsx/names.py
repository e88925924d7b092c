"""Names shared by the Excel form builder, filler and reader (see :mod:`pipeline.formats.xlsx`)."""

from __future__ import annotations

import re

from pipeline.definitions import TableSpec

# A table gets this many rows at least (people may insert more: the range grows with them).
MIN_TABLE_ROWS = 10
LISTS_SHEET = "Lists"
YES, NO = "Yes", "No"
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
TEXT_FORMAT = "@"
# Names Excel reads as cell references in A1 or R1C1 style, which it refuses as names.
_CELL_LIKE = re.compile(r"^([a-z]{1,3}[0-9]+|r|c|r[0-9]*c[0-9]*)$")
_SHEET_TITLE_BAD = re.compile(r"[\[\]:*?/\\]")


def defined_name(key: str) -> str:
    """The defined name of a field or table key: the key, unless Excel would refuse it."""
    return f"_{key}" if _CELL_LIKE.match(key) else key


def key_of_name(name: str) -> str:
    """The key a defined name stands for (names are case-insensitive in Excel)."""
    folded = name.lower()
    if folded.startswith("_") and _CELL_LIKE.match(folded[1:]):
        return folded[1:]
    return folded


def table_rows(spec: TableSpec) -> int:
    """How many rows the blank Excel form gives a table."""
    return max(spec.min_rows, MIN_TABLE_ROWS)


def sheet_title(title: str) -> str:
    """A form's title as a sheet name: at most 31 characters, none Excel forbids."""
    return _SHEET_TITLE_BAD.sub("-", title)[:31].strip() or "Form"
