"""Counting obligations by group: the numbers on the Summary sheet and in weekly snapshots.

    Due to date  = met on time + met late + overdue + missed
    On-time rate = met on time ÷ due to date   (None when nothing was due yet)

A ``missed`` obligation (never done, and the episode closed after it fell due) was due
and not met, so it counts against the rate; ``upcoming`` and ``not_applicable`` ones are
not counted. Groups are everything, each service, each team and each worker; people with
no team or worker named are counted under :data:`NO_TEAM` and :data:`UNASSIGNED`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from pipeline.records import Obligation, ObligationStatus
from pipeline.store.models import SnapshotGroup

UNASSIGNED = "(unassigned)"
NO_TEAM = "(no team)"
ALL = ""  # the group name of the "everything" group


def on_time_rate(met: int, due: int) -> float | None:
    """``met / due``, or None when nothing was due (a blank, not a 0% or 100%)."""
    return met / due if due else None


@dataclass
class Tally:
    """The counts of one group (mutable while counting; see :func:`tallies`)."""

    active: int = 0
    met: int = 0
    met_late: int = 0
    overdue: int = 0
    missed: int = 0
    due_soon: int = 0

    def add(self, status: ObligationStatus, count: int = 1) -> None:
        """Count ``count`` obligations of one status; upcoming and not-applicable are
        ignored."""
        if status is ObligationStatus.MET:
            self.met += count
        elif status is ObligationStatus.MET_LATE:
            self.met_late += count
        elif status is ObligationStatus.OVERDUE:
            self.overdue += count
        elif status is ObligationStatus.MISSED:
            self.missed += count
        elif status is ObligationStatus.DUE_SOON:
            self.due_soon += count

    @property
    def due(self) -> int:
        return self.met + self.met_late + self.overdue + self.missed

    @property
    def rate(self) -> float | None:
        return on_time_rate(self.met, self.due)


@dataclass(frozen=True)
class Member:
    """Who an obligation or an open episode belongs to, for grouping."""

    service: str
    team: str | None
    worker: str | None


GroupKey = tuple[SnapshotGroup, str]


def group_keys(member: Member) -> list[GroupKey]:
    """The four groups one obligation or episode counts in."""
    return [
        (SnapshotGroup.ALL, ALL),
        (SnapshotGroup.SERVICE, member.service),
        (SnapshotGroup.TEAM, member.team or NO_TEAM),
        (SnapshotGroup.WORKER, member.worker or UNASSIGNED),
    ]


def tallies(
    obligations: Iterable[Obligation], active: Iterable[Member]
) -> dict[GroupKey, Tally]:
    """Counts for every group that has an obligation or an open episode."""
    counted: dict[GroupKey, Tally] = {}
    for member, times in Counter(active).items():
        for key in group_keys(member):
            counted.setdefault(key, Tally()).active += times
    # Counted by (service, team, worker, status) first: a council has hundreds of
    # thousands of obligations but few such combinations. Groups keep the order in
    # which an obligation first names them.
    combinations = Counter((ob.service, ob.team, ob.worker, ob.status) for ob in obligations)
    for (service, team, worker, status), times in combinations.items():
        for key in group_keys(Member(service, team, worker)):
            counted.setdefault(key, Tally()).add(status, times)
    counted.setdefault((SnapshotGroup.ALL, ALL), Tally())
    return counted


def rag(rate: float | None, *, green_at: float, amber_at: float) -> str | None:
    """``"green"``, ``"amber"`` or ``"red"`` for an on-time rate; None for no rate."""
    if rate is None:
        return None
    if rate >= green_at:
        return "green"
    return "amber" if rate >= amber_at else "red"
