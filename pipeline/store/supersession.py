"""Which of several copies of one form counts, and why: one rule for ingest and ``show``.

Copies compete only when they are the same form for the same person, the same service
and the same event date (:func:`copy_key`): a referral to floating support never
replaces the refuge's referral of the same woman on the same day. Of competing copies
the one with the highest :func:`rank` counts (``stored``); the others stay in the
history as ``superseded``:

1. fewer blocking findings (the corrected copy);
2. then the later last-saved time, as the file's properties give it, but never later
   than the moment the file arrived (:func:`saved_at`): a copy stamped 2099, by a wrong
   clock or on purpose, counts as saved when it arrived, so a correction saved after
   that still wins;
3. then the later arrival, then the later submission id.

The same comparison words the reasons :mod:`pipeline.inbox.recording` gives at ingest and
``planwatch show`` gives afterwards (:func:`why_counts`, :func:`why_superseded`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from pipeline.store.models import Submission, SubmissionStatus

LONDON = ZoneInfo("Europe/London")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# What ``values`` holds: ``saved_at`` is the last-saved time used (never after arrival);
# ``saved_at_in_file`` is the file's own claim, kept only when it was later than arrival.
SAVED_AT = "saved_at"
SAVED_AT_IN_FILE = "saved_at_in_file"

ONLY_COPY = "counts: the only copy of this form for this person, service and date"

CopyKey = tuple[str | None, str | None, str | None, date | None]  # person, service, form, date


def copy_key(submission: Submission) -> CopyKey:
    """What makes two submissions copies of one form: person, service, form, event date."""
    return (submission.person_id, submission.service, submission.form_id,
            submission.event_date)


def competes(submission: Submission) -> bool:
    """Whether ``submission`` can supersede or be superseded (it has a person and date)."""
    return submission.person_id is not None and submission.event_date is not None


def saved_values(modified: datetime | None, received_at: datetime) -> dict[str, Any]:
    """The last-saved entries of a new submission's ``values``: the file's time, clamped
    to its arrival (and the file's claim too when it was clamped)."""
    if modified is None:
        return {SAVED_AT: None}
    if modified.tzinfo is None:  # readers give aware times; a naive one is taken as UTC
        modified = modified.replace(tzinfo=UTC)
    if modified <= received_at:
        return {SAVED_AT: modified.isoformat()}
    return {SAVED_AT: received_at.isoformat(), SAVED_AT_IN_FILE: modified.isoformat()}


def _parsed(text: Any) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def saved_at(submission: Submission) -> datetime | None:
    """The last-saved time that ranks ``submission``: the file's, never after it arrived
    (a store written before the clamp may hold the unclamped time: clamped here too)."""
    moment = _parsed(submission.values.get(SAVED_AT))
    return None if moment is None else min(moment, submission.received_at)


def claimed_future(submission: Submission) -> datetime | None:
    """The file's own last-saved time when it was later than the file's arrival."""
    claim = _parsed(submission.values.get(SAVED_AT_IN_FILE)) or _parsed(
        submission.values.get(SAVED_AT))
    return claim if claim is not None and claim > submission.received_at else None


def blocking(submission: Submission) -> int:
    return sum(1 for f in submission.findings if f.get("severity") == "blocking")


def rank(submission: Submission) -> tuple[int, datetime, datetime, int]:
    """Higher counts: fewer blocking findings, later (clamped) save, later arrival, id."""
    return (-blocking(submission), saved_at(submission) or _EPOCH, submission.received_at,
            submission.id)


def _moment(value: datetime | None) -> str:
    return f"{value.astimezone(LONDON):%d/%m/%Y %H:%M}" if value else "not recorded"


def _decided_by(winner: Submission, loser: Submission) -> str:
    """Which step of the ranking put ``winner`` above ``loser``."""
    won, lost = rank(winner), rank(loser)
    if copy_key(winner) != copy_key(loser):
        return "other"
    if won < lost:
        return "earlier"
    for step, (a, b) in zip(("blocking", "saved", "arrived"), zip(won, lost, strict=True),
                            strict=False):
        if a != b:
            return step
    return "id"


def why_counts(current: Submission, rivals: Iterable[Submission]) -> str:
    """Why ``current`` is the copy that counts among ``rivals`` (other copies of it)."""
    others = [r for r in rivals if r is not current and r.id != current.id]
    if not others:
        return ONLY_COPY
    strongest = max(others, key=rank)
    step = _decided_by(current, strongest)
    if step == "earlier":
        return (f"counts, as settled by an earlier Planwatch: by today's rule the copy "
                f"'{strongest.original_name}' would count ({_ranked(strongest, current)})"
                + _future_note(current))
    return {
        "blocking": "counts: corrected copy (fewer blocking findings)",
        "saved": "counts: latest copy (as many blocking findings, saved last)",
        "arrived": "counts: latest copy (as many blocking findings, same last-saved time, "
                   "arrived last)",
        "id": "counts: latest copy (arrived at the same moment, stored last)",
    }[step] + _future_note(current)


def why_superseded(loser: Submission, winner: Submission) -> str:
    """Why ``loser`` is kept in the history only, ``winner`` counting instead."""
    step = _decided_by(winner, loser)
    if step == "other":
        return (f"kept in the history only: superseded by '{winner.original_name}' "
                f"({winner.form_id} of {winner.service or 'no service'}), settled by an earlier "
                "Planwatch that did not tell services apart")
    if step == "earlier":
        return (f"kept in the history only: superseded by '{winner.original_name}', as "
                f"settled by an earlier Planwatch; by today's rule this copy would count "
                f"({_ranked(loser, winner)})" + _future_note(winner))
    because = {
        "blocking": f"it has fewer blocking findings ({blocking(winner)}, not "
                    f"{blocking(loser)})",
        "saved": f"it was saved later ({_moment(saved_at(winner))}, not "
                 f"{_moment(saved_at(loser))})",
        "arrived": "it has as many blocking findings and the same last-saved time, and "
                   "arrived later",
        "id": "it arrived at the same moment and was stored later",
    }[step]
    return (f"kept in the history only: superseded by '{winner.original_name}' because "
            f"{because}" + _future_note(loser))


def _ranked(better: Submission, worse: Submission) -> str:
    """Why ``better`` ranks above ``worse``, in a few words."""
    step = _decided_by(better, worse)
    return {"blocking": "fewer blocking findings", "saved": "saved later",
            "arrived": "arrived later"}.get(step, "stored later")


def _future_note(submission: Submission) -> str:
    claim = claimed_future(submission)
    if claim is None:
        return ""
    return (f"; its last-saved time ({_moment(claim)}) is after it arrived, so it counts "
            f"as saved when it arrived ({_moment(submission.received_at)})")


def verdicts(submissions: Iterable[Submission]) -> dict[int, str]:
    """For one person's submissions (every status): why each counts or does not."""
    chosen = list(submissions)
    by_id = {s.id: s for s in chosen}
    groups: dict[CopyKey, list[Submission]] = {}
    for submission in chosen:
        if submission.status != SubmissionStatus.REJECTED and competes(submission):
            groups.setdefault(copy_key(submission), []).append(submission)
    said: dict[int, str] = {}
    for submission in chosen:
        if submission.status == SubmissionStatus.REJECTED:
            said[submission.id] = f"rejected: {submission.reason or 'could not be used'}"
        elif submission.status == SubmissionStatus.SUPERSEDED:
            winner = by_id.get(submission.superseded_by or -1)
            said[submission.id] = (why_superseded(submission, winner) if winner is not None
                                   else "kept in the history only: superseded")
        elif not competes(submission):
            said[submission.id] = "counts"
        else:
            said[submission.id] = why_counts(submission, groups.get(copy_key(submission), []))
    return said
