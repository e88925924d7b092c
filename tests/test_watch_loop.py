"""The watcher, with real files, a real store and short windows (settle 0.3-3 s).

Waits only bound a hang (``wait_until`` returns as soon as the outcome is there): a busy
machine makes these tests slower, never makes them fail.
"""

from __future__ import annotations

import io
import threading
import time
import zipfile
from pathlib import Path

import pytest

from pipeline.definitions import Catalogue
from pipeline.formats.safety import OLE_MAGIC
from pipeline.inbox.sandbox import SandboxedReader
from pipeline.watch.loop import WatchOptions
from pipeline.watch.status import is_alive, read_status
from tests.watching import filled_bytes, variant, wait_until, watching

FAST = WatchOptions(settle_seconds=0.3, rescan_seconds=60, tick_seconds=0.05)
HANG = 120  # seconds: long enough on a loaded machine, so only a hang reaches it


def test_file_written_slowly_in_chunks_is_never_read_before_it_is_complete(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    data = filled_bytes(catalogue, tmp_path)
    # The pauses stay far under the window even when a busy machine oversleeps them.
    options = WatchOptions(settle_seconds=3.0, rescan_seconds=60, tick_seconds=0.05)
    with watching(tmp_path / "ws", options) as running:
        target = running.inbox / "slow copy.docx"
        chunks = [data[i:i + len(data) // 5 + 1] for i in range(0, len(data), len(data) // 5 + 1)]
        with target.open("wb") as handle:
            for chunk in chunks:  # a share copying in chunks, pausing under the window
                handle.write(chunk)
                handle.flush()
                time.sleep(0.6)
        finished = time.monotonic()
        assert wait_until(lambda: running.results, timeout=HANG)
    assert running.calls[0][0] >= finished
    assert running.outcomes() == {"slow copy.docx": "stored"}


def test_polling_mode_picks_up_files(tmp_path: Path, catalogue: Catalogue) -> None:
    data = filled_bytes(catalogue, tmp_path)
    options = WatchOptions(settle_seconds=0.3, rescan_seconds=3600, poll_seconds=0.2,
                           tick_seconds=0.05)
    with watching(tmp_path / "ws", options) as running:
        time.sleep(0.3)  # after the first re-scan: only polling can see the file
        (running.inbox / "dropped.docx").write_bytes(data)
        assert wait_until(lambda: running.results, timeout=HANG)
    assert running.outcomes() == {"dropped.docx": "stored"}


def test_files_already_in_the_inbox_at_start_are_taken(tmp_path: Path,
                                                        catalogue: Catalogue) -> None:
    from tests.watching import new_workspace

    settings = new_workspace(tmp_path / "ws")
    (settings.inbox_path / "waiting.docx").write_bytes(filled_bytes(catalogue, tmp_path))
    with watching(tmp_path / "ws", FAST) as running:
        assert wait_until(lambda: running.results, timeout=HANG)
    assert running.outcomes() == {"waiting.docx": "stored"}


@pytest.mark.parametrize("files", [pytest.param(150, id="150"),
                                   pytest.param(1000, id="1000", marks=pytest.mark.slow)])
def test_burst_of_1000_files_is_all_processed(tmp_path: Path, catalogue: Catalogue,
                                              files: int) -> None:
    """The full 1,000 behind ``-m slow``; the normal suite bursts 150."""
    template = filled_bytes(catalogue, tmp_path)
    with watching(tmp_path / "ws", FAST) as running:
        for number in range(files):
            (running.inbox / f"form-{number:04d}.docx").write_bytes(
                variant(template, f"CS-{number:05d}"))
        assert wait_until(lambda: len(running.results) >= files, timeout=files * 2 + HANG,
                          step=0.5)
    assert set(running.outcomes().values()) == {"stored"}
    assert len(running.outcomes()) == files
    assert list(running.inbox.iterdir()) == []


def test_office_lock_and_temporary_files_are_ignored(tmp_path: Path,
                                                     catalogue: Catalogue) -> None:
    noise = ["~$review.docx", ".~lock.review.docx#", "copy.tmp", "Thumbs.db", "desktop.ini",
             ".DS_Store", "._review.docx", ".hidden.docx"]
    options = WatchOptions(settle_seconds=0.3, rescan_seconds=60, tick_seconds=0.05,
                           ignored=("~$*", ".~lock.*#", "*.tmp", "Thumbs.db", "desktop.ini",
                                    ".DS_Store", "._*"))
    with watching(tmp_path / "ws", options) as running:
        for name in noise:
            (running.inbox / name).write_bytes(b"noise")
        (running.inbox / "review.docx").write_bytes(filled_bytes(catalogue, tmp_path))
        assert wait_until(lambda: running.results, timeout=HANG)
        time.sleep(1.0)
    assert running.outcomes() == {"review.docx": "stored"}
    assert sorted(p.name for p in running.inbox.iterdir()) == sorted(noise)


def _zip_bomb() -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        target.writestr("word/document.xml", b"<" + b" " * (300 * 1024 * 1024) + b"/>")
    return output.getvalue()


def _with_doctype(good: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(good))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as target:
        for entry in source.infolist():
            data = source.read(entry)
            if entry.filename == "word/document.xml":
                data = data.replace(b"?>", b'?><!DOCTYPE d [<!ENTITY a "aaaa">]>', 1)
            target.writestr(entry, data)
    return output.getvalue()


def test_hostile_files_are_each_rejected_within_the_limit_while_watching_goes_on(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    good = filled_bytes(catalogue, tmp_path)
    corpus = {
        "zip bomb.docx": _zip_bomb(),
        "entities.docx": _with_doctype(good),
        "encrypted.docx": OLE_MAGIC + b"\0" * 4096,
        "truncated.docx": good[: len(good) // 3],
        "photo.docx": b"\xff\xd8\xff\xe0" + b"\0" * 2048,  # a JPEG with the wrong extension
        "empty.docx": b"",
        "huge.docx": b"PK\x03\x04" + b"\0" * (3 * 1024 * 1024),
        "parser loop.docx": variant(good, "CS-LOOP1"),
    }
    expected = {
        "zip bomb.docx": "zip bomb", "entities.docx": "DOCTYPE", "encrypted.docx": "password",
        "truncated.docx": "damaged", "photo.docx": "not a Word", "empty.docx": "empty",
        "huge.docx": "larger than", "parser loop.docx": "longer than 2 seconds",
    }
    options = WatchOptions(settle_seconds=0.3, rescan_seconds=60, tick_seconds=0.05,
                           empty_grace_seconds=0.5)
    with SandboxedReader(Catalogue.load().folder, timeout_seconds=2.0, memory_mb=512,
                         reader="tests.hostile_readers:routing") as reader, watching(
            tmp_path / "ws", options, parse=reader.read, max_file_bytes=2 * 1024 * 1024
    ) as running:
        for name, data in corpus.items():
            (running.inbox / name).write_bytes(data)
        assert wait_until(lambda: len(running.results) >= len(corpus), timeout=2 * HANG)
        (running.inbox / "after.docx").write_bytes(good)  # the watcher carries on
        assert wait_until(lambda: len(running.results) > len(corpus), timeout=HANG)
    reasons = {r.file: str(r.reason) for r in running.results}
    for name, words in expected.items():
        assert words in reasons[name], (name, reasons[name])
        assert (running.settings.rejected_path / f"{name}.reason.txt").exists()
    assert running.outcomes()["after.docx"] == "stored"


def test_status_file_shows_a_live_watcher(tmp_path: Path, catalogue: Catalogue) -> None:
    with watching(tmp_path / "ws", FAST) as running:
        (running.inbox / "one.docx").write_bytes(filled_bytes(catalogue, tmp_path))
        assert wait_until(lambda: running.results, timeout=HANG)
        # Written at most once a second, later than that when the machine is busy.
        assert wait_until(lambda: (s := read_status(running.settings.home)) is not None
                          and s.last_file.get("file") == "one.docx", timeout=HANG)
        status = read_status(running.settings.home)
        assert status is not None and is_alive(status)
        assert status.health == "ok" and status.last_file["file"] == "one.docx"
    stopped = read_status(running.settings.home)
    assert stopped is not None and stopped.health == "stopped"


def test_vanished_inbox_is_noticed_and_watching_resumes_when_it_returns(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    with watching(tmp_path / "ws", FAST) as running:
        time.sleep(0.3)
        hidden = running.inbox.with_name("inbox-offline")
        running.inbox.rename(hidden)  # the share goes offline
        assert wait_until(lambda: (s := read_status(running.settings.home)) is not None
                          and "missing" in s.health, timeout=HANG)
        hidden.rename(running.inbox)  # and comes back, with a file dropped meanwhile
        (running.inbox / "while away.docx").write_bytes(filled_bytes(catalogue, tmp_path))
        assert wait_until(lambda: running.results, timeout=HANG)
    assert running.outcomes() == {"while away.docx": "stored"}


def test_dead_observer_is_replaced(tmp_path: Path, catalogue: Catalogue) -> None:
    with watching(tmp_path / "ws", FAST) as running:
        time.sleep(0.3)
        threads = [t for t in threading.enumerate() if "Observer" in type(t).__name__]
        for thread in threads:
            thread.stop()  # type: ignore[attr-defined]
        (running.inbox / "later.docx").write_bytes(filled_bytes(catalogue, tmp_path))
        assert wait_until(lambda: running.results, timeout=HANG)
    assert running.outcomes() == {"later.docx": "stored"}


@pytest.mark.slow
def test_burst_of_10000_files(tmp_path: Path, catalogue: Catalogue,
                              capsys: pytest.CaptureFixture[str]) -> None:
    """Heavy variant: prints the throughput it measured."""
    template = filled_bytes(catalogue, tmp_path)
    with watching(tmp_path / "ws", FAST) as running:
        for number in range(10_000):
            (running.inbox / f"form-{number:05d}.docx").write_bytes(
                variant(template, f"CS-{number:05d}"))
        started = time.monotonic()
        assert wait_until(lambda: len(running.results) >= 10_000, timeout=3600, step=1.0)
        seconds = time.monotonic() - started
    assert set(running.outcomes().values()) == {"stored"}
    with capsys.disabled():
        print(f"\n10,000-file burst: {seconds:.0f} s, {10_000 / seconds:.1f} files/s")
