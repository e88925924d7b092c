"""The same answers in the Word, PDF and Excel copy of every form give the same record.

Every form in the catalogue, for each of its services, is filled with the same values in
all three formats (and, with LibreOffice, saved again by Writer and Calc); every copy
must read back to one identical record, with the values as typed.
"""

from __future__ import annotations

import logging
import sys
import warnings
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from reportlab.pdfgen.canvas import Canvas
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import load_settings
from pipeline.definitions import Catalogue
from pipeline.errors import FillError, FormReadError, ReaderLimitError
from pipeline.fill_values import coerce_values
from pipeline.formats.reading import READERS, read_form
from pipeline.forms_service import FORMATS, check, fill, output_format
from pipeline.inbox.ingest import Outcome, Workspace, ingest_file
from pipeline.logs import JsonLinesFormatter
from pipeline.records import Record
from pipeline.store.session import open_store
from pipeline.workspace import init_workspace
from tests.form_samples import sample_values
from tests.log_records import reaching_root

COPIES = [(d.id, s) for d in Catalogue.load() for s in d.services]
# LibreOffice takes a while per file: by default each form's fullest copy (the service
# whose copy has the most answers) goes through it; `-m slow` sends every copy.
FULLEST = [(d.id, max(d.services, key=lambda s, d=d: len(list(d.for_service(s).leaf_fields()))))
           for d in Catalogue.load()]
runner = CliRunner()


def _name(form_id: str, service: str) -> str:
    return f"{form_id}--{service}"


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory, catalogue: Catalogue) -> Path:
    """Every copy of every form, filled with its sample values in every format."""
    folder = tmp_path_factory.mktemp("cross-format")
    for form_id, service in COPIES:
        definition = catalogue.get(form_id)
        values = sample_values(definition.for_service(service))
        for file_format in FORMATS:
            fill(definition, values, folder / f"{_name(form_id, service)}.{file_format}",
                 service=service)
    return folder


def _naive(value: Any) -> Any:
    return value.replace(tzinfo=None) if isinstance(value, datetime) else value


def _assert_as_typed(record: Record, catalogue: Catalogue, form_id: str, service: str) -> None:
    copy = catalogue.get(form_id).for_service(service)
    typed = coerce_values(copy, sample_values(copy))
    assert {k: _naive(record.values[k]) for k in typed.fields} == typed.fields
    for key, rows in typed.tables.items():
        assert [{c: v for c, v in row.items() if v is not None}
                for row in record.tables[key]] == rows, key


@pytest.mark.parametrize(("form_id", "service"),
                         [pytest.param(f, s, id=_name(f, s)) for f, s in COPIES])
def test_word_pdf_and_excel_copies_give_the_same_record(
    form_id: str, service: str, filled: Path, catalogue: Catalogue
) -> None:
    records = {fmt: check(filled / f"{_name(form_id, service)}.{fmt}", catalogue)
               for fmt in FORMATS}
    assert records["pdf"] == records["docx"]
    assert records["xlsx"] == records["docx"]
    assert records["docx"].service == service
    _assert_as_typed(records["docx"], catalogue, form_id, service)


@pytest.fixture(scope="module")
def libreoffice_saved(filled: Path, libreoffice: Callable[..., list[Path]],
                      request: pytest.FixtureRequest) -> Path:
    """The Word and Excel copies opened and saved again by LibreOffice Writer and Calc."""
    copies = COPIES if request.config.getoption("-m") == "slow" else FULLEST
    out = filled / "libreoffice"
    for file_format in ("docx", "xlsx"):
        libreoffice([filled / f"{_name(f, s)}.{file_format}" for f, s in copies], out,
                    file_format)
    return out


def _libreoffice_round_trip(form_id: str, service: str, filled: Path, saved: Path,
                            catalogue: Catalogue) -> None:
    original = check(filled / f"{_name(form_id, service)}.pdf", catalogue)
    for file_format in ("docx", "xlsx"):
        resaved = check(saved / f"{_name(form_id, service)}.{file_format}", catalogue)
        assert (resaved.values, resaved.tables, resaved.findings) == (
            original.values, original.tables, original.findings), file_format


@pytest.mark.libreoffice
@pytest.mark.parametrize(("form_id", "service"),
                         [pytest.param(f, s, id=_name(f, s)) for f, s in FULLEST])
def test_libreoffice_saved_word_and_excel_copies_give_the_same_record(
    form_id: str, service: str, filled: Path, libreoffice_saved: Path, catalogue: Catalogue
) -> None:
    _libreoffice_round_trip(form_id, service, filled, libreoffice_saved, catalogue)


@pytest.mark.slow
@pytest.mark.libreoffice
@pytest.mark.parametrize(("form_id", "service"),
                         [pytest.param(f, s, id=_name(f, s)) for f, s in COPIES
                          if (f, s) not in FULLEST])
def test_libreoffice_round_trip_of_every_other_copy(
    form_id: str, service: str, filled: Path, libreoffice_saved: Path, catalogue: Catalogue
) -> None:
    _libreoffice_round_trip(form_id, service, filled, libreoffice_saved, catalogue)


@pytest.mark.parametrize(("output", "asked", "chosen"), [
    pytest.param("plan.pdf", None, "pdf", id="from_the_suffix"),
    pytest.param("plan", "xlsx", "xlsx", id="from_format_without_a_suffix"),
    pytest.param("plan.XLSX", "xlsx", "xlsx", id="suffix_in_capitals"),
])
def test_output_format(output: str, asked: str | None, chosen: str) -> None:
    assert output_format(Path(output), asked) == chosen


@pytest.mark.parametrize(("output", "asked", "words"), [
    pytest.param("plan.pdf", "docx", "ends .pdf", id="format_and_suffix_disagree"),
    pytest.param("plan.txt", None, "not a form format", id="unknown_suffix"),
    pytest.param("plan", "odt", "not a form format", id="unknown_format"),
])
def test_output_format_mistakes(output: str, asked: str | None, words: str) -> None:
    with pytest.raises(FillError, match=words):
        output_format(Path(output), asked)


@pytest.mark.parametrize("file_format", ["pdf", "xlsx"])
def test_cli_fills_and_checks_pdf_and_excel(file_format: str, tmp_path: Path) -> None:
    values = tmp_path / "values.json"
    values.write_text('{"person_id": "PW-7", "review_date": "2026-04-13", '
                      '"review_kind": "first"}', encoding="utf-8")
    out = tmp_path / "review.out"
    filled = runner.invoke(app, ["forms", "fill", "review", "--service", "community-support",
                                 "--data", str(values), "--format", file_format, "-o",
                                 str(out)])
    assert filled.exit_code == 0, filled.output
    checked = runner.invoke(app, ["forms", "check", str(out.rename(out.with_suffix(
        f".{file_format}"))), "--json"])
    assert checked.exit_code == 0, checked.output
    assert '"person_id": "PW-7"' in checked.output and '"review_date": "2026-04-13"' in (
        checked.output)


def test_pdf_and_excel_forms_are_ingested_and_a_printed_pdf_is_rejected(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    """The inbox takes every format a reader exists for, through the same ingest path."""
    init_workspace(tmp_path / "ws")
    settings = load_settings(tmp_path / "ws")
    workspace = Workspace(home=settings.home, inbox=settings.inbox_path,
                          archive=settings.archive_path, rejected=settings.rejected_path,
                          catalogue=catalogue)
    definition = catalogue.get("review")
    values = {"person_id": "PW-9", "full_name": "Ada Lovelace", "review_date": "2026-04-13"}
    pdf = fill(definition, values, workspace.inbox / "review.pdf")
    xlsx = fill(definition, {**values, "review_date": "2026-10-13"},
                workspace.inbox / "review.xlsx")
    printed = workspace.inbox / "review (printed).pdf"
    page = Canvas(str(printed))
    page.drawString(72, 720, "Support plan review (printed)")
    page.save()
    with open_store(settings.database_url) as store:
        results = {path.name: ingest_file(path, store, workspace)
                   for path in (pdf, xlsx, printed)}
    assert results["review.pdf"].outcome is Outcome.STORED
    assert results["review.xlsx"].outcome is Outcome.STORED
    assert results["review.pdf"].person_id == results["review.xlsx"].person_id == "PW-9"
    assert results["review (printed).pdf"].outcome is Outcome.REJECTED
    assert "no form fields" in (results["review (printed).pdf"].reason or "")


# --- the boundary every reader runs behind --------------------------------------------

_QUOTED = "Zebedee Quuxworth, born 04/07/1961, of Flat 9 Secret Lane"


def _chatty_reader(path: Path, catalogue: Catalogue, *, data: bytes | None = None) -> Any:
    """A library that prints, warns and logs what it read, then fails on it."""
    print(f"parsing {_QUOTED}")
    print(f"bad object at {_QUOTED}", file=sys.stderr)
    warnings.warn_explicit(_QUOTED, UserWarning, "openpyxl/reader/excel.py", 1,
                           module="openpyxl.reader.excel")
    logging.getLogger("pypdf._reader").warning("found %r", _QUOTED)
    raise KeyError(_QUOTED)


@pytest.mark.parametrize("suffix", [pytest.param(".pdf", id="reader_prints_warns_and_raises")])
def test_whatever_a_reader_library_prints_warns_or_raises_stays_inside(
    suffix: str, catalogue: Catalogue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setitem(READERS, suffix, _chatty_reader)
    # Planwatch's records reach caplog even after a test configured the log file.
    monkeypatch.setattr(logging.getLogger("planwatch"), "propagate", True)
    caplog.set_level("DEBUG")
    caplog.set_level("DEBUG", logger="planwatch")
    with pytest.raises(FormReadError) as caught:
        read_form(tmp_path / f"dropped{suffix}", catalogue, data=b"%PDF-1.7")
    out, err = capfd.readouterr()
    assert out == err == ""
    reason = str(caught.value)
    assert "Zebedee" not in reason and "KeyError" not in reason
    # A fault in Planwatch, not a verdict on the file: an identical copy is tried again.
    assert isinstance(caught.value, ReaderLimitError)
    assert "reader failed on it" in reason and caught.value.hint
    # Planwatch's own record of it: the event and the error's class, nothing it said (as
    # Planwatch's log formats it, even at DEBUG; pytest's own formatter shows tracebacks).
    records = reaching_root(caplog)
    assert [r.getMessage() for r in records] == ["reader_library_messages", "reader_failed"]
    for record in records:
        line = JsonLinesFormatter(frames=True).format(record)
        assert "Zebedee" not in line
    assert '"error_kind": "KeyError"' in line and '"traceback"' in line
