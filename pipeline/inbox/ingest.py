"""Ingest: one dropped file → stored, duplicate, superseded or rejected. Never lost.

One file at a time serves the watcher; :mod:`pipeline.inbox.backlog` takes many at once
(``planwatch ingest``) with the same outcomes and guarantees. For each file:

    read bytes → sha256 (seen before? duplicate) → read + validate (unusable? rejected)
    → copy to archive/YYYY/MM (fsync) → one transaction (submission, events, actions,
    scores, supersession, audit) → only then remove the file from the inbox

A crash at any point leaves the file in the inbox or the record already stored; running
again finishes the job and never stores a file twice (the content hash is unique).
Files outside the inbox are copied, never moved or deleted.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from pipeline.definitions import Catalogue, FormDefinition
from pipeline.errors import FormReadError, ReportError, StoreError
from pipeline.forms_service import read_form
from pipeline.inbox import files
from pipeline.inbox.read_ahead import Parse as Parse  # re-exported: callers type their readers
from pipeline.inbox.recording import Stored, record_submission
from pipeline.readers.safety import DEFAULT_LIMITS, Limits, size_limit_mb
from pipeline.records import RawForm, Record
from pipeline.reports.summary_job import may_close, write_summary_for_closure
from pipeline.store import audit
from pipeline.store.claims import claim
from pipeline.store.models import Submission, SubmissionStatus
from pipeline.store.queries import find_submission_by_sha
from pipeline.store.session import Store
from pipeline.validate import validate

LONDON = ZoneInfo("Europe/London")
log = logging.getLogger("planwatch.ingest")


class Outcome(StrEnum):
    STORED = "stored"
    DUPLICATE = "duplicate"
    SUPERSEDED = "superseded"
    REJECTED = "rejected"
    # Another watcher holds this content right now; it will give the file its outcome.
    IN_PROGRESS = "in_progress"


class IngestResult(BaseModel):
    """What happened to one file: the row ``planwatch ingest --json`` prints."""

    model_config = ConfigDict(frozen=True)

    file: str
    outcome: Outcome
    reason: str | None = None
    person_id: str | None = None
    form: str | None = None
    findings: list[dict[str, Any]] = []
    submission_id: int | None = None
    path: str | None = None  # archived or rejected copy, relative to the workspace


@dataclass(frozen=True)
class Workspace:
    """The folders and catalogue ingest works with (from Settings, at the edge)."""

    home: Path
    inbox: Path
    archive: Path
    rejected: Path
    catalogue: Catalogue
    limits: Limits = DEFAULT_LIMITS
    # Reads and validates one file's bytes, e.g. in a sandboxed worker process; None:
    # in this process (tests, `forms check`).
    parse: Parse | None = None
    # Where outcome summaries go when a closure form arrives (None: not written).
    reports: Path | None = None
    # The site this workspace serves, recorded on every file (several sites, one store).
    site: str | None = None
    # How many files ``parse`` may be given at once (worker processes reading in parallel).
    parse_workers: int = 1

    def relative(self, path: Path) -> str:
        try:
            return path.relative_to(self.home).as_posix()
        except ValueError:
            return str(path)

    def in_inbox(self, path: Path) -> bool:
        return path.resolve().is_relative_to(self._inbox_resolved)

    @cached_property
    def _inbox_resolved(self) -> Path:
        return self.inbox.resolve()


class Rejection(Exception):
    def __init__(self, reason: str, form_id: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.form_id = form_id


def ingest_file(path: Path, store: Store, workspace: Workspace, *, command: str = "ingest",
                received_at: datetime | None = None) -> IngestResult:
    """Take one file all the way to a visible outcome (see the module docstring)."""
    received = received_at or datetime.now(UTC)
    too_big: Rejection | None = None
    try:
        size = path.stat().st_size
        if size > workspace.limits.max_file_bytes:
            # Never loaded into memory: hashed and kept by streaming, refused unread.
            data: bytes | Path = path
            sha256 = files.sha256_of(path)
            too_big = Rejection(
                f"The file is larger than the {size_limit_mb(workspace.limits)} MB limit for a "
                "form. Check this is the right file; forms are normally well under 1 MB.")
        else:
            data = path.read_bytes()
            sha256 = hashlib.sha256(data).hexdigest()
    except OSError as exc:
        # Nothing could be read, so nothing can be copied: the file stays where it is.
        return IngestResult(file=path.name, outcome=Outcome.REJECTED,
                            reason=f"The file cannot be opened ({exc.strerror}). Check it is "
                            "not open in another program or still copying, then try again.")
    with claim(store, sha256) as mine:
        if not mine:
            return in_progress_result(path)
        return _ingest_claimed(path, data, sha256, too_big, store, workspace, command,
                               received)


def _ingest_claimed(path: Path, data: bytes | Path, sha256: str, too_big: Rejection | None,
                    store: Store, workspace: Workspace, command: str,
                    received: datetime) -> IngestResult:
    """The rest of :func:`ingest_file`, while this process holds the content's claim."""
    with store.session() as session:
        existing = find_submission_by_sha(session, sha256)
        if existing is not None:
            result = record_duplicate(session, path, sha256, existing, workspace, command)
    if existing is not None:
        let_go_duplicate(path, sha256, result, workspace)
        return result
    try:
        if too_big is not None:
            raise too_big
        assert isinstance(data, bytes)
        raw, record = read_checked(path, data, workspace)
    except Rejection as rejection:
        return reject(path, data, sha256, rejection, store, workspace, command, received)
    folder = files.archive_folder(workspace.archive, received.astimezone(LONDON))
    archived = files.keep_copy(folder, path.name, sha256, data)
    try:
        with store.session() as session:
            stored = record_submission(
                session, raw=raw, record=record, sha256=sha256, original_name=path.name,
                received_at=received, archived_path=workspace.relative(archived),
                command=command, definition=workspace.catalogue.get(record.form_id),
                site=workspace.site)
    except StoreError:
        # Another watcher stored the same content between our check and our commit.
        with store.session() as session:
            winner = find_submission_by_sha(session, sha256)
        if winner is None:
            raise
        if winner.archived_path != workspace.relative(archived):
            archived.unlink(missing_ok=True)
        remove_from_inbox(path, workspace)
        return duplicate_result(path, winner, workspace)
    return stored_result(path, sha256, record, stored, archived, store, workspace, received)


def stored_result(path: Path, sha256: str, record: Record, stored: Stored, archived: Path,
                  store: Store, workspace: Workspace, received: datetime, *,
                  summarise: bool = True) -> IngestResult:
    """After the commit: the file leaves the inbox, a closure's summary is written (unless
    the caller writes it: ``summarise=False``), and the outcome is logged and returned."""
    remove_from_inbox(path, workspace)
    if summarise:
        summary_on_closure(store, workspace, stored.submission_id, received,
                           workspace.catalogue.get(record.form_id))
    log.info("file_" + stored.outcome, extra={
        "submission_id": stored.submission_id, "sha256": sha256, "form_id": record.form_id,
        "finding_count": len(record.findings)})
    findings = [f.model_dump(mode="json") for f in record.findings]
    return IngestResult(
        file=path.name, outcome=Outcome(stored.outcome), reason=stored.reason,
        person_id=record.person_id, form=record.form_id, findings=findings,
        submission_id=stored.submission_id, path=workspace.relative(archived))


def _parse_here(path: Path, data: bytes, workspace: Workspace) -> tuple[RawForm, Record]:
    raw = read_form(path, workspace.catalogue, data=data)
    return raw, validate(raw, workspace.catalogue.get(raw.form_id))


def summary_on_closure(store: Store, workspace: Workspace, submission_id: int,
                       received: datetime, definition: FormDefinition) -> Path | None:
    """A closure form's arrival writes the outcome summary (its path is returned); the form
    is stored either way."""
    if workspace.reports is None or not may_close(definition):
        return None  # most forms cannot close an episode: no need to ask the store
    try:
        return write_summary_for_closure(store, workspace.catalogue, submission_id,
                                         reports_path=workspace.reports,
                                         today=received.astimezone(LONDON).date())
    except ReportError:
        log.warning("summary_not_written", exc_info=True,
                    extra={"submission_id": submission_id})
        return None


def read_checked(path: Path, data: bytes, workspace: Workspace) -> tuple[RawForm, Record]:
    try:
        if workspace.parse is not None:
            raw, record = workspace.parse(path, data)
        else:
            raw, record = _parse_here(path, data, workspace)
    except FormReadError as exc:
        raise Rejection(_sentence(exc.problem) + (f" {exc.hint}" if exc.hint else "")) from exc
    if not record.person_id:
        label = workspace.catalogue.get(raw.form_id).leaves_by_key["person_id"].label
        raise Rejection(f"The form has no person id: '{label}' is empty, so Planwatch cannot "
                         "tell whose form it is. Fill it in and drop the form again.",
                         form_id=raw.form_id)
    return raw, record


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[:1].upper() + text[1:]).rstrip(".") + "."


def record_duplicate(session: Session, path: Path, sha256: str, existing: Submission,
                     workspace: Workspace, command: str) -> IngestResult:
    """A file whose content is stored already: audited in ``session``; its outcome."""
    audit.record(session, command=command, action="duplicate", submission_id=existing.id,
                 sha256=sha256, detail={"file_name": path.name})
    return duplicate_result(path, existing, workspace)


def let_go_duplicate(path: Path, sha256: str, result: IngestResult,
                     workspace: Workspace) -> None:
    """Once its audit entry is committed: the duplicate leaves the inbox, and is logged."""
    remove_from_inbox(path, workspace)
    log.info("file_duplicate", extra={"submission_id": result.submission_id, "sha256": sha256})


def in_progress_result(path: Path) -> IngestResult:
    """Another watcher holds this content's claim: it gives the file its outcome."""
    return IngestResult(file=path.name, outcome=Outcome.IN_PROGRESS,
                        reason="Another Planwatch process is taking this file now.")


def duplicate_result(path: Path, existing: Submission, workspace: Workspace) -> IngestResult:
    if existing.status == SubmissionStatus.REJECTED:
        reason = (f"The same file was dropped before as '{existing.original_name}' and "
                  f"rejected: {existing.reason} Drop a corrected copy instead.")
    else:
        reason = (f"The same file was already stored as '{existing.original_name}' on "
                  f"{existing.received_at.astimezone(LONDON):%d/%m/%Y %H:%M}; nothing to do.")
    return IngestResult(
        file=path.name, outcome=Outcome.DUPLICATE, reason=reason,
        person_id=existing.person_id, form=existing.form_id,
        submission_id=existing.id, path=existing.archived_path or existing.rejected_path)


def reject(path: Path, data: bytes | Path, sha256: str, rejection: Rejection, store: Store,
            workspace: Workspace, command: str, received: datetime) -> IngestResult:
    """Keep the original in rejected/ with a reason a person can act on, and record it."""
    target = files.keep_copy(workspace.rejected, path.name, sha256, data)
    when = received.astimezone(LONDON)
    explanation = (
        f"File: {path.name}\nReceived: {when:%d/%m/%Y %H:%M}\n\n"
        f"Why it could not be used:\n{rejection.reason}\n\n"
        "The original is kept next to this note. Once a corrected copy is dropped into the "
        "inbox, this one can be deleted.\n"
    )
    files.write_durably(target.with_name(target.name + ".reason.txt"),
                        explanation.encode("utf-8"))
    with store.session() as session:
        submission = Submission(
            sha256=sha256, original_name=path.name, received_at=received,
            form_id=rejection.form_id, status=SubmissionStatus.REJECTED,
            rejected_path=workspace.relative(target), reason=rejection.reason, command=command,
            values={}, findings=[], site=workspace.site)
        session.add(submission)
        session.flush()
        audit.record(session, command=command, action="rejected", submission_id=submission.id,
                     sha256=sha256, detail={"file_name": path.name, "form_id": rejection.form_id,
                                            "rejected_path": workspace.relative(target)})
        submission_id = submission.id
    remove_from_inbox(path, workspace)
    log.warning("file_rejected", extra={"submission_id": submission_id, "sha256": sha256,
                                        "form_id": rejection.form_id})
    return IngestResult(file=path.name, outcome=Outcome.REJECTED, reason=rejection.reason,
                        form=rejection.form_id, submission_id=submission_id,
                        path=workspace.relative(target))


def remove_from_inbox(path: Path, workspace: Workspace) -> None:
    """Only a file dropped into the inbox is removed; anything else is left where it was."""
    if workspace.in_inbox(path):
        path.unlink(missing_ok=True)
