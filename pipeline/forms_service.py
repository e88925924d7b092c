"""Library entry points behind ``planwatch forms``: build, fill and check one form.

The command line calls these and nothing else; tests call them directly. Reading a file
is :func:`pipeline.formats.reading.read_form` (what the sandboxed reader imports, without
the builders' libraries); this module dispatches building and filling to the formats,
giving each the service's title from the policies of the forms folder in use
(:mod:`pipeline.formats.titles`).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from pipeline import files, form_description
from pipeline.definitions import Catalogue, FormDefinition
from pipeline.errors import FillError
from pipeline.fill_values import FillValues, coerce_values
from pipeline.formats.pdf.build import build_blank_pdf
from pipeline.formats.pdf.fill import fill_pdf
from pipeline.formats.reading import read_form
from pipeline.formats.titles import ServiceTitles, service_title, service_titles
from pipeline.formats.word.build import build_blank
from pipeline.formats.word.fill import fill_docx
from pipeline.formats.xlsx.build import build_blank_xlsx
from pipeline.formats.xlsx.fill import fill_xlsx
from pipeline.records import Record
from pipeline.validate import validate


class Builder(Protocol):
    def __call__(self, definition: FormDefinition, service: str, *, title: str) -> bytes: ...


class Filler(Protocol):
    def __call__(self, definition: FormDefinition, service: str, values: FillValues,
                 *, title: str, saved_at: datetime | None = None) -> bytes: ...


BLANK_DIR_NAME = "blank"
# Every format a form comes in: the blank form's builder and the filler, by suffix.
FORMATS = ("docx", "pdf", "xlsx")
BUILDERS: dict[str, Builder] = {
    "docx": build_blank, "pdf": build_blank_pdf, "xlsx": build_blank_xlsx}
FILLERS: dict[str, Filler] = {"docx": fill_docx, "pdf": fill_pdf, "xlsx": fill_xlsx}


def blank_path(catalogue: Catalogue, definition: FormDefinition, service: str,
               file_format: str = "docx") -> Path:
    """``forms/blank/<service>/<form>.<format>``: each service's copy of each form it uses."""
    return catalogue.folder / BLANK_DIR_NAME / service / f"{definition.id}.{file_format}"


def build_all(catalogue: Catalogue) -> list[Path]:
    """Write every service's blank forms in every format; an unchanged form is not rewritten.

    Each service is named as its policy in the catalogue's folder names it."""
    titles = service_titles(catalogue.folder)
    written: list[Path] = []
    for definition in catalogue:
        for service in definition.services:
            title = service_title(service, titles)
            for file_format, build in BUILDERS.items():
                path = blank_path(catalogue, definition, service, file_format)
                data = build(definition, service, title=title)
                if not path.exists() or path.read_bytes() != data:
                    # Blank forms are about no one: shared as any file the umask allows.
                    files.write_file(path, data, private=False)
                written.append(path)
    return written


def load_values(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise FillError(f"{path}: cannot be read ({exc.strerror}).") from exc
    except json.JSONDecodeError as exc:
        raise FillError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg}).",
                        hint="Field keys map to values; tables are lists of objects.") from exc
    if not isinstance(data, dict):
        raise FillError(f"{path}: must hold one JSON object of field keys and values.")
    return data


def output_format(output: Path, file_format: str | None = None) -> str:
    """The format to fill: the one asked for, else the output file's suffix.

    Raises :class:`FillError` when neither names a format, or when they disagree.
    """
    suffix = output.suffix.lower().lstrip(".")
    if file_format is not None:
        chosen = file_format.lower().lstrip(".")
        if chosen not in FORMATS:
            raise FillError(f"'{file_format}' is not a form format.",
                            hint=f"Choose one of: {', '.join(FORMATS)}.")
        if suffix in FORMATS and suffix != chosen:
            raise FillError(f"{output.name}: the name ends .{suffix} but the format is "
                            f"{chosen}.", hint=f"Name the output file *.{chosen}.")
        return chosen
    if suffix not in FORMATS:
        raise FillError(f"{output.name}: '.{suffix}' is not a form format." if suffix else
                        f"{output.name}: no format in the file name.",
                        hint="Name the output *.docx, *.pdf or *.xlsx, or give --format.")
    return suffix


def fill(definition: FormDefinition, data: dict[str, Any], output: Path,
         *, service: str | None = None, saved_at: datetime | None = None,
         file_format: str | None = None, titles: ServiceTitles | None = None) -> Path:
    """Fill the blank form with ``data`` in the format asked for (else the output suffix)
    and write it, owner-only (a filled form is about a person); it is stamped as saved
    now. ``titles`` name the services (:func:`pipeline.formats.titles.service_titles` of
    the forms folder the definition came from; by default the bundled forms')."""
    chosen = service or definition.services[0]
    definition = definition.for_service(chosen)
    values = coerce_values(definition, data)
    filler = FILLERS[output_format(output, file_format)]
    stamp = saved_at or datetime.now(UTC)
    content = filler(definition, chosen, values, title=service_title(chosen, titles),
                     saved_at=stamp)
    return files.write_file(output, content)


def only_copy(definition: FormDefinition) -> str:
    """The service whose copy is filled when none is named: any, when every service's copy
    takes the same answers; else a :class:`FillError` naming the services."""
    if form_description.copies_differ(definition):
        raise FillError(
            f"Form {definition.id!r} differs between services: "
            f"{', '.join(definition.services)}. Say which copy to fill with --service.",
            hint=f"`planwatch forms show {definition.id} --service SERVICE` lists that "
            "copy's fields.")
    return definition.services[0]


def check(path: Path, catalogue: Catalogue) -> Record:
    raw = read_form(path, catalogue)
    return validate(raw, catalogue.get(raw.form_id))


def describe(definition: FormDefinition, service: str | None = None) -> dict[str, Any]:
    """A definition for people and integrations (:mod:`pipeline.form_description`)."""
    return form_description.describe(definition, service)
