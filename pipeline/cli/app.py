"""The typer application and the shared pieces every command module uses."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer
from rich.console import Console

from pipeline import casework, filters
from pipeline.config import Settings, load_settings
from pipeline.errors import PlanwatchError, SettingsError
from pipeline.records import ObligationStatus
from pipeline.store import known
from pipeline.store.session import Store

app = typer.Typer(
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


AsOfOption = Annotated[
    datetime | None,
    typer.Option("--as-of", formats=["%Y-%m-%d", "%d/%m/%Y"],
                 help="Date to judge deadlines on (default: today), YYYY-MM-DD."),
]


SiteOption = Annotated[str | None, typer.Option(
    help="Only the caseload of this site (several sites sharing one store).")]
STATUS_COLOURS = {
    ObligationStatus.OVERDUE: "red", ObligationStatus.DUE_SOON: "yellow",
    ObligationStatus.MET: "green", ObligationStatus.MET_LATE: "dark_orange",
    ObligationStatus.MISSED: "red", ObligationStatus.UPCOMING: "default",
    ObligationStatus.NOT_APPLICABLE: "dim",
    ObligationStatus.PAST_PLANNED_DURATION: "magenta",
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
                    site: str | None = None, person: str | None = None) -> Filters:
    """Every filter checked against what the policies and the store know
    (:mod:`pipeline.filters`): an unknown value is an error, never an empty answer."""
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
            people |= {o.person_id for o in casework.obligations(store, settings, today())}
        person = filters.choose("person", person, filters.known_values(people))
    return Filters(service=service, worker=worker, team=team, site=site, person=person)
