"""Children listed on their mother's referral, from real forms through the store (issue 14,
item 3): the table's rows reach the rules, the two links agree or it is a finding a
manager sees, and a listed child belongs to the mother's site.

Dates: she arrives on Thu 17 Dec 2026; a listed child's referral is due Thu 24 Dec.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.definitions import Catalogue
from pipeline.forms_service import fill
from tests.form_values import complete_values

runner = CliRunner()
WOMEN, CHILDREN = "swa-refuge-women", "swa-refuge-children"
AS_OF = "2027-01-04"


def run(home: Path, *args: str) -> str:
    result = runner.invoke(app, ["--home", str(home), *args])
    assert result.exit_code == 0, result.output
    return result.output


def drop(home: Path, catalogue: Catalogue, service: str, form_id: str, name: str,
         **values: Any) -> None:
    definition = catalogue.get(form_id)
    data = {**complete_values(definition.for_service(service)), **values}
    fill(definition, data, home / "inbox" / name, service=service)


def her_referral(home: Path, catalogue: Catalogue, *children: str) -> None:
    drop(home, catalogue, WOMEN, "referral", "her-referral.docx", person_id="W1",
         referral_date="2026-12-17", start_date="2026-12-17", worker="Ann Keyworker",
         children_with_her=[{"person_id": c, "name": f"Child {c}",
                             "date_of_birth": "2019-05-01"} for c in children])


def child_referral(home: Path, catalogue: Catalogue, child: str, mother: str) -> None:
    drop(home, catalogue, CHILDREN, "referral", f"{child}-referral.docx", person_id=child,
         referral_date="2026-12-18", start_date="2026-12-18", mother_person_id=mother)


def workspace(tmp_path: Path, *, site: str | None = None) -> Path:
    home = tmp_path / "ws"
    run(home, "init")
    if site is not None:
        with (home / "planwatch.toml").open("a") as settings:
            settings.write(f'\nsite = "{site}"\n')
    return home


def due(home: Path, *args: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(run(home, "due", "--as-of", AS_OF, "--all",
                                                "--json", *args))
    return rows


def test_a_child_listed_on_a_stored_referral_is_overdue_without_forms_of_their_own(
        tmp_path: Path, catalogue: Catalogue) -> None:
    home = workspace(tmp_path)
    her_referral(home, catalogue, "W1-C1", "W1-C2")
    run(home, "ingest")
    rows = {(r["person_id"], r["obligation"]): r for r in due(home, "--service", CHILDREN)}
    for child in ("W1-C1", "W1-C2"):
        assert (rows[child, "child_referral"]["due"], rows[child, "child_referral"]["status"],
                rows[child, "child_referral"]["worker"]) == ("2026-12-24", "overdue",
                                                             "Ann Keyworker")
    # Her keyworker reads the child's deadlines in `show`, before any form of the child's.
    shown = json.loads(run(home, "show", "W1-C1", "--as-of", AS_OF, "--json"))
    assert shown["forms"] == []
    assert {o["obligation"] for o in shown["obligations"]} >= {"child_referral",
                                                               "self_assessment"}


@pytest.mark.parametrize(
    ("mother", "disagrees"),
    [
        pytest.param("W1", False, id="links-agree"),
        pytest.param("W2", True, id="child-names-another-mother"),
    ],
)
def test_both_links_agree_or_a_manager_sees_a_finding(tmp_path: Path, catalogue: Catalogue,
                                                      mother: str, disagrees: bool) -> None:
    home = workspace(tmp_path)
    her_referral(home, catalogue, "W1-C1")
    child_referral(home, catalogue, "W1-C1", mother)
    run(home, "ingest")
    shown = json.loads(run(home, "show", "W1-C1", "--as-of", AS_OF, "--json"))
    codes = [f["code"] for form in shown["forms"] for f in form["findings"]]
    assert ("link_disagreement" in codes) is disagrees
    assert bool(shown["disagreements"]) is disagrees
    # The woman's keyworker sees it on her record too, since her listing is one link.
    assert bool(json.loads(run(home, "show", "W1", "--as-of", AS_OF, "--json"))[
        "disagreements"]) is disagrees
    text = run(home, "show", "W1-C1", "--as-of", AS_OF)
    assert ("names W2 as mother" in text) is disagrees
    run(home, "report", "weekly", "--as-of", AS_OF, "-o", str(home / "weekly.xlsx"))
    sheet = load_workbook(home / "weekly.xlsx")["Incomplete"]
    messages = [str(cell) for row in sheet.iter_rows(values_only=True) for cell in row]
    assert any("names W2 as mother" in m and "W1-C1" in m for m in messages) is disagrees


def test_a_listed_child_belongs_to_her_site(tmp_path: Path, catalogue: Catalogue) -> None:
    home = workspace(tmp_path, site="north")
    her_referral(home, catalogue, "W1-C1")
    run(home, "ingest")
    people = {(r["person_id"], r["service"]) for r in due(home, "--site", "north")}
    assert ("W1-C1", CHILDREN) in people and ("W1", WOMEN) in people
    # Another site's caseload is not hers; a site the store does not know is an error
    # (never an empty all-clear).
    unknown = CliRunner().invoke(app, ["--home", str(home), "due", "--site", "south",
                                       "--json"])
    assert unknown.exit_code == 1 and "There is no site called 'south'" in str(
        unknown.exception)
