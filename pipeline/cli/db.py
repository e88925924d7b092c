"""``planwatch db upgrade | status | copy | rebuild-obligations``: the store's schema, moving
it elsewhere, and its kept obligations."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from pipeline.cli.app import JsonFlag, app, out, print_json, workspace_settings

db_app = typer.Typer(help="The store: migrate it, check it, copy it to PostgreSQL.",
                     no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def upgrade(ctx: typer.Context) -> None:
    """Create the store if needed and migrate it to the newest schema (safe to repeat)."""
    from pipeline.store.session import current_revision, display_url
    from pipeline.store.session import upgrade as upgrade_store

    settings = workspace_settings(ctx)
    before = current_revision(settings.database_url)
    after = upgrade_store(settings.database_url)
    shown = display_url(settings.database_url)
    if before == after:
        out.print(f"{shown}: already up to date ({after}).", markup=False)
    else:
        out.print(f"{shown}: {before or 'new'} → {after}.", markup=False)


@db_app.command("status")
def status(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Which store, its schema revision against the newest, and how many rows it holds."""
    from sqlalchemy import func, select

    from pipeline.store.models import Base
    from pipeline.store.session import current_revision, display_url, head_revision, open_store

    settings = workspace_settings(ctx)
    revision, head = current_revision(settings.database_url), head_revision()
    counts: dict[str, int] = {}
    if revision == head:
        with open_store(settings.database_url) as store, store.engine.connect() as connection:
            for stored in Base.metadata.sorted_tables:
                counts[stored.name] = int(connection.execute(
                    select(func.count()).select_from(stored)).scalar() or 0)
    report = {"database": display_url(settings.database_url), "revision": revision,
              "newest": head, "up_to_date": revision == head, "rows": counts}
    if as_json:
        print_json(report)
        return
    state = "up to date" if revision == head else (
        "not set up: run `planwatch db upgrade`" if revision is None
        else "behind: run `planwatch db upgrade`")
    out.print(f"Store: {report['database']}", markup=False)
    out.print(f"Schema: {revision or '-'} (newest {head}): {state}", markup=False)
    if counts:
        shown = Table("table", "rows")
        for name, count in counts.items():
            shown.add_row(name, str(count))
        out.print(shown)


@db_app.command("copy")
def copy(
    ctx: typer.Context,
    to: Annotated[str, typer.Option("--to", help="Target database URL, e.g. "
                                    "postgresql+psycopg://planwatch@dbhost/planwatch")],
) -> None:
    """Copy this workspace's store into another (empty) database, checking every table.

    Afterwards set `database_url` in planwatch.toml to the new store.
    """
    from pipeline.store.copy import copy_store
    from pipeline.store.session import display_url

    settings = workspace_settings(ctx)
    checked = copy_store(settings.database_url, to)
    table = Table("table", "rows copied", "content hash (matches)")
    for item in checked:
        table.add_row(item.table, str(item.rows), item.sha256[:16])
    out.print(table)
    out.print(f"Copied and checked: {display_url(to)}. Now set database_url in "
              f"{settings.settings_file} to use it.", markup=False)


@db_app.command("rebuild-obligations")
def rebuild_obligations(ctx: typer.Context) -> None:
    """Work every person's obligations out again from their forms and keep them.

    They are kept up to date as forms arrive, and worked out again by themselves when
    the policies change; this does it now (after restoring a backup, say).
    """
    from pipeline import casework
    from pipeline.store.session import open_store

    settings = workspace_settings(ctx)
    with open_store(settings.database_url) as store:
        people, kept = casework.rebuild_obligations(store, settings)
    out.print(f"Worked out and kept {kept:,} obligation{'' if kept == 1 else 's'} of "
              f"{people:,} {'person' if people == 1 else 'people'}.", markup=False)
