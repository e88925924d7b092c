"""Obligations for every episode, as of a date: the rules engine's entry point.

    events ──group by (person, service)──▶ episodes ──rules──▶ drafts ──closure,
    exemption, status──▶ Obligation rows, sorted by (person_id, service, due, ...)

Events dated after the as-of date are ignored entirely, so a run "as of" a past date
sees exactly what was known then. The result never depends on the order of the events.
The rule sets are the services' policies (``forms/services/*.yaml``, loaded by
:mod:`pipeline.policies`); callers pass their own, with the workspace's settings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from operator import attrgetter

from pipeline.records import Event, Obligation, ObligationStatus
from pipeline.rules.episodes import split_episodes
from pipeline.rules.evaluate import RuleEvaluator, holds, met_in_time, released
from pipeline.rules.events import first_fact, latest_value, sorted_events
from pipeline.rules.listing import listed_events
from pipeline.rules.status import DEFAULT_DUE_SOON_DAYS, status_for
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
    people: dict[tuple[str, str], list[Event]] = {}
    listers = {rs.listed_on.service for rs in known_rule_sets.values()
               if rs.listed_on is not None}
    for event in events:
        if event.on <= as_of and (event.service in known_rule_sets
                                  or event.service in listers):
            key = (event.person_id, event.service)
            group = people.get(key)
            if group is None:
                people[key] = [event]
            else:
                group.append(event)
    for rule_set in known_rule_sets.values():
        if rule_set.listed_on is not None:
            for event in listed_events(people, rule_set.listed_on, rule_set.service,
                                       known_rule_sets):
                people.setdefault((event.person_id, event.service), []).append(event)
    plans = {service: _Plan.of(rule_set) for service, rule_set in known_rule_sets.items()}
    obligations: list[Obligation] = []
    # In (person, service) order, each group's rows sorted by the rest of the report
    # order: the same list as sorting them all by it, for a fraction of the work.
    for key in sorted(people):
        plan = plans.get(key[1])
        if plan is None:
            continue  # a lister's service with no policy of its own
        rows: list[Obligation] = []
        episodes = split_episodes(sorted_events(people[key]), plan.rule_set.closure_event)
        for number, episode_events in enumerate(episodes, 1):
            _add_obligations(rows, episode_events, as_of, plan, due_soon_days, number)
        rows.sort(key=_GROUP_ORDER)
        obligations += rows
    return obligations


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
    obligations: list[Obligation] = []
    _add_obligations(obligations, events, as_of, _Plan.of(rule_set), due_soon_days, episode)
    return obligations


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


def _add_obligations(obligations: list[Obligation], events: Sequence[Event], as_of: date,
                     plan: _Plan, due_soon_days: int, episode: int) -> None:
    """Append one episode's obligations (see :func:`episode_obligations`)."""
    if not events:
        return
    rule_set = plan.rule_set
    closure = first_fact(events, rule_set.closure_event)
    closed_on = closure.on if closure is not None else None
    worker = latest_value(events, "worker")
    team = latest_value(events, "team")
    person_id, service = events[0].person_id, events[0].service
    add = obligations.append
    segments = _segments(events, rule_set.exempt_while)
    # Rows per obligation so far: numbers the cycles of a later segment after them.
    counted: dict[str, int] = {}
    for number, (segment, released_on) in enumerate(segments):
        last = number == len(segments) - 1
        dues: dict[str, tuple[date, Event]] = {}
        for evaluator, closure_ends_it, exemption in plan.rules:
            ends_on = closed_on if closure_ends_it else None
            horizon = as_of if ends_on is None else min(as_of, ends_on)
            if released_on is not None:
                horizon = min(horizon, released_on)
            offset = counted.get(evaluator.rule.obligation, 0)
            drafts = evaluator.evaluate(segment, horizon, dues)
            for draft in drafts:
                name, cycle, due, trigger, met_by, due_at, skipped = draft
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
                if exempt:
                    if skipped:
                        continue  # slots that pass while exempt were never owed
                    status = ObligationStatus.NOT_APPLICABLE
                    note = exemption.reason if exemption is not None else None
                elif evaluator.planned:
                    if due > as_of:
                        status = ObligationStatus.UPCOMING
                    else:
                        status = ObligationStatus.PAST_PLANNED_DURATION
                        note = evaluator.note
                elif skipped or (met_by is None and not last):
                    status = ObligationStatus.MISSED
                else:
                    status = status_for(due, met_on, as_of, due_soon_days, ends_on)
                    if status is _MET or status is _MET_LATE:
                        # With a deadline in hours, the times decide (when they are known).
                        in_time = None if due_at is None else met_in_time(draft)
                        if in_time is not None:
                            status = _MET if in_time else _MET_LATE
                counted[name] = counted.get(name, 0) + 1
                add(Obligation(person_id, service, name, due, status, met_on, worker, team,
                               source, cycle + offset, episode, due_at, note))


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
_MET, _MET_LATE = ObligationStatus.MET, ObligationStatus.MET_LATE


def _closure_ends(rule: Rule, rule_set: RuleSet) -> bool:
    # Feedback after closing, or the closure form itself, is owed because of the closure,
    # and a rule may say it is owed after it (a Part 2 of a review held before closing).
    if rule.owed_after_closure:
        return False
    starts_there = isinstance(rule, Within) and rule.after_event == rule_set.closure_event
    return not (starts_there or rule_set.closure_event in rule.meeting_kinds)
