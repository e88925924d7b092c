"""The printed side of a PDF form: title, sections, labels, answer boxes, footer.

ReportLab's platypus lays the form out like the Word form (A4, the same colours, a label
column beside the answers, numbered table rows) and draws everything that is not a
field. Each answer box records where it landed (:class:`Placed`), and
:mod:`pipeline.formats.pdf.widgets` puts the form fields exactly there.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from pipeline.definitions import (
    FieldSpec,
    FieldType,
    FormDefinition,
    TableSpec,
    answer_rows,
)
from pipeline.formats.identity import stamp_text
from pipeline.formats.pdf.names import FORMAT_HINTS, cell_name, table_rows, tooltip

ACCENT = colors.HexColor("#1F4E5F")
LABEL_FILL = colors.HexColor("#E8EEF0")
HEADER_FILL = colors.HexColor("#D5E1E5")
GRID = colors.HexColor("#8FA3AB")
HINT = colors.HexColor("#5F6B70")
REQUIRED_HEX = "#A01E1E"
BOX = colors.HexColor("#8FA3AB")
MARGIN = 2 * cm
# Platypus frames pad their content by 6 pt; the margins allow for it.
FRAME_PAD = 6.0
WIDTH = A4[0] - 2 * MARGIN
LABEL_WIDTH = 6 * cm
NUMBER_WIDTH = 0.9 * cm
CELL_PAD = 3.0
LINE_HEIGHT = 16.0
LONG_HEIGHT = 48.0
TABLE_LONG_HEIGHT = 40.0
CHECK_SIZE = 11.0
# Width of the triangle drawn at the right of a combo box; the value is not drawn there.
CHOICE_ARROW = 12.0
CHOICE_WIDTH = 230.0


@dataclass(frozen=True)
class Placed:
    """One field's widget: its full name, definition, page (from 0) and rectangle."""

    name: str
    field: FieldSpec
    page: int
    rect: tuple[float, float, float, float]
    tooltip: str


def _style(name: str, **values: Any) -> ParagraphStyle:
    base = {"fontName": "Helvetica", "fontSize": 10, "leading": 12.5}
    return ParagraphStyle(name, **{**base, **values})


STYLES = {
    "title": _style("title", fontName="Helvetica-Bold", fontSize=20, leading=24,
                    textColor=ACCENT),
    "service": _style("service", fontName="Helvetica-Bold", fontSize=11, leading=14,
                      textColor=ACCENT, spaceAfter=3),
    "note": _style("note", fontName="Helvetica-Oblique", fontSize=9, leading=11.5,
                   textColor=HINT, spaceAfter=6),
    "heading": _style("heading", fontName="Helvetica-Bold", fontSize=13, leading=16,
                      textColor=ACCENT, spaceBefore=10, spaceAfter=4, keepWithNext=1),
    "intro": _style("intro", fontName="Helvetica-Oblique", fontSize=8.5, leading=10.5,
                    textColor=HINT, spaceAfter=4, keepWithNext=1),
    "label": _style("label", fontName="Helvetica-Bold"),
    "table": _style("table", fontName="Helvetica-Bold", spaceBefore=2, spaceAfter=2,
                    keepWithNext=1),
    "header": _style("header", fontName="Helvetica-Bold", fontSize=9, leading=11),
    "number": _style("number", fontSize=9, textColor=HINT, alignment=TA_CENTER),
}


def _label_markup(text: str, required: bool, help_text: str | None = None,
                  hint: str | None = None) -> str:
    markup = escape(text)
    if required:
        markup += f' <font color="{REQUIRED_HEX}">*</font>'
    if hint:
        markup += f'<br/><font name="Helvetica" size="7.5" color="#5F6B70">{escape(hint)}</font>'
    if help_text:
        markup += (f'<br/><font name="Helvetica-Oblique" size="8.5" color="#5F6B70">'
                   f"{escape(help_text)}</font>")
    return markup


class AnswerBox(Flowable):
    """An answer's area in a cell: draws the box and hints, records the widget's place."""

    def __init__(self, name: str, field: FieldSpec, width: float, height: float,
                 placed: list[Placed], *, tip: str, in_table: bool) -> None:
        super().__init__()
        self.name, self.field, self.placed, self.tip = name, field, placed, tip
        self.width, self.height, self.in_table = width, height, in_table

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def _record(self, x: float, y: float, width: float, height: float) -> None:
        canvas: Canvas = self.canv
        x0, y0 = canvas.absolutePosition(x, y)
        x1, y1 = canvas.absolutePosition(x + width, y + height)
        self.placed.append(Placed(self.name, self.field, canvas.getPageNumber() - 1,
                                  (x0, y0, x1, y1), self.tip))

    def _box(self, x: float, y: float, width: float, height: float) -> None:
        self.canv.setStrokeColor(BOX)
        self.canv.setLineWidth(0.6)
        self.canv.rect(x, y, width, height, stroke=1, fill=0)

    def _hint(self, x: float, y: float, text: str) -> None:
        self.canv.setFillColor(HINT)
        self.canv.setFont("Helvetica", 7.5)
        self.canv.drawString(x, y, text)

    def draw(self) -> None:
        kind, width, height = self.field.type, self.width, self.height
        if kind is FieldType.YES_NO:
            y = (height - CHECK_SIZE) / 2
            self._box(0, y, CHECK_SIZE, CHECK_SIZE)
            self._record(0, y, CHECK_SIZE, CHECK_SIZE)
            return
        hint = _side_hint(self.field)
        if hint and not self.in_table:
            box_width = 130.0 if kind is FieldType.DATETIME else 90.0
            self._box(0, 0, box_width, height)
            self._hint(box_width + 6, (height - 5.5) / 2, hint)
            self._record(0, 0, box_width, height)
            return
        if kind is FieldType.CHOICE:
            if not self.in_table:
                width = min(width, CHOICE_WIDTH)
                self._box(0, 0, width, height)
            self._arrow(width, height)
        self._record(0, 0, width, height)

    def _arrow(self, width: float, height: float) -> None:
        """A small down-pointing triangle, the cue that this box is a list."""
        canvas = self.canv
        middle, top = width - CHOICE_ARROW / 2, height / 2 + 2
        path = canvas.beginPath()
        path.moveTo(middle - 3.5, top)
        path.lineTo(middle + 3.5, top)
        path.lineTo(middle, top - 4)
        path.close()
        canvas.setFillColor(HINT)
        canvas.drawPath(path, stroke=0, fill=1)


def _side_hint(field: FieldSpec) -> str | None:
    """The format or range printed beside a short answer box."""
    if field.type in FORMAT_HINTS:
        return FORMAT_HINTS[field.type]
    if field.type is FieldType.NUMBER and (field.minimum is not None
                                           or field.maximum is not None):
        if field.minimum is not None and field.maximum is not None:
            return f"a number from {field.minimum:g} to {field.maximum:g}"
        return f"at least {field.minimum:g}" if field.minimum is not None else (
            f"at most {field.maximum:g}")
    if field.type is FieldType.NUMBER:
        return "a number"
    return None


def _choices_line(field: FieldSpec) -> str:
    return "Choose one: " + " \u00b7 ".join(c.label for c in field.choices)


class Story:
    """The flowables of one form and the places its answer boxes were drawn."""

    def __init__(self) -> None:
        self.flowables: list[Flowable] = []
        self.placed: list[Placed] = []

    def title(self, definition: FormDefinition, title: str) -> None:
        self.flowables += [
            Paragraph(escape(definition.title), STYLES["title"]),
            Paragraph(escape(title), STYLES["service"]),
            Paragraph(escape(definition.instructions), STYLES["note"]),
        ]

    def section(self, title: str, intro: str | None) -> None:
        self.flowables.append(Paragraph(escape(title), STYLES["heading"]))
        if intro:
            self.flowables.append(Paragraph(escape(intro), STYLES["intro"]))

    def fields(self, fields: list[FieldSpec]) -> None:
        """A two-column table of label and answer; a signature gives a name and a date row."""
        rows = [(r.field, r.required, r.help) for r in answer_rows(fields)]
        if not rows:
            return
        answer_width = WIDTH - LABEL_WIDTH - 2 * CELL_PAD
        cells = []
        for field, required, help_text in rows:
            label = Paragraph(_label_markup(field.label, required, help_text), STYLES["label"])
            _, label_height = label.wrap(LABEL_WIDTH - 2 * CELL_PAD, 1000)
            base = LONG_HEIGHT if field.type is FieldType.LONG_TEXT else LINE_HEIGHT
            grows = field.type in (FieldType.TEXT, FieldType.LONG_TEXT)
            box = AnswerBox(field.key, field, answer_width,
                            max(base, label_height) if grows else base, self.placed,
                            tip=tooltip(field), in_table=False)
            answer: list[Flowable] = [box]
            if field.type is FieldType.CHOICE:
                answer.append(Paragraph(escape(_choices_line(field)),
                                        _style("choices", fontSize=7.5, leading=9,
                                               textColor=HINT, spaceBefore=2)))
            cells.append([label, answer])
        table = Table(cells, colWidths=[LABEL_WIDTH, WIDTH - LABEL_WIDTH])
        table.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.5, GRID),
            ("BACKGROUND", (0, 0), (0, -1), LABEL_FILL),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            *[(side, (0, 0), (-1, -1), CELL_PAD) for side in
              ("LEFTPADDING", "RIGHTPADDING", "TOPPADDING", "BOTTOMPADDING")],
        ]))
        self.flowables += [table, Spacer(1, 6)]

    def table(self, spec: TableSpec) -> None:
        """A header row and a fixed number of numbered rows of answer boxes."""
        self.flowables.append(Paragraph(_label_markup(spec.label, spec.required, spec.help),
                                        STYLES["table"]))
        widths = _column_widths(spec)
        header: list[Any] = [Paragraph("No.", STYLES["header"])]
        for column in spec.columns:
            hint = FORMAT_HINTS.get(column.type) or (
                _side_hint(column) if column.type is FieldType.NUMBER else None)
            header.append(Paragraph(_label_markup(column.label, column.required, hint=hint),
                                    STYLES["header"]))
        body: list[list[Any]] = [header]
        for row in range(1, table_rows(spec) + 1):
            cells: list[Any] = [Paragraph(str(row), STYLES["number"])]
            for column, width in zip(spec.columns, widths[1:], strict=True):
                tip = tooltip(column, prefix=f"{spec.label}, row {row}: ")
                # Long text sets the row's height; the other boxes sit at the top of their
                # cells, level with the first line of the long text beside them.
                height = TABLE_LONG_HEIGHT if column.type is FieldType.LONG_TEXT else (
                    LINE_HEIGHT)
                cells.append(AnswerBox(cell_name(spec.key, row, column.key), column,
                                       width - 2 * CELL_PAD, height, self.placed, tip=tip,
                                       in_table=True))
            body.append(cells)
        table = Table(body, colWidths=widths, repeatRows=1)
        table.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.5, GRID),
            ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
            ("BACKGROUND", (0, 1), (0, -1), LABEL_FILL),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
            *[(side, (0, 0), (-1, -1), CELL_PAD) for side in
              ("LEFTPADDING", "RIGHTPADDING", "TOPPADDING", "BOTTOMPADDING")],
        ]))
        self.flowables += [table, Spacer(1, 8)]


def _column_widths(spec: TableSpec) -> list[float]:
    """The number column, then the columns weighted as in the Word form (long text 2x)."""
    weights = [2.0 if c.type is FieldType.LONG_TEXT else 1.0 for c in spec.columns]
    rest = WIDTH - NUMBER_WIDTH
    return [NUMBER_WIDTH, *(rest * w / sum(weights) for w in weights)]


def _story(definition: FormDefinition, title: str) -> Story:
    story = Story()
    story.title(definition, title)
    for section in definition.sections:
        story.section(section.title, section.intro)
        pending: list[FieldSpec] = []
        for item in section.items:
            if isinstance(item, TableSpec):
                story.fields(pending)
                pending = []
                story.table(item)
            else:
                pending.append(item)
        story.fields(pending)
    return story


def _layout(definition: FormDefinition, service: str, title: str,
            total: int) -> tuple[bytes, list[Placed], int]:
    """One pass: the pages, the answer boxes' places, and how many pages there were."""
    story = _story(definition, title)
    footer = stamp_text(definition.id, definition.version, service)

    def draw_footer(canvas: Canvas, document: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.setFillColor(HINT)
        number = canvas.getPageNumber()
        canvas.drawCentredString(A4[0] / 2, 1.1 * cm,
                                 f"{footer} \u00b7 Page {number} of {total or number}")
        canvas.restoreState()

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN - FRAME_PAD, rightMargin=MARGIN - FRAME_PAD,
        topMargin=1.8 * cm - FRAME_PAD, bottomMargin=2.0 * cm - FRAME_PAD, invariant=1,
        pageCompression=1, title=definition.title, author="Planwatch", creator="Planwatch")
    document.build(story.flowables, onFirstPage=draw_footer, onLaterPages=draw_footer)
    return buffer.getvalue(), story.placed, int(document.page)


def render(definition: FormDefinition, service: str,
           title: str) -> tuple[bytes, list[Placed]]:
    """The static pages of one service's copy of a form (``title``: the service's name),
    and where each field goes.

    Laid out twice: the first pass counts the pages for the "Page n of N" footer.
    """
    definition = definition.for_service(service)
    _, _, pages = _layout(definition, service, title, 0)
    data, placed, _ = _layout(definition, service, title, pages)
    return data, placed
