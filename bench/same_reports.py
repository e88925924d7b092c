"""Are two workspaces' reports the same, cell for cell? ``python -m bench.same_reports A B``

A check for a change that must not change what Planwatch writes (issue 15: "the demo's
workbook and summaries are the same cell for cell"). Make the two workspaces from the
code before and after, on the same day::

    git worktree add /tmp/pw-before HEAD          # before changing anything
    (cd /tmp/pw-before && python -c "from pipeline.cli import main; main()" \\
        --home /tmp/demo-before demo --people 20 --seed 3)
    planwatch --home /tmp/demo-after demo --people 20 --seed 3
    python -m bench.same_reports /tmp/demo-before/reports /tmp/demo-after/reports

Every workbook (.xlsx) is compared sheet by sheet, cell by cell: value, link, number
format, fill and bold; every Word document (.docx: the outcome summaries) paragraph by
paragraph and table cell by table cell; a calendar (.ics) line by line; any other file
byte for byte. Both folders must hold the same file names. What says when the demo ran
is not compared: a date-time cell within two hours before its workbook was written (a
file's arrival), and a calendar's stamps (DTSTAMP, LAST-MODIFIED, SEQUENCE, "From
Planwatch, <when> UTC"). Prints each difference and exits 1 if there is any.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from docx import Document
from openpyxl import load_workbook

# Enough differences to see what changed; the rest are only counted.
_SHOWN = 40
RUN_TIME = "(when the demo ran)"
# Two hours: the arrivals of a demo run, in UK time, before its workbook (in local time).
_RUN_WINDOW = timedelta(hours=2)
_STAMPS = re.compile(r"^(DTSTAMP|LAST-MODIFIED|SEQUENCE):.*$", re.MULTILINE)
_MADE = re.compile(r"From Planwatch\\, \d\d/\d\d/\d{4} \d\d:\d\d UTC")


def _cells(path: Path) -> dict[tuple[str, str], tuple[Any, ...]]:
    book = load_workbook(path)
    written = datetime.fromtimestamp(path.stat().st_mtime)
    found: dict[tuple[str, str], tuple[Any, ...]] = {}
    for sheet in book.worksheets:
        found[(sheet.title, "(dimensions)")] = (sheet.max_row, sheet.max_column)
        for row in sheet.iter_rows():
            for cell in row:
                link = cell.hyperlink.target if cell.hyperlink is not None else None
                fill = cell.fill.fgColor.rgb if cell.fill is not None else None
                value = cell.value
                if (isinstance(value, datetime)
                        and abs(value - written) <= _RUN_WINDOW and value <= written):
                    value = RUN_TIME
                found[(sheet.title, cell.coordinate)] = (
                    value, link, cell.number_format, fill, bool(cell.font.b))
    return found


def _document(path: Path) -> dict[tuple[str, str], tuple[Any, ...]]:
    document = Document(str(path))
    found: dict[tuple[str, str], tuple[Any, ...]] = {}
    for number, paragraph in enumerate(document.paragraphs):
        found[("paragraph", str(number))] = (paragraph.text,)
    for t, table in enumerate(document.tables):
        for r, row in enumerate(table.rows):
            for c, cell in enumerate(row.cells):
                found[(f"table {t}", f"{r},{c}")] = (cell.text,)
    return found


def _contents(path: Path) -> dict[tuple[str, str], tuple[Any, ...]]:
    if path.suffix == ".xlsx":
        return _cells(path)
    if path.suffix == ".docx":
        return _document(path)
    if path.suffix == ".ics":
        # Long lines are folded (CRLF and a space): unfolded first.
        text = path.read_bytes().decode("utf-8").replace("\r\n ", "")
        text = _MADE.sub(RUN_TIME, _STAMPS.sub(RUN_TIME, text))
        return {("line", str(n)): (line,) for n, line in enumerate(text.splitlines())}
    return {("bytes", ""): (path.read_bytes(),)}


def differences(before: Path, after: Path) -> Iterator[str]:
    """Each difference between the reports under ``before`` and under ``after``."""
    names = {p.relative_to(before) for p in before.rglob("*") if p.is_file()}
    others = {p.relative_to(after) for p in after.rglob("*") if p.is_file()}
    for name in sorted(names ^ others):
        yield f"{name}: only in {before if name in names else after}"
    for name in sorted(names & others):
        old, new = _contents(before / name), _contents(after / name)
        for key in sorted(old.keys() | new.keys()):
            if old.get(key) != new.get(key):
                yield f"{name} {key[0]} {key[1]}: {old.get(key)!r} != {new.get(key)!r}"


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    before, after = (Path(a) for a in argv)
    count = 0
    for count, line in enumerate(differences(before, after), 1):
        if count <= _SHOWN:
            print(line)
    files = sum(1 for p in before.rglob("*") if p.is_file())
    print(f"{count} differences in {files} files" if count else
          f"the same: {files} files, cell for cell")
    return 1 if count else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
