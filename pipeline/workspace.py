"""A workspace: the folder that holds planwatch.toml, the inbox and the other folders, and
(by default) the SQLite store.

    <home>/planwatch.toml   every setting, commented out with its default   (0600)
    <home>/inbox/           where administrators drop completed forms
    <home>/archive/         stored forms                                     (0700)
    <home>/rejected/        forms that could not be stored, with reasons     (0700)
    <home>/reports/         workbooks, schedules, summaries
    <home>/planwatch.db     the store, migrated to the newest revision       (0600)

Archive, rejected and the store are owner-only because what they hold is about people at
risk of harm. :func:`init_workspace` is idempotent: it creates what is missing, never
overwrites planwatch.toml, migrates the store, and tightens permissions that have drifted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline import files
from pipeline.config import (
    SETTINGS_FILE_NAME,
    Settings,
    describe_default,
    file_keys,
    load_settings,
)
from pipeline.errors import PlanwatchError, SettingsError
from pipeline.store.session import current_revision, display_url, sqlite_file, upgrade


@dataclass(frozen=True)
class InitResult:
    """What :func:`init_workspace` found and did.

    ``created`` lists the files and folders made by this call; ``tightened`` those whose
    permissions were too open and were made owner-only; ``previous_revision`` is the
    store's revision before (``None``: it was new).
    """

    home: Path
    settings_file: Path
    created: tuple[Path, ...]
    tightened: tuple[Path, ...]
    database_url: str
    previous_revision: str | None
    revision: str

    @property
    def migrated(self) -> bool:
        return self.previous_revision != self.revision


def init_workspace(home: Path, **overrides: Any) -> InitResult:
    """Create (or complete) the workspace at ``home``; safe to run again.

    ``overrides`` are settings as for :func:`pipeline.config.load_settings` (the command
    line's options). Raises :class:`SettingsError` for a wrong planwatch.toml,
    :class:`StoreError` when the store cannot be created or migrated, and
    :class:`PlanwatchError` when a folder cannot be created.
    """
    home = Path(home).expanduser().resolve()
    created: list[Path] = []
    tightened: list[Path] = []
    _make_dir(home, created)
    settings_file = home / SETTINGS_FILE_NAME
    if _write_new(settings_file, settings_template().encode("utf-8")):
        created.append(settings_file)
    settings = load_settings(home, **overrides)

    _make_dir(settings.inbox_path, created)
    # Reports name people too (workbooks, summaries, schedules): owner-only like the rest.
    for private in (settings.archive_path, settings.rejected_path, settings.reports_path):
        _make_dir(private, created, private=True)
        tightened.extend(_make_private(private))

    database = sqlite_file(settings.database_url)
    new_database = database is not None and not database.exists()
    previous = current_revision(settings.database_url)
    revision = upgrade(settings.database_url, command="init")
    if database is not None:
        if new_database:
            created.append(database)
        for path in (database, *_sqlite_companions(database)):
            tightened.extend(_make_private(path))

    return InitResult(
        home=home,
        settings_file=settings_file,
        created=tuple(created),
        tightened=tuple(tightened),
        database_url=display_url(settings.database_url),
        previous_revision=previous,
        revision=revision,
    )


def settings_template() -> str:
    """planwatch.toml as written by ``planwatch init``: every setting commented out."""
    lines = [
        "# Planwatch settings for this workspace.",
        "# Every setting is shown with its default; remove the '# ' in front of a setting",
        "# to change it. Relative folders are relative to this file's folder.",
        "# PLANWATCH_<SETTING> environment variables (e.g. PLANWATCH_DUE_SOON_DAYS) win",
        "# over this file; command-line options win over both.",
    ]
    for key in file_keys():
        field = Settings.model_fields[key]
        description = field.description or key
        if key == "database_url":
            # Relative SQLite paths are relative to home, so this line survives a move.
            value: object = "sqlite:///planwatch.db"
        elif field.default is None:
            value = (field.examples or [""])[0]
        else:
            value = field.default
        lines += ["", f"# {description}", f"# {key} = {_toml_value(value)}"]
    return "\n".join(lines) + "\n"


def _make_private(path: Path) -> list[Path]:
    """Make ``path`` owner-only (folders 0700, files 0600), recursively; return what changed.

    Symbolic links are left alone (their permissions are their target's).
    """
    try:
        return files.make_private(path)
    except OSError as exc:
        raise PlanwatchError(
            f"Cannot make {exc.filename or path} owner-only: {exc.strerror}.",
            hint="Run the command as the owner of the workspace.",
        ) from exc


def _make_dir(path: Path, created: list[Path], *, private: bool = False) -> None:
    if path.is_dir():
        return
    try:
        # The workspace and the inbox are shared as the umask allows (others drop forms
        # there); private folders are owner-only, with every folder made on the way.
        if private:
            files.private_dir(path)
        else:
            files.plain_dir(path)
    except FileExistsError as exc:
        raise PlanwatchError(
            f"{path} exists but is not a folder.", hint="Move that file away and run again."
        ) from exc
    except OSError as exc:
        raise PlanwatchError(
            f"Cannot create folder {path}: {exc.strerror}.",
            hint="Check that you may write there, or choose another --home.",
        ) from exc
    created.append(path)


def _write_new(path: Path, data: bytes) -> bool:
    """Write ``data`` to a new owner-only file; ``False`` (and no change) if it exists."""
    try:
        # Never overwrite a settings file someone has edited, even in a race.
        return files.write_new(path, data)
    except OSError as exc:
        raise SettingsError(
            f"Cannot create {path}: {exc.strerror}.", hint="Check that you may write there."
        ) from exc


def _sqlite_companions(database: Path) -> list[Path]:
    return [database.with_name(database.name + suffix) for suffix in ("-wal", "-shm")]


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    # JSON string escapes are valid TOML basic-string escapes.
    return json.dumps(describe_default(value) if isinstance(value, Path) else str(value))
