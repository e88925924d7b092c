"""The weekly compliance workbook: written, reopened with openpyxl, and checked."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from pydantic import ValidationError

from pipeline.errors import ReportError
from pipeline.records import Finding, Obligation, ObligationStatus, Severity
from pipeline.reports.weekly.data import ActivePerson, IncompleteRow, RejectedRow, WeeklyInput
from pipeline.reports.weekly.workbook import (
    STATUS_LABELS,
    weekly_report_name,
    write_weekly_workbook,
)
from pipeline.reports.xlsx.links import file_link

AS_OF = date(2026, 3, 11)  # a Wednesday in ISO week 2026-W11
FS, SH = "floating-support", "supported-housing"
ASHA, BEN, CARYS = "Asha Patel", "Ben Jones", "Carys Evans"
TEAMS = {ASHA: "North", BEN: "South", CARYS: "North"}
LIST_SHEETS = ["Since last week", "Overdue", "Due soon", "Incomplete",
               "Disagreements and wishes", "Outcomes", "Outcomes by person", "Rejected",
               "Obligations", "Active people"]
ALL_SHEETS = ["Summary", "Since last week", "Overdue", "Due soon", "Incomplete",
              "Disagreements and wishes", "Caseload", "Outcomes", "Outcomes by person",
              "Rejected", "Obligations", "Active people"]
S = ObligationStatus


def ob(
    person: str,
    service: str,
    name: str,
    due: date,
    status: ObligationStatus,
    worker: str | None,
    *,
    met_on: date | None = None,
    source: str | None = None,
) -> Obligation:
    return Obligation(
        person_id=person, service=service, obligation=name, due=due, status=status,
        met_on=met_on, worker=worker, team=TEAMS.get(worker or ""), source=source,
    )


def active(person: str, service: str, worker: str | None) -> ActivePerson:
    return ActivePerson(person_id=person, service=service, worker=worker,
                        team=TEAMS.get(worker or ""), opened_on=date(2025, 12, 1),
                        source=f"archive/2025/12/{person}-referral.docx")


def sample() -> WeeklyInput:
    """Two services, three workers and one unassigned person, every status represented."""
    return WeeklyInput(
        as_of=AS_OF,
        obligations=[
            ob("P001", FS, "support_plan", date(2026, 2, 1), S.MET, ASHA,
               met_on=date(2026, 1, 28), source="archive/2026/01/P001 plan.docx"),
            ob("P001", FS, "review", date(2026, 3, 1), S.MET_LATE, ASHA, met_on=date(2026, 3, 5)),
            ob("P002", FS, "support_plan", date(2026, 2, 20), S.OVERDUE, BEN,
               source="archive/2026/02/P002-referral.docx"),
            ob("P003", FS, "review", date(2026, 3, 9), S.OVERDUE, BEN),
            ob("P004", SH, "review", date(2026, 3, 18), S.DUE_SOON, CARYS),
            ob("P004", SH, "support_plan", date(2026, 2, 10), S.MET, CARYS,
               met_on=date(2026, 2, 9)),
            ob("P005", SH, "risk_assessment", date(2026, 1, 15), S.OVERDUE, ASHA,
               source="archive/2026/01/P005-referral.docx"),
            ob("P005", SH, "review", date(2026, 5, 1), S.UPCOMING, ASHA),
            ob("P006", SH, "support_plan", date(2026, 3, 20), S.DUE_SOON, None),
            ob("P007", FS, "review", date(2026, 1, 5), S.NOT_APPLICABLE, CARYS),
            # Never done before the episode closed: due, and not met.
            ob("P009", FS, "review", date(2026, 1, 20), S.MISSED, BEN),
        ],
        incomplete=[
            IncompleteRow(
                person_id="P002", service=FS, form_id="referral", field="date_of_birth",
                severity=Severity.ADVISORY, message="Date of birth is missing.",
                received_at=datetime(2026, 3, 2, 9, 30), worker=BEN,
                archived_path="archive/2026/03/P002-referral.docx",
            ),
            IncompleteRow(
                person_id=None, service=SH, form_id="review", field="person_id",
                severity=Severity.BLOCKING,
                message="The form has no person ID: fill in the Person ID box and send it again.",
                received_at=datetime(2026, 3, 9, 14, 0),
            ),
        ],
        rejected=[
            RejectedRow(
                file_name="scan 0042.pdf", received_at=datetime(2026, 3, 10, 8, 15),
                reason="The PDF has no form fields: send the filled Word form instead.",
                rejected_path="rejected/scan 0042.pdf",
            ),
        ],
        active_people=[
            active("P001", FS, ASHA),
            active("P002", FS, BEN),
            active("P003", FS, BEN),
            active("P008", FS, CARYS),
            active("P004", SH, CARYS),
            active("P005", SH, ASHA),
            active("P006", SH, None),
        ],
    )


@pytest.fixture
def workbook(tmp_path: Path) -> Any:
    path = write_weekly_workbook(
        sample(), tmp_path / "reports" / weekly_report_name(AS_OF), files_root=tmp_path
    )
    return openpyxl.load_workbook(path)


def rows_of(ws: Any) -> list[dict[str, Any]]:
    """A list sheet's rows as dicts keyed by its header row."""
    header, *body = ws.iter_rows(values_only=True)
    return [dict(zip(header, row, strict=True)) for row in body]


def column(ws: Any, header: str) -> list[Any]:
    """The body cells of a list sheet's column, found by its header."""
    number = next(cell.column for cell in ws[1] if cell.value == header)
    return [row[number - 1] for row in ws.iter_rows(min_row=2)]


def target(cell: Any) -> str:
    """A link's target, with "/" between folders: the workbook is written as Excel writes
    a relative link, with "\\" (Excel and LibreOffice follow either)."""
    found: str = cell.hyperlink.target
    return found.replace("\\", "/")


def summary_table(ws: Any, group: str) -> dict[str, dict[str, Any]]:
    """One Summary table (header cell ``group`` in column A), keyed by its first column."""
    start = next(cell.row for cell in ws["A"] if cell.value == group)
    header = [cell.value for cell in ws[start]]
    table: dict[str, dict[str, Any]] = {}
    for row in ws.iter_rows(min_row=start + 1, values_only=True):
        if row[1] is None:  # the explanatory note under the table
            break
        table[row[0]] = dict(zip(header, row, strict=True))
    return table


def test_sheets_in_tab_order(workbook: Any) -> None:
    assert workbook.sheetnames == ALL_SHEETS


def test_workbook_properties(workbook: Any) -> None:
    assert workbook.properties.title == "Planwatch weekly compliance 2026-W11"
    assert workbook.properties.creator == "Planwatch"


@pytest.mark.parametrize(("group", "column"),
                         [("Service", "Service"), ("Team", "Team"), ("Worker", "Worker")])
def test_summary_numbers_recount_from_the_detail_sheets(
    workbook: Any, group: str, column: str
) -> None:
    obligations = rows_of(workbook["Obligations"])
    people = rows_of(workbook["Active people"])
    table = summary_table(workbook["Summary"], group)
    total_label = f"All {group.lower()}s"
    assert set(table) - {total_label} == {row[column] for row in obligations + people}
    for name, numbers in table.items():
        mine = [r for r in obligations if name == total_label or r[column] == name]

        def count(status: ObligationStatus, rows: list[dict[str, Any]] = mine) -> int:
            return sum(r["Status"] == STATUS_LABELS[status] for r in rows)

        due = count(S.MET) + count(S.MET_LATE) + count(S.OVERDUE) + count(S.MISSED)
        assert numbers["Active people"] == sum(
            name == total_label or p[column] == name for p in people
        )
        assert numbers["Due to date"] == due
        for status in (S.MET, S.MET_LATE, S.OVERDUE, S.MISSED, S.DUE_SOON):
            assert numbers[STATUS_LABELS[status]] == count(status), (name, status)
        assert numbers["On-time rate"] == (pytest.approx(count(S.MET) / due) if due else None)


def test_summary_numbers_by_hand(workbook: Any) -> None:
    """Counted from sample() by eye, so a bug shared by both sheets still shows."""
    ws = workbook["Summary"]
    services = summary_table(ws, "Service")
    assert services[FS]["Due to date"] == 5  # met, met late, two overdue, one missed
    assert services[FS]["Missed"] == 1
    assert services[FS]["On-time rate"] == pytest.approx(0.2)
    assert services[SH]["Active people"] == 3
    assert services["All services"]["Overdue"] == 3
    workers = summary_table(ws, "Worker")
    assert list(workers) == [ASHA, BEN, CARYS, "(unassigned)", "All workers"]
    assert workers["(unassigned)"]["Due soon"] == 1
    assert workers["(unassigned)"]["On-time rate"] is None  # nothing was due: blank
    assert ws["B2"].value == datetime(2026, 3, 11)
    assert ws["B3"].value == 7
    rate_cell = next(c for c in ws["I"] if isinstance(c.value, float))
    assert rate_cell.number_format == "0%"


def test_dates_are_real_excel_dates(workbook: Any) -> None:
    assert workbook["Summary"]["B2"].is_date
    assert workbook["Summary"]["B2"].number_format == "dd/mm/yyyy"
    ws = workbook["Obligations"]
    for cell in column(ws, "Due"):
        assert cell.is_date and cell.number_format == "dd/mm/yyyy"
    met_on = [cell for cell in column(ws, "Met on") if cell.value is not None]
    assert met_on and all(cell.is_date for cell in met_on)
    received = column(workbook["Incomplete"], "Received")[0]
    assert received.is_date and received.number_format == "dd/mm/yyyy hh:mm"


@pytest.mark.parametrize("title", LIST_SHEETS)
def test_list_sheets_are_frozen_filtered_and_print_ready(workbook: Any, title: str) -> None:
    ws = workbook[title]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{ws.max_row}"
    assert ws["A1"].font.b and ws["A1"].fill.fgColor.rgb.endswith("D5E1E5")
    assert ws.page_setup.orientation == "landscape"
    # One page wide: fitToWidth is left out when 1, the file format's default.
    assert (ws.page_setup.fitToWidth or 1, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$1:$1"
    widths = [ws.column_dimensions[c.column_letter].width for c in ws[1]]
    assert all(8 <= width <= 60 for width in widths)


def test_long_text_wraps(workbook: Any) -> None:
    assert column(workbook["Incomplete"], "What to fix")[0].alignment.wrap_text
    assert column(workbook["Rejected"], "Reason")[0].alignment.wrap_text


def test_overdue_most_overdue_first(workbook: Any) -> None:
    rows = rows_of(workbook["Overdue"])
    assert [r["Person"] for r in rows] == ["P005", "P002", "P003"]
    assert [r["Days overdue"] for r in rows] == [55, 19, 2]


def test_due_soon_soonest_first(workbook: Any) -> None:
    rows = rows_of(workbook["Due soon"])
    assert [(r["Person"], r["Days left"], r["Worker"]) for r in rows] == [
        ("P004", 7, CARYS),
        ("P006", 9, "(unassigned)"),
    ]


def test_incomplete_blocking_first_one_row_per_finding(workbook: Any) -> None:
    rows = rows_of(workbook["Incomplete"])
    assert [(r["Person"], r["Blocking or advisory"]) for r in rows] == [
        ("(not given)", "Blocking"),
        ("P002", "Advisory"),
    ]


def test_archived_files_are_relative_links(workbook: Any) -> None:
    source = column(workbook["Overdue"], "Source file")
    assert source[0].value == "P005-referral.docx"
    assert target(source[0]) == "../archive/2026/01/P005-referral.docx"
    assert source[2].hyperlink is None  # P003 has no source file
    plan = next(c for c in column(workbook["Obligations"], "Source file")
                if c.value == "P001 plan.docx")
    assert target(plan) == "../archive/2026/01/P001%20plan.docx"
    assert target(column(workbook["Incomplete"], "Archived file")[1]) == (
        "../archive/2026/03/P002-referral.docx"
    )
    rejected = workbook["Rejected"]["A2"]
    assert rejected.value == "scan 0042.pdf"
    assert target(rejected) == "../rejected/scan%200042.pdf"


@pytest.mark.parametrize(
    ("stored", "files_root", "target"),
    [
        pytest.param(
            "archive/a b.docx", Path("/ws"), "../archive/a%20b.docx", id="workspace_relative"
        ),
        pytest.param("/ws/archive/a.docx", None, "../archive/a.docx", id="absolute"),
        pytest.param("archive/a.docx", None, "archive/a.docx", id="relative_to_workbook"),
    ],
)
def test_file_links_are_relative_to_the_workbook(
    stored: str, files_root: Path | None, target: str
) -> None:
    assert file_link(stored, Path("/ws/reports"), files_root) == target


def test_incomplete_row_from_finding() -> None:
    finding = Finding(field="goals", code="required", message="Add a goal.",
                      severity=Severity.BLOCKING)
    row = IncompleteRow.from_finding(
        finding, person_id="P1", service=FS, form_id="review",
        received_at=datetime(2026, 3, 1, 9, 0),
    )
    assert (row.field, row.message, row.severity) == ("goals", "Add a goal.", Severity.BLOCKING)


def test_empty_lists_say_so(tmp_path: Path) -> None:
    data = WeeklyInput(
        as_of=AS_OF, obligations=[], incomplete=[], rejected=[], active_people=[], due_soon_days=7
    )
    book = openpyxl.load_workbook(write_weekly_workbook(data, tmp_path / "empty.xlsx"))
    assert book["Overdue"]["A2"].value == "Nothing overdue as of 11/03/2026."
    assert book["Due soon"]["A2"].value == "Nothing due in the 7 days after 11/03/2026."
    assert book["Incomplete"]["A2"].value == "No incomplete forms waiting."
    assert book["Rejected"]["A2"].value == "No rejected files."
    assert book["Outcomes"]["A2"].value == "No outcome scores recorded yet."
    for title in LIST_SHEETS:
        assert book[title].max_row == 2, title
    totals = summary_table(book["Summary"], "Service")["All services"]
    assert totals["Due to date"] == 0 and totals["On-time rate"] is None


def test_text_from_forms_stays_text(tmp_path: Path) -> None:
    """A reason that looks like a formula, or carries a Word line break, is plain text."""
    data = sample().model_copy(
        update={"rejected": [RejectedRow(
            file_name="=evil.docx", received_at=datetime(2026, 7, 1, 9, 0, tzinfo=UTC),
            reason='=HYPERLINK("http://example.invalid","x")\vsecond line',
        )]}
    )
    ws = openpyxl.load_workbook(write_weekly_workbook(data, tmp_path / "w.xlsx"))["Rejected"]
    assert ws["A2"].value == "=evil.docx" and ws["A2"].data_type == "s"
    assert ws["C2"].value == '=HYPERLINK("http://example.invalid","x") second line'
    assert ws["C2"].data_type == "s"
    assert ws["B2"].value == datetime(2026, 7, 1, 10, 0)  # 09:00 UTC is 10:00 in London (BST)


def test_write_is_atomic_and_replaces(tmp_path: Path) -> None:
    path = tmp_path / "week.xlsx"
    path.write_bytes(b"last week's workbook")
    assert write_weekly_workbook(sample(), path) == path
    assert [p.name for p in tmp_path.iterdir()] == ["week.xlsx"]
    assert openpyxl.load_workbook(path).sheetnames[0] == "Summary"


def test_unwritable_folder_is_a_report_error_and_leaves_nothing(tmp_path: Path) -> None:
    blocker = tmp_path / "reports"
    blocker.write_text("a file where the folder should be")
    with pytest.raises(ReportError, match="cannot write the workbook"):
        write_weekly_workbook(sample(), blocker / "week.xlsx")
    assert [p.name for p in tmp_path.iterdir()] == ["reports"]


def test_output_must_be_xlsx(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match=r"must be an \.xlsx file"):
        write_weekly_workbook(sample(), tmp_path / "week.xls")


def test_person_listed_twice_in_one_service_is_refused() -> None:
    twice = [ActivePerson(person_id="P1", service=FS), ActivePerson(person_id="P1", service=FS)]
    with pytest.raises(ValidationError, match="P1 in floating-support twice"):
        WeeklyInput(as_of=AS_OF, obligations=[], incomplete=[], rejected=[], active_people=twice)


@pytest.mark.parametrize(
    ("as_of", "name"),
    [
        pytest.param(date(2026, 3, 11), "compliance-2026-W11.xlsx", id="midweek"),
        pytest.param(date(2027, 1, 1), "compliance-2026-W53.xlsx", id="new_year_in_last_week"),
        pytest.param(date(2024, 12, 30), "compliance-2025-W01.xlsx", id="december_in_week_1"),
    ],
)
def test_weekly_report_name_uses_iso_year_and_week(as_of: date, name: str) -> None:
    assert weekly_report_name(as_of) == name


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_prints_the_workbook(tmp_path: Path) -> None:
    path = write_weekly_workbook(sample(), tmp_path / weekly_report_name(AS_OF))
    # A profile of its own: parallel runs sharing the default profile lock each other out.
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(
        ["soffice", f"-env:UserInstallation={profile}", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
        check=True, capture_output=True, timeout=180,
    )
    pdf = path.with_suffix(".pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    assert pdf.stat().st_size > 5_000
