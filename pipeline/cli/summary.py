"""``planwatch summary PERSON``: the outcome summary of a person's latest episode."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pipeline.cli.app import (
    AsOfOption,
    app,
    checked_filters,
    out,
    today,
    workspace_settings,
)


@app.command("summary")
def summary(
    ctx: typer.Context,
    person_id: Annotated[str, typer.Argument(help="The person's reference, e.g. CS-00042.")],
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", help="Summary to write (.docx; default: reports/summaries/).")] = None,
    as_of: AsOfOption = None,
    service: Annotated[str | None, typer.Option(
        help="The service (its id or name), when the person was supported by more than "
        "one.")] = None,
) -> None:
    """Outcome summary of a person's latest episode: plans, reviews, actions, scores,
    disagreements and closure. A draft while support is ongoing."""
    from pipeline.definitions import Catalogue
    from pipeline.reports.outcome_summary.job import write_summary
    from pipeline.store.session import open_store

    settings = workspace_settings(ctx)
    day = as_of or today()
    with open_store(settings.database_url) as store:
        chosen = checked_filters(settings, store, person=person_id, service=service)
        path = write_summary(store, Catalogue.load(settings.forms_path), chosen.person or person_id,
                             as_of=day, reports_path=settings.reports_path,
                             service=chosen.service,
                             output=output)
    out.print(f"Wrote {path}", markup=False)
