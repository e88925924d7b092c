"""Reading PDF forms: Planwatch's own, other tools' and viewers' copies, and hostile files."""

from __future__ import annotations

import io
import json
import logging
import re
import subprocess
import sys
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)
from reportlab.pdfgen.canvas import Canvas

from pipeline.definitions import Catalogue, FormDefinition
from pipeline.errors import FillError, FormReadError
from pipeline.fill_values import coerce_values
from pipeline.formats.pdf.fields import FieldNode
from pipeline.formats.pdf.fill import fill_pdf
from pipeline.formats.pdf.read import read_pdf
from pipeline.formats.reading import read_form
from pipeline.formats.titles import service_title
from pipeline.forms_service import blank_path, check, fill
from pipeline.records import Record
from tests.form_samples import sample_values
from tests.log_records import reaching_root, text_reaching_root
from tests.pdf_tools import edit, poppler_fill, qpdf, typed_by_a_person

SERVICE = "community-support"


@pytest.fixture(scope="module")
def plan(catalogue: Catalogue) -> FormDefinition:
    return catalogue.get("support-plan").for_service(SERVICE)


@pytest.fixture(scope="module")
def values(plan: FormDefinition) -> dict[str, Any]:
    return sample_values(plan)


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory, plan: FormDefinition,
           values: dict[str, Any]) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "plan.pdf"
    return fill(plan, values, path, service=SERVICE,
                saved_at=datetime(2026, 3, 20, 10, 15, tzinfo=UTC))


@pytest.fixture(scope="module")
def expected(filled: Path, catalogue: Catalogue) -> Record:
    return check(filled, catalogue)


def _same(got: Record, want: Record) -> None:
    assert got.values == want.values
    assert got.tables == want.tables
    assert got.findings == want.findings
    assert (got.form_id, got.service, got.person_id) == (want.form_id, want.service,
                                                         want.person_id)


def test_filled_form_reads_back_what_was_typed(
    filled: Path, catalogue: Catalogue, plan: FormDefinition, values: dict[str, Any]
) -> None:
    raw = read_pdf(filled, catalogue)
    typed = coerce_values(plan, values)
    record = check(filled, catalogue)
    assert {k: record.values[k] for k in typed.fields} == typed.fields
    assert [{k: v for k, v in row.items() if v is not None}
            for row in record.tables["actions"]] == typed.tables["actions"]
    assert raw.modified == datetime(2026, 3, 20, 10, 15, tzinfo=UTC)
    assert (raw.form_id, raw.form_version, raw.service) == ("support-plan", 1, SERVICE)
    assert not raw.unmatched
    assert raw.fields["review_frequency"].choice_value == values["review_frequency"]


# --- the same answers, saved by other tools ---------------------------------------------


def _rename_on_state(to: str) -> Callable[[PdfWriter, dict[str, FieldNode]], None]:
    """Check boxes whose on-state is ``to`` (/On, /1), as other form makers write them."""
    def change(writer: PdfWriter, nodes: dict[str, FieldNode]) -> None:
        for node in nodes.values():
            if node.kind != "/Btn":
                continue
            appearances = node.field["/AP"]["/N"]
            appearances[NameObject(to)] = appearances.pop("/Yes")
            for key in ("/V", "/AS"):
                if node.field[key] == "/Yes":
                    node.field[NameObject(key)] = NameObject(to)
    return change


def _need_appearances_only(writer: PdfWriter, nodes: dict[str, FieldNode]) -> None:
    """Values with no appearances at all: the viewer is asked to draw them."""
    writer.root_object["/AcroForm"][NameObject("/NeedAppearances")] = BooleanObject(True)
    for node in nodes.values():
        for key in ("/AP", "/AS"):
            node.field.pop(key, None)


def _state_only_in_appearance(writer: PdfWriter, nodes: dict[str, FieldNode]) -> None:
    """Check boxes whose only record of a tick is the widget's /AS (no /V)."""
    for node in nodes.values():
        if node.kind == "/Btn":
            node.field.pop("/V", None)


def _carriage_returns(writer: PdfWriter, nodes: dict[str, FieldNode]) -> None:
    """Line breaks as Acrobat stores them (CR), not LF."""
    for node in nodes.values():
        value = node.field.get("/V")
        if node.kind == "/Tx" and isinstance(value, str) and "\n" in value:
            node.field[NameObject("/V")] = TextStringObject(value.replace("\n", "\r"))


def _incremental_save(blob: bytes) -> bytes:
    """Saved as Acrobat saves: the original bytes kept, an update appended after them."""
    writer = PdfWriter(PdfReader(io.BytesIO(blob)), incremental=True)
    writer.add_metadata({"/ModDate": "D:20260321090000Z"})
    output = io.BytesIO()
    writer.write(output)
    assert output.getvalue().startswith(blob)
    return output.getvalue()


def _pypdf_rc4_empty_password(blob: bytes) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(blob)))
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


SAME_ANSWERS = [
    pytest.param(lambda blob, tmp: edit(blob, _rename_on_state("/On")),
                 id="checkbox_on_value_On"),
    pytest.param(lambda blob, tmp: edit(blob, _rename_on_state("/1")), id="checkbox_on_value_1"),
    pytest.param(lambda blob, tmp: edit(blob, _need_appearances_only),
                 id="need_appearances_only"),
    pytest.param(lambda blob, tmp: edit(blob, _state_only_in_appearance),
                 id="checkbox_state_only_in_AS"),
    pytest.param(lambda blob, tmp: edit(blob, _carriage_returns), id="acrobat_line_breaks_CR"),
    pytest.param(lambda blob, tmp: _incremental_save(blob), id="incremental_update_save"),
    pytest.param(lambda blob, tmp: _pypdf_rc4_empty_password(blob),
                 id="empty_user_password_rc4"),
]


@pytest.mark.parametrize("make", SAME_ANSWERS)
def test_other_producers_copies_read_the_same(
    make: Callable[[bytes, Path], bytes], filled: Path, expected: Record,
    catalogue: Catalogue, tmp_path: Path,
) -> None:
    path = tmp_path / "copy.pdf"
    path.write_bytes(make(filled.read_bytes(), tmp_path))
    _same(check(path, catalogue), expected)


QPDF_REWRITES = [
    pytest.param(["--object-streams=generate", "--compress-streams=y"],
                 id="qpdf_object_streams"),
    pytest.param(["--linearize"], id="qpdf_linearized"),
    pytest.param(["--encrypt", "", "owner-secret", "256", "--"],
                 id="qpdf_empty_user_password_aes256"),
    pytest.param(["--generate-appearances"], id="qpdf_generate_appearances"),
]


@pytest.mark.parametrize("arguments", QPDF_REWRITES)
def test_qpdf_rewritten_copies_read_the_same(
    arguments: list[str], filled: Path, expected: Record, catalogue: Catalogue, tmp_path: Path
) -> None:
    source = tmp_path / "need-appearances.pdf"
    source.write_bytes(edit(filled.read_bytes(), _need_appearances_only))
    target = tmp_path / "rewritten.pdf"
    qpdf(str(source), *arguments, str(target))
    _same(check(target, catalogue), expected)


def test_filled_and_saved_in_a_poppler_viewer(
    plan: FormDefinition, values: dict[str, Any], expected: Record, catalogue: Catalogue,
    tmp_path: Path,
) -> None:
    """A person fills the blank in Evince (poppler), which saves an incremental update."""
    blank = blank_path(catalogue, plan, SERVICE, "pdf")
    target = tmp_path / "evince.pdf"
    poppler_fill(blank, target, typed_by_a_person(plan, values))
    assert target.read_bytes().startswith(blank.read_bytes())
    _same(check(target, catalogue), expected)


def test_filled_by_another_library_that_relies_on_need_appearances(
    plan: FormDefinition, values: dict[str, Any], expected: Record, catalogue: Catalogue,
    tmp_path: Path,
) -> None:
    """pypdf's own filler: its appearances, /NeedAppearances set, check boxes by state."""
    writer = PdfWriter(clone_from=PdfReader(blank_path(catalogue, plan, SERVICE, "pdf")))
    flat = typed_by_a_person(plan, values, for_pypdf=True)
    writer.set_need_appearances_writer(True)
    for page in writer.pages:
        writer.update_page_form_field_values(page, flat, auto_regenerate=False)
    path = tmp_path / "pypdf.pdf"
    writer.write(path)
    _same(check(path, catalogue), expected)


# --- long answers are never cut off ----------------------------------------------------


def test_long_answer_is_kept_whole_and_drawn_smaller(
    plan: FormDefinition, catalogue: Catalogue, tmp_path: Path
) -> None:
    story = " ".join(f"Sentence {n} of a long account of what the person needs." for n in
                     range(60))
    path = fill(plan, {"person_id": "PW-1", "needs_summary": story, "full_name": "Łódź"},
                tmp_path / "long.pdf")
    assert check(path, catalogue).values["needs_summary"] == story
    reader = PdfReader(path)
    field = reader.get_fields()["needs_summary"]  # type: ignore[index]
    widget = next(a.get_object() for p in reader.pages for a in p.get("/Annots", [])
                  if a.get_object().get("/T") == "needs_summary")
    drawn = widget["/AP"]["/N"].get_data().decode("latin-1")
    size = float(drawn.split(" Tf")[0].split()[-1])
    assert field["/V"] == story and size < 10
    # "Ł" is outside Helvetica's encoding: viewers are asked to draw the fields again.
    assert reader.trailer["/Root"]["/AcroForm"]["/NeedAppearances"] == True  # noqa: E712


def test_more_rows_than_the_pdf_has_is_refused(plan: FormDefinition, tmp_path: Path) -> None:
    rows = [{"issue": f"Issue {n}", "task": "Task", "responsible": "Sam",
             "target_date": "2026-05-01"} for n in range(12)]
    with pytest.raises(FillError, match="room for 6"):
        fill_pdf(plan, SERVICE, coerce_values(plan, {"person_id": "PW-1", "actions": rows}),
                 title=service_title(SERVICE))


# --- how a file is recognised -----------------------------------------------------------


def test_recognised_by_the_stamp_field_when_metadata_is_gone(
    filled: Path, catalogue: Catalogue, tmp_path: Path
) -> None:
    def strip_info(writer: PdfWriter, nodes: dict[str, FieldNode]) -> None:
        writer._info = None

    path = tmp_path / "no-info.pdf"
    path.write_bytes(edit(filled.read_bytes(), strip_info))
    raw = read_pdf(path, catalogue)
    assert (raw.form_id, raw.form_version, raw.service) == ("support-plan", 1, SERVICE)


def test_fields_renamed_by_another_tool_are_found_by_their_tooltips(
    filled: Path, catalogue: Catalogue, tmp_path: Path
) -> None:
    def rename(writer: PdfWriter, nodes: dict[str, FieldNode]) -> None:
        for number, node in enumerate(nodes.values()):
            if "." not in node.name and node.name != "planwatch-form":
                node.field[NameObject("/T")] = TextStringObject(f"Text{number}")

    path = tmp_path / "renamed.pdf"
    path.write_bytes(edit(filled.read_bytes(), rename))
    raw = read_pdf(path, catalogue)
    assert raw.fields["plan_date"].matched_by == "label"
    assert raw.fields["person_id"].text == "PW-00042"


# --- files that cannot be read ----------------------------------------------------------


def _printed(blob: bytes) -> bytes:
    """A form printed to PDF: the same page, no fields."""
    output = io.BytesIO()
    canvas = Canvas(output)
    canvas.drawString(72, 720, "Support plan")
    canvas.save()
    return output.getvalue()


def _xfa_only(blob: bytes) -> bytes:
    def change(writer: PdfWriter, nodes: dict[str, FieldNode]) -> None:
        writer.root_object[NameObject("/AcroForm")] = DictionaryObject({
            NameObject("/Fields"): ArrayObject(),
            NameObject("/XFA"): ArrayObject([TextStringObject("template"),
                                             TextStringObject("<template/>")]),
        })
        writer.root_object[NameObject("/NeedsRendering")] = BooleanObject(True)
    return edit(blob, change)


def _not_planwatch(blob: bytes) -> bytes:
    def change(writer: PdfWriter, nodes: dict[str, FieldNode]) -> None:
        writer._info = None
        for node in nodes.values():
            node.field.pop("/TU", None)
            if node.name == "planwatch-form":
                node.field[NameObject("/V")] = TextStringObject("Tax return 2025")
    return edit(blob, change)


def _deep_tree(blob: bytes) -> bytes:
    def change(writer: PdfWriter, nodes: dict[str, FieldNode]) -> None:
        top = DictionaryObject({NameObject("/T"): TextStringObject("n0")})
        node = top
        for depth in range(1, 40):
            kid = DictionaryObject({NameObject("/T"): TextStringObject(f"n{depth}")})
            node[NameObject("/Kids")] = ArrayObject([writer._add_object(kid)])
            node = kid
        writer.root_object["/AcroForm"]["/Fields"].append(writer._add_object(top))
    return edit(blob, change)


def _looping_kids(blob: bytes) -> bytes:
    """A parent field that lists itself among its kids: walked once, not forever."""
    def change(writer: PdfWriter, nodes: dict[str, FieldNode]) -> None:
        parent = nodes["actions.1.issue"].field["/Parent"]
        parent.get_object()["/Kids"].append(parent.get_object().indirect_reference)
    return edit(blob, change)


# What a damaged PDF quotes in pypdf's messages: none of it may leave the reader.
PERSONAL = ("Jane Example", "12/04/1981", "14 Acacia Road", "LS6 2AB")
_PERSONAL_BYTES = b"(Jane Example DOB 12/04/1981 14 Acacia Road Leeds LS6 2AB) "
# "(PdfReadError)", "(ValueError)": a Python exception's name in a person's reason.
_EXCEPTION_NAME = re.compile(r"\b\w*(Error|Exception|Warning)\b")


def _in_catalog(blob: bytes, insert: bytes) -> bytes:
    """``insert`` written into the catalog dictionary, as a damaged file has it."""
    at = blob.index(b"/Type /Catalog")
    return blob[:at] + insert + blob[at:]


def _form_list_broken(blob: bytes) -> bytes:
    """The catalog's reference to the form (its list of fields) points nowhere; the
    fields are still on the pages."""
    broken, count = re.subn(rb"/AcroForm \d+ 0 R", b"/AcroForm 99999 0 R", blob)
    assert count == 1
    return broken


def _quoting_personal_data(blob: bytes) -> bytes:
    """Damaged so that pypdf's warnings quote a name, a date of birth and an address."""
    return _form_list_broken(_in_catalog(blob, _PERSONAL_BYTES))


def _deeply_nested(blob: bytes) -> bytes:
    """Twenty thousand nested dictionaries in the catalog: pypdf complains once a level."""
    return _in_catalog(blob, b"/Deep " + b"<</A " * 20_000 + b">>" * 20_000 + b" ")


def _signature_only(blob: bytes) -> bytes:
    """Printed to PDF, then signed: one signature field and no answer fields."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_printed(blob))))
    page = writer.pages[0]
    widget = writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Widget"),
        NameObject("/FT"): NameObject("/Sig"), NameObject("/T"): TextStringObject("Signature1"),
        NameObject("/Rect"): ArrayObject([NumberObject(0)] * 4),
        NameObject("/P"): page.indirect_reference}))
    page[NameObject("/Annots")] = ArrayObject([widget])
    writer.root_object[NameObject("/AcroForm")] = DictionaryObject({
        NameObject("/Fields"): ArrayObject([widget]), NameObject("/SigFlags"): NumberObject(3)})
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


UNREADABLE = [
    pytest.param(lambda ok, tmp: b"%PDF-1.7\n" + zlib.compress(b"x" * 100), "damaged",
                 id="garbage_after_header"),
    pytest.param(lambda ok, tmp: b"Dear team, the form is attached.", "not a PDF",
                 id="not_a_pdf"),
    pytest.param(lambda ok, tmp: b"", "empty", id="zero_bytes"),
    pytest.param(lambda ok, tmp: _printed(ok), "no form fields", id="printed_to_pdf"),
    pytest.param(lambda ok, tmp: _xfa_only(ok), "XFA", id="xfa_only_form"),
    pytest.param(lambda ok, tmp: _not_planwatch(ok), "forms/blank folder",
                 id="someone_elses_form"),
    pytest.param(lambda ok, tmp: _deep_tree(ok), "deeper", id="field_tree_too_deep"),
    pytest.param(lambda ok, tmp: _signature_only(ok), "signature field but none of the form's",
                 id="signature_only_pdf"),
    pytest.param(lambda ok, tmp: _form_list_broken(ok), "damaged: its pages have form fields",
                 id="damaged_pdf_with_a_form"),
    pytest.param(lambda ok, tmp: _quoting_personal_data(ok), "damaged",
                 id="pdf_error_quotes_personal_data"),
    pytest.param(lambda ok, tmp: _deeply_nested(ok), "damaged", id="deeply_nested_pdf"),
]


@pytest.mark.parametrize(("make", "words"), UNREADABLE)
def test_unreadable_pdf_gets_a_clear_reason(
    make: Callable[[bytes, Path], bytes], words: str, filled: Path, catalogue: Catalogue,
    tmp_path: Path,
) -> None:
    path = tmp_path / "dropped.pdf"
    path.write_bytes(make(filled.read_bytes(), tmp_path))
    with pytest.raises(FormReadError) as caught:
        read_pdf(path, catalogue)
    assert words in str(caught.value)
    assert "dropped.pdf" in str(caught.value) and caught.value.hint
    # Planwatch's own words: no Python exception's name, nothing the file said.
    assert not _EXCEPTION_NAME.search(str(caught.value)), str(caught.value)
    assert not any(secret in str(caught.value) for secret in PERSONAL)
    if words != "no form fields":  # said only of a PDF that has no fields at all
        assert "no form fields" not in str(caught.value)


# Reads one file in this process and in a sandboxed reader process, as the watcher does,
# and prints the two reasons; everything else either process writes is on stderr.
_READ_BOTH_WAYS = """
import json, sys
from pathlib import Path
from pipeline.definitions import Catalogue
from pipeline.errors import FormReadError
from pipeline.formats.reading import read_form
from pipeline.inbox.sandbox import SandboxedReader
path = Path(sys.argv[1])
catalogue = Catalogue.load()
reasons = []
try:
    read_form(path, catalogue)
except FormReadError as error:
    reasons.append(str(error))
with SandboxedReader(catalogue.folder) as reader:
    try:
        reader.read(path, path.read_bytes())
    except FormReadError as error:
        reasons.append(str(error))
print(json.dumps(reasons))
"""


@pytest.mark.parametrize("make", [
    pytest.param(_quoting_personal_data, id="pdf_error_quotes_personal_data"),
    pytest.param(_deeply_nested, id="deeply_nested_pdf_floods_nothing"),
])
def test_nothing_pypdf_says_reaches_stderr_in_any_reader_process(
    make: Callable[[bytes], bytes], filled: Path, tmp_path: Path
) -> None:
    path = tmp_path / "damaged.pdf"
    path.write_bytes(make(filled.read_bytes()))
    result = subprocess.run([sys.executable, "-c", _READ_BOTH_WAYS, str(path)],
                            capture_output=True, text=True, timeout=300, check=False,
                            cwd=Path(__file__).parents[1])
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stderr == "", f"{len(result.stderr.splitlines())} lines: {result.stderr[:500]}"
    reasons = json.loads(result.stdout)
    assert len(reasons) == 2
    for reason in reasons:
        assert "damaged" in reason and "no form fields" not in reason
        assert not _EXCEPTION_NAME.search(reason), reason
        assert not any(secret in reason for secret in PERSONAL), reason


def test_pdf_error_quoting_personal_data_stays_out_of_output_and_logs(
    filled: Path, catalogue: Catalogue, tmp_path: Path, capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """In this process too (``planwatch forms check``): not on stdout or stderr, and not
    in any log record, whichever logger it would have come from."""
    path = tmp_path / "damaged.pdf"
    path.write_bytes(_quoting_personal_data(filled.read_bytes()))
    # Planwatch's records reach caplog even after a test configured the log file.
    monkeypatch.setattr(logging.getLogger("planwatch"), "propagate", True)
    caplog.set_level("DEBUG")
    caplog.set_level("DEBUG", logger="planwatch")
    with pytest.raises(FormReadError) as caught:
        read_form(path, catalogue)
    out, err = capfd.readouterr()
    records = reaching_root(caplog)
    logged = text_reaching_root(caplog) + " ".join(str(r.msg) + str(r.args) for r in records)
    for secret in PERSONAL:
        assert secret not in out + err + logged + str(caught.value)
    assert out == err == ""
    assert [r.getMessage() for r in records] == ["reader_library_messages"]


def test_truncated_file_is_damaged_or_partly_read(filled: Path, catalogue: Catalogue,
                                                  tmp_path: Path) -> None:
    """pypdf rebuilds a cut-off file's cross-reference: either outcome must be clean."""
    path = tmp_path / "cut.pdf"
    path.write_bytes(filled.read_bytes()[:-200])
    try:
        raw = read_pdf(path, catalogue)
    except FormReadError as error:
        assert error.hint
    else:
        assert raw.form_id == "support-plan"


def test_a_field_listed_as_its_own_kid_does_not_hang(
    filled: Path, expected: Record, catalogue: Catalogue, tmp_path: Path
) -> None:
    path = tmp_path / "loop.pdf"
    path.write_bytes(_looping_kids(filled.read_bytes()))
    _same(check(path, catalogue), expected)


@pytest.mark.parametrize("tool", ["qpdf_encrypt_user_password", "flattened_by_qpdf"])
def test_password_and_flattened_copies_are_refused(
    tool: str, filled: Path, catalogue: Catalogue, tmp_path: Path
) -> None:
    target = tmp_path / f"{tool}.pdf"
    if tool == "flattened_by_qpdf":
        # qpdf will not flatten fields whose viewers were asked to redraw them: it draws first.
        qpdf(str(filled), "--generate-appearances", "--flatten-annotations=all", str(target))
        words = "no form fields"
    else:
        qpdf(str(filled), "--encrypt", "secret", "owner", "256", "--", str(target))
        words = "password"
    with pytest.raises(FormReadError) as caught:
        read_pdf(target, catalogue)
    assert words in caught.value.problem
    if tool != "flattened_by_qpdf":
        assert "remove the password and drop it again" in (caught.value.hint or "").lower()


@pytest.mark.libreoffice
def test_word_form_exported_to_pdf_by_libreoffice_is_refused_as_printed(
    plan: FormDefinition, values: dict[str, Any], catalogue: Catalogue, tmp_path: Path,
    libreoffice: Callable[..., list[Path]],
) -> None:
    """LibreOffice 7.4 exports Word content controls as text: a "printed" PDF."""
    docx = fill(plan, values, tmp_path / "plan.docx")
    (pdf,) = libreoffice([docx], tmp_path / "out", "pdf")
    with pytest.raises(FormReadError, match="no form fields"):
        read_pdf(pdf, catalogue)
