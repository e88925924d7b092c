"""Every report is owner-only however it is made, and no two people share a file name.

Modes are checked under a permissive umask (022, the usual default), through the commands
a person types and through the watcher's scheduled job.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import Settings
from pipeline.definitions import Catalogue
from pipeline.files import file_part, output_folder, private_dir
from pipeline.reports.outcome_summary.job import write_departure_drafts
from pipeline.reports.saving import write_report_bytes
from pipeline.store.models import Submission
from pipeline.store.session import open_store
from pipeline.watch.jobs import ScheduledReports
from tests.reports_store import HISTORY, workspace

AS_OF = "2026-11-23"
runner = CliRunner()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def permissive_umask() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.fixture
def settings(tmp_path: Path, catalogue: Catalogue) -> Settings:
    return workspace(tmp_path / "ws", catalogue)


def run(settings: Settings, *args: str) -> str:
    result = runner.invoke(app, ["--home", str(settings.home), *args])
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def folders_between(root: Path, path: Path) -> list[Path]:
    """``root`` and every folder under it down to ``path``'s folder."""
    parts = path.parent.relative_to(root).parts
    return [root, *(root.joinpath(*parts[:n]) for n in range(1, len(parts) + 1))]


def assert_owner_only(root: Path, path: Path) -> None:
    assert path.is_file()
    assert mode(path) == 0o600, path
    assert {p.name or str(p): oct(mode(p)) for p in folders_between(root, path)} == {
        p.name or str(p): oct(0o700) for p in folders_between(root, path)}


# --- through the commands ----------------------------------------------------------------------


@pytest.mark.parametrize(("args", "written"), [
    pytest.param(["report", "weekly", "--as-of", AS_OF], "compliance-2026-W48.xlsx",
                 id="weekly_workbook"),
    pytest.param(["report", "weekly", "--as-of", AS_OF, "-o", "{reports}/2026/w48/book.xlsx"],
                 "2026/w48/book.xlsx", id="weekly_workbook_nested_output"),
    pytest.param(["summary", "CS-00042", "--as-of", AS_OF],
                 "summaries/outcome-summary-CS-00042-community-support-draft-2026-11-23.docx",
                 id="summary"),
    pytest.param(["summary", "CS-00042", "--as-of", AS_OF, "-o", "{reports}/people/ada.docx"],
                 "people/ada.docx", id="summary_nested_output"),
    pytest.param(["schedule", "--as-of", AS_OF, "-o", "{reports}/schedules/2026/team.xlsx"],
                 "schedules/2026/team.xlsx", id="schedule_workbook"),
    pytest.param(["schedule", "--as-of", AS_OF, "--worker", "Sam Patel",
                  "-o", "{reports}/schedules/2026/sam.ics"],
                 "schedules/2026/sam.ics", id="schedule_calendar"),
    pytest.param(["forms", "prefill", "review", "CS-00042",
                  "-o", "{reports}/forms/next/review.docx"],
                 "forms/next/review.docx", id="prefilled_form"),
])
def test_every_report_the_commands_write_is_owner_only(
        settings: Settings, args: list[str], written: str) -> None:
    reports = settings.reports_path
    # `planwatch init` makes it owner-only now; an older version left it as the umask had it.
    reports.chmod(0o755)
    run(settings, *(a.format(reports=reports) for a in args))
    assert_owner_only(reports, reports / written)


def test_a_report_replacing_an_open_one_is_owner_only(settings: Settings) -> None:
    path = settings.reports_path / "compliance-2026-W48.xlsx"
    path.write_bytes(b"last week's")
    path.chmod(0o644)
    run(settings, "report", "weekly", "--as-of", AS_OF)
    assert mode(path) == 0o600 and path.read_bytes().startswith(b"PK")


def test_outputs_outside_the_workspace_get_owner_only_new_folders(
        settings: Settings, tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    output = shared / "north" / "team" / "s.xlsx"
    run(settings, "schedule", "--as-of", AS_OF, "-o", str(output))
    assert mode(output) == 0o600
    assert [oct(mode(p)) for p in (output.parent.parent, output.parent)] == ["0o700"] * 2
    assert mode(shared) == 0o755  # a folder Planwatch did not make is not changed


# --- through the watcher --------------------------------------------------------------------------


def test_the_watchers_scheduled_reports_are_owner_only(settings: Settings,
                                                       catalogue: Catalogue) -> None:
    today = datetime.now(UTC).astimezone(ZoneInfo("Europe/London")).date()
    leaving = today + timedelta(days=3)
    with open_store(settings.database_url) as store:
        with store.session() as session:
            latest = (session.query(Submission).filter_by(form_id="review")
                      .order_by(Submission.event_date.desc()).first())
            assert latest is not None
            latest.values = {**latest.values, "values": {
                **latest.values["values"], "planned_departure": leaving.isoformat()}}
        ScheduledReports(store, settings, catalogue)()
    reports = settings.reports_path
    workbooks = list(reports.glob("compliance-*.xlsx"))
    drafts = list((reports / "summaries").glob("outcome-summary-*-draft-*.docx"))
    assert len(workbooks) == 1 and len(drafts) == 1
    for path in (*workbooks, *drafts):
        assert_owner_only(reports, path)


# --- names that never collide ----------------------------------------------------------------


@pytest.mark.parametrize("ids", [
    pytest.param(("SWA 7001", "SWA/7001", "SWA_7001", "SWA\\7001", "SWA:7001"),
                 id="colliding_person_ids"),
    pytest.param(("CS-0001", "cs-0001", "Cs-0001"), id="differ_only_in_case"),
    pytest.param(("A" * 60, "A" * 61, "A" * 60 + "B"), id="longer_than_kept"),
    pytest.param(("", "unknown", "UNKNOWN", ".", "..", "_"), id="empty_or_dots"),
    pytest.param(("Zoë Smith", "Zoe Smith", "Zoe\u0308 Smith"), id="accents"),
    pytest.param(("SWA_7001+0123456789ab", "SWA 7001"), id="looks_like_a_changed_name"),
])
def test_file_parts_are_distinct_and_safe(ids: tuple[str, ...]) -> None:
    parts = [file_part(text) for text in ids]
    assert len({p.casefold() for p in parts}) == len(ids), parts
    for part in parts:
        assert re.fullmatch(r"[A-Za-z0-9_.+-]{1,80}", part), part
        assert part not in (".", "..") and not part.startswith(".")


def test_references_are_kept_as_they_are_when_safe() -> None:
    assert [file_part(t) for t in ("CS-00042", "SWA-0101", "HIL_7.2")] == [
        "CS-00042", "SWA-0101", "HIL_7.2"]
    assert file_part("SWA 7001").startswith("SWA_7001+")


COLLIDING = ("SWA 7001", "SWA/7001")


def test_colliding_person_ids_get_a_summary_each(tmp_path: Path, catalogue: Catalogue) -> None:
    forms = [(form_id, {**changes, "person_id": person})
             for person in COLLIDING for form_id, changes in HISTORY[:2]]
    settings = workspace(tmp_path / "ws", catalogue, forms)
    printed = [run(settings, "summary", person, "--as-of", AS_OF) for person in COLLIDING]
    summaries = sorted((settings.reports_path / "summaries").iterdir())
    assert len(summaries) == 2, summaries
    assert all(any(p.name in out for out in printed) for p in summaries)
    assert all(mode(p) == 0o600 for p in summaries)


def test_colliding_person_ids_get_a_departure_draft_each(tmp_path: Path,
                                                         catalogue: Catalogue) -> None:
    forms = [(form_id, {**changes, "person_id": person})
             for person in COLLIDING for form_id, changes in HISTORY[:2]]
    settings = workspace(tmp_path / "ws", catalogue, forms)
    with open_store(settings.database_url) as store:
        with store.session() as session:
            for plan in session.query(Submission).filter_by(form_id="support-plan"):
                plan.values = {**plan.values, "values": {
                    **plan.values["values"], "planned_departure": "2026-11-30"}}
        drafts = write_departure_drafts(store, catalogue, reports_path=settings.reports_path,
                                        today=date(2026, 11, 24))
    assert len(drafts) == 2 and len(set(drafts)) == 2
    assert all(p.exists() and mode(p) == 0o600 for p in drafts)


# --- the writing helper -------------------------------------------------------------------------


@pytest.mark.parametrize("umask", [
    pytest.param(0o022, id="umask_022"),
    pytest.param(0o000, id="umask_000"),
    pytest.param(0o077, id="umask_077"),
])
def test_files_and_every_new_parent_are_owner_only_whatever_the_umask(
        tmp_path: Path, umask: int) -> None:
    previous = os.umask(umask)
    try:
        path = write_report_bytes(tmp_path / "a" / "b" / "c" / "r.bin", b"x")
    finally:
        os.umask(previous)
    assert mode(path) == 0o600
    assert [oct(mode(p)) for p in (path.parent, path.parent.parent,
                                   path.parent.parent.parent)] == ["0o700"] * 3
    assert [p.name for p in path.parent.iterdir()] == ["r.bin"]  # no temporary file left


def test_private_folders_leave_existing_folders_alone(tmp_path: Path) -> None:
    tmp_path.chmod(0o755)
    private_dir(tmp_path / "new")
    assert mode(tmp_path) == 0o755 and mode(tmp_path / "new") == 0o700


def test_the_workspace_reports_folder_is_tightened(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    (reports / "summaries").mkdir(parents=True)
    reports.chmod(0o755)
    (reports / "summaries").chmod(0o755)
    output_folder(reports / "summaries" / "x.docx", reports)
    assert mode(reports) == 0o700 and mode(reports / "summaries") == 0o700
