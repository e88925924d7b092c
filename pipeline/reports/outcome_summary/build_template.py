"""Build template.docx (beside this module), the docxtpl template of outcome summaries.

Run ``python3 -m pipeline.reports.outcome_summary.build_template`` after editing this
file and commit the .docx it writes (tests/test_reports_summary.py fails when they
differ). The template holds layout and wording only: every value arrives as ready-made
text from :mod:`pipeline.reports.outcome_summary.document`, so the Jinja tags stay
simple and staff can restyle the template in Word without touching logic (keep the
``{{ }}`` and ``{% %}`` tags).
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table

from pipeline.files import write_file

TEMPLATE = Path(__file__).resolve().parent / "template.docx"
ACCENT = RGBColor(0x1F, 0x4E, 0x5F)  # the blank forms' heading colour
HEADER_FILL = "D5E1E5"
LABEL_FILL = "E8EEF0"
DRAFT_FILL = "FFF2CC"
FONT = "Arial"
WIDTH_CM = 17.0


def _shade(cell: object, fill: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()  # type: ignore[attr-defined]
    tc_pr.append(parse_xml(f'<w:shd {nsdecls("w")} w:val="clear" w:color="auto" '
                           f'w:fill="{fill}"/>'))


def _borders(table: Table) -> None:
    """Thin grey rules between rows, none at the sides: reads as a list, prints cleanly."""
    xml = (f'<w:tblBorders {nsdecls("w")}>'
           '<w:top w:val="single" w:sz="8" w:color="1F4E5F"/>'
           '<w:bottom w:val="single" w:sz="4" w:color="A6A6A6"/>'
           '<w:insideH w:val="single" w:sz="4" w:color="D9D9D9"/>'
           '</w:tblBorders>')
    table._tbl.tblPr.append(parse_xml(xml))


def _widths(table: Table, widths: list[float]) -> None:
    """Fixed column widths, in the grid too: LibreOffice lays tables out by the grid."""
    table.autofit = False
    for column, width in zip(table._tbl.tblGrid.gridCol_lst, widths, strict=True):
        column.w = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Cm(width)
    total = Cm(sum(widths)).twips
    table._tbl.tblPr.append(parse_xml(
        f'<w:tblW {nsdecls("w")} w:w="{total}" w:type="dxa"/>'))
    table._tbl.tblPr.append(parse_xml(f'<w:tblLayout {nsdecls("w")} w:type="fixed"/>'))


def _repeat_header(table: Table) -> None:
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    tr_pr.append(parse_xml(f'<w:tblHeader {nsdecls("w")}/>'))


def _whole_rows(table: Table) -> None:
    """No row splits across pages (cantSplit): a row is read whole, on one page."""
    for row in table.rows:
        row._tr.get_or_add_trPr().append(parse_xml(f'<w:cantSplit {nsdecls("w")}/>'))


def _cell_text(cell: object, text: str, *, bold: bool = False, colour: RGBColor | None = None,
               size: float | None = None) -> None:
    paragraph = cell.paragraphs[0]  # type: ignore[attr-defined]
    run = paragraph.add_run(text)
    run.bold = bold
    if colour is not None:
        run.font.color.rgb = colour
    if size is not None:
        run.font.size = Pt(size)


def loop_table(document: docx.document.Document, headers: list[str], loop: str,
               cells: list[str], widths: list[float], *, keep_with_next: bool = False) -> None:
    """A table with a header row and one row repeated by docxtpl for each item.

    ``keep_with_next`` keeps the table on the page of what follows (the chart).
    """
    table = document.add_table(rows=4, cols=len(headers))
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    for cell, header in zip(table.rows[0].cells, headers, strict=True):
        _cell_text(cell, header, bold=True, colour=ACCENT, size=9)
        _shade(cell, HEADER_FILL)
    _cell_text(table.rows[1].cells[0], f"{{%tr for {loop} %}}")
    for cell, text in zip(table.rows[2].cells, cells, strict=True):
        _cell_text(cell, text, size=9)
    _cell_text(table.rows[3].cells[0], "{%tr endfor %}")
    for row in table.rows if keep_with_next else ():
        for cell in row.cells:
            cell.paragraphs[0].paragraph_format.keep_with_next = True
    _borders(table)
    _whole_rows(table)
    _repeat_header(table)
    _widths(table, widths)


def label_table(document: docx.document.Document, rows: list[tuple[str, str]]) -> None:
    """Label and value pairs, labels shaded like the blank forms'."""
    table = document.add_table(rows=len(rows), cols=2)
    for row, (label, value) in zip(table.rows, rows, strict=True):
        _cell_text(row.cells[0], label, bold=True, size=9)
        _shade(row.cells[0], LABEL_FILL)
        _cell_text(row.cells[1], value)
    _borders(table)
    _whole_rows(table)
    _widths(table, [4.5, WIDTH_CM - 4.5])


def para(document: docx.document.Document, text: str, style: str | None = None) -> None:
    document.add_paragraph(text, style=style)


def intro(document: docx.document.Document, text: str) -> None:
    """A sentence under a heading, kept on the page of the table it introduces."""
    document.add_paragraph(text).paragraph_format.keep_with_next = True


def _draft_run(paragraph: object) -> None:
    """"DRAFT: " at the start of a header or footer line, on every page of a draft."""
    run = paragraph.add_run("{{ draft_mark }}")  # type: ignore[attr-defined]
    run.bold, run.font.size, run.font.color.rgb = True, Pt(8), RGBColor(0xC0, 0x00, 0x00)


def _field(paragraph: object, code: str) -> None:
    """A page-number field (PAGE, NUMPAGES): a child of the paragraph, as Word writes it."""
    paragraph._p.append(parse_xml(  # type: ignore[attr-defined]
        f'<w:fldSimple {nsdecls("w")} w:instr=" {code} "><w:r><w:rPr><w:sz w:val="16"/>'
        '</w:rPr><w:t>1</w:t></w:r></w:fldSimple>'))


def _page_and_styles(document: docx.document.Document) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.0)
    section.top_margin, section.bottom_margin = Cm(1.8), Cm(1.8)
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(10)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    normal.paragraph_format.space_after = Pt(4)
    for name, size in (("Title", 20), ("Heading 1", 13), ("Heading 2", 11)):
        style = document.styles[name]
        style.font.name, style.font.size, style.font.bold = FONT, Pt(size), True
        style.font.color.rgb = ACCENT
        style.element.rPr.rFonts.set(qn("w:asciiTheme"), "")
        style.paragraph_format.space_before = Pt(14 if name != "Title" else 0)
        style.paragraph_format.space_after = Pt(4)
        style.paragraph_format.keep_with_next = True
    # python-docx's Title has a rule under it and a theme font: plain, like the forms.
    title = document.styles["Title"].element
    border = title.pPr.find(qn("w:pBdr")) if title.pPr is not None else None
    if border is not None:
        title.pPr.remove(border)
    header = section.header.paragraphs[0]
    _draft_run(header)
    run = header.add_run("Confidential: personal information about {{ person_id }}")
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run.font.size, run.font.color.rgb = Pt(8), RGBColor(0x59, 0x59, 0x59)
    footer = section.footer.paragraphs[0]
    _draft_run(footer)
    footer.add_run("Outcome summary, {{ person_id }}, {{ service }}: page ").font.size = Pt(8)
    _field(footer, "PAGE")
    footer.add_run(" of ").font.size = Pt(8)
    _field(footer, "NUMPAGES")


def build() -> bytes:
    """The template's bytes."""
    document = docx.Document()
    _page_and_styles(document)
    document.core_properties.title = "Outcome summary"
    document.core_properties.author = "Planwatch"
    para(document, "Outcome summary", "Title")
    para(document, "{{ full_name }} ({{ person_id }}), {{ service }}")
    para(document, "{%p if draft %}")
    notice = document.add_paragraph("DRAFT: {{ draft_reason }}")
    notice.runs[0].bold = True
    notice.paragraph_format.space_before = Pt(6)
    notice._p.get_or_add_pPr().append(parse_xml(
        f'<w:shd {nsdecls("w")} w:val="clear" w:color="auto" w:fill="{DRAFT_FILL}"/>'))
    para(document, "{%p endif %}")
    label_table(document, [
        ("Person", "{{ full_name }}"), ("Reference", "{{ person_id }}"),
        ("Service", "{{ service }}"), ("Worker", "{{ worker }}"), ("Team", "{{ team }}"),
        ("Period of support", "{{ period }}"), ("How support ended", "{{ exit_reason }}"),
    ])

    para(document, "Plans and reviews", "Heading 1")
    intro(document, "Every form received, in date order. A note the same as on the form "
          "before it is not repeated.")
    loop_table(document, ["Date", "Form", "Worker", "Notes"], "e in entries",
               ["{{ e.on }}", "{{ e.form }}", "{{ e.worker }}", "{{ e.notes }}"],
               [2.2, 4.3, 3.0, 7.5])

    para(document, "Actions and what became of them", "Heading 1")
    para(document, "{%p if actions %}")
    loop_table(document, ["Need", "Action", "Who", "Target", "What became of it"],
               "a in actions",
               ["{{ a.area }}", "{{ a.issue }}: {{ a.task }}", "{{ a.responsible }}",
                "{{ a.target }}", "{{ a.fate }}"],
               [2.2, 5.3, 2.8, 2.2, 4.5])
    para(document, "{%p else %}")
    para(document, "No actions were recorded on a support plan.")
    para(document, "{%p endif %}")

    para(document, "{%p if unmatched %}")
    para(document, "Progress not matched to a planned action", "Heading 2")
    intro(document, "These progress rows of reviews name no action of the plan (by its "
          "reference or its wording). They are shown as written.")
    loop_table(document, ["Date", "Form", "Issue", "Progress made"], "u in unmatched",
               ["{{ u.on }}", "{{ u.form }}", "{{ u.issue }}", "{{ u.progress }}"],
               [2.2, 3.8, 4.5, 6.5])
    para(document, "{%p endif %}")

    para(document, "Outcome scores", "Heading 1")
    para(document, "{%p if scores %}")
    intro(document, "The first and the latest score in each outcome area, as recorded at "
          "reviews (higher is better).")
    loop_table(document, ["Outcome area", "First", "Latest", "Change"], "s in scores",
               ["{{ s.area }}", "{{ s.first }}", "{{ s.latest }}", "{{ s.change }}"],
               [7.0, 3.4, 3.4, 3.2], keep_with_next=True)
    chart = document.add_paragraph("{{ chart }}")
    chart.alignment = WD_ALIGN_PARAGRAPH.CENTER
    chart.paragraph_format.space_before = Pt(8)
    para(document, "{%p else %}")
    para(document, "No outcome scores were recorded.")
    para(document, "{%p endif %}")

    para(document, "Disagreements and wishes not incorporated", "Heading 1")
    para(document, "{%p if disagreements %}")
    loop_table(document, ["Date", "Form", "Recorded", "The person's view or wishes",
                          "Worker's view, or why not"], "d in disagreements",
               ["{{ d.on }}", "{{ d.form }}", "{{ d.kind }}", "{{ d.person_view }}",
                "{{ d.other_view }}"],
               [2.2, 2.8, 3.0, 4.5, 4.5])
    para(document, "{%p else %}")
    para(document, "None were recorded.")
    para(document, "{%p endif %}")

    para(document, "Closure", "Heading 1")
    para(document, "{%p if closure %}")
    label_table(document, [
        ("Closed on", "{{ closure.closed_on }}"), ("Reason", "{{ closure.exit_reason }}"),
        ("Summary", "{{ closure.summary }}"),
    ])
    para(document, "Outcomes achieved", "Heading 2")
    para(document, "{%p if closure.outcomes %}")
    loop_table(document, ["Outcome area", "Achieved", "Why"], "o in closure.outcomes",
               ["{{ o.area }}", "{{ o.achieved }}", "{{ o.why }}"], [5.0, 2.5, 9.5])
    para(document, "{%p else %}")
    para(document, "The closure form lists no outcomes.")
    para(document, "{%p endif %}")
    para(document, "Step-down plan", "Heading 2")
    para(document, "{{ closure.step_down_plan }}")
    para(document, "{%p for x in closure.extras %}")
    para(document, "{{ x.label }}", "Heading 2")
    para(document, "{{ x.text }}")
    para(document, "{%p endfor %}")
    para(document, "{%p if closure.follow_up %}")
    para(document, "Follow-up: {{ closure.follow_up }}")
    para(document, "{%p endif %}")
    para(document, "{%p else %}")
    para(document, "{{ no_closure }}")
    para(document, "{%p endif %}")

    note = document.add_paragraph(
        "Written by Planwatch on {{ written_on }} from the forms stored up to {{ as_of }}. "
        "The archived forms are the record; this summary brings them together.")
    note.paragraph_format.space_before = Pt(16)
    note.runs[0].italic = True
    note.runs[0].font.size = Pt(8)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


if __name__ == "__main__":
    write_file(TEMPLATE, build(), private=False)  # a layout: it names nobody
    sys.stdout.write(f"wrote {TEMPLATE}\n")
