"""The watch loop: events and re-scans in, settled files out, one at a time, forever.

The watcher only detects and releases files; each released file goes through the same
``ingest_file`` as `planwatch ingest`, which makes it exactly-once by content hash. The
loop survives what shared folders do: native events that never arrive (``--poll``),
events lost under load (a full re-scan every ``rescan_seconds``, see paperless-ngx GH
#13011), an observer thread that dies, and the folder vanishing while a share is offline
(retried with backoff, then re-scanned when it returns). One bad file never stops it:
a file whose ingest fails unexpectedly stays in the inbox and is retried with backoff.

What is wrong is said, not only logged: a machine problem while storing (the store
unreachable, the disk full: :func:`pipeline.inbox.failures.machine_problem`) becomes the
status's health until a file is stored again, and a file that cannot be opened
(permission denied) is listed in the status as blocked, logged once, and retried with
growing pauses. A file that changed while it was read is watched again until it settles.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from pipeline.inbox.candidates import IGNORED_PATTERNS, is_candidate
from pipeline.inbox.failures import machine_problem
from pipeline.inbox.ingest import IngestResult, Outcome
from pipeline.watch.settle import StabilityTracker
from pipeline.watch.status import WatchStatus, write_status

log = logging.getLogger("planwatch.watch")
MAX_BACKOFF_SECONDS = 300.0


@dataclass(frozen=True)
class WatchOptions:
    settle_seconds: float = 2.0
    rescan_seconds: float = 60.0
    poll_seconds: float | None = None
    ignored: tuple[str, ...] = IGNORED_PATTERNS
    tick_seconds: float = 0.25
    empty_grace_seconds: float = 60.0

    @property
    def mode(self) -> str:
        return f"polling every {self.poll_seconds:g} s" if self.poll_seconds else "native events"


class _Handler(FileSystemEventHandler):
    def __init__(self, inbox: queue.SimpleQueue[Path]) -> None:
        self.inbox = inbox

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory:
            return
        target = getattr(event, "dest_path", "") or event.src_path
        self.inbox.put(Path(os.fsdecode(target)))


@dataclass
class _Backoff:
    failures: int = 0
    next_try: float = 0.0

    def fail(self, now: float) -> float:
        self.failures += 1
        delay = min(MAX_BACKOFF_SECONDS, 2.0 ** (self.failures - 1))
        self.next_try = now + delay
        return delay


@dataclass
class Watcher:
    """Watches ``inbox`` and hands each settled file to ``ingest`` (see module docstring)."""

    inbox: Path
    home: Path
    ingest: Callable[[Path], IngestResult]
    options: WatchOptions = field(default_factory=WatchOptions)
    clock: Callable[[], float] = time.monotonic
    # Periodic work beside watching (the Monday workbook): called once per tick.
    on_tick: Callable[[], None] | None = None
    on_result: Callable[[IngestResult], None] | None = None
    # Several settled files at once (``planwatch ingest``'s batches), their outcomes in
    # the same order; None: always one file at a time through ``ingest``.
    ingest_batch: Callable[[list[Path]], list[IngestResult]] | None = None
    batch_files: int = 100

    def __post_init__(self) -> None:
        self.tracker = StabilityTracker(self.options.settle_seconds, self.clock,
                                        empty_grace_seconds=self.options.empty_grace_seconds)
        self.events: queue.SimpleQueue[Path] = queue.SimpleQueue()
        self.observer: BaseObserver | None = None
        self.status = WatchStatus(pid=os.getpid(), started_at=datetime.now(UTC).isoformat(),
                                  mode=self.options.mode)
        self._folder_backoff = _Backoff()
        self._file_backoff: dict[Path, _Backoff] = {}
        # What is wrong around the files (store, disk), until a file is taken again.
        self._machine_problem: str | None = None
        self._next_rescan = 0.0
        self._last_status = 0.0

    # --- the observer -------------------------------------------------------------------

    def _start_observer(self) -> None:
        self._stop_observer()
        observer: BaseObserver = (
            PollingObserver(timeout=self.options.poll_seconds)
            if self.options.poll_seconds else Observer())
        observer.schedule(_Handler(self.events), str(self.inbox), recursive=True)
        observer.daemon = True
        observer.start()
        self.observer = observer

    def _stop_observer(self) -> None:
        if self.observer is not None:
            try:
                self.observer.stop()
                self.observer.join(timeout=5)
            except Exception:  # a dead observer may fail to stop; it is replaced anyway
                log.debug("observer_stop_failed", exc_info=True)
            self.observer = None

    def _healthy(self, now: float) -> bool:
        """Is the folder there and the observer running? If not, repair with backoff."""
        if now < self._folder_backoff.next_try:
            return False
        problem = None
        if not self.inbox.is_dir():
            problem = "inbox folder missing (share offline?)"
        elif self.observer is None or not self.observer.is_alive():
            try:
                if self.observer is not None:
                    log.warning("observer_died", extra={"attempt": self.status.restarts})
                    self.status.restarts += 1
                self._start_observer()
                self._next_rescan = now  # events may have been missed meanwhile
            except OSError:
                problem = "cannot watch the inbox folder"
        if problem is None:
            if self._folder_backoff.failures:
                log.info("inbox_back", extra={"attempt": self._folder_backoff.failures})
            self._folder_backoff = _Backoff()
            self.status.health = self._machine_problem or "ok"
            return True
        self._stop_observer()
        delay = self._folder_backoff.fail(now)
        if self.status.health != problem:
            log.warning("inbox_unavailable", extra={"delay_seconds": delay})
        self.status.health = problem
        return False

    # --- files ----------------------------------------------------------------------------

    def _wanted(self, path: Path) -> bool:
        try:
            relative = path.relative_to(self.inbox)
        except ValueError:
            return False
        if any(part.startswith(".") for part in relative.parts[:-1]):
            return False
        # Anything but a real folder gets an outcome: links and special files included
        # (a name that is gone is let through too: observing it forgets it).
        return is_candidate(path, ignored=self.options.ignored) and (
            path.is_symlink() or not path.is_dir())

    def rescan(self) -> None:
        """Look at every file in the inbox, whatever events said or did not say."""
        for path in sorted(self.inbox.rglob("*")):
            if self._wanted(path):
                self.tracker.observe(path)

    def _drain_events(self) -> None:
        while True:
            try:
                path = self.events.get_nowait()
            except queue.Empty:
                return
            if self._wanted(path):
                self.tracker.observe(path)

    def _due(self, path: Path, now: float) -> bool:
        backoff = self._file_backoff.get(path)
        return backoff is None or now >= backoff.next_try

    def _take_settled(self, paths: list[Path], now: float) -> None:
        """Give the settled files their outcomes: several together in batches, as
        ``planwatch ingest`` takes a backlog (same guarantees, a fraction of the cost per
        file), or one by one when there is no batch ingest or only one file."""
        ready = [path for path in paths if self._due(path, now)]
        if self.ingest_batch is None or len(ready) < 2:
            for path in ready:
                self._take(path, self.clock())
            return
        for start in range(0, len(ready), self.batch_files):
            batch = ready[start:start + self.batch_files]
            for path in batch:
                self.tracker.forget(path)
            try:
                results = self.ingest_batch(batch)
            except Exception as exc:
                for path in batch:
                    self._failed(path, exc, self.clock())
                continue
            for path, result in zip(batch, results, strict=True):
                self._taken(path, result, self.clock())

    def _take(self, path: Path, now: float) -> None:
        if not self._due(path, now):
            return
        self.tracker.forget(path)
        try:
            result = self.ingest(path)
        except Exception as exc:
            self._failed(path, exc, now)
            return
        self._taken(path, result, now)

    def _failed(self, path: Path, exc: Exception, now: float) -> None:
        """The store or the disk failed, or a bug: the file stays in the inbox."""
        delay = self._file_backoff.setdefault(path, _Backoff()).fail(now)
        problem = machine_problem(exc)
        log.error("ingest_failed", exc_info=problem is None,
                  extra={"delay_seconds": delay, "problem": problem,
                         "error_type": type(exc).__name__})
        if problem is not None:
            self._machine_problem = self.status.health = problem
        self.tracker.observe(path)

    def _taken(self, path: Path, result: IngestResult, now: float) -> None:
        if result.outcome is Outcome.BLOCKED:
            self._blocked(path, result, now)
            return
        self._file_backoff.pop(path, None)
        self.status.blocked.pop(self._shown(path), None)
        if result.outcome in (Outcome.STORED, Outcome.SUPERSEDED, Outcome.DUPLICATE,
                              Outcome.REJECTED):
            self._machine_problem = None  # files are being taken again
        if path.exists() or path.is_symlink():
            self.tracker.observe(path)  # changed while read: taken again once settled
        self.status.last_file = {"file": result.file, "outcome": result.outcome.value,
                                 "at": datetime.now(UTC).isoformat(),
                                 "submission_id": result.submission_id}
        if self.on_result is not None:
            self.on_result(result)

    def _shown(self, path: Path) -> str:
        try:
            return path.relative_to(self.inbox).as_posix()
        except ValueError:
            return path.name

    def _blocked(self, path: Path, result: IngestResult, now: float) -> None:
        """A file that cannot be opened now: in the status, logged once, retried later."""
        backoff = self._file_backoff.setdefault(path, _Backoff())
        delay = backoff.fail(now)
        if backoff.failures == 1:
            log.warning("file_blocked_waiting", extra={"delay_seconds": delay})
        self.status.blocked[self._shown(path)] = result.reason or ""
        self.tracker.observe(path)

    def tick(self) -> None:
        """One round: health, events, re-scan when due, settled files, status."""
        now = self.clock()
        if self._healthy(now):
            self._drain_events()
            if now >= self._next_rescan:
                self.rescan()
                self._next_rescan = now + self.options.rescan_seconds
            self._take_settled(self.tracker.settled(), self.clock())
        if self.on_tick is not None:
            self.on_tick()
        for name in [n for n in self.status.blocked if not (self.inbox / n).exists()]:
            del self.status.blocked[name]  # taken away by a person meanwhile
        self.status.settling = len(self.tracker)
        if now - self._last_status >= 1.0:
            write_status(self.home, self.status)
            self._last_status = now

    def run(self, stop: threading.Event) -> None:
        """Watch until ``stop`` is set; files already in the inbox are taken first."""
        log.info("watch_started", extra={"mode": self.options.mode, "pid": os.getpid()})
        try:
            while not stop.is_set():
                self.tick()
                stop.wait(self.options.tick_seconds)
        finally:
            self._stop_observer()
            self.status.health = "stopped"
            write_status(self.home, self.status)
            log.info("watch_stopped")
