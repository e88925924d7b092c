"""Long list sheets written fast: their rows streamed into the workbook as it is saved.

openpyxl keeps every cell as an object with its own style; a council's weekly workbook
has millions of cells, which took minutes and gigabytes that way. A streamed sheet is set
up by openpyxl like any list sheet (header, widths, filter, frozen header, print
settings: :func:`pipeline.reports.xlsx.style.write_list_sheet` without the rows), and
its rows are written as XML when the workbook is saved, exactly as openpyxl writes them:
inline strings, a style index per cell (the same styles :func:`~pipeline.reports
.xlsx_style.put` gives), dates as serial numbers, links as external relationships, the
same row heights. Read back, a streamed sheet and one written cell by cell are the same.

    sheets = StreamedSheets(workbook)
    sheets.list_sheet(workbook.create_sheet("Obligations"), columns, rows, ...)
    sheets.save(path)           # instead of save_atomically(workbook, path)
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO

from openpyxl.cell.cell import Cell
from openpyxl.compat import safe_string
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel

from pipeline.reports.saving import write_report
from pipeline.reports.xlsx.style import (
    NOTE_FONT,
    TOP,
    Column,
    Kind,
    Link,
    Value,
    clean_text,
    fit_widths,
    local_naive,
    put,
    row_heights,
    set_print,
    style_body,
    style_header,
)
from pipeline.reports.xlsx.xml_text import escape_text, quote_attribute

_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_HYPERLINK = f"{_REL_NS}/hyperlink"
# Elements that come after <hyperlinks> in a worksheet (ECMA-376 CT_Worksheet order).
_AFTER_HYPERLINKS = re.compile(
    rb"<(printOptions|pageMargins|pageSetup|headerFooter|rowBreaks|colBreaks|"
    rb"customProperties|cellWatches|ignoredErrors|smartTags|drawing|legacyDrawing|"
    rb"legacyDrawingHF|drawingHF|picture|oleObjects|controls|webPublishItems|tableParts|"
    rb"extLst)[ />]|</worksheet>")
_DIMENSION = re.compile(rb'<dimension ref="[^"]*"/>')
_ROWS_PER_WRITE = 2_000
# Deflate's quick end for the long sheets: compressing a council's 300 MB of rows at the
# default level 6 took longer than writing them; level 3 takes a third of the time for a
# file about 12% larger. What the file holds is the same at any level.
_COMPRESS_LEVEL = 3


@dataclass
class _Streamed:
    ws: Any
    columns: Sequence[Column]
    rows: Sequence[Sequence[Value]]
    heights: dict[int, float]
    styles: list[tuple[int, int]]  # per column: (plain style id, link style id)
    links: list[tuple[str, str]] = field(default_factory=list)  # (cell, target)


class StreamedSheets:
    """The streamed list sheets of one workbook, and how to save it (see above)."""

    def __init__(self, workbook: Any) -> None:
        self.workbook = workbook
        self._sheets: list[_Streamed] = []

    def list_sheet(self, ws: Any, columns: Sequence[Column], rows: Sequence[Sequence[Value]],
                   *, empty_message: str, footer: str) -> None:
        """What :func:`~pipeline.reports.xlsx.style.write_list_sheet` does, rows streamed."""
        style_header(ws, 1, columns)
        if not rows:
            note = put(ws, 2, 1, empty_message)
            note.font, note.alignment = NOTE_FONT, TOP
        last = f"{get_column_letter(len(columns))}{max(len(rows), 1) + 1}"
        ws.auto_filter.ref = f"A1:{last}"
        ws.freeze_panes = "A2"
        fit_widths(ws, columns, rows)
        heights = row_heights(ws, columns, rows, first_row=2)
        ws.print_options.gridLines = True
        set_print(ws, footer=footer, title_rows="1:1")
        if rows:
            styles = [(self._style(ws, col.kind, link=False), self._style(ws, col.kind, link=True))
                      for col in columns]
            self._sheets.append(_Streamed(ws, columns, rows, heights, styles))

    def _style(self, ws: Any, kind: Kind, *, link: bool) -> int:
        # A cell that is never placed in the sheet, styled as put() styles one: its style
        # is registered in the workbook, which gives the index the saved file uses.
        cell = Cell(ws)
        style_body(cell, kind, link=link)
        index: int = cell.style_id
        return index

    def save(self, path: Path) -> Path:
        """Save the workbook to ``path`` atomically and owner-only (as ``save_atomically``)."""
        return write_report(path, self.write, what="the workbook")

    def write(self, handle: BinaryIO) -> None:
        """The workbook's bytes, streamed sheets filled in, to ``handle``."""
        saved = io.BytesIO()
        self.workbook.save(saved)
        by_part = {sheet.ws.path.lstrip("/"): sheet for sheet in self._sheets}
        rels_of = {_rels_name(part): part for part in by_part}
        source = zipfile.ZipFile(saved)
        names = set(source.namelist())
        with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as target:
            for info in source.infolist():
                sheet = by_part.get(info.filename)
                if sheet is not None:
                    rels = _rels_name(info.filename)
                    existing = source.read(rels) if rels in names else None
                    _write_sheet(target, info, source.read(info), sheet, self.workbook.epoch,
                                 _relationship_count(existing) + 1)
                elif info.filename not in rels_of:
                    target.writestr(info, source.read(info))
            for rels, part in rels_of.items():
                existing = source.read(rels) if rels in names else None
                if by_part[part].links or existing is not None:
                    target.writestr(rels, _rels_xml(existing, by_part[part].links))


def _rels_name(part: str) -> str:
    folder, _, name = part.rpartition("/")
    return f"{folder}/_rels/{name}.rels"


def _relationship_count(existing: bytes | None) -> int:
    return 0 if existing is None else len(re.findall(rb"<Relationship ", existing))


def _write_sheet(target: zipfile.ZipFile, info: zipfile.ZipInfo, xml: bytes, sheet: _Streamed,
                 epoch: datetime, first_id: int) -> None:
    head, separator, tail = xml.partition(b"</sheetData>")
    if not separator:
        raise ValueError(f"{info.filename}: no sheetData in the saved sheet")
    last = f"{get_column_letter(len(sheet.columns))}{len(sheet.rows) + 1}"
    head = _DIMENSION.sub(f'<dimension ref="A1:{last}"/>'.encode(), head, count=1)
    entry = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    entry.compress_type = zipfile.ZIP_DEFLATED
    # ZipInfo's level is public from Python 3.13 (compress_level); before, only this.
    entry._compresslevel = _COMPRESS_LEVEL  # type: ignore[attr-defined]
    sheet.links.clear()
    with target.open(entry, "w", force_zip64=True) as out:
        out.write(head)
        for chunk in _row_chunks(sheet, epoch):
            out.write(chunk)
        out.write(separator)
        out.write(_with_hyperlinks(tail, sheet.links, first_id))


def _row_chunks(sheet: _Streamed, epoch: datetime) -> Iterator[bytes]:
    letters = [get_column_letter(n) for n in range(1, len(sheet.columns) + 1)]
    # A cell is '<c r="B7' and then its style, type and value ('" s="3" t="n"><v>2</v>
    # </c>'), which repeat a great deal (services, workers, statuses, dates, file names):
    # each such ending is rendered once per column, and a link once per Link object.
    columns: list[tuple[str, str, str, str, dict[Any, str], dict[int, str]]] = [
        (f'<c r="{letter}', letter, f'" s="{plain}"', f'" s="{linked}"', {}, {})
               for letter, (plain, linked) in zip(letters, sheet.styles, strict=True)]
    add_link = sheet.links.append
    parts: list[str] = []
    add = parts.append
    for offset, values in enumerate(sheet.rows):
        number = str(offset + 2)
        height = sheet.heights.get(offset + 2)
        add(f'<row r="{number}">' if height is None else
            f'<row r="{number}" ht="{safe_string(height)}" customHeight="1">')
        for (opening, letter, plain, linked, endings, link_endings), value in zip(
                columns, values, strict=True):
            cls = value.__class__
            if cls is str:  # the most common: a text is never equal to anything else
                ending = endings.get(value)
                if ending is None:
                    ending = endings[value] = plain + _cell_rest(value, epoch)
            elif isinstance(value, Link):
                if value.target:
                    add_link((letter + number, value.target))
                # By identity: rows share one Link per file, alive as long as the rows.
                ending = link_endings.get(id(value))
                if ending is None:
                    ending = link_endings[id(value)] = linked + _cell_rest(
                        clean_text(value.text), epoch)
            else:
                # Keyed by type too: 1, 1.0 and True are equal keys but different cells.
                key = (cls, value)
                ending = endings.get(key)
                if ending is None:
                    ending = endings[key] = plain + _cell_rest(value, epoch)
            add(opening + number + ending)
        add("</row>")
        if offset % _ROWS_PER_WRITE == _ROWS_PER_WRITE - 1:
            yield "".join(parts).encode("utf-8")
            parts.clear()
    yield "".join(parts).encode("utf-8")


def _text(value: str) -> str:
    text = escape_text(value)
    return text.replace("\r", "&#13;") if "\r" in text else text


def _cell_rest(value: Any, epoch: datetime) -> str:
    """A cell after its reference and style, as openpyxl writes it (openpyxl.cell._writer)."""
    if value is None:
        return ' t="n"></c>'
    if isinstance(value, str):
        value = clean_text(value)
        if value == "":
            return ' t="inlineStr"></c>'
        space = ' xml:space="preserve"' if value != value.strip() else ""
        return f' t="inlineStr"><is><t{space}>{_text(value)}</t></is></c>'
    if isinstance(value, bool):
        return f' t="b"><v>{safe_string(value)}</v></c>'
    if isinstance(value, datetime):
        value = to_excel(local_naive(value), epoch)
    elif isinstance(value, date):
        value = to_excel(value, epoch)
    return f' t="n"><v>{safe_string(value)}</v></c>'


def _with_hyperlinks(tail: bytes, links: list[tuple[str, str]], first_id: int) -> bytes:
    if not links:
        return tail
    element = "".join(
        f'<hyperlink xmlns:r="{_REL_NS}" ref="{ref}" r:id="rId{first_id + number}"/>'
        for number, (ref, _) in enumerate(links)).encode()
    match = _AFTER_HYPERLINKS.search(tail)
    at = match.start() if match else len(tail)
    return tail[:at] + b"<hyperlinks>" + element + b"</hyperlinks>" + tail[at:]


def _rels_xml(existing: bytes | None, links: list[tuple[str, str]]) -> bytes:
    first_id = _relationship_count(existing) + 1
    ours = "".join(
        f'<Relationship Type="{_HYPERLINK}" Target={quote_attribute(target)} TargetMode="External" '
        f'Id="rId{first_id + number}"/>' for number, (_, target) in enumerate(links)).encode()
    if existing is not None:
        return existing.replace(b"</Relationships>", ours + b"</Relationships>")
    return f'<Relationships xmlns="{_PACKAGE_NS}">'.encode() + ours + b"</Relationships>"
