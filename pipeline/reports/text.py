"""Text fit for the single-line places of a report."""

from __future__ import annotations

import re

# Line breaks, other control characters, and what no XML or calendar line may hold.
_NOT_ON_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")


def one_line(text: str) -> str:
    """``text`` fit for a single-line place (a sheet title, a calendar field, a footer):
    line breaks and other control characters become spaces, runs of spaces one space,
    and nothing is left at either end."""
    return " ".join(_NOT_ON_ONE_LINE.sub(" ", text).split())
