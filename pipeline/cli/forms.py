"""``planwatch forms``: list, show, build, fill, check, adopt and prefill forms."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Column, Table

from pipeline.cli.app import (
    JsonFlag,
    app,
    checked_filters,
    globals_of,
    out,
    print_json,
    today,
    workspace_settings,
)
from pipeline.errors import PlanwatchError

if TYPE_CHECKING:
    from pipeline.config import Settings
    from pipeline.definitions import FormDefinition
    from pipeline.records import Record

# pipeline.definitions.DEFAULT_FORMS_DIR, without importing the definitions (pydantic) to
# register the commands; tests/test_cli_imports.py keeps the two equal.
DEFAULT_FORMS_DIR = Path(__file__).resolve().parent.parent / "forms"
# pipeline.forms_service.FORMATS, which imports every format's builder and filler.
FORMATS = ("docx", "pdf", "xlsx")

forms_app = typer.Typer(help="Form definitions, blank forms, filling and checking.",
                        no_args_is_help=True)
app.add_typer(forms_app, name="forms")

FormsDir = Annotated[
    Path | None,
    typer.Option("--forms-dir", help="Folder of form definitions and service policies "
                 "(default: the workspace's forms_dir setting, else the forms bundled with "
                 f"Planwatch, {DEFAULT_FORMS_DIR})."),
]


def _settings(ctx: typer.Context) -> Settings:
    """The settings of the workspace --home (or PLANWATCH_HOME, or this folder) names; a
    folder without planwatch.toml has only the defaults and PLANWATCH_* variables."""
    from pipeline.config import load_settings

    options = globals_of(ctx)
    return load_settings(options.home, database_url=options.database_url)


def forms_folder(ctx: typer.Context, given: Path | None) -> Path:
    """The forms folder a forms command reads, as every command takes its settings:
    ``--forms-dir``, else the workspace's ``forms_dir`` (planwatch.toml, or
    PLANWATCH_FORMS_DIR), else the bundled forms."""
    return given if given is not None else _settings(ctx).forms_path


def own_forms_folder(ctx: typer.Context, given: Path | None) -> Path:
    """The forms folder ``forms build`` and ``forms adopt`` write into: as
    :func:`forms_folder`, but never the forms bundled with Planwatch by default (inside an
    installed package, they are Planwatch's own: a reinstall replaces them)."""
    if given is not None:
        return given
    settings = _settings(ctx)
    if settings.forms_dir is not None:
        return settings.forms_path
    own = settings.home / "forms"
    copy = (f"`{own}` is there already" if own.exists() else
            f"copy the bundled forms there once: cp -r {DEFAULT_FORMS_DIR} {own}")
    raise PlanwatchError(
        "There is no forms folder of your own to write to: without --forms-dir or a "
        "forms_dir setting, the forms are the ones bundled with Planwatch "
        f"({DEFAULT_FORMS_DIR}), which it never changes.",
        hint=f"Keep your forms in the workspace: {copy}, set forms_dir = \"forms\" in "
        f"{settings.settings_file}, and run the command again (or give --forms-dir "
        "FOLDER).")


@forms_app.command("list")
def list_forms(ctx: typer.Context, forms_dir: FormsDir = None,
               as_json: JsonFlag = False) -> None:
    """List every form Planwatch knows."""
    from pipeline.definitions import Catalogue

    catalogue = Catalogue.load(forms_folder(ctx, forms_dir))
    if as_json:
        print_json([{"id": d.id, "version": d.version, "title": d.title,
                     "services": list(d.services)} for d in catalogue])
        return
    definitions = list(catalogue)
    # Ids are never cut or broken: they are what the other commands are given.
    longest_service = max((len(s) + 1 for d in definitions for s in d.services), default=8)
    table = Table(Column("form", no_wrap=True,
                         min_width=max((len(d.id) for d in definitions), default=4)),
                  "version", Column("title", overflow="fold"),
                  Column("services", min_width=longest_service, overflow="fold"))
    for definition in definitions:
        table.add_row(definition.id, str(definition.version), definition.title,
                      ", ".join(definition.services))
    out.print(table)


@forms_app.command("show")
def show_form(
    ctx: typer.Context,
    form: Annotated[str, typer.Argument(help="Form id, e.g. support-plan.")],
    service: Annotated[str | None, typer.Option(
        help="Show this service's copy, exactly as `forms fill --service` takes it.")] = None,
    forms_dir: FormsDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Show a form's answers as `forms fill` takes them: each key, label, type, whether it
    is required, its choices, tables with their columns and signature blocks as the keys
    to fill. Without --service, each field says which services' copies have it."""
    from pipeline import forms_service
    from pipeline.definitions import Catalogue
    from pipeline.formats.titles import service_titles

    forms_dir = forms_folder(ctx, forms_dir)
    definition = Catalogue.load(forms_dir).get(form)
    chosen = _form_service(definition, service, forms_dir)
    described = forms_service.describe(definition, chosen)
    if as_json:
        print_json(described)
        return
    out.print(f"[bold]{described['title']}[/] ({described['id']} v{described['version']})")
    titles = service_titles(forms_dir)
    if chosen is not None:
        out.print(f"The copy of {titles.get(chosen, chosen)} ({chosen}).", markup=False)
    else:
        out.print(f"Used by: {', '.join(described['services'])}.", markup=False)
        if described["copies_differ"]:
            out.print("Its copies differ between services: fill one with --service "
                      f"(`planwatch forms show {described['id']} --service SERVICE` lists "
                      "that copy).", markup=False)
    every = set(described["services"])
    rows = [row for section in described["sections"] for item in section["items"]
            for row in _shown_rows(item, every)]
    # Keys are never cut or broken: they are what `forms fill` is given.
    width = max((len(key) for key, _ in rows), default=10)
    for section in described["sections"]:
        table = Table(title=f"\n{section['title']}", title_justify="left", title_style="bold",
                      box=None, show_header=False, padding=(0, 2, 0, 0))
        table.add_column("key", no_wrap=True, min_width=width, style="cyan")
        table.add_column("answer", overflow="fold")
        for item in section["items"]:
            for key, text in _shown_rows(item, every):
                table.add_row(key, text)
        out.print(table)


TYPE_WORDS = {"text": "text", "long_text": "text (several lines)",
              "date": "date (dd/mm/yyyy or yyyy-mm-dd)",
              "datetime": "date and time (dd/mm/yyyy hh:mm or yyyy-mm-ddThh:mm)",
              "yes_no": "true or false", "choice": "one of the values below",
              "number": "a number", "signature": "a typed name"}


def _seen(item: dict[str, Any], every: set[str]) -> str:
    services = item.get("services")
    if not isinstance(services, list) or set(services) == every:
        return ""
    return f" (only {', '.join(services)})"


def _answer(item: dict[str, Any], every: set[str]) -> str:
    required = ", required" if item.get("required") else ""
    if item.get("minimum") is not None or item.get("maximum") is not None:
        required = f" from {item.get('minimum', '')} to {item.get('maximum', '')}{required}"
    if item.get("required_if"):
        required += f", required when {item['required_if']} is true"
    text = f"{item['label']}{_seen(item, every)}\n{TYPE_WORDS.get(item['type'], item['type'])}"
    lines = [text + required]
    lines += [f"  {c['value']}: {c['label']}{_seen(c, every)}" for c in item.get("choices", [])]
    return "\n".join(lines)


def _shown_rows(item: dict[str, Any], every: set[str]) -> list[tuple[str, str]]:
    """One item of `forms show` as (key, what to give) rows: a table's columns below it
    (``table.column``), a signature block as the two keys that are filled."""
    if "table" in item:
        needed = ", at least one row" if item.get("required") else ""
        rows = [(str(item["table"]), f"{item['label']}{_seen(item, every)}\n"
                 f"a table: a list of rows, each with the keys below{needed}")]
        for column in item["columns"]:
            rows += [(f"  {item['table']}.{column['key']}", _answer(column, every))]
        return rows
    if "keys" in item:
        return [(str(part["key"]), _answer({**part, "services": item.get("services"),
                                            "required": item.get("required")}, every))
                for part in item["fields"]]
    return [(str(item["key"]), _answer(item, every))]


def _form_service(definition: FormDefinition, service: str | None,
                  forms_dir: Path) -> str | None:
    """The service a forms command was given, checked against the policies (by id or
    name, as every filter is) and against the form's own services."""
    from pipeline import filters
    from pipeline.formats.titles import service_titles

    if service is None:
        return None
    titles = service_titles(forms_dir)
    known = {s: titles.get(s, s) for s in {*titles, *definition.services}}
    chosen = filters.choose("service", service, known)
    definition.for_service(chosen)  # not used by that service: an error naming those that do
    return chosen


@forms_app.command("build")
def build_forms(ctx: typer.Context, forms_dir: FormsDir = None) -> None:
    """Write the blank Word, PDF and Excel forms to blank/ in the forms folder, from its
    definitions (never into the forms bundled with Planwatch unless --forms-dir names
    them)."""
    from pipeline import forms_service
    from pipeline.definitions import Catalogue

    for path in forms_service.build_all(Catalogue.load(own_forms_folder(ctx, forms_dir))):
        out.print(f"Wrote {path.absolute()}", markup=False)


@forms_app.command("fill")
def fill_form(
    ctx: typer.Context,
    form: Annotated[str, typer.Argument(help="Form id, e.g. support-plan.")],
    data: Annotated[Path, typer.Option("--data", help="JSON file of field values.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Filled form to write.")],
    service: Annotated[str | None, typer.Option(
        help="The service whose copy to fill (needed when the copies differ).")] = None,
    file_format: Annotated[str | None, typer.Option(
        "--format", help="docx, pdf or xlsx (default: from the output file's name).")] = None,
    forms_dir: FormsDir = None,
) -> None:
    """Fill a blank form from JSON values, as a person would in Word, a PDF viewer or Excel."""
    from pipeline import forms_service
    from pipeline.definitions import Catalogue
    from pipeline.formats.titles import service_titles

    forms_dir = forms_folder(ctx, forms_dir)
    definition = Catalogue.load(forms_dir).get(form)
    # A form whose copies differ is never filled as some service's copy by default.
    chosen = _form_service(definition, service, forms_dir) or forms_service.only_copy(definition)
    path = forms_service.fill(definition, forms_service.load_values(data), output,
                              service=chosen, file_format=file_format,
                              titles=service_titles(forms_dir))
    out.print(f"Wrote {path.absolute()}", markup=False)


@forms_app.command("check")
def check_form(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A filled form (.docx, .pdf or .xlsx).")],
    forms_dir: FormsDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Read one filled form and print its record and findings."""
    from pipeline import forms_service
    from pipeline.definitions import Catalogue

    record = forms_service.check(file, Catalogue.load(forms_folder(ctx, forms_dir)))
    if as_json:
        print_json(_record_json(file, record))
        return
    _print_record(file, record)


@forms_app.command("adopt")
def adopt_form(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Your organisation's own blank Word form.")],
    form_id: Annotated[str, typer.Option("--id", help="The new form's id, e.g. "
                                         "key-work-review.")],
    services: Annotated[list[str] | None, typer.Option(
        "--service", help="A service that uses it (repeat for more; default: every "
        "service).")] = None,
    forms_dir: FormsDir = None,
) -> None:
    """Adopt your own blank Word form: write ID.yaml in the forms folder, inferred from its
    labels and layout, and a copy with content controls in its answer places for staff
    to use (never into the forms bundled with Planwatch unless --forms-dir names them)."""
    from pipeline.formats.word.adopt import adopt

    adoption = adopt(file, form_id, services or [], own_forms_folder(ctx, forms_dir))
    out.print(f"Wrote {adoption.definition_path}", markup=False)
    for path in adoption.marked_up:
        out.print(f"Wrote {path} (the blank form for staff, with content controls)",
                  markup=False)
    out.print(f"[bold]Inferred[/] ({len(adoption.inferred)} fields and tables):")
    for line in adoption.inferred:
        out.print(f"  {line}", markup=False)
    if adoption.unsure:
        out.print("[bold yellow]Unsure[/] (check these):")
        for line in adoption.unsure:
            out.print(f"  {line}", markup=False)
    out.print("Check every field in the definition (types, required, choices) and add "
              "events, as for any form; `planwatch forms check` reads the marked-up copies "
              "and your old filled copies alike.", markup=False)


def _record_json(file: Path, record: Record) -> dict[str, object]:
    return {
        "file": file.name,
        "form": record.form_id,
        "version": record.form_version,
        "service": record.service,
        "person_id": record.person_id,
        "event": record.event,
        "event_date": record.event_date.isoformat() if record.event_date else None,
        **record.json_values(),
        "findings": [f.model_dump(mode="json") for f in record.findings],
        "complete": record.complete,
        # Answers read by their labels from the layout (no content control held them).
        "read_by_label": list(record.read_by_label),
    }


def _shown(value: object) -> str:
    """An answer as a person reads it: 16/12/2025, 16/12/2025 14:30, yes or no (--json
    keeps ISO dates and true/false)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return f"{value:%d/%m/%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    return str(value)


def _print_record(file: Path, record: Record) -> None:
    from pipeline.records import Severity

    out.print(f"[bold]{file.name}[/]: {record.form_id} v{record.form_version}, "
              f"{record.service}, person {record.person_id or '(none)'}")
    # Nothing cut with '…' at 80 columns: a key too long for its column (over 40) and a
    # long word in an answer (an e-mail address, a link) fold onto the next line.
    longest = max((len(key) for key in record.values), default=5)
    values = Table(Column("field", min_width=min(longest, 40), overflow="fold"),
                   Column("value", overflow="fold"), show_header=True)
    for key, value in record.values.items():
        values.add_row(key, _shown(value))
    out.print(values)
    for key, rows in record.tables.items():
        out.print(f"[bold]{key}[/]: {len(rows)} row(s)")
        for number, row in enumerate(rows, start=1):
            cells = "; ".join(f"{c}={_shown(v)}" for c, v in row.items() if v is not None)
            out.print(f"  {number}. {cells}", markup=False)
    if not record.findings:
        out.print("[green]Complete: no findings.[/]")
    for finding in record.findings:
        colour = "red" if finding.severity is Severity.BLOCKING else "yellow"
        out.print(f"[{colour}]{finding.severity.value}[/] ", end="")
        out.print(f"{finding.field}: {finding.message}", markup=False)


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
    from pipeline.definitions import Catalogue
    from pipeline.prefill import write_prefilled
    from pipeline.store.session import open_store

    settings = workspace_settings(ctx)
    with open_store(settings.database_url) as store:
        person_id = checked_filters(settings, store, person=person_id).person or person_id
        path = write_prefilled(store, Catalogue.load(settings.forms_path), form, person_id,
                               output, today=today(), fmt=fmt,
                               reports_path=settings.reports_path)
    out.print(f"Wrote {path.absolute()}", markup=False)
