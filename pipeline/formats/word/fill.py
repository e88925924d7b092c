"""Fill a blank Word form exactly as Word does when a person types into it.

Contract: ``fill_docx(definition, service, values, title=...)`` returns the bytes of a filled .docx
built from the same blank form staff use. Every part of the package except
``word/document.xml`` is copied unchanged; table rows beyond the blank's are clones of
its last row, as Word's "+" on a repeating section makes them.
"""

from __future__ import annotations

import copy
import io
import zipfile
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from lxml import etree

from pipeline.definitions import FieldSpec, FieldType, FormDefinition
from pipeline.fill_values import FillValues
from pipeline.formats.word import controls
from pipeline.formats.word.build import build_blank
from pipeline.formats.word.names import w, w15

DOCUMENT_PART = "word/document.xml"
CORE_PART = "docProps/core.xml"
DCTERMS_NS = "http://purl.org/dc/terms/"


def _tag(sdt: etree._Element) -> str | None:
    node = sdt.find(f"{w('sdtPr')}/{w('tag')}")
    return None if node is None else node.get(w("val"))


def set_value(sdt: etree._Element, spec: FieldSpec, value: Any) -> None:
    """Put one typed value into its control."""
    if spec.type is FieldType.YES_NO:
        controls.set_checkbox(sdt, bool(value))
    elif spec.type is FieldType.DATE:
        assert isinstance(value, date)
        controls.set_date(sdt, value)
    elif spec.type is FieldType.DATETIME:
        assert isinstance(value, datetime)
        controls.set_datetime_text(sdt, value)
    elif spec.type is FieldType.CHOICE:
        controls.set_choice(sdt, spec.choice_label(str(value)))
    elif spec.type is FieldType.NUMBER:
        controls.set_text(sdt, f"{value:g}" if isinstance(value, float) else str(value))
    else:
        controls.set_text(sdt, str(value))


def _fresh_ids(element: etree._Element, document: etree._Element) -> None:
    """Give a cloned row's controls ids no other control in the document has."""
    taken = [int(v) for v in (n.get(w("val")) for n in document.iter(w("id")))
             if v is not None and v.lstrip("-").isdigit()]
    next_id = max(taken, default=0) + 1
    for node in element.iter(w("id")):
        parent = node.getparent()
        if parent is not None and parent.tag == w("sdtPr"):
            node.set(w("val"), str(next_id))
            next_id += 1


def _fill_table(section: etree._Element, columns: dict[str, FieldSpec],
                rows: list[dict[str, Any]]) -> None:
    content = section.find(w("sdtContent"))
    assert content is not None
    items = content.findall(w("sdt"))
    while len(items) < len(rows):
        clone = copy.deepcopy(items[-1])
        _fresh_ids(clone, section.getroottree().getroot())
        items[-1].addnext(clone)
        items.append(clone)
    for item, row in zip(items, rows, strict=False):
        for sdt in item.iter(w("sdt")):
            key = _tag(sdt)
            if key in columns and key in row:
                set_value(sdt, columns[key], row[key])


def fill_document(root: etree._Element, definition: FormDefinition, values: FillValues) -> None:
    """Set every value on the parsed ``word/document.xml`` in place."""
    leaves = definition.leaves_by_key
    for sdt in list(root.iter(w("sdt"))):
        key = _tag(sdt)
        if key is None:
            continue
        if sdt.find(f"{w('sdtPr')}/{w15('repeatingSection')}") is not None:
            if key in values.tables:
                spec = definition.tables_by_key[key]
                _fill_table(sdt, {c.key: c for c in spec.columns}, values.tables[key])
        elif key in values.fields and key in leaves and not _in_repeating(sdt):
            set_value(sdt, leaves[key], values.fields[key])


def _in_repeating(sdt: etree._Element) -> bool:
    return any(
        a.tag == w("sdt") and a.find(f"{w('sdtPr')}/{w15('repeatingSectionItem')}") is not None
        for a in sdt.iterancestors()
    )


@lru_cache(maxsize=32)
def _blank(definition: FormDefinition, service: str, title: str) -> bytes:
    """Building a blank takes python-docx a while; filling many forms reuses it."""
    return build_blank(definition, service, title=title)


def fill_docx(definition: FormDefinition, service: str, values: FillValues,
              *, title: str, saved_at: datetime | None = None) -> bytes:
    """The filled form's bytes; ``title`` is the service's name (as on the blank) and
    ``saved_at`` becomes its last-saved time, as Word sets it."""
    definition = definition.for_service(service)
    blank = _blank(definition, service, title)
    source = zipfile.ZipFile(io.BytesIO(blank))
    root = etree.fromstring(source.read(DOCUMENT_PART))
    fill_document(root, definition, values)
    changed = {DOCUMENT_PART: etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                             standalone=True)}
    if saved_at is not None:
        changed[CORE_PART] = _stamp_saved(source.read(CORE_PART), saved_at)
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            target.writestr(entry, changed.get(entry.filename) or source.read(entry))
    return output.getvalue()


def _stamp_saved(core: bytes, saved_at: datetime) -> bytes:
    root = etree.fromstring(core)
    node = root.find(f"{{{DCTERMS_NS}}}modified")
    if node is not None:
        node.text = saved_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
