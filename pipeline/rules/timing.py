"""When something falls due after an event, by a rule's timing.

A timing is a span (days, weeks, months, working days, hours, the same day) or a span
chosen by a value written on a form (a plan's review frequency). :func:`due_after` works
one out; a :class:`Clock` does the same for one rule's timing over many episodes and
remembers the due date of each start date, since a council's reviews start on a few
thousand distinct dates but are counted from hundreds of thousands of times.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from pipeline.records import Event
from pipeline.rules.calendar import Nation, london_date
from pipeline.rules.vocabulary import ChosenSpan, Hours, SameDay, Span, Timing, normalise_value


def latest_detail(events: Sequence[Event], key: str, until: date) -> Any:
    """``details[key]`` of the latest event dated on or before ``until`` that has one.

    ``events`` are sorted; an empty value (``None``, blank text) does not count, so a
    review that leaves a plan's choice blank does not undo it. ``None`` if none has one.
    """
    event: Event  # (mypy takes reversed() of a sequence of tuples for Any)
    for event in reversed(events):
        value = event.details.get(key)
        # None is empty (normalise_value gives ""): skipped without normalising it.
        if value is not None and event.on <= until and normalise_value(value) != "":
            return value
    return None


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
    if isinstance(span, SameDay) and start.at is not None:
        # After closing time, the next opening's day.
        return span.after_moment(start.at), None
    return span.after(start.on, nation), None


class Clock:
    """:func:`due_after` for one timing in one nation, remembering each start date's due
    date when the timing is a fixed span (a chosen one depends on the episode's forms).

    Made afresh for each computation (it only ever grows), e.g. once per rule by
    :func:`pipeline.rules.obligations.compute_obligations`.
    """

    __slots__ = ("_due", "_hours", "_nation", "_span", "_timing")

    def __init__(self, timing: Timing, nation: Nation) -> None:
        self._timing = timing
        self._nation = nation
        self._span = None if isinstance(timing, ChosenSpan) else timing
        # Timings that need the time of day, not only the date.
        self._hours = isinstance(timing, Hours) or (
            isinstance(timing, SameDay) and timing.opening_hours is not None)
        self._due: dict[date, date] = {}

    def due_after(self, start: Event,
                  events: Sequence[Event]) -> tuple[date, datetime | None]:
        """When something is due after ``start`` (``events``: its sorted episode)."""
        span = self._span
        if span is None:
            return due_after(self._timing, start, events, self._nation)
        if self._hours and start.at is not None:
            return due_after(span, start, events, self._nation)
        day = start.on
        due = self._due.get(day)
        if due is None:
            due = self._due[day] = span.after(day, self._nation)
        return due, None
