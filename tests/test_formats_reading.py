"""The reading entry point (pipeline/formats/reading.py) imports only what reading needs.

Every sandboxed reader process imports it first, so what it imports is paid for in every
reader process and is all a hostile file can reach: the builders' libraries (python-docx,
docxtpl, ReportLab, matplotlib) must stay out.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from pipeline.definitions import Catalogue
from pipeline.forms_service import FORMATS, fill
from pipeline.inbox.sandbox import DEFAULT_READER
from tests.form_samples import sample_values

BUILDERS_LIBRARIES = ("reportlab", "docx", "docxtpl", "matplotlib")

# What a reader process does (pipeline.inbox.sandbox._worker): import the reader named by
# DEFAULT_READER and the validator, read and check each file, then say what was imported.
_READER_PROCESS = """
import importlib, json, sys
from pathlib import Path
from pipeline.definitions import Catalogue
from pipeline.validate import validate

module, _, name = sys.argv[1].partition(":")
read_form = getattr(importlib.import_module(module), name)
catalogue = Catalogue.load()
forms = []
for path in sys.argv[2:]:
    raw = read_form(Path(path), catalogue)
    validate(raw, catalogue.get(raw.form_id))
    forms.append(raw.form_id)
print(json.dumps({"forms": forms, "modules": sorted({m.split(".")[0] for m in sys.modules})}))
"""


def test_reading_imports_none_of_the_builders_libraries(catalogue: Catalogue,
                                                         tmp_path: Path) -> None:
    assert DEFAULT_READER == "pipeline.formats.reading:read_form"
    definition = catalogue.get("support-plan")
    values = sample_values(definition.for_service("community-support"))
    paths = [fill(definition, values, tmp_path / f"plan.{suffix}", service="community-support")
             for suffix in FORMATS]
    done = subprocess.run([sys.executable, "-c", _READER_PROCESS, DEFAULT_READER,
                           *map(str, paths)], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parents[1])
    found = json.loads(done.stdout)
    assert found["forms"] == ["support-plan"] * len(FORMATS)
    assert {"lxml", "pypdf", "openpyxl"} <= set(found["modules"])
    assert not set(BUILDERS_LIBRARIES) & set(found["modules"])
