"""Cells of a sheet (pipeline/reports/xlsx/sheet.py): links past Excel's limits keep their
row, their text and, where a formula can carry it, where they go."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from lxml import etree

from pipeline.reports.xlsx import sheet as sheet_module
from pipeline.reports.xlsx.book import Book, write_workbook
from pipeline.reports.xlsx.links import place
from pipeline.reports.xlsx.sheet import MAX_LINKS, footer_text
from pipeline.reports.xlsx.style import BODY, Link, Value

SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def one_column(tmp_path: Path, values: list[Value]) -> tuple[Any, Any]:
    """``values`` down column A of one sheet; the sheet as written and as last computed."""

    def fill(book: Book) -> None:
        sheet = book.sheet("Links")
        for row, value in enumerate(values, start=1):
            sheet.write(row, 1, value, BODY)

    path = write_workbook(tmp_path / "links.xlsx", fill, title="Links")
    return (openpyxl.load_workbook(path)["Links"],
            openpyxl.load_workbook(path, data_only=True)["Links"])


def long_column(tmp_path: Path, values: list[Value]) -> tuple[list[Any], list[Any], list[str]]:
    """``values`` down column A: the cells as written and as last computed, read fast
    (openpyxl takes minutes over 65,000 hyperlinks), and the cells holding hyperlinks."""

    def fill(book: Book) -> None:
        sheet = book.sheet("Links")
        for row, value in enumerate(values, start=1):
            sheet.write(row, 1, value, BODY)

    path = write_workbook(tmp_path / "long.xlsx", fill, title="Links")
    written, shown = (_column_a(path, computed=computed) for computed in (False, True))
    with zipfile.ZipFile(path) as archive:
        sheet = etree.fromstring(archive.read("xl/worksheets/sheet1.xml"))
    linked = [str(e.get("ref")) for e in sheet.iter(f"{{{SHEET_NS}}}hyperlink")]
    return written, shown, linked


def _column_a(path: Path, *, computed: bool) -> list[Any]:
    book = openpyxl.load_workbook(path, read_only=True, data_only=computed)
    try:
        return [row[0] for row in book["Links"].iter_rows(values_only=True)]
    finally:
        book.close()


def links_past_the_limit(tmp_path: Path, limit: int) -> None:
    """A council's Obligations sheet links far more rows than the hyperlinks Excel takes
    on a sheet (``limit``): the rest are HYPERLINK() formulas, showing the same file name.
    In a formula's text quotes are doubled, and "SORT(" is kept from XlsxWriter, which
    would rename it the dynamic-array _xlfn._xlws.SORT even inside the text."""
    links: list[Value] = [Link(f"P{n:05d} plan.docx", f"../archive/P{n:05d}%20plan.docx")
                          for n in range(limit + 2)]
    links.append(Link('SORT(1) "q".docx', "../archive/SORT%281%29%20%22q%22.docx"))
    written, shown, linked = long_column(tmp_path, links)
    assert len(written) == limit + 3  # no row lost
    assert linked == [f"A{row}" for row in range(1, limit + 1)]
    assert written[limit - 1] == f"P{limit - 1:05d} plan.docx"
    # The path as a person types it: HYPERLINK() does not decode %20.
    assert written[limit] == (
        f'=HYPERLINK("../archive/P{limit:05d} plan.docx","P{limit:05d} plan.docx")')
    assert written[-1] == ('=HYPERLINK("../archive/SORT"&"("&"1) ""q"".docx",'
                           '"SORT"&"("&"1) ""q"".docx")')
    assert shown[limit:] == [f"P{limit:05d} plan.docx", f"P{limit + 1:05d} plan.docx",
                             'SORT(1) "q".docx']


def test_links_past_the_limit_become_formulas_with_the_same_text(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As at Excel's limit (below), with a limit of 5 links a sheet: quick."""
    monkeypatch.setattr(sheet_module, "MAX_LINKS", 5)
    links_past_the_limit(tmp_path, 5)


@pytest.mark.slow
def test_links_past_excels_limit_become_formulas_with_the_same_text(tmp_path: Path) -> None:
    assert MAX_LINKS == 65_530  # what Excel takes on one sheet
    links_past_the_limit(tmp_path, MAX_LINKS)


def test_a_link_too_long_for_excel_keeps_its_text(tmp_path: Path) -> None:
    """Past 2,079 characters a hyperlink is refused, and a formula's text is at most 255:
    the file name is shown, unlinked (never seen: archive paths are short)."""
    ws, computed = one_column(tmp_path, [Link("plan.pdf", "a/" + "b" * 2_100 + ".pdf")])
    assert ws["A1"].hyperlink is None
    assert ws["A1"].value == "plan.pdf" == computed["A1"].value


def test_a_link_to_a_place_in_the_workbook(tmp_path: Path) -> None:
    ws, _ = one_column(tmp_path, [Link("row 5", place("Links", 5)), "a", "b", "c", "here"])
    assert ws["A1"].hyperlink.location == "'Links'!A5" and ws["A1"].hyperlink.target is None


def test_text_that_looks_like_a_formula_is_text(tmp_path: Path) -> None:
    ws, _ = one_column(tmp_path, ['=HYPERLINK("http://example.invalid","x")', "=1+1"])
    assert [ws["A1"].data_type, ws["A2"].data_type] == ["s", "s"]
    assert ws["A2"].value == "=1+1"


@pytest.mark.parametrize(("text", "footer"), [
    pytest.param("R&D", "R&&D", id="ampersand_doubled"),
    pytest.param("two\nlines", "two lines", id="one_line"),
    pytest.param("&" * 150, "&&" * 100, id="codes_and_all_at_most_200"),
])
def test_footer_text(text: str, footer: str) -> None:
    assert footer_text(text) == footer
