"""Word files as offices really have them, for the layout reader's and adopt's tests.

- :func:`strip_controls`: every content control removed, its content kept (what Google
  Docs, a paste into a fresh document or Word's "Remove content control" leave), and
  :func:`drop_custom_properties`: the file's custom properties gone.
- :func:`paste_tables`: the form's tables pasted into a new python-docx document (no
  title, no footer, no properties: only the tables).
- Three organisation-style forms, built with python-docx the way an office builds them in
  Word, blank (``values=None``) or filled in by a person typing into the blank:
  :func:`outreach_referral` (a header row of labels over answer rows, merged cells, a
  table of goals), :func:`resident_self_assessment` ("Label:" paragraphs and ☐ option
  rows) and :func:`key_work_review` (a logo, a two-column label/answer table and a
  signature line).
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from copy import deepcopy
from typing import Any

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from lxml import etree

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CUSTOM_PART = "docProps/custom.xml"
_WORD_PARTS = re.compile(r"word/(document|header\d*|footer\d*)\.xml")
TICKED, UNTICKED = "\u2612", "\u2610"


def _w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


def _rewrite(blob: bytes, change: Callable[[str, bytes], bytes | None]) -> bytes:
    """Every entry of a package through ``change`` (None drops the entry)."""
    source = zipfile.ZipFile(io.BytesIO(blob))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = change(entry.filename, source.read(entry))
            if data is not None:
                target.writestr(entry, data)
    return output.getvalue()


def _unwrap_controls(data: bytes) -> bytes:
    root = etree.fromstring(data)
    for sdt in list(root.iter(_w("sdt"))):
        parent = sdt.getparent()
        if parent is None:
            continue
        content = sdt.find(_w("sdtContent"))
        index = parent.index(sdt)
        for offset, child in enumerate(list(content) if content is not None else []):
            parent.insert(index + offset, child)
        parent.remove(sdt)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


def strip_controls(blob: bytes) -> bytes:
    """Every content control removed from the body, headers and footers, content kept."""
    return _rewrite(blob, lambda name, data: _unwrap_controls(data)
                    if _WORD_PARTS.fullmatch(name) else data)


def drop_custom_properties(blob: bytes) -> bytes:
    """The custom properties part, its relationship and its content type, deleted."""
    def change(name: str, data: bytes) -> bytes | None:
        if name == CUSTOM_PART:
            return None
        if name in ("_rels/.rels", "[Content_Types].xml"):
            root = etree.fromstring(data)
            for node in list(root):
                if "custom" in (node.get("Target", "") + node.get("PartName", "")):
                    root.remove(node)
            return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                        standalone=True))
        return data
    return _rewrite(blob, change)


def stripped(blob: bytes) -> bytes:
    """What the issue calls a form that lost its controls: no control, no custom property."""
    return drop_custom_properties(strip_controls(blob))


def paste_tables(blob: bytes) -> bytes:
    """Every top-level table of ``blob`` pasted into a new python-docx document."""
    body = etree.fromstring(zipfile.ZipFile(io.BytesIO(blob)).read("word/document.xml"))
    tables = body.findall(f"{_w('body')}/{_w('tbl')}")
    document = docx.Document()
    target = document.element.body
    section = target.find(qn("w:sectPr"))
    for table in tables:
        copy = etree.fromstring(etree.tostring(table))
        for style in copy.iter(_w("tblStyle")):
            style.getparent().remove(style)  # the new document has no such style
        if section is not None:
            section.addprevious(copy)
            section.addprevious(document.add_paragraph()._p)
        else:  # pragma: no cover - python-docx's template always has one
            target.append(copy)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _png(width: int = 24, height: int = 12) -> bytes:
    """A small solid-colour PNG (the charity's logo)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    rows = b"".join(b"\x00" + b"\x1f\x4e\x5f" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


def _save(document: Any) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _bold(cell: Any, text: str) -> None:
    cell.paragraphs[0].add_run(text).bold = True


def _shade(cell: Any, fill: str = "D9E2F3") -> None:
    shading = etree.SubElement(cell._tc.get_or_add_tcPr(), qn("w:shd"))
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:fill"), fill)


def _options(chosen: str | None, options: list[str]) -> str:
    return "   ".join(f"{TICKED if o == chosen else UNTICKED} {o}" for o in options)


def _typed(cell: Any, text: str | None) -> None:
    """What a person types into an answer cell (one paragraph per line)."""
    if not text:
        return
    lines = text.split("\n")
    cell.paragraphs[0].add_run(lines[0])
    for line in lines[1:]:
        cell.add_paragraph(line)


# --- 1. a header row of labels over answer rows, merged cells, a table of goals --------

REFERRAL_GOALS = ("Goal", "Who will help", "Target date")


def outreach_referral(values: dict[str, Any] | None = None) -> bytes:
    """"Outreach Referral Form": labels in header rows, answers in the rows below them."""
    v = values or {}
    document = docx.Document()
    document.add_paragraph("Outreach Referral Form", style="Title")
    document.add_paragraph("Please complete every section and email it to the duty team.")
    table = document.add_table(rows=6, cols=3)
    table.style = "Table Grid"
    for cell, label in zip(table.rows[0].cells,
                           ["Client name", "Client reference *", "Date of birth (dd/mm/yyyy)"],
                           strict=True):
        _bold(cell, label)
        _shade(cell)
    for cell, key in zip(table.rows[1].cells, ["client_name", "person_id", "date_of_birth"],
                         strict=True):
        _typed(cell, v.get(key))
    address_label = table.cell(2, 0).merge(table.cell(2, 2))
    _bold(address_label, "Address")
    _shade(address_label)
    address = table.cell(3, 0).merge(table.cell(3, 2))
    table.rows[3].height = Cm(2.5)
    _typed(address, v.get("address"))
    for cell, label in zip(table.rows[4].cells, ["Referral date", "Referred by",
                                                 "Interpreter needed?"], strict=True):
        _bold(cell, label)
        _shade(cell)
    date_cell, by_cell, interpreter_cell = table.rows[5].cells
    _typed(date_cell, v.get("referral_date"))
    _typed(by_cell, v.get("referred_by"))
    interpreter = v.get("interpreter_needed")
    interpreter_cell.paragraphs[0].add_run(
        _options({True: "Yes", False: "No"}.get(interpreter) if interpreter is not None
                 else None, ["Yes", "No"]))
    document.add_paragraph()
    document.add_paragraph().add_run("Goals").bold = True
    goals = v.get("goals", [])
    table = document.add_table(rows=4, cols=3)
    table.style = "Table Grid"
    for cell, label in zip(table.rows[0].cells, REFERRAL_GOALS, strict=True):
        _bold(cell, label)
        _shade(cell)
    for number, row in enumerate(table.rows[1:]):
        goal = goals[number] if number < len(goals) else {}
        for cell, key in zip(row.cells, ["goal", "who_will_help", "target_date"], strict=True):
            _typed(cell, goal.get(key))
    return _save(document)


# --- 2. "Label:" paragraphs and ☐ option rows -------------------------------------------

SAFETY_OPTIONS = ["Very safe", "Quite safe", "Not safe"]


def resident_self_assessment(values: dict[str, Any] | None = None) -> bytes:
    """"Resident Self-Assessment" (Appendix Five style): label paragraphs, tick rows."""
    v = values or {}
    document = docx.Document()
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title = heading.add_run("Resident Self-Assessment")
    title.bold, title.font.size = True, Pt(16)
    document.add_paragraph("Appendix Five. Fill this in with your key worker in your "
                           "first week.")

    def label_line(label: str, value: str | None) -> None:
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{label}: ").bold = True
        paragraph.add_run(value if value else "_" * 30)

    label_line("Name", v.get("name"))
    label_line("Resident ID", v.get("person_id"))
    label_line("Date of assessment (dd/mm/yyyy)", v.get("date_of_assessment"))
    document.add_paragraph().add_run("How safe do you feel here?").bold = True
    document.add_paragraph(_options(v.get("how_safe"), SAFETY_OPTIONS))
    children = document.add_paragraph()
    children.add_run("Do you have children with you?  ").bold = True
    has_children = v.get("children_with_you")
    children.add_run(_options({True: "Yes", False: "No"}.get(has_children)
                              if has_children is not None else None, ["Yes", "No"]))
    agree = document.add_paragraph()
    agree.add_run(f"{TICKED if v.get('agree_to_sharing') else UNTICKED} ")
    agree.add_run("I agree to my information being shared with my support agencies")
    document.add_paragraph().add_run("What would you like help with?").bold = True
    # Three empty lines to write on; a person types over the first ones.
    lines = (v.get("help_with") or "").split("\n") if v.get("help_with") else []
    for number in range(max(3, len(lines))):
        document.add_paragraph(lines[number] if number < len(lines) else "")
    document.add_paragraph().add_run("Thank you. Your key worker will go through this "
                                      "with you.").italic = True
    return _save(document)


# --- 3. a logo, a two-column label/answer table and a signature line ------------------

RISK_OPTIONS = ["Low", "Medium", "High"]


def key_work_review(values: dict[str, Any] | None = None, *, logo: bool = True) -> bytes:
    """"Key Work Review": the charity's logo, a label/answer table, a signature line."""
    v = values or {}
    document = docx.Document()
    if logo:
        document.add_picture(io.BytesIO(_png()), width=Cm(3))
    title = document.add_paragraph()
    run = title.add_run("Key Work Review")
    run.bold, run.font.size, run.font.color.rgb = True, Pt(18), RGBColor(0x1F, 0x4E, 0x5F)
    table = document.add_table(rows=6, cols=2)
    table.style = "Table Grid"
    rows = [("Service user name:", "service_user_name"), ("Case number", "person_id"),
            ("Review date", "review_date"), ("Key worker", "key_worker"),
            ("Progress since last review", "progress"), ("Risk level", "risk_level")]
    for row, (label, key) in zip(table.rows, rows, strict=True):
        label_cell, answer_cell = row.cells
        _bold(label_cell, label)
        _shade(label_cell, "EEEEEE")
        if key == "risk_level":
            answer_cell.paragraphs[0].add_run(_options(v.get(key), RISK_OPTIONS))
        else:
            _typed(answer_cell, v.get(key))
        if key == "progress":
            row.height = Cm(3)
    document.add_paragraph()
    signature = document.add_paragraph()
    signature.add_run("Signed: ").bold = True
    signature.add_run(v.get("signed") or "_" * 25)
    signature.add_run("\t")
    signature.add_run("Date: ").bold = True
    signature.add_run(v.get("signed_on") or "_" * 12)
    return _save(document)


def with_body(blob: bytes, change: Callable[[etree._Element], None]) -> bytes:
    """``blob`` with its ``word/document.xml`` changed in place by ``change``."""
    def rewrite(name: str, data: bytes) -> bytes:
        if name != "word/document.xml":
            return data
        root = etree.fromstring(data)
        change(root)
        return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                    standalone=True))
    return _rewrite(blob, rewrite)


def deep(element: etree._Element) -> etree._Element:
    return deepcopy(element)
