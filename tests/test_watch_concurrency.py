"""Two watchers race over one inbox, sharing one PostgreSQL store: every file stored once."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from pipeline.config import load_settings
from pipeline.definitions import Catalogue
from pipeline.files import TEMP_PREFIX
from pipeline.store.models import AuditEntry, Submission
from pipeline.store.session import open_store
from pipeline.workspace import init_workspace
from tests.watching import filled_bytes, variant, wait_until


def _watcher(home: Path, database_url: str) -> subprocess.Popen[bytes]:
    environment = {**os.environ, "PLANWATCH_SETTLE_SECONDS": "0.2",
                   "PLANWATCH_RESCAN_SECONDS": "1", "PLANWATCH_DATABASE_URL": database_url}
    return subprocess.Popen(
        [sys.executable, "-c", "from pipeline.cli import main; main()", "--home", str(home),
         "watch"], env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.mark.parametrize("files", [pytest.param(60, id="60"),
                                   pytest.param(500, id="500", marks=pytest.mark.slow)])
def test_two_watchers_on_one_inbox_store_each_of_500_files_once(
    tmp_path: Path, postgres_url: str, files: int
) -> None:
    """The full 500 behind ``-m slow``; the normal suite races over 60."""
    home = tmp_path / "site"
    init_workspace(home, database_url=postgres_url)
    settings = load_settings(home, database_url=postgres_url)
    template = filled_bytes(Catalogue.load(), tmp_path)
    staging = tmp_path / "staging"
    staging.mkdir()
    expected = set()
    for number in range(files):
        data = variant(template, f"CS-{number:05d}")
        expected.add(hashlib.sha256(data).hexdigest())
        (staging / f"form {number:03d}.docx").write_bytes(data)
    watchers = [_watcher(home, postgres_url) for _ in range(2)]
    try:
        for path in sorted(staging.iterdir()):  # both watchers see the same files at once
            path.rename(settings.inbox_path / path.name)
        assert wait_until(lambda: not any(settings.inbox_path.iterdir()), timeout=files + 300,
                          step=0.5)
    finally:
        for process in watchers:
            process.send_signal(signal.SIGTERM)
        for process in watchers:
            process.wait(timeout=60)
    with open_store(postgres_url) as store, store.session() as session:
        rows = session.scalars(select(Submission)).all()
        workers = session.scalars(select(AuditEntry.detail)).all()
    assert len(rows) == files and {r.sha256 for r in rows} == expected
    assert {r.status for r in rows} == {"stored"}
    archived = [p for p in settings.archive_path.rglob("*") if p.is_file()]
    assert len(archived) == files
    assert not list(home.rglob(f"{TEMP_PREFIX}*"))
    assert workers  # the audit log recorded the work
