"""Ingest of many files at once: ``planwatch ingest`` over a folder, a backlog of years.

Every file gets exactly the outcome :func:`pipeline.inbox.ingest.ingest_file` would give
it taken alone, in name order, with the same guarantees: its original is archived and
flushed to disk, then the transaction that stores it commits, and only then is it removed
from the inbox. What changes is the cost. Files are taken in batches (up to
:data:`BATCH_FILES` files or :data:`BATCH_BYTES` bytes), and a batch costs one round of
claims, one query for duplicates, one set of disk flushes for all its archive copies
(:func:`pipeline.files.keep_copies`) and one transaction
(:func:`pipeline.inbox.recording.record_submissions`), where taking files one by one costs
all of that for every file. Meanwhile the workspace's readers (several sandboxed worker
processes) read the files ahead (:class:`pipeline.inbox.read_ahead.ReadAhead`).

What follows from the stored forms (a closure's outcome summary) is the caller's job,
once the whole backlog is stored, so the summary describes how things ended
(:func:`pipeline.reports.outcome_summary.job.write_closure_summaries`).

A crash mid-batch leaves each file either still in the inbox (an archive copy already
written is reused when it is taken again) or stored. Files that need special care go
through :func:`ingest_file` one at a time after their batch: unreadable or oversized
files, a second copy of content already in the batch (it is then a duplicate), and the
whole batch again if its transaction fails because another process stored the same
content meanwhile.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from pipeline import files
from pipeline.inbox.candidates import expand_paths
from pipeline.inbox.dropped import CannotOpen, Dropped, NotARegularFile, read_dropped
from pipeline.inbox.failures import machine_problem
from pipeline.inbox.ingest import (
    LONDON,
    IngestResult,
    Rejection,
    Workspace,
    archive_folder,
    changed_result,
    in_progress_result,
    ingest_file,
    let_go_duplicate,
    log,
    read_checked,
    record_duplicate,
    reject,
    stored_result,
)
from pipeline.inbox.read_ahead import ReadAhead
from pipeline.inbox.recording import NewForm, record_submissions
from pipeline.records import RawForm, Record
from pipeline.store.claims import claim_many
from pipeline.store.models import Submission
from pipeline.store.session import Store

BATCH_FILES = 100
BATCH_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class _Loaded:
    dropped: Dropped
    received: datetime

    @property
    def path(self) -> Path:
        return self.dropped.path

    @property
    def sha256(self) -> str:
        return self.dropped.sha256


@dataclass(frozen=True)
class _Readable:
    loaded: _Loaded
    raw: RawForm
    record: Record




def ingest_paths(
    paths: Iterable[Path], store: Store, workspace: Workspace, *, command: str = "ingest",
    on_result: Callable[[IngestResult], None] | None = None,
) -> list[IngestResult]:
    """Ingest every file under ``paths`` (files or folders), in name order, in batches
    (see the module docstring); ``on_result`` hears of each file as its batch ends."""
    found = list(expand_paths(paths, ignored=workspace.ignored))
    results: list[IngestResult] = []
    with contextlib.ExitStack() as stack:
        if workspace.parse is not None and len(found) > 1:
            ahead = stack.enter_context(ReadAhead(workspace.parse, found, workspace.limits,
                                                  workers=workspace.parse_workers))
            workspace = replace(workspace, parse=ahead.parse)
        for batch in _batches(found, workspace):
            for result in _ingest_batch(batch, store, workspace, command):
                results.append(result)
                if on_result is not None:
                    on_result(result)
    return results


def _batches(found: list[Path], workspace: Workspace) -> Iterable[list[Path]]:
    batch: list[Path] = []
    size = 0
    for path in found:
        with contextlib.suppress(OSError):  # ingest_file says what is wrong with it
            size += min(path.stat().st_size, workspace.limits.max_file_bytes)
        batch.append(path)
        if len(batch) >= BATCH_FILES or size >= BATCH_BYTES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _ingest_batch(batch: list[Path], store: Store, workspace: Workspace,
                  command: str) -> list[IngestResult]:
    results: dict[Path, IngestResult] = {}
    loaded, one_by_one = _load(batch, workspace)
    with claim_many(store, [item.sha256 for item in loaded]) as held:
        mine = []
        for item in loaded:
            if item.sha256 in held:
                mine.append(item)
            else:
                results[item.path] = in_progress_result(item.path)
        fresh, retries = _settle_duplicates(mine, store, workspace, command, results)
        one_by_one += retries
        readable: list[_Readable] = []
        for item in fresh:
            try:
                raw, record = read_checked(item.dropped, workspace)
            except Rejection as rejection:
                results[item.path] = reject(item.dropped, rejection, store, workspace,
                                             command, item.received)
                continue
            if workspace.in_inbox(item.path) and not item.dropped.unchanged():
                results[item.path] = changed_result(item.path)
                continue
            readable.append(_Readable(item, raw, record))
        stored, archived = (_store(readable, store, workspace, command)
                            if readable else ({}, {}))
    results.update(stored)
    retry = [item.loaded.path for item in readable if item.loaded.path not in stored]
    for path in retry + one_by_one:
        results[path] = ingest_file(path, store, workspace, command=command)
        ours = archived.get(path)
        if ours is not None and results[path].path not in (None, workspace.relative(ours)):
            ours.unlink(missing_ok=True)  # the process that stored it first kept its own
    return [results[path] for path in batch]


def _load(batch: list[Path], workspace: Workspace) -> tuple[list[_Loaded], list[Path]]:
    """The batch's files read and hashed, and those left for :func:`ingest_file`."""
    loaded: list[_Loaded] = []
    one_by_one: list[Path] = []
    hashes: set[str] = set()
    for path in batch:
        # Too big to load (ingest_file refuses it unread), a link or special file, or
        # gone or unreadable (ingest_file says which): left for ingest_file.
        try:
            dropped = read_dropped(path, workspace.limits.max_file_bytes)
        except (OSError, NotARegularFile, CannotOpen):
            one_by_one.append(path)
            continue
        if dropped.too_big or dropped.sha256 in hashes:
            # A duplicate of a file before it is taken once that one is.
            one_by_one.append(path)
            continue
        hashes.add(dropped.sha256)
        loaded.append(_Loaded(dropped, datetime.now(UTC)))
    return loaded, one_by_one


def _settle_duplicates(loaded: list[_Loaded], store: Store, workspace: Workspace,
                       command: str, results: dict[Path, IngestResult]
                       ) -> tuple[list[_Loaded], list[Path]]:
    """Give files whose content is already stored their outcome; return the others, and
    those whose earlier rejection may be retried (for :func:`ingest_file`, which
    replaces that rejection)."""
    if not loaded:
        return [], []
    duplicates: list[_Loaded] = []
    with store.session() as session:
        existing = {s.sha256: s for s in session.scalars(select(Submission).where(
            Submission.sha256.in_([item.sha256 for item in loaded])))}
        for item in loaded:
            submission = existing.get(item.sha256)
            if submission is None or submission.retryable:
                continue
            results[item.path] = record_duplicate(session, item.path, item.sha256,
                                                  submission, workspace, command)
            duplicates.append(item)
    for item in duplicates:
        let_go_duplicate(item.dropped, results[item.path], workspace)
    retries = [item.path for item in loaded
               if item.sha256 in existing and existing[item.sha256].retryable]
    return [item for item in loaded if item.sha256 not in existing], retries


def _data(loaded: _Loaded) -> bytes:
    assert loaded.dropped.data is not None  # too big ones are taken one by one
    return loaded.dropped.data


def _store(readable: list[_Readable], store: Store, workspace: Workspace,
           command: str) -> tuple[dict[Path, IngestResult], dict[Path, Path]]:
    """Archive and store the readable files of a batch: their outcomes (none: take them
    one by one) and where each original was archived."""
    archived = files.keep_copies([
        files.Copy(archive_folder(workspace.archive, item.loaded.received.astimezone(
            LONDON)), item.loaded.path.name, item.loaded.sha256, _data(item.loaded))
        for item in readable])
    forms = [NewForm(raw=item.raw, record=item.record, sha256=item.loaded.sha256,
                     original_name=item.loaded.path.name, received_at=item.loaded.received,
                     archived_path=workspace.relative(path),
                     definition=workspace.catalogue.get(item.record.form_id))
             for item, path in zip(readable, archived, strict=True)]
    kept = {item.loaded.path: path for item, path in zip(readable, archived, strict=True)}
    try:
        with store.session() as session:
            outcomes = record_submissions(session, forms, command=command, site=workspace.site)
    except Exception as exc:
        if machine_problem(exc) is not None:
            raise  # the files stay in the inbox; the caller says what is wrong
        # Another process stored some of this content meanwhile, or one file's content
        # met a fault: each file again alone, so each gets its own outcome.
        log.info("batch_retried_one_by_one", extra={"files": len(readable),
                                                    "error_type": type(exc).__name__})
        return {}, kept
    results: dict[Path, IngestResult] = {}
    for item, path, stored in zip(readable, archived, outcomes, strict=True):
        results[item.loaded.path] = stored_result(item.loaded.dropped, item.record, stored,
                                                  path, workspace)
    return results, kept
