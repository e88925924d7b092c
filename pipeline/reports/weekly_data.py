"""Typed input of the weekly compliance workbook (all frozen).

The caller (the CLI or the watcher) fills a :class:`WeeklyInput` from the store; the
workbook code never touches the store, so it can be tested with hand-made rows.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pipeline.records import Finding, Obligation, Severity
from pipeline.rules.status import DEFAULT_DUE_SOON_DAYS


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class IncompleteRow(_Frozen):
    """One finding on one stored form that still needs a person to fix it.

    ``person_id`` is None when the form did not say whose it is (often the finding
    itself); ``archived_path`` is the archived original, absolute or relative to the
    workspace, and becomes a link in the workbook.
    """

    person_id: str | None
    service: str
    form_id: str
    field: str
    severity: Severity
    message: str
    received_at: datetime
    archived_path: str | None = None
    worker: str | None = None

    @classmethod
    def from_finding(
        cls,
        finding: Finding,
        *,
        person_id: str | None,
        service: str,
        form_id: str,
        received_at: datetime,
        archived_path: str | None = None,
        worker: str | None = None,
    ) -> IncompleteRow:
        """The row for ``finding`` on the form described by the keyword arguments."""
        return cls(
            person_id=person_id,
            service=service,
            form_id=form_id,
            field=finding.field,
            severity=finding.severity,
            message=finding.message,
            received_at=received_at,
            archived_path=archived_path,
            worker=worker,
        )


class RejectedRow(_Frozen):
    """A file that could not be taken in, and why (the reason a person can act on)."""

    file_name: str
    received_at: datetime
    reason: str
    rejected_path: str | None = None


class ActivePerson(_Frozen):
    """A person with an open episode in one service, and their worker if one is named."""

    person_id: str
    service: str
    worker: str | None = None


class WeeklyInput(_Frozen):
    """Everything the weekly workbook shows, as of one date.

    ``obligations`` must have been evaluated as of ``as_of`` with a due-soon window of
    ``due_soon_days`` (their statuses are taken as given; the window is only quoted in the
    workbook's notes). A person active in two services appears once per service; the same person
    twice in one service is refused because they would be counted twice.
    """

    as_of: date
    obligations: list[Obligation]
    incomplete: list[IncompleteRow]
    rejected: list[RejectedRow]
    active_people: list[ActivePerson]
    due_soon_days: int = Field(default=DEFAULT_DUE_SOON_DAYS, ge=0)

    @model_validator(mode="after")
    def _one_row_per_person_and_service(self) -> WeeklyInput:
        seen: set[tuple[str, str]] = set()
        for person in self.active_people:
            key = (person.person_id, person.service)
            if key in seen:
                raise ValueError(
                    f"active_people lists {person.person_id} in {person.service} twice"
                )
            seen.add(key)
        return self
