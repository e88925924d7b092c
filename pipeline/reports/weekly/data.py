"""Typed input of the weekly compliance workbook (all frozen).

The caller (the CLI or the watcher) fills a :class:`WeeklyInput` from the store; the
workbook code never touches the store, so it can be tested with hand-made rows.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict, Field, InstanceOf, model_validator

from pipeline.names import Names
from pipeline.records import Finding, Obligation, Severity
from pipeline.reports.tally import on_time_rate
from pipeline.rules.status import DEFAULT_DUE_SOON_DAYS
from pipeline.store.models import SnapshotGroup


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class IncompleteRow(_Frozen):
    """One finding on one stored form that still needs a person to fix it.

    ``person_id`` is None when the form did not say whose it is (often the finding
    itself); ``archived_path`` is the archived original, absolute or relative to the
    workspace, and becomes a link in the workbook. ``form_date`` is the form's own date
    (the plan's or review's date), shown beside when it arrived.
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
    form_date: date | None = None

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
        form_date: date | None = None,
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
            form_date=form_date,
        )


class RejectedRow(_Frozen):
    """A file that could not be taken in, and why (the reason a person can act on)."""

    file_name: str
    received_at: datetime
    reason: str
    rejected_path: str | None = None
    # The site whose watcher received it (several sites sharing one store).
    site: str | None = None


class ActivePerson(_Frozen):
    """A person with an open episode in one service: who works with them, since when.

    ``source`` is the archived form that opened the episode (usually the referral).
    """

    person_id: str
    service: str
    worker: str | None = None
    team: str | None = None
    opened_on: date | None = None
    source: str | None = None


class Disagreed(StrEnum):
    """What a plan or review recorded that a manager should see."""

    DISAGREEMENT = "disagreement"
    WISHES = "wishes_not_incorporated"


class DisagreementRow(_Frozen):
    """A stored form on which the person disagreed, or wishes could not be incorporated.

    For a disagreement ``person_view`` and ``other_view`` are the person's and the
    worker's views; for wishes they are the person's wishes and the reason given.
    """

    person_id: str
    service: str
    form_title: str
    on: date | None
    kind: Disagreed
    person_view: str | None = None
    other_view: str | None = None
    worker: str | None = None
    team: str | None = None
    archived_path: str | None = None


class ScoreRow(NamedTuple):
    """One person's first and latest score in one outcome area: distance travelled.

    ``times`` is how many dated scores there are (at least one); with one, first and
    latest are the same score. ``source`` is the archived form of the latest score.

    A tuple, unvalidated, like :class:`~pipeline.records.Obligation`: a council's
    workbook has tens of thousands, each built from the store's typed columns.
    """

    person_id: str
    service: str
    area: str
    first: float
    first_on: date | None
    latest: float
    latest_on: date | None
    times: int
    worker: str | None = None
    source: str | None = None

    @property
    def change(self) -> float:
        return self.latest - self.first


class WeekCounts(_Frozen):
    """One group's counts in one ISO week, as kept in the store's weekly snapshots."""

    week: str
    week_start: date
    group_kind: SnapshotGroup
    group_name: str
    active: int = 0
    met: int = 0
    met_late: int = 0
    overdue: int = 0
    missed: int = 0
    due_soon: int = 0

    @property
    def due(self) -> int:
        return self.met + self.met_late + self.overdue + self.missed

    @property
    def rate(self) -> float | None:
        return on_time_rate(self.met, self.due)


class LastWeek(_Frozen):
    """What the previous weekly workbook showed: this one's Summary says what changed.

    ``overdue`` holds the keys of the obligations it listed as overdue and ``active`` those
    of its open episodes (:mod:`pipeline.reports.weekly.changes` makes the keys);
    ``items_kept`` is False for a workbook written before Planwatch kept them, when only
    the on-time rate can be compared. ``cutoff`` is when its list of rejected files ended:
    when it was written, or the end of its as-of day if that came first. ``rate`` is its
    on-time rate (None where nothing was due yet).
    """

    week: str
    as_of: date
    cutoff: datetime
    rate: float | None
    items_kept: bool = True
    overdue: frozenset[str] = frozenset()
    active: frozenset[str] = frozenset()


class WeeklyInput(_Frozen):
    """Everything the weekly workbook shows, as of one date.

    ``obligations`` must have been evaluated as of ``as_of`` with a due-soon window of
    ``due_soon_days`` (their statuses are taken as given; the window is only quoted in the
    workbook's notes). A person active in two services appears once per service; the same
    person twice in one service is refused because they would be counted twice.

    ``history`` holds earlier weeks' snapshots for the trend chart (rows for ``as_of``'s
    own week are ignored: that week is counted from ``obligations``). ``capacities`` is
    the most open episodes a service may hold (Families First: 30 families);
    ``forms_needed`` names, per service and obligation, the form that meets it.
    ``green_at`` and ``amber_at`` are the on-time rates (0 to 1) from which a rate shows
    green or amber; below ``amber_at`` it is red. ``names`` are the words the workbook
    shows for services, obligations, forms and fields (the job looks them up from the
    policies and forms; without them the ids are shown as words). ``last_week`` is what
    the previous workbook showed (None: this is the first), for the change list.
    """

    as_of: date
    # Typed by the rules: only checked to be obligations (a council has hundreds of
    # thousands), as are the scores.
    obligations: list[InstanceOf[Obligation]]
    incomplete: list[IncompleteRow]
    rejected: list[RejectedRow]
    active_people: list[ActivePerson]
    due_soon_days: int = Field(default=DEFAULT_DUE_SOON_DAYS, ge=0)
    disagreements: list[DisagreementRow] = Field(default_factory=list)
    scores: list[InstanceOf[ScoreRow]] = Field(default_factory=list)
    history: list[WeekCounts] = Field(default_factory=list)
    capacities: dict[str, int] = Field(default_factory=dict)
    forms_needed: dict[str, dict[str, str]] = Field(default_factory=dict)
    green_at: float = Field(default=0.9, ge=0, le=1)
    amber_at: float = Field(default=0.75, ge=0, le=1)
    names: InstanceOf[Names] = Field(default_factory=Names)
    last_week: LastWeek | None = None

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
        if self.amber_at > self.green_at:
            raise ValueError("amber_at must not be above green_at")
        return self

    def form_needed(self, ob: Obligation) -> str | None:
        """The title of the form that meets ``ob``, when known."""
        return self.forms_needed.get(ob.service, {}).get(ob.obligation)
