"""People who start because another person's form lists them: children in the refuge.

A woman's referral lists the children arriving with her (``children_with_her``: each
child's reference, name and date of birth). Each listed child has their own episode in
the children's service, which starts on her arrival even before any form of the child's
arrives, so the child's deadlines (the child referral within a week, the self-assessment,
the plan) can fall due and be overdue like anyone's. When her episode closes, the
children's close with it: they leave together.

The rule set saying so (``listed_on`` in ``forms/services/swa-refuge-children.yaml``) is
data; :func:`listed_events` derives the events, and :func:`listing_disagreements` finds
children whose own referral names a different mother from the one listing them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.records import Event
from pipeline.rules.episodes import split_episodes
from pipeline.rules.events import first_fact, sorted_events
from pipeline.rules.vocabulary import ListedOn, RuleSet, normalise_value


def listed_events(people: Mapping[tuple[str, str], Sequence[Event]], listed: ListedOn,
                  service: str, rule_sets: Mapping[str, RuleSet]) -> list[Event]:
    """The events of ``service`` that ``listed`` derives from the listers' events.

    ``people`` holds each (person, service)'s events (in any order). For each episode of
    a person in ``listed.service`` with a ``listed.event`` (the earliest: her arrival)
    whose ``details[listed.table]`` lists people, each listed person gets an
    ``as_event`` on that date carrying ``details[link_detail]`` = the lister's reference,
    and the lister's closure on its date, if she has left.
    """
    lister_rules = rule_sets.get(listed.service)
    closure_kind = lister_rules.closure_event if lister_rules is not None else "closure"
    derived: list[Event] = []
    for (person, lister_service), events in people.items():
        if lister_service != listed.service:
            continue
        for episode in split_episodes(sorted_events(events), closure_kind):
            arrival = _listing_event(episode, listed)
            if arrival is None:
                continue
            closure = first_fact(episode, closure_kind)
            for child in listed_people(arrival, listed):
                derived.append(_derived(arrival, child, service, listed.as_event,
                                        {listed.link_detail: person}))
                if closure is not None:
                    derived.append(_derived(closure, child, service, closure_kind,
                                            {listed.link_detail: person}))
    return derived


def listed_people(event: Event, listed: ListedOn) -> list[str]:
    """The references in ``event.details[listed.table]``'s ``listed.column``, in order,
    each once (blank rows and rows without a reference are skipped)."""
    rows = event.details.get(listed.table)
    if not isinstance(rows, list | tuple):
        return []
    found: list[str] = []
    for row in rows:
        if isinstance(row, Mapping):
            reference = row.get(listed.column)
            if isinstance(reference, str) and reference.strip() and reference.strip() not in found:
                found.append(reference.strip())
    return found


def _listing_event(episode: Sequence[Event], listed: ListedOn) -> Event | None:
    # The earliest listing event (complete first, as for any fact) that lists anyone; a
    # corrected copy of the referral that lists them supersedes one that does not.
    listing = [e for e in episode if e.kind == listed.event and listed_people(e, listed)]
    return first_fact(listing, listed.event)


def _derived(event: Event, person: str, service: str, kind: str,
             details: dict[str, Any]) -> Event:
    return Event(person, service, kind, event.on, None, event.worker, event.team,
                       event.complete, event.submission_id, event.source, details)


@dataclass(frozen=True)
class LinkDisagreement:
    """A child whose own referral names ``named_mother`` while ``listed_by`` list them
    (either may be empty: named but not listed, or listed by nobody it names)."""

    child: str
    named_mother: str | None
    listed_by: tuple[str, ...]
    source: str | None
    # The child's form naming the mother (the finding is shown against it).
    submission_id: int | None = None
    # The field on that form that names her (``listed_on.link_detail``).
    field: str = "mother_person_id"

    def message(self) -> str:
        """What a manager reads: which link is wrong and what to do."""
        listed = ", ".join(self.listed_by) or "no woman's referral"
        named = self.named_mother or "no mother"
        return (f"{self.child}: the child's referral names {named} as mother, but the child "
                f"is listed on {listed}; correct whichever form is wrong")


def listing_disagreements(events: Iterable[Event],
                          rule_sets: Mapping[str, RuleSet]) -> list[LinkDisagreement]:
    """Children whose own referral's mother and the women's referrals listing them
    disagree, sorted by child. A child with no referral of their own yet is not a
    disagreement (the listing alone starts their deadlines)."""
    by_service: dict[str, list[Event]] = {}
    for event in events:
        by_service.setdefault(event.service, []).append(event)
    found: list[LinkDisagreement] = []
    for service, rule_set in sorted(rule_sets.items()):
        listed = rule_set.listed_on
        if listed is None:
            continue
        listers: dict[str, set[str]] = {}
        for event in by_service.get(listed.service, []):
            if event.kind == listed.event:
                for child in listed_people(event, listed):
                    listers.setdefault(child, set()).add(event.person_id)
        named: dict[str, tuple[str, str | None, int | None]] = {}
        for event in sorted_events(by_service.get(service, [])):
            value = event.details.get(listed.link_detail)
            if value is not None and normalise_value(value):
                named[event.person_id] = (str(value).strip(), event.source,
                                          event.submission_id)
        for child in sorted(named):
            mother, source, submission = named[child]
            listing = tuple(sorted(listers.get(child, set())))
            if mother not in listing:
                found.append(LinkDisagreement(child, mother, listing, source, submission,
                                              listed.link_detail))
    return found
