"""``planwatch forms adopt``: an office's own blank Word form made a Planwatch form.

Contract: :func:`adopt` reads the blank form (with every reader's safety checks), infers
its definition (:mod:`pipeline.formats.word.inference`), writes ``forms/<id>.yaml`` and a
marked-up copy per service (:mod:`pipeline.formats.word.markup`), and returns what it
inferred and what a person should check.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml
from lxml import etree
from pydantic import ValidationError

from pipeline.definitions import Catalogue, FormDefinition
from pipeline.errors import FormReadError, PlanwatchError
from pipeline.files import write_file
from pipeline.formats.safety import load_bytes, open_office_zip, parse_xml, read_part
from pipeline.formats.strict import transitional_tree
from pipeline.formats.word.inference import (
    DOCUMENT_PART,
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
    return f"{item.key}: '{item.label}' as {item.type.value}{extra}{required} ({item.where})"


def adopt(path: Path, form_id: str, services: Sequence[str], forms_dir: Path) -> Adoption:
    """Adopt the blank form at ``path`` as ``form_id`` for ``services`` (default: every
    known service): write ``forms_dir/<form_id>.yaml`` and one marked-up copy per service,
    ``forms_dir/adopted/<service>/<form_id>.docx``.

    Raises :class:`PlanwatchError` (with what to do) for a taken or malformed id, an
    unknown service, or a file that is not a Word form.
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
    chosen = list(dict.fromkeys(services)) or known
    unknown = [s for s in chosen if s not in known]
    if unknown or not chosen:
        raise PlanwatchError(f"Unknown service: {', '.join(unknown) or '(none)'}.",
                             hint=f"Known services: {', '.join(known) or 'none'}.")
    original = load_bytes(path, None)
    inference = infer(document_root(original, path))
    data = definition_data(inference, form_id, chosen, path.name)
    try:
        definition = FormDefinition.model_validate(data)
    except ValidationError as exc:
        problem = str(exc.errors()[0]["msg"]).removeprefix("Value error, ")
        raise PlanwatchError(f"{path.name}: no usable form could be inferred ({problem}).",
                             hint=" ".join(inference.unsure) or "Check the blank form has a "
                             "label beside or above each answer.") from exc
    lines = tuple(_describe(item) for item in inference.items)
    unsure = list(inference.unsure)
    for item in inference.items:
        if isinstance(item, Inferred):
            unsure += [f"{item.key}: {reason}" for reason in item.unsure]
    unsure += mark_up(inference)
    marked: list[Path] = []
    for service in chosen:
        copy_path = forms_dir / "adopted" / service / f"{form_id}.docx"
        # A blank form and a definition say nothing about a person: not owner-only.
        write_file(copy_path, package(original, inference.root,
                                      form_properties(form_id, service)), private=False)
        marked.append(copy_path)
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=88)
    write_file(target, text.encode("utf-8"), private=False)
    return Adoption(target, tuple(marked), definition, lines, tuple(unsure))
