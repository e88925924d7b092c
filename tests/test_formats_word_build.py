"""Blank Word forms: what the builder writes, and that the committed copies are current."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from pipeline.definitions import Catalogue, FieldType
from pipeline.formats.titles import service_title
from pipeline.formats.word.build import build_blank
from pipeline.formats.word.names import CUSTOM_PROPS_NS, text_of, w, w14, w15
from pipeline.forms_service import blank_path


def _parts(blob: bytes) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(blob))
    return {name: archive.read(name) for name in archive.namelist()}


@pytest.mark.parametrize("form_id", ["referral", "support-plan", "review", "review-part2"])
def test_committed_blank_form_matches_its_definition(catalogue: Catalogue, form_id: str) -> None:
    """Fails when a definition changed and `planwatch forms build` was not run."""
    definition = catalogue.get(form_id)
    for service in definition.services:
        committed = blank_path(catalogue, definition, service)
        assert committed.exists(), f"run `planwatch forms build` to create {committed}"
        assert _parts(committed.read_bytes()) == _parts(
            build_blank(definition, service, title=service_title(service)))


def test_build_is_repeatable(catalogue: Catalogue) -> None:
    definition = catalogue.get("support-plan")
    title = service_title("community-support")
    assert _parts(build_blank(definition, "community-support", title=title)) == _parts(
        build_blank(definition, "community-support", title=title))


@pytest.fixture(scope="module")
def plan_xml(catalogue: Catalogue) -> etree._Element:
    blob = build_blank(catalogue.get("support-plan"), "community-support",
                       title=service_title("community-support"))
    return etree.fromstring(_parts(blob)["word/document.xml"])


def _control(root: etree._Element, key: str) -> etree._Element:
    for sdt in root.iter(w("sdt")):
        tag = sdt.find(f"{w('sdtPr')}/{w('tag')}")
        if tag is not None and tag.get(w("val")) == key:
            return sdt
    raise AssertionError(f"no control tagged {key}")


def test_every_answer_is_a_tagged_control_with_alias_and_placeholder(
    catalogue: Catalogue, plan_xml: etree._Element
) -> None:
    for field in catalogue.get("support-plan").for_service("community-support").leaf_fields():
        pr = _control(plan_xml, field.key).find(w("sdtPr"))
        assert pr is not None
        alias = pr.find(w("alias"))
        assert alias is not None and alias.get(w("val")) == field.label
        if field.type is not FieldType.YES_NO:
            assert pr.find(w("showingPlcHdr")) is not None, field.key


def test_date_picker_is_en_gb_day_first(plan_xml: etree._Element) -> None:
    picker = _control(plan_xml, "plan_date").find(f"{w('sdtPr')}/{w('date')}")
    assert picker is not None
    assert picker.find(w("dateFormat")).get(w("val")) == "dd/MM/yyyy"  # type: ignore[union-attr]
    assert picker.find(w("lid")).get(w("val")) == "en-GB"  # type: ignore[union-attr]


def test_checkbox_and_dropdown(plan_xml: etree._Element) -> None:
    box = _control(plan_xml, "wishes_not_incorporated").find(f"{w('sdtPr')}/{w14('checkbox')}")
    assert box is not None
    assert box.find(w14("checked")).get(w14("val")) == "0"  # type: ignore[union-attr]
    listing = _control(plan_xml, "review_frequency").find(f"{w('sdtPr')}/{w('dropDownList')}")
    assert listing is not None
    assert [i.get(w("value")) for i in listing] == ["six_weeks", "three_months", "six_months"]


def test_actions_are_a_repeating_section_of_rows_under_a_header(
    plan_xml: etree._Element,
) -> None:
    section = _control(plan_xml, "actions")
    assert section.find(f"{w('sdtPr')}/{w15('repeatingSection')}") is not None
    items = section.findall(f"{w('sdtContent')}/{w('sdt')}")
    assert len(items) == 3
    assert all(i.find(f"{w('sdtContent')}/{w('tr')}") is not None for i in items)
    table = section.getparent()
    assert table is not None and table.tag == w("tbl")
    header = table.find(w("tr"))
    assert header is not None and header.find(f"{w('trPr')}/{w('tblHeader')}") is not None


def test_form_id_and_version_in_properties_and_footer(catalogue: Catalogue) -> None:
    parts = _parts(build_blank(catalogue.get("review"), "community-support",
                               title=service_title("community-support")))
    props = etree.fromstring(parts["docProps/custom.xml"])
    found = {p.get("name"): p[0].text for p in props.iter(f"{{{CUSTOM_PROPS_NS}}}property")}
    assert found == {"PlanwatchFormId": "review", "PlanwatchFormVersion": "1",
                     "PlanwatchService": "community-support"}
    footers = [etree.fromstring(v) for k, v in parts.items() if k.startswith("word/footer")]
    text = " ".join(text_of(f) for f in footers)
    assert "Planwatch form review · version 1 · community-support" in text
    assert any(b"PAGE" in v for k, v in parts.items() if k.startswith("word/footer"))


@pytest.mark.libreoffice
def test_blank_forms_render_to_pdf(
    catalogue: Catalogue, libreoffice: Callable[..., list[Path]], tmp_path: Path
) -> None:
    files = [blank_path(catalogue, d, s) for d in catalogue for s in d.services]
    pdfs = libreoffice(files, tmp_path, "pdf")
    for pdf in pdfs:
        assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 5000
