"""Drop-to-stored latency in watch mode.

A watcher runs as ``planwatch watch`` runs it (:func:`pipeline.cli.watch.run_watcher`:
native file events, a re-scan every minute, each file read in the sandboxed worker),
except that the Monday workbook is not scheduled, so a first-run workbook does not
land in the middle of the figures. Files are then copied into the inbox one by one at a
steady rate; a file's latency runs from the moment its copy is complete to the moment
its outcome is known. Nothing is read before the settle window has passed, so the
latency can never be below it: the figure that matters is how far above it it is.
"""

from __future__ import annotations

import shutil
import statistics
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bench.workspace import fresh_workspace
from pipeline.cli.ingest import ingest_workspace
from pipeline.inbox.ingest import IngestResult, ingest_file
from pipeline.inbox.sandbox import SandboxedReader
from pipeline.store.session import open_store
from pipeline.watch.loop import Watcher, WatchOptions


@dataclass(frozen=True)
class Latency:
    files: int
    settle_seconds: float
    rate_per_second: float
    p50: float
    p95: float
    worst: float
    stored: int


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(files: list[Path], *, settle_seconds: float, rate_per_second: float,
            timeout: float = 120.0) -> Latency:
    """Copy ``files`` into a watched inbox at ``rate_per_second`` and time each outcome."""
    dropped: dict[str, float] = {}
    done: dict[str, float] = {}
    outcomes: list[IngestResult] = []
    with fresh_workspace(settle_seconds=settle_seconds) as settings, \
            open_store(settings.database_url) as store, \
            SandboxedReader(settings.forms_path, timeout_seconds=settings.parse_timeout_seconds,
                            memory_mb=settings.parse_memory_mb) as reader:
        workspace = ingest_workspace(settings, parse=reader.read)
        reader.read(files[0], files[0].read_bytes())  # the worker is up before the clock

        def on_result(result: IngestResult) -> None:
            done[result.file] = time.perf_counter()
            outcomes.append(result)

        watcher = Watcher(
            inbox=settings.inbox_path, home=settings.home,
            ingest=lambda path: ingest_file(path, store, workspace, command="watch"),
            on_result=on_result,
            options=WatchOptions(settle_seconds=settings.settle_seconds,
                                 rescan_seconds=settings.rescan_seconds,
                                 poll_seconds=settings.poll_seconds,
                                 ignored=settings.ignore_patterns))
        stop = threading.Event()
        thread = threading.Thread(target=watcher.run, args=(stop,), daemon=True)
        thread.start()
        try:
            time.sleep(0.5)  # the observer is watching
            for source in files:
                shutil.copyfile(source, settings.inbox_path / source.name)
                dropped[source.name] = time.perf_counter()
                time.sleep(1 / rate_per_second)
            deadline = time.perf_counter() + timeout
            while len(done) < len(files) and time.perf_counter() < deadline:
                time.sleep(0.05)
        finally:
            stop.set()
            thread.join(timeout=10)
    if len(done) < len(files):
        raise RuntimeError(f"only {len(done)} of {len(files)} files were taken in")
    latencies = [done[name] - dropped[name] for name in dropped]
    return Latency(files=len(files), settle_seconds=settle_seconds,
                   rate_per_second=rate_per_second, p50=statistics.median(latencies),
                   p95=_percentile(latencies, 0.95), worst=max(latencies),
                   stored=sum(1 for r in outcomes if r.outcome.value in ("stored", "superseded")))
