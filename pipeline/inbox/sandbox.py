"""Reading untrusted files in a worker process with a time and a memory limit.

Parsers have bugs that hang or balloon on crafted input (pypdf has had several such
CVEs). Each file is read and validated in a long-lived worker process whose address
space is capped; if it takes longer than the time limit it is killed and replaced, and
the file is rejected with a reason, while the caller carries on.

Contract: ``SandboxedReader.read(path, data)`` returns ``(RawForm, Record)`` or raises
:class:`FormReadError`: :class:`ReaderLimitError` when the time or memory limit was hit
(or the reader failed), which is no verdict on the file. Load is not a verdict: a file
that hits a limit is read once more in a fresh worker with both limits doubled before
that error is given.
Ctrl+C in a terminal sends SIGINT to the whole process group: a reader ignores it, from
the moment it starts, and the parent stops its readers (the watcher or ``ingest`` says
it stopped; a reader prints nothing).
:class:`ReaderPool` is several such workers behind one ``read`` that may be called from
several threads at once (a backlog is read in parallel); each worker has the same limits.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import multiprocessing.connection
import os
import queue
import signal
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

from pipeline.errors import FormReadError, ReaderLimitError, ReaderStartError, UnsafeFileError
from pipeline.records import RawForm, Record

_CONTEXT = multiprocessing.get_context("spawn")
# "module:function" taking (path, catalogue, data=...) and returning a RawForm; tests swap
# in readers that hang or balloon to prove the limits hold.
DEFAULT_READER = "pipeline.formats.reading:read_form"
# How long a worker may take to start (imports and the form catalogue), on a busy machine.
STARTUP_SECONDS = 120
_HINT = "This is not a normal form; check where it came from, or save it again and retry."
_LIMIT_HINT = ("The machine may have been busy: drop the same file again later and it is "
               "tried again. If this repeats, save the form again, or report it.")
log = logging.getLogger("planwatch.ingest")


def _limit_memory(memory_mb: int) -> None:
    try:
        import resource
    except ImportError:  # pragma: no cover  (Windows: no rlimits; the time limit still holds)
        return
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


@contextlib.contextmanager
def _sigint_blocked() -> Iterator[None]:
    """SIGINT held back in this thread while a reader process starts.

    A spawned process inherits the signal mask of the thread that started it, so the
    reader starts with SIGINT blocked and a Ctrl+C while it imports (before ``_worker``
    can ignore it) prints no ``KeyboardInterrupt`` traceback either. Only this thread's
    mask changes: the parent's Ctrl+C reaches it as before (a signal for this thread
    waits until the end).
    """
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover  (Windows)
        yield
        return
    from multiprocessing import resource_tracker

    # The standard library's resource tracker starts with the first spawned process, and
    # unblocks SIGINT in this thread once it has started (before our reader is spawned):
    # start it first.
    resource_tracker.ensure_running()
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _ignore_sigint() -> None:
    """Ctrl+C is for the parent: it stops its readers. Ignored, a SIGINT sent to the
    whole process group (a terminal's Ctrl+C) never interrupts a read or prints a
    traceback; a pending one is discarded."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _worker(connection: multiprocessing.connection.Connection, forms_dir: str,
            memory_mb: int, reader: str) -> None:
    """Serve read requests until the parent closes the pipe."""
    _ignore_sigint()
    import importlib

    from pipeline.definitions import Catalogue
    from pipeline.formats.containment import install
    from pipeline.validate import validate

    install()  # third-party messages never reach this process's stderr, whatever reads
    module, _, name = reader.partition(":")
    read_form = getattr(importlib.import_module(module), name)
    _limit_memory(memory_mb)
    catalogue = Catalogue.load(Path(forms_dir))
    connection.send(("ready",))  # started: from now on each file has its time limit
    while True:
        try:
            name, data = connection.recv()
        except EOFError:
            return
        try:
            raw = read_form(Path(name), catalogue, data=data)
            record = validate(raw, catalogue.get(raw.form_id))
            reply: tuple[Any, ...] = ("ok", raw, record)
        except FormReadError as exc:
            reply = ("error", type(exc).__name__, exc.problem, exc.hint)
        except MemoryError:
            reply = ("limit", "memory")
        except RecursionError:
            reply = ("limit", "recursion")
        except Exception as exc:  # a reader bug must not take the watcher down
            # Only the exception's type travels (for the log): its message may quote
            # the file's own bytes.
            reply = ("crash", type(exc).__name__)
        del data
        connection.send(reply)


class SandboxedReader:
    """A worker process that reads one file at a time (see the module docstring)."""

    def __init__(self, forms_dir: Path, *, timeout_seconds: float = 30.0,
                 memory_mb: int = 1024, reader: str = DEFAULT_READER) -> None:
        self.forms_dir = forms_dir
        self.reader = reader
        self.timeout_seconds = timeout_seconds
        self.memory_mb = memory_mb
        self._process: multiprocessing.process.BaseProcess | None = None
        self._connection: multiprocessing.connection.Connection | None = None

    def _start(self) -> multiprocessing.connection.Connection:
        if self._process is not None and self._process.is_alive() and self._connection:
            return self._connection
        self._stop()
        parent, child = _CONTEXT.Pipe()
        process = _CONTEXT.Process(target=_worker, args=(child, str(self.forms_dir),
                                                          self.memory_mb, self.reader),
                                   name="planwatch-reader", daemon=True)
        with _sigint_blocked():
            process.start()
        child.close()
        self._process, self._connection = process, parent
        # Starting (imports, the form catalogue) is not the file's time: a loaded machine
        # can take seconds, and that must never get a good file rejected as hung.
        try:
            ready = parent.poll(STARTUP_SECONDS) and parent.recv() == ("ready",)
        except (EOFError, OSError):
            ready = False
        if not ready:
            self._stop()
            raise ReaderStartError(
                f"The reader process did not start within {STARTUP_SECONDS} seconds.",
                hint="Check the machine's memory and load, and that the forms folder "
                "loads (`planwatch forms list`), then run the command again.")
        return parent

    def _stop(self) -> None:
        if self._connection is not None:
            self._connection.close()
        if self._process is not None:
            if self._process.is_alive():
                self._process.kill()
            self._process.join(timeout=5)
        self._process = self._connection = None

    def read(self, path: Path, data: bytes) -> tuple[RawForm, Record]:
        try:
            return self._read(path, data)
        except ReaderLimitError as limit:
            if not limit.retry_larger:
                raise
            first = limit
        # Load is not a verdict: once more, alone, in a fresh worker with both limits
        # doubled, before the file is rejected.
        log.info("reader_limit_retry", extra={"timeout_seconds": self.timeout_seconds * 2,
                                              "memory_mb": self.memory_mb * 2})
        with SandboxedReader(self.forms_dir, timeout_seconds=self.timeout_seconds * 2,
                             memory_mb=self.memory_mb * 2, reader=self.reader) as larger:
            try:
                return larger._read(path, data)
            except ReaderLimitError as second:
                raise ReaderLimitError(
                    path, f"{first.problem}, and again when it was read once more alone "
                    "with twice the time and memory", hint=first.hint) from second

    def _read(self, path: Path, data: bytes) -> tuple[RawForm, Record]:
        connection = self._start()
        try:
            connection.send((path.name, data))
            if not connection.poll(self.timeout_seconds):
                self._stop()
                raise ReaderLimitError(
                    path, f"reading it took longer than {self.timeout_seconds:g} seconds, so "
                    "it was stopped", hint=_LIMIT_HINT, retry_larger=True)
            reply = connection.recv()
        except (EOFError, OSError, BrokenPipeError) as exc:
            self._stop()
            raise ReaderLimitError(path, "reading it made the reader stop unexpectedly",
                                   hint=_LIMIT_HINT, retry_larger=True) from exc
        kind = reply[0]
        if kind == "ok":
            return reply[1], reply[2]
        if kind == "error":
            if reply[1] == "ReaderLimitError":  # a fault in the reader: no verdict
                raise ReaderLimitError(path, reply[2], hint=reply[3])
            error = UnsafeFileError if reply[1] == "UnsafeFileError" else FormReadError
            raise error(path, reply[2], hint=reply[3])
        self._stop()  # after a limit or a crash, start the next file in a fresh process
        if kind == "limit":
            if reply[1] == "memory":
                raise ReaderLimitError(
                    path, f"reading it needed more than the {self.memory_mb} MB allowed",
                    hint=_LIMIT_HINT, retry_larger=True)
            raise UnsafeFileError(path, "its structure is nested too deeply to read",
                                  hint=_HINT)
        log.error("reader_failed", extra={"error_type": str(reply[1])})
        raise ReaderLimitError(path, "Planwatch's reader failed on it (a fault in Planwatch, "
                               "not necessarily in the file)", hint=_LIMIT_HINT)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._stop()

    def __enter__(self) -> SandboxedReader:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()


def default_workers() -> int:
    """Reader processes for a backlog when the settings do not say: one per CPU, up to 4."""
    return max(1, min(4, os.cpu_count() or 1))


class ReaderPool:
    """``workers`` sandboxed readers; ``read`` uses whichever is free (see the module
    docstring). Workers start when first needed, so a pool costs nothing until used."""

    def __init__(self, forms_dir: Path, *, workers: int = 1, timeout_seconds: float = 30.0,
                 memory_mb: int = 1024, reader: str = DEFAULT_READER) -> None:
        self.workers = max(1, workers)
        self._readers = [SandboxedReader(forms_dir, timeout_seconds=timeout_seconds,
                                         memory_mb=memory_mb, reader=reader)
                         for _ in range(self.workers)]
        self._idle: queue.SimpleQueue[SandboxedReader] = queue.SimpleQueue()
        for worker in self._readers:
            self._idle.put(worker)

    def read(self, path: Path, data: bytes) -> tuple[RawForm, Record]:
        worker = self._idle.get()
        try:
            return worker.read(path, data)
        finally:
            self._idle.put(worker)

    def close(self) -> None:
        for worker in self._readers:
            worker.close()

    def __enter__(self) -> ReaderPool:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()
