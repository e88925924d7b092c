"""Releasing a file only when it has finished arriving.

Copies to a share arrive in chunks and Word writes in several steps, so a file is taken
only when its size and modification time have stayed the same for ``settle_seconds``,
it is not empty, and it can be opened for reading (Windows refuses while a writer holds
it). The clock is injectable so tests can use short windows (paperless-ngx's
FileStabilityTracker works the same way).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass
class _Seen:
    size: int
    mtime_ns: int
    stable_since: float


def _signature(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_size, info.st_mtime_ns


def _readable(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            handle.read(1)
    except OSError:
        return False
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
        if seen is None or (seen.size, seen.mtime_ns) != signature:
            self._seen[path] = _Seen(*signature, stable_since=self.clock())

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
            if (seen.size, seen.mtime_ns) != signature:
                self._seen[path] = _Seen(*signature, stable_since=now)
                continue
            window = self.settle_seconds if seen.size > 0 else self.empty_grace_seconds
            if now - seen.stable_since >= window and _readable(path):
                ready.append((seen.stable_since, path))
        return [path for _, path in sorted(ready, key=lambda item: (item[0], str(item[1])))]
