"""Obligations for every episode, as of a date: the rules engine's entry point.

    events ──group by (person, service)──▶ episodes ──rules──▶ drafts ──closure,
    exemption, status──▶ Obligation rows, sorted by (person_id, service, due, ...)

Events dated after the as-of date are ignored entirely, so a run "as of" a past date
sees exactly what was known then. The result never depends on the order of the events.
The rule sets are the services' policies (``forms/services/*.yaml``, loaded by
:mod:`pipeline.policies`); callers pass their own, with the workspace's settings.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from functools import cache

from pipeline.records import Event, Obligation, ObligationStatus
from pipeline.rules.episodes import split_episodes
from pipeline.rules.evaluate import Draft, evaluate_rule, holds, met_in_time
from pipeline.rules.events import first_fact, latest_value, sorted_events
from pipeline.rules.status import DEFAULT_DUE_SOON_DAYS, status_for
from pipeline.rules.vocabulary import Rule, RuleSet, Within


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
    ``rule_sets``, default :func:`default_rule_sets`) yields nothing. Events dated after
    ``as_of`` are ignored. The list is sorted by (person_id, service, due, obligation,
    cycle, episode) and is the same for any order of ``events``. Raises ``ValueError``
    if ``due_soon_days`` is negative.
    """
    if due_soon_days < 0:
        raise ValueError(f"due_soon_days must be 0 or more, got {due_soon_days}")
    known_rule_sets = default_rule_sets() if rule_sets is None else rule_sets
    people: defaultdict[tuple[str, str], list[Event]] = defaultdict(list)
    for event in events:
        if event.on <= as_of and event.service in known_rule_sets:
            people[(event.person_id, event.service)].append(event)
    obligations: list[Obligation] = []
    for (_, service), person_events in people.items():
        rule_set = known_rule_sets[service]
        episodes = split_episodes(sorted_events(person_events), rule_set.closure_event)
        for number, episode_events in enumerate(episodes, 1):
            obligations += episode_obligations(
                episode_events, as_of, rule_set, due_soon_days, episode=number)
    return sorted(obligations, key=_report_order)


def episode_obligations(
    events: Sequence[Event], as_of: date, rule_set: RuleSet, due_soon_days: int,
    *, episode: int = 1,
) -> list[Obligation]:
    """The obligations of one episode of one person in one service.

    ``events`` must be sorted (:func:`pipeline.rules.events.sorted_events`), dated on or
    before ``as_of``, and be one episode. If the episode closed, an obligation falling
    due after the closure is left out unless it was met all the same; one that fell due
    before it and was never met is ``missed``. Obligations about the closure itself
    (feedback after closing, the closure form) are owed whatever the closure date. An
    unmet obligation is ``not_applicable`` while the rule's exemption holds on its due
    date (a disclaimer in place). With a deadline in hours, the times decide whether it
    was met on time.
    """
    if not events:
        return []
    closure = first_fact(events, rule_set.closure_event)
    closed_on = closure.on if closure is not None else None
    worker = latest_value(events, "worker")
    team = latest_value(events, "team")
    obligations: list[Obligation] = []
    for rule in rule_set.rules:
        ends_on = None if _about_the_closure(rule, rule_set) else closed_on
        for draft in evaluate_rule(rule, events, rule_set.nation):
            if _ended_before_due(draft, ends_on):
                continue
            met_on = draft.met_by.on if draft.met_by is not None else None
            obligations.append(
                # Built without validation: every value is typed by the rules, and a
                # council has hundreds of thousands of obligations. Every field is given,
                # so all share one set of given fields (Obligation is frozen).
                Obligation.model_construct(
                    _OBLIGATION_FIELDS,
                    person_id=events[0].person_id,
                    service=events[0].service,
                    obligation=draft.obligation,
                    due=draft.due,
                    due_at=draft.due_at,
                    status=_status(rule, rule_set, draft, events, as_of, due_soon_days,
                                   ends_on),
                    met_on=met_on,
                    worker=worker,
                    team=team,
                    source=(draft.met_by or draft.trigger).source,
                    cycle=draft.cycle,
                    episode=episode,
                )
            )
    return obligations


_OBLIGATION_FIELDS = set(Obligation.model_fields)


def _status(rule: Rule, rule_set: RuleSet, draft: Draft, events: Sequence[Event], as_of: date,
            due_soon_days: int, closed_on: date | None) -> ObligationStatus:
    met_on = draft.met_by.on if draft.met_by is not None else None
    status = status_for(draft.due, met_on, as_of, due_soon_days, closed_on)
    if status in (ObligationStatus.MET, ObligationStatus.MET_LATE):
        in_time = met_in_time(draft)
        if in_time is not None:
            return ObligationStatus.MET if in_time else ObligationStatus.MET_LATE
        return status
    exemption = rule_set.exemption(rule)
    if exemption is not None and holds(exemption, events, draft.due):
        return ObligationStatus.NOT_APPLICABLE
    return status


def _about_the_closure(rule: Rule, rule_set: RuleSet) -> bool:
    # Feedback after closing, or the closure form itself, is owed because of the closure:
    # closing cannot end it.
    starts_there = isinstance(rule, Within) and rule.after_event == rule_set.closure_event
    return starts_there or rule_set.closure_event in rule.meeting_kinds


def _ended_before_due(draft: Draft, closed_on: date | None) -> bool:
    # An unmet obligation that would only fall due after the episode closed was never
    # owed. A met one is kept: dropping it would hide work that was done on time.
    return draft.met_by is None and closed_on is not None and draft.due > closed_on


def _report_order(obligation: Obligation) -> tuple[str, str, date, str, int, int]:
    return (
        obligation.person_id,
        obligation.service,
        obligation.due,
        obligation.obligation,
        obligation.cycle,
        obligation.episode,
    )
