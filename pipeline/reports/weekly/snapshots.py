"""Weekly snapshots in the store: this week's counts kept for next weeks' trend charts.

    save_week     replace one ISO week's rows with the counts just written to a workbook,
                  and the items it listed (for next week's change list)
    load_weeks    the rows of a range of weeks, for the trend
    last_week     what the latest workbook before a week showed (the change list)
    last_written  when a weekly workbook was last written (the watcher's schedule)

The counts name services, teams and workers; the items name a person only by their case
reference, as the workbook does. Each function takes an open session and commits nothing
(the caller's transaction).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from pipeline.reports.tally import GroupKey, Tally, on_time_rate
from pipeline.reports.weekly.data import LastWeek, WeekCounts
from pipeline.reports.weekly.summary_sheet import iso_week, week_start
from pipeline.store.models import (
    SnapshotGroup,
    SnapshotItemKind,
    WeeklySnapshot,
    WeeklySnapshotItem,
)

LONDON = ZoneInfo("Europe/London")


def save_week(
    session: Session, as_of: date, counted: dict[GroupKey, Tally],
    items: Iterable[tuple[SnapshotItemKind, str]], *, written_at: datetime | None = None,
) -> int:
    """Replace the rows of ``as_of``'s ISO week with ``counted`` and ``items`` (see
    :func:`pipeline.reports.weekly.changes.kept_items`); return how many count rows.

    Writing the same week again (a re-run, a correction) leaves one row per group.
    """
    week = iso_week(as_of)
    session.execute(delete(WeeklySnapshot).where(WeeklySnapshot.week == week))
    session.execute(delete(WeeklySnapshotItem).where(WeeklySnapshotItem.week == week))
    stamp = written_at or datetime.now(UTC)
    session.add_all(WeeklySnapshot(
        week=week, week_start=week_start(as_of), as_of=as_of, group_kind=kind.value,
        group_name=name, active=tally.active, met=tally.met, met_late=tally.met_late,
        overdue=tally.overdue, missed=tally.missed, due_soon=tally.due_soon,
        written_at=stamp, items_kept=True)
        for (kind, name), tally in sorted(counted.items()))
    session.flush()
    kept = [{"week": week, "kind": kind.value, "key": key} for kind, key in items]
    if kept:
        session.execute(insert(WeeklySnapshotItem), kept)
    return len(counted)


def last_week(session: Session, as_of: date) -> LastWeek | None:
    """What the latest workbook of a week before ``as_of``'s showed (None: there is none).

    Its rejected files ended when it was written, or with its as-of day (UK time) if that
    came first: a week worked out again later (the demo's history) was not written then.
    """
    found = session.scalars(
        select(WeeklySnapshot)
        .where(WeeklySnapshot.week_start < week_start(as_of),
               WeeklySnapshot.group_kind == SnapshotGroup.ALL.value)
        .order_by(WeeklySnapshot.week_start.desc()).limit(1)
    ).first()
    if found is None:
        return None
    written = found.written_at
    if written.tzinfo is None:
        written = written.replace(tzinfo=UTC)
    day_ended = datetime.combine(found.as_of + timedelta(days=1), time(), tzinfo=LONDON)
    kept: dict[str, set[str]] = {kind.value: set() for kind in SnapshotItemKind}
    for kind, key in session.execute(
            select(WeeklySnapshotItem.kind, WeeklySnapshotItem.key)
            .where(WeeklySnapshotItem.week == found.week)):
        kept[kind].add(key)
    return LastWeek(
        week=found.week, as_of=found.as_of, cutoff=min(written, day_ended),
        rate=on_time_rate(found.met, found.met + found.met_late + found.overdue + found.missed),
        items_kept=found.items_kept,
        overdue=frozenset(kept[SnapshotItemKind.OVERDUE.value]),
        active=frozenset(kept[SnapshotItemKind.ACTIVE.value]))


def load_weeks(session: Session, first: date, last: date) -> list[WeekCounts]:
    """Every snapshot row of the ISO weeks starting from ``first``'s to ``last``'s."""
    query = (
        select(WeeklySnapshot)
        .where(WeeklySnapshot.week_start >= week_start(first),
               WeeklySnapshot.week_start <= week_start(last))
        .order_by(WeeklySnapshot.week_start, WeeklySnapshot.group_kind,
                  WeeklySnapshot.group_name)
    )
    return [
        WeekCounts(week=row.week, week_start=row.week_start,
                   group_kind=SnapshotGroup(row.group_kind), group_name=row.group_name,
                   active=row.active, met=row.met, met_late=row.met_late,
                   overdue=row.overdue, missed=row.missed, due_soon=row.due_soon)
        for row in session.scalars(query)
    ]


def weeks_written(session: Session) -> set[str]:
    """The ISO weeks that have a snapshot."""
    return set(session.scalars(select(WeeklySnapshot.week).distinct()))


def last_written(session: Session) -> datetime | None:
    """When any weekly workbook was last written (UTC), or None if never."""
    written: datetime | None = session.scalar(select(func.max(WeeklySnapshot.written_at)))
    if written is not None and written.tzinfo is None:  # func.max skips the column type
        written = written.replace(tzinfo=UTC)
    return written
