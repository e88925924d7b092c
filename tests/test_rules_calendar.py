"""Calendar arithmetic for deadlines: working days per nation, months, weeks, days.

Expected dates are worked out by hand from a calendar and cross-checked against the
``holidays`` package (GB, subdivisions ENG and SCT):
  2026: Fri 2 Jan (Scotland only), Mon 30 Nov St Andrew's Day (Scotland only),
        Fri 25 Dec Christmas, Sat 26 Dec Boxing Day -> substitute Mon 28 Dec.
  2027: Fri 1 Jan; Sat 2 Jan -> Scottish substitute Mon 4 Jan; Fri 26 Mar Good Friday;
        Mon 29 Mar Easter Monday (England and Wales only).
  2025: Sun 30 Nov St Andrew's Day -> Scottish substitute Mon 1 Dec.
  2030: Sat 30 Nov St Andrew's Day -> Scottish substitute Mon 2 Dec.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from dateutil.relativedelta import relativedelta

from pipeline.rules.calendar import (
    Nation,
    add_days,
    add_months,
    add_weeks,
    add_working_days,
    bank_holidays,
    is_working_day,
    london_date,
)

ENG = Nation.ENGLAND_AND_WALES
SCT = Nation.SCOTLAND


@pytest.mark.parametrize(
    ("start", "n", "nation", "expected"),
    [
        pytest.param(date(2026, 12, 18), 1, ENG, date(2026, 12, 21), id="fri-plus-1-skips-weekend"),
        pytest.param(date(2026, 12, 19), 1, ENG, date(2026, 12, 21), id="sat-start-not-counted"),
        pytest.param(date(2026, 12, 25), 0, ENG, date(2026, 12, 25), id="zero-returns-start"),
        pytest.param(
            date(2026, 12, 24), 1, ENG, date(2026, 12, 29), id="christmas-and-boxing-substitute"
        ),
        pytest.param(
            date(2026, 12, 21), 10, ENG, date(2027, 1, 7), id="ten-over-christmas-and-new-year"
        ),
        pytest.param(date(2026, 12, 29), -1, ENG, date(2026, 12, 24), id="back-over-christmas"),
        pytest.param(date(2027, 3, 25), 1, ENG, date(2027, 3, 30), id="easter-2027-england"),
        pytest.param(date(2027, 3, 25), 1, SCT, date(2027, 3, 29), id="easter-mon-works-scotland"),
        pytest.param(date(2027, 3, 18), 10, ENG, date(2027, 4, 5), id="ten-over-easter-england"),
        pytest.param(date(2025, 12, 31), 1, ENG, date(2026, 1, 2), id="2-jan-works-england"),
        pytest.param(date(2025, 12, 31), 1, SCT, date(2026, 1, 5), id="2-jan-holiday-scotland"),
        pytest.param(date(2026, 12, 31), 1, ENG, date(2027, 1, 4), id="new-year-2027-england"),
        pytest.param(
            date(2026, 12, 31), 1, SCT, date(2027, 1, 5), id="2-jan-substitute-4-jan-scotland"
        ),
        pytest.param(date(2026, 11, 27), 1, ENG, date(2026, 11, 30), id="st-andrew-works-england"),
        pytest.param(date(2026, 11, 27), 1, SCT, date(2026, 12, 1), id="st-andrew-monday-scotland"),
        pytest.param(
            date(2025, 11, 28), 1, SCT, date(2025, 12, 2), id="st-andrew-sunday-substitute"
        ),
        pytest.param(date(2025, 11, 28), 1, ENG, date(2025, 12, 1), id="no-substitute-england"),
        pytest.param(
            date(2030, 11, 29), 1, SCT, date(2030, 12, 3), id="st-andrew-saturday-substitute"
        ),
        pytest.param(date(2028, 2, 25), 2, ENG, date(2028, 2, 29), id="leap-day-is-a-working-day"),
    ],
)
def test_add_working_days(start: date, n: int, nation: Nation, expected: date) -> None:
    assert add_working_days(start, n, nation) == expected


@pytest.mark.parametrize(
    ("day", "nation", "expected"),
    [
        pytest.param(date(2026, 12, 25), ENG, False, id="christmas"),
        pytest.param(date(2026, 12, 26), ENG, False, id="boxing-day-saturday"),
        pytest.param(date(2026, 12, 28), ENG, False, id="boxing-day-substitute"),
        pytest.param(date(2026, 12, 29), ENG, True, id="ordinary-tuesday"),
        pytest.param(date(2027, 3, 26), SCT, False, id="good-friday-scotland"),
        pytest.param(date(2027, 3, 29), ENG, False, id="easter-monday-england"),
        pytest.param(date(2027, 3, 29), SCT, True, id="easter-monday-scotland"),
        pytest.param(date(2026, 1, 2), SCT, False, id="2-jan-scotland"),
        pytest.param(date(2026, 1, 2), ENG, True, id="2-jan-england"),
        pytest.param(date(2026, 11, 30), SCT, False, id="st-andrew-scotland"),
        pytest.param(date(2026, 11, 30), ENG, True, id="st-andrew-england"),
        pytest.param(date(2025, 12, 1), SCT, False, id="st-andrew-substitute-2025"),
        pytest.param(date(2028, 2, 29), SCT, True, id="leap-day"),
        pytest.param(date(2028, 3, 4), ENG, False, id="saturday"),
        pytest.param(date(2028, 3, 5), ENG, False, id="sunday"),
    ],
)
def test_is_working_day(day: date, nation: Nation, expected: bool) -> None:
    assert is_working_day(day, nation) is expected


def test_bank_holidays_come_from_the_package_per_nation_and_year() -> None:
    england = bank_holidays(ENG, 2027)
    scotland = bank_holidays(SCT, 2027)
    assert date(2027, 3, 29) in england
    assert date(2027, 3, 29) not in scotland
    assert {date(2027, 1, 4), date(2027, 11, 30)} <= scotland
    assert all(day.year == 2027 for day in england | scotland)
    # Cached: the same frozen object comes back, so nothing is rebuilt per look-up.
    assert bank_holidays(ENG, 2027) is england


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        pytest.param(date(2026, 8, 31), 6, date(2027, 2, 28), id="31-aug-clips-to-28-feb"),
        pytest.param(date(2027, 8, 31), 6, date(2028, 2, 29), id="31-aug-clips-to-leap-29-feb"),
        pytest.param(date(2028, 2, 29), 12, date(2029, 2, 28), id="leap-day-plus-a-year"),
        pytest.param(date(2027, 1, 31), 1, date(2027, 2, 28), id="31-jan-plus-1"),
        pytest.param(date(2027, 3, 31), 1, date(2027, 4, 30), id="31-mar-clips-to-30-apr"),
        pytest.param(date(2026, 9, 30), 6, date(2027, 3, 30), id="no-clip-needed"),
        pytest.param(date(2027, 2, 28), 6, date(2027, 8, 28), id="month-end-is-not-sticky"),
        pytest.param(date(2026, 10, 31), -1, date(2026, 9, 30), id="backwards-clips"),
        pytest.param(date(2026, 12, 31), 0, date(2026, 12, 31), id="zero"),
    ],
)
def test_add_months(start: date, n: int, expected: date) -> None:
    assert add_months(start, n) == expected


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        pytest.param(date(2027, 12, 31), 60, date(2028, 2, 29), id="into-leap-day"),
        pytest.param(date(2028, 1, 31), 28, date(2028, 2, 28), id="28-days-from-31-jan"),
        pytest.param(date(2026, 12, 25), 7, date(2027, 1, 1), id="over-year-end"),
    ],
)
def test_add_days(start: date, n: int, expected: date) -> None:
    assert add_days(start, n) == expected


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        pytest.param(date(2028, 1, 18), 6, date(2028, 2, 29), id="six-weeks-to-leap-day"),
        pytest.param(date(2028, 1, 31), 6, date(2028, 3, 13), id="six-weeks-from-31-jan"),
    ],
)
def test_add_weeks(start: date, n: int, expected: date) -> None:
    assert add_weeks(start, n) == expected


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        pytest.param(
            datetime(2026, 6, 30, 23, 30, tzinfo=UTC), date(2026, 7, 1), id="bst-next-day"
        ),
        pytest.param(
            datetime(2026, 12, 31, 23, 30, tzinfo=UTC), date(2026, 12, 31), id="gmt-same-day"
        ),
        pytest.param(datetime(2026, 6, 30, 23, 30), date(2026, 6, 30), id="naive-is-london"),
    ],
)
def test_london_date(moment: datetime, expected: date) -> None:
    assert london_date(moment) == expected


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda d: add_working_days(d, 1, ENG), id="add_working_days"),
        pytest.param(lambda d: is_working_day(d, ENG), id="is_working_day"),
        pytest.param(lambda d: add_days(d, 1), id="add_days"),
        pytest.param(lambda d: add_weeks(d, 1), id="add_weeks"),
        pytest.param(lambda d: add_months(d, 1), id="add_months"),
    ],
)
def test_datetimes_are_refused(call: Callable[[date], object]) -> None:
    # A datetime never equals its date, so it would silently miss every bank holiday.
    with pytest.raises(TypeError, match="london_date"):
        call(datetime(2026, 12, 25, 9, 0))


def test_working_days_never_land_on_a_non_working_day() -> None:
    start = date(2026, 11, 1)
    for offset in range(120):
        for nation in Nation:
            day = add_working_days(start + timedelta(days=offset), 1, nation)
            assert is_working_day(day, nation)


def test_months_clip_as_dateutil_does() -> None:
    # add_months is its own arithmetic (relativedelta per call was slow): the same dates.
    start = date(2023, 1, 1)
    for offset in range(0, 6 * 366):
        day = start + timedelta(days=offset)
        for n in (-25, -12, -1, 1, 2, 6, 11, 12, 13, 24, 120):
            assert add_months(day, n) == day + relativedelta(months=n), (day, n)


def test_working_days_remembered_and_worked_out_agree() -> None:
    # add_working_days remembers its answers; a datetime is still refused after a date.
    day = date(2026, 12, 21)
    assert add_working_days(day, 10, ENG) == add_working_days(day, 10, ENG) == date(2027, 1, 7)
    with pytest.raises(TypeError, match="london_date"):
        add_working_days(datetime(2026, 12, 21), 10, ENG)
