"""Which files in a folder are forms to take, and which are office-suite noise.

Word leaves ``~$name.docx`` owner files, LibreOffice ``.~lock.name#``; copies in progress
are often ``*.tmp``; Windows and macOS add ``Thumbs.db``, ``desktop.ini``, ``.DS_Store``
and ``._name`` resource forks. None of these is ever a form.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Iterator
from pathlib import Path

from pipeline.forms_service import READERS

# Every format a reader exists for (pipeline.forms_service.READERS).
FORM_SUFFIXES = tuple(READERS)
IGNORED_PATTERNS = ("~$*", ".~lock.*#", "*.tmp", "Thumbs.db", "desktop.ini", ".DS_Store",
                    "._*", ".planwatch-tmp-*")


def is_candidate(path: Path, *, suffixes: tuple[str, ...] = FORM_SUFFIXES,
                 ignored: tuple[str, ...] = IGNORED_PATTERNS) -> bool:
    """A file worth trying as a form: not hidden, not noise, and a form format."""
    name = path.name
    if name.startswith(".") or any(fnmatch.fnmatchcase(name, p) for p in ignored):
        return False
    return path.suffix.lower() in suffixes


def expand_paths(paths: Iterable[Path]) -> Iterator[Path]:
    """Files as given; folders as their candidate files (recursively), sorted by path.

    A file named explicitly is always tried, whatever its name: the person asked for it.
    """
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and is_candidate(p)
                              and not any(part.startswith(".") for part in
                                          p.relative_to(path).parts[:-1]))
        else:
            yield path
