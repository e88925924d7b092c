"""Adopting an office's own blank Word form: a definition inferred from its layout, and a
marked-up copy with content controls in its answer places.

Contract: :func:`infer` reads a blank form (the office's own: its labels in tables or
paragraphs) and returns the fields a person reads on it, each with its type, where its
answer goes and what the inference is unsure of; :func:`definition_data` turns them into
a definition (``forms/<id>.yaml``) and :func:`mark_up` into a copy of the same document
with a content control in each answer place (layout, fonts, logos and wording as they
were; only the blank lines of underscores an answer replaces go), identified by the
file's custom properties. Nothing here guesses silently: every field inferred from its
wording alone is listed as unsure, for a person to check before the form is used.

Inference, in the office's words:

- a date: a label with "date", "DOB" or "(dd/mm/yyyy)" in it;
- yes/no: a tick box beside a label, or a "☐ Yes ☐ No" pair;
- a choice: a row of ☐ options (two or more, other than Yes/No), or a dropdown;
- a signature: "Signed" or "Signature", with the "Date" beside it;
- long text: a tall or merged empty cell, or empty lines under a label;
- a table: a header row of labels over empty rows;
- the person's reference (``person_id``, which every form needs): the first label with
  "ref", "reference", "ID", "number" or "case" in it.
"""

from __future__ import annotations

import copy
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from lxml import etree
from pydantic import ValidationError

from pipeline.definitions import Catalogue, FieldSpec, FieldType, FormDefinition, normalise_label
from pipeline.errors import FormReadError, PlanwatchError
from pipeline.files import write_file
from pipeline.formats.identity import PROP_FORM_ID, PROP_FORM_VERSION, PROP_SERVICE
from pipeline.formats.safety import load_bytes, open_office_zip, parse_xml, read_part
from pipeline.formats.strict import transitional_tree
from pipeline.formats.word import controls
from pipeline.formats.word.layout import Page, fold
from pipeline.formats.word.names import CUSTOM_PROPS_NS, VT_NS, text_of, w, wattr

DOCUMENT_PART = "word/document.xml"
_BOX = "\u2610\u25a1"  # an empty tick box as offices type one
_OPTION = re.compile(rf"[{_BOX}]\s*([^{_BOX}\t]+?)\s*(?=[{_BOX}\t]|$)")
_BLANK = re.compile(r"^[\s_.\u2026\u2002]*$")
_DATE_WORDS = re.compile(r"\b(date|dob|d\.o\.b|born)\b|dd\s*/\s*mm", re.IGNORECASE)
_SIGNED = re.compile(r"^(signed|signature|sign here)\b|\bsignature$", re.IGNORECASE)
_REFERENCE = re.compile(r"\b(ref|reference|id|number|no|case)\b", re.IGNORECASE)
_LONG_WORDS = re.compile(r"\b(notes|details|describe|progress|summary|comments|help with|"
                         r"concerns|reason|what would)\b", re.IGNORECASE)
# An answer row at least this tall (twentieths of a point, 1.5 cm) is for long text.
_TALL_ROW = 850
_LABEL_MAX = 80


@dataclass
class Inferred:
    """One answer a person reads on the blank form, as inferred from its layout."""

    key: str
    label: str
    type: FieldType
    choices: list[str] = field(default_factory=list)
    unsure: list[str] = field(default_factory=list)
    where: str = ""
    # Where its answer goes: a cell, or a paragraph (after its label's runs).
    cell: etree._Element | None = None
    paragraph: etree._Element | None = None
    after_text: str = ""  # in a paragraph: the label text the answer follows
    box: str | None = None  # the tick box text that becomes a checkbox ("☐")
    signed_on: Inferred | None = None  # a signature's date
    required: bool = False  # the label carries an asterisk
    shown: str = ""  # what the empty answer place shows ("dd/mm/yyyy", a line to write on)


@dataclass
class InferredTable:
    key: str
    label: str
    columns: list[Inferred]
    header: etree._Element  # the header row
    rows: list[etree._Element]  # the empty rows under it
    where: str = ""


@dataclass
class Inference:
    """What :func:`infer` found on a blank form, in the order a person reads it."""

    title: str
    items: list[Inferred | InferredTable]
    unsure: list[str]
    root: etree._Element


def _slug(label: str, taken: set[str]) -> str:
    words = re.findall(r"[a-z0-9]+", fold(label).replace("'", ""))
    key = "_".join(words)[:40].strip("_") or "answer"
    if not key[0].isalpha():
        key = f"q_{key}"
    candidate, number = key, 2
    while candidate in taken:
        candidate, number = f"{key}_{number}", number + 1
    taken.add(candidate)
    return candidate


_DATE_HINT = re.compile(r"\s*\(\s*dd\s*/\s*mm\s*/\s*yy(?:yy)?\s*\)", re.IGNORECASE)


def _label_text(text: str) -> str:
    """A label as the form prints it, without its colon, asterisk, date hint and blank
    line (the reader matches them all the same)."""
    text = re.sub(r"[_\u2026]{2,}.*$", "", text.replace("\u00a0", " ")).strip()
    text = _DATE_HINT.sub("", text)
    return re.sub(r"\s*[:*]+\s*$", "", text).strip()


def _is_blank(text: str) -> bool:
    return bool(_BLANK.match(text))


def _options(text: str) -> list[str]:
    return [m.strip() for m in _OPTION.findall(text) if m.strip()]


# What an empty answer place shows in a blank form: a date hint, Word's placeholders.
_PLACE_SHOWS = re.compile(r"^\(?\s*dd\s*/\s*mm\s*/\s*yy(?:yy)?\s*\)?$|^(?:click|choose an "
                          r"item|enter text|type here)", re.IGNORECASE)


def _looks_like_label(text: str) -> bool:
    stripped = text.strip()
    return (bool(stripped) and len(stripped) <= _LABEL_MAX and not _is_blank(stripped)
            and not _options(stripped) and "\n" not in stripped
            and not _PLACE_SHOWS.match(stripped))


def _row_height(row: etree._Element) -> int:
    height = row.find(f"{w('trPr')}/{w('trHeight')}")
    try:
        return int(wattr(height, "val") or 0) if height is not None else 0
    except ValueError:
        return 0


class _Inferrer:
    def __init__(self, root: etree._Element) -> None:
        self.root = root
        body = root.find(w("body"))
        self.page = Page(body if body is not None else root)
        self.items: list[Inferred | InferredTable] = []
        self.unsure: list[str] = []
        self.keys: set[str] = set()
        self.labels: set[str] = set()
        self._order: list[tuple[int, Inferred | InferredTable]] = []
        self._index = {id(node): n for n, node in enumerate(root.iter())}

    # -- typing --------------------------------------------------------------------

    def _field(self, label: str, answer: str, where: str, *, tall: bool = False,
               empty_lines: int = 0, listed: list[str] | None = None) -> Inferred | None:
        required = "*" in label
        hinted = bool(_DATE_HINT.search(label))
        label = _label_text(label)
        if not label or normalise_label(label) in self.labels:
            return None
        self.labels.add(normalise_label(label))
        item = Inferred(key="", label=label, type=FieldType.TEXT, where=where,
                        required=required)
        if hinted:
            answer = f"{answer} dd/mm"
        options = _options(answer) or listed or []
        if options and {o.lower() for o in options} == {"yes", "no"}:
            item.type = FieldType.YES_NO
        elif len(options) >= 2:
            item.type, item.choices = FieldType.CHOICE, options
        elif _SIGNED.search(label):
            item.type = FieldType.SIGNATURE
        elif _DATE_WORDS.search(label) or _DATE_WORDS.search(answer):
            item.type = FieldType.DATE
            if not _DATE_WORDS.search(label):
                item.unsure.append("a date only by the hint beside it")
        elif tall or empty_lines >= 2:
            item.type = FieldType.LONG_TEXT
        elif _LONG_WORDS.search(label):
            item.type = FieldType.LONG_TEXT
            item.unsure.append("long text only by its wording (the space for it is small)")
        return item

    def _add(self, item: Inferred | InferredTable, anchor: etree._Element) -> None:
        self._order.append((self._index.get(id(anchor), 0), item))

    # -- tables --------------------------------------------------------------------

    def tables(self) -> None:
        for table in self.page.tables.values():
            rows = table.rows
            number = 0
            while number < len(rows):
                row = rows[number]
                texts = [c.text for c in row]
                later = rows[number + 1:]
                empty_after = 0
                for other in later:
                    if len(other) == len(row) and all(_is_blank(c.text) for c in other):
                        empty_after += 1
                    else:
                        break
                if (len(row) >= 2 and all(_looks_like_label(t) for t in texts)
                        and empty_after >= 2):
                    self._table(table.number, row, rows[number + 1:number + 1 + empty_after])
                    number += 1 + empty_after
                    continue
                self._label_row(table.number, row, rows[number + 1] if later else None)
                number += 1

    def _table(self, number: int, header: list[Any], rows: list[list[Any]]) -> None:
        element = header[0].row_element
        label = self._heading_before(element) or _label_text(header[0].text)
        columns = []
        taken: set[str] = set()
        for cell in header:
            column = self._field(cell.text, "", f"table {number}", tall=False) or Inferred(
                key="", label=_label_text(cell.text), type=FieldType.TEXT)
            self.labels.discard(normalise_label(column.label))  # columns may repeat labels
            if column.type is FieldType.SIGNATURE:
                column.type = FieldType.TEXT
            column.key = _slug(column.label, taken)
            columns.append(column)
        table = InferredTable(_slug(label, self.keys), label, columns, element,
                              [r[0].row_element for r in rows], f"table {number}")
        self._add(table, element)

    def _heading_before(self, row: etree._Element) -> str | None:
        table = row.getparent()
        while table is not None and table.tag != w("tbl"):
            table = table.getparent()
        previous = table.getprevious() if table is not None else None
        while previous is not None and previous.tag == w("p") and not text_of(previous).strip():
            previous = previous.getprevious()
        if previous is not None and previous.tag == w("p"):
            text = _label_text(text_of(previous))
            return text if _looks_like_label(text) else None
        return None

    def _label_row(self, number: int, row: list[Any], below: list[Any] | None) -> None:
        where = f"table {number}"
        index = 0
        while index < len(row):
            cell = row[index]
            right = row[index + 1] if index + 1 < len(row) else None
            if not _looks_like_label(cell.text) or cell.merged_up:
                index += 1
                continue
            if right is not None and _answer_place(right):
                self._cell_field(cell, right, where)
                index += 2
                continue
            target = None
            if below is not None:
                target = next((c for c in below if c.column <= cell.column
                               < c.column + c.span and _answer_place(c)), None)
            if target is not None:
                self._cell_field(cell, target, where)
            index += 1

    def _cell_field(self, label: Any, answer: Any, where: str) -> None:
        tall = (_row_height(answer.row_element) >= _TALL_ROW
                or len([p for p in answer.element.iter(w("p"))]) >= 3)
        listed = _listed_choices(answer.element)
        item = self._field(label.text, "" if listed else answer.text, where, tall=tall,
                           listed=listed)
        if item is None:
            return
        item.cell = answer.element
        if item.type is FieldType.SIGNATURE:
            self._signature_date_in_row(item, label.row_element)
        elif not listed:
            item.shown = _shown(answer.text)
        if item.type in (FieldType.YES_NO, FieldType.CHOICE):
            item.paragraph = None
        self._add(item, label.element)

    def _signature_date_in_row(self, item: Inferred, row: etree._Element) -> None:
        cells = [c for c in self.page.cells() if c.row_element is row]
        for number, cell in enumerate(cells):
            if fold(cell.text) in ("date", "dated", "date signed") and number + 1 < len(cells):
                item.signed_on = Inferred("", "date signed", FieldType.DATE,
                                          cell=cells[number + 1].element)
                self.labels.add(normalise_label(cell.text))

    # -- paragraphs ----------------------------------------------------------------

    def paragraphs(self) -> None:
        paragraphs = self.page.paragraphs
        texts = self.page.texts
        skip: set[int] = set()
        for number, (paragraph, text) in enumerate(zip(paragraphs, texts, strict=True)):
            if number in skip or not text.strip() or number == self._title_index():
                continue
            line = text.strip()
            box = re.match(rf"^([{_BOX}])\s*(.+)$", line)
            if box and not _options(box.group(2)):
                item = self._field(box.group(2), "", "a tick box line")
                if item is not None:
                    item.type, item.paragraph, item.box = FieldType.YES_NO, paragraph, box[1]
                    self._add(item, paragraph)
                continue
            segments = [s for s in re.split(r"\t+|\s{3,}", line) if s.strip()]
            if any(re.match(r"^[^:]{1,80}:", s) for s in segments):
                self._label_segments(paragraph, segments)
                continue
            inline = re.match(r"^(.{1,80}?\?)\s*(.*)$", line)
            if inline and _options(inline.group(2)):
                item = self._field(inline.group(1), inline.group(2), "a question line")
                if item is not None:
                    item.paragraph = paragraph
                    self._add(item, paragraph)
                continue
            following = self.page.following(paragraph)
            if not _looks_like_label(line) or not following:
                continue
            blank = 0
            for _, after in following:
                if after.strip():
                    break
                blank += 1
            next_text = following[blank][1] if blank < len(following) else ""
            if _options(next_text) and blank == 0:
                item = self._field(line, next_text, "an options line")
                if item is not None:
                    item.paragraph = following[0][0]
                    self._add(item, paragraph)
                    skip.add(number + 1)
            elif blank >= 1 and (line.endswith(("?", ":")) or _bold(paragraph)):
                item = self._field(line, "", "lines under a label", empty_lines=blank)
                if item is not None:
                    item.paragraph = following[0][0]
                    self._add(item, paragraph)

    def _label_segments(self, paragraph: etree._Element, segments: list[str]) -> None:
        signature: Inferred | None = None
        for segment in segments:
            label, _, answer = segment.partition(":")
            if not _is_blank(answer) or not label.strip():
                continue
            if signature is not None and fold(label) in ("date", "dated", "date signed"):
                signature.signed_on = Inferred("", "date signed", FieldType.DATE,
                                               paragraph=paragraph, after_text=segment)
                continue
            item = self._field(label, answer, "a label line")
            if item is None:
                continue
            item.paragraph, item.after_text = paragraph, segment
            if item.type is FieldType.SIGNATURE:
                signature = item
            else:
                item.shown = _shown(answer)
            self._add(item, paragraph)

    def _title_index(self) -> int | None:
        for number, text in enumerate(self.page.texts):
            if text.strip():
                return number
        return None

    def title(self) -> str:
        index = self._title_index()
        return self.page.texts[index].strip() if index is not None else ""

    def finish(self) -> list[Inferred | InferredTable]:
        items = [item for _, item in sorted(self._order, key=lambda pair: pair[0])]
        fields = [i for i in items if isinstance(i, Inferred)]
        reference = next((f for f in fields if _REFERENCE.search(f.label)
                          and f.type is FieldType.TEXT), None)
        if reference is not None:
            reference.key = "person_id"
            self.keys.add("person_id")
        else:
            self.unsure.append("no answer looks like the person's reference (a label with "
                               "'reference', 'ID' or 'number'): add one to the form, or set "
                               "key: person_id on the right field in the definition")
        for item in fields:
            if not item.key:
                item.key = _slug(item.label, self.keys)
            if item.type is FieldType.SIGNATURE and item.signed_on is None:
                item.unsure.append("a signature with no date beside it")
        return items


def _answer_place(cell: Any) -> bool:
    """A cell for an answer: no label in it, or a control or form field already there."""
    element = cell.element
    return not _looks_like_label(cell.text) or (
        element.find(f".//{w('sdt')}") is not None
        or element.find(f".//{w('ffData')}") is not None)


def _listed_choices(cell: etree._Element) -> list[str]:
    """The items of a dropdown already in an answer cell (a content control, or a legacy
    FORMDROPDOWN field), as people see them."""
    for listing in cell.iter(w("dropDownList"), w("comboBox")):
        items = [wattr(i, "displayText") or wattr(i, "value") or "" for i in
                 listing.findall(w("listItem"))]
        return [i.strip() for i in items if i.strip() and not i.lower().startswith("choose")]
    for listing in cell.iter(w("ddList")):
        return [v.strip() for v in (wattr(e, "val") or "" for e in
                                    listing.findall(w("listEntry"))) if v.strip()]
    return []


def _untagged_control(cell: etree._Element) -> etree._Element | None:
    """The one content control already in an answer cell, if it has no tag yet."""
    leaves = [sdt for sdt in cell.iter(w("sdt")) if sdt.find(f".//{w('sdt')}") is None]
    if len(leaves) != 1 or leaves[0].find(f"{w('sdtPr')}/{w('tag')}") is not None:
        return None
    return leaves[0]


def _legacy_field(cell: etree._Element) -> bool:
    return cell.find(f".//{w('ffData')}") is not None


def _bold(paragraph: etree._Element) -> bool:
    return paragraph.find(f".//{w('b')}") is not None


def infer(root: etree._Element) -> Inference:
    """The fields of a blank form (``word/document.xml``, parsed), in reading order."""
    inferrer = _Inferrer(root)
    inferrer.tables()
    inferrer.paragraphs()
    items = inferrer.finish()
    return Inference(inferrer.title(), items, inferrer.unsure, root)


# --- the definition --------------------------------------------------------------------


def _shown(text: str) -> str:
    """What an empty answer place shows, kept as its control's placeholder so the form
    looks as it did (one short line only; never for a signature, whose line would read
    as a name once LibreOffice drops the placeholder's flag)."""
    shown = text.replace("\u2002", " ").strip()
    return shown if shown and "\n" not in shown and len(shown) <= _LABEL_MAX else ""


def _field_data(item: Inferred) -> dict[str, Any]:
    data: dict[str, Any] = {"key": item.key, "label": item.label, "type": item.type.value}
    if item.shown and item.type not in (FieldType.YES_NO, FieldType.CHOICE,
                                        FieldType.SIGNATURE):
        data["placeholder"] = item.shown
    if item.type is FieldType.CHOICE:
        taken: set[str] = set()
        data["choices"] = [{"value": _slug(c, taken), "label": c} for c in item.choices]
    if item.key == "person_id" or item.required:
        data["required"] = True
    return data


def definition_data(inference: Inference, form_id: str, services: list[str],
                    source: str) -> dict[str, Any]:
    """A definition (as YAML would hold it) for the inferred form."""
    items: list[dict[str, Any]] = []
    for item in inference.items:
        if isinstance(item, InferredTable):
            items.append({"kind": "table", "key": item.key, "label": item.label,
                          "min_rows": len(item.rows),
                          "columns": [_field_data(c) for c in item.columns]})
        else:
            items.append(_field_data(item))
    return {
        "id": form_id,
        "version": 1,
        "title": inference.title or form_id,
        "services": services,
        "instructions": f"Adopted from {source} by `planwatch forms adopt`. Check every "
                        "field's type and add required, events and checks as for any form.",
        "sections": [{"title": inference.title or form_id, "items": items}],
    }


# --- the marked-up copy -----------------------------------------------------------------


def _spec(item: Inferred, key: str | None = None, kind: FieldType | None = None) -> FieldSpec:
    field_type = kind or item.type
    choices: list[dict[str, str]] = []
    if field_type is FieldType.CHOICE:
        taken: set[str] = set()
        choices = [{"value": _slug(c, taken), "label": c} for c in item.choices]
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
        if placed and text and _is_blank(text) and "\t" not in text and text.strip():
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
        if item.type is FieldType.CHOICE and item.cell is None:
            unmarked.append(f"{item.label}: a row of tick boxes, read by which one is ticked")
            continue
        if item.type is FieldType.CHOICE and item.cell is not None and _options(text_of(item.cell)):
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
                _place(item.signed_on, _control(item.signed_on, f"{item.key}_signed_on",
                                                FieldType.DATE))
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


def custom_properties(values: dict[str, str]) -> bytes:
    root = etree.Element(f"{{{CUSTOM_PROPS_NS}}}Properties",
                         nsmap={None: CUSTOM_PROPS_NS, "vt": VT_NS})  # type: ignore[dict-item]
    for pid, (name, value) in enumerate(values.items(), start=2):
        prop = etree.SubElement(root, f"{{{CUSTOM_PROPS_NS}}}property")
        prop.set("fmtid", "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}")
        prop.set("pid", str(pid))
        prop.set("name", name)
        etree.SubElement(prop, f"{{{VT_NS}}}lpwstr").text = value
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


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
        target.writestr("docProps/custom.xml", custom_properties(properties))
    return output.getvalue()


def form_properties(form_id: str, service: str | None) -> dict[str, str]:
    values = {PROP_FORM_ID: form_id, PROP_FORM_VERSION: "1"}
    if service:
        values[PROP_SERVICE] = service
    return values


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
