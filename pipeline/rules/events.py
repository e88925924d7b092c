"""Putting one episode's events in a fixed order and picking the ones rules need.

Forms arrive in any order, and the same set of forms must always give the same
obligations. So every choice between events ("the earliest review", "the latest worker")
is made over a list sorted by :func:`event_order_key`, a total order on everything an
event carries: events it cannot tell apart are equal in every field.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from operator import attrgetter, itemgetter
from typing import Literal

from pipeline.records import Event
from pipeline.rules.calendar import LONDON, london_date

_ON = attrgetter("on")

# (on, at, kind, submission_id, source), then the remaining fields as tie-breakers.
EventOrderKey = tuple[
    date,
    tuple[bool, float, str],
    str,
    tuple[bool, int],
    tuple[bool, str],
    bool,
    str,
    str,
    str,
]


def event_order_key(event: Event) -> EventOrderKey:
    """A sort key that orders any two distinct events the same way every time.

    Sorts by date, then time of day (events without a time after those with one), kind,
    submission id and source (missing ones last), then the remaining fields, so that even
    two copies differing only in a detail have a fixed order.
    """
    return (
        event.on,
        _moment_key(event.at),
        event.kind,
        (event.submission_id is None, event.submission_id or 0),
        (event.source is None, event.source or ""),
        # Complete before incomplete: irrelevant to meeting (rules filter on it), but
        # the order must be total.
        not event.complete,
        event.worker or "",
        event.team or "",
        _details_key(event),
    )


def sorted_events(events: Iterable[Event]) -> list[Event]:
    """``events`` in :func:`event_order_key` order.

    Sorted first by date alone, which tells apart most events of one person; only a run
    of events on one date is then ordered by the key's leading fields (time, kind,
    submission, source), which tell apart any two events of different forms, and only a
    run those cannot tell apart by the whole key, whose last field serialises the
    details. Computing the whole key for every event was most of the cost of the rules;
    the result is the same as sorting by it.
    """
    ordered = sorted(events, key=_ON)
    if len({event.on for event in ordered}) == len(ordered):
        return ordered
    start, count = 0, len(ordered)
    while start < count:
        day, end = ordered[start].on, start + 1
        while end < count and ordered[end].on == day:
            end += 1
        if end - start > 1:
            ordered[start:end] = _by_leading_key(ordered[start:end])
        start = end
    return ordered


def _by_leading_key(events: list[Event]) -> list[Event]:
    keyed = sorted(((_leading_key(e), e) for e in events), key=itemgetter(0))
    ordered = [event for _, event in keyed]
    start = 0
    while start < len(keyed):
        end = start + 1
        while end < len(keyed) and keyed[end][0] == keyed[start][0]:
            end += 1
        if end - start > 1:
            ordered[start:end] = sorted(ordered[start:end], key=event_order_key)
        start = end
    return ordered


def earlier(first: Event, second: Event) -> Event:
    """Whichever of two events comes first in :func:`event_order_key` order (``first``
    when they are equal in it): the first of :func:`sorted_events` of two, without sorting."""
    if first.on != second.on:
        return first if first.on < second.on else second
    one, other = _leading_key(first), _leading_key(second)
    if one == other:
        return second if event_order_key(second) < event_order_key(first) else first
    return second if other < one else first


def _leading_key(event: Event) -> tuple[date, tuple[bool, float, str], str, tuple[bool, int],
                                        tuple[bool, str]]:
    # The first five fields of event_order_key, in the same order.
    return (
        event.on,
        _moment_key(event.at),
        event.kind,
        (event.submission_id is None, event.submission_id or 0),
        (event.source is None, event.source or ""),
    )


def of_kind(events: Iterable[Event], kind: str, *, complete_only: bool) -> list[Event]:
    """The events of ``kind``, keeping the incoming order; only complete ones if asked."""
    return [e for e in events if e.kind == kind and (e.complete or not complete_only)]


def first_fact(events: Sequence[Event], kind: str) -> Event | None:
    """The event that dates a fact such as "support started" or "the episode closed".

    The earliest complete event of ``kind`` in ``events`` (already sorted), else the
    earliest of any completeness: a blocking finding on the form (a missing signature)
    does not undo the fact, but a corrected copy supersedes a flawed one.
    """
    first: Event | None = None
    for event in events:
        if event.kind == kind:
            if event.complete:
                return event
            first = first or event
    return first


def one_per_date(events: Iterable[Event]) -> list[Event]:
    """The first event on each date, keeping order: copies of one form count once."""
    seen: set[date] = set()
    kept: list[Event] = []
    for event in events:
        if event.on not in seen:
            seen.add(event.on)
            kept.append(event)
    return kept


def detail_date(event: Event, key: str) -> date | None:
    """``event.details[key]`` as a date (from a date, a datetime or an ISO string), or None.

    A datetime counts on its Europe/London date. Anything unreadable gives None, so a
    mistyped value is treated like a missing one rather than stopping the run.
    """
    value = event.details.get(key)
    if isinstance(value, datetime):
        return london_date(value)
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
        try:
            return london_date(datetime.fromisoformat(text))
        except ValueError:
            return None
    return None


def latest_value(events: Sequence[Event], field: Literal["worker", "team"]) -> str | None:
    """The last non-empty ``worker`` or ``team`` in ``events`` (already sorted)."""
    event: Event  # (mypy takes reversed() of a sequence of tuples for Any)
    for event in reversed(events):
        value = event.worker if field == "worker" else event.team
        if value is not None and value.strip():
            return value
    return None


def _moment_key(moment: datetime | None) -> tuple[bool, float, str]:
    if moment is None:
        return (True, 0.0, "")
    # Naive times are London wall-clock times; aware and naive ones cannot be compared
    # directly, so both become an instant. The ISO text separates equal instants written
    # in different zones.
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=LONDON)
    return (False, aware.timestamp(), moment.isoformat())


def _details_key(event: Event) -> str:
    try:
        return json.dumps(event.details, sort_keys=True, default=repr)
    except TypeError:
        # Keys of mixed types cannot be sorted: fall back to the (insertion-ordered) repr.
        return repr(event.details)
