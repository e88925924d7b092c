"""What kept obligations were worked out from, and a fingerprint to tell when it changed.

Kept obligations (:mod:`pipeline.rules.kept`) hold only while what they were worked out
from holds: the rule sets (the policy files, with the workspace's policy defaults
applied), the rules engine itself (:data:`RULES_VERSION`) and the bank holidays of the
``holidays`` package. :func:`fingerprint` is a hash of the three; the store keeps it with
the rule sets (:func:`rule_sets_text`), so a later run can tell whether its own policies
are the same, and whoever stores a form can bring the obligations up to date by the
rule sets they were worked out with (:func:`rule_sets_from_text`).

``due_soon_days`` is not part of it: it changes statuses, which are never kept, not
due dates.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from functools import lru_cache
from importlib.metadata import version

from pydantic import TypeAdapter

from pipeline.rules.vocabulary import RuleSet

# Raised whenever the engine's obligations change for the same events and rule sets
# (a rule worked out differently, a new kept state): kept obligations are then worked
# out again. 1: the first kept obligations (issue 18, item 2).
RULES_VERSION = 1

_RULE_SETS: TypeAdapter[dict[str, RuleSet]] = TypeAdapter(dict[str, RuleSet])


def rule_sets_text(rule_sets: Mapping[str, RuleSet]) -> str:
    """``rule_sets`` as JSON text, services in order: the same text for the same rules."""
    return json.dumps({service: rule_sets[service].model_dump(mode="json")
                       for service in sorted(rule_sets)}, sort_keys=True)


@lru_cache(maxsize=8)
def rule_sets_from_text(text: str) -> dict[str, RuleSet]:
    """The rule sets :func:`rule_sets_text` wrote (validated once per text: a watcher
    stores forms by the same rule sets for days). Do not change the result."""
    return _RULE_SETS.validate_json(text)


def fingerprint(rule_sets: Mapping[str, RuleSet]) -> str:
    """A hash of what obligations are worked out from: the rule sets, the rules' version
    and the ``holidays`` package's version (64 hexadecimal digits)."""
    return fingerprint_of_text(rule_sets_text(rule_sets))


@lru_cache(maxsize=8)
def fingerprint_of_text(text: str) -> str:
    """:func:`fingerprint` of the rule sets written as ``text`` (:func:`rule_sets_text`)."""
    basis = {"rules": RULES_VERSION, "holidays": version("holidays"), "rule_sets": text}
    return hashlib.sha256(json.dumps(basis, sort_keys=True).encode("utf-8")).hexdigest()
