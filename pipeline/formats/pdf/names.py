"""Names shared by the PDF builder, filler and reader (the contract in
:mod:`pipeline.formats.pdf`)."""

from __future__ import annotations

import re

from pipeline.definitions import FieldSpec, FieldType, TableSpec

# A PDF page cannot grow, so a table gets a fixed number of numbered rows: at least this
# many, more when the definition asks for more.
MIN_TABLE_ROWS = 6

STAMP_FIELD = "planwatch-form"
INFO_FORM_ID = "/PlanwatchFormId"
INFO_FORM_VERSION = "/PlanwatchFormVersion"
INFO_SERVICE = "/PlanwatchService"
# The on-state of every check box Planwatch builds; readers accept any other name too.
CHECKBOX_ON = "/Yes"
CHECKBOX_OFF = "/Off"

FORMAT_HINTS = {FieldType.DATE: "dd/mm/yyyy", FieldType.DATETIME: "dd/mm/yyyy hh:mm"}
_CELL = re.compile(r"^(?P<table>[a-z][a-z0-9_]*)\.(?P<row>[1-9][0-9]{0,3})\."
                   r"(?P<column>[a-z][a-z0-9_]*)$")
_HINT_SUFFIX = re.compile(r"\s*\((dd/mm/yyyy[^)]*)\)\s*$")


def table_rows(spec: TableSpec) -> int:
    """How many numbered rows the PDF form gives a table."""
    return max(spec.min_rows, MIN_TABLE_ROWS)


def cell_name(table: str, row: int, column: str) -> str:
    """The fully qualified name of one table cell: ``actions.2.task``."""
    return f"{table}.{row}.{column}"


def parse_cell_name(name: str) -> tuple[str, int, str] | None:
    """``("actions", 2, "task")`` for ``actions.2.task``; None for anything else."""
    match = _CELL.match(name)
    if match is None:
        return None
    return match["table"], int(match["row"]), match["column"]


def tooltip(field: FieldSpec, prefix: str = "") -> str:
    """What a viewer shows on hover (``/TU``): the label, and the format for dates."""
    hint = FORMAT_HINTS.get(field.type)
    text = f"{prefix}{field.label}"
    return f"{text} ({hint})" if hint else text


def label_of_tooltip(text: str) -> str:
    """The label inside a tooltip: the date-format hint removed."""
    return _HINT_SUFFIX.sub("", text)
