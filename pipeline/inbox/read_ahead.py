"""Reading the next file of a backlog while this one is archived and stored.

With the sandboxed reader, ``planwatch ingest`` would otherwise take turns: the worker
process reads a file while this process waits, then this process archives and stores it
while the worker waits. :class:`ReadAhead` hands the worker the next file as soon as it
has answered for the current one, so the two overlap and a backlog goes at the pace of
the slower of the two instead of both added up.

It is only a cache of the reader's answers: every file is still claimed, checked for
duplicates, archived and stored exactly as before, and an answer is used only for the
very bytes ingest then reads (a file changed in between is read again). All reading goes
through one thread, so the worker never sees two requests at once.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from types import TracebackType

from pipeline.readers.safety import Limits
from pipeline.records import RawForm, Record

Parse = Callable[[Path, bytes], tuple[RawForm, Record]]


class ReadAhead:
    """Wraps a ``parse`` for a known list of files (see the module docstring)."""

    def __init__(self, parse: Parse, files: list[Path], limits: Limits) -> None:
        self._parse = parse
        self._files = files
        self._limits = limits
        self._position = {path: index for index, path in enumerate(files)}
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="planwatch-read")
        self._pending: dict[Path, tuple[bytes, Future[tuple[RawForm, Record]]]] = {}

    def parse(self, path: Path, data: bytes) -> tuple[RawForm, Record]:
        """What ``parse(path, data)`` returns (or raises), read ahead when it could be."""
        pending = self._pending.pop(path, None)
        if pending is not None and pending[0] == data:
            future = pending[1]
        else:
            future = self._pool.submit(self._parse, path, data)
        try:
            return future.result()
        finally:
            self._read_next(path)

    def _read_next(self, path: Path) -> None:
        index = self._position.get(path)
        if index is None:
            return
        # Answers for files already passed (a duplicate is never parsed) are dropped.
        self._pending = {p: v for p, v in self._pending.items() if self._position[p] > index}
        if index + 1 >= len(self._files) or self._files[index + 1] in self._pending:
            return
        following = self._files[index + 1]
        try:
            if following.stat().st_size > self._limits.max_file_bytes:
                return  # refused unread by ingest: never loaded into memory here either
            data = following.read_bytes()
        except OSError:
            return  # ingest will say what is wrong when it gets there
        self._pending[following] = (data, self._pool.submit(self._parse, following, data))

    def close(self) -> None:
        """Wait for the read in progress (the reader must not be used after it closes)."""
        self._pending.clear()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> ReadAhead:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()
