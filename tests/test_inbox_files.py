"""Unicode, very long and colliding file names are archived safely."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from pipeline.inbox.files import MAX_NAME_BYTES, safe_name, unique_target, write_durably


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param("Zoë Ł plan.docx", "Zoë Ł plan.docx", id="unicode_kept"),
        pytest.param("plan: draft?.docx", "plan_ draft_.docx", id="windows_reserved_characters"),
        pytest.param("..\\..\\etc\\passwd.docx", "passwd.docx", id="path_in_the_name"),
        pytest.param("  .docx", "file.docx", id="nothing_left"),
    ],
)
def test_safe_name(name: str, expected: str) -> None:
    assert safe_name(name) == expected


def test_very_long_names_fit_every_filesystem() -> None:
    name = "Ł" * 300 + ".docx"
    safe = safe_name(name)
    assert safe.endswith(".docx") and len(safe.encode("utf-8")) <= MAX_NAME_BYTES


def test_colliding_names_keep_both_files(tmp_path: Path) -> None:
    first = write_durably(unique_target(tmp_path, "plan.docx", "a" * 64), b"one")
    second = write_durably(unique_target(tmp_path, "plan.docx", "b" * 64), b"two")
    assert first != second and first.read_bytes() == b"one" and second.read_bytes() == b"two"


def test_same_content_reuses_its_copy(tmp_path: Path) -> None:
    """A restart after a crash between copying and committing leaves no second copy."""
    sha = hashlib.sha256(b"one").hexdigest()
    first = write_durably(unique_target(tmp_path, "plan.docx", sha), b"one")
    again = unique_target(tmp_path, "plan.docx", sha)
    assert again == first
    assert [p.name for p in tmp_path.iterdir()] == ["plan.docx"]
