"""Logs never carry names, dates of birth or field values: only ids, hashes, form ids."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.definitions import Catalogue
from pipeline.errors import FormReadError
from pipeline.forms_service import fill
from pipeline.logs import configure_logging
from tests.form_values import FULL_VALUES

runner = CliRunner()
SECRETS = ["Zebedee", "Quuxworth", "1961-07-04", "04/07/1961", "Flat 9 Secret Lane",
           "Refuge Road"]


def test_no_log_line_contains_what_the_forms_say(tmp_path: Path, catalogue: Catalogue) -> None:
    home = tmp_path / "ws"
    assert runner.invoke(app, ["--home", str(home), "init"]).exit_code == 0
    for form_id in FULL_VALUES:
        values = {**FULL_VALUES[form_id], "full_name": "Zebedee Quuxworth"}
        if form_id == "referral":
            values |= {"date_of_birth": "1961-07-04", "address": "Flat 9 Secret Lane\nRefuge Road"}
        # Staff often name files after the person.
        fill(catalogue.get(form_id), values, home / "inbox" / f"Zebedee Quuxworth {form_id}.docx")
    (home / "inbox" / "Zebedee Quuxworth notes.docx").write_bytes(b"not a form")
    result = runner.invoke(app, ["--home", str(home), "ingest"])
    assert result.exit_code == 0, result.output
    log_file = home / "logs" / "planwatch.log"
    lines = log_file.read_text(encoding="utf-8").splitlines()
    assert len(lines) >= 5  # one per file at least: the log is really written
    for line in lines:
        record = json.loads(line)
        assert record["event"].startswith("file_")
        for secret in SECRETS:
            assert secret not in line, line
    assert oct(log_file.stat().st_mode & 0o777) == "0o600"


def test_fields_outside_the_whitelist_and_exception_messages_are_dropped(
    tmp_path: Path,
) -> None:
    path = configure_logging(tmp_path, console=False)
    logger = logging.getLogger("planwatch.test")
    try:
        raise ValueError("Zebedee Quuxworth's form is broken")
    except ValueError:
        logger.error("ingest_failed", exc_info=True,
                     extra={"person_name": "Zebedee", "submission_id": 3})
    record = json.loads(path.read_text().splitlines()[-1])
    assert record == {**record, "event": "ingest_failed", "submission_id": 3,
                      "error_kind": "ValueError"}
    assert "Zebedee" not in path.read_text()


def _last_line(path: Path) -> dict[str, object]:
    line: dict[str, object] = json.loads(path.read_text().splitlines()[-1])
    return line


def test_debug_traceback_keeps_classes_and_frames_but_no_message(tmp_path: Path) -> None:
    path = configure_logging(tmp_path, "DEBUG", console=False)
    try:
        try:
            raise ValueError("Expecting a NameObject for key but found 'Zebedee Quuxworth'")
        except ValueError as exc:
            raise FormReadError(tmp_path / "Zebedee Quuxworth.pdf", "the PDF is damaged") from exc
    except FormReadError:
        logging.getLogger("planwatch.test").debug("reader_failed", exc_info=True)
    record = _last_line(path)
    assert record["error_kind"] == "FormReadError"
    chain = record["traceback"]
    assert isinstance(chain, list)
    assert [link["type"] for link in chain] == ["FormReadError", "ValueError"]
    assert all(frame.startswith("test_logs.py:") for link in chain for frame in link["frames"])
    assert "Zebedee" not in path.read_text() and "NameObject" not in path.read_text()


def test_debug_traceback_only_at_debug_level(tmp_path: Path) -> None:
    path = configure_logging(tmp_path, "INFO", console=False)
    try:
        raise ValueError("Zebedee")
    except ValueError:
        logging.getLogger("planwatch.test").error("ingest_failed", exc_info=True)
    assert "traceback" not in _last_line(path)


@pytest.mark.parametrize(("message", "args", "extra"), [
    pytest.param(ValueError("Zebedee Quuxworth"), (), {}, id="exception_as_message"),
    pytest.param("read %s", ("Zebedee Quuxworth",), {}, id="formatted_message"),
    pytest.param("read Zebedee Quuxworth.docx", (), {}, id="f_string_message"),
    pytest.param("file_rejected", (), {"code": ValueError("Zebedee Quuxworth")},
                 id="exception_as_a_field"),
])
def test_text_that_is_not_an_event_name_is_never_written(
    message: object, args: tuple[object, ...], extra: dict[str, object], tmp_path: Path
) -> None:
    path = configure_logging(tmp_path, console=False)
    logging.getLogger("planwatch.test").warning(message, *args, extra=extra)
    record = _last_line(path)
    assert "Zebedee" not in path.read_text()
    if extra:
        assert record["event"] == "file_rejected" and record["code"] == "ValueError"
    else:
        assert record["event"] == "unnamed_event"


# A reader process: no handler configured, as in every spawned reader. What the libraries
# log or warn, and what Planwatch logs with an exception, is written here.
_READER_PROCESS = """
import logging, warnings
import pipeline.formats.reading  # what a reader process imports first
from pypdf.errors import PdfReadWarning
logging.getLogger("pypdf._reader").warning("found 'Zebedee Quuxworth 1961-07-04'")
logging.getLogger("openpyxl.reader.excel").error("sheet %s", "Zebedee Quuxworth")
logging.getLogger("some.other.library").warning("Zebedee Quuxworth")
warnings.warn_explicit("Zebedee Quuxworth", UserWarning, "openpyxl/reader/excel.py", 1,
                       module="openpyxl.reader.excel")
warnings.warn("Zebedee Quuxworth", PdfReadWarning)
try:
    raise ValueError("Zebedee Quuxworth")
except ValueError:
    logging.getLogger("planwatch.readers").warning("reader_failed", exc_info=True)
"""


def test_library_messages_never_reach_a_reader_process_stderr() -> None:
    result = subprocess.run([sys.executable, "-c", _READER_PROCESS], capture_output=True,
                            text=True, timeout=120, check=True, cwd=Path(__file__).parents[1])
    assert "Zebedee" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    # Only Planwatch's words: the event, and for another library only that it spoke.
    assert len(lines) == 2, result.stderr
    assert "library_message logger=some.other.library" in lines[0]
    assert lines[1].endswith("reader_failed error_kind=ValueError")
