"""End-to-end ingest of a backlog, as ``planwatch ingest`` runs it.

The backlog is dropped into a fresh workspace's inbox, then taken in by exactly what the
command does (:func:`pipeline.cli.casework.run_ingest`): the JSON log, every file read
and validated in the sandboxed worker process, stored in one transaction, its original
archived (fsynced) and removed from the inbox. Each file's cost is the time from the
previous file's outcome to its own, so the figures per format come from one mixed backlog.

``durability_cost`` repeats a smaller run with the archive's fsyncs and SQLite's commit
syncs switched off, to say what never losing a form costs (the pipeline itself never
runs that way).
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

from sqlalchemy import event

from bench.corpus import Corpus
from bench.workspace import drop, fresh_workspace
from pipeline.cli.casework import ingest_workspace
from pipeline.config import Settings
from pipeline.inbox.backlog import ingest_paths
from pipeline.inbox.ingest import IngestResult
from pipeline.inbox.sandbox import SandboxedReader
from pipeline.logs import configure_logging
from pipeline.store.session import Store, open_store


@dataclass
class IngestRun:
    """What one backlog run measured."""

    files: int
    seconds: float
    outcomes: dict[str, int]
    by_format: dict[str, tuple[int, float]]  # format → (files, seconds spent on them)
    checkpoints: dict[int, float] = field(default_factory=dict)  # files done → seconds

    @property
    def per_second(self) -> float:
        return self.files / self.seconds

    def format_rate(self, file_format: str) -> float:
        count, seconds = self.by_format.get(file_format, (0, 0.0))
        return count / seconds if seconds else 0.0


def _format(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower()


@contextmanager
def _without_syncs(store: Store) -> Iterator[None]:
    """No fsync anywhere in this process, and SQLite commits that do not wait for the disk."""

    def relaxed(connection: Any, _record: Any) -> None:
        cursor = connection.cursor()
        cursor.execute("PRAGMA synchronous = OFF")
        cursor.close()

    store.engine.dispose()
    event.listen(store.engine, "connect", relaxed)
    try:
        with mock.patch.object(os, "fsync", lambda _descriptor: None):
            yield
    finally:
        event.remove(store.engine, "connect", relaxed)
        store.engine.dispose()


def run_backlog(corpus: Corpus, *, limit: int | None = None, checkpoints: tuple[int, ...] = (),
                durable: bool = True) -> IngestRun:
    """Ingest ``corpus`` (its first ``limit`` files) into a fresh workspace (see above)."""
    paths = corpus.paths()[:limit]
    with fresh_workspace() as settings:
        inbox_files = drop(paths, settings.inbox_path)
        return _ingest(settings, inbox_files, set(checkpoints), durable=durable)


def _ingest(settings: Settings, files: list[Path], checkpoints: set[int], *,
            durable: bool) -> IngestRun:
    configure_logging(settings.home, settings.log_level, console=False)
    outcomes: Counter[str] = Counter()
    spent: dict[str, list[float]] = {}
    marks: dict[int, float] = {}
    with open_store(settings.database_url) as store, SandboxedReader(
            settings.forms_path, timeout_seconds=settings.parse_timeout_seconds,
            memory_mb=settings.parse_memory_mb) as reader:
        workspace = ingest_workspace(settings, parse=reader.read)
        # The worker process starts (imports, catalogue) before the clock does.
        reader.read(files[0], files[0].read_bytes())
        with nullcontext() if durable else _without_syncs(store):
            start = last = time.perf_counter()

            def on_result(result: IngestResult) -> None:
                nonlocal last
                now = time.perf_counter()
                outcomes[result.outcome.value] += 1
                spent.setdefault(_format(result.file), []).append(now - last)
                last = now
                done = sum(outcomes.values())
                if done in checkpoints:
                    marks[done] = now - start

            ingest_paths(files, store, workspace, command="ingest", on_result=on_result)
            seconds = time.perf_counter() - start
    return IngestRun(files=len(files), seconds=seconds, outcomes=dict(outcomes),
                     by_format={f: (len(t), sum(t)) for f, t in spent.items()},
                     checkpoints=marks)
