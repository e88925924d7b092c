"""The newest schema revision this Planwatch knows, read from its migration files.

Alembic finds it by loading every migration script; every command that opens the store
needs it, and importing Alembic cost each a tenth of a second. The migration files say
their ``revision`` and ``down_revision`` on lines of their own, so the head is the one
revision no other names as its parent (a test keeps this equal to Alembic's answer).
Imports nothing but the standard library: ``planwatch status`` uses it too.
"""

from __future__ import annotations

import re
from pathlib import Path

VERSIONS = Path(__file__).resolve().parent / "migrations" / "versions"
_REVISION = re.compile(r"^(down_revision|revision)\s*(?::[^=]*)?=\s*['\"]?(\w+)['\"]?",
                       re.MULTILINE)


def newest_revision(versions: Path = VERSIONS) -> str | None:
    """The migrations' head revision; ``None`` unless there is exactly one."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in versions.glob("*.py"):
        for name, value in _REVISION.findall(script.read_text(encoding="utf-8")):
            (revisions if name == "revision" else parents).add(value)
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None
