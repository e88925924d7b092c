"""Which plan action a review's progress row is about, the way staff write them.

    plan actions (with references) + progress rows ──match_rows──▶ row → action

1. **By reference.** Every action of a support plan has a reference: the plan's date and
   its row number, ``05/01/2026 #2`` (:func:`action_ref`). A pre-filled review carries it
   in the progress table's ``action_ref`` column; a row whose reference is an action's is
   that action's, whatever its wording.
2. **By wording, tolerantly.** Otherwise the row's issue is compared with each action's
   issue and task: lower case, punctuation and little words ("the", "with", "not") gone,
   words that begin alike counted as one (four letters or more in common, at least two
   thirds of the shorter word: "registered" and "registration", "apply" and "applied").
   The score is the share of words in common (Dice: twice the words in common over both
   lengths). The row is the action's when its best score is at least :data:`THRESHOLD`
   and beats every other action's by :data:`MARGIN`: a row as like one action as
   another is not guessed.
3. **One row, one action.** A row is never counted for two actions, and within one form
   an action takes one row (by reference first, then the best-scoring); a row whose
   action is taken, or that matches none, is returned unmatched, for the summary to
   show under its own heading.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

THRESHOLD = 0.5
MARGIN = 0.2
PREFIX = 4  # words beginning alike for this many letters (and 2/3 of the shorter) are one
STOPWORDS = frozenset((
    "a", "an", "and", "are", "at", "be", "by", "for", "from", "has", "have", "her", "his",
    "in", "into", "is", "it", "its", "of", "on", "or", "our", "re", "she", "so", "than",
    "that", "the", "their", "them", "they", "this", "to", "too", "up", "was", "we", "were",
    "will", "with", "not", "no", "yet", "still"))
_REF = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})\D*?(\d+)\s*$")
_ISO_REF = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})\D*?(\d+)\s*$")


def action_ref(plan_on: date | None, row: int) -> str | None:
    """The reference of row ``row`` (1 is the first) of the plan dated ``plan_on``."""
    return f"{plan_on:%d/%m/%Y} #{row}" if plan_on is not None else None


def parse_ref(text: Any) -> tuple[date, int] | None:
    """A reference as (plan date, row), from ``05/01/2026 #2`` or ``2026-01-05/2``."""
    words = str(text or "").strip()
    try:
        if found := _REF.search(words):
            day, month, year, row = (int(g) for g in found.groups())
            return date(year, month, day), row
        if found := _ISO_REF.search(words):
            year, month, day, row = (int(g) for g in found.groups())
            return date(year, month, day), row
    except ValueError:
        return None
    return None


def words(text: Any) -> list[str]:
    """The words that carry meaning: lower case, no punctuation, no little words."""
    return [w for w in re.findall(r"[a-z0-9]+", str(text or "").casefold())
            if w not in STOPWORDS]


def _same(one: str, other: str) -> bool:
    if one == other:
        return True
    common = 0
    for a, b in zip(one, other, strict=False):
        if a != b:
            break
        common += 1
    return common >= PREFIX and common * 3 >= min(len(one), len(other)) * 2


def similarity(one: Any, other: Any) -> float:
    """Share of words in common, 0 to 1 (module docstring)."""
    first, second = words(one), words(other)
    if not first or not second:
        return 0.0
    common = (sum(any(_same(w, x) for x in second) for w in first)
              + sum(any(_same(w, x) for x in first) for w in second))
    return common / (len(first) + len(second))


@dataclass(frozen=True)
class PlannedAction:
    """What a row is matched against: the action's references, issue and task."""

    refs: frozenset[tuple[date, int]]
    issue: str
    task: str | None = None


def _score(action: PlannedAction, row: dict[str, Any]) -> float:
    issue = row.get("issue")
    return max(similarity(issue, action.issue), similarity(issue, action.task))


def match_rows(actions: Sequence[PlannedAction],
               rows: Sequence[dict[str, Any]]) -> dict[int, int]:
    """The rows of one form matched to actions, as {row index: action index}.

    A row absent from the answer matches no action (module docstring for the rules).
    """
    matched: dict[int, int] = {}
    taken: set[int] = set()
    for index, row in enumerate(rows):
        ref = parse_ref(row.get("action_ref"))
        owner = next((n for n, a in enumerate(actions) if ref in a.refs), None)
        if ref is not None and owner is not None and owner not in taken:
            matched[index] = owner
            taken.add(owner)
    best: list[tuple[float, int, int]] = []
    for index, row in enumerate(rows):
        if index in matched:
            continue
        scores = sorted(((_score(a, row), n) for n, a in enumerate(actions)), reverse=True)
        if not scores or scores[0][0] < THRESHOLD:
            continue
        if len(scores) > 1 and scores[0][0] - scores[1][0] < MARGIN:
            continue  # as like one action as another: not guessed
        best.append((scores[0][0], index, scores[0][1]))
    for _, index, owner in sorted(best, key=lambda c: (-c[0], c[1])):
        if owner not in taken:
            matched[index] = owner
            taken.add(owner)
    return matched
