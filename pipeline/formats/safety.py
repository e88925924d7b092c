"""Checks that run before any parser touches an untrusted file.

Office files (.docx, .xlsx) are zip archives of XML parts, and both layers can be
abused: a zip bomb (tiny file, gigabytes inflated), thousands of entries, or an XML part
with a DOCTYPE (entity expansion, "billion laughs", external entities). Password-protected
Office files are not zips at all but OLE compound files. Everything here fails with an
:class:`UnsafeFileError` (or, for a file that is merely damaged, a :class:`FormReadError`)
that names the file and says what to do, in the words of the file's own format.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from pipeline.errors import FormReadError, UnsafeFileError

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class Limits:
    """Bounds for one file; generous for real forms, far below what hurts the machine."""

    max_file_bytes: int = 25 * 1024 * 1024
    max_entries: int = 2_000
    max_total_uncompressed: int = 200 * 1024 * 1024
    max_entry_uncompressed: int = 100 * 1024 * 1024
    max_ratio: float = 200.0


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class OfficeFormat:
    """How messages name a format: "Word .docx", saved as "Word Document (.docx)"."""

    app: str
    suffix: str
    save_as: str

    @property
    def name(self) -> str:
        return f"{self.app} {self.suffix}"


WORD = OfficeFormat("Word", ".docx", "Word Document (.docx)")
EXCEL = OfficeFormat("Excel", ".xlsx", "Excel Workbook (.xlsx)")
_SAVE_AGAIN = "Save the form again and drop the new copy."
# A part is named in a reason only when it is one every Office file has, under the name
# Office gives it: any other name was made up by whoever made the file, and is its text.
_OFFICE_PART_NAME = re.compile(
    r"\[Content_Types\]\.xml|_rels/\.rels|docProps/(core|app|custom)\.xml"
    r"|word/(_rels/)?(document|styles|settings|numbering|fontTable|webSettings|footnotes"
    r"|endnotes|comments|header\d{0,2}|footer\d{0,2})\.xml(\.rels)?"
    r"|xl/(_rels/)?(workbook|styles|sharedStrings)\.xml(\.rels)?"
    r"|xl/worksheets/(_rels/)?sheet\d{1,3}\.xml(\.rels)?|xl/theme/theme\d\.xml")

# One parser for every XML part: no DTDs, no entities, no network, no huge trees.
_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_blank_text=False,
)


def part_label(name: str) -> str:
    """How a reason names a part: ``part 'word/document.xml'``, else ``one of its parts``."""
    if _OFFICE_PART_NAME.fullmatch(name):
        return f"part {name!r}"
    return "one of its parts"


def size_limit_mb(limits: Limits) -> int:
    return limits.max_file_bytes // (1024 * 1024)


def check_size(path: Path, size: int, limits: Limits = DEFAULT_LIMITS) -> None:
    if size == 0:
        raise FormReadError(path, "the file is empty (0 bytes)",
                            hint="Save the form again and drop the saved copy.")
    if size > limits.max_file_bytes:
        megabytes = limits.max_file_bytes // (1024 * 1024)
        raise UnsafeFileError(
            path, f"the file is larger than the {megabytes} MB limit for a form",
            hint="Check this is the right file; forms are normally well under 1 MB.",
        )


def load_bytes(path: Path, data: bytes | None) -> bytes:
    """The file's bytes as given, else read from disk; a read failure says what to do."""
    if data is not None:
        return data
    try:
        return path.read_bytes()
    except OSError as exc:
        raise FormReadError(path, f"cannot be opened ({exc.strerror})",
                            hint="Check the file is not open elsewhere, then retry.") from exc


def open_office_zip(path: Path, data: bytes, limits: Limits = DEFAULT_LIMITS,
                    office: OfficeFormat = WORD) -> zipfile.ZipFile:
    """Open an Office file's zip after checking it is one and that it is not a bomb."""
    check_size(path, len(data), limits)
    if data.startswith(OLE_MAGIC):
        raise UnsafeFileError(
            path, "the file is saved with a password (or in the old binary Office format)",
            hint=f"Open it, save a copy without a password as {office.suffix}, and drop that "
            "copy.",
        )
    if not data.startswith(ZIP_MAGIC):
        raise FormReadError(
            path, f"this is not a {office.name} file (its contents are not an Office document)",
            hint=f"Open it in {office.app} or LibreOffice, save as {office.save_as}, "
            "drop again.",
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FormReadError(
            path, f"the file is damaged (truncated or not a complete {office.suffix})",
            hint=f"Save the form again from {office.app} or LibreOffice and drop "
            "the new copy.",
        ) from exc
    _check_entries(path, entries, limits)
    return archive


def _check_entries(path: Path, entries: list[zipfile.ZipInfo], limits: Limits) -> None:
    if len(entries) > limits.max_entries:
        raise UnsafeFileError(path, f"the file holds {len(entries)} parts, more than a form has",
                              hint="This is not a normal form; check where it came from.")
    total = 0
    for entry in entries:
        total += entry.file_size
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size > limits.max_entry_uncompressed or (
            entry.file_size > 1024 * 1024 and ratio > limits.max_ratio
        ):
            raise UnsafeFileError(
                path, f"{part_label(entry.filename)} would inflate to {entry.file_size} "
                "bytes (a zip bomb)", hint="This is not a normal form; check where it came from.",
            )
    if total > limits.max_total_uncompressed:
        raise UnsafeFileError(path, "the file would inflate to more than a form ever needs",
                              hint="This is not a normal form; check where it came from.")


def read_part(archive: zipfile.ZipFile, name: str, path: Path,
              limits: Limits = DEFAULT_LIMITS) -> bytes:
    """Read one part, refusing to inflate past its declared size (lying headers)."""
    try:
        with archive.open(name) as handle:
            data = handle.read(limits.max_entry_uncompressed + 1)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise FormReadError(
            path, f"the file is damaged ({part_label(name)} cannot be unpacked)",
            hint=_SAVE_AGAIN,
        ) from exc
    if len(data) > limits.max_entry_uncompressed:
        raise UnsafeFileError(path, f"{part_label(name)} inflates past the limit (a zip bomb)",
                              hint="This is not a normal form; check where it came from.")
    return data


def _doctype_refusal(path: Path, part: str) -> UnsafeFileError:
    return UnsafeFileError(
        path, f"{part_label(part)} declares a DOCTYPE, which Office never writes "
        "(a known attack on XML readers)",
        hint="Do not open this file; report where it came from.",
    )


def parse_xml(data: bytes, path: Path, part: str) -> etree._Element:
    """Parse one XML part; a DOCTYPE is refused outright (no legitimate OOXML has one)."""
    # The quick scan: no "<!" in the first 64 KB (Office writes none), no DOCTYPE there.
    if data.find(b"<!", 0, 65536) != -1 and b"<!DOCTYPE" in data[:65536].upper():
        raise _doctype_refusal(path, part)
    try:
        root = etree.fromstring(data, parser=_PARSER)
    # libxml2's message quotes the part's bytes ("Bytes: 0x..", names, text): ours does not.
    except etree.XMLSyntaxError as exc:
        raise FormReadError(
            path, f"the file is damaged ({part_label(part)} is not well-formed XML)",
            hint=_SAVE_AGAIN,
        ) from exc
    # A DOCTYPE further in than the quick scan looked is still refused.
    if getattr(root.getroottree().docinfo, "doctype", ""):
        raise _doctype_refusal(path, part)
    return root


# An XML part in UTF-8 or ASCII, as Office writes every part: a DOCTYPE in it is in bytes.
_PLAIN_XML = re.compile(rb"(\xef\xbb\xbf)?\s*<(\?xml(?![^>]*\bencoding\b)|\?xml[^>]*\bencoding\s*="
                        rb"\s*[\"'](utf-?8|(us-)?ascii)[\"']|[^?])", re.IGNORECASE)


def check_unread_part(data: bytes, path: Path, part: str) -> None:
    """Refuse a part that no parser will read as :func:`parse_xml` would refuse it for a
    DOCTYPE, without parsing it: a part in UTF-8 or ASCII is searched for the bytes, and
    any other encoding (UTF-16, whatever a declaration names) is parsed to be sure."""
    if _PLAIN_XML.match(data) is None:
        parse_xml(data, path, part)
    elif b"<!" in data and b"<!DOCTYPE" in data.upper():
        raise _doctype_refusal(path, part)
