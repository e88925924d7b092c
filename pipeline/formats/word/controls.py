"""Word content controls (``w:sdt``): making them blank, and setting them as Word does.

The builder makes one inline control per answer; the filler sets values exactly as Word
does when a person types: the placeholder flag goes, the text is set, a checkbox's
``w14:checked`` and glyph change together, a date keeps ``w:fullDate`` and its display
text in step, and a dropdown shows the chosen item's display text.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime

from lxml import etree

from pipeline.definitions import FieldSpec, FieldType
from pipeline.formats.word.names import CHECKED_GLYPH, UNCHECKED_GLYPH, sub, w, w14, w15

PLACEHOLDER_STYLE = "PlaceholderText"
PLACEHOLDER_COLOUR = "767676"
CHECKBOX_FONT = "MS Gothic"
DISPLAY_DATE_FORMAT = "%d/%m/%Y"
DISPLAY_DATETIME_FORMAT = "%d/%m/%Y %H:%M"

_ids = itertools.count(1000)


def reset_ids(start: int = 1000) -> None:
    """Control ids restart for every document, so a build is byte-for-byte repeatable."""
    global _ids
    _ids = itertools.count(start)


def _properties(field: FieldSpec, *, placeholder: bool) -> tuple[etree._Element, etree._Element]:
    sdt = etree.Element(w("sdt"))
    pr = sub(sdt, w("sdtPr"))
    if placeholder:
        rpr = sub(pr, w("rPr"))
        sub(rpr, w("rStyle"), val=PLACEHOLDER_STYLE)
    sub(pr, w("alias"), val=field.label)
    sub(pr, w("tag"), val=field.key)
    sub(pr, w("id"), val=str(next(_ids)))
    if placeholder:
        sub(pr, w("showingPlcHdr"))
    return sdt, pr


def _run(parent: etree._Element, text: str, *, style: str | None = None) -> etree._Element:
    run = sub(parent, w("r"))
    if style is not None:
        rpr = sub(run, w("rPr"))
        sub(rpr, w("rStyle"), val=style)
        # LibreOffice ignores the character style inside plain-text controls: grey it here.
        sub(rpr, w("color"), val=PLACEHOLDER_COLOUR)
    _put_text(run, text)
    return run


def _put_text(run: etree._Element, text: str) -> None:
    for index, line in enumerate(text.split("\n")):
        if index:
            sub(run, w("br"))
        t = sub(run, w("t"), text="")
        t.text = line
        if line != line.strip() or not line:
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def blank_control(field: FieldSpec) -> etree._Element:
    """An inline content control for one answer, showing its placeholder."""
    if field.type is FieldType.YES_NO:
        sdt, pr = _properties(field, placeholder=False)
        box = sub(pr, w14("checkbox"))
        sub(box, w14("checked"), **{w14("val"): "0"})
        sub(box, w14("checkedState"), **{w14("val"): "2612", w14("font"): CHECKBOX_FONT})
        sub(box, w14("uncheckedState"), **{w14("val"): "2610", w14("font"): CHECKBOX_FONT})
        content = sub(sdt, w("sdtContent"))
        run = sub(content, w("r"))
        rpr = sub(run, w("rPr"))
        sub(rpr, w("rFonts"), ascii=CHECKBOX_FONT, eastAsia=CHECKBOX_FONT, hAnsi=CHECKBOX_FONT,
            hint="eastAsia")
        _put_text(run, UNCHECKED_GLYPH)
        return sdt
    sdt, pr = _properties(field, placeholder=True)
    if field.type is FieldType.DATE:
        picker = sub(pr, w("date"))
        sub(picker, w("dateFormat"), val="dd/MM/yyyy")
        sub(picker, w("lid"), val="en-GB")
        sub(picker, w("storeMappedDataAs"), val="dateTime")
        sub(picker, w("calendar"), val="gregorian")
    elif field.type is FieldType.CHOICE:
        listing = sub(pr, w("dropDownList"))
        for choice in field.choices:
            sub(listing, w("listItem"), displayText=choice.label, value=choice.value)
    elif field.type is FieldType.LONG_TEXT:
        sub(pr, w("text"), multiLine="1")
    else:
        sub(pr, w("text"))
    content = sub(sdt, w("sdtContent"))
    if is_block(field):
        content = sub(content, w("p"))
    _run(content, field.placeholder_text, style=PLACEHOLDER_STYLE)
    return sdt


def is_block(field: FieldSpec) -> bool:
    """Long text is a block-level control holding one paragraph per line.

    LibreOffice 7.4 drops line breaks (``w:br``) inside inline controls when it saves, so
    lines become paragraphs; it then keeps the first inside the control and the rest after
    it in the same cell, which the reader collects (see formats/word/wordml.py).
    """
    return field.type is FieldType.LONG_TEXT


def repeating_section(key: str, label: str, rows: list[etree._Element]) -> etree._Element:
    """A ``w15:repeatingSection`` holding one ``repeatingSectionItem`` per table row."""
    sdt = etree.Element(w("sdt"))
    pr = sub(sdt, w("sdtPr"))
    sub(pr, w("alias"), val=label)
    sub(pr, w("tag"), val=key)
    sub(pr, w("id"), val=str(next(_ids)))
    sub(pr, w15("repeatingSection"))
    content = sub(sdt, w("sdtContent"))
    for row in rows:
        content.append(repeating_item(row))
    return sdt


def repeating_item(row: etree._Element) -> etree._Element:
    item = etree.Element(w("sdt"))
    pr = sub(item, w("sdtPr"))
    sub(pr, w("id"), val=str(next(_ids)))
    sub(pr, w15("repeatingSectionItem"))
    sub(item, w("sdtContent")).append(row)
    return item


# --- setting values, as Word does when a person types --------------------------------


def _clear_placeholder(sdt: etree._Element) -> tuple[etree._Element, etree._Element]:
    pr = sdt.find(w("sdtPr"))
    content = sdt.find(w("sdtContent"))
    if pr is None or content is None:
        raise ValueError("not a content control")
    for flag in pr.findall(w("showingPlcHdr")):
        pr.remove(flag)
    rpr = pr.find(w("rPr"))
    if rpr is not None:
        for style in rpr.findall(w("rStyle")):
            if style.get(w("val")) == PLACEHOLDER_STYLE:
                rpr.remove(style)
        if len(rpr) == 0:
            pr.remove(rpr)
    return pr, content


def _replace_runs(content: etree._Element, text: str) -> None:
    runs = content.findall(w("r"))
    template_rpr = None
    if runs:
        old = runs[0].find(w("rPr"))
        if old is not None:
            template_rpr = etree.fromstring(etree.tostring(old))
            for style in template_rpr.findall(w("rStyle")):
                if style.get(w("val")) == PLACEHOLDER_STYLE:
                    template_rpr.remove(style)
            for colour in template_rpr.findall(w("color")):
                if colour.get(w("val")) == PLACEHOLDER_COLOUR:
                    template_rpr.remove(colour)
    for run in runs:
        content.remove(run)
    run = sub(content, w("r"))
    if template_rpr is not None and len(template_rpr):
        run.append(template_rpr)
    _put_text(run, text)


def set_text(sdt: etree._Element, text: str) -> None:
    _, content = _clear_placeholder(sdt)
    paragraphs = content.findall(w("p"))
    if not paragraphs:
        _replace_runs(content, text)
        return
    # A block-level control: one paragraph per line, formatted like the first.
    first = paragraphs[0]
    for paragraph in paragraphs[1:]:
        content.remove(paragraph)
    for line in reversed(text.split("\n")[1:]):
        paragraph = etree.Element(w("p"))
        properties = first.find(w("pPr"))
        if properties is not None:
            paragraph.append(etree.fromstring(etree.tostring(properties)))
        _replace_runs(paragraph, line)
        first.addnext(paragraph)
    _replace_runs(first, text.split("\n")[0])


def set_checkbox(sdt: etree._Element, checked: bool) -> None:
    pr, content = _clear_placeholder(sdt)
    box = pr.find(w14("checkbox"))
    if box is None:
        raise ValueError("not a checkbox control")
    state = box.find(w14("checked"))
    if state is None:
        state = sub(box, w14("checked"))
    state.set(w14("val"), "1" if checked else "0")
    for t in content.iter(w("t")):
        t.text = CHECKED_GLYPH if checked else UNCHECKED_GLYPH
        break


def set_date(sdt: etree._Element, value: date) -> None:
    pr, content = _clear_placeholder(sdt)
    picker = pr.find(w("date"))
    if picker is None:
        raise ValueError("not a date control")
    picker.set(w("fullDate"), f"{value.isoformat()}T00:00:00Z")
    _replace_runs(content, value.strftime(DISPLAY_DATE_FORMAT))


def set_datetime_text(sdt: etree._Element, value: datetime) -> None:
    set_text(sdt, value.strftime(DISPLAY_DATETIME_FORMAT))


def set_choice(sdt: etree._Element, label: str) -> None:
    _, content = _clear_placeholder(sdt)
    _replace_runs(content, label)
