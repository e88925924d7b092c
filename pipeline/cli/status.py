"""``planwatch status``: the watcher's health, the inbox, and counts by outcome."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import typer
from rich.table import Table
from sqlalchemy import func, select

from pipeline.cli.app import JsonFlag, app, out, print_json, workspace_settings
from pipeline.config import Settings
from pipeline.inbox.candidates import inbox_entries
from pipeline.store.models import AuditEntry
from pipeline.store.session import open_store
from pipeline.watch.status import is_alive, read_status

LONDON = ZoneInfo("Europe/London")
OUTCOME_ACTIONS = ("stored", "superseded", "duplicate", "rejected")


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
