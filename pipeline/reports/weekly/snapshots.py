"""Weekly snapshots in the store: this week's counts kept for next weeks' trend charts.

    save_week     replace one ISO week's rows with the counts just written to a workbook
    load_weeks    the rows of a range of weeks, for the trend
    last_written  when a weekly workbook was last written (the watcher's schedule)

Counts only: a snapshot names services, teams and workers, never a person. Each function
takes an open session and commits nothing (the caller's transaction).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from pipeline.reports.tally import GroupKey, Tally
from pipeline.reports.weekly.data import WeekCounts
from pipeline.reports.weekly.summary_sheet import iso_week, week_start
from pipeline.store.models import SnapshotGroup, WeeklySnapshot


def save_week(
    session: Session, as_of: date, counted: dict[GroupKey, Tally], *,
    written_at: datetime | None = None,
) -> int:
    """Replace the rows of ``as_of``'s ISO week with ``counted``; return how many rows.

    Writing the same week again (a re-run, a correction) leaves one row per group.
    """
    week = iso_week(as_of)
    session.execute(delete(WeeklySnapshot).where(WeeklySnapshot.week == week))
    stamp = written_at or datetime.now(UTC)
    for (kind, name), tally in sorted(counted.items()):
        session.add(WeeklySnapshot(
            week=week, week_start=week_start(as_of), as_of=as_of, group_kind=kind.value,
            group_name=name, active=tally.active, met=tally.met, met_late=tally.met_late,
            overdue=tally.overdue, missed=tally.missed, due_soon=tally.due_soon,
            written_at=stamp))
    session.flush()
    return len(counted)


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
