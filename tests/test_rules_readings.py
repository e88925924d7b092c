"""Deadlines as the policies mean them (issue 14), with dates worked out by hand.

Calendar used (England and Wales unless said; cross-checked in test_rules_services):
  2026: Tue 2 Jun; Fri 25 Dec, Mon 28 Dec bank holidays; 2027: Fri 1 Jan.
  Month ends: 31 Aug 2026 + 6 months = 28 Feb 2027, + 12 months = 31 Aug 2027;
  31 Aug 2027 + 6 months = 29 Feb 2028 (leap year); 31 Jan 2027 + 1 month = 28 Feb.
  British Summer Time: 21:30 UTC on Wed 1 Jul 2026 is 22:30 in London.

Worked examples:
  weekly refuge reviews after a plan on Tue 2 Jun 2026, a review on Sat 20 Jun: slots 9
    Jun (missed), 16 Jun (met late on 20 Jun), then 27 Jun.
  six-monthly community reviews after 31 Aug 2026, the next on 1 Sep 2027: 28 Feb 2027
    missed, 31 Aug 2027 (not 28 Aug) met late, then 1 Mar 2028.
  monthly children's reviews after a plan on 31 Jan 2027, held on each due date: 28 Feb,
    31 Mar, 30 Apr; after 31 Jan 2028: 29 Feb, 31 Mar.
  a child listed on her mother's referral (arrival Thu 17 Dec 2026): child referral and
    self-assessment by Thu 24 Dec, plan by Tue 29 Dec.
  a disclaimer withdrawn on Fri 10 Mar 2028: plan by Fri 7 Apr 2028; withdrawn Tue 1 Feb
    2028: plan by Tue 29 Feb 2028.
  a Part 1 on Mon 21 Dec 2026, closure Wed 23 Dec: Part 2 still due Thu 7 Jan 2027.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from pipeline.definitions import DEFAULT_FORMS_DIR, Catalogue
from pipeline.policies import load_policies
from pipeline.records import Event, ObligationStatus
from pipeline.rules import compute_obligations
from pipeline.rules.listing import listing_disagreements

S = ObligationStatus
WOMEN, CHILDREN, FLOATING = "swa-refuge-women", "swa-refuge-children", "swa-floating"
HIL, FF, CS = "medway-hil", "families-first", "community-support"

Row = tuple[int, date, S, date | None]


def ev(service: str, kind: str, on: date, *, person: str = "P1", **fields: Any) -> Event:
    return Event(person_id=person, service=service, kind=kind, on=on, **fields)


def rows(events: list[Event], as_of: date, name: str, *, person: str | None = None,
         **kwargs: Any) -> list[Row]:
    """(cycle, due, status, met_on) of one obligation (of one person), in order."""
    return [(o.cycle, o.due, o.status, o.met_on)
            for o in compute_obligations(events, as_of, **kwargs)
            if o.obligation == name and (person is None or o.person_id == person)]


# --- 1. every missed review counts -------------------------------------------------------

def refuge_plan(on: date, *extra: Event) -> list[Event]:
    return [ev(WOMEN, "start", date(2026, 5, 20)), ev(WOMEN, "support_plan", on), *extra]


@pytest.mark.parametrize(
    ("reviews", "as_of", "expected"),
    [
        pytest.param([date(2026, 6, 20)], date(2026, 6, 21), [
            (1, date(2026, 6, 9), S.MISSED, None),
            (2, date(2026, 6, 16), S.MET_LATE, date(2026, 6, 20)),
            (3, date(2026, 6, 27), S.DUE_SOON, None)], id="issue-example-9-missed-16-late"),
        pytest.param([], date(2026, 6, 15), [
            (1, date(2026, 6, 9), S.OVERDUE, None)], id="one-slot-overdue"),
        pytest.param([], date(2026, 6, 16), [
            (1, date(2026, 6, 9), S.MISSED, None),
            (2, date(2026, 6, 16), S.DUE_SOON, None)], id="slot-on-the-as-of-date"),
        pytest.param([date(2026, 6, 16)], date(2026, 6, 16), [
            (1, date(2026, 6, 9), S.MISSED, None),
            (2, date(2026, 6, 16), S.MET, date(2026, 6, 16)),
            (3, date(2026, 6, 23), S.DUE_SOON, None)], id="review-on-the-as-of-slot"),
        pytest.param([], date(2026, 7, 1), [
            (1, date(2026, 6, 9), S.MISSED, None),
            (2, date(2026, 6, 16), S.MISSED, None),
            (3, date(2026, 6, 23), S.MISSED, None),
            (4, date(2026, 6, 30), S.OVERDUE, None)], id="three-weeks-missed"),
        pytest.param([date(2026, 6, 5)], date(2026, 6, 6), [
            (1, date(2026, 6, 9), S.MET, date(2026, 6, 5)),
            (2, date(2026, 6, 12), S.DUE_SOON, None)], id="early-review-restarts"),
    ],
)
def test_weekly_review_slots(reviews: list[date], as_of: date, expected: list[Row]) -> None:
    events = refuge_plan(date(2026, 6, 2), *(ev(WOMEN, "review", d) for d in reviews))
    assert rows(events, as_of, "review") == expected


def test_missed_slots_stop_at_the_closure() -> None:
    events = refuge_plan(date(2026, 6, 2), ev(WOMEN, "closure", date(2026, 6, 20)))
    assert rows(events, date(2026, 9, 1), "review") == [
        (1, date(2026, 6, 9), S.MISSED, None), (2, date(2026, 6, 16), S.MISSED, None)]


def community(*reviews: date) -> list[Event]:
    return [ev(CS, "referral", date(2026, 7, 20)), ev(CS, "start", date(2026, 7, 20)),
            *(ev(CS, "review", d) for d in reviews)]


def test_six_monthly_gap_of_a_year_misses_one_and_keeps_the_month_end() -> None:
    assert rows(community(date(2026, 8, 31), date(2027, 9, 1)), date(2027, 9, 2), "review") == [
        (1, date(2027, 2, 28), S.MISSED, None),
        (2, date(2027, 8, 31), S.MET_LATE, date(2027, 9, 1)),
        (3, date(2028, 3, 1), S.UPCOMING, None)]


def test_missed_slots_count_against_the_on_time_rate() -> None:
    found = compute_obligations(refuge_plan(date(2026, 6, 2), ev(WOMEN, "review",
                                                                date(2026, 6, 20))),
                                date(2026, 6, 21))
    reviews = [o.status for o in found if o.obligation == "review"]
    assert reviews.count(S.MISSED) == 1 and reviews.count(S.MET_LATE) == 1


# --- 2. monthly reviews do not drift ------------------------------------------------------

def child_plan(on: date, *reviews: date) -> list[Event]:
    return [ev(CHILDREN, "start", on), ev(CHILDREN, "support_plan", on),
            *(ev(CHILDREN, "review", d) for d in reviews)]


@pytest.mark.parametrize(
    ("plan", "reviews", "as_of", "expected"),
    [
        pytest.param(date(2027, 1, 31), [date(2027, 2, 28), date(2027, 3, 31)],
                     date(2027, 4, 1), [
                         (1, date(2027, 2, 28), S.MET, date(2027, 2, 28)),
                         (2, date(2027, 3, 31), S.MET, date(2027, 3, 31)),
                         (3, date(2027, 4, 30), S.UPCOMING, None)], id="31-jan-28-feb-31-mar"),
        pytest.param(date(2028, 1, 31), [date(2028, 2, 29)], date(2028, 3, 1), [
            (1, date(2028, 2, 29), S.MET, date(2028, 2, 29)),
            (2, date(2028, 3, 31), S.UPCOMING, None)], id="leap-year-29-feb-then-31-mar"),
        pytest.param(date(2027, 1, 31), [date(2027, 2, 27)], date(2027, 3, 1), [
            (1, date(2027, 2, 28), S.MET, date(2027, 2, 27)),
            (2, date(2027, 3, 27), S.UPCOMING, None)], id="early-review-sets-a-new-day"),
        pytest.param(date(2027, 1, 31), [], date(2027, 4, 1), [
            (1, date(2027, 2, 28), S.MISSED, None),
            (2, date(2027, 3, 31), S.OVERDUE, None)], id="missed-slot-keeps-the-day"),
    ],
)
def test_monthly_children_reviews_keep_the_day(plan: date, reviews: list[date], as_of: date,
                                               expected: list[Row]) -> None:
    assert rows(child_plan(plan, *reviews), as_of, "review") == expected


# --- 3. children in the refuge never vanish -----------------------------------------------

ARRIVAL = date(2026, 12, 17)


def mother(*children: str, person: str = "W1", closed: date | None = None) -> list[Event]:
    listed = [{"person_id": c, "name": f"Child {c}", "date_of_birth": "2019-05-01"}
              for c in children]
    return [ev(WOMEN, "referral", ARRIVAL, person=person),
            ev(WOMEN, "start", ARRIVAL, person=person, worker="Ann",
               details={"children_with_her": listed}),
            *([ev(WOMEN, "closure", closed, person=person)] if closed else [])]


@pytest.mark.parametrize(
    ("name", "due"),
    [
        pytest.param("child_referral", date(2026, 12, 24), id="child-referral-a-week"),
        pytest.param("self_assessment", date(2026, 12, 24), id="self-assessment-a-week"),
        pytest.param("support_plan", date(2026, 12, 29), id="plan-over-christmas"),
    ],
)
def test_a_listed_child_with_no_forms_has_deadlines(name: str, due: date) -> None:
    assert rows(mother("C1"), date(2027, 1, 4), name, person="C1") == [
        (0, due, S.OVERDUE, None)]


def test_a_listed_child_is_shown_with_her_keyworker_until_theirs_is_known() -> None:
    [found] = [o for o in compute_obligations(mother("C1"), date(2027, 1, 4))
               if o.person_id == "C1" and o.obligation == "child_referral"]
    assert (found.service, found.worker) == (CHILDREN, "Ann")


def test_a_late_child_referral_is_late_from_her_arrival() -> None:
    # The child's own form says support started when it was written: her arrival wins.
    child = [ev(CHILDREN, "referral", date(2026, 12, 30), person="C1",
                details={"mother_person_id": "W1"}),
             ev(CHILDREN, "start", date(2026, 12, 30), person="C1",
                details={"mother_person_id": "W1"})]
    assert rows([*mother("C1"), *child], date(2027, 1, 4), "child_referral", person="C1") == [
        (0, date(2026, 12, 24), S.MET_LATE, date(2026, 12, 30))]


def test_listed_children_leave_with_her() -> None:
    events = mother("C1", "C2", closed=date(2027, 1, 10))
    for child in ("C1", "C2"):
        assert rows(events, date(2027, 2, 1), "self_assessment", person=child) == [
            (0, date(2026, 12, 24), S.MISSED, None)]
        assert rows(events, date(2027, 2, 1), "review", person=child) == []


def test_a_child_named_by_no_listing_or_another_mother_is_a_finding() -> None:
    child = [ev(CHILDREN, "start", ARRIVAL, person="C1", source="c1.docx",
                details={"mother_person_id": "W2"}),
             ev(CHILDREN, "start", ARRIVAL, person="C3", details={"mother_person_id": "W1"})]
    found = listing_disagreements([*mother("C1"), *child], load_policies().rule_sets())
    assert [(d.child, d.named_mother, d.listed_by) for d in found] == [
        ("C1", "W2", ("W1",)), ("C3", "W1", ())]
    assert "names W2 as mother" in found[0].message()


def test_agreeing_links_are_no_finding() -> None:
    child = [ev(CHILDREN, "start", ARRIVAL, person="C1", details={"mother_person_id": "W1"})]
    assert listing_disagreements([*mother("C1"), *child], load_policies().rule_sets()) == []


# --- 4. the refuge plan counts from arrival -----------------------------------------------

def test_a_childs_plan_is_due_without_a_self_assessment() -> None:
    events = [ev(CHILDREN, "start", date(2028, 2, 22)), ev(CHILDREN, "referral",
                                                            date(2028, 2, 22))]
    # Self-assessment due Tue 29 Feb 2028 (leap day): plan by Sun 5 Mar.
    assert rows(events, date(2028, 3, 6), "support_plan") == [
        (0, date(2028, 3, 5), S.OVERDUE, None)]


# --- 5. a withdrawn disclaimer restarts the clock -----------------------------------------

def resident(*events: Event, start: date = date(2028, 1, 31)) -> list[Event]:
    return [ev(HIL, "referral", start, details={"disclaimer": True}), ev(HIL, "start", start),
            *events]


def withdrawn(on: date) -> Event:
    return ev(HIL, "change", on, details={"disclaimer": "withdrawn"})


@pytest.mark.parametrize(
    ("withdrawn_on", "plan_on", "as_of", "latest"),
    [
        pytest.param(date(2028, 3, 10), None, date(2028, 4, 8),
                     (1, date(2028, 4, 7), S.OVERDUE, None), id="four-weeks-after-withdrawal"),
        pytest.param(date(2028, 3, 10), date(2028, 4, 7), date(2028, 4, 8),
                     (1, date(2028, 4, 7), S.MET, date(2028, 4, 7)), id="plan-on-the-day"),
        pytest.param(date(2028, 2, 1), None, date(2028, 2, 29),
                     # The day after moving in: the first plan was never owed (cycle 0).
                     (0, date(2028, 2, 29), S.DUE_SOON, None), id="leap-day-on-the-as-of-date"),
    ],
)
def test_withdrawn_disclaimer_plan_within_four_weeks(withdrawn_on: date, plan_on: date | None,
                                                     as_of: date, latest: Row) -> None:
    plan = [ev(HIL, "support_plan", plan_on)] if plan_on else []
    found = rows(resident(withdrawn(withdrawn_on), *plan), as_of, "support_plan")
    assert found[-1] == latest
    # Before the withdrawal, the plan was not owed.
    assert all(row[2] is S.NOT_APPLICABLE for row in found[:-1])


def test_withdrawn_disclaimer_then_reviews_from_the_new_plan() -> None:
    events = resident(withdrawn(date(2028, 3, 10)),
                      ev(HIL, "support_plan", date(2028, 3, 31),
                         details={"review_frequency": "six_months"}))
    assert rows(events, date(2028, 4, 1), "review") == [
        (1, date(2028, 9, 30), S.UPCOMING, None)]


def test_reviews_while_a_disclaimer_is_in_place_are_one_not_applicable_row() -> None:
    events = [ev(HIL, "referral", date(2026, 8, 1), details={"disclaimer": False}),
              ev(HIL, "start", date(2026, 8, 1)),
              ev(HIL, "support_plan", date(2026, 8, 31),
                 details={"review_frequency": "six_months"}),
              ev(HIL, "change", date(2026, 10, 1), details={"disclaimer": "in_place"})]
    found = [o for o in compute_obligations(events, date(2028, 1, 1)) if o.obligation == "review"]
    assert [(o.due, o.status, o.note) for o in found] == [
        (date(2027, 8, 31), S.NOT_APPLICABLE, "disclaimer in place")]


# --- 6. Families First: TAC reviews, statutory cases, planned duration --------------------

def family(legal_status: str | None, *extra: Event) -> list[Event]:
    at = datetime(2026, 6, 1, 10)
    return [ev(FF, "referral", at.date(), at=at, details={"legal_status": legal_status}),
            ev(FF, "start", at.date()), *extra]


@pytest.mark.parametrize(
    "legal_status", ["child_protection", "looked_after"], ids=["child-protection", "looked-after"])
def test_statutory_families_review_is_not_applicable_with_the_reason(legal_status: str) -> None:
    found = [o for o in compute_obligations(family(legal_status), date(2026, 9, 1))
             if o.obligation == "review"]
    assert [(o.status, o.note) for o in found] == [
        (S.NOT_APPLICABLE, "statutory review process (child protection or looked after)")]


@pytest.mark.parametrize(
    "legal_status", ["child_in_need", "edge_of_care", None],
    ids=["child-in-need", "edge-of-care", "not-stated"])
def test_tac_families_are_reviewed_weekly(legal_status: str | None) -> None:
    assert rows(family(legal_status, ev(FF, "review", date(2026, 6, 8))), date(2026, 6, 16),
                "review") == [(1, date(2026, 6, 8), S.MET, date(2026, 6, 8)),
                              (2, date(2026, 6, 15), S.OVERDUE, None)]


def test_past_planned_duration_is_shown_but_never_overdue() -> None:
    found = [o for o in compute_obligations(family("child_in_need"), date(2026, 12, 1))
             if o.obligation == "closure"]
    assert [(o.due, o.status, o.note) for o in found] == [
        (date(2026, 12, 1), S.PAST_PLANNED_DURATION, "past planned duration: consider step-down")]


# --- 7. every review frequency offered has its effect -------------------------------------

PLAN_ON = date(2027, 8, 31)
# (service, choice) -> the first review due after a plan (community support: after the
# first review) on Tue 31 Aug 2027.
EXPECTED_FIRST_DUE = {
    (CS, "six_weeks"): date(2027, 10, 12),
    (CS, "three_months"): date(2027, 11, 30),
    (CS, "six_months"): date(2028, 2, 29),
    (HIL, "six_months"): date(2028, 2, 29),
    (HIL, "twelve_months"): date(2028, 8, 31),
    (FLOATING, "weekly"): date(2027, 9, 7),
    (FLOATING, "fortnightly"): date(2027, 9, 14),
    (FLOATING, "monthly"): date(2027, 9, 30),
}


def offered_frequencies() -> list[tuple[str, str]]:
    catalogue = Catalogue.load(DEFAULT_FORMS_DIR)
    plan = catalogue.get("support-plan")
    offered = []
    for service in plan.services:
        for field in plan.for_service(service).fields:
            if field.key == "review_frequency":
                offered += [(service, choice.value) for choice in field.choices]
    return offered


def test_every_frequency_offered_is_in_the_table() -> None:
    assert sorted(offered_frequencies()) == sorted(EXPECTED_FIRST_DUE)


@pytest.mark.parametrize(("service", "choice"), offered_frequencies(),
                         ids=[f"{s}-{c}" for s, c in offered_frequencies()])
def test_each_review_frequency_drives_the_review_chain(service: str, choice: str) -> None:
    events = [ev(service, "referral", date(2027, 8, 20)), ev(service, "start", date(2027, 8, 20)),
              ev(service, "support_plan", PLAN_ON, details={"review_frequency": choice})]
    if service == CS:
        events.append(ev(service, "review", PLAN_ON))
    [(_, due, status, _)] = rows(events, PLAN_ON, "review", due_soon_days=0)
    assert (due, status) == (EXPECTED_FIRST_DUE[service, choice], S.UPCOMING)


# --- 10. out-of-hours referrals -----------------------------------------------------------

@pytest.mark.parametrize(
    ("received", "due"),
    [
        pytest.param(datetime(2026, 12, 18, 21, 59), date(2026, 12, 18), id="before-10pm"),
        pytest.param(datetime(2026, 12, 18, 22, 0), date(2026, 12, 19), id="at-10pm-next-day"),
        pytest.param(datetime(2026, 12, 19, 6, 30), date(2026, 12, 19), id="before-8am-same-day"),
        pytest.param(datetime(2026, 12, 31, 23, 30), date(2027, 1, 1),
                     id="new-years-eve-to-bank-holiday"),
        pytest.param(datetime(2028, 2, 28, 23, 0), date(2028, 2, 29), id="leap-day"),
        pytest.param(datetime(2026, 7, 1, 21, 30, tzinfo=UTC), date(2026, 7, 2),
                     id="bst-2130-utc-is-2230"),
    ],
)
def test_out_of_hours_referral_counts_from_the_next_opening(received: datetime,
                                                            due: date) -> None:
    events = [ev(FF, "referral", received.date(), at=received,
                 details={"immediate_response": False})]
    assert rows(events, due, "sw_contact") == [(0, due, S.DUE_SOON, None)]


def test_immediate_response_keeps_the_two_hour_clock_at_night() -> None:
    received = datetime(2026, 12, 18, 23, 0)
    events = [ev(FF, "referral", received.date(), at=received,
                 details={"immediate_response": True})]
    [found] = [o for o in compute_obligations(events, date(2026, 12, 19))
               if o.obligation == "sw_contact"]
    assert found.due_at is not None
    assert (found.due, found.due_at.hour) == (date(2026, 12, 19), 1)


def test_opening_hours_are_a_policy_default() -> None:
    rule_sets = load_policies(overrides={"team_closes_hour": 20}).rule_sets()
    received = datetime(2026, 12, 18, 21, 0)
    events = [ev(FF, "referral", received.date(), at=received)]
    assert [row[1] for row in rows(events, date(2026, 12, 18), "sw_contact",
                                   rule_sets=rule_sets)] == [date(2026, 12, 19)]


# --- 11. obligations owed after closure ---------------------------------------------------

def test_part2_due_after_the_closure_is_still_owed() -> None:
    events = [*community(date(2026, 12, 21)), ev(CS, "closure", date(2026, 12, 23))]
    assert rows(events, date(2027, 1, 8), "review_part2") == [
        (1, date(2027, 1, 7), S.OVERDUE, None)]
    done = [*events, ev(CS, "review_part2", date(2027, 1, 7),
                        details={"review_date": "2026-12-21"})]
    assert rows(done, date(2027, 1, 8), "review_part2") == [
        (1, date(2027, 1, 7), S.MET, date(2027, 1, 7))]


def test_hard_copy_requested_before_moving_out_is_still_owed() -> None:
    events = [ev(HIL, "referral", date(2026, 6, 1)), ev(HIL, "start", date(2026, 6, 1)),
              ev(HIL, "copy_request", date(2026, 12, 24)),
              ev(HIL, "closure", date(2026, 12, 28))]
    assert rows(events, date(2027, 1, 6), "hard_copy") == [
        (1, date(2027, 1, 5), S.OVERDUE, None)]


def test_reviews_are_not_owed_after_the_closure() -> None:
    events = [*community(date(2026, 12, 21)), ev(CS, "closure", date(2026, 12, 23))]
    assert rows(events, date(2027, 9, 1), "review") == []
