"""An untrusted workbook's parts, parsed once with the safe parser and read with lxml.

The reader needs little of a workbook: its sheets (title, state, part), its workbook-level
defined names, the shared strings, which cell styles are dates, the core and custom
properties, and the cells of the sheets the answers are on. This module reads exactly
that, straight from the XML parts, and gives what openpyxl's read-only, data-only load
gave before it (the same values for the same cells, the same refusals), at a fraction of
the cost: openpyxl builds an object for every style, font and fill of the workbook, and
parses every part a second time with its own parser.

Every XML part is still looked at before anything is read: the parts the reader uses are
parsed with :func:`pipeline.formats.safety.parse_xml` (a DOCTYPE or broken XML refused,
as before); every other part is inflated within the limits and refused if it declares a
DOCTYPE (:func:`pipeline.formats.safety.check_unread_part`); nothing ever parses them.

Anything structurally wrong (a sheet whose relationship is missing, a style index that is
not a number) raises an ordinary exception, which the reader reports as a damaged file.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lxml import etree
from openpyxl.packaging.core import DocumentProperties
from openpyxl.packaging.custom import CustomPropertyList
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.cell import column_index_from_string, range_boundaries
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel
from openpyxl.utils.datetime import from_ISO8601 as from_iso8601
from openpyxl.workbook.defined_name import DefinedName

from pipeline.formats.safety import Limits, check_unread_part, parse_xml, read_part
from pipeline.formats.strict import is_strict_part, transitional_tree

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
_CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
_WORKBOOK_TYPES = {
    f"application/vnd.{kind}.{part}.main+xml"
    for kind, part in (("openxmlformats-officedocument.spreadsheetml", "sheet"),
                       ("openxmlformats-officedocument.spreadsheetml", "template"),
                       ("ms-excel", "sheet.macroEnabled"), ("ms-excel", "template.macroEnabled"))}
_SHARED_STRINGS_TYPE = ("application/vnd.openxmlformats-officedocument.spreadsheetml."
                        "sharedStrings+xml")
_CONTENT_TYPES, _CORE, _CUSTOM, _STYLES = ("[Content_Types].xml", "docProps/core.xml",
                                           "docProps/custom.xml", "xl/styles.xml")
_STATES = ("visible", "hidden", "veryHidden")
# Excel's own names openpyxl files under the sheets, never among the workbook's names.
_SHEET_NAMES = ("_xlnm.Print_Titles", "_xlnm.Print_Area", "_xlnm._FilterDatabase")
# A defined name as Excel writes one for a cell or a block: 'Sheet title'!$B$3(:$E$12).
_SIMPLE_NAME = re.compile(r"(?:'(?P<quoted>(?:[^']|'')+)'|(?P<plain>[^'^ ^!]+))!"
                          r"(?P<cells>\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?)")
_COORDINATE = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)")


def _q(local: str, namespace: str = MAIN_NS) -> str:
    return f"{{{namespace}}}{local}"


_ROW, _V, _IS, _SI, _T, _R = _q("row"), _q("v"), _q("is"), _q("si"), _q("t"), _q("r")
_DIMENSION, _SHEET_DATA = _q("dimension"), _q("sheetData")


@dataclass(frozen=True)
class Sheet:
    title: str
    state: str
    part: str
    chart: bool  # a chartsheet: it has a title but no cells


@dataclass
class Workbook:
    """What the reader uses of one workbook (see the module docstring)."""

    sheets: list[Sheet]
    defined_names: dict[str, str | None]  # workbook-level names → their text, in order
    shared_strings: list[str]
    date_styles: frozenset[int]
    timedelta_styles: frozenset[int]
    epoch: datetime
    custom: dict[str, str]  # custom properties with a value, as text
    title: str | None
    modified: datetime | None  # as openpyxl gives it: naive, in UTC
    _trees: dict[str, etree._Element] = field(default_factory=dict, repr=False)

    @property
    def worksheets(self) -> list[Sheet]:
        return [s for s in self.sheets if not s.chart]

    @property
    def sheetnames(self) -> list[str]:
        return [s.title for s in self.sheets]

    def sheet(self, title: str) -> Sheet:
        """The first sheet of that title (a name may point at a chartsheet: no cells)."""
        found = next(s for s in self.sheets if s.title == title)
        if found.chart:
            raise ValueError("a chartsheet has no cells")
        return found

    def cells(self, sheet: Sheet, max_row: int, max_col: int) -> dict[tuple[int, int], Any]:
        """Every non-empty value of ``sheet`` in rows 1..max_row, columns 1..max_col."""
        return sheet_values(self._trees[sheet.part], self, max_row, max_col)


class _Parts:
    """The archive's XML parts: each parsed once, when first wanted."""

    def __init__(self, archive: zipfile.ZipFile, path: Path, limits: Limits) -> None:
        self.archive, self.path, self.limits = archive, path, limits
        self.names = archive.namelist()
        self.trees: dict[str, etree._Element] = {}
        self.strict = False  # read in the usual names (see :mod:`pipeline.formats.strict`)

    def optional(self, name: str) -> etree._Element | None:
        """The part parsed, or None when the archive has no such part."""
        if name in self.trees or name in self.names:
            return self[name]
        return None

    def __getitem__(self, name: str) -> etree._Element:
        if name not in self.trees:
            if name not in self.names:
                raise KeyError(f"no part {name}")
            root = parse_xml(self.bytes(name), self.path, name)
            self.trees[name] = transitional_tree(root) if self.strict else root
        return self.trees[name]

    def bytes(self, name: str) -> bytes:
        return read_part(self.archive, name, self.path, self.limits)


# Parts parsed up front (as Excel and LibreOffice name them); every other XML part is
# looked at for a DOCTYPE and never parsed (see the module docstring).
_READ_UP_FRONT = re.compile(r"\[Content_Types\]\.xml|xl/(workbook|sharedStrings|styles)\.xml"
                            r"|xl/_rels/workbook\.xml\.rels|docProps/(core|custom)\.xml"
                            r"|xl/worksheets/[^/]+\.xml")


def read_workbook(archive: zipfile.ZipFile, path: Path, limits: Limits) -> Workbook:
    """Parse what the reader needs of ``archive`` (see the module docstring)."""
    parts = _Parts(archive, path, limits)
    # Every XML part first, in the archive's order, as the reader always has: a DOCTYPE
    # or broken XML anywhere is the verdict before anything else is.
    for name in parts.names:
        if not name.lower().endswith((".xml", ".rels", ".vml")):
            continue
        data = parts.bytes(name)
        if _READ_UP_FRONT.fullmatch(name):
            parts.trees[name] = parse_xml(data, path, name)
            parts.strict = parts.strict or (name == "xl/workbook.xml" and is_strict_part(data))
        else:
            check_unread_part(data, path, name)
    if parts.strict:  # "Strict Open XML Spreadsheet": read in the usual names
        parts.trees = {name: transitional_tree(root) for name, root in parts.trees.items()}
    workbook_part, strings_part = _manifest_parts(parts[_CONTENT_TYPES])
    rels_part = posixpath.join(posixpath.dirname(workbook_part), "_rels",
                               posixpath.basename(workbook_part) + ".rels")
    workbook_root = parts[workbook_part]
    sheets = _sheets(workbook_root, _relationships(parts[rels_part], rels_part), parts)
    for sheet in sheets:
        if not sheet.chart:
            _check_dimension(parts[sheet.part])
    date_styles, timedelta_styles = _styles(parts.optional(_STYLES))
    title, modified = _core(parts.optional(_CORE))
    return Workbook(
        sheets=sheets, defined_names=_defined_names(workbook_root),
        shared_strings=_shared_strings(parts[strings_part]) if strings_part else [],
        date_styles=date_styles, timedelta_styles=timedelta_styles,
        epoch=_epoch(workbook_root), custom=_custom(parts.optional(_CUSTOM)), title=title,
        modified=modified, _trees=parts.trees)


def _manifest_parts(manifest: etree._Element) -> tuple[str, str | None]:
    """The workbook part and the shared strings part, as [Content_Types].xml says."""
    overrides = [(o.get("PartName"), o.get("ContentType")) for o in manifest.iter(_q(
        "Override", _CT_NS))]
    workbook = next((p for p, t in overrides if t in _WORKBOOK_TYPES), None)
    if workbook is None:
        defaults = {d.get("ContentType") for d in manifest.iter(_q("Default", _CT_NS))}
        if not defaults & _WORKBOOK_TYPES:
            raise KeyError("no workbook part")
        workbook = "/xl/workbook.xml"
    strings = next((p for p, t in overrides if t == _SHARED_STRINGS_TYPE), None)
    if workbook is None or not workbook.startswith("/") or (
            strings is not None and not strings.startswith("/")):
        raise ValueError("a part name is not absolute")
    return workbook[1:], strings[1:] if strings else None


def _relationships(root: etree._Element, rels_part: str) -> dict[str, tuple[str, str]]:
    """Relationship id → (type, target part), targets resolved as openpyxl resolves them."""
    parent = posixpath.split(posixpath.dirname(rels_part))[0]
    found: dict[str, tuple[str, str]] = {}
    for rel in root.iter(_q("Relationship", _PKG_REL_NS)):
        rel_id, kind, target = rel.get("Id"), rel.get("Type"), rel.get("Target")
        if rel_id is None or kind is None or target is None:
            raise ValueError("a relationship lacks its id, type or target")
        if rel.get("TargetMode") != "External":
            target = target[1:] if target.startswith("/") else posixpath.normpath(
                posixpath.join(parent, target))
        found[rel_id] = (kind, target)
    return found


def _sheets(root: etree._Element, rels: dict[str, tuple[str, str]],
            parts: _Parts) -> list[Sheet]:
    sheets: list[Sheet] = []
    listed = set(parts.names)
    for node in root.iter(_q("sheet")):
        title, sheet_id, state = node.get("name"), node.get("sheetId"), node.get("state")
        if title is None or sheet_id is None:
            raise ValueError("a sheet lacks its name or id")
        int(sheet_id)
        if state is not None and state not in _STATES:
            raise ValueError("a sheet's state is not one Excel writes")
        rel_id = node.get(_q("id", _REL_NS))
        if not rel_id:
            continue  # openpyxl drops such a sheet, with a warning
        kind, target = rels[rel_id]
        if target not in listed:
            continue
        chart = "chartsheet" in kind
        parts[target]  # parsed now (a sheet outside xl/worksheets/ was only looked at)
        sheets.append(Sheet(title, state or "visible", target, chart))
    return sheets


def _check_dimension(root: etree._Element) -> None:
    """openpyxl reads every worksheet's dimension as it loads: a broken one is damage."""
    for child in root:
        if child.tag == _DIMENSION:
            range_boundaries(child.get("ref"))
            return
        if child.tag == _SHEET_DATA:
            return


def _defined_names(root: etree._Element) -> dict[str, str | None]:
    names: dict[str, str | None] = {}
    for node in root.iter(_q("definedName")):
        name, local = node.get("name"), node.get("localSheetId")
        if local is not None:
            int(local)
            continue  # a sheet's own name: openpyxl files it under the sheet
        if name is None:
            raise ValueError("a defined name without its name")
        if name in _SHEET_NAMES:
            continue
        names[name] = node.text
    return names


def destinations(value: str | None) -> Iterator[tuple[str, str]]:
    """A defined name's (sheet title, cells) places, one by one, as openpyxl's
    ``destinations`` gives them: a name as Excel writes one is read here, any other by
    openpyxl's formula tokenizer."""
    match = _SIMPLE_NAME.fullmatch(value) if value is not None else None
    if match is not None:
        yield match["quoted"] or match["plain"], match["cells"]
    else:
        yield from DefinedName(name="name", attr_text=value).destinations


def _epoch(root: etree._Element) -> datetime:
    props = root.find(_q("workbookPr"))
    flag = None if props is None else props.get("date1904")
    epoch: datetime = CALENDAR_WINDOWS_1900
    if flag is not None and flag not in ("false", "f", "0", ""):
        epoch = CALENDAR_MAC_1904
    return epoch


def _text_content(node: etree._Element) -> str:
    """A rich or plain string's text: its ``t``, then each run's ``t`` (as openpyxl, which
    knows children by their local name)."""
    plain: str | None = None
    runs: list[str] = []
    for child in node.iterchildren(tag=etree.Element):
        tag = child.tag
        local = "t" if tag == _T else "r" if tag == _R else _local(tag)
        if local == "t":
            plain = child.text
        elif local == "r":
            text: str | None = None
            for part in child.iterchildren(tag=etree.Element):
                if part.tag == _T or _local(part.tag) == "t":
                    text = part.text
            if text is not None:
                runs.append(text)
    return "".join([plain, *runs] if plain is not None else runs)


def _local(tag: Any) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _shared_strings(root: etree._Element) -> list[str]:
    return [_text_content(si).replace("x005F_", "") for si in root.iter(_SI)]


def _styles(root: etree._Element | None) -> tuple[frozenset[int], frozenset[int]]:
    """The cell styles (``s`` indexes) whose number format is a date, and a duration."""
    if root is None:
        return frozenset(), frozenset()
    custom: dict[int, str | None] = {}
    formats = root.find(_q("numFmts"))
    for node in (() if formats is None else formats.iter(_q("numFmt"))):
        custom[int(node.get("numFmtId"))] = node.get("formatCode")  # type: ignore[arg-type]
    cell_xfs = root.find(_q("cellXfs"))
    dates: set[int] = set()
    durations: set[int] = set()
    for index, xf in enumerate(() if cell_xfs is None else cell_xfs.iter(_q("xf"))):
        number = int(xf.get("numFmtId") or 0)
        code = custom[number] if number in custom else BUILTIN_FORMATS.get(number)
        if is_date_format(code):
            dates.add(index)
        if is_timedelta_format(code):
            durations.add(index)
    return frozenset(dates), frozenset(durations)


def _core(root: etree._Element | None) -> tuple[str | None, datetime | None]:
    """Title and last-saved time, as openpyxl's document properties give them (a file
    that says nothing of when it was saved is given the time it is read, as openpyxl
    does)."""
    if root is None:
        now = datetime.now(tz=UTC).replace(tzinfo=None)
        return None, now
    properties = DocumentProperties.from_tree(root)
    modified = properties.modified
    return properties.title, modified if isinstance(modified, datetime) else None


def _custom(root: etree._Element | None) -> dict[str, str]:
    """Custom properties that have a value, as text (``str`` of openpyxl's value)."""
    if root is None:
        return {}
    found: dict[str, str] = {}
    for prop in root.iter(_q("property", _CUSTOM_NS)):
        children = [c for c in prop if isinstance(c.tag, str)]
        name = prop.get("name")
        if (len(children) != 1 or children[0].tag != _q("lpwstr", _VT_NS) or name is None
                or len(prop.attrib) > 3):
            return {p.name: str(p.value) for p in CustomPropertyList.from_tree(root).props
                    if p.value is not None}
        if children[0].text is not None:
            found[name] = children[0].text
    return found


def _cast_number(value: str) -> int | float:
    if "." in value or "E" in value or "e" in value:
        return float(value)
    return int(value)


# Cell reference → column number, for the references forms use over and over (bounded:
# a hostile sheet's million distinct references are worked out, not kept).
_COLUMNS: dict[str, int] = {}
_COLUMNS_KEPT = 20_000


def _column(coordinate: str) -> int:
    column = _COLUMNS.get(coordinate)
    if column is None:
        match = _COORDINATE.fullmatch(coordinate)
        if match is None or not int(match[2]):
            raise ValueError("a cell reference is not one")
        column = column_index_from_string(match[1])
        if len(_COLUMNS) < _COLUMNS_KEPT:
            _COLUMNS[coordinate] = column
    return column


def _cell_value(cell: etree._Element, kind: str, style_id: int, workbook: Workbook) -> Any:
    """One cell's value as openpyxl's data-only reader gives it (None when empty)."""
    if kind == "inlineStr":
        for child in cell.iterchildren(_IS):
            return _text_content(child)
        return None
    text = None
    for child in cell.iterchildren(_V):
        text = child.text
        break
    if not text:
        return None
    if kind == "n":
        number = _cast_number(text)
        if style_id in workbook.date_styles:
            try:
                return from_excel(number, workbook.epoch,
                                  timedelta=style_id in workbook.timedelta_styles)
            except (OverflowError, ValueError):
                return "#VALUE!"
        return number
    if kind == "s":
        return workbook.shared_strings[int(text)]
    if kind == "b":
        return bool(int(text))
    if kind == "d":
        return from_iso8601(text)
    return text  # "str" (a formula's last result), "e" (an error), any other kind


def sheet_values(root: etree._Element, workbook: Workbook, max_row: int,
                 max_col: int) -> dict[tuple[int, int], Any]:
    """The non-empty values of one worksheet's first rows and columns, as openpyxl's
    read-only, data-only ``iter_rows`` gives them: rows by their number (a row numbered at
    or below one already read is skipped), cells by their column."""
    values: dict[tuple[int, int], Any] = {}
    counter = 0  # the row number openpyxl's parser is at
    last = 0  # the last row taken
    in_order = True
    for row in root.iter(_ROW):
        number = row.get("r")
        if number is not None:
            try:
                counter = int(number)
            except ValueError:
                parsed = float(number)
                if not parsed.is_integer():
                    raise
                counter = int(parsed)
        else:
            counter += 1
        if counter > max_row:
            break
        take = counter > last
        if take:
            last = counter
        column = 0
        for cell in row.iterchildren(tag=etree.Element):
            style = cell.get("s")
            style_id = int(style) if style else 0
            coordinate = cell.get("r")
            column = _column(coordinate) if coordinate else column + 1
            # A cell without children (a styled, empty cell) holds nothing.
            value = _cell_value(cell, cell.get("t", "n"), style_id, workbook) if len(cell) \
                else None
            if not take or not 1 <= column <= max_col:
                continue
            if value is None or value == "":
                values.pop((counter, column), None)
            else:
                if in_order and values and (counter, column) <= next(reversed(values)):
                    in_order = False
                values[counter, column] = value
    # In the order openpyxl's rows gave them: by row, then column.
    return values if in_order else dict(sorted(values.items()))
