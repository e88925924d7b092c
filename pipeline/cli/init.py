"""``planwatch init``: create or complete a workspace."""

from __future__ import annotations

from pathlib import Path

import typer

from pipeline.cli.app import app, globals_of, out


@app.command("init")
def init(ctx: typer.Context) -> None:
    """Create a workspace: planwatch.toml, inbox/, archive/, rejected/, reports/ and the store.

    Safe to run again: nothing is overwritten; the store is migrated to the newest revision.
    """
    from pipeline.config import load_settings
    from pipeline.workspace import init_workspace

    options = globals_of(ctx)
    # `planwatch init --home DIR` and `planwatch --home DIR init` both work, as the global
    # options do after every command.
    result = init_workspace(options.home, database_url=options.database_url)
    for path in result.created:
        out.print(f"Created {path}", markup=False)
    for path in result.tightened:
        out.print(f"Made owner-only {path}", markup=False)
    if result.migrated:
        before = result.previous_revision or "new"
        out.print(f"Store {result.database_url}: {before} → {result.revision}", markup=False)
    else:
        out.print(f"Store {result.database_url}: up to date ({result.revision})", markup=False)
    if not result.created and not result.tightened and not result.migrated:
        out.print(f"The workspace at {result.home} was already complete.", markup=False)
    out.print(f"Settings: {result.settings_file}", markup=False)
    blanks = load_settings(result.home, database_url=options.database_url).forms_path / "blank"
    home = "" if result.home == Path.cwd().resolve() else f" --home {result.home}"
    out.print("\nWhat to do next:", style="bold")
    for line in (
        f"give staff the blank forms in {blanks}",
        f"drop the forms they fill into {result.home / 'inbox'}",
        f"planwatch{home} ingest           # take them in once (or: planwatch watch)",
        f"planwatch{home} due              # what is overdue or due soon",
        f"planwatch{home} report weekly    # the manager's weekly workbook",
    ):
        out.print(f"  {line}", markup=False)
