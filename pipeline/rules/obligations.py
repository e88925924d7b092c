"""Obligations for every episode, as of a date: the rules engine's entry point.

    events ──group by (person, service)──▶ episode ──rules──▶ drafts ──closure, status──▶
    Obligation rows, sorted by (person_id, service, due, obligation, cycle)

Events dated after the as-of date are ignored entirely, so a run "as of" a past date
sees exactly what was known then. The result never depends on the order of the events.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from pipeline.records import Event, Obligation
from pipeline.rules.calendar import Nation
from pipeline.rules.evaluate import Draft, evaluate_rule
from pipeline.rules.events import first_fact, latest_value, sorted_events
from pipeline.rules.status import DEFAULT_DUE_SOON_DAYS, status_for
from pipeline.rules.vocabulary import (
    CalendarDays,
    CalendarMonths,
    Recurring,
    RuleSet,
    Weeks,
    Within,
    WithinEach,
    WorkingDays,
)

COMMUNITY_SUPPORT = "community-support"

# Policy default (policies.md, community-support): Part 2 within 10 working days.
DEFAULT_PART2_WORKING_DAYS = 10


def community_support_rules(*, part2_working_days: int = DEFAULT_PART2_WORKING_DAYS) -> RuleSet:
    """The ``community-support`` rules (seed 004, England and Wales).

    - ``support_plan``: a complete plan within 28 days of the ``start`` event;
    - ``first_review``: a complete review within 6 weeks of ``start``;
    - ``review``: from the first complete review, a review at least every 6 months;
    - ``review_part2``: for each complete review (Part 1), a Part 2 within
      ``part2_working_days`` working days, linked by its ``review_date`` detail.
    """
    return RuleSet(
        service=COMMUNITY_SUPPORT,
        nation=Nation.ENGLAND_AND_WALES,
        rules=(
            Within(
                obligation="support_plan",
                after_event="start",
                span=CalendarDays(count=28),
                met_by_event="support_plan",
            ),
            Within(
                obligation="first_review",
                after_event="start",
                span=Weeks(count=6),
                met_by_event="review",
            ),
            Recurring(
                obligation="review",
                anchor_event="review",
                every=CalendarMonths(count=6),
                met_by_event="review",
            ),
            WithinEach(
                obligation="review_part2",
                after_event="review",
                span=WorkingDays(count=part2_working_days),
                met_by_event="review_part2",
                link_detail="review_date",
            ),
        ),
    )


def default_rule_sets() -> dict[str, RuleSet]:
    """The rule sets built in so far, keyed by service id (policy defaults throughout)."""
    return {COMMUNITY_SUPPORT: community_support_rules()}


def compute_obligations(
    events: Iterable[Event],
    as_of: date,
    *,
    due_soon_days: int = DEFAULT_DUE_SOON_DAYS,
    rule_sets: Mapping[str, RuleSet] | None = None,
) -> list[Obligation]:
    """Every obligation of every episode as of ``as_of``, with its status.

    Events are grouped by (person_id, service); a service without a rule set (in
    ``rule_sets``, default :func:`default_rule_sets`) yields nothing. Events dated after
    ``as_of`` are ignored. The list is sorted by (person_id, service, due, obligation,
    cycle) and is the same for any order of ``events``. Raises ``ValueError`` if
    ``due_soon_days`` is negative.
    """
    if due_soon_days < 0:
        raise ValueError(f"due_soon_days must be 0 or more, got {due_soon_days}")
    known_rule_sets = default_rule_sets() if rule_sets is None else rule_sets
    episodes: defaultdict[tuple[str, str], list[Event]] = defaultdict(list)
    for event in events:
        if event.on <= as_of and event.service in known_rule_sets:
            episodes[(event.person_id, event.service)].append(event)
    obligations = [
        obligation
        for (_, service), episode_events in episodes.items()
        for obligation in episode_obligations(
            sorted_events(episode_events), as_of, known_rule_sets[service], due_soon_days
        )
    ]
    return sorted(obligations, key=_report_order)


def episode_obligations(
    events: Sequence[Event], as_of: date, rule_set: RuleSet, due_soon_days: int
) -> list[Obligation]:
    """The obligations of one episode: ``events`` of one person in one service.

    ``events`` must be sorted (:func:`pipeline.rules.events.sorted_events`) and dated on
    or before ``as_of``. If the episode closed, an obligation falling due after the
    closure is left out unless it was met all the same; one that fell due before it and
    was never met is ``missed``.
    """
    if not events:
        return []
    closure = first_fact(events, rule_set.closure_event)
    closed_on = closure.on if closure is not None else None
    worker = latest_value(events, "worker")
    team = latest_value(events, "team")
    obligations: list[Obligation] = []
    for rule in rule_set.rules:
        for draft in evaluate_rule(rule, events, rule_set.nation):
            if _ended_before_due(draft, closed_on):
                continue
            met_on = draft.met_by.on if draft.met_by is not None else None
            obligations.append(
                Obligation(
                    person_id=events[0].person_id,
                    service=events[0].service,
                    obligation=draft.obligation,
                    due=draft.due,
                    status=status_for(draft.due, met_on, as_of, due_soon_days, closed_on),
                    met_on=met_on,
                    worker=worker,
                    team=team,
                    source=(draft.met_by or draft.trigger).source,
                    cycle=draft.cycle,
                )
            )
    return obligations


def _ended_before_due(draft: Draft, closed_on: date | None) -> bool:
    # An unmet obligation that would only fall due after the episode closed was never
    # owed. A met one is kept: dropping it would hide work that was done on time.
    return draft.met_by is None and closed_on is not None and draft.due > closed_on


def _report_order(obligation: Obligation) -> tuple[str, str, date, str, int]:
    return (
        obligation.person_id,
        obligation.service,
        obligation.due,
        obligation.obligation,
        obligation.cycle,
    )
