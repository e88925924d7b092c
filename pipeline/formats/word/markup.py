"""The marked-up copy of an adopted form: the office's own document with a content control
in each answer place, and the form's id and service in its custom properties.

Contract: :func:`mark_up` changes the parsed ``word/document.xml`` of an
:class:`~pipeline.formats.word.inference.Inference` in place (layout, fonts, logos and
wording as they were: a control shows what its answer place showed, and only a line of
underscores an answer replaces goes) and says what it left for the layout reader (rows of
tick boxes, lines under a label, old Word form fields); :func:`package` writes the copy.
"""

from __future__ import annotations

import copy
import io
import zipfile

from lxml import etree

from pipeline.definitions import FieldSpec, FieldType
from pipeline.formats.identity import PROP_FORM_ID, PROP_FORM_VERSION, PROP_SERVICE
from pipeline.formats.word import controls
from pipeline.formats.word.inference import (
    DOCUMENT_PART,
    Inference,
    Inferred,
    InferredTable,
    is_blank,
    options_in,
    slug,
)
from pipeline.formats.word.names import custom_properties_xml, text_of, w


def _untagged_control(cell: etree._Element) -> etree._Element | None:
    """The one content control already in an answer cell, if it has no tag yet."""
    leaves = [sdt for sdt in cell.iter(w("sdt")) if sdt.find(f".//{w('sdt')}") is None]
    if len(leaves) != 1 or leaves[0].find(f"{w('sdtPr')}/{w('tag')}") is not None:
        return None
    return leaves[0]


def _legacy_field(cell: etree._Element) -> bool:
    return cell.find(f".//{w('ffData')}") is not None


# --- the marked-up copy -----------------------------------------------------------------


def _spec(item: Inferred, key: str | None = None, kind: FieldType | None = None) -> FieldSpec:
    field_type = kind or item.type
    choices: list[dict[str, str]] = []
    if field_type is FieldType.CHOICE:
        taken: set[str] = set()
        choices = [{"value": slug(c, taken), "label": c} for c in item.choices]
    shown = item.shown if key is None else ""
    return FieldSpec.model_validate({"key": key or item.key, "label": item.label,
                                     "type": field_type.value, "choices": choices,
                                     "placeholder": shown or "\u2002" * 5})


def _blank_content(sdt: etree._Element) -> None:
    """A control shows what the answer place showed, else five en spaces (as Word's legacy
    text fields do), in the text's own colour: the blank form reads as it did, with no
    placeholder wording added."""
    for run in sdt.iter(w("r")):
        properties = run.find(w("rPr"))
        if properties is not None:
            for colour in properties.findall(w("color")):
                properties.remove(colour)


def _control(item: Inferred, key: str | None = None,
             kind: FieldType | None = None) -> etree._Element:
    sdt = controls.blank_control(_spec(item, key, kind))
    _blank_content(sdt)
    return sdt


def _in_cell(cell: etree._Element, sdt: etree._Element, block: bool) -> None:
    paragraphs = [p for p in cell.findall(w("p"))]
    if not paragraphs:
        paragraphs = [etree.SubElement(cell, w("p"))]
    first = paragraphs[0]
    runs = [r for r in first if r.tag == w("r")]
    template = runs[0].find(w("rPr")) if runs else None
    for run in runs:
        first.remove(run)
    if template is not None:
        for run in sdt.iter(w("r")):
            if run.find(w("rPr")) is None:
                run.insert(0, copy.deepcopy(template))
    if block:
        inner = sdt.find(f"{w('sdtContent')}/{w('p')}")
        properties = first.find(w("pPr"))
        if inner is not None and properties is not None:
            inner.insert(0, copy.deepcopy(properties))
        first.addprevious(sdt)
        cell.remove(first)
    else:
        first.append(sdt)


def _after_label(paragraph: etree._Element, segment: str, sdt: etree._Element) -> None:
    """Put ``sdt`` after ``segment``'s label in a paragraph, in place of its blank line."""
    label = segment.split(":", 1)[0] + ":"
    seen = ""
    runs = [r for r in paragraph.iter(w("r"))]
    placed = False
    for run in runs:
        text = "".join(t.text or "" for t in run.iter(w("t")))
        before = seen
        seen += text
        if not placed and len(seen) >= len(before) and label.strip() in seen.replace("\t", " ") \
                and (label.strip() not in before.replace("\t", " ")):
            run.addnext(sdt)
            placed = True
            continue
        if placed and text and is_blank(text) and "\t" not in text and text.strip():
            parent = run.getparent()
            if parent is not None:
                parent.remove(run)
            break
    if not placed:
        paragraph.append(sdt)


def _box_to_checkbox(paragraph: etree._Element, box: str, sdt: etree._Element) -> bool:
    """The first ``box`` glyph in a paragraph becomes the checkbox ``sdt``."""
    for t in paragraph.iter(w("t")):
        if t.text and box in t.text:
            run = t.getparent()
            if run is None or run.getparent() is None:
                return False
            before, after = t.text.split(box, 1)
            t.text = before
            if before != before.strip():
                t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            run.addnext(sdt)
            if after:
                tail = copy.deepcopy(run)
                for node in list(tail):
                    if node.tag not in (w("rPr"),):
                        tail.remove(node)
                text = etree.SubElement(tail, w("t"))
                text.text = after
                text.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                sdt.addnext(tail)
            return True
    return False


def mark_up(inference: Inference) -> list[str]:
    """Content controls in every answer place, in place (``inference.root``); returns what
    was left unmarked and why (read by its label instead)."""
    unmarked: list[str] = []
    for item in inference.items:
        if isinstance(item, InferredTable):
            _mark_table(item)
            continue
        if item.type is FieldType.CHOICE and (item.cell is None
                                              or options_in(text_of(item.cell))):
            unmarked.append(f"{item.label}: a row of tick boxes, read by which one is ticked")
            continue
        if item.type is FieldType.LONG_TEXT and item.cell is None:
            unmarked.append(f"{item.label}: the lines under it, read by its label (a control "
                            "there loses lines when LibreOffice saves the form)")
            continue
        if item.cell is not None and _legacy_field(item.cell):
            unmarked.append(f"{item.label}: an old Word form field, read by its label")
            continue
        if item.type is FieldType.YES_NO:
            target = item.paragraph if item.paragraph is not None else item.cell
            if target is None or not _box_to_checkbox(target, item.box or "\u2610",
                                                      _control(item)):
                unmarked.append(f"{item.label}: a tick box, read by whether it is ticked")
            continue
        if item.type is FieldType.SIGNATURE:
            _place(item, _control(item, f"{item.key}_signature", FieldType.TEXT))
            if item.signed_on is not None:
                _place(item.signed_on, _control(item.signed_on))
            continue
        _place(item, _control(item))
    return unmarked


def _name_control(sdt: etree._Element, key: str, label: str) -> None:
    """Give a control already in the form the field's tag and alias (as Planwatch's own
    blanks carry them), keeping everything else about it."""
    properties = sdt.find(w("sdtPr"))
    if properties is None:
        properties = etree.Element(w("sdtPr"))
        sdt.insert(0, properties)
    for name in ("alias", "tag"):
        for old in properties.findall(w(name)):
            properties.remove(old)
    alias = etree.Element(w("alias"))
    alias.set(w("val"), label)
    tag = etree.Element(w("tag"))
    tag.set(w("val"), key)
    properties.insert(0, tag)
    properties.insert(0, alias)


def _place(item: Inferred, sdt: etree._Element) -> None:
    existing = _untagged_control(item.cell) if item.cell is not None else None
    if existing is not None:
        tag = sdt.find(f"{w('sdtPr')}/{w('tag')}")
        _name_control(existing, (tag.get(w("val")) if tag is not None else None) or item.key,
                      item.label)
        return
    if item.cell is not None:
        _in_cell(item.cell, sdt, controls.is_block(_spec(item)) and item.type is not
                 FieldType.SIGNATURE)
    elif item.paragraph is not None and item.after_text:
        _after_label(item.paragraph, item.after_text, sdt)
    elif item.paragraph is not None:
        block = item.type is FieldType.LONG_TEXT
        if block:
            inner = sdt.find(f"{w('sdtContent')}/{w('p')}")
            properties = item.paragraph.find(w("pPr"))
            if inner is not None and properties is not None:
                inner.insert(0, copy.deepcopy(properties))
            item.paragraph.addprevious(sdt)
            parent = item.paragraph.getparent()
            if parent is not None:
                parent.remove(item.paragraph)
        else:
            item.paragraph.append(sdt)


def _mark_table(table: InferredTable) -> None:
    for row in table.rows:
        cells = [c for c in row.iter(w("tc"))]
        for cell, column in zip(cells, table.columns, strict=False):
            kind = FieldType.TEXT if column.type is FieldType.SIGNATURE else column.type
            if kind in (FieldType.YES_NO, FieldType.CHOICE) and not column.choices:
                kind = FieldType.TEXT
            _in_cell(cell, _control(column, column.key, kind), False)
    if not table.rows:
        return
    first = table.rows[0]
    anchor = etree.Element(w("bookmarkStart"))  # where the rows were
    first.addprevious(anchor)
    for row in table.rows:
        parent = row.getparent()
        if parent is not None:
            parent.remove(row)
    anchor.addprevious(controls.repeating_section(table.key, table.label, table.rows))
    parent = anchor.getparent()
    if parent is not None:
        parent.remove(anchor)


# --- the package -------------------------------------------------------------------------

_CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CUSTOM_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
_CUSTOM_REL = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
               "custom-properties")


def package(original: bytes, root: etree._Element, properties: dict[str, str]) -> bytes:
    """``original`` with its document replaced by ``root`` and ``properties`` set as its
    custom properties (replacing any it had)."""
    source = zipfile.ZipFile(io.BytesIO(original))
    names = source.namelist()
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = source.read(entry)
            if entry.filename == DOCUMENT_PART:
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                      standalone=True)
            elif entry.filename == "docProps/custom.xml":
                continue
            elif entry.filename == "[Content_Types].xml" and "docProps/custom.xml" not in names:
                types = etree.fromstring(data)
                override = etree.SubElement(types, f"{{{_CONTENT_TYPES}}}Override")
                override.set("PartName", "/docProps/custom.xml")
                override.set("ContentType", _CUSTOM_TYPE)
                data = etree.tostring(types, xml_declaration=True, encoding="UTF-8",
                                      standalone=True)
            elif entry.filename == "_rels/.rels" and "docProps/custom.xml" not in names:
                rels = etree.fromstring(data)
                taken = {r.get("Id") for r in rels}
                number = 1
                while f"rIdPw{number}" in taken:
                    number += 1
                relation = etree.SubElement(rels, f"{{{_RELATIONSHIPS}}}Relationship")
                relation.set("Id", f"rIdPw{number}")
                relation.set("Type", _CUSTOM_REL)
                relation.set("Target", "docProps/custom.xml")
                data = etree.tostring(rels, xml_declaration=True, encoding="UTF-8",
                                      standalone=True)
            target.writestr(entry, data)
        target.writestr("docProps/custom.xml", custom_properties_xml(properties))
    return output.getvalue()


def form_properties(form_id: str, service: str | None) -> dict[str, str]:
    values = {PROP_FORM_ID: form_id, PROP_FORM_VERSION: "1"}
    if service:
        values[PROP_SERVICE] = service
    return values
