"""Saving a workbook as a repeatable package, stamped with the time it was saved.

openpyxl stamps "modified" with the clock and each zip entry with the time of writing,
so two builds of the same form would differ. Every entry here gets a fixed zip time and
``docProps/core.xml`` gets the given modification time (a blank form's is fixed; a
filled form's is when it was saved, which decides between two copies of a form).
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from typing import Any

from lxml import etree

CORE_PART = "docProps/core.xml"
DCTERMS_NS = "http://purl.org/dc/terms/"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def workbook_bytes(workbook: Any, *, modified: datetime) -> bytes:
    """The workbook saved by openpyxl, then repacked (see the module docstring)."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    return repack(zipfile.ZipFile(buffer), modified=modified)


def repack(source: zipfile.ZipFile, *, modified: datetime,
           replace: dict[str, bytes] | None = None) -> bytes:
    """The package with fixed zip times, ``modified`` stamped and some parts replaced."""
    replace = replace or {}
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            content = replace.get(entry.filename) or source.read(entry)
            if entry.filename == CORE_PART:
                content = _stamp_modified(content, modified)
            info = zipfile.ZipInfo(entry.filename, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, content)
    return output.getvalue()


def _stamp_modified(core: bytes, modified: datetime) -> bytes:
    # Our own part, just written by openpyxl: parsing it needs none of the reader's guards.
    root = etree.fromstring(core)
    node = root.find(f"{{{DCTERMS_NS}}}modified")
    if node is not None:
        node.text = modified.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))
