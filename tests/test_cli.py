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
from tests.form_values import FULL_VALUES

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
