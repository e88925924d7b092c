"""The README documents every command (sqlite-utils' test_docs idea)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_cli import ALL_COMMANDS

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("words", [pytest.param(w, id=" ".join(w)) for w in ALL_COMMANDS])
def test_command_is_in_the_readme(words: tuple[str, ...]) -> None:
    assert f"planwatch {' '.join(words)}" in README


def test_quick_start_is_two_commands() -> None:
    quick = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = [b for b in quick.split("```")[1::2]]
    commands = [line for b in blocks for line in b.splitlines()[1:] if line.strip()]
    assert commands == ["pip install -e . && planwatch demo", "bash .ci/run"]
