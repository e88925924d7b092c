"""``planwatch watch`` and ``planwatch status``: the long-running watcher and its health."""

from __future__ import annotations

import logging
import os
import signal
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pipeline.cli.app import app, out, workspace_settings
from pipeline.cli.ingest import after_storing, ingest_workspace, reader_pool
from pipeline.errors import StoreError

if TYPE_CHECKING:
    from pipeline.config import Settings
    from pipeline.inbox.ingest import IngestResult, Workspace
    from pipeline.store.session import Store

log = logging.getLogger("planwatch.watch")
# Waiting for the store at start: retried at least this often, so the status file's
# heartbeat stays fresh and `planwatch status` shows why the watcher waits.
_STORE_RETRY_MAX_SECONDS = 15.0


@app.command("watch")
def watch(
    ctx: typer.Context,
    poll: Annotated[float | None, typer.Option(
        "--poll", min=0.1, help="Look at the inbox every so many seconds, at least 0.1 "
        "(network shares, where file events never arrive). Default: native file events, "
        "or the poll_seconds setting.")] = None,
    settle: Annotated[float | None, typer.Option(
        help="Seconds a file must stay unchanged before it is read (default 2).")] = None,
) -> None:
    """Watch the inbox and take every form dropped there, until stopped (Ctrl+C, SIGTERM)."""
    from pipeline.config import load_settings
    from pipeline.files import clean_temporary_files
    from pipeline.logs import configure_logging

    base = workspace_settings(ctx)
    settings = load_settings(base.home, database_url=base.database_url,
                             poll_seconds=poll, settle_seconds=settle)
    log_file = configure_logging(settings.home, settings.log_level)
    removed = clean_temporary_files(settings.archive_path, settings.rejected_path,
                                    settings.reports_path, settings.inbox_path)
    out.print(f"Watching {settings.inbox_path} ({_mode(settings)}); log: {log_file}. "
              "Stop with Ctrl+C.", markup=False)
    if removed:
        out.print(f"Removed {len(removed)} temporary file(s) left by an interrupted run.")
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    run_watcher(settings, stop)


def _mode(settings: Settings) -> str:
    return f"polling every {settings.poll_seconds:g} s" if settings.poll_seconds else \
        "native file events"


def run_watcher(settings: Settings, stop: threading.Event) -> None:
    """The watcher with the workspace's settings, a sandboxed reader and the store.

    A store that cannot be reached at start (PostgreSQL still starting, a network
    outage) is waited for, with growing pauses and the reason in the status, instead of
    the watcher exiting; a store that is wrong in a way waiting cannot mend (not a
    database URL, not set up) is an error at once.
    """
    from pipeline.inbox.backlog import BATCH_FILES
    from pipeline.watch.jobs import ScheduledReports
    from pipeline.watch.loop import Watcher, WatchOptions

    store = _wait_for_store(settings, stop)
    if store is None:
        return
    # As many readers as `planwatch ingest` uses: a burst of files is read in parallel.
    # They start only when first needed.
    with store, reader_pool(settings, files=BATCH_FILES) as readers:
        workspace = ingest_workspace(settings, parse=readers.read,
                                     parse_workers=readers.workers)
        watcher = Watcher(
            inbox=settings.inbox_path, home=settings.home,
            ingest=lambda path: _take_one(path, settings, store, workspace),
            ingest_batch=lambda paths: _take_many(paths, settings, store, workspace),
            batch_files=BATCH_FILES,
            on_tick=ScheduledReports(store, settings, workspace.catalogue),
            options=WatchOptions(settle_seconds=settings.settle_seconds,
                                 rescan_seconds=settings.rescan_seconds,
                                 poll_seconds=settings.poll_seconds,
                                 ignored=settings.ignore_patterns))
        watcher.run(stop)


def _take_one(path: Path, settings: Settings, store: Store,
              workspace: Workspace) -> IngestResult:
    """One settled file through ingest, then what follows from storing it."""
    from pipeline.inbox.ingest import ingest_file

    result = ingest_file(path, store, workspace, command="watch")
    after_storing(settings, store, workspace.catalogue, [result])
    return result


def _take_many(paths: list[Path], settings: Settings, store: Store,
               workspace: Workspace) -> list[IngestResult]:
    """Files that settled together, taken as a backlog is (in batches), then what
    follows from storing them."""
    from pipeline.inbox.backlog import ingest_paths

    results = ingest_paths(paths, store, workspace, command="watch")
    after_storing(settings, store, workspace.catalogue, results)
    return results


def _wait_for_store(settings: Settings, stop: threading.Event) -> Store | None:
    """The store, once it can be opened (None: stopped while waiting)."""
    from pipeline.inbox.failures import machine_problem
    from pipeline.store.session import open_store
    from pipeline.watch.status import WatchStatus, write_status

    waiting = WatchStatus(pid=os.getpid(), started_at=datetime.now(UTC).isoformat(),
                          mode=_mode(settings))
    delay = 1.0
    while True:
        try:
            return open_store(settings.database_url)
        except StoreError as exc:
            if machine_problem(exc) is None:
                raise
            waiting.health = f"waiting for the store: {exc.message}"
            write_status(settings.home, waiting)
            log.warning("store_unavailable_at_start", extra={"delay_seconds": delay})
        if stop.wait(delay):
            waiting.health = "stopped"
            write_status(settings.home, waiting)
            return None
        delay = min(_STORE_RETRY_MAX_SECONDS, delay * 2)
