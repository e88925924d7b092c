"""Every service's obligations (forms/services/*.yaml), with dates worked out by hand.

Bank holidays cross-checked against the ``holidays`` package (GB; ENG and SCT):
  England 2026: Fri 3 Apr Good Friday, Mon 6 Apr Easter Monday, Fri 25 Dec, Mon 28 Dec
    (Boxing Day observed); 2027: Fri 1 Jan, Fri 26 Mar Good Friday, Mon 29 Mar Easter
    Monday.
  Scotland 2026: Fri 2 Jan, Mon 30 Nov (St Andrew's Day); 2027: Fri 1 Jan, Mon 4 Jan
    (2 January observed), Fri 26 Mar Good Friday; Easter Monday is not a holiday.
  British Summer Time 2026 starts Sun 29 Mar at 01:00 GMT (clocks go to 02:00).

Worked examples:
  refuge (women): arrival Thu 17 Dec 2026 -> self-assessment by Thu 24 Dec; plan 5 days
    after a self-assessment on Thu 24 Dec -> Tue 29 Dec (calendar days: Christmas
    counts); weekly reviews after a plan on Tue 29 Dec -> 5, 12 Jan 2027.
  refuge (children): arrival Sat 31 Jan 2026 -> child referral by Sat 7 Feb; monthly
    reviews after a plan on Sun 31 Jan 2027 -> Sun 28 Feb 2027; after 31 Jan 2028 ->
    Tue 29 Feb 2028 (leap year).
  floating: referral Thu 24 Dec 2026 -> plan by Thu 31 Dec; plan Mon 2 Mar 2026 ->
    review weekly 9 Mar, fortnightly 16 Mar, monthly 2 Apr.
  Homes for Independent Living: move in Mon 31 Jan 2028 -> plan by Mon 28 Feb 2028;
    plan Mon 31 Aug 2026 -> review at 6 months Sun 28 Feb 2027, at 12 months Tue 31 Aug
    2027; hard copy requested Thu 24 Dec 2026 -> 5 working days: 29, 30, 31 Dec, 4, 5
    Jan -> Tue 5 Jan 2027; requested Thu 25 Mar 2027 -> 30, 31 Mar, 1, 2, 5 Apr -> Mon 5
    Apr 2027.
  Families First: referral 10:00 -> social worker the same day, or by 12:00 for an
    immediate response; 00:30 GMT on Sun 29 Mar 2026 + 2 hours -> 03:30 BST; 23:00 +
    2 hours -> 01:00 the next day; worker allocated within 1 working day: Fri 18 Dec
    2026 -> Mon 21 Dec; Thu 24 Dec 2026 -> Tue 29 Dec; Thu 2 Apr 2026 -> Tue 7 Apr
    (Easter); intervention from Mon 31 Aug 2026 -> closure by Sun 28 Feb 2027 (31 Aug
    2027 -> Tue 29 Feb 2028); feedback 14 days after a closure on Sun 20 Dec 2026 ->
    Sun 3 Jan 2027.
  Self-directed Support (Scotland): plan Tue 1 Dec 2026 with next review 1 Jun 2027 ->
    due 1 Jun 2027; no date set -> 12 months; change Tue 5 Jan 2027 -> review by Tue
    2 Feb 2027; one working day (a configured rule) after Fri 27 Nov 2026 -> Tue 1 Dec
    in Scotland, Mon 30 Nov in England; after Thu 31 Dec 2026 -> Tue 5 Jan 2027 in
    Scotland, Mon 4 Jan in England.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from pipeline.definitions import DEFAULT_FORMS_DIR
from pipeline.policies import load_policies, load_policy
from pipeline.records import Event, Obligation, ObligationStatus
from pipeline.rules import Nation, add_working_days, bank_holidays, compute_obligations

S = ObligationStatus
LONDON = ZoneInfo("Europe/London")
WOMEN, CHILDREN, FLOATING = "swa-refuge-women", "swa-refuge-children", "swa-floating"
HIL, FF, SDS, CS = "medway-hil", "families-first", "sds", "community-support"


def ev(service: str, kind: str, on: date, *, person: str = "P1", **fields: Any) -> Event:
    return Event(person_id=person, service=service, kind=kind, on=on, **fields)


def rows(events: list[Event], as_of: date, name: str, **kwargs: Any) -> list[tuple[Any, ...]]:
    """(cycle, due, status, met_on) of one obligation, in order."""
    return [(o.cycle, o.due, o.status, o.met_on)
            for o in compute_obligations(events, as_of, **kwargs) if o.obligation == name]


def one(events: list[Event], as_of: date, name: str, **kwargs: Any) -> Obligation:
    [found] = [o for o in compute_obligations(events, as_of, **kwargs) if o.obligation == name]
    return found


def test_the_holidays_package_agrees_with_the_hand_worked_calendar() -> None:
    eng, sct = Nation.ENGLAND_AND_WALES, Nation.SCOTLAND
    assert {date(2026, 12, 25), date(2026, 12, 28), date(2026, 4, 3), date(2026, 4, 6)} <= (
        bank_holidays(eng, 2026))
    assert {date(2027, 1, 1), date(2027, 3, 26), date(2027, 3, 29)} <= bank_holidays(eng, 2027)
    assert {date(2026, 1, 2), date(2026, 11, 30)} <= bank_holidays(sct, 2026)
    assert date(2026, 11, 30) not in bank_holidays(eng, 2026)
    assert date(2027, 1, 4) in bank_holidays(sct, 2027)
    assert date(2027, 3, 29) not in bank_holidays(sct, 2027)
    assert add_working_days(date(2026, 12, 24), 5, eng) == date(2027, 1, 5)


# --- Stockport Women's Aid: refuge (women) ---------------------------------------------

ARRIVAL = date(2026, 12, 17)


def women(*events: Event) -> list[Event]:
    return [ev(WOMEN, "referral", ARRIVAL), ev(WOMEN, "start", ARRIVAL), *events]


@pytest.mark.parametrize(
    ("assessed", "status"),
    [
        pytest.param(date(2026, 12, 24), S.MET, id="on-christmas-eve"),
        pytest.param(date(2026, 12, 26), S.MET_LATE, id="boxing-day-late"),
        pytest.param(None, S.OVERDUE, id="not-done"),
    ],
)
def test_women_self_assessment_within_a_week_of_arrival(assessed: date | None,
                                                        status: S) -> None:
    extra = [ev(WOMEN, "self_assessment", assessed)] if assessed else []
    found = one(women(*extra), date(2027, 1, 4), "self_assessment")
    assert (found.due, found.status) == (date(2026, 12, 24), status)


@pytest.mark.parametrize(
    ("planned", "status"),
    [
        pytest.param(date(2026, 12, 29), S.MET, id="five-days-over-christmas"),
        pytest.param(date(2026, 12, 30), S.MET_LATE, id="six-days"),
        pytest.param(None, S.OVERDUE, id="no-plan"),
    ],
)
def test_women_plan_within_five_days_of_the_self_assessment(planned: date | None,
                                                            status: S) -> None:
    extra = [ev(WOMEN, "support_plan", planned)] if planned else []
    events = women(ev(WOMEN, "self_assessment", date(2026, 12, 24)), *extra)
    found = one(events, date(2027, 1, 4), "support_plan")
    assert (found.due, found.status) == (date(2026, 12, 29), status)


@pytest.mark.parametrize(
    ("assessed", "due"),
    [
        # Due 24 Dec (7 days after arrival): the plan by 29 Dec whatever happens after.
        pytest.param(None, date(2026, 12, 29), id="no-self-assessment-yet"),
        pytest.param(date(2027, 1, 2), date(2026, 12, 29), id="late-self-assessment"),
        pytest.param(date(2026, 12, 20), date(2026, 12, 25), id="early-self-assessment"),
    ],
)
def test_women_plan_counts_from_arrival_too(assessed: date | None, due: date) -> None:
    extra = [ev(WOMEN, "self_assessment", assessed)] if assessed else []
    found = one(women(*extra), date(2027, 1, 4), "support_plan")
    assert (found.due, found.status) == (due, S.OVERDUE)


def test_women_weekly_reviews_chain_through_plans_and_reviews() -> None:
    events = women(
        ev(WOMEN, "self_assessment", date(2026, 12, 24)),
        ev(WOMEN, "support_plan", date(2026, 12, 29)),
        ev(WOMEN, "review", date(2027, 1, 4)),  # a day early: the clock restarts
        ev(WOMEN, "support_plan", date(2027, 1, 12)),  # a new plan at a session counts
    )
    assert rows(events, date(2027, 1, 20), "review") == [
        (1, date(2027, 1, 5), S.MET, date(2027, 1, 4)),
        (2, date(2027, 1, 11), S.MET_LATE, date(2027, 1, 12)),
        (3, date(2027, 1, 19), S.OVERDUE, None),
    ]


@pytest.mark.parametrize(
    ("closed", "as_of", "expected"),
    [
        pytest.param(date(2027, 2, 25), date(2027, 3, 1), (S.MET, date(2027, 2, 25)),
                     id="outcomes-form-in-the-last-week"),
        pytest.param(date(2027, 3, 1), date(2027, 3, 2), (S.MET_LATE, date(2027, 3, 1)),
                     id="after-departure"),
        pytest.param(None, date(2027, 3, 1), (S.OVERDUE, None), id="none-yet"),
        pytest.param(None, date(2027, 2, 20), (S.DUE_SOON, None), id="departure-next-week"),
    ],
)
def test_women_outcomes_form_by_the_planned_departure(
    closed: date | None, as_of: date, expected: tuple[S, date | None]
) -> None:
    events = women(
        ev(WOMEN, "support_plan", date(2026, 12, 29), details={"planned_departure": "2027-03-31"}),
        # A later review moves the planned departure forward.
        ev(WOMEN, "review", date(2027, 1, 4), details={"planned_departure": "2027-02-26"}),
        *([ev(WOMEN, "closure", closed)] if closed else []),
    )
    found = one(events, as_of, "outcomes_form")
    assert found.due == date(2027, 2, 26)
    assert (found.status, found.met_on) == expected


def test_no_planned_departure_no_outcomes_form_obligation() -> None:
    assert rows(women(ev(WOMEN, "support_plan", date(2026, 12, 29))), date(2027, 3, 1),
                "outcomes_form") == []


# --- refuge (children), linked to their mother ------------------------------------------


@pytest.mark.parametrize(
    ("referral_on", "status"),
    [
        pytest.param(date(2026, 2, 6), S.MET, id="within-a-week"),
        pytest.param(date(2026, 2, 7), S.MET, id="on-the-seventh-day"),
        pytest.param(date(2026, 2, 9), S.MET_LATE, id="after-the-weekend"),
    ],
)
def test_child_referral_within_a_week_of_arrival(referral_on: date, status: S) -> None:
    events = [ev(CHILDREN, "start", date(2026, 1, 31)), ev(CHILDREN, "referral", referral_on)]
    found = one(events, date(2026, 3, 1), "child_referral")
    assert (found.due, found.status) == (date(2026, 2, 7), status)


@pytest.mark.parametrize(
    ("plan_on", "due"),
    [
        pytest.param(date(2027, 1, 31), date(2027, 2, 28), id="31-jan-to-28-feb"),
        pytest.param(date(2028, 1, 31), date(2028, 2, 29), id="31-jan-leap-year"),
        pytest.param(date(2026, 8, 31), date(2026, 9, 30), id="31-aug-to-30-sep"),
    ],
)
def test_children_reviewed_monthly(plan_on: date, due: date) -> None:
    events = [ev(CHILDREN, "start", plan_on), ev(CHILDREN, "support_plan", plan_on)]
    assert rows(events, plan_on, "review") == [(1, due, S.UPCOMING, None)]


def test_a_child_keeps_their_own_episode_when_the_mother_leaves() -> None:
    mother = [ev(WOMEN, "start", date(2027, 1, 4), person="SWA-0001"),
              ev(WOMEN, "closure", date(2027, 1, 20), person="SWA-0001")]
    child = [ev(CHILDREN, "start", date(2027, 1, 4), person="SWA-0001-C1",
                details={"mother_person_id": "SWA-0001"}),
             ev(CHILDREN, "support_plan", date(2027, 1, 15), person="SWA-0001-C1")]
    found = compute_obligations([*mother, *child], date(2027, 2, 20))
    child_rows = [(o.obligation, o.due, o.status) for o in found
                  if o.person_id == "SWA-0001-C1"]
    assert ("review", date(2027, 2, 15), S.OVERDUE) in child_rows
    assert all(o.status is not S.OVERDUE for o in found if o.person_id == "SWA-0001")


# --- floating support ---------------------------------------------------------------------


def test_floating_plan_within_a_week_of_referral() -> None:
    events = [ev(FLOATING, "referral", date(2026, 12, 24)), ev(FLOATING, "start", date(2027, 1, 4)),
              ev(FLOATING, "support_plan", date(2026, 12, 31))]
    found = one(events, date(2027, 1, 5), "support_plan")
    assert (found.due, found.status) == (date(2026, 12, 31), S.MET)


@pytest.mark.parametrize(
    ("frequency", "due"),
    [
        pytest.param("weekly", date(2026, 3, 9), id="weekly"),
        pytest.param("fortnightly", date(2026, 3, 16), id="fortnightly"),
        pytest.param("monthly", date(2026, 4, 2), id="monthly"),
        pytest.param(None, date(2026, 3, 9), id="not-chosen-weekly"),
        pytest.param("six_months", date(2026, 3, 9), id="not-a-floating-choice-weekly"),
    ],
)
def test_floating_review_interval_is_chosen_on_the_plan(frequency: str | None, due: date) -> None:
    plan = ev(FLOATING, "support_plan", date(2026, 3, 2),
              details={"review_frequency": frequency})
    assert rows([plan], date(2026, 3, 2), "review")[0][1] == due


def test_a_new_plan_changes_the_interval_from_then_on() -> None:
    events = [
        ev(FLOATING, "support_plan", date(2026, 3, 2), details={"review_frequency": "weekly"}),
        ev(FLOATING, "support_plan", date(2026, 3, 9), details={"review_frequency": "monthly"}),
        ev(FLOATING, "review", date(2026, 4, 9)),  # a review leaves the choice as it was
    ]
    assert rows(events, date(2026, 4, 10), "review") == [
        (1, date(2026, 3, 9), S.MET, date(2026, 3, 9)),
        (2, date(2026, 4, 9), S.MET, date(2026, 4, 9)),
        (3, date(2026, 5, 9), S.UPCOMING, None),
    ]


# --- Homes for Independent Living -------------------------------------------------------


def hil(*events: Event, disclaimer: bool = False, start: date = date(2028, 1, 31)) -> list[Event]:
    return [ev(HIL, "referral", start, details={"disclaimer": disclaimer}),
            ev(HIL, "start", start), *events]


@pytest.mark.parametrize(
    ("plan_on", "status"),
    [
        pytest.param(date(2028, 2, 28), S.MET, id="four-weeks"),
        pytest.param(date(2028, 2, 29), S.MET_LATE, id="leap-day-late"),
        pytest.param(None, S.OVERDUE, id="none"),
    ],
)
def test_hil_plan_within_four_weeks_of_moving_in(plan_on: date | None, status: S) -> None:
    extra = [ev(HIL, "support_plan", plan_on)] if plan_on else []
    found = one(hil(*extra), date(2028, 3, 1), "support_plan")
    assert (found.due, found.status) == (date(2028, 2, 28), status)


@pytest.mark.parametrize(
    ("frequency", "plan_on", "due"),
    [
        pytest.param("six_months", date(2026, 8, 31), date(2027, 2, 28), id="six-months-clipped"),
        pytest.param("twelve_months", date(2026, 8, 31), date(2027, 8, 31), id="twelve-months"),
        pytest.param(None, date(2026, 8, 31), date(2027, 8, 31), id="not-stated-yearly"),
        pytest.param("twelve_months", date(2028, 2, 29), date(2029, 2, 28), id="from-leap-day"),
        pytest.param("six_months", date(2027, 8, 31), date(2028, 2, 29), id="to-leap-day"),
    ],
)
def test_hil_review_every_six_or_twelve_months_as_chosen(frequency: str | None, plan_on: date,
                                                         due: date) -> None:
    events = hil(ev(HIL, "support_plan", plan_on, details={"review_frequency": frequency}),
                 start=plan_on)
    assert rows(events, plan_on, "review") == [(1, due, S.UPCOMING, None)]


@pytest.mark.parametrize(
    ("requested", "provided", "due", "status"),
    [
        pytest.param(date(2026, 12, 24), date(2027, 1, 5), date(2027, 1, 5), S.MET,
                     id="christmas-and-new-year"),
        pytest.param(date(2026, 12, 24), date(2027, 1, 6), date(2027, 1, 5), S.MET_LATE,
                     id="christmas-a-day-late"),
        pytest.param(date(2027, 3, 25), date(2027, 4, 5), date(2027, 4, 5), S.MET,
                     id="easter-2027"),
        pytest.param(date(2026, 12, 24), None, date(2027, 1, 5), S.OVERDUE, id="not-provided"),
    ],
)
def test_hil_hard_copy_within_five_working_days(requested: date, provided: date | None,
                                                due: date, status: S) -> None:
    extra = ([ev(HIL, "copy_provided", provided, details={"requested_on": requested.isoformat()})]
             if provided else [])
    events = hil(ev(HIL, "copy_request", requested), *extra, start=date(2026, 6, 1))
    assert rows(events, date(2027, 4, 30), "hard_copy") == [
        (1, due, status, provided)]


def test_hil_disclaimer_makes_unmet_obligations_not_applicable() -> None:
    events = hil(ev(HIL, "copy_request", date(2028, 3, 2)), disclaimer=True)
    found = compute_obligations(events, date(2028, 6, 1))
    assert [(o.obligation, o.status) for o in found] == [
        ("support_plan", S.NOT_APPLICABLE), ("hard_copy", S.NOT_APPLICABLE)]


def test_hil_work_done_despite_a_disclaimer_still_counts() -> None:
    events = hil(ev(HIL, "support_plan", date(2028, 2, 10)), disclaimer=True)
    assert one(events, date(2028, 6, 1), "support_plan").status is S.MET


@pytest.mark.parametrize(
    ("change_on", "value", "status"),
    [
        pytest.param(date(2028, 2, 10), "withdrawn", S.OVERDUE, id="withdrawn-before-due"),
        # The plan is due 4 weeks after the withdrawal (7 Apr), overdue by 1 June.
        pytest.param(date(2028, 3, 10), "withdrawn", S.OVERDUE, id="withdrawn-after-due"),
        pytest.param(date(2028, 2, 10), None, S.NOT_APPLICABLE, id="change-says-nothing"),
    ],
)
def test_hil_exempt_only_while_the_disclaimer_is_in_place(change_on: date, value: str | None,
                                                          status: S) -> None:
    events = hil(ev(HIL, "change", change_on, details={"disclaimer": value}), disclaimer=True)
    # The latest row: a withdrawal starts the policy afresh (see test_rules_readings).
    assert rows(events, date(2028, 6, 1), "support_plan")[-1][2] is status


def test_hil_disclaimer_signed_later_exempts_from_then_on() -> None:
    events = hil(ev(HIL, "change", date(2028, 2, 10), details={"disclaimer": "in_place"}))
    assert one(events, date(2028, 6, 1), "support_plan").status is S.NOT_APPLICABLE


# --- Families First -----------------------------------------------------------------------


def referred(at: datetime, *, immediate: bool = False, person: str = "FF-0001") -> list[Event]:
    return [ev(FF, "referral", at.date(), at=at, person=person,
               details={"immediate_response": immediate}),
            ev(FF, "start", at.date(), person=person)]


def contact(at: datetime) -> Event:
    return ev(FF, "sw_contact", at.date(), at=at, person="FF-0001")


@pytest.mark.parametrize(
    ("received", "immediate", "contacted", "due_at", "status"),
    [
        pytest.param(datetime(2026, 3, 2, 10), False, datetime(2026, 3, 2, 16), None, S.MET,
                     id="same-day"),
        pytest.param(datetime(2026, 3, 2, 10), False, datetime(2026, 3, 3, 9), None, S.MET_LATE,
                     id="next-morning-late"),
        pytest.param(datetime(2026, 3, 2, 10), True, datetime(2026, 3, 2, 11, 59),
                     datetime(2026, 3, 2, 12, tzinfo=LONDON), S.MET, id="two-hours-in-time"),
        pytest.param(datetime(2026, 3, 2, 10), True, datetime(2026, 3, 2, 12, 1),
                     datetime(2026, 3, 2, 12, tzinfo=LONDON), S.MET_LATE,
                     id="same-day-but-after-two-hours"),
        pytest.param(datetime(2026, 3, 29, 0, 30), True, datetime(2026, 3, 29, 3, 15),
                     datetime(2026, 3, 29, 3, 30, tzinfo=LONDON), S.MET,
                     id="clocks-go-forward"),
        pytest.param(datetime(2026, 3, 29, 0, 30), True, datetime(2026, 3, 29, 3, 45),
                     datetime(2026, 3, 29, 3, 30, tzinfo=LONDON), S.MET_LATE,
                     id="clocks-go-forward-late"),
        pytest.param(datetime(2026, 3, 2, 23), True, datetime(2026, 3, 3, 0, 50),
                     datetime(2026, 3, 3, 1, tzinfo=LONDON), S.MET, id="past-midnight"),
        pytest.param(datetime(2026, 3, 2, 10, tzinfo=UTC), True,
                     datetime(2026, 3, 2, 11, 30), datetime(2026, 3, 2, 12, tzinfo=LONDON),
                     S.MET, id="aware-and-naive-times"),
    ],
)
def test_ff_social_worker_contacted_same_day_or_within_two_hours(
    received: datetime, immediate: bool, contacted: datetime, due_at: datetime | None,
    status: S,
) -> None:
    events = [*referred(received, immediate=immediate), contact(contacted)]
    found = one(events, date(2026, 4, 1), "sw_contact")
    assert found.due == (due_at.date() if due_at else received.date())
    assert found.due_at == due_at
    assert (found.status, found.met_on) == (status, contacted.date())


@pytest.mark.parametrize(
    ("received", "due"),
    [
        pytest.param(datetime(2026, 12, 18, 15), date(2026, 12, 21), id="friday-to-monday"),
        pytest.param(datetime(2026, 12, 24, 9), date(2026, 12, 29), id="christmas"),
        pytest.param(datetime(2026, 4, 2, 9), date(2026, 4, 7), id="easter-2026"),
        pytest.param(datetime(2026, 4, 4, 9), date(2026, 4, 7), id="easter-saturday"),
        pytest.param(datetime(2026, 3, 2, 9), date(2026, 3, 3), id="weekday"),
    ],
)
def test_ff_worker_allocated_within_one_working_day(received: datetime, due: date) -> None:
    events = [*referred(received), ev(FF, "allocation", due, person="FF-0001")]
    found = one(events, date(2027, 1, 31), "worker_allocated")
    assert (found.due, found.status) == (due, S.MET)


def test_ff_weekly_reviews_from_the_intervention_start() -> None:
    events = [*referred(datetime(2026, 3, 2, 9)),
              ev(FF, "support_plan", date(2026, 3, 6), person="FF-0001"),
              ev(FF, "review", date(2026, 3, 13), person="FF-0001")]
    assert rows(events, date(2026, 3, 21), "review") == [
        (1, date(2026, 3, 9), S.MET, date(2026, 3, 6)),
        (2, date(2026, 3, 13), S.MET, date(2026, 3, 13)),
        (3, date(2026, 3, 20), S.OVERDUE, None),
    ]


@pytest.mark.parametrize(
    ("start", "as_of", "due", "status"),
    [
        pytest.param(date(2026, 8, 31), date(2027, 2, 27), date(2027, 2, 28), S.UPCOMING,
                     id="day-before-six-months-clipped"),
        pytest.param(date(2026, 8, 31), date(2027, 2, 28), date(2027, 2, 28),
                     S.PAST_PLANNED_DURATION, id="six-months-on-the-as-of-date"),
        pytest.param(date(2027, 8, 31), date(2028, 3, 31), date(2028, 2, 29),
                     S.PAST_PLANNED_DURATION, id="leap-year"),
    ],
)
def test_ff_open_case_past_six_months_is_flagged_not_overdue(start: date, as_of: date,
                                                             due: date, status: S) -> None:
    found = one(referred(datetime.combine(start, datetime.min.time())), as_of, "closure")
    assert (found.due, found.status) == (due, status)
    if status is S.PAST_PLANNED_DURATION:
        assert found.note == "past planned duration: consider step-down"


@pytest.mark.parametrize("closed", [date(2027, 2, 1), date(2027, 6, 1)],
                         ids=["within-six-months", "after-six-months"])
def test_ff_closed_case_has_no_duration_row(closed: date) -> None:
    events = [*referred(datetime(2026, 8, 31, 10)), ev(FF, "closure", closed, person="FF-0001")]
    assert rows(events, date(2028, 3, 31), "closure") == []


@pytest.mark.parametrize(
    ("feedback_on", "as_of", "status", "kwargs"),
    [
        pytest.param(date(2027, 1, 2), date(2027, 1, 10), S.MET, {}, id="within-14-days"),
        pytest.param(None, date(2027, 1, 4), S.OVERDUE, {}, id="owed-after-closing"),
        pytest.param(None, date(2026, 12, 21), S.DUE_SOON, {}, id="due-soon-after-closing"),
    ],
)
def test_ff_feedback_after_closure(feedback_on: date | None, as_of: date, status: S,
                                   kwargs: dict[str, Any]) -> None:
    events = [*referred(datetime(2026, 9, 1, 9)),
              ev(FF, "closure", date(2026, 12, 20), person="FF-0001"),
              *([ev(FF, "feedback", feedback_on, person="FF-0001")] if feedback_on else [])]
    found = one(events, as_of, "feedback", **kwargs)
    assert (found.due, found.status) == (date(2027, 1, 3), status)


def test_ff_feedback_days_is_a_setting() -> None:
    rule_sets = load_policies(overrides={"feedback_days": 21}).rule_sets()
    events = [*referred(datetime(2026, 9, 1, 9)),
              ev(FF, "closure", date(2026, 12, 20), person="FF-0001")]
    assert one(events, date(2027, 1, 4), "feedback", rule_sets=rule_sets).due == (
        date(2027, 1, 10))


def test_ff_reviews_stop_at_closure() -> None:
    events = [*referred(datetime(2026, 3, 2, 9)),
              ev(FF, "review", date(2026, 3, 9), person="FF-0001"),
              ev(FF, "closure", date(2026, 3, 12), person="FF-0001")]
    assert rows(events, date(2026, 6, 1), "review") == [
        (1, date(2026, 3, 9), S.MET, date(2026, 3, 9))]


# --- Self-directed Support (Scotland) ----------------------------------------------------


@pytest.mark.parametrize(
    ("plan_details", "review_details", "expected"),
    [
        pytest.param({"next_review_date": "2027-06-01"}, {"next_review_date": "2027-11-30"},
                     [(1, date(2027, 6, 1), S.MET, date(2027, 5, 28)),
                      (2, date(2027, 11, 30), S.UPCOMING, None)], id="dates-set-on-the-forms"),
        pytest.param({}, {}, [(1, date(2027, 12, 1), S.MET, date(2027, 5, 28)),
                              (2, date(2028, 5, 28), S.UPCOMING, None)],
                     id="none-set-12-months"),
        pytest.param({"next_review_date": "2026-11-01"}, {},
                     [(1, date(2027, 12, 1), S.MET, date(2027, 5, 28)),
                      (2, date(2028, 5, 28), S.UPCOMING, None)],
                     id="date-before-the-plan-ignored"),
    ],
)
def test_sds_review_by_the_date_set_or_a_year(plan_details: dict[str, str],
                                              review_details: dict[str, str],
                                              expected: list[tuple[Any, ...]]) -> None:
    events = [ev(SDS, "support_plan", date(2026, 12, 1), details=plan_details),
              ev(SDS, "review", date(2027, 5, 28), details=review_details)]
    assert rows(events, date(2027, 6, 2), "review") == expected


def test_sds_review_months_is_a_setting() -> None:
    rule_sets = load_policies(overrides={"sds_review_months": 6}).rule_sets()
    events = [ev(SDS, "support_plan", date(2027, 8, 31))]
    assert rows(events, date(2027, 9, 1), "review", rule_sets=rule_sets) == [
        (1, date(2028, 2, 29), S.UPCOMING, None)]


@pytest.mark.parametrize(
    ("reviewed", "status"),
    [
        pytest.param(date(2027, 2, 2), S.MET, id="within-28-days"),
        pytest.param(date(2027, 2, 3), S.MET_LATE, id="a-day-late"),
        pytest.param(None, S.OVERDUE, id="not-reviewed"),
    ],
)
def test_sds_change_of_circumstances_review(reviewed: date | None, status: S) -> None:
    events = [ev(SDS, "support_plan", date(2026, 6, 1)), ev(SDS, "change", date(2027, 1, 5)),
              *([ev(SDS, "review", reviewed)] if reviewed else [])]
    assert rows(events, date(2027, 2, 10), "change_review") == [
        (1, date(2027, 2, 2), status, reviewed)]


def _with_working_day_rule(tmp_path: Path, nation: str) -> dict[str, Any]:
    """The SDS policy file with one more rule in working days, loaded as a file would be."""
    data = yaml.safe_load((DEFAULT_FORMS_DIR / "services" / "sds.yaml").read_text())
    data["nation"] = nation
    data["obligations"].append({
        "kind": "within_each", "obligation": "acknowledged", "after_event": "change",
        "span": {"unit": "working_days", "count": 1}, "met_by_event": "review"})
    path = tmp_path / "sds.yaml"
    path.write_text(yaml.safe_dump(data))
    return {SDS: load_policy(path).rule_set()}


@pytest.mark.parametrize(
    ("change_on", "nation", "due"),
    [
        pytest.param(date(2026, 11, 27), "scotland", date(2026, 12, 1), id="st-andrews-day"),
        pytest.param(date(2026, 11, 27), "england_and_wales", date(2026, 11, 30),
                     id="st-andrews-day-england"),
        pytest.param(date(2026, 12, 31), "scotland", date(2027, 1, 5), id="2-january-observed"),
        pytest.param(date(2026, 12, 31), "england_and_wales", date(2027, 1, 4),
                     id="new-year-england"),
        pytest.param(date(2027, 3, 25), "scotland", date(2027, 3, 29),
                     id="easter-monday-works-in-scotland"),
        pytest.param(date(2025, 12, 31), "scotland", date(2026, 1, 5), id="2-january-2026"),
    ],
)
def test_a_scottish_service_counts_scotlands_working_days(
    tmp_path: Path, change_on: date, nation: str, due: date
) -> None:
    rule_sets = _with_working_day_rule(tmp_path, nation)
    events = [ev(SDS, "support_plan", date(2025, 6, 1)), ev(SDS, "change", change_on)]
    assert rows(events, change_on, "acknowledged", rule_sets=rule_sets)[0][1] == due


# --- people across services and episodes ---------------------------------------------------


def test_a_woman_moving_from_refuge_to_floating_support_has_two_episodes() -> None:
    person = "SWA-0007"
    events = [
        ev(WOMEN, "referral", date(2027, 1, 4), person=person),
        ev(WOMEN, "start", date(2027, 1, 4), person=person),
        ev(WOMEN, "self_assessment", date(2027, 1, 8), person=person),
        ev(WOMEN, "closure", date(2027, 1, 10), person=person),
        ev(FLOATING, "referral", date(2027, 1, 11), person=person),
        ev(FLOATING, "start", date(2027, 1, 11), person=person),
    ]
    found = compute_obligations(events, date(2027, 1, 30))
    assert {(o.service, o.obligation, o.status) for o in found} == {
        (WOMEN, "self_assessment", S.MET),
        (FLOATING, "self_assessment", S.OVERDUE),
        (FLOATING, "support_plan", S.OVERDUE),
    }


def test_referred_again_after_closing_is_a_new_episode() -> None:
    events = [
        ev(CS, "referral", date(2026, 1, 5)), ev(CS, "start", date(2026, 1, 5)),
        ev(CS, "closure", date(2026, 2, 10)),
        ev(CS, "referral", date(2026, 6, 1)), ev(CS, "start", date(2026, 6, 1)),
        ev(CS, "support_plan", date(2026, 6, 20)),
    ]
    found = compute_obligations(events, date(2026, 7, 20))
    assert [(o.episode, o.obligation, o.due, o.status) for o in found] == [
        (1, "support_plan", date(2026, 2, 2), S.MISSED),
        (2, "support_plan", date(2026, 6, 29), S.MET),
        (2, "first_review", date(2026, 7, 13), S.OVERDUE),
    ]


def test_a_family_is_one_episode_whatever_the_number_of_children() -> None:
    events = [*referred(datetime(2026, 3, 2, 9), person="FF-0002"),
              *referred(datetime(2026, 3, 2, 9), person="FF-0003")]
    found = compute_obligations(events, date(2026, 3, 3))
    assert sorted({(o.person_id, o.episode) for o in found}) == [("FF-0002", 1),
                                                                  ("FF-0003", 1)]
