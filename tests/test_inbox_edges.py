"""The inbox's promises at the edges offices and attackers reach (issue 13).

Every file gets one outcome a person can see; nothing is read through a link or from a
special file; a file still being copied is never judged on its first half; one poison
file never blocks the rest; load is not a verdict.
"""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from pipeline.config import Settings, load_settings
from pipeline.definitions import Catalogue
from pipeline.formats.reading import read_form
from pipeline.forms_service import fill
from pipeline.inbox.backlog import ingest_paths
from pipeline.inbox.dropped import NOT_A_FILE_REASON
from pipeline.inbox.ingest import Outcome, Workspace, ingest_file
from pipeline.inbox.sandbox import SandboxedReader
from pipeline.records import RawForm, Record
from pipeline.store import queries
from pipeline.store.models import Submission, SubmissionStatus
from pipeline.store.session import Store, open_store
from pipeline.validate import validate
from pipeline.workspace import init_workspace
from tests.form_values import FULL_VALUES


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    init_workspace(tmp_path / "ws")
    return load_settings(tmp_path / "ws")


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    with open_store(settings.database_url) as opened:
        yield opened


def _workspace(settings: Settings, catalogue: Catalogue, **extra: Any) -> Workspace:
    return Workspace(home=settings.home, inbox=settings.inbox_path,
                     archive=settings.archive_path, rejected=settings.rejected_path,
                     catalogue=catalogue, **extra)


@pytest.fixture
def workspace(settings: Settings, catalogue: Catalogue) -> Workspace:
    return _workspace(settings, catalogue)


def _form(catalogue: Catalogue, folder: Path, name: str, form_id: str = "review",
          **changes: Any) -> Path:
    values = {k: v for k, v in {**FULL_VALUES[form_id], **changes}.items() if v is not None}
    return fill(catalogue.get(form_id), values, folder / name)


def _rows(store: Store) -> list[Submission]:
    with store.session() as session:
        return list(session.query(Submission).order_by(Submission.id))


def _everything_under(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


# --- 1. only regular files, only through the checked descriptor ---------------------------

def _secret(settings: Settings) -> Path:
    secret = settings.home / "secret-notes.txt"
    secret.write_text("Refuge address: 12 Hidden Lane\n")
    return secret


@pytest.mark.parametrize("target", [
    pytest.param(lambda s: Path("/etc/passwd"), id="symlink_to_passwd"),
    pytest.param(lambda s: s.home / "planwatch.db", id="symlink_to_the_store"),
    pytest.param(_secret, id="symlink_to_personal_notes"),
    pytest.param(lambda s: Path("/dev/zero"), id="symlink_to_dev_zero"),
    pytest.param(lambda s: s.home / "does-not-exist.docx", id="dangling_symlink"),
    pytest.param(lambda s: s.archive_path, id="symlink_to_a_folder"),
])
def test_a_link_is_rejected_unread_and_removed_from_the_inbox(
        settings: Settings, store: Store, workspace: Workspace, target: Any) -> None:
    pointed_at = target(settings)
    link = settings.inbox_path / "plan.docx"
    link.symlink_to(pointed_at)
    result = ingest_paths([settings.inbox_path], store, workspace)[0]
    assert result.outcome is Outcome.REJECTED
    assert result.reason == NOT_A_FILE_REASON
    assert "copy the file itself into the inbox" in result.reason.lower()
    assert not link.is_symlink() and not link.exists()
    # What the link pointed at is untouched, and no copy of it was made anywhere.
    if pointed_at.is_file() and pointed_at != Path("/dev/zero"):
        assert pointed_at.read_bytes()
        content = pointed_at.read_bytes()[:40]
        assert content not in _everything_under(settings.rejected_path)
        assert content not in _everything_under(settings.archive_path)
    note = settings.home / str(result.path)
    assert note.name.endswith(".reason.txt") and "link or special file" in note.read_text()
    # Taken once: another scan finds nothing to take again.
    assert ingest_paths([settings.inbox_path], store, workspace) == []
    assert [row.status for row in _rows(store)] == [SubmissionStatus.REJECTED]


def test_a_fifo_swapped_in_after_settling_never_blocks(
        settings: Settings, store: Store, workspace: Workspace) -> None:
    fifo = settings.inbox_path / "plan.docx"
    os.mkfifo(fifo)
    outcome: list[Any] = []
    reader = threading.Thread(target=lambda: outcome.append(
        ingest_file(fifo, store, workspace)), daemon=True)
    reader.start()
    reader.join(timeout=120)  # a blocked open would never return at all
    assert not reader.is_alive(), "ingest blocked on a FIFO"
    assert outcome[0].outcome is Outcome.REJECTED
    assert outcome[0].reason == NOT_A_FILE_REASON
    assert not fifo.exists()


@pytest.mark.parametrize("make", [
    pytest.param(lambda p: os.mkfifo(p), id="fifo_swapped_after_settle"),
    pytest.param(lambda p: p.symlink_to("/dev/zero"), id="dev_zero_swapped_after_settle"),
])
def test_a_file_swapped_between_settling_and_reading(
        tmp_path: Path, settings: Settings, make: Any) -> None:
    """The watcher releases a regular file; before ingest opens it, the name becomes a
    FIFO or a link to /dev/zero: refused, never read, and the watcher goes on."""
    from pipeline.watch.settle import StabilityTracker

    clock = [0.0]
    tracker = StabilityTracker(1.0, lambda: clock[0])
    path = settings.inbox_path / "plan.docx"
    path.write_bytes(b"settled content")
    tracker.observe(path)
    clock[0] = 5.0
    assert tracker.settled() == [path]
    path.unlink()
    make(path)
    with open_store(settings.database_url) as store:
        workspace = _workspace(settings, Catalogue.load())
        result = ingest_file(path, store, workspace)
    assert result.outcome is Outcome.REJECTED and result.reason == NOT_A_FILE_REASON
    assert not path.is_symlink() and not path.exists()


def test_the_tracker_releases_links_and_fifos_at_once_without_opening_them(
        settings: Settings) -> None:
    from pipeline.watch.settle import StabilityTracker

    clock = [0.0]
    tracker = StabilityTracker(2.0, lambda: clock[0], empty_grace_seconds=60)
    fifo = settings.inbox_path / "pipe.docx"
    os.mkfifo(fifo)
    link = settings.inbox_path / "link.docx"
    link.symlink_to("/dev/zero")
    tracker.observe(fifo)
    tracker.observe(link)
    assert sorted(tracker.settled()) == sorted([fifo, link])


# --- 2. a file still being written is never judged and lost ----------------------------

@pytest.mark.parametrize("half", [
    pytest.param(0.5, id="copy_pauses_longer_than_settle"),
    pytest.param(0.05, id="copy_pauses_after_its_first_bytes"),
])
def test_a_copy_that_pauses_longer_than_settle_is_taken_whole(
        tmp_path: Path, settings: Settings, store: Store, catalogue: Catalogue,
        half: float) -> None:
    """A slow share: the first half has sat still past the settle window and is read
    (damaged); while it is being judged the rest arrives. No verdict is kept, the
    file stays, and once settled the whole form is stored."""
    whole = _form(catalogue, tmp_path, "review.docx").read_bytes()
    path = settings.inbox_path / "review.docx"
    path.write_bytes(whole[: int(len(whole) * half)])

    def parse_while_the_copy_resumes(name: Path, data: bytes) -> tuple[RawForm, Record]:
        path.write_bytes(whole)  # the copy carries on meanwhile
        raw = read_form(name, catalogue, data=data)
        return raw, validate(raw, catalogue.get(raw.form_id))

    workspace = _workspace(settings, catalogue, parse=parse_while_the_copy_resumes)
    first = ingest_file(path, store, workspace)
    assert first.outcome is Outcome.CHANGED
    assert "stays in the inbox" in str(first.reason)
    assert path.read_bytes() == whole
    assert _rows(store) == []
    assert list(settings.rejected_path.iterdir()) == []
    second = ingest_file(path, store, _workspace(settings, catalogue))
    assert second.outcome is Outcome.STORED
    assert not path.exists()


def test_a_file_rewritten_after_it_was_stored_stays_for_its_new_content(
        tmp_path: Path, settings: Settings, store: Store, catalogue: Catalogue) -> None:
    first_version = _form(catalogue, tmp_path, "a.docx").read_bytes()
    second_version = _form(catalogue, tmp_path, "b.docx", person_id="P-9100").read_bytes()
    path = settings.inbox_path / "review.docx"
    path.write_bytes(first_version)

    def parse_then_overwrite(name: Path, data: bytes) -> tuple[RawForm, Record]:
        raw = read_form(name, catalogue, data=data)
        record = validate(raw, catalogue.get(raw.form_id))
        return raw, record

    workspace = _workspace(settings, catalogue, parse=parse_then_overwrite)
    from pipeline.inbox import ingest as ingest_module

    original = ingest_module.record_submission

    def record_then_overwrite(*args: Any, **kwargs: Any) -> Any:
        stored = original(*args, **kwargs)
        path.write_bytes(second_version)  # saved again while the first was being stored
        return stored

    ingest_module.record_submission = record_then_overwrite  # type: ignore[assignment]
    try:
        result = ingest_file(path, store, workspace)
    finally:
        ingest_module.record_submission = original  # type: ignore[assignment]
    assert result.outcome is Outcome.STORED
    assert "changed after it was read" in str(result.reason)
    assert path.read_bytes() == second_version  # not deleted with the first version
    assert ingest_file(path, store, workspace).outcome is Outcome.STORED
    assert not path.exists()


# --- 3. a poison value never blocks the queue -----------------------------------------

def _poisoned(catalogue: Catalogue, poison_person: str) -> Any:
    """A reader whose record for one person holds a value the store step cannot take
    (as if validation had let it through): any unexpected store failure."""
    def parse(path: Path, data: bytes) -> tuple[RawForm, Record]:
        raw = read_form(path, catalogue, data=data)
        record = validate(raw, catalogue.get(raw.form_id))
        if record.person_id == poison_person:
            values = dict(record.values)
            values["review_date"] = datetime(9999, 12, 31, 23, 30,
                                             tzinfo=timezone(timedelta(hours=-5)))
            record = record.model_copy(update={"values": values})
        return raw, record
    return parse


def test_a_store_failure_rejects_that_file_and_the_rest_of_the_batch_is_stored(
        tmp_path: Path, settings: Settings, store: Store, catalogue: Catalogue) -> None:
    for number in range(4):
        _form(catalogue, settings.inbox_path, f"review {number}.docx",
              person_id=f"P-{9000 + number}")
    workspace = _workspace(settings, catalogue, parse=_poisoned(catalogue, "P-9002"))
    results = {r.file: r for r in ingest_paths([settings.inbox_path], store, workspace)}
    assert results["review 2.docx"].outcome is Outcome.REJECTED
    assert "fault in Planwatch" in str(results["review 2.docx"].reason)
    assert "Error" not in str(results["review 2.docx"].reason)
    assert [results[f"review {n}.docx"].outcome for n in (0, 1, 3)] == [Outcome.STORED] * 3
    assert list(settings.inbox_path.iterdir()) == []
    rejected = [row for row in _rows(store) if row.status == SubmissionStatus.REJECTED]
    assert len(rejected) == 1 and rejected[0].retryable


# --- 4. load is not a verdict ---------------------------------------------------------

def test_a_time_limit_is_retried_once_with_the_limit_doubled(
        tmp_path: Path, settings: Settings, store: Store, catalogue: Catalogue,
        monkeypatch: pytest.MonkeyPatch) -> None:
    markers = tmp_path / "markers"
    markers.mkdir()
    monkeypatch.setenv("PLANWATCH_TEST_MARKERS", str(markers))
    path = _form(catalogue, settings.inbox_path, "review.docx")
    with SandboxedReader(settings.forms_path, timeout_seconds=1,
                         reader="tests.hostile_readers:hang_once") as reader:
        workspace = _workspace(settings, catalogue, parse=reader.read)
        result = ingest_file(path, store, workspace)
    assert result.outcome is Outcome.STORED


@pytest.mark.parametrize("copy_name", [
    pytest.param("review again.docx", id="timeout_under_load_then_identical_copy"),
    pytest.param("review.docx", id="timeout_under_load_then_same_name_again"),
])
def test_timeout_under_load_then_identical_copy_is_stored(
        tmp_path: Path, settings: Settings, store: Store, catalogue: Catalogue,
        monkeypatch: pytest.MonkeyPatch, copy_name: str) -> None:
    load = tmp_path / "machine-is-busy"
    load.touch()
    monkeypatch.setenv("PLANWATCH_TEST_LOAD", str(load))
    source = _form(catalogue, tmp_path, "review.docx")
    with SandboxedReader(settings.forms_path, timeout_seconds=1,
                         reader="tests.hostile_readers:hang_while_loaded") as reader:
        workspace = _workspace(settings, catalogue, parse=reader.read)
        (settings.inbox_path / "review.docx").write_bytes(source.read_bytes())
        first = ingest_file(settings.inbox_path / "review.docx", store, workspace)
        assert first.outcome is Outcome.REJECTED
        assert "longer than 1 seconds" in str(first.reason)
        assert "drop the same file again later" in str(first.reason)
        load.unlink()  # the machine is quiet again
        (settings.inbox_path / copy_name).write_bytes(source.read_bytes())
        second = ingest_file(settings.inbox_path / copy_name, store, workspace)
    assert second.outcome is Outcome.STORED
    with store.session() as session:
        assert queries.rejected(session) == []  # the transient verdict is gone
    assert list(settings.rejected_path.iterdir()) == []


def test_a_content_verdict_stays_final_for_identical_content(
        settings: Settings, store: Store, workspace: Workspace) -> None:
    (settings.inbox_path / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip")
    first = ingest_file(settings.inbox_path / "broken.docx", store, workspace)
    assert first.outcome is Outcome.REJECTED
    (settings.inbox_path / "broken again.docx").write_bytes(b"PK\x03\x04 not really a zip")
    again = ingest_file(settings.inbox_path / "broken again.docx", store, workspace)
    assert again.outcome is Outcome.DUPLICATE
    assert "rejected" in str(again.reason)


# --- 5. every file gets an outcome ----------------------------------------------------

@pytest.mark.parametrize(("name", "advice"), [
    pytest.param("assessment.doc", "old Word format", id="old_doc_format"),
    pytest.param("budget.xls", "old Excel format", id="old_xls_format"),
    pytest.param("plan.docm", "macro-enabled", id="macro_enabled_docm"),
    pytest.param("plan.dotx", "template", id="word_template"),
    pytest.param("scores.xlsm", "macro-enabled", id="macro_enabled_xlsm"),
    pytest.param("scores.xltx", "template", id="excel_template"),
    pytest.param("notes.txt", "plain text", id="text_file"),
    pytest.param("scan.jpg", "picture", id="photo_of_a_form"),
    pytest.param("plan.odt", "LibreOffice", id="libreoffice_document"),
    pytest.param("README", "not a form format", id="no_extension"),
])
def test_a_file_planwatch_does_not_read_is_rejected_with_what_to_do(
        settings: Settings, store: Store, workspace: Workspace, name: str,
        advice: str) -> None:
    (settings.inbox_path / name).write_bytes(b"\xd0\xcf\x11\xe0 some content")
    results = ingest_paths([settings.inbox_path], store, workspace)
    assert [r.outcome for r in results] == [Outcome.REJECTED]
    assert advice in str(results[0].reason)
    assert "Save As" in str(results[0].reason) or "drop" in str(results[0].reason)
    assert list(settings.inbox_path.iterdir()) == []
    assert (settings.rejected_path / name).exists()


def test_office_noise_and_hidden_files_are_left_alone(
        settings: Settings, store: Store, workspace: Workspace) -> None:
    noise = ["~$plan.docx", ".~lock.plan.docx#", "copy.tmp", "Thumbs.db", ".plan.docx.x1"]
    for name in noise:
        (settings.inbox_path / name).write_bytes(b"noise")
    assert ingest_paths([settings.inbox_path], store, workspace) == []
    assert sorted(p.name for p in settings.inbox_path.iterdir()) == sorted(noise)


def test_a_file_that_cannot_be_opened_is_blocked_and_stays(
        settings: Settings, store: Store, workspace: Workspace,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Root may read anything, so permission denied is faked at the one place files
    are opened."""
    path = settings.inbox_path / "plan.docx"
    path.write_bytes(b"content")
    from pipeline.inbox import dropped

    real_open = os.open

    def refusing(name: Any, flags: int, *args: Any) -> int:
        if Path(name) == path:
            raise PermissionError(13, "Permission denied")
        return real_open(name, flags, *args)

    monkeypatch.setattr(dropped.os, "open", refusing)
    result = ingest_file(path, store, workspace)
    assert result.outcome is Outcome.BLOCKED
    assert "not allowed to read this file" in str(result.reason)
    assert path.exists() and _rows(store) == []


def test_ingest_of_a_path_that_does_not_exist_is_an_error(settings: Settings) -> None:
    import subprocess
    import sys

    outcome = subprocess.run(
        [sys.executable, "-c", "from pipeline.cli import main; main()", "--home",
         str(settings.home), "ingest", str(settings.home / "no-such-folder")],
        capture_output=True, text=True, timeout=300)
    assert outcome.returncode == 1
    assert "no such file or folder" in outcome.stdout + outcome.stderr
    assert "Traceback" not in outcome.stderr


# --- 8. owner-only archive folders ------------------------------------------------------

def test_archive_year_and_month_folders_are_owner_only_whatever_the_umask(
        settings: Settings, store: Store, workspace: Workspace, catalogue: Catalogue) -> None:
    previous = os.umask(0o022)
    try:
        path = _form(catalogue, settings.inbox_path, "review.docx")
        result = ingest_file(path, store, workspace)
    finally:
        os.umask(previous)
    archived = settings.home / str(result.path)
    for folder in (archived.parent, archived.parent.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


def test_a_person_id_too_long_to_keep_is_rejected_with_what_was_wrong(
        tmp_path: Path, settings: Settings, store: Store, workspace: Workspace,
        catalogue: Catalogue) -> None:
    path = _form(catalogue, settings.inbox_path, "review.docx", person_id="X" * 80)
    result = ingest_file(path, store, workspace)
    assert result.outcome is Outcome.REJECTED
    assert "80 characters long" in str(result.reason)
    assert "is empty" not in str(result.reason)


def test_init_makes_the_reports_folder_owner_only(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        init_workspace(tmp_path / "fresh")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "fresh" / "reports").stat().st_mode) == 0o700


def test_a_filled_form_is_owner_only_whatever_the_umask(tmp_path: Path,
                                                        catalogue: Catalogue) -> None:
    previous = os.umask(0o022)
    try:
        path = _form(catalogue, tmp_path, "review.docx")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
