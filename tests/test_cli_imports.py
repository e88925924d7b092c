"""The command line answers at once (issue 18, item 1): `planwatch --help`, `forms list`
and `status` import no database, spreadsheet, PDF or plotting library.

Each command runs in a fresh interpreter, which then lists the modules it imported: the
import graph is checked, not a timing. The constants the command modules keep so as not
to import their owners are checked against those owners here.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pipeline.cli import status as cli_status
from pipeline.cli.app import STATUS_COLOURS
from pipeline.cli.due import URGENCY
from pipeline.cli.forms import DEFAULT_FORMS_DIR, FORMATS
from pipeline.cli.ingest import OUTCOME_COLOURS

# The database, spreadsheet, PDF and plotting libraries the issue names (and Pillow,
# which matplotlib and reportlab bring).
HEAVY = ("sqlalchemy", "alembic", "psycopg", "psycopg2", "openpyxl", "xlsxwriter",
         "reportlab", "pypdf", "matplotlib", "docx", "docxtpl", "lxml", "PIL")

RUN = """
import json, sys
from pipeline.cli import main
sys.argv = ["planwatch", *json.loads(sys.argv[1])]
try:
    main()
except SystemExit as stop:
    code = stop.code
else:
    code = 0
sys.stdout.flush()
sys.stderr.write("\\nMODULES " + json.dumps(sorted(sys.modules)) + "\\n")
sys.stderr.write("CODE " + json.dumps(code) + "\\n")
"""


def imported(*args: str) -> tuple[set[str], object, str]:
    """The top-level packages `planwatch ARGS` imported, its exit code and what it printed
    on stdout."""
    done = subprocess.run([sys.executable, "-c", RUN, json.dumps(args)], capture_output=True,
                          text=True, timeout=120, check=False)
    lines = done.stderr.splitlines()
    modules = json.loads(next(line for line in lines if line.startswith("MODULES "))[8:])
    code = json.loads(next(line for line in lines if line.startswith("CODE "))[5:])
    return {name.split(".")[0] for name in modules}, code, done.stdout


def heavy_in(packages: set[str]) -> list[str]:
    return sorted(packages & set(HEAVY))


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace with a store at the newest revision and one stored outcome today."""
    from typer.testing import CliRunner

    from pipeline.cli import app
    from pipeline.store import audit
    from pipeline.store.session import open_store

    home = tmp_path_factory.mktemp("imports")
    assert CliRunner().invoke(app, ["--home", str(home), "init"]).exit_code == 0
    from pipeline.config import load_settings

    with open_store(load_settings(home).database_url) as store, store.session() as session:
        audit.record(session, command="test", action="stored")
        audit.record(session, command="test", action="rejected")
        session.commit()
    (home / "inbox" / "waiting.docx").write_bytes(b"not yet read")
    return home


def test_help_imports_no_heavy_library() -> None:
    packages, code, output = imported("--help")
    assert code == 0, output
    assert "forms" in output and "status" in output
    assert heavy_in(packages) == []
    # Nor the settings and definitions (pydantic, YAML): --help needs neither.
    assert "pydantic" not in packages and "yaml" not in packages


def test_every_command_help_imports_no_heavy_library() -> None:
    packages, code, output = imported("due", "--help")
    assert code == 0, output
    assert heavy_in(packages) == []


def test_forms_list_imports_no_heavy_library() -> None:
    packages, code, output = imported("forms", "list", "--json")
    assert code == 0, output
    assert {form["id"] for form in json.loads(output)} >= {
        "support-plan", "review"}
    assert heavy_in(packages) == []


def test_status_imports_no_heavy_library(workspace: Path) -> None:
    packages, code, output = imported("--home", str(workspace), "status", "--json")
    assert code == 0, output
    report = json.loads(output)
    assert report["waiting"] == 1
    assert report["counts"]["today"] == {"stored": 1, "superseded": 0, "duplicate": 0,
                                         "rejected": 1}
    assert heavy_in(packages) == []


def test_due_reads_the_store_without_the_migration_library(workspace: Path) -> None:
    """Opening a store checks its revision without Alembic: only migrating needs it."""
    packages, code, output = imported("--home", str(workspace), "due", "--json")
    assert code == 0, output
    assert "sqlalchemy" in packages and "alembic" not in packages
    assert "openpyxl" not in packages and "xlsxwriter" not in packages


def test_status_counts_read_with_sqlite3_equal_the_stores(workspace: Path) -> None:
    from pipeline.config import load_settings

    settings = load_settings(workspace)
    now = datetime.now(UTC)
    starts = {"today": now - timedelta(hours=1), "later": now + timedelta(hours=1),
              "long ago": now - timedelta(days=400)}
    light = cli_status._sqlite_counts(settings.database_url, starts)
    assert light is not None
    assert light == cli_status._store_counts(settings, starts)
    assert light["today"]["stored"] == 1 and light["later"]["stored"] == 0


def test_status_of_a_store_behind_is_the_stores_error(tmp_path: Path) -> None:
    """A SQLite store that is not at the newest revision is opened the usual way: the
    same error as every other command, never counts from an older schema."""
    from typer.testing import CliRunner

    from pipeline.cli import app

    assert CliRunner().invoke(app, ["--home", str(tmp_path), "init"]).exit_code == 0
    with sqlite3.connect(tmp_path / "planwatch.db") as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0001'")
    result = CliRunner().invoke(app, ["--home", str(tmp_path), "status"])
    assert result.exit_code == 1
    assert "db upgrade" in str(result.exception)


def test_status_head_revision_is_alembics() -> None:
    from alembic.script import ScriptDirectory

    from pipeline.store.session import alembic_config, head_revision

    alembics = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert cli_status.head_revision() == head_revision() == alembics


def test_status_reads_the_sqlite_file_sqlalchemy_would() -> None:
    from pipeline.store.session import sqlite_file

    for url in ("sqlite:////srv/planwatch/planwatch.db", "sqlite+pysqlite:////a%20b/x.db",
                "sqlite:////srv/x.db?timeout=5", "sqlite://", "sqlite:///:memory:",
                "postgresql+psycopg://planwatch@db/planwatch"):
        assert cli_status.sqlite_path(url) == sqlite_file(url), url


def test_settings_leave_sqlite_urls_as_sqlalchemy_would(tmp_path: Path) -> None:
    from pipeline.config import load_settings

    for given, expected in (
        (None, f"sqlite:///{tmp_path / 'planwatch.db'}"),
        ("sqlite:////srv/x.db", "sqlite:////srv/x.db"),
        ("sqlite:///store/x.db", f"sqlite:///{tmp_path / 'store' / 'x.db'}"),
        ("sqlite://", "sqlite://"),
    ):
        assert load_settings(tmp_path, database_url=given).database_url == expected, given


def test_kept_constants_equal_their_owners() -> None:
    from pipeline import definitions, forms_service
    from pipeline.formats.reading import READERS
    from pipeline.inbox.candidates import FORM_SUFFIXES
    from pipeline.inbox.ingest import Outcome
    from pipeline.records import ObligationStatus

    assert DEFAULT_FORMS_DIR == definitions.DEFAULT_FORMS_DIR
    assert FORMATS == forms_service.FORMATS
    assert tuple(READERS) == FORM_SUFFIXES
    assert set(STATUS_COLOURS) == {s.value for s in ObligationStatus}
    assert set(URGENCY) == {s.value for s in ObligationStatus}
    assert set(OUTCOME_COLOURS) == {o.value for o in Outcome}
    # StrEnum members find their string keys.
    assert STATUS_COLOURS[ObligationStatus.OVERDUE] == "red"
    assert OUTCOME_COLOURS[Outcome.STORED] == "green"
