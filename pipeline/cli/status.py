"""``planwatch status``: the watcher's health, the inbox, and counts by outcome.

It answers at once: it imports no database library for a SQLite store at the newest
revision (every workspace ``planwatch init`` makes), reading the audit log's counts with
the standard library's ``sqlite3``, read-only. Any other store (PostgreSQL), or a SQLite
store that is missing, not set up or behind, is opened the usual way (SQLAlchemy), so that
its counts, or the error naming what to do, are those of every other command.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import typer
from rich.table import Table

from pipeline.cli.app import JsonFlag, app, out, print_json, workspace_settings

if TYPE_CHECKING:
    from pipeline.config import Settings

LONDON = ZoneInfo("Europe/London")
OUTCOME_ACTIONS = ("stored", "superseded", "duplicate", "rejected")
# A SQLite URL as SQLAlchemy parses one (no host): sqlite:///relative or sqlite:////absolute.
_SQLITE_URL = re.compile(r"^sqlite(?:\+\w+)?:///(?P<database>[^?]*)(?:\?.*)?$")


def _starts() -> dict[str, datetime]:
    now = datetime.now(LONDON)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return {"today": midnight, "this week": midnight - timedelta(days=now.weekday())}


def _counts(settings: Settings) -> dict[str, dict[str, int]]:
    starts = _starts()
    counted = _sqlite_counts(settings.database_url, starts)
    return counted if counted is not None else _store_counts(settings, starts)


def _store_counts(settings: Settings, starts: dict[str, datetime]) -> dict[str, dict[str, int]]:
    """The counts through the store (SQLAlchemy), as every other command opens it."""
    from sqlalchemy import func, select

    from pipeline.store.models import AuditEntry
    from pipeline.store.session import open_store

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


def head_revision() -> str | None:
    """The newest migration's revision (:mod:`pipeline.store.revisions`, no database
    library imported)."""
    from pipeline.store.revisions import newest_revision

    return newest_revision()


def sqlite_path(database_url: str) -> Path | None:
    """The file of a SQLite URL (settings make it absolute); ``None`` for any other."""
    found = _SQLITE_URL.match(database_url)
    database = unquote(found["database"]) if found else ""
    if not database or database == ":memory:":
        return None
    return Path(database).expanduser()


def _sqlite_counts(database_url: str,
                   starts: dict[str, datetime]) -> dict[str, dict[str, int]] | None:
    """The counts of a SQLite store at the newest revision, read with ``sqlite3``; ``None``
    for any other store, or anything unusual (then :func:`_store_counts` says what)."""
    path = sqlite_path(database_url)
    if path is None or not path.is_file():
        return None
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        revision = connection.execute("SELECT version_num FROM alembic_version").fetchall()
        if [row[0] for row in revision] != [head_revision()]:
            return None
        counts: dict[str, dict[str, int]] = {}
        marks = ", ".join("?" for _ in OUTCOME_ACTIONS)
        for label, start in starts.items():
            # SQLAlchemy keeps a DateTime in SQLite as text, "YYYY-MM-DD HH:MM:SS.ffffff"
            # (UTC here), and compares it as text: the same comparison.
            since = start.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
            rows = connection.execute(
                f"SELECT action, count(*) FROM audit_log WHERE at >= ? AND action IN ({marks})"
                " GROUP BY action", (since, *OUTCOME_ACTIONS)).fetchall()
            found = {str(action): int(n) for action, n in rows}
            counts[label] = {action: found.get(action, 0) for action in OUTCOME_ACTIONS}
        return counts
    except sqlite3.Error:
        return None
    finally:
        connection.close()


def uk_time(moment: str) -> str:
    """A moment the status file keeps (ISO, UTC) as the UK reads it: 02/12/2026 09:15."""
    try:
        parsed = datetime.fromisoformat(moment)
    except ValueError:
        return moment
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return f"{parsed.astimezone(LONDON):%d/%m/%Y %H:%M}"


def _waiting(settings: Settings) -> list[Path]:
    from pipeline.inbox.candidates import inbox_entries

    inbox = settings.inbox_path
    if not inbox.is_dir():
        return []
    return list(inbox_entries(inbox, ignored=settings.ignore_patterns))


@app.command("status")
def status(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """The watcher's health, files waiting, the last file taken, and counts by outcome."""
    from pipeline.watch.status import is_alive, read_status

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
        out.print(f"Last seen {uk_time(current.heartbeat_at)}", markup=False)
    out.print(f"Inbox: {settings.inbox_path}: {report['waiting']} file(s) waiting, "
              f"{report['settling']} settling" + ("" if report["inbox_present"]
                                                   else " (FOLDER MISSING)"), markup=False)
    for name, reason in report["blocked"].items():
        out.print(f"Blocked: {name}: {reason}", markup=False)
    last = report["last_file"]
    if last:
        out.print(f"Last file: {last.get('file')} → {last.get('outcome')} at "
                  f"{uk_time(str(last.get('at', '')))}", markup=False)
    table = Table("", *OUTCOME_ACTIONS)
    for label, row in report["counts"].items():
        table.add_row(label, *(str(row[a]) for a in OUTCOME_ACTIONS))
    out.print(table)
