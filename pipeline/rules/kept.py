"""Obligations kept between runs: what does not depend on the as-of date, and the status
worked out from it for any date on or after the one they were worked out as of.

    events ──rules, up to a horizon──▶ KeptObligation rows ──as_of──▶ Obligation rows

An obligation's due date, what met it and when, what started it, and whether an
exemption covers it depend on the events alone; only its status depends on the date it
is judged as of. Worked out up to a horizon on or after the episode's last event
(:func:`pipeline.rules.obligations.kept_obligations`), each row says how its status
follows from the as-of date (:class:`KeptState`), and :func:`obligations_as_of` gives,
for any as-of date on or after the horizon, exactly what
:func:`pipeline.rules.obligations.compute_obligations` gives from the events
(``compute_obligations`` itself is these two steps, with the as-of date as horizon).

One thing grows with the as-of date: a chain of review slots with no review after its
open slot gets a new slot every interval. Its open slot is kept with the way the chain
goes on (:class:`Onward`, stored as JSON by :func:`onward_json`), and
:func:`obligations_as_of` follows it up to the as-of date: the open slot then becomes
missed and the latest slot due is the open one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from enum import StrEnum
from functools import cache
from operator import attrgetter
from typing import Any, NamedTuple

from pydantic import TypeAdapter

from pipeline.records import Obligation, ObligationStatus
from pipeline.rules.calendar import LONDON, Nation, add_months
from pipeline.rules.status import status_for
from pipeline.rules.vocabulary import CalendarMonths, Span


class KeptState(StrEnum):
    """How a kept obligation's status follows from the as-of date.

    The first four are the status itself, whatever the date. ``open``: not met and not
    closed, so overdue, due soon or upcoming by its due date. ``planned``: a planned
    duration, upcoming until its due date and past planned duration from then. ``slot``:
    a chain's open slot, judged as ``open`` until the next slot falls due (its
    ``onward``), then missed; ``exempt_slot``: the same while an exemption holds, not
    applicable until then and left out after (as slots passing while exempt are).
    """

    MET = "met"
    MET_LATE = "met_late"
    MISSED = "missed"
    NOT_APPLICABLE = "not_applicable"
    OPEN = "open"
    PLANNED = "planned"
    SLOT = "slot"
    EXEMPT_SLOT = "exempt_slot"


# The states whose status is the same on every date, and that status.
FIXED_STATUS: Mapping[KeptState, ObligationStatus] = {
    KeptState.MET: ObligationStatus.MET,
    KeptState.MET_LATE: ObligationStatus.MET_LATE,
    KeptState.MISSED: ObligationStatus.MISSED,
    KeptState.NOT_APPLICABLE: ObligationStatus.NOT_APPLICABLE,
}
# The states that may show each status on some date (a chain's slots show any of theirs).
_CHANGING = (KeptState.OPEN, KeptState.PLANNED, KeptState.SLOT, KeptState.EXEMPT_SLOT)


def states_for(statuses: Iterable[ObligationStatus]) -> frozenset[KeptState]:
    """The kept states whose rows may show one of ``statuses`` on some date: the rows to
    read when only those statuses are wanted (`planwatch due` asks for the open ones)."""
    wanted = set(statuses)
    return frozenset({state for state, status in FIXED_STATUS.items() if status in wanted}
                     | set(_CHANGING))


class Onward(NamedTuple):
    """How a chain of review slots goes on after its open slot (see
    :class:`pipeline.rules.evaluate.Onward`), with what judging those slots needs: the
    nation whose bank holidays count, and whether the exemption holds after the last
    event (with its reason)."""

    due: date
    origin: date
    step: int
    span: Span
    then: Span
    nation: Nation
    exempt: bool = False
    reason: str | None = None


class KeptObligation(NamedTuple):
    """One obligation as kept: an :class:`~pipeline.records.Obligation` without its
    status, with the :class:`KeptState` that gives it for an as-of date, and for a
    chain's open slot how the chain goes on (``onward``; None if it never does).

    ``note`` is shown with the status that needs it: the exemption's reason while not
    applicable, what to consider once past the planned duration.
    """

    person_id: str
    service: str
    obligation: str
    due: date
    state: KeptState
    met_on: date | None = None
    worker: str | None = None
    team: str | None = None
    source: str | None = None
    cycle: int = 0
    episode: int = 1
    due_at: datetime | None = None
    note: str | None = None
    onward: Onward | None = None


_UPCOMING = ObligationStatus.UPCOMING
_PAST_PLANNED = ObligationStatus.PAST_PLANNED_DURATION
_NOT_APPLICABLE = ObligationStatus.NOT_APPLICABLE
_MISSED = ObligationStatus.MISSED
_GROUP_ORDER = attrgetter("due", "obligation", "cycle", "episode")


def obligations_as_of(rows: Iterable[KeptObligation], as_of: date,
                      due_soon_days: int) -> list[Obligation]:
    """The obligations ``rows`` show as of ``as_of``, in the order given.

    ``rows`` are one or more people's kept rows, each person's and service's in the
    rules' order (due, obligation, cycle, episode), worked out up to a horizon on or
    before ``as_of``: for an earlier date they are not the obligations of that date. A
    chain followed past its open slot adds slots, so a person's and service's rows are
    sorted again when that happens.
    """
    found: list[Obligation] = []
    add = found.append
    key: tuple[str, str] | None = None
    begins = 0  # where the current person's and service's rows begin in ``found``
    grew = False  # whether a chain of theirs was followed (their rows need sorting)
    for row in rows:
        if (row.person_id, row.service) != key:
            if grew:
                found[begins:] = sorted(found[begins:], key=_GROUP_ORDER)
            key, begins, grew = (row.person_id, row.service), len(found), False
        state = row.state
        status = FIXED_STATUS.get(state)
        if status is not None:
            add(Obligation(row.person_id, row.service, row.obligation, row.due, status,
                           row.met_on, row.worker, row.team, row.source, row.cycle,
                           row.episode, row.due_at, row.note))
        elif state is KeptState.OPEN:
            add(_shown(row, status_for(row.due, None, as_of, due_soon_days)))
        elif state is KeptState.PLANNED:
            add(_shown(row, _UPCOMING) if row.due > as_of else
                _shown(row, _PAST_PLANNED, row.note))
        elif row.onward is None or row.onward.due > as_of:
            add(_open_slot(row, state is KeptState.EXEMPT_SLOT, row.note, as_of,
                           due_soon_days))
        else:
            # Overtaken by the next slot: missed (left out while exempt), and the chain
            # followed up to the as-of date.
            if state is KeptState.SLOT:
                add(_shown(row, _MISSED))
            _follow(found, row, row.onward, as_of, due_soon_days)
            grew = True
    if grew:
        found[begins:] = sorted(found[begins:], key=_GROUP_ORDER)
    return found


def _shown(row: KeptObligation, status: ObligationStatus,
           note: str | None = None) -> Obligation:
    return Obligation(row.person_id, row.service, row.obligation, row.due, status,
                      row.met_on, row.worker, row.team, row.source, row.cycle, row.episode,
                      row.due_at, note)


def _open_slot(row: KeptObligation, exempt: bool, reason: str | None, as_of: date,
               due_soon_days: int) -> Obligation:
    if exempt:
        return _shown(row, _NOT_APPLICABLE, reason)
    return _shown(row, status_for(row.due, None, as_of, due_soon_days))


def _follow(found: list[Obligation], row: KeptObligation, onward: Onward, as_of: date,
            due_soon_days: int) -> None:
    """Append the slots after ``row`` (an open slot overtaken by ``onward.due``) up to
    ``as_of``: each one missed (left out while exempt) but the last, which is open."""
    due, origin, step, span = onward.due, onward.origin, onward.step, onward.span
    then, nation = onward.then, onward.nation
    cycle = row.cycle
    while True:
        cycle += 1
        # The slot after this one (as the chain's own _following: the span the latest
        # form chose starts a new run when it is not this run's).
        if then != span:
            following, origin, step, span = _nth(then, due, 1, due, nation), due, 1, then
        else:
            following, step = _nth(span, origin, step + 1, due, nation), step + 1
        slot = row._replace(due=due, cycle=cycle, note=None, onward=None)
        if following > as_of or following <= due:
            found.append(_open_slot(slot, onward.exempt, onward.reason, as_of,
                                    due_soon_days))
            return
        if not onward.exempt:
            found.append(_shown(slot, _MISSED))
        due = following


def _nth(span: Span, origin: date, step: int, previous: date, nation: Nation) -> date:
    # As the chain's own: months count from the run's origin, so a clipped month end
    # does not drift.
    if isinstance(span, CalendarMonths):
        return add_months(origin, span.count * step)
    return span.after(previous, nation)


# --- the stored form of an onward chain ---------------------------------------------------

_SPAN: TypeAdapter[Span] = TypeAdapter(Span)


def onward_json(onward: Onward) -> dict[str, Any]:
    """``onward`` as JSON values (dates as ISO text, spans as the policy files write them)."""
    return {"due": onward.due.isoformat(), "origin": onward.origin.isoformat(),
            "step": onward.step, "span": onward.span.model_dump(mode="json"),
            "then": onward.then.model_dump(mode="json"), "nation": onward.nation.value,
            "exempt": onward.exempt, "reason": onward.reason}


def onward_from_json(value: Mapping[str, Any]) -> Onward:
    """The :class:`Onward` that :func:`onward_json` wrote."""
    return Onward(date.fromisoformat(value["due"]), date.fromisoformat(value["origin"]),
                  int(value["step"]), _span(json.dumps(value["span"], sort_keys=True)),
                  _span(json.dumps(value["then"], sort_keys=True)), Nation(value["nation"]),
                  bool(value["exempt"]), value["reason"])


@cache
def _span(text: str) -> Span:
    # A store's open chains use a handful of spans: each is validated once.
    return _SPAN.validate_json(text)


# --- the stored form of a kept obligation -------------------------------------------------

_STATES = {state.value: state for state in KeptState}


def stored_columns(row: KeptObligation) -> dict[str, Any]:
    """``row`` as the store's columns (:data:`pipeline.store.kept.COLUMNS`): the state as
    its value, ``onward`` as JSON."""
    columns = row._asdict()
    columns["state"] = row.state.value
    if row.onward is not None:
        columns["onward"] = onward_json(row.onward)
    return columns


def from_columns(values: Sequence[Any]) -> KeptObligation:
    """The kept obligation the store's columns hold (in :data:`pipeline.store.kept.COLUMNS`
    order, as :func:`stored_columns` wrote them); ``due_at`` back in London time."""
    (person_id, service, obligation, due, state, met_on, worker, team, source, cycle,
     episode, due_at, note, onward) = values
    return KeptObligation(
        person_id, service, obligation, due, _STATES[state], met_on, worker, team, source,
        cycle, episode, None if due_at is None else due_at.astimezone(LONDON), note,
        None if onward is None else onward_from_json(onward))
