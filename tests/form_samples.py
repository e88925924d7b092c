"""Values for any form copy, made from its definition: every answer filled, every type.

Forms are added all the time, so the cross-format tests do not list values by hand: these
are made from the definition, and they are awkward on purpose (line breaks, accents,
a character Helvetica cannot draw, text starting with "=", a leading zero, a fraction).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pipeline.definitions import FieldSpec, FieldType, FormDefinition

TEXTS = ("Zoë O'Brien — café", "0161 000 0000", "=1+2 is text", "Łódź & Kraków",
         "Ada Lovelace")


def sample(spec: FieldSpec, index: int) -> Any:
    """A value a person might type into ``spec``; ``index`` varies it between fields."""
    kind = spec.type
    if kind is FieldType.TEXT or (kind is FieldType.CHOICE and not spec.choices):
        return TEXTS[index % len(TEXTS)]
    if kind is FieldType.LONG_TEXT:
        return f"First line of {spec.label}.\nSecond line, with £5 and 50% off.\n\nLast line."
    if kind is FieldType.DATE:
        return date(2026, 1 + index % 12, 1 + index % 28).isoformat()
    if kind is FieldType.DATETIME:
        return datetime(2026, 3, 1 + index % 28, 9 + index % 9, 15).isoformat(timespec="minutes")
    if kind is FieldType.YES_NO:
        return index % 2 == 0
    if kind is FieldType.CHOICE:
        return spec.choices[index % len(spec.choices)].value
    if kind is FieldType.NUMBER:
        low = spec.minimum if spec.minimum is not None else 0.0
        high = spec.maximum if spec.maximum is not None else low + 100
        middle = low + (high - low) / 2
        return middle + 0.5 if index % 2 and middle + 0.5 <= high else int(middle)
    raise AssertionError(f"no sample for {kind}")  # pragma: no cover


def sample_values(definition: FormDefinition, *, table_rows: int = 3) -> dict[str, Any]:
    """Every field and ``table_rows`` rows of every table, as JSON for ``forms fill``."""
    values: dict[str, Any] = {}
    for index, field in enumerate(definition.leaf_fields()):
        values[field.key] = "PW-00042" if field.key == "person_id" else sample(field, index)
    for table in definition.tables:
        rows = []
        for row in range(table_rows):
            cells = {c.key: sample(c, row + n) for n, c in enumerate(table.columns)}
            if row == 1:  # an optional cell left empty
                optional = [c.key for c in table.columns if not c.required]
                for key in optional[:1]:
                    del cells[key]
            rows.append(cells)
        values[table.key] = rows
    return values


# Word's "Strict Open XML Document" and Excel's "Strict Open XML Spreadsheet": the same
# parts under the ISO namespace names (ECMA-376 Part 1), and a conformance mark.
_USUAL, _STRICT = "http://schemas.openxmlformats.org/", "http://purl.oclc.org/ooxml/"
STRICT_NAMES = [
    (_USUAL + "officeDocument/2006/relationships/extended-properties",
     _STRICT + "officeDocument/relationships/extendedProperties"),
    (_USUAL + "officeDocument/2006/relationships/custom-properties",
     _STRICT + "officeDocument/relationships/customProperties"),
    (_USUAL + "officeDocument/2006/relationships", _STRICT + "officeDocument/relationships"),
    (_USUAL + "officeDocument/2006/custom-properties", _STRICT + "officeDocument/customProperties"),
    (_USUAL + "officeDocument/2006/extended-properties",
     _STRICT + "officeDocument/extendedProperties"),
    (_USUAL + "officeDocument/2006/docPropsVTypes", _STRICT + "officeDocument/docPropsVTypes"),
    (_USUAL + "officeDocument/2006/math", _STRICT + "officeDocument/math"),
    (_USUAL + "wordprocessingml/2006/main", _STRICT + "wordprocessingml/main"),
    (_USUAL + "spreadsheetml/2006/main", _STRICT + "spreadsheetml/main"),
    (_USUAL + "drawingml/2006/main", _STRICT + "drawingml/main"),
    (_USUAL + "drawingml/2006/wordprocessingDrawing", _STRICT + "drawingml/wordprocessingDrawing"),
    (_USUAL + "drawingml/2006/spreadsheetDrawing", _STRICT + "drawingml/spreadsheetDrawing"),
]


def strict_open_xml(blob: bytes) -> bytes:
    """A .docx or .xlsx as Word or Excel saves it "Strict Open XML"."""
    import io
    import zipfile

    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(blob)) as source, \
            zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = source.read(entry)
            if entry.filename.endswith((".xml", ".rels")):
                for usual, strict in STRICT_NAMES:
                    data = data.replace(usual.encode(), strict.encode())
            if entry.filename == "word/document.xml":
                data = data.replace(b"<w:document ", b'<w:document w:conformance="strict" ', 1)
            if entry.filename == "xl/workbook.xml":
                data = data.replace(b"<workbook ", b'<workbook conformance="strict" ', 1)
            target.writestr(entry, data)
    assert output.getvalue() != blob
    return output.getvalue()
