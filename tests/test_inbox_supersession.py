"""Supersession cannot be spoofed or cross services (issue 13, item 6).

Copies compete only when they are the same form for the same person, service and event
date; of those, a last-saved time later than the file's arrival counts as the arrival.
Each case is tried one file at a time (both arrival orders) and as one backlog batch.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from pipeline import casework
from pipeline.config import Settings, load_settings
from pipeline.definitions import Catalogue
from pipeline.forms_service import fill
from pipeline.inbox.backlog import ingest_paths
from pipeline.inbox.ingest import Outcome, Workspace, ingest_file
from pipeline.store import supersession
from pipeline.store.models import Episode, Submission
from pipeline.store.session import Store, open_store
from pipeline.workspace import init_workspace
from tests.form_values import FULL_VALUES, complete_values

AS_OF = date(2026, 11, 23)
FUTURE = datetime(2099, 1, 1, 12, 0, tzinfo=UTC)


def at(day: int, hour: int = 10) -> datetime:
    """A moment in May 2026 (when files are saved and arrive in these tests)."""
    return datetime(2026, 5, day, hour, 0, tzinfo=UTC)


def plan(workspace: Workspace, catalogue: Catalogue, name: str, saved_at: datetime,
         **changes: Any) -> Path:
    """A community-support plan for CS-00042 dated 20/03/2026, saved at ``saved_at``."""
    values = {k: v for k, v in {**FULL_VALUES["support-plan"], **changes}.items()
              if v is not None}
    return fill(catalogue.get("support-plan"), values, workspace.inbox / name,
                saved_at=saved_at)


def referral(inbox: Path, catalogue: Catalogue, service: str, name: str,
             saved_at: datetime) -> Path:
    """A complete referral of CS-00042 to ``service``, all on the same dates."""
    definition = catalogue.get("referral")
    values = (dict(FULL_VALUES["referral"]) if service == "community-support"
              else complete_values(definition.for_service(service)))
    values.update(person_id="CS-00042", referral_date=FULL_VALUES["referral"]["referral_date"],
                  start_date=FULL_VALUES["referral"]["start_date"])
    return fill(definition, values, inbox / name, service=service,
                saved_at=saved_at)


def rows(store: Store) -> dict[str, Submission]:
    with store.session() as session:
        return {s.original_name: s for s in session.query(Submission).order_by(Submission.id)}


def counting(store: Store) -> set[str]:
    return {name for name, s in rows(store).items() if s.status == "stored"}


def deadlines(store: Store, settings: Settings, service: str) -> list[tuple[str, str, str]]:
    return [(o.obligation, o.due.isoformat(), o.status.value)
            for o in casework.obligations(store, settings, AS_OF)
            if o.person_id == "CS-00042" and o.service == service]


# --- a last-saved time in the future -------------------------------------------------------

@pytest.mark.parametrize("batch", [pytest.param(False, id="one_at_a_time"),
                                   pytest.param(True, id="last_in_a_backlog")])
@pytest.mark.parametrize("case", [
    # The copy stamped 2099 arrives first; the correction, saved and dropped after it
    # arrived, counts (today the 2099 copy beats every later correction).
    pytest.param({"files": [("spoof.docx", FUTURE, at(1)), ("fixed.docx", at(2), at(3))],
                  "counts": "fixed.docx"}, id="future_last_saved"),
    # The correction arrives first: the 2099 copy dropped after it counts as saved when it
    # arrived (as any copy saved then would), and a correction saved after that counts.
    pytest.param({"files": [("fixed.docx", at(1), at(2)), ("spoof.docx", FUTURE, at(3)),
                            ("fixed again.docx", at(4), at(5))],
                  "counts": "fixed again.docx"}, id="future_last_saved_arrives_between"),
    # Two copies stamped in the future: neither is trusted beyond its arrival, so the one
    # that arrived later counts, not the one claiming the later year.
    pytest.param({"files": [("spoof 2100.docx", FUTURE.replace(year=2100), at(1)),
                            ("spoof 2099.docx", FUTURE, at(2))],
                  "counts": "spoof 2099.docx"}, id="two_future_copies"),
])
def test_future_last_saved_time_never_beats_a_later_correction(
    workspace: Workspace, store: Store, catalogue: Catalogue, case: dict[str, Any],
    batch: bool,
) -> None:
    paths = [(plan(workspace, catalogue, name, saved), received)
             for name, saved, received in case["files"]]
    *earlier, (last, received) = paths
    for path, when in earlier:
        ingest_file(path, store, workspace, received_at=when)
    if batch:  # the backlog path, which takes files as they arrive now (after May 2026)
        [result] = ingest_paths([last], store, workspace)
    else:
        result = ingest_file(last, store, workspace, received_at=received)
    assert result.outcome is Outcome.SUPERSEDED, result.reason
    assert counting(store) == {case["counts"]}
    # Every other copy stays in the history; the one displaced last names the winner.
    assert all(s.status == "superseded" and s.superseded_by is not None
               for name, s in rows(store).items() if name != case["counts"])
    displaced = rows(store)[case["files"][-2][0]]
    assert displaced.superseded_by == rows(store)[case["counts"]].id


def test_future_last_saved_time_is_stored_clamped_with_the_files_claim(
    workspace: Workspace, store: Store, catalogue: Catalogue
) -> None:
    ingest_file(plan(workspace, catalogue, "spoof.docx", FUTURE), store, workspace,
                received_at=at(1))
    ingest_file(plan(workspace, catalogue, "honest.docx", at(1, 8)), store, workspace,
                received_at=at(1, 9))
    stored = rows(store)
    assert stored["spoof.docx"].values["saved_at"] == at(1).isoformat()
    assert stored["spoof.docx"].values["saved_at_in_file"] == FUTURE.isoformat()
    assert stored["honest.docx"].values["saved_at"] == at(1, 8).isoformat()
    assert "saved_at_in_file" not in stored["honest.docx"].values


def test_correction_after_a_future_copy_says_why_it_counts(
    workspace: Workspace, store: Store, catalogue: Catalogue
) -> None:
    ingest_file(plan(workspace, catalogue, "spoof.docx", FUTURE), store, workspace,
                received_at=at(1))
    result = ingest_file(plan(workspace, catalogue, "fixed.docx", at(2)), store, workspace,
                         received_at=at(3))
    assert result.outcome is Outcome.SUPERSEDED
    assert "Replaces the copy 'spoof.docx'" in str(result.reason)
    assert "saved last" in str(result.reason)


def test_fewer_blocking_findings_still_beat_a_later_save(
    workspace: Workspace, store: Store, catalogue: Catalogue
) -> None:
    ingest_file(plan(workspace, catalogue, "complete.docx", at(1)), store, workspace,
                received_at=at(2))
    # Without the person's views: blocking (a community-support signature is advisory).
    result = ingest_file(plan(workspace, catalogue, "incomplete.docx", at(3),
                              person_views=None), store, workspace, received_at=at(4))
    assert result.outcome is Outcome.SUPERSEDED
    assert "superseded by 'complete.docx' because it has fewer blocking findings" in str(
        result.reason)
    assert counting(store) == {"complete.docx"}


# --- another service, same person and date -------------------------------------------------

@pytest.mark.parametrize("batch", [pytest.param(False, id="one_at_a_time"),
                                   pytest.param(True, id="in_one_backlog")])
@pytest.mark.parametrize("ours_first", [pytest.param(True, id="other_service_same_date"),
                                        pytest.param(False, id="other_service_same_date_first")])
def test_other_services_referral_of_the_same_date_replaces_nothing(
    workspace: Workspace, store: Store, settings: Settings, catalogue: Catalogue,
    ours_first: bool, batch: bool,
) -> None:
    ours = referral(workspace.inbox, catalogue, "community-support", "cs referral.docx", at(1))
    theirs = referral(workspace.inbox, catalogue, "swa-floating", "floating referral.docx", at(2))
    order = [ours, theirs] if ours_first else [theirs, ours]
    if batch:
        results = ingest_paths(order, store, workspace)
    else:
        results = [ingest_file(p, store, workspace, received_at=at(3 + n))
                   for n, p in enumerate(order)]
    assert [r.outcome for r in results] == [Outcome.STORED, Outcome.STORED]
    assert counting(store) == {"cs referral.docx", "floating referral.docx"}
    assert all(s.superseded_by is None for s in rows(store).values())
    # Each service keeps its own deadlines and episode, as if the other had no referral.
    assert deadlines(store, settings, "community-support") == alone(
        workspace, catalogue, "community-support")
    assert deadlines(store, settings, "swa-floating") == alone(
        workspace, catalogue, "swa-floating")
    with store.session() as session:
        episodes = sorted((e.service, e.opened_on.isoformat(), e.closed_on)
                          for e in session.query(Episode))
    assert episodes == [("community-support", "2026-02-27", None),
                        ("swa-floating", "2026-02-27", None)]


def alone(workspace: Workspace, catalogue: Catalogue, service: str) -> list[tuple[str, str, str]]:
    """The deadlines a referral to ``service`` gives in a store of its own."""
    home = workspace.home.parent / f"alone-{service}"
    init_workspace(home)
    settings = load_settings(home)
    with open_store(settings.database_url) as own:
        path = referral(settings.inbox_path, catalogue, service, f"{service}.docx", at(1))
        ingest_file(path, own, Workspace(home=home, inbox=settings.inbox_path,
                                         archive=settings.archive_path,
                                         rejected=settings.rejected_path, catalogue=catalogue),
                    received_at=at(2))
        found = deadlines(own, settings, service)
    assert found  # the referral sets deadlines: the comparison means something
    return found


def test_same_service_copies_of_a_referral_still_supersede(
    workspace: Workspace, store: Store, settings: Settings, catalogue: Catalogue
) -> None:
    first = referral(workspace.inbox, catalogue, "community-support", "first.docx", at(1))
    ingest_file(first, store, workspace, received_at=at(2))
    floating = referral(workspace.inbox, catalogue, "swa-floating", "floating.docx", at(2))
    ingest_file(floating, store, workspace, received_at=at(3))
    floating_due = deadlines(store, settings, "swa-floating")
    again = referral(workspace.inbox, catalogue, "community-support", "again.docx", at(3))
    result = ingest_file(again, store, workspace, received_at=at(4))
    assert result.outcome is Outcome.SUPERSEDED
    assert "same form, person, service and date" in str(result.reason)
    assert counting(store) == {"again.docx", "floating.docx"}
    assert rows(store)["first.docx"].superseded_by == rows(store)["again.docx"].id
    assert deadlines(store, settings, "swa-floating") == floating_due


# --- what `planwatch show` says about stores settled before these rules ---------------------

def copy(number: int, *, service: str = "community-support", saved: datetime | None = None,
         received: datetime, status: str = "stored", superseded_by: int | None = None,
         blocking: int = 0) -> Submission:
    """A submission as ingest stores one, made in memory (nothing is stored)."""
    return Submission(
        id=number, sha256=f"{number:064d}", original_name=f"copy {number}.docx",
        received_at=received, form_id="support-plan", service=service,
        person_id="CS-00042", event_date=date(2026, 3, 20), status=status,
        superseded_by=superseded_by, command="ingest",
        values={"saved_at": saved.isoformat() if saved else None},
        findings=[{"code": "missing", "severity": "blocking"}] * blocking)


@pytest.mark.parametrize(("copies", "said"), [
    # An older store kept a 2099 copy as the one that counts: say so, and which would now.
    pytest.param([copy(1, saved=FUTURE, received=at(1)),
                  copy(2, saved=at(2), received=at(3), status="superseded", superseded_by=1)],
                 {1: "counts, as settled by an earlier Planwatch: by today's rule the copy "
                     "'copy 2.docx' would count (saved later); its last-saved time "
                     "(01/01/2099 12:00) is after it arrived",
                  2: "kept in the history only: superseded by 'copy 1.docx', as settled by an "
                     "earlier Planwatch; by today's rule this copy would count (saved later)"},
                 id="future_last_saved_settled_before"),
    # An older store let another service's form replace this one's.
    pytest.param([copy(1, service="swa-floating", received=at(1)),
                  copy(2, received=at(2), status="superseded", superseded_by=1)],
                 {1: "counts: the only copy of this form for this person, service and date",
                  2: "kept in the history only: superseded by 'copy 1.docx' (support-plan of "
                     "swa-floating), settled by an earlier Planwatch that did not tell "
                     "services apart"},
                 id="other_service_same_date_settled_before"),
    # No last-saved time at all: arrival decides.
    pytest.param([copy(1, received=at(1), status="superseded", superseded_by=2),
                  copy(2, received=at(2))],
                 {1: "kept in the history only: superseded by 'copy 2.docx' because it has as "
                     "many blocking findings and the same last-saved time, and arrived later",
                  2: "counts: latest copy (as many blocking findings, same last-saved time, "
                     "arrived last)"},
                 id="no_last_saved_time"),
])
def test_show_explains_every_copy(copies: list[Submission], said: dict[int, str]) -> None:
    verdicts = supersession.verdicts(copies)
    for number, words in said.items():
        assert verdicts[number].startswith(words), verdicts[number]
