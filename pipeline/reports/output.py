"""Writing report files: owner-only, atomically, under names that never collide.

Every report (workbook, schedule, calendar, summary, draft, pre-filled form) is written
through :func:`write_atomically`: the bytes go to a hidden temporary file in the same
folder, are fsynced and renamed over the target, so a reader (or Excel holding last
week's copy) sees the old file or the new one, never half of one.

Everything Planwatch writes names people or what forms say about them, so every file is
owner-only (0600) and every folder it creates on the way is owner-only (0700), whatever
the umask: the modes are set exactly after creating, not left to the umask.
:func:`private_tree` also tightens the workspace's own reports folders when an older
version (or ``planwatch init``) left them open to others.

Names made from what forms say (a person's reference, a worker's name) go through
:func:`file_part`, which never gives two different texts the same name; text shown in a
single-line place (a sheet title, a calendar field, a footer) goes through
:func:`one_line`.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import stat
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from pipeline.errors import ReportError

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
# Hex digits of the SHA-256 of the exact text in a name whose text had to be changed:
# 48 bits, so even a million changed names with the same readable part do not collide.
HASH_CHARS = 12
MAX_READABLE = 60
# What a name part keeps as it is: upper-case ASCII letters, digits, "-", "_" and "."
# (person references such as CS-00042). Lower case is not kept as it is because Windows
# and macOS disks ignore case: "cs-1" and "CS-1" would be one file there.
_KEPT = re.compile(r"[A-Z0-9][A-Z0-9_.-]*").fullmatch
_NOT_IN_NAMES = re.compile(r"[^\w.-]", flags=re.ASCII)
# Line breaks, other control characters, and what no XML or calendar line may hold.
_NOT_ON_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")


def write_atomically(
    path: Path, write: Callable[[BinaryIO], object], *, what: str = "the report",
) -> Path:
    """Call ``write(handle)`` on a temporary file, then move it over ``path``; return ``path``.

    The file is owner-only (0600) and any folder missing on the way is created owner-only
    (0700), whatever the umask. Raises :class:`ReportError` naming ``what`` when the
    folder or file cannot be written; no temporary file is left behind either way.
    """
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    created = False
    try:
        _make_folders(path.parent)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        descriptor = os.open(temporary, flags, PRIVATE_FILE)
        created = True
        with os.fdopen(descriptor, "wb") as handle:
            _owner_only(handle.fileno())
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(path)
    except BaseException as exc:
        if created:
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _cannot_write(path, what, exc) from exc
        raise
    _fsync_folder(path.parent)
    return path


def write_bytes_atomically(path: Path, data: bytes, *, what: str = "the report") -> Path:
    """:func:`write_atomically` for bytes already in memory."""
    return write_atomically(path, lambda handle: handle.write(data), what=what)


def private_folders(folder: Path) -> Path:
    """``folder``, creating it and every missing folder above it owner-only (0700).

    ``Path.mkdir(parents=True, mode=...)`` gives the parents it creates the umask's
    default (0755): here each missing folder is created and then set to 0700. Folders
    that already exist are left as they are. Raises :class:`ReportError`.
    """
    try:
        _make_folders(folder)
    except OSError as exc:
        raise ReportError(
            f"{folder}: cannot create the folder ({exc.strerror or exc}).",
            hint="Check the reports folder can be written, then run the command again.",
        ) from exc
    return folder


def _make_folders(folder: Path) -> None:
    missing: list[Path] = []
    current = folder
    while not current.is_dir():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for each in reversed(missing):
        try:
            each.mkdir(mode=PRIVATE_DIR)
        except FileExistsError:
            if each.is_dir():  # made meanwhile by another writer: theirs, left alone
                continue
            raise
        each.chmod(PRIVATE_DIR)  # mkdir's mode is cut by the umask


def private_tree(root: Path, folder: Path | None = None) -> Path:
    """The workspace's reports folder ``root`` and ``folder`` inside it, owner-only.

    Missing folders are created 0700 (as :func:`private_folders`); existing ones from
    ``root`` down to ``folder`` that others can read are tightened to 0700, as
    ``planwatch init`` does for the archive. A ``folder`` outside ``root`` is only
    created, never changed. Returns ``folder`` (``root`` without it).
    """
    target = folder if folder is not None else root
    private_folders(target)
    chain = [root]
    if target.is_relative_to(root):
        parts = target.relative_to(root).parts
        chain += [root.joinpath(*parts[:n]) for n in range(1, len(parts) + 1)]
    for each in chain:
        _tighten(each)
    return target


def output_folder(path: Path, reports_root: Path) -> Path:
    """Make ready the folder ``path`` will be written in, and return ``path``.

    Inside the workspace's reports folder ``reports_root``: :func:`private_tree` (missing
    folders created, open ones tightened, all 0700). Elsewhere (``-o`` somewhere else):
    only the missing folders are created, owner-only.
    """
    folder = path.absolute().parent
    root = reports_root.absolute()
    if folder.is_relative_to(root):
        private_tree(root, folder)
    else:
        private_folders(folder)
    return path


def _tighten(folder: Path) -> None:
    try:
        info = folder.lstat()
    except OSError:
        return
    owned = not hasattr(os, "getuid") or info.st_uid == os.getuid()
    if stat.S_ISDIR(info.st_mode) and owned and stat.S_IMODE(info.st_mode) & 0o077:
        try:
            folder.chmod(PRIVATE_DIR)
        except OSError as exc:
            raise ReportError(
                f"{folder}: cannot make the folder owner-only ({exc.strerror or exc}).",
                hint="Run the command as the folder's owner, or run "
                f"`chmod 700 {folder}`.") from exc


def file_part(text: str) -> str:
    """``text`` as part of a file name: safe on Windows, macOS and Linux, and never the
    same for two different texts.

    A text of upper-case letters, digits, ``-``, ``_`` and ``.`` (a reference such as
    ``CS-00042``) is kept as it is. Any other text keeps a readable part (anything but
    ASCII letters, digits, ``-``, ``_`` and ``.`` becomes ``_``, at most 60 characters)
    followed by ``+`` and the first 12 hex digits of the SHA-256 of the exact text: so
    ``SWA 7001`` and ``SWA/7001`` (``SWA_7001+…``, two hashes) are two files, and an id
    can never climb out of the reports folder. Kept names contain no ``+``, so they never
    meet a changed one; nor do names that differ only in case.
    """
    if len(text) <= MAX_READABLE and _KEPT(text):
        return text
    readable = _NOT_IN_NAMES.sub("_", unicodedata.normalize("NFC", text).strip())
    readable = readable.strip("._")[:MAX_READABLE] or "unknown"
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{readable}+{digest[:HASH_CHARS]}"


def one_line(text: str) -> str:
    """``text`` fit for a single-line place (a sheet title, a calendar field, a footer):
    line breaks and other control characters become spaces, runs of spaces one space,
    and nothing is left at either end."""
    return " ".join(_NOT_ON_ONE_LINE.sub(" ", text).split())


def _owner_only(descriptor: int) -> None:
    # The umask may have taken bits off, never added any; set the mode exactly anyway.
    if hasattr(os, "fchmod"):
        os.fchmod(descriptor, PRIVATE_FILE)


def _cannot_write(path: Path, what: str, exc: OSError) -> ReportError:
    return ReportError(
        f"{path}: cannot write {what} ({exc.strerror or exc}).",
        hint="Check that the folder can be written and that the file is not open in "
        "another program, then run the command again.",
    )


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
