"""Dates as people type them: dd/mm/yyyy or yyyy-mm-dd, one message for an impossible one.

Every command's date option, and every date in the values ``forms fill`` takes, parses
through :func:`parse_day` (a date and time through :func:`parse_day_and_time`), so
"31/02/2026" gets the same answer everywhere: "31/02/2026 is not a date: February 2026
has 28 days".
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, time

from pipeline.errors import PlanwatchError

_UK = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
# A time after the date, past a space or (ISO) a T: 14:30, or 14:30:00.
_DAY_AND_TIME = re.compile(r"^(\S+?)(?:\s+|(?<=\d)T)(\d{1,2}):(\d{2})(?::(\d{2}))?$")


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


def parse_day_and_time(text: str) -> datetime:
    """``text`` (a date as :func:`parse_day` takes it, then a time, HH:MM: "01/12/2026
    14:30", "2026-12-01T14:30") as a date and time, without a time zone;
    :class:`NotADateError` says why not, an impossible day as :func:`parse_day` says it."""
    value = text.strip()
    match = _DAY_AND_TIME.match(value)
    if match is None or not (_UK.match(match[1]) or _ISO.match(match[1])):
        raise NotADateError(f"{text} is not a date and time: write it as dd/mm/yyyy HH:MM "
                            "or yyyy-mm-ddTHH:MM, e.g. 01/12/2026 14:30.")
    day = parse_day(match[1])
    hour, minute, second = int(match[2]), int(match[3]), int(match[4] or 0)
    if hour > 23 or minute > 59 or second > 59:
        shown = value[match.start(2):]
        raise NotADateError(f"{text} is not a date and time: {shown} is not a time of day "
                            "(00:00 to 23:59).")
    return datetime.combine(day, time(hour, minute, second))
