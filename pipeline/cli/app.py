"""The typer application and the shared pieces every command module uses.

Imported by every command module, and so by every command and ``planwatch --help``: it
imports typer, rich and the standard library only. What a command needs beyond them
(settings, the store, the rules) is imported inside the function that uses it, and named
for the annotations under ``TYPE_CHECKING`` (``tests/test_cli_imports.py``).
"""

from __future__ import annotations

import inspect
import json
import sys
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from zoneinfo import ZoneInfo

import typer
import typer.core
from rich.console import Console

from pipeline.dates import NotADateError, parse_day
from pipeline.errors import PlanwatchError, SettingsError

if TYPE_CHECKING:
    from pipeline.config import Settings
    from pipeline.records import ObligationStatus
    from pipeline.store.session import Store


def plain_words(command: Any, ctx: Any) -> None:
    """Say in words what each option takes, for the help texts: "DATE", "FILE", "N",
    "SERVICE", a flag nothing; never typer's ``<bool>``, ``<list[Path]>``,
    ``<%Y-%m-%d|%d/%m/%Y>``, ``TEXT`` or ``[1<=x<=52]`` (a range is said in the option's
    help), and an argument as its name (``PERSON_ID``, not ``{PERSON_ID}``). Each command
    of a group is listed by its first paragraph as one line of prose. The commands of a
    group are done too."""
    help_option = command.get_help_option(ctx)
    for param in [*command.params, *([help_option] if help_option else [])]:
        if hasattr(param, "_get_number_range_help_str"):
            param._get_number_range_help_str = _nothing_said
        if param.param_type_name == "argument":
            # An argument's name says what it is; typer would add "<list[Path]>", and
            # write a required one as "{PERSON_ID}" on the usage line.
            param.metavar = (param.name or "value").upper()
            param.display_type_rich = _nothing
            if hasattr(param, "_usage_display_name"):
                param._usage_display_name = _usage_name(param)
            continue
        if param.metavar is None:
            param.metavar = _metavar(param)
    if command.short_help is None and command.help:
        first = inspect.cleandoc(command.help).split("\n\n", 1)[0]
        command.short_help = " ".join(first.split())
    for sub in getattr(command, "commands", {}).values():
        plain_words(sub, ctx)


# What a text option takes, by the option's name (anything else: its name in capitals).
TEXT_WORDS = {"worker": "NAME", "to": "URL", "database_url": "URL", "form_id": "ID",
              "file_format": "docx|pdf|xlsx", "fmt": "docx|pdf|xlsx"}


def _metavar(param: Any) -> str:
    described = param.type_descriptor
    annotation = described.annotation
    if getattr(param, "is_flag", False) or annotation is bool:
        return ""
    if described.is_choice:
        return "|".join(str(getattr(c, "value", c)) for c in described.choices)
    if described.is_path or described.is_file:
        return "FOLDER" if param.name in ("home", "forms_dir") else "FILE"
    if annotation is int:
        return "N"
    if annotation is float:
        return "SECONDS"
    return TEXT_WORDS.get(param.name or "", (param.name or "text").upper())


def _usage_name(param: Any) -> Any:
    def name() -> str:
        shown = str(param.metavar)
        if not param.required:
            shown = f"[{shown}]"
        return f"{shown}..." if param.nargs != 1 else shown
    return name


def _nothing(ctx: Any) -> None:
    return None


def _nothing_said() -> None:
    return None


GLOBAL_OPTIONS = ("--home", "--database-url")


def global_options_first(args: list[str]) -> list[str]:
    """``args`` with the global options moved before the command, so that
    ``planwatch demo --home X`` means ``planwatch --home X demo`` (as the README writes
    both). Nothing after ``--`` moves."""
    front: list[str] = []
    rest: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--":
            rest += args[index:]
            break
        name = arg.split("=", 1)[0]
        if name in GLOBAL_OPTIONS:
            taken = 1 if "=" in arg else 2
            front += args[index:index + taken]
            index += taken
            continue
        rest.append(arg)
        index += 1
    return [*front, *rest]


class PlainHelpGroup(typer.core.TyperGroup):
    """The planwatch group: every command's options described in words (plain_words)."""

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        found = super().get_command(ctx, cmd_name)
        if found is not None:
            plain_words(found, ctx)
        return found

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return super().parse_args(ctx, global_options_first(args))

    def format_help(self, ctx: Any, formatter: Any) -> None:
        plain_words(self, ctx)
        super().format_help(ctx, formatter)


app = typer.Typer(
    cls=PlainHelpGroup,
    name="planwatch",
    help="Planwatch: reads the forms support workers fill, checks them, tracks deadlines.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

HomeOption = Annotated[
    Path | None,
    typer.Option("--home", envvar="PLANWATCH_HOME", help="Workspace folder (default: here)."),
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


@dataclass(frozen=True)
class Globals:
    """Options given before the command: which workspace, which store."""

    home: Path
    database_url: str | None = None


@app.callback()
def _global_options(
    ctx: typer.Context,
    home: HomeOption = None,
    database_url: Annotated[
        str | None,
        typer.Option("--database-url", envvar="PLANWATCH_DATABASE_URL",
                     help="Store URL (default: SQLite file planwatch.db in the workspace)."),
    ] = None,
) -> None:
    """Planwatch: reads the forms support workers fill, checks them, tracks deadlines."""
    ctx.obj = Globals(home=(home or Path.cwd()).resolve(), database_url=database_url)
    if ctx.invoked_subcommand in BULK_COMMANDS:
        from pipeline.rules.bulk import collector_paused

        ctx.with_resource(collector_paused())  # until the command ends


# The jobs that read a whole organisation's records at once run with the garbage
# collector paused, once, from start to end (see pipeline.rules.bulk: it saved a quarter
# of the time). Never the watcher: it runs for weeks (its weekly workbook pauses itself).
BULK_COMMANDS = frozenset({"due", "show", "report", "schedule"})


def globals_of(ctx: typer.Context) -> Globals:
    found = ctx.find_object(Globals)
    return found if found is not None else Globals(home=Path.cwd().resolve())


def console_error(exc: PlanwatchError) -> None:
    err.print("Error:", style="bold red", end=" ")
    err.print(exc.message, markup=False)
    if exc.hint:
        err.print(exc.hint, markup=False)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def workspace_settings(ctx: typer.Context) -> Settings:
    """The settings of the chosen workspace; an error if there is no workspace there."""
    from pipeline.config import load_settings

    options = globals_of(ctx)
    settings = load_settings(options.home, database_url=options.database_url)
    if not settings.settings_file.exists():
        raise SettingsError(
            f"There is no Planwatch workspace in {settings.home} (no planwatch.toml).",
            hint="Run `planwatch init` there, or pass --home DIR (or set PLANWATCH_HOME).")
    return settings


def today() -> date:
    """Today in the UK, whatever the machine's time zone."""
    return datetime.now(ZoneInfo("Europe/London")).date()


def _day(text: str) -> date:
    try:
        return parse_day(text)
    except NotADateError as exc:
        raise typer.BadParameter(exc.message) from None


def date_option(help_text: str, *names: str) -> Any:
    """A date option: dd/mm/yyyy or yyyy-mm-dd, one message for an impossible date."""
    return typer.Option(*names, parser=_day, metavar="DATE", help=help_text)


AsOfOption = Annotated[date | None, date_option(
    "Judge deadlines as of this date (dd/mm/yyyy or yyyy-mm-dd; default: today).",
    "--as-of")]


def status_words(status: ObligationStatus) -> str:
    """A status as words: "due soon", "past planned duration"."""
    return status.value.replace("_", " ")


SiteOption = Annotated[str | None, typer.Option(
    help="Only the caseload of this site (several sites sharing one store).")]
# By ObligationStatus value (a StrEnum: its members look these up as themselves), so that
# registering the commands needs no pipeline.records (pydantic); a test keeps every status
# here.
STATUS_COLOURS: dict[str, str] = {
    "overdue": "red", "due_soon": "yellow", "met": "green", "met_late": "dark_orange",
    "missed": "red", "upcoming": "default", "not_applicable": "dim",
    "past_planned_duration": "magenta",
}


ServiceOption = Annotated[str | None, typer.Option(
    help="Only this service: its id or its name, e.g. community-support.")]
WorkerOption = Annotated[str | None, typer.Option(
    help="Only this worker's caseload, as their name is written on the forms.")]
TeamOption = Annotated[str | None, typer.Option(
    help="Only this team's caseload, as its name is written on the forms.")]


@dataclass(frozen=True)
class Filters:
    """The filters a command was given, each checked and in its known spelling."""

    service: str | None = None
    worker: str | None = None
    team: str | None = None
    site: str | None = None
    person: str | None = None


def checked_filters(settings: Settings, store: Store, *, service: str | None = None,
                    worker: str | None = None, team: str | None = None,
                    site: str | None = None, person: str | None = None,
                    as_of: date | None = None) -> Filters:
    """Every filter checked against what the policies and the store know
    (:mod:`pipeline.filters`): an unknown value is an error, never an empty answer."""
    from pipeline import casework, filters
    from pipeline.store import known

    if service is not None:
        names = {p.id: p.name for p in casework.service_policies(settings)}
        service = filters.choose("service", service, names)
    if worker is not None:
        worker = filters.choose("worker", worker, filters.known_values(known.workers(store)))
    if team is not None:
        team = filters.choose("team", team, filters.known_values(known.teams(store)))
    if site is not None:
        sites = known.sites(store) | ({settings.site} if settings.site else set())
        site = filters.choose("site", site, filters.known_values(sites))
    if person is not None:
        people = known.people(store)
        if person not in people:
            # A person listed on another's form (a child on her mother's referral) has
            # deadlines before any form of their own.
            people |= {o.person_id
                       for o in casework.obligations(store, settings, as_of or today())}
        person = filters.choose("person", person, filters.known_values(people))
    return Filters(service=service, worker=worker, team=team, site=site, person=person)
