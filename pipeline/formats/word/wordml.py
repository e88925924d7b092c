"""Finding answers in WordprocessingML: content controls, legacy form fields, tables.

Everything here works on parsed XML and knows nothing of form definitions; it reports
each answer with every clue a matcher may need (tag, alias, legacy bookmark name, the
label beside it), because office suites keep different clues: Word keeps all of them,
LibreOffice 7.4 drops every ``w:tag`` and keeps ``w:alias`` only on plain-text controls.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

from lxml import etree

from pipeline.formats.word.names import text_of, w, w14, w15, wattr
from pipeline.records import RawValue

# Elements of w:sdtPr that say what kind of control it is; a wrapper has none of them.
_TYPE_ELEMENTS = {
    w("text"), w("date"), w("dropDownList"), w("comboBox"), w("richText"), w("picture"),
    w("docPartObj"), w("docPartList"), w("group"), w("citation"), w("bibliography"),
    w("equation"), w14("checkbox"), w15("repeatingSection"), w15("repeatingSectionItem"),
}
_SDT, _SDT_PR, _TBL, _TC, _FLD_CHAR = w("sdt"), w("sdtPr"), w("tbl"), w("tc"), w("fldChar")
# Word shows five en spaces in an empty legacy text field.
_LEGACY_BLANK = "\u2002"


@dataclass(frozen=True)
class Answer:
    """One answer found in the document, with the clues that identify it."""

    found: dict[str, Any]  # what the control holds: RawValue's fields but ``matched_by``
    tag: str | None
    alias: str | None
    name: str | None  # legacy form field bookmark name
    element: etree._Element

    def value(self, matched_by: str) -> RawValue:
        return RawValue(**self.found, matched_by=matched_by)

    @cached_property
    def label(self) -> str | None:
        """The text beside the answer (same table row, or just before it); looked for only
        when a matcher asks, as most answers are known by their tag or alias."""
        return label_beside(self.element)


@dataclass(frozen=True)
class _Properties:
    """What one control's ``w:sdtPr`` says, from a single pass over its children (the
    first of each kind counts, as ``find`` would take it)."""

    tag: str | None
    alias: str | None
    placeholder: bool
    checkbox: etree._Element | None
    date: etree._Element | None
    listing: etree._Element | None  # a drop-down list, else a combo box
    repeating: bool
    typed: bool  # says what kind of control it is (a wrapper says nothing)


_NO_PROPERTIES = _Properties(None, None, False, None, None, None, False, False)
_TAG, _ALIAS, _PLACEHOLDER, _DATE = w("tag"), w("alias"), w("showingPlcHdr"), w("date")
_DROP_DOWN, _COMBO, _CHECKBOX = w("dropDownList"), w("comboBox"), w14("checkbox")
_REPEATING = (w15("repeatingSection"), w15("repeatingSectionItem"))
_REPEATING_SET = frozenset(_REPEATING)
_CONTENT, _TR, _P, _T = w("sdtContent"), w("tr"), w("p"), w("t")


def _properties(sdt: etree._Element) -> _Properties:
    pr = next(sdt.iterchildren(_SDT_PR), None)
    if pr is None:
        return _NO_PROPERTIES
    first: dict[str, etree._Element] = {}
    for child in reversed(pr):  # the first of each tag wins, as ``find`` takes it
        first[child.tag] = child
    tag, alias = first.get(_TAG), first.get(_ALIAS)
    return _Properties(
        tag=None if tag is None else wattr(tag, "val"),
        alias=None if alias is None else wattr(alias, "val"),
        placeholder=_PLACEHOLDER in first, checkbox=first.get(_CHECKBOX),
        date=first.get(_DATE), listing=first.get(_DROP_DOWN, first.get(_COMBO)),
        repeating=not _REPEATING_SET.isdisjoint(first),
        typed=not _TYPE_ELEMENTS.isdisjoint(first))


def _prop(parent: etree._Element | None, name: str) -> str | None:
    if parent is None:
        return None
    node = parent.find(w(name))
    return None if node is None else wattr(node, "val")


def control_tag(sdt: etree._Element) -> str | None:
    return _properties(sdt).tag


def is_repeating_section(sdt: etree._Element) -> bool:
    """Whether the control is a repeating section (``w15:repeatingSection``)."""
    return any(next(pr.iterchildren(_REPEATING[0]), None) is not None
               for pr in sdt.iterchildren(_SDT_PR))


def _inherited_names(sdt: etree._Element, own: _Properties) -> tuple[str | None, str | None]:
    """Tag and alias of the control, else of a type-less wrapper around it.

    LibreOffice writes a checkbox as a bare checkbox control inside a wrapper control that
    carries the alias; repeating sections never lend their names to the cells inside.
    """
    tag, alias = own.tag, own.alias
    if tag is None or alias is None:
        for parent in sdt.iterancestors(_SDT):
            parent_pr = _properties(parent)
            if parent_pr.repeating or parent_pr.typed:
                break
            tag = tag or parent_pr.tag
            alias = alias or parent_pr.alias
            if tag is not None and alias is not None:
                break
    return tag, alias


def _content_text(sdt: etree._Element) -> str:
    content = next(sdt.iterchildren(_CONTENT), None)
    return "" if content is None else text_of(content)


def control_value(sdt: etree._Element) -> RawValue:
    """What one content control holds, by its type."""
    return RawValue(**_control_found(sdt, _properties(sdt)))


def _control_found(sdt: etree._Element, pr: _Properties) -> dict[str, Any]:
    """RawValue's fields (but ``matched_by``) for what one control holds, by its type."""
    text = _content_text(sdt)
    box = pr.checkbox
    if box is not None:
        state = next(box.iterchildren(w14("checked")), None)
        raw = None if state is None else state.get(w14("val"))
        return {"text": text, "checked": raw in ("1", "true", "on")}
    picker = pr.date
    if picker is not None:
        full = wattr(picker, "fullDate")
        return {"text": text, "full_date": _iso_date(full),
                "showing_placeholder": pr.placeholder}
    listing = pr.listing
    if listing is not None:
        chosen = None
        for item in listing.iterchildren(w("listItem")):
            if (wattr(item, "displayText") or wattr(item, "value")) == text:
                chosen = wattr(item, "value")
                break
        return {"text": text, "choice_value": chosen, "showing_placeholder": pr.placeholder}
    return {"text": text, "showing_placeholder": pr.placeholder}


def _iso_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def text_of_first_paragraph(cell: etree._Element) -> str:
    paragraph = next(cell.iterdescendants(_P), None)
    return "" if paragraph is None else text_of(paragraph)


def _nearest(element: etree._Element, tag: str) -> etree._Element | None:
    return next(element.iterancestors(tag), None)


def row_cells(row: etree._Element) -> list[etree._Element]:
    """The cells of a row, including cells wrapped in cell-level controls."""
    return [tc for tc in row.iter(_TC) if _nearest(tc, _TR) is row]


def table_rows(table: etree._Element) -> list[etree._Element]:
    """The rows of a table, including rows inside repeating sections (not nested tables)."""
    return [tr for tr in table.iter(_TR) if _nearest(tr, _TBL) is table]


def label_beside(element: etree._Element) -> str | None:
    """The label a person reads next to an answer: first cell of its row, or text before it."""
    cell = _nearest(element, _TC)
    if cell is not None:
        row = _nearest(cell, _TR)
        cells = [] if row is None else row_cells(row)
        if cells and cells[0] is not cell:
            return text_of_first_paragraph(cells[0]) or None
        return None
    paragraph = element if element.tag == _P else _nearest(element, _P)
    if paragraph is None:
        return None
    before: list[str] = []
    for node in paragraph.iter():  # document order: everything before the answer
        if node is element:
            break
        if node.tag == _T:
            before.append(node.text or "")
    text = "".join(before).strip()
    if text:
        return text
    previous = paragraph.getprevious()
    return (text_of(previous).strip() or None) if previous is not None else None


def content_controls(root: etree._Element, skip: set[etree._Element]) -> Iterator[Answer]:
    """Every leaf content control (one with no control inside), outside ``skip`` tables."""
    controls = list(root.iter(_SDT))
    wrappers = _wrappers(controls)
    for sdt in controls:
        if sdt in wrappers:
            continue
        own = _properties(sdt)
        if own.repeating:
            continue
        if skip and any(table in skip for table in sdt.iterancestors(_TBL)):
            continue
        tag, alias = _inherited_names(sdt, own)
        yield Answer(_whole_cell(sdt, _control_found(sdt, own), wrappers), tag, alias, None,
                     sdt)


def cell_value(cell: etree._Element, matched_by: str) -> RawValue | None:
    """The value of the first leaf content control in a table cell (what
    :func:`content_controls` would give first, without the clues a matcher needs), or
    None when the cell has none."""
    controls = list(cell.iter(_SDT))
    if not controls:
        return None
    wrappers = _wrappers(controls)
    for sdt in controls:
        if sdt in wrappers:
            continue
        own = _properties(sdt)
        if not own.repeating:
            return RawValue(**_whole_cell(sdt, _control_found(sdt, own), wrappers),
                            matched_by=matched_by)
    return None


def _wrappers(controls: list[etree._Element]) -> set[etree._Element]:
    """The controls among ``controls`` that hold another control (all the others are
    leaves); each control's ancestors are walked once."""
    wrappers: set[etree._Element] = set()
    for sdt in controls:
        for ancestor in sdt.iterancestors(_SDT):
            if ancestor in wrappers:
                break  # and so are all of its own ancestors
            wrappers.add(ancestor)
    return wrappers


def _whole_cell(sdt: etree._Element, found: dict[str, Any],
                wrappers: set[etree._Element]) -> dict[str, Any]:
    """A text answer alone in its cell is the cell's whole text.

    LibreOffice keeps only the first paragraph of a multi-line answer inside the control
    and writes the others after it in the same cell; reading the cell loses nothing.
    """
    if found.get("checked") is not None or found.get("full_date") is not None or \
            found.get("choice_value"):
        return found
    cell = _nearest(sdt, _TC)
    if cell is None:
        return found
    leaves = [s for s in cell.iter(_SDT) if s not in wrappers]
    if leaves != [sdt]:
        return found
    whole = text_of(cell)
    return found if whole == found["text"] else {**found, "text": whole}


def legacy_fields(root: etree._Element, skip: set[etree._Element]) -> Iterator[Answer]:
    """FORMTEXT, FORMCHECKBOX and FORMDROPDOWN fields of older Word forms."""
    if next(root.iter(_FLD_CHAR), None) is None:
        return  # no field at all (a quick search, before looking at every run)
    current: etree._Element | None = None
    begin_run: etree._Element | None = None
    collecting = False
    result: list[str] = []
    for run in root.iter(w("r")):
        char = run.find(w("fldChar"))
        kind = None if char is None else wattr(char, "fldCharType")
        if kind == "begin" and char is not None and char.find(w("ffData")) is not None:
            current, begin_run, collecting, result = char.find(w("ffData")), run, False, []
            continue
        if current is None or begin_run is None:
            continue
        if kind == "separate":
            collecting = True
        elif kind == "end":
            if not any(t in skip for t in begin_run.iterancestors(w("tbl"))):
                yield _legacy_answer(current, "".join(result), begin_run)
            current = begin_run = None
        elif collecting:
            result.extend(t.text or "" for t in run.iter(w("t")))


def _legacy_answer(ff: etree._Element, shown: str, run: etree._Element) -> Answer:
    name = _prop(ff, "name")
    box = ff.find(w("checkBox"))
    if box is not None:
        checked = box.find(w("checked"))
        if checked is None:
            checked = box.find(w("default"))
        state = None if checked is None else (wattr(checked, "val") or "1")
        found: dict[str, Any] = {"checked": state in ("1", "true", "on")}
    elif ff.find(w("ddList")) is not None:
        listing = ff.find(w("ddList"))
        assert listing is not None
        entries = [wattr(e, "val") or "" for e in listing.findall(w("listEntry"))]
        index = int(_prop(listing, "result") or "0")
        text = entries[index] if 0 <= index < len(entries) else ""
        found = {"text": text}
    else:
        text = shown.replace(_LEGACY_BLANK, " ").strip()
        found = {"text": text}
    return Answer(found, None, None, name, run)
