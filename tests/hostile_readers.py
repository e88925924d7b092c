"""Readers that misbehave the way parser bugs do, for the sandbox tests (run in a worker).

The real reader is imported when this module is, which the worker does before it says it
is ready: its imports (lxml, pypdf, openpyxl: seconds on a busy machine) are start-up,
never a file's time, so a good file read through these is as fast as through the real
reader and only the hangs below meet the time limit.
"""

from __future__ import annotations

import hashlib
import importlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipeline.inbox.sandbox import DEFAULT_READER

_module, _, _name = DEFAULT_READER.partition(":")
_read_form: Callable[..., Any] = getattr(importlib.import_module(_module), _name)


def read_form(path: Path, catalogue: Any, data: bytes | None = None) -> Any:
    """The real reader (``pipeline.inbox.sandbox.DEFAULT_READER``), already imported."""
    return _read_form(path, catalogue, data=data)


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
    return read_form(path, catalogue, data=data)


def hang_once(path: Path, catalogue: Any, data: bytes | None = None) -> Any:
    """Hangs the first time it meets a content, then reads it normally: a good file that
    was slow only because the machine was busy."""
    marker = Path(os.environ["PLANWATCH_TEST_MARKERS"]) / hashlib.sha256(
        data or b"").hexdigest()
    if not marker.exists():
        marker.touch()
        hang(path, catalogue, data)
    return read_form(path, catalogue, data=data)


def hang_while_loaded(path: Path, catalogue: Any, data: bytes | None = None) -> Any:
    """Hangs while the file named by PLANWATCH_TEST_LOAD exists (the machine is busy)."""
    if Path(os.environ["PLANWATCH_TEST_LOAD"]).exists():
        hang(path, catalogue, data)
    return read_form(path, catalogue, data=data)
