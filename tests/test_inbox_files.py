"""Unicode, very long and colliding file names are archived safely."""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path

import pytest

from pipeline.inbox.files import (
    MAX_NAME_BYTES,
    Copy,
    keep_copies,
    keep_copy,
    safe_name,
    unique_target,
    write_durably,
)


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


def test_copies_kept_together_never_overwrite_and_reuse_their_content(tmp_path: Path) -> None:
    def sha(data: bytes) -> str:
        return hashlib.sha256(data).hexdigest()

    march, april = tmp_path / "2026" / "03", tmp_path / "2026" / "04"
    already = keep_copy(march, "plan.docx", sha(b"one"), b"one")  # an interrupted run's copy
    kept = keep_copies([
        Copy(march, "plan.docx", sha(b"one"), b"one"),  # the same content: reused
        Copy(march, "plan.docx", sha(b"two"), b"two"),  # same name, other content: kept too
        Copy(april, "review.docx", sha(b"three"), b"three"),
    ])
    assert kept[0] == already
    assert kept[1] != already and kept[1].parent == march and kept[1].read_bytes() == b"two"
    assert kept[2] == april / "review.docx" and kept[2].read_bytes() == b"three"
    assert sorted(p.name for p in march.iterdir()) == sorted(["plan.docx", kept[1].name])
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in kept)
    assert not list(tmp_path.rglob(".planwatch-tmp-*"))  # no temporary copy left behind
