"""Work the watcher does on a timetable: the Monday workbook and departure drafts.

Checked at most once a minute from the watch loop. The weekly workbook is written when
its moment (``weekly_report_day`` at ``weekly_report_time``, Monday 07:00 by default) has
passed since the last one the store knows of, so a watcher stopped over the moment
writes it once when it starts again. Draft outcome summaries for residents leaving within
a week are written once a day. A failure is logged and retried next time; it never stops
the watcher.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from pipeline.config import Settings
from pipeline.definitions import Catalogue
from pipeline.errors import PlanwatchError
from pipeline.reports.outcome_summary.job import write_departure_drafts
from pipeline.reports.weekly.job import last_weekly_write, weekly_due, write_compliance_report
from pipeline.rules.bulk import collector_paused
from pipeline.store.session import Store

LONDON = ZoneInfo("Europe/London")
log = logging.getLogger("planwatch.watch")


@dataclass
class ScheduledReports:
    store: Store
    settings: Settings
    catalogue: Catalogue
    interval_seconds: float = 60.0
    clock: Callable[[], float] = time.monotonic
    _next_check: float = 0.0
    _drafts_written_on: date | None = field(default=None)

    def __call__(self) -> None:
        if self.clock() < self._next_check:
            return
        self._next_check = self.clock() + self.interval_seconds
        now = datetime.now(UTC)
        today = now.astimezone(LONDON).date()
        try:
            if weekly_due(now, self.settings, last_weekly_write(self.store)):
                # The collector paused for this job only (see pipeline.rules.bulk), never
                # for the watcher as a whole.
                with collector_paused():
                    write_compliance_report(self.store, self.settings, today, now=now)
                log.info("weekly_report_written")
            if self._drafts_written_on != today:
                drafts = write_departure_drafts(self.store, self.catalogue,
                                                reports_path=self.settings.reports_path,
                                                today=today)
                self._drafts_written_on = today
                if drafts:
                    log.info("departure_drafts_written", extra={"count": len(drafts)})
        except PlanwatchError:
            log.error("scheduled_report_failed", exc_info=True)
