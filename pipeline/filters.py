"""Every filter a person types (``--service``, ``--worker``, ``--team``, ``--site``, a
person's reference), checked against what the policies and the store know.

A filter that matches nothing must never read as an all-clear: ``planwatch due --service
community`` once printed "Nothing overdue or due soon" while 26 items were overdue under
``community-support``. So a value is taken only when it names something known (its id or
the name staff use, in any case); otherwise the command stops with an error listing the
known values, closest first. Every command checks its filters here, through
:func:`choose`.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping

from pipeline.errors import PlanwatchError
from pipeline.records import Obligation

# Listing hundreds of people in an error helps nobody: the closest, then a count.
MOST_LISTED = 30


class UnknownFilterError(PlanwatchError):
    """A filter value that names nothing Planwatch knows."""

    def __init__(self, kind: str, value: str, known: Mapping[str, str]) -> None:
        self.kind = kind
        self.value = value
        self.closest = closest(value, known)
        plural = _PLURALS.get(kind, f"{kind}s")
        if not known:
            hint = f"No {plural} are known yet."
        else:
            listed = [*self.closest, *(k for k in sorted(known, key=str.casefold)
                                       if k not in self.closest)]
            shown = [_shown(k, known[k]) for k in listed[:MOST_LISTED]]
            more = len(listed) - len(shown)
            hint = f"Known {plural}: {', '.join(shown)}" + (
                f" and {more} more." if more else ".")
            if self.closest:
                hint = f"Did you mean {self.closest[0]!r}? " + hint
        super().__init__(f"There is no {kind} called {value!r}.", hint=hint)


_PLURALS = {"person": "people"}


def _shown(key: str, name: str) -> str:
    return key if name == key else f"{key} ({name})"


def known_values(values: Iterable[str]) -> dict[str, str]:
    """Values known by themselves alone (workers, teams, sites, people)."""
    return {value: value for value in values}


def choose(kind: str, value: str, known: Mapping[str, str]) -> str:
    """The known key ``value`` names: the key itself, or the key or name in another case
    (``known`` maps each key to the name people use for it; a service's id to its name).
    Raises :class:`UnknownFilterError` listing the known ones, closest first."""
    if value in known:
        return value
    wanted = value.strip().casefold()
    for key, name in known.items():
        if wanted in (key.casefold(), name.casefold()):
            return key
    raise UnknownFilterError(kind, value, known)


def closest(value: str, known: Mapping[str, str], limit: int = 3) -> list[str]:
    """The known keys most like ``value`` (by key or name), most alike first; a key that
    starts with or contains the value counts as alike ("community" for
    "community-support")."""
    wanted = value.strip().casefold()
    scored: dict[str, float] = {}
    for key, name in known.items():
        for text in {key.casefold(), name.casefold()}:
            score = difflib.SequenceMatcher(None, wanted, text).ratio()
            if wanted and wanted in text:
                score = max(score, 0.8 + 0.2 * len(wanted) / len(text))
            scored[key] = max(scored.get(key, 0.0), score)
    alike = sorted((k for k, s in scored.items() if s >= 0.6),
                   key=lambda k: (-scored[k], k))
    return alike[:limit]


def of_team(rows: Iterable[Obligation], team: str | None) -> list[Obligation]:
    """The obligations of one team's caseload (``team`` as :func:`choose` gave it)."""
    return [r for r in rows if team is None or (r.team or "").casefold() == team.casefold()]
