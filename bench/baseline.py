"""The peer baseline: the same answers taken out with python-docx, as a developer would.

python-docx has no content-control API, so the usual recipe opens the file with
``docx.Document`` (which parses the package, styles and settings as well) and walks the
body's XML: every innermost ``w:sdt`` gives its tag and its text (a checkbox's state, a
date picker's date, a list's shown text), table rows are read cell by cell, and the form
is identified from the footer's stamp. It matches by tag only and types nothing: less
than Planwatch's reader does, never more.
"""

from __future__ import annotations

import io
import time
from pathlib import Path

import docx
from docx.oxml.ns import qn

from bench.floor import Timed

_SDT, _PR, _CONTENT, _TAG, _T = qn("w:sdt"), qn("w:sdtPr"), qn("w:sdtContent"), qn("w:tag"), \
    qn("w:t")
_W14_CHECKED = "{http://schemas.microsoft.com/office/word/2010/wordml}checked"
_W14_VAL = "{http://schemas.microsoft.com/office/word/2010/wordml}val"


def extract(data: bytes) -> dict[str, object]:
    """Tag → answer for every innermost content control, the tables' rows, the stamp."""
    document = docx.Document(io.BytesIO(data))
    answers: dict[str, object] = {}
    for sdt in document.element.body.iter(_SDT):
        content = sdt.find(_CONTENT)
        if content is None or content.find(f".//{_SDT}") is not None:
            continue
        pr = sdt.find(_PR)
        tag = pr.find(_TAG) if pr is not None else None
        if tag is None:
            continue
        checked = pr.find(f".//{_W14_CHECKED}") if pr is not None else None
        date = pr.find(qn("w:date")) if pr is not None else None
        if checked is not None:
            value: object = checked.get(_W14_VAL) in ("1", "true")
        elif date is not None:
            value = date.get(qn("w:fullDate"))
        else:
            value = "".join(t.text or "" for t in content.iter(_T))
        answers.setdefault(tag.get(qn("w:val")) or "", value)
    answers["_tables"] = [[[cell.text for cell in row.cells] for row in table.rows]
                          for table in document.tables]
    answers["_stamp"] = " ".join(p.text for section in document.sections
                                 for p in section.footer.paragraphs)
    answers["_modified"] = document.core_properties.modified
    return answers


def measure(paths: list[Path]) -> Timed:
    """Extract the answers of every .docx in ``paths`` with python-docx."""
    cpu, start = time.process_time(), time.perf_counter()
    for path in paths:
        extract(path.read_bytes())
    return Timed(len(paths), time.perf_counter() - start, time.process_time() - cpu)
