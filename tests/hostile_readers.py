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
    from pipeline.forms_service import read_form

    return read_form(path, catalogue, data=data)
