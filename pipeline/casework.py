"""Questions about people and deadlines, answered from the store.

The rules and the reports are pure functions of typed records; this module is where
those records are gathered from the store (one read each) and the settings' policy
defaults are passed in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select

from pipeline.config import Settings
from pipeline.definitions import Catalogue
from pipeline.errors import PlanwatchError
from pipeline.policies import Policies, load_policies
from pipeline.records import Event, Finding, Obligation, ObligationStatus, Severity
from pipeline.rules.listing import LinkDisagreement, listed_people, listing_disagreements
from pipeline.rules.obligations import compute_obligations as compute
from pipeline.store import queries, supersession
from pipeline.store.models import EventRow, Submission, SubmissionStatus
from pipeline.store.session import Store

# What `planwatch due` shows by default; a case past its planned duration is not
# overdue, but a manager acts on it (consider step-down).
OPEN_STATUSES = (ObligationStatus.OVERDUE, ObligationStatus.DUE_SOON,
                 ObligationStatus.PAST_PLANNED_DURATION)


def service_policies(settings: Settings, catalogue: Catalogue | None = None) -> Policies:
    """The workspace's service policies (``<forms>/services/``), checked against its forms,
    with the policy defaults its settings give. Raises :class:`DefinitionError`."""
    catalogue = catalogue or Catalogue.load(settings.forms_path)
    return load_policies(settings.forms_path, catalogue=catalogue,
                         overrides=settings.policy_overrides())


def obligations(store: Store, settings: Settings, as_of: date,
                policies: Policies | None = None,
                events: Sequence[Event] | None = None) -> list[Obligation]:
    """Every obligation of every person as of a date, by every service's policy, with
    the workspace's policy defaults (``policies``: already loaded ones; ``events``:
    already read, see :func:`stored_events`)."""
    policies = policies or service_policies(settings)
    if events is None:
        events = stored_events(store)
    return compute(events, as_of, due_soon_days=settings.due_soon_days,
                   rule_sets=policies.rule_sets())


def stored_events(store: Store) -> list[Event]:
    """Every current form's events. In no particular order: the rules sort each person's
    events themselves."""
    with store.session() as session:
        return list(queries.event_facts(session))


# A child's referral naming a mother other than the woman listing the child.
LINK_DISAGREEMENT = "link_disagreement"


def link_findings(events: Sequence[Event], policies: Policies) -> dict[int, list[Finding]]:
    """Findings across forms, by the submission they are shown against: a listed person's
    own form and the form listing them disagree (``listed_on``: a child's referral names a
    different mother from the woman whose referral lists the child). Advisory: each
    form is complete on its own; a person corrects whichever is wrong."""
    found: dict[int, list[Finding]] = {}
    for disagreement in disagreements(events, policies):
        if disagreement.submission_id is not None:
            found.setdefault(disagreement.submission_id, []).append(Finding(
                field=disagreement.field, code=LINK_DISAGREEMENT,
                message=disagreement.message(), severity=Severity.ADVISORY))
    return found


def disagreements(events: Sequence[Event], policies: Policies) -> list[LinkDisagreement]:
    """Every listing disagreement (:func:`pipeline.rules.listing.listing_disagreements`)."""
    return listing_disagreements(events, policies.rule_sets())


def site_people(store: Store, site: str, settings: Settings) -> set[tuple[str, str]]:
    """(person, service) pairs with a current form taken at ``site``: its caseload. A
    person listed on a form taken there (a child on her mother's referral) belongs to
    it too, before any form of their own arrives."""
    with store.session() as session:
        rows = session.execute(
            select(Submission.person_id, Submission.service).where(
                Submission.site == site, Submission.status == SubmissionStatus.STORED)
        ).all()
    people = {(str(person), str(service)) for person, service in rows if person and service}
    listings = [(r.service, r.listed_on) for r in service_policies(settings).rule_sets().values()
                if r.listed_on is not None]
    if not listings:
        return people
    for event in stored_events(store):
        for service, listed in listings:
            if (event.service == listed.service and event.kind == listed.event
                    and (event.person_id, event.service) in people):
                people |= {(child, service) for child in listed_people(event, listed)}
    return people


def filter_obligations(rows: list[Obligation], *, show_all: bool = False,
                       service: str | None = None, worker: str | None = None,
                       people: set[tuple[str, str]] | None = None) -> list[Obligation]:
    """What `planwatch due` shows: open items (overdue, due soon) unless ``show_all``;
    ``people`` keeps only those (person, service) pairs (a site's caseload)."""
    return [
        row for row in rows
        if (show_all or row.status in OPEN_STATUSES)
        and (service is None or row.service == service)
        and (worker is None or (row.worker or "").casefold() == worker.casefold())
        and (people is None or (row.person_id, row.service) in people)
    ]


@dataclass(frozen=True)
class PersonHistory:
    person_id: str
    submissions: list[dict[str, Any]]
    events: list[dict[str, Any]]
    obligations: list[Obligation]
    # Where this person's forms and another's disagree (a child's mother): what to fix.
    disagreements: list[str] = field(default_factory=list)


def person_history(store: Store, settings: Settings, person_id: str,
                   as_of: date) -> PersonHistory:
    """One person's forms (every copy, in order), events and obligations, and where their
    forms and another person's disagree. A person listed on another's form (a child on
    her mother's referral) has deadlines before any form of their own."""
    policies = service_policies(settings)
    all_events = stored_events(store)
    rows = [o for o in obligations(store, settings, as_of, policies, all_events)
            if o.person_id == person_id]
    concerned = [d for d in disagreements(all_events, policies)
                 if person_id in (d.child, d.named_mother, *d.listed_by)]
    across = link_findings(all_events, policies)
    with store.session() as session:
        submissions = session.scalars(
            select(Submission).where(Submission.person_id == person_id)
            .order_by(Submission.event_date, Submission.received_at, Submission.id)).all()
        if not submissions and not rows:
            raise PlanwatchError(
                f"No forms are stored for person {person_id!r}.",
                hint="Check the reference; `planwatch due --all --json` lists every person.")
        event_rows = session.scalars(
            select(EventRow).join(Submission, EventRow.submission_id == Submission.id)
            .where(EventRow.person_id == person_id,
                   Submission.status == SubmissionStatus.STORED)
            .order_by(EventRow.on, EventRow.id)).all()
        why = supersession.verdicts(submissions)
        forms = [{
            "submission_id": s.id, "form": s.form_id, "service": s.service,
            "date": _iso(s.event_date), "status": s.status,
            "counts": s.status == SubmissionStatus.STORED, "why": why[s.id],
            "received_at": s.received_at.isoformat(),
            "saved_at": s.values.get(supersession.SAVED_AT),
            "saved_at_in_file": s.values.get(supersession.SAVED_AT_IN_FILE),
            "file": s.original_name, "archived_path": s.archived_path, "site": s.site,
            "superseded_by": s.superseded_by,
            "blocking_findings": sum(1 for f in s.findings if f.get("severity") == "blocking"),
            "findings": [*s.findings,
                         *(f.model_dump(mode="json") for f in across.get(s.id, []))],
        } for s in submissions]
        events = [{"kind": e.kind, "on": e.on.isoformat(), "service": e.service,
                   "complete": e.complete, "worker": e.worker, "submission_id": e.submission_id}
                  for e in event_rows]
    return PersonHistory(person_id, forms, events, rows, [d.message() for d in concerned])


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None
