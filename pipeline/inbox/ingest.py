"""Ingest: one dropped file → stored, duplicate, superseded or rejected. Never lost.

One file at a time serves the watcher; :mod:`pipeline.inbox.backlog` takes many at once
(``planwatch ingest``) with the same outcomes and guarantees. For each file:

    open it safely (a regular file only, never a link: :mod:`pipeline.inbox.dropped`)
    → sha256 (seen before? duplicate) → read + validate (unusable? rejected)
    → still the same file? → copy to archive/YYYY/MM (fsync) → one transaction
    (submission, events, actions, scores, supersession, audit) → only then, if it is
    still the file that was read, remove it from the inbox

A crash at any point leaves the file in the inbox or the record already stored; running
again finishes the job and never stores a file twice (the content hash is unique).
Files outside the inbox are copied, never moved or deleted.

Every file ends with an outcome a person can see, whatever it holds: a link or special
file is rejected without being followed; a file that changed while it was read
(``changed``) or cannot be opened now (``blocked``) stays in the inbox to be taken
again; an unexpected failure while storing one file rejects that file (its content met
a fault) unless the machine is at fault (:mod:`pipeline.inbox.failures`), when the file
stays and the error goes up. A rejection that is no verdict on the content (a time or
memory limit, a fault) is ``retryable``: an identical copy dropped later is tried again.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from pipeline import files
from pipeline.definitions import Catalogue
from pipeline.errors import FormReadError, ReaderLimitError, StoreError
from pipeline.formats.reading import read_form
from pipeline.formats.safety import DEFAULT_LIMITS, Limits, size_limit_mb
from pipeline.inbox.candidates import IGNORED_PATTERNS, unsupported_format
from pipeline.inbox.dropped import (
    NOT_A_FILE_REASON,
    CannotOpen,
    Dropped,
    Identity,
    NotARegularFile,
    read_dropped,
)
from pipeline.inbox.failures import STORE_FAILED_REASON, machine_problem
from pipeline.inbox.read_ahead import Parse as Parse  # re-exported: callers type their readers
from pipeline.inbox.recording import Stored, record_submission
from pipeline.records import RawForm, Record
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
    # The file changed while it was read (still being copied): it stays in the inbox and
    # is taken again once it has settled.
    CHANGED = "changed"
    # The file was moved or deleted (by a person) before it could be taken: nothing to do.
    GONE = "gone"
    # The file cannot be opened now (permission denied, a lock): it stays in the inbox
    # and is tried again, with growing pauses.
    BLOCKED = "blocked"


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
    # The site this workspace serves, recorded on every file (several sites, one store).
    site: str | None = None
    # How many files ``parse`` may be given at once (worker processes reading in parallel).
    parse_workers: int = 1
    # Names never taken from a folder (office lock and temporary files).
    ignored: tuple[str, ...] = IGNORED_PATTERNS

    def relative(self, path: Path) -> str:
        try:
            return path.relative_to(self.home).as_posix()
        except ValueError:
            return str(path)

    def in_inbox(self, path: Path) -> bool:
        """Is ``path`` a name inside the inbox? Its folder is resolved, the name itself
        never: a link in the inbox is in the inbox, wherever it points."""
        return (path.parent.resolve() / path.name).is_relative_to(self._inbox_resolved)

    @cached_property
    def _inbox_resolved(self) -> Path:
        return self.inbox.resolve()


class Rejection(Exception):
    """Why a file cannot be used. ``retryable``: no verdict on the content (a limit was
    hit, or Planwatch failed), so an identical copy dropped later is tried again."""

    def __init__(self, reason: str, form_id: str | None = None, *,
                 retryable: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.form_id = form_id
        self.retryable = retryable


def ingest_file(path: Path, store: Store, workspace: Workspace, *, command: str = "ingest",
                received_at: datetime | None = None) -> IngestResult:
    """Take one file all the way to a visible outcome (see the module docstring)."""
    received = received_at or datetime.now(UTC)
    try:
        dropped = read_dropped(path, workspace.limits.max_file_bytes)
    except NotARegularFile as exc:
        return reject_not_a_file(path, exc.kind, store, workspace, command, received)
    except FileNotFoundError:
        return changed_result(path, gone=True)
    except CannotOpen as exc:
        # Nothing could be read, so nothing can be copied: the file stays where it is.
        log.warning("file_blocked", extra={"errno": exc.errno})
        return IngestResult(file=path.name, outcome=Outcome.BLOCKED, reason=exc.reason)
    with claim(store, dropped.sha256) as mine:
        if not mine:
            return in_progress_result(path)
        return _ingest_claimed(dropped, store, workspace, command, received)


def _ingest_claimed(dropped: Dropped, store: Store, workspace: Workspace, command: str,
                    received: datetime) -> IngestResult:
    """The rest of :func:`ingest_file`, while this process holds the content's claim."""
    with store.session() as session:
        existing = find_submission_by_sha(session, dropped.sha256)
        final = existing is not None and not existing.retryable
        if final:
            assert existing is not None
            result = record_duplicate(session, dropped.path, dropped.sha256, existing,
                                      workspace, command)
    if final:
        let_go_duplicate(dropped, result, workspace)
        return result
    replaces = existing.id if existing is not None else None
    try:
        raw, record = read_checked(dropped, workspace)
    except Rejection as rejection:
        return reject(dropped, rejection, store, workspace, command, received,
                      replaces=replaces)
    return store_form(dropped, raw, record, store, workspace, command, received,
                      replaces=replaces)


def store_form(dropped: Dropped, raw: RawForm, record: Record, store: Store,
               workspace: Workspace, command: str, received: datetime, *,
               replaces: int | None = None) -> IngestResult:
    """Archive and store one readable form (``replaces``: a retryable rejection of the
    same content, which this attempt takes the place of)."""
    path = dropped.path
    if workspace.in_inbox(path) and not dropped.unchanged():
        return changed_result(path)
    folder = archive_folder(workspace.archive, received.astimezone(LONDON))
    archived = files.keep_copy(folder, path.name, dropped.sha256, _content(dropped))
    try:
        with store.session() as session:
            forgotten = forget_retryable(session, replaces, command)
            stored = record_submission(
                session, raw=raw, record=record, sha256=dropped.sha256,
                original_name=path.name, received_at=received,
                archived_path=workspace.relative(archived), command=command,
                definition=workspace.catalogue.get(record.form_id), site=workspace.site)
    except Exception as exc:
        if machine_problem(exc) is not None:
            raise  # the file stays in the inbox; the caller says what is wrong
        if isinstance(exc, StoreError):
            # Another watcher stored the same content between our check and our commit?
            with store.session() as session:
                winner = find_submission_by_sha(session, dropped.sha256)
            if winner is not None and not winner.retryable:
                if winner.archived_path != workspace.relative(archived):
                    archived.unlink(missing_ok=True)
                remove_from_inbox(dropped, workspace)
                return duplicate_result(path, winner, workspace)
        # This file's content met a fault while being stored: rejected, the rest go on.
        log.error("store_failed", extra={"sha256": dropped.sha256,
                                         "error_type": type(exc).__name__})
        archived.unlink(missing_ok=True)
        return reject(dropped, Rejection(STORE_FAILED_REASON, form_id=record.form_id,
                                         retryable=True),
                      store, workspace, command, received, replaces=replaces)
    forget_files(forgotten, workspace)
    return stored_result(dropped, record, stored, archived, workspace)


def archive_folder(archive_root: Path, received: datetime) -> Path:
    """``archive/YYYY/MM`` for the month a file was received (UK time)."""
    return archive_root / f"{received:%Y}" / f"{received:%m}"


def _content(dropped: Dropped) -> bytes | Path:
    return dropped.path if dropped.data is None else dropped.data


def forget_retryable(session: Session, submission_id: int | None,
                     command: str) -> list[str]:
    """Remove a retryable rejection that a new attempt at the same content replaces (in
    the new attempt's transaction; the audit log keeps its history). Returns its files
    in rejected/, to delete once the transaction has committed."""
    if submission_id is None:
        return []
    old = session.get(Submission, submission_id)
    if old is None or old.status != SubmissionStatus.REJECTED or not old.retryable:
        return []
    audit.record(session, command=command, action="retried", submission_id=old.id,
                 sha256=old.sha256, detail={"file_name": old.original_name})
    kept = [old.rejected_path] if old.rejected_path else []
    session.delete(old)
    session.flush()
    return kept


def forget_files(relative_paths: list[str], workspace: Workspace) -> None:
    """A replaced rejection's copy and note leave rejected/ (the new outcome counts)."""
    for relative in relative_paths:
        copy = workspace.home / relative
        if copy.is_relative_to(workspace.rejected):
            copy.unlink(missing_ok=True)
            copy.with_name(copy.name + ".reason.txt").unlink(missing_ok=True)


def stored_result(dropped: Dropped, record: Record, stored: Stored, archived: Path,
                  workspace: Workspace) -> IngestResult:
    """After the commit: the file leaves the inbox, and the outcome is logged and returned.
    (What follows from it, such as a closure's outcome summary, is the caller's job:
    :func:`pipeline.reports.outcome_summary.job.write_closure_summaries`.)"""
    left = remove_from_inbox(dropped, workspace)
    log.info("file_" + stored.outcome, extra={
        "submission_id": stored.submission_id, "sha256": dropped.sha256,
        "form_id": record.form_id, "finding_count": len(record.findings)})
    findings = [f.model_dump(mode="json") for f in record.findings]
    return IngestResult(
        file=dropped.path.name, outcome=Outcome(stored.outcome),
        reason=_with_change_note(stored.reason, left), person_id=record.person_id,
        form=record.form_id, findings=findings, submission_id=stored.submission_id,
        path=workspace.relative(archived))


_CHANGED_NOTE = ("The file in the inbox changed after it was read, so it was left there: "
                 "the new version is taken once it has settled.")


def _with_change_note(reason: str | None, left: bool) -> str | None:
    if left:
        return reason
    return f"{reason} {_CHANGED_NOTE}" if reason else _CHANGED_NOTE


def _parse_here(path: Path, data: bytes, workspace: Workspace) -> tuple[RawForm, Record]:
    raw = read_form(path, workspace.catalogue, data=data)
    return raw, validate(raw, workspace.catalogue.get(raw.form_id))


def read_checked(dropped: Dropped, workspace: Workspace) -> tuple[RawForm, Record]:
    """Read and validate a file's content, or say why it cannot be used."""
    path = dropped.path
    unsupported = unsupported_format(path)
    if unsupported is not None:
        raise Rejection(unsupported)
    if dropped.data is None:
        raise Rejection(
            f"The file is larger than the {size_limit_mb(workspace.limits)} MB limit for a "
            "form. Check this is the right file; forms are normally well under 1 MB.")
    try:
        if workspace.parse is not None:
            raw, record = workspace.parse(path, dropped.data)
        else:
            raw, record = _parse_here(path, dropped.data, workspace)
    except FormReadError as exc:
        raise Rejection(_sentence(exc.problem) + (f" {exc.hint}" if exc.hint else ""),
                        retryable=isinstance(exc, ReaderLimitError)) from exc
    if not record.person_id:
        label = workspace.catalogue.get(raw.form_id).leaves_by_key["person_id"].label
        # Validation may have emptied an unusable id (too long, invisible characters):
        # then its own finding says what was wrong with it.
        said = next((f.message for f in record.findings if f.field == "person_id"
                     and f.code != "missing"), None)
        if said:
            raise Rejection(f"'{label}' cannot be used as the person id: {_sentence(said)} "
                            "Until it is corrected Planwatch cannot tell whose form it is: "
                            "correct it and drop the form again.", form_id=raw.form_id)
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


def let_go_duplicate(dropped: Dropped, result: IngestResult, workspace: Workspace) -> None:
    """Once its audit entry is committed: the duplicate leaves the inbox, and is logged."""
    remove_from_inbox(dropped, workspace)
    log.info("file_duplicate", extra={"submission_id": result.submission_id,
                                      "sha256": dropped.sha256})


def in_progress_result(path: Path) -> IngestResult:
    """Another watcher holds this content's claim: it gives the file its outcome."""
    return IngestResult(file=path.name, outcome=Outcome.IN_PROGRESS,
                        reason="Another Planwatch process is taking this file now.")


def changed_result(path: Path, *, gone: bool = False) -> IngestResult:
    """The file changed (or went) while it was being read: nothing was recorded."""
    log.info("file_changed_while_read", extra={"gone": gone})
    reason = ("The file was moved or deleted while Planwatch was reading it; nothing was "
              "recorded." if gone else
              "The file changed while Planwatch was reading it (it may still be copying), "
              "so nothing was recorded: it stays in the inbox and is taken once it has "
              "settled.")
    return IngestResult(file=path.name, outcome=Outcome.GONE if gone else Outcome.CHANGED,
                        reason=reason)


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


def _explanation(name: str, received: datetime, reason: str, *, kept: bool) -> bytes:
    when = received.astimezone(LONDON)
    after = ("The original is kept next to this note. Once a corrected copy is dropped into "
             "the inbox, this one can be deleted.\n" if kept else
             "Nothing was kept: there was no file content to keep.\n")
    return (f"File: {name}\nReceived: {when:%d/%m/%Y %H:%M}\n\n"
            f"Why it could not be used:\n{reason}\n\n{after}").encode()


def reject(dropped: Dropped, rejection: Rejection, store: Store, workspace: Workspace,
           command: str, received: datetime, *, replaces: int | None = None) -> IngestResult:
    """Keep the original in rejected/ with a reason a person can act on, and record it.

    A file in the inbox that is no longer the file that was judged (still being copied)
    gets no verdict: it stays, to be taken again once it has settled.
    """
    path = dropped.path
    if workspace.in_inbox(path) and not dropped.unchanged():
        return changed_result(path)
    target = files.keep_copy(workspace.rejected, path.name, dropped.sha256, _content(dropped))
    files.write_file(target.with_name(target.name + ".reason.txt"),
                     _explanation(path.name, received, rejection.reason, kept=True))
    with store.session() as session:
        forgotten = [p for p in forget_retryable(session, replaces, command)
                     if p != workspace.relative(target)]
        submission_id = _record_rejection(
            session, sha256=dropped.sha256, name=path.name, received=received,
            rejection=rejection, rejected_path=workspace.relative(target), command=command,
            site=workspace.site)
    forget_files(forgotten, workspace)
    remove_from_inbox(dropped, workspace)
    log.warning("file_rejected", extra={"submission_id": submission_id,
                                        "sha256": dropped.sha256, "form_id": rejection.form_id,
                                        "retryable": rejection.retryable})
    return IngestResult(file=path.name, outcome=Outcome.REJECTED, reason=rejection.reason,
                        form=rejection.form_id, submission_id=submission_id,
                        path=workspace.relative(target))


def _record_rejection(session: Session, *, sha256: str, name: str, received: datetime,
                      rejection: Rejection, rejected_path: str | None, command: str,
                      site: str | None) -> int:
    submission = Submission(
        sha256=sha256, original_name=name, received_at=received,
        form_id=rejection.form_id, status=SubmissionStatus.REJECTED,
        rejected_path=rejected_path, reason=rejection.reason, command=command,
        values={}, findings=[], site=site, retryable=rejection.retryable)
    session.add(submission)
    session.flush()
    audit.record(session, command=command, action="rejected", submission_id=submission.id,
                 sha256=sha256, detail={"file_name": name, "form_id": rejection.form_id,
                                        "rejected_path": rejected_path})
    return submission.id


def reject_not_a_file(path: Path, kind: str, store: Store, workspace: Workspace,
                      command: str, received: datetime) -> IngestResult:
    """A symbolic link, FIFO, socket, device or folder where a form should be: never read
    or followed; recorded as rejected with a note in rejected/, and its name removed from
    the inbox so it is not taken again."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return changed_result(path, gone=True)
    identity = Identity.of(info)
    # There is no content to hash: the name's own identity stands in for it, so two
    # watchers meeting the same link still claim it once.
    sha256 = hashlib.sha256(
        f"not-a-file\0{identity.device}\0{identity.inode}\0{info.st_ctime_ns}\0"
        f"{path.name}".encode("utf-8", "surrogateescape")).hexdigest()
    with claim(store, sha256) as mine:
        if not mine:
            return in_progress_result(path)
        with store.session() as session:
            if find_submission_by_sha(session, sha256) is not None:
                submission_id = None  # another watcher gave it its outcome just now
            else:
                note = files.keep_copy(workspace.rejected, path.name + ".reason.txt", sha256,
                                       _explanation(path.name, received, NOT_A_FILE_REASON,
                                                    kept=False))
                submission_id = _record_rejection(
                    session, sha256=sha256, name=path.name, received=received,
                    rejection=Rejection(NOT_A_FILE_REASON), rejected_path=None,
                    command=command, site=workspace.site)
        if workspace.in_inbox(path):
            _unlink_if_same(path, identity)
    if submission_id is None:
        return changed_result(path, gone=True)
    log.warning("file_rejected", extra={"submission_id": submission_id, "sha256": sha256,
                                        "not_a_file": kind})
    return IngestResult(file=path.name, outcome=Outcome.REJECTED, reason=NOT_A_FILE_REASON,
                        submission_id=submission_id, path=workspace.relative(note))


def _unlink_if_same(path: Path, identity: Identity) -> None:
    """Remove the name (never what a link points to) if it is still what was judged."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    if (info.st_dev, info.st_ino) == (identity.device, identity.inode):
        path.unlink(missing_ok=True)


def remove_from_inbox(dropped: Dropped, workspace: Workspace) -> bool:
    """Only a file dropped into the inbox is removed, and only if it is still the file
    that was read; anything else is left where it was. False: it changed, and stays."""
    if not workspace.in_inbox(dropped.path):
        return True
    if not dropped.unchanged():
        if dropped.path.exists():
            log.info("file_changed_after_read", extra={"sha256": dropped.sha256})
            return False
        return True
    dropped.path.unlink(missing_ok=True)
    return True
