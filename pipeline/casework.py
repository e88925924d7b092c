"""Questions about people and deadlines, answered from the store.

The rules and the reports are pure functions of typed records; this module is where
those records are gathered from the store (one read each) and the settings' policy
defaults are passed in.

Deadlines come from the kept obligations (:mod:`pipeline.store.kept`), brought up to
date as each form is stored: only their status is worked out for the as-of date
(:func:`pipeline.rules.kept.obligations_as_of`). When the policies (or the settings that
change due dates, Planwatch's rules or the bank holidays) are not those they were worked
out by, every one is worked out again first, and a message says so
(:func:`keep_current`). A person whose kept obligations hold only from after the as-of
date (a form dated later: a past as-of date, a date typed wrong) has theirs worked out
from their events as of that date, as every obligation was before they were kept.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.config import Settings
from pipeline.definitions import Catalogue
from pipeline.errors import PlanwatchError
from pipeline.policies import Policies, load_policies
from pipeline.records import Event, Finding, Obligation, ObligationStatus, Severity
from pipeline.rules import basis
from pipeline.rules.kept import (
    KeptObligation,
    from_columns,
    obligations_as_of,
    states_for,
    stored_columns,
)
from pipeline.rules.listing import LinkDisagreement, listing_disagreements
from pipeline.rules.obligations import compute_obligations as compute
from pipeline.rules.obligations import kept_obligations
from pipeline.rules.vocabulary import RuleSet
from pipeline.store import kept, queries, supersession
from pipeline.store.models import EventRow, Submission, SubmissionStatus
from pipeline.store.session import Store

log = logging.getLogger("planwatch.deadlines")

# What `planwatch due` shows by default; a case past its planned duration is not
# overdue, but a manager acts on it (consider step-down).
OPEN_STATUSES = (ObligationStatus.OVERDUE, ObligationStatus.DUE_SOON,
                 ObligationStatus.PAST_PLANNED_DURATION)
# Up to this many people (with those listing them) whose kept obligations hold only from
# after the as-of date are worked out from their own events; more, from everyone's.
_FEW_PEOPLE = 1_000


def service_policies(settings: Settings, catalogue: Catalogue | None = None) -> Policies:
    """The workspace's service policies (``<forms>/services/``), checked against its forms,
    with the policy defaults its settings give. Raises :class:`DefinitionError`."""
    catalogue = catalogue or Catalogue.load(settings.forms_path)
    return load_policies(settings.forms_path, catalogue=catalogue,
                         overrides=settings.policy_overrides())


def tell(message: str) -> None:
    """Say something to the person running the command, on stderr (the default for
    :func:`keep_current`'s message)."""
    print(message, file=sys.stderr, flush=True)


def obligations(store: Store, settings: Settings, as_of: date,
                policies: Policies | None = None,
                events: Sequence[Event] | None = None, *,
                statuses: Collection[ObligationStatus] | None = None,
                say: Callable[[str], None] = tell) -> list[Obligation]:
    """Every obligation of every person as of a date, by every service's policy, with
    the workspace's policy defaults (``policies``: already loaded ones; ``events``:
    already read, see :func:`stored_events`, for any worked out from the events), in
    the rules' order; only those with one of ``statuses``, when given (read from the
    store alone). The kept obligations are brought up to date first if the policies
    changed (:func:`keep_current`, which tells ``say``)."""
    policies = policies or service_policies(settings)
    rule_sets = policies.rule_sets()
    keep_current(store, rule_sets, say=say)
    return _as_of(store, rule_sets, as_of, settings.due_soon_days, statuses=statuses,
                  events=events)


def person_obligations(store: Store, settings: Settings, person_id: str, as_of: date,
                       policies: Policies | None = None,
                       say: Callable[[str], None] = tell) -> list[Obligation]:
    """One person's obligations as of a date (as :func:`obligations` gives them)."""
    policies = policies or service_policies(settings)
    rule_sets = policies.rule_sets()
    keep_current(store, rule_sets, say=say)
    return _as_of(store, rule_sets, as_of, settings.due_soon_days, people={person_id})


def keep_current(store: Store, rule_sets: dict[str, RuleSet], *,
                 say: Callable[[str], None] = tell) -> None:
    """Make sure the kept obligations were worked out by ``rule_sets`` (and this
    Planwatch's rules and bank holidays): if not, work every one out again, and ``say``
    why and for how many people first (nothing is said the first time a new store's
    are worked out)."""
    text = basis.rule_sets_text(rule_sets)
    fingerprint = basis.fingerprint_of_text(text)
    with store.session() as session:
        found = kept.basis(session)
    if found is not None and found.fingerprint == fingerprint:
        return
    with store.session() as session:
        kept.hold(session, alone=True)
        found = kept.basis(session)  # another command may have done it meanwhile
        if found is not None and found.fingerprint == fingerprint:
            return
        if found is not None:
            people = queries.count_people(session)
            if people:
                say(_why(found, text).format(people=f"{people:,} "
                                             + ("person" if people == 1 else "people")))
        _work_out(session, rule_sets, text, fingerprint)


def rebuild_obligations(store: Store, settings: Settings,
                        policies: Policies | None = None) -> tuple[int, int]:
    """Work every person's obligations out again and keep them (``planwatch db
    rebuild-obligations``): how many people and obligations were kept."""
    rule_sets = (policies or service_policies(settings)).rule_sets()
    text = basis.rule_sets_text(rule_sets)
    with store.session() as session:
        kept.hold(session, alone=True)
        return _work_out(session, rule_sets, text, basis.fingerprint_of_text(text))


def _why(found: kept.Basis, text: str) -> str:
    """Why the kept obligations are worked out again, for ``{people}``."""
    if found.fingerprint == kept.MIGRATED:
        return ("Deadlines are kept in the store from this version on: working them out "
                "for {people} (once)…")
    if found.fingerprint == kept.STALE:
        return ("Forms were stored by a Planwatch with other rules or bank holidays since "
                "deadlines were last worked out: working them out again for {people}…")
    if found.rule_sets != text:
        return ("Policies have changed since deadlines were last worked out: working them "
                "out again for {people}…")
    return ("Planwatch's rules or bank holidays have changed since deadlines were last "
            "worked out: working them out again for {people}…")


def _work_out(session: Session, rule_sets: dict[str, RuleSet], text: str,
              fingerprint: str) -> tuple[int, int]:
    """Every kept obligation worked out again from every event, in ``session`` (which
    holds the kept obligations alone); how many people and obligations."""
    started = time.perf_counter()
    groups = kept_obligations(queries.event_facts(session), rule_sets)
    rows = [stored_columns(row) for group in groups for row in group.rows]
    kept.replace(session, None, [kept.Group(g.person_id, g.service, g.horizon, g.listers)
                                 for g in groups], rows)
    kept.set_basis(session, fingerprint, text)
    people = len({group.person_id for group in groups})
    log.info("obligations_worked_out", extra={"count": len(rows),
                                              "seconds": round(time.perf_counter() - started, 3)})
    return people, len(rows)


def _as_of(store: Store, rule_sets: dict[str, RuleSet], as_of: date, due_soon_days: int, *,
           statuses: Collection[ObligationStatus] | None = None,
           people: Collection[str] | None = None,
           events: Sequence[Event] | None = None) -> list[Obligation]:
    """The kept obligations (of ``people``, with ``statuses``, when given) as of
    ``as_of``; those of groups kept only from a later date, from their events."""
    states = None if statuses is None else {
        state.value: latest for state, latest in states_for(statuses, as_of,
                                                            due_soon_days).items()}
    with store.session() as session:
        _one_snapshot(session)
        later = kept.groups(session, later_than=as_of, people=people)
        needed = {g.person_id for g in later} | {m for g in later for m in g.listers}
        if len(needed) > _FEW_PEOPLE:
            # As of a past date, most are: every obligation from every event, as before.
            everything = compute(events if events is not None else queries.event_facts(
                session), as_of, due_soon_days=due_soon_days, rule_sets=rule_sets)
            return [o for o in everything if (statuses is None or o.status in statuses)
                    and (people is None or o.person_id in people)]
        if needed and events is None:
            events = queries.people_event_facts(session, needed)
        rows = kept.rows(session, states=states, people=people, onward_by=as_of)
    redo = {(g.person_id, g.service) for g in later}
    # Each person's and service's rows together, in the order kept.
    by_group: dict[tuple[str, str], list[KeptObligation]] = {}
    for row in rows:
        key: tuple[str, str] = (row[0], row[1])
        if key not in redo:
            group = by_group.get(key)
            if group is None:
                by_group[key] = [from_columns(row, as_of)]
            else:
                group.append(from_columns(row, as_of))
    worked: dict[tuple[str, str], list[Obligation]] = {}
    if redo:
        for obligation in compute(events or [], as_of, due_soon_days=due_soon_days,
                                  rule_sets=rule_sets):
            if (obligation.person_id, obligation.service) in redo and (
                    statuses is None or obligation.status in statuses):
                worked.setdefault((obligation.person_id, obligation.service),
                                  []).append(obligation)
    if not worked:
        return obligations_as_of([row for pair in sorted(by_group) for row in by_group[pair]],
                                 as_of, due_soon_days, statuses)
    found: list[Obligation] = []
    for pair in sorted(by_group.keys() | worked.keys()):
        found += worked[pair] if pair in worked else obligations_as_of(
            by_group[pair], as_of, due_soon_days, statuses)
    return found


def _one_snapshot(session: Session) -> None:
    # PostgreSQL: the groups and the rows read as of one moment, though forms are being
    # stored meanwhile (SQLite's transactions are one at a time already).
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


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
    rule_sets = service_policies(settings).rule_sets()
    listed_by = {r.service: r.listed_on.service for r in rule_sets.values()
                 if r.listed_on is not None}
    if not listed_by:
        return people
    # The kept groups know who lists whom (on any of their current forms).
    keep_current(store, rule_sets)
    with store.session() as session:
        for group in kept.groups(session):
            lister = listed_by.get(group.service)
            if lister is not None and any((m, lister) in people for m in group.listers):
                people.add((group.person_id, group.service))
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
    rows = person_obligations(store, settings, person_id, as_of, policies)
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
