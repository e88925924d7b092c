"""Logs never carry names, dates of birth or field values: only ids, hashes, form ids."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.definitions import Catalogue
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
