"""Deadlines from stored forms, through the command line a manager types."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.definitions import Catalogue
from pipeline.forms_service import fill
from tests.form_values import FULL_VALUES

runner = CliRunner()


def run(home: Path, *args: str) -> str:
    result = runner.invoke(app, ["--home", str(home), *args])
    assert result.exit_code == 0, result.output
    return result.output


def workspace_with(tmp_path: Path, name: str, catalogue: Catalogue,
                   forms: list[tuple[str, dict[str, object]]],
                   database_url: str | None = None) -> Path:
    home = tmp_path / name
    if database_url is None:
        run(home, "init")
    else:  # as a person would: init on the server, then say so in planwatch.toml
        run(home, "--database-url", database_url, "init")
        with (home / "planwatch.toml").open("a") as settings:
            settings.write(f'\ndatabase_url = "{database_url}"\n')
    for number, (form_id, changes) in enumerate(forms):
        values = {k: v for k, v in {**FULL_VALUES[form_id], **changes}.items() if v is not None}
        fill(catalogue.get(form_id), values, home / "inbox" / f"{number:02d}-{form_id}.docx")
    return home


FORMS: list[tuple[str, dict[str, object]]] = [
    ("referral", {}),
    ("support-plan", {"person_views": None}),  # without the person's views: blocking
    ("support-plan", {}),  # its correction
    ("review", {}),
    ("review-part2", {}),
]


def test_due_json_rows_for_integrations(tmp_path: Path, catalogue: Catalogue,
                                        database_url: str | None) -> None:
    home = workspace_with(tmp_path, "ws", catalogue, FORMS, database_url)
    run(home, "ingest")
    rows = json.loads(run(home, "due", "--as-of", "2026-11-23", "--all", "--json"))
    assert [(r["obligation"], r["due"], r["status"], r["met_on"]) for r in rows] == [
        ("support_plan", "2026-03-30", "met", "2026-03-20"),
        ("first_review", "2026-04-13", "met", "2026-04-13"),
        ("review_part2", "2026-04-27", "met", "2026-04-20"),
        ("review", "2026-10-13", "overdue", None),
    ]
    assert set(rows[0]) == {"person_id", "service", "obligation", "due", "status", "met_on",
                            "worker", "source"}
    assert rows[0]["source"].startswith("archive/")
    open_only = json.loads(run(home, "due", "--as-of", "2026-11-23", "--json"))
    assert [r["obligation"] for r in open_only] == ["review"]
    # A worker the store does not know is an error, never an empty all-clear (issue 17).
    unknown = runner.invoke(app, ["--home", str(home), "due", "--as-of", "2026-11-23",
                                  "--json", "--worker", "Nobody"])
    assert unknown.exit_code == 1
    assert "There is no worker called 'Nobody'" in str(unknown.exception)


@pytest.mark.parametrize("order", [pytest.param(list(range(5)), id="in_order"),
                                   pytest.param([4, 3, 2, 1, 0], id="reversed"),
                                   pytest.param([2, 0, 4, 1, 3], id="shuffled")])
def test_arrival_order_never_changes_the_deadlines(tmp_path: Path, catalogue: Catalogue,
                                                   order: list[int]) -> None:
    reference = workspace_with(tmp_path, "reference", catalogue, FORMS)
    run(reference, "ingest")
    home = workspace_with(tmp_path, "other", catalogue, [])
    paths = []
    for index in order:
        form_id, changes = FORMS[index]
        values = {k: v for k, v in {**FULL_VALUES[form_id], **changes}.items() if v is not None}
        paths.append(str(fill(catalogue.get(form_id), values,
                              home / "inbox" / f"{index:02d}.docx")))
    run(home, "ingest", *paths)  # files named on the command line are taken in that order

    def deadlines(where: Path) -> list[tuple[str, str, str]]:
        rows = json.loads(run(where, "due", "--as-of", "2026-11-23", "--all", "--json"))
        return [(r["obligation"], r["due"], r["status"]) for r in rows]

    assert deadlines(home) == deadlines(reference)


def test_show_lists_every_copy_with_its_archived_file(tmp_path: Path,
                                                      catalogue: Catalogue) -> None:
    home = workspace_with(tmp_path, "ws", catalogue, FORMS)
    run(home, "ingest")
    shown = json.loads(run(home, "show", "CS-00042", "--as-of", "2026-11-23", "--json"))
    statuses = [(f["form"], f["status"]) for f in shown["forms"]]
    assert statuses.count(("support-plan", "superseded")) == 1
    assert statuses.count(("support-plan", "stored")) == 1
    assert all((home / f["archived_path"]).exists() for f in shown["forms"])


def test_show_says_which_copy_counts_and_why(tmp_path: Path, catalogue: Catalogue) -> None:
    home = workspace_with(tmp_path, "ws", catalogue, FORMS)
    run(home, "ingest")
    shown = json.loads(run(home, "show", "CS-00042", "--as-of", "2026-11-23", "--json"))
    plans = {f["file"]: f for f in shown["forms"] if f["form"] == "support-plan"}
    assert (plans["02-support-plan.docx"]["counts"], plans["02-support-plan.docx"]["why"]) == (
        True, "counts: corrected copy (fewer blocking findings)")
    incomplete = plans["01-support-plan.docx"]
    assert incomplete["counts"] is False
    assert incomplete["why"].startswith(
        "kept in the history only: superseded by '02-support-plan.docx' because it has "
        "fewer blocking findings (0, not ")
    assert {f["why"] for f in shown["forms"] if f["form"] == "referral"} == {
        "counts: the only copy of this form for this person, service and date"}
    text = run(home, "show", "CS-00042", "--as-of", "2026-11-23")
    assert ("02-support-plan.docx (Support plan, 20/03/2026): counts: corrected copy "
            "(fewer blocking findings)") in text
    assert ("01-support-plan.docx (Support plan, 20/03/2026): kept in the history only: "
            "superseded by '02-support-plan.docx' because it has fewer blocking") in text
    assert "00-referral.docx (referral" not in text  # one copy: nothing to explain


def test_show_says_a_future_last_saved_time_counts_as_the_arrival(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    home = workspace_with(tmp_path, "ws", catalogue, [])
    values = FULL_VALUES["support-plan"]
    fill(catalogue.get("support-plan"), values, home / "inbox" / "spoof.docx",
         saved_at=datetime(2099, 1, 1, 12, 0, tzinfo=UTC))
    run(home, "ingest")
    time.sleep(1.1)  # the correction is saved after the 2099 copy arrived (whole seconds)
    fill(catalogue.get("support-plan"), values, home / "inbox" / "fixed.docx")
    run(home, "ingest")
    shown = json.loads(run(home, "show", "CS-00042", "--json"))
    forms = {f["file"]: f for f in shown["forms"]}
    assert (forms["fixed.docx"]["counts"], forms["spoof.docx"]["counts"]) == (True, False)
    assert forms["fixed.docx"]["why"] == ("counts: latest copy (as many blocking findings, "
                                          "saved last)")
    spoof = forms["spoof.docx"]
    assert spoof["saved_at"] == spoof["received_at"]
    assert spoof["saved_at_in_file"] == "2099-01-01T12:00:00+00:00"
    assert spoof["why"].startswith("kept in the history only: superseded by 'fixed.docx' "
                                   "because it was saved later (")
    assert "its last-saved time (01/01/2099 12:00) is after it arrived, so it counts as " \
        "saved when it arrived" in spoof["why"]
    text = " ".join(run(home, "show", "CS-00042").split())
    assert "spoof.docx (Support plan, 20/03/2026): kept in the history only" in text


def test_weekly_report_is_written_where_managers_look(
    tmp_path: Path, catalogue: Catalogue, database_url: str | None
) -> None:
    home = workspace_with(tmp_path, "ws", catalogue, FORMS, database_url)
    run(home, "ingest")
    output = run(home, "report", "weekly", "--as-of", "2026-11-23")
    assert (home / "reports" / "compliance-2026-W48.xlsx").exists()
    assert "compliance-2026-W48.xlsx" in output


def test_commands_outside_a_workspace_say_what_to_do(tmp_path: Path) -> None:
    result = runner.invoke(app, ["--home", str(tmp_path), "due"])
    assert result.exit_code != 0
    assert "planwatch init" in str(result.exception)
