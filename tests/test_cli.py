"""The command line as a person types it: help everywhere, JSON for scripts, clear errors."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.definitions import Catalogue
from pipeline.errors import PlanwatchError
from tests.form_values import FULL_VALUES
from tests.reports_store import workspace

runner = CliRunner()


def command_paths(group: object = None,
                  prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every command's words, e.g. ("forms", "fill")."""
    group = typer.main.get_command(app) if group is None else group
    commands: dict[str, object] | None = getattr(group, "commands", None)
    if commands:
        for name, command in sorted(commands.items()):
            yield from command_paths(command, (*prefix, name))
    else:
        yield prefix


ALL_COMMANDS = list(command_paths())


@pytest.mark.parametrize("words", [pytest.param(w, id=" ".join(w)) for w in ALL_COMMANDS])
def test_every_command_has_help(words: tuple[str, ...]) -> None:
    result = runner.invoke(app, [*words, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_forms_show_json_lists_fields_for_integrations() -> None:
    result = runner.invoke(app, ["forms", "show", "support-plan", "--json"])
    assert result.exit_code == 0
    shown = json.loads(result.output)
    items = [i for s in shown["sections"] for i in s["items"]]
    frequency = next(i for i in items if i.get("key") == "review_frequency")
    assert frequency["type"] == "choice" and frequency["required"] is False
    assert {"value": "six_months", "label": "6 months"} in frequency["choices"]
    actions = next(i for i in items if i.get("table") == "actions")
    assert [c["key"] for c in actions["columns"]][:2] == ["area", "issue"]


def test_forms_list_json() -> None:
    result = runner.invoke(app, ["forms", "list", "--json"])
    assert {"referral", "support-plan", "review", "review-part2"} <= {
        f["id"] for f in json.loads(result.output)}


def test_fill_then_check_json(tmp_path: Path) -> None:
    values = tmp_path / "values.json"
    values.write_text(json.dumps(FULL_VALUES["review"]))
    out = tmp_path / "review.docx"
    filled = runner.invoke(app, ["forms", "fill", "review", "--data", str(values), "-o",
                                 str(out)])
    assert filled.exit_code == 0, filled.output
    checked = runner.invoke(app, ["forms", "check", str(out), "--json"])
    record = json.loads(checked.output)
    assert record["person_id"] == "CS-00042"
    assert record["values"]["review_date"] == "2026-04-13"
    assert record["findings"] == [] and record["complete"] is True


def _planwatch(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from pipeline.cli import main; main()", *args],
                          capture_output=True, text=True, timeout=60)


def test_error_is_a_message_and_exit_code_1_not_a_traceback(tmp_path: Path) -> None:
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"not a document")
    result = _planwatch("forms", "check", str(broken))
    assert result.returncode == 1
    assert "broken.docx" in result.stderr and "Traceback" not in result.stderr
    unknown = _planwatch("forms", "show", "shopping-list")
    assert unknown.returncode == 1 and "no form called 'shopping-list'" in unknown.stderr


# No false all-clear: a filter naming nothing known is an error, never an empty answer.

@pytest.fixture(scope="module")
def ada_home(tmp_path_factory: pytest.TempPathFactory, catalogue: Catalogue) -> Path:
    """A workspace holding Ada's history (community support, Sam Patel, team North)."""
    home = tmp_path_factory.mktemp("ada")
    workspace(home, catalogue)
    return home


def planwatch_in(home: Path, *args: str) -> tuple[int, str]:
    """Exit code and what the person sees (stdout, or the error as `planwatch` prints it)."""
    result = runner.invoke(app, ["--home", str(home), *args])
    if isinstance(result.exception, PlanwatchError):
        return 1, f"Error: {result.exception}"
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


UNKNOWN_FILTERS = [
    pytest.param(["due", "--service", "community"], "service", "community-support",
                 id="due_service_half_typed"),
    pytest.param(["due", "--worker", "Sam Patal"], "worker", "Sam Patel", id="due_worker_typo"),
    pytest.param(["due", "--team", "Nroth"], "team", "North", id="due_team_typo"),
    pytest.param(["due", "--site", "nowhere"], "site", None, id="due_site_unknown"),
    pytest.param(["report", "weekly", "--site", "nowhere"], "site", None,
                 id="report_weekly_site_unknown"),
    pytest.param(["schedule", "-o", "schedule.xlsx", "--worker", "Pat Neuman"], "worker",
                 None, id="schedule_worker_unknown"),
    pytest.param(["summary", "CS-0042"], "person", "CS-00042", id="summary_person_typo"),
    pytest.param(["summary", "CS-00042", "--service", "comunity-support"], "service",
                 "community-support", id="summary_service_typo"),
    pytest.param(["show", "CS-0042"], "person", "CS-00042", id="show_person_typo"),
    pytest.param(["forms", "prefill", "review", "CS-0042", "-o", "next.docx"], "person",
                 "CS-00042", id="prefill_person_typo"),
]


@pytest.mark.parametrize(("args", "kind", "closest"), UNKNOWN_FILTERS)
def test_unknown_filter_is_an_error_naming_the_known_ones(
        ada_home: Path, args: list[str], kind: str, closest: str | None) -> None:
    code, shown = planwatch_in(ada_home, *args)
    assert code == 1
    value = args[args.index(f"--{kind}") + 1] if f"--{kind}" in args else (
        "CS-0042")
    assert f"There is no {kind} called {value!r}." in shown
    if closest is not None:
        assert f"Did you mean {closest!r}?" in shown
    assert "Nothing overdue" not in shown and "Wrote" not in shown
    assert f"Known {'people' if kind == 'person' else kind + 's'}:" in shown or (
        "No sites are known yet." in shown)


def test_known_filter_values_are_taken_in_any_case_and_by_name(ada_home: Path) -> None:
    code, shown = planwatch_in(ada_home, "due", "--all", "--json", "--worker", "sam patel",
                               "--team", "north", "--service", "Community Support")
    assert code == 0
    rows = json.loads(shown)
    assert rows and {r["service"] for r in rows} == {"community-support"}


def test_unknown_site_lists_the_sites_files_were_taken_at(ada_home: Path) -> None:
    code, shown = planwatch_in(ada_home, "report", "weekly", "--site", "north")
    assert code == 1
    assert "No sites are known yet." in shown
