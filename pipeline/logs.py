"""Logging that can be shared with anyone: JSON lines, rotated, and no personal data.

Forms are about people at risk, and file names often carry a person's name. So a log
line is an event name plus whitelisted fields only: submission ids, content hashes, form
ids, outcomes, counts, timings. Anything else passed in ``extra`` is dropped, exception
messages are reduced to their class name, and the message itself must be a fixed event
name, never a formatted string.

    log.info("file_stored", extra={"submission_id": 12, "sha256": "ab12...", "form_id": "review"})
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

LOG_FILE_NAME = "planwatch.log"
LOGS_DIR_NAME = "logs"
MAX_BYTES = 5 * 1024 * 1024
BACKUPS = 5
SAFE_FIELDS = frozenset({
    "submission_id", "sha256", "form_id", "form_version", "outcome", "service", "count",
    "seconds", "mode", "attempt", "health", "pid", "code", "revision", "error_kind",
    "finding_count", "delay_seconds", "files",
})


def safe_fields(record: logging.LogRecord) -> dict[str, Any]:
    fields = {key: getattr(record, key) for key in SAFE_FIELDS if hasattr(record, key)}
    if record.exc_info and record.exc_info[0] is not None:
        # The class only: messages of third-party errors can quote file contents.
        fields["error_kind"] = record.exc_info[0].__name__
    return fields


class JsonLinesFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, event and safe fields."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "event": str(record.msg),
            **safe_fields(record),
        }
        return json.dumps(line, default=str, ensure_ascii=False)


class ConsoleFormatter(logging.Formatter):
    """``HH:MM:SS event key=value ...`` for a person watching the terminal."""

    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created).strftime("%H:%M:%S")
        fields = " ".join(f"{k}={v}" for k, v in sorted(safe_fields(record).items()))
        return f"{when} {record.levelname.lower():7} {record.msg} {fields}".rstrip()


class _PrivateRotatingHandler(logging.handlers.RotatingFileHandler):
    """A rotating file handler whose files are owner-only from the moment they exist."""

    def _open(self):  # type: ignore[no-untyped-def]
        descriptor = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.close(descriptor)
        return super()._open()


def configure_logging(home: Path, level: str = "INFO", *, console: bool = True) -> Path:
    """Send Planwatch's log to ``<home>/logs/planwatch.log`` (and the terminal)."""
    folder = home / LOGS_DIR_NAME
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / LOG_FILE_NAME
    root = logging.getLogger("planwatch")
    root.setLevel(level)
    root.propagate = False
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    file_handler = _PrivateRotatingHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS,
                                           encoding="utf-8")
    file_handler.setFormatter(JsonLinesFormatter())
    root.addHandler(file_handler)
    if console:
        stream = logging.StreamHandler()
        stream.setFormatter(ConsoleFormatter())
        root.addHandler(stream)
    return path
