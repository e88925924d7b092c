"""Settings: read once, at the edge, from ``planwatch.toml`` and ``PLANWATCH_*`` variables.

Precedence, highest first::

    keyword arguments to load_settings()   (the command line's options)
    PLANWATCH_<KEY> environment variables
    <home>/planwatch.toml
    the defaults declared below

This is the only module that reads the environment; everything else receives a
:class:`Settings` (or single values from it) as arguments. Anything wrong (a TOML syntax
error, an unknown key, a value of the wrong type) is a :class:`SettingsError` that names
the file or variable and the key and says what to do, never a pydantic traceback.
"""

from __future__ import annotations

import os
import re
import tomllib
from datetime import time
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote

from pydantic import Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import (
    BaseSettings,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)
from pydantic_settings import SettingsError as PydanticSettingsError

from pipeline.definitions import DEFAULT_FORMS_DIR
from pipeline.errors import SettingsError

SETTINGS_FILE_NAME = "planwatch.toml"
ENV_PREFIX = "PLANWATCH_"
DATABASE_FILE_NAME = "planwatch.db"

Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

# Settings a policy file may name (``setting:``) to make a count overridable; each is an
# int setting below whose default is the bundled policy's value (tests keep them equal).
POLICY_DEFAULT_SETTINGS = (
    "review_part2_working_days",
    "self_assessment_days",
    "feedback_days",
    "sds_review_months",
    "change_review_days",
    "team_opens_hour",
    "team_closes_hour",
)

_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
# A SQLite URL as SQLAlchemy parses one (no host): sqlite:///relative or sqlite:////absolute.
_SQLITE_URL = re.compile(r"^sqlite(?:\+\w+)?:///(?P<database>[^?]*)(?:\?.*)?$")


def _needs_no_home(database: str) -> bool:
    """A SQLite URL's database that is not a path relative to the workspace: none (in
    memory) or an absolute path (``~`` included)."""
    return database in ("", ":memory:") or Path(database).expanduser().is_absolute()


class Settings(BaseSettings):
    """Every setting of one workspace, validated.

    ``home`` is the workspace folder; it is where ``planwatch.toml`` is read from, so it
    cannot be set inside that file. Folder settings may be relative (to ``home``); use the
    ``*_path`` properties, which are absolute. Build it with :func:`load_settings`, which
    turns every mistake into a :class:`SettingsError`.
    """

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        # A misspelt key silently falling back to its default is the costly failure
        # (paperless-ngx #13146), so unknown keys are refused.
        extra="forbid",
        frozen=True,
        # PLANWATCH_POLL_SECONDS= (empty) means "not set", not "invalid number".
        env_ignore_empty=True,
    )

    home: Path = Field(description="The workspace folder (set by --home or PLANWATCH_HOME).")
    database_url: str = Field(
        default="",
        validate_default=True,
        description="The store: a SQLite file here, or postgresql+psycopg://user@host/db.",
    )
    inbox_dir: Path = Field(
        default=Path("inbox"), description="Folder watched for completed forms."
    )
    archive_dir: Path = Field(
        default=Path("archive"), description="Where stored forms are kept (owner-only)."
    )
    rejected_dir: Path = Field(
        default=Path("rejected"),
        description="Where forms that cannot be stored go, with a reason file (owner-only).",
    )
    reports_dir: Path = Field(
        default=Path("reports"), description="Where workbooks, schedules and summaries go."
    )
    forms_dir: Path | None = Field(
        default=None,
        description="Folder of form definitions and policies; unset: the bundled forms.",
        examples=["forms"],
    )
    due_soon_days: int = Field(
        default=14,
        ge=0,
        description="Days before a due date that it shows as due soon (unless policy says).",
    )
    review_part2_working_days: int = Field(
        default=10,
        ge=0,
        description="Working days from review part 1 to part 2 (unless policy says).",
    )
    self_assessment_days: int = Field(
        default=7,
        ge=0,
        description="Women's Aid services: days from arrival to the self-assessment "
        "(policy default).",
    )
    feedback_days: int = Field(
        default=14,
        ge=0,
        description="Families First: days after closure for the feedback form (policy default).",
    )
    sds_review_months: int = Field(
        default=12,
        ge=1,
        description="Self-directed Support: months to a review when no date is set "
        "(policy default).",
    )
    change_review_days: int = Field(
        default=28,
        ge=0,
        description="Self-directed Support: days from a change of circumstances to a review "
        "(policy default).",
    )
    team_opens_hour: int = Field(
        default=8,
        ge=0,
        le=23,
        description="Families First: the hour the team opens; a referral before it counts "
        "that day (policy default).",
    )
    team_closes_hour: int = Field(
        default=22,
        ge=1,
        le=24,
        description="Families First: the hour the team closes; a referral from then counts "
        "from the next day's opening (policy default).",
    )
    max_file_mb: int = Field(
        default=25, gt=0, description="Files larger than this (MB) are rejected unopened."
    )
    settle_seconds: float = Field(
        default=2.0,
        ge=0,
        description="Seconds a file's size and time must stay unchanged before it is read.",
    )
    rescan_seconds: float = Field(
        default=60.0,
        gt=0,
        description="Seconds between full re-scans of the inbox, for missed file events.",
    )
    poll_seconds: float | None = Field(
        default=None,
        gt=0,
        description="Poll the inbox every N seconds (network shares); unset: use file events.",
        examples=[5.0],
    )
    site: str | None = Field(
        default=None,
        description="This workspace's site, when several sites share one PostgreSQL store; "
        "recorded on every file taken here, and reports can be filtered by it.",
        examples=["stockport-refuge"],
    )
    ignore_patterns: tuple[str, ...] = Field(
        default=("~$*", ".~lock.*#", "*.tmp", "Thumbs.db", "desktop.ini", ".DS_Store", "._*"),
        description="File names the watcher never takes (office lock and temporary files).",
    )
    parse_timeout_seconds: float = Field(
        default=30.0, gt=0,
        description="A file whose reading takes longer than this is rejected (hung parser).",
    )
    parse_memory_mb: int = Field(
        default=1024, gt=64,
        description="Memory a file's reader may use before it is stopped and the file rejected.",
    )
    parse_workers: int = Field(
        default=0, ge=0, le=64,
        description="Reader processes `planwatch ingest` runs in parallel on a backlog, each "
        "with the limits above; 0: one per CPU, up to 4.",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="How much the log (logs/planwatch.log) records.",
    )
    weekly_report_day: Weekday = Field(
        default="monday", description="Day the watcher writes the weekly workbook."
    )
    weekly_report_time: str = Field(
        default="07:00", description="Local time (24-hour HH:MM) it writes the workbook."
    )
    on_time_green_percent: int = Field(
        default=90,
        ge=0,
        le=100,
        description="Weekly workbook: an on-time rate at or above this (%) shows green.",
    )
    on_time_amber_percent: int = Field(
        default=75,
        ge=0,
        le=100,
        description="Weekly workbook: at or above this (%), below green, amber; lower, red.",
    )
    schedule_weeks: int = Field(
        default=4, ge=1, le=52, description="Weeks ahead a review schedule covers (--weeks)."
    )
    reminder_days_before: int = Field(
        default=1,
        ge=0,
        le=14,
        description="Calendar reminders: this many days before a due date, at 09:00.",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Keyword arguments, then PLANWATCH_* variables, then <home>/planwatch.toml."""
        home = _home_from(init_settings, env_settings)
        file_values = read_settings_file(home / SETTINGS_FILE_NAME) if home else {}
        return (init_settings, env_settings, InitSettingsSource(settings_cls, file_values))

    @field_validator("home", mode="after")
    @classmethod
    def _absolute_home(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @field_validator("weekly_report_day", mode="before")
    @classmethod
    def _lower_day(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("weekly_report_time", mode="before")
    @classmethod
    def _clock(cls, value: object) -> str:
        # TOML has a native time type (07:00:00); accept it as well as "07:00".
        if isinstance(value, time):
            return value.strftime("%H:%M")
        match = _CLOCK.match(str(value).strip())
        if match is None:
            raise ValueError('should be a 24-hour time such as "07:00"')
        return f"{int(match[1]):02d}:{match[2]}"

    @field_validator("on_time_amber_percent", mode="after")
    @classmethod
    def _amber_below_green(cls, value: int, info: ValidationInfo) -> int:
        green: int | None = info.data.get("on_time_green_percent")
        if green is not None and value > green:
            raise ValueError(f"should be at most on_time_green_percent ({green})")
        return value

    @field_validator("database_url", mode="after")
    @classmethod
    def _database_in_home(cls, value: str, info: ValidationInfo) -> str:
        # The store's default depends on home, and a relative SQLite path must mean
        # "relative to home", not the folder the watcher happened to be started from.
        home: Path | None = info.data.get("home")
        if home is None:  # home itself is invalid; that error is reported instead
            return value
        url = value or f"sqlite:///{home / DATABASE_FILE_NAME}"
        sqlite = _SQLITE_URL.match(url)
        if sqlite is not None and _needs_no_home(unquote(sqlite["database"])):
            # What SQLAlchemy would leave as it is (the default store among them), seen
            # without importing it: `planwatch status` answers at once.
            return url
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            parsed = make_url(url)
        except ArgumentError as exc:
            raise ValueError(
                "should be a database URL such as sqlite:///planwatch.db or "
                "postgresql+psycopg://user@host/dbname"
            ) from exc
        database = parsed.database
        if parsed.get_backend_name() == "sqlite" and database and database != ":memory:":
            path = Path(database).expanduser()
            if not path.is_absolute():
                return parsed.set(database=str(home / path)).render_as_string(hide_password=False)
        return url

    def _in_home(self, path: Path) -> Path:
        return (self.home / path.expanduser()).resolve()

    @property
    def settings_file(self) -> Path:
        return self.home / SETTINGS_FILE_NAME

    @property
    def inbox_path(self) -> Path:
        return self._in_home(self.inbox_dir)

    @property
    def archive_path(self) -> Path:
        return self._in_home(self.archive_dir)

    @property
    def rejected_path(self) -> Path:
        return self._in_home(self.rejected_dir)

    @property
    def reports_path(self) -> Path:
        return self._in_home(self.reports_dir)

    @property
    def forms_path(self) -> Path:
        """The form definitions folder: ``forms_dir``, or the forms bundled with Planwatch."""
        return DEFAULT_FORMS_DIR if self.forms_dir is None else self._in_home(self.forms_dir)

    def policy_overrides(self) -> dict[str, int]:
        """The policy defaults this workspace sets, by setting name.

        Only settings given in planwatch.toml, a variable or an option: an unset one
        leaves the policy file's own value, so editing a policy file is never silently
        undone by a default here.
        """
        return {name: getattr(self, name) for name in POLICY_DEFAULT_SETTINGS
                if name in self.model_fields_set}

    @property
    def max_file_bytes(self) -> int:
        return self.max_file_mb * 1024 * 1024

    @property
    def weekly_report_clock(self) -> time:
        """``weekly_report_time`` as a :class:`datetime.time`."""
        return time.fromisoformat(self.weekly_report_time)


def file_keys() -> tuple[str, ...]:
    """The keys ``planwatch.toml`` may contain, in declaration order."""
    return tuple(name for name in Settings.model_fields if name != "home")


def read_settings_file(path: Path) -> dict[str, Any]:
    """Read ``planwatch.toml``; ``{}`` when it does not exist.

    Raises :class:`SettingsError` for a file that is not valid TOML or that has a key
    Planwatch does not know (including tables: the file is flat).
    """
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(
            f"{path}: not valid TOML: {exc}.",
            hint="Fix that line (strings need double quotes), or delete the file and run "
            "`planwatch init` to write a fresh one.",
        ) from exc
    except OSError as exc:
        raise SettingsError(
            f"{path}: cannot be read: {exc.strerror}.",
            hint="Check that the file exists and that you may read it.",
        ) from exc
    known = file_keys()
    for key in data:
        if key not in known:
            hint = (
                "home is the folder that holds this file: choose it with --home or "
                "PLANWATCH_HOME instead."
                if key == "home"
                else f"Remove it or correct the spelling. Known keys: {', '.join(known)}."
            )
            raise SettingsError(f"{path}: unknown key {key!r}.", hint=hint)
    return data


def load_settings(home: Path, **overrides: Any) -> Settings:
    """The settings of the workspace at ``home``.

    ``overrides`` (keyword arguments named like the settings; ``None`` values are
    ignored, so a command line can pass its unset options straight through) win over
    ``PLANWATCH_*`` variables, which win over ``<home>/planwatch.toml``. The file need
    not exist. Raises :class:`SettingsError` naming the file or variable and the key.
    """
    given = {key: value for key, value in overrides.items() if value is not None}
    for key in given:
        if key not in file_keys():
            raise SettingsError(
                f"Unknown setting {key!r}.", hint=f"Known settings: {', '.join(file_keys())}."
            )
    path = Path(home).expanduser().resolve() / SETTINGS_FILE_NAME
    try:
        return Settings(home=path.parent, **given)
    except ValidationError as exc:
        raise _explain(exc, path, given) from exc
    except PydanticSettingsError as exc:
        raise SettingsError(
            f"The PLANWATCH_* environment variables cannot be read: {exc}.",
            hint="Check their values (`env | grep PLANWATCH_`).",
        ) from exc


def describe_default(value: object) -> str:
    """A default as a person would write it in planwatch.toml (``None``: "not set")."""
    if value is None:
        return "not set"
    if isinstance(value, Path):
        return str(value)
    return repr(value) if isinstance(value, str) else str(value)


def _home_from(
    init_settings: PydanticBaseSettingsSource, env_settings: PydanticBaseSettingsSource
) -> Path | None:
    if isinstance(init_settings, InitSettingsSource) and "home" in init_settings.init_kwargs:
        return Path(init_settings.init_kwargs["home"]).expanduser()
    value = env_settings().get("home")
    return Path(value).expanduser() if value else None


def _explain(exc: ValidationError, path: Path, given: dict[str, Any]) -> SettingsError:
    """Every problem of ``exc``, each naming the file, variable or option it came from."""
    problems: list[str] = []
    hints: list[str] = []
    for error in exc.errors():
        key = str(error["loc"][0]) if error["loc"] else "settings"
        problem = error["msg"].removeprefix("Value error, ")
        variable = f"{ENV_PREFIX}{key.upper()}"
        field = Settings.model_fields.get(key)
        default = describe_default(field.default) if field else "not set"
        if key == "database_url":
            default = f"the SQLite file {DATABASE_FILE_NAME} in the workspace"
        if key in given:
            problems.append(f"The value given for {key} ({given[key]!r}) is not valid: {problem}.")
            hint = "Correct the option and run the command again."
        elif any(name.upper() == variable for name in os.environ):
            problems.append(f"Environment variable {variable}: {problem}.")
            hint = f"Correct {variable}, or unset it to use planwatch.toml or the default."
        else:
            problems.append(f"{path}: {key}: {problem} (default: {default}).")
            hint = "Correct the value in that file, or remove the line to use the default."
        if hint not in hints:
            hints.append(hint)
    return SettingsError("\n".join(problems), hint=" ".join(hints))
