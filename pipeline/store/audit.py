"""The audit log: what Planwatch did to the store, when, and by which command.

The log is append-only (the database refuses UPDATE and DELETE) and is kept longer and
shown more widely than the forms themselves, so it must never hold what a form says about
a person: no names, dates of birth or field values. :func:`record` enforces that shape:
``detail`` keys must name ids, hashes, form ids, file names, paths, revisions or counts,
and values must be plain scalars (or lists of them), so a record's values cannot be
passed in by mistake.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from pipeline.store.models import AuditEntry, utc_now

Scalar = str | int | bool | None
Detail = Mapping[str, Scalar | list[str] | list[int]]

ALLOWED_KEYS = frozenset(
    {"form_id", "form_version", "service", "status", "revision", "count", "original_name"}
)
ALLOWED_SUFFIXES = (
    "_id",
    "_ids",
    "sha256",
    # file_name, not any *_name: "person_name" must not pass.
    "file_name",
    "file_names",
    "_path",
    "_paths",
    "_revision",
    "_count",
    "_codes",
)
# Long enough for a path; too short for a pasted letter.
MAX_TEXT = 500


def record(
    session: Session,
    *,
    command: str,
    action: str,
    submission_id: int | None = None,
    sha256: str | None = None,
    detail: Detail | None = None,
) -> AuditEntry:
    """Add one audit entry to ``session`` (written when the session commits) and return it.

    ``command`` is the command line's verb (``ingest``, ``watch``, ``db upgrade``);
    ``action`` what happened, as a snake_case word (``stored``, ``rejected``,
    ``superseded``, ``store_migrated``). Raises ``ValueError`` (a bug in the caller, not
    something a person can fix) when ``detail`` has a key outside the allowed shape or a
    value that is not a short scalar or a list of them.
    """
    row = entry(command=command, action=action, submission_id=submission_id, sha256=sha256,
                detail=detail)
    added = AuditEntry(**row)
    session.add(added)
    return added


def entry(*, command: str, action: str, submission_id: int | None = None,
          sha256: str | None = None, detail: Detail | None = None) -> dict[str, Any]:
    """The columns of one audit entry, checked as :func:`record` checks them, for callers
    that insert many entries in one statement."""
    clean = dict(detail or {})
    for key, value in clean.items():
        _check(key, value)
    return {"at": utc_now(), "command": command, "action": action,
            "submission_id": submission_id, "sha256": sha256, "detail": clean}


def _check(key: str, value: object) -> None:
    if key not in ALLOWED_KEYS and not key.endswith(ALLOWED_SUFFIXES):
        raise ValueError(
            f"audit detail key {key!r} is not allowed: the audit log holds ids, hashes, "
            f"form ids, file names, paths, revisions and counts only "
            f"(keys {sorted(ALLOWED_KEYS)} or ending in {ALLOWED_SUFFIXES})"
        )
    items = value if isinstance(value, list) else [value]
    for item in items:
        if item is not None and not isinstance(item, str | int):  # bool is an int
            raise ValueError(f"audit detail {key!r} must be a string, number or list of them")
        if isinstance(item, str) and len(item) > MAX_TEXT:
            raise ValueError(f"audit detail {key!r} is longer than {MAX_TEXT} characters")
