"""Several sites, each with its own inbox and archive, sharing one PostgreSQL store."""

from __future__ import annotations

import json
from pathlib import Path

from openpyxl import load_workbook
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


def site(tmp_path: Path, name: str, url: str, catalogue: Catalogue, person: str) -> Path:
    home = tmp_path / name
    run(home, "--database-url", url, "init")
    with (home / "planwatch.toml").open("a") as settings:
        settings.write(f'\ndatabase_url = "{url}"\nsite = "{name}"\n')
    for form_id in ("referral", "support-plan"):
        values = {**FULL_VALUES[form_id], "person_id": person}
        fill(catalogue.get(form_id), values, home / "inbox" / f"{form_id}.docx")
    run(home, "ingest")
    return home


def test_each_site_sees_every_site_and_can_filter_to_its_own(
    tmp_path: Path, postgres_url: str, catalogue: Catalogue
) -> None:
    north = site(tmp_path, "north", postgres_url, catalogue, "CS-N1")
    south = site(tmp_path, "south", postgres_url, catalogue, "CS-S1")
    everyone = json.loads(run(north, "due", "--as-of", "2026-11-23", "--all", "--json"))
    assert {r["person_id"] for r in everyone} == {"CS-N1", "CS-S1"}
    theirs = json.loads(run(north, "due", "--as-of", "2026-11-23", "--all", "--json",
                            "--site", "south"))
    assert {r["person_id"] for r in theirs} == {"CS-S1"}
    shown = json.loads(run(south, "show", "CS-N1", "--json"))
    assert {f["site"] for f in shown["forms"]} == {"north"}
    run(south, "report", "weekly", "--as-of", "2026-11-23", "--site", "north")
    workbook = load_workbook(south / "reports" / "compliance-2026-W48-north.xlsx")
    people = {row[0].value for row in workbook["Obligations"].iter_rows(min_row=2)}
    assert people == {"CS-N1"}
