"""Ingest outcomes: stored, duplicate, superseded, rejected with a reason. Nothing lost."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path
from typing import Any

import pytest

from pipeline.definitions import Catalogue
from pipeline.forms_service import fill
from pipeline.inbox.backlog import ingest_paths
from pipeline.inbox.ingest import Outcome, Workspace, ingest_file
from pipeline.store.models import Submission
from pipeline.store.session import Store
from tests.form_values import FULL_VALUES


def drop(workspace: Workspace, catalogue: Catalogue, form_id: str, name: str,
         **changes: Any) -> Path:
    values = {k: v for k, v in {**FULL_VALUES[form_id], **changes}.items() if v is not None}
    return fill(catalogue.get(form_id), values, workspace.inbox / name)


def submissions(store: Store) -> list[Submission]:
    with store.session() as session:
        return list(session.query(Submission).order_by(Submission.id))


def test_stored_form_is_archived_privately_and_leaves_the_inbox(
    workspace: Workspace, store: Store, catalogue: Catalogue
) -> None:
    path = drop(workspace, catalogue, "support-plan", "plan.docx")
    result = ingest_file(path, store, workspace)
    assert result.outcome is Outcome.STORED
    assert (result.person_id, result.form, result.findings) == ("CS-00042", "support-plan", [])
    assert not path.exists()
    archived = workspace.home / str(result.path)
    assert archived.parent.parent.parent == workspace.archive  # archive/YYYY/MM/
    assert stat.S_IMODE(archived.stat().st_mode) == 0o600
    [row] = submissions(store)
    assert (row.status, row.archived_path, row.event_date.isoformat()) == (
        "stored", result.path, "2026-03-20")


def test_same_content_twice_is_stored_once(workspace: Workspace, store: Store,
                                           catalogue: Catalogue) -> None:
    first = drop(workspace, catalogue, "review", "review.docx")
    shutil.copy(first, workspace.inbox / "Copy of review.docx")
    results = ingest_paths([workspace.inbox], store, workspace)
    assert [(r.file, r.outcome) for r in results] == [
        ("Copy of review.docx", Outcome.STORED), ("review.docx", Outcome.DUPLICATE)]
    assert "already stored as 'Copy of review.docx'" in str(results[1].reason)
    assert len(submissions(store)) == 1
    assert list(workspace.inbox.iterdir()) == []


@pytest.mark.parametrize("corrected_first", [pytest.param(False, id="correction_arrives_last"),
                                             pytest.param(True, id="correction_arrives_first")])
def test_corrected_copy_supersedes_whatever_the_order(
    workspace: Workspace, store: Store, catalogue: Catalogue, corrected_first: bool
) -> None:
    # Without the person's views: blocking on every service (a signature is not, issue 14).
    incomplete = drop(workspace, catalogue, "support-plan", "a.docx", person_views=None)
    corrected = drop(workspace, catalogue, "support-plan", "b.docx")
    order = [corrected, incomplete] if corrected_first else [incomplete, corrected]
    results = [ingest_file(p, store, workspace) for p in order]
    assert results[0].outcome is Outcome.STORED
    assert results[1].outcome is Outcome.SUPERSEDED
    rows = {s.original_name: s for s in submissions(store)}
    assert rows["b.docx"].status == "stored"
    assert rows["a.docx"].status == "superseded"
    assert rows["a.docx"].superseded_by == rows["b.docx"].id


@pytest.mark.parametrize(
    ("content", "words"),
    [
        pytest.param(b"not a document", "not a Word .docx file", id="not_a_docx"),
        pytest.param(b"", "empty", id="zero_bytes"),
    ],
)
def test_unusable_file_goes_to_rejected_with_a_reason(
    workspace: Workspace, store: Store, content: bytes, words: str
) -> None:
    path = workspace.inbox / "scan.docx"
    path.write_bytes(content)
    result = ingest_file(path, store, workspace)
    assert result.outcome is Outcome.REJECTED and words in str(result.reason)
    kept = workspace.rejected / "scan.docx"
    assert kept.read_bytes() == content and not path.exists()
    note = (workspace.rejected / "scan.docx.reason.txt").read_text()
    assert words in note and "scan.docx" in note
    [row] = submissions(store)
    assert (row.status, row.rejected_path) == ("rejected", "rejected/scan.docx")


def test_form_without_person_id_is_rejected(workspace: Workspace, store: Store,
                                            catalogue: Catalogue) -> None:
    path = drop(workspace, catalogue, "review", "anon.docx", person_id=None)
    result = ingest_file(path, store, workspace)
    assert result.outcome is Outcome.REJECTED
    assert "Service user reference" in str(result.reason)


def test_rejected_content_dropped_again_is_not_retried(workspace: Workspace,
                                                       store: Store) -> None:
    for name in ("x.docx", "x again.docx"):
        (workspace.inbox / name).write_bytes(b"garbage")
    results = ingest_paths([workspace.inbox], store, workspace)
    assert sorted(r.outcome for r in results) == [Outcome.DUPLICATE, Outcome.REJECTED]
    assert len(submissions(store)) == 1


def test_file_outside_the_inbox_is_copied_not_moved(
    tmp_path: Path, workspace: Workspace, store: Store, catalogue: Catalogue
) -> None:
    outside = fill(catalogue.get("referral"), FULL_VALUES["referral"], tmp_path / "r.docx")
    assert ingest_file(outside, store, workspace).outcome is Outcome.STORED
    assert outside.exists()


def test_office_lock_files_in_a_folder_are_ignored(workspace: Workspace, store: Store,
                                                   catalogue: Catalogue) -> None:
    drop(workspace, catalogue, "review", "review.docx")
    (workspace.inbox / "~$review.docx").write_bytes(b"lock")
    (workspace.inbox / ".~lock.review.docx#").write_bytes(b"lock")
    results = ingest_paths([workspace.inbox], store, workspace)
    assert [r.file for r in results] == ["review.docx"]


def test_crash_after_archiving_before_commit_is_finished_by_a_rerun(
    workspace: Workspace, store: Store, catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The archive copy exists, the commit never happened: running again stores it once."""
    import pipeline.inbox.ingest as ingest_module

    path = drop(workspace, catalogue, "review", "review.docx")

    def crash(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt  # the process dies mid-transaction

    monkeypatch.setattr(ingest_module, "record_submission", crash)
    with pytest.raises(KeyboardInterrupt):
        ingest_file(path, store, workspace)
    assert path.exists() and submissions(store) == []
    monkeypatch.undo()
    assert ingest_file(path, store, workspace).outcome is Outcome.STORED
    assert len(submissions(store)) == 1 and not path.exists()
