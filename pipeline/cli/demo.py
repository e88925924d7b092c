"""``planwatch demo``: a realistic synthetic service, end to end, in its own workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pipeline.cli.app import app, globals_of, out, today
from pipeline.cli.ingest import print_outcomes, run_ingest

DEFAULT_DEMO_HOME = Path("planwatch-demo")


@app.command("demo")
def demo(
    ctx: typer.Context,
    people: Annotated[int, typer.Option(
        min=1, max=5000, help="How many people, 1 to 5000 (a few more come: children with "
        "their mothers, women moving on).")] = 100,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed, the same demo.")] = 2026,
) -> None:
    """Create a demo workspace (./planwatch-demo, or --home), fill and ingest the forms of
    about 100 people across every service, and write the weekly workbook, schedules and
    summaries. Running it again starts the demo afresh."""
    from pipeline import casework
    from pipeline.config import load_settings
    from pipeline.definitions import Catalogue
    from pipeline.demo.run import drop_demo_forms, prepare_home
    from pipeline.records import ObligationStatus
    from pipeline.reports.demo import write_demo_reports
    from pipeline.store.session import open_store
    from pipeline.workspace import init_workspace

    options = globals_of(ctx)
    given_home = ctx.parent is not None and ctx.parent.params.get("home") is not None
    home = options.home if given_home else (Path.cwd() / DEFAULT_DEMO_HOME).resolve()
    prepare_home(home)
    init_workspace(home, database_url=options.database_url)
    settings = load_settings(home, database_url=options.database_url)
    day = today()
    out.print(f"Filling forms for about {people} people across every service ...")
    drop = drop_demo_forms(settings.inbox_path, Catalogue.load(settings.forms_path), day,
                           people=people, seed=seed)
    if drop.libreoffice_missing:
        out.print("LibreOffice is not installed, so no form was re-saved by it "
                  "(`bash .ci/run` installs it).")
    else:
        out.print(f"{drop.libreoffice_saved} forms were opened and saved by LibreOffice.")
    with open_store(settings.database_url) as store:
        results = run_ingest(settings, store, [settings.inbox_path], command="demo",
                             show_progress=True)
        reports = write_demo_reports(store, settings, day)
        rows = casework.obligations(store, settings, day)
    print_outcomes(results, only_notable=True)
    overdue = [r for r in rows if r.status is ObligationStatus.OVERDUE]
    due_soon = [r for r in rows if r.status is ObligationStatus.DUE_SOON]
    example = overdue[0].person_id if overdue else (rows[0].person_id if rows else "CS-0001")
    home_flag = f"--home {home}"
    out.print(f"\n[bold]Demo ready in {home}[/]")
    out.print(f"As of {day:%d/%m/%Y}: {len(overdue)} obligations overdue, {len(due_soon)} due "
              "soon.\n")
    out.print("Open first:", style="bold")
    out.print(f"  {reports.workbook}   (the manager's weekly workbook)", markup=False)
    out.print("Also written:", style="bold")
    out.print(f"  {reports.schedule}   (review schedule, a sheet per worker)", markup=False)
    if reports.calendar is not None:
        out.print(f"  {reports.calendar}   (the same as calendar events with reminders)",
                  markup=False)
    for summary in reports.summaries:
        out.print(f"  {summary}   (outcome summary)", markup=False)
    out.print("Then try:", style="bold")
    for line in (f"planwatch {home_flag} due                  # overdue and due soon",
                 f"planwatch {home_flag} show {example}         # one person's forms",
                 f"planwatch {home_flag} rejected             # files that could not be used",
                 f"ls {home}/archive {home}/rejected"):
        out.print(f"  {line}", markup=False)
