"""pipeline/config.py: planwatch.toml + PLANWATCH_* into one validated Settings."""

from __future__ import annotations

import os
from datetime import time
from pathlib import Path

import pytest

from pipeline.config import SETTINGS_FILE_NAME, Settings, load_settings
from pipeline.definitions import DEFAULT_FORMS_DIR
from pipeline.errors import SettingsError


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own PLANWATCH_* variables must not leak into these tests."""
    for name in list(os.environ):
        if name.upper().startswith("PLANWATCH_"):
            monkeypatch.delenv(name)


def write_settings(home: Path, text: str) -> Path:
    path = home / SETTINGS_FILE_NAME
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_file(tmp_path: Path) -> None:
    settings = load_settings(tmp_path)

    assert settings.home == tmp_path.resolve()
    assert settings.database_url == f"sqlite:///{tmp_path.resolve()}/planwatch.db"
    assert settings.inbox_path == tmp_path.resolve() / "inbox"
    assert settings.archive_path == tmp_path.resolve() / "archive"
    assert settings.rejected_path == tmp_path.resolve() / "rejected"
    assert settings.reports_path == tmp_path.resolve() / "reports"
    assert settings.forms_dir is None
    assert settings.forms_path == DEFAULT_FORMS_DIR
    assert (settings.due_soon_days, settings.review_part2_working_days) == (14, 10)
    assert (settings.max_file_mb, settings.max_file_bytes) == (25, 25 * 1024 * 1024)
    assert (settings.settle_seconds, settings.rescan_seconds, settings.poll_seconds) == (
        2.0,
        60.0,
        None,
    )
    assert settings.weekly_report_day == "monday"
    assert settings.weekly_report_clock == time(7, 0)


def test_file_values_and_folders_relative_to_home(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    home = tmp_path / "ws"
    home.mkdir()
    write_settings(
        home,
        f'inbox_dir = "drop"\nreports_dir = "{outside}"\nforms_dir = "my-forms"\n'
        "due_soon_days = 7\npoll_seconds = 1.5\n",
    )

    settings = load_settings(home)

    assert settings.inbox_path == home.resolve() / "drop"
    assert settings.reports_path == outside
    assert settings.forms_path == home.resolve() / "my-forms"
    assert settings.due_soon_days == 7
    assert settings.poll_seconds == 1.5


def test_environment_wins_over_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_settings(tmp_path, "due_soon_days = 7\nweekly_report_day = 'friday'\n")
    monkeypatch.setenv("PLANWATCH_DUE_SOON_DAYS", "3")

    settings = load_settings(tmp_path)

    assert settings.due_soon_days == 3
    assert settings.weekly_report_day == "friday"


def test_keyword_overrides_win_over_environment_and_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_settings(tmp_path, "due_soon_days = 7\n")
    monkeypatch.setenv("PLANWATCH_DUE_SOON_DAYS", "3")

    settings = load_settings(tmp_path, due_soon_days=1, poll_seconds=None)

    assert settings.due_soon_days == 1
    assert settings.poll_seconds is None  # None means "option not given", not "unset it"


def test_empty_environment_variable_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLANWATCH_POLL_SECONDS", "")

    assert load_settings(tmp_path).poll_seconds is None


def test_unknown_key_in_file_names_file_and_key(tmp_path: Path) -> None:
    path = write_settings(tmp_path, "due_soon_day = 7\n")

    with pytest.raises(SettingsError) as caught:
        load_settings(tmp_path)

    assert str(path.resolve()) in caught.value.message
    assert "'due_soon_day'" in caught.value.message
    assert caught.value.hint is not None
    assert "due_soon_days" in caught.value.hint  # the known keys, to spot the typo


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("[watch]\npoll_seconds = 1\n", id="table_is_unknown"),
        pytest.param("home = '/elsewhere'\n", id="home_cannot_be_set_in_its_own_file"),
    ],
)
def test_keys_the_file_may_not_hold(tmp_path: Path, text: str) -> None:
    write_settings(tmp_path, text)

    with pytest.raises(SettingsError, match="unknown key"):
        load_settings(tmp_path)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        pytest.param('due_soon_days = "soon"\n', "due_soon_days", id="text_for_a_number"),
        pytest.param("max_file_mb = 0\n", "max_file_mb", id="zero_megabytes"),
        pytest.param("rescan_seconds = -1.0\n", "rescan_seconds", id="negative_interval"),
        pytest.param('weekly_report_day = "funday"\n', "weekly_report_day", id="no_such_day"),
        pytest.param('weekly_report_time = "7pm"\n', "weekly_report_time", id="twelve_hour"),
        pytest.param('database_url = "not a url"\n', "database_url", id="not_a_url"),
    ],
)
def test_invalid_value_in_file_names_file_and_key(tmp_path: Path, text: str, key: str) -> None:
    path = write_settings(tmp_path, text)

    with pytest.raises(SettingsError) as caught:
        load_settings(tmp_path)

    message = str(caught.value)
    assert f"{path.resolve()}: {key}:" in message
    assert "remove the line to use the default" in message
    assert "validation error" not in message  # pydantic's own wording stays hidden


def test_every_problem_in_the_file_is_reported_at_once(tmp_path: Path) -> None:
    write_settings(tmp_path, "max_file_mb = 0\nweekly_report_time = '25:00'\n")

    with pytest.raises(SettingsError) as caught:
        load_settings(tmp_path)

    assert "max_file_mb" in caught.value.message
    assert "weekly_report_time" in caught.value.message


def test_invalid_environment_value_names_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_settings(tmp_path, "due_soon_days = 7\n")
    monkeypatch.setenv("PLANWATCH_DUE_SOON_DAYS", "soon")

    with pytest.raises(SettingsError, match="Environment variable PLANWATCH_DUE_SOON_DAYS"):
        load_settings(tmp_path)


def test_invalid_override_names_the_option(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="value given for settle_seconds"):
        load_settings(tmp_path, settle_seconds="soon")


def test_unknown_override_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="Unknown setting 'due_days'"):
        load_settings(tmp_path, due_days=3)


def test_toml_syntax_error_names_the_file(tmp_path: Path) -> None:
    path = write_settings(tmp_path, "due_soon_days = \n")

    with pytest.raises(SettingsError, match="not valid TOML") as caught:
        load_settings(tmp_path)

    assert str(path.resolve()) in caught.value.message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param('"7:05"', "07:05", id="one_digit_hour"),
        pytest.param("08:30:00", "08:30", id="toml_local_time"),
        pytest.param('" 23:59 "', "23:59", id="spaces"),
    ],
)
def test_weekly_report_time_forms(tmp_path: Path, value: str, expected: str) -> None:
    write_settings(tmp_path, f"weekly_report_time = {value}\nweekly_report_day = 'Friday'\n")

    settings = load_settings(tmp_path)

    assert settings.weekly_report_time == expected
    assert settings.weekly_report_day == "friday"


def test_relative_sqlite_path_is_relative_to_home(tmp_path: Path) -> None:
    write_settings(tmp_path, 'database_url = "sqlite:///data/store.db"\n')

    assert load_settings(tmp_path).database_url == f"sqlite:///{tmp_path.resolve()}/data/store.db"


def test_postgresql_url_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = "postgresql+psycopg://planwatch:secret@db.example/planwatch"
    monkeypatch.setenv("PLANWATCH_DATABASE_URL", url)

    assert load_settings(tmp_path).database_url == url


def test_home_from_environment_when_not_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_settings(tmp_path, "due_soon_days = 5\n")
    monkeypatch.setenv("PLANWATCH_HOME", str(tmp_path))

    settings = Settings()

    assert settings.home == tmp_path.resolve()
    assert settings.due_soon_days == 5


def test_settings_are_frozen(tmp_path: Path) -> None:
    settings = load_settings(tmp_path)

    with pytest.raises(ValueError, match="frozen"):
        settings.due_soon_days = 1  # type: ignore[misc]
