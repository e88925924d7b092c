"""Which files in a folder get an outcome, which are office-suite noise, and what to say
about files in formats Planwatch does not read.

Word leaves ``~$name.docx`` owner files, LibreOffice ``.~lock.name#``; copies in progress
are often ``*.tmp``; Windows and macOS add ``Thumbs.db``, ``desktop.ini``, ``.DS_Store``
and ``._name`` resource forks. None of these is ever a form, so they are never taken.
Hidden names (starting with a dot) are never taken either: copy tools such as rsync write
their copy in progress under one and rename it when it is whole.

Every other file is taken and gets an outcome, whatever its format: a ``.doc`` waiting
unseen in the inbox for ever is as lost as a deleted one. A format Planwatch does not
read is rejected with what to do instead (:func:`unsupported_format`).
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

# Every format a reader exists for: the keys of pipeline.formats.reading.READERS, named
# here without importing the readers (lxml, pypdf, openpyxl), so that `planwatch status`
# counts the inbox at once; tests/test_cli_imports.py keeps the two equal.
FORM_SUFFIXES = (".docx", ".pdf", ".xlsx")
IGNORED_PATTERNS = ("~$*", ".~lock.*#", "*.tmp", "Thumbs.db", "desktop.ini", ".DS_Store",
                    "._*", ".planwatch-tmp-*")

_SAVE_AS_DOCX = "open it in Word and choose Save As, Word Document (.docx), then drop that copy"
_SAVE_AS_XLSX = ("open it in Excel and choose Save As, Excel Workbook (.xlsx), then drop "
                 "that copy")
_ADVICE = {
    ".doc": f"{{suffix}} is the old Word format: {_SAVE_AS_DOCX}.",
    ".docm": f"{{suffix}} is a macro-enabled Word document: {_SAVE_AS_DOCX}.",
    ".dot": f"{{suffix}} is a Word template, not a filled form: {_SAVE_AS_DOCX}.",
    ".dotx": f"{{suffix}} is a Word template, not a filled form: {_SAVE_AS_DOCX}.",
    ".dotm": f"{{suffix}} is a macro-enabled Word template: {_SAVE_AS_DOCX}.",
    ".rtf": f"{{suffix}} is Rich Text, not a Word form: {_SAVE_AS_DOCX}.",
    ".odt": ("{suffix} is a LibreOffice or OpenOffice document: open it and choose Save As, "
             "Word 2007-365 (.docx), then drop that copy."),
    ".xls": f"{{suffix}} is the old Excel format: {_SAVE_AS_XLSX}.",
    ".xlsm": f"{{suffix}} is a macro-enabled Excel workbook: {_SAVE_AS_XLSX}.",
    ".xlsb": f"{{suffix}} is a binary Excel workbook: {_SAVE_AS_XLSX}.",
    ".xlt": f"{{suffix}} is an Excel template, not a filled form: {_SAVE_AS_XLSX}.",
    ".xltx": f"{{suffix}} is an Excel template, not a filled form: {_SAVE_AS_XLSX}.",
    ".xltm": f"{{suffix}} is a macro-enabled Excel template: {_SAVE_AS_XLSX}.",
    ".ods": ("{suffix} is a LibreOffice or OpenOffice spreadsheet: open it and choose Save "
             "As, Excel 2007-365 (.xlsx), then drop that copy."),
    ".csv": ("{suffix} is a plain table of values, not a form: fill in the form itself "
             "(Word, Excel or PDF) and drop that."),
}
_PICTURES = {".jpg", ".jpeg", ".png", ".gif", ".bmp", ".tif", ".tiff", ".heic", ".webp"}
_TEXT = {".txt", ".text", ".md", ".log"}
_MAIL = {".msg", ".eml"}
_ARCHIVES = {".zip", ".7z", ".rar", ".gz", ".tar"}


def unsupported_format(path: Path) -> str | None:
    """Why ``path`` cannot be a form, by its name, with what to do; None when its format
    is one Planwatch reads (.docx, .pdf, .xlsx)."""
    suffix = path.suffix.lower()
    if suffix in FORM_SUFFIXES:
        return None
    shown = suffix or "A file with no extension"
    if suffix in _ADVICE:
        return _ADVICE[suffix].format(suffix=suffix)
    if suffix in _PICTURES:
        problem = (f"{shown} is a picture (a photo or scan), which Planwatch cannot read "
                   "answers from")
    elif suffix in _TEXT:
        problem = f"{shown} is a plain text file, not a form"
    elif suffix in _MAIL:
        problem = (f"{shown} is a saved email: save the form attached to it into the inbox "
                   "instead")
        return problem + "."
    elif suffix in _ARCHIVES:
        problem = (f"{shown} is a compressed folder: open it and drop the forms inside it "
                   "instead")
        return problem + "."
    else:
        problem = f"{shown} is not a form format Planwatch reads"
    return (f"{problem}. Planwatch reads forms saved as Word (.docx), PDF or Excel (.xlsx): "
            "fill in the form itself and drop that.")


def is_ignored(name: str, ignored: tuple[str, ...] = IGNORED_PATTERNS) -> bool:
    """Office-suite noise, a hidden name or a copy in progress: never taken."""
    return name.startswith(".") or any(fnmatch.fnmatchcase(name, p) for p in ignored)


def is_candidate(path: Path, *, ignored: tuple[str, ...] = IGNORED_PATTERNS) -> bool:
    """A file that gets an outcome (whatever its format): not hidden, not noise."""
    return not is_ignored(path.name, ignored)


def inbox_entries(folder: Path, *,
                  ignored: tuple[str, ...] = IGNORED_PATTERNS) -> Iterator[Path]:
    """Every name under ``folder`` that gets an outcome, sorted by path: files of any
    format, and links and special files too (they are rejected, never followed).
    Folders are looked into (never through a link); hidden folders are skipped."""
    found: list[Path] = []
    for root, folders, names in os.walk(folder, followlinks=False):
        # A link to a folder is listed among the folders: it is an entry, never entered.
        linked = [f for f in folders if (Path(root) / f).is_symlink()]
        folders[:] = sorted(f for f in folders if not f.startswith(".") and f not in linked)
        for name in [*names, *linked]:
            if not is_ignored(name, ignored):
                found.append(Path(root) / name)
    return iter(sorted(found))


def expand_paths(paths: Iterable[Path], *,
                 ignored: tuple[str, ...] = IGNORED_PATTERNS) -> Iterator[Path]:
    """Files as given; folders as their entries (:func:`inbox_entries`), sorted by path.

    A file named explicitly is always tried, whatever its name: the person asked for it.
    """
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            yield from inbox_entries(path, ignored=ignored)
        else:
            yield path
