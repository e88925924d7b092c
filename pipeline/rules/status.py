"""The status of one obligation as of a date.

Judged on dates only: whether it was met on time depends on the date it was met and the
due date, never on the as-of date; the as-of date only says what is known yet.
"""

from __future__ import annotations

from datetime import date

from pipeline.records import ObligationStatus

# Policy default ("due within the next 14 days"): callers pass their own when configured.
DEFAULT_DUE_SOON_DAYS = 14


def status_for(
    due: date,
    met_on: date | None,
    as_of: date,
    due_soon_days: int = DEFAULT_DUE_SOON_DAYS,
    closed_on: date | None = None,
) -> ObligationStatus:
    """The status of an obligation due on ``due`` as seen on ``as_of``.

    - met on or before ``as_of``: ``met`` if ``met_on <= due``, else ``met_late``;
    - otherwise (a ``met_on`` after ``as_of`` is not known yet, so counts as not met):

      - episode closed on or before ``as_of`` (``closed_on``): ``missed`` if the
        obligation fell due on or before the closure; ``not_applicable`` if it would
        only fall due after it (callers do not generate such obligations at all);
      - ``overdue`` if ``due < as_of``;
      - ``due_soon`` if ``as_of <= due <= as_of + due_soon_days`` (today counts, and so
        does the last day, as in "within N days");
      - ``upcoming`` if later.

    A ``closed_on`` after ``as_of`` is ignored: the episode is still open on ``as_of``.
    Raises ``ValueError`` if ``due_soon_days`` is negative.
    """
    if due_soon_days < 0:
        raise ValueError(f"due_soon_days must be 0 or more, got {due_soon_days}")
    if met_on is not None and met_on <= as_of:
        return ObligationStatus.MET if met_on <= due else ObligationStatus.MET_LATE
    if closed_on is not None and closed_on <= as_of:
        return ObligationStatus.MISSED if due <= closed_on else ObligationStatus.NOT_APPLICABLE
    if due < as_of:
        return ObligationStatus.OVERDUE
    if (due - as_of).days <= due_soon_days:
        return ObligationStatus.DUE_SOON
    return ObligationStatus.UPCOMING
