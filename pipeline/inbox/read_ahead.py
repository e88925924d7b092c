"""Reading the next files of a backlog while this one is archived and stored.

With sandboxed readers, ``planwatch ingest`` would otherwise take turns: a worker process
reads a file while this process waits, then this process stores it while the workers
wait. :class:`ReadAhead` keeps the readers busy with the files that come next (as many
at once as there are ``workers``), so reading and storing overlap and several files are
read in parallel.

It is only a cache of the reader's answers: every file is still claimed, checked for
duplicates, archived and stored exactly as before, and an answer is used only for the
very bytes ingest then reads (a file changed in between is read again).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from types import TracebackType

from pipeline.formats.safety import Limits
from pipeline.inbox.dropped import CannotOpen, NotARegularFile, read_dropped
from pipeline.records import RawForm, Record

Parse = Callable[[Path, bytes], tuple[RawForm, Record]]
# Files read ahead per worker: enough to keep each busy while this process stores.
_AHEAD_PER_WORKER = 4


class ReadAhead:
    """Wraps a ``parse`` for a known list of files (see the module docstring).

    ``parse`` must accept ``workers`` calls at once (a :class:`ReaderPool`'s ``read``
    does); with one worker it is only ever called once at a time.
    """

    def __init__(self, parse: Parse, files: list[Path], limits: Limits, *,
                 workers: int = 1) -> None:
        self._parse = parse
        self._files = files
        self._limits = limits
        self._window = max(1, workers) * _AHEAD_PER_WORKER
        self._position = {path: index for index, path in enumerate(files)}
        self._pool = ThreadPoolExecutor(max_workers=max(1, workers),
                                        thread_name_prefix="planwatch-read")
        self._pending: dict[Path, tuple[bytes, Future[tuple[RawForm, Record]]]] = {}
        self._next = 0  # the first file not yet handed to the readers

    def parse(self, path: Path, data: bytes) -> tuple[RawForm, Record]:
        """What ``parse(path, data)`` returns (or raises), read ahead when it could be."""
        pending = self._pending.pop(path, None)
        if pending is not None and pending[0] == data:
            future = pending[1]
        else:
            future = self._pool.submit(self._parse, path, data)
        self._read_ahead(path)
        return future.result()

    def _read_ahead(self, path: Path) -> None:
        index = self._position.get(path)
        if index is None:
            return
        # Answers for files already passed (a duplicate is never parsed) are dropped.
        self._pending = {p: v for p, v in self._pending.items() if self._position[p] > index}
        self._next = max(self._next, index + 1)
        while self._next < len(self._files) and self._next <= index + self._window:
            following = self._files[self._next]
            self._next += 1
            try:
                # The same safe open as ingest: never a link, a FIFO or a device.
                dropped = read_dropped(following, self._limits.max_file_bytes)
            except (OSError, NotARegularFile, CannotOpen):
                continue  # ingest will say what is wrong when it gets there
            if dropped.data is None:
                continue  # refused unread by ingest: never parsed here either
            self._pending[following] = (dropped.data,
                                        self._pool.submit(self._parse, following, dropped.data))

    def close(self) -> None:
        """Wait for the reads in progress (the reader must not be used after it closes)."""
        self._pending.clear()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> ReadAhead:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()
