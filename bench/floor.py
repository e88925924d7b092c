"""The floor: the least any reader must do to get at the answers in the same files.

- .docx: read the file, open the zip, parse with lxml the parts that hold answers and say
  which form it is (``word/document.xml``, headers and footers, ``docProps/core.xml`` and
  ``docProps/custom.xml``), with the same safe parser settings Planwatch uses;
- .xlsx: the same for ``xl/workbook.xml`` (its defined names mark the answers), the
  worksheets, shared strings and the two property parts;
- .pdf: there is no XML; pypdf parses the file and every form field's name and value
  (``/T``, ``/V``, through ``/Kids``) is read: the least a PDF reader can do.

Nothing is matched, typed, checked or stored: a reader that did only this would be
useless, which is why it is a floor.

The floor runs in one process: its rate is the floor *per reader process*. Ingest runs
several reader processes and a main process, so its figures are compared with the floor's
like with like, as CPU a file (:mod:`bench.cpu`: every process that took the file in
against the floor's one), and as the end-to-end rate per reader process against the
floor's rate.
"""

from __future__ import annotations

import io
import re
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                          huge_tree=False)
_DOCX_PARTS = re.compile(r"word/(document|header\d*|footer\d*)\.xml|docProps/(core|custom)\.xml")
_XLSX_PARTS = re.compile(
    r"xl/(workbook|sharedStrings|worksheets/sheet\d+)\.xml|docProps/(core|custom)\.xml")


@dataclass(frozen=True)
class Timed:
    files: int
    seconds: float
    cpu_seconds: float = 0.0  # this process's CPU over the same files

    @property
    def per_second(self) -> float:
        return self.files / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms(self) -> float:
        """CPU milliseconds a file."""
        return self.cpu_seconds / self.files * 1000 if self.files else 0.0


def _zip_parts(pattern: re.Pattern[str]) -> Callable[[bytes], int]:
    def parse(data: bytes) -> int:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parsed = 0
        for name in archive.namelist():
            if pattern.fullmatch(name):
                etree.fromstring(archive.read(name), _PARSER)
                parsed += 1
        return parsed

    return parse


def _pdf_fields(data: bytes) -> int:
    reader = PdfReader(io.BytesIO(data), strict=False)
    root: Any = reader.trailer["/Root"].get_object()
    acroform: Any = root["/AcroForm"].get_object()
    found = 0
    stack: list[Any] = list(acroform.get("/Fields", ArrayObject()))
    while stack:
        node = stack.pop().get_object()
        if not isinstance(node, DictionaryObject):
            continue
        node.get("/T")
        node.get("/V")
        found += 1
        stack.extend(node.get("/Kids", ArrayObject()))
    return found


FLOORS: dict[str, Callable[[bytes], int]] = {
    "docx": _zip_parts(_DOCX_PARTS), "xlsx": _zip_parts(_XLSX_PARTS), "pdf": _pdf_fields}


def measure(paths: list[Path], file_format: str) -> Timed:
    """Read and parse every file in ``paths`` (one format) as the floor does."""
    parse = FLOORS[file_format]
    cpu, start = time.process_time(), time.perf_counter()
    for path in paths:
        if parse(path.read_bytes()) == 0:
            raise ValueError(f"{path.name}: nothing to parse")
    return Timed(len(paths), time.perf_counter() - start, time.process_time() - cpu)
