"""``planwatch show PERSON``: one person's forms, events and deadlines."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from pipeline.cli.app import (
    STATUS_COLOURS,
    AsOfOption,
    JsonFlag,
    app,
    checked_filters,
    out,
    print_json,
    status_words,
    today,
    workspace_settings,
)

if TYPE_CHECKING:
    from pipeline import casework
    from pipeline.names import Names


@app.command("show")
def show(
    ctx: typer.Context,
    person_id: Annotated[str, typer.Argument(help="The person's reference, e.g. CS-00042.")],
    as_of: AsOfOption = None,
    as_json: JsonFlag = False,
) -> None:
    """One person's forms (every copy, with its archived file, and which copy counts and
    why), events and deadlines."""
    from pipeline import casework
    from pipeline.definitions import Catalogue
    from pipeline.names import Names
    from pipeline.store.session import open_store

    settings = workspace_settings(ctx)
    day = as_of or today()
    with open_store(settings.database_url) as store:
        chosen = checked_filters(settings, store, person=person_id, as_of=day)
        history = casework.person_history(store, settings, chosen.person or person_id, day)
    if as_json:
        print_json({"person_id": history.person_id, "forms": history.submissions,
                    "events": history.events,
                    "obligations": [o.json_row() for o in history.obligations],
                    "disagreements": history.disagreements})
        return
    names = Names.of(casework.service_policies(settings), Catalogue.load(settings.forms_path))
    out.print(f"[bold]{history.person_id}[/] as of {day:%d/%m/%Y}")
    # Forms that disagree with another person's (a child's mother): fix one of them.
    for message in history.disagreements:
        out.print(f"Disagreement: {message}", markup=False)
    services = sorted({f["service"] for f in history.submissions if f["service"]}
                      | {o.service for o in history.obligations}, key=names.service)
    for service in services:
        _print_service(history, service, names)
    unplaced = [f for f in history.submissions if not f["service"]]
    if unplaced:
        _print_forms(unplaced, names, title="Files that could not be used")


def _day(iso: str | None) -> str:
    return f"{date.fromisoformat(iso[:10]):%d/%m/%Y}" if iso else ""


def _print_service(history: casework.PersonHistory, service: str, names: Names) -> None:
    """One service's episode: its forms (which copy counts and why), events, deadlines."""
    rows = [o for o in history.obligations if o.service == service]
    episodes = sorted({o.episode for o in rows})
    episode = f", episode {episodes[-1]}" if episodes and episodes[-1] > 1 else ""
    events = [e for e in history.events if e["service"] == service]
    opened = min((e["on"] for e in events), default=None)
    out.print(f"\n[bold]{names.service(service)}[/] ({service}{episode})"
              + (f", since {_day(opened)}" if opened else ""), highlight=False)
    _print_forms([f for f in history.submissions if f["service"] == service], names,
                 title="Forms")
    if events:
        table = Table("on", "event", "complete", "worker", title="Events", title_justify="left")
        for event in events:
            table.add_row(_day(event["on"]), names.event(event["kind"]),
                          "yes" if event["complete"] else "no", event["worker"] or "")
        out.print(table)
    deadlines = Table("due", "what", "status", "met on", title="Deadlines",
                      title_justify="left")
    for row in rows:
        deadlines.add_row(f"{row.due:%d/%m/%Y}", names.obligation(service, row.obligation),
                          f"[{STATUS_COLOURS[row.status]}]{status_words(row.status)}[/]",
                          f"{row.met_on:%d/%m/%Y}" if row.met_on else "")
    if rows:
        out.print(deadlines)


def _print_forms(forms: list[dict[str, Any]], names: Names, *, title: str) -> None:
    from pipeline.store import supersession

    table = Table("date", "form", "counts", "blocking", title=title, title_justify="left")
    table.add_column("file in the archive", overflow="fold")
    for form in forms:
        table.add_row(_day(form["date"]), names.form(form["form"]) or form["file"],
                      "yes" if form["counts"] else form["status"],
                      str(form["blocking_findings"]),
                      _kept_as(form["archived_path"] or form.get("file") or ""))
    out.print(table)
    # Which copy counts, and why, wherever a form has more than one copy: one whole line
    # each, never wrapped inside a table cell.
    for form in forms:
        if form["status"] != "rejected" and form["why"] != supersession.ONLY_COPY:
            out.print(f"{form['file']} ({names.form(form['form'])}, {_day(form['date'])}):"
                      f" {form['why']}", markup=False, soft_wrap=True)


def _kept_as(path: str) -> str:
    """A path in the archive as it wraps best in a narrow column: its folder on a line
    of its own, then the file name, which wraps between words (a reference such as
    CS-0002 is never split)."""
    folder, slash, name = path.rpartition("/")
    return f"{folder}{slash}\n{name}" if slash else path
