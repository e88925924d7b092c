"""Cheap copies of a filled form for another person.

Filling a form takes 20 to 50 ms; a benchmark backlog needs tens of thousands of files.
So each template form is filled once per format with Planwatch's own filler, and every
other person's copy is the template's bytes with the person's reference changed, in every
encoding the format stores it in:

- .docx and .xlsx: the text of the XML parts that hold it (``word/document.xml``, the
  worksheet); the part is deflated again and every other entry is copied byte for byte,
  so a copy is as compressed, and as costly to read, as the filled template;
- .pdf: the field value ``/V (CS\\0550010042)`` (pypdf escapes the hyphen) and the hex
  text of its appearance stream; references keep their length, so every byte offset in
  the cross-reference table stays right.

References have a fixed width (``CS-0010042``: three digits of copy number, four of the
template person), so replacing one never moves a byte in a PDF.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass

from pypdf.generic import TextStringObject

# A template person's reference: prefix, the copy number (000 in templates), the
# template person's number, and what follows (a child's "-C1").
TEMPLATE_ID = re.compile(r"\b([A-Z]+)-000(\d{4})\b")
_LOCAL_HEADER = struct.Struct("<4s5H3I2H")
_CENTRAL_HEADER = struct.Struct("<4s6H3I5HII")
_END_RECORD = struct.Struct("<4s4H2IH")


def copy_id(template_id: str, copy: int) -> str:
    """The reference of ``copy`` of a template person (``CS-0000042`` → ``CS-0070042``)."""
    if not 0 <= copy < 1000:
        raise ValueError(f"copy number {copy} does not fit three digits")
    return TEMPLATE_ID.sub(lambda m: f"{m[1]}-{copy:03d}{m[2]}", template_id)


def template_ids(text: str) -> set[str]:
    """Every template reference (``PREFIX-000NNNN``) in ``text``."""
    return {m[0] for m in TEMPLATE_ID.finditer(text)}


def _pdf_literal(text: str) -> bytes:
    buffer = io.BytesIO()
    TextStringObject(text).write_to_stream(buffer)
    return buffer.getvalue()[1:-1]  # without the parentheses


def encodings(text: str, file_format: str) -> list[bytes]:
    """How ``text`` appears in a filled file of ``file_format``."""
    if file_format == "pdf":
        hexed = text.encode("cp1252").hex()
        return [_pdf_literal(text), hexed.upper().encode(), hexed.encode()]
    return [text.encode("utf-8")]


def _replace_all(data: bytes, pairs: list[tuple[bytes, bytes]]) -> bytes:
    for old, new in pairs:
        data = data.replace(old, new)
    return data


@dataclass(frozen=True)
class _Entry:
    info: zipfile.ZipInfo
    raw: bytes  # the entry's compressed bytes, as stored


class Template:
    """One filled form, ready to be copied for other people (see the module docstring)."""

    def __init__(self, data: bytes, file_format: str, ids: set[str]) -> None:
        self.data = data
        self.file_format = file_format
        self.ids = sorted(ids)
        self._entries: list[_Entry] = []
        self._parts: dict[str, bytes] = {}
        if file_format != "pdf":
            self._load_zip()
        found = self._count(self.ids)
        missing = [i for i in self.ids if found[i] == 0]
        if missing:
            raise ValueError(f"template {file_format} does not contain {missing}")

    def _load_zip(self) -> None:
        archive = zipfile.ZipFile(io.BytesIO(self.data))
        for info in archive.infolist():
            start = info.header_offset
            name_length, extra_length = struct.unpack_from("<2H", self.data, start + 26)
            begin = start + _LOCAL_HEADER.size + name_length + extra_length
            self._entries.append(_Entry(info, self.data[begin:begin + info.compress_size]))
            if info.filename.endswith(".xml"):
                content = archive.read(info)
                if any(i.encode() in content for i in self.ids):
                    self._parts[info.filename] = content

    def _count(self, ids: list[str]) -> dict[str, int]:
        texts = [self.data] if self.file_format == "pdf" else list(self._parts.values())
        return {i: sum(t.count(e) for t in texts for e in encodings(i, self.file_format))
                for i in ids}

    def copy(self, number: int) -> bytes:
        """The same form for copy ``number`` of every person it names."""
        pairs = [(old, new) for template_id in self.ids
                 for old, new in zip(encodings(template_id, self.file_format),
                                     encodings(copy_id(template_id, number), self.file_format),
                                     strict=True)]
        if self.file_format == "pdf":
            return _replace_all(self.data, pairs)
        changed = {name: _replace_all(content, pairs) for name, content in self._parts.items()}
        return self._rezip(changed)

    def _rezip(self, changed: dict[str, bytes]) -> bytes:
        output = io.BytesIO()
        central: list[bytes] = []
        for entry in self._entries:
            info = entry.info
            if info.filename in changed:
                content = changed[info.filename]
                compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
                raw = compressor.compress(content) + compressor.flush()
                method, crc, size = zipfile.ZIP_DEFLATED, zlib.crc32(content), len(content)
            else:
                raw, method, crc, size = entry.raw, info.compress_type, info.CRC, info.file_size
            name = info.filename.encode("utf-8")
            flags = info.flag_bits & 0x0800  # keep "UTF-8 name"; no data descriptor
            year, month, day, hour, minute, second = info.date_time
            dos_time = hour << 11 | minute << 5 | second // 2
            dos_date = (year - 1980) << 9 | month << 5 | day
            offset = output.tell()
            output.write(_LOCAL_HEADER.pack(b"PK\x03\x04", 20, flags, method, dos_time,
                                            dos_date, crc, len(raw), size, len(name), 0))
            output.write(name)
            output.write(raw)
            central.append(_CENTRAL_HEADER.pack(
                b"PK\x01\x02", 20, 20, flags, method, dos_time, dos_date, crc, len(raw), size,
                len(name), 0, 0, 0, 0, info.external_attr, offset) + name)
        start = output.tell()
        for record in central:
            output.write(record)
        output.write(_END_RECORD.pack(b"PK\x05\x06", 0, 0, len(central), len(central),
                                      output.tell() - start, start, 0))
        return output.getvalue()
