"""The sandboxed reader process: its start is not a file's time, a failed start is the
machine's problem, never a file's, and Ctrl+C is the parent's to handle."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.definitions import DEFAULT_FORMS_DIR, Catalogue
from pipeline.errors import FormReadError, ReaderStartError
from pipeline.forms_service import fill
from pipeline.inbox.sandbox import ReaderPool, SandboxedReader
from tests.form_values import FULL_VALUES


def test_a_reader_that_cannot_start_is_an_error_not_a_rejected_file() -> None:
    with (SandboxedReader(DEFAULT_FORMS_DIR, reader="tests.no_such_module:read") as reader,
          pytest.raises(ReaderStartError) as raised):
        reader.read(Path("plan.docx"), b"anything")
    assert not isinstance(raised.value, FormReadError)
    assert "did not start" in str(raised.value)


def test_the_time_limit_starts_once_the_reader_is_ready(tmp_path: Path) -> None:
    """A limit shorter than the worker's start (imports, catalogue) still reads a file."""
    form = fill(Catalogue.load().get("review"), FULL_VALUES["review"], tmp_path / "r.docx")
    with ReaderPool(DEFAULT_FORMS_DIR, workers=2, timeout_seconds=0.5) as readers:
        raw, record = readers.read(form, form.read_bytes())
    assert (raw.form_id, record.person_id) == ("review", "CS-00042")


# The parent, as `planwatch watch` and `planwatch ingest` are: it hears Ctrl+C (here it
# counts it) and stops its readers. A terminal's Ctrl+C goes to the whole process group,
# so the script sends SIGINT to its own group, again and again while the readers start
# (imports, the catalogue) and once more when they wait for files.
_CTRL_C_SCRIPT = """
import os, signal, sys, threading, time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from pipeline.definitions import DEFAULT_FORMS_DIR
from pipeline.inbox.sandbox import ReaderPool

heard = []
signal.signal(signal.SIGINT, lambda *_: heard.append(1))
form = Path(sys.argv[1])
started = threading.Event()

def ctrl_c_while_starting():
    while not started.is_set():
        os.killpg(0, signal.SIGINT)
        time.sleep(0.02)

with ReaderPool(DEFAULT_FORMS_DIR, workers=2) as readers:
    threading.Thread(target=ctrl_c_while_starting, daemon=True).start()
    try:
        with ThreadPoolExecutor(2) as both:
            first = [r.person_id for _, r in both.map(
                lambda _: readers.read(form, form.read_bytes()), range(2))]
    finally:
        started.set()
    os.killpg(0, signal.SIGINT)
    time.sleep(0.2)
    again = [readers.read(form, form.read_bytes())[1].person_id for _ in range(2)]
print("heard", bool(heard), "read", *first, *again)
"""


@pytest.mark.skipif(not hasattr(os, "killpg"), reason="process groups are POSIX")
def test_ctrl_c_in_a_terminal_prints_nothing_from_the_readers(tmp_path: Path) -> None:
    """Readers ignore SIGINT from the moment they start: no 'Process planwatch-reader:
    Traceback ... KeyboardInterrupt', and they still read once Ctrl+C was pressed."""
    form = fill(Catalogue.load().get("review"), FULL_VALUES["review"], tmp_path / "r.docx")
    done = subprocess.run([sys.executable, "-c", _CTRL_C_SCRIPT, str(form)],
                          capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).parent.parent, start_new_session=True)
    assert done.stderr == ""
    assert done.stdout.split() == ["heard", "True", "read", *["CS-00042"] * 4]
