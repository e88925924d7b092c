"""Throwaway workspaces for the benchmarks, set up as ``planwatch init`` sets one up."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipeline.config import Settings, load_settings
from pipeline.workspace import init_workspace


@contextmanager
def fresh_workspace(prefix: str = "planwatch-bench-", **overrides: object) -> Iterator[Settings]:
    """A new workspace in a temporary folder (on the machine's usual disk), removed after."""
    with tempfile.TemporaryDirectory(prefix=prefix) as folder:
        home = Path(folder) / "workspace"
        init_workspace(home, **overrides)
        yield load_settings(home, **overrides)


def drop(files: list[Path], inbox: Path) -> list[Path]:
    """Put ``files`` in the inbox as a backlog: hard links where the disk allows (instant,
    and the cached corpus stays whole when ingest removes them), copies otherwise."""
    dropped = []
    for source in files:
        target = inbox / source.name
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)
        dropped.append(target)
    return dropped
