"""Kept obligations judged as of any later date are the obligations of that date.

The property: for every person and service, the rows :func:`kept_obligations` keeps,
judged by :func:`obligations_as_of` as of any date on or after their horizon, are what
:func:`compute_obligations` works out from the events as of that date. Then the cases
that only a later date changes, by name, and the stored form of a row.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.records import Event, ObligationStatus
from pipeline.rules import compute_obligations, default_rule_sets
from pipeline.rules.basis import (
    RULES_VERSION,
    fingerprint,
    rule_sets_from_text,
    rule_sets_text,
)
from pipeline.rules.kept import (
    KeptObligation,
    KeptState,
    Reading,
    from_columns,
    obligations_as_of,
    states_for,
    stored_columns,
)
from pipeline.rules.obligations import kept_obligations
from pipeline.store.kept import COLUMNS
from pipeline.store.models import OBLIGATION_STATES
from tests.test_rules_properties import DAYS, EVENTS

# The details the shared strategy has, and Families First's legal status (exempt reviews).
LEGAL = st.sampled_from(["child_in_need", "child_protection", "looked_after"])
MORE_EVENTS = st.one_of(EVENTS, st.builds(
    Event, person_id=st.sampled_from(["P1", "P2"]), service=st.just("families-first"),
    kind=st.sampled_from(["referral", "start", "review", "support_plan", "closure"]),
    on=DAYS, complete=st.booleans(), source=st.just("ff.docx"),
    details=st.fixed_dictionaries({}, optional={"legal_status": LEGAL})))


OPEN = (ObligationStatus.OVERDUE, ObligationStatus.DUE_SOON,
        ObligationStatus.PAST_PLANNED_DURATION)


def is_read(row: KeptObligation, states: dict[KeptState, Reading]) -> bool:
    """Whether the store reads ``row`` for ``states`` (as :func:`pipeline.store.kept.rows`)."""
    if row.state not in states:
        return False
    due_by, next_due_by = states[row.state]
    return (due_by is not None and row.due <= due_by) or (
        next_due_by is not None and row.next_due is not None and row.next_due <= next_due_by)


@settings(max_examples=250, deadline=None, database=None)
@given(events=st.lists(MORE_EVENTS, max_size=40), later=st.integers(0, 800),
       due_soon_days=st.integers(0, 30))
def test_kept_rows_as_of_any_later_date_are_that_dates_obligations(
        events: list[Event], later: int, due_soon_days: int) -> None:
    groups = kept_obligations(events)
    for group in groups:
        as_of = group.horizon + timedelta(days=later)
        expected = [o for o in compute_obligations(events, as_of, due_soon_days=due_soon_days)
                    if (o.person_id, o.service) == (group.person_id, group.service)]
        assert obligations_as_of(group.rows, as_of, due_soon_days) == expected, as_of
        # As read back from the store (a chain's onward only where it has passed), and
        # only the open ones, as `planwatch due` reads them.
        stored = [from_columns([stored_columns(row)[name] for name in COLUMNS], as_of)
                  for row in group.rows]
        read = [row for row in stored if is_read(row, states_for(OPEN, as_of, due_soon_days))]
        assert obligations_as_of(read, as_of, due_soon_days, OPEN) == [
            o for o in expected if o.status in OPEN], as_of
    # Everyone who has obligations on some date has a group.
    keys = {(g.person_id, g.service) for g in groups}
    for as_of in (date(2026, 6, 1), date(2028, 6, 1)):
        assert {(o.person_id, o.service) for o in compute_obligations(events, as_of)} <= keys


def weekly(*days: date) -> list[Event]:
    """A Families First family started on the first day, reviewed on the others."""
    start, *reviews = days
    return [Event("F1", "families-first", "start", start),
            *(Event("F1", "families-first", "review", day) for day in reviews)]


def test_an_open_slot_is_followed_by_the_slots_after_it() -> None:
    [group] = [g for g in kept_obligations(weekly(date(2026, 1, 5), date(2026, 1, 12)))
               if g.service == "families-first"]
    [slot] = [r for r in group.rows if r.state is KeptState.SLOT]
    assert (slot.due, slot.next_due) == (date(2026, 1, 19), date(2026, 1, 26))
    reviews = [o for o in obligations_as_of(group.rows, date(2026, 2, 10), 14)
               if o.obligation == "review"]
    assert [(o.due, o.status, o.cycle) for o in reviews] == [
        (date(2026, 1, 12), ObligationStatus.MET, 1),
        (date(2026, 1, 19), ObligationStatus.MISSED, 2),
        (date(2026, 1, 26), ObligationStatus.MISSED, 3),
        (date(2026, 2, 2), ObligationStatus.MISSED, 4),
        (date(2026, 2, 9), ObligationStatus.OVERDUE, 5),
    ]


def test_slots_passing_while_exempt_are_left_out() -> None:
    events = [*weekly(date(2026, 1, 5)),
              Event("F1", "families-first", "referral", date(2026, 1, 5),
                    details={"legal_status": "child_protection"})]
    [group] = kept_obligations(events)
    reviews = [o for o in obligations_as_of(group.rows, date(2026, 3, 2), 14)
               if o.obligation == "review"]
    assert [(o.due, o.status, o.note) for o in reviews] == [
        (date(2026, 3, 2), ObligationStatus.NOT_APPLICABLE,
         "statutory review process (child protection or looked after)")]
    assert reviews == [o for o in compute_obligations(events, date(2026, 3, 2))
                       if o.obligation == "review"]


def test_a_planned_duration_passes_with_the_date() -> None:
    [group] = kept_obligations(weekly(date(2026, 1, 5)))
    closure = [r for r in group.rows if r.obligation == "closure"]
    assert [r.state for r in closure] == [KeptState.PLANNED]
    before, after = (
        [o for o in obligations_as_of(group.rows, day, 14) if o.obligation == "closure"]
        for day in (date(2026, 7, 4), date(2026, 7, 5)))
    assert [(o.status, o.note) for o in before] == [(ObligationStatus.UPCOMING, None)]
    assert [(o.status, o.note) for o in after] == [
        (ObligationStatus.PAST_PLANNED_DURATION, "past planned duration: consider step-down")]


def test_a_child_is_kept_from_the_latest_of_her_mothers_forms() -> None:
    mother = [Event("M1", "swa-refuge-women", "start", date(2026, 3, 2),
                    details={"children_with_her": [{"person_id": "C1", "name": "C"}]}),
              Event("M1", "swa-refuge-women", "review", date(2026, 4, 20))]
    child = {(g.person_id, g.service): g for g in kept_obligations(mother)}[
        ("C1", "swa-refuge-children")]
    assert (child.horizon, child.listers) == (date(2026, 4, 20), ("M1",))
    assert child.rows


def test_stored_columns_give_the_row_back() -> None:
    events = [*weekly(date(2026, 1, 5)),
              Event("F1", "families-first", "referral", date(2026, 1, 5),
                    details={"legal_status": "looked_after"})]
    rows = [row for group in kept_obligations(events) for row in group.rows]
    assert any(row.onward is not None for row in rows)
    for row in rows:
        stored = stored_columns(row)
        assert tuple(stored) == COLUMNS
        assert from_columns([stored[name] for name in COLUMNS]) == row


def test_the_store_knows_every_kept_state_and_column() -> None:
    assert tuple(state.value for state in KeptState) == OBLIGATION_STATES
    assert KeptObligation._fields == COLUMNS


def test_only_rows_that_may_be_open_are_read_for_open_statuses() -> None:
    day = date(2026, 6, 1)
    assert states_for(OPEN, day, 14) == {
        KeptState.OPEN: (date(2026, 6, 15), None), KeptState.PLANNED: (day, None),
        KeptState.SLOT: (date(2026, 6, 15), day), KeptState.EXEMPT_SLOT: (None, day)}
    assert states_for([ObligationStatus.MET], day, 14) == {
        KeptState.MET: (date.max, None), KeptState.SLOT: (None, day),
        KeptState.EXEMPT_SLOT: (None, day)}
    everything = states_for(list(ObligationStatus), day, 14)
    assert set(everything) == set(KeptState)
    assert all(due_by == date.max for due_by, _ in everything.values())


def test_the_fingerprint_changes_with_the_rules_and_only_with_them() -> None:
    rule_sets = default_rule_sets()
    assert fingerprint(rule_sets) == fingerprint(rule_sets_from_text(rule_sets_text(rule_sets)))
    changed = dict(rule_sets)
    changed["sds"] = changed["sds"].model_copy(update={"closure_event": "feedback"})
    assert fingerprint(changed) != fingerprint(rule_sets)
    assert len(fingerprint(rule_sets)) == 64 and RULES_VERSION >= 1
