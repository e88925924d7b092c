"""Turning one rule and one episode's events into dated obligations (before status).

Each function here reads events already filtered to the as-of date and sorted by
:func:`pipeline.rules.events.event_order_key`; it returns :class:`Draft` obligations
saying what is due when, which event set the clock going and which event (if any) met
it. Closure, exemption and status are applied afterwards, the same way for every rule.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from itertools import pairwise
from typing import Any

from pipeline.records import Event
from pipeline.rules.calendar import LONDON, Nation, london_date
from pipeline.rules.events import detail_date, earliest, first_fact, of_kind, one_per_date
from pipeline.rules.vocabulary import (
    ByDate,
    ChosenSpan,
    Condition,
    Hours,
    Recurring,
    Rule,
    Span,
    Timing,
    Within,
    WithinEach,
    normalise_value,
)


@dataclass(frozen=True, slots=True)
class Draft:
    """An obligation before closure and status: what, which cycle, when, and by what.

    ``due_at`` is set only for a deadline in hours from a known time (Europe/London).
    """

    obligation: str
    cycle: int
    due: date
    trigger: Event
    met_by: Event | None
    due_at: datetime | None = None


def evaluate_rule(rule: Rule, events: Sequence[Event], nation: Nation) -> list[Draft]:
    """The obligations ``rule`` creates from one episode's sorted ``events``."""
    match rule:
        case Within():
            return _within(rule, events, nation)
        case WithinEach():
            return _within_each(rule, events, nation)
        case Recurring():
            return _recurring(rule, events, nation)
        case ByDate():
            return _by_date(rule, events)


def meeting_events(rule: Rule, events: Sequence[Event]) -> list[Event]:
    """The complete events of ``rule``'s meeting kinds, keeping the incoming order."""
    kinds = rule.meeting_kinds
    return [e for e in events if e.kind in kinds and e.complete]


def latest_detail(events: Sequence[Event], key: str, until: date) -> Any:
    """``details[key]`` of the latest event dated on or before ``until`` that has one.

    ``events`` are sorted; an empty value (``None``, blank text) does not count, so a
    review that leaves a plan's choice blank does not undo it. ``None`` if none has one.
    """
    for event in reversed(events):
        if event.on <= until and normalise_value(event.details.get(key)) != "":
            return event.details[key]
    return None


def holds(condition: Condition, events: Sequence[Event], on: date) -> bool:
    """Whether ``condition`` holds on ``on`` (see :class:`Condition`)."""
    value = latest_detail(events, condition.detail, on)
    return value is not None and normalise_value(value) in condition.is_one_of


def span_for(timing: Timing, events: Sequence[Event], clock_day: date) -> Span:
    """The span a rule's timing means for a clock starting on ``clock_day``."""
    if not isinstance(timing, ChosenSpan):
        return timing
    value = normalise_value(latest_detail(events, timing.choose_by, clock_day))
    return timing.cases.get(value, timing.otherwise)


def due_after(
    timing: Timing, start: Event, events: Sequence[Event], nation: Nation
) -> tuple[date, datetime | None]:
    """When something is due after ``start``: a date, and a London time for hours."""
    span = span_for(timing, events, start.on)
    if isinstance(span, Hours) and start.at is not None:
        moment = span.after_moment(start.at)
        return london_date(moment), moment
    return span.after(start.on, nation), None


def _within(rule: Within, events: Sequence[Event], nation: Nation) -> list[Draft]:
    trigger = first_fact(events, rule.after_event)
    if trigger is None:
        return []
    candidates = meeting_events(rule, events)
    due, due_at = due_after(rule.span, trigger, events, nation)
    return [
        Draft(
            obligation=rule.obligation,
            cycle=0,
            due=due,
            due_at=due_at,
            trigger=trigger,
            met_by=candidates[0] if candidates else None,
        )
    ]


def _within_each(rule: WithinEach, events: Sequence[Event], nation: Nation) -> list[Draft]:
    triggers = one_per_date(of_kind(events, rule.after_event, complete_only=True))
    pairs = pair_follow_ups(triggers, meeting_events(rule, events), rule.link_detail)
    drafts = []
    for number, (trigger, follow_up) in enumerate(zip(triggers, pairs, strict=True), 1):
        due, due_at = due_after(rule.span, trigger, events, nation)
        drafts.append(Draft(obligation=rule.obligation, cycle=number, due=due, due_at=due_at,
                            trigger=trigger, met_by=follow_up))
    return drafts


def pair_follow_ups(
    triggers: Sequence[Event], candidates: Sequence[Event], link_detail: str | None
) -> list[Event | None]:
    """For each trigger (in order), the follow-up event that answers it, or None.

    Each candidate answers at most one trigger. First, a candidate whose
    ``details[link_detail]`` names a trigger's date answers it (the earliest such
    candidate, when several do). Then each trigger still unanswered, in date order, takes
    the earliest unused candidate dated on or after it.
    """
    answers: list[Event | None] = [None] * len(triggers)
    unused = list(candidates)
    if link_detail is not None:
        for index, trigger in enumerate(triggers):
            answers[index] = _claim(unused, partial(_names_date, link_detail, trigger.on))
    for index, trigger in enumerate(triggers):
        if answers[index] is None:
            answers[index] = _claim(unused, partial(_dated_on_or_after, trigger.on))
    return answers


def _claim(unused: list[Event], fits: Callable[[Event], bool]) -> Event | None:
    # Removes the claimed event so that no other trigger can be answered by it.
    for position, candidate in enumerate(unused):
        if fits(candidate):
            return unused.pop(position)
    return None


def _names_date(link_detail: str, day: date, candidate: Event) -> bool:
    return detail_date(candidate, link_detail) == day


def _dated_on_or_after(day: date, candidate: Event) -> bool:
    return candidate.on >= day


def _recurring(rule: Recurring, events: Sequence[Event], nation: Nation) -> list[Draft]:
    candidates = meeting_events(rule, events)
    starts = list(candidates)
    if rule.anchor_event not in rule.meeting_kinds:
        fact = first_fact(events, rule.anchor_event)
        if fact is not None:
            starts.append(fact)
    if not starts:
        return []
    previous = earliest(starts)
    dates = [e.on for e in candidates]
    in_date_order = all(a <= b for a, b in pairwise(dates))
    drafts: list[Draft] = []
    while True:
        # Strictly after: a second copy dated the same day is the same review, not the
        # next one. Dates strictly increase, so the chain ends.
        met_by = _first_after(candidates, dates, previous.on, in_date_order)
        due, due_at = _next_due(rule, previous, events, nation)
        drafts.append(
            Draft(
                obligation=rule.obligation,
                cycle=len(drafts) + 1,
                due=due,
                due_at=due_at,
                trigger=previous,
                met_by=met_by,
            )
        )
        if met_by is None:
            return drafts
        previous = met_by


def _first_after(candidates: Sequence[Event], dates: list[date], day: date,
                 in_date_order: bool) -> Event | None:
    """The first candidate dated after ``day``: found by bisection when they are in date
    order (as sorted events are), so a long chain of weekly reviews stays linear."""
    if in_date_order:
        position = bisect_right(dates, day)
        return candidates[position] if position < len(candidates) else None
    return next((e for e in candidates if e.on > day), None)


def _next_due(
    rule: Recurring, previous: Event, events: Sequence[Event], nation: Nation
) -> tuple[date, datetime | None]:
    if rule.due_by_detail is not None:
        named = detail_date(previous, rule.due_by_detail)
        # A "next review date" on or before the review itself is a slip of the pen.
        if named is not None and named > previous.on:
            return named, None
    return due_after(rule.every, previous, events, nation)


def _by_date(rule: ByDate, events: Sequence[Event]) -> list[Draft]:
    carriers = [e for e in events if detail_date(e, rule.date_detail) is not None]
    if not carriers:
        return []
    trigger = carriers[-1]
    due = detail_date(trigger, rule.date_detail)
    assert due is not None
    candidates = meeting_events(rule, events)
    return [Draft(obligation=rule.obligation, cycle=0, due=due, trigger=trigger,
                  met_by=candidates[0] if candidates else None)]


def met_in_time(draft: Draft) -> bool | None:
    """For a deadline in hours: whether the meeting event's time was in time.

    ``None`` when that cannot be told from times (no deadline time, not met, or the
    meeting event has no time): the dates decide instead.
    """
    if draft.due_at is None or draft.met_by is None or draft.met_by.at is None:
        return None
    at = draft.met_by.at
    aware = at if at.tzinfo is not None else at.replace(tzinfo=LONDON)
    return aware <= draft.due_at
