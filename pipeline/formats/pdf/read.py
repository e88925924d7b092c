"""Read a filled PDF form (AcroForm) into a :class:`RawForm`.

Contract: given the file's bytes and the catalogue, return every answer keyed by the
definition's field keys (fields named as in :mod:`pipeline.formats.pdf`, or found by the label in
their tooltip), or raise a :class:`FormReadError` that names the file and says what to do:

- a password that is not empty: "remove the password and drop it again" (an empty user
  password, as "protect from editing" settings leave, is simply opened);
- no form fields at all (printed to PDF, flattened, scanned): nothing to read;
- a signature field and nothing else (printed or flattened, then signed): nothing to read,
  and said so, not "no fields";
- fields on its pages that its form's list of fields does not reach (the list, or the
  object that holds it, is damaged): damaged, not "no fields";
- an XFA-only form (LiveCycle, AEM Designer): its fields are not PDF fields;
- anything pypdf cannot parse: damaged.

Every reason is in Planwatch's words: pypdf's messages (and the names of its exceptions)
quote the file's bytes and mean nothing to the person who dropped it; its log records and
warnings never leave the process (:mod:`pipeline.formats.containment`).

The file is untrusted. pypdf has had infinite-loop and memory-ballooning bugs on crafted
files, so every step runs under tight pypdf limits (no external decoder, small streams,
few objects); the ingest path adds a time and memory limit around the whole read.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import NoReturn

from pypdf import Configuration, PasswordType, PdfReader, apply_configuration
from pypdf.errors import DependencyError
from pypdf.generic import ArrayObject, DictionaryObject, PdfObject

from pipeline.definitions import Catalogue
from pipeline.errors import FormReadError
from pipeline.formats import containment
from pipeline.formats.identity import Clue, identify, stamp_clue
from pipeline.formats.pdf.fields import FieldNode, walk
from pipeline.formats.pdf.names import INFO_FORM_ID, INFO_FORM_VERSION, INFO_SERVICE, STAMP_FIELD
from pipeline.formats.pdf.values import match
from pipeline.formats.safety import DEFAULT_LIMITS, Limits, check_size, load_bytes
from pipeline.records import RawForm

containment.install()

PDF_MAGIC = b"%PDF-"
# Far above what a form needs (a few hundred kB of streams), far below what hurts; and
# never hand a stream to an external decoder (jbig2dec) on untrusted input.
PDF_BOUNDS = Configuration(
    maximum_declared_stream_length=20_000_000,
    array_based_stream_maximum_output_length=20_000_000,
    zlib_maximum_output_length=20_000_000,
    lzw_maximum_output_length=20_000_000,
    run_length_maximum_output_length=20_000_000,
    brotli_maximum_output_length=20_000_000,
    jbig2_maximum_output_length=20_000_000,
    stream_decoding_work_maximum_length=60_000_000,
    array_maximum_element_count=50_000,
    dictionary_maximum_element_count=10_000,
    page_tree_maximum_entries=10_000,
    form_fields_maximum_entries=20_000,
    form_fields_maximum_depth=16,
    xmp_maximum_input_length=1_000_000,
    jbig2dec_binary=None,
)
_ANSWER_KINDS = ("/Tx", "/Btn", "/Ch")
_PDF_DATE = re.compile(
    r"D:(?P<y>\d{4})(?P<mo>\d{2})?(?P<d>\d{2})?(?P<h>\d{2})?(?P<mi>\d{2})?(?P<s>\d{2})?"
    r"(?P<tz>[Zz+\-])?(?P<oh>\d{2})?'?(?P<om>\d{2})?")
_PASSWORD_HINT = ("Remove the password and drop it again: open it in your PDF viewer and "
                  "save a copy without security (or print it to a fillable copy).")
_DAMAGED_HINT = "Open it in a PDF viewer, save a new copy, and drop that."
_FILL_AGAIN = ("Fill the fillable PDF form from forms/blank/ and save it in your PDF viewer "
               "(do not print it to PDF), or use the Word or Excel form.")
# Pages and annotations looked at for fields the form's list does not reach.
_MAX_PAGES_SCANNED = 200


def read_pdf(
    path: Path, catalogue: Catalogue, *, data: bytes | None = None, limits: Limits = DEFAULT_LIMITS
) -> RawForm:
    """Every answer in one PDF form, keyed by field key (see the module docstring)."""
    data = load_bytes(path, data)
    check_size(path, len(data), limits)
    if PDF_MAGIC not in data[:1024]:
        raise FormReadError(path, "this is not a PDF file (its contents do not start as a PDF)",
                            hint="Save the form from your PDF viewer as .pdf and drop again.")
    containment.install()
    try:
        with apply_configuration(PDF_BOUNDS):
            return _read(path, data, catalogue)
    except FormReadError:
        raise
    except DependencyError as exc:
        # AES-encrypted PDFs (even with an empty password) need the cryptography package.
        raise FormReadError(path, "the PDF is encrypted in a way this installation cannot "
                            "open (the 'cryptography' package is missing)",
                            hint=_PASSWORD_HINT) from exc
    # The boundary to a parser of untrusted bytes: whatever pypdf raises on a broken
    # file (its own errors, KeyError, ValueError, RecursionError...) is "damaged", in our
    # words: its messages quote the file, and its class names mean nothing to a person.
    except Exception as exc:
        raise FormReadError(path, "the PDF is damaged and cannot be read",
                            hint=_DAMAGED_HINT) from exc


def _read(path: Path, data: bytes, catalogue: Catalogue) -> RawForm:
    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
        raise FormReadError(path, "the PDF is protected by a password", hint=_PASSWORD_HINT)
    root = reader.trailer["/Root"].get_object()
    acroform = _dictionary(root.get("/AcroForm")) if isinstance(root, DictionaryObject) else None
    nodes = walk(acroform.get("/Fields"), path.name) if acroform is not None else []
    if not any(n.kind in _ANSWER_KINDS and n.name != STAMP_FIELD for n in nodes):
        _no_answer_fields(path, reader, acroform, nodes)
    info: dict[str, object] = dict(reader.metadata or {})
    clues = [Clue(_info(info, INFO_FORM_ID), _info(info, INFO_FORM_VERSION),
                  _info(info, INFO_SERVICE))]
    for node in nodes:
        if node.name == STAMP_FIELD:
            clue = stamp_clue(str(node.get("/V") or ""))
            clues += [clue] if clue else []
    definition, version, service = identify(path, catalogue, clues,
                                            titles=[_info(info, "/Title") or ""])
    matched = match(definition, nodes)
    return RawForm(
        file_name=path.name,
        form_id=definition.id,
        form_version=version,
        service=service,
        fields=matched.fields,
        tables=matched.table_rows(definition),
        unmatched=tuple(matched.unmatched),
        modified=parse_pdf_date(_info(info, "/ModDate")),
    )


def _no_answer_fields(path: Path, reader: PdfReader, acroform: DictionaryObject | None,
                      nodes: list[FieldNode]) -> NoReturn:
    """Why a PDF with no answer fields cannot be read, as exactly as the file shows."""
    if acroform is not None and "/XFA" in acroform:
        raise FormReadError(
            path, "this is an XFA form (made with Adobe LiveCycle or AEM Designer); its "
            "fields are not standard PDF form fields, so Planwatch cannot read them",
            hint="Fill the Planwatch PDF form from forms/blank/ instead, or the Word or "
            "Excel form.")
    if any(n.kind == "/Sig" for n in nodes):
        raise FormReadError(
            path, "this PDF has a signature field but none of the form's answer fields: it "
            "was printed to PDF or flattened before it was signed, so the answers are only "
            "a picture", hint="Fill the fillable PDF form from forms/blank/, save it in your "
            "PDF viewer, then sign it (signing a saved form keeps its answers), or use the "
            "Word or Excel form.")
    if _widgets_on_pages(reader):
        raise FormReadError(
            path, "the PDF is damaged: its pages have form fields, but the list of the "
            "form's fields is missing or broken, so its answers cannot be read",
            hint="Open it in a PDF viewer, save a new copy, and drop that; if the copy is "
            "refused too, fill the form again from forms/blank/.")
    raise FormReadError(
        path, "this PDF has no form fields to fill in: it was printed to PDF, flattened or "
        "scanned",
        hint=_FILL_AGAIN)


def _widgets_on_pages(reader: PdfReader) -> bool:
    """Whether any page carries a form field's widget (a field the list may not reach)."""
    try:
        pages = reader.pages
        for number in range(min(len(pages), _MAX_PAGES_SCANNED)):
            annotations = pages[number].get("/Annots")
            annotations = annotations.get_object() if isinstance(annotations, PdfObject) else None
            for annotation in annotations if isinstance(annotations, ArrayObject) else []:
                widget = _dictionary(annotation)
                if widget is not None and (widget.get("/Subtype") == "/Widget"
                                           or "/FT" in widget):
                    return True
    except Exception:  # pages too damaged to look at: nothing shows a form
        return False
    return False


def _dictionary(node: object) -> DictionaryObject | None:
    resolved = node.get_object() if isinstance(node, PdfObject) else None
    return resolved if isinstance(resolved, DictionaryObject) else None


def _info(info: object, key: str) -> str | None:
    value = info.get(key) if isinstance(info, dict) else None
    if isinstance(value, PdfObject):
        value = value.get_object()
    if value is None:
        return None
    return str(value).strip() or None


def parse_pdf_date(text: str | None) -> datetime | None:
    """A PDF date (``D:20260320101500+01'00'``) as an aware datetime; None if unreadable."""
    match = _PDF_DATE.match(text or "")
    if match is None:
        return None
    part = {k: int(v) for k, v in match.groupdict().items() if v and v.isdigit()}
    offset = timedelta(hours=part.get("oh", 0), minutes=part.get("om", 0))
    zone = timezone(-offset if match["tz"] == "-" else offset) if match["tz"] else UTC
    try:
        return datetime(part["y"], part.get("mo", 1), part.get("d", 1), part.get("h", 0),
                        part.get("mi", 0), part.get("s", 0), tzinfo=zone)
    except ValueError:
        return None
