"""A workspace with real filled forms ingested, for report tests (not a test module).

Forms are filled with Planwatch's own filler from :data:`tests.form_values.FULL_VALUES`
and taken in by the same ingest path the watcher uses. A closure can be added as a
hand-made stored submission, shaped as ingest stores one.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from pipeline.config import Settings, load_settings
from pipeline.definitions import Catalogue
from pipeline.forms_service import fill
from pipeline.inbox.backlog import ingest_paths
from pipeline.inbox.ingest import Workspace
from pipeline.store.models import Episode, EventRow, Submission, SubmissionStatus
from pipeline.store.session import Store, open_store
from pipeline.workspace import init_workspace
from tests.form_values import FULL_VALUES

Forms = list[tuple[str, dict[str, Any]]]

# Ada's history: referral, a plan, a first review and its Part 2, a second review.
HISTORY: Forms = [
    ("referral", {}),
    ("support-plan", {"disagreement": True,
                      "disagreement_person_view": "I do not want a cleaner.",
                      "disagreement_worker_view": "The damp needs regular airing."}),
    ("review", {}),
    ("review-part2", {}),
    ("review", {"review_date": "2026-10-12", "review_kind": "scheduled",
                "progress": [{"issue": "Damp", "progress": "Landlord fixed the window",
                              "comment": "Done"},
                             {"issue": "Isolated", "progress": "Went twice"}],
                "scores": [{"area": "Money", "score": 8}, {"area": "Health", "score": 7}],
                "person_views": "Much better.", "next_review_date": "2027-04-12",
                "person_signed_on": "2026-10-12", "worker_signed_on": "2026-10-12"}),
]


def values_for(form_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in {**FULL_VALUES[form_id], **changes}.items() if v is not None}


def workspace(home: Path, catalogue: Catalogue, forms: Forms = HISTORY) -> Settings:
    """A new workspace at ``home`` with ``forms`` filled and ingested."""
    init_workspace(home)
    settings = load_settings(home)
    for number, (form_id, changes) in enumerate(forms):
        fill(catalogue.get(form_id), values_for(form_id, changes),
             settings.inbox_path / f"{number:02d}-{form_id}.docx",
             saved_at=datetime(2026, 1, 1, 9, number, tzinfo=UTC))
    with open_store(settings.database_url) as store:
        ws = Workspace(home=settings.home, inbox=settings.inbox_path,
                       archive=settings.archive_path, rejected=settings.rejected_path,
                       catalogue=catalogue)
        results = ingest_paths([settings.inbox_path], store, ws)
    assert all(r.outcome == "stored" for r in results), [r.reason for r in results]
    return settings


CLOSURE_VALUES: dict[str, Any] = {
    "values": {"person_id": "CS-00042", "full_name": "Ada Lovelace",
               "closure_date": "2026-11-16", "worker": "Sam Patel", "exit_reason": "planned",
               "summary": "Arrears cleared and the flat is warm again.",
               "step_down_plan": "Monthly call from the tenancy officer until March.",
               "exit_strategy": "Knows how to ask for help again."},
    "tables": {"outcomes": [
        {"area": "Money", "achieved": "yes", "why": "Payment plan kept."},
        {"area": "Social", "achieved": "partly", "why": "Lunch club, but winter is hard."}]},
}


def add_closure(store: Store, person_id: str = "CS-00042", service: str = "community-support",
                closed_on: date = date(2026, 11, 16),
                values: dict[str, Any] | None = None) -> int:
    """A stored closure form, as ingest would store it; the episode closes. Returns its id."""
    stored = values or CLOSURE_VALUES
    with store.session() as session:
        episode = session.scalars(select(Episode).where(
            Episode.person_id == person_id, Episode.service == service)).one()
        episode.closed_on = closed_on
        submission = Submission(
            sha256=hashlib.sha256(repr((person_id, closed_on)).encode()).hexdigest(),
            original_name="closure.docx", received_at=datetime(2026, 11, 17, 9, tzinfo=UTC),
            form_id="closure", form_version=1, service=service, person_id=person_id,
            event_date=closed_on, archived_path="archive/2026/11/closure.docx",
            status=SubmissionStatus.STORED, values=stored, findings=[], command="ingest")
        session.add(submission)
        session.flush()
        session.add(EventRow(submission_id=submission.id, person_id=person_id,
                             episode_id=episode.id, service=service, kind="closure",
                             on=closed_on, worker="Sam Patel", complete=True,
                             details={"exit_reason": "planned"}))
        return submission.id
