"""Blank fillable PDF forms from form definitions.

ReportLab draws the pages (:mod:`pipeline.formats.pdf.layout`); pypdf then adds one AcroForm
field over each answer box (:mod:`pipeline.formats.pdf.widgets`), names the form in the document
information, and writes it with fixed dates and a fixed file identifier so a blank form
is byte-for-byte repeatable (see tests/test_formats_pdf_build.py).
"""

from __future__ import annotations

import hashlib
import io
from functools import lru_cache

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    ByteStringObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    TextStringObject,
)

from pipeline.definitions import FormDefinition
from pipeline.formats.identity import FIXED_STAMP, stamp_text
from pipeline.formats.pdf import widgets
from pipeline.formats.pdf.layout import Placed, render
from pipeline.formats.pdf.names import INFO_FORM_ID, INFO_FORM_VERSION, INFO_SERVICE

# The same fixed moment as the Word and Excel blanks, as a PDF date.
FIXED_DATE = FIXED_STAMP.strftime("D:%Y%m%d%H%M%SZ")


def build_blank_pdf(definition: FormDefinition, service: str, *, title: str) -> bytes:
    """The blank fillable PDF for one service's copy of a form (``title``: the service's
    name), as bytes, built once per process: filling many forms reuses it."""
    return _build(definition.for_service(service), service, title)


@lru_cache(maxsize=64)
def _build(definition: FormDefinition, service: str, title: str) -> bytes:
    pages, placed = render(definition, service, title)
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pages)))
    _add_fields(writer, placed, stamp_text(definition.id, definition.version, service))
    writer.add_metadata({
        "/Title": f"{definition.title} ({title})",
        "/Subject": f"Planwatch form {definition.id} version {definition.version}",
        "/Keywords": f"planwatch {definition.id} v{definition.version}",
        "/Author": "Planwatch", "/Creator": "Planwatch", "/Producer": "Planwatch",
        "/CreationDate": FIXED_DATE, "/ModDate": FIXED_DATE,
        INFO_FORM_ID: definition.id,
        INFO_FORM_VERSION: str(definition.version),
        INFO_SERVICE: service,
    })
    # pypdf draws a random file identifier; a digest of the form's identity keeps every
    # build of the same form identical.
    digest = hashlib.md5(f"{definition.id}/{definition.version}/{service}".encode(),
                         usedforsecurity=False).digest()
    writer._ID = ArrayObject([ByteStringObject(digest), ByteStringObject(digest)])
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def _add_fields(writer: PdfWriter, placed: list[Placed], stamp: str) -> None:
    objects = widgets.FormObjects(writer)
    fields = ArrayObject()
    # Parent fields by their full name ("actions", "actions.2"): reference and kids.
    parents: dict[str, tuple[IndirectObject, ArrayObject]] = {}

    def parent_of(name: str) -> tuple[IndirectObject, ArrayObject] | None:
        """The parent field of ``actions.2.task`` is ``actions.2``, whose parent is ``actions``."""
        if "." not in name:
            return None
        path = name.rsplit(".", 1)[0]
        if path not in parents:
            kids = ArrayObject()
            node = DictionaryObject({
                NameObject("/T"): TextStringObject(path.rsplit(".", 1)[-1]),
                NameObject("/Kids"): kids})
            parents[path] = (writer._add_object(node), kids)
            grand = parent_of(path)
            if grand is None:
                fields.append(parents[path][0])
            else:
                node[NameObject("/Parent")] = grand[0]
                grand[1].append(parents[path][0])
        return parents[path]

    for place in placed:
        widget = objects.blank_widget(place, top_level="." not in place.name)
        _attach(writer, widget, place.page, parent_of(place.name), fields)
    _attach(writer, objects.stamp_widget(stamp), 0, None, fields)
    writer.root_object[NameObject("/AcroForm")] = writer._add_object(DictionaryObject({
        NameObject("/Fields"): fields,
        NameObject("/DR"): DictionaryObject({NameObject("/Font"): objects.fonts}),
        NameObject("/DA"): TextStringObject("/Helv 0 Tf 0 g"),
        NameObject("/NeedAppearances"): BooleanObject(False),
    }))


def _attach(writer: PdfWriter, widget: DictionaryObject, page_index: int,
            parent: tuple[IndirectObject, ArrayObject] | None, fields: ArrayObject) -> None:
    """Put a widget on its page's annotations and under its parent field (or at the top)."""
    page = writer.pages[page_index]
    reference = writer._add_object(widget)
    widget[NameObject("/P")] = page.indirect_reference
    annotations = page.get("/Annots")
    if not isinstance(annotations, ArrayObject):
        annotations = ArrayObject()
        page[NameObject("/Annots")] = annotations
    annotations.append(reference)
    if parent is None:
        fields.append(reference)
    else:
        widget[NameObject("/Parent")] = parent[0]
        parent[1].append(reference)
