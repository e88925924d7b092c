"""Read a filled Word form (.docx) into a :class:`RawForm`.

Contract: given the file's bytes and the catalogue of form definitions, return every
answer keyed by the definition's field keys, or raise a :class:`FormReadError` that names
the file and says what to do. The file is untrusted: size, zip and XML checks run
before any parsing (:mod:`pipeline.formats.safety`).

A Word file saved as "Strict Open XML Document" is read the same way: its parts are
renamed to the usual namespaces as they are parsed (:mod:`pipeline.formats.strict`).

An answer is identified by, in order: its ``w:tag``; its ``w:alias``; its legacy field
name; the label beside it. Tables are found by their repeating section's tag or by their
header row, and their cells are taken by column position, which survives every suite.

A field no control answers (the controls were lost, or the office's own form never had
any) is read by its label from the layout (:mod:`pipeline.formats.word.layout`), and a
file whose properties and footer stamp were lost is identified by its title, else by its
labels (:func:`pipeline.formats.identity.identify_by_labels`).
"""

from __future__ import annotations

import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from lxml import etree

from pipeline.definitions import Catalogue, FieldSpec, FormDefinition, TableSpec, normalise_label
from pipeline.errors import FormReadError, UnknownFormError
from pipeline.formats import containment
from pipeline.formats.identity import (
    PROP_FORM_ID,
    PROP_FORM_VERSION,
    PROP_SERVICE,
    STAMP_PATTERN,
    identify_by_labels,
)
from pipeline.formats.safety import DEFAULT_LIMITS, Limits, open_office_zip, parse_xml, read_part
from pipeline.formats.strict import transitional_tree
from pipeline.formats.word import layout, wordml
from pipeline.formats.word.answers import value_of
from pipeline.formats.word.names import CUSTOM_PROPS_NS, text_of, w
from pipeline.records import Finding, RawForm, RawValue

DOCUMENT_PART = "word/document.xml"
DCTERMS_NS = "http://purl.org/dc/terms/"
# Legacy form-field bookmark names are cut to 20 characters by Word.
_LEGACY_NAME_LENGTH = 20


def read_docx(
    path: Path, catalogue: Catalogue, *, data: bytes | None = None, limits: Limits = DEFAULT_LIMITS
) -> RawForm:
    """Every answer in one .docx form, keyed by field key (see the module docstring)."""
    containment.install()
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise FormReadError(path, f"cannot be opened ({exc.strerror})",
                                hint="Check the file is not open elsewhere, then retry.") from exc
    with open_office_zip(path, data, limits) as archive:
        try:
            body = _part(archive, DOCUMENT_PART, path, limits)
        except KeyError:
            raise FormReadError(
                path, "this is not a Word document (no word/document.xml)",
                hint="Save it from Word or LibreOffice as .docx and drop again.") from None
        extra_parts = [
            _part(archive, name, path, limits) for name in archive.namelist()
            if re.fullmatch(r"word/(header|footer)\d*\.xml", name)
        ]
        definition, version, service, alike = _identify(archive, path, body, extra_parts,
                                                        catalogue, limits)
        modified = _last_saved(archive, path, limits)
    tables, consumed = _read_tables(definition, body)
    answers: list[wordml.Answer] = []
    for root in [body, *extra_parts]:
        answers += wordml.content_controls(root, consumed)
        answers += wordml.legacy_fields(root, consumed)
    fields, unmatched = _match(definition, answers)
    # What no control answered is read by its label, on this service's copy when known.
    copy = _reading_copy(definition, service, alike)
    missing = [key for key in copy.leaves_by_key if key not in fields]
    findings: tuple[Finding, ...] = ()
    if missing:
        reader = layout.LabelReader(copy, layout.Page(body, consumed))
        fields.update(reader.read(missing, report_unfound=copy is not definition))
        findings = tuple(reader.findings)
    return RawForm(
        file_name=path.name,
        form_id=definition.id,
        form_version=version,
        service=service,
        fields=fields,
        tables=tables,
        unmatched=tuple(unmatched),
        modified=modified,
        findings=findings,
        services_alike=alike,
    )


def _reading_copy(definition: FormDefinition, service: str | None,
                 alike: tuple[str, ...] = ()) -> FormDefinition:
    """The copy of a form a file is read as: its service's; when the service is not
    known, the copy every service in ``alike`` has (their copies the same), else the
    whole form (validation then checks it as the copy its answers fit best)."""
    if service in definition.services:
        return definition.for_service(service)
    copies = [definition.for_service(s) for s in alike if s in definition.services]
    if copies and all(c.sections == copies[0].sections for c in copies):
        return copies[0]
    return definition


def _part(archive: zipfile.ZipFile, name: str, path: Path, limits: Limits) -> etree._Element:
    """One part, parsed safely, in the usual names even when saved as Strict Open XML."""
    return transitional_tree(parse_xml(read_part(archive, name, path, limits), path, name))


def _last_saved(archive: zipfile.ZipFile, path: Path, limits: Limits) -> datetime | None:
    """``dcterms:modified`` from the core properties, if the file has a readable one."""
    try:
        root = _part(archive, "docProps/core.xml", path, limits)
    except KeyError:
        return None
    node = root.find(f"{{{DCTERMS_NS}}}modified")
    if node is None or not node.text:
        return None
    try:
        moment = datetime.fromisoformat(node.text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _custom_properties(archive: zipfile.ZipFile, path: Path, limits: Limits) -> dict[str, str]:
    try:
        root = _part(archive, "docProps/custom.xml", path, limits)
    except KeyError:
        return {}
    found: dict[str, str] = {}
    for prop in root.iter(f"{{{CUSTOM_PROPS_NS}}}property"):
        name = prop.get("name")
        if name is not None and len(prop):
            found[str(name)] = (prop[0].text or "").strip()
    return found


def _identify(
    archive: zipfile.ZipFile,
    path: Path,
    body: etree._Element,
    extra_parts: list[etree._Element],
    catalogue: Catalogue,
    limits: Limits,
) -> tuple[FormDefinition, int, str | None, tuple[str, ...]]:
    """Which form this is: custom properties, else the footer stamp, else the title (and
    the service by the labels), else the labels alone."""
    props = _custom_properties(archive, path, limits)
    form_id, version, service = (props.get(PROP_FORM_ID), props.get(PROP_FORM_VERSION),
                                 props.get(PROP_SERVICE))
    if not form_id:
        for part in [*extra_parts, body]:
            match = STAMP_PATTERN.search(text_of(part))
            if match:
                form_id, version, service = match["id"], match["version"], match["service"]
                break
    definition = None
    alike: tuple[str, ...] = ()
    if form_id:
        try:
            definition = catalogue.get(form_id)
        except UnknownFormError:
            definition = None
    if definition is None:
        for paragraph in body.iter(w("p")):
            title = text_of(paragraph).strip()
            if title:
                definition = catalogue.find_by_title(title)
                break
        labels = layout.Page(body).labels()
        found = identify_by_labels(path, catalogue, labels, layout.fold,
                                   definition.id if definition is not None else None)
        definition, service = found.definition, service or found.service
        alike = () if service else found.services_alike
    try:
        number = int(version) if version else definition.version
    except ValueError:
        number = definition.version
    return definition, number, service or None, alike


def _read_tables(
    definition: FormDefinition, body: etree._Element
) -> tuple[dict[str, list[dict[str, RawValue]]], set[etree._Element]]:
    tables: dict[str, list[dict[str, RawValue]]] = {}
    consumed: set[etree._Element] = set()
    if not definition.tables:
        return tables, consumed
    for table in body.iter(w("tbl")):
        if len(tables) == len(definition.tables):
            break  # every table found: the rest of the document has none to give
        rows = wordml.table_rows(table)
        if not rows:
            continue
        header = _Header(table, rows[0])
        for spec in definition.tables:
            if spec.key in tables:
                continue
            positions = header.positions(spec)
            if positions is None:
                continue
            columns = {c.key: c for c in spec.columns}
            tables[spec.key] = [_read_row(row, positions, columns) for row in rows[1:]]
            consumed.add(table)
            break
    return tables, consumed


class _Header:
    """A table's header row, worked out once for every table spec it is tried against."""

    def __init__(self, table: etree._Element, header: etree._Element) -> None:
        self.table = table
        self.headers = [layout.fold(wordml.text_of_first_paragraph(c))
                        for c in wordml.row_cells(header)]
        self._sections: set[str | None] | None = None

    def positions(self, spec: TableSpec) -> dict[str, int] | None:
        """Column key → cell index, from the header row's labels (tags are lost in some
        suites), else by position in a repeating section tagged as the table."""
        positions: dict[str, int] = {}
        for column in spec.columns:
            wanted = layout.fold(column.label)
            if wanted in self.headers:
                positions[column.key] = self.headers.index(wanted)
        if len(positions) == len(spec.columns):
            return positions
        if len(self.headers) == len(spec.columns) and spec.key in self.sections:
            return {column.key: index for index, column in enumerate(spec.columns)}
        return None

    @property
    def sections(self) -> set[str | None]:
        """The tags of the repeating sections in the table."""
        if self._sections is None:
            self._sections = {wordml.control_tag(sdt) for sdt in self.table.iter(w("sdt"))
                              if wordml.is_repeating_section(sdt)}
        return self._sections


def _read_row(row: etree._Element, positions: dict[str, int],
              columns: dict[str, FieldSpec]) -> dict[str, RawValue]:
    cells = wordml.row_cells(row)
    values: dict[str, RawValue] = {}
    for key, index in positions.items():
        if index >= len(cells):
            values[key] = RawValue(matched_by="column")
            continue
        cell = cells[index]
        found = wordml.cell_value(cell, "column")
        if found is not None:
            values[key] = found
        else:  # no control: the cell's text, as the layout reader reads an answer
            values[key] = value_of(columns[key], text_of(cell))[0]
    return values


def _match(
    definition: FormDefinition, answers: list[wordml.Answer]
) -> tuple[dict[str, RawValue], list[str]]:
    """Assign each answer to a field: tag, then alias, then legacy name, then label."""
    leaves = definition.leaves_by_key
    # Most answers are known by their tag: the other ways in are worked out when needed.
    by_label: dict[str, str] | None = None
    by_legacy_name: dict[str, str] | None = None
    fields: dict[str, RawValue] = {}
    unmatched: list[str] = []
    for answer in answers:
        key, how = None, ""
        if answer.tag in leaves:
            key, how = answer.tag, "tag"
        else:
            if by_label is None:
                by_label = {normalise_label(f.label): f.key for f in leaves.values()}
                by_legacy_name = {key[:_LEGACY_NAME_LENGTH]: key for key in leaves}
            assert by_legacy_name is not None
            if answer.alias and normalise_label(answer.alias) in by_label:
                key, how = by_label[normalise_label(answer.alias)], "alias"
            elif answer.name and (answer.name in leaves or answer.name in by_legacy_name):
                key = answer.name if answer.name in leaves else by_legacy_name[answer.name]
                how = "name"
            elif answer.label and normalise_label(answer.label) in by_label:
                key, how = by_label[normalise_label(answer.label)], "label"
        if key is None:
            unmatched.append(answer.alias or answer.tag or answer.name or answer.label or "?")
            continue
        if key not in fields:
            fields[key] = answer.value(how)
    return fields, unmatched
