"""Cells of an Excel form as raw answers: by defined name, else by the label beside them.

A cell holds what a person typed as Excel stored it: a real date (or a date serial whose
format was lost), a number, a bool, or text. Each becomes a :class:`RawValue` the way
the Word reader reports its controls: ``text`` as shown, ``full_date`` for a real date.

When a workbook's names were deleted (copying the sheet into another workbook does that),
answers are found as a person finds them: the label's first line, and the answer cell to
its right; a table by its header row of column labels, and the numbered rows under it.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any

from openpyxl.utils.datetime import from_excel

from pipeline.definitions import FieldSpec, FieldType, FormDefinition, normalise_label
from pipeline.records import RawValue

# How far a label search looks: far beyond any form, bounded against hostile sheets.
MAX_SCAN_ROWS = 2_000
MAX_SCAN_COLUMNS = 40
_INTEGER = re.compile(r"^\s*\d{1,4}\s*$")


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def raw_value(value: Any, spec: FieldSpec, how: str) -> RawValue:
    """One cell's value as a raw answer for ``spec``."""
    if value is None:
        return RawValue(text="", matched_by=how)
    if isinstance(value, bool):
        return RawValue(text="Yes" if value else "No", matched_by=how)
    if isinstance(value, int | float) and spec.type in (FieldType.DATE, FieldType.DATETIME):
        try:
            value = from_excel(value)  # a date whose number format was lost
        except (ValueError, OverflowError, TypeError):
            return RawValue(text=_number_text(value), matched_by=how)
    if isinstance(value, datetime):
        if spec.type is FieldType.DATETIME:
            return RawValue(text=f"{value:%d/%m/%Y %H:%M}", matched_by=how)
        return RawValue(text=f"{value:%d/%m/%Y}", full_date=value.date(), matched_by=how)
    if isinstance(value, date):
        return RawValue(text=f"{value:%d/%m/%Y}", full_date=value, matched_by=how)
    if isinstance(value, time):
        return RawValue(text=f"{value:%H:%M}", matched_by=how)
    if isinstance(value, int | float):
        return RawValue(text=_number_text(value), matched_by=how)
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return RawValue(text=text, matched_by=how)


class SheetGrid:
    """The values of one sheet's first rows and columns, keyed by (row, column).

    Only cells that hold something are kept, up to :data:`MAX_SCAN_ROWS` x
    :data:`MAX_SCAN_COLUMNS` (:meth:`pipeline.formats.xlsx.parts.Workbook.cells`): a hostile
    sheet's million rows never become a million values.
    """

    def __init__(self, values: dict[tuple[int, int], Any]) -> None:
        self.values = values

    def get(self, row: int, column: int) -> Any:
        return self.values.get((row, column))

    def rows(self) -> dict[int, dict[int, Any]]:
        """The non-empty cells by row, then column, in order."""
        by_row: dict[int, dict[int, Any]] = {}
        for (row, column), value in sorted(self.values.items()):
            by_row.setdefault(row, {})[column] = value
        return by_row


def _first_line(value: Any) -> str:
    return normalise_label(str(value).split("\n", 1)[0]) if isinstance(value, str) else ""


def by_labels(grid: SheetGrid, definition: FormDefinition, wanted: set[str]
              ) -> tuple[dict[str, RawValue], dict[str, list[dict[str, RawValue]]]]:
    """Answers (of the keys in ``wanted``) and tables found by their labels on the sheet.

    An answer is the first value to the right of its label (merged answer cells hold
    nothing past their first cell); a table is the numbered rows under its header row.
    """
    leaves = {normalise_label(f.label): f for f in definition.leaves_by_key.values()
              if f.key in wanted}
    tables = [t for t in definition.tables if t.key in wanted]
    fields: dict[str, RawValue] = {}
    found_tables: dict[str, list[dict[str, RawValue]]] = {}
    rows = grid.rows()
    for row, cells in rows.items():
        labels = {_first_line(v): c for c, v in cells.items() if isinstance(v, str)}
        for label, column in labels.items():
            spec = leaves.get(label)
            if spec is not None and spec.key not in fields:
                after = [v for c, v in cells.items() if c > column]
                fields[spec.key] = raw_value(after[0] if after else None, spec, "label")
        for table in tables:
            positions = [labels.get(normalise_label(c.label)) for c in table.columns]
            if table.key not in found_tables and all(p is not None for p in positions):
                found_tables[table.key] = _table_below(
                    grid, row, table.columns, [p for p in positions if p is not None])
    return fields, found_tables


def _table_below(grid: SheetGrid, header_row: int, columns: tuple[FieldSpec, ...],
                 positions: list[int]) -> list[dict[str, RawValue]]:
    """Rows under a header while the number column left of the table counts them."""
    found: list[dict[str, RawValue]] = []
    number_column = min(positions) - 1
    row = header_row + 1
    while row <= MAX_SCAN_ROWS and _is_row_number(grid.get(row, number_column)):
        found.append({spec.key: raw_value(grid.get(row, position), spec, "label")
                      for spec, position in zip(columns, positions, strict=True)})
        row += 1
    return found


def _is_row_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return float(value).is_integer()
    return isinstance(value, str) and _INTEGER.match(value) is not None
