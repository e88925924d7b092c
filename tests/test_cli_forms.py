"""`planwatch forms` takes its forms folder as every command takes settings: --forms-dir,
else the workspace's forms_dir (planwatch.toml, PLANWATCH_FORMS_DIR; the workspace named
by --home, PLANWATCH_HOME or the current folder), else the bundled forms; and `forms
build` and `forms adopt` never write into the bundled forms unless told to."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.definitions import DEFAULT_FORMS_DIR
from pipeline.errors import PlanwatchError
from pipeline.workspace import init_workspace
from tests.form_values import FULL_VALUES
from tests.office_forms import key_work_review
from tests.test_cli_imports import heavy_in, imported

runner = CliRunner()
SERVICE = "community-support"


def _workspace(home: Path, *, forms: str | None = "forms") -> Path:
    """A workspace whose planwatch.toml names its own forms folder (a copy of the bundled
    definitions and policies with one more form, `visit-note`)."""
    init_workspace(home)
    if forms is not None:
        own = home / forms
        shutil.copytree(DEFAULT_FORMS_DIR, own, ignore=shutil.ignore_patterns("blank"))
        text = (own / "copy-request.yaml").read_text()
        (own / "visit-note.yaml").write_text(
            text.replace("id: copy-request", "id: visit-note", 1))
        with (home / "planwatch.toml").open("a") as settings:
            settings.write(f'\nforms_dir = "{forms}"\n')
    return home


def _ids(output: str) -> set[str]:
    return {form["id"] for form in json.loads(output)}


def test_forms_commands_read_the_workspaces_forms_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = _workspace(tmp_path / "office")
    by_home = runner.invoke(app, ["--home", str(home), "forms", "list", "--json"])
    assert by_home.exit_code == 0, by_home.output
    assert "visit-note" in _ids(by_home.output)
    after = runner.invoke(app, ["forms", "list", "--json", "--home", str(home)])
    assert "visit-note" in _ids(after.output)
    by_variable = runner.invoke(app, ["forms", "list", "--json"],
                                env={"PLANWATCH_HOME": str(home)})
    assert "visit-note" in _ids(by_variable.output)
    monkeypatch.chdir(home)  # in the workspace, as the README's commands are typed
    assert "visit-note" in _ids(runner.invoke(app, ["forms", "list", "--json"]).output)
    shown = runner.invoke(app, ["forms", "show", "visit-note", "--json"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output)["id"] == "visit-note"
    values = home / "values.json"
    values.write_text(json.dumps({"person_id": "HIL-0007", "requested_on": "2026-03-02"}))
    filled = runner.invoke(app, ["forms", "fill", "visit-note", "--data", str(values),
                                 "-o", "note.docx"])
    assert filled.exit_code == 0, filled.output
    checked = runner.invoke(app, ["forms", "check", "note.docx", "--json"])
    assert checked.exit_code == 0, checked.output
    assert (json.loads(checked.output)["form"], json.loads(checked.output)["person_id"]) == (
        "visit-note", "HIL-0007")
    # --forms-dir wins over the settings; so does PLANWATCH_FORMS_DIR over planwatch.toml.
    given = runner.invoke(app, ["forms", "list", "--json", "--forms-dir", str(DEFAULT_FORMS_DIR)])
    assert "visit-note" not in _ids(given.output)
    variable = runner.invoke(app, ["forms", "list", "--json"],
                             env={"PLANWATCH_FORMS_DIR": str(DEFAULT_FORMS_DIR)})
    assert "visit-note" not in _ids(variable.output)


def test_without_a_forms_dir_setting_the_forms_are_the_bundled_ones(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no workspace here at all
    listed = runner.invoke(app, ["forms", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    assert _ids(listed.output) >= {"support-plan", "review"}
    values = tmp_path / "values.json"
    values.write_text(json.dumps(FULL_VALUES["review"]))
    filled = runner.invoke(app, ["forms", "fill", "review", "--service", SERVICE, "--data",
                                 str(values), "-o", "review.docx"])
    assert filled.exit_code == 0, filled.output


def _bundled() -> dict[str, int]:
    return {str(p): p.stat().st_mtime_ns for p in DEFAULT_FORMS_DIR.rglob("*")}


@pytest.mark.parametrize("command", [
    pytest.param(["forms", "build"], id="build"),
    pytest.param(["forms", "adopt", "{blank}", "--id", "key-work-review", "--service",
                  SERVICE], id="adopt"),
])
def test_build_and_adopt_never_write_into_the_bundled_forms(
        tmp_path: Path, command: list[str]) -> None:
    """Inside an installed package the bundled forms are Planwatch's own: without a forms
    folder of the workspace's, these say how to make one and write nothing."""
    home = _workspace(tmp_path / "office", forms=None)
    blank = tmp_path / "Key Work Review.docx"
    blank.write_bytes(key_work_review())
    before = _bundled()
    result = runner.invoke(app, ["--home", str(home),
                                 *[str(blank) if a == "{blank}" else a for a in command]])
    assert isinstance(result.exception, PlanwatchError)  # main() prints it, exit code 1
    said = str(result.exception)
    assert "no forms folder of your own" in said
    assert f"cp -r {DEFAULT_FORMS_DIR} {home / 'forms'}" in said
    assert f'forms_dir = "forms" in {home / "planwatch.toml"}' in said
    assert "--forms-dir" in said
    assert _bundled() == before
    assert not (home / "forms").exists()


def test_build_and_adopt_write_into_the_workspaces_forms_folder(tmp_path: Path) -> None:
    home = tmp_path / "office"
    init_workspace(home)
    own = home / "my-forms"  # one form and its service: a quick build
    (own / "services").mkdir(parents=True)
    shutil.copy(DEFAULT_FORMS_DIR / "copy-request.yaml", own)
    shutil.copy(DEFAULT_FORMS_DIR / "services" / "medway-hil.yaml", own / "services")
    with (home / "planwatch.toml").open("a") as settings:
        settings.write('\nforms_dir = "my-forms"\n')
    built = runner.invoke(app, ["--home", str(home), "forms", "build"])
    assert built.exit_code == 0, built.output
    for suffix in ("docx", "pdf", "xlsx"):
        path = own / "blank" / "medway-hil" / f"copy-request.{suffix}"
        assert path.is_file() and f"Wrote {path}" in built.output
    blank = tmp_path / "Key Work Review.docx"
    blank.write_bytes(key_work_review())
    adopted = runner.invoke(app, ["--home", str(home), "forms", "adopt", str(blank), "--id",
                                  "key-work-review", "--service", "medway-hil"])
    assert adopted.exit_code == 0, adopted.output
    assert (own / "key-work-review.yaml").is_file()
    assert (own / "adopted" / "medway-hil" / "key-work-review.docx").is_file()


def test_forms_list_in_a_workspace_imports_no_heavy_library(tmp_path: Path) -> None:
    home = _workspace(tmp_path / "office")
    packages, code, output = imported("--home", str(home), "forms", "list", "--json")
    assert code == 0, output
    assert "visit-note" in _ids(output)
    assert heavy_in(packages) == []
