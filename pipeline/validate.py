"""Raw answers → a typed :class:`Record` plus findings a person can act on.

Contract: never raises for anything a person wrote; every problem becomes a
:class:`Finding` naming the field and saying what to fix. Blocking findings stop a form
counting towards its obligation; advisory ones are reported only. A form is checked as
its service's copy (:meth:`FormDefinition.for_service`): each field's ``required`` and
``required_if``, the signatures (a signed paper copy, or a signature that stands in,
will do), each table row, then the definition's ``checks`` across answers.
"""

from __future__ import annotations

import contextlib
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from dateutil import parser as date_parser
from pydantic import BaseModel, ConfigDict, create_model

from pipeline.definitions import (
    DEFAULT_PLACEHOLDERS,
    AtLeastOne,
    FieldSpec,
    FieldType,
    FormDefinition,
    RequiredWhen,
    TableSpec,
    Ticked,
    signature_parts,
)
from pipeline.records import Finding, RawForm, RawValue, Record, Severity

LONDON = ZoneInfo("Europe/London")
SIGNED_COPY_FIELD = "signed_copy_on_file"
# Placeholders Word and LibreOffice put in controls they create themselves.
_SUITE_PLACEHOLDERS = {
    "click or tap here to enter text.", "click here to enter text.", "choose an item.",
    "click or tap to enter a date.", "click here to enter a date.", "enter text",
}
_TRUE = {"yes", "y", "true", "x", "1", "\u2612", "\u2611", "\u2713", "\u2714"}
_FALSE = {"no", "n", "false", "0", "\u2610", ""}

_PYTHON_TYPES: dict[FieldType, Any] = {
    FieldType.TEXT: str, FieldType.LONG_TEXT: str, FieldType.DATE: date,
    FieldType.DATETIME: datetime, FieldType.YES_NO: bool, FieldType.CHOICE: str,
    FieldType.NUMBER: int | float,
}


class _Findings:
    def __init__(self) -> None:
        self.items: list[Finding] = []

    def add(self, field: str, code: str, message: str, severity: Severity) -> None:
        self.items.append(Finding(field=field, code=code, message=message, severity=severity))


def _placeholder_texts(field: FieldSpec) -> set[str]:
    texts = {field.placeholder_text.strip().lower(), *_SUITE_PLACEHOLDERS}
    texts |= {p.strip().lower() for p in DEFAULT_PLACEHOLDERS.values()}
    return texts


def is_empty(raw: RawValue | None, field: FieldSpec) -> bool:
    """A control still showing its placeholder (flagged, or by its text) is empty.

    LibreOffice drops the placeholder flag when it saves, so the text decides too.
    """
    if raw is None:
        return True
    if field.type is FieldType.YES_NO and raw.checked is not None:
        return False
    text = (raw.text or "").strip()
    if raw.showing_placeholder or text.lower() in _placeholder_texts(field):
        return True
    return not text and raw.full_date is None and raw.choice_value is None


def _without_placeholder(field: FieldSpec, text: str, where: str, findings: _Findings) -> str:
    """An answer typed next to the placeholder (easy in LibreOffice) loses the placeholder."""
    placeholder = field.placeholder_text
    if placeholder and placeholder in text:
        findings.add(where, "placeholder_left",
                     f"the placeholder '{placeholder}' was left in next to the answer; it is "
                     "not part of the stored value. Delete it from the form.", Severity.ADVISORY)
        return re.sub(r"[ \t]+", " ", text.replace(placeholder, " ")).strip()
    return text


# What the forms' date pickers show (dd/mm/yyyy), read without the general parser.
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def _parse_date(text: str) -> date | None:
    cleaned = text.strip()
    if not re.search(r"\d", cleaned):
        return None
    usual = _DAY_MONTH_YEAR.fullmatch(cleaned)
    if usual:
        day, month, year = (int(part) for part in usual.groups())
        with contextlib.suppress(ValueError):  # else as the general parser reads it
            return date(year, month, day)
    try:
        return date_parser.parse(cleaned, dayfirst=True, default=datetime(2000, 1, 1)).date()
    except (ValueError, OverflowError):
        return None


def convert(field: FieldSpec, raw: RawValue, where: str, findings: _Findings) -> Any:
    """One non-empty raw value as the field's Python type, or None with a finding."""
    text = (raw.text or "").strip()
    severity = Severity.BLOCKING
    if field.type in (FieldType.TEXT, FieldType.LONG_TEXT):
        return _without_placeholder(field, text, where, findings)
    if field.type is FieldType.DATE:
        shown = _parse_date(text) if text else None
        if raw.full_date is not None:
            if shown is not None and shown != raw.full_date:
                findings.add(where, "date_mismatch",
                             f"shows {text} but the date picker holds "
                             f"{raw.full_date:%d/%m/%Y}; the picker's date is used. "
                             "Choose the date again with the picker.", Severity.ADVISORY)
            return raw.full_date
        if shown is None:
            findings.add(where, "date_unreadable",
                         f"'{text}' is not a date Planwatch can read: use dd/mm/yyyy.", severity)
        return shown
    if field.type is FieldType.DATETIME:
        try:
            moment = date_parser.parse(text, dayfirst=True)
        except (ValueError, OverflowError):
            findings.add(where, "datetime_unreadable",
                         f"'{text}' is not a date and time: use dd/mm/yyyy hh:mm.", severity)
            return None
        return moment if moment.tzinfo else moment.replace(tzinfo=LONDON)
    if field.type is FieldType.YES_NO:
        if raw.checked is not None:
            return raw.checked
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        findings.add(where, "yes_no_unreadable", f"'{text}' is not yes or no: tick or untick it.",
                     severity)
        return None
    if field.type is FieldType.CHOICE:
        if raw.choice_value and any(c.value == raw.choice_value for c in field.choices):
            return raw.choice_value
        choice = field.choice_by_label(text)
        if choice is None:
            allowed = ", ".join(c.label for c in field.choices)
            findings.add(where, "not_a_choice",
                         f"'{text}' is not one of the choices ({allowed}): pick one from the "
                         "list.", severity)
            return None
        return choice.value
    if field.type is FieldType.NUMBER:
        try:
            number = Decimal(text.replace(",", ""))
        except InvalidOperation:
            findings.add(where, "number_unreadable", f"'{text}' is not a number.", severity)
            return None
        value = float(number)
        if (field.minimum is not None and value < field.minimum) or (
            field.maximum is not None and value > field.maximum
        ):
            findings.add(where, "out_of_range",
                         f"{text} is outside {field.minimum:g} to {field.maximum:g}.", severity)
        return int(value) if value.is_integer() else value
    raise AssertionError(f"unexpected field type {field.type}")  # pragma: no cover


def _typed_field(
    field: FieldSpec, raw: RawValue | None, where: str, label: str, findings: _Findings,
    *, required: bool,
) -> Any:
    if is_empty(raw, field) or raw is None:
        if required:
            findings.add(where, "missing", f"{label} is required: fill it in.", field.severity)
        return False if field.type is FieldType.YES_NO else None
    return convert(field, raw, where, findings)


def _blank_cell(raw: RawValue | None, column: FieldSpec) -> bool:
    # An unticked box is what every unused row of a blank form shows.
    if column.type is FieldType.YES_NO and raw is not None:
        if raw.checked is not None:
            return not raw.checked
        return (raw.text or "").strip().lower() in _FALSE
    return is_empty(raw, column)


def _table_rows(spec: TableSpec, raw_rows: list[dict[str, RawValue]],
                findings: _Findings) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for raw_row in raw_rows:
        if all(_blank_cell(raw_row.get(c.key), c) for c in spec.columns):
            continue  # an unused row of the blank form
        number = len(rows) + 1
        row: dict[str, Any] = {}
        for column in spec.columns:
            where = f"{spec.key}[{number}].{column.key}"
            label = f"{spec.label}, row {number}: {column.label}"
            row[column.key] = _typed_field(
                column.model_copy(update={"severity": spec.severity}), raw_row.get(column.key),
                where, label, findings, required=column.required)
        rows.append(row)
    if spec.required and not rows:
        findings.add(spec.key, "missing", f"{spec.label}: add at least one row.", spec.severity)
    return rows


def _signed(block: FieldSpec, values: dict[str, Any]) -> bool:
    name, when = signature_parts(block)
    return bool(values.get(name.key)) and bool(values.get(when.key))


def _signatures(definition: FormDefinition, values: dict[str, Any],
                findings: _Findings) -> None:
    """A required signature needs a name and a date, unless a signed paper copy is on
    file or a signature that may stand in for it (an advocate's) is given."""
    on_file = values.get(SIGNED_COPY_FIELD) is True
    for block in definition.signatures:
        if not block.required or on_file or _signed(block, values):
            continue
        stand_ins = [b for b in definition.signatures if b.stands_in_for == block.key]
        if any(_signed(b, values) for b in stand_ins):
            continue
        name, _ = signature_parts(block)
        missing = "name" if not values.get(name.key) else "date"
        alternatives = "".join(f", or have the {b.label} sign" for b in stand_ins)
        findings.add(block.key, "unsigned",
                     f"{block.label} has not signed (no {missing}): type the name and the "
                     f"date signed{alternatives}, or tick 'A signed paper copy is on file'.",
                     block.severity)


def _filled(value: Any) -> bool:
    return value is not None and value is not False and value != ""


def _checks(definition: FormDefinition, values: dict[str, Any],
            tables: dict[str, list[dict[str, Any]]], findings: _Findings) -> None:
    """The definition's ``checks``: findings across answers (see the definitions)."""
    labels = definition.leaves_by_key
    for check in definition.checks:
        if isinstance(check, RequiredWhen):
            if not check.when.holds(values):
                continue
            missing = [labels[key].label for key in check.fields if not _filled(values.get(key))]
            if missing:
                findings.add(check.key, "missing",
                             f"{check.message} Missing: {', '.join(missing)}.", check.severity)
        elif isinstance(check, Ticked):
            if values.get(check.field) is not True:
                findings.add(check.field, "not_ticked", check.message, check.severity)
        elif isinstance(check, AtLeastOne):
            if not any(_filled(values.get(key)) for key in check.fields):
                findings.add(check.key, "missing", check.message, check.severity)
        else:
            spec = definition.tables_by_key[check.table]
            columns = {c.key: c.label for c in spec.columns}
            for number, row in enumerate(tables.get(check.table, []), 1):
                for column in check.columns:
                    if not _filled(row.get(column)):
                        findings.add(f"{check.table}[{number}].{column}", "missing",
                                     f"{spec.label}, row {number}: {columns[column]} is "
                                     f"missing. {check.message}", check.severity)


@lru_cache(maxsize=64)
def record_model(definition: FormDefinition) -> type[BaseModel]:
    """The pydantic model of one form's typed values (every answer optional)."""
    fields: dict[str, Any] = {
        f.key: (_PYTHON_TYPES[f.type] | None, None) for f in definition.leaf_fields()
    }
    model: type[BaseModel] = create_model(
        f"Record_{definition.id.replace('-', '_')}",
        __config__=ConfigDict(frozen=True, extra="forbid"),
        **fields,
    )
    return model


def validate(raw: RawForm, definition: FormDefinition) -> Record:
    """Turn one form's raw answers into a typed record and its findings."""
    if raw.service in definition.services:
        definition = definition.for_service(raw.service)
    findings = _Findings()
    values: dict[str, Any] = {}
    signature_keys = {p.key for s in definition.signatures for p in signature_parts(s)}
    for field in definition.leaf_fields():
        required = field.required and field.key not in signature_keys
        values[field.key] = _typed_field(field, raw.fields.get(field.key), field.key,
                                         field.label, findings, required=required)
    for field in definition.leaf_fields():
        if field.required_if and values.get(field.required_if) is True and not values[field.key]:
            trigger = definition.leaves_by_key[field.required_if].label
            findings.add(field.key, "missing",
                         f"'{trigger}' is ticked, so {field.label} must be filled in.",
                         field.severity)
    _signatures(definition, values, findings)
    tables = {spec.key: _table_rows(spec, raw.tables.get(spec.key, []), findings)
              for spec in definition.tables}
    _checks(definition, values, tables, findings)
    typed = record_model(definition).model_validate(values)
    person_id = values.get("person_id") or None
    service = raw.service or (definition.services[0] if len(definition.services) == 1 else "")
    if service not in definition.services:
        findings.add("service", "unknown_service",
                     f"this form is for {', '.join(definition.services)}, not '{service}'.",
                     Severity.BLOCKING)
    event_date = values.get(definition.event_date_field) if definition.event_date_field else None
    if isinstance(event_date, datetime):
        event_date = event_date.date()
    return Record(
        form_id=definition.id,
        form_version=raw.form_version,
        service=service,
        person_id=person_id,
        values=typed.model_dump(),
        tables=tables,
        findings=tuple(findings.items),
        event=definition.event,
        event_date=event_date,
    )
