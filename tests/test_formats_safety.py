"""Hostile and broken .docx files: a clear error naming the file, never a traceback."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import docx
import pytest

from pipeline.definitions import Catalogue
from pipeline.errors import FormReadError, UnsafeFileError
from pipeline.formats.safety import OLE_MAGIC, Limits
from pipeline.formats.word.read import read_docx
from pipeline.forms_service import fill


def _valid(tmp_path: Path, catalogue: Catalogue) -> bytes:
    return fill(catalogue.get("review"), {"person_id": "CS-1"}, tmp_path / "ok.docx").read_bytes()


def _replace_part(blob: bytes, name: str, data: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(blob))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            target.writestr(entry.filename, data if entry.filename == name else source.read(entry))
    return output.getvalue()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:body><w:p><w:r><w:t>&lol2;</w:t></w:r></w:p></w:body></w:document>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:body><w:p><w:r><w:t>&xxe;</w:t></w:r></w:p></w:body></w:document>"""


def _some_other_document() -> bytes:
    document = docx.Document()
    document.add_paragraph("Shopping list")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# Text a hostile or damaged file carries where a parser's message would quote it.
PERSONAL = ("Jane", "Example", "1981")


def _named_bomb(blob: bytes) -> bytes:
    """A bomb in a part whose name the file made up (a person's name, a date of birth)."""
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in zipfile.ZipFile(io.BytesIO(blob)).infolist():
            target.writestr(entry.filename, zipfile.ZipFile(io.BytesIO(blob)).read(entry))
        target.writestr("word/media/Jane Example 12-04-1981.png", b"\0" * (5 * 1024 * 1024))
    return output.getvalue()


def _zip_bomb() -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        target.writestr("[Content_Types].xml", b"<Types/>")
        target.writestr("word/document.xml", b"<" + b" " * (150 * 1024 * 1024) + b"/>")
    return output.getvalue()


@pytest.mark.parametrize(
    ("make", "error", "words"),
    [
        pytest.param(lambda ok: b"just some text, not a document", FormReadError,
                     "not a Word .docx file", id="not_a_zip"),
        pytest.param(lambda ok: ok[: len(ok) // 2], FormReadError, "damaged", id="truncated"),
        pytest.param(lambda ok: b"", FormReadError, "empty", id="zero_bytes"),
        pytest.param(lambda ok: OLE_MAGIC + b"\0" * 600, UnsafeFileError, "password",
                     id="encrypted_docx_is_an_ole_container"),
        pytest.param(lambda ok: _replace_part(ok, "word/document.xml", BILLION_LAUGHS),
                     UnsafeFileError, "DOCTYPE", id="billion_laughs"),
        pytest.param(lambda ok: _replace_part(ok, "word/document.xml", EXTERNAL_ENTITY),
                     UnsafeFileError, "DOCTYPE", id="external_entity"),
        pytest.param(lambda ok: _replace_part(ok, "word/document.xml", b"<w:document"),
                     FormReadError, "not well-formed", id="broken_xml"),
        pytest.param(lambda ok: _zip_bomb(), UnsafeFileError, "zip bomb", id="zip_bomb"),
        pytest.param(lambda ok: _some_other_document(), FormReadError, "not a Planwatch form",
                     id="word_document_that_is_not_a_form"),
        pytest.param(lambda ok: _replace_part(ok, "word/document.xml",
                                              b"<document><Jane_Example_1981></document>"),
                     FormReadError, "not well-formed", id="xml_error_quotes_the_part"),
        pytest.param(_named_bomb, UnsafeFileError, "one of its parts would inflate",
                     id="bomb_in_a_part_named_after_a_person"),
    ],
)
def test_hostile_or_broken_file_gets_a_clear_error(
    tmp_path: Path, catalogue: Catalogue, make: object, error: type[Exception], words: str
) -> None:
    data = make(_valid(tmp_path, catalogue))  # type: ignore[operator]
    path = tmp_path / "dropped.docx"
    path.write_bytes(data)
    with pytest.raises(error) as caught:
        read_docx(path, catalogue)
    assert words in str(caught.value)
    assert "dropped.docx" in str(caught.value)
    assert caught.value.hint  # type: ignore[attr-defined]
    # Planwatch's own words: no parser's message, no exception's name.
    assert not any(secret in str(caught.value) for secret in PERSONAL)
    assert not re.search(r"\w+(Error|Exception)\b", str(caught.value))
    if words == "not a Planwatch form":  # and where the right form comes from
        assert "forms/blank" in (caught.value.hint or "")  # type: ignore[attr-defined]


def test_oversized_file_is_refused_before_parsing(tmp_path: Path, catalogue: Catalogue) -> None:
    path = tmp_path / "big.docx"
    path.write_bytes(_valid(tmp_path, catalogue))
    with pytest.raises(UnsafeFileError, match="larger than"):
        read_docx(path, catalogue, limits=Limits(max_file_bytes=1000))
