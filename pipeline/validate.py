"""Raw answers → a typed :class:`Record` plus findings a person can act on.

Contract: never raises for anything a person wrote; every problem becomes a
:class:`Finding` naming the field and saying what to fix. Blocking findings stop a form
counting towards its obligation; advisory ones are reported only. A form is checked as
its service's copy (:meth:`FormDefinition.for_service`): each field's ``required`` and
``required_if``, the signatures (a signed paper copy, or a signature that stands in,
will do), each table row, then the definition's ``checks`` across answers, then its
``date_checks`` (an event dated years ahead, a birth after the referral, a signature
before the meeting it signs).

Every value in the record is safe for every later step (issue 13: one poison value
crashed the store and blocked the queue). A value that fails a bound is not kept: it
becomes empty, with a blocking finding. Dates and date-times lie in the years
:data:`EARLIEST_YEAR` to :data:`LATEST_YEAR` (a date-time once converted to UK time), so
every conversion and every deadline computed from them works; numbers are finite and
within the field's ``minimum`` and ``maximum`` (or :data:`NUMBER_LIMIT`); text has no
control characters (other than tab and line breaks) nor unpaired surrogates, and is at
most the field's ``length_limit`` long.
"""

from __future__ import annotations

import contextlib
import math
import re
import warnings
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from dateutil import parser as date_parser
from dateutil.parser import UnknownTimezoneWarning

from pipeline.definitions import (
    DEFAULT_PLACEHOLDERS,
    NUMBER_LIMIT,
    AtLeastOne,
    DateWithin,
    FieldSpec,
    FieldType,
    FormDefinition,
    HasRows,
    RequiredWhen,
    TableSpec,
    Ticked,
    signature_parts,
)
from pipeline.records import Finding, RawForm, RawValue, Record, Severity
from pipeline.rules.calendar import add_months

LONDON = ZoneInfo("Europe/London")
SIGNED_COPY_FIELD = "signed_copy_on_file"
# Placeholders Word and LibreOffice put in controls they create themselves.
_SUITE_PLACEHOLDERS = {
    "click or tap here to enter text.", "click here to enter text.", "choose an item.",
    "click or tap to enter a date.", "click here to enter a date.", "enter text",
}
# Dates Planwatch accepts: every person alive, every plan and deadline (a year past the
# last, far from the calendar's ends where converting a time zone overflows).
EARLIEST_YEAR = 1900
LATEST_YEAR = 2100
# No form has had this many versions: a larger one overflows the store's column.
_MAX_VERSION = 1_000_000
# Longer than any date, time or number anyone types: not parsed at all.
_MAX_TYPED = 64
# The zone names people type; any other is a finding, never a silent guess.
_ZONES = {"UTC": UTC, "GMT": UTC, "Z": UTC, "BST": timezone(timedelta(hours=1))}
# Control characters other than tab, line feed and carriage return; unpaired surrogates.
_INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# RawValue.matched_by of an answer read by its label from the layout.
LAYOUT = "layout"
_TRUE = {"yes", "y", "true", "x", "1", "\u2612", "\u2611", "\u2713", "\u2714"}
_FALSE = {"no", "n", "false", "0", "\u2610", ""}


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
    text = _INVISIBLE.sub("", raw.text or "").strip()
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


def _shown(text: str) -> str:
    """A person's answer quoted in a finding: the start of it, when it is long, without
    invisible characters (a finding is stored and shown like any answer)."""
    text = _INVISIBLE.sub("", text)
    return text if len(text) <= 60 else text[:57].rstrip() + "..."


def _day(value: date) -> str:
    return f"{value.day:02d}/{value.month:02d}/{value.year}"


# What the forms' date pickers show (dd/mm/yyyy), read without the general parser.
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def _parse_date(text: str) -> date | None:
    cleaned = text.strip()
    if not re.search(r"\d", cleaned) or len(cleaned) > _MAX_TYPED:
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


def _plausible_year(year: int) -> bool:
    return EARLIEST_YEAR <= year <= LATEST_YEAR


def _out_of_range(where: str, shown: str, findings: _Findings) -> None:
    findings.add(where, "date_out_of_range",
                 f"{shown} is not a date Planwatch can use: the year must be between "
                 f"{EARLIEST_YEAR} and {LATEST_YEAR}. Check the year and type the date again "
                 "(dd/mm/yyyy).", Severity.BLOCKING)


def _convert_date(raw: RawValue, text: str, where: str, findings: _Findings) -> date | None:
    shown = _parse_date(text) if text else None
    if raw.full_date is not None:
        if not _plausible_year(raw.full_date.year):
            _out_of_range(where, _day(raw.full_date), findings)
            return None
        if shown is not None and shown != raw.full_date:
            findings.add(where, "date_mismatch",
                         f"shows {_shown(text)} but the date picker holds "
                         f"{_day(raw.full_date)}; the picker's date is used. "
                         "Choose the date again with the picker.", Severity.ADVISORY)
        return raw.full_date
    if shown is None:
        findings.add(where, "date_unreadable",
                     f"'{_shown(text)}' is not a date Planwatch can read: use dd/mm/yyyy.",
                     Severity.BLOCKING)
        return None
    if not _plausible_year(shown.year):
        _out_of_range(where, f"'{_shown(text)}'", findings)
        return None
    return shown


def _parse_datetime(text: str) -> datetime | tuple[str, str]:
    """The moment ``text`` names (in UK time when it names no zone), else a finding's code
    and what is wrong."""
    unreadable = ("datetime_unreadable", "is not a date and time")
    if len(text) > _MAX_TYPED:
        return unreadable
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UnknownTimezoneWarning)
        try:
            moment = date_parser.parse(text, dayfirst=True, tzinfos=_ZONES)
        except (ValueError, OverflowError):
            return unreadable
    if any(issubclass(w.category, UnknownTimezoneWarning) for w in caught):
        return ("datetime_unreadable",
                "names a time zone Planwatch does not know (give the UK time, without a zone)")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LONDON)
    out_of_range = ("datetime_out_of_range", "is not a date and time Planwatch can use: the "
                    f"year must be between {EARLIEST_YEAR} and {LATEST_YEAR}")
    try:
        # Every later step reads it in UK time, and stores it without a zone.
        local = moment.astimezone(LONDON).replace(tzinfo=None)
    except (ValueError, OverflowError):
        return out_of_range
    return moment if _plausible_year(local.year) else out_of_range


def _convert_datetime(text: str, where: str, findings: _Findings) -> datetime | None:
    moment = _parse_datetime(text)
    if isinstance(moment, tuple):
        code, problem = moment
        findings.add(where, code, f"'{_shown(text)}' {problem}: use dd/mm/yyyy hh:mm.",
                     Severity.BLOCKING)
        return None
    return moment


def _limits(field: FieldSpec) -> str:
    if field.minimum is not None and field.maximum is not None:
        return f"from {field.minimum:g} to {field.maximum:g}"
    if field.minimum is not None:
        return f"of {field.minimum:g} or more"
    if field.maximum is not None:
        return f"of {field.maximum:g} or less"
    return f"between {-NUMBER_LIMIT:,.0f} and {NUMBER_LIMIT:,.0f}"


def _convert_number(field: FieldSpec, text: str, where: str,
                    findings: _Findings) -> int | float | None:
    number: Decimal | None = None
    if len(text) <= _MAX_TYPED:
        with contextlib.suppress(InvalidOperation):
            number = Decimal(text.replace(",", ""))
    # Decimal reads 'NaN' and 'Infinity' too: a number for Python, not for a person.
    if number is None or not number.is_finite():
        findings.add(where, "number_unreadable",
                     f"'{_shown(text)}' is not a number: type a number {_limits(field)}.",
                     Severity.BLOCKING)
        return None
    value = float(number)
    if not (math.isfinite(value) and field.lowest <= value <= field.highest):
        findings.add(where, "out_of_range",
                     f"{_shown(text)} is not allowed here: type a number {_limits(field)}.",
                     Severity.BLOCKING)
        return None
    return int(value) if value.is_integer() else value


def _convert_text(field: FieldSpec, text: str, where: str, findings: _Findings) -> str | None:
    # Invisible characters a PDF or a paste can carry break the store and the workbook.
    text = _INVISIBLE.sub("", text).strip()
    text = _without_placeholder(field, text, where, findings)
    if len(text) > field.length_limit:
        findings.add(where, "too_long",
                     f"the answer is {len(text):,} characters long; at most "
                     f"{field.length_limit:,} can be kept. Shorten it (for a long account, "
                     "keep the detail in the case notes and summarise it here).",
                     Severity.BLOCKING)
        return None
    return text


def convert(field: FieldSpec, raw: RawValue, where: str, findings: _Findings) -> Any:
    """One non-empty raw value as the field's Python type, or None with a finding."""
    text = (raw.text or "").strip()
    severity = Severity.BLOCKING
    if field.type in (FieldType.TEXT, FieldType.LONG_TEXT):
        return _convert_text(field, text, where, findings)
    if field.type is FieldType.DATE:
        return _convert_date(raw, text, where, findings)
    if field.type is FieldType.DATETIME:
        return _convert_datetime(text, where, findings)
    if field.type is FieldType.YES_NO:
        if raw.checked is not None:
            return raw.checked
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        findings.add(where, "yes_no_unreadable",
                     f"'{_shown(text)}' is not yes or no: tick or untick it.", severity)
        return None
    if field.type is FieldType.CHOICE:
        if raw.choice_value and any(c.value == raw.choice_value for c in field.choices):
            return raw.choice_value
        choice = field.choice_by_label(text) if len(text) <= 1000 else None
        if choice is None:
            allowed = ", ".join(c.label for c in field.choices)
            findings.add(where, "not_a_choice",
                         f"'{_shown(text)}' is not one of the choices ({allowed}): pick one "
                         "from the list.", severity)
            return None
        return choice.value
    if field.type is FieldType.NUMBER:
        return _convert_number(field, text, where, findings)
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
    file, a signature that may stand in for it (an advocate's) is given, or it is not
    needed (``not_needed_when``: a young child's plan not shown to the child). How
    serious a missing one is, is the block's severity on this service's copy."""
    on_file = values.get(SIGNED_COPY_FIELD) is True
    for block in definition.signatures:
        if not block.required or on_file or _signed(block, values):
            continue
        if block.not_needed_when is not None and block.not_needed_when.holds(values):
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
        elif isinstance(check, HasRows):
            if not tables.get(check.table):
                findings.add(check.table, "missing", check.message, check.severity)
        elif isinstance(check, DateWithin):
            _date_within(check, values, labels, findings)
        else:
            spec = definition.tables_by_key[check.table]
            columns = {c.key: c.label for c in spec.columns}
            for number, row in enumerate(tables.get(check.table, []), 1):
                for column in check.columns:
                    if not _filled(row.get(column)):
                        findings.add(f"{check.table}[{number}].{column}", "missing",
                                     f"{spec.label}, row {number}: {columns[column]} is "
                                     f"missing. {check.message}", check.severity)


def _date_within(check: DateWithin, values: dict[str, Any], labels: dict[str, FieldSpec],
                 findings: _Findings) -> None:
    day, start = _as_day(values.get(check.field)), _as_day(values.get(check.after))
    if day is None or start is None:
        return
    latest = add_months(start, check.months)
    if day > latest:
        findings.add(check.field, "too_far_ahead",
                     f"{labels[check.field].label} is {_day(day)}, more than {check.months} "
                     f"months after '{labels[check.after].label}' ({_day(start)}; at the "
                     f"latest {_day(latest)}). {check.message}", check.severity)


def _as_day(value: Any) -> date | None:
    """A date answer as a calendar date (a date-time: its UK date)."""
    if isinstance(value, datetime):
        return value.astimezone(LONDON).date()
    return value if isinstance(value, date) else None


def _level(level: str, signature: FieldSpec | None = None) -> Severity | None:
    if level == "as_signature":
        return signature.severity if signature is not None else Severity.BLOCKING
    return None if level == "off" else Severity(level)


def _ahead(days: int) -> str:
    return "more than a year from today" if days in (365, 366) else (
        f"more than {days} days from today")


def _future_dates(definition: FormDefinition, values: dict[str, Any], today: date,
                  findings: _Findings) -> None:
    rules = definition.date_checks
    severity = _level(rules.event_in_future)
    if severity is None:
        return
    labels = definition.leaves_by_key
    keys = [e.date_field for e in definition.events]
    keys += [signature_parts(s)[1].key for s in definition.signatures]
    latest = today + timedelta(days=rules.future_days)
    for key in dict.fromkeys(keys):
        day = _as_day(values.get(key))
        if day is not None and day > latest:
            findings.add(key, "date_in_future",
                         f"{labels[key].label} is {_day(day)}, {_ahead(rules.future_days)} "
                         f"({_day(today)}). Check the year and correct the date.", severity)


def _born_after(definition: FormDefinition, values: dict[str, Any],
                tables: dict[str, list[dict[str, Any]]], event: date | None, today: date,
                findings: _Findings) -> None:
    rules = definition.date_checks
    severity = _level(rules.born_after_event)
    if severity is None:
        return
    key = rules.birth_field
    births: list[tuple[str, str, Any]] = []
    if key in definition.leaves_by_key:
        births.append((key, definition.leaves_by_key[key].label, values.get(key)))
    for spec in definition.tables:
        for column in spec.columns:
            if column.key == key:
                births += [(f"{spec.key}[{n}].{key}", f"{spec.label}, row {n}: {column.label}",
                            row.get(key)) for n, row in enumerate(tables.get(spec.key, []), 1)]
    event_label = (definition.leaves_by_key[definition.event_date_field].label
                   if definition.event_date_field else "")
    for where, label, value in births:
        born = _as_day(value)
        if born is None:
            continue
        if event is not None and born > event:
            findings.add(where, "born_after_event",
                         f"{label} ({_day(born)}) is after '{event_label}' ({_day(event)}). "
                         "Check both dates and correct the one that is wrong.", severity)
        elif born > today:
            findings.add(where, "born_after_event",
                         f"{label} ({_day(born)}) is in the future. Check the date of birth "
                         "and correct it.", severity)


def _signed_before(definition: FormDefinition, values: dict[str, Any], event: date | None,
                   findings: _Findings) -> None:
    if event is None or definition.event_date_field is None:
        return
    event_label = definition.leaves_by_key[definition.event_date_field].label
    for block in definition.signatures:
        severity = _level(definition.date_checks.signed_before_event, block)
        _, when = signature_parts(block)
        signed = _as_day(values.get(when.key))
        if severity is None or signed is None or signed >= event:
            continue
        findings.add(when.key, "signed_before_event",
                     f"{block.label} signed on {_day(signed)}, before '{event_label}' "
                     f"({_day(event)}): a form is signed at or after the meeting it "
                     "records. Check the date signed and the date of the meeting, and "
                     "correct the one that is wrong.", severity)


def _date_checks(definition: FormDefinition, values: dict[str, Any],
                 tables: dict[str, list[dict[str, Any]]], today: date,
                 findings: _Findings) -> None:
    """The definition's ``date_checks`` (:class:`DateChecks`): dates that are readable
    but cannot be right."""
    event = (_as_day(values.get(definition.event_date_field))
             if definition.event_date_field else None)
    _future_dates(definition, values, today, findings)
    _born_after(definition, values, tables, event, today, findings)
    _signed_before(definition, values, event, findings)


def validate(raw: RawForm, definition: FormDefinition, *, today: date | None = None) -> Record:
    """Turn one form's raw answers into a typed record and its findings.

    ``today`` is the day "in the future" is measured from (default: today in UK time).
    """
    today = today or datetime.now(LONDON).date()
    if raw.service in definition.services:
        definition = definition.for_service(raw.service)
    elif not raw.service and raw.services_alike:
        definition, alike = _copy_answers_fit(raw, definition, today)
        raw = raw.model_copy(update={"services_alike": alike})
    findings = _Findings()
    findings.items += raw.findings  # what the reader could not settle (two places)
    # Each answer as its field's Python type, or None (False for an empty yes/no): typed
    # by convert() here, so nothing checks them again.
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
    _date_checks(definition, values, tables, today, findings)
    person_id = values.get("person_id") or None
    service = raw.service or (definition.services[0] if len(definition.services) == 1 else "")
    if not service:
        # Nothing in the file names its service (its properties and footer were lost, and
        # its labels fit several services' copies alike).
        fits = raw.services_alike or definition.services
        findings.add("service", "unknown_service",
                     f"the form does not say which service it is for (it fits "
                     f"{', '.join(fits)} alike). Fill in your service's blank form next "
                     "time; this copy is kept but counts for no service.", Severity.BLOCKING)
    elif service not in definition.services:
        # The file's own properties said so: anything at all, kept only as shown.
        service = _shown(service)
        findings.add("service", "unknown_service",
                     f"this form is for {', '.join(definition.services)}, not '{service}'.",
                     Severity.BLOCKING)
    version = raw.form_version
    if not 1 <= version <= _MAX_VERSION:
        findings.add("form_version", "unknown_version",
                     f"the file says it is version {_shown(str(version))} of the form, which "
                     f"no Planwatch form is; it is read as version {definition.version}. Use "
                     "the current blank form next time.", Severity.ADVISORY)
        version = definition.version
    event_date = (_as_day(values.get(definition.event_date_field))
                  if definition.event_date_field else None)
    return Record(
        form_id=definition.id,
        form_version=version,
        service=service,
        person_id=person_id,
        values=values,
        tables=tables,
        findings=tuple(findings.items),
        event=definition.event,
        event_date=event_date,
        read_by_label=_read_by_label(raw),
    )


def _copy_answers_fit(raw: RawForm, definition: FormDefinition,
                      today: date) -> tuple[FormDefinition, tuple[str, ...]]:
    """Of the copies a file's labels fit alike, the one its answers fit best (fewest
    findings, then the most answers that are one of the copy's choices: a table's area is
    free text on one copy and a list on another), and the services that have it; the
    whole form when two copies fit as well but read the answers differently."""
    groups: dict[str, tuple[FormDefinition, list[str]]] = {}
    for service in raw.services_alike:
        if service in definition.services:
            copy = definition.for_service(service)
            key = repr(copy.sections)
            groups.setdefault(key, (copy, []))[1].append(service)
    if len(groups) <= 1:
        for copy, services in groups.values():
            return copy, tuple(services)
        return definition, raw.services_alike
    plain = raw.model_copy(update={"services_alike": ()})
    readings = [(validate(plain, copy, today=today), copy, services)
                for copy, services in groups.values()]
    def fit(record: Record, copy: FormDefinition) -> tuple[int, int]:
        return len(record.findings), -_answers_chosen(record, copy)

    fewest = min(fit(record, copy) for record, copy, _ in readings)
    best = [(record, copy, services) for record, copy, services in readings
            if fit(record, copy) == fewest]
    first = best[0][0]
    if any((r.values, r.tables) != (first.values, first.tables) for r, _, _ in best[1:]):
        return definition, raw.services_alike  # they read the answers differently
    return best[0][1], tuple(s for _, _, services in best for s in services)


def _answers_chosen(record: Record, copy: FormDefinition) -> int:
    """How many answers on ``record`` are one of ``copy``'s choices."""
    chosen = sum(1 for f in copy.leaf_fields()
                 if f.type is FieldType.CHOICE and record.values.get(f.key) is not None)
    for spec in copy.tables:
        keys = [c.key for c in spec.columns if c.type is FieldType.CHOICE]
        chosen += sum(1 for row in record.tables.get(spec.key, []) for k in keys
                      if row.get(k) is not None)
    return chosen


def _read_by_label(raw: RawForm) -> tuple[str, ...]:
    """The fields and tables whose answers were read from the layout, not a control."""
    keys = [key for key, value in raw.fields.items() if value.matched_by == LAYOUT]
    keys += [key for key, rows in raw.tables.items()
             if any(cell.matched_by == LAYOUT for row in rows for cell in row.values())]
    return tuple(keys)
