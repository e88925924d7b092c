"""``planwatch forms adopt``: an office's own blank Word form made a Planwatch form.

Contract: :func:`adopt` reads the blank form (with every reader's safety checks), infers
its definition (:mod:`pipeline.formats.word.inference`), writes ``forms/<id>.yaml`` and a
marked-up copy per service (:mod:`pipeline.formats.word.markup`), and returns what it
inferred and what a person should check. Whatever it cannot make sense of is a
:class:`PlanwatchError` naming the file and what to do, and nothing is written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from lxml import etree
from pydantic import ValidationError

from pipeline.definitions import DEFAULT_FORMS_DIR, Catalogue, FormDefinition
from pipeline.errors import FormReadError, PlanwatchError
from pipeline.files import write_file
from pipeline.formats.safety import load_bytes, open_office_zip, parse_xml, read_part
from pipeline.formats.strict import transitional_tree
from pipeline.formats.word.inference import (
    DOCUMENT_PART,
    Inference,
    Inferred,
    InferredTable,
    definition_data,
    infer,
)
from pipeline.formats.word.markup import form_properties, mark_up, package


def document_root(original: bytes, path: Path) -> etree._Element:
    """The blank form's ``word/document.xml``, read with every reader's safety checks."""
    with open_office_zip(path, original) as archive:
        try:
            part = read_part(archive, DOCUMENT_PART, path)
        except KeyError:
            raise FormReadError(path, "this is not a Word document (no word/document.xml)",
                                hint="Save it from Word as .docx and adopt that.") from None
        return transitional_tree(parse_xml(part, path, DOCUMENT_PART))


# --- adopting: the files written, and what a person should check ------------------------


@dataclass(frozen=True)
class Adoption:
    """What ``planwatch forms adopt`` wrote and what a person should check."""

    definition_path: Path
    marked_up: tuple[Path, ...]
    definition: FormDefinition
    inferred: tuple[str, ...]  # one line per field, as a person reads it
    unsure: tuple[str, ...]


def known_services(forms_dir: Path) -> list[str]:
    """The services with a policy in ``forms_dir/services`` or a form that names them."""
    services = {p.stem for p in (forms_dir / "services").glob("*.yaml")}
    if forms_dir.is_dir():
        services |= {s for d in Catalogue.load(forms_dir) for s in d.services}
    return sorted(services)


def _describe(item: Inferred | InferredTable) -> str:
    if isinstance(item, InferredTable):
        columns = ", ".join(f"{c.key} ({c.type.value})" for c in item.columns)
        return f"{item.key}: table '{item.label}' ({item.where}) with columns {columns}"
    extra = f" [{', '.join(item.choices)}]" if item.choices else ""
    required = ", required" if item.key == "person_id" or item.required else ""
    dated = " with the date beside it" if item.signed_on is not None else ""
    return (f"{item.key}: '{item.label}' as {item.type.value}{extra}{required}{dated} "
            f"({item.where})")


# A form whose layout none of the rules above foresaw: said, never a traceback.
_NOT_UNDERSTOOD = "Planwatch could not make sense of its layout, so nothing was written"
_NOT_UNDERSTOOD_HINT = (
    "Make the unusual part plainer in Word (each label in a cell or line of its own, with "
    "the empty answer place beside or below it) and adopt it again, or write the form's "
    "definition by hand, starting from one of the bundled forms' .yaml files.")


def _problem(exc: ValidationError, data: dict[str, Any]) -> str:
    """The first thing wrong with an inferred definition, naming the label it is about."""
    error = exc.errors()[0]
    problem = str(error["msg"]).removeprefix("Value error, ")
    where = error["loc"]
    if len(where) >= 4 and where[0] == "sections" and where[2] == "items":
        try:
            label = data["sections"][where[1]]["items"][where[3]]["label"]
        except (IndexError, KeyError, TypeError):
            return problem
        return f"'{label}': {problem}"
    return problem


def _inferred(path: Path, original: bytes, form_id: str,
              services: list[str]) -> tuple[Inference, dict[str, Any], FormDefinition]:
    inference = infer(document_root(original, path))
    if not inference.items:
        raise PlanwatchError(
            f"{path.name}: no answer places were found on it, so no form could be inferred.",
            hint="Adopt the blank form: each answer's label with an empty place beside or "
            "below it (a table cell, a line of underscores after 'Label:', or empty lines "
            "under a label).")
    data = definition_data(inference, form_id, services, path.name)
    try:
        definition = FormDefinition.model_validate(data)
    except ValidationError as exc:
        raise PlanwatchError(f"{path.name}: no usable form could be inferred "
                             f"({_problem(exc, data)}).",
                             hint=" ".join(inference.unsure) or "Check the blank form has a "
                             "label beside or above each answer.") from exc
    return inference, data, definition


def adopt(path: Path, form_id: str, services: Sequence[str], forms_dir: Path) -> Adoption:
    """Adopt the blank form at ``path`` as ``form_id`` for ``services`` (default: every
    known service): write ``forms_dir/<form_id>.yaml`` and one marked-up copy per service,
    ``forms_dir/adopted/<service>/<form_id>.docx``.

    Raises :class:`PlanwatchError` (with what to do) for a taken or malformed id, a
    folder that is not a forms folder, an unknown service, a file that is not a Word
    form, or one whose layout it cannot make sense of; then nothing is written.
    """
    if not re.fullmatch(r"[a-z][a-z0-9-]*", form_id):
        raise PlanwatchError(f"'{form_id}' cannot be a form id.",
                             hint="Use lower-case letters, digits and dashes, starting with "
                             "a letter: key-work-review.")
    target = forms_dir / f"{form_id}.yaml"
    if target.exists():
        raise PlanwatchError(f"{target} already exists: a form called '{form_id}' is "
                             "already defined.", hint="Choose another --id, or delete that "
                             "file first if you mean to adopt the form again.")
    known = known_services(forms_dir)
    if not known:
        raise PlanwatchError(
            f"{forms_dir} is not a forms folder: it has no service policies "
            f"({forms_dir / 'services'}/*.yaml).",
            hint="Start it as a copy of the bundled forms: cp -r "
            f"{DEFAULT_FORMS_DIR}{'/.' if forms_dir.exists() else ''} {forms_dir}")
    chosen = list(dict.fromkeys(services)) or known
    unknown = [s for s in chosen if s not in known]
    if unknown:
        raise PlanwatchError(f"Unknown service: {', '.join(unknown)}.",
                             hint=f"Known services: {', '.join(known)}.")
    original = load_bytes(path, None)
    try:
        inference, data, definition = _inferred(path, original, form_id, chosen)
        lines = tuple(_describe(item) for item in inference.items)
        unsure = list(inference.unsure)
        for item in inference.items:
            if isinstance(item, Inferred):
                unsure += [f"{item.key}: {reason}" for reason in item.unsure]
        unsure += mark_up(inference)
        copies = {forms_dir / "adopted" / service / f"{form_id}.docx":
                  package(original, inference.root, form_properties(form_id, service))
                  for service in chosen}
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=88)
    except PlanwatchError:
        raise
    except Exception as exc:  # a layout no rule foresaw: a message, never a traceback
        raise FormReadError(path, _NOT_UNDERSTOOD, hint=_NOT_UNDERSTOOD_HINT) from exc
    try:
        for copy_path, blob in copies.items():
            # A blank form and a definition say nothing about a person: not owner-only.
            write_file(copy_path, blob, private=False)
        write_file(target, text.encode("utf-8"), private=False)
    except OSError as exc:
        raise PlanwatchError(f"{forms_dir}: cannot be written ({exc.strerror or exc}).",
                             hint="Check the folder exists and you may write in it, or "
                             "give another --forms-dir.") from exc
    return Adoption(target, tuple(copies), definition, lines, tuple(unsure))
