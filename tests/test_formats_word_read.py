"""Reading Word forms back: filled by Planwatch, re-saved by LibreOffice, legacy fields."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from pipeline.definitions import Catalogue, FormDefinition
from pipeline.fill_values import coerce_values
from pipeline.formats.titles import service_title
from pipeline.formats.word.build import build_blank
from pipeline.formats.word.names import W_NS, w
from pipeline.formats.word.read import read_docx
from pipeline.forms_service import check, fill
from pipeline.validate import validate
from tests.form_samples import strict_open_xml
from tests.form_values import FULL_VALUES

FORM_IDS = sorted(FULL_VALUES)
# FULL_VALUES fill the community-support copy of each form (its services' first).
SERVICE = "community-support"


def expected_record(definition: FormDefinition, data: dict[str, Any]) -> dict[str, Any]:
    """What a person who typed ``data`` expects back: every field, empty ones as None."""
    values = coerce_values(definition, data)
    fields = {
        f.key: values.fields.get(f.key, False if f.type.value == "yes_no" else None)
        for f in definition.leaf_fields()
    }
    tables = {
        spec.key: [{c.key: row.get(c.key) for c in spec.columns}
                   for row in values.tables.get(spec.key, [])]
        for spec in definition.tables
    }
    return {"values": fields, "tables": tables}


def record_of(path: Path, catalogue: Catalogue) -> dict[str, Any]:
    record = check(path, catalogue)
    return {"values": dict(record.values), "tables": record.tables}


@pytest.fixture(scope="module")
def filled_forms(tmp_path_factory: pytest.TempPathFactory, catalogue: Catalogue) -> Path:
    folder = tmp_path_factory.mktemp("filled")
    for form_id in FORM_IDS:
        fill(catalogue.get(form_id), FULL_VALUES[form_id], folder / f"{form_id}.docx")
        fill(catalogue.get(form_id), {"person_id": "CS-BLANK"}, folder / f"{form_id}-blank.docx")
    return folder


@pytest.fixture(scope="module")
def libreoffice_saved(filled_forms: Path, libreoffice: Callable[..., list[Path]]) -> Path:
    """Every filled form opened and saved as .docx by LibreOffice Writer."""
    out = filled_forms / "libreoffice"
    libreoffice(sorted(filled_forms.glob("*.docx")), out)
    return out


@pytest.mark.parametrize("form_id", [pytest.param(f, id=f"{f}_filled") for f in FORM_IDS])
def test_filled_form_reads_back_whole(form_id: str, filled_forms: Path,
                                      catalogue: Catalogue) -> None:
    definition = catalogue.get(form_id).for_service(SERVICE)
    got = record_of(filled_forms / f"{form_id}.docx", catalogue)
    assert got == expected_record(definition, FULL_VALUES[form_id])


@pytest.mark.parametrize("form_id", [
    pytest.param("support-plan", id="strict_open_xml_docx"),
    pytest.param(FORM_IDS[0], id=f"strict_open_xml_docx_{FORM_IDS[0]}")])
def test_saved_as_strict_open_xml_reads_back_the_same_record(
    form_id: str, filled_forms: Path, catalogue: Catalogue, tmp_path: Path
) -> None:
    """Word's "Strict Open XML Document": the ISO namespace names, read as the usual ones."""
    strict = tmp_path / f"{form_id} strict.docx"
    strict.write_bytes(strict_open_xml((filled_forms / f"{form_id}.docx").read_bytes()))
    assert b"purl.oclc.org/ooxml/wordprocessingml" in zipfile.ZipFile(strict).read(
        "word/document.xml")
    want = expected_record(catalogue.get(form_id).for_service(SERVICE), FULL_VALUES[form_id])
    assert record_of(strict, catalogue) == want == record_of(filled_forms / f"{form_id}.docx",
                                                              catalogue)


@pytest.mark.libreoffice
@pytest.mark.parametrize("form_id", [pytest.param(f, id=f"{f}_libreoffice_round_trip")
                                     for f in FORM_IDS])
def test_libreoffice_round_trip_reads_back_the_same_record(
    form_id: str, filled_forms: Path, libreoffice_saved: Path, catalogue: Catalogue
) -> None:
    original = check(filled_forms / f"{form_id}.docx", catalogue)
    resaved = check(libreoffice_saved / f"{form_id}.docx", catalogue)
    assert resaved.values == original.values
    assert resaved.tables == original.tables
    assert resaved.findings == original.findings


@pytest.mark.libreoffice
@pytest.mark.parametrize("form_id", [pytest.param(f, id=f"{f}_blank_libreoffice_round_trip")
                                     for f in FORM_IDS])
def test_libreoffice_saved_blank_form_reads_as_empty(
    form_id: str, filled_forms: Path, libreoffice_saved: Path, catalogue: Catalogue
) -> None:
    """LibreOffice drops the placeholder flag; the placeholder text still means empty."""
    original = check(filled_forms / f"{form_id}-blank.docx", catalogue)
    resaved = check(libreoffice_saved / f"{form_id}-blank.docx", catalogue)
    assert resaved.values == original.values
    assert resaved.tables == original.tables == {t.key: [] for t in
                                                 catalogue.get(form_id).for_service(SERVICE).tables}
    assert resaved.findings == original.findings


@pytest.mark.libreoffice
def test_libreoffice_keeps_no_tags_so_fields_are_found_by_alias_and_label(
    libreoffice_saved: Path, catalogue: Catalogue
) -> None:
    raw = read_docx(libreoffice_saved / "support-plan.docx", catalogue)
    ways = {key: value.matched_by for key, value in raw.fields.items()}
    assert ways["person_id"] == "alias"  # plain text keeps its alias
    assert ways["plan_date"] == "label"  # a date picker keeps neither tag nor alias
    assert ways["review_frequency"] == "label"
    assert "tag" not in ways.values()


# --- every control type, blank and filled --------------------------------------------

CONTROL_CASES = [
    pytest.param("full_name", "Ada Lovelace", "Ada Lovelace", id="plain_text_filled"),
    pytest.param("full_name", None, None, id="plain_text_left_blank"),
    pytest.param("needs_summary", "Line one\nLine two", "Line one\nLine two",
                 id="multi_line_text_filled"),
    pytest.param("plan_date", "2026-03-20", "2026-03-20", id="date_picker_filled"),
    pytest.param("plan_date", None, None, id="date_picker_left_blank"),
    pytest.param("wishes_not_incorporated", True, True, id="checkbox_ticked"),
    pytest.param("wishes_not_incorporated", None, False, id="checkbox_left_unticked"),
    pytest.param("review_frequency", "six_months", "six_months", id="dropdown_chosen"),
    pytest.param("review_frequency", None, None, id="dropdown_left_blank"),
]


@pytest.mark.parametrize(("key", "typed", "expected"), CONTROL_CASES)
def test_each_control_type(tmp_path: Path, catalogue: Catalogue, key: str, typed: Any,
                           expected: Any) -> None:
    data: dict[str, Any] = {"person_id": "CS-1"}
    if typed is not None:
        data[key] = typed
    path = fill(catalogue.get("support-plan"), data, tmp_path / "form.docx")
    value = check(path, catalogue).values[key]
    assert (value.isoformat() if hasattr(value, "isoformat") else value) == expected


def test_repeating_rows_beyond_the_blank_are_read(tmp_path: Path, catalogue: Catalogue) -> None:
    rows = [{"issue": f"Issue {n}", "task": "Task", "responsible": "Sam",
             "target_date": "2026-05-01"} for n in range(1, 8)]
    path = fill(catalogue.get("support-plan"), {"person_id": "CS-1", "actions": rows},
                tmp_path / "plan.docx")
    record = check(path, catalogue)
    assert [row["issue"] for row in record.tables["actions"]] == [r["issue"] for r in rows]


# --- documents Planwatch did not write -------------------------------------------------


def _rewrite(blob: bytes, part: str, change: Callable[[etree._Element], None]) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(blob))
    root = etree.fromstring(source.read(part))
    change(root)
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = etree.tostring(root) if entry.filename == part else source.read(entry)
            target.writestr(entry, data)
    return output.getvalue()


def _legacy_field(kind: str, name: str, shown: str, *, checked: bool = False,
                  entries: tuple[str, ...] = (), result: int = 0) -> list[etree._Element]:
    """Runs of a legacy FORMTEXT / FORMCHECKBOX / FORMDROPDOWN field as Word 2003 wrote them."""
    begin = etree.Element(w("r"))
    char = etree.SubElement(begin, w("fldChar"), {w("fldCharType"): "begin"})
    ff = etree.SubElement(char, w("ffData"))
    etree.SubElement(ff, w("name"), {w("val"): name})
    if kind == "FORMCHECKBOX":
        box = etree.SubElement(ff, w("checkBox"))
        etree.SubElement(box, w("default"), {w("val"): "0"})
        etree.SubElement(box, w("checked"), {w("val"): "1" if checked else "0"})
    elif kind == "FORMDROPDOWN":
        listing = etree.SubElement(ff, w("ddList"))
        etree.SubElement(listing, w("result"), {w("val"): str(result)})
        for entry in entries:
            etree.SubElement(listing, w("listEntry"), {w("val"): entry})
    else:
        etree.SubElement(ff, w("textInput"))
    instr = etree.Element(w("r"))
    etree.SubElement(instr, w("instrText")).text = f" {kind} "
    separate = etree.Element(w("r"))
    etree.SubElement(separate, w("fldChar"), {w("fldCharType"): "separate"})
    value = etree.Element(w("r"))
    etree.SubElement(value, w("t")).text = shown
    end = etree.Element(w("r"))
    etree.SubElement(end, w("fldChar"), {w("fldCharType"): "end"})
    return [begin, instr, separate, value, end]


def test_legacy_form_fields_are_read(tmp_path: Path, catalogue: Catalogue) -> None:
    """Old forms: each answer cell holds a legacy field instead of a content control."""
    definition = catalogue.get("referral")
    fields = {
        "person_id": ("FORMTEXT", {"shown": "CS-7"}),
        "full_name": ("FORMTEXT", {"shown": "Grace Hopper"}),
        "date_of_birth": ("FORMTEXT", {"shown": "09/12/1906"}),
        "consent_to_share": ("FORMCHECKBOX", {"shown": "", "checked": True}),
        "risk_level": ("FORMDROPDOWN", {"shown": "", "entries": ("Low", "Medium", "High"),
                                        "result": 2}),
        "referral_reason": ("FORMTEXT", {"shown": "\u2002" * 5}),
    }

    def to_legacy(root: etree._Element) -> None:
        for sdt in list(root.iter(w("sdt"))):
            tag = sdt.find(f"{w('sdtPr')}/{w('tag')}")
            key = None if tag is None else tag.get(w("val"))
            parent = sdt.getparent()
            assert parent is not None
            if key in fields:
                kind, options = fields[key]
                runs = _legacy_field(kind, key[:20], **options)  # type: ignore[arg-type]
                index = parent.index(sdt)
                for offset, run in enumerate(runs):
                    parent.insert(index + offset, run)
            parent.remove(sdt)

    blank = build_blank(definition, "community-support", title=service_title("community-support"))
    blob = _rewrite(blank, "word/document.xml", to_legacy)
    path = tmp_path / "legacy.docx"
    path.write_bytes(blob)
    raw = read_docx(path, catalogue)
    record = validate(raw, definition)
    assert record.values["person_id"] == "CS-7"
    assert record.values["full_name"] == "Grace Hopper"
    assert record.values["date_of_birth"].isoformat() == "1906-12-09"
    assert record.values["consent_to_share"] is True
    assert record.values["risk_level"] == "high"
    assert record.values["referral_reason"] is None
    assert raw.fields["person_id"].matched_by == "name"


def test_control_in_a_header_is_found(tmp_path: Path, catalogue: Catalogue) -> None:
    """A reference typed into a control in the page header is read like any other."""
    definition = catalogue.get("review-part2")
    blob = fill(definition, {"reviewer": "Jo"}, tmp_path / "x.docx").read_bytes()
    header = (
        f'<w:hdr xmlns:w="{W_NS}"><w:p><w:sdt><w:sdtPr>'
        '<w:alias w:val="Service user reference"/><w:tag w:val="person_id"/><w:text/>'
        "</w:sdtPr><w:sdtContent><w:r><w:t>CS-HEAD</w:t></w:r></w:sdtContent></w:sdt></w:p>"
        "</w:hdr>"
    )
    source = zipfile.ZipFile(io.BytesIO(blob))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as target:
        for entry in source.infolist():
            target.writestr(entry, source.read(entry))
        target.writestr("word/header1.xml", header)

    def drop_person_id(root: etree._Element) -> None:
        for sdt in list(root.iter(w("sdt"))):
            tag = sdt.find(f"{w('sdtPr')}/{w('tag')}")
            if tag is not None and tag.get(w("val")) == "person_id":
                parent = sdt.getparent()
                assert parent is not None
                parent.remove(sdt)

    path = tmp_path / "header.docx"
    path.write_bytes(_rewrite(output.getvalue(), "word/document.xml", drop_person_id))
    assert check(path, catalogue).person_id == "CS-HEAD"


def test_form_recognised_by_footer_when_properties_are_gone(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    path = fill(catalogue.get("review"), {"person_id": "CS-9"}, tmp_path / "r.docx")
    source = zipfile.ZipFile(path)
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as target:
        for entry in source.infolist():
            if entry.filename != "docProps/custom.xml":
                target.writestr(entry, source.read(entry))
    path.write_bytes(output.getvalue())
    raw = read_docx(path, catalogue)
    assert (raw.form_id, raw.form_version, raw.service) == ("review", 1, "community-support")
