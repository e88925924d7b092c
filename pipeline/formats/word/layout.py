"""Reading a Word form's answers by their labels, the way a person reads the page.

Behind the control reader (:mod:`pipeline.formats.word.read`): a field that no content
control answered (the controls were lost in Google Docs, a paste into a fresh document,
Word's "Remove content control", or the office's own form never had any) is looked for
by its label, in these places:

- a table cell holding the label: the answer is the cell beside it or, when that is
  another label (a header row of labels over a row of answers) or there is none, the
  cell below it (merged cells are one cell);
- "Label: answer" in a paragraph or a cell (several on one line, "Signed: … Date: …");
- a paragraph that is only the label: the paragraphs after it, up to the next label,
  heading, table, or line all in bold or all in italics (the form's own words);
- a tick box written beside its label ("☒ I agree ...").

Labels match the way people edit them (case, punctuation, a trailing colon or asterisk,
extra spaces, a "(dd/mm/yyyy)" hint). Ticks are ☒ ☑ ✓ ✔ [x] or X, or the words Yes and
No; a choice is its label, or the option ticked in a row of ☐ options; dates in the
common UK ways become their day. Where two places give different answers the reader
does not guess: the field is left empty with a finding naming both places.

Works on parsed XML only (no python-docx: this runs in the sandboxed reader) and never
raises on a strange document: text boxes, nested tables, tracked changes and fields are
read as the text a person sees.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from lxml import etree

from pipeline.definitions import FieldSpec, FieldType, FormDefinition, normalise_label
from pipeline.formats.word.answers import BOXES, MARK, MATCHED_BY, mark_ticked, value_of
from pipeline.formats.word.names import text_of, w, wattr
from pipeline.records import Finding, RawValue, Severity

# A hint in brackets people add to or drop from a label: "(dd/mm/yyyy)", "(if any)";
# other brackets are part of the label ("Signed (worker)" is not "Signed (resident)").
_HINT = re.compile(r"\((?=[^()]*\b(?:dd|mm|yy|yyyy|please|optional|if|e\.g|eg|tick|"
                   r"circle|delete)\b)[^()]*\)", re.IGNORECASE)
_GAP = re.compile(r"\t[ \t]*|[ ]{2,}[ \t]*")
_NEXT_LABEL = re.compile(r"[^\t:]{1,60}:")
# Only the start of a line can be a label: long lines are never searched whole (every
# pattern here stays linear in what a hostile file can make long).
_HEAD = 300
_MAX_FOLLOWING = 40
# No form has this many paragraphs and tables: what lies beyond is not read by label (a
# hostile file must not make every field's search slow).
_MAX_BLOCKS = 20_000


@lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """A label as matched: :func:`normalise_label`, hints in brackets, leading tick boxes
    and punctuation out."""
    folded = normalise_label(_HINT.sub(" ", text.replace("\u00a0", " ")))
    folded = re.sub(rf"^[\s{BOXES}\-\u2022]+", "", folded)
    folded = re.sub(r"[^\w\s/&£%'-]+", " ", folded)
    return re.sub(r"\s+", " ", folded).strip(" -")


@dataclass(frozen=True)
class Found:
    """One place that could hold an answer, and what it says there."""

    value: RawValue
    where: str
    container: int  # id of the paragraph or row it is in (a signature's date is beside it)
    problem: str | None = None  # why the answer there cannot be used ("both ticked")

    @property
    def empty(self) -> bool:
        value = self.value
        return (value.checked is None and value.full_date is None
                and not (value.text or "").strip() and value.choice_value is None)


@dataclass
class _Cell:
    element: etree._Element
    row_element: etree._Element
    table: int
    row: int
    column: int  # first grid column
    span: int
    merged_up: bool  # a vertical merge's continuation: the cell above it, in fact
    first: str = ""
    text: str = ""


@dataclass
class _Table:
    number: int
    rows: list[list[_Cell]] = field(default_factory=list)

    def below(self, cell: _Cell) -> _Cell | None:
        for row in self.rows[cell.row + 1:]:
            for other in row:
                if other.column <= cell.column < other.column + other.span:
                    if other.merged_up:
                        break  # still the label's own merged cell: look further down
                    return other
            else:
                return None
        return None


def _int(value: str | None, default: int) -> int:
    try:
        return max(1, min(int(value or default), 64))
    except ValueError:
        return default


def _direct_paragraphs(cell: etree._Element) -> list[etree._Element]:
    """A cell's own paragraphs (inside controls too), not those of a nested table."""
    found = []
    for paragraph in cell.iter(w("p")):
        parent = paragraph.getparent()
        while parent is not None and parent is not cell and parent.tag != w("tc"):
            parent = parent.getparent()
        if parent is cell:
            found.append(paragraph)
    return found


def _nearest(element: etree._Element, tag: str) -> etree._Element | None:
    parent = element.getparent()
    while parent is not None and parent.tag != tag:
        parent = parent.getparent()
    return parent


def _styled_only(paragraph: etree._Element) -> bool:
    """Every run with text is bold, or every one italic: a label, a heading or a note of
    the form's own, never what a person typed into it."""
    runs = [r for r in paragraph.iter(w("r")) if "".join(t.text or "" for t in
                                                          r.iter(w("t"))).strip()]
    if not runs:
        return False

    def all_have(name: str) -> bool:
        for run in runs:
            properties = run.find(w("rPr"))
            mark = None if properties is None else properties.find(w(name))
            if mark is None or wattr(mark, "val") in ("0", "false"):
                return False
        return True

    return all_have("b") or all_have("i")


def _heading(paragraph: etree._Element) -> bool:
    style = paragraph.find(f"{w('pPr')}/{w('pStyle')}")
    name = (wattr(style, "val") or "") if style is not None else ""
    return name.lower().startswith(("heading", "title", "subtitle"))


class Page:
    """The document as a person sees it: its tables' cells and its paragraphs, in order."""

    def __init__(self, body: etree._Element, skip: Iterable[etree._Element] = ()) -> None:
        skipped = set(skip)
        self.tables: dict[int, _Table] = {}
        self._cells: list[_Cell] = []
        self.paragraphs: list[etree._Element] = []
        # Paragraphs between the same two tables share a stretch: an answer written in
        # the lines after a label never runs on past a table.
        self._stretch: list[int] = []
        stretch, number = 0, 0
        for node in itertools.islice(body.iter(w("p"), w("tbl")), _MAX_BLOCKS):
            if node.tag == w("tbl"):
                number += 1
                stretch += 1
                if node not in skipped and not any(a in skipped
                                                   for a in node.iterancestors(w("tbl"))):
                    self.tables[number] = self._grid(node, number)
            elif _nearest(node, w("tc")) is None:
                self.paragraphs.append(node)
                self._stretch.append(stretch)
        self.texts = [own_text(p) for p in self.paragraphs]
        self._position = {id(p): n for n, p in enumerate(self.paragraphs)}

    def _grid(self, table: etree._Element, number: int) -> _Table:
        grid = _Table(number)
        rows = [tr for tr in table.iter(w("tr")) if _nearest(tr, w("tbl")) is table]
        for row_number, tr in enumerate(rows):
            before = tr.find(f"{w('trPr')}/{w('gridBefore')}")
            column = 0 if before is None else _int(wattr(before, "val"), 0)
            if len(self._cells) >= _MAX_BLOCKS:
                break
            cells: list[_Cell] = []
            for tc in (c for c in tr.iter(w("tc")) if _nearest(c, w("tr")) is tr):
                properties = tc.find(w("tcPr"))
                span_node = None if properties is None else properties.find(w("gridSpan"))
                merge = None if properties is None else properties.find(w("vMerge"))
                span = 1 if span_node is None else _int(wattr(span_node, "val"), 1)
                merged_up = merge is not None and wattr(merge, "val") in (None, "continue")
                paragraphs = _direct_paragraphs(tc)
                cell = _Cell(tc, tr, number, row_number, column, span, merged_up,
                             first=text_of(paragraphs[0]) if paragraphs else "",
                             text=text_of(tc))
                cells.append(cell)
                column += span
            grid.rows.append(cells)
            self._cells += cells
        return grid

    def cells(self) -> Iterator[_Cell]:
        yield from self._cells

    def table(self, number: int) -> _Table:
        return self.tables[number]

    def right_of(self, cell: _Cell) -> _Cell | None:
        row = self.table(cell.table).rows[cell.row]
        return next((c for c in row if c.column == cell.column + cell.span), None)

    def following(self, paragraph: etree._Element) -> list[tuple[etree._Element, str]]:
        """The paragraphs after ``paragraph`` (and their text) up to the next table."""
        start = self._position.get(id(paragraph))
        if start is None:
            return []
        end = start + 1
        while (end < len(self.paragraphs) and end <= start + _MAX_FOLLOWING
               and self._stretch[end] == self._stretch[start]):
            end += 1
        return list(zip(self.paragraphs[start + 1:end], self.texts[start + 1:end],
                        strict=True))

    def labels(self) -> set[str]:
        """Every text on the page that may be a label, folded (for identifying a form)."""
        texts: set[str] = set()
        for cell in self._cells:
            texts.add(fold(cell.first))
            texts.add(fold(cell.text))
        for text in self.texts:
            texts.add(fold(text))
            for segment in segments(text):
                if ":" in segment:
                    texts.add(fold(segment.split(":", 1)[0]))
        texts.discard("")
        return texts


def segments(line: str) -> list[str]:
    """A line cut where another "Label:" starts after a tab or a wide gap
    ("Signed: ...<tab>Date: ...")."""
    found: list[str] = []
    start = 0
    for gap in _GAP.finditer(line):
        if _NEXT_LABEL.match(line, gap.end()):
            found.append(line[start:gap.start()])
            start = gap.end()
    found.append(line[start:])
    return found


def own_text(paragraph: etree._Element) -> str:
    """A paragraph's text without the text boxes anchored in it (read as paragraphs of
    their own)."""
    if paragraph.find(f".//{w('txbxContent')}") is None:
        return text_of(paragraph)
    copy = etree.fromstring(etree.tostring(paragraph))
    for box in list(copy.iter(w("txbxContent"))):
        parent = box.getparent()
        if parent is not None:
            parent.remove(box)
    return text_of(copy)


# --- finding a label -----------------------------------------------------------------


def _words(label: str) -> str:
    return r"[\W_]*".join(re.escape(p) for p in re.findall(r"[^\W_]+", label))


@lru_cache(maxsize=4096)
def _inline(label: str) -> re.Pattern[str]:
    """"Label: answer" (a hint or asterisk before the colon), at the start of a segment."""
    return re.compile(rf"\W*{_words(label)}[\s)\]*]*(?:\([^()]*\)[\s*]*)?[:?]\s*",
                      re.IGNORECASE)


@lru_cache(maxsize=4096)
def _beside_box(label: str) -> re.Pattern[str]:
    """A tick box written beside its label: "☒ I agree", "I agree [x]"."""
    words = _words(label)
    return re.compile(rf"^\s*(?:({MARK})\s*{words}\W*|{words}\W*({MARK}))\s*$", re.IGNORECASE)


class LabelReader:
    """Finds the answers of one service's copy of a form on one page, by label."""

    def __init__(self, definition: FormDefinition, page: Page) -> None:
        self.definition = definition
        self.page = page
        self.findings: list[Finding] = []
        leaves = definition.leaves_by_key
        self._fields = {fold(f.label) for f in leaves.values()}
        self._fields |= {fold(c.label) for t in definition.tables for c in t.columns}
        self._known = self._fields | {fold(f.label) for f in definition.signatures}
        self._fields.discard("")
        self._known.discard("")

    def _is_label(self, text: str) -> bool:
        return fold(text) in self._known

    def read(self, keys: Iterable[str], *, report_unfound: bool = False) -> dict[str, RawValue]:
        """Values of the fields ``keys`` that were found by label (others left out).

        ``report_unfound``: a field with no place on the page gets an advisory finding
        (an old copy of a form that lacked it, or a label reworded since), so a backlog
        says what could not be read; only for a service's own copy of the form.
        """
        values: dict[str, RawValue] = {}
        leaves = self.definition.leaves_by_key
        found_at: dict[str, Found] = {}
        for key in keys:
            spec = leaves.get(key)
            if spec is None:
                continue
            chosen = self._choose(spec, self._places(spec, found_at))
            if chosen is not None:
                values[key] = chosen.value
                found_at[key] = chosen
            elif report_unfound:
                self.findings.append(Finding(
                    field=key, code="label_not_found", severity=Severity.ADVISORY,
                    message=f"{spec.label}: nothing was read for it: its label is not on "
                    "this copy of the form, or has no answer place beside or below it. If "
                    "the form words it differently, change the label in the definition."))
        return values

    def _variants(self, spec: FieldSpec) -> list[str]:
        """The labels a field may go by: its own, then a signature block's shorter ones."""
        variants = [spec.label]
        blocks = self.definition.signatures
        for block in blocks:
            if spec.key == f"{block.key}_signature":
                variants += [block.label, f"{block.label} signature"]
                if len(blocks) == 1:  # "Signed:" is this block's only when it is the one
                    variants += ["signature", "signed"]
            elif spec.key == f"{block.key}_signed_on":
                variants += ["date signed", "date", "dated", "signed on"]
        return variants

    def _places(self, spec: FieldSpec, found_at: dict[str, Found]) -> list[Found]:
        for number, label in enumerate(self._variants(spec)):
            if number and fold(label) in self._fields:
                continue  # another field's label: never borrowed
            places = list(self._find(spec, label))
            if number and spec.key.endswith("_signed_on"):
                # "Date" alone is this block's date only beside its signature.
                name = found_at.get(spec.key.removesuffix("_signed_on") + "_signature")
                places = [p for p in places if name is not None
                          and p.container == name.container]
            if places:
                return places
        return []

    def _choose(self, spec: FieldSpec, places: list[Found]) -> Found | None:
        if not places:
            return None
        empty = RawValue(matched_by=MATCHED_BY)
        problem = next((p for p in places if p.problem), None)
        if problem is not None:
            self._finding(spec, "unclear_answer", f"in {problem.where}, {problem.problem}: it "
                          "is left empty. Tick one only.")
            return Found(empty, problem.where, problem.container)
        distinct: dict[tuple[object, ...], Found] = {}
        for place in places:
            if not place.empty:
                value = place.value
                distinct.setdefault((value.text, value.checked, value.full_date), place)
        if len(distinct) > 1:
            first, second = list(distinct.values())[:2]
            self._finding(spec, "two_places",
                          f"its answer could be in two places that say different things "
                          f"({first.where}; and {second.where}). Planwatch does not guess, "
                          "so it is left empty: keep one answer beside the label.")
            return Found(empty, first.where, first.container)
        return next(iter(distinct.values())) if distinct else places[0]

    def _finding(self, spec: FieldSpec, code: str, message: str) -> None:
        severity = spec.severity if spec.required else Severity.ADVISORY
        self.findings.append(Finding(field=spec.key, code=code,
                                     message=f"{spec.label}: {message}", severity=severity))

    def _value(self, spec: FieldSpec, text: str, where: str, container: int) -> Found:
        value, problem = value_of(spec, text)
        return Found(value, where, container, problem)

    def _find(self, spec: FieldSpec, label: str) -> Iterator[Found]:
        wanted = fold(label)
        if not wanted:
            return
        inline, boxed = _inline(wanted), _beside_box(wanted)
        for cell in self.page.cells():
            if cell.merged_up:
                continue
            where = f"table {cell.table}, row {cell.row + 1}"
            row = id(cell.row_element)
            ticked = self._ticked_beside(spec, cell.text, boxed, row)
            if ticked is not None:
                yield ticked
                continue
            if fold(cell.first) == wanted or fold(cell.text) == wanted:
                answer = self._answer_cell(cell)
                if answer is not None:
                    side = "beside" if answer.row == cell.row else "below"
                    yield self._value(spec, answer.text,
                                      f"{where}, the cell {side} '{spec.label}'", row)
                continue
            yield from self._in_text(spec, cell.text, inline, boxed, where, row)
        for paragraph, text in zip(self.page.paragraphs, self.page.texts, strict=True):
            if not text.strip():
                continue
            ticked = self._ticked_beside(spec, text, boxed, id(paragraph))
            if ticked is not None:
                yield ticked
                continue
            if fold(text) == wanted:
                yield self._value(spec, self._after(spec, paragraph),
                                  f"the lines after '{spec.label}'", id(paragraph))
                continue
            yield from self._in_text(spec, text, inline, boxed,
                                     f"the line starting '{spec.label}'", id(paragraph))

    def _in_text(self, spec: FieldSpec, text: str, inline: re.Pattern[str],
                 boxed: re.Pattern[str], where: str, container: int) -> Iterator[Found]:
        if self._is_label(text):
            return  # another field's label, never an answer to this one
        for line in text.split("\n"):
            for segment in segments(line):
                segment = segment.strip()
                match = inline.match(segment[:_HEAD])
                if match:
                    yield self._value(spec, segment[match.end():], where, container)
                    return

    def _ticked_beside(self, spec: FieldSpec, text: str, boxed: re.Pattern[str],
                       container: int) -> Found | None:
        """A yes/no written as a tick box beside its label, on a line of its own."""
        if spec.type is not FieldType.YES_NO:
            return None
        for line in text.split("\n"):
            box = boxed.match(line) if len(line) <= _HEAD else None
            if box:
                mark = box.group(1) or box.group(2) or ""
                return Found(RawValue(checked=mark_ticked(mark), matched_by=MATCHED_BY),
                             f"the tick box beside '{spec.label}'", container)
        return None

    def _answer_cell(self, label: _Cell) -> _Cell | None:
        right = self.page.right_of(label)
        if right is not None and not self._is_label(right.first or right.text):
            return right
        below = self.page.table(label.table).below(label)
        if below is not None and not self._is_label(below.first or below.text):
            return below
        return None

    def _after(self, spec: FieldSpec, paragraph: etree._Element) -> str:
        """The lines after a label line, up to the next label, heading, table, or line all
        bold or all italic (the form's own notes); one line for anything but text."""
        lines: list[str] = []
        for following, text in self.page.following(paragraph):
            if _heading(following) or (text.strip() and (_styled_only(following)
                                                         or self.label_line(text))):
                break
            lines.append(text)
            if text.strip() and spec.type not in (FieldType.TEXT, FieldType.LONG_TEXT):
                break
        return "\n".join(lines)

    def label_line(self, text: str) -> bool:
        """``text`` is, or starts with, one of this form's labels."""
        folded = fold(text)
        return folded in self._known or any(
            len(k) > 3 and (folded.startswith(k + " ") and _inline(k).match(text.strip()[:_HEAD]))
            for k in self._known)
