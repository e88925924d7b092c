"""Blank PDF forms: the fields, their names and types, the layout, and the committed copies."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from pipeline.definitions import Catalogue, FieldType, FormDefinition
from pipeline.formats.pdf.build import _build, build_blank_pdf
from pipeline.formats.pdf.fields import FieldNode, walk
from pipeline.formats.pdf.names import STAMP_FIELD, cell_name, table_rows
from pipeline.formats.pdf.widgets import COMBO, MULTILINE, REQUIRED
from pipeline.formats.titles import service_title
from pipeline.forms_service import blank_path


def _copies(catalogue: Catalogue) -> list[tuple[FormDefinition, str]]:
    return [(d, s) for d in catalogue for s in d.services]


def _nodes(blob: bytes) -> dict[str, FieldNode]:
    reader = PdfReader(io.BytesIO(blob))
    acroform = reader.trailer["/Root"]["/AcroForm"]
    return {node.name: node for node in walk(acroform["/Fields"])}


@pytest.fixture(scope="module")
def plan(catalogue: Catalogue) -> tuple[FormDefinition, bytes]:
    definition = catalogue.get("support-plan").for_service("community-support")
    return definition, build_blank_pdf(definition, "community-support",
                                       title=service_title("community-support"))


def test_committed_blank_pdfs_match_their_definitions(catalogue: Catalogue) -> None:
    """Fails when a definition changed and `planwatch forms build` was not run."""
    stale = [str(blank_path(catalogue, d, s, "pdf")) for d, s in _copies(catalogue)
             if not blank_path(catalogue, d, s, "pdf").exists()
             or blank_path(catalogue, d, s, "pdf").read_bytes()
             != build_blank_pdf(d, s, title=service_title(s))]
    assert not stale, f"run `planwatch forms build`; out of date: {stale}"


def test_build_is_repeatable(plan: tuple[FormDefinition, bytes]) -> None:
    definition, blob = plan
    # Built afresh, not from the cache.
    assert _build.__wrapped__(definition, "community-support",
                              service_title("community-support")) == blob


def test_every_answer_is_a_field_of_its_type(plan: tuple[FormDefinition, bytes]) -> None:
    definition, blob = plan
    nodes = _nodes(blob)
    expected = {
        FieldType.TEXT: "/Tx", FieldType.LONG_TEXT: "/Tx", FieldType.DATE: "/Tx",
        FieldType.DATETIME: "/Tx", FieldType.NUMBER: "/Tx", FieldType.YES_NO: "/Btn",
        FieldType.CHOICE: "/Ch",
    }
    for field in definition.leaf_fields():
        node = nodes[field.key]
        assert node.kind == expected[field.type], field.key
        assert bool(node.flags & MULTILINE) == (field.type is FieldType.LONG_TEXT), field.key
        assert bool(node.flags & REQUIRED) == field.required, field.key
        # Nothing a person types is cut off: no field has a length limit.
        assert "/MaxLen" not in node.field, field.key


def test_checkbox_dropdown_and_date_are_what_viewers_expect(
    plan: tuple[FormDefinition, bytes],
) -> None:
    _, blob = plan
    nodes = _nodes(blob)
    box = nodes["wishes_not_incorporated"]
    assert box.get("/V") == "/Off" and box.field["/AS"] == "/Off"
    assert set(box.field["/AP"]["/N"]) == {"/Yes", "/Off"}
    frequency = nodes["review_frequency"]
    assert frequency.flags & COMBO
    options = [(str(o[0]), str(o[1])) for o in frequency.get("/Opt")]  # type: ignore[union-attr]
    assert ("six_months", "6 months") in options and options[0] == ("", "")
    assert str(nodes["plan_date"].field["/TU"]) == "Date of plan (dd/mm/yyyy)"


def test_table_rows_are_numbered_fields_under_parents(
    plan: tuple[FormDefinition, bytes],
) -> None:
    definition, blob = plan
    spec = definition.tables_by_key["actions"]
    nodes = _nodes(blob)
    names = {cell_name("actions", row, column.key) for row in range(1, table_rows(spec) + 1)
             for column in spec.columns}
    assert names <= set(nodes)
    task = nodes["actions.2.task"].field
    assert task["/T"] == "task" and task["/Parent"]["/T"] == "2"
    assert task["/Parent"]["/Parent"]["/T"] == "actions"
    assert str(task["/TU"]) == "Actions, row 2: What will be done"


def test_metadata_stamp_and_page_numbers(plan: tuple[FormDefinition, bytes]) -> None:
    _, blob = plan
    reader = PdfReader(io.BytesIO(blob))
    info: Any = reader.metadata
    assert (info["/PlanwatchFormId"], info["/PlanwatchFormVersion"],
            info["/PlanwatchService"]) == ("support-plan", "1", "community-support")
    assert info["/Title"] == "Support plan (Community Support)"
    pages = len(reader.pages)
    assert pages >= 2
    last = reader.pages[-1].extract_text()
    assert "Planwatch form support-plan \u00b7 version 1 \u00b7 community-support" in last
    assert f"Page {pages} of {pages}" in last
    stamp = _nodes(blob)[STAMP_FIELD]
    assert stamp.field["/F"] == 2 and stamp.flags & 1  # hidden and read-only


def test_widgets_sit_on_their_pages_without_overlapping(
    plan: tuple[FormDefinition, bytes],
) -> None:
    reader = PdfReader(io.BytesIO(plan[1]))
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        rects = []
        for annotation in page.get("/Annots", []):
            widget = annotation.get_object()
            x0, y0, x1, y1 = (float(v) for v in widget["/Rect"])
            if x1 - x0 == 0:
                continue  # the hidden stamp
            assert 0 < x0 < x1 < width and 0 < y0 < y1 < height
            rects.append((x0, y0, x1, y1))
        for index, a in enumerate(rects):
            for b in rects[index + 1:]:
                assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_blank_pdfs_render(tmp_path: Path, catalogue: Catalogue) -> None:
    """Every blank renders with poppler (what a person sees, and what prints)."""
    for definition, service in _copies(catalogue)[:3]:
        path = blank_path(catalogue, definition, service, "pdf")
        subprocess.run(["pdftoppm", "-r", "20", "-png", str(path), str(tmp_path / "page")],
                       check=True, capture_output=True, timeout=60)
    assert list(tmp_path.glob("page*.png"))
