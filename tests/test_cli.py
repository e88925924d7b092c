"""The command line as a person types it: help everywhere, JSON for scripts, clear errors."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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
    result = runner.invoke(app, ["forms", "show", "support-plan", "--service",
                                 "community-support", "--json"])
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
    filled = runner.invoke(app, ["forms", "fill", "review", "--service", "community-support",
                                 "--data", str(values), "-o", str(out)])
    assert filled.exit_code == 0, filled.output
    checked = runner.invoke(app, ["forms", "check", str(out), "--json"])
    record = json.loads(checked.output)
    assert record["person_id"] == "CS-00042"
    assert record["values"]["review_date"] == "2026-04-13"
    assert record["findings"] == [] and record["complete"] is True


def test_fill_says_the_whole_path_it_wrote(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("values.json").write_text(json.dumps(FULL_VALUES["review"]))
    filled = runner.invoke(app, ["forms", "fill", "review", "--service", "community-support",
                                 "--data", "values.json", "-o", "review.docx"])
    assert filled.exit_code == 0, filled.output
    assert filled.output == f"Wrote {tmp_path / 'review.docx'}\n"
    # What the form says, as a person reads it; --json keeps ISO dates.
    checked = runner.invoke(app, ["forms", "check", "review.docx"], terminal_width=100)
    assert "13/04/2026" in checked.output and "2026-04-13" not in checked.output
    assert "False" not in checked.output and "True" not in checked.output


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


# `forms show` is the truth about `forms fill`.

def _answer_for(item: dict[str, Any]) -> Any:
    """A value of the kind `forms show --json` says the answer takes."""
    kind = item["type"]
    if kind == "choice":
        return item["choices"][-1]["value"]
    if kind == "number":
        return item["minimum"] if item["minimum"] is not None else 3
    return {"date": "2026-03-02", "datetime": "2026-03-02T10:30", "yes_no": True}.get(
        kind, f"Answer {item['key']}")


def values_from_show(shown: dict[str, Any]) -> dict[str, Any]:
    """Every answer `forms show --service S --json` lists, filled by its keys alone."""
    values: dict[str, Any] = {}
    for item in (i for s in shown["sections"] for i in s["items"]):
        if "table" in item:
            values[item["table"]] = [{c["key"]: _answer_for(c) for c in item["columns"]}]
        elif "keys" in item:
            values.update({part["key"]: _answer_for(part) for part in item["fields"]})
        else:
            values[item["key"]] = _answer_for(item)
    values["person_id"] = "CS-00042"
    return values


FORM_COPIES = [pytest.param(d.id, s, id=f"{d.id}-{s}")
               for d in Catalogue.load() for s in d.services]


@pytest.mark.parametrize(("form", "service"), FORM_COPIES)
def test_forms_show_service_round_trips_into_forms_fill(tmp_path: Path, form: str,
                                                        service: str) -> None:
    shown = runner.invoke(app, ["forms", "show", form, "--service", service, "--json"])
    assert shown.exit_code == 0, shown.output
    values = values_from_show(json.loads(shown.output))
    data = tmp_path / "values.json"
    data.write_text(json.dumps(values))
    filled = runner.invoke(app, ["forms", "fill", form, "--service", service, "--data",
                                 str(data), "-o", str(tmp_path / "filled.docx")])
    assert filled.exit_code == 0, filled.output
    checked = json.loads(runner.invoke(
        app, ["forms", "check", str(tmp_path / "filled.docx"), "--json"]).output)
    assert checked["service"] == service
    read = {**checked["values"], **checked["tables"]}
    for key, value in values.items():
        if value == "2026-03-02T10:30":  # read back as the UK time it is, with its offset
            assert read[key] == "2026-03-02T10:30:00+00:00", key
        else:
            assert read[key] == value, key


def test_forms_fill_of_a_form_whose_copies_differ_names_the_services(tmp_path: Path) -> None:
    data = tmp_path / "values.json"
    data.write_text(json.dumps(FULL_VALUES["review"]))
    filled = runner.invoke(app, ["forms", "fill", "review", "--data", str(data), "-o",
                                 str(tmp_path / "review.docx")])
    assert isinstance(filled.exception, PlanwatchError)
    assert "differs between services: community-support, swa-refuge-women" in str(
        filled.exception)
    assert "--service" in str(filled.exception)
    assert not (tmp_path / "review.docx").exists()


def test_forms_show_without_service_says_which_services_see_each_field() -> None:
    shown = json.loads(runner.invoke(app, ["forms", "show", "review", "--json"]).output)
    items = {i.get("key") or i.get("table"): i for s in shown["sections"] for i in s["items"]}
    assert items["person_id"]["services"] == shown["services"]
    kinds = {c["value"]: c["services"] for c in items["review_kind"]["choices"]}
    assert kinds["tac"] == ["families-first"]
    assert shown["copies_differ"] is True
    text = runner.invoke(app, ["forms", "show", "review"], terminal_width=80).output
    assert "tac: Team Around the Child review (only families-first)" in " ".join(text.split())


def test_forms_show_at_80_columns_cuts_no_key(catalogue: Catalogue) -> None:
    for definition in catalogue:
        for service in definition.services:
            text = runner.invoke(app, ["forms", "show", definition.id, "--service", service],
                                 terminal_width=80).output
            assert "…" not in text
            words = set(text.split())
            shown = json.loads(runner.invoke(app, ["forms", "show", definition.id,
                                                   "--service", service, "--json"]).output)
            assert set(values_from_show(shown)) <= words | {
                i["table"] for s in shown["sections"] for i in s["items"] if "table" in i}
            assert all(len(line) <= 80 for line in text.splitlines())


def test_forms_show_signature_blocks_are_the_keys_to_fill() -> None:
    text = runner.invoke(app, ["forms", "show", "support-plan", "--service",
                               "community-support"], terminal_width=80).output
    assert "person_signature" in text and "person_signed_on" in text


# `planwatch due` and `show` readable at 80 columns; names, not ids.

def test_due_at_80_columns_shows_whole_dates_and_names_most_urgent_first(
        ada_home: Path) -> None:
    result = runner.invoke(app, ["--home", str(ada_home), "due", "--as-of", "01/12/2026"],
                           terminal_width=80)
    assert result.exit_code == 0, result.output
    text = result.output
    assert "…" not in text and all(len(line) <= 80 for line in text.splitlines())
    assert "Overdue (" in text and "Community Support" in text
    assert "community-support" not in text and "review_part2" not in text
    assert "met on" not in text  # nothing met is shown by default
    dates = re.findall(r"\d\d/\d\d/\d{4}", text.split("Overdue", 1)[1])
    assert dates == sorted(dates, key=lambda d: (d[6:], d[3:5], d[:2]))


def test_due_with_nothing_open_prints_no_empty_table(ada_home: Path) -> None:
    result = runner.invoke(app, ["--home", str(ada_home), "due", "--as-of", "2026-01-01"])
    assert result.output.strip() == "As of 01/01/2026: nothing overdue or due soon."


def test_due_sorts_by_person_worker_or_service(ada_home: Path) -> None:
    for key in ("due", "person", "worker", "service"):
        result = runner.invoke(app, ["--home", str(ada_home), "due", "--all", "--sort", key])
        assert result.exit_code == 0, result.output
    wrong = runner.invoke(app, ["--home", str(ada_home), "due", "--sort", "colour"])
    assert wrong.exit_code == 2 and "due" in wrong.output


def test_show_person_names_each_service_its_forms_events_and_deadlines(
        ada_home: Path) -> None:
    result = runner.invoke(app, ["--home", str(ada_home), "show", "CS-00042", "--as-of",
                                 "2026-12-01"], terminal_width=80)
    assert result.exit_code == 0, result.output
    text = result.output
    for heading in ("Community Support (community-support)", "Forms", "Events",
                    "Deadlines", "Support plan", "Review Part 2 (manager)"):
        assert heading in text
    assert "…" not in text


# Commands that behave as people expect.

@pytest.mark.parametrize("typed", [
    pytest.param("31/02/2026", id="uk_february_31"),
    pytest.param("2026-02-31", id="iso_february_31")])
def test_an_impossible_date_gets_one_clear_message(ada_home: Path, typed: str) -> None:
    for command in (["due"], ["show", "CS-00042"], ["report", "weekly"],
                    ["schedule", "-o", "s.xlsx"], ["summary", "CS-00042"]):
        result = runner.invoke(app, ["--home", str(ada_home), *command, "--as-of", typed],
                               terminal_width=100)
        assert result.exit_code == 2
        assert f"{typed} is not a date: February 2026 has 28 days." in " ".join(
            result.output.replace("│", " ").split())


def test_dates_are_taken_as_dd_mm_yyyy_or_yyyy_mm_dd(ada_home: Path) -> None:
    uk = runner.invoke(app, ["--home", str(ada_home), "due", "--json", "--as-of", "12/10/2026"])
    iso = runner.invoke(app, ["--home", str(ada_home), "due", "--json", "--as-of", "2026-10-12"])
    assert uk.exit_code == iso.exit_code == 0 and uk.output == iso.output


def test_global_options_work_after_the_command(ada_home: Path) -> None:
    before = runner.invoke(app, ["--home", str(ada_home), "due", "--all", "--json"])
    after = runner.invoke(app, ["due", "--all", "--json", "--home", str(ada_home)])
    assert after.exit_code == 0, after.output
    assert after.output == before.output


def test_init_says_what_to_do_next(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", "--home", str(tmp_path / "office")])
    assert result.exit_code == 0, result.output
    assert "What to do next" in result.output
    assert "planwatch --home" in result.output and "ingest" in result.output
    # Every command it suggests names the workspace, the watcher's too.
    assert f"(or: planwatch --home {tmp_path / 'office'} watch)" in result.output
    assert "database_url" not in result.output


def test_init_given_a_store_says_to_keep_it(tmp_path: Path) -> None:
    """--database-url is not written to planwatch.toml: init says so."""
    url = f"sqlite:///{tmp_path / 'elsewhere.db'}"
    result = runner.invoke(app, ["init", "--home", str(tmp_path / "office"),
                                 "--database-url", url], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "set database_url in planwatch.toml" in result.output


def test_init_names_the_inbox_the_settings_choose(tmp_path: Path) -> None:
    home = tmp_path / "office"
    home.mkdir()
    (home / "planwatch.toml").write_text('inbox_dir = "drop here"\n', encoding="utf-8")
    result = runner.invoke(app, ["init", "--home", str(home)], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert f"drop the forms they fill into {home / 'drop here'}" in result.output


def test_schedule_says_where_it_wrote(ada_home: Path, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, output = planwatch_in(ada_home, "schedule", "--as-of", "2026-11-23", "-o", "s.xlsx")
    assert code == 0 and f"Wrote {tmp_path / 's.xlsx'}" in output


def test_status_gives_times_as_the_uk_reads_them() -> None:
    from pipeline.cli.status import uk_time

    assert uk_time("2026-07-02T08:05:00.123+00:00") == "02/07/2026 09:05"  # BST
    assert uk_time("2026-12-02T08:05:00+00:00") == "02/12/2026 08:05"
    assert uk_time("not a time") == "not a time"


def test_forms_list_at_80_columns_cuts_no_id(catalogue: Catalogue) -> None:
    text = runner.invoke(app, ["forms", "list"], terminal_width=80).output
    assert "…" not in text
    words = {w.strip(",") for w in text.replace("│", " ").split()}
    assert {d.id for d in catalogue} <= words
    assert {s for d in catalogue for s in d.services} <= words


# Type-ish placeholders: typer's <bool>, <list[Path]>, <%Y-%m-%d|%d/%m/%Y>, click's TEXT,
# a range as [1<=x<=52], a required argument as {PERSON_ID}.
NOT_PROSE = re.compile(r"<[a-zA-Z%][^>]*>|\bTEXT\b|\[[^]]*<=|\{[A-Z_]+\}")


@pytest.mark.parametrize("words", [pytest.param(w, id=" ".join(w)) for w in ALL_COMMANDS])
def test_help_reads_as_prose(words: tuple[str, ...]) -> None:
    result = runner.invoke(app, [*words, "--help"], terminal_width=100)
    assert result.exit_code == 0, result.output
    assert not NOT_PROSE.search(result.output), result.output


def test_the_command_list_gives_each_command_in_one_paragraph() -> None:
    """A docstring's line breaks do not break the list of commands mid-sentence."""
    result = runner.invoke(app, ["--help"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert not NOT_PROSE.search(result.output), result.output
    assert "fill and ingest the forms of about 100 people across every service, and write" in (
        result.output)


def test_a_range_is_still_checked_when_the_help_says_it_in_words(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "--people", "0", "--home", str(tmp_path / "d")])
    assert result.exit_code == 2 and not (tmp_path / "d").exists()


def test_ingest_stopped_by_ctrl_c_says_the_rest_is_left_to_take(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The readers print nothing on Ctrl+C (tests/test_inbox_sandbox.py); ingest says
    what became of the files, with no traceback, and exits 130 as an interrupted
    command does."""
    import pipeline.cli.ingest
    from pipeline.workspace import init_workspace

    def ctrl_c(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    init_workspace(tmp_path)
    monkeypatch.setattr(pipeline.cli.ingest, "run_ingest", ctrl_c)
    result = CliRunner().invoke(app, ["--home", str(tmp_path), "ingest"])
    assert result.exit_code == 130
    assert result.output == ("Stopped (Ctrl+C). The files not yet taken are where they "
                             "were: run the same command again to take them.\n")


def _column_text(output: str, number: int) -> str:
    """Column ``number`` (from 0) of a table as printed, its lines run together and its
    spaces dropped (a wrapped or folded cell reads whole again)."""
    cells = [line.split("│")[number + 1] for line in output.splitlines()
             if line.startswith("│")]
    return "".join(cell.strip() for cell in cells).replace(" ", "")


def test_ingest_and_rejected_at_80_columns_cut_no_name_and_say_uk_times(
        tmp_path: Path) -> None:
    """File names and paths wrap, never '…'; `rejected` gives the time received as the
    reason file beside the original does: UK time, dd/mm/yyyy HH:MM."""
    from datetime import UTC, datetime

    from sqlalchemy import update

    from pipeline.store.models import Submission
    from pipeline.store.session import open_store
    from pipeline.workspace import init_workspace

    init_workspace(tmp_path)
    name = "CS-0001_Referral_30-06-2026_from_the_Stockport_office.docx"  # one long word
    (tmp_path / "inbox" / name).write_bytes(b"not a document")
    taken = runner.invoke(app, ["--home", str(tmp_path), "ingest"])  # 80 columns
    assert taken.exit_code == 0, taken.output
    assert "…" not in taken.output
    assert name.replace(" ", "") in _column_text(taken.output, 0)
    shown = runner.invoke(app, ["--home", str(tmp_path), "rejected"]).output
    assert "…" not in shown
    assert name.replace(" ", "") in _column_text(shown, 0)
    note = next((tmp_path / "rejected").rglob("*.reason.txt")).read_text()
    received = re.search(r"^Received: (\d\d/\d\d/\d{4} \d\d:\d\d)$", note, re.MULTILINE)
    assert received is not None and received[1].replace(" ", "") in _column_text(shown, 1)
    kept = json.loads(runner.invoke(app, ["--home", str(tmp_path), "rejected", "--json"]
                                    ).output)[0]["path"]
    assert kept.replace(" ", "") in _column_text(shown, 3)
    with open_store(f"sqlite:///{tmp_path / 'planwatch.db'}") as store, \
            store.session() as session:
        session.execute(update(Submission).values(
            received_at=datetime(2026, 7, 2, 8, 5, tzinfo=UTC)))  # in summer: BST
        session.commit()
    summer = runner.invoke(app, ["--home", str(tmp_path), "rejected"]).output
    assert "02/07/2026 09:05".replace(" ", "") in _column_text(summer, 1)
    assert "2026-07-02" not in summer


def test_forms_check_at_80_columns_folds_a_long_answer_never_cuts_it(tmp_path: Path) -> None:
    values = tmp_path / "values.json"
    address = "referrals.team.north@example-health-board-stockport.nhs.uk.example.org"
    values.write_text(json.dumps({**FULL_VALUES["referral"], "referrer": address}))
    form = tmp_path / "referral.docx"
    filled = runner.invoke(app, ["forms", "fill", "referral", "--service",
                                 "community-support", "--data", str(values), "-o", str(form)])
    assert filled.exit_code == 0, filled.output
    checked = runner.invoke(app, ["forms", "check", str(form)]).output  # 80 columns
    assert "…" not in checked
    assert address in _column_text(checked, 1)


def test_make_pictures_runs_this_checkouts_planwatch_with_none_on_path(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/make_pictures.py works in a checkout where Planwatch is not installed."""
    import importlib.util

    script = Path(__file__).parent.parent / "docs" / "make_pictures.py"
    spec = importlib.util.spec_from_file_location("make_pictures", script)
    assert spec is not None and spec.loader is not None
    make_pictures = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_pictures)
    monkeypatch.setenv("PATH", str(Path(__file__).parent / "no-such-folder"))
    monkeypatch.delenv("PYTHONPATH", raising=False)
    done = make_pictures.run_planwatch("forms", "list", "--json")
    assert "support-plan" in {form["id"] for form in json.loads(done.stdout)}
