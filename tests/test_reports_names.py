"""Names, not ids, wherever a person reads (issue 17, item 3).

The demo's weekly workbook, a schedule workbook, a calendar and the outcome summaries are
scanned for every service id and obligation id in the policy files: a raw id in a cell or
a line a person reads is a failure (hyperlink targets are not read, only cell values).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from icalendar import Calendar
from openpyxl import load_workbook
from typer.testing import CliRunner

from pipeline.definitions import DEFAULT_FORMS_DIR, Catalogue
from pipeline.names import Names
from pipeline.policies import load_policies
from tests.conftest import Demo

runner = CliRunner()
POLICIES = load_policies(DEFAULT_FORMS_DIR)
IDS = {p.id for p in POLICIES} | {rule.obligation for p in POLICIES for rule in p.obligations}
# An id with a dash or underscore is never an English word: found anywhere in a text. A
# one-word id ("review", "sds", "feedback") only when it is the whole text.
_JOINED = sorted((i for i in IDS if "_" in i or "-" in i), key=len, reverse=True)
_RAW = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, _JOINED)) + r")(?![\w-])")


def raw_ids(text: str) -> list[str]:
    """The raw ids in ``text`` a person would read."""
    found = [m.group(1) for m in _RAW.finditer(text)]
    return found or ([text.strip()] if text.strip() in IDS else [])


def test_the_scan_finds_what_it_should() -> None:
    assert raw_ids("community-support") == ["community-support"]
    assert raw_ids("Overdue: support_plan, CS-0001") == ["support_plan"]
    assert raw_ids("review") == ["review"]
    assert raw_ids("Weekly review") == raw_ids("Support plan review") == []
    assert raw_ids("SWA-0003 Keyworking review 26-11-2026.docx") == []


def test_fields_read_as_their_labels() -> None:
    names = Names.of(POLICIES, Catalogue.load(DEFAULT_FORMS_DIR))
    # Findings number a table's rows from 1, as the form shows them.
    assert names.field("support-plan", "actions[2].area") == "Actions, row 2: Need area"
    assert names.field("support-plan", "actions") == "Actions"
    assert names.field("support-plan", "plan_date") == "Date of plan"
    assert names.field("support-plan", "person_signature") == (
        "Service user: signature (type full name)")
    assert names.field("review", "shanarri") == "Wellbeing indicators (SHANARRI)"
    assert names.field("review", "no_such_key") == "No such key"
    assert names.service("swa-refuge-women") == "Stockport Women's Aid: refuge (women)"
    assert names.obligation("swa-refuge-women", "review") == "Weekly review"


def test_form_needed_is_the_form_each_service_knows() -> None:
    """The review is "(Part 1)" only where a manager's Part 2 follows it."""
    needed = POLICIES.forms_needed(Catalogue.load(DEFAULT_FORMS_DIR))
    assert needed["community-support"]["review"] == "Support plan review (Part 1)"
    for service in ("swa-refuge-women", "families-first", "medway-hil", "sds"):
        assert needed[service]["review"] == "Support plan review", service


@pytest.fixture(scope="module")
def demo(demo_workspace: Demo) -> Path:
    return demo_workspace.home


def _cells(path: Path) -> Iterator[tuple[str, str, str]]:
    book = load_workbook(path)
    for sheet in book.worksheets:
        if sheet.sheet_state != "visible":
            continue
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    yield sheet.title, cell.coordinate, cell.value


def _workbook_ids(path: Path) -> list[tuple[str, str, str]]:
    return [(sheet, where, text) for sheet, where, text in _cells(path) if raw_ids(text)]


def test_no_raw_id_in_the_demo_workbook(demo: Path) -> None:
    (workbook,) = (demo / "reports").glob("compliance-*.xlsx")
    assert _workbook_ids(workbook) == []
    book = load_workbook(workbook)
    # Every sheet a person reads was scanned, and holds names where ids were.
    assert {"Summary", "Overdue", "Due soon", "Incomplete", "Caseload", "Obligations",
            "Active people"} <= set(book.sheetnames)
    services = {row[1] for row in book["Obligations"].iter_rows(min_row=2, values_only=True)}
    assert "Stockport Women's Aid: refuge (women)" in services


def test_incomplete_shows_the_forms_date_beside_its_arrival(demo: Path) -> None:
    (workbook,) = (demo / "reports").glob("compliance-*.xlsx")
    header, *rows = load_workbook(workbook)["Incomplete"].iter_rows(values_only=True)
    assert header.index("Form dated") + 1 == header.index("Received")
    assert rows and all(row[header.index("Form dated")] is not None for row in rows)
    assert not any("[" in str(row[header.index("Field")]) for row in rows)


def test_no_raw_id_in_schedules_or_calendars(demo: Path) -> None:
    (schedule,) = (demo / "reports").glob("schedule-*.xlsx")
    assert _workbook_ids(schedule) == []
    calendars = list((demo / "reports").glob("*.ics"))
    assert calendars
    for path in calendars:
        for event in Calendar.from_ical(path.read_bytes()).walk("VEVENT"):
            for part in ("SUMMARY", "DESCRIPTION"):
                for line in str(event.get(part, "")).splitlines():
                    assert raw_ids(line) == [], (path.name, line)


def _docx_paragraphs(path: Path) -> Iterator[str]:
    with zipfile.ZipFile(path) as docx:
        for name in docx.namelist():
            if re.fullmatch(r"word/(document|header\d*|footer\d*)\.xml", name):
                xml = docx.read(name).decode()
                for paragraph in re.findall(r"<w:p[ >].*?</w:p>", xml, re.S):
                    yield "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", paragraph))


def test_no_raw_id_in_outcome_summaries(demo: Path) -> None:
    summaries = list((demo / "reports" / "summaries").glob("*.docx"))
    assert summaries
    for path in summaries:
        paragraphs = list(_docx_paragraphs(path))
        assert [p for p in paragraphs if raw_ids(p)] == [], path.name
        if "families-first" in path.name:  # no Part 2 in Families First
            assert not any("(Part 1)" in p for p in paragraphs)
