"""Read a filled Excel form (.xlsx) into a :class:`RawForm`.

Contract: given the file's bytes and the catalogue, return every answer keyed by the
definition's field keys, or raise a :class:`FormReadError` that names the file and says
what to do. Answers are found by their defined names (the contract in
:mod:`pipeline.formats.xlsx`), and any a workbook has lost by the labels beside them
(:mod:`pipeline.formats.xlsx.cells`). The form is identified by its custom properties,
else the stamp printed on the sheet, else its title.

The file is untrusted: the zip is checked for bombs, and the parts are read with lxml
and the safe parser (no DOCTYPE) by :mod:`pipeline.formats.xlsx.parts`, which gives what
openpyxl's read-only load did (the same values, the same refusals) without building the
whole workbook; every other XML part is looked at for a DOCTYPE and never parsed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

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
from pipeline.formats.safety import DEFAULT_LIMITS, EXCEL, Limits, load_bytes, open_office_zip
from pipeline.formats.xlsx.cells import (
    MAX_SCAN_COLUMNS,
    MAX_SCAN_ROWS,
    SheetGrid,
    by_labels,
    raw_value,
)
from pipeline.formats.xlsx.names import LISTS_SHEET, key_of_name
from pipeline.formats.xlsx.parts import Sheet, Workbook, destinations, read_workbook
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
        try:
            return _read(path, read_workbook(archive, path, limits), catalogue)
        except FormReadError:
            raise
        # The boundary to untrusted bytes: anything the workbook's structure breaks is
        # "damaged". The error's words stay out of the reason: they can quote the file.
        except Exception as exc:
            raise FormReadError(path, "the workbook is damaged and cannot be read",
                                hint=_SAVE_AGAIN) from exc


def _grid(workbook: Workbook, sheet: Sheet) -> SheetGrid:
    return SheetGrid(workbook.cells(sheet, MAX_SCAN_ROWS, MAX_SCAN_COLUMNS))


def _read(path: Path, workbook: Workbook, catalogue: Catalogue) -> RawForm:
    sheet = _form_sheet(workbook)
    grid = _grid(workbook, sheet) if sheet is not None else None
    definition, version, service = identify(path, catalogue, _clues(workbook, grid),
                                            titles=_titles(workbook, grid))
    grids = {title: _grid(workbook, workbook.sheet(title)) for title in _named_sheets(workbook)
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
    modified = workbook.modified
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


def _form_sheet(workbook: Workbook) -> Sheet | None:
    """The sheet the answers are on: the first visible one that is not the lists."""
    worksheets = workbook.worksheets
    for sheet in worksheets:
        if sheet.state == "visible" and sheet.title != LISTS_SHEET:
            return sheet
    return worksheets[0] if worksheets else None


def _named_sheets(workbook: Workbook) -> set[str]:
    titles: set[str] = set()
    for value in workbook.defined_names.values():
        try:
            titles |= {title for title, _ in destinations(value)}
        except (AttributeError, ValueError, TypeError):
            continue
    return titles & set(workbook.sheetnames)


def _clues(workbook: Workbook, grid: SheetGrid | None) -> list[Clue]:
    props = workbook.custom
    clues = [Clue(props.get(PROP_FORM_ID), props.get(PROP_FORM_VERSION),
                  props.get(PROP_SERVICE))]
    for value in (grid.values.values() if grid is not None else ()):
        clue = stamp_clue(value) if isinstance(value, str) else None
        if clue is not None:
            return [*clues, clue]
    return clues


def _titles(workbook: Workbook, grid: SheetGrid | None) -> list[str]:
    titles = [str(workbook.title or "")]
    if grid is not None:
        titles += [grid.get(row, column) for row in (1, 2, 3) for column in (1, 2, 3)
                   if isinstance(grid.get(row, column), str)]
    return titles


def _by_names(workbook: Workbook, grids: dict[str, SheetGrid], definition: FormDefinition) -> tuple[
        dict[str, RawValue], dict[str, list[dict[str, RawValue]]], list[str]]:
    """Answers and tables at the cells their defined names point at."""
    leaves, tables = definition.leaves_by_key, definition.tables_by_key
    fields: dict[str, RawValue] = {}
    rows: dict[str, list[dict[str, RawValue]]] = {}
    unmatched: list[str] = []
    for name, value in workbook.defined_names.items():
        if name.startswith("_xlnm."):
            continue  # Excel's own names: print area, print titles
        key = key_of_name(name)
        place = _place(value)
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


def _place(value: str | None) -> tuple[str, tuple[int, int, int, int]] | None:
    """The sheet and bounds (first column, first row, last column, last row) of a name."""
    try:
        title, reference = next(destinations(value))
        bounds = range_boundaries(reference.replace("$", ""))
    except (StopIteration, AttributeError, ValueError, TypeError):
        return None
    if any(b is None for b in bounds):
        return None  # a whole row or column: never an answer
    low_col, low_row, high_col, high_row = (int(b) for b in bounds if b is not None)
    return title, (low_col, low_row, high_col, high_row)
