"""``planwatch report weekly``: the manager's weekly compliance workbook."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pipeline.cli.app import (
    AsOfOption,
    SiteOption,
    app,
    checked_filters,
    out,
    today,
    workspace_settings,
)

report_app = typer.Typer(help="Reports for managers.", no_args_is_help=True)
app.add_typer(report_app, name="report")


@report_app.command("weekly")
def report_weekly(
    ctx: typer.Context,
    as_of: AsOfOption = None,
    output: Annotated[Path | None, typer.Option("-o", "--output",
                                                help="Workbook to write (.xlsx).")] = None,
    site: SiteOption = None,
) -> None:
    """The weekly compliance workbook (default: reports/compliance-YYYY-Www.xlsx; with
    --site, reports/compliance-YYYY-Www-SITE.xlsx)."""
    from pipeline.reports.weekly.job import write_compliance_report
    from pipeline.store.session import open_store

    settings = workspace_settings(ctx)
    day = as_of or today()
    with open_store(settings.database_url) as store:
        chosen = checked_filters(settings, store, site=site)
        path = write_compliance_report(store, settings, day, output, site=chosen.site)
    out.print(f"Wrote {path}", markup=False)
