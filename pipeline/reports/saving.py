"""Reports written through :mod:`pipeline.files`, its errors given as :class:`ReportError`.

Every report (workbook, schedule, calendar, summary, draft, pre-filled form) is written by
:func:`write_report`: owner-only and atomically (see :mod:`pipeline.files`). A folder or
file that cannot be written is a :class:`ReportError` that names the file and says what
to do; no temporary file is left behind either way.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from pipeline import files
from pipeline.errors import ReportError


def write_report(path: Path, write: Callable[[BinaryIO], object], *,
                 what: str = "the report") -> Path:
    """:func:`pipeline.files.write_atomically`; raises :class:`ReportError` naming
    ``what``."""
    try:
        return files.write_atomically(path, write)
    except OSError as exc:
        raise ReportError(
            f"{path}: cannot write {what} ({exc.strerror or exc}).",
            hint="Check that the folder can be written and that the file is not open in "
            "another program, then run the command again.",
        ) from exc


def write_report_bytes(path: Path, data: bytes, *, what: str = "the report") -> Path:
    """:func:`write_report` for bytes already in memory."""
    return write_report(path, lambda handle: handle.write(data), what=what)


def report_folder(path: Path, reports_root: Path) -> Path:
    """:func:`pipeline.files.output_folder`; raises :class:`ReportError`."""
    return _folders(lambda: files.output_folder(path, reports_root), path.absolute().parent)


def report_tree(root: Path, folder: Path | None = None) -> Path:
    """:func:`pipeline.files.private_tree`; raises :class:`ReportError`."""
    return _folders(lambda: files.private_tree(root, folder),
                    folder if folder is not None else root)


def _folders(make: Callable[[], Path], folder: Path) -> Path:
    try:
        return make()
    except files.ModeError as exc:
        raise ReportError(
            f"{exc.filename}: cannot make the folder owner-only ({exc.strerror or exc}).",
            hint="Run the command as the folder's owner, or run "
            f"`chmod 700 {exc.filename}`.") from exc
    except OSError as exc:
        raise ReportError(
            f"{folder}: cannot create the folder ({exc.strerror or exc}).",
            hint="Check the reports folder can be written, then run the command again.",
        ) from exc
