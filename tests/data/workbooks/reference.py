"""The fixed inputs of the reference workbooks beside this file, and how they are written.

``weekly_before.xlsx`` and ``schedule_before.xlsx`` were written from :func:`weekly` and
:func:`schedule` by the openpyxl writer that came before XlsxWriter (commit "Reference
workbooks ..."); ``tests/test_reports_xlsx_compare.py`` writes the same inputs with the
current writer and compares the two. The inputs touch what a writer can get wrong: links
with spaces and non-ASCII names, a rejected file without a link, dates and UK times,
percents and every RAG colour, a trend with missing weeks, text that looks like a
formula or carries control characters, wrapped long text, and empty sheets.

    python3 -m tests.data.workbooks.reference OUTDIR   # writes both workbooks to OUTDIR
"""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from pipeline.names import Names
from pipeline.records import Obligation, ObligationStatus, Severity
from pipeline.reports.schedule.workbook import (
    ScheduleInput,
    schedule_input,
    write_schedule_workbook,
)
from pipeline.reports.weekly.data import (
    ActivePerson,
    IncompleteRow,
    RejectedRow,
    ScoreRow,
    WeekCounts,
    WeeklyInput,
)
from pipeline.reports.weekly.workbook import write_weekly_workbook
from pipeline.store.models import SnapshotGroup

HERE = Path(__file__).resolve().parent
AS_OF = date(2026, 3, 11)  # a Wednesday, ISO week 2026-W11
# The workbook is written to WORKSPACE/reports/ with files_root=WORKSPACE, so its links
# are "../archive/...", as in a real workspace.
WEEKLY_NAME = "reports/compliance-2026-W11.xlsx"
SCHEDULE_NAME = "reports/schedule-2026-03-11.xlsx"
CS, FS, SH = "community-support", "floating-support", "supported-housing"
ASHA, BEN, CARYS, ZOE = "Asha Patel", "Ben Jones", "Carys Evans", "Zoë O'Brien"
TEAMS = {ASHA: "North", BEN: "South", CARYS: "North", ZOE: None}
S = ObligationStatus

NAMES = Names(
    services={CS: "Community support", FS: "Floating support",
              SH: "Supported housing & move-on"},
    obligations={(FS, "support_plan"): "Support plan", (FS, "review"): "Review",
                 (SH, "review"): "Monthly review", (CS, "risk_assessment"): "Risk assessment"},
    forms={"referral": "Referral", "review": "Support plan review"},
)


def _ob(person: str, service: str, name: str, due: date, status: ObligationStatus,
        worker: str | None, *, met_on: date | None = None, source: str | None = None,
        note: str | None = None) -> Obligation:
    return Obligation(person_id=person, service=service, obligation=name, due=due,
                      status=status, met_on=met_on, worker=worker,
                      team=TEAMS.get(worker or ""), source=source, note=note)


def obligations() -> list[Obligation]:
    """Every status, three services, four workers and nobody; sources shared and not."""
    plan = "archive/2026/01/P001 plan.docx"
    return [
        _ob("P001", FS, "support_plan", date(2026, 2, 1), S.MET, ASHA,
            met_on=date(2026, 1, 28), source=plan),
        _ob("P001", FS, "review", date(2026, 3, 1), S.MET_LATE, ASHA,
            met_on=date(2026, 3, 5), source=plan),
        _ob("P002", FS, "support_plan", date(2026, 2, 20), S.OVERDUE, BEN,
            source="archive/2026/02/P002-referral.docx"),
        _ob("P003", FS, "review", date(2026, 3, 9), S.OVERDUE, BEN),
        _ob("P004", SH, "review", date(2026, 3, 18), S.DUE_SOON, CARYS,
            source="archive/2026/03/Zoë & café \u2013 review.docx"),
        _ob("P004", SH, "support_plan", date(2026, 2, 10), S.MET, CARYS,
            met_on=date(2026, 2, 9)),
        _ob("P005", CS, "risk_assessment", date(2026, 1, 15), S.OVERDUE, ASHA,
            source="archive/2026/01/P005-referral.docx"),
        _ob("P005", CS, "review", date(2026, 5, 1), S.UPCOMING, ASHA),
        _ob("P006", SH, "support_plan", date(2026, 3, 20), S.DUE_SOON, None),
        _ob("P007", FS, "review", date(2026, 1, 5), S.NOT_APPLICABLE, CARYS,
            note="disclaimer in place"),
        _ob("P009", FS, "review", date(2026, 1, 20), S.MISSED, BEN),
        _ob("P010", CS, "review", date(2026, 2, 2), S.MET, ZOE, met_on=date(2026, 2, 1),
            source="archive/2026/02/P010 review.docx"),
        _ob("P010", CS, "support_plan", date(2025, 12, 1), S.MET, ZOE,
            met_on=date(2025, 11, 30), source="archive/2025/11/P010 plan.docx"),
        _ob("P011", CS, "review", date(2026, 2, 20), S.MET, ZOE, met_on=date(2026, 2, 19)),
        _ob("P011", CS, "support_plan", date(2026, 3, 1), S.MET_LATE, ZOE,
            met_on=date(2026, 3, 2)),
    ]


def _week(back: int) -> date:
    return date(2026, 3, 9) - timedelta(weeks=back)  # Mondays before AS_OF's week


def history() -> list[WeekCounts]:
    """Eight earlier weeks of snapshots (weeks 4, 7 and 11 back missing: gaps)."""
    rows = []
    for back in (1, 2, 3, 5, 6, 8, 9, 10):
        monday = _week(back)
        year, number, _ = monday.isocalendar()
        week = f"{year}-W{number:02d}"
        rows.append(WeekCounts(week=week, week_start=monday, group_kind=SnapshotGroup.ALL,
                               group_name="", met=20 - back, met_late=back, overdue=1))
        rows.append(WeekCounts(week=week, week_start=monday,
                               group_kind=SnapshotGroup.SERVICE, group_name=FS,
                               met=10 - back, met_late=back))
        if back % 2:
            rows.append(WeekCounts(week=week, week_start=monday,
                                   group_kind=SnapshotGroup.SERVICE, group_name=SH,
                                   met=3, overdue=back))
    return rows


def weekly() -> WeeklyInput:
    """The weekly workbook's reference input (see the module docstring)."""
    return WeeklyInput(
        as_of=AS_OF,
        obligations=obligations(),
        incomplete=[
            IncompleteRow(
                person_id="P002", service=FS, form_id="referral", field="date_of_birth",
                severity=Severity.ADVISORY, message="Date of birth is missing.",
                received_at=datetime(2026, 3, 2, 9, 30), worker=BEN,
                archived_path="archive/2026/03/P002-referral.docx",
                form_date=date(2026, 2, 27)),
            IncompleteRow(
                person_id=None, service=SH, form_id="review", field="person_id",
                severity=Severity.BLOCKING,
                message="The form has no person ID: fill in the Person ID box and send it "
                        "again. Until then nothing on it can be counted for anyone, and "
                        "the review it records is not yet known to have happened.",
                received_at=datetime(2026, 3, 9, 14, 0)),
            IncompleteRow(
                person_id="P010", service=CS, form_id="review", field="actions",
                severity=Severity.BLOCKING,
                message="=SUM(A1:A9) is what the form says\von two lines",
                received_at=datetime(2026, 3, 10, 8, 0), worker=ZOE,
                archived_path="archive/2026/03/P010 review (2).docx"),
        ],
        rejected=[
            RejectedRow(file_name="scan 0042.pdf",
                        received_at=datetime(2026, 3, 10, 8, 15, tzinfo=UTC),
                        reason="The PDF has no form fields: send the filled Word form "
                               "instead.",
                        rejected_path="rejected/scan 0042.pdf"),
            RejectedRow(file_name="R&D notes.docx",
                        received_at=datetime(2026, 2, 24, 16, 5, tzinfo=UTC),
                        reason="Not a Planwatch form.",
                        rejected_path="rejected/R&D notes.docx"),
            RejectedRow(file_name="=cmd.xlsx",
                        received_at=datetime(2026, 2, 25, 9, 0, tzinfo=UTC),
                        reason="Gone before it could be read."),
        ],
        active_people=[
            ActivePerson(person_id=person, service=service, worker=worker,
                         team=TEAMS.get(worker or ""), opened_on=date(2025, 12, 1),
                         source=f"archive/2025/12/{person}-referral.docx" if source else None)
            for person, service, worker, source in [
                ("P001", FS, ASHA, True), ("P002", FS, BEN, True), ("P003", FS, BEN, True),
                ("P008", FS, CARYS, False), ("P004", SH, CARYS, True),
                ("P005", CS, ASHA, True), ("P006", SH, None, True),
                ("P010", CS, ZOE, True), ("P011", CS, ZOE, False)]
        ],
        scores=[
            ScoreRow(person_id="P001", service=FS, area="Money", first=3,
                     first_on=date(2025, 9, 1), latest=7, latest_on=date(2026, 3, 1),
                     times=3, worker=ASHA, source="archive/2026/03/P001 review.docx"),
            ScoreRow(person_id="P002", service=FS, area="Money", first=6,
                     first_on=date(2025, 9, 1), latest=5.5, latest_on=date(2026, 3, 1),
                     times=2, worker=BEN, source="archive/2026/03/P002 review.docx"),
            ScoreRow(person_id="P003", service=FS, area="Home", first=4,
                     first_on=date(2026, 3, 1), latest=4, latest_on=date(2026, 3, 1),
                     times=1, worker=BEN),
        ],
        history=history(),
        capacities={SH: 2, CS: 3, "families-first": 30},
        forms_needed={FS: {"support_plan": "Support plan", "review": "Review"},
                      CS: {"risk_assessment": "Risk assessment"}},
        names=NAMES,
    )


def schedule() -> ScheduleInput:
    """The schedule workbook's reference input: three workers' sheets and nobody's."""
    rows = [*obligations(),
            _ob("P012", CS, "review", date(2026, 3, 30), S.UPCOMING, "Jo/Okafor [temp]"),
            _ob("P013", CS, "review", date(2026, 3, 12), S.DUE_SOON, "Jo/Okafor [temp]")]
    return schedule_input(
        rows, AS_OF, 4, names=NAMES,
        forms_needed={FS: {"review": "Support plan review"}},
        last_contact={("P004", SH): date(2026, 1, 30), ("P006", SH): date(2025, 12, 24)})


def write_both(workspace: Path) -> tuple[Path, Path]:
    """Both workbooks, written under ``workspace`` as a real workspace holds them."""
    weekly_path = write_weekly_workbook(weekly(), workspace / WEEKLY_NAME,
                                        files_root=workspace)
    return weekly_path, write_schedule_workbook(schedule(), workspace / SCHEDULE_NAME)


if __name__ == "__main__":
    for written in write_both(Path(sys.argv[1])):
        print(written)
