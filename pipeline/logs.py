"""Logging that can be shared with anyone: JSON lines, rotated, and no personal data.

Forms are about people at risk, and file names often carry a person's name. So a log
line is an event name plus whitelisted fields only: submission ids, content hashes, form
ids, outcomes, counts, timings. Anything else passed in ``extra`` is dropped, and the
message itself must be a fixed event name, never a formatted string.

    log.info("file_stored", extra={"submission_id": 12, "sha256": "ab12...", "form_id": "review"})

Third-party text never gets in, because it quotes the files (pypdf's messages quote a
damaged PDF's bytes, a person's name among them):

- an exception (``exc_info``) is written as its class name only (``error_kind``), never
  its message (``str(exc)``) or a formatted traceback, whose last line is the message.
  With ``log_level = DEBUG`` the line also has ``traceback``: for the exception and each
  one it was raised from, its class and its frames (``module/file.py:line function``),
  still without any message or source line, so a developer can see where a reader
  failed without anyone seeing what the file said;
- a message that is not an event name (``log.info(exc)``, ``log.info(f"read {name}")``)
  is written as ``unnamed_event``, and a value of a whitelisted field that is an
  exception as its class name;
- records of other loggers (pypdf, openpyxl...) are written as ``library_message`` with
  their logger's name, never their text, by the formatters here; the readers keep those
  libraries' records from reaching any handler at all
  (:mod:`pipeline.formats.containment`, which :func:`configure_logging` also installs).
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import re
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from pipeline import files

LOG_FILE_NAME = "planwatch.log"
LOGS_DIR_NAME = "logs"
MAX_BYTES = 5 * 1024 * 1024
BACKUPS = 5
SAFE_FIELDS = frozenset({
    "submission_id", "sha256", "form_id", "form_version", "outcome", "service", "count",
    "seconds", "mode", "attempt", "health", "pid", "code", "revision", "error_kind",
    "finding_count", "delay_seconds", "files", "error_type",
})
OWN_LOGGER = "planwatch"
_EVENT_NAME = re.compile(r"[a-z][a-z0-9_.\-]{0,79}")
# Chained exceptions followed in a debug traceback, and frames kept for each.
_CHAIN_LIMIT = 8
_FRAME_LIMIT = 40


def is_own(record: logging.LogRecord) -> bool:
    return record.name == OWN_LOGGER or record.name.startswith(OWN_LOGGER + ".")


def event_name(record: logging.LogRecord) -> str:
    """The record's event: Planwatch's fixed name, never text a library or a file wrote."""
    if not is_own(record):
        return "library_message"
    message = record.msg
    if isinstance(message, str) and _EVENT_NAME.fullmatch(message):
        return message
    return "unnamed_event"


def _safe_value(value: Any) -> Any:
    return type(value).__name__ if isinstance(value, BaseException) else value


def safe_fields(record: logging.LogRecord) -> dict[str, Any]:
    if not is_own(record):
        return {}
    fields = {key: _safe_value(getattr(record, key)) for key in SAFE_FIELDS
              if hasattr(record, key)}
    if record.exc_info and record.exc_info[0] is not None:
        # The class only: messages of third-party errors can quote file contents.
        fields["error_kind"] = record.exc_info[0].__name__
    return fields


def _where(filename: str) -> str:
    """A frame's file as ``package/module.py``: no home folders, no workspace paths."""
    parts = Path(filename).parts

    def last(name: str) -> int:
        return len(parts) - 1 - parts[::-1].index(name)

    for anchor in ("site-packages", "dist-packages"):
        if anchor in parts:
            return "/".join(parts[last(anchor) + 1:])
    if "pipeline" in parts:
        return "/".join(parts[last("pipeline"):])
    return parts[-1] if parts else "?"


def _frames(tb: TracebackType | None) -> list[str]:
    frames: list[str] = []
    while tb is not None and len(frames) < _FRAME_LIMIT:
        code = tb.tb_frame.f_code
        frames.append(f"{_where(code.co_filename)}:{tb.tb_lineno} {code.co_name}")
        tb = tb.tb_next
    return frames


def debug_traceback(error: BaseException) -> list[dict[str, Any]]:
    """The exception and those it was raised from: class and frames, never a message."""
    chain: list[dict[str, Any]] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen and len(chain) < _CHAIN_LIMIT:
        seen.add(id(current))
        chain.append({"type": type(current).__name__, "frames": _frames(current.__traceback__)})
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__)
    return chain


class JsonLinesFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, event and safe fields; with
    ``frames``, the classes and frames of an exception too (see the module docstring)."""

    def __init__(self, *, frames: bool = False) -> None:
        super().__init__()
        self.frames = frames

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "event": event_name(record),
            **safe_fields(record),
        }
        if self.frames and is_own(record) and record.exc_info and record.exc_info[1]:
            line["traceback"] = debug_traceback(record.exc_info[1])
        return json.dumps(line, default=str, ensure_ascii=False)


class ConsoleFormatter(logging.Formatter):
    """``HH:MM:SS event key=value ...`` for a person watching the terminal."""

    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created).strftime("%H:%M:%S")
        fields = " ".join(f"{k}={v}" for k, v in sorted(safe_fields(record).items()))
        event = event_name(record)
        if not is_own(record):
            fields = f"logger={record.name}"
        return f"{when} {record.levelname.lower():7} {event} {fields}".rstrip()


class _PrivateRotatingHandler(logging.handlers.RotatingFileHandler):
    """A rotating file handler whose files are owner-only from the moment they exist."""

    def _open(self):  # type: ignore[no-untyped-def]
        files.create_private(Path(self.baseFilename))
        return super()._open()


def configure_logging(home: Path, level: str = "INFO", *, console: bool = True) -> Path:
    """Send Planwatch's log to ``<home>/logs/planwatch.log`` (and the terminal), and keep
    the libraries' own messages out of both and out of stderr."""
    from pipeline.formats.containment import install

    install()
    folder = home / LOGS_DIR_NAME
    path = files.private_dir(folder) / LOG_FILE_NAME
    root = logging.getLogger("planwatch")
    root.setLevel(level)
    root.propagate = False
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    file_handler = _PrivateRotatingHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS,
                                           encoding="utf-8")
    file_handler.setFormatter(JsonLinesFormatter(frames=root.getEffectiveLevel() <= logging.DEBUG))
    root.addHandler(file_handler)
    if console:
        stream = logging.StreamHandler()
        stream.setFormatter(ConsoleFormatter())
        root.addHandler(stream)
    return path
