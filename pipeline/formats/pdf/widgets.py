"""AcroForm fields as pypdf objects: made blank by the builder, set by the filler.

Setting a value works as a viewer does when a person types and saves: ``/V`` changes and
the widget's appearance is drawn again (a check box switches ``/AS``), so every viewer,
including those that only draw stored appearances, shows the value.
"""

from __future__ import annotations

from typing import cast

from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NumberObject,
    PdfObject,
    TextStringObject,
)

from pipeline.definitions import FieldSpec, FieldType
from pipeline.formats.pdf import appearance
from pipeline.formats.pdf.layout import CHOICE_ARROW, Placed
from pipeline.formats.pdf.names import CHECKBOX_OFF, CHECKBOX_ON, STAMP_FIELD

# Field flags (ISO 32000-1, 12.7.3.1 and 12.7.4).
READ_ONLY = 1
REQUIRED = 1 << 1
MULTILINE = 1 << 12
COMBO = 1 << 17
# Annotation flags: 4 prints the widget, 2 hides it.
PRINT = 4
HIDDEN = 2


def _name(value: str) -> NameObject:
    return NameObject(value)


def widget_size(widget: DictionaryObject) -> tuple[float, float]:
    rect = cast(ArrayObject, widget["/Rect"])
    x0, y0, x1, y1 = (float(v) for v in rect)
    return abs(x1 - x0), abs(y1 - y0)


class FormObjects:
    """Makes and changes field objects in one writer (streams must be indirect objects)."""

    def __init__(self, writer: PdfWriter, fonts: DictionaryObject | None = None) -> None:
        self.writer = writer
        self.fonts = fonts if fonts is not None else self._font_resources()

    def _font_resources(self) -> DictionaryObject:
        """``/Helv`` (WinAnsi) and ``/ZaDb``, the two standard fonts every field uses."""
        def font(base: str, key: str, encoding: str | None) -> IndirectObject:
            entries: dict[NameObject, PdfObject] = {
                _name("/Type"): _name("/Font"), _name("/Subtype"): _name("/Type1"),
                _name("/BaseFont"): _name(base), _name("/Name"): _name(key)}
            if encoding:
                entries[_name("/Encoding")] = _name(encoding)
            return self.writer._add_object(DictionaryObject(entries))

        return DictionaryObject({
            _name(appearance.TEXT_FONT): font("/Helvetica", appearance.TEXT_FONT,
                                              "/WinAnsiEncoding"),
            _name(appearance.CHECK_FONT): font("/ZapfDingbats", appearance.CHECK_FONT, None),
        })

    def stream(self, content: bytes, width: float, height: float) -> IndirectObject:
        """A form XObject drawing ``content`` in a ``width`` x ``height`` box."""
        stream = DecodedStreamObject()
        stream.set_data(content)
        stream.update({
            _name("/Type"): _name("/XObject"), _name("/Subtype"): _name("/Form"),
            _name("/BBox"): ArrayObject([FloatObject(0), FloatObject(0),
                                         FloatObject(round(width, 2)),
                                         FloatObject(round(height, 2))]),
            _name("/Resources"): DictionaryObject({_name("/Font"): self.fonts}),
        })
        return self.writer._add_object(stream)

    def _normal(self, content: bytes, widget: DictionaryObject) -> DictionaryObject:
        width, height = widget_size(widget)
        return DictionaryObject({_name("/N"): self.stream(content, width, height)})

    def blank_widget(self, placed: Placed, *, top_level: bool) -> DictionaryObject:
        """A merged field-and-widget dictionary for one answer, empty."""
        field = placed.field
        widget = DictionaryObject({
            _name("/Type"): _name("/Annot"), _name("/Subtype"): _name("/Widget"),
            _name("/Rect"): ArrayObject([FloatObject(round(v, 2)) for v in placed.rect]),
            _name("/F"): NumberObject(PRINT),
            _name("/TU"): TextStringObject(placed.tooltip),
            _name("/T"): TextStringObject(placed.name.rsplit(".", 1)[-1]),
        })
        flags = REQUIRED if field.required and top_level else 0
        width, height = widget_size(widget)
        if field.type is FieldType.YES_NO:
            widget.update({
                _name("/FT"): _name("/Btn"), _name("/V"): _name(CHECKBOX_OFF),
                _name("/AS"): _name(CHECKBOX_OFF),
                _name("/DA"): TextStringObject(f"{appearance.CHECK_FONT} 0 Tf 0 g"),
                _name("/MK"): DictionaryObject({_name("/CA"): TextStringObject("4")}),
                _name("/AP"): DictionaryObject({_name("/N"): DictionaryObject({
                    _name(CHECKBOX_ON): self.stream(appearance.check_content(width, height),
                                                    width, height),
                    _name(CHECKBOX_OFF): self.stream(b"", width, height)})}),
            })
        elif is_list(field):
            options = [ArrayObject([TextStringObject(""), TextStringObject("")])]
            options += [ArrayObject([TextStringObject(c.value), TextStringObject(c.label)])
                        for c in field.choices]
            widget.update({
                _name("/FT"): _name("/Ch"), _name("/Opt"): ArrayObject(options),
                _name("/DA"): TextStringObject(f"{appearance.TEXT_FONT} 10 Tf 0 g"),
            })
            flags |= COMBO
        else:
            multiline = field.type is FieldType.LONG_TEXT
            # Size 0 is "auto": a viewer that draws the field itself shrinks a long answer
            # to fit rather than cutting it off when the form is printed.
            widget.update({
                _name("/FT"): _name("/Tx"),
                _name("/DA"): TextStringObject(f"{appearance.TEXT_FONT} 0 Tf 0 g"),
            })
            flags |= MULTILINE if multiline else 0
        widget[_name("/Ff")] = NumberObject(flags)
        if field.type is not FieldType.YES_NO:
            widget[_name("/AP")] = self._normal(b"/Tx BMC EMC", widget)
        return widget

    def stamp_widget(self, stamp: str) -> DictionaryObject:
        """The hidden, read-only field that names the form, for viewers that drop metadata."""
        return DictionaryObject({
            _name("/Type"): _name("/Annot"), _name("/Subtype"): _name("/Widget"),
            _name("/FT"): _name("/Tx"), _name("/T"): TextStringObject(STAMP_FIELD),
            _name("/V"): TextStringObject(stamp), _name("/Ff"): NumberObject(READ_ONLY),
            _name("/F"): NumberObject(HIDDEN),
            _name("/Rect"): ArrayObject([FloatObject(0)] * 4),
            _name("/DA"): TextStringObject(f"{appearance.TEXT_FONT} 0 Tf 0 g"),
        })

    def set_text(self, field: DictionaryObject, widgets: list[DictionaryObject], value: str,
                 *, multiline: bool) -> None:
        """Type ``value`` into a text field and draw it on every widget."""
        field[_name("/V")] = TextStringObject(value)
        for widget in widgets:
            width, height = widget_size(widget)
            content = appearance.text_content(value, width, height, multiline=multiline)
            widget[_name("/AP")] = self._normal(content, widget)

    def set_choice(self, field: DictionaryObject, widgets: list[DictionaryObject], value: str,
                   label: str) -> None:
        """Pick an option of a combo box by its export value; its label is what shows."""
        field[_name("/V")] = TextStringObject(value)
        for widget in widgets:
            width, height = widget_size(widget)
            content = appearance.text_content(label, width, height, multiline=False,
                                              reserve_right=CHOICE_ARROW)
            widget[_name("/AP")] = self._normal(content, widget)


def set_check(field: DictionaryObject, widgets: list[DictionaryObject], ticked: bool) -> None:
    """Tick or untick a check box: ``/V`` and each widget's ``/AS`` change together."""
    state = _name(CHECKBOX_ON if ticked else CHECKBOX_OFF)
    field[_name("/V")] = state
    for widget in widgets:
        widget[_name("/AS")] = state


def is_list(field: FieldSpec) -> bool:
    """A choice with options is a combo box; one left with none on a copy is free text."""
    return field.type is FieldType.CHOICE and bool(field.choices)
