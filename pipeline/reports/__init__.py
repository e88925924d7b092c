"""What Planwatch writes for people to read: one report per module.

- :mod:`pipeline.reports.weekly`: the manager's weekly compliance workbook.
- :mod:`pipeline.reports.weekly_data`: its typed input (filled by the caller from the store).
- :mod:`pipeline.reports.xlsx_style`: sheet helpers every .xlsx report shares.

Reports are pure functions over typed input: they never open the store or read settings.
"""

from __future__ import annotations

from pipeline.reports.weekly import weekly_report_name, write_weekly_workbook
from pipeline.reports.weekly_data import ActivePerson, IncompleteRow, RejectedRow, WeeklyInput

__all__ = [
    "ActivePerson",
    "IncompleteRow",
    "RejectedRow",
    "WeeklyInput",
    "weekly_report_name",
    "write_weekly_workbook",
]
