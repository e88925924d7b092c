"""Kill the watcher (SIGKILL) at random moments; after a restart every file has one outcome."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from pipeline.config import load_settings
from pipeline.definitions import Catalogue
from pipeline.files import TEMP_PREFIX
from pipeline.store.models import Submission
from pipeline.store.session import open_store
from tests.watching import filled_bytes, new_workspace, variant, wait_until

ENVIRONMENT = {"PLANWATCH_SETTLE_SECONDS": "0.2", "PLANWATCH_RESCAN_SECONDS": "1"}


def _watcher(home: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", "from pipeline.cli import main; main()", "--home", str(home),
         "watch"],
        env={**os.environ, **ENVIRONMENT}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _drop_batch(inbox: Path, staging: Path, template: bytes, count: int) -> dict[str, str]:
    """Files appear in the inbox all at once (renamed in), as a copy tool finishes them."""
    expected: dict[str, str] = {}
    staging.mkdir()
    for number in range(count):
        data = variant(template, f"CS-{number:05d}")
        expected[f"form {number:03d}.docx"] = hashlib.sha256(data).hexdigest()
        (staging / f"form {number:03d}.docx").write_bytes(data)
    for number, junk in enumerate([b"not a form", b"PK\x03\x04broken", b"\xd0\xcf\x11\xe0"]):
        expected[f"bad {number}.docx"] = hashlib.sha256(junk).hexdigest()
        (staging / f"bad {number}.docx").write_bytes(junk)
    for path in staging.iterdir():
        path.rename(inbox / path.name)
    return expected


def run_kill_test(tmp_path: Path, *, files: int, kills: int, seed: int) -> None:
    rng = random.Random(seed)
    settings = new_workspace(tmp_path / "ws")
    template = filled_bytes(Catalogue.load(), tmp_path)
    expected = _drop_batch(settings.inbox_path, tmp_path / "staging", template, files)
    for _ in range(kills):
        process = _watcher(settings.home)
        time.sleep(rng.uniform(0.5, 3.0))
        process.send_signal(signal.SIGKILL)
        process.wait()
    final = _watcher(settings.home)
    try:
        assert wait_until(lambda: not any(settings.inbox_path.iterdir()),
                          timeout=max(180.0, files * 0.25), step=0.5)
    finally:
        final.send_signal(signal.SIGTERM)
        final.wait(timeout=30)
    check_exactly_once(tmp_path / "ws", expected)


def check_exactly_once(home: Path, expected: dict[str, str]) -> None:
    settings = load_settings(home)
    with open_store(settings.database_url) as store, store.session() as session:
        rows = session.scalars(select(Submission)).all()
    by_sha = {row.sha256: row for row in rows}
    assert len(rows) == len(by_sha) == len(expected)  # none twice, none lost
    assert set(by_sha) == set(expected.values())
    for name, sha in expected.items():
        row = by_sha[sha]
        if name.startswith("bad"):
            assert row.status == "rejected" and row.reason
            assert (home / f"{row.rejected_path}.reason.txt").exists()
        else:
            assert row.status == "stored"
            assert hashlib.sha256((home / str(row.archived_path)).read_bytes()).hexdigest() == sha
    archived = [p for p in settings.archive_path.rglob("*") if p.is_file()]
    assert len(archived) == sum(1 for n in expected if not n.startswith("bad"))  # no orphans
    leftovers = [p for p in home.rglob(f"{TEMP_PREFIX}*")]
    assert leftovers == []


def test_watcher_killed_at_random_moments_leaves_every_file_stored_once(tmp_path: Path) -> None:
    run_kill_test(tmp_path, files=60, kills=4, seed=7)


@pytest.mark.slow
def test_watcher_killed_dozens_of_times_over_a_large_batch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Heavy variant: 2,000 files, 30 kills; prints how long the recovery took."""
    started = time.monotonic()
    run_kill_test(tmp_path, files=2000, kills=30, seed=11)
    with capsys.disabled():
        print(f"\n2,000 files with 30 SIGKILLs: all stored exactly once in "
              f"{time.monotonic() - started:.0f} s")
