"""Splitting one person's events in one service into episodes.

An episode is one period of support: it opens on a referral or a start and closes on a
closure. A person can have several in one service (referred again after leaving), and
the store (:mod:`pipeline.inbox.recording`) and the rules split them the same way, with
:func:`split_episodes`, so both always agree.
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.records import Event

OPENING_EVENTS = ("referral", "start")
CLOSING_EVENT = "closure"


def split_episodes(events: Sequence[Event], closure_event: str = CLOSING_EVENT
                   ) -> list[list[Event]]:
    """``events`` (sorted, one person and service) cut into episodes, in order.

    A new episode begins with an opening event (``referral``, ``start``) that follows a
    closure of the current one; every other event belongs to the episode before it, so
    a feedback form after closing stays with the episode it is about. A closure of any
    completeness counts: leaving is a fact even on a form with a finding. Events before
    any opening event begin the first episode.
    """
    episodes: list[list[Event]] = []
    closed = False
    for event in events:
        if not episodes or (closed and event.kind in OPENING_EVENTS):
            episodes.append([])
            closed = False
        episodes[-1].append(event)
        if event.kind == closure_event:
            closed = True
    return episodes
