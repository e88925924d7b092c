"""Third-party libraries never speak for Planwatch: their messages stay inside the process.

pypdf, openpyxl and lxml describe what they found wrong in a file by quoting the file:
a damaged PDF made pypdf write a person's name, date of birth and address to stderr
(``Expecting a NameObject for key but found 'Jane ...'``), and a deeply nested one made it
write twenty thousand lines. Stderr is the service's journal, so none of that may get out.
Three ways out are closed, process-wide and for good, wherever readers run (the main
process and every sandboxed reader process: :func:`install` runs when a reader module is
imported, and again before every read, in case something reset the settings):

- **logging**: the libraries' loggers get a handler that counts their records and drops
  them, and do not propagate, so no record reaches the root logger's handlers or
  logging's "last resort" handler (which prints WARNING and above to stderr when no
  handler is configured, as in every reader process). ``logging.lastResort`` itself is
  replaced by one that writes only Planwatch's event names and whitelisted fields
  (:class:`pipeline.logs.ConsoleFormatter`), for any library not in the list;
- **warnings**: warnings raised in the libraries' modules, and pypdf's own category, are
  ignored;
- **printing**: while a reader runs (:func:`contained`), ``sys.stdout`` and ``sys.stderr``
  are a sink (openpyxl prints, for one). Only the Python-level streams are swapped;
  none of these libraries writes to the file descriptors from C.

What Planwatch says about a file is in its own words: the reasons a reader gives, and the
log events of :mod:`pipeline.logs`. The number of library messages a read produced is
logged at DEBUG (``reader_library_messages``, ``count``), never their text.
"""

from __future__ import annotations

import contextlib
import io
import logging
import sys
import threading
import warnings
from collections.abc import Iterator
from typing import Any, TextIO

# Libraries a form's bytes (or a person's answers, for the writers) pass through.
LIBRARIES = ("pypdf", "PyPDF2", "openpyxl", "et_xmlfile", "lxml", "docx", "docxtpl", "jinja2",
             "PIL", "fontTools", "reportlab", "icalendar", "defusedxml")
_MODULES = r"(" + "|".join(LIBRARIES) + r")(\.|$)"

log = logging.getLogger("planwatch.readers")


class _CountingSink(logging.Handler):
    """Drops every record it is given, counting them per thread (for one read's count)."""

    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self._local = threading.local()

    def emit(self, record: logging.LogRecord) -> None:
        self._local.count = self.count() + 1

    def handle(self, record: logging.LogRecord) -> bool:
        # No filters, no formatting, no lock: the message is never built.
        self.emit(record)
        return True

    def count(self) -> int:
        return int(getattr(self._local, "count", 0))


SINK = _CountingSink()
_lock = threading.Lock()


def _safe_last_resort() -> logging.Handler:
    from pipeline.logs import ConsoleFormatter

    handler = logging.StreamHandler(_StderrNow())
    handler.setLevel(logging.WARNING)
    handler.setFormatter(ConsoleFormatter())
    handler.planwatch_safe = True  # type: ignore[attr-defined]
    return handler


class _StderrNow(io.TextIOBase):
    """Whatever ``sys.stderr`` is at the time of writing (as logging's last resort does)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text) if sys.stderr is not None else len(text)

    def flush(self) -> None:
        if sys.stderr is not None:
            sys.stderr.flush()


def _warning_filters() -> list[tuple[Any, ...]]:
    filters: list[tuple[Any, ...]] = [("ignore", None, Warning, _MODULES)]
    try:
        from pypdf.errors import PdfReadWarning
    except ImportError:  # pragma: no cover  (pypdf is a dependency)
        return filters
    return [*filters, ("ignore", None, PdfReadWarning, None)]


def install() -> None:
    """Close the libraries' ways out (see the module docstring); cheap to call again."""
    with _lock:
        for name in LIBRARIES:
            library = logging.getLogger(name)
            if SINK not in library.handlers:
                library.addHandler(SINK)
            library.propagate = False
            if library.level == logging.NOTSET:
                library.setLevel(logging.WARNING)  # debug records are not even made
        if not getattr(logging.lastResort, "planwatch_safe", False):
            logging.lastResort = _safe_last_resort()
        present = {(f[0], f[2], getattr(f[3], "pattern", f[3])) for f in warnings.filters}
        for action, _, category, module in _warning_filters():
            if (action, category, module) not in present:
                warnings.filterwarnings(action, category=category, module=module or "")


class _QuietStreams:
    """``sys.stdout``/``sys.stderr`` swapped for a sink while any read is running.

    Reference-counted under a lock, so reads in several threads at once restore the real
    streams only when the last one ends (and never restore a sink as "the real stream").
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._saved: tuple[TextIO, TextIO] | None = None

    @contextlib.contextmanager
    def muted(self) -> Iterator[None]:
        with self._lock:
            if self._depth == 0:
                self._saved = (sys.stdout, sys.stderr)
                sys.stdout = _Discard()
                sys.stderr = _Discard()
            self._depth += 1
        try:
            yield
        finally:
            with self._lock:
                self._depth -= 1
                if self._depth == 0 and self._saved is not None:
                    sys.stdout, sys.stderr = self._saved
                    self._saved = None


class _Discard(io.TextIOBase):
    """A text stream that keeps nothing."""

    def write(self, text: str) -> int:
        return len(text)

    def writable(self) -> bool:
        return True


_streams = _QuietStreams()


@contextlib.contextmanager
def contained() -> Iterator[None]:
    """Around one read: the libraries' ways out closed, and their messages counted."""
    install()
    before = SINK.count()
    try:
        with _streams.muted():
            yield
    finally:
        count = SINK.count() - before
        if count:
            log.debug("reader_library_messages", extra={"count": count})
