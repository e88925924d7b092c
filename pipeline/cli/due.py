"""``planwatch due``: what is overdue or due soon, across every service."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

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
    status_words,
    today,
    workspace_settings,
)

if TYPE_CHECKING:
    from pipeline.names import Names
    from pipeline.records import Obligation


class SortBy(StrEnum):
    DUE = "due"
    PERSON = "person"
    WORKER = "worker"
    SERVICE = "service"


# Most urgent first: what is overdue, then what falls due soon, then the rest.
# By ObligationStatus value, as STATUS_COLOURS is (no pipeline.records to register `due`).
URGENCY: dict[str, int] = {"overdue": 0, "due_soon": 1, "past_planned_duration": 2,
                           "missed": 3, "upcoming": 4, "met_late": 5, "met": 6,
                           "not_applicable": 7}


def sorted_rows(rows: list[Obligation], by: SortBy, names: Names) -> list[Obligation]:
    """``rows`` most urgent first (by due date), or grouped by person, worker or service
    and most urgent first within each."""
    def urgency(row: Obligation) -> tuple[int, object]:
        return URGENCY[row.status], row.due

    keys = {
        SortBy.DUE: lambda r: (*urgency(r), r.person_id),
        SortBy.PERSON: lambda r: (r.person_id, *urgency(r)),
        SortBy.WORKER: lambda r: ((r.worker or "~").casefold(), *urgency(r)),
        SortBy.SERVICE: lambda r: (names.service(r.service), *urgency(r)),
    }
    return sorted(rows, key=keys[by])


@app.command("due")
def due(
    ctx: typer.Context,
    as_of: AsOfOption = None,
    show_all: Annotated[bool, typer.Option(
        "--all", help="Include what is met, upcoming or not applicable.")] = False,
    service: ServiceOption = None,
    worker: WorkerOption = None,
    team: TeamOption = None,
    site: SiteOption = None,
    sort: Annotated[SortBy | None, typer.Option(
        help="Most urgent first (due, the default), or grouped by person, worker or "
        "service. --json keeps the rules' order (person, service, due) unless given.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """What is overdue or due soon (or every obligation with --all), most urgent first."""
    from pipeline import casework, filters
    from pipeline.names import Names
    from pipeline.store.session import open_store

    settings = workspace_settings(ctx)
    day = as_of or today()
    with open_store(settings.database_url) as store:
        chosen = checked_filters(settings, store, service=service, worker=worker, team=team,
                                 site=site, as_of=day)
        people = casework.site_people(store, chosen.site, settings) if chosen.site else None
        # Without --all, only what may be open is read from the kept obligations.
        found = casework.obligations(store, settings, day, statuses=None if show_all
                                     else casework.OPEN_STATUSES)
        rows = filters.of_team(casework.filter_obligations(
            found, show_all=show_all, service=chosen.service, worker=chosen.worker,
            people=people), chosen.team)
    names = Names.of(casework.service_policies(settings))
    if as_json:
        # Integrations read a stable order; a person chooses one with --sort.
        print_json([row.json_row() for row in (sorted_rows(rows, sort, names) if sort
                                                else rows)])
        return
    rows = sorted_rows(rows, sort or SortBy.DUE, names)
    if not rows:
        out.print(f"As of {day:%d/%m/%Y}: "
                  + ("nothing overdue or due soon." if not show_all else "no obligations."))
        return
    out.print(f"As of {day:%d/%m/%Y}", style="bold")
    for status in sorted({r.status for r in rows}, key=URGENCY.__getitem__):
        mine = [r for r in rows if r.status is status]
        out.print(due_table(mine, names, title=f"{status_words(status).capitalize()} "
                            f"({len(mine)})", colour=STATUS_COLOURS[status]))


def due_table(rows: list[Obligation], names: Names, *, title: str, colour: str) -> Table:
    """One status's obligations as people read them: whole dates, whole names (wrapped
    between words, never cut), the obligation's note under it; a "met on" column only
    when a row has one."""
    met = any(r.met_on for r in rows)
    table = Table(title=title, title_justify="left", title_style=f"bold {colour}")
    cells = [[f"{r.due:%d/%m/%Y}", r.person_id,
              names.obligation(r.service, r.obligation) + (f"\n({r.note})" if r.note else ""),
              names.service(r.service), r.worker or "",
              *([f"{r.met_on:%d/%m/%Y}" if r.met_on else ""] if met else [])] for r in rows]
    headers = ["due", "person", "what", "service", "worker", *(["met on"] if met else [])]
    for number, header in enumerate(headers):
        # As wide as the longest word, so that a name wraps between words, never inside.
        longest = max([len(w) for row in cells for w in row[number].split()] + [len(header)])
        table.add_column(header, min_width=min(longest, 24), overflow="fold")
    for row in cells:
        table.add_row(*row)
    return table
