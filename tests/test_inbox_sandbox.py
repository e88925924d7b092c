"""The sandboxed reader process: its start is not a file's time, and a failed start is
the machine's problem, never a file's."""

from __future__ import annotations

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
