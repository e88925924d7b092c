"""Fill a blank PDF form as a person does in a PDF viewer, then save it.

Contract: ``fill_pdf(definition, service, values, title=...)`` returns the bytes of the service's
blank PDF form with every value typed in: each field's ``/V`` set and its appearance
drawn again (:mod:`pipeline.formats.pdf.widgets`), dates and times written as dd/mm/yyyy
[hh:mm], choices picked by export value, check boxes ticked. A table with more rows than
the PDF form has is a :class:`FillError`: a printed page cannot grow.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any, cast

from pypdf import PdfReader, PdfWriter
from pypdf.generic import BooleanObject, DictionaryObject, NameObject

from pipeline.definitions import FieldSpec, FieldType, FormDefinition
from pipeline.errors import FillError
from pipeline.fill_values import FillValues
from pipeline.formats.pdf import appearance, widgets
from pipeline.formats.pdf.build import build_blank_pdf
from pipeline.formats.pdf.fields import FieldNode, walk
from pipeline.formats.pdf.names import cell_name, table_rows


@lru_cache(maxsize=32)
def _blank(definition: FormDefinition, service: str, title: str) -> PdfReader:
    """The blank form, parsed once: pypdf keeps what it has parsed, so clones are quick."""
    return PdfReader(io.BytesIO(build_blank_pdf(definition, service, title=title)))


def shown_text(spec: FieldSpec, value: Any) -> str:
    """What a person types for a value: dates day first, numbers without a trailing .0."""
    if spec.type is FieldType.DATE:
        assert isinstance(value, date)
        return f"{value:%d/%m/%Y}"
    if spec.type is FieldType.DATETIME:
        assert isinstance(value, datetime)
        return f"{value:%d/%m/%Y %H:%M}"
    if spec.type is FieldType.NUMBER:
        return f"{value:g}" if isinstance(value, float) else str(value)
    return str(value)


def pdf_date(moment: datetime) -> str:
    """A PDF date string (``D:YYYYMMDDHHmmSSZ``) in UTC."""
    return f"D:{moment.astimezone(UTC):%Y%m%d%H%M%S}Z"


def _set(node: FieldNode, spec: FieldSpec, value: Any, objects: widgets.FormObjects) -> bool:
    """Put one value into its field; True when a viewer should redraw it (see appearance)."""
    if spec.type is FieldType.YES_NO:
        widgets.set_check(node.field, node.widgets, bool(value))
        return False
    if widgets.is_list(spec):
        label = spec.choice_label(str(value))
        objects.set_choice(node.field, node.widgets, str(value), label)
        return appearance.needs_redraw(label)
    text = shown_text(spec, value)
    objects.set_text(node.field, node.widgets, text, multiline=spec.type is FieldType.LONG_TEXT)
    return appearance.needs_redraw(text)


def _check_rows(definition: FormDefinition, values: FillValues) -> None:
    for key, rows in values.tables.items():
        spec = definition.tables_by_key[key]
        if len(rows) > table_rows(spec):
            raise FillError(
                f"{spec.label} ({key}) has {len(rows)} rows, but the PDF form has room for "
                f"{table_rows(spec)}.",
                hint="Use the Word or Excel form for longer tables.")


def fill_pdf(definition: FormDefinition, service: str, values: FillValues,
             *, title: str, saved_at: datetime | None = None) -> bytes:
    """The filled form's bytes; ``title`` is the service's name (as on the blank) and
    ``saved_at`` becomes its modification date, as viewers set it."""
    definition = definition.for_service(service)
    _check_rows(definition, values)
    writer = PdfWriter(clone_from=_blank(definition, service, title))
    acroform = cast(DictionaryObject, writer.root_object["/AcroForm"].get_object())
    resources = cast(DictionaryObject, acroform["/DR"])
    objects = widgets.FormObjects(writer, cast(DictionaryObject, resources["/Font"]))
    nodes = {node.name: node for node in walk(acroform["/Fields"])}
    redraw = False
    leaves = definition.leaves_by_key
    for key, value in values.fields.items():
        redraw |= _set(nodes[key], leaves[key], value, objects)
    for key, rows in values.tables.items():
        columns = {c.key: c for c in definition.tables_by_key[key].columns}
        for number, row in enumerate(rows, start=1):
            for column, value in row.items():
                redraw |= _set(nodes[cell_name(key, number, column)], columns[column], value,
                               objects)
    if redraw:
        acroform[NameObject("/NeedAppearances")] = BooleanObject(True)
    if saved_at is not None:
        writer.add_metadata({"/ModDate": pdf_date(saved_at)})
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()
