"""Real PDF tools for the tests: qpdf, poppler (Evince's engine), and pypdf edits.

qpdf and poppler-glib are Debian packages (.ci/run installs them); a test that needs one
is skipped, saying how to get it, when it is missing.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject

from pipeline.definitions import FieldType, FormDefinition
from pipeline.fill_values import coerce_values
from pipeline.formats.pdf.fields import FieldNode, walk
from pipeline.formats.pdf.fill import shown_text
from pipeline.formats.pdf.names import cell_name

SYSTEM_PYTHON = "/usr/bin/python3"
POPPLER_FILL = Path(__file__).with_name("poppler_fill.py")


def qpdf(*args: str) -> None:
    if shutil.which("qpdf") is None:
        pytest.skip("qpdf is not installed: `apt-get install qpdf` (.ci/run installs it)")
    result = subprocess.run(["qpdf", *args], capture_output=True, timeout=60, check=False)
    # Exit code 3 is "succeeded with warnings".
    assert result.returncode in (0, 3), result.stderr.decode()


def poppler_fill(source: Path, target: Path, values: dict[str, Any]) -> None:
    """Fill ``source`` with poppler-glib as Evince does, and save it to ``target``."""
    probe = subprocess.run(
        [SYSTEM_PYTHON, "-c", "import gi; gi.require_version('Poppler', '0.18')"],
        capture_output=True, check=False) if Path(SYSTEM_PYTHON).exists() else None
    if probe is None or probe.returncode != 0:
        pytest.skip("poppler-glib is not installed: `apt-get install gir1.2-poppler-0.18 "
                    "python3-gi` (.ci/run installs them)")
    values_file = target.with_suffix(".json")
    values_file.write_text(json.dumps(values), encoding="utf-8")
    subprocess.run([SYSTEM_PYTHON, str(POPPLER_FILL), str(source), str(target),
                    str(values_file)], check=True, capture_output=True, timeout=60)


def typed_by_a_person(definition: FormDefinition, data: dict[str, Any],
                      *, for_pypdf: bool = False) -> dict[str, Any]:
    """What a person types into each PDF field for ``data``: full field name → value
    (text, True/False for a box, ``{"choice": label}`` for a list). ``for_pypdf``: in the
    form pypdf's filler takes (a box's state name, a list's export value)."""
    values = coerce_values(definition, data)
    typed: dict[str, Any] = {}

    def one(name: str, spec: Any, value: Any) -> None:
        if spec.type is FieldType.YES_NO:
            typed[name] = ("/Yes" if value else "/Off") if for_pypdf else bool(value)
        elif spec.type is FieldType.CHOICE and spec.choices:
            typed[name] = value if for_pypdf else {"choice": spec.choice_label(value)}
        else:
            typed[name] = shown_text(spec, value)

    for key, value in values.fields.items():
        one(key, definition.leaves_by_key[key], value)
    for key, rows in values.tables.items():
        columns = {c.key: c for c in definition.tables_by_key[key].columns}
        for number, row in enumerate(rows, start=1):
            for column, value in row.items():
                one(cell_name(key, number, column), columns[column], value)
    return typed


def edit(blob: bytes, change: Callable[[PdfWriter, dict[str, FieldNode]], None]) -> bytes:
    """A copy of a PDF with ``change`` applied to its writer and its fields by name."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(blob)))
    acroform = writer.root_object.get("/AcroForm")
    nodes: dict[str, FieldNode] = {}
    if acroform is not None:
        fields = acroform.get_object()
        assert isinstance(fields, DictionaryObject)
        nodes = {n.name: n for n in walk(fields.get("/Fields"))}
    change(writer, nodes)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()
