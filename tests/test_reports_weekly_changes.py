"""What changed since last week: the items each workbook keeps, and the change list the
next one works out from them (hand-made weeks, then two workbooks a week apart)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import update

from pipeline.config import Settings
from pipeline.definitions import Catalogue
from pipeline.inbox.backlog import ingest_paths
from pipeline.inbox.ingest import Workspace
from pipeline.records import Obligation, ObligationStatus
from pipeline.reports.weekly.changes import (
    ChangeKind,
    active_key,
    changes_sheet,
    changes_since,
    kept_items,
    only_people,
    overdue_key,
    rate_change,
    summary_lines,
)
from pipeline.reports.weekly.data import ActivePerson, LastWeek, RejectedRow, WeeklyInput
from pipeline.reports.weekly.job import write_compliance_report
from pipeline.reports.weekly.snapshots import last_week
from pipeline.store.models import WeeklySnapshot
from pipeline.store.session import open_store
from tests.reports_store import add_closure, workspace

AS_OF = date(2026, 3, 9)  # Monday of 2026-W11
OVERDUE, MET_LATE, MET = ObligationStatus.OVERDUE, ObligationStatus.MET_LATE, ObligationStatus.MET


def ob(person: str, obligation: str, due: date, status: ObligationStatus,
       met_on: date | None = None) -> Obligation:
    return Obligation(person, "refuge", obligation, due, status, met_on=met_on)


def person(person_id: str, opened_on: date | None = None) -> ActivePerson:
    return ActivePerson(person_id=person_id, service="refuge", opened_on=opened_on)


def last(**kwargs: object) -> LastWeek:
    fields: dict[str, object] = {
        "week": "2026-W10", "as_of": date(2026, 3, 2), "rate": 0.5,
        "cutoff": datetime(2026, 3, 2, 7, tzinfo=UTC)}
    return LastWeek(**{**fields, **kwargs})  # type: ignore[arg-type]


def week(last_week: LastWeek | None, obligations: list[Obligation],
         active: list[ActivePerson], rejected: list[RejectedRow] | None = None) -> WeeklyInput:
    return WeeklyInput(as_of=AS_OF, obligations=obligations, incomplete=[],
                       rejected=rejected or [], active_people=active, last_week=last_week)


def test_each_change_is_listed_once_and_links_to_its_row() -> None:
    before = last(
        overdue=frozenset({overdue_key("R-1", "refuge", "support_plan", date(2026, 2, 20)),
                           overdue_key("R-2", "refuge", "weekly_review", date(2026, 2, 27))}),
        active=frozenset({active_key("R-1", "refuge"), active_key("R-2", "refuge"),
                          active_key("R-9", "refuge")}))
    data = week(
        before,
        [ob("R-1", "support_plan", date(2026, 2, 20), OVERDUE),  # still overdue: no change
         ob("R-1", "weekly_review", date(2026, 3, 6), OVERDUE),  # newly overdue
         ob("R-2", "weekly_review", date(2026, 2, 27), MET_LATE, date(2026, 3, 4)),
         ob("R-3", "support_plan", date(2026, 3, 20), ObligationStatus.UPCOMING)],
        [person("R-1"), person("R-2"), person("R-3", date(2026, 3, 5))],
        [RejectedRow(file_name="old.docx", received_at=datetime(2026, 3, 1, 9, tzinfo=UTC),
                     reason="x"),
         RejectedRow(file_name="scan.pdf", received_at=datetime(2026, 3, 4, 9, tzinfo=UTC),
                     reason="It is a scanned picture, not a filled form.")])
    found = changes_since(data)
    assert found is not None
    rows = [(c.kind, c.person_id, c.what, c.now, c.target) for c in found.items]
    assert rows == [
        (ChangeKind.NEWLY_OVERDUE, "R-1", "Weekly review", "3 days overdue", "#'Overdue'!A3"),
        (ChangeKind.RESOLVED, "R-2", "Weekly review", "Met late on 04/03/2026",
         "#'Obligations'!A4"),
        (ChangeKind.REJECTED, None, "scan.pdf", "It is a scanned picture, not a filled form.",
         "#'Rejected'!A3"),
        (ChangeKind.STARTED, "R-3", "Support started", "Supported now", "#'Active people'!A4"),
        (ChangeKind.ENDED, "R-9", "Support ended", "No longer supported", None),
    ]
    assert [(label, n) for label, n, _ in summary_lines(found)] == [
        ("Newly overdue", 1), ("No longer overdue", 1), ("Files rejected", 1),
        ("People started", 1), ("People ended", 1)]
    assert summary_lines(found)[1][2] == "#'Since last week'!A3"
    assert rate_change(found, 0.75) == "50% → 75% (up 25 points)"
    title, _, sheet_rows, _ = changes_sheet(data, found)
    assert title == "Since last week"
    assert sheet_rows[0][-1].text == "Overdue row 3"  # type: ignore[union-attr]


def test_an_obligation_no_longer_there_is_said_so() -> None:
    gone = overdue_key("R-1", "refuge", "support_plan", date(2026, 2, 20))
    found = changes_since(week(last(overdue=frozenset({gone})), [], []))
    assert found is not None
    [change] = found.items
    assert change.kind is ChangeKind.RESOLVED and change.target is None
    assert change.now.startswith("No longer due")
    assert rate_change(found, None) == "50% → nothing due"


def test_the_first_workbook_and_one_from_before_items_were_kept() -> None:
    first = week(None, [ob("R-1", "support_plan", date(2026, 2, 20), OVERDUE)], [person("R-1")])
    assert changes_since(first) is None
    assert changes_sheet(first, None)[3].startswith("This is the first weekly workbook")
    older = week(last(items_kept=False), first.obligations, first.active_people)
    found = changes_since(older)
    assert found is not None and found.items == []  # not everything "newly" overdue
    assert [label for label, _, _ in summary_lines(found)] == ["Files rejected"]
    assert "written before Planwatch kept" in changes_sheet(older, found)[3]


def test_kept_items_are_the_overdue_and_the_supported() -> None:
    items = kept_items([ob("R-1", "support_plan", date(2026, 2, 20), OVERDUE),
                        ob("R-1", "weekly_review", date(2026, 2, 20), MET)], [person("R-1")])
    assert [(kind.value, key) for kind, key in items] == [
        ("overdue", '["R-1", "refuge", "support_plan", "2026-02-20"]'),
        ("active", '["R-1", "refuge"]')]


@pytest.fixture
def settings(tmp_path: Path, catalogue: Catalogue) -> Settings:
    return workspace(tmp_path / "ws", catalogue)


def test_two_workbooks_a_week_apart(settings: Settings) -> None:
    monday = date(2026, 11, 16)
    with open_store(settings.database_url) as store:
        write_compliance_report(store, settings, monday,
                                now=datetime(2026, 11, 16, 7, tzinfo=UTC))
        add_closure(store)  # Ada's support ends on 16/11 (her last review's Part 2 is owed)
        with store.session() as session:
            before = last_week(session, monday + timedelta(weeks=1))
        write_compliance_report(store, settings, monday + timedelta(weeks=1),
                                now=datetime(2026, 11, 23, 7, tzinfo=UTC))
        with store.session() as session:
            again = last_week(session, monday + timedelta(weeks=1))
            after = last_week(session, monday + timedelta(weeks=2))
    assert before is not None and before.week == "2026-W47"
    assert before.active == {active_key("CS-00042", "community-support")}
    assert len(before.overdue) == 1
    assert before.cutoff == datetime(2026, 11, 16, 7, tzinfo=UTC)
    assert again == before  # rewriting a week compares with the week before, not itself
    assert after is not None and after.week == "2026-W48"
    assert after.active == frozenset() and after.overdue == before.overdue


def test_a_week_written_before_items_were_kept(settings: Settings) -> None:
    monday = date(2026, 11, 16)
    with open_store(settings.database_url) as store:
        write_compliance_report(store, settings, monday)
        with store.session() as session:
            session.execute(update(WeeklySnapshot).values(items_kept=False))
            found = last_week(session, monday + timedelta(weeks=1))
    assert found is not None and not found.items_kept


def test_the_second_workbook_says_what_changed_and_links_each_change(
        settings: Settings, catalogue: Catalogue) -> None:
    monday = date(2026, 11, 16)
    with open_store(settings.database_url) as store:
        first = write_compliance_report(store, settings, monday,
                                        now=datetime(2026, 11, 16, 7, tzinfo=UTC))
        add_closure(store)
        (settings.inbox_path / "scan.pdf").write_bytes(b"not really a PDF")
        ingest_paths([settings.inbox_path], store, Workspace(
            home=settings.home, inbox=settings.inbox_path, archive=settings.archive_path,
            rejected=settings.rejected_path, catalogue=catalogue))
        second = write_compliance_report(store, settings, monday + timedelta(weeks=1),
                                         now=datetime(2026, 11, 23, 7, tzinfo=UTC))
    assert openpyxl.load_workbook(first)["Since last week"]["A2"].value.startswith(
        "This is the first weekly workbook")
    book = openpyxl.load_workbook(second)
    summary = book["Summary"]
    assert summary["A8"].value == "Since the workbook of 2026-W47 (as of 16/11/2026)"
    lines = {summary.cell(row=r, column=1).value: summary.cell(row=r, column=2).value
             for r in range(9, 15)}
    assert lines == {"Newly overdue": 0, "No longer overdue": 0, "Files rejected": 1,
                     "People started": 0, "People ended": 1,
                     "On-time rate": "80% → 80% (no change)"}
    rejected, ended = summary.cell(row=11, column=1), summary.cell(row=13, column=1)
    assert rejected.hyperlink.location == "'Since last week'!A2"
    assert ended.hyperlink.location == "'Since last week'!A3"
    assert summary.cell(row=9, column=1).hyperlink is None  # nothing to show
    changes = book["Since last week"]
    assert [c.value for c in changes[2]][:4] == ["Files rejected", None, None, "scan.pdf"]
    assert changes["G2"].value == "Rejected row 2"
    assert changes["G2"].hyperlink.location == "'Rejected'!A2"
    assert book["Rejected"]["A2"].value == "scan.pdf"  # the row it links to
    assert [c.value for c in changes[3]][:3] == [
        "People ended", "CS-00042", "Community Support"]
    assert summary["A16"].value == "By service"  # the counts follow


def test_a_sites_workbook_compares_only_its_own_people() -> None:
    before = last(
        overdue=frozenset({overdue_key("R-1", "refuge", "support_plan", date(2026, 2, 20)),
                           overdue_key("N-1", "refuge", "support_plan", date(2026, 2, 20))}),
        active=frozenset({active_key("R-1", "refuge"), active_key("N-1", "refuge")}))
    mine = only_people(before, {("R-1", "refuge")})
    found = changes_since(week(mine, [], [person("R-1")]))
    assert found is not None
    # N-1 is another site's: neither "no longer overdue" nor "ended" here.
    assert [(c.kind, c.person_id) for c in found.items] == [(ChangeKind.RESOLVED, "R-1")]
