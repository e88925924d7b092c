"""pipeline/workspace.py and `planwatch init`: a workspace, created idempotently."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from pipeline.cli import init as _cli_init  # noqa: F401  registers `init`
from pipeline.cli.app import app
from pipeline.config import SETTINGS_FILE_NAME, Settings, file_keys, load_settings
from pipeline.errors import PlanwatchError, SettingsError
from pipeline.store.models import AuditEntry
from pipeline.store.session import head_revision, open_store
from pipeline.workspace import init_workspace, settings_template


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own PLANWATCH_* variables must not leak into these tests."""
    for name in list(os.environ):
        if name.upper().startswith("PLANWATCH_"):
            monkeypatch.delenv(name)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_init_creates_everything(tmp_path: Path) -> None:
    home = tmp_path / "ws"

    result = init_workspace(home)

    names = {path.relative_to(tmp_path).as_posix() for path in result.created}
    assert names == {
        "ws",
        "ws/planwatch.toml",
        "ws/inbox",
        "ws/archive",
        "ws/rejected",
        "ws/reports",
        "ws/planwatch.db",
    }
    assert (result.previous_revision, result.revision) == (None, head_revision())
    assert result.migrated
    assert result.database_url == f"sqlite:///{home}/planwatch.db"


def test_private_parts_are_owner_only(tmp_path: Path) -> None:
    init_workspace(tmp_path)

    assert mode(tmp_path / "archive") == 0o700
    assert mode(tmp_path / "rejected") == 0o700
    assert mode(tmp_path / "planwatch.db") == 0o600
    assert mode(tmp_path / SETTINGS_FILE_NAME) == 0o600  # it may hold a database password


def test_init_twice_changes_nothing(tmp_path: Path) -> None:
    init_workspace(tmp_path)
    settings_file = tmp_path / SETTINGS_FILE_NAME
    settings_file.write_text("due_soon_days = 7\n", encoding="utf-8")

    again = init_workspace(tmp_path)

    assert again.created == ()
    assert again.tightened == ()
    assert not again.migrated
    assert settings_file.read_text(encoding="utf-8") == "due_soon_days = 7\n"


def test_init_tightens_permissions_that_drifted(tmp_path: Path) -> None:
    init_workspace(tmp_path)
    archive = tmp_path / "archive"
    copied = archive / "review-2025-01-06.docx"
    copied.write_bytes(b"form")
    archive.chmod(0o755)
    copied.chmod(0o644)

    result = init_workspace(tmp_path)

    assert set(result.tightened) == {archive, copied}
    assert (mode(archive), mode(copied)) == (0o700, 0o600)


def test_init_uses_folders_named_in_settings(tmp_path: Path) -> None:
    (tmp_path / SETTINGS_FILE_NAME).write_text(
        'inbox_dir = "drop"\narchive_dir = "kept"\n', encoding="utf-8"
    )

    init_workspace(tmp_path)

    assert (tmp_path / "drop").is_dir()
    assert mode(tmp_path / "kept") == 0o700
    assert not (tmp_path / "inbox").exists()


def test_init_records_the_migration_in_the_audit_log(tmp_path: Path) -> None:
    init_workspace(tmp_path)
    init_workspace(tmp_path)

    with open_store(load_settings(tmp_path).database_url) as store, store.session() as session:
        entries = session.scalars(select(AuditEntry)).all()

    assert [(e.command, e.action) for e in entries] == [("init", "store_migrated")]
    assert entries[0].detail == {"from_revision": None, "to_revision": head_revision()}


def test_init_refuses_a_wrong_settings_file(tmp_path: Path) -> None:
    (tmp_path / SETTINGS_FILE_NAME).write_text("inbox = 'drop'\n", encoding="utf-8")

    with pytest.raises(SettingsError, match="unknown key 'inbox'"):
        init_workspace(tmp_path)

    assert not (tmp_path / "planwatch.db").exists()


def test_init_explains_a_file_where_a_folder_belongs(tmp_path: Path) -> None:
    (tmp_path / "archive").write_text("not a folder", encoding="utf-8")

    with pytest.raises(PlanwatchError, match="exists but is not a folder"):
        init_workspace(tmp_path)


def test_template_lists_every_setting_commented_out_with_an_explanation() -> None:
    lines = settings_template().splitlines()

    for key in file_keys():
        (index,) = [i for i, line in enumerate(lines) if line.startswith(f"# {key} = ")]
        explanation = lines[index - 1]
        assert explanation.startswith("# ") and len(explanation) > 10, key
    assert all(line == "" or line.startswith("#") for line in lines)


def test_template_as_written_gives_the_defaults(tmp_path: Path) -> None:
    init_workspace(tmp_path)

    assert load_settings(tmp_path) == Settings(home=tmp_path)


def test_template_uncommented_is_valid_and_shows_the_defaults(tmp_path: Path) -> None:
    setting_line = re.compile(r"^# ([a-z_0-9]+ = .*)$")
    uncommented = [
        match[1] for line in settings_template().splitlines() if (match := setting_line.match(line))
    ]
    (tmp_path / SETTINGS_FILE_NAME).write_text("\n".join(uncommented) + "\n", encoding="utf-8")

    settings = load_settings(tmp_path)

    defaults = Settings(home=tmp_path)
    unset_by_default = {"forms_dir", "poll_seconds"}  # shown with an example value
    for key in file_keys():
        if key not in unset_by_default:
            assert getattr(settings, key) == getattr(defaults, key), key
    assert len(uncommented) == len(file_keys())


def test_cli_init_prints_what_it_created(tmp_path: Path) -> None:
    runner = CliRunner()

    first = runner.invoke(app, ["init", "--home", str(tmp_path)])
    second = runner.invoke(app, ["init", "--home", str(tmp_path)])

    assert first.exit_code == 0, first.output
    assert f"Created {tmp_path / 'archive'}" in first.output
    assert f"new → {head_revision()}" in first.output
    assert second.exit_code == 0, second.output
    assert "already complete" in second.output


def test_cli_init_takes_the_global_home_and_database_url(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    database = tmp_path / "elsewhere.db"

    result = CliRunner().invoke(
        app, ["--home", str(home), "--database-url", f"sqlite:///{database}", "init"]
    )

    assert result.exit_code == 0, result.output
    assert (home / "inbox").is_dir()
    assert database.exists()
    assert not (home / "planwatch.db").exists()
