"""Values for filling a form, checked against its definition before any file is touched.

Contract: ``coerce_values(definition, data)`` accepts the JSON a person or a script
writes (field keys; tables as lists of objects; dates as ``dd/mm/yyyy`` or
``yyyy-mm-dd`` and an impossible one said as every command says it, through
:mod:`pipeline.dates`; yes/no as true/false; choices by value or by the label people see)
and returns typed values, or raises :class:`FillError` naming every wrong key.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pipeline.dates import NotADateError, parse_day, parse_day_and_time
from pipeline.definitions import FieldSpec, FieldType, FormDefinition
from pipeline.errors import FillError


@dataclass(frozen=True)
class FillValues:
    fields: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def _date(value: Any) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        return parse_day(value)  # the one message for an impossible date, as every command
    raise ValueError("a date as dd/mm/yyyy or yyyy-mm-dd (a JSON string)")


def _datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        return parse_day_and_time(value)
    raise ValueError("a date and time as dd/mm/yyyy HH:MM or yyyy-mm-ddTHH:MM (a JSON string)")


def coerce(spec: FieldSpec, value: Any) -> Any:
    """One JSON value as the field's Python type; ValueError says what was expected
    (:class:`~pipeline.dates.NotADateError`, one, says what is wrong with a date)."""
    if spec.type in (FieldType.TEXT, FieldType.LONG_TEXT, FieldType.SIGNATURE):
        if not isinstance(value, str):
            raise ValueError("text (a JSON string)")
        return value
    if spec.type is FieldType.DATE:
        return _date(value)
    if spec.type is FieldType.DATETIME:
        return _datetime(value)
    if spec.type is FieldType.YES_NO:
        if not isinstance(value, bool):
            raise ValueError("true or false")
        return value
    if spec.type is FieldType.NUMBER:
        # JSON as Python reads it allows NaN and Infinity: no form can show those.
        if isinstance(value, bool) or not isinstance(value, int | float) or (
                isinstance(value, float) and not math.isfinite(value)):
            raise ValueError("a number")
        return value
    if spec.type is FieldType.CHOICE:
        if isinstance(value, str):
            choice = next((c for c in spec.choices if c.value == value), None)
            choice = choice or spec.choice_by_label(value)
            if choice is not None:
                return choice.value
        allowed = ", ".join(c.value for c in spec.choices)
        raise ValueError(f"one of: {allowed}")
    raise ValueError(f"a value for a {spec.type.value} field")  # pragma: no cover


def coerce_values(definition: FormDefinition, data: dict[str, Any]) -> FillValues:
    problems: list[str] = []
    fields: dict[str, Any] = {}
    tables: dict[str, list[dict[str, Any]]] = {}
    leaves = definition.leaves_by_key
    for key, value in data.items():
        if value is None:
            continue
        if key in leaves:
            try:
                fields[key] = coerce(leaves[key], value)
            except NotADateError as exc:
                problems.append(f"{key}: {exc.message}")
            except ValueError as exc:
                problems.append(f"{key}: expected {exc}, got {value!r}")
        elif key in definition.tables_by_key:
            rows = _table(definition.tables_by_key[key].columns, key, value, problems)
            tables[key] = rows
        else:
            problems.append(f"{key}: not a field of form {definition.id}")
    if problems:
        raise FillError(
            f"The values do not fit form {definition.id}:\n  " + "\n  ".join(problems),
            hint=f"`planwatch forms show {definition.id}` lists its fields and types.",
        )
    return FillValues(fields, tables)


def _table(columns: tuple[FieldSpec, ...], key: str, value: Any,
           problems: list[str]) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(r, dict) for r in value):
        problems.append(f"{key}: expected a list of rows (JSON objects)")
        return []
    by_key = {c.key: c for c in columns}
    rows: list[dict[str, Any]] = []
    for number, raw_row in enumerate(value, start=1):
        row: dict[str, Any] = {}
        for column_key, cell in raw_row.items():
            spec = by_key.get(column_key)
            if spec is None:
                problems.append(f"{key}[{number}].{column_key}: not a column of {key}")
            elif cell is not None:
                try:
                    row[column_key] = coerce(spec, cell)
                except NotADateError as exc:
                    problems.append(f"{key}[{number}].{column_key}: {exc.message}")
                except ValueError as exc:
                    problems.append(f"{key}[{number}].{column_key}: expected {exc}, "
                                    f"got {cell!r}")
        rows.append(row)
    return rows
