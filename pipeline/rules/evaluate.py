"""Turning one rule and one episode's events into dated obligations (before status).

Each function here reads events already filtered to the as-of date and sorted by
:func:`pipeline.rules.events.event_order_key`; it returns :class:`Draft` obligations
saying what is due when, which event set the clock going and which event (if any) met
it. Closure, exemption and status are applied afterwards, the same way for every rule.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from datetime import date, datetime
from functools import partial
from typing import NamedTuple

from pipeline.records import EventFacts
from pipeline.rules.calendar import LONDON, Nation
from pipeline.rules.events import detail_date, earlier, first_fact, of_kind, one_per_date
from pipeline.rules.timing import Clock, due_after, latest_detail, span_for
from pipeline.rules.vocabulary import (
    ByDate,
    Condition,
    Recurring,
    Rule,
    Within,
    WithinEach,
    normalise_value,
)

__all__ = [
    "Draft",
    "RuleEvaluator",
    "due_after",
    "evaluate_rule",
    "holds",
    "latest_detail",
    "meeting_events",
    "met_in_time",
    "pair_follow_ups",
    "span_for",
]


class Draft(NamedTuple):
    """An obligation before closure and status: what, which cycle, when, and by what.

    ``due_at`` is set only for a deadline in hours from a known time (Europe/London).
    (A named tuple: a council's rules make hundreds of thousands, and a frozen
    dataclass cost several times as much to build.)
    """

    obligation: str
    cycle: int
    due: date
    trigger: EventFacts
    met_by: EventFacts | None
    due_at: datetime | None = None


def evaluate_rule(rule: Rule, events: Sequence[EventFacts], nation: Nation) -> list[Draft]:
    """The obligations ``rule`` creates from one episode's sorted ``events``."""
    return RuleEvaluator(rule, nation).evaluate(events)


class RuleEvaluator:
    """One rule in one nation, made ready once to be evaluated on many episodes.

    What every episode would otherwise work out again (the rule's kind, its meeting
    kinds, its timing's due dates by start date: see :class:`~pipeline.rules.timing
    .Clock`) is worked out here; :meth:`evaluate` is :func:`evaluate_rule`.
    """

    __slots__ = ("_due", "_evaluate", "_kinds", "rule")

    def __init__(self, rule: Rule, nation: Nation) -> None:
        self.rule = rule
        self._kinds = frozenset(rule.meeting_kinds)
        # When something is due after an event (in the episode of the events given).
        self._due: Callable[[EventFacts, Sequence[EventFacts]], tuple[date, datetime | None]]
        self._evaluate: Callable[[Sequence[EventFacts]], list[Draft]]
        match rule:
            case Within():
                self._due, self._evaluate = Clock(rule.span, nation).due_after, self._within
            case WithinEach():
                self._due = Clock(rule.span, nation).due_after
                self._evaluate = self._within_each
            case Recurring():
                self._due = Clock(rule.every, nation).due_after
                self._evaluate = self._recurring
            case ByDate():
                self._due, self._evaluate = _no_timing, self._by_date

    def evaluate(self, events: Sequence[EventFacts]) -> list[Draft]:
        """The obligations the rule creates from one episode's sorted ``events``."""
        return self._evaluate(events)

    def _meeting(self, events: Sequence[EventFacts]) -> list[EventFacts]:
        # meeting_events, with the kinds as a set made once.
        kinds = self._kinds
        return [e for e in events if e.kind in kinds and e.complete]

    def _within(self, events: Sequence[EventFacts]) -> list[Draft]:
        rule = self.rule
        assert isinstance(rule, Within)
        trigger = first_fact(events, rule.after_event)
        if trigger is None:
            return []
        candidates = self._meeting(events)
        due, due_at = self._due(trigger, events)
        return [Draft(rule.obligation, 0, due, trigger,
                      candidates[0] if candidates else None, due_at)]

    def _within_each(self, events: Sequence[EventFacts]) -> list[Draft]:
        rule = self.rule
        assert isinstance(rule, WithinEach)
        triggers = one_per_date(of_kind(events, rule.after_event, complete_only=True))
        if not triggers:
            return []
        pairs = pair_follow_ups(triggers, self._meeting(events), rule.link_detail)
        drafts = []
        for number, (trigger, follow_up) in enumerate(zip(triggers, pairs, strict=True), 1):
            due, due_at = self._due(trigger, events)
            drafts.append(Draft(rule.obligation, number, due, trigger, follow_up, due_at))
        return drafts

    def _recurring(self, events: Sequence[EventFacts]) -> list[Draft]:
        rule = self.rule
        assert isinstance(rule, Recurring)
        candidates = self._meeting(events)
        # The earliest of the candidates and the anchor: the candidates are in event order
        # (as ``events`` are), so the first of them is the earliest of them.
        previous = candidates[0] if candidates else None
        if rule.anchor_event not in self._kinds:
            fact = first_fact(events, rule.anchor_event)
            if fact is not None:
                previous = fact if previous is None else earlier(previous, fact)
        if previous is None:
            return []
        dates = [e.on for e in candidates]
        in_date_order = dates == sorted(dates)
        count = len(candidates)
        due_after, by_detail, obligation = self._due, rule.due_by_detail, rule.obligation
        drafts: list[Draft] = []
        while True:
            # Strictly after: a second copy dated the same day is the same review, not the
            # next one. Dates strictly increase, so the chain ends. Found by bisection
            # when in date order (as sorted events are): a long chain stays linear.
            day = previous.on
            if in_date_order:
                position = bisect_right(dates, day)
                met_by = candidates[position] if position < count else None
            else:
                met_by = next((e for e in candidates if e.on > day), None)
            named = None if by_detail is None else detail_date(previous, by_detail)
            # A "next review date" on or before the review itself is a slip of the pen.
            if named is not None and named > day:
                due, due_at = named, None
            else:
                due, due_at = due_after(previous, events)
            drafts.append(Draft(obligation, len(drafts) + 1, due, previous, met_by, due_at))
            if met_by is None:
                return drafts
            previous = met_by

    def _by_date(self, events: Sequence[EventFacts]) -> list[Draft]:
        rule = self.rule
        assert isinstance(rule, ByDate)
        carriers = [e for e in events if detail_date(e, rule.date_detail) is not None]
        if not carriers:
            return []
        trigger = carriers[-1]
        due = detail_date(trigger, rule.date_detail)
        assert due is not None
        candidates = self._meeting(events)
        return [Draft(rule.obligation, 0, due, trigger, candidates[0] if candidates else None)]


def meeting_events(rule: Rule, events: Sequence[EventFacts]) -> list[EventFacts]:
    """The complete events of ``rule``'s meeting kinds, keeping the incoming order."""
    kinds = rule.meeting_kinds
    return [e for e in events if e.kind in kinds and e.complete]


def holds(condition: Condition, events: Sequence[EventFacts], on: date) -> bool:
    """Whether ``condition`` holds on ``on`` (see :class:`Condition`)."""
    value = latest_detail(events, condition.detail, on)
    return value is not None and normalise_value(value) in condition.is_one_of


def pair_follow_ups(
    triggers: Sequence[EventFacts], candidates: Sequence[EventFacts], link_detail: str | None
) -> list[EventFacts | None]:
    """For each trigger (in order), the follow-up event that answers it, or None.

    Each candidate answers at most one trigger. First, a candidate whose
    ``details[link_detail]`` names a trigger's date answers it (the earliest such
    candidate, when several do). Then each trigger still unanswered, in date order, takes
    the earliest unused candidate dated on or after it.
    """
    answers: list[EventFacts | None] = [None] * len(triggers)
    unused = list(candidates)
    if link_detail is not None:
        for index, trigger in enumerate(triggers):
            answers[index] = _claim(unused, partial(_names_date, link_detail, trigger.on))
    for index, trigger in enumerate(triggers):
        if answers[index] is None:
            answers[index] = _claim(unused, partial(_dated_on_or_after, trigger.on))
    return answers


def _claim(unused: list[EventFacts], fits: Callable[[EventFacts], bool]) -> EventFacts | None:
    # Removes the claimed event so that no other trigger can be answered by it.
    for position, candidate in enumerate(unused):
        if fits(candidate):
            return unused.pop(position)
    return None


def _names_date(link_detail: str, day: date, candidate: EventFacts) -> bool:
    return detail_date(candidate, link_detail) == day


def _dated_on_or_after(day: date, candidate: EventFacts) -> bool:
    return candidate.on >= day


def _no_timing(start: EventFacts, events: Sequence[EventFacts]) -> tuple[date, datetime | None]:
    raise AssertionError("a rule without a timing has no due date after an event")


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
