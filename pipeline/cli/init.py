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
    settings = load_settings(result.home, database_url=options.database_url)
    home = "" if result.home == Path.cwd().resolve() else f" --home {result.home}"
    out.print("\nWhat to do next:", style="bold")
    steps = [
        f"give staff the blank forms in {settings.forms_path / 'blank'}",
        f"drop the forms they fill into {settings.inbox_path}",
        f"planwatch{home} ingest           # take them in once (or: planwatch{home} watch)",
        f"planwatch{home} due              # what is overdue or due soon",
        f"planwatch{home} report weekly    # the manager's weekly workbook",
    ]
    if _given_on_the_command_line(ctx, "database_url"):
        # Not written to planwatch.toml: every later command needs it too.
        steps.insert(0, "set database_url in planwatch.toml to the store given with "
                        "--database-url (or give it to every command)")
    for line in steps:
        out.print(f"  {line}", markup=False)


def _given_on_the_command_line(ctx: typer.Context, name: str) -> bool:
    """Whether the global option ``name`` was typed (not taken from the environment)."""
    source = ctx.parent.get_parameter_source(name) if ctx.parent is not None else None
    return getattr(source, "name", None) == "COMMANDLINE"
