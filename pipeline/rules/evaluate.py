"""Turning one rule and one episode's events into dated obligations (before status).

Each function here reads events already filtered to the as-of date and sorted by
:func:`pipeline.rules.events.event_order_key`; it returns :class:`Draft` obligations
saying what is due when, which event set the clock going and which event (if any) met
it. Closure, exemption and status are applied afterwards, the same way for every rule.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from functools import partial
from operator import attrgetter
from typing import NamedTuple

from pipeline.records import Event
from pipeline.rules.calendar import LONDON, Nation, add_months
from pipeline.rules.events import detail_date, earlier, first_fact, of_kind, one_per_date
from pipeline.rules.timing import Clock, due_after, latest_detail, span_for
from pipeline.rules.vocabulary import (
    ByDate,
    CalendarMonths,
    Condition,
    PlannedDuration,
    Recurring,
    Rule,
    Span,
    Within,
    WithinEach,
    normalise_value,
)

_ON = attrgetter("on")

__all__ = [
    "Draft",
    "Dues",
    "Onward",
    "RuleEvaluator",
    "due_after",
    "evaluate_rule",
    "holds",
    "latest_detail",
    "meeting_events",
    "met_in_time",
    "pair_follow_ups",
    "released",
    "span_for",
]


class Onward(NamedTuple):
    """How a chain of review slots goes on after its open slot while no review comes:
    the next slot's due date, the run it belongs to (its ``origin`` and ``step``: months
    count from the origin) and that run's span, and the span the slots after it follow
    (``then``: the frequency the latest form chose, which may start a new run)."""

    due: date
    origin: date
    step: int
    span: Span
    then: Span


class Draft(NamedTuple):
    """An obligation before closure and status: what, which cycle, when, and by what.

    ``due_at`` is set only for a deadline in hours from a known time (Europe/London).
    ``skipped``: a review slot that passed with no review while a later slot (or the
    as-of date) overtook it: missed whatever happens next. ``onward``: on a chain's open
    slot (the last, with no review after it), the slot that overtakes it once its due
    date has passed (None if none ever does), so the chain can be followed past the
    horizon without the events (:mod:`pipeline.rules.kept`).
    (A named tuple: a council's rules make hundreds of thousands, and a frozen
    dataclass cost several times as much to build.)
    """

    obligation: str
    cycle: int
    due: date
    trigger: Event
    met_by: Event | None
    due_at: datetime | None = None
    skipped: bool = False
    onward: Onward | None = None


# What earlier ``within`` obligations of the episode are due on, and what started them.
Dues = Mapping[str, tuple[date, Event]]


def evaluate_rule(rule: Rule, events: Sequence[Event], nation: Nation,
                  horizon: date | None = None, dues: Dues | None = None) -> list[Draft]:
    """The obligations ``rule`` creates from one episode's sorted ``events``.

    ``horizon`` is the as-of date (or the closure, when that is earlier): a chain of
    review slots runs up to it; by default, the latest event's date.
    """
    if horizon is None:
        horizon = max((e.on for e in events), default=date.min)
    return RuleEvaluator(rule, nation).evaluate(events, horizon, dues or {})


class RuleEvaluator:
    """One rule in one nation, made ready once to be evaluated on many episodes.

    What every episode would otherwise work out again (the rule's kind, its meeting
    kinds, its timing's due dates by start date: see :class:`~pipeline.rules.timing
    .Clock`) is worked out here; :meth:`evaluate` is :func:`evaluate_rule`.
    """

    __slots__ = ("_due", "_evaluate", "_kinds", "_nation", "note", "planned", "rule")

    def __init__(self, rule: Rule, nation: Nation) -> None:
        self.rule = rule
        self._nation = nation
        # Not a deadline (a planned duration), and what to say once it has passed.
        self.planned = isinstance(rule, PlannedDuration)
        self.note = rule.note if isinstance(rule, PlannedDuration) else None
        self._kinds = frozenset(rule.meeting_kinds)
        # When something is due after an event (in the episode of the events given).
        self._due: Callable[[Event, Sequence[Event]], tuple[date, datetime | None]]
        self._evaluate: Callable[[Sequence[Event], date, Dues], list[Draft]]
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
            case PlannedDuration():
                self._due = Clock(rule.span, nation).due_after
                self._evaluate = self._planned_duration

    def evaluate(self, events: Sequence[Event], horizon: date,
                 dues: Dues | None = None) -> list[Draft]:
        """The obligations the rule creates from one episode's sorted ``events``, with
        review slots up to ``horizon`` and ``dues`` of the episode's earlier obligations."""
        return self._evaluate(events, horizon, dues or {})

    def _meeting(self, events: Sequence[Event]) -> list[Event]:
        # meeting_events, with the kinds as a set made once.
        kinds = self._kinds
        return [e for e in events if e.kind in kinds and e.complete]

    def _within(self, events: Sequence[Event], horizon: date, dues: Dues) -> list[Draft]:
        rule = self.rule
        assert isinstance(rule, Within)
        trigger = first_fact(events, rule.after_event)
        fallback = None if rule.or_due_of is None else dues.get(rule.or_due_of)
        if trigger is None and fallback is None:
            return []
        candidates = self._meeting(events)
        met_by = candidates[0] if candidates else None
        if trigger is not None:
            due, due_at = self._due(trigger, events)
        if fallback is not None and (trigger is None or fallback[0] < trigger.on):
            # Counted from the other obligation's due date, which came first.
            day, started_by = fallback
            span = span_for(rule.span, events, day)
            return [Draft(rule.obligation, 0, span.after(day, self._nation), started_by, met_by)]
        assert trigger is not None
        return [Draft(rule.obligation, 0, due, trigger, met_by, due_at)]

    def _within_each(self, events: Sequence[Event], horizon: date,
                     dues: Dues) -> list[Draft]:
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

    def _recurring(self, events: Sequence[Event], horizon: date,
                   dues: Dues) -> list[Draft]:
        rule = self.rule
        assert isinstance(rule, Recurring)
        candidates = self._meeting(events)
        # The earliest of the candidates and the anchor: the candidates are in event order
        # (as ``events`` are), so the first of them is the earliest of them.
        start = candidates[0] if candidates else None
        if rule.anchor_event not in self._kinds:
            fact = first_fact(events, rule.anchor_event)
            if fact is not None:
                start = fact if start is None else earlier(start, fact)
        if start is None:
            return []
        return _SlotChain(rule, self._nation, events, candidates).drafts(start, horizon)

    def _by_date(self, events: Sequence[Event], horizon: date, dues: Dues) -> list[Draft]:
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

    def _planned_duration(self, events: Sequence[Event], horizon: date,
                          dues: Dues) -> list[Draft]:
        rule = self.rule
        assert isinstance(rule, PlannedDuration)
        trigger = first_fact(events, rule.after_event)
        if trigger is None or any(e.kind in self._kinds for e in events):
            # Closed (a fact, of any completeness): nothing to flag.
            return []
        due, _ = self._due(trigger, events)
        return [Draft(rule.obligation, 0, due, trigger, None)]


class _SlotChain:
    """The slots of one recurring rule over one episode (see :class:`Recurring`)."""

    __slots__ = ("_candidates", "_dates", "_events", "_nation", "_rule")

    def __init__(self, rule: Recurring, nation: Nation, events: Sequence[Event],
                 candidates: list[Event]) -> None:
        self._rule = rule
        self._nation = nation
        self._events = events
        # Meeting events in date order (sorted events are; a stable sort keeps ties).
        self._candidates = sorted(candidates, key=_ON)
        self._dates = [e.on for e in self._candidates]

    def _span(self, day: date) -> Span:
        return span_for(self._rule.every, self._events, day)

    def _next_after(self, day: date) -> Event | None:
        # Strictly after: a second copy dated the same day is the same review.
        position = bisect_right(self._dates, day)
        return self._candidates[position] if position < len(self._candidates) else None

    def _first_slot(self, start: Event) -> tuple[date, date, int, Span]:
        """(due, origin, step, span) of the first slot after a (re)start at ``start``."""
        span = self._span(start.on)
        by_detail = self._rule.due_by_detail
        named = None if by_detail is None else detail_date(start, by_detail)
        # A "next review date" on or before the review itself is a slip of the pen.
        if named is not None and named > start.on:
            return named, named, 0, span
        return self._nth(span, start.on, 1, start.on), start.on, 1, span

    def _following(self, due: date, origin: date, step: int,
                   span: Span) -> tuple[date, date, int, Span]:
        """The slot after one due on ``due`` (of the run from ``origin``) that passed."""
        now = self._span(due)
        if now != span:
            # The chosen frequency changed: a new run from this slot.
            return self._nth(now, due, 1, due), due, 1, now
        return self._nth(span, origin, step + 1, due), origin, step + 1, span

    def _nth(self, span: Span, origin: date, step: int, previous: date) -> date:
        # Months count from the run's origin, so a clipped month end does not drift.
        if isinstance(span, CalendarMonths):
            return add_months(origin, span.count * step)
        return span.after(previous, self._nation)

    def drafts(self, start: Event, horizon: date) -> list[Draft]:
        name = self._rule.obligation
        drafts: list[Draft] = []
        restart: Event = start
        due, origin, step, span = self._first_slot(start)
        while True:
            review = self._next_after(restart.on)
            limit = review.on if review is not None else horizon
            # Slots that a later slot due on or before the limit overtakes are missed.
            while True:
                following = self._following(due, origin, step, span)
                if following[0] > limit or following[0] <= due:
                    break
                drafts.append(Draft(name, len(drafts) + 1, due, restart, None, skipped=True))
                due, origin, step, span = following
            if review is None:
                # ``following`` is the slot after this open one (the loop stopped there).
                onward = (None if following[0] <= due else
                          Onward(*following, then=self._span(date.max)))
                drafts.append(Draft(name, len(drafts) + 1, due, restart, None,
                                    onward=onward))
                return drafts
            drafts.append(Draft(name, len(drafts) + 1, due, restart, review))
            if review.on == due and self._span(review.on) == span and not self._names_date(
                    review):
                # Held on its due date: the chain keeps its days.
                due, origin, step, span = self._following(due, origin, step, span)
            else:
                due, origin, step, span = self._first_slot(review)
            restart = review

    def _names_date(self, event: Event) -> bool:
        by_detail = self._rule.due_by_detail
        if by_detail is None:
            return False
        named = detail_date(event, by_detail)
        return named is not None and named > event.on


def meeting_events(rule: Rule, events: Sequence[Event]) -> list[Event]:
    """The complete events of ``rule``'s meeting kinds, keeping the incoming order."""
    kinds = rule.meeting_kinds
    return [e for e in events if e.kind in kinds and e.complete]


def holds(condition: Condition, events: Sequence[Event], on: date) -> bool:
    """Whether ``condition`` holds on ``on`` (see :class:`Condition`)."""
    value = latest_detail(events, condition.detail, on)
    return value is not None and normalise_value(value) in condition.is_one_of


def released(events: Sequence[Event], condition: Condition) -> list[Event]:
    """The events (sorted, as ``events`` are) that release ``condition``: each records its
    detail with a value that is not one of ``is_one_of`` while the latest earlier value
    was one (a disclaimer withdrawn after one was in place)."""
    found: list[Event] = []
    holding = False
    for event in events:
        value = event.details.get(condition.detail)
        if value is None or normalise_value(value) == "":
            continue
        now = normalise_value(value) in condition.is_one_of
        if holding and not now:
            found.append(event)
        holding = now
    return found


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


def _no_timing(start: Event, events: Sequence[Event]) -> tuple[date, datetime | None]:
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
