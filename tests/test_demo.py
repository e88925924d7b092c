"""`planwatch demo` end to end, on a small population."""

from __future__ import annotations

import json
from pathlib import Path

from openpyxl import load_workbook
from typer.testing import CliRunner

from pipeline.cli import app

runner = CliRunner()


def test_demo_builds_a_workspace_a_manager_can_use(tmp_path: Path) -> None:
    home = tmp_path / "demo"
    result = runner.invoke(app, ["--home", str(home), "demo", "--people", "25"])
    assert result.exit_code == 0, result.output
    assert "Open first" in result.output
    workbooks = list((home / "reports").glob("compliance-*.xlsx"))
    assert len(workbooks) == 1
    # Every kind of outcome happened, and nothing was left in the inbox.
    assert "duplicate" in result.output and "rejected" in result.output
    assert "superseded" in result.output
    assert sorted(p.name for p in (home / "inbox").iterdir()) == ["~$S-0004 Review.docx"]
    assert len(list((home / "rejected").glob("*.reason.txt"))) == 3
    # A reviewer picks an overdue row in the workbook and finds the person's forms.
    sheet = load_workbook(workbooks[0])["Overdue"]
    person = sheet.cell(row=2, column=1).value
    shown = runner.invoke(app, ["--home", str(home), "show", str(person), "--json"])
    assert shown.exit_code == 0
    assert json.loads(shown.output)["forms"]


def test_demo_refuses_a_folder_that_is_not_a_demo(tmp_path: Path) -> None:
    (tmp_path / "precious.txt").write_text("keep me")
    result = runner.invoke(app, ["--home", str(tmp_path), "demo", "--people", "2"])
    assert result.exit_code != 0
    assert (tmp_path / "precious.txt").exists()
