"""Releasing a file only when it has finished arriving.

Copies to a share arrive in chunks and Word writes in several steps, so a file is taken
only when its size and modification time have stayed the same for ``settle_seconds``,
it is not empty, and it can be opened for reading (Windows refuses while a writer holds
it). The clock is injectable so tests can use short windows (paperless-ngx's
FileStabilityTracker works the same way).

Names are looked at with ``lstat`` and opened without following links or blocking: a
link, FIFO or device is released at once (ingest rejects it unread), never waited on.
A file that still cannot be opened after the empty-file grace period (permission
denied) is released too, so that ingest says why and the watcher retries it with
growing pauses, instead of it settling unseen for ever. A copy that pauses for longer
than the window is caught later, by ingest's check that the file is still the one read.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipeline.inbox.dropped import CannotOpen, NotARegularFile, open_regular


@dataclass
class _Seen:
    size: int
    mtime_ns: int
    stable_since: float
    regular: bool = True


def _signature(path: Path) -> tuple[int, int, bool] | None:
    try:
        info = os.lstat(path)  # a link is looked at itself, never followed
    except OSError:
        return None
    return info.st_size, info.st_mtime_ns, stat.S_ISREG(info.st_mode)


def _readable(path: Path) -> bool:
    """Can ``path`` be opened and read now? (Never blocks: see the module docstring.)"""
    try:
        descriptor, _ = open_regular(path)
    except NotARegularFile:
        return True  # released at once: ingest rejects it without reading it
    except (OSError, CannotOpen):
        return False
    try:
        os.read(descriptor, 1)
    except OSError:
        return False
    finally:
        os.close(descriptor)
    return True


class StabilityTracker:
    """Files being watched, and which of them have settled."""

    def __init__(self, settle_seconds: float, clock: Callable[[], float] = time.monotonic,
                 *, empty_grace_seconds: float = 60.0) -> None:
        self.settle_seconds = settle_seconds
        self.clock = clock
        # An empty file is usually one being created; one still empty after this long is
        # released so that it gets an outcome (rejected: empty) instead of waiting forever.
        self.empty_grace_seconds = max(empty_grace_seconds, settle_seconds)
        self._seen: dict[Path, _Seen] = {}

    def __len__(self) -> int:
        return len(self._seen)

    def __contains__(self, path: Path) -> bool:
        return path in self._seen

    def observe(self, path: Path) -> None:
        """Note a file (new, or an event said it changed)."""
        signature = _signature(path)
        if signature is None:
            self._seen.pop(path, None)
            return
        seen = self._seen.get(path)
        if seen is None or (seen.size, seen.mtime_ns, seen.regular) != signature:
            self._seen[path] = _Seen(*signature[:2], stable_since=self.clock(),
                                     regular=signature[2])

    def forget(self, path: Path) -> None:
        self._seen.pop(path, None)

    def settled(self) -> list[Path]:
        """Files unchanged for the settle window (longer if empty) and readable, oldest first."""
        now = self.clock()
        ready: list[tuple[float, Path]] = []
        for path, seen in list(self._seen.items()):
            signature = _signature(path)
            if signature is None:
                del self._seen[path]  # gone (moved away, or deleted by a person)
                continue
            if (seen.size, seen.mtime_ns, seen.regular) != signature:
                self._seen[path] = _Seen(*signature[:2], stable_since=now,
                                         regular=signature[2])
                continue
            if not seen.regular:
                ready.append((seen.stable_since, path))  # never read: nothing to wait for
                continue
            waited = now - seen.stable_since
            window = self.settle_seconds if seen.size > 0 else self.empty_grace_seconds
            if waited >= window and (_readable(path) or waited >= self.empty_grace_seconds):
                ready.append((seen.stable_since, path))
        return [path for _, path in sorted(ready, key=lambda item: (item[0], str(item[1])))]
