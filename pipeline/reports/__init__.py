"""What Planwatch writes for people to read: one report per module.

Pure report writers (typed input in, file out; they never open the store or read
settings):

- :mod:`~pipeline.reports.weekly`: the manager's weekly compliance workbook, with
  :mod:`~.weekly_summary`, :mod:`~.weekly_sheets` and :mod:`~.weekly_caseload` for its
  sheets, :mod:`~.weekly_data` for its input and :mod:`~.tally` for its counting;
- :mod:`~pipeline.reports.schedule` and :mod:`~.calendar_ics`: review schedules as a
  workbook and as an iCalendar file;
- :mod:`~pipeline.reports.summary` (with :mod:`~.summary_data`, :mod:`~.summary_chart`):
  outcome summaries from the docxtpl template in ``templates/``;
- :mod:`~pipeline.reports.xlsx_style`, :mod:`~.output`: shared sheet styling and
  atomic, permission-aware file writing.

Where reports meet the store and the settings (the callers' side):

- :mod:`~.feed` and :mod:`~.snapshots`: the workbook's input and the weekly snapshots;
- :mod:`~.weekly_job`, :mod:`~.schedule_job`, :mod:`~.summary_job`,
  :mod:`~.demo_reports`: what the command line, the watcher, ingest and the demo call.
"""

from __future__ import annotations

from pipeline.reports.weekly import weekly_report_name, write_weekly_workbook
from pipeline.reports.weekly_data import (
    ActivePerson,
    Disagreed,
    DisagreementRow,
    IncompleteRow,
    RejectedRow,
    ScoreRow,
    WeekCounts,
    WeeklyInput,
)

__all__ = [
    "ActivePerson",
    "Disagreed",
    "DisagreementRow",
    "IncompleteRow",
    "RejectedRow",
    "ScoreRow",
    "WeekCounts",
    "WeeklyInput",
    "weekly_report_name",
    "write_weekly_workbook",
]
