"""Read a filled Excel form (.xlsx) into a :class:`RawForm`.

Contract: given the file's bytes and the catalogue, return every answer keyed by the
definition's field keys, or raise a :class:`FormReadError` that names the file and says
what to do. Answers are found by their defined names (the contract in
:mod:`pipeline.formats.xlsx`), and any a workbook has lost by the labels beside them
(:mod:`pipeline.formats.xlsx.cells`). The form is identified by its custom properties,
else the stamp printed on the sheet, else its title.

The file is untrusted: the zip is checked for bombs and every XML part is parsed once
with the safe parser (no DOCTYPE) before openpyxl, which has its own parser, touches it.
"""

from __future__ import annotations

import io
import warnings
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries

from pipeline.definitions import Catalogue, FormDefinition
from pipeline.errors import FormReadError
from pipeline.formats import containment
from pipeline.formats.identity import (
    PROP_FORM_ID,
    PROP_FORM_VERSION,
    PROP_SERVICE,
    Clue,
    identify,
    stamp_clue,
)
from pipeline.formats.safety import (
    DEFAULT_LIMITS,
    EXCEL,
    Limits,
    check_xml_parts,
    load_bytes,
    open_office_zip,
    read_part,
)
from pipeline.formats.strict import is_strict_part, transitional_archive
from pipeline.formats.xlsx.cells import SheetGrid, by_labels, raw_value
from pipeline.formats.xlsx.names import LISTS_SHEET, key_of_name
from pipeline.records import RawForm, RawValue

_SAVE_AGAIN = "Save the form again from Excel or LibreOffice Calc and drop the new copy."
# A named range longer than any table: a hostile name must not make us read a million rows.
MAX_TABLE_ROWS = 500


def read_xlsx(
    path: Path, catalogue: Catalogue, *, data: bytes | None = None, limits: Limits = DEFAULT_LIMITS
) -> RawForm:
    """Every answer in one Excel form, keyed by field key (see the module docstring)."""
    containment.install()
    data = load_bytes(path, data)
    with open_office_zip(path, data, limits, EXCEL) as archive:
        if "xl/workbook.xml" not in archive.namelist():
            raise FormReadError(path, "this is not an Excel workbook (no xl/workbook.xml)",
                                hint="Save it from Excel or LibreOffice as .xlsx and drop again.")
        check_xml_parts(archive, path, limits)
        if is_strict_part(read_part(archive, "xl/workbook.xml", path, limits)):
            # "Strict Open XML Spreadsheet": openpyxl knows only the usual names.
            data = transitional_archive(archive, lambda name: read_part(archive, name, path,
                                                                        limits))
    try:
        # openpyxl warns about every extension it drops (LibreOffice writes several); the
        # answers are in plain cells, so the warnings say nothing about the form.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True,
                                     keep_links=False)
            try:
                return _read(path, workbook, catalogue)
            finally:
                workbook.close()
    except FormReadError:
        raise
    # The boundary to a parser of untrusted bytes: anything openpyxl raises is "damaged".
    # Its words stay out of the reason: they can quote the file (a sheet's title, a name).
    except Exception as exc:
        raise FormReadError(path, "the workbook is damaged and cannot be read",
                            hint=_SAVE_AGAIN) from exc


def _read(path: Path, workbook: Any, catalogue: Catalogue) -> RawForm:
    sheet = _form_sheet(workbook)
    grid = SheetGrid(sheet) if sheet is not None else None
    definition, version, service = identify(path, catalogue, _clues(workbook, grid),
                                            titles=_titles(workbook, grid))
    grids = {title: SheetGrid(workbook[title]) for title in _named_sheets(workbook)
             if sheet is None or title != sheet.title}
    if sheet is not None and grid is not None:
        grids[sheet.title] = grid
    fields, tables, unmatched = _by_names(workbook, grids, definition)
    wanted = {k for k in definition.leaves_by_key if k not in fields}
    wanted |= {t.key for t in definition.tables if t.key not in tables}
    if wanted and grid is not None:
        more_fields, more_tables = by_labels(grid, definition, wanted)
        fields.update(more_fields)
        tables.update(more_tables)
    modified = workbook.properties.modified
    if isinstance(modified, datetime) and modified.tzinfo is None:
        modified = modified.replace(tzinfo=UTC)  # core properties are in UTC
    return RawForm(
        file_name=path.name,
        form_id=definition.id,
        form_version=version,
        service=service,
        fields=fields,
        tables={t.key: tables.get(t.key, []) for t in definition.tables},
        unmatched=tuple(unmatched),
        modified=modified if isinstance(modified, datetime) else None,
    )


def _form_sheet(workbook: Any) -> Any:
    """The sheet the answers are on: the first visible one that is not the lists."""
    for sheet in workbook.worksheets:
        if sheet.sheet_state == "visible" and sheet.title != LISTS_SHEET:
            return sheet
    return workbook.worksheets[0] if workbook.worksheets else None


def _named_sheets(workbook: Any) -> set[str]:
    titles: set[str] = set()
    for defined in workbook.defined_names.values():
        try:
            titles |= {title for title, _ in defined.destinations}
        except (AttributeError, ValueError, TypeError):
            continue
    return titles & set(workbook.sheetnames)


def _clues(workbook: Any, grid: SheetGrid | None) -> list[Clue]:
    props = {p.name: str(p.value) for p in workbook.custom_doc_props.props
             if p.value is not None}
    clues = [Clue(props.get(PROP_FORM_ID), props.get(PROP_FORM_VERSION),
                  props.get(PROP_SERVICE))]
    for value in (grid.values.values() if grid is not None else ()):
        clue = stamp_clue(value) if isinstance(value, str) else None
        if clue is not None:
            return [*clues, clue]
    return clues


def _titles(workbook: Any, grid: SheetGrid | None) -> list[str]:
    titles = [str(workbook.properties.title or "")]
    if grid is not None:
        titles += [grid.get(row, column) for row in (1, 2, 3) for column in (1, 2, 3)
                   if isinstance(grid.get(row, column), str)]
    return titles


def _by_names(workbook: Any, grids: dict[str, SheetGrid], definition: FormDefinition) -> tuple[
        dict[str, RawValue], dict[str, list[dict[str, RawValue]]], list[str]]:
    """Answers and tables at the cells their defined names point at."""
    leaves, tables = definition.leaves_by_key, definition.tables_by_key
    fields: dict[str, RawValue] = {}
    rows: dict[str, list[dict[str, RawValue]]] = {}
    unmatched: list[str] = []
    for name, defined in workbook.defined_names.items():
        if name.startswith("_xlnm."):
            continue  # Excel's own names: print area, print titles
        key = key_of_name(name)
        place = _place(defined)
        if place is None or place[0] not in grids or (key not in leaves and key not in tables):
            unmatched.append(name)
            continue
        title, (low_col, low_row, high_col, high_row) = place
        grid = grids[title]
        if key in leaves:
            fields[key] = raw_value(grid.get(low_row, low_col), leaves[key], "name")
            continue
        columns = tables[key].columns
        last_row = min(high_row, low_row + MAX_TABLE_ROWS - 1)
        rows[key] = [{spec.key: raw_value(grid.get(row, low_col + offset), spec, "name")
                      for offset, spec in enumerate(columns) if low_col + offset <= high_col}
                     for row in range(low_row, last_row + 1)]
    return fields, rows, unmatched


def _place(defined: Any) -> tuple[str, tuple[int, int, int, int]] | None:
    """The sheet and bounds (first column, first row, last column, last row) of a name."""
    try:
        title, reference = next(iter(defined.destinations))
        bounds = range_boundaries(reference.replace("$", ""))
    except (StopIteration, AttributeError, ValueError, TypeError):
        return None
    if any(b is None for b in bounds):
        return None  # a whole row or column: never an answer
    low_col, low_row, high_col, high_row = (int(b) for b in bounds if b is not None)
    return title, (low_col, low_row, high_col, high_row)
