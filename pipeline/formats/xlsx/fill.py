"""Fill a blank Excel form as a person does in Excel, then save it.

Contract: ``fill_xlsx(definition, service, values, title=...)`` returns the bytes of the service's
blank Excel form with every value typed into the cell its defined name points at: text
as text (a leading "=" stays text), dates and times as real dates, numbers as numbers,
choices as the label picked from the list, yes/no as "Yes"/"No"; table rows go down the
table's named range. A table with more rows than the range is a :class:`FillError`.
Rows of long answers are made tall enough to show them, as a person would drag them.

The values go straight into the blank's sheet XML, each cell keeping the style the blank
gave it; every other part is copied unchanged. (openpyxl would load and rewrite the whole
workbook, and its handling of merged cells makes that ten times slower.)
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime
from typing import Any

from lxml import etree
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import column_index_from_string, get_column_letter

from pipeline.definitions import FieldSpec, FieldType, FormDefinition
from pipeline.errors import FillError
from pipeline.fill_values import FillValues
from pipeline.formats.identity import FIXED_STAMP
from pipeline.formats.xlsx import style
from pipeline.formats.xlsx.build import build_blank_xlsx
from pipeline.formats.xlsx.names import NO, YES, key_of_name
from pipeline.formats.xlsx.package import repack

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
XML_NS = "http://www.w3.org/XML/1998/namespace"
WORKBOOK_PART = "xl/workbook.xml"
# openpyxl writes the workbook's first sheet, the form, here (see pipeline.formats.xlsx.build).
FORM_SHEET_PART = "xl/worksheets/sheet1.xml"
_EXCEL_EPOCH = datetime(1899, 12, 30)
_REFERENCE = re.compile(r"^(?P<col>[A-Z]+)(?P<row>\d+)$")


def _m(tag: str) -> str:
    return f"{{{MAIN_NS}}}{tag}"


def cell_value(spec: FieldSpec, value: Any) -> str | float | int:
    """What a person puts in the cell for a typed value: text, or a number (dates as
    Excel's day numbers, which the cell's date format shows as dd/mm/yyyy)."""
    if spec.type is FieldType.YES_NO:
        return YES if value else NO
    if spec.type is FieldType.CHOICE and spec.choices:
        return spec.choice_label(str(value))
    if spec.type is FieldType.DATETIME:
        assert isinstance(value, datetime)
        moment = value.replace(tzinfo=None)
        return round((moment - _EXCEL_EPOCH).total_seconds() / 86400, 10)
    if spec.type is FieldType.DATE:
        assert isinstance(value, date)
        return (value - _EXCEL_EPOCH.date()).days
    if spec.type is FieldType.NUMBER:
        assert isinstance(value, int | float)
        return value
    # Characters XML cannot carry (control characters) cannot be typed into Excel either.
    return str(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


class FormSheetXml:
    """The form sheet's XML, with its cells and rows by reference."""

    def __init__(self, data: bytes) -> None:
        # The blank is Planwatch's own output, not an untrusted file.
        self.root = etree.fromstring(data)
        self.cells = {c.get("r"): c for c in self.root.iter(_m("c"))}
        self.rows = {int(r.get("r", "0")): r for r in self.root.iter(_m("row"))}
        self.widths: dict[int, float] = {}
        for col in self.root.iter(_m("col")):
            for index in range(int(col.get("min", "1")), int(col.get("max", "1")) + 1):
                self.widths[index] = float(col.get("width", style.ANSWER_WIDTH))
        # The last column of each merged cell, by its top-left reference.
        self.merged_to: dict[str, int] = {}
        for merge in self.root.iter(_m("mergeCell")):
            first, _, last = merge.get("ref", "").partition(":")
            end = _REFERENCE.match(last)
            if end is not None:
                self.merged_to[first] = column_index_from_string(end["col"])

    def put(self, reference: str, spec: FieldSpec, value: Any) -> None:
        cell = self.cells[reference]
        for child in list(cell):
            cell.remove(child)
        shown = cell_value(spec, value)
        if isinstance(shown, str):
            # An inline string: text is text, "=1+2" included (a formula would be <f>).
            cell.set("t", "inlineStr")
            text = etree.SubElement(etree.SubElement(cell, _m("is")), _m("t"))
            text.text = shown
            text.set(f"{{{XML_NS}}}space", "preserve")
        else:
            if "t" in cell.attrib:
                del cell.attrib["t"]
            etree.SubElement(cell, _m("v")).text = (
                repr(shown) if isinstance(shown, float) else str(shown))
        if spec.type is FieldType.LONG_TEXT and isinstance(shown, str):
            self._fit_height(reference, shown)

    def _fit_height(self, reference: str, text: str) -> None:
        """Make the row tall enough for the text, as a person drags it taller."""
        match = _REFERENCE.match(reference)
        assert match is not None
        first, row = column_index_from_string(match["col"]), int(match["row"])
        last = self.merged_to.get(reference, first)
        width = sum(self.widths.get(c, style.ANSWER_WIDTH) for c in range(first, last + 1))
        needed = style.lines_needed(text, width * 1.1) * style.LINE_POINTS + 6
        element = self.rows[row]
        if needed > float(element.get("ht", "0")):
            element.set("ht", f"{needed:g}")
            element.set("customHeight", "1")

    def to_bytes(self) -> bytes:
        return bytes(etree.tostring(self.root, xml_declaration=True, encoding="UTF-8",
                                    standalone=True))


def _places(workbook_xml: bytes) -> dict[str, list[list[str]]]:
    """Each key's cells, as rows of references, from the workbook's defined names."""
    places: dict[str, list[list[str]]] = {}
    for defined in etree.fromstring(workbook_xml).iter(_m("definedName")):
        reference = (defined.text or "").rsplit("!", 1)[-1].replace("$", "")
        first, _, last = reference.partition(":")
        start, end = _REFERENCE.match(first), _REFERENCE.match(last or first)
        if start is None or end is None:
            continue
        columns = range(column_index_from_string(start["col"]),
                        column_index_from_string(end["col"]) + 1)
        places[key_of_name(defined.get("name", ""))] = [
            [f"{get_column_letter(c)}{r}" for c in columns]
            for r in range(int(start["row"]), int(end["row"]) + 1)]
    return places


def fill_xlsx(definition: FormDefinition, service: str, values: FillValues,
              *, title: str, saved_at: datetime | None = None) -> bytes:
    """The filled form's bytes; ``title`` is the service's name (as on the blank) and
    ``saved_at`` becomes its last-saved time, as Excel sets it."""
    definition = definition.for_service(service)
    source = zipfile.ZipFile(io.BytesIO(build_blank_xlsx(definition, service, title=title)))
    places = _places(source.read(WORKBOOK_PART))
    sheet = FormSheetXml(source.read(FORM_SHEET_PART))
    leaves = definition.leaves_by_key
    for key, value in values.fields.items():
        sheet.put(places[key][0][0], leaves[key], value)
    for key, rows in values.tables.items():
        spec = definition.tables_by_key[key]
        grid = places[key]
        if len(rows) > len(grid):
            raise FillError(
                f"{spec.label} ({key}) has {len(rows)} rows, but the Excel form has room for "
                f"{len(grid)}.", hint="Insert rows inside the table in Excel, or use the Word "
                "form for longer tables.")
        for references, row in zip(grid, rows, strict=False):
            for column, reference in zip(spec.columns, references, strict=False):
                if column.key in row:
                    sheet.put(reference, column, row[column.key])
    return repack(source, modified=saved_at or FIXED_STAMP,
                  replace={FORM_SHEET_PART: sheet.to_bytes()})
