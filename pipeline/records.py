"""Typed records passed between the pipeline's stages (all frozen).

    file ──read──▶ RawForm ──validate──▶ Record (+ Findings) ──store──▶ rows
                                              │
                                              └──events──▶ Event ──rules──▶ Obligation

A reader for any format (docx, pdf, xlsx) produces a :class:`RawForm`; everything after
that is format-blind.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from enum import StrEnum
from typing import Any, NamedTuple, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Severity(StrEnum):
    BLOCKING = "blocking"
    ADVISORY = "advisory"


class Finding(_Frozen):
    """A completeness problem in one form: which field, what is wrong, what to do."""

    field: str
    code: str
    message: str
    severity: Severity

    def line(self) -> str:
        return f"[{self.severity.value}] {self.field}: {self.message}"


class RawValue(_Frozen):
    """What a reader found in one control, before any typing.

    ``text`` is what a person sees; the other attributes carry what the control itself
    says when it says more (a checkbox state, a date picker's full date, a list value).
    """

    text: str | None = None
    checked: bool | None = None
    full_date: date | None = None
    choice_value: str | None = None
    showing_placeholder: bool = False
    # How the field was identified: tag, alias, label, name (legacy bookmark), column;
    # ``layout``: no control held it, it was read by its label from the page's layout
    # (pipeline.formats.word.layout).
    matched_by: str = "tag"


class RawForm(_Frozen):
    """Every field a reader found in one file, keyed by the definition's field keys."""

    file_name: str
    form_id: str
    form_version: int
    service: str | None = None
    fields: dict[str, RawValue] = Field(default_factory=dict)
    tables: dict[str, list[dict[str, RawValue]]] = Field(default_factory=dict)
    # Controls that could not be matched to any field of the definition (by label text).
    unmatched: tuple[str, ...] = ()
    # When the file says it was last saved: decides which of two copies is the correction.
    modified: datetime | None = None
    # What the reader could not settle itself (an answer in two places that disagree):
    # validation adds these to the record's findings.
    findings: tuple[Finding, ...] = ()
    # When the service could not be told (properties and footer lost, and its labels fit
    # several services' copies alike): those services.
    services_alike: tuple[str, ...] = ()


class Record(_Frozen):
    """A validated form: typed values by field key, table rows, and findings."""

    form_id: str
    form_version: int
    service: str
    person_id: str | None
    values: dict[str, Any]
    tables: dict[str, list[dict[str, Any]]]
    findings: tuple[Finding, ...] = ()
    event: str | None = None
    event_date: date | None = None
    # Fields and tables read by their labels from the layout (no content control held
    # them): a person may want to check those.
    read_by_label: tuple[str, ...] = ()

    @property
    def blocking(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.BLOCKING)

    @property
    def complete(self) -> bool:
        return not self.blocking

    def json_values(self) -> dict[str, Any]:
        """Values and tables in JSON-safe form (ISO dates), for the store and --json."""
        return {
            "values": {k: _jsonable(v) for k, v in self.values.items()},
            "tables": {
                key: [{c: _jsonable(v) for c, v in row.items()} for row in rows]
                for key, rows in self.tables.items()
            },
        }


def _jsonable(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


class Event(_Frozen):
    """A dated fact taken from a stored form: referral received, plan agreed, review held.

    ``complete`` is False when the form had blocking findings: such a form is kept but
    does not meet an obligation until a corrected copy arrives.
    """

    person_id: str
    service: str
    kind: str
    on: date
    at: datetime | None = None
    worker: str | None = None
    team: str | None = None
    complete: bool = True
    submission_id: int | None = None
    source: str | None = None
    # Form values the rules need: review_frequency, next_review_date, review_date ...
    details: dict[str, Any] = Field(default_factory=dict)


class EventFacts(Protocol):
    """What the rules read of an event: an :class:`Event`, or a :class:`StoredEvent` read
    in bulk. Read-only: the rules never change an event, nor its details."""

    @property
    def person_id(self) -> str: ...
    @property
    def service(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def on(self) -> date: ...
    @property
    def at(self) -> datetime | None: ...
    @property
    def worker(self) -> str | None: ...
    @property
    def team(self) -> str | None: ...
    @property
    def complete(self) -> bool: ...
    @property
    def submission_id(self) -> int | None: ...
    @property
    def source(self) -> str | None: ...
    @property
    def details(self) -> Mapping[str, Any]: ...


class StoredEvent(NamedTuple):
    """An :class:`Event` as read from the store in bulk, for the rules: the same fields in
    the same order, in a tuple, unvalidated (the store's columns are typed already).

    A council's store holds hundreds of thousands of events: as tuples they take a
    quarter of the memory and a fraction of the time to make. Events with the same
    details may share one ``details`` dict, never to be changed.
    """

    person_id: str
    service: str
    kind: str
    on: date
    at: datetime | None
    worker: str | None
    team: str | None
    complete: bool
    submission_id: int | None
    source: str | None
    details: Mapping[str, Any]


class ObligationStatus(StrEnum):
    MET = "met"
    MET_LATE = "met_late"
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    UPCOMING = "upcoming"
    NOT_APPLICABLE = "not_applicable"
    MISSED = "missed"
    # Not a deadline: an open case past its planned duration (consider stepping down).
    PAST_PLANNED_DURATION = "past_planned_duration"


class Obligation(_Frozen):
    """Something a policy requires of one person's episode by a due date.

    ``source`` is the archived file that triggered the obligation or, once met, the one
    that met it; ``met_on`` is the date of the event that met it.
    """

    person_id: str
    service: str
    obligation: str
    due: date
    status: ObligationStatus
    met_on: date | None = None
    worker: str | None = None
    team: str | None = None
    source: str | None = None
    # Distinguishes cycles of a recurring obligation (review 1, 2, ...): stable per chain.
    cycle: int = 0
    # The person's episodes in this service are numbered 1, 2, ... in date order.
    episode: int = 1
    # For a deadline in hours ("within 2 hours"): the Europe/London time it falls due.
    due_at: datetime | None = None
    # Why it is not_applicable ("disclaimer in place"), or what to consider
    # ("past planned duration: consider step-down").
    note: str | None = None

    def json_row(self) -> dict[str, Any]:
        return {
            "person_id": self.person_id,
            "service": self.service,
            "obligation": self.obligation,
            "due": self.due.isoformat(),
            "status": self.status.value,
            "met_on": self.met_on.isoformat() if self.met_on else None,
            "worker": self.worker,
            "source": self.source,
        }


M = TypeVar("M", bound=BaseModel)

_new = object.__new__
_set = object.__setattr__


def construct_trusted(model: type[M], values: dict[str, Any], fields_set: set[str]) -> M:
    """``model.model_construct(fields_set, **values)``, several times faster: for the
    hundreds of thousands of events and obligations of a council's store.

    The contract is the caller's: ``values`` names every field of ``model`` (one of the
    frozen records here: no private attributes, no post-init hook, extra keys forbidden),
    in the order the model declares them, each already of its field's type; nothing is
    validated or copied. ``fields_set`` becomes ``model_fields_set`` and may be shared by
    every instance (the models are frozen, and so is what they were given).
    """
    made = _new(model)
    _set(made, "__dict__", values)
    _set(made, "__pydantic_fields_set__", fields_set)
    _set(made, "__pydantic_extra__", None)
    _set(made, "__pydantic_private__", None)
    return made
