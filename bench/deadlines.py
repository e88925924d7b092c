"""Deadline computation for a whole organisation: what ``planwatch due`` works out.

For each size, a store of that many people (:mod:`bench.population`) is put in a fresh
workspace, and a fresh Python process (:mod:`bench.child`) times
:func:`pipeline.casework.obligations` on it: the services' policies are loaded, every
stored event is read and every obligation of every episode computed, as of the corpus's
as-of date. The store file has just been copied, so it is in the page cache, as a store
in daily use is.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from bench import child
from bench.population import cached_store, copy_store
from bench.workspace import fresh_workspace
from pipeline.store.models import EventRow, Submission, SubmissionStatus
from pipeline.store.session import open_store


@dataclass(frozen=True)
class Deadlines:
    people: int
    forms: int
    events: int
    obligations: int
    seconds: float
    peak_mb: float
    statuses: dict[str, int]


def measure(people: int, *, seed: int, pool: int) -> Deadlines:
    """Time every obligation of ``people`` people as of :data:`bench.corpus.AS_OF`."""
    cached = cached_store(people, seed=seed, pool=pool)
    with fresh_workspace() as settings:
        copy_store(cached, settings.home / "planwatch.db")
        with open_store(settings.database_url) as store, store.session() as session:
            forms = session.scalar(select(func.count()).select_from(Submission).where(
                Submission.status == SubmissionStatus.STORED)) or 0
            events = session.scalar(select(func.count()).select_from(EventRow)) or 0
        row = child.run("deadlines", settings.home)
    return Deadlines(people=people, forms=forms, events=events, obligations=row["obligations"],
                     seconds=row["seconds"], peak_mb=row["peak_mb"], statuses=row["statuses"])
