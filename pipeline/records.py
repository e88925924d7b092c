"""Typed records passed between the pipeline's stages (all frozen).

    file ──read──▶ RawForm ──validate──▶ Record (+ Findings) ──store──▶ rows
                                              │
                                              └──events──▶ Event ──rules──▶ Obligation

A reader for any format (docx, pdf, xlsx) produces a :class:`RawForm`; everything after
that is format-blind.

Pydantic at the edges only. What is read from a file and checked (:class:`RawForm`,
:class:`RawValue`, :class:`Record`, :class:`Finding`) is a frozen pydantic model: made
once per form, it crosses the reader's sandbox (pickled), is validated when it comes back
from the store's JSON, and is dumped to JSON (``model_dump(mode="json")``) for the store
and ``--json``. What the rules make and read by the hundred thousand (:class:`Event`,
:class:`Obligation`) are plain NamedTuples, typed by whoever makes them and never
validated again.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from enum import StrEnum
from typing import Any, NamedTuple

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


# The details of an event that has none: one dict for them all, never changed.
_NO_DETAILS: Mapping[str, Any] = {}


class Event(NamedTuple):
    """A dated fact taken from a stored form: referral received, plan agreed, review held.

    The one shape of an event: the store's queries read them in bulk
    (:func:`pipeline.store.queries.event_facts`), the recording splits a person's
    episodes with them, and the rules read them (the ``events`` table's rows,
    :class:`pipeline.store.models.EventRow`, are where they are kept). ``complete`` is
    False when the form had blocking findings: such a form is kept but does not meet an
    obligation until a corrected copy arrives. ``source`` is the submission's archived
    file; ``details`` the form values the rules need (review_frequency,
    next_review_date, review_date ...).

    A tuple, unvalidated: every value comes typed, from the store's columns or from
    the rules. A council's store holds hundreds of thousands of events; as tuples they
    take little memory and a fraction of the time a validated model takes to make.
    Read-only: the rules never change an event, nor its details, so events with the same
    details may share one ``details`` dict (the default one too).
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
    details: Mapping[str, Any] = _NO_DETAILS


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


class Obligation(NamedTuple):
    """Something a policy requires of one person's episode by a due date.

    ``source`` is the archived file that triggered the obligation or, once met, the one
    that met it; ``met_on`` is the date of the event that met it.

    A tuple, unvalidated: the rules type every value, and a council has hundreds of
    thousands of obligations. :meth:`json_row` is what ``--json`` prints of one.
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
