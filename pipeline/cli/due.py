"""``planwatch due``: what is overdue or due soon, across every service."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from pipeline import casework, filters
from pipeline.cli.app import (
    STATUS_COLOURS,
    AsOfOption,
    JsonFlag,
    ServiceOption,
    SiteOption,
    TeamOption,
    WorkerOption,
    app,
    checked_filters,
    out,
    print_json,
    today,
    workspace_settings,
)
from pipeline.store.session import open_store


@app.command("due")
def due(
    ctx: typer.Context,
    as_of: AsOfOption = None,
    show_all: Annotated[bool, typer.Option("--all", help="Include met and upcoming.")] = False,
    service: ServiceOption = None,
    worker: WorkerOption = None,
    team: TeamOption = None,
    site: SiteOption = None,
    as_json: JsonFlag = False,
) -> None:
    """What is overdue or due soon (or every obligation with --all)."""
    settings = workspace_settings(ctx)
    day = as_of.date() if as_of else today()
    with open_store(settings.database_url) as store:
        chosen = checked_filters(settings, store, service=service, worker=worker, team=team,
                                 site=site)
        people = casework.site_people(store, chosen.site, settings) if chosen.site else None
        rows = filters.of_team(casework.filter_obligations(
            casework.obligations(store, settings, day), show_all=show_all,
            service=chosen.service, worker=chosen.worker, people=people), chosen.team)
    if as_json:
        print_json([row.json_row() for row in rows])
        return
    table = Table("person", "service", "obligation", "due", "status", "met on", "worker",
                  "note", title=f"As of {day:%d/%m/%Y}")
    for row in rows:
        colour = STATUS_COLOURS[row.status]
        # The note says why it is not applicable, or to consider a step-down.
        table.add_row(row.person_id, row.service, row.obligation, f"{row.due:%d/%m/%Y}",
                      f"[{colour}]{row.status}[/]",
                      f"{row.met_on:%d/%m/%Y}" if row.met_on else "", row.worker or "",
                      row.note or "")
    out.print(table)
    if not rows:
        out.print("Nothing overdue or due soon." if not show_all else "No obligations.")
