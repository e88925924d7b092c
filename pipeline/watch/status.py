"""The watcher's status file: what `planwatch status` reads to say how the watcher is.

Written atomically (:func:`pipeline.files.write_file`) at most once a second by the
watcher; owner-only, because it names the last file processed.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipeline import files

STATUS_DIR = ".planwatch"
STATUS_FILE = "watch.json"
# A watcher that has not written for this long is taken to be gone.
STALE_SECONDS = 30.0


def status_path(home: Path) -> Path:
    return home / STATUS_DIR / STATUS_FILE


@dataclass
class WatchStatus:
    pid: int
    started_at: str
    mode: str  # "native events" or "polling every N s"
    health: str = "starting"  # "ok", or what is wrong
    heartbeat_at: str = ""
    settling: int = 0
    last_file: dict[str, Any] = field(default_factory=dict)
    restarts: int = 0
    # Files that cannot be opened now (permission denied), by name in the inbox: why.
    blocked: dict[str, str] = field(default_factory=dict)


def write_status(home: Path, status: WatchStatus) -> None:
    status.heartbeat_at = datetime.now(UTC).isoformat()
    files.write_file(status_path(home), json.dumps(asdict(status)).encode("utf-8"))


def read_status(home: Path) -> WatchStatus | None:
    try:
        data = json.loads(status_path(home).read_text(encoding="utf-8"))
        return WatchStatus(**data)
    except (OSError, ValueError, TypeError):
        return None


def is_alive(status: WatchStatus, now: datetime | None = None) -> bool:
    """The watcher wrote recently and its process exists."""
    now = now or datetime.now(UTC)
    try:
        beat = datetime.fromisoformat(status.heartbeat_at)
    except ValueError:
        return False
    if (now - beat).total_seconds() > STALE_SECONDS:
        return False
    try:
        os.kill(status.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
