"""Dates as people type them: dd/mm/yyyy or yyyy-mm-dd, one message for an impossible one.

Every command's date option parses through :func:`parse_day`, so "31/02/2026" gets the same
answer everywhere: "31/02/2026 is not a date: February 2026 has 28 days".
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from pipeline.errors import PlanwatchError

_UK = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


class NotADateError(PlanwatchError, ValueError):
    """Text that is not a date in either form, or names a day that does not exist."""


def parse_day(text: str) -> date:
    """``text`` (dd/mm/yyyy or yyyy-mm-dd) as a date; :class:`NotADateError` says why not."""
    value = text.strip()
    if match := _UK.match(value):
        day, month, year = (int(g) for g in match.groups())
    elif match := _ISO.match(value):
        year, month, day = (int(g) for g in match.groups())
    else:
        raise NotADateError(f"{text} is not a date: write it as dd/mm/yyyy or yyyy-mm-dd, "
                            "e.g. 01/12/2026.")
    if not 1 <= month <= 12:
        raise NotADateError(f"{text} is not a date: there is no month {month}.")
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        raise NotADateError(f"{text} is not a date: {calendar.month_name[month]} {year} has "
                            f"{days} days.")
    return date(year, month, day)
