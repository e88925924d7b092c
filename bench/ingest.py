"""End-to-end ingest of a backlog, as ``planwatch ingest`` runs it.

The backlog is dropped into a fresh workspace's inbox, then taken in by exactly what the
command does (:func:`pipeline.cli.ingest.run_ingest`): the JSON log, the files read and
validated by the sandboxed reader processes (``parse_workers``: one per CPU, up to 4),
stored in batches, each original archived (fsynced) before its batch commits and removed
from the inbox after. The readers are started before the clock is, as a watcher's are.
Files are stored a batch at a time, so a figure per format comes from a backlog of that
format alone (:func:`run_backlog` with ``file_format``). The clock stops when every file
is stored (read, validated, stored, archived); the outcome summaries that the backlog's
closures then write are timed on their own.

CPU is counted too (:mod:`bench.cpu`): the reader processes' and the main process's
while the clock runs, so a file's cost can be stated whatever the number of processes
sharing it (and with less of the machine's noise than the wall clock has).

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
from bench.cpu import cpu_seconds, reader_pids
from bench.workspace import drop, fresh_workspace
from pipeline import casework
from pipeline.cli.ingest import after_storing, ingest_workspace, reader_pool
from pipeline.config import Settings
from pipeline.inbox.backlog import ingest_paths
from pipeline.inbox.ingest import IngestResult
from pipeline.logs import configure_logging
from pipeline.store.session import Store, open_store


@dataclass
class IngestRun:
    """What one backlog run measured."""

    files: int
    seconds: float
    outcomes: dict[str, int]
    workers: int  # reader processes
    summaries: int  # outcome summaries written once the backlog was stored
    summary_seconds: float
    checkpoints: dict[int, float] = field(default_factory=dict)  # files done → seconds
    main_cpu_seconds: float = 0.0  # the main process (every thread) while the clock ran
    reader_cpu_seconds: float | None = None  # the reader processes; None without /proc

    @property
    def per_second(self) -> float:
        return self.files / self.seconds

    def cpu_ms(self) -> dict[str, float | None]:
        """CPU milliseconds a file: in the readers, in the main process, both."""
        main = self.main_cpu_seconds / self.files * 1000
        if self.reader_cpu_seconds is None:
            return {"reader": None, "main": main, "total": None}
        reader = self.reader_cpu_seconds / self.files * 1000
        return {"reader": reader, "main": main, "total": reader + main}


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
                durable: bool = True, file_format: str | None = None,
                summaries: bool = True) -> IngestRun:
    """Ingest ``corpus`` (its files of ``file_format``, else all; the first ``limit`` of
    them) into a fresh workspace (see above); ``summaries=False`` stops once every file is
    stored (the outcome summaries are then not written: scaling needs only the rest)."""
    paths = [path for item, path in zip(corpus.files, corpus.paths(), strict=True)
             if file_format in (None, item.file_format)][:limit]
    with fresh_workspace() as settings:
        inbox_files = drop(paths, settings.inbox_path)
        return _ingest(settings, inbox_files, set(checkpoints), durable=durable,
                       summaries=summaries)


def _ingest(settings: Settings, files: list[Path], checkpoints: set[int], *,
            durable: bool, summaries: bool) -> IngestRun:
    configure_logging(settings.home, settings.log_level, console=False)
    outcomes: Counter[str] = Counter()
    marks: dict[int, float] = {}
    with open_store(settings.database_url) as store, reader_pool(settings,
                                                                 len(files)) as readers:
        # A workspace in use has had its deadlines read (which works them out the first
        # time): from then on each batch's are kept up to date as it is stored.
        casework.keep_current(store, casework.service_policies(settings).rule_sets())
        workspace = ingest_workspace(settings, parse=readers.read,
                                     parse_workers=readers.workers)
        # Every reader process starts (imports, catalogue) before the clock does.
        for _ in range(readers.workers):
            readers.read(files[0], files[0].read_bytes())
        pids = reader_pids()
        with nullcontext() if durable else _without_syncs(store):
            readers_before = cpu_seconds(pids)
            main_before = time.process_time()
            start = time.perf_counter()

            def on_result(result: IngestResult) -> None:
                outcomes[result.outcome.value] += 1
                done = sum(outcomes.values())
                if done in checkpoints:
                    marks[done] = time.perf_counter() - start

            results = ingest_paths(files, store, workspace, command="ingest",
                                   on_result=on_result)
            seconds = time.perf_counter() - start
            main_cpu = time.process_time() - main_before
            readers_after = cpu_seconds(pids)
            written = (len(after_storing(settings, store, workspace.catalogue, results))
                       if summaries else 0)
            summary_seconds = time.perf_counter() - start - seconds
    return IngestRun(files=len(files), seconds=seconds, outcomes=dict(outcomes),
                     workers=readers.workers, summaries=written,
                     summary_seconds=summary_seconds, checkpoints=marks,
                     main_cpu_seconds=main_cpu,
                     reader_cpu_seconds=None if readers_before is None or readers_after is None
                     else readers_after - readers_before)
