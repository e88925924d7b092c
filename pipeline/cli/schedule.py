"""``planwatch schedule``: a worker's review schedule, as a workbook or a calendar."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pipeline.cli.app import (
    AsOfOption,
    WorkerOption,
    app,
    checked_filters,
    out,
    today,
    workspace_settings,
)


@app.command("schedule")
def schedule(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option(
        "-o", "--output", help="FILE.xlsx (a sheet per worker) or FILE.ics (a calendar).")],
    as_of: AsOfOption = None,
    weeks: Annotated[int | None, typer.Option(
        min=1, max=52,
        help="Weeks ahead, 1 to 52 (default: the schedule_weeks setting, 4).")] = None,
    worker: WorkerOption = None,
) -> None:
    """Review schedule: what is overdue or due in the next weeks, per worker.

    A calendar (.ics) has one all-day event per item with a reminder; importing a newer
    file again updates the events instead of adding copies.
    """
    from pipeline.reports.schedule.job import write_schedule
    from pipeline.store.session import open_store

    settings = workspace_settings(ctx)
    day = as_of or today()
    with open_store(settings.database_url) as store:
        chosen = checked_filters(settings, store, worker=worker)
        path = write_schedule(store, settings, output, as_of=day, weeks=weeks,
                              worker=chosen.worker)
    out.print(f"Wrote {path.absolute()}", markup=False)
