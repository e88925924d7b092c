"""Filling sets each control exactly as Word does when a person types."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree

from pipeline.definitions import Catalogue
from pipeline.errors import FillError
from pipeline.formats.word.names import CHECKED_GLYPH, text_of, w, w14, w15
from pipeline.forms_service import fill
from tests.form_values import FULL_VALUES


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory, catalogue: Catalogue) -> etree._Element:
    path = tmp_path_factory.mktemp("fill") / "plan.docx"
    fill(catalogue.get("support-plan"), FULL_VALUES["support-plan"], path)
    return etree.fromstring(zipfile.ZipFile(path).read("word/document.xml"))


def _control(root: etree._Element, key: str) -> etree._Element:
    for sdt in root.iter(w("sdt")):
        tag = sdt.find(f"{w('sdtPr')}/{w('tag')}")
        if tag is not None and tag.get(w("val")) == key:
            return sdt
    raise AssertionError(key)


def test_text_replaces_placeholder_and_drops_the_flag(filled: etree._Element) -> None:
    sdt = _control(filled, "full_name")
    assert sdt.find(f"{w('sdtPr')}/{w('showingPlcHdr')}") is None
    assert text_of(sdt.find(w("sdtContent"))) == "Ada Lovelace"  # type: ignore[arg-type]
    assert b"PlaceholderText" not in etree.tostring(sdt.find(w("sdtContent")))  # type: ignore[arg-type]


def test_checkbox_state_and_glyph_change_together(filled: etree._Element) -> None:
    sdt = _control(filled, "wishes_not_incorporated")
    state = sdt.find(f"{w('sdtPr')}/{w14('checkbox')}/{w14('checked')}")
    assert state is not None and state.get(w14("val")) == "1"
    assert text_of(sdt.find(w("sdtContent"))) == CHECKED_GLYPH  # type: ignore[arg-type]


def test_date_sets_full_date_and_display_text(filled: etree._Element) -> None:
    sdt = _control(filled, "plan_date")
    picker = sdt.find(f"{w('sdtPr')}/{w('date')}")
    assert picker is not None and picker.get(w("fullDate")) == "2026-03-20T00:00:00Z"
    assert text_of(sdt.find(w("sdtContent"))) == "20/03/2026"  # type: ignore[arg-type]


def test_dropdown_shows_the_display_text(filled: etree._Element) -> None:
    assert text_of(_control(filled, "review_frequency").find(w("sdtContent"))) == "6 months"  # type: ignore[arg-type]


def test_extra_rows_are_cloned_with_their_own_ids(filled: etree._Element) -> None:
    section = _control(filled, "actions")
    assert section.find(f"{w('sdtPr')}/{w15('repeatingSection')}") is not None
    items = section.findall(f"{w('sdtContent')}/{w('sdt')}")
    assert len(items) == 4
    ids = [i.get(w("val")) for i in filled.iter(w("id"))]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize(
    ("data", "words"),
    [
        pytest.param({"nickname": "Ada"}, "nickname: not a field", id="unknown_key"),
        pytest.param({"plan_date": "next Tuesday"}, "plan_date: next Tuesday is not a date",
                     id="date_not_a_date"),
        pytest.param({"wishes_not_incorporated": "yes"}, "expected true or false",
                     id="checkbox_not_a_boolean"),
        pytest.param({"review_frequency": "weekly"}, "expected one of: six_weeks",
                     id="choice_not_offered"),
        pytest.param({"actions": [{"colour": "red"}]}, "actions[1].colour: not a column",
                     id="unknown_table_column"),
        pytest.param({"actions": "buy milk"}, "expected a list of rows", id="table_not_a_list"),
    ],
)
def test_wrong_values_are_clear_errors(
    tmp_path: Path, catalogue: Catalogue, data: dict[str, object], words: str
) -> None:
    with pytest.raises(FillError) as caught:
        fill(catalogue.get("support-plan"), data, tmp_path / "x.docx")
    assert words in str(caught.value)
    assert not (tmp_path / "x.docx").exists()
