"""The watcher stays up and says what is wrong (issue 13): a full disk, a store that is
down at start, files it may not open, and an inbox that receives every edge at once."""

from __future__ import annotations

import errno
import itertools
import json
import logging
import os
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

from pipeline.config import load_settings
from pipeline.definitions import Catalogue
from pipeline.inbox.ingest import IngestResult, Outcome
from pipeline.watch.loop import Watcher, WatchOptions
from pipeline.watch.status import read_status
from pipeline.workspace import init_workspace
from tests.watching import filled_bytes, variant, wait_until, watching

INSTANT = WatchOptions(settle_seconds=1.0, rescan_seconds=0.0, tick_seconds=0.05,
                       empty_grace_seconds=1.0)


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _watcher(tmp_path: Path, ingest: object) -> tuple[Watcher, _Clock, Path]:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    clock = _Clock()
    watcher = Watcher(inbox=inbox, home=tmp_path, ingest=ingest,  # type: ignore[arg-type]
                      options=INSTANT, clock=clock)
    return watcher, clock, inbox


def _ticks(watcher: Watcher, clock: _Clock, seconds: float) -> None:
    end = clock.now + seconds
    while clock.now < end:
        clock.now += 0.5
        watcher.tick()


def test_disk_full_is_the_watchers_health_and_files_stay(tmp_path: Path) -> None:
    full = [True]

    def ingest(path: Path) -> IngestResult:
        if full[0]:
            raise OSError(errno.ENOSPC, "No space left on device")
        path.unlink()
        return IngestResult(file=path.name, outcome=Outcome.STORED)

    watcher, clock, inbox = _watcher(tmp_path, ingest)
    (inbox / "plan.docx").write_bytes(b"form")
    try:
        _ticks(watcher, clock, 5)
        assert watcher.status.health.startswith("disk full")
        assert (inbox / "plan.docx").exists()
        status = read_status(tmp_path)
        assert status is not None and status.health.startswith("disk full")
        full[0] = False
        _ticks(watcher, clock, 400)  # past the longest pause between retries
        assert watcher.status.health == "ok"
        assert not (inbox / "plan.docx").exists()
    finally:
        watcher._stop_observer()


class _Heard(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.events: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.events.append(record.getMessage())


def test_a_blocked_file_is_in_the_status_logged_once_and_retried_with_pauses(
        tmp_path: Path) -> None:
    attempts: list[float] = []
    watcher_box: list[Watcher] = []

    def ingest(path: Path) -> IngestResult:
        attempts.append(watcher_box[0].clock())
        return IngestResult(file=path.name, outcome=Outcome.BLOCKED,
                            reason="Planwatch is not allowed to read this file.")

    watcher, clock, inbox = _watcher(tmp_path, ingest)
    watcher_box.append(watcher)
    (inbox / "plan.docx").write_bytes(b"form")
    # Heard on the watcher's own logger: whatever logging an earlier test configured.
    heard = _Heard()
    logger = logging.getLogger("planwatch.watch")
    logger.addHandler(heard)
    try:
        _ticks(watcher, clock, 120)
        assert watcher.status.blocked == {"plan.docx": "Planwatch is not allowed to read "
                                                       "this file."}
        assert heard.events.count("file_blocked_waiting") == 1
        gaps = [b - a for a, b in itertools.pairwise(attempts)]
        assert len(attempts) >= 3 and gaps == sorted(gaps)  # growing pauses, no tight loop
        (inbox / "plan.docx").unlink()  # someone took it away
        _ticks(watcher, clock, 2)
        assert watcher.status.blocked == {}
    finally:
        logger.removeHandler(heard)
        watcher._stop_observer()


def test_the_store_unreachable_at_start_is_waited_for_with_the_reason_in_status(
        tmp_path: Path) -> None:
    from pipeline.cli.watch import _wait_for_store

    init_workspace(tmp_path / "ws")
    settings = load_settings(tmp_path / "ws",
                             database_url="postgresql+psycopg://planwatch@127.0.0.1:1/none")
    stop = threading.Event()
    answer: list[object] = []
    waiting = threading.Thread(target=lambda: answer.append(_wait_for_store(settings, stop)),
                               daemon=True)
    waiting.start()
    assert wait_until(lambda: read_status(settings.home) is not None, timeout=120)
    status = read_status(settings.home)
    assert status is not None and status.health.startswith("waiting for the store")
    assert waiting.is_alive()  # still waiting, not exited
    stop.set()
    waiting.join(timeout=120)
    assert answer == [None]


def _all_the_edges(inbox: Path, catalogue: Catalogue, tmp: Path) -> set[str]:
    tmp.mkdir()
    good = filled_bytes(catalogue, tmp)
    (inbox / "good.docx").write_bytes(good)
    (inbox / "good copy.docx").write_bytes(good)  # a duplicate
    (inbox / "another.docx").write_bytes(variant(good, "CS-07001"))
    (inbox / "passwd.docx").symlink_to("/etc/passwd")
    (inbox / "zero.docx").symlink_to("/dev/zero")
    (inbox / "folder link").symlink_to(tmp)
    os.mkfifo(inbox / "pipe.docx")
    (inbox / "assessment.doc").write_bytes(b"\xd0\xcf\x11\xe0old word")
    (inbox / "budget.xlsm").write_bytes(b"PK\x03\x04macro")
    (inbox / "notes.txt").write_text("a note")
    (inbox / "scan.png").write_bytes(b"\x89PNG\r\n")
    (inbox / "empty.docx").write_bytes(b"")
    (inbox / "damaged.docx").write_bytes(b"PK\x03\x04 damaged")
    bomb = tmp / "bomb.docx"  # made elsewhere (it takes a while), then dropped whole
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<" + b" " * (200 * 1024 * 1024) + b"/>")
    (inbox / "bomb.docx").write_bytes(bomb.read_bytes())
    sub = inbox / "team a"
    sub.mkdir()
    (sub / "nested.docx").write_bytes(variant(good, "CS-07002"))
    (inbox / "~$good.docx").write_bytes(b"lock")  # ignored: an office lock file
    return {"good.docx", "good copy.docx", "another.docx", "passwd.docx", "zero.docx",
            "folder link", "pipe.docx", "assessment.doc", "budget.xlsm", "notes.txt",
            "scan.png", "empty.docx", "damaged.docx", "bomb.docx", "nested.docx"}


def test_a_watcher_given_every_edge_at_once_ends_with_one_outcome_each(
        tmp_path: Path, catalogue: Catalogue) -> None:
    options = WatchOptions(settle_seconds=0.3, rescan_seconds=1.0, tick_seconds=0.05,
                           empty_grace_seconds=0.5)
    with watching(tmp_path / "ws", options) as running:
        names = _all_the_edges(running.inbox, catalogue, tmp_path / "elsewhere")
        assert wait_until(lambda: len(running.results) >= len(names), timeout=240, step=0.2)
        def left() -> list[str]:
            return sorted(p.name for p in running.inbox.rglob("*")
                          if p.is_symlink() or not p.is_dir())

        assert wait_until(lambda: left() == ["~$good.docx"], timeout=60), left()
        status = read_status(running.settings.home)
        assert status is not None and status.health == "ok"
        home = running.settings.home
    outcomes = running.outcomes()
    assert sorted(r.file for r in running.results) == sorted(names)  # one outcome each
    assert outcomes["another.docx"] == "stored" and outcomes["nested.docx"] == "stored"
    # Whichever of the two identical files settled first is stored, the other a duplicate.
    assert {outcomes["good.docx"], outcomes["good copy.docx"]} == {"stored", "duplicate"}
    assert {outcomes[n] for n in names - {"good.docx", "another.docx", "nested.docx",
                                          "good copy.docx"}} == {"rejected"}, outcomes
    shown = subprocess.run(
        [sys.executable, "-c", "from pipeline.cli import main; main()", "--home", str(home),
         "status", "--json"], capture_output=True, text=True, timeout=300, check=True)
    counts = json.loads(shown.stdout)["counts"]["today"]
    assert counts == {"stored": 3, "superseded": 0, "duplicate": 1, "rejected": 11}
    assert json.loads(shown.stdout)["waiting"] == 0


def test_files_that_settle_together_are_taken_in_batches(tmp_path: Path) -> None:
    batches: list[list[str]] = []

    def one(path: Path) -> IngestResult:
        raise AssertionError("a burst is taken in batches, not one by one")

    def many(paths: list[Path]) -> list[IngestResult]:
        batches.append([p.name for p in paths])
        for path in paths:
            path.unlink()
        return [IngestResult(file=p.name, outcome=Outcome.STORED) for p in paths]

    watcher, clock, inbox = _watcher(tmp_path, one)
    watcher.ingest_batch = many
    watcher.batch_files = 4
    for number in range(10):
        (inbox / f"form-{number}.docx").write_bytes(b"form")
    try:
        _ticks(watcher, clock, 3)
    finally:
        watcher._stop_observer()
    assert [len(b) for b in batches] == [4, 4, 2]
    assert sorted(name for batch in batches for name in batch) == sorted(
        f"form-{n}.docx" for n in range(10))
    assert list(inbox.iterdir()) == []


def test_a_burst_is_stored_through_the_backlog_path_with_one_outcome_each(
        tmp_path: Path, catalogue: Catalogue) -> None:
    template = filled_bytes(catalogue, tmp_path)
    options = WatchOptions(settle_seconds=0.3, rescan_seconds=60, tick_seconds=0.05)
    with watching(tmp_path / "ws", options, batches=True) as running:
        for number in range(60):
            (running.inbox / f"form-{number:03d}.docx").write_bytes(
                variant(template, f"CS-{number:05d}"))
        (running.inbox / "form-000 copy.docx").write_bytes(variant(template, "CS-00000"))
        assert wait_until(lambda: len(running.results) >= 61, timeout=240, step=0.2)
    assert max(running.batches) > 1  # taken together, not one by one
    outcomes = running.outcomes()
    assert len(outcomes) == 61
    assert sorted(outcomes.values()).count("stored") == 60
    assert sorted(outcomes.values()).count("duplicate") == 1
    assert list(running.inbox.iterdir()) == []
