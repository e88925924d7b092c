"""Writing files: the one module that puts what Planwatch writes on disk.

    write_file(path, data)              bytes, or a file's content streamed, over ``path``
    write_atomically(path, write)       ``write(handle)`` makes the content (a workbook)
    write_new(path, data) -> bool       only when ``path`` does not exist (planwatch.toml)
    keep_copy / keep_copies             never over other content: a variant of the name
    create_private / open_private       a file others add to in place (logs, store, locks)
    private_dir / plain_dir             folders, with every folder made on the way
    output_folder / private_tree        a report's folders, tightened inside reports/
    make_private / tighten              permissions that have drifted, made owner-only
    safe_name / file_part               names made from what files and forms say
    clean_temporary_files               what a crash left behind

How a file is written: to a temporary file in the target's own folder (named
``TEMP_PREFIX…``, which :func:`clean_temporary_files` recognises), fsynced, then renamed
over the target (or hard-linked, where nothing may be overwritten) and the folder fsynced.
A crash leaves either the old file or the whole new one, never half of one; a reader (or
Excel holding last week's copy) sees one or the other.

Modes: what Planwatch writes names people or what forms say about them, so files are
owner-only (``PRIVATE_FILE``, 0600) and so is every folder made on the way
(``PRIVATE_DIR``, 0700), set exactly after creating, whatever the umask. ``private=False``
(blank forms, the demo's drops) leaves both to the umask.

Errors are :class:`OSError` (a folder that cannot be made owner-only:
:class:`ModeError`); callers give them in their own words (reports: ReportError, see
:mod:`pipeline.reports.saving`).
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
import re
import stat
import unicodedata
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from pipeline.inbox.dropped import CannotOpen, NotARegularFile, copy_chunks, sha256_of

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
_PLAIN_FILE = 0o666  # cut by the umask, as any program's new file
TEMP_PREFIX = ".planwatch-tmp-"
# Keep names well under every filesystem's 255-byte limit, even in UTF-8.
MAX_NAME_BYTES = 180
# file_part: hex digits of the SHA-256 of the exact text in a name whose text had to be
# changed (48 bits: even a million changed names with the same readable part do not
# collide), after at most this much of the readable text.
HASH_CHARS = 12
MAX_READABLE = 60
# Disk flushes asked for at once: the filesystem commits concurrent fsyncs together.
_SYNC_THREADS = 8
# What a name part keeps as it is: upper-case ASCII letters, digits, "-", "_" and "."
# (person references such as CS-00042). Lower case is not kept as it is because Windows
# and macOS disks ignore case: "cs-1" and "CS-1" would be one file there.
_KEPT = re.compile(r"[A-Z0-9][A-Z0-9_.-]*").fullmatch
_NOT_IN_NAMES = re.compile(r"[^\w.-]", flags=re.ASCII)
_NOT_IN_SAFE_NAMES = re.compile(r'[\x00-\x1f<>:"/\\|?*]')
_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation


class ModeError(OSError):
    """A folder that exists but could not be made owner-only (``filename`` names it)."""


# --- names -----------------------------------------------------------------------------------


def safe_name(name: str) -> str:
    """A file name that is safe on Linux, Windows shares and macOS, keeping what it can."""
    name = unicodedata.normalize("NFC", Path(name.replace("\\", "/")).name)
    name = _NOT_IN_SAFE_NAMES.sub("_", name).strip(" ").rstrip(".")
    # Never hidden, never mistaken for a temporary copy, never empty.
    if not name or name.startswith("."):
        name = f"file{name}"
    stem, suffix = Path(name).stem, Path(name).suffix[:16]
    while len((stem + suffix).encode("utf-8")) > MAX_NAME_BYTES:
        stem = stem[:-1]
    return stem + suffix


def file_part(text: str) -> str:
    """``text`` as part of a file name: safe on Windows, macOS and Linux, and never the
    same for two different texts.

    A text of upper-case letters, digits, ``-``, ``_`` and ``.`` (a reference such as
    ``CS-00042``) is kept as it is. Any other text keeps a readable part (anything but
    ASCII letters, digits, ``-``, ``_`` and ``.`` becomes ``_``, at most 60 characters)
    followed by ``+`` and the first 12 hex digits of the SHA-256 of the exact text: so
    ``SWA 7001`` and ``SWA/7001`` (``SWA_7001+…``, two hashes) are two files, and an id
    can never climb out of its folder. Kept names contain no ``+``, so they never meet a
    changed one; nor do names that differ only in case.
    """
    if len(text) <= MAX_READABLE and _KEPT(text):
        return text
    readable = _NOT_IN_NAMES.sub("_", unicodedata.normalize("NFC", text).strip())
    readable = readable.strip("._")[:MAX_READABLE] or "unknown"
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{readable}+{digest[:HASH_CHARS]}"


# --- folders ---------------------------------------------------------------------------------


def private_dir(folder: Path) -> Path:
    """``folder``, made if missing, with every folder this creates owner-only (0700).

    ``mkdir(parents=True, mode=...)`` gives only the last folder the mode (the parents
    get the umask's default, 0755): ``archive/2026`` would be readable by anyone. Folders
    that already exist are left as they are. A file where a folder belongs:
    :class:`FileExistsError`.
    """
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
        each.chmod(PRIVATE_DIR)  # the umask may have taken bits away, never adds any
    return folder


def plain_dir(folder: Path) -> Path:
    """``folder``, made if missing with the umask's permissions: for the folders others
    share (the workspace itself, the inbox people drop forms into, blank forms)."""
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def tighten(folder: Path) -> bool:
    """Take others' access away from ``folder`` (0700) if it is ours and others have
    some; ``True`` if it was changed. Anything else is left alone. Raises
    :class:`ModeError` when the change is refused."""
    try:
        info = folder.lstat()
    except OSError:
        return False
    owned = not hasattr(os, "getuid") or info.st_uid == os.getuid()
    if not (stat.S_ISDIR(info.st_mode) and owned and stat.S_IMODE(info.st_mode) & 0o077):
        return False
    try:
        folder.chmod(PRIVATE_DIR)
    except OSError as exc:
        raise ModeError(exc.errno, exc.strerror, str(folder)) from exc
    return True


def private_tree(root: Path, folder: Path | None = None) -> Path:
    """The reports folder ``root`` and ``folder`` inside it, owner-only.

    Missing folders are created 0700 (as :func:`private_dir`); existing ones from
    ``root`` down to ``folder`` that others can read are tightened to 0700, as
    ``planwatch init`` does for the archive. A ``folder`` outside ``root`` is only
    created, never changed. Returns ``folder`` (``root`` without it).
    """
    target = folder if folder is not None else root
    private_dir(target)
    chain = [root]
    if target.is_relative_to(root):
        parts = target.relative_to(root).parts
        chain += [root.joinpath(*parts[:n]) for n in range(1, len(parts) + 1)]
    for each in chain:
        tighten(each)
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
        private_dir(folder)
    return path


def make_private(path: Path) -> list[Path]:
    """Make ``path`` owner-only (folders 0700, files 0600), recursively; return what
    changed. Symbolic links are left alone (their permissions are their target's)."""
    changed: list[Path] = []
    if path.is_symlink() or not path.exists():
        return changed
    mode = PRIVATE_DIR if path.is_dir() else PRIVATE_FILE
    if stat.S_IMODE(path.stat().st_mode) != mode:
        path.chmod(mode)
        changed.append(path)
    if path.is_dir():
        for child in sorted(path.iterdir()):
            changed.extend(make_private(child))
    return changed


# --- writing ---------------------------------------------------------------------------------


def write_atomically(path: Path, write: Callable[[BinaryIO], object], *,
                     private: bool = True) -> Path:
    """Call ``write(handle)`` on a temporary file, then move it over ``path``; return
    ``path``. No temporary file is left behind, whatever happens."""
    _folder(path.parent, private=private)
    temporary, descriptor = _open_temporary(path.parent, private=private)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            write(handle)
        _fsync(temporary)
        temporary.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        raise
    _fsync(path.parent, folder=True)
    return path


def write_file(path: Path, data: bytes | Path, *, private: bool = True) -> Path:
    """Write ``data`` (bytes, or a file's contents streamed) over ``path``, atomically."""
    return write_atomically(path, lambda handle: _put(handle, data), private=private)


def write_new(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` only if nothing is there (owner-only); ``False``, and
    nothing changed, if something is, even when another process makes it meanwhile."""
    temporary = _temporary(private_dir(path.parent), data)
    try:
        _fsync(temporary)
        linked = _link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    if linked:
        _fsync(path.parent, folder=True)
    return linked


@dataclass(frozen=True)
class Copy:
    """One file for :func:`keep_copies`: where, under what name, and its content."""

    folder: Path
    name: str
    sha256: str
    data: bytes | Path


def keep_copy(folder: Path, name: str, sha256: str, data: bytes | Path) -> Path:
    """Keep ``data`` in ``folder`` under ``name`` (or a variant of it), durably.

    Never overwrites other content, even when another watcher picks the same name at the
    same moment: the fsynced temporary file is hard-linked into place, which fails if the
    name exists. The same content already there (a run interrupted after copying) is
    reused, so a restart never leaves a second copy behind.
    """
    return keep_copies([Copy(folder, name, sha256, data)])[0]


def keep_copies(copies: list[Copy]) -> list[Path]:
    """:func:`keep_copy` for several files at once, with the same guarantees.

    The temporary copies are all written first and then fsynced together from a few
    threads, so the filesystem commits them in one go instead of one disk flush each; each
    folder is fsynced once, after every name in it is in place. Returns the paths in order.
    """
    temporaries: list[Path] = []
    try:
        for copy in copies:
            temporaries.append(_temporary(private_dir(copy.folder), copy.data))
        _fsync_all(temporaries)
        kept = [_link_into_place(temporary, copy.folder, copy.name, copy.sha256)
                for temporary, copy in zip(temporaries, copies, strict=True)]
        for folder in sorted({path.parent for path, linked in kept if linked}):
            _fsync(folder, folder=True)
    finally:
        for temporary in temporaries:
            temporary.unlink(missing_ok=True)
    return [path for path, _ in kept]


def open_private(path: Path) -> int:
    """A descriptor on ``path`` for reading and writing, never truncated; the file is
    created owner-only (0600) if missing. For files written in place: a lock, a log."""
    while True:
        try:
            descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | _BINARY,
                                 PRIVATE_FILE)
        except FileExistsError:
            try:
                return os.open(path, os.O_RDWR | _BINARY)
            except FileNotFoundError:
                continue  # removed meanwhile (a lock let go): make it again
        _owner_only(descriptor)
        return descriptor


def create_private(path: Path) -> Path:
    """``path``, created empty and owner-only (0600) if missing, else left as it is: a
    file another program then writes (SQLite, a log handler), never readable by others,
    not even for a moment."""
    os.close(open_private(path))
    return path


def clean_temporary_files(*folders: Path) -> list[Path]:
    """Remove temporary files a crash left behind in ``folders`` (never a completed
    file)."""
    removed: list[Path] = []
    for folder in folders:
        if not folder.exists():
            continue
        for leftover in folder.rglob(f"{TEMP_PREFIX}*"):
            leftover.unlink(missing_ok=True)
            removed.append(leftover)
    return removed


# --- how -------------------------------------------------------------------------------------


def _folder(folder: Path, *, private: bool) -> Path:
    return private_dir(folder) if private else plain_dir(folder)


def _open_temporary(folder: Path, *, private: bool) -> tuple[Path, int]:
    """A new temporary file in ``folder``, open for writing, with the mode to keep."""
    temporary = folder / f"{TEMP_PREFIX}{os.getpid()}-{uuid.uuid4().hex}"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _BINARY
    descriptor = os.open(temporary, flags, PRIVATE_FILE if private else _PLAIN_FILE)
    if private:
        try:
            _owner_only(descriptor)
        except BaseException:
            os.close(descriptor)
            temporary.unlink(missing_ok=True)
            raise
    return temporary, descriptor


def _temporary(folder: Path, data: bytes | Path) -> Path:
    """``data`` in a new owner-only temporary file in ``folder``, not yet fsynced (its
    name need not be: only the name it is linked to is kept, made durable by the caller)."""
    temporary, descriptor = _open_temporary(folder, private=True)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            _put(handle, data)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary


def _put(handle: BinaryIO, data: bytes | Path) -> None:
    if isinstance(data, Path):
        # Through a checked descriptor: a name swapped for a link to a device or to
        # someone else's file meanwhile is refused, never copied.
        for chunk in copy_chunks(data):
            handle.write(chunk)
    else:
        handle.write(data)


def _owner_only(descriptor: int) -> None:
    # The umask may have taken bits off, never added any; set the mode exactly anyway.
    if hasattr(os, "fchmod"):
        os.fchmod(descriptor, PRIVATE_FILE)


def _fsync(path: Path, *, folder: bool = False) -> None:
    """Flush ``path`` (a written file, or a folder whose entries changed) to the disk."""
    try:
        # Windows flushes only what may be written, and cannot open a folder at all
        # (there the rename is durable by itself).
        descriptor = os.open(path, os.O_RDONLY if folder else os.O_RDWR | _BINARY)
    except OSError:
        if folder:
            return
        raise
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _fsync_all(paths: list[Path]) -> None:
    if len(paths) == 1:
        _fsync(paths[0])
        return
    with ThreadPoolExecutor(max_workers=min(_SYNC_THREADS, len(paths)),
                            thread_name_prefix="planwatch-fsync") as pool:
        list(pool.map(_fsync, paths))


def _names(folder: Path, name: str, sha256: str) -> Iterator[Path]:
    """``name``, then ``name`` with a short hash, then numbered: candidates in order."""
    target = folder / safe_name(name)
    yield target
    stem, suffix = target.stem, target.suffix
    yield folder / safe_name(f"{stem}-{sha256[:10]}{suffix}")
    for counter in itertools.count(2):
        yield folder / safe_name(f"{stem}-{sha256[:10]}-{counter}{suffix}")


def _link_into_place(temporary: Path, folder: Path, name: str,
                     sha256: str) -> tuple[Path, bool]:
    """The name the copy now has, and whether it was linked there now (False: the same
    content was already kept under it)."""
    for candidate in _names(folder, name, sha256):
        if not candidate.exists() and _link(temporary, candidate):
            return candidate, True
        if _same_content(candidate, sha256):  # there already, or made meanwhile
            return candidate, False
    raise AssertionError("unreachable")  # pragma: no cover


def _link(temporary: Path, target: Path) -> bool:
    """Give ``temporary`` the name ``target`` unless that name exists; whether it did."""
    try:
        os.link(temporary, target)
    except FileExistsError:
        return False
    except OSError:
        # No hard links here (some network filesystems): claim the name exclusively,
        # then rename the file over it.
        try:
            os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
        except FileExistsError:
            return False
        temporary.replace(target)
    return True


def _same_content(path: Path, sha256: str) -> bool:
    try:
        return sha256_of(path) == sha256
    except (OSError, NotARegularFile, CannotOpen):
        return False  # gone, unreadable, or not a file we wrote: not the same content
