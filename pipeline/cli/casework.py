"""``planwatch ingest | due | show | rejected | report weekly``: the store and its deadlines."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress
from rich.table import Table

from pipeline import casework
from pipeline.cli.app import AsOfOption, JsonFlag, app, out, print_json, today, workspace_settings
from pipeline.config import Settings
from pipeline.definitions import Catalogue
from pipeline.errors import PlanwatchError
from pipeline.formats.safety import Limits
from pipeline.inbox.backlog import ingest_paths
from pipeline.inbox.candidates import expand_paths
from pipeline.inbox.ingest import IngestResult, Outcome, Parse, Workspace
from pipeline.inbox.sandbox import ReaderPool, default_workers
from pipeline.logs import configure_logging
from pipeline.records import ObligationStatus
from pipeline.reports.weekly_job import write_compliance_report
from pipeline.store import queries, supersession
from pipeline.store.session import Store, open_store

SiteOption = Annotated[str | None, typer.Option(
    help="Only the caseload of this site (several sites sharing one store).")]
STATUS_COLOURS = {
    ObligationStatus.OVERDUE: "red", ObligationStatus.DUE_SOON: "yellow",
    ObligationStatus.MET: "green", ObligationStatus.MET_LATE: "dark_orange",
    ObligationStatus.MISSED: "red", ObligationStatus.UPCOMING: "default",
    ObligationStatus.NOT_APPLICABLE: "dim",
    ObligationStatus.PAST_PLANNED_DURATION: "magenta",
}
OUTCOME_COLOURS = {Outcome.STORED: "green", Outcome.SUPERSEDED: "cyan",
                   Outcome.DUPLICATE: "dim", Outcome.REJECTED: "red",
                   Outcome.IN_PROGRESS: "yellow", Outcome.CHANGED: "yellow", Outcome.GONE: "dim",
                   Outcome.BLOCKED: "red"}


def ingest_workspace(settings: Settings, *, parse: Parse | None = None,
                     parse_workers: int = 1) -> Workspace:
    return Workspace(home=settings.home, inbox=settings.inbox_path,
                     archive=settings.archive_path, rejected=settings.rejected_path,
                     catalogue=Catalogue.load(settings.forms_path),
                     limits=Limits(max_file_bytes=settings.max_file_bytes), parse=parse,
                     reports=settings.reports_path, site=settings.site,
                     parse_workers=parse_workers, ignored=settings.ignore_patterns)


def reader_pool(settings: Settings, files: int) -> ReaderPool:
    """The sandboxed readers for ``files`` files: ``parse_workers`` of them (0: one per
    CPU, up to 4), never more than there are files."""
    workers = settings.parse_workers or default_workers()
    return ReaderPool(settings.forms_path, workers=max(1, min(workers, files)),
                      timeout_seconds=settings.parse_timeout_seconds,
                      memory_mb=settings.parse_memory_mb)


def print_outcomes(results: list[IngestResult], *, only_notable: bool = False) -> None:
    """A row per file (or only the files not simply stored), then the counts."""
    shown = [r for r in results if r.outcome is not Outcome.STORED] if only_notable else results
    table = Table("file", "outcome", "person", "form", "findings / reason")
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
    a backlog is read by several workers at once."""
    configure_logging(settings.home, settings.log_level, console=False)
    files = list(expand_paths(paths, ignored=settings.ignore_patterns))
    with reader_pool(settings, len(files)) as readers:
        workspace = ingest_workspace(settings, parse=readers.read, parse_workers=readers.workers)
        if not show_progress:
            return ingest_paths(files, store, workspace, command=command)
        with Progress(console=out, transient=True) as progress:
            task = progress.add_task("Ingesting forms", total=len(files))
            return ingest_paths(files, store, workspace, command=command,
                                on_result=lambda _: progress.advance(task))


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
    with open_store(settings.database_url) as store:
        results = run_ingest(settings, store, paths or [settings.inbox_path], command="ingest",
                             show_progress=not as_json)
    if as_json:
        print_json([r.model_dump(mode="json", exclude={"submission_id", "path"})
                    for r in results])
    else:
        print_outcomes(results)


@app.command("due")
def due(
    ctx: typer.Context,
    as_of: AsOfOption = None,
    show_all: Annotated[bool, typer.Option("--all", help="Include met and upcoming.")] = False,
    service: Annotated[str | None, typer.Option(help="Only this service.")] = None,
    worker: Annotated[str | None, typer.Option(help="Only this worker's caseload.")] = None,
    site: SiteOption = None,
    as_json: JsonFlag = False,
) -> None:
    """What is overdue or due soon (or every obligation with --all)."""
    settings = workspace_settings(ctx)
    day = as_of.date() if as_of else today()
    with open_store(settings.database_url) as store:
        people = casework.site_people(store, site, settings) if site else None
        rows = casework.filter_obligations(casework.obligations(store, settings, day),
                                           show_all=show_all, service=service, worker=worker,
                                           people=people)
    if as_json:
        print_json([row.json_row() for row in rows])
        return
    table = Table("person", "service", "obligation", "due", "status", "met on", "worker",
                  "note", title=f"As of {day:%d/%m/%Y}")
    for row in rows:
        colour = STATUS_COLOURS[row.status]
        # The note says why it is not applicable, or to consider a step-down.
        table.add_row(row.person_id, row.service, row.obligation, f"{row.due:%d/%m/%Y}",
                      f"[{colour}]{row.status}[/]",
                      f"{row.met_on:%d/%m/%Y}" if row.met_on else "", row.worker or "",
                      row.note or "")
    out.print(table)
    if not rows:
        out.print("Nothing overdue or due soon." if not show_all else "No obligations.")


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
        history = casework.person_history(store, settings, person_id, day)
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


@app.command("rejected")
def rejected(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Files that could not be used, newest first, with the reason and where they are."""
    settings = workspace_settings(ctx)
    with open_store(settings.database_url) as store, store.session() as session:
        rows = [{"file": s.original_name, "received_at": s.received_at.isoformat(),
                 "reason": s.reason, "path": s.rejected_path}
                for s in queries.rejected(session)]
    if as_json:
        print_json(rows)
        return
    table = Table("file", "received", "reason", "kept at")
    for row in rows:
        table.add_row(row["file"], str(row["received_at"])[:16].replace("T", " "),
                      row["reason"], row["path"])
    out.print(table)
    if not rows:
        out.print("No rejected files.")


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
    settings = workspace_settings(ctx)
    day = as_of.date() if as_of else today()
    with open_store(settings.database_url) as store:
        path = write_compliance_report(store, settings, day, output, site=site)
    out.print(f"Wrote {path}", markup=False)
