"""Review schedules: which items, whose caseload, the workbook and the calendar file."""

from __future__ import annotations

import stat
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from icalendar import Calendar

from pipeline.errors import ReportError
from pipeline.records import Obligation, ObligationStatus
from pipeline.reports.schedule.calendar import build_calendar, sequence_for, write_calendar
from pipeline.reports.schedule.workbook import (
    ScheduleInput,
    schedule_input,
    sheet_title,
    write_schedule_workbook,
)

S = ObligationStatus
AS_OF = date(2026, 11, 23)  # a Monday
SAM, JO = "Sam Patel", "Jo Okafor"
CS = "community-support"
FORMS = {CS: {"review": "Support plan review (Part 1)", "support_plan": "Support plan"}}


def ob(person: str, name: str, due: date, status: ObligationStatus, worker: str | None,
       *, met_on: date | None = None, cycle: int = 0) -> Obligation:
    return Obligation(person_id=person, service=CS, obligation=name, due=due, status=status,
                      met_on=met_on, worker=worker, cycle=cycle)


def obligations() -> list[Obligation]:
    return [
        ob("CS-0001", "support_plan", date(2026, 11, 2), S.OVERDUE, SAM),
        ob("CS-0002", "review", date(2026, 11, 30), S.DUE_SOON, SAM, cycle=2),
        ob("CS-0003", "review", date(2026, 12, 18), S.UPCOMING, SAM, cycle=1),
        ob("CS-0004", "review", date(2027, 3, 1), S.UPCOMING, SAM, cycle=1),  # too far ahead
        ob("CS-0005", "first_review", date(2026, 11, 20), S.MET, SAM, met_on=date(2026, 11, 19)),
        ob("CS-0006", "first_review", date(2026, 6, 1), S.MET, SAM, met_on=date(2026, 6, 1)),
        ob("CS-0007", "review", date(2026, 12, 1), S.DUE_SOON, JO, cycle=1),
        ob("CS-0008", "support_plan", date(2026, 12, 4), S.DUE_SOON, None),
    ]


def schedule(worker: str | None = None, weeks: int = 4) -> ScheduleInput:
    return schedule_input(obligations(), AS_OF, weeks, worker=worker, forms_needed=FORMS,
                          last_contact={("CS-0002", CS): date(2026, 5, 30)})


def test_due_items_are_overdue_or_within_the_weeks_soonest_first() -> None:
    data = schedule()
    assert [i.person_id for i in data.items] == [
        "CS-0001", "CS-0002", "CS-0007", "CS-0008", "CS-0003"]
    assert [i.person_id for i in data.done] == ["CS-0005"]  # met in the last 4 weeks
    assert data.until == date(2026, 12, 21)


def test_last_contact_and_form_needed_are_carried() -> None:
    item = next(i for i in schedule().items if i.person_id == "CS-0002")
    assert item.last_contact == date(2026, 5, 30)
    assert item.form_needed == "Support plan review (Part 1)"


@pytest.mark.parametrize("given", [pytest.param(SAM, id="as_written"),
                                   pytest.param("sam patel", id="any_case")])
def test_one_workers_schedule_carries_only_their_caseload(given: str) -> None:
    data = schedule(worker=given)
    assert {i.worker for i in [*data.items, *data.done]} == {SAM}
    assert data.worker == SAM and data.workers() == [SAM]


def test_unknown_worker_is_an_error_naming_who_is_known() -> None:
    with pytest.raises(ReportError, match="No obligations name the worker 'Sam Pattel'") as err:
        schedule(worker="Sam Pattel")
    assert err.value.hint is not None and SAM in err.value.hint


def test_uids_are_stable_and_distinct_per_obligation_and_cycle() -> None:
    first, again = schedule(), schedule()
    assert [i.uid for i in first.items] == [i.uid for i in again.items]
    assert len({i.uid for i in [*first.items, *first.done]}) == 6
    moved = schedule_input([ob("CS-0002", "review", date(2026, 12, 3), S.DUE_SOON, SAM,
                               cycle=2)], AS_OF, 4)
    assert moved.items[0].uid == next(i.uid for i in first.items if i.person_id == "CS-0002")
    assert all(i.uid.endswith("@planwatch") for i in first.items)


@pytest.mark.parametrize(("name", "title"), [
    pytest.param("Sam Patel", "Sam Patel", id="plain"),
    pytest.param("A/B: [team]?", "A B team", id="forbidden_characters"),
    pytest.param("Bartholomew Fitzgerald-Worthington III", "Bartholomew Fitzgerald-Worthing",
                 id="longer_than_31"),
    pytest.param("Sam\r\nPatel", "Sam Patel", id="crlf_in_name"),
    pytest.param("Sam\x07\tPatel\x0b\u2028", "Sam Patel", id="control_characters"),
    pytest.param("'Sam Patel'", "Sam Patel", id="apostrophes_at_the_ends"),
    pytest.param("\r\n[]:*?/\\", "Worker", id="nothing_left"),
    pytest.param("history", "history (worker)", id="excel_reserved_history"),
    pytest.param("Bartholomew Fitzgerald-Worthin III", "Bartholomew Fitzgerald-Worthin",
                 id="no_space_at_the_cut"),
])
def test_sheet_titles_excel_accepts(name: str, title: str) -> None:
    assert sheet_title(name, set()) == title


def test_sheet_titles_are_unique_ignoring_case() -> None:
    taken: set[str] = set()
    assert [sheet_title(n, taken) for n in ("Jo", "JO", "jo")] == ["Jo", "JO (2)", "jo (3)"]


def test_sheet_titles_are_unique_after_cleaning() -> None:
    taken: set[str] = set()
    names = ("Sam Patel", "Sam\r\nPatel", "Sam/Patel", "x" * 40, "x" * 35)
    titles = [sheet_title(n, taken) for n in names]
    assert titles == ["Sam Patel", "Sam Patel (2)", "Sam Patel (3)", "x" * 31,
                      "x" * 27 + " (2)"]
    assert all(len(t) <= 31 for t in titles)


@pytest.fixture
def book(tmp_path: Path) -> Any:
    return openpyxl.load_workbook(write_schedule_workbook(schedule(), tmp_path / "s.xlsx"))


def test_workbook_has_a_sheet_per_worker_unassigned_last(book: Any) -> None:
    assert book.sheetnames == [JO, SAM, "(unassigned)"]


def test_workbook_rows_say_person_obligation_due_status_last_contact(book: Any) -> None:
    ws = book[SAM]
    header, *rows = list(ws.iter_rows(values_only=True))
    assert header == ("Person", "Service", "Obligation", "Form needed", "Due", "Status",
                      "Days left", "Last contact")
    assert [(r[0], r[5], r[6]) for r in rows] == [
        ("CS-0001", "Overdue", -21), ("CS-0002", "Due soon", 7), ("CS-0003", "Upcoming", 25)]
    assert rows[1][7] == datetime(2026, 5, 30)
    assert ws["F2"].fill.fgColor.rgb.endswith("FFC7CE")  # overdue: red
    assert ws.print_title_rows == "$1:$1" and ws.page_setup.orientation == "landscape"


def test_workbook_is_owner_only(tmp_path: Path) -> None:
    path = write_schedule_workbook(schedule(), tmp_path / "s.xlsx")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_an_empty_schedule_says_so(tmp_path: Path) -> None:
    data = schedule_input([], AS_OF, 2)
    ws = openpyxl.load_workbook(write_schedule_workbook(data, tmp_path / "s.xlsx")).active
    assert ws["A2"].value == "Nothing due from 23/11/2026 to 07/12/2026."


# --- the calendar -------------------------------------------------------------------------

MADE = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


def events(data: ScheduleInput, made: datetime = MADE) -> dict[str, Any]:
    calendar = Calendar.from_ical(build_calendar(data, generated_at=made))
    calendar.validate()  # the icalendar package's own check of required properties
    return {str(e["uid"]): e for e in calendar.walk("VEVENT")}


def test_one_all_day_event_per_item_with_a_reminder() -> None:
    found = events(schedule())
    assert len(found) == 6
    due = next(e for e in found.values() if "CS-0002" in str(e["summary"]))
    assert due.decoded("dtstart") == date(2026, 11, 30)
    assert due.decoded("dtend") == date(2026, 12, 1)
    assert str(due["summary"]) == "Due: Support plan review (Part 1), CS-0002"
    alarm = due.walk("VALARM")[0]
    assert str(alarm["action"]) == "DISPLAY"
    assert alarm.decoded("trigger") == timedelta(hours=-15)  # 09:00 the day before
    assert "Last contact: 30/05/2026" in str(due["description"])


def test_overdue_sits_on_the_as_of_date_done_has_no_reminder() -> None:
    found = {str(e["summary"]).split(",")[-1].strip(): e for e in events(schedule()).values()}
    overdue = found["CS-0001"]
    assert overdue.decoded("dtstart") == AS_OF
    assert str(overdue["summary"]).startswith("OVERDUE since 02/11")
    done = found["CS-0005"]
    assert str(done["summary"]).startswith("Done:") and not done.walk("VALARM")
    assert done.decoded("dtstart") == date(2026, 11, 19)


def test_reimport_updates_instead_of_duplicating() -> None:
    """A week later CS-0002's review is done: every event of the first file comes back
    with its UID and a higher SEQUENCE, so a calendar importing the new file replaces
    each event (the done review loses its reminder) rather than adding copies."""
    before = events(schedule())
    done = [o._replace(status=S.MET, met_on=date(2026, 11, 28))
            if o.person_id == "CS-0002" else o for o in obligations()]
    later = schedule_input(done, AS_OF + timedelta(days=7), 4, forms_needed=FORMS)
    after = events(later, MADE + timedelta(days=7))
    assert set(before) <= set(after)
    for uid in before:
        assert int(after[uid]["sequence"]) > int(before[uid]["sequence"])
    review = next(e for e in after.values() if "CS-0002" in str(e["summary"]))
    assert str(review["summary"]).startswith("Done:") and not review.walk("VALARM")
    assert sequence_for(MADE + timedelta(minutes=1)) == sequence_for(MADE) + 1


def test_reminder_days_before_is_a_parameter() -> None:
    text = build_calendar(schedule(), generated_at=MADE, reminder_days_before=0)
    assert b"TRIGGER:PT9H" in text  # 09:00 on the day


def test_calendar_names_no_one_but_by_reference() -> None:
    data = schedule()
    text = build_calendar(data, generated_at=MADE).decode()
    assert "CLASS:PRIVATE" in text and "X-WR-CALNAME:Planwatch reviews" in text


def test_calendar_file_is_owner_only_and_must_be_ics(tmp_path: Path) -> None:
    path = write_calendar(schedule(worker=SAM), tmp_path / "sam.ics", generated_at=MADE)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert b"X-WR-CALNAME:Planwatch Sam Patel's reviews" in path.read_bytes()
    with pytest.raises(ReportError, match=r"must be an \.ics file"):
        write_calendar(schedule(), tmp_path / "sam.txt")


def test_naive_generation_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        build_calendar(schedule(), generated_at=datetime(2026, 11, 23, 7, 0))


# --- names with line breaks and control characters ------------------------------------------

CONTROL = {chr(code) for code in (*range(0x20), *range(0x7F, 0xA0))} | {"\u2028", "\u2029"}
CRLF_WORKER = "Sam\r\nPatel\x07"


def crlf_schedule() -> ScheduleInput:
    """A worker's name and a reference with CR/LF in them, as a PDF form can carry."""
    rows = [ob("CS-0009\r\nX", "review", date(2026, 11, 30), S.DUE_SOON, CRLF_WORKER),
            ob("CS-0010", "review", date(2026, 11, 16), S.OVERDUE, "Jo\nOkafor")]
    return schedule_input(rows, AS_OF, 4, forms_needed=FORMS, worker="sam\npatel\x07")


@pytest.mark.parametrize("suffix", [
    pytest.param(".xlsx", id="crlf_worker_name_workbook"),
    pytest.param(".ics", id="crlf_worker_name_calendar"),
])
def test_crlf_in_names_gives_files_that_open_without_control_characters(
        tmp_path: Path, suffix: str) -> None:
    data = crlf_schedule()
    assert [i.person_id for i in data.items] == ["CS-0009\r\nX"]  # only Sam's caseload
    if suffix == ".ics":
        path = write_calendar(data, tmp_path / f"sam{suffix}", generated_at=MADE)
        calendar = Calendar.from_ical(path.read_bytes())
        calendar.validate()
        texts = [str(calendar["x-wr-calname"])]
        for event in calendar.walk("VEVENT"):
            texts += [str(event["summary"]), *str(event["description"]).split("\n"),
                      *(str(a["description"]) for a in event.walk("VALARM"))]
        assert texts[0] == "Planwatch Sam Patel's reviews"
        assert texts[1] == "Due: Support plan review (Part 1), CS-0009 X"
    else:
        path = write_schedule_workbook(data, tmp_path / f"sam{suffix}")
        book = openpyxl.load_workbook(path)
        assert book.sheetnames == ["Sam Patel"]
        ws = book["Sam Patel"]
        texts = [ws.title, ws.oddFooter.left.text or ""]
        texts += [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
        assert ws["A2"].value == "CS-0009 X"
        assert (ws.oddFooter.left.text or "").startswith("Planwatch schedule: Sam Patel, ")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not [t for t in texts if CONTROL & set(t)]


def test_every_workers_sheet_and_the_team_calendar_are_clean(tmp_path: Path) -> None:
    rows = [ob("CS-0009", "review", date(2026, 11, 30), S.DUE_SOON, CRLF_WORKER),
            ob("CS-0010", "review", date(2026, 11, 16), S.OVERDUE, "Sam Patel"),
            ob("CS-0011", "review", date(2026, 11, 16), S.OVERDUE, "R&D [team]\n")]
    data = schedule_input(rows, AS_OF, 4)
    book = openpyxl.load_workbook(write_schedule_workbook(data, tmp_path / "team.xlsx"))
    assert sorted(book.sheetnames) == ["R&D team", "Sam Patel", "Sam Patel (2)"]
    # "&" is Excel's footer code character: written "&&", it prints as one "&".
    assert (book["R&D team"].oddFooter.left.text or "").startswith(
        "Planwatch schedule: R&&D [team], ")
    Calendar.from_ical(write_calendar(data, tmp_path / "team.ics",
                                      generated_at=MADE).read_bytes()).validate()


def test_worker_names_match_across_line_breaks() -> None:
    data = schedule_input([ob("CS-0009", "review", date(2026, 11, 30), S.DUE_SOON,
                              CRLF_WORKER)], AS_OF, 4, worker="Sam Patel")
    assert [i.person_id for i in data.items] == ["CS-0009"]
    with pytest.raises(ReportError, match="name the worker 'Nobody'") as caught:
        schedule_input([ob("CS-0009", "review", date(2026, 11, 30), S.DUE_SOON,
                           CRLF_WORKER)], AS_OF, 4, worker="Nobody\r\n")
    assert caught.value.hint == "Give the name as written on the forms: Sam Patel."
