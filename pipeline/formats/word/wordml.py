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

    value: RawValue
    tag: str | None
    alias: str | None
    name: str | None  # legacy form field bookmark name
    element: etree._Element

    @cached_property
    def label(self) -> str | None:
        """The text beside the answer (same table row, or just before it); looked for only
        when a matcher asks, as most answers are known by their tag or alias."""
        return label_beside(self.element)


def _prop(pr: etree._Element | None, name: str) -> str | None:
    if pr is None:
        return None
    node = pr.find(w(name))
    return None if node is None else wattr(node, "val")


def control_tag(sdt: etree._Element) -> str | None:
    return _prop(sdt.find(w("sdtPr")), "tag")


def _is_repeating(pr: etree._Element | None) -> bool:
    return pr is not None and (
        pr.find(w15("repeatingSection")) is not None
        or pr.find(w15("repeatingSectionItem")) is not None
    )


def _inherited_names(sdt: etree._Element) -> tuple[str | None, str | None]:
    """Tag and alias of the control, else of a type-less wrapper around it.

    LibreOffice writes a checkbox as a bare checkbox control inside a wrapper control that
    carries the alias; repeating sections never lend their names to the cells inside.
    """
    pr = sdt.find(w("sdtPr"))
    tag, alias = _prop(pr, "tag"), _prop(pr, "alias")
    parent = sdt.getparent()
    while (tag is None or alias is None) and parent is not None:
        if parent.tag == w("sdt"):
            parent_pr = parent.find(w("sdtPr"))
            if _is_repeating(parent_pr) or (
                parent_pr is not None and any(c.tag in _TYPE_ELEMENTS for c in parent_pr)
            ):
                break
            tag = tag or _prop(parent_pr, "tag")
            alias = alias or _prop(parent_pr, "alias")
        parent = parent.getparent()
    return tag, alias


def _content_text(sdt: etree._Element) -> str:
    content = sdt.find(w("sdtContent"))
    return "" if content is None else text_of(content)


def control_value(sdt: etree._Element) -> RawValue:
    """What one content control holds, by its type."""
    pr = sdt.find(w("sdtPr"))
    placeholder = pr is not None and pr.find(w("showingPlcHdr")) is not None
    text = _content_text(sdt)
    box = None if pr is None else pr.find(w14("checkbox"))
    if box is not None:
        state = box.find(w14("checked"))
        raw = None if state is None else state.get(w14("val"))
        return RawValue(text=text, checked=raw in ("1", "true", "on"))
    picker = None if pr is None else pr.find(w("date"))
    if picker is not None:
        full = wattr(picker, "fullDate")
        return RawValue(text=text, full_date=_iso_date(full), showing_placeholder=placeholder)
    listing = None if pr is None else pr.find(w("dropDownList"))
    if listing is None and pr is not None:
        listing = pr.find(w("comboBox"))
    if listing is not None:
        chosen = None
        for item in listing.findall(w("listItem")):
            if (wattr(item, "displayText") or wattr(item, "value")) == text:
                chosen = wattr(item, "value")
                break
        return RawValue(text=text, choice_value=chosen, showing_placeholder=placeholder)
    return RawValue(text=text, showing_placeholder=placeholder)


def _iso_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def text_of_first_paragraph(cell: etree._Element) -> str:
    paragraph = cell.find(f".//{w('p')}")
    return "" if paragraph is None else text_of(paragraph)


def _nearest(element: etree._Element, tag: str) -> etree._Element | None:
    parent = element.getparent()
    while parent is not None and parent.tag != tag:
        parent = parent.getparent()
    return parent


def row_cells(row: etree._Element) -> list[etree._Element]:
    """The cells of a row, including cells wrapped in cell-level controls."""
    return [tc for tc in row.iter(w("tc")) if _nearest(tc, w("tr")) is row]


def table_rows(table: etree._Element) -> list[etree._Element]:
    """The rows of a table, including rows inside repeating sections (not nested tables)."""
    return [tr for tr in table.iter(w("tr")) if _nearest(tr, w("tbl")) is table]


def label_beside(element: etree._Element) -> str | None:
    """The label a person reads next to an answer: first cell of its row, or text before it."""
    cell = _nearest(element, w("tc"))
    if cell is not None:
        row = _nearest(cell, w("tr"))
        cells = [] if row is None else row_cells(row)
        if cells and cells[0] is not cell:
            return text_of_first_paragraph(cells[0]) or None
        return None
    paragraph = element if element.tag == w("p") else _nearest(element, w("p"))
    if paragraph is None:
        return None
    before: list[str] = []
    for node in paragraph.iter():  # document order: everything before the answer
        if node is element:
            break
        if node.tag == w("t"):
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
        if sdt in wrappers or _is_repeating(sdt.find(_SDT_PR)):
            continue
        if skip and any(table in skip for table in sdt.iterancestors(_TBL)):
            continue
        tag, alias = _inherited_names(sdt)
        yield Answer(_whole_cell(sdt, control_value(sdt), wrappers), tag, alias, None, sdt)


def cell_value(cell: etree._Element) -> RawValue | None:
    """The value of the first leaf content control in a table cell (what
    :func:`content_controls` would give first, without the clues a matcher needs), or
    None when the cell has none."""
    controls = list(cell.iter(_SDT))
    if not controls:
        return None
    wrappers = _wrappers(controls)
    for sdt in controls:
        if sdt not in wrappers and not _is_repeating(sdt.find(_SDT_PR)):
            return _whole_cell(sdt, control_value(sdt), wrappers)
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


def _whole_cell(sdt: etree._Element, value: RawValue, wrappers: set[etree._Element]) -> RawValue:
    """A text answer alone in its cell is the cell's whole text.

    LibreOffice keeps only the first paragraph of a multi-line answer inside the control
    and writes the others after it in the same cell; reading the cell loses nothing.
    """
    if value.checked is not None or value.full_date is not None or value.choice_value:
        return value
    cell = _nearest(sdt, _TC)
    if cell is None:
        return value
    leaves = [s for s in cell.iter(_SDT) if s not in wrappers]
    if leaves != [sdt]:
        return value
    whole = text_of(cell)
    return value if whole == value.text else value.model_copy(update={"text": whole})


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
        value = RawValue(checked=state in ("1", "true", "on"))
    elif ff.find(w("ddList")) is not None:
        listing = ff.find(w("ddList"))
        assert listing is not None
        entries = [wattr(e, "val") or "" for e in listing.findall(w("listEntry"))]
        index = int(_prop(listing, "result") or "0")
        text = entries[index] if 0 <= index < len(entries) else ""
        value = RawValue(text=text)
    else:
        text = shown.replace(_LEGACY_BLANK, " ").strip()
        value = RawValue(text=text)
    return Answer(value, None, None, name, run)
