"""Moving files safely: archive and rejected copies that survive a crash at any instant.

A copy is written to a temporary name in the target folder, fsynced, then renamed into
place and the folder fsynced, so a crash leaves either no copy or a whole one (never a
half-written file under the real name). Copies are owner-only (0600): these are forms
about people at risk.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import unicodedata
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from pipeline.inbox.dropped import copy_chunks

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
TEMP_PREFIX = ".planwatch-tmp-"
# Keep names well under every filesystem's 255-byte limit, even in UTF-8.
MAX_NAME_BYTES = 180
# Disk flushes asked for at once: the filesystem commits concurrent fsyncs together.
_SYNC_THREADS = 8


def safe_name(name: str) -> str:
    """A file name that is safe on Linux, Windows shares and macOS, keeping what it can."""
    name = unicodedata.normalize("NFC", Path(name.replace("\\", "/")).name)
    name = re.sub(r'[\x00-\x1f<>:"/\\|?*]', "_", name).strip(" ").rstrip(".")
    # Never hidden, never mistaken for a temporary copy, never empty.
    if not name or name.startswith("."):
        name = f"file{name}"
    stem, suffix = Path(name).stem, Path(name).suffix[:16]
    while len((stem + suffix).encode("utf-8")) > MAX_NAME_BYTES:
        stem = stem[:-1]
    return stem + suffix


def private_dir(folder: Path) -> Path:
    """``folder``, made if missing, with every folder this creates owner-only (0700).

    ``mkdir(parents=True, mode=...)`` gives only the last folder the mode (the parents
    get the umask's default, 0755): ``archive/2026`` would be readable by anyone.
    Existing folders are left as they are.
    """
    missing: list[Path] = []
    current = folder
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for new in reversed(missing):
        try:
            new.mkdir(mode=PRIVATE_DIR)
        except FileExistsError:
            continue  # made by another process meanwhile
        new.chmod(PRIVATE_DIR)  # the umask may have taken bits away, never adds any
    return folder


def _fsync(path: Path, flags: int = os.O_RDONLY) -> None:
    descriptor = os.open(path, flags)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _fsync_dir(folder: Path) -> None:
    _fsync(folder)


def _fsync_file(path: Path) -> None:
    _fsync(path, os.O_RDWR)  # Windows flushes only what may be written


def _names(folder: Path, name: str, sha256: str) -> Iterator[Path]:
    """``name``, then ``name`` with a short hash, then numbered: candidates in order."""
    target = folder / safe_name(name)
    yield target
    stem, suffix = target.stem, target.suffix
    yield folder / safe_name(f"{stem}-{sha256[:10]}{suffix}")
    for counter in itertools.count(2):
        yield folder / safe_name(f"{stem}-{sha256[:10]}-{counter}{suffix}")


def unique_target(folder: Path, name: str, sha256: str) -> Path:
    """The name :func:`keep_copy` would use now (the same content there is reused)."""
    for candidate in _names(folder, name, sha256):
        if not candidate.exists() or _same_content(candidate, sha256):
            return candidate
    raise AssertionError("unreachable")  # pragma: no cover


def keep_copy(folder: Path, name: str, sha256: str, data: bytes | Path) -> Path:
    """Keep ``data`` in ``folder`` under ``name`` (or a variant of it), durably.

    Never overwrites other content, even when another watcher picks the same name at the
    same moment: the fsynced temporary file is hard-linked into place, which fails if the
    name exists. The same content already there (a run interrupted after copying) is
    reused, so a restart never leaves a second copy behind.
    """
    return keep_copies([Copy(folder, name, sha256, data)])[0]


@dataclass(frozen=True)
class Copy:
    """One file for :func:`keep_copies`: where, under what name, and its content."""

    folder: Path
    name: str
    sha256: str
    data: bytes | Path


def keep_copies(copies: list[Copy]) -> list[Path]:
    """:func:`keep_copy` for several files at once, with the same guarantees.

    The temporary copies are all written first and then fsynced together from a few
    threads, so the filesystem commits them in one go instead of one disk flush each; each
    folder is fsynced once, after every name in it is in place. Returns the paths in order.
    """
    temporaries: list[Path] = []
    try:
        for copy in copies:
            temporaries.append(_temporary(copy.folder, copy.data))
        _fsync_all(temporaries)
        kept = [_link_into_place(temporary, copy.folder, copy.name, copy.sha256)
                for temporary, copy in zip(temporaries, copies, strict=True)]
        for folder in sorted({path.parent for path, linked in kept if linked}):
            _fsync_dir(folder)
    finally:
        for temporary in temporaries:
            temporary.unlink(missing_ok=True)
    return [path for path, _ in kept]


def _fsync_all(paths: list[Path]) -> None:
    if len(paths) == 1:
        _fsync_file(paths[0])
        return
    with ThreadPoolExecutor(max_workers=min(_SYNC_THREADS, len(paths)),
                            thread_name_prefix="planwatch-fsync") as pool:
        list(pool.map(_fsync_file, paths))


def _link_into_place(temporary: Path, folder: Path, name: str,
                     sha256: str) -> tuple[Path, bool]:
    """The name the copy now has, and whether it was linked there now (False: the same
    content was already kept under it)."""
    for candidate in _names(folder, name, sha256):
        if candidate.exists():
            if _same_content(candidate, sha256):
                return candidate, False
            continue
        try:
            os.link(temporary, candidate)
        except FileExistsError:
            if _same_content(candidate, sha256):
                return candidate, False
            continue
        except OSError:
            # No hard links here (some network filesystems): claim the name
            # exclusively, then rename the copy over it.
            try:
                os.close(os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL,
                                 PRIVATE_FILE))
            except FileExistsError:
                continue
            temporary.replace(candidate)
        return candidate, True
    raise AssertionError("unreachable")  # pragma: no cover


def _same_content(path: Path, sha256: str) -> bool:
    try:
        return sha256_of(path) == sha256
    except OSError:
        return False


def sha256_of(path: Path) -> str:
    """The content hash of a file, read in chunks (it may be far too big to load)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _temporary(folder: Path, data: bytes | Path) -> Path:
    """``data`` in a new temporary file in ``folder``, not yet fsynced (its name need not
    be: only the name it is linked to is kept, and that is made durable by the caller)."""
    private_dir(folder)
    temporary = folder / f"{TEMP_PREFIX}{os.getpid()}-{uuid.uuid4().hex}"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            _write(handle, data, sync=False)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary


def _write(handle: BinaryIO, data: bytes | Path, *, sync: bool = True) -> None:
    if isinstance(data, Path):
        # Through a checked descriptor: a name swapped for a link to a device or to
        # someone else's file meanwhile is refused, never copied.
        for chunk in copy_chunks(data):
            handle.write(chunk)
    else:
        handle.write(data)
    handle.flush()
    if sync:
        os.fsync(handle.fileno())


def write_durably(target: Path, data: bytes | Path) -> Path:
    """Write ``data`` (bytes, or a file's contents streamed) to ``target`` via a fsynced
    temporary file and an atomic rename."""
    private_dir(target.parent)
    temporary = target.parent / f"{TEMP_PREFIX}{os.getpid()}-{target.name}"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            _write(handle, data)
        temporary.replace(target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _fsync_dir(target.parent)
    return target


def archive_folder(archive_root: Path, received: datetime) -> Path:
    """``archive/YYYY/MM`` for the month a file was received (UK time)."""
    return archive_root / f"{received:%Y}" / f"{received:%m}"


def clean_temporary_files(*folders: Path) -> list[Path]:
    """Remove temporary copies a crash left behind (never a completed file)."""
    removed: list[Path] = []
    for folder in folders:
        if not folder.exists():
            continue
        for leftover in folder.rglob(f"{TEMP_PREFIX}*"):
            leftover.unlink(missing_ok=True)
            removed.append(leftover)
    return removed
