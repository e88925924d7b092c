"""Blank Excel forms: names, validation, protection, properties, and the committed copies."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from pipeline.definitions import Catalogue, FieldType, FormDefinition
from pipeline.formats.titles import service_title
from pipeline.formats.xlsx.build import _build, build_blank_xlsx
from pipeline.formats.xlsx.names import defined_name, key_of_name, table_rows
from pipeline.forms_service import blank_path


@pytest.fixture(scope="module")
def plan(catalogue: Catalogue) -> tuple[FormDefinition, bytes]:
    definition = catalogue.get("support-plan").for_service("community-support")
    return definition, build_blank_xlsx(definition, "community-support",
                                        title=service_title("community-support"))


@pytest.fixture(scope="module")
def workbook(plan: tuple[FormDefinition, bytes]) -> Any:
    return load_workbook(io.BytesIO(plan[1]), rich_text=True)


def _target(workbook: Any, key: str) -> tuple[Any, str]:
    title, cells = next(iter(workbook.defined_names[defined_name(key)].destinations))
    return workbook[title], cells.replace("$", "")


def test_committed_blank_workbooks_match_their_definitions(catalogue: Catalogue) -> None:
    """Fails when a definition changed and `planwatch forms build` was not run."""
    stale = []
    for definition in catalogue:
        for service in definition.services:
            path = blank_path(catalogue, definition, service, "xlsx")
            blank = build_blank_xlsx(definition, service, title=service_title(service))
            if not path.exists() or path.read_bytes() != blank:
                stale.append(str(path))
    assert not stale, f"run `planwatch forms build`; out of date: {stale}"


def test_build_is_repeatable(plan: tuple[FormDefinition, bytes]) -> None:
    definition, blob = plan
    # Built afresh, not from the cache.
    assert _build.__wrapped__(definition, "community-support",
                              service_title("community-support")) == blob


def test_every_answer_cell_is_named_unlocked_and_typed(
    plan: tuple[FormDefinition, bytes], workbook: Any
) -> None:
    definition, _ = plan
    formats = {FieldType.DATE: "dd/mm/yyyy", FieldType.TEXT: "@", FieldType.LONG_TEXT: "@"}
    for field in definition.leaf_fields():
        sheet, cells = _target(workbook, field.key)
        cell = sheet[cells]
        assert cell.protection.locked is False, field.key
        if field.type in formats:
            assert cell.number_format == formats[field.type], field.key
    assert workbook.active.protection.sheet is True
    locked_labels = workbook.active["B7"]
    assert locked_labels.protection.locked is True


def test_validation_lists_dates_and_numbers(workbook: Any) -> None:
    sheet, frequency = _target(workbook, "review_frequency")
    rules = {str(cells): rule for rule in sheet.data_validations.dataValidation
             for cells in rule.sqref.ranges}
    listing = rules[frequency]
    assert listing.type == "list" and listing.formula1.startswith("'Lists'!$A$")
    lists = workbook["Lists"]
    assert lists.sheet_state == "hidden"
    assert [lists.cell(row=n, column=1).value for n in (1, 2, 3)] == [
        "6 weeks (first review)", "3 months", "6 months"]
    _, plan_date = _target(workbook, "plan_date")
    assert rules[plan_date].type == "date" and "dd/mm/yyyy" in rules[plan_date].prompt
    _, box = _target(workbook, "wishes_not_incorporated")
    assert rules[box].formula1 == '"Yes,No"'


def test_table_is_a_named_range_with_a_row_per_entry(
    plan: tuple[FormDefinition, bytes], workbook: Any
) -> None:
    definition, _ = plan
    spec = definition.tables_by_key["actions"]
    sheet, cells = _target(workbook, "actions")
    grid = sheet[cells]
    assert len(grid) == table_rows(spec) and len(grid[0]) == len(spec.columns)
    header = [str(sheet.cell(row=grid[0][0].row - 1, column=c.column).value).split("\n")[0]
              for c in grid[0]]
    assert header == [f"{c.label}{' *' if c.required else ''}" for c in spec.columns]
    assert [sheet.cell(row=row[0].row, column=1).value for row in grid][:3] == [1, 2, 3]


def test_properties_name_the_form(workbook: Any) -> None:
    props = {p.name: p.value for p in workbook.custom_doc_props.props}
    assert props == {"PlanwatchFormId": "support-plan", "PlanwatchFormVersion": "1",
                     "PlanwatchService": "community-support"}
    assert workbook.properties.title == "Support plan (Community Support)"
    assert "Planwatch form support-plan \u00b7 version 1" in workbook.active.oddFooter.center.text


@pytest.mark.parametrize(("key", "name"), [
    pytest.param("person_id", "person_id", id="ordinary_key"),
    pytest.param("q1", "_q1", id="looks_like_cell_q1"),
    pytest.param("abc12", "_abc12", id="looks_like_cell_abc12"),
    pytest.param("r", "_r", id="r1c1_row_letter"),
    pytest.param("r2c3", "_r2c3", id="r1c1_reference"),
    pytest.param("abcd1", "abcd1", id="four_letters_is_not_a_column"),
])
def test_defined_names_excel_accepts(key: str, name: str) -> None:
    assert defined_name(key) == name
    assert key_of_name(name.upper()) == key
