"""``planwatch show PERSON``: one person's forms, events and deadlines."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from pipeline import casework
from pipeline.cli.app import (
    STATUS_COLOURS,
    AsOfOption,
    JsonFlag,
    app,
    checked_filters,
    out,
    print_json,
    today,
    workspace_settings,
)
from pipeline.store import supersession
from pipeline.store.session import open_store


@app.command("show")
def show(
    ctx: typer.Context,
    person_id: Annotated[str, typer.Argument(help="The person's reference, e.g. CS-00042.")],
    as_of: AsOfOption = None,
    as_json: JsonFlag = False,
) -> None:
    """One person's forms (every copy, with its archived file, and which copy counts and
    why), events and deadlines."""
    settings = workspace_settings(ctx)
    day = as_of.date() if as_of else today()
    with open_store(settings.database_url) as store:
        chosen = checked_filters(settings, store, person=person_id)
        history = casework.person_history(store, settings, chosen.person or person_id, day)
    if as_json:
        print_json({"person_id": history.person_id, "forms": history.submissions,
                    "events": history.events,
                    "obligations": [o.json_row() for o in history.obligations],
                    "disagreements": history.disagreements})
        return
    out.print(f"[bold]{history.person_id}[/]")
    forms = Table("date", "form", "service", "status", "counts", "blocking",
                  "file in the archive", title="Forms")
    for form in history.submissions:
        forms.add_row(form["date"] or "", form["form"] or "", form["service"] or "",
                      form["status"], "yes" if form["counts"] else "no",
                      str(form["blocking_findings"]), form["archived_path"] or "")
    out.print(forms)
    # Forms that disagree with another person's (a child's mother): fix one of them.
    for message in history.disagreements:
        out.print(f"Disagreement: {message}", markup=False)
    # Which copy counts, and why, wherever a form has more than one copy.
    for form in history.submissions:
        if form["status"] != "rejected" and form["why"] != supersession.ONLY_COPY:
            out.print(f"{form['file']} ({form['form']}, {form['date']}): {form['why']}",
                      markup=False)
    deadlines = Table("obligation", "due", "status", "met on", "source",
                      title=f"Deadlines as of {day:%d/%m/%Y}")
    for row in history.obligations:
        deadlines.add_row(row.obligation, f"{row.due:%d/%m/%Y}",
                          f"[{STATUS_COLOURS[row.status]}]{row.status}[/]",
                          f"{row.met_on:%d/%m/%Y}" if row.met_on else "", row.source or "")
    out.print(deadlines)
