"""What an office's own blank Word form asks, inferred from its labels and layout.

Contract: :func:`infer` reads a blank form (the office's own: its labels in tables or
paragraphs) and returns the fields a person reads on it, in reading order, each with its
type, where its answer goes and what the inference is unsure of; :func:`definition_data`
turns them into a definition (``forms/<id>.yaml``). Nothing here guesses silently: a
field typed by its wording alone is listed as unsure, for a person to check.

Inference, in the office's words:

- a date: a label with "date", "DOB" or "(dd/mm/yyyy)" in it, or a date hint in its
  answer place;
- yes/no: a tick box beside a label, or a "☐ Yes ☐ No" pair;
- a choice: a row of ☐ options (two or more, other than Yes/No), or a dropdown;
- a signature: "Signed" or "Signature", with the "Date" beside it;
- long text: a tall or merged empty cell, or empty lines under a label;
- a table: a header row of labels over empty rows;
- the person's reference (``person_id``, which every form needs): the first label with
  "ref", "reference", "ID", "number" or "case" in it; a label with an asterisk is
  required.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from pipeline.definitions import FieldType
from pipeline.formats.word.layout import Page, fold
from pipeline.formats.word.names import text_of, w, wattr

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


def slug(label: str, taken: set[str]) -> str:
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


def is_blank(text: str) -> bool:
    return bool(_BLANK.match(text))


def options_in(text: str) -> list[str]:
    return [m.strip() for m in _OPTION.findall(text) if m.strip()]


# What an empty answer place shows in a blank form: a date hint, Word's placeholders.
_PLACE_SHOWS = re.compile(r"^\(?\s*dd\s*/\s*mm\s*/\s*yy(?:yy)?\s*\)?$|^(?:click|choose an "
                          r"item|enter text|type here)", re.IGNORECASE)


def _looks_like_label(text: str) -> bool:
    stripped = text.strip()
    return (bool(stripped) and len(stripped) <= _LABEL_MAX and not is_blank(stripped)
            and not options_in(stripped) and "\n" not in stripped
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
        # Labels the reader would take for one another ("Risks" and "Risks (if any)") make
        # one field: the first.
        if not label or fold(label) in self.labels:
            return None
        self.labels.add(fold(label))
        item = Inferred(key="", label=label, type=FieldType.TEXT, where=where,
                        required=required)
        if hinted:
            answer = f"{answer} dd/mm"
        options = options_in(answer) or listed or []
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
                    if len(other) == len(row) and all(is_blank(c.text) for c in other):
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
            self.labels.discard(fold(column.label))  # columns may repeat labels
            if column.type is FieldType.SIGNATURE:
                column.type = FieldType.TEXT
            column.key = slug(column.label, taken)
            columns.append(column)
        table = InferredTable(slug(label, self.keys), label, columns, element,
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
                self.labels.add(fold(cell.text))

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
            if box and not options_in(box.group(2)):
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
            if inline and options_in(inline.group(2)):
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
            if options_in(next_text) and blank == 0:
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
            if not is_blank(answer) or not label.strip():
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
                item.key = slug(item.label, self.keys)
            if item.type is FieldType.SIGNATURE and item.signed_on is None:
                item.unsure.append("a signature with no date beside it")
            elif item.signed_on is not None:
                # The date beside a signature is its block's date: a key of its own, as
                # the definition expands the block (``<key>_signed_on``), like any field.
                item.signed_on.key = f"{item.key}_signed_on"
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
        data["choices"] = [{"value": slug(c, taken), "label": c} for c in item.choices]
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
