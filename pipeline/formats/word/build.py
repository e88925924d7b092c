"""Blank Word forms from form definitions.

python-docx lays out the document (page, styles, tables, footer); each answer is an
inline content control from :mod:`pipeline.formats.word.controls`. The form id, version and
service are stored as custom document properties and printed in the footer, so a filled
form can be recognised even after another office suite has re-saved it. The service's
title (its policy's name) is given by the caller.
"""

from __future__ import annotations

import io

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph
from lxml import etree

from pipeline.definitions import FieldSpec, FieldType, FormDefinition, TableSpec, answer_rows
from pipeline.formats.identity import FIXED_STAMP, identity_properties, stamp_text
from pipeline.formats.word import controls
from pipeline.formats.word.names import W14_NS, W15_NS, custom_properties_xml

ACCENT = RGBColor(0x1F, 0x4E, 0x5F)
LABEL_FILL = "E8EEF0"
HEADER_FILL = "D5E1E5"
FONT = "Arial"
PAGE_WIDTH_CM = 17.0  # A4 less 2 cm margins each side
LABEL_WIDTH_CM = 6.0


def build_blank(definition: FormDefinition, service: str, *, title: str) -> bytes:
    """The blank .docx for one service's copy of a form, as bytes; ``title`` is the name
    staff know the service by (:func:`pipeline.formats.titles.service_title`)."""
    definition = definition.for_service(service)
    controls.reset_ids()
    document = docx.Document()
    _declare_namespaces(document)
    _set_up_page(document)
    _set_up_styles(document)
    _title_block(document, definition, title)
    for section in definition.sections:
        heading = document.add_paragraph(section.title, style="Heading 1")
        heading.paragraph_format.keep_with_next = True
        if section.intro:
            document.add_paragraph(section.intro, style="Form Help")
        pending: list[FieldSpec] = []
        for item in section.items:
            if isinstance(item, TableSpec):
                _field_table(document, pending)
                pending = []
                _repeating_table(document, item)
            else:
                pending.append(item)
        _field_table(document, pending)
    _footer(document, definition, service)
    _properties(document, definition, service, title)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _declare_namespaces(document: docx.document.Document) -> None:
    """Declare w14/w15 on the root and mark them ignorable, as Word itself does.

    python-docx's template root lacks w15, which repeating sections need; lxml cannot add
    a namespace to an existing element, so the body moves to a new root.
    """
    part = document.part
    old = part._element
    nsmap = dict(old.nsmap)
    nsmap.update({"w14": W14_NS, "w15": W15_NS})
    declarations = " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in nsmap.items() if prefix)
    new = parse_xml(f'<w:document {declarations} mc:Ignorable="w14 w15 wp14"/>')
    for child in list(old):
        new.append(child)
    part._element = new
    document._element = new


def _set_up_page(document: docx.document.Document) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.0)
    section.top_margin, section.bottom_margin = Cm(1.8), Cm(1.8)
    section.footer_distance = Cm(0.9)


def _set_up_styles(document: docx.document.Document) -> None:
    styles = document.styles
    normal = styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(10)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    normal.paragraph_format.space_after = Pt(2)
    heading = styles["Heading 1"]
    heading.font.name, heading.font.size, heading.font.color.rgb = FONT, Pt(13), ACCENT
    heading.paragraph_format.space_before, heading.paragraph_format.space_after = Pt(14), Pt(4)
    title = styles["Title"]
    title.font.name, title.font.size, title.font.color.rgb = FONT, Pt(20), ACCENT
    title.paragraph_format.space_after = Pt(2)
    _remove_borders(title.element)
    placeholder = styles.add_style("Placeholder Text", WD_STYLE_TYPE.CHARACTER)
    placeholder.font.color.rgb = RGBColor(0x76, 0x76, 0x76)
    help_style = styles.add_style("Form Help", WD_STYLE_TYPE.PARAGRAPH)
    help_style.base_style = normal
    help_style.font.size, help_style.font.italic = Pt(8.5), True
    help_style.font.color.rgb = RGBColor(0x55, 0x55, 0x55)


def _remove_borders(style_element: etree._Element) -> None:
    for border in style_element.iter(qn("w:pBdr")):
        parent = border.getparent()
        if parent is not None:
            parent.remove(border)


def _title_block(
    document: docx.document.Document, definition: FormDefinition, title: str
) -> None:
    document.add_paragraph(definition.title, style="Title")
    subtitle = document.add_paragraph()
    run = subtitle.add_run(title)
    run.bold, run.font.size, run.font.color.rgb = True, Pt(11), ACCENT
    note = document.add_paragraph(definition.instructions, style="Form Help")
    note.paragraph_format.space_after = Pt(6)
    note.runs[0].font.size = Pt(9)


def _shade(cell: docx.table._Cell, fill: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    shading = etree.SubElement(tc_pr, qn("w:shd"))
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)


def _label(cell: docx.table._Cell, text: str, required: bool, help_text: str | None) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.add_run(text).bold = True
    if required:
        marker = paragraph.add_run(" *")
        marker.bold, marker.font.color.rgb = True, RGBColor(0xA0, 0x1E, 0x1E)
    if help_text:
        cell.add_paragraph(help_text, style="Form Help")


def _answer(cell: docx.table._Cell, field: FieldSpec) -> None:
    control = controls.blank_control(field)
    paragraph = cell.paragraphs[0]._p
    if controls.is_block(field):
        paragraph.addprevious(control)
        paragraph.getparent().remove(paragraph)
    else:
        paragraph.append(control)


def _fix_widths(table: docx.table.Table, widths_cm: list[float]) -> None:
    """Cell widths for Word, grid widths for LibreOffice (which ignores cell widths)."""
    table.autofit = False
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for grid_column, width in zip(table._tbl.tblGrid.gridCol_lst, widths_cm, strict=True):
        grid_column.w = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm, strict=True):
            cell.width = Cm(width)


def _field_table(document: docx.document.Document, fields: list[FieldSpec]) -> None:
    """Two columns, label and answer; a signature block gives a name row and a date row."""
    rows = [(r.field, r.required, r.help) for r in answer_rows(fields)]
    if not rows:
        return
    table = document.add_table(rows=len(rows), cols=2)
    table.style = "Table Grid"
    for row, (field, required, help_text) in zip(table.rows, rows, strict=True):
        label_cell, answer_cell = row.cells
        _shade(label_cell, LABEL_FILL)
        _label(label_cell, field.label, required, help_text)
        _answer(answer_cell, field)
        _cant_split(row)
        if field.type is FieldType.LONG_TEXT:
            row.height = Cm(1.6)
    _fix_widths(table, [LABEL_WIDTH_CM, PAGE_WIDTH_CM - LABEL_WIDTH_CM])
    document.add_paragraph().paragraph_format.space_after = Pt(0)


def _cant_split(row: docx.table._Row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    etree.SubElement(tr_pr, qn("w:cantSplit"))


def _column_widths(table_spec: TableSpec) -> list[float]:
    weights = [2.0 if c.type is FieldType.LONG_TEXT else 1.0 for c in table_spec.columns]
    total = sum(weights)
    return [PAGE_WIDTH_CM * weight / total for weight in weights]


def _repeating_table(document: docx.document.Document, spec: TableSpec) -> None:
    """A header row, then ``min_rows`` rows inside a repeating section."""
    heading = document.add_paragraph()
    heading.paragraph_format.keep_with_next = True
    heading.add_run(spec.label).bold = True
    if spec.required:
        heading.add_run(" *").bold = True
    if spec.help:
        document.add_paragraph(spec.help, style="Form Help").paragraph_format.keep_with_next = True
    rows = max(spec.min_rows, 1)
    table = document.add_table(rows=1 + rows, cols=len(spec.columns))
    table.style = "Table Grid"
    header = table.rows[0]
    header_pr = header._tr.get_or_add_trPr()
    etree.SubElement(header_pr, qn("w:tblHeader"))
    for cell, column in zip(header.cells, spec.columns, strict=True):
        _shade(cell, HEADER_FILL)
        _label(cell, column.label, column.required, None)
    for row in table.rows[1:]:
        _cant_split(row)
        for cell, column in zip(row.cells, spec.columns, strict=True):
            _answer(cell, column)
    _fix_widths(table, _column_widths(spec))
    body_rows = [row._tr for row in table.rows[1:]]
    for tr in body_rows:
        table._tbl.remove(tr)
    table._tbl.append(controls.repeating_section(spec.key, spec.label, body_rows))
    document.add_paragraph().paragraph_format.space_after = Pt(0)


def _field_run(paragraph: Paragraph, instruction: str) -> None:
    """A PAGE or NUMPAGES field, so the page numbers are real in every viewer."""

    def run_with(tag: str) -> etree._Element:
        run = paragraph.add_run()
        run.font.size = Pt(8)
        return etree.SubElement(run._r, qn(tag))

    run_with("w:fldChar").set(qn("w:fldCharType"), "begin")
    instr = run_with("w:instrText")
    instr.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    instr.text = f" {instruction} "
    run_with("w:fldChar").set(qn("w:fldCharType"), "separate")
    run_with("w:t").text = "1"
    run_with("w:fldChar").set(qn("w:fldCharType"), "end")


def _footer(document: docx.document.Document, definition: FormDefinition, service: str) -> None:
    paragraph = document.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    stamp = f"{stamp_text(definition.id, definition.version, service)} · Page "
    for text, field in ((stamp, "PAGE"), (" of ", "NUMPAGES")):
        run = paragraph.add_run(text)
        run.font.size, run.font.color.rgb = Pt(8), RGBColor(0x55, 0x55, 0x55)
        _field_run(paragraph, field)


def _properties(
    document: docx.document.Document, definition: FormDefinition, service: str, title: str
) -> None:
    core = document.core_properties
    core.title = f"{definition.title} ({title})"
    core.subject = f"Planwatch form {definition.id} version {definition.version}"
    core.author = core.last_modified_by = "Planwatch"
    core.keywords = f"planwatch {definition.id} v{definition.version}"
    core.comments = ""
    core.revision = 1
    core.created = core.modified = FIXED_STAMP
    package = document.part.package
    blob = custom_properties_xml(identity_properties(definition.id, definition.version, service))
    part = Part(PackURI("/docProps/custom.xml"), CONTENT_TYPE.OFC_CUSTOM_PROPERTIES, blob,
                package)
    package.relate_to(part, RELATIONSHIP_TYPE.CUSTOM_PROPERTIES)
