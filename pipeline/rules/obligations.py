"""Obligations for every episode, as of a date: the rules engine's entry point.

    events ──group by (person, service)──▶ episodes ──rules──▶ drafts ──closure,
    exemption──▶ kept rows ──status as of the date──▶ Obligation rows, sorted by
    (person_id, service, due, ...)

Events dated after the as-of date are ignored entirely, so a run "as of" a past date
sees exactly what was known then. The result never depends on the order of the events.
The rule sets are the services' policies (``forms/services/*.yaml``, loaded by
:mod:`pipeline.policies`); callers pass their own, with the workspace's settings.

:func:`kept_obligations` stops before the status: each person's obligations in each
service worked out up to the latest event they depend on, which hold as of that date and
any later one (:mod:`pipeline.rules.kept`), for the store to keep as forms arrive.
:func:`compute_obligations` is the same work up to the as-of date, then the status.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from operator import attrgetter
from typing import NamedTuple

from pipeline.records import Event, Obligation
from pipeline.rules.episodes import split_episodes
from pipeline.rules.evaluate import Onward as DraftOnward
from pipeline.rules.evaluate import RuleEvaluator, holds, met_in_time, released
from pipeline.rules.events import first_fact, latest_value, sorted_events
from pipeline.rules.kept import KeptObligation, KeptState, Onward, obligations_as_of
from pipeline.rules.listing import listed_events, listed_people
from pipeline.rules.status import DEFAULT_DUE_SOON_DAYS
from pipeline.rules.vocabulary import Condition, Rule, RuleSet, Within


@cache
def _bundled_rule_sets() -> tuple[tuple[str, RuleSet], ...]:
    # Imported here: pipeline.policies builds on this package (a cycle at import time).
    from pipeline.policies import load_policies

    return tuple(load_policies().rule_sets().items())


def default_rule_sets() -> dict[str, RuleSet]:
    """The bundled services' rule sets by service id, with the policies' own defaults."""
    return dict(_bundled_rule_sets())


def compute_obligations(
    events: Iterable[Event],
    as_of: date,
    *,
    due_soon_days: int = DEFAULT_DUE_SOON_DAYS,
    rule_sets: Mapping[str, RuleSet] | None = None,
) -> list[Obligation]:
    """Every obligation of every episode as of ``as_of``, with its status.

    Events are grouped by (person_id, service) and split into episodes
    (:func:`pipeline.rules.episodes.split_episodes`); a service without a rule set (in
    ``rule_sets``, default :func:`default_rule_sets`) yields nothing. A rule set with
    ``listed_on`` also gets the people listed on another service's forms (children on
    their mother's referral: :func:`pipeline.rules.listing.listed_events`). Events dated
    after ``as_of`` are ignored. The list is sorted by (person_id, service, due,
    obligation, cycle, episode) and is the same for any order of ``events``. Raises
    ``ValueError`` if ``due_soon_days`` is negative.
    """
    if due_soon_days < 0:
        raise ValueError(f"due_soon_days must be 0 or more, got {due_soon_days}")
    known_rule_sets = default_rule_sets() if rule_sets is None else rule_sets
    people = _people(events, as_of, known_rule_sets)
    plans = {service: _Plan.of(rule_set) for service, rule_set in known_rule_sets.items()}
    kept: list[KeptObligation] = []
    # In (person, service) order, each group's rows sorted by the rest of the report
    # order: the same list as sorting them all by it, for a fraction of the work.
    for key in sorted(people):
        plan = plans.get(key[1])
        if plan is not None:  # None: a lister's service with no policy of its own
            kept += _group_rows(people[key], as_of, plan)
    return obligations_as_of(kept, as_of, due_soon_days)


class KeptGroup(NamedTuple):
    """One person's obligations in one service as kept (:mod:`pipeline.rules.kept`).

    ``horizon`` is the latest date of an event they depend on (the person's own, and
    every form of the people whose forms list them): ``rows`` hold as of that date and
    any later one. ``listers`` are the people whose forms list this person (a child's
    mother), sorted; a person listed only on a form that no longer starts anything has
    a group with no rows, since they had obligations as of some earlier date.
    """

    person_id: str
    service: str
    horizon: date
    listers: tuple[str, ...]
    rows: list[KeptObligation]


def kept_obligations(
    events: Iterable[Event], rule_sets: Mapping[str, RuleSet] | None = None,
) -> list[KeptGroup]:
    """Every person's obligations in every service, as kept: worked out from all of
    ``events`` up to each group's horizon (see :class:`KeptGroup`), sorted by (person_id,
    service), each group's rows in the rules' order. For any as-of date on or after a
    group's horizon, :func:`pipeline.rules.kept.obligations_as_of` of its rows is what
    :func:`compute_obligations` gives for it; the groups are the same for any order of
    ``events``.
    """
    known_rule_sets = default_rule_sets() if rule_sets is None else rule_sets
    people = _people(events, None, known_rule_sets)
    listers = _listers(people, known_rule_sets)
    latest = {key: max(event.on for event in group) for key, group in people.items()}
    plans = {service: _Plan.of(rule_set) for service, rule_set in known_rule_sets.items()}
    groups: list[KeptGroup] = []
    for key in sorted(people.keys() | listers.keys()):
        plan = plans.get(key[1])
        if plan is None:
            continue
        listed = plan.rule_set.listed_on
        mothers = tuple(sorted(listers.get(key, ())))
        own = [latest[key]] if key in people else []
        horizon = max([*own, *(latest[(m, listed.service)] for m in mothers
                              if listed is not None and (m, listed.service) in latest)])
        rows = _group_rows(people[key], horizon, plan) if key in people else []
        groups.append(KeptGroup(key[0], key[1], horizon, mothers, rows))
    return groups


def _people(events: Iterable[Event], as_of: date | None,
            rule_sets: Mapping[str, RuleSet]) -> dict[tuple[str, str], list[Event]]:
    """The events of each (person, service) the rule sets read (dated on or before
    ``as_of``, when given), with the events listing derives (:mod:`.listing`)."""
    people: dict[tuple[str, str], list[Event]] = {}
    listing = {rs.listed_on.service for rs in rule_sets.values() if rs.listed_on is not None}
    for event in events:
        if (as_of is None or event.on <= as_of) and (event.service in rule_sets
                                                     or event.service in listing):
            key = (event.person_id, event.service)
            group = people.get(key)
            if group is None:
                people[key] = [event]
            else:
                group.append(event)
    for rule_set in rule_sets.values():
        if rule_set.listed_on is not None:
            for event in listed_events(people, rule_set.listed_on, rule_set.service,
                                       rule_sets):
                people.setdefault((event.person_id, event.service), []).append(event)
    return people


def _listers(people: Mapping[tuple[str, str], list[Event]],
             rule_sets: Mapping[str, RuleSet]) -> dict[tuple[str, str], set[str]]:
    """For each person listed in a service, the people whose forms list them there
    (on any of their listing events, not only the one that starts anything now)."""
    listers: dict[tuple[str, str], set[str]] = {}
    for rule_set in rule_sets.values():
        listed = rule_set.listed_on
        if listed is None:
            continue
        for (person, service), group in people.items():
            if service == listed.service:
                for event in group:
                    if event.kind == listed.event:
                        for child in listed_people(event, listed):
                            listers.setdefault((child, rule_set.service), set()).add(person)
    return listers


def _group_rows(events: list[Event], horizon: date, plan: _Plan) -> list[KeptObligation]:
    """One person's obligations in one service, worked out up to ``horizon``, sorted."""
    rows: list[KeptObligation] = []
    episodes = split_episodes(sorted_events(events), plan.rule_set.closure_event)
    for number, episode_events in enumerate(episodes, 1):
        _add_kept(rows, episode_events, horizon, plan, number)
    rows.sort(key=_GROUP_ORDER)
    return rows


def episode_obligations(
    events: Sequence[Event], as_of: date, rule_set: RuleSet, due_soon_days: int,
    *, episode: int = 1,
) -> list[Obligation]:
    """The obligations of one episode of one person in one service.

    ``events`` must be sorted (:func:`pipeline.rules.events.sorted_events`), dated on or
    before ``as_of``, and be one episode. If the episode closed, an obligation falling
    due after the closure is left out unless it was met all the same, or its rule says
    it is ``owed_after_closure``; one that fell due before it and was never met is
    ``missed``. Obligations about the closure itself (feedback after closing, the
    closure form) are owed whatever the closure date. A review slot overtaken by a later
    one is ``missed``. An unmet obligation is ``not_applicable`` while the rule's
    exemption holds on its due date (a disclaimer in place), with the exemption's
    reason as its note; when the rule set's exemption is released (a disclaimer
    withdrawn), the policy applies afresh from that date. With a deadline in hours, the
    times decide whether it was met on time.
    """
    if due_soon_days < 0:
        raise ValueError(f"due_soon_days must be 0 or more, got {due_soon_days}")
    kept: list[KeptObligation] = []
    _add_kept(kept, events, as_of, _Plan.of(rule_set), episode)
    return obligations_as_of(kept, as_of, due_soon_days)


@dataclass(frozen=True, slots=True)
class _Plan:
    """A rule set with what each rule needs worked out once, not once per episode: its
    evaluator, whether the closure ends it, and the condition that exempts it."""

    rule_set: RuleSet
    rules: tuple[tuple[RuleEvaluator, bool, Condition | None], ...]

    @classmethod
    def of(cls, rule_set: RuleSet) -> _Plan:
        return cls(rule_set, tuple(
            (RuleEvaluator(rule, rule_set.nation), _closure_ends(rule, rule_set),
             rule_set.exemption(rule))
            for rule in rule_set.rules))


def _add_kept(kept: list[KeptObligation], events: Sequence[Event], horizon: date,
              plan: _Plan, episode: int) -> None:
    """Append one episode's obligations as kept, worked out up to ``horizon`` (on or
    after its last event; see :func:`episode_obligations` for what they are)."""
    if not events:
        return
    rule_set = plan.rule_set
    closure = first_fact(events, rule_set.closure_event)
    closed_on = closure.on if closure is not None else None
    worker = latest_value(events, "worker")
    team = latest_value(events, "team")
    person_id, service = events[0].person_id, events[0].service
    add = kept.append
    segments = _segments(events, rule_set.exempt_while)
    # Rows per obligation so far: numbers the cycles of a later segment after them.
    counted: dict[str, int] = {}
    for number, (segment, released_on) in enumerate(segments):
        last = number == len(segments) - 1
        dues: dict[str, tuple[date, Event]] = {}
        for evaluator, closure_ends_it, exemption in plan.rules:
            ends_on = closed_on if closure_ends_it else None
            limit = horizon if ends_on is None else min(horizon, ends_on)
            if released_on is not None:
                limit = min(limit, released_on)
            # Only here does a chain of slots grow after the horizon: neither the
            # closure nor a release stops it.
            grows = ends_on is None and released_on is None
            offset = counted.get(evaluator.rule.obligation, 0)
            drafts = evaluator.evaluate(segment, limit, dues)
            for draft in drafts:
                name, cycle, due, trigger, met_by, due_at, skipped, onward = draft
                if cycle == 0 and name not in dues:
                    dues[name] = (due, trigger)
                note = None
                if met_by is None:
                    if ends_on is not None and due > ends_on:
                        # An unmet obligation that would only fall due after the episode
                        # closed was never owed. A met one is kept: dropping it would hide
                        # work that was done on time.
                        continue
                    if released_on is not None and due >= released_on:
                        continue  # overtaken: the policy applied afresh from then
                    met_on = None
                    source = trigger.source
                else:
                    met_on = met_by.on
                    source = met_by.source
                exempt = (met_by is None and exemption is not None
                          and holds(exemption, events, due))
                kept_onward = None
                if grows and onward is not None:
                    # The chain's open slot: the as-of date decides whether a later slot
                    # has overtaken it.
                    kept_onward = _kept_onward(onward, rule_set, exemption, events)
                if exempt:
                    if skipped:
                        continue  # slots that pass while exempt were never owed
                    state = _EXEMPT_SLOT if kept_onward else _NOT_APPLICABLE
                    note = exemption.reason if exemption is not None else None
                elif evaluator.planned:
                    state = _PLANNED
                    note = evaluator.note
                elif skipped or (met_by is None and not last):
                    state = _MISSED
                elif met_on is not None:
                    # Met (by the horizon, so by any later as-of date); with a deadline in
                    # hours, the times decide (when they are known).
                    in_time = None if due_at is None else met_in_time(draft)
                    state = _MET if (met_on <= due if in_time is None else in_time) \
                        else _MET_LATE
                elif ends_on is not None:
                    # Closed (by the horizon): it fell due on or before the closure.
                    state = _MISSED if due <= ends_on else _NOT_APPLICABLE
                else:
                    state = _SLOT if kept_onward else _OPEN
                counted[name] = counted.get(name, 0) + 1
                add(KeptObligation(person_id, service, name, due, state, met_on, worker,
                                   team, source, cycle + offset, episode, due_at, note,
                                   None if met_by is None else met_by.submission_id,
                                   None if kept_onward is None else kept_onward.due,
                                   kept_onward))


def _kept_onward(onward: DraftOnward, rule_set: RuleSet, exemption: Condition | None,
                 events: Sequence[Event]) -> Onward:
    """A chain's way on, with what judging its later slots needs: they all fall due
    after the episode's last event, so the exemption holds for all of them or none."""
    exempt = exemption is not None and holds(exemption, events, date.max)
    return Onward(onward.due, onward.origin, onward.step, onward.span, onward.then,
                  rule_set.nation, exempt, exemption.reason if exemption is not None else None)


def _segments(events: Sequence[Event], exemption: Condition | None
              ) -> list[tuple[Sequence[Event], date | None]]:
    """The episode's events cut where the exemption is released (see
    :attr:`Condition.released_as`): each part with the date the next one starts (None
    for the last). A later part begins with an event of the ``released_as`` kind on the
    release's date, and holds the events from that date on."""
    if exemption is None or exemption.released_as is None:
        return [(events, None)]
    releases = released(events, exemption)
    if not releases:
        return [(events, None)]
    parts: list[tuple[Sequence[Event], date | None]] = []
    begin: list[Event] = [e for e in events if e.on < releases[0].on]
    for index, release in enumerate(releases):
        parts.append((begin, release.on))
        until = releases[index + 1].on if index + 1 < len(releases) else None
        fresh = Event(release.person_id, release.service, exemption.released_as,
                      release.on, None, release.worker, release.team, True,
                      release.submission_id, release.source, {})
        begin = sorted_events([fresh, *(e for e in events if e.on >= release.on
                                        and (until is None or e.on < until))])
    parts.append((begin, None))
    return parts


# The report order (person_id, service, due, obligation, cycle, episode) after the first two.
_GROUP_ORDER = attrgetter("due", "obligation", "cycle", "episode")
_MET, _MET_LATE, _MISSED = KeptState.MET, KeptState.MET_LATE, KeptState.MISSED
_NOT_APPLICABLE, _OPEN, _PLANNED = KeptState.NOT_APPLICABLE, KeptState.OPEN, KeptState.PLANNED
_SLOT, _EXEMPT_SLOT = KeptState.SLOT, KeptState.EXEMPT_SLOT


def _closure_ends(rule: Rule, rule_set: RuleSet) -> bool:
    # Feedback after closing, or the closure form itself, is owed because of the closure,
    # and a rule may say it is owed after it (a Part 2 of a review held before closing).
    if rule.owed_after_closure:
        return False
    starts_there = isinstance(rule, Within) and rule.after_event == rule_set.closure_event
    return not (starts_there or rule_set.closure_event in rule.meeting_kinds)
