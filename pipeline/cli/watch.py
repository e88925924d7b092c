"""``planwatch watch`` and ``planwatch status``: the long-running watcher and its health."""

from __future__ import annotations

import logging
import os
import signal
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer
from rich.table import Table
from sqlalchemy import func, select

from pipeline.cli.app import JsonFlag, app, out, print_json, workspace_settings
from pipeline.cli.casework import ingest_workspace
from pipeline.config import Settings, load_settings
from pipeline.errors import StoreError
from pipeline.files import clean_temporary_files
from pipeline.inbox.candidates import inbox_entries
from pipeline.inbox.failures import machine_problem
from pipeline.inbox.ingest import ingest_file
from pipeline.inbox.sandbox import SandboxedReader
from pipeline.logs import configure_logging
from pipeline.store.models import AuditEntry
from pipeline.store.session import Store, open_store
from pipeline.watch.jobs import ScheduledReports
from pipeline.watch.loop import Watcher, WatchOptions
from pipeline.watch.status import WatchStatus, is_alive, read_status, write_status

LONDON = ZoneInfo("Europe/London")
OUTCOME_ACTIONS = ("stored", "superseded", "duplicate", "rejected")
log = logging.getLogger("planwatch.watch")
# Waiting for the store at start: retried at least this often, so the status file's
# heartbeat stays fresh and `planwatch status` shows why the watcher waits.
_STORE_RETRY_MAX_SECONDS = 15.0


@app.command("watch")
def watch(
    ctx: typer.Context,
    poll: Annotated[float | None, typer.Option(
        "--poll", min=0.1, help="Poll every N seconds (network shares, where file events "
        "never arrive). Default: native events, or the poll_seconds setting.")] = None,
    settle: Annotated[float | None, typer.Option(
        help="Seconds a file must stay unchanged before it is read (default 2).")] = None,
) -> None:
    """Watch the inbox and take every form dropped there, until stopped (Ctrl+C, SIGTERM)."""
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
    store = _wait_for_store(settings, stop)
    if store is None:
        return
    with store, SandboxedReader(
            settings.forms_path, timeout_seconds=settings.parse_timeout_seconds,
            memory_mb=settings.parse_memory_mb) as reader:
        workspace = ingest_workspace(settings, parse=reader.read)
        watcher = Watcher(
            inbox=settings.inbox_path, home=settings.home,
            ingest=lambda path: ingest_file(path, store, workspace, command="watch"),
            on_tick=ScheduledReports(store, settings, workspace.catalogue),
            options=WatchOptions(settle_seconds=settings.settle_seconds,
                                 rescan_seconds=settings.rescan_seconds,
                                 poll_seconds=settings.poll_seconds,
                                 ignored=settings.ignore_patterns))
        watcher.run(stop)


def _wait_for_store(settings: Settings, stop: threading.Event) -> Store | None:
    """The store, once it can be opened (None: stopped while waiting)."""
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


def _counts(settings: Settings) -> dict[str, dict[str, int]]:
    now = datetime.now(LONDON)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    starts = {"today": midnight, "this week": midnight - timedelta(days=now.weekday())}
    counts: dict[str, dict[str, int]] = {}
    with open_store(settings.database_url) as store, store.session() as session:
        for label, start in starts.items():
            rows = session.execute(
                select(AuditEntry.action, func.count()).where(
                    AuditEntry.at >= start.astimezone(UTC),
                    AuditEntry.action.in_(OUTCOME_ACTIONS),
                ).group_by(AuditEntry.action)).all()
            found = {str(action): int(n) for action, n in rows}
            counts[label] = {action: found.get(action, 0) for action in OUTCOME_ACTIONS}
    return counts


def _waiting(settings: Settings) -> list[Path]:
    inbox = settings.inbox_path
    if not inbox.is_dir():
        return []
    return list(inbox_entries(inbox, ignored=settings.ignore_patterns))


@app.command("status")
def status(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """The watcher's health, files waiting, the last file taken, and counts by outcome."""
    settings = workspace_settings(ctx)
    current = read_status(settings.home)
    alive = current is not None and is_alive(current)
    report: dict[str, Any] = {
        "watcher": ("running" if alive else "not running"),
        "health": current.health if current and alive else None,
        "mode": current.mode if current else None,
        "last_seen": current.heartbeat_at if current else None,
        "settling": current.settling if current and alive else 0,
        "waiting": len(_waiting(settings)),
        "inbox_present": settings.inbox_path.is_dir(),
        "last_file": current.last_file if current else {},
        "blocked": current.blocked if current and alive else {},
        "counts": _counts(settings),
    }
    if as_json:
        print_json(report)
        return
    state = "[green]running[/]" if alive else "[red]not running[/]"
    out.print(f"Watcher: {state}" + (f" ({report['mode']}, health: {report['health']})"
                                      if alive else ""))
    if not alive and current is not None:
        out.print(f"Last seen {current.heartbeat_at[:19].replace('T', ' ')} UTC", markup=False)
    out.print(f"Inbox: {settings.inbox_path}: {report['waiting']} file(s) waiting, "
              f"{report['settling']} settling" + ("" if report["inbox_present"]
                                                   else " (FOLDER MISSING)"), markup=False)
    for name, reason in report["blocked"].items():
        out.print(f"Blocked: {name}: {reason}", markup=False)
    last = report["last_file"]
    if last:
        out.print(f"Last file: {last.get('file')} → {last.get('outcome')} at "
                  f"{str(last.get('at', ''))[:19].replace('T', ' ')} UTC", markup=False)
    table = Table("", *OUTCOME_ACTIONS)
    for label, row in report["counts"].items():
        table.add_row(label, *(str(row[a]) for a in OUTCOME_ACTIONS))
    out.print(table)
