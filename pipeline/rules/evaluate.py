"""Turning one rule and one episode's events into dated obligations (before status).

Each function here reads events already filtered to the as-of date and sorted by
:func:`pipeline.rules.events.event_order_key`; it returns :class:`Draft` obligations
saying what is due when, which event set the clock going and which event (if any) met
it. Closure and status are applied afterwards, the same way for every rule.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial

from pipeline.records import Event
from pipeline.rules.calendar import Nation
from pipeline.rules.events import detail_date, first_fact, of_kind, one_per_date
from pipeline.rules.vocabulary import Recurring, Rule, Within, WithinEach


@dataclass(frozen=True, slots=True)
class Draft:
    """An obligation before closure and status: what, which cycle, when, and by what."""

    obligation: str
    cycle: int
    due: date
    trigger: Event
    met_by: Event | None


def evaluate_rule(rule: Rule, events: Sequence[Event], nation: Nation) -> list[Draft]:
    """The obligations ``rule`` creates from one episode's sorted ``events``."""
    match rule:
        case Within():
            return _within(rule, events, nation)
        case WithinEach():
            return _within_each(rule, events, nation)
        case Recurring():
            return _recurring(rule, events, nation)


def _within(rule: Within, events: Sequence[Event], nation: Nation) -> list[Draft]:
    trigger = first_fact(events, rule.after_event)
    if trigger is None:
        return []
    candidates = of_kind(events, rule.met_by_event, complete_only=True)
    return [
        Draft(
            obligation=rule.obligation,
            cycle=0,
            due=rule.span.after(trigger.on, nation),
            trigger=trigger,
            met_by=candidates[0] if candidates else None,
        )
    ]


def _within_each(rule: WithinEach, events: Sequence[Event], nation: Nation) -> list[Draft]:
    triggers = one_per_date(of_kind(events, rule.after_event, complete_only=True))
    candidates = of_kind(events, rule.met_by_event, complete_only=True)
    pairs = pair_follow_ups(triggers, candidates, rule.link_detail)
    return [
        Draft(
            obligation=rule.obligation,
            cycle=number,
            due=rule.span.after(trigger.on, nation),
            trigger=trigger,
            met_by=follow_up,
        )
        for number, (trigger, follow_up) in enumerate(zip(triggers, pairs, strict=True), 1)
    ]


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
    anchors = of_kind(events, rule.anchor_event, complete_only=True)
    if not anchors:
        return []
    candidates = of_kind(events, rule.met_by_event, complete_only=True)
    drafts: list[Draft] = []
    previous = anchors[0]
    while True:
        # Strictly after: a second copy dated the same day is the same review, not the
        # next one. Dates strictly increase, so the chain ends.
        met_by = next((e for e in candidates if e.on > previous.on), None)
        drafts.append(
            Draft(
                obligation=rule.obligation,
                cycle=len(drafts) + 1,
                due=rule.every.after(previous.on, nation),
                trigger=previous,
                met_by=met_by,
            )
        )
        if met_by is None:
            return drafts
        previous = met_by
