"""Reports for a workspace: the weekly write and its snapshot, the watcher's Monday check,
and `planwatch schedule | summary` as a worker types them."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from icalendar import Calendar
from sqlalchemy import func, select
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import Settings, load_settings
from pipeline.definitions import Catalogue
from pipeline.reports.weekly.job import (
    backfill_snapshots,
    last_weekly_write,
    weekly_due,
    write_compliance_report,
)
from pipeline.reports.weekly.snapshots import last_written, load_weeks
from pipeline.store.models import SnapshotGroup, WeeklySnapshot
from pipeline.store.session import open_store
from tests.reports_store import add_closure, workspace

AS_OF = date(2026, 11, 23)  # Monday of 2026-W48
LONDON = ZoneInfo("Europe/London")
runner = CliRunner()


@pytest.fixture
def settings(tmp_path: Path, catalogue: Catalogue) -> Settings:
    return workspace(tmp_path / "ws", catalogue)


def run(settings: Settings, *args: str) -> str:
    result = runner.invoke(app, ["--home", str(settings.home), *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_weekly_report_keeps_one_snapshot_per_week_and_group(settings: Settings) -> None:
    with open_store(settings.database_url) as store:
        path = write_compliance_report(store, settings, AS_OF)
        write_compliance_report(store, settings, AS_OF + timedelta(days=2))  # same week again
        with store.session() as session:
            rows = load_weeks(session, AS_OF, AS_OF)
            total = session.scalar(select(func.count()).select_from(WeeklySnapshot))
    assert path == settings.reports_path / "compliance-2026-W48.xlsx"
    assert {(r.group_kind, r.group_name) for r in rows} == {
        (SnapshotGroup.ALL, ""), (SnapshotGroup.SERVICE, "community-support"),
        (SnapshotGroup.TEAM, "North"), (SnapshotGroup.WORKER, "Sam Patel")}
    assert total == 4  # rewritten, not added to
    everyone = next(r for r in rows if r.group_kind is SnapshotGroup.ALL)
    assert (everyone.active, everyone.overdue, everyone.met) == (1, 1, 4)


def test_next_weeks_workbook_charts_this_weeks_rate(settings: Settings) -> None:
    with open_store(settings.database_url) as store:
        write_compliance_report(store, settings, AS_OF)
        later = write_compliance_report(store, settings, AS_OF + timedelta(weeks=1))
    ws = openpyxl.load_workbook(later)["Summary"]
    header = next(c.row for c in ws["A"] if c.value == "Week")
    weeks = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=3).value
             for r in range(header + 1, header + 13)}
    assert weeks["2026-W48"] == pytest.approx(0.8)  # 4 met on time of 5 due
    assert weeks["2026-W47"] is None  # never written: a gap


def test_the_workbook_answers_who_whose_since_when_which_form(settings: Settings) -> None:
    with open_store(settings.database_url) as store:
        path = write_compliance_report(store, settings, AS_OF)
    header, *rows = openpyxl.load_workbook(path)["Overdue"].iter_rows(values_only=True)
    row = dict(zip(header, rows[0], strict=True))
    assert (row["Person"], row["Worker"], row["Team"], row["Obligation"]) == (
        "CS-00042", "Sam Patel", "North", "Review Part 2 (manager)")
    assert row["Service"] == "Community Support"  # names, not ids
    assert row["Due"].date() == date(2026, 10, 26) and row["Days overdue"] == 28
    assert row["Form needed"] == "Review Part 2: manager evaluation"
    assert str(row["Source file"]).endswith("04-review.docx")


def test_backfill_fills_missing_weeks_only(settings: Settings) -> None:
    with open_store(settings.database_url) as store:
        write_compliance_report(store, settings, AS_OF - timedelta(weeks=3))
        written = backfill_snapshots(store, settings, AS_OF)
        again = backfill_snapshots(store, settings, AS_OF)
    assert len(written) == 10 and "2026-W45" not in written and again == []


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


@pytest.mark.parametrize(("now", "last", "due"), [
    pytest.param("2026-11-23 09:00", None, True, id="never_written"),
    pytest.param("2026-11-23 06:59", "2026-11-16 07:00", False, id="monday_before_seven"),
    pytest.param("2026-11-23 07:00", "2026-11-16 07:00", True, id="monday_at_seven"),
    pytest.param("2026-11-23 07:01", "2026-11-23 07:00", False, id="just_written"),
    pytest.param("2026-11-25 12:00", "2026-11-16 07:00", True, id="watcher_was_down_monday"),
    pytest.param("2026-11-29 23:59", "2026-11-23 07:00", False, id="sunday_night"),
    pytest.param("2026-03-30 07:00", "2026-03-23 07:00", True, id="first_monday_of_bst"),
])
def test_weekly_due_every_monday_at_seven(tmp_path: Path, now: str, last: str | None,
                                          due: bool) -> None:
    settings = load_settings(tmp_path)
    assert weekly_due(at(now), settings, at(last) if last else None) is due


def test_weekly_due_follows_the_settings(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, weekly_report_day="friday", weekly_report_time="16:30")
    last = at("2026-11-20 16:30")
    assert not weekly_due(at("2026-11-27 16:29"), settings, last)
    assert weekly_due(at("2026-11-27 16:30"), settings, last)
    with pytest.raises(ValueError, match="timezone-aware"):
        weekly_due(datetime(2026, 11, 27, 17, 0), settings, last)


def test_last_write_is_kept_in_the_store(settings: Settings) -> None:
    moment = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
    with open_store(settings.database_url) as store:
        assert last_weekly_write(store) is None
        write_compliance_report(store, settings, AS_OF, now=moment)
        assert last_weekly_write(store) == moment
        with store.session() as session:
            assert last_written(session) == moment


# --- the command line --------------------------------------------------------------------


def test_schedule_workbook_and_calendar(settings: Settings, tmp_path: Path) -> None:
    output = run(settings, "schedule", "--as-of", "2026-11-23", "-o", str(tmp_path / "s.xlsx"))
    assert "s.xlsx" in output
    book = openpyxl.load_workbook(tmp_path / "s.xlsx")
    assert book.sheetnames == ["Sam Patel"]
    assert book["Sam Patel"]["B2"].value == "Community Support"
    assert book["Sam Patel"]["C2"].value == "Review Part 2 (manager)"
    run(settings, "schedule", "--as-of", "2026-11-23", "--weeks", "2", "--worker", "sam patel",
        "-o", str(tmp_path / "sam.ics"))
    calendar = Calendar.from_ical((tmp_path / "sam.ics").read_bytes())
    calendar.validate()
    summaries = [str(e["summary"]) for e in calendar.walk("VEVENT")]
    assert summaries == ["OVERDUE since 26/10: Review Part 2: manager evaluation, CS-00042"]


@pytest.mark.parametrize(("args", "message"), [
    pytest.param(["--worker", "Nobody"], "There is no worker called 'Nobody'",
                 id="unknown_worker"),
    pytest.param(["-o", "s.pdf"], "a schedule is written as .xlsx or .ics", id="wrong_type"),
])
def test_schedule_errors_say_what_to_do(settings: Settings, args: list[str],
                                        message: str) -> None:
    full = ["--home", str(settings.home), "schedule", *args]
    if "-o" not in args:
        full += ["-o", str(settings.home / "s.xlsx")]
    result = runner.invoke(app, full)
    assert result.exit_code != 0 and message in str(result.exception)


def test_summary_command_writes_to_reports_summaries(settings: Settings) -> None:
    output = run(settings, "summary", "CS-00042", "--as-of", "2026-11-23")
    path = settings.reports_path / "summaries" / (
        "outcome-summary-CS-00042-community-support-draft-2026-11-23.docx")
    assert path.exists() and path.name in output


def test_due_json_still_matches_the_workbook(settings: Settings) -> None:
    rows = json.loads(run(settings, "due", "--as-of", "2026-11-23", "--json"))
    assert [(r["obligation"], r["status"]) for r in rows] == [("review_part2", "overdue")]


def sheet_rows(path: Path, title: str) -> list[dict[str, object]]:
    header, *rows = openpyxl.load_workbook(path)[title].iter_rows(values_only=True)
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_workbook_from_the_store_before_and_after_closure(settings: Settings) -> None:
    with open_store(settings.database_url) as store:
        before = write_compliance_report(store, settings, AS_OF)
        add_closure(store, closed_on=AS_OF - timedelta(days=1))
        after = write_compliance_report(store, settings, AS_OF, settings.home / "after.xlsx")
    disagreements = sheet_rows(before, "Disagreements and wishes")
    assert [(r["Person"], r["Recorded"]) for r in disagreements] == [
        ("CS-00042", "Disagrees with the plan"), ("CS-00042", "Wishes not incorporated")]
    assert disagreements[0]["The person's view or wishes"] == "I do not want a cleaner."
    scores = {r["Outcome area"]: (r["First score"], r["Latest score"])
              for r in sheet_rows(before, "Outcomes by person")}
    assert scores == {"Money": (6, 8), "Health": (8, 7)}  # 7.5 is stored as 8
    opened = sheet_rows(before, "Active people")[0]
    assert (opened["Team"], str(opened["Opening form"])) == ("North", "00-referral.docx")
    # Closed: no longer supported, so off the caseload and the disagreements sheet.
    assert sheet_rows(after, "Active people")[0]["Person"] == "No active people."
    assert sheet_rows(after, "Disagreements and wishes")[0]["Person"].startswith("No ")
