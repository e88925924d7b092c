"""Pre-filled forms: the next form carries the person's details and open actions."""

from __future__ import annotations

import stat
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import Settings
from pipeline.definitions import Catalogue
from pipeline.errors import FillError
from pipeline.forms_service import check
from pipeline.prefill import Known, open_actions, prefill_values, says_done, write_prefilled
from pipeline.store.session import open_store
from tests.reports_store import workspace

TODAY = date(2026, 11, 23)
runner = CliRunner()


@pytest.mark.parametrize(("texts", "done"), [
    pytest.param(("Payment agreed", "Closed"), True, id="comment_closed"),
    pytest.param(("Done",), True, id="done"),
    pytest.param(("Completed last week",), True, id="completed"),
    pytest.param(("Registered",), False, id="no_done_word"),
    pytest.param(("Not yet complete",), False, id="negated"),
    pytest.param(("Partly achieved",), False, id="partly"),
    pytest.param((None, ""), False, id="empty"),
])
def test_says_done(texts: tuple[str | None, ...], done: bool) -> None:
    assert says_done(*texts) is done


def known(form_id: str, on: date, values: dict[str, object] | None = None,
          **tables: list[dict[str, object]]) -> Known:
    return Known(form_id=form_id, service="community-support", on=on, values=values or {},
                 tables=dict(tables))


PLAN = known("support-plan", date(2026, 3, 20), {"full_name": "Ada Lovelace"},
             actions=[{"area": "Money", "issue": "Rent arrears", "task": "DHP",
                       "responsible": "Sam", "target_date": "2026-04-01"},
                      {"area": "Home", "issue": "Damp", "task": "Report it",
                       "responsible": "Sam", "target_date": "2027-01-10"}])


def test_open_actions_leave_out_what_a_later_review_says_is_done() -> None:
    review = known("review", date(2026, 4, 13),
                   progress=[{"issue": " rent ARREARS", "progress": "Cleared", "comment": "Done"}])
    assert [a["issue"] for a in open_actions([PLAN, review])] == ["Damp"]


def test_open_actions_carry_their_reference_and_match_progress_by_it() -> None:
    actions = open_actions([PLAN])
    assert [a["action_ref"] for a in actions] == ["20/03/2026 #1", "20/03/2026 #2"]
    review = known("review", date(2026, 4, 13), progress=[
        {"action_ref": "20/03/2026 #2", "issue": "Window", "progress": "Done"},
        {"issue": "Arrears of rent", "progress": "Partly paid"}])
    assert [a["issue"] for a in open_actions([PLAN, review])] == ["Rent arrears"]


def test_a_review_is_prefilled_with_each_actions_reference(catalogue: Catalogue) -> None:
    values = prefill_values(catalogue.get("review").for_service("community-support"),
                            [PLAN], catalogue, TODAY)
    assert values["progress"] == [{"action_ref": "20/03/2026 #1", "issue": "Rent arrears"},
                                  {"action_ref": "20/03/2026 #2", "issue": "Damp"}]


def test_only_the_latest_plan_counts() -> None:
    newer = known("support-plan", date(2026, 9, 1), actions=[{"issue": "Isolated"}])
    assert [a["issue"] for a in open_actions([PLAN, newer])] == ["Isolated"]
    assert open_actions([known("referral", date(2026, 2, 1))]) == []


def test_a_new_plan_carries_open_actions_without_past_target_dates(
        catalogue: Catalogue) -> None:
    values = prefill_values(catalogue.get("support-plan").for_service("community-support"),
                            [PLAN], catalogue, TODAY)
    assert values["full_name"] == "Ada Lovelace"
    assert values["actions"][0] == {"area": "Money", "issue": "Rent arrears", "task": "DHP",
                                    "responsible": "Sam"}
    assert values["actions"][1]["target_date"] == "2027-01-10"


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory, catalogue: Catalogue) -> Settings:
    return workspace(tmp_path_factory.mktemp("ws") / "ws", catalogue)


def prefilled(settings: Settings, catalogue: Catalogue, form_id: str, out: Path) -> Path:
    with open_store(settings.database_url) as store:
        return write_prefilled(store, catalogue, form_id, "CS-00042", out, today=TODAY)


@pytest.mark.parametrize("fmt", ["docx", "pdf", "xlsx"])
def test_next_review_has_details_open_actions_and_areas(
        settings: Settings, catalogue: Catalogue, tmp_path: Path, fmt: str) -> None:
    path = prefilled(settings, catalogue, "review", tmp_path / f"next review.{fmt}")
    record = check(path, catalogue)
    assert record.person_id == "CS-00042"
    assert (record.values["full_name"], record.values["worker"], record.values["team"]) == (
        "Ada Lovelace", "Sam Patel", "North")
    # The first review closed the rent arrears, the second the damp: two actions are open.
    assert [row["issue"] for row in record.tables["progress"]] == ["No GP", "Isolated"]
    assert all(row["action_ref"] for row in record.tables["progress"])
    assert all(not row.get("progress") for row in record.tables["progress"])
    assert [row["area"] for row in record.tables["scores"]] == ["Money", "Health"]
    assert record.values.get("review_date") is None  # the worker dates the new review
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left


def test_part_two_refers_to_the_latest_review(
        settings: Settings, catalogue: Catalogue, tmp_path: Path) -> None:
    record = check(prefilled(settings, catalogue, "review-part2", tmp_path / "p2.docx"),
                   catalogue)
    assert record.values["review_date"] == date(2026, 10, 12)
    assert record.values.get("completed_on") is None


def test_unknown_person_is_an_error(settings: Settings, catalogue: Catalogue,
                                    tmp_path: Path) -> None:
    with open_store(settings.database_url) as store, pytest.raises(
            FillError, match="No forms are stored for person 'CS-404'"):
        write_prefilled(store, catalogue, "review", "CS-404", tmp_path / "r.docx",
                        today=TODAY)
    assert not (tmp_path / "r.docx").exists()


def test_format_and_file_name_must_agree(settings: Settings, catalogue: Catalogue,
                                         tmp_path: Path) -> None:
    with open_store(settings.database_url) as store, pytest.raises(FillError,
                                                                   match=r"ends \.docx"):
        write_prefilled(store, catalogue, "review", "CS-00042", tmp_path / "r.docx",
                        today=TODAY, fmt="pdf")


def test_cli_forms_prefill(settings: Settings, tmp_path: Path) -> None:
    out = tmp_path / "review.docx"
    result = runner.invoke(app, ["--home", str(settings.home), "forms", "prefill", "review",
                                 "CS-00042", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.exists() and "review.docx" in result.output
    wrong = runner.invoke(app, ["--home", str(settings.home), "forms", "prefill", "review",
                                "CS-00042", "-o", str(tmp_path / "r.txt")])
    assert wrong.exit_code != 0
