"""Opening a dropped file: only a regular file, read only through the descriptor checked.

Anything can be dropped into a shared folder, and the name can change under us between
looking and reading. So a file is opened once, with ``O_NOFOLLOW`` (a symbolic link is
refused, never followed to ``/etc/passwd`` or the store's own files) and ``O_NONBLOCK``
(a FIFO swapped in after settling cannot block the watcher), the open descriptor is
``fstat``-ed and refused unless it is a regular file (never ``/dev/zero``), and at most
the size limit plus one byte is read from that same descriptor.

The :class:`Identity` read then (device, inode, size, modification time) and the
content hash say which file was judged. Before a file leaves the inbox,
:meth:`Dropped.unchanged` checks it is still that file: a copy that paused longer than
the settle window and then carried on is left to settle and be taken again, never lost
with a verdict on its first half.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

_CHUNK = 1024 * 1024
_FLAGS = (os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
          | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))
NOT_A_FILE_REASON = ("This is a link or special file, not a form, so Planwatch did not "
                     "read it and removed it from the inbox. Copy the file itself into the "
                     "inbox.")


class NotARegularFile(Exception):
    """The name is a symbolic link, FIFO, socket, device or folder: never read."""

    def __init__(self, path: Path, kind: str) -> None:
        super().__init__(f"{path.name}: {kind}")
        self.path = path
        self.kind = kind


class CannotOpen(Exception):
    """The file is there but cannot be opened or read now (permission, a lock, I/O)."""

    def __init__(self, path: Path, error: OSError) -> None:
        super().__init__(f"{path.name}: {errno.errorcode.get(error.errno or 0, 'error')}")
        self.path = path
        self.errno = error.errno
        self.permission = error.errno in (errno.EACCES, errno.EPERM)

    @property
    def reason(self) -> str:
        if self.permission:
            return ("Planwatch is not allowed to read this file (permission denied). Ask "
                    "whoever manages the shared folder to let Planwatch read it; it is "
                    "tried again regularly and stays in the inbox until then.")
        return ("The file cannot be read just now (it may be open in another program, "
                "still copying, or the share may have a problem). It stays in the inbox "
                "and is tried again.")


@dataclass(frozen=True)
class Identity:
    """Which file a name pointed at when it was read."""

    device: int
    inode: int
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, info: os.stat_result) -> Identity:
        return cls(info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)


@dataclass(frozen=True)
class Dropped:
    """A regular file as it was read: its identity, hash and (unless too big) content."""

    path: Path
    identity: Identity
    sha256: str
    data: bytes | None  # None: larger than the limit, hashed by streaming, never loaded

    @property
    def too_big(self) -> bool:
        return self.data is None

    def unchanged(self) -> bool:
        """Is ``path`` still this file: a regular file, same inode, size, modification
        time and content? (False when it is gone, or being written to again.)"""
        try:
            info = os.lstat(self.path)
        except OSError:
            return False
        if not stat.S_ISREG(info.st_mode) or Identity.of(info) != self.identity:
            return False
        try:
            return sha256_of(self.path) == self.sha256
        except (OSError, NotARegularFile, CannotOpen):
            return False


def kind_of(mode: int) -> str | None:
    """What a file mode says a name is, when it is not a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


def open_regular(path: Path) -> tuple[int, os.stat_result]:
    """A descriptor for ``path``, which must be a regular file (never followed if a
    link), and its ``fstat``. Raises :class:`NotARegularFile` or :class:`CannotOpen`;
    ``FileNotFoundError`` when the name is gone."""
    # Looked at first, so a device is never even opened (opening one can act on it);
    # the descriptor's own fstat below closes the race with a name swapped meanwhile.
    kind = _lstat_kind(path)
    if kind is not None:
        raise NotARegularFile(path, kind)
    try:
        descriptor = os.open(path, _FLAGS)
    except FileNotFoundError:
        raise
    except OSError as exc:
        if exc.errno == errno.ELOOP or (exc.errno == errno.EMLINK and path.is_symlink()):
            raise NotARegularFile(path, "a symbolic link") from None
        if exc.errno in (errno.ENXIO, errno.EOPNOTSUPP):  # a socket cannot be opened
            kind = _lstat_kind(path) or "a special file"
            raise NotARegularFile(path, kind) from None
        if exc.errno == errno.EISDIR:
            raise NotARegularFile(path, "a folder") from None
        raise CannotOpen(path, exc) from None
    try:
        info = os.fstat(descriptor)
        kind = kind_of(info.st_mode)
        if kind is not None:
            raise NotARegularFile(path, kind)
        # Reads block again from here: a regular file is never waited on, and a share's
        # slow read must not fail with EAGAIN.
        os.set_blocking(descriptor, True)
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor, info


def _lstat_kind(path: Path) -> str | None:
    """What ``path`` is, when it is not a regular file (never following a link); None
    for a regular file, or a name that cannot be looked at (opening it will say why)."""
    try:
        return kind_of(os.lstat(path).st_mode)
    except OSError:
        return None


def _chunks(descriptor: int, limit: int | None) -> Iterator[bytes]:
    """The file's bytes in chunks, up to ``limit`` bytes (None: to the end)."""
    left = limit
    while left is None or left > 0:
        chunk = os.read(descriptor, _CHUNK if left is None else min(_CHUNK, left))
        if not chunk:
            return
        if left is not None:
            left -= len(chunk)
        yield chunk


def read_dropped(path: Path, max_bytes: int) -> Dropped:
    """Open and read ``path`` safely (see the module docstring).

    A file over ``max_bytes`` is hashed by streaming (never held in memory) and comes
    back with ``data=None``: it is refused unread, and kept by :func:`copy_chunks`.
    """
    descriptor, info = open_regular(path)
    try:
        try:
            head = b"".join(_chunks(descriptor, max_bytes + 1))
            if len(head) <= max_bytes:
                return Dropped(path, Identity.of(info), hashlib.sha256(head).hexdigest(), head)
            digest = hashlib.sha256(head)
            del head
            # A regular file: its end is where it ends now, however long it is.
            for chunk in _chunks(descriptor, None):
                digest.update(chunk)
        except OSError as exc:
            raise CannotOpen(path, exc) from None
        return Dropped(path, Identity.of(info), digest.hexdigest(), None)
    finally:
        os.close(descriptor)


def copy_chunks(path: Path) -> Iterator[bytes]:
    """The content of the regular file ``path``, in chunks, through a checked descriptor
    (a name swapped for a link or device meanwhile raises instead of being read)."""
    descriptor, _ = open_regular(path)
    try:
        yield from _chunks(descriptor, None)
    finally:
        os.close(descriptor)


def sha256_of(path: Path) -> str:
    """The content hash of the regular file ``path``, read in chunks through a checked
    descriptor (it may be far too big to load; a link or device is refused)."""
    digest = hashlib.sha256()
    for chunk in copy_chunks(path):
        digest.update(chunk)
    return digest.hexdigest()
