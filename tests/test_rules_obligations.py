"""The community-support deadline rules, statuses, closure, and order independence.

Dates are worked out by hand and cross-checked against the ``holidays`` package:
  start Mon 31 Jan 2028: support_plan due +28 days = Mon 28 Feb 2028 (29 Feb is a leap
    day, so one day late); first_review due +6 weeks = Mon 13 Mar 2028.
  start Mon 20 Jul 2026: first_review due Mon 31 Aug 2026.
  reviews every 6 months, clipped: 31 Aug 2026 -> 28 Feb 2027 -> 28 Aug 2027;
    31 Aug 2027 -> 29 Feb 2028 (leap year).
  Part 2 within 10 working days (England): Part 1 Tue 1 Dec 2026 -> Tue 15 Dec;
    Mon 21 Dec 2026 -> Thu 7 Jan 2027 (25, 28 Dec and 1 Jan are bank holidays);
    Thu 24 Dec 2026 -> Tue 12 Jan 2027; Thu 18 Mar 2027 -> Mon 5 Apr 2027 (Good Friday
    26 Mar and Easter Monday 29 Mar).
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from pipeline.policies import load_policies
from pipeline.records import Event, Obligation, ObligationStatus
from pipeline.rules import (
    CalendarDays,
    Nation,
    RuleSet,
    Within,
    WithinEach,
    WorkingDays,
    compute_obligations,
    default_rule_sets,
    status_for,
)

S = ObligationStatus
CS = "community-support"
START = date(2028, 1, 31)


def event(kind: str, on: date, *, person: str = "P1", **fields: Any) -> Event:
    """A community-support event; ``fields`` override Event's other attributes."""
    return Event(person_id=person, service=CS, kind=kind, on=on, **fields)


def started(on: date = START, **fields: Any) -> list[Event]:
    """What a referral form gives: a referral event and a start event on ``on``."""
    return [event("referral", on, **fields), event("start", on, **fields)]


def named(obligations: list[Obligation], name: str) -> list[Obligation]:
    return [o for o in obligations if o.obligation == name]


def only(obligations: list[Obligation], name: str) -> Obligation:
    [found] = named(obligations, name)
    return found


# (cycle, due, status, met_on): what each obligation test compares.
Row = tuple[int, date, S, date | None]


def summary(obligations: list[Obligation]) -> list[Row]:
    return [(o.cycle, o.due, o.status, o.met_on) for o in obligations]


# --- status_for ------------------------------------------------------------------------

D = date(2027, 3, 1)


@pytest.mark.parametrize(
    ("due", "met_on", "closed_on", "due_soon_days", "expected"),
    [
        pytest.param(D, D, None, 14, S.MET, id="met-on-due-day"),
        pytest.param(D, D - timedelta(5), None, 14, S.MET, id="met-early"),
        pytest.param(D - timedelta(3), D - timedelta(1), None, 14, S.MET_LATE, id="met-late"),
        pytest.param(D - timedelta(1), D + timedelta(1), None, 14, S.OVERDUE, id="met-after-as-of"),
        pytest.param(D + timedelta(3), D + timedelta(1), None, 14, S.DUE_SOON, id="met-in-future"),
        pytest.param(D - timedelta(1), None, None, 14, S.OVERDUE, id="overdue"),
        pytest.param(D, None, None, 14, S.DUE_SOON, id="due-today"),
        pytest.param(D + timedelta(14), None, None, 14, S.DUE_SOON, id="due-in-14-days"),
        pytest.param(D + timedelta(15), None, None, 14, S.UPCOMING, id="due-in-15-days"),
        pytest.param(D, None, None, 0, S.DUE_SOON, id="window-0-today"),
        pytest.param(D + timedelta(1), None, None, 0, S.UPCOMING, id="window-0-tomorrow"),
        pytest.param(D + timedelta(20), None, None, 21, S.DUE_SOON, id="window-21"),
        pytest.param(D - timedelta(9), None, D - timedelta(2), 14, S.MISSED, id="missed"),
        pytest.param(D - timedelta(2), None, D - timedelta(2), 14, S.MISSED, id="due-on-close"),
        pytest.param(D, None, D - timedelta(2), 14, S.NOT_APPLICABLE, id="due-after-close"),
        pytest.param(D - timedelta(9), None, D + timedelta(1), 14, S.OVERDUE, id="close-later"),
        pytest.param(D - timedelta(9), D, D - timedelta(2), 14, S.MET_LATE, id="met-after-close"),
    ],
)
def test_status_for(
    due: date, met_on: date | None, closed_on: date | None, due_soon_days: int, expected: S
) -> None:
    assert status_for(due, met_on, D, due_soon_days, closed_on) is expected


def test_status_for_refuses_a_negative_window() -> None:
    with pytest.raises(ValueError, match="due_soon_days"):
        status_for(D, None, D, -1)


# --- support_plan: within 28 days of the start -----------------------------------------


@pytest.mark.parametrize(
    ("plans", "as_of", "status", "met_on"),
    [
        pytest.param([event("support_plan", date(2028, 2, 28))], date(2028, 3, 1), S.MET,
                     date(2028, 2, 28), id="on-due-day"),
        pytest.param([event("support_plan", date(2028, 2, 29))], date(2028, 3, 1), S.MET_LATE,
                     date(2028, 2, 29), id="leap-day-is-late"),
        pytest.param([event("support_plan", date(2028, 1, 25))], date(2028, 3, 1), S.MET,
                     date(2028, 1, 25), id="agreed-before-start"),
        pytest.param([], date(2028, 2, 29), S.OVERDUE, None, id="none-overdue"),
        pytest.param([], date(2028, 2, 28), S.DUE_SOON, None, id="none-due-today"),
        pytest.param([], date(2028, 2, 14), S.DUE_SOON, None, id="none-due-in-14"),
        pytest.param([], date(2028, 2, 13), S.UPCOMING, None, id="none-due-in-15"),
        pytest.param([event("support_plan", date(2028, 2, 10), complete=False)],
                     date(2028, 3, 1), S.OVERDUE, None, id="blocking-findings-do-not-meet"),
        pytest.param([event("support_plan", date(2028, 2, 10), complete=False),
                      event("support_plan", date(2028, 3, 2))],
                     date(2028, 3, 10), S.MET_LATE, date(2028, 3, 2), id="corrected-copy-late"),
        pytest.param([event("support_plan", date(2028, 2, 20))], date(2028, 2, 19), S.DUE_SOON,
                     None, id="plan-after-as-of-ignored"),
        pytest.param([event("support_plan", date(2028, 2, 20))], date(2028, 2, 20), S.MET,
                     date(2028, 2, 20), id="plan-on-as-of"),
    ],
)
def test_support_plan(plans: list[Event], as_of: date, status: S, met_on: date | None) -> None:
    plan = only(compute_obligations([*started(), *plans], as_of), "support_plan")
    assert (plan.due, plan.cycle) == (date(2028, 2, 28), 0)
    assert (plan.status, plan.met_on) == (status, met_on)


def test_no_start_event_no_start_obligations() -> None:
    assert compute_obligations([event("referral", START)], date(2028, 4, 1)) == []


def test_incomplete_referral_still_starts_the_clock() -> None:
    # The start date is a fact even when the referral form has a blocking finding.
    plan = only(compute_obligations(started(complete=False), date(2028, 3, 1)), "support_plan")
    assert (plan.due, plan.status) == (date(2028, 2, 28), S.OVERDUE)


def test_corrected_start_date_wins_over_the_flawed_copy() -> None:
    events = [event("start", date(2028, 1, 20), complete=False), event("start", START)]
    assert only(compute_obligations(events, date(2028, 2, 1)), "support_plan").due == date(
        2028, 2, 28
    )


# --- first_review: 6 weeks after the start ---------------------------------------------


@pytest.mark.parametrize(
    ("reviews", "as_of", "status", "met_on"),
    [
        pytest.param([event("review", date(2028, 3, 13))], date(2028, 3, 20), S.MET,
                     date(2028, 3, 13), id="on-due-day"),
        pytest.param([event("review", date(2028, 3, 14))], date(2028, 3, 20), S.MET_LATE,
                     date(2028, 3, 14), id="a-day-late"),
        pytest.param([event("review", date(2028, 3, 1), complete=False)], date(2028, 3, 20),
                     S.OVERDUE, None, id="blocking-findings-do-not-meet"),
        pytest.param([], date(2028, 2, 28), S.DUE_SOON, None, id="due-in-14"),
        pytest.param([], date(2028, 2, 27), S.UPCOMING, None, id="due-in-15"),
    ],
)
def test_first_review(reviews: list[Event], as_of: date, status: S, met_on: date | None) -> None:
    review = only(compute_obligations([*started(), *reviews], as_of), "first_review")
    assert (review.due, review.status, review.met_on) == (date(2028, 3, 13), status, met_on)


# --- review: a chain, every 6 months after the previous review -------------------------

CHAIN_START = date(2026, 7, 20)


def chain(reviews: list[Event], as_of: date) -> list[Row]:
    return summary(named(compute_obligations([*started(CHAIN_START), *reviews], as_of), "review"))


def test_chain_of_three_cycles_with_clipping_and_leap_year() -> None:
    reviews = [
        event("review", date(2026, 8, 31)),
        event("review", date(2027, 2, 28)),
        event("review", date(2027, 8, 31)),
    ]
    # Held on the clipped 28 Feb, the chain keeps the 31st: 31 Aug, not 28 Aug.
    assert chain(reviews, date(2028, 3, 1)) == [
        (1, date(2027, 2, 28), S.MET, date(2027, 2, 28)),
        (2, date(2027, 8, 31), S.MET, date(2027, 8, 31)),
        (3, date(2028, 2, 29), S.OVERDUE, None),
    ]
    first = only(compute_obligations([*started(CHAIN_START), *reviews], date(2028, 3, 1)),
                 "first_review")
    assert (first.due, first.status) == (date(2026, 8, 31), S.MET)


@pytest.mark.parametrize(
    ("reviews", "as_of", "expected"),
    [
        pytest.param([], date(2027, 6, 1), [], id="no-review-no-chain"),
        pytest.param([event("review", date(2026, 8, 31), complete=False)], date(2027, 6, 1), [],
                     id="only-incomplete-review-no-chain"),
        pytest.param([event("review", date(2026, 8, 31))], date(2026, 9, 1),
                     [(1, date(2027, 2, 28), S.UPCOMING, None)], id="upcoming"),
        pytest.param([event("review", date(2026, 8, 31))], date(2027, 2, 14),
                     [(1, date(2027, 2, 28), S.DUE_SOON, None)], id="due-soon"),
        pytest.param([event("review", date(2026, 8, 31)),
                      event("review", date(2027, 2, 20), complete=False)], date(2027, 3, 1),
                     [(1, date(2027, 2, 28), S.OVERDUE, None)], id="incomplete-does-not-meet"),
        pytest.param([event("review", date(2026, 8, 31), submission_id=1),
                      event("review", date(2026, 8, 31), submission_id=2)], date(2026, 9, 1),
                     [(1, date(2027, 2, 28), S.UPCOMING, None)], id="same-day-copy-is-one-review"),
        pytest.param([event("review", date(2026, 8, 31), complete=False),
                      event("review", date(2026, 9, 15))], date(2026, 9, 16),
                     [(1, date(2027, 3, 15), S.UPCOMING, None)], id="starts-at-first-complete"),
        pytest.param([event("review", date(2026, 8, 31)), event("review", date(2026, 10, 1))],
                     date(2026, 10, 2),
                     [(1, date(2027, 2, 28), S.MET, date(2026, 10, 1)),
                      (2, date(2027, 4, 1), S.UPCOMING, None)], id="early-review-restarts-clock"),
    ],
)
def test_review_chain(
    reviews: list[Event], as_of: date, expected: list[Row]
) -> None:
    assert chain(reviews, as_of) == expected


# --- review_part2: within 10 working days of each complete Part 1 -----------------------


def part2s(events: list[Event], as_of: date, **kwargs: Any) -> list[Row]:
    return summary(named(compute_obligations(events, as_of, **kwargs), "review_part2"))


def part1(on: date, **fields: Any) -> Event:
    return event("review", on, **fields)


def part2(on: date, review_date: object = None, **fields: Any) -> Event:
    details = {} if review_date is None else {"review_date": review_date}
    return event("review_part2", on, details=details, **fields)


@pytest.mark.parametrize(
    ("events", "as_of", "expected"),
    [
        pytest.param([part1(date(2026, 12, 21)), part2(date(2027, 1, 7), "2026-12-21")],
                     date(2027, 1, 8), [(1, date(2027, 1, 7), S.MET, date(2027, 1, 7))],
                     id="christmas-on-due-day"),
        pytest.param([part1(date(2026, 12, 21)), part2(date(2027, 1, 8), "2026-12-21")],
                     date(2027, 1, 8), [(1, date(2027, 1, 7), S.MET_LATE, date(2027, 1, 8))],
                     id="christmas-a-day-late"),
        pytest.param([part1(date(2026, 12, 21))], date(2027, 1, 7),
                     [(1, date(2027, 1, 7), S.DUE_SOON, None)], id="due-today"),
        pytest.param([part1(date(2026, 12, 21))], date(2027, 1, 8),
                     [(1, date(2027, 1, 7), S.OVERDUE, None)], id="overdue"),
        pytest.param([part1(date(2026, 12, 24))], date(2026, 12, 24),
                     [(1, date(2027, 1, 12), S.UPCOMING, None)], id="christmas-eve"),
        pytest.param([part1(date(2027, 3, 18)), part2(date(2027, 4, 5))], date(2027, 4, 6),
                     [(1, date(2027, 4, 5), S.MET, date(2027, 4, 5))], id="easter-2027"),
        pytest.param([part1(date(2026, 12, 21)), part2(date(2026, 12, 22), complete=False)],
                     date(2027, 1, 8), [(1, date(2027, 1, 7), S.OVERDUE, None)],
                     id="blocking-findings-do-not-meet"),
        pytest.param([part1(date(2026, 12, 21), complete=False), part2(date(2026, 12, 22))],
                     date(2027, 1, 8), [], id="incomplete-part1-needs-no-part2"),
        pytest.param([part1(date(2026, 12, 21)), part2(date(2026, 12, 18))], date(2027, 1, 8),
                     [(1, date(2027, 1, 7), S.OVERDUE, None)], id="unlinked-before-part1"),
        pytest.param([part1(date(2026, 12, 21)), part2(date(2026, 12, 18), "2026-12-21")],
                     date(2027, 1, 8), [(1, date(2027, 1, 7), S.MET, date(2026, 12, 18))],
                     id="linked-wins-even-if-earlier"),
        pytest.param([part1(date(2026, 12, 1)), part1(date(2026, 12, 21)),
                      part2(date(2026, 12, 22), "2026-12-21"),
                      part2(date(2026, 12, 23), date(2026, 12, 1))], date(2027, 1, 8),
                     [(1, date(2026, 12, 15), S.MET_LATE, date(2026, 12, 23)),
                      (2, date(2027, 1, 7), S.MET, date(2026, 12, 22))], id="matched-by-link"),
        pytest.param([part1(date(2026, 12, 1)), part1(date(2026, 12, 21)),
                      part2(date(2026, 12, 22)), part2(date(2026, 12, 23))], date(2027, 1, 8),
                     [(1, date(2026, 12, 15), S.MET_LATE, date(2026, 12, 22)),
                      (2, date(2027, 1, 7), S.MET, date(2026, 12, 23))], id="matched-in-order"),
        pytest.param([part1(date(2026, 12, 1)), part1(date(2026, 12, 21)),
                      part2(date(2026, 12, 22), "21/12/2026"),
                      part2(date(2026, 12, 23), datetime(2026, 12, 1, 10, tzinfo=UTC))],
                     date(2027, 1, 8),
                     [(1, date(2026, 12, 15), S.MET_LATE, date(2026, 12, 23)),
                      (2, date(2027, 1, 7), S.MET, date(2026, 12, 22))],
                     id="datetime-link-and-unreadable-link"),
        pytest.param([part1(date(2026, 12, 21), submission_id=1),
                      part1(date(2026, 12, 21), submission_id=2)], date(2026, 12, 22),
                     [(1, date(2027, 1, 7), S.UPCOMING, None)], id="same-day-copies-once"),
    ],
)
def test_review_part2(
    events: list[Event], as_of: date, expected: list[Row]
) -> None:
    assert part2s(events, as_of) == expected


def test_part2_working_days_is_a_setting() -> None:
    rules = load_policies(overrides={"review_part2_working_days": 5}).rule_sets()
    # Mon 21 Dec 2026 + 5 working days: 22, 23, 24, (25, 26, 27, 28 off) 29, 30 Dec.
    assert part2s([part1(date(2026, 12, 21))], date(2026, 12, 22), rule_sets=rules) == [
        (1, date(2026, 12, 30), S.DUE_SOON, None)
    ]


def test_the_rule_sets_nation_decides_working_days() -> None:
    scottish = RuleSet(
        service=CS,
        nation=Nation.SCOTLAND,
        rules=(
            WithinEach(obligation="review_part2", after_event="review", span=WorkingDays(count=1),
                       met_by_event="review_part2"),
        ),
    )
    # Fri 27 Nov 2026 + 1 working day in Scotland: Mon 30 Nov is St Andrew's Day.
    assert part2s([part1(date(2026, 11, 27))], date(2026, 11, 27), rule_sets={CS: scottish}) == [
        (1, date(2026, 12, 1), S.DUE_SOON, None)
    ]


# --- closure --------------------------------------------------------------------------


def closed(on: date, **fields: Any) -> Event:
    return event("closure", on, **fields)


@pytest.mark.parametrize(
    ("events", "as_of", "expected"),
    [
        pytest.param([closed(date(2028, 2, 20))], date(2028, 4, 1), [], id="closed-before-all-due"),
        pytest.param([closed(date(2028, 2, 20), complete=False)], date(2028, 4, 1), [],
                     id="incomplete-closure-still-closes"),
        pytest.param([closed(date(2028, 3, 1))], date(2028, 4, 1),
                     [("support_plan", S.MISSED, None)], id="plan-missed"),
        pytest.param([closed(date(2028, 2, 28))], date(2028, 4, 1),
                     [("support_plan", S.MISSED, None)], id="closed-on-due-day-missed"),
        pytest.param([event("support_plan", date(2028, 2, 10)), closed(date(2028, 2, 20))],
                     date(2028, 4, 1), [("support_plan", S.MET, date(2028, 2, 10))],
                     id="met-before-close-kept"),
        pytest.param([closed(date(2028, 3, 1)), event("support_plan", date(2028, 3, 5))],
                     date(2028, 4, 1), [("support_plan", S.MET_LATE, date(2028, 3, 5))],
                     id="met-late-after-close"),
        pytest.param([closed(date(2028, 3, 1))], date(2028, 2, 29),
                     [("support_plan", S.OVERDUE, None), ("first_review", S.DUE_SOON, None)],
                     id="closure-after-as-of-ignored"),
    ],
)
def test_closure(
    events: list[Event], as_of: date, expected: list[tuple[str, S, date | None]]
) -> None:
    found = compute_obligations([*started(), *events], as_of)
    assert [(o.obligation, o.status, o.met_on) for o in found] == expected


@pytest.mark.parametrize(
    ("closed_on", "expected"),
    [
        pytest.param(date(2027, 3, 1), [(1, date(2027, 2, 28), S.MISSED, None)], id="missed"),
        pytest.param(date(2027, 2, 1), [], id="closed-before-due"),
    ],
)
def test_closure_ends_the_review_chain(
    closed_on: date, expected: list[Row]
) -> None:
    assert chain([event("review", date(2026, 8, 31)), closed(closed_on)], date(2027, 6, 1)) == (
        expected
    )


# --- worker, team, source, ordering ----------------------------------------------------


def test_worker_team_and_source() -> None:
    events = [
        *started(worker="Ann", team="North", source="referral.docx"),
        event("support_plan", date(2028, 2, 10), worker="Bob", source="plan.docx"),
        event("review", date(2028, 3, 20), worker="Cat", team="South", source="late.docx"),
    ]
    found = {o.obligation: o for o in compute_obligations(events, date(2028, 3, 1))}
    assert set(found) == {"support_plan", "first_review"}
    # The latest event naming each, on or before the as-of date (the review is after it).
    assert {(o.worker, o.team) for o in found.values()} == {("Bob", "North")}
    assert found["support_plan"].source == "plan.docx"  # the event that met it
    assert found["first_review"].source == "referral.docx"  # the event that started it


def test_chain_source_is_the_previous_review_until_met() -> None:
    reviews = [
        event("review", date(2026, 8, 31), source="r1.docx"),
        event("review", date(2027, 2, 1), source="r2.docx"),
    ]
    found = named(compute_obligations([*started(CHAIN_START), *reviews], date(2027, 3, 1)),
                  "review")
    assert [o.source for o in found] == ["r2.docx", "r2.docx"]
    assert [o.met_on for o in found] == [date(2027, 2, 1), None]


def test_grouped_by_person_and_service_and_sorted() -> None:
    other = Event(person_id="P0", service="no-such-service", kind="start", on=START)
    events = [*started(person="P2"), other, *started(date(2028, 2, 7), person="P1")]
    found = compute_obligations(events, date(2028, 2, 8))
    assert [(o.person_id, o.obligation, o.due) for o in found] == [
        ("P1", "support_plan", date(2028, 3, 6)),
        ("P1", "first_review", date(2028, 3, 20)),
        ("P2", "support_plan", date(2028, 2, 28)),
        ("P2", "first_review", date(2028, 3, 13)),
    ]


def test_due_soon_days_is_a_parameter() -> None:
    # Due 28 Feb 2028 is 18 days after 10 Feb.
    assert only(compute_obligations(started(), date(2028, 2, 10)), "support_plan").status is (
        S.UPCOMING
    )
    widened = compute_obligations(started(), date(2028, 2, 10), due_soon_days=21)
    assert only(widened, "support_plan").status is S.DUE_SOON
    with pytest.raises(ValueError, match="due_soon_days"):
        compute_obligations(started(), date(2028, 2, 10), due_soon_days=-1)


def test_same_day_ties_are_broken_by_every_field() -> None:
    # Same date, kind, submission and source: only worker, team or time tell them apart,
    # and a naive time (London) sorts against an aware one without error.
    on = date(2028, 2, 10)
    twins = [
        event("support_plan", on, worker="Ann", source="x.docx"),
        event("support_plan", on, worker="Bob", source="x.docx"),
        event("support_plan", on, worker="Bob", team="North", source="x.docx",
              at=datetime(2028, 2, 10, 9, 0)),
        event("support_plan", on, worker="Cat", source="x.docx",
              at=datetime(2028, 2, 10, 9, 0, tzinfo=UTC)),
    ]
    results = [
        compute_obligations([*started(), *order], date(2028, 3, 1))
        for order in itertools.permutations(twins)
    ]
    assert all(result == results[0] for result in results)


# --- the rule vocabulary is data ---------------------------------------------------------

POLICY_YAML = """
service: community-support
nation: england_and_wales
rules:
  - {kind: within, obligation: support_plan, after_event: start,
     span: {unit: days, count: 28}, met_by_event: support_plan}
  - {kind: within, obligation: first_review, after_event: start,
     span: {unit: weeks, count: 6}, met_by_event: review}
  - kind: recurring
    obligation: review
    anchor_event: review
    every:
      choose_by: review_frequency
      cases:
        six_weeks: {unit: weeks, count: 6}
        three_months: {unit: months, count: 3}
        six_months: {unit: months, count: 6}
      otherwise: {unit: months, count: 6}
    met_by_event: review
  - {kind: within_each, obligation: review_part2, after_event: review,
     span: {unit: working_days, count: 10, setting: review_part2_working_days},
     met_by_event: review_part2, link_detail: review_date, owed_after_closure: true}
"""


def test_rules_load_from_a_policy_file() -> None:
    assert RuleSet.model_validate(yaml.safe_load(POLICY_YAML)) == default_rule_sets()[CS]


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: CalendarDays(count=-1), id="negative-span"),
        pytest.param(
            lambda: RuleSet(
                service=CS,
                nation=Nation.ENGLAND_AND_WALES,
                rules=(
                    Within(obligation="x", after_event="start", span=CalendarDays(count=1),
                           met_by_event="a"),
                    Within(obligation="x", after_event="start", span=CalendarDays(count=2),
                           met_by_event="b"),
                ),
            ),
            id="duplicate-obligation-ids",
        ),
    ],
)
def test_invalid_rules_are_refused(make: Any) -> None:
    with pytest.raises(ValidationError):
        make()


# --- order of arrival never matters ------------------------------------------------------

# Mostly the dates used above, so that same-day events of one kind (where a tie-break
# decides) and holiday-bound deadlines come up often; sometimes any date.
INTERESTING_DAYS = [
    date(2026, 11, 27), date(2026, 12, 1), date(2026, 12, 21), date(2026, 12, 24),
    date(2027, 1, 7), date(2027, 1, 8), date(2027, 2, 28), date(2027, 3, 18),
    date(2027, 4, 5), date(2027, 8, 31), date(2028, 1, 31), date(2028, 2, 28),
    date(2028, 2, 29), date(2028, 3, 13),
]
DAYS = st.one_of(
    st.sampled_from(INTERESTING_DAYS),
    st.sampled_from(INTERESTING_DAYS),
    st.sampled_from(INTERESTING_DAYS),
    st.dates(min_value=date(2026, 11, 1), max_value=date(2028, 3, 31)),
)
MOMENTS = st.one_of(
    st.none(),
    st.datetimes(min_value=datetime(2026, 11, 1), max_value=datetime(2028, 3, 31)),
    st.datetimes(
        min_value=datetime(2026, 11, 1), max_value=datetime(2028, 3, 31), timezones=st.just(UTC)
    ),
)
EVENTS = st.builds(
    Event,
    person_id=st.sampled_from(["P1", "P1", "P1", "P2"]),
    service=st.sampled_from([CS, CS, CS, "other"]),
    kind=st.sampled_from(["referral", "start", "support_plan", "review", "review_part2",
                          "closure"]),
    on=DAYS,
    at=MOMENTS,
    worker=st.sampled_from([None, "Ann", "Bob"]),
    team=st.sampled_from([None, "North", "South"]),
    complete=st.booleans(),
    submission_id=st.sampled_from([None, 1, 2]),
    source=st.sampled_from([None, "a.docx", "b.docx"]),
    details=st.one_of(
        st.just({}), st.fixed_dictionaries({"review_date": st.one_of(DAYS, DAYS.map(str))})
    ),
)


@settings(max_examples=300, deadline=None, database=None)
@given(events=st.lists(EVENTS, max_size=30), as_of=DAYS, data=st.data())
def test_shuffling_the_events_never_changes_the_result(
    events: list[Event], as_of: date, data: st.DataObject
) -> None:
    shuffled = data.draw(st.permutations(events))
    expected = compute_obligations(events, as_of)
    assert compute_obligations(shuffled, as_of) == expected
    assert compute_obligations(reversed(events), as_of) == expected
    # Events after the as-of date play no part at all.
    assert compute_obligations([e for e in events if e.on <= as_of], as_of) == expected
