"""Quoting the workbook's links: exactly what the standard library gives."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.reports.xlsx.xml_text import quote_path

CASES = [
    pytest.param("P-0001 Support plan 05-08-2023.docx", id="usual_form_name"),
    pytest.param("archive/2026/03/P-0001 Review.docx", id="folders_and_spaces"),
    pytest.param("", id="empty"),
    pytest.param("Zoë's plan & review <draft>.docx", id="non_ascii_and_markup"),
    pytest.param('a "quoted"\tname\r\n.pdf', id="quotes_and_whitespace"),
    pytest.param("100%_done~ok.xlsx", id="percent_and_safe_marks"),
    pytest.param("\x00\x1f\x7f", id="control_characters"),
]


@pytest.mark.parametrize("text", CASES)
def test_named_cases(text: str) -> None:
    assert quote_path(text) == quote(text)


@settings(max_examples=500, deadline=None, database=None)
@given(text=st.text(alphabet=st.characters(codec="utf-8"), max_size=40))
def test_same_as_the_standard_library(text: str) -> None:
    assert quote_path(text) == quote(text)
