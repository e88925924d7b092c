"""``planwatch schedule | summary | forms prefill``: what workers read and fill next."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pipeline.cli.app import AsOfOption, app, out, today, workspace_settings
from pipeline.cli.forms import forms_app
from pipeline.definitions import Catalogue
from pipeline.forms_service import FORMATS
from pipeline.prefill import write_prefilled
from pipeline.reports.schedule_job import write_schedule
from pipeline.reports.summary_job import write_summary
from pipeline.store.session import open_store


@app.command("schedule")
def schedule(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option(
        "-o", "--output", help="FILE.xlsx (a sheet per worker) or FILE.ics (a calendar).")],
    as_of: AsOfOption = None,
    weeks: Annotated[int | None, typer.Option(
        min=1, max=52, help="Weeks ahead (default: the schedule_weeks setting, 4).")] = None,
    worker: Annotated[str | None, typer.Option(
        help="Only this worker's caseload, as their name is written on the forms.")] = None,
) -> None:
    """Review schedule: what is overdue or due in the next weeks, per worker.

    A calendar (.ics) has one all-day event per item with a reminder; importing a newer
    file again updates the events instead of adding copies.
    """
    settings = workspace_settings(ctx)
    day = as_of.date() if as_of else today()
    with open_store(settings.database_url) as store:
        path = write_schedule(store, settings, output, as_of=day, weeks=weeks, worker=worker)
    out.print(f"Wrote {path}", markup=False)


@app.command("summary")
def summary(
    ctx: typer.Context,
    person_id: Annotated[str, typer.Argument(help="The person's reference, e.g. CS-00042.")],
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", help="Summary to write (.docx; default: reports/summaries/).")] = None,
    as_of: AsOfOption = None,
    service: Annotated[str | None, typer.Option(
        help="The service, when the person was supported by more than one.")] = None,
) -> None:
    """Outcome summary of a person's latest episode: plans, reviews, actions, scores,
    disagreements and closure. A draft while support is ongoing."""
    settings = workspace_settings(ctx)
    day = as_of.date() if as_of else today()
    with open_store(settings.database_url) as store:
        path = write_summary(store, Catalogue.load(settings.forms_path), person_id, as_of=day,
                             reports_path=settings.reports_path, service=service,
                             output=output)
    out.print(f"Wrote {path}", markup=False)


@forms_app.command("prefill")
def prefill(
    ctx: typer.Context,
    form: Annotated[str, typer.Argument(help="Form id, e.g. review.")],
    person_id: Annotated[str, typer.Argument(help="The person's reference, e.g. CS-00042.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Form to write.")],
    fmt: Annotated[str | None, typer.Option(
        "--format", help=f"One of {', '.join(FORMATS)} (default: from the file name).")] = None,
) -> None:
    """The next form for a person, with their details and open actions filled in."""
    settings = workspace_settings(ctx)
    with open_store(settings.database_url) as store:
        path = write_prefilled(store, Catalogue.load(settings.forms_path), form, person_id,
                               output, today=today(), fmt=fmt,
                               reports_path=settings.reports_path)
    out.print(f"Wrote {path}", markup=False)
