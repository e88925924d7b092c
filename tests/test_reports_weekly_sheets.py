"""The complete weekly workbook: colours, the 12-week trend, caseload, outcomes,
disagreements, and the "who, whose, since when, which form" a manager reads."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from pipeline.reports.weekly.data import (
    Disagreed,
    DisagreementRow,
    RejectedRow,
    ScoreRow,
    WeekCounts,
    WeeklyInput,
)
from pipeline.reports.weekly.summary_sheet import current_tallies, rejected_by_week, trend_rates
from pipeline.reports.weekly.workbook import write_weekly_workbook
from pipeline.store.models import SnapshotGroup
from tests.test_reports_weekly import (
    ASHA,
    BEN,
    FS,
    SH,
    column,
    rows_of,
    sample,
    summary_table,
    target,
)

GREEN, AMBER, RED = "C6EFCE", "FFEB9C", "FFC7CE"


def week_of(back: int) -> date:
    return date(2026, 3, 9) - timedelta(weeks=back)  # Mondays before AS_OF's week


def history() -> list[WeekCounts]:
    """Ten earlier weeks (weeks 4 and 7 back were never written): rates 50% to 95%."""
    rows = []
    for back in (1, 2, 3, 5, 6, 8, 9, 10, 11, 12):
        monday = week_of(back)
        week = f"{monday.isocalendar()[0]}-W{monday.isocalendar()[1]:02d}"
        for kind, name in ((SnapshotGroup.ALL, ""), (SnapshotGroup.SERVICE, FS)):
            rows.append(WeekCounts(week=week, week_start=monday, group_kind=kind,
                                   group_name=name, met=20 - back, met_late=back, overdue=0))
    return rows


def full() -> WeeklyInput:
    return sample().model_copy(update={
        "history": history(),
        "capacities": {SH: 3, "families-first": 30},
        "forms_needed": {FS: {"support_plan": "Support plan", "review": "Review"}},
        "scores": [
            ScoreRow(person_id="P001", service=FS, area="Money", first=3, first_on=date(2025, 9, 1),
                     latest=7, latest_on=date(2026, 3, 1), times=3, worker=ASHA,
                     source="archive/2026/03/P001 review.docx"),
            ScoreRow(person_id="P002", service=FS, area="Money", first=6, first_on=date(2025, 9, 1),
                     latest=5, latest_on=date(2026, 3, 1), times=2, worker=BEN,
                     source="archive/2026/03/P002 review.docx"),
            ScoreRow(person_id="P003", service=FS, area="Home", first=4, first_on=date(2026, 3, 1),
                     latest=4, latest_on=date(2026, 3, 1), times=1, worker=BEN,
                     source="archive/2026/03/P003 review.docx"),
        ],
        "disagreements": [
            DisagreementRow(person_id="P001", service=FS, form_title="Support plan",
                            on=date(2026, 2, 2), kind=Disagreed.DISAGREEMENT,
                            person_view="I will not move.", other_view="Arrears keep growing.",
                            worker=ASHA, archived_path="archive/2026/02/P001 plan.docx"),
            DisagreementRow(person_id="P004", service=SH, form_title="Support plan",
                            on=date(2026, 3, 2), kind=Disagreed.WISHES,
                            person_view="Daily visits.", other_view="Outside the service.",
                            archived_path="archive/2026/03/P004 plan.docx"),
        ],
    })


@pytest.fixture
def book(tmp_path: Path) -> Any:
    return openpyxl.load_workbook(
        write_weekly_workbook(full(), tmp_path / "reports" / "w.xlsx", files_root=tmp_path))


def fill_of(cell: Any) -> str:
    return str(cell.fill.fgColor.rgb)[-6:] if cell.fill.fill_type else ""


def test_overdue_says_who_whose_since_when_and_which_form(book: Any) -> None:
    first = rows_of(book["Overdue"])[1]
    assert {k: first[k] for k in ("Person", "Team", "Worker", "Obligation", "Form needed",
                                  "Days overdue", "Source file")} == {
        "Person": "P002", "Team": "South", "Worker": BEN, "Obligation": "Support plan",
        "Form needed": "Support plan", "Days overdue": 19, "Source file": "P002-referral.docx"}
    assert first["Due"].date() == date(2026, 2, 20)


@pytest.mark.parametrize(("group", "name", "colour"), [
    pytest.param("Service", FS, RED, id="service_20_percent_red"),
    pytest.param("Worker", "Carys Evans", GREEN, id="worker_100_percent_green"),
    pytest.param("Team", "North", RED, id="team_red"),
])
def test_on_time_rates_are_coloured(book: Any, group: str, name: str, colour: str) -> None:
    ws = book["Summary"]
    header = next(c.row for c in ws["A"] if c.value == group)
    row = next(c.row for c in ws["A"][header:] if c.value == name)
    assert fill_of(ws.cell(row=row, column=9)) == colour


def test_thresholds_come_from_the_input(tmp_path: Path) -> None:
    data = full().model_copy(update={"green_at": 0.15, "amber_at": 0.1})
    ws = openpyxl.load_workbook(write_weekly_workbook(data, tmp_path / "w.xlsx"))["Summary"]
    row = next(c.row for c in ws["A"] if c.value == FS)
    assert fill_of(ws.cell(row=row, column=9)) == GREEN
    note = next(c.value for c in ws["A"] if str(c.value).startswith("Due to date ="))
    assert "green 15% or more, amber 10% to 14%, red below 10%" in note


def test_team_table_counts_unnamed_teams_last(book: Any) -> None:
    teams = summary_table(book["Summary"], "Team")
    assert list(teams) == ["North", "South", "(no team)", "All teams"]
    assert teams["South"]["Missed"] == 1


def test_trend_has_twelve_weeks_with_gaps_where_nothing_was_written() -> None:
    data = full()
    series, weeks = trend_rates(data, current_tallies(data))
    assert series == ["All services", FS, SH]
    assert (weeks[0][0], weeks[-1][0]) == ("2025-W52", "2026-W11")
    assert len(weeks) == 12
    by_week = {monday: rates for _, monday, rates in weeks}
    assert by_week[week_of(4)] == [None, None, None]  # never written: a gap, not 0%
    assert by_week[week_of(1)][0] == pytest.approx(19 / 20)
    assert by_week[week_of(1)][2] is None  # no snapshot for that service that week
    assert by_week[date(2026, 3, 9)][1] == pytest.approx(0.2)  # this week, counted now


def test_trend_counts_the_files_rejected_each_week(tmp_path: Path) -> None:
    """The trend's last column: files that could not be taken in, by week of arrival;
    the chart stays the rates'."""
    data = full()
    received = [datetime.combine(week_of(back), time(9)) for back in (1, 1, 3)]
    data = data.model_copy(update={"rejected": [
        RejectedRow(file_name=f"scan {n}.pdf", received_at=when, reason="Not a form")
        for n, when in enumerate(received)]})
    assert rejected_by_week(data) == {week_of(1): 2, week_of(3): 1}
    ws = openpyxl.load_workbook(write_weekly_workbook(data, tmp_path / "r.xlsx"))["Summary"]
    (heading,) = [c.row for c in ws["A"] if str(c.value).startswith("On-time rate, last")]
    header = [c.value for c in ws[heading + 1] if c.value is not None]
    assert header[-1] == "Files rejected"
    shown = {ws.cell(row=r, column=2).value.date(): ws.cell(row=r, column=len(header)).value
             for r in range(heading + 2, heading + 14)}
    assert (shown[week_of(1)], shown[week_of(2)], shown[week_of(3)]) == (2, 0, 1)
    assert len(ws._charts[0].series) == 3  # rates only


def test_summary_has_a_line_chart_of_the_trend(book: Any) -> None:
    ws = book["Summary"]
    assert len(ws._charts) == 1
    chart = ws._charts[0]
    assert chart.tagname == "lineChart"
    assert len(chart.series) == 3  # all services and each service
    assert ws.print_area  # the chart is inside the printed area


def test_caseload_against_capacity(book: Any) -> None:
    ws = book["Caseload"]
    cells = {c.value: c.row for c in ws["A"] if c.value}
    row = cells[SH]
    assert [ws.cell(row=row, column=n).value for n in (2, 3)] == [3, 3]
    assert ws.cell(row=row, column=4).value == pytest.approx(1.0)
    assert fill_of(ws.cell(row=row, column=4)) == AMBER  # full: amber; over: red
    ff = cells["families-first"]
    assert ws.cell(row=ff, column=2).value == 0 and ws.cell(row=ff, column=3).value == 30
    assert ws.cell(row=cells["Carys Evans"], column=2).value == 2
    assert ws.cell(row=cells["All workers"], column=2).value == 7


def test_outcomes_average_only_people_scored_twice(book: Any) -> None:
    rows = {(r["Service"], r["Outcome area"]): r for r in rows_of(book["Outcomes"])}
    money = rows[(FS, "Money")]
    assert (money["People scored"], money["Scored twice or more"]) == (2, 2)
    assert money["Their average first score"] == pytest.approx(4.5)
    assert money["Their average latest score"] == pytest.approx(6.0)
    assert money["Their average change"] == pytest.approx(1.5)
    home = rows[(FS, "Home")]
    assert home["Scored twice or more"] == 0 and home["Their average change"] is None


def test_outcomes_by_person_link_the_latest_form(book: Any) -> None:
    rows = rows_of(book["Outcomes by person"])
    assert [(r["Person"], r["Outcome area"], r["Change"]) for r in rows] == [
        ("P001", "Money", 4), ("P002", "Money", -1), ("P003", "Home", 0)]
    assert target(column(book["Outcomes by person"], "Latest form")[0]) == (
        "../archive/2026/03/P001%20review.docx")


def test_disagreements_newest_first_with_both_views(book: Any) -> None:
    rows = rows_of(book["Disagreements and wishes"])
    assert [(r["Person"], r["Recorded"]) for r in rows] == [
        ("P004", "Wishes not incorporated"), ("P001", "Disagrees with the plan")]
    assert rows[1]["The person's view or wishes"] == "I will not move."
    assert rows[1]["Worker's view, or why not"] == "Arrears keep growing."


@pytest.mark.parametrize(("sheet", "header"), [
    pytest.param("Overdue", "Source file", id="overdue"),
    pytest.param("Incomplete", "Archived file", id="incomplete"),
    pytest.param("Disagreements and wishes", "Archived file", id="disagreements"),
    pytest.param("Outcomes by person", "Latest form", id="outcomes"),
    pytest.param("Active people", "Opening form", id="active_people"),
    pytest.param("Rejected", "File", id="rejected"),
])
def test_rows_from_forms_link_their_file(book: Any, sheet: str, header: str) -> None:
    cells = [c for c in column(book[sheet], header) if c.value]
    assert cells and all(c.hyperlink is not None for c in cells)


@pytest.mark.parametrize("title", ["Summary", "Caseload"])
def test_table_sheets_print_landscape_one_page_wide(book: Any, title: str) -> None:
    ws = book[title]
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and (ws.page_setup.fitToWidth or 1) == 1
