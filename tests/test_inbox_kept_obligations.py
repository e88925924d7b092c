"""Obligations kept as forms are stored equal a full recomputation: a property test.

Forms of every service (referrals with the children arriving with a woman, plans with a
review frequency and next review date, reviews, Part 2s naming their Part 1, closures,
feedback, copy requests, changes of circumstances, Families First's timed referral and
contact) for a handful of people, some in several services, some copies of another form
(a correction with fewer blocking findings, a copy saved again, a copy that loses), are
stored in any order, in batches of any size, through
:func:`pipeline.inbox.recording.record_submissions` (the path of both the watcher and
``planwatch ingest``). The obligations were first worked out at some point of that
sequence (before any form, or after some), as the first command that reads them does.
Then the kept rows are those a full recomputation from the stored events keeps, and the
deadlines read through :mod:`pipeline.casework` equal
:func:`~pipeline.rules.compute_obligations` of those events as of dates before, during
and long after the forms (so chains of reviews are followed past their open slots, and
people kept only from a later date are worked out from their events).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from pipeline import casework
from pipeline.config import Settings, load_settings
from pipeline.definitions import Catalogue
from pipeline.inbox.recording import NewForm, record_submissions
from pipeline.policies import Policies, load_policies
from pipeline.records import Finding, RawForm, Record, Severity
from pipeline.rules import compute_obligations
from pipeline.rules.kept import from_columns
from pipeline.rules.obligations import kept_obligations
from pipeline.store import kept, queries
from pipeline.store.models import (
    Action,
    Episode,
    EventRow,
    KeptBasis,
    KeptGroupRow,
    KeptObligationRow,
    OutcomeScore,
    Person,
    Submission,
)
from pipeline.store.session import Store, open_store
from pipeline.workspace import init_workspace

FIRST_DAY = date(2026, 1, 5)
DAYS = st.integers(0, 330).map(lambda n: FIRST_DAY + timedelta(days=n))
WOMEN, CHILDREN = "swa-refuge-women", "swa-refuge-children"


class Form(NamedTuple):
    """One form to store: what it says, how complete it is and when it was saved."""

    person_id: str
    service: str
    form_id: str
    values: dict[str, Any]
    tables: dict[str, list[dict[str, Any]]]
    blocking: int
    saved_at: datetime


# What each kind of form says: its dates and the details the rules read.
MAYBE_DAY = st.one_of(st.none(), DAYS)


@st.composite
def forms_of(draw: st.DrawFn, person: str, service: str) -> Form:
    day = draw(DAYS)
    kinds = ["referral", "support-plan", "review", "closure", "feedback", "self-assessment",
             "review-part2", "copy-request", "change-of-circumstances"]
    if service == "families-first":
        kinds += ["referral-response", "referral-response"]
    form_id = draw(st.sampled_from(kinds))
    worker = draw(st.sampled_from([None, "Ann Lee", "Bob Roy"]))
    values: dict[str, Any] = {"worker": worker}
    tables: dict[str, list[dict[str, Any]]] = {}
    match form_id:
        case "referral":
            start = day + timedelta(days=draw(st.integers(0, 5)))
            values["start_date"] = start
            if service == "families-first":
                values["referral_received_at"] = datetime(day.year, day.month, day.day,
                                                          draw(st.integers(0, 23)))
                values["immediate_response"] = draw(st.booleans())
                values["legal_status"] = draw(st.sampled_from(
                    ["child_in_need", "child_protection", "looked_after", None]))
            else:
                values["referral_date"] = day
            if service == "medway-hil":
                values["disclaimer"] = draw(st.sampled_from([None, True, False]))
            if service == WOMEN:
                children = draw(st.lists(st.sampled_from(["C1", "C2"]), max_size=2,
                                         unique=True))
                tables["children_with_her"] = [{"person_id": c, "name": f"Child {c}"}
                                               for c in children]
            if service == CHILDREN:
                values["mother_person_id"] = draw(st.sampled_from([None, "M1", "M2"]))
        case "support-plan":
            values["plan_date"] = day
            values["review_frequency"] = draw(st.sampled_from(
                [None, "weekly", "fortnightly", "monthly", "six_months", "twelve_months"]))
            values["next_review_date"] = draw(MAYBE_DAY)
            values["planned_departure"] = draw(MAYBE_DAY)
        case "review":
            values["review_date"] = day
            values["next_review_date"] = draw(MAYBE_DAY)
            values["planned_departure"] = draw(MAYBE_DAY)
        case "review-part2":
            values["completed_on"] = day
            values["review_date"] = day - timedelta(days=draw(st.integers(0, 20)))
        case "closure":
            values["closure_date"] = day
        case "feedback":
            values["completed_on"] = day
        case "self-assessment":
            values["assessment_date"] = day
        case "copy-request":
            values["requested_on"] = day
            values["provided_on"] = draw(st.one_of(
                st.none(), st.integers(0, 12).map(lambda n: day + timedelta(days=n))))
        case "change-of-circumstances":
            values["changed_on"] = day
            values["disclaimer"] = draw(st.sampled_from([None, True, False]))
        case "referral-response":
            values["sw_contacted_at"] = datetime(day.year, day.month, day.day,
                                                 draw(st.integers(0, 23)))
            values["allocated_on"] = draw(MAYBE_DAY)
    return Form(person, service, form_id, values, tables, draw(st.integers(0, 1)),
                datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=draw(st.integers(0, 99))))


PEOPLE = [("P1", "community-support"), ("P1", "sds"), ("P2", "families-first"),
          ("P2", "medway-hil"), ("M1", WOMEN), ("M1", "swa-floating"), ("M2", WOMEN),
          ("C1", CHILDREN), ("C2", CHILDREN)]


@st.composite
def histories(draw: st.DrawFn) -> list[Form]:
    """Forms for some of :data:`PEOPLE`, some of them copies of another (same person,
    service, form and date: corrected, saved again, or a copy that loses)."""
    chosen = draw(st.lists(st.sampled_from(PEOPLE), min_size=1, max_size=4, unique=True))
    forms = draw(st.lists(st.one_of(*(forms_of(p, s) for p, s in chosen)), min_size=1,
                          max_size=12))
    for original in draw(st.lists(st.sampled_from(forms), max_size=3)):
        changed = dict(original.values)
        if "next_review_date" in changed:
            changed["next_review_date"] = draw(MAYBE_DAY)
        forms.append(original._replace(
            values=changed, blocking=draw(st.integers(0, 1)),
            saved_at=original.saved_at + timedelta(minutes=draw(st.integers(-90, 90)))))
    return forms


def new_form(form: Form, catalogue: Catalogue) -> NewForm:
    definition = catalogue.get(form.form_id)
    findings = tuple(Finding(field="person_signature", code="missing_signature",
                             message="Not signed.", severity=Severity.BLOCKING)
                     for _ in range(form.blocking))
    dated = form.values.get(definition.events[0].date_field)
    event_date = dated.date() if isinstance(dated, datetime) else dated
    record = Record(form_id=form.form_id, form_version=definition.version,
                    service=form.service, person_id=form.person_id,
                    values={k: v for k, v in form.values.items() if v is not None},
                    tables=form.tables, findings=findings, event_date=event_date)
    name = f"{form.person_id}-{form.form_id}-{uuid.uuid4().hex[:8]}.docx"
    raw = RawForm(file_name=name, form_id=form.form_id, form_version=definition.version,
                  service=form.service, modified=form.saved_at)
    return NewForm(raw=raw, record=record, sha256=uuid.uuid4().hex * 2, original_name=name,
                   received_at=datetime(2026, 12, 1, tzinfo=UTC), archived_path=f"archive/{name}",
                   definition=definition)


def emptied(store: Store) -> None:
    """Everything but the audit log gone (it refuses deletes): a new store, quickly."""
    with store.session() as session:
        for table in (KeptObligationRow, KeptGroupRow, KeptBasis, Action, OutcomeScore,
                      EventRow, Episode, Submission, Person):
            session.execute(delete(table))


def kept_now(store: Store) -> tuple[list[tuple[Any, ...]], list[Any]]:
    """The kept groups and rows, each person's and service's in the order kept."""
    with store.session() as session:
        groups = sorted((g.person_id, g.service, g.horizon, g.listers)
                        for g in kept.groups(session))
        rows = [from_columns(r) for r in kept.rows(session)]
    rows.sort(key=lambda r: (r.person_id, r.service))  # stable: keeps each group's order
    return groups, rows


def recomputed(store: Store, policies: Policies) -> tuple[list[tuple[Any, ...]], list[Any]]:
    with store.session() as session:
        events = queries.event_facts(session)
    groups = kept_obligations(events, policies.rule_sets())
    return ([(g.person_id, g.service, g.horizon, g.listers) for g in groups],
            [row for g in groups for row in g.rows])


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, Store]]:
    home = tmp_path_factory.mktemp("kept") / "ws"
    init_workspace(home)
    settings = load_settings(home)
    with open_store(settings.database_url) as store:
        yield settings, store


# Forms stored, in an order and in batches the test draws; the deadlines read at some
# point (worked out the first time), and perhaps read once by other policy defaults.
HYPOTHESIS = {"deadline": None, "database": None,
              "suppress_health_check": [HealthCheck.function_scoped_fixture,
                                        HealthCheck.too_slow, HealthCheck.data_too_large]}


@settings(max_examples=40, **HYPOTHESIS)
@given(forms=histories(), data=st.data())
def test_kept_obligations_equal_a_full_recomputation(
        workspace: tuple[Settings, Store], catalogue: Catalogue, forms: list[Form],
        data: st.DataObject) -> None:
    check(*workspace, catalogue, forms, data)


@settings(max_examples=8, **HYPOTHESIS)
@given(forms=histories(), data=st.data())
def test_kept_obligations_equal_a_full_recomputation_on_postgresql(
        tmp_path_factory: pytest.TempPathFactory, postgres_url: str, catalogue: Catalogue,
        forms: list[Form], data: st.DataObject) -> None:
    home = tmp_path_factory.getbasetemp() / "kept-postgresql"
    if not home.exists():
        init_workspace(home, database_url=postgres_url)
    settings_ = load_settings(home, database_url=postgres_url)
    with open_store(settings_.database_url) as store:
        check(settings_, store, catalogue, forms, data)


def changed(stored: list[Form]) -> list[str]:
    """What is said when the kept obligations of these forms' people are worked out
    again because the policies changed (nothing, with no one to work out)."""
    people = len({form.person_id for form in stored})
    if not people:
        return []
    return [f"Policies have changed since deadlines were last worked out: working them out "
            f"again for {people} {'person' if people == 1 else 'people'}…"]


def check(settings_: Settings, store: Store, catalogue: Catalogue, forms: list[Form],
          data: st.DataObject) -> None:
    policies = casework.service_policies(settings_, catalogue)
    # Other policy defaults, as a command run with other settings would read them by.
    other = load_policies(settings_.forms_path, catalogue=catalogue,
                          overrides={"review_part2_working_days": 3, "feedback_days": 5})
    emptied(store)
    order = data.draw(st.permutations(forms))
    first_read = data.draw(st.integers(0, len(order)))
    other_read = data.draw(st.one_of(st.none(), st.integers(first_read, len(order))))
    said: list[str] = []
    expected_said: list[str] = []
    position = 0
    kept_by = policies
    while position < len(order):
        if position >= first_read and kept_by is policies:
            # The first command that reads deadlines (and any after it: nothing to do).
            casework.keep_current(store, policies.rule_sets(), say=said.append)
        if other_read is not None and position >= other_read and kept_by is policies:
            casework.keep_current(store, other.rule_sets(), say=said.append)
            kept_by = other
            expected_said += changed(order[:position])
        size = data.draw(st.integers(1, 4))
        with store.session() as session:
            record_submissions(session, [new_form(f, catalogue)
                                         for f in order[position:position + size]],
                               command="test")
        position += size
    if position >= first_read and kept_by is policies:
        casework.keep_current(store, policies.rule_sets(), say=said.append)
    if kept_by is other:
        expected_said += changed(order)  # read by the first policies again, below
    # Forms stored since were kept by the policies the store's were worked out by.
    assert kept_now(store) == recomputed(store, kept_by)
    with store.session() as session:
        events = queries.event_facts(session)
    for as_of in (FIRST_DAY, FIRST_DAY + timedelta(days=150), date(2026, 12, 1),
                  date(2028, 6, 30)):
        expected = compute_obligations(events, as_of, due_soon_days=settings_.due_soon_days,
                                       rule_sets=policies.rule_sets())
        assert casework.obligations(store, settings_, as_of, policies,
                                    say=said.append) == expected, as_of
        # What `planwatch due` reads: only the rows that may be open.
        assert casework.obligations(store, settings_, as_of, policies,
                                    statuses=casework.OPEN_STATUSES) == [
            o for o in expected if o.status in casework.OPEN_STATUSES], as_of
    assert kept_now(store) == recomputed(store, policies)
    # Worked out silently the first time; again, saying so, whenever read by the other
    # policies than they were worked out by (when there was anyone to work out).
    assert said == expected_said


def test_the_basis_is_held_in_one_row(workspace: tuple[Settings, Store]) -> None:
    _, store = workspace
    with store.session() as session:
        assert len(session.execute(select(KeptBasis.id)).all()) <= 1


def test_forms_store_before_obligations_were_ever_worked_out_keep_nothing(
        workspace: tuple[Settings, Store], catalogue: Catalogue) -> None:
    _, store = workspace
    emptied(store)
    with store.session() as session:
        referral = Form("P1", "community-support", "referral",
                        {"person_id": "P1", "referral_date": FIRST_DAY,
                         "start_date": FIRST_DAY}, {}, 0, datetime(2026, 1, 1, tzinfo=UTC))
        record_submissions(session, [new_form(referral, catalogue)], command="test")
        assert kept.basis(session) is None
        assert kept.rows(session) == []

