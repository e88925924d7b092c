"""Form definitions: the single source of truth for blank forms, filling and reading.

One YAML file per form in ``forms/`` is loaded into frozen pydantic models. A mistake in
a file becomes a :class:`DefinitionError` naming the file and the key, never a traceback.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)

from pipeline.errors import DefinitionError, UnknownFormError
from pipeline.records import Severity
from pipeline.yaml_models import first_problem, load_model

# The bundled definitions, policies and blank forms: package data, so an installed
# Planwatch (a wheel, pipx) has them as an editable checkout does.
DEFAULT_FORMS_DIR = Path(__file__).resolve().parent / "forms"

KEY_PATTERN = r"^[a-z][a-z0-9_]*$"

# What validation accepts at most (pipeline.validate), unless a field says otherwise.
# Text: Excel's limit for one cell, where every answer may end up (the weekly workbook).
TEXT_MAX_LENGTH = 32_000
# A person id names files (summaries, schedules) and is typed by a person: never longer.
PERSON_ID_MAX_LENGTH = 64
# A number with no maximum or minimum of its own stays within this (a budget in pounds,
# a count): beyond it floats lose whole units and the store's integer columns overflow.
NUMBER_LIMIT = 1e12


class FieldType(StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"
    DATE = "date"
    DATETIME = "datetime"
    YES_NO = "yes_no"
    CHOICE = "choice"
    NUMBER = "number"
    SIGNATURE = "signature"


DEFAULT_PLACEHOLDERS: dict[FieldType, str] = {
    FieldType.TEXT: "Click here to enter text.",
    FieldType.LONG_TEXT: "Click here to enter text.",
    FieldType.DATE: "Click to choose a date (dd/mm/yyyy).",
    FieldType.DATETIME: "Type date and time (dd/mm/yyyy hh:mm).",
    FieldType.CHOICE: "Choose an item.",
    FieldType.NUMBER: "Enter a number.",
    FieldType.SIGNATURE: "Type your full name.",
}


@lru_cache(maxsize=8192)  # the same few hundred labels, in every form read
def normalise_label(text: str) -> str:
    """Fold a label for matching: case, punctuation at the ends, required marks, spaces."""
    folded = re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip().lower()
    return folded.rstrip(" *:?").strip()


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Choice(_Frozen):
    """One option of a choice field: the stored value and the text people see.

    ``services``: only on these services' copies of the form (outcome areas differ by
    service). A choice field left with no choices on a copy is free text there.
    """

    value: str = Field(pattern=KEY_PATTERN)
    label: str = Field(min_length=1)
    services: tuple[str, ...] | None = None


def normalise_answer(value: object) -> str:
    """An answer as checks compare it: yes/no for a tick box, lower-case text otherwise."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value).strip().lower()


class AnswerIs(_Frozen):
    """A condition on one answer of the same form: ``{field: is_child, is_one_of: [yes]}``."""

    field: str = Field(pattern=KEY_PATTERN)
    is_one_of: tuple[str, ...] = Field(min_length=1)

    @field_validator("is_one_of", mode="before")
    @classmethod
    def _normalised(cls, value: object) -> object:
        items = value if isinstance(value, list | tuple) else [value]
        return tuple(normalise_answer(item) for item in items)

    def holds(self, values: dict[str, object]) -> bool:
        return normalise_answer(values.get(self.field)) in self.is_one_of


class FieldSpec(_Frozen):
    """One answer on a form (or one column of a table)."""

    key: str = Field(pattern=KEY_PATTERN)
    label: str = Field(min_length=1)
    type: FieldType = FieldType.TEXT
    required: bool = False
    help: str | None = None
    placeholder: str | None = None
    choices: tuple[Choice, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    # Text and long_text: most characters kept (default TEXT_MAX_LENGTH; for person_id,
    # PERSON_ID_MAX_LENGTH). A longer answer is a blocking finding and is not kept.
    max_length: int | None = Field(default=None, ge=1, le=1_000_000)
    # Required only when the named yes/no field is ticked ("wishes not incorporated").
    required_if: str | None = Field(default=None, pattern=KEY_PATTERN)
    severity: Severity = Severity.BLOCKING
    # Only on these services' copies of the form (None: on every copy).
    services: tuple[str, ...] | None = None
    # A signature that may stand in for another (an advocate's for the resident's).
    stands_in_for: str | None = Field(default=None, pattern=KEY_PATTERN)
    # Its finding (missing, unsigned) is blocking on these services' copies and
    # ``severity`` on the others: a seed that asks for a signature makes it a condition.
    blocking_for: tuple[str, ...] | None = None
    # A signature not needed when this answer holds (a young child's plan not shown to
    # the child is signed by the worker only). Left off a copy without that answer.
    not_needed_when: AnswerIs | None = None
    kind: Literal["field"] = "field"

    @model_validator(mode="after")
    def _choices_fit_type(self) -> FieldSpec:
        if self.stands_in_for is not None and self.type is not FieldType.SIGNATURE:
            raise ValueError("'stands_in_for' is only for signatures")
        if self.not_needed_when is not None and self.type is not FieldType.SIGNATURE:
            raise ValueError("'not_needed_when' is only for signatures")
        if self.type is FieldType.CHOICE and not self.choices:
            raise ValueError("a choice field needs at least one entry under 'choices'")
        if self.type is not FieldType.CHOICE and self.choices:
            raise ValueError(f"'choices' is only for type choice, not {self.type.value}")
        self._limits_fit_type()
        values = [c.value for c in self.choices]
        if len(set(values)) != len(values):
            raise ValueError("choice values must be unique")
        labels = [normalise_label(c.label) for c in self.choices]
        if len(set(labels)) != len(labels):
            raise ValueError("choice labels must be unique")
        return self

    def _limits_fit_type(self) -> None:
        if self.type is not FieldType.NUMBER and (self.minimum is not None
                                                  or self.maximum is not None):
            raise ValueError(f"'minimum' and 'maximum' are only for type number, not "
                             f"{self.type.value}")
        for name, limit in (("minimum", self.minimum), ("maximum", self.maximum)):
            if limit is not None and not (math.isfinite(limit) and abs(limit) <= NUMBER_LIMIT):
                raise ValueError(f"{name!r} must be a number between {-NUMBER_LIMIT:,.0f} and "
                                 f"{NUMBER_LIMIT:,.0f}")
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise ValueError("'minimum' is greater than 'maximum'")
        if self.max_length is not None and self.type not in (FieldType.TEXT,
                                                              FieldType.LONG_TEXT):
            raise ValueError(f"'max_length' is only for text and long_text, not "
                             f"{self.type.value}")

    @property
    def lowest(self) -> float:
        """The smallest number this field accepts (its minimum, else -NUMBER_LIMIT)."""
        return -NUMBER_LIMIT if self.minimum is None else self.minimum

    @property
    def highest(self) -> float:
        """The largest number this field accepts (its maximum, else NUMBER_LIMIT)."""
        return NUMBER_LIMIT if self.maximum is None else self.maximum

    @property
    def length_limit(self) -> int:
        """The most characters a text answer may have (see ``max_length``)."""
        if self.max_length is not None:
            return self.max_length
        return PERSON_ID_MAX_LENGTH if self.key == "person_id" else TEXT_MAX_LENGTH

    @property
    def placeholder_text(self) -> str:
        if self.placeholder:
            return self.placeholder
        return DEFAULT_PLACEHOLDERS.get(self.type, "")

    def choice_by_label(self, label: str) -> Choice | None:
        wanted = normalise_label(label)
        for choice in self.choices:
            if normalise_label(choice.label) == wanted or choice.value == label.strip():
                return choice
        return None

    def choice_label(self, value: str) -> str:
        for choice in self.choices:
            if choice.value == value:
                return choice.label
        raise KeyError(value)


class TableSpec(_Frozen):
    """A repeating table: actions, progress, outcome scores. Each row is a dict."""

    kind: Literal["table"]
    key: str = Field(pattern=KEY_PATTERN)
    label: str = Field(min_length=1)
    help: str | None = None
    columns: tuple[FieldSpec, ...] = Field(min_length=1)
    min_rows: int = Field(default=1, ge=0, le=50)
    # At least one filled row is needed (a plan with no actions is not a plan).
    required: bool = False
    severity: Severity = Severity.BLOCKING
    services: tuple[str, ...] | None = None

    @model_validator(mode="after")
    def _columns_are_simple(self) -> TableSpec:
        for column in self.columns:
            if column.type is FieldType.SIGNATURE:
                raise ValueError(f"column {column.key!r}: a signature cannot be a column")
        _ensure_unique([c.key for c in self.columns], "column key")
        _ensure_unique([normalise_label(c.label) for c in self.columns], "column label")
        return self


def _item_kind(value: object) -> str:
    kind = value.get("kind", "field") if isinstance(value, dict) else getattr(value, "kind", None)
    return str(kind)


Item = Annotated[
    Annotated[FieldSpec, Tag("field")] | Annotated[TableSpec, Tag("table")],
    Discriminator(_item_kind),
]


class Section(_Frozen):
    title: str = Field(min_length=1)
    intro: str | None = None
    items: tuple[Item, ...] = Field(min_length=1)
    # A service-specific section appears only on these services' copies of the form.
    services: tuple[str, ...] | None = None


def _on_copy(services: tuple[str, ...] | None, service: str) -> bool:
    return services is None or service in services


def _field_copy(field: FieldSpec, service: str) -> dict[str, object]:
    """One service's copy of a field: its choices only; free text when it has none; its
    severity on this service (``blocking_for``)."""
    data = field.model_dump()
    if field.blocking_for is not None:
        blocking = service in field.blocking_for
        data["severity"] = Severity.BLOCKING.value if blocking else field.severity.value
        data["blocking_for"] = None
    if field.type is FieldType.CHOICE:
        choices = [c.model_dump() for c in field.choices if _on_copy(c.services, service)]
        data["choices"] = choices
        if not choices:
            data["type"] = FieldType.TEXT.value
    return data


def _item_copy(item: FieldSpec | TableSpec, service: str) -> dict[str, object]:
    if isinstance(item, TableSpec):
        return {**item.model_dump(), "columns": [_field_copy(c, service) for c in item.columns]}
    return _field_copy(item, service)


def _item_keys(item: dict[str, object]) -> list[str]:
    key = str(item["key"])
    if item.get("type") == FieldType.SIGNATURE.value:
        return [f"{key}_signature", f"{key}_signed_on"]
    return [key]


class EventSpec(_Frozen):
    """A dated fact a stored form records: its kind, the date field, what rules need."""

    kind: str = Field(pattern=KEY_PATTERN)
    date_field: str = Field(pattern=KEY_PATTERN)
    # Form values copied onto the event for the rules (review_frequency, review_date...),
    # or a table's rows (the children arriving with a woman); on a service's copy, those
    # not on that copy are left out.
    details: tuple[str, ...] = ()
    # Only on these services' copies (Families First dates its referral with a time).
    services: tuple[str, ...] | None = None


class _Check(_Frozen):
    # Only on these services' copies (None: every copy).
    services: tuple[str, ...] | None = None
    severity: Severity = Severity.BLOCKING
    # What to do, in the words staff will read in the finding.
    message: str = Field(min_length=1)


class RequiredWhen(_Check):
    """Every one of ``fields`` is filled in when ``when`` holds (all eight SHANARRI
    indicators rated for a child). One finding, named ``key``, lists what is missing."""

    kind: Literal["required_when"]
    key: str = Field(pattern=KEY_PATTERN)
    when: AnswerIs
    fields: tuple[str, ...] = Field(min_length=1)


class Ticked(_Check):
    """``field`` (a yes/no) must be ticked: "the four options were offered again"."""

    kind: Literal["ticked"]
    field: str = Field(pattern=KEY_PATTERN)


class AtLeastOne(_Check):
    """At least one of ``fields`` is filled in or ticked. One finding, named ``key``."""

    kind: Literal["at_least_one"]
    key: str = Field(pattern=KEY_PATTERN)
    fields: tuple[str, ...] = Field(min_length=2)


class HasRows(_Check):
    """``table`` has at least one filled row (the outcomes of an outcomes form)."""

    kind: Literal["has_rows"]
    table: str = Field(pattern=KEY_PATTERN)


class DateWithin(_Check):
    """``field`` (a date) is at most ``months`` calendar months after ``after`` (a date
    on the same form): a review date set more than a year ahead."""

    kind: Literal["date_within"]
    field: str = Field(pattern=KEY_PATTERN)
    after: str = Field(pattern=KEY_PATTERN)
    months: int = Field(ge=1, le=1200)


class RowColumns(_Check):
    """Every filled row of ``table`` has ``columns`` filled in (an objective's outcome
    area and target date): one finding per missing cell."""

    kind: Literal["row_columns"]
    table: str = Field(pattern=KEY_PATTERN)
    columns: tuple[str, ...] = Field(min_length=1)


Check = Annotated[RequiredWhen | Ticked | AtLeastOne | RowColumns | HasRows | DateWithin,
                  Field(discriminator="kind")]

# How serious a date check's finding is; ``off`` turns the check off for a form.
CheckLevel = Literal["blocking", "advisory", "off"]


class DateChecks(_Frozen):
    """How plausible a form's dates must be: ``date_checks:`` in a definition, every key
    optional (the defaults suit every bundled form). Each check is ``blocking``,
    ``advisory`` or ``off``; see :func:`pipeline.validate.validate`.
    """

    # An event date (the referral, the review, the plan...) or a date signed more than
    # this many days after today: a mistyped year, not a plan for next year.
    future_days: int = Field(default=366, ge=1, le=36_600)
    event_in_future: CheckLevel = "blocking"
    # A date of birth (this field, or a table column with this key) after the form's own
    # event date (the referral), or after today.
    birth_field: str = Field(default="date_of_birth", pattern=KEY_PATTERN)
    born_after_event: CheckLevel = "advisory"
    # A signature dated before the form's own event date (the meeting it signs).
    # ``as_signature``: as serious as a missing signature would be on that block.
    signed_before_event: Literal["blocking", "advisory", "off", "as_signature"] = "as_signature"


class FormDefinition(_Frozen):
    """A whole form: id, version, services, and its sections in order.

    ``checks`` are findings across answers, beyond each field's own ``required`` and
    ``required_if``; ``date_checks`` say how plausible its dates must be (see
    :mod:`pipeline.validate`).
    """

    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    version: int = Field(ge=1)
    title: str = Field(min_length=1)
    services: tuple[str, ...] = Field(min_length=1)
    instructions: str = Field(min_length=1)
    # The first event is the form's own: its date identifies a corrected copy.
    events: tuple[EventSpec, ...] = ()
    sections: tuple[Section, ...] = Field(min_length=1)
    checks: tuple[Check, ...] = ()
    date_checks: DateChecks = DateChecks()

    @property
    def event(self) -> str | None:
        return self.events[0].kind if self.events else None

    @property
    def event_date_field(self) -> str | None:
        return self.events[0].date_field if self.events else None

    @model_validator(mode="after")
    def _keys_and_labels_are_unique(self) -> FormDefinition:
        leaves = list(self.leaf_fields())
        keys = [f.key for f in leaves] + [t.key for t in self.tables]
        _ensure_unique(keys, "field key")
        _ensure_unique([normalise_label(f.label) for f in leaves], "field label")
        if "person_id" not in keys:
            raise ValueError("every form needs a 'person_id' field")
        items: list[FieldSpec | TableSpec] = [*self.fields, *self.tables]
        for item in items:
            self._known_services(item.services, repr(item.key))
            if isinstance(item, FieldSpec):
                self._known_services(item.blocking_for, f"{item.key!r} blocking_for")
            columns = item.columns if isinstance(item, TableSpec) else (item,)
            for field in columns:
                for choice in field.choices:
                    self._known_services(choice.services, f"{field.key!r} choice {choice.value!r}")
        for section in self.sections:
            self._known_services(section.services, f"section {section.title!r}")
        for spec in self.events:
            self._known_services(spec.services, f"event {spec.kind!r}")
        by_key = {f.key: f for f in leaves}
        self._check_signatures_and_checks(by_key)
        for f in leaves:
            if f.required_if is not None:
                target = by_key.get(f.required_if)
                if target is None or target.type is not FieldType.YES_NO:
                    raise ValueError(
                        f"field {f.key!r}: required_if must name a yes_no field on this form"
                    )
        for spec in self.events:
            target = by_key.get(spec.date_field)
            if target is None or target.type not in (FieldType.DATE, FieldType.DATETIME):
                raise ValueError(f"event {spec.kind!r}: date_field must name a date field")
            for detail in spec.details:
                if detail not in by_key and detail not in self.tables_by_key:
                    raise ValueError(f"event {spec.kind!r}: detail {detail!r} is not a field "
                                     "or a table")
        return self

    def _known_services(self, services: tuple[str, ...] | None, what: str) -> None:
        for service in services or ():
            if service not in self.services:
                raise ValueError(f"{what} names service {service!r}, which is not in this "
                                 "form's services")

    def _check_signatures_and_checks(self, by_key: dict[str, FieldSpec]) -> None:
        blocks = {f.key for f in self.signatures}
        for block in self.signatures:
            if block.stands_in_for is not None and block.stands_in_for not in blocks:
                raise ValueError(f"signature {block.key!r}: stands_in_for must name another "
                                 "signature on this form")
            if block.not_needed_when is not None and block.not_needed_when.field not in by_key:
                raise ValueError(f"signature {block.key!r}: not_needed_when names "
                                 f"{block.not_needed_when.field!r}, which is not a field on "
                                 "this form")
        for number, check in enumerate(self.checks):
            self._known_services(check.services, f"checks[{number}]")
            if isinstance(check, RowColumns | HasRows):
                table = self.tables_by_key.get(check.table)
                names = {c.key for c in table.columns} if table is not None else set()
                columns = check.columns if isinstance(check, RowColumns) else ()
                if table is None or not set(columns) <= names:
                    raise ValueError(f"checks[{number}]: names a table or column that is not "
                                     "on this form")
                continue
            keys = ([check.field] if isinstance(check, Ticked | DateWithin)
                    else list(check.fields))
            if isinstance(check, RequiredWhen):
                keys.append(check.when.field)
            if isinstance(check, DateWithin):
                keys.append(check.after)
            missing = [key for key in keys if key not in by_key]
            if missing:
                raise ValueError(f"checks[{number}]: {missing[0]!r} is not a field on this "
                                 "form")
            if isinstance(check, Ticked) and by_key[check.field].type is not FieldType.YES_NO:
                raise ValueError(f"checks[{number}]: {check.field!r} is not a yes/no field")
            if isinstance(check, DateWithin) and any(
                    by_key[key].type is not FieldType.DATE for key in keys):
                raise ValueError(f"checks[{number}]: {check.field!r} and {check.after!r} must "
                                 "be date fields")

    def for_service(self, service: str) -> FormDefinition:
        """This service's copy: service-specific sections and items of others left out.

        Everything downstream (blank form, filling, reading, checking) works on a copy.
        """
        if service not in self.services:
            raise UnknownFormError(
                f"Form {self.id!r} is not used by service {service!r}.",
                hint=f"It is used by: {', '.join(self.services)}.")
        # Copies are asked for on every fill and every check: make each once.
        if service not in self._copies:
            self._copies[service] = self._copy_for(service)
        return self._copies[service]

    @cached_property
    def _copies(self) -> dict[str, FormDefinition]:
        return {}

    def _copy_for(self, service: str) -> FormDefinition:
        sections = []
        for section in self.sections:
            if not _on_copy(section.services, service):
                continue
            items = [_item_copy(i, service) for i in section.items if _on_copy(i.services, service)]
            if items:
                sections.append({**section.model_dump(), "items": items})
        on_copy = {key for s in sections for i in s["items"] for key in _item_keys(i)}
        for item in (i for s in sections for i in s["items"]):
            condition = item.get("not_needed_when")
            if isinstance(condition, dict) and condition["field"] not in on_copy:
                item["not_needed_when"] = None
        events = [{**e.model_dump(), "details": [d for d in e.details if d in on_copy]}
                  for e in self.events if _on_copy(e.services, service)]
        checks = [c.model_dump() for c in self.checks if _on_copy(c.services, service)]
        # Validated afresh, not model_copy: cached properties must not carry over.
        return FormDefinition.model_validate(
            {**self.model_dump(), "sections": sections, "events": events, "checks": checks})

    @cached_property
    def fields(self) -> tuple[FieldSpec, ...]:
        """The fields as written in the file (signature blocks not expanded)."""
        return tuple(i for s in self.sections for i in s.items if isinstance(i, FieldSpec))

    @cached_property
    def tables(self) -> tuple[TableSpec, ...]:
        return tuple(i for s in self.sections for i in s.items if isinstance(i, TableSpec))

    @cached_property
    def signatures(self) -> tuple[FieldSpec, ...]:
        return tuple(f for f in self.fields if f.type is FieldType.SIGNATURE)

    def leaf_fields(self) -> Iterator[FieldSpec]:
        """Every single-valued answer, signature blocks expanded to name and date."""
        for field in self.fields:
            if field.type is FieldType.SIGNATURE:
                yield from signature_parts(field)
            else:
                yield field

    @cached_property
    def leaves_by_key(self) -> dict[str, FieldSpec]:
        return {f.key: f for f in self.leaf_fields()}

    @cached_property
    def tables_by_key(self) -> dict[str, TableSpec]:
        return {t.key: t for t in self.tables}


def signature_parts(block: FieldSpec) -> tuple[FieldSpec, FieldSpec]:
    """A signature block ``person`` is a typed name ``person_signature`` and a date."""
    name = FieldSpec(
        key=f"{block.key}_signature",
        label=f"{block.label}: signature (type full name)",
        type=FieldType.TEXT,
        placeholder=DEFAULT_PLACEHOLDERS[FieldType.SIGNATURE],
        help=block.help,
    )
    date = FieldSpec(
        key=f"{block.key}_signed_on",
        label=f"{block.label}: date signed",
        type=FieldType.DATE,
    )
    return name, date


@dataclass(frozen=True)
class AnswerRow:
    """One label-and-answer row as every blank form lays it out."""

    field: FieldSpec
    required: bool
    help: str | None


def answer_rows(fields: list[FieldSpec]) -> list[AnswerRow]:
    """Rows for a run of fields: a signature block gives a name row and a date row, both
    marked required when the block is, the help text shown once."""
    rows: list[AnswerRow] = []
    for field in fields:
        if field.type is FieldType.SIGNATURE:
            name, when = signature_parts(field)
            rows += [AnswerRow(name, field.required, field.help),
                     AnswerRow(when, field.required, None)]
        else:
            rows.append(AnswerRow(field, field.required, field.help))
    return rows


def _ensure_unique(values: list[str], what: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{what} {value!r} is used twice")
        seen.add(value)


# pydantic names the chosen member of a tagged union in the location: not a key.
_UNION_TAGS = ("FieldSpec", "TableSpec", "field", "table")


def load_definition(path: Path) -> FormDefinition:
    """Read one definition file; every problem names the file and the key."""
    definition = load_model(path, FormDefinition, label_key="key", union_tags=_UNION_TAGS)
    for service in definition.services:
        # A service's copy is validated too: a check or event naming a field that is
        # left off that copy would otherwise fail only when such a form arrives.
        try:
            definition.for_service(service)
        except ValidationError as exc:
            raise DefinitionError(path, f"services ({service})",
                                  "this service's copy of the form is wrong: "
                                  f"{first_problem(exc)}") from exc
    return definition


class Catalogue:
    """Every form definition in a folder, by id."""

    def __init__(self, definitions: dict[str, FormDefinition], folder: Path) -> None:
        self._definitions = dict(sorted(definitions.items()))
        self.folder = folder

    @classmethod
    def load(cls, folder: Path = DEFAULT_FORMS_DIR) -> Catalogue:
        files = sorted(folder.glob("*.yaml"))
        return cls({p.stem: load_definition(p) for p in files}, folder)

    def __iter__(self) -> Iterator[FormDefinition]:
        return iter(self._definitions.values())

    def __len__(self) -> int:
        return len(self._definitions)

    def get(self, form_id: str) -> FormDefinition:
        try:
            return self._definitions[form_id]
        except KeyError:
            known = ", ".join(self._definitions) or "none"
            raise UnknownFormError(
                f"There is no form called {form_id!r}.",
                hint=f"Known forms: {known}. `planwatch forms list` shows them.",
            ) from None

    def find_by_title(self, title: str) -> FormDefinition | None:
        wanted = normalise_label(title)
        for definition in self:
            if normalise_label(definition.title) == wanted:
                return definition
        return None
