"""Backlog ingest in batches: every file gets the outcome it would get taken alone."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from pipeline.config import load_settings
from pipeline.definitions import DEFAULT_FORMS_DIR, Catalogue
from pipeline.forms_service import fill
from pipeline.inbox import backlog
from pipeline.inbox.backlog import ingest_paths
from pipeline.inbox.ingest import IngestResult, Outcome, Workspace, ingest_file
from pipeline.inbox.sandbox import ReaderPool
from pipeline.reports.outcome_summary.job import write_closure_summaries
from pipeline.store.models import Episode, EventRow, Submission
from pipeline.store.session import Store, open_store
from pipeline.workspace import init_workspace
from tests.form_values import FULL_VALUES, complete_values


def _workspace(home: Path, catalogue: Catalogue, **extra: Any) -> tuple[Workspace, str]:
    init_workspace(home)
    settings = load_settings(home)
    return Workspace(home=home, inbox=settings.inbox_path, archive=settings.archive_path,
                     rejected=settings.rejected_path, catalogue=catalogue,
                     **extra), settings.database_url


def _summarise(store: Store, workspace: Workspace, results: list[IngestResult]) -> None:
    """What the command line and the watcher do once forms are stored."""
    write_closure_summaries(store, workspace.catalogue,
                            [(r.submission_id, r.form) for r in results
                             if r.submission_id is not None],
                            reports_path=workspace.home / "reports", today=date.today())


def _backlog(folder: Path, catalogue: Catalogue) -> list[str]:
    """A backlog with every kind of outcome, for two people, in a known name order."""
    folder.mkdir(parents=True, exist_ok=True)

    def form(name: str, form_id: str, person: str, **changes: Any) -> None:
        values = {**FULL_VALUES[form_id], "person_id": person, **changes}
        fill(catalogue.get(form_id), {k: v for k, v in values.items() if v is not None},
             folder / name)

    form("01 referral.docx", "referral", "CS-00042")
    form("02 plan unsigned.docx", "support-plan", "CS-00042", person_signature=None)
    form("03 plan.docx", "support-plan", "CS-00042")  # the correction: supersedes 02
    shutil.copy(folder / "01 referral.docx", folder / "04 copy of referral.docx")
    form("05 review.docx", "review", "CS-00042")
    (folder / "06 scan.docx").write_bytes(b"not a document")
    form("07 referral.pdf", "referral", "CS-00043")
    form("08 no id.docx", "support-plan", "CS-00043", person_id=None)
    form("09 plan.xlsx", "support-plan", "CS-00043", person_signature=None)
    closure = catalogue.get("closure").for_service("community-support")
    fill(catalogue.get("closure"), {**complete_values(closure), "person_id": "CS-00042"},
         folder / "10 closure.docx", service="community-support")
    form("11 review.docx", "review", "CS-00043")
    return sorted(p.name for p in folder.iterdir())


def _store_rows(store: Store) -> dict[str, Any]:
    with store.session() as session:
        subs = list(session.scalars(select(Submission).order_by(Submission.original_name)))
        name = {s.id: s.original_name for s in subs}
        episodes = sorted((e.person_id, e.service, e.opened_on, e.closed_on)
                          for e in session.scalars(select(Episode)))
        events = sorted((name[e.submission_id], e.kind, e.on)
                        for e in session.scalars(select(EventRow)))
        return {"submissions": [(s.original_name, s.status, name.get(s.superseded_by or -1),
                                 s.reason, s.archived_path is not None) for s in subs],
                "episodes": episodes, "events": events}


def _outcomes(results: list[IngestResult]) -> list[tuple[str, str, str | None]]:
    return [(r.file, r.outcome.value, r.reason) for r in results]


def test_a_backlog_in_batches_ends_as_the_files_taken_one_by_one(
        tmp_path: Path, catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch) -> None:
    names = _backlog(tmp_path / "forms", catalogue)
    one, one_url = _workspace(tmp_path / "one", catalogue)
    many, many_url = _workspace(tmp_path / "many", catalogue)
    for workspace in (one, many):
        for name in names:
            shutil.copy(tmp_path / "forms" / name, workspace.inbox / name)
    monkeypatch.setattr(backlog, "BATCH_FILES", 4)  # batches end mid-way through the story
    with open_store(one_url) as store:
        singly = [ingest_file(one.inbox / name, store, one) for name in names]
        for result in singly:  # the watcher: after each file
            _summarise(store, one, [result])
        rows_singly = _store_rows(store)
    with open_store(many_url) as store:
        batched = ingest_paths([many.inbox], store, many)
        _summarise(store, many, batched)  # `planwatch ingest`: once the backlog is stored
        rows_batched = _store_rows(store)

    assert [r.file for r in batched] == names
    assert _outcomes(batched) == _outcomes(singly)
    assert {r.outcome for r in batched} == {Outcome.STORED, Outcome.SUPERSEDED,
                                            Outcome.DUPLICATE, Outcome.REJECTED}
    assert rows_batched == rows_singly
    assert rows_batched["submissions"][1][:3] == \
        ("02 plan unsigned.docx", "superseded", "03 plan.docx")
    assert list(many.inbox.iterdir()) == []
    assert sorted(p.name for p in (many.rejected).iterdir()) == sorted(
        p.name for p in (one.rejected).iterdir())
    # The closure wrote the person's outcome summary, as it does taken alone.
    summaries = sorted(p.name for p in (many.home / "reports").rglob("*.docx"))
    assert summaries and summaries == sorted(
        p.name for p in (one.home / "reports").rglob("*.docx"))


def test_a_backlog_read_by_several_sandboxed_readers(tmp_path: Path,
                                                     catalogue: Catalogue) -> None:
    names = _backlog(tmp_path / "forms", catalogue)
    with ReaderPool(DEFAULT_FORMS_DIR, workers=2) as readers:
        workspace, url = _workspace(tmp_path / "ws", catalogue, parse=readers.read,
                                    parse_workers=2)
        for name in names:
            shutil.copy(tmp_path / "forms" / name, workspace.inbox / name)
        with open_store(url) as store:
            results = ingest_paths([workspace.inbox], store, workspace)
    counts: dict[str, int] = {}
    for result in results:
        counts[result.outcome] = counts.get(result.outcome, 0) + 1
    assert counts == {"stored": 7, "superseded": 1, "duplicate": 1, "rejected": 2}


def test_a_file_that_vanishes_mid_backlog_is_reported_and_the_rest_stored(
        tmp_path: Path, catalogue: Catalogue) -> None:
    names = _backlog(tmp_path / "forms", catalogue)[:3]
    workspace, url = _workspace(tmp_path / "ws", catalogue)
    paths = [shutil.copy(tmp_path / "forms" / n, workspace.inbox / n) for n in names]
    Path(paths[1]).unlink()  # deleted by someone after the folder was listed
    with open_store(url) as store:
        results = ingest_paths([Path(p) for p in paths], store, workspace)
    assert [r.outcome for r in results] == [Outcome.STORED, Outcome.GONE, Outcome.STORED]
    assert "moved or deleted" in str(results[1].reason)


def test_a_looping_file_in_a_backlog_is_rejected_and_the_readers_carry_on(
        tmp_path: Path, catalogue: Catalogue) -> None:
    names = _backlog(tmp_path / "forms", catalogue)
    with ReaderPool(DEFAULT_FORMS_DIR, workers=2, timeout_seconds=2,
                    reader="tests.hostile_readers:routing") as readers:
        workspace, url = _workspace(tmp_path / "ws", catalogue, parse=readers.read,
                                    parse_workers=2)
        for name in names:
            target = name.replace("05 review", "05 loop review")
            shutil.copy(tmp_path / "forms" / name, workspace.inbox / target)
        with open_store(url) as store:
            results = ingest_paths([workspace.inbox], store, workspace)
    outcome = {r.file: r for r in results}
    assert outcome["05 loop review.docx"].outcome is Outcome.REJECTED
    assert "longer than 2 seconds" in str(outcome["05 loop review.docx"].reason)
    assert outcome["11 review.docx"].outcome is Outcome.STORED  # read after the loop
    assert sum(r.outcome is Outcome.STORED for r in results) == 6


def test_content_stored_by_another_process_mid_batch_is_a_duplicate_and_the_rest_stored(
        tmp_path: Path, catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch) -> None:
    names = _backlog(tmp_path / "forms", catalogue)[:3]
    workspace, url = _workspace(tmp_path / "ws", catalogue)
    for name in names:
        shutil.copy(tmp_path / "forms" / name, workspace.inbox / name)
    real = backlog.record_submissions

    def another_watcher_first(session: Any, forms: list[Any], **kwargs: Any) -> Any:
        # Between this batch's duplicate check and its commit, another watcher stores the
        # first file (as from another inbox, under another name).
        first = forms[0]
        theirs = workspace.archive / "elsewhere.docx"
        theirs.write_bytes((workspace.home / first.archived_path).read_bytes())
        with open_store(url) as rival, rival.session() as other:
            real(other, [replace(first, original_name="elsewhere.docx",
                                 archived_path=workspace.relative(theirs))],
                 command="watch", site=None)
        return real(session, forms, **kwargs)

    monkeypatch.setattr(backlog, "record_submissions", another_watcher_first)
    with open_store(url) as store:
        results = ingest_paths([workspace.inbox], store, workspace)
        rows = _store_rows(store)["submissions"]
    assert [r.outcome for r in results] == [Outcome.DUPLICATE, Outcome.STORED,
                                            Outcome.SUPERSEDED]
    assert "already stored as 'elsewhere.docx'" in str(results[0].reason)
    assert [name for name, *_ in rows] == ["02 plan unsigned.docx", "03 plan.docx",
                                           "elsewhere.docx"]
    assert list(workspace.inbox.iterdir()) == []
    # Only the other process's archive copy is kept of the first file's content.
    assert sorted(p.name for p in workspace.archive.rglob("*.docx")) == [
        "02 plan unsigned.docx", "03 plan.docx", "elsewhere.docx"]
