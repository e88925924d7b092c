"""Readers that misbehave the way parser bugs do, for the sandbox tests (run in a worker)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def hang(path: Path, catalogue: Any, data: bytes | None = None) -> Any:
    """Loops forever, like a parser caught in a cyclic structure."""
    while True:
        pass


def balloon(path: Path, catalogue: Any, data: bytes | None = None) -> Any:
    """Allocates without end, like a decompression bomb inside a parser."""
    hoard = []
    while True:
        hoard.append(bytearray(50 * 1024 * 1024))


def crash(path: Path, catalogue: Any, data: bytes | None = None) -> Any:
    raise ZeroDivisionError("a reader bug")


def routing(path: Path, catalogue: Any, data: bytes | None = None) -> Any:
    """The real reader, except that a file named '*loop*' hangs it (a looping parser)."""
    if "loop" in path.name:
        hang(path, catalogue, data)
    from pipeline.formats.reading import read_form

    return read_form(path, catalogue, data=data)


def hang_once(path: Path, catalogue: Any, data: bytes | None = None) -> Any:
    """Hangs the first time it meets a content, then reads it normally: a good file that
    was slow only because the machine was busy."""
    import hashlib
    import os

    marker = Path(os.environ["PLANWATCH_TEST_MARKERS"]) / hashlib.sha256(
        data or b"").hexdigest()
    if not marker.exists():
        marker.touch()
        hang(path, catalogue, data)
    from pipeline.formats.reading import read_form

    return read_form(path, catalogue, data=data)


def hang_while_loaded(path: Path, catalogue: Any, data: bytes | None = None) -> Any:
    """Hangs while the file named by PLANWATCH_TEST_LOAD exists (the machine is busy)."""
    import os

    if Path(os.environ["PLANWATCH_TEST_LOAD"]).exists():
        hang(path, catalogue, data)
    from pipeline.formats.reading import read_form

    return read_form(path, catalogue, data=data)
