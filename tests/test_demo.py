"""`planwatch demo` end to end, on a small population."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.definitions import Catalogue
from pipeline.demo.population import demo_people
from pipeline.fill_values import coerce_values
from pipeline.names import Names
from pipeline.policies import load_policies
from tests.conftest import Demo

runner = CliRunner()
SERVICES = ["community-support", "swa-refuge-women", "swa-refuge-children", "swa-floating",
            "medway-hil", "families-first", "sds"]


def test_demo_builds_a_workspace_a_manager_can_use(demo_workspace: Demo) -> None:
    home, output = demo_workspace.home, demo_workspace.output
    assert "Open first" in output
    workbooks = list((home / "reports").glob("compliance-*.xlsx"))
    assert len(workbooks) == 1
    # Every kind of outcome happened, and nothing was left in the inbox.
    assert "duplicate" in output and "rejected" in output
    assert "superseded" in output
    assert sorted(p.name for p in (home / "inbox").iterdir()) == ["~$S-0004 Review.docx"]
    assert len(list((home / "rejected").glob("*.reason.txt"))) == 3
    # A reviewer picks an overdue row in the workbook and finds the person's forms.
    sheet = load_workbook(workbooks[0])["Overdue"]
    person = sheet.cell(row=2, column=1).value
    shown = runner.invoke(app, ["--home", str(home), "show", str(person), "--json"])
    assert shown.exit_code == 0
    assert json.loads(shown.output)["forms"]
    # Every service is there, and a manager of each can read their own deadlines.
    for service in SERVICES:
        due = runner.invoke(app, ["--home", str(home), "due", "--all", "--json",
                                  "--service", service])
        assert due.exit_code == 0
        assert {row["service"] for row in json.loads(due.output)} == {service}, service
    summary = load_workbook(workbooks[0])["Summary"]
    shown_services = {row[0] for row in summary.iter_rows(values_only=True)}
    # By the names staff know them by (issue 17), every one of them.
    policies = load_policies()
    assert {policies.get(service).name for service in SERVICES} <= shown_services
    # The deadlines as the policies mean them (issue 14), one of each case at least.
    shown_cases(home, workbooks[0])


def shown_cases(home: Path, workbook: Path) -> None:
    rows = list(load_workbook(workbook)["Obligations"].iter_rows(min_row=2, values_only=True))
    # Person, Service, Team, Worker, Obligation, Due, Status, Met on, Source file; the
    # workbook names services and obligations as staff know them (issue 17).
    names = Names.of(load_policies())
    status: dict[tuple[object, object], list[object]] = {(r[0], r[4]): [] for r in rows}
    for r in rows:
        status[r[0], r[4]].append(r[6])

    def of(person: str, service: str, obligation: str) -> list[object]:
        return status[person, names.obligation(service, obligation)]

    reviews = {names.obligation(policy.id, "review") for policy in load_policies()}
    assert any(r[4] in reviews and r[6] == "Missed" for r in rows), "a missed review slot"
    assert "Not applicable (statutory review process (child protection or looked after))" in (
        of("FF-0001", "families-first", "review"))
    assert of("FF-0002", "families-first", "closure") == [
        "Past planned duration: consider step-down"]
    # Resident 3's plan was not owed under the disclaimer, and is owed from its withdrawal.
    plans = of("HIL-0003", "medway-hil", "support_plan")
    assert plans[0] == "Not applicable (disclaimer in place)" and len(plans) == 2
    assert plans[1] != "Not applicable (disclaimer in place)"
    due = runner.invoke(app, ["--home", str(home), "due", "--json", "--service",
                              "families-first"])
    assert {"person_id": "FF-0002", "obligation": "closure",
            "status": "past_planned_duration"}.items() <= next(
        row for row in json.loads(due.output) if row["obligation"] == "closure").items()
    # SWA-0001 arrived nine days ago with a child whose own referral has not come in.
    assert of("SWA-0001-C1", "swa-refuge-children", "child_referral") == ["Overdue"]


def test_demo_refuses_a_folder_that_is_not_a_demo(tmp_path: Path) -> None:
    (tmp_path / "precious.txt").write_text("keep me")
    result = runner.invoke(app, ["--home", str(tmp_path), "demo", "--people", "2"])
    assert result.exit_code != 0
    assert (tmp_path / "precious.txt").exists()


def test_demo_population_covers_every_service_with_linked_people() -> None:
    people = demo_people(date(2026, 11, 23), 100)
    assert {p.service for p in people} == set(SERVICES)
    assert 100 <= len(people) <= 150
    # Children are linked to their mother's referral; some women move on to floating
    # support under the same reference (a second episode, in another service).
    children = [p for p in people if p.service == "swa-refuge-children"]
    mothers = {form.values.get("mother_person_id") for p in children for form in p.forms}
    assert {p.person_id.rsplit("-C", 1)[0] for p in children} <= mothers
    # Every child is listed on her mother's referral, including one with no forms yet.
    listed = {row["person_id"] for p in people if p.service == "swa-refuge-women"
              for form in p.forms for row in form.values.get("children_with_her") or []}
    assert {p.person_id for p in children} < listed
    assert "SWA-0001-C1" in listed - {p.person_id for p in children}
    women = {p.person_id for p in people if p.service == "swa-refuge-women"}
    assert women & {p.person_id for p in people if p.service == "swa-floating"}
    # The same seed, the same people.
    assert [p.person_id for p in demo_people(date(2026, 11, 23), 100)] == [
        p.person_id for p in people]


def test_demo_forms_fit_their_services_copies(catalogue: Catalogue) -> None:
    for person in demo_people(date(2026, 11, 23), 60, seed=7):
        for form in person.forms:
            copy = catalogue.get(form.form_id).for_service(form.service)
            coerce_values(copy, form.values)  # raises on a key or value that does not fit


@pytest.mark.slow
def test_demo_on_postgresql_gives_the_same_workbook_figures(tmp_path: Path,
                                                           postgres_url: str) -> None:
    """One setting points the demo at PostgreSQL; the manager's numbers do not change."""
    summaries = []
    for name, url in (("sqlite", None), ("postgresql", postgres_url)):
        options = ["--database-url", url] if url else []
        home = tmp_path / name
        result = runner.invoke(app, ["--home", str(home), *options, "demo", "--people", "30"])
        assert result.exit_code == 0, result.output
        [workbook] = (home / "reports").glob("compliance-*.xlsx")
        sheet = load_workbook(workbook)["Summary"]
        summaries.append([[c.value for c in row] for row in sheet.iter_rows()])
    assert summaries[0] == summaries[1]


def test_show_reads_as_staff_say_it_at_80_columns(demo_workspace: Demo) -> None:
    """`planwatch show`: events in the deadlines' words, copies' notes with whole UK
    dates and form titles, and an archived file's reference never split across lines."""
    text = runner.invoke(app, ["--home", str(demo_workspace.home), "show", "CS-0002"],
                         terminal_width=80).output
    # Tables fit; a copy's note is one whole line, for the terminal to wrap.
    assert all(len(line) <= 80 for line in text.splitlines() if "│" in line)
    events = text[text.index("Events"):text.index("Deadlines")]
    assert "Review Part 2 (manager)" in events and "part2" not in events
    assert "Support started" in events
    notes = [line for line in text.splitlines() if ": counts:" in line or "history only" in line]
    assert notes and all("(Support plan, 16/12/2025)" in line for line in notes), notes
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)  # no ISO dates anywhere
    assert "│ CS-0002 Support    │" in text  # the folder on its own line, the name whole
