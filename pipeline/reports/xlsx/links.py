"""Where a :class:`~pipeline.reports.xlsx.style.Link` goes: an archived file, relative to
the workbook, or a place in the workbook itself.

    file_link(stored, workbook_dir, files_root)   "../archive/2026/03/P001%20plan.docx"
    file_links(workbook_dir, files_root)          the same, for a workbook's many files
    place("Overdue", 5)                           "#'Overdue'!A5": row 5 of Overdue
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from xlsxwriter.utility import xl_rowcol_to_cell

from pipeline.reports.xlsx.xml_text import quote_path


def file_link(stored: str, workbook_dir: Path, files_root: Path | None = None) -> str:
    """A link target for an archived file, relative to the workbook where possible.

    ``stored`` is absolute, or relative to ``files_root`` (the workspace); with no
    ``files_root`` a relative path is taken to be relative to the workbook already.
    Relative links keep working when the whole workspace is moved or shared.
    """
    target = Path(stored)
    if not target.is_absolute():
        if files_root is None:
            return quote_path(target.as_posix())
        target = files_root / target
    try:
        relative = Path(os.path.relpath(target, workbook_dir))
    except ValueError:  # another drive on Windows: no relative path exists
        return target.absolute().as_uri()
    return quote_path(relative.as_posix())


def file_links(workbook_dir: Path, files_root: Path | None = None) -> Callable[[str], str]:
    """:func:`file_link` for the many files of one workbook, giving the same targets.

    A file's target is its folder's target and its quoted name (``quote`` works character
    by character), so paths are worked out once per folder (``archive/2026/03``), not
    once per file: a council's workbook links to hundreds of thousands of forms.
    """
    folders: dict[str, str] = {}

    def link(stored: str) -> str:
        folder, slash, name = stored.rpartition("/")
        if not slash or not folder or name in ("", ".", "..") or ":" in stored:
            return file_link(stored, workbook_dir, files_root)
        if folder not in folders:
            folders[folder] = file_link(folder, workbook_dir, files_root)
        base = folders[folder]
        if ":" in base:  # a file: URI (another drive): left to file_link
            return file_link(stored, workbook_dir, files_root)
        return quote_path(name) if base == "." else f"{base}/{quote_path(name)}"

    return link


def place(sheet: str, row: int, column: int = 1) -> str:
    """The target of a link to one cell of the workbook (rows and columns from 1):
    ``#'Overdue'!A5``. The sheet's name is quoted as Excel quotes it."""
    quoted = sheet.replace("'", "''")
    return f"#'{quoted}'!{xl_rowcol_to_cell(row - 1, column - 1)}"
