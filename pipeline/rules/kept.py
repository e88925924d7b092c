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
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from functools import cache
from operator import attrgetter
from typing import Any, NamedTuple

from pydantic import TypeAdapter

from pipeline.records import Obligation, ObligationStatus
from pipeline.rules.calendar import LONDON, Nation, add_months
from pipeline.rules.status import status_for
from pipeline.rules.vocabulary import CalendarDays, CalendarMonths, Hours, Span, Weeks


class KeptState(StrEnum):
    """How a kept obligation's status follows from the as-of date.

    The first four are the status itself, whatever the date. ``open``: not met and not
    closed, so overdue, due soon or upcoming by its due date. ``planned``: a planned
    duration, upcoming until its due date and past planned duration from then. ``slot``:
    a chain's open slot, judged as ``open`` until the next slot falls due (its
    ``next_due``), then missed and the chain followed (its ``onward``); ``exempt_slot``:
    the same while an exemption holds, not applicable until then and left out after (as
    slots passing while exempt are).
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


# Which rows of a kept state to read: those due on or before the first date, or whose
# chain's next slot is due on or before the second (None: by neither; date.max: every row).
Reading = tuple[date | None, date | None]


def states_for(statuses: Iterable[ObligationStatus], as_of: date,
               due_soon_days: int) -> dict[KeptState, Reading]:
    """The kept rows that may show one of ``statuses`` as of ``as_of``: for each state
    whose rows may, which of them (:data:`Reading`). What `planwatch due` reads: the rows
    that may be open, a small part of a council's."""
    wanted = set(statuses)
    found: dict[KeptState, Reading] = {
        state: (date.max, None) for state, status in FIXED_STATUS.items() if status in wanted}
    # Open rows (and open slots not yet overtaken) by their due date...
    if ObligationStatus.UPCOMING in wanted:
        by_due: date | None = date.max
    elif ObligationStatus.DUE_SOON in wanted:
        by_due = as_of + timedelta(days=due_soon_days)
    elif ObligationStatus.OVERDUE in wanted:
        by_due = as_of - timedelta(days=1)
    else:
        by_due = None
    if by_due is not None:
        found[KeptState.OPEN] = (by_due, None)
    if ObligationStatus.UPCOMING in wanted or ObligationStatus.PAST_PLANNED_DURATION in wanted:
        found[KeptState.PLANNED] = (
            date.max if ObligationStatus.UPCOMING in wanted else as_of, None)
    # ...and every slot a later one has overtaken: it may end in any status.
    found[KeptState.SLOT] = (by_due, as_of)
    found[KeptState.EXEMPT_SLOT] = (
        date.max if ObligationStatus.NOT_APPLICABLE in wanted else None, as_of)
    return found


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
    chain's open slot the due date of the slot that overtakes it (``next_due``; None if
    none ever does) and how the chain goes on from there (``onward``: needed only once
    that date has passed, so it may be left unread before).

    ``note`` is shown with the status that needs it: the exemption's reason while not
    applicable, what to consider once past the planned duration. ``met_by`` is the
    submission whose form met it (``source`` is that form's archived file).
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
    met_by: int | None = None
    next_due: date | None = None
    onward: Onward | None = None


_UPCOMING = ObligationStatus.UPCOMING
_PAST_PLANNED = ObligationStatus.PAST_PLANNED_DURATION
_NOT_APPLICABLE = ObligationStatus.NOT_APPLICABLE
_MISSED = ObligationStatus.MISSED
_GROUP_ORDER = attrgetter("due", "obligation", "cycle", "episode")


def obligations_as_of(rows: Iterable[KeptObligation], as_of: date, due_soon_days: int,
                      statuses: Collection[ObligationStatus] | None = None
                      ) -> list[Obligation]:
    """The obligations ``rows`` show as of ``as_of``, in the order given (only those with
    one of ``statuses``, when given).

    ``rows`` are one or more people's kept rows, each person's and service's together
    and in the rules' order (due, obligation, cycle, episode), worked out up to a horizon
    on or before ``as_of``: for an earlier date they are not the obligations of that
    date. A chain followed past its open slot adds slots, so a person's and service's
    rows are sorted again when that happens.
    """
    wanted = frozenset(ObligationStatus) if statuses is None else frozenset(statuses)
    fixed = {state: status for state, status in FIXED_STATUS.items() if status in wanted}
    missed = _MISSED in wanted
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
        if state in FIXED_STATUS:
            status = fixed.get(state)
            if status is not None:
                add(Obligation(row.person_id, row.service, row.obligation, row.due, status,
                               row.met_on, row.worker, row.team, row.source, row.cycle,
                               row.episode, row.due_at, row.note))
            continue
        if state is KeptState.OPEN:
            status, note = status_for(row.due, None, as_of, due_soon_days), None
        elif state is KeptState.PLANNED:
            status, note = ((_UPCOMING, None) if row.due > as_of
                            else (_PAST_PLANNED, row.note))
        elif row.next_due is None or row.next_due > as_of:
            status, note = _open_slot(row.due, state is KeptState.EXEMPT_SLOT, row.note,
                                      as_of, due_soon_days)
        else:
            # Overtaken by the next slot: missed (left out while exempt), and the chain
            # followed up to the as-of date.
            if missed and state is KeptState.SLOT:
                add(_shown(row, row.due, row.cycle, _MISSED, None))
            onward = row.onward
            if onward is None:
                raise ValueError(f"{row.person_id} {row.service} {row.obligation}: a slot "
                                 "overtaken by the as-of date was read without its onward")
            _follow(found, row, onward, as_of, due_soon_days, wanted)
            grew = True
            continue
        if status in wanted:
            add(_shown(row, row.due, row.cycle, status, note))
    if grew:
        found[begins:] = sorted(found[begins:], key=_GROUP_ORDER)
    return found


def _shown(row: KeptObligation, due: date, cycle: int, status: ObligationStatus,
           note: str | None) -> Obligation:
    return Obligation(row.person_id, row.service, row.obligation, due, status, row.met_on,
                      row.worker, row.team, row.source, cycle, row.episode, row.due_at, note)


def _open_slot(due: date, exempt: bool, reason: str | None, as_of: date,
               due_soon_days: int) -> tuple[ObligationStatus, str | None]:
    if exempt:
        return _NOT_APPLICABLE, reason
    return status_for(due, None, as_of, due_soon_days), None


def _follow(found: list[Obligation], row: KeptObligation, onward: Onward, as_of: date,
            due_soon_days: int, wanted: frozenset[ObligationStatus]) -> None:
    """Append the slots after ``row`` (an open slot overtaken by ``onward.due``) up to
    ``as_of``: each one missed (left out while exempt) but the last, which is open; only
    those with a status in ``wanted``."""
    due, origin, step, span = onward.due, onward.origin, onward.step, onward.span
    then, nation = onward.then, onward.nation
    missed = _MISSED in wanted and not onward.exempt
    # As the chain's own _following: the span the latest form chose starts a new run
    # after the first of these slots when it is not this run's.
    renewed = then is not span and then != span  # (a stored chain's spans are shared)
    cycle = row.cycle
    while True:
        if not missed and not renewed:
            # No missed slot is wanted: straight to the last slot due by the as-of date,
            # where its slots can be counted without walking them.
            due, step, skipped = _last_slot(span, origin, step, due, as_of)
            cycle += skipped
        cycle += 1
        if renewed:
            following, origin, step, span = _nth(then, due, 1, due, nation), due, 1, then
            renewed = False
        else:
            following, step = _nth(span, origin, step + 1, due, nation), step + 1
        if following > as_of or following <= due:
            status, note = _open_slot(due, onward.exempt, onward.reason, as_of, due_soon_days)
            if status in wanted:
                found.append(_shown(row, due, cycle, status, note))
            return
        if missed:
            found.append(_shown(row, due, cycle, _MISSED, None))
        due = following


def _last_slot(span: Span, origin: date, step: int, due: date,
               as_of: date) -> tuple[date, int, int]:
    """The last slot of this run due by ``as_of``, from the one due on ``due`` (on or
    before it): its due date and step, and how many slots it is on. Counted, for spans
    whose slots are a fixed number of days apart (calendar days, weeks, hours as whole
    days) or months from the run's origin; any other is not moved."""
    if isinstance(span, CalendarMonths):
        if span.count <= 0:
            return due, step, 0
        months = (as_of.year - origin.year) * 12 + as_of.month - origin.month
        last = max(step, months // span.count)
        while last > step and add_months(origin, span.count * last) > as_of:
            last -= 1
        return add_months(origin, span.count * last), last, last - step
    if isinstance(span, CalendarDays):
        days = span.count
    elif isinstance(span, Weeks):
        days = 7 * span.count
    elif isinstance(span, Hours):
        days = span.count // 24
    else:
        return due, step, 0
    if days <= 0:
        return due, step, 0
    skipped = (as_of - due).days // days
    return due + timedelta(days=skipped * days), step + skipped, skipped


def _nth(span: Span, origin: date, step: int, previous: date, nation: Nation) -> date:
    # As the chain's own: months count from the run's origin, so a clipped month end
    # does not drift.
    if isinstance(span, CalendarMonths):
        return add_months(origin, span.count * step)
    return span.after(previous, nation)


# --- the stored form ---------------------------------------------------------------------

_SPAN: TypeAdapter[Span] = TypeAdapter(Span)
_STATES = {state.value: state for state in KeptState}
_NATIONS = {nation.value: nation for nation in Nation}


def onward_json(onward: Onward) -> dict[str, Any]:
    """``onward`` as JSON values: dates as ISO text, each span as the JSON text of its
    policy-file form (a store's chains use a handful of spans: each text is read once)."""
    return {"due": onward.due.isoformat(), "origin": onward.origin.isoformat(),
            "step": onward.step, "span": _span_text(onward.span),
            "then": _span_text(onward.then), "nation": onward.nation.value,
            "exempt": onward.exempt, "reason": onward.reason}


def onward_from_json(value: Mapping[str, Any] | str) -> Onward:
    """The :class:`Onward` that :func:`onward_json` wrote (or its JSON text)."""
    if isinstance(value, str):
        value = json.loads(value)
        assert isinstance(value, Mapping)
    return Onward(date.fromisoformat(value["due"]), date.fromisoformat(value["origin"]),
                  value["step"], _span(value["span"]), _span(value["then"]),
                  _NATIONS[value["nation"]], value["exempt"], value["reason"])


def _span_text(span: Span) -> str:
    return json.dumps(span.model_dump(mode="json"), sort_keys=True)


@cache
def _span(text: str) -> Span:
    return _SPAN.validate_json(text)


def stored_columns(row: KeptObligation) -> dict[str, Any]:
    """``row`` as the store's columns (:data:`pipeline.store.kept.COLUMNS`): the state as
    its value, ``onward`` as JSON."""
    columns = row._asdict()
    columns["state"] = row.state.value
    if row.onward is not None:
        columns["onward"] = onward_json(row.onward)
    return columns


def from_columns(values: Sequence[Any], as_of: date | None = None) -> KeptObligation:
    """The kept obligation the store's columns hold, in :data:`pipeline.store.kept.COLUMNS`
    order, as :func:`stored_columns` wrote them and the database hands them back: dates
    as dates or ISO text, ``due_at`` as a time or UTC text (made London time again),
    ``onward`` as JSON or its text. Given ``as_of``, ``onward`` is read only if the
    slot's ``next_due`` has passed by then (reading every one is most of the cost)."""
    (person_id, service, obligation, due, state, met_on, worker, team, source, cycle,
     episode, due_at, note, met_by, next_due, onward) = values
    if due.__class__ is str:
        due = date.fromisoformat(due)
    if met_on.__class__ is str:
        met_on = date.fromisoformat(met_on)
    if next_due.__class__ is str:
        next_due = date.fromisoformat(next_due)
    if due_at is not None:
        if isinstance(due_at, str):
            due_at = datetime.fromisoformat(due_at).replace(tzinfo=UTC)
        due_at = due_at.astimezone(LONDON)
    if onward is not None and (next_due is None or (as_of is not None and next_due > as_of)):
        onward = None
    return KeptObligation(
        person_id, service, obligation, due, _STATES[state], met_on, worker, team, source,
        cycle, episode, due_at, note, met_by, next_due,
        None if onward is None else onward_from_json(onward))
