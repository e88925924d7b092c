"""Saving a workbook (pipeline/reports/xlsx/book.py): atomic and owner-only, its rows
waiting on disk only in a private folder that goes with it, whatever happens."""

from __future__ import annotations

import stat
import tempfile
from pathlib import Path

import openpyxl
import pytest

from pipeline.errors import ReportError
from pipeline.reports.xlsx.book import Book, write_workbook
from pipeline.reports.xlsx.style import BODY


def one_cell(book: Book) -> None:
    book.sheet("Only").write(1, 1, "P001", BODY)


@pytest.fixture
def temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The temporary folder the workbook's rows wait in, watched."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_written_owner_only_with_its_properties(tmp_path: Path, temporary: Path) -> None:
    path = write_workbook(tmp_path / "out" / "w.xlsx", one_cell, title="The title")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    book = openpyxl.load_workbook(path)
    assert (book.properties.title, book.properties.creator) == ("The title", "Planwatch")
    assert book["Only"]["A1"].value == "P001"
    assert list(temporary.iterdir()) == []  # the rows' folder is gone


def test_replaces_the_old_file_whole(tmp_path: Path, temporary: Path) -> None:
    path = tmp_path / "w.xlsx"
    path.write_bytes(b"last week's workbook")
    write_workbook(path, one_cell, title="New")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tmp", "w.xlsx"]
    assert openpyxl.load_workbook(path).properties.title == "New"


def test_a_failure_while_filling_leaves_nothing(tmp_path: Path, temporary: Path) -> None:
    path = tmp_path / "w.xlsx"
    path.write_bytes(b"last week's workbook")

    def broken(book: Book) -> None:
        one_cell(book)
        raise ReportError("No time-zone data for Europe/London.")

    with pytest.raises(ReportError, match="time-zone"):
        write_workbook(path, broken, title="New")
    assert path.read_bytes() == b"last week's workbook"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tmp", "w.xlsx"]
    assert list(temporary.iterdir()) == []


def test_an_unwritable_folder_is_a_report_error(tmp_path: Path, temporary: Path) -> None:
    blocker = tmp_path / "reports"
    blocker.write_text("a file where the folder should be")
    with pytest.raises(ReportError, match="cannot write the workbook"):
        write_workbook(blocker / "w.xlsx", one_cell, title="T")
