"""Writing report files: atomically, with the right permissions, under safe names.

Every report (workbook, schedule, calendar, summary, pre-filled form) is written through
:func:`write_atomically`: the bytes go to a hidden temporary file in the same folder, are
fsynced and renamed over the target, so a reader (or Excel holding last week's copy) sees
the old file or the new one, never half of one.

Files that name people (summaries, pre-filled forms, schedules) are written owner-only
(:data:`PRIVATE_FILE`); the weekly workbook, which managers share, lets the umask decide
(:data:`SHARED_FILE`).
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from pipeline.errors import ReportError

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
# 0o666 lets the umask decide, as for any ordinary file a person saves.
SHARED_FILE = 0o666


def write_atomically(
    path: Path, write: Callable[[BinaryIO], object], *, mode: int = SHARED_FILE,
    what: str = "the report",
) -> Path:
    """Call ``write(handle)`` on a temporary file, then move it over ``path``; return ``path``.

    The folder is created if needed. ``mode`` is the new file's permission bits (before
    the umask). Raises :class:`ReportError` naming ``what`` when the folder or file cannot
    be written; no temporary file is left behind either way.
    """
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    created = False
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        descriptor = os.open(temporary, flags, mode)
        created = True
        with os.fdopen(descriptor, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(path)
    except BaseException as exc:
        if created:
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise ReportError(
                f"{path}: cannot write {what} ({exc.strerror or exc}).",
                hint="Check that the folder can be written and that the file is not open in "
                "another program, then run the command again.",
            ) from exc
        raise
    _fsync_folder(path.parent)
    return path


def write_bytes_atomically(
    path: Path, data: bytes, *, mode: int = SHARED_FILE, what: str = "the report"
) -> Path:
    """:func:`write_atomically` for bytes already in memory."""
    return write_atomically(path, lambda handle: handle.write(data), mode=mode, what=what)


def private_folder(folder: Path) -> Path:
    """``folder``, created owner-only (0700) if it does not exist yet."""
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    except OSError as exc:
        raise ReportError(
            f"{folder}: cannot create the folder ({exc.strerror or exc}).",
            hint="Check the reports folder can be written, then run the command again.",
        ) from exc
    return folder


def file_part(text: str) -> str:
    """``text`` made safe as part of a file name on Windows, macOS and Linux.

    Person ids come from forms: anything but letters, digits, ``-``, ``_`` and ``.``
    becomes ``_`` so an id can never climb out of the reports folder.
    """
    text = unicodedata.normalize("NFC", text).strip()
    cleaned = re.sub(r"[^\w.-]", "_", text, flags=re.ASCII).strip("._")
    return cleaned[:60] or "unknown"


def _fsync_folder(folder: Path) -> None:
    # The rename is only durable once the folder entry is; Windows cannot open a folder
    # this way, and the file's own bytes are already safe, so failure is not an error.
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(descriptor)
    finally:
        os.close(descriptor)
