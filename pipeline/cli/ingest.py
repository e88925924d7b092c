"""``planwatch ingest`` and ``planwatch rejected``: taking forms in, and what could not be."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer
from rich.table import Column, Table

from pipeline.cli.app import JsonFlag, app, err, out, print_json, workspace_settings
from pipeline.errors import PlanwatchError

if TYPE_CHECKING:
    from pipeline.config import Settings
    from pipeline.definitions import Catalogue
    from pipeline.inbox.ingest import IngestResult, Parse, Workspace
    from pipeline.inbox.sandbox import ReaderPool
    from pipeline.store.session import Store

LONDON = ZoneInfo("Europe/London")

# By pipeline.inbox.ingest.Outcome value (a StrEnum), so that registering `ingest` imports
# no reader, store or report; a test keeps every outcome here.
OUTCOME_COLOURS: dict[str, str] = {
    "stored": "green", "superseded": "cyan", "duplicate": "dim", "rejected": "red",
    "in_progress": "yellow", "changed": "yellow", "gone": "dim", "blocked": "red"}


def ingest_workspace(settings: Settings, *, parse: Parse | None = None,
                     parse_workers: int = 1) -> Workspace:
    from pipeline.definitions import Catalogue
    from pipeline.formats.safety import Limits
    from pipeline.inbox.ingest import Workspace

    return Workspace(home=settings.home, inbox=settings.inbox_path,
                     archive=settings.archive_path, rejected=settings.rejected_path,
                     catalogue=Catalogue.load(settings.forms_path),
                     limits=Limits(max_file_bytes=settings.max_file_bytes), parse=parse,
                     site=settings.site,
                     parse_workers=parse_workers, ignored=settings.ignore_patterns)


def reader_pool(settings: Settings, files: int) -> ReaderPool:
    """The sandboxed readers for ``files`` files: ``parse_workers`` of them (0: one per
    CPU, up to 4), never more than there are files."""
    from pipeline.inbox.sandbox import ReaderPool, default_workers

    workers = settings.parse_workers or default_workers()
    return ReaderPool(settings.forms_path, workers=max(1, min(workers, files)),
                      timeout_seconds=settings.parse_timeout_seconds,
                      memory_mb=settings.parse_memory_mb)


def _column(header: str) -> Column:
    """A column whose text wraps, and a word too long for it (a file name, a path) folds
    onto the next line: at 80 columns nothing is cut with '…'."""
    return Column(header, overflow="fold")


def print_outcomes(results: list[IngestResult], *, only_notable: bool = False) -> None:
    """A row per file (or only the files not simply stored), then the counts."""
    from pipeline.inbox.ingest import Outcome

    shown = [r for r in results if r.outcome is not Outcome.STORED] if only_notable else results
    table = Table(_column("file"), Column("outcome", no_wrap=True), _column("person"),
                  _column("form"), _column("findings / reason"))
    for result in shown:
        detail = result.reason or (f"{len(result.findings)} finding(s)" if result.findings
                                   else "complete")
        table.add_row(result.file, f"[{OUTCOME_COLOURS[result.outcome]}]{result.outcome}[/]",
                      result.person_id or "", result.form or "", detail)
    if shown:
        out.print(table)
    counts: dict[str, int] = {}
    for result in results:
        counts[result.outcome] = counts.get(result.outcome, 0) + 1
    out.print(", ".join(f"{n} {o}" for o, n in sorted(counts.items())) or "No form files found.")


def run_ingest(settings: Settings, store: Store, paths: list[Path], *, command: str,
               show_progress: bool) -> list[IngestResult]:
    """Ingest files with each one read in a sandboxed worker (time and memory limits);
    a backlog is read by several workers at once. Once all are stored, what follows
    from them is done (:func:`after_storing`)."""
    from rich.progress import Progress

    from pipeline.inbox.backlog import ingest_paths
    from pipeline.inbox.candidates import expand_paths
    from pipeline.logs import configure_logging

    configure_logging(settings.home, settings.log_level, console=False)
    files = list(expand_paths(paths, ignored=settings.ignore_patterns))
    with reader_pool(settings, len(files)) as readers:
        workspace = ingest_workspace(settings, parse=readers.read, parse_workers=readers.workers)
        if not show_progress:
            results = ingest_paths(files, store, workspace, command=command)
        else:
            with Progress(console=out, transient=True) as progress:
                task = progress.add_task("Ingesting forms", total=len(files))
                results = ingest_paths(files, store, workspace, command=command,
                                       on_result=lambda _: progress.advance(task))
    after_storing(settings, store, workspace.catalogue, results)
    return results


def after_storing(settings: Settings, store: Store, catalogue: Catalogue,
                  results: list[IngestResult]) -> list[Path]:
    """The jobs that follow storing forms, the same for ``planwatch ingest`` (once per
    backlog) and the watcher (once per file): a closure's outcome summary."""
    from pipeline.inbox.ingest import Outcome
    from pipeline.reports.outcome_summary.job import write_closure_summaries

    stored = [(r.submission_id, r.form) for r in results
              if r.submission_id is not None
              and r.outcome in (Outcome.STORED, Outcome.SUPERSEDED)]
    return write_closure_summaries(store, catalogue, stored,
                                   reports_path=settings.reports_path,
                                   today=datetime.now(UTC).astimezone(LONDON).date())


@app.command("ingest")
def ingest(
    ctx: typer.Context,
    paths: Annotated[list[Path] | None, typer.Argument(
        help="Files or folders (default: the workspace inbox).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Read, check and store forms: each file is stored, a duplicate, superseded or rejected.

    Files in the inbox are removed once stored (the original is kept in archive/);
    unusable files go to rejected/ with a .reason.txt. Files elsewhere are only copied.
    """
    settings = workspace_settings(ctx)
    missing = [path for path in paths or [] if not (path.exists() or path.is_symlink())]
    if missing:
        raise PlanwatchError(
            "Nothing to ingest at " + ", ".join(str(path) for path in missing)
            + ": no such file or folder.",
            hint="Check the spelling and the folder (or run `planwatch ingest` alone to take "
            "everything in the inbox).")
    from pipeline.store.session import open_store

    try:
        with open_store(settings.database_url) as store:
            results = run_ingest(settings, store, paths or [settings.inbox_path],
                                 command="ingest", show_progress=not as_json)
    except KeyboardInterrupt:
        # Ctrl+C: the readers ignore it (the pool stops them); a batch not yet committed
        # leaves its files where they were, and taking them again finishes the job.
        err.print("Stopped (Ctrl+C). The files not yet taken are where they were: run the "
                  "same command again to take them.", markup=False)
        raise typer.Exit(130) from None
    if as_json:
        print_json([r.model_dump(mode="json", exclude={"submission_id", "path"})
                    for r in results])
    else:
        print_outcomes(results)


@app.command("rejected")
def rejected(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Files that could not be used, newest first, with the reason and where they are."""
    from pipeline.store import queries
    from pipeline.store.session import open_store

    settings = workspace_settings(ctx)
    with open_store(settings.database_url) as store, store.session() as session:
        rows = [(s.original_name, s.received_at, s.reason, s.rejected_path)
                for s in queries.rejected(session)]
    if as_json:  # ISO times (UTC), for scripts
        print_json([{"file": name, "received_at": received.isoformat(), "reason": reason,
                     "path": path} for name, received, reason, path in rows])
        return
    table = Table(_column("file"), _column("received"), _column("reason"), _column("kept at"))
    for name, received, reason, path in rows:
        # As the reason file beside the original says it: UK time, dd/mm/yyyy HH:MM.
        table.add_row(name, f"{received.astimezone(LONDON):%d/%m/%Y %H:%M}", reason, path)
    out.print(table)
    if not rows:
        out.print("No rejected files.")
