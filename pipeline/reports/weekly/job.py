"""Writing the weekly workbook for a workspace: on demand, on schedule, and its snapshot.

    write_compliance_report   gather from the store, write the workbook, keep the snapshot
    weekly_due                has this week's scheduled moment passed since the last write?
    backfill_snapshots        earlier weeks' snapshots, recomputed (the demo's trend)

The command line (``planwatch report weekly``), the watcher and the demo call these.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from pipeline import casework
from pipeline.config import Settings
from pipeline.definitions import Catalogue
from pipeline.files import safe_name
from pipeline.names import Names
from pipeline.reports import feed
from pipeline.reports.saving import report_folder
from pipeline.reports.sites import for_site
from pipeline.reports.tally import Member, tallies
from pipeline.reports.weekly import changes, snapshots
from pipeline.reports.weekly.summary_sheet import TREND_WEEKS, current_tallies, iso_week, week_start
from pipeline.reports.weekly.workbook import weekly_report_name, write_weekly_workbook
from pipeline.rules.obligations import compute_obligations
from pipeline.store import queries
from pipeline.store.session import Store

LONDON = ZoneInfo("Europe/London")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def write_compliance_report(
    store: Store, settings: Settings, as_of: date, output: Path | None = None, *,
    now: datetime | None = None, site: str | None = None,
) -> Path:
    """Write the weekly workbook as of ``as_of`` and keep that week's snapshot.

    The default path is ``reports/compliance-YYYY-Www.xlsx``; the workbook is owner-only,
    and so is the reports folder (made or tightened: see
    :func:`pipeline.files.output_folder`). The snapshot (counts by
    service, team and worker, for the trend chart) replaces any earlier one of the same
    ISO week, and is only kept once the workbook is safely written; with it, what the
    workbook listed as overdue and who it counted as supported, which the next week's
    workbook compares with (its change list, against the latest earlier week). Raises
    :class:`~pipeline.errors.ReportError` if the workbook cannot be written.
    """
    catalogue = Catalogue.load(settings.forms_path)
    data = feed.weekly_input(store, settings, as_of, catalogue)
    # The workbook names services, obligations, forms and fields as staff know them.
    data = data.model_copy(update={"names": Names.of(
        casework.service_policies(settings, catalogue), catalogue)})
    with store.session() as session:
        last = snapshots.last_week(session, as_of)
    data = data.model_copy(update={"last_week": last})
    if site is not None:  # one site's view; the organisation's trend is left alone
        people = casework.site_people(store, site, settings)
        data = for_site(data, people, site)
        if last is not None:
            data = data.model_copy(update={"last_week": changes.only_people(last, people)})
        path = output or settings.reports_path / weekly_report_name(as_of).replace(
            ".xlsx", f"-{safe_name(site)}.xlsx")
        report_folder(path, settings.reports_path)
        return write_weekly_workbook(data, path, files_root=settings.home)
    path = report_folder(output or settings.reports_path / weekly_report_name(as_of),
                         settings.reports_path)
    write_weekly_workbook(data, path, files_root=settings.home)
    with store.session() as session:
        snapshots.save_week(session, as_of, current_tallies(data),
                            changes.kept_items(data.obligations, data.active_people),
                            written_at=now)
    return path


def last_scheduled(now: datetime, settings: Settings) -> datetime:
    """The latest scheduled moment (``weekly_report_day`` at ``weekly_report_time``, UK
    time) at or before ``now``. Raises ``ValueError`` for a naive ``now``."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    local = now.astimezone(LONDON)
    back = (local.weekday() - WEEKDAYS.index(settings.weekly_report_day)) % 7
    moment = datetime.combine(local.date() - timedelta(days=back),
                              settings.weekly_report_clock, tzinfo=LONDON)
    return moment if moment <= local else moment - timedelta(weeks=1)


def weekly_due(now: datetime, settings: Settings, last_written: datetime | None) -> bool:
    """Whether the watcher should write the weekly workbook now.

    True when no workbook was ever written, or the last one (``last_written``, e.g.
    :func:`pipeline.reports.weekly.snapshots.last_written`) is older than the latest scheduled
    moment: every Monday at 07:00 by default. A watcher that was stopped over the moment
    writes it when it starts again, once.
    """
    if last_written is None:
        return True
    if last_written.tzinfo is None:
        raise ValueError("last_written must be timezone-aware")
    return last_written < last_scheduled(now, settings)


def last_weekly_write(store: Store) -> datetime | None:
    """When a weekly workbook was last written, from the store (None: never)."""
    with store.session() as session:
        return snapshots.last_written(session)


def backfill_snapshots(store: Store, settings: Settings, as_of: date,
                       weeks: int = TREND_WEEKS - 1) -> list[str]:
    """Snapshots for the ``weeks`` weeks before ``as_of``'s that have none, recomputed as
    of each week's Monday from the forms stored now; return the ISO weeks written.

    For a new workspace (the demo) whose history was ingested at once. Weeks already
    snapshotted are never overwritten: they record what managers saw then.
    """
    policies = casework.service_policies(settings)
    with store.session() as session:
        existing = snapshots.weeks_written(session)
        events = queries.event_facts(session)
    written: list[str] = []
    stamp = datetime.now(UTC)
    for back in range(weeks, 0, -1):
        monday = week_start(as_of) - timedelta(weeks=back)
        if iso_week(monday) in existing:
            continue
        rows = compute_obligations(events, monday, due_soon_days=settings.due_soon_days,
                                   rule_sets=policies.rule_sets())
        with store.session() as session:
            active = feed.active_people(session, monday)
            members = [Member(p.service, p.team, p.worker) for p in active]
            snapshots.save_week(session, monday, tallies(rows, members),
                                changes.kept_items(rows, active), written_at=stamp)
        written.append(iso_week(monday))
    return written
