"""Calendar arithmetic for policy deadlines: calendar days, weeks, months, working days.

Every function takes and returns plain :class:`datetime.date` values. A moment in time
(a :class:`datetime.datetime`) is first turned into its Europe/London calendar date with
:func:`london_date`, because policies count days as staff in the UK see them.

Bank holidays come from the ``holidays`` package (never a hand-kept list), per nation:
England and Wales share one set of bank holidays, Scotland has its own.
"""

from __future__ import annotations

from calendar import monthrange
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")

_SATURDAY = 5


class Nation(StrEnum):
    """A UK nation whose bank holidays decide which days are working days."""

    ENGLAND_AND_WALES = "england_and_wales"
    SCOTLAND = "scotland"


# Wales shares England's bank holidays, so "ENG" stands for both.
_HOLIDAYS_SUBDIVISION: dict[Nation, str] = {
    Nation.ENGLAND_AND_WALES: "ENG",
    Nation.SCOTLAND: "SCT",
}


def london_date(moment: datetime) -> date:
    """The Europe/London calendar date of ``moment``.

    An aware datetime is converted to London time first; a naive one is taken to be
    London local time already (forms record wall-clock times).
    """
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(LONDON).date()


@cache
def bank_holidays(nation: Nation, year: int) -> frozenset[date]:
    """The bank holidays (including substitute days) of ``nation`` in ``year``.

    Cached per (nation, year): building a ``holidays`` calendar is slow compared with the
    look-ups, and a frozen set cannot be changed by a caller.
    """
    calendar = holidays.country_holidays("GB", subdiv=_HOLIDAYS_SUBDIVISION[nation], years=year)
    return frozenset(day for day in calendar if day.year == year)


def is_working_day(day: date, nation: Nation) -> bool:
    """True unless ``day`` is a Saturday, a Sunday or a bank holiday of ``nation``."""
    _require_plain_date(day)
    return day.weekday() < _SATURDAY and day not in bank_holidays(nation, day.year)


def add_working_days(start: date, n: int, nation: Nation) -> date:
    """The ``n``-th working day after ``start`` (before it when ``n`` is negative).

    ``start`` itself never counts, whether or not it is a working day, so "within 10
    working days of Monday 21 Dec 2026" is due on Thursday 7 Jan 2027 in England (25 and
    28 Dec and 1 Jan are bank holidays). ``n == 0`` returns ``start`` unchanged.
    """
    _require_plain_date(start)
    return _working_days_after(start, n, nation)


# A council's reviews start on a few thousand distinct dates, each counted from many
# times: the walk over the calendar is done once per (date, count, nation). Bounded, for
# a watcher that runs for years.
@lru_cache(maxsize=1 << 16)
def _working_days_after(start: date, n: int, nation: Nation) -> date:
    step = timedelta(days=1 if n >= 0 else -1)
    remaining = abs(n)
    day = start
    while remaining:
        day += step
        if is_working_day(day, nation):
            remaining -= 1
    return day


def add_days(start: date, n: int) -> date:
    """``start`` plus ``n`` calendar days ("within N days of E" is due on E + N)."""
    _require_plain_date(start)
    return start + timedelta(days=n)


def add_weeks(start: date, n: int) -> date:
    """``start`` plus ``n`` weeks of seven calendar days."""
    _require_plain_date(start)
    return start + timedelta(weeks=n)


def add_months(start: date, n: int) -> date:
    """``start`` plus ``n`` calendar months, clipping to the end of a shorter month.

    31 Aug 2026 + 6 months is 28 Feb 2027; 31 Aug 2027 + 6 months is 29 Feb 2028. (What
    dateutil's ``relativedelta(months=n)`` gives, without building one per call.)
    """
    _require_plain_date(start)
    year, month = divmod(start.year * 12 + start.month - 1 + n, 12)
    month += 1
    return date(year, month, min(start.day, monthrange(year, month)[1]))


def _require_plain_date(value: date) -> None:
    # A datetime is a date subclass but never equals the date it falls on, so it would
    # silently miss every bank holiday: refuse it instead of returning a wrong answer.
    if isinstance(value, datetime):
        raise TypeError(f"expected a date, got a datetime ({value!r}); use london_date()")
