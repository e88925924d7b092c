"""Reading one form file, whatever its format: the entry point the sandboxed reader runs.

    path (+ bytes) ──READERS[suffix]──▶ RawForm, or FormReadError / ReaderLimitError

This module imports the three readers and what they need (lxml, pypdf, openpyxl) and
nothing that builds or fills a form (python-docx, docxtpl, reportlab, matplotlib): every
reader process imports it first (``pipeline.inbox.sandbox.DEFAULT_READER``), so what it
imports is paid for in every process and is all of Planwatch a hostile file can reach.
``tests/test_formats_reading.py`` keeps it that way.
"""

from __future__ import annotations

import logging
from pathlib import Path

from pipeline.definitions import Catalogue
from pipeline.errors import FormReadError, ReaderLimitError
from pipeline.formats.containment import contained
from pipeline.formats.pdf.read import read_pdf
from pipeline.formats.word.read import read_docx
from pipeline.formats.xlsx.read import read_xlsx
from pipeline.records import RawForm

READERS = {".docx": read_docx, ".pdf": read_pdf, ".xlsx": read_xlsx}
_APPS = {".docx": "Word", ".pdf": "your PDF viewer", ".xlsx": "Excel"}

log = logging.getLogger("planwatch.readers")


def read_form(path: Path, catalogue: Catalogue, data: bytes | None = None) -> RawForm:
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise FormReadError(path, f"'{path.suffix or 'no extension'}' is not a form format "
                            "Planwatch reads", hint="Drop forms saved as .docx, .pdf or .xlsx.")
    # The boundary between Planwatch and the libraries that parse untrusted bytes: their
    # logs, warnings and prints stay inside (pipeline.formats.containment), and whatever a
    # reader raises that it did not turn into a reason of its own (a fault in Planwatch,
    # not a verdict on the file) is given one here, in Planwatch's words, and may be tried
    # again (as the sandbox says of a reader that stops). Memory and recursion limits pass
    # through: the sandbox names them.
    try:
        with contained():
            return reader(path, catalogue, data=data)
    except (FormReadError, MemoryError, RecursionError):
        raise
    except Exception as exc:
        log.warning("reader_failed", exc_info=True)
        raise ReaderLimitError(
            path, "Planwatch's reader failed on it (a fault in Planwatch, not necessarily in "
            "the file)", hint=f"Drop the same file again later and it is tried again. If "
            f"this repeats, open it in {_APPS[path.suffix.lower()]}, save a new copy and drop "
            "that, or report it.") from exc
