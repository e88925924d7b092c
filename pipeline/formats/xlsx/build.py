"""Blank Excel forms from form definitions.

One sheet, laid out like the Word form: the title, then each section's heading, its
fields as label-and-answer rows and its tables as a header row over numbered rows. The
grid: column A numbers table rows, B holds labels (and a table's first column), C onwards
hold answers (merged across for single answers). Choice labels live on a hidden "Lists"
sheet the list validations point at. The contract readers rely on is in
:mod:`pipeline.formats.xlsx`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from openpyxl import Workbook
from openpyxl.packaging.custom import StringProperty
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName

from pipeline.definitions import FieldSpec, FieldType, FormDefinition, TableSpec, answer_rows
from pipeline.formats.identity import FIXED_STAMP, identity_properties, stamp_text
from pipeline.formats.xlsx import style
from pipeline.formats.xlsx.names import (
    DATE_FORMAT,
    DATETIME_FORMAT,
    LISTS_SHEET,
    TEXT_FORMAT,
    defined_name,
    sheet_title,
    table_rows,
)
from pipeline.formats.xlsx.package import workbook_bytes
from pipeline.formats.xlsx.validation import validation_for

LABEL_COLUMN = 2
FIRST_ANSWER_COLUMN = 3
MIN_ANSWER_COLUMNS = 4
_FORMATS = {FieldType.DATE: DATE_FORMAT, FieldType.DATETIME: DATETIME_FORMAT,
            FieldType.NUMBER: "General"}
_HINTS = {FieldType.DATE: DATE_FORMAT, FieldType.DATETIME: DATETIME_FORMAT}
_ALIGNMENT = {FieldType.LONG_TEXT: style.WRAP_TOP, FieldType.YES_NO: style.CENTRE,
              FieldType.DATE: style.LEFT_CENTRE, FieldType.DATETIME: style.LEFT_CENTRE,
              FieldType.NUMBER: style.LEFT_CENTRE}


class FormSheet:
    """Writes one form down a sheet, row by row."""

    def __init__(self, workbook: Any, definition: FormDefinition) -> None:
        self.sheet = workbook.active
        self.sheet.title = sheet_title(definition.title)
        self.lists = workbook.create_sheet(LISTS_SHEET)
        self.lists.sheet_state = "hidden"
        self.workbook = workbook
        widest = max((len(t.columns) for t in definition.tables), default=0)
        self.last_column = LABEL_COLUMN + max(MIN_ANSWER_COLUMNS, widest - 1)
        self.row = 1
        self.list_columns = 0

    def _merge(self, row: int, first: int, last: int | None = None) -> Any:
        last = last or self.last_column
        if last > first:
            self.sheet.merge_cells(start_row=row, start_column=first, end_row=row,
                                   end_column=last)
        return self.sheet.cell(row=row, column=first)

    def _box(self, row: int, first: int, last: int) -> None:
        """Borders on every cell of a merged answer, so the whole box is drawn."""
        for column in range(first, last + 1):
            self.sheet.cell(row=row, column=column).border = style.BOX

    def _banner(self, text: str, font: Any, height: float, *, fill: Any = None) -> None:
        cell = self._merge(self.row, LABEL_COLUMN)
        cell.value, cell.font = text, font
        cell.alignment = style.WRAP_CENTRE
        if fill is not None:
            for column in range(LABEL_COLUMN, self.last_column + 1):
                self.sheet.cell(row=self.row, column=column).fill = fill
        self.sheet.row_dimensions[self.row].height = height
        self.row += 1

    def _wide_chars(self) -> float:
        return style.LABEL_WIDTH + style.ANSWER_WIDTH * (self.last_column - LABEL_COLUMN)

    def title(self, definition: FormDefinition, title: str) -> None:
        self._banner(definition.title, style.TITLE, 30)
        self._banner(title, style.SUBTITLE, 18)
        lines = style.lines_needed(definition.instructions, self._wide_chars() * 1.1)
        self._banner(definition.instructions, style.NOTE, lines * 12 + 6)
        self.row += 1

    def section(self, title: str, intro: str | None) -> None:
        self.row += 1
        self._banner(title, style.SECTION, 22, fill=style.SECTION_FILL)
        if intro:
            lines = style.lines_needed(intro, self._wide_chars() * 1.1)
            self._banner(intro, style.NOTE, lines * 12 + 4)

    def _list_range(self, field: FieldSpec) -> str | None:
        if field.type is not FieldType.CHOICE or not field.choices:
            return None
        self.list_columns += 1
        letter = get_column_letter(self.list_columns)
        for number, choice in enumerate(field.choices, start=1):
            self.lists.cell(row=number, column=self.list_columns, value=choice.label)
        return (f"{quote_sheetname(LISTS_SHEET)}!${letter}$1:${letter}$"
                f"{len(field.choices)}")

    def _answer_cells(self, field: FieldSpec, cells: str, prompt_title: str) -> None:
        """Formats and validation for the answer cells ``cells`` (a range like C5 or B9:B18)."""
        first, _, last = cells.partition(":")
        for row in self.sheet[f"{first}:{last or first}"]:
            for cell in row:
                cell.protection = style.UNLOCKED
                cell.font = style.BODY
                cell.fill = style.ANSWER_FILL
                cell.number_format = _FORMATS.get(field.type, TEXT_FORMAT)
                cell.alignment = _ALIGNMENT.get(field.type, style.WRAP_CENTRE)
        rule = validation_for(field, self._list_range(field), prompt_title)
        if rule is not None:
            self.sheet.add_data_validation(rule)
            rule.add(cells)

    def _name(self, key: str, cells: str) -> None:
        name = defined_name(key)
        reference = f"{quote_sheetname(self.sheet.title)}!{_absolute(cells)}"
        self.workbook.defined_names[name] = DefinedName(name, attr_text=reference)

    def field(self, field: FieldSpec, required: bool, help_text: str | None) -> None:
        """One label-and-answer row, the answer merged across the answer columns."""
        label = self.sheet.cell(row=self.row, column=LABEL_COLUMN)
        hint = _hint(field)
        label.value = style.label_text(field.label, required=required, help_text=help_text,
                                       hint=hint)
        label.fill, label.border = style.LABEL_FILL, style.BOX
        label.alignment = style.WRAP_TOP if field.type is FieldType.LONG_TEXT else (
            style.WRAP_CENTRE)
        answer = self._merge(self.row, FIRST_ANSWER_COLUMN)
        self._box(self.row, FIRST_ANSWER_COLUMN, self.last_column)
        self._answer_cells(field.model_copy(update={"help": help_text}), answer.coordinate,
                           field.label)
        self._name(field.key, answer.coordinate)
        text_lines = style.lines_needed(field.label, style.LABEL_WIDTH * 0.85) + sum(
            style.lines_needed(extra, style.LABEL_WIDTH * 1.1) * 0.85
            for extra in (help_text, hint) if extra)
        base = 60.0 if field.type is FieldType.LONG_TEXT else 20.0
        self.sheet.row_dimensions[self.row].height = max(base, text_lines * style.LINE_POINTS
                                                         + 5)
        self.row += 1

    def fields(self, fields: list[FieldSpec]) -> None:
        for row in answer_rows(fields):
            self.field(row.field, row.required, row.help)

    def table(self, spec: TableSpec) -> None:
        """A title row, a header row of column labels, then numbered rows: the named range."""
        self.row += 1
        heading = self._merge(self.row, LABEL_COLUMN)
        heading.value = style.label_text(spec.label, required=spec.required,
                                         help_text=spec.help)
        heading.alignment = style.WRAP_TOP
        self.sheet.row_dimensions[self.row].height = 30 if spec.help else 18
        self.row += 1
        columns = _table_columns(spec, self.last_column)
        number = self.sheet.cell(row=self.row, column=1, value="No.")
        number.font, number.fill, number.border = style.BOLD, style.HEADER_FILL, style.BOX
        for column, (first, last) in zip(spec.columns, columns, strict=True):
            cell = self._merge(self.row, first, last)
            cell.value = style.label_text(column.label, required=column.required,
                                          hint=_HINTS.get(column.type))
            cell.fill, cell.alignment = style.HEADER_FILL, style.WRAP_TOP
            self._box(self.row, first, last)
        self.sheet.row_dimensions[self.row].height = 30
        top, bottom = self.row + 1, self.row + table_rows(spec)
        long_rows = any(c.type is FieldType.LONG_TEXT for c in spec.columns)
        for row in range(top, bottom + 1):
            cell = self.sheet.cell(row=row, column=1, value=row - top + 1)
            cell.font, cell.fill, cell.border = style.NUMBER, style.LABEL_FILL, style.BOX
            cell.alignment = style.CENTRE
            for first, last in columns:
                self._merge(row, first, last)
                self._box(row, first, last)
            self.sheet.row_dimensions[row].height = 36 if long_rows else 20
        for column, (first, _) in zip(spec.columns, columns, strict=True):
            letter = get_column_letter(first)
            self._answer_cells(column, f"{letter}{top}:{letter}{bottom}",
                               f"{spec.label}: {column.label}")
        last_letter = get_column_letter(columns[-1][0])
        self._name(spec.key, f"{get_column_letter(LABEL_COLUMN)}{top}:{last_letter}{bottom}")
        self.row = bottom + 2  # a blank row between the table and what follows

    def finish(self, stamp: str) -> None:
        """The stamp row, column widths, printing, and protection (answers stay unlocked)."""
        self.row += 1
        self._banner(stamp, style.STAMP, 14)
        sheet = self.sheet
        sheet.column_dimensions["A"].width = style.NUMBER_WIDTH
        sheet.column_dimensions[get_column_letter(LABEL_COLUMN)].width = style.LABEL_WIDTH
        for column in range(FIRST_ANSWER_COLUMN, self.last_column + 1):
            sheet.column_dimensions[get_column_letter(column)].width = style.ANSWER_WIDTH
        sheet.sheet_view.showGridLines = False
        sheet.print_area = f"A1:{get_column_letter(self.last_column)}{self.row - 1}"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.page_setup.orientation = "portrait"
        sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
        margins = sheet.page_margins
        margins.left = margins.right = 0.5
        margins.top, margins.bottom, margins.footer = 0.6, 0.7, 0.3
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.oddFooter.center.text = f"{stamp} \u00b7 Page &P of &N"
        sheet.oddFooter.center.size = 8
        # Protected without a password: answers are unlocked; rows may be resized (to read
        # long answers) and inserted (a table's range grows with them), nothing else.
        sheet.protection.sheet = True
        sheet.protection.formatRows = False
        sheet.protection.formatColumns = False
        sheet.protection.insertRows = False
        self.lists.protection.sheet = True


def _hint(field: FieldSpec) -> str | None:
    """What a label says under itself: the date format, or the choices to pick from."""
    if field.type is FieldType.CHOICE and field.choices:
        return "Choose one: " + " \u00b7 ".join(c.label for c in field.choices)
    if field.type is FieldType.YES_NO:
        return "Choose Yes or No"
    return _HINTS.get(field.type)


def _table_columns(spec: TableSpec, last_column: int) -> list[tuple[int, int]]:
    """Each table column's first and last sheet column; the last takes up what is left."""
    spans = [(LABEL_COLUMN + i, LABEL_COLUMN + i) for i in range(len(spec.columns))]
    first, _ = spans[-1]
    spans[-1] = (first, last_column)
    return spans


def _absolute(cells: str) -> str:
    """``B9:F18`` as ``$B$9:$F$18``."""
    def one(cell: str) -> str:
        letters = cell.rstrip("0123456789")
        return f"${letters}${cell[len(letters):]}"

    return ":".join(one(part) for part in cells.split(":"))


def build_blank_xlsx(definition: FormDefinition, service: str, *, title: str) -> bytes:
    """The blank Excel form for one service's copy of a form, as bytes; ``title`` is the
    service's name (built once per process: filling many forms, and checking the
    committed blanks, reuse it)."""
    return _build(definition.for_service(service), service, title)


@lru_cache(maxsize=64)
def _build(definition: FormDefinition, service: str, title: str) -> bytes:
    workbook = Workbook()
    form = FormSheet(workbook, definition)
    form.title(definition, title)
    for section in definition.sections:
        form.section(section.title, section.intro)
        pending: list[FieldSpec] = []
        for item in section.items:
            if isinstance(item, TableSpec):
                form.fields(pending)
                pending = []
                form.table(item)
            else:
                pending.append(item)
        form.fields(pending)
    form.finish(stamp_text(definition.id, definition.version, service))
    properties = workbook.properties
    properties.title = f"{definition.title} ({title})"
    properties.subject = f"Planwatch form {definition.id} version {definition.version}"
    properties.keywords = f"planwatch {definition.id} v{definition.version}"
    properties.creator = properties.lastModifiedBy = "Planwatch"
    properties.created = FIXED_STAMP.replace(tzinfo=None)
    for name, value in identity_properties(definition.id, definition.version, service).items():
        workbook.custom_doc_props.append(StringProperty(name=name, value=value))
    return workbook_bytes(workbook, modified=FIXED_STAMP)
