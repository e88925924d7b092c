"""Deadlines for a whole organisation: what ``planwatch due`` reads and works out.

For each size, a store of that many people (:mod:`bench.population`) is put in a fresh
workspace and its obligations are worked out and kept, as ingest keeps them while forms
arrive (timed: ``kept_seconds``, what a policy change or ``planwatch db
rebuild-obligations`` costs once). Then a fresh Python process times each read as of the
corpus's as-of date, the services' policies loaded first as the commands load them:

- ``seconds``: what ``planwatch due`` shows (the open obligations: overdue, due soon,
  past planned duration), read from the kept obligations, with their status for the date
  (the least of :data:`DUE_RUNS` runs);
- ``all_seconds``: every obligation with its status (``due --all``, schedules, the weekly
  workbook), :mod:`bench.child`'s ``deadlines`` measurement.

The store file has just been copied, so it is in the page cache, as a store in daily use
is.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bench import child
from bench.corpus import AS_OF
from bench.population import cached_store, copy_store
from bench.workspace import fresh_workspace
from pipeline.store.models import EventRow, Submission, SubmissionStatus
from pipeline.store.session import open_store

DUE_RUNS = 3


@dataclass(frozen=True)
class Deadlines:
    people: int
    forms: int
    events: int
    obligations: int
    seconds: float
    peak_mb: float
    statuses: dict[str, int]
    # Every obligation with its status (seconds), and working every one out and keeping it.
    all_seconds: float = 0.0
    all_peak_mb: float = 0.0
    kept_seconds: float = 0.0
    open_obligations: int = 0


def measure(people: int, *, seed: int, pool: int) -> Deadlines:
    """Time ``planwatch due``'s read for ``people`` people as of :data:`bench.corpus.AS_OF`
    (and every obligation's, and keeping them: see the module docstring)."""
    from pipeline import casework
    from pipeline.config import load_settings

    cached = cached_store(people, seed=seed, pool=pool)
    with fresh_workspace() as settings:
        copy_store(cached, settings.home / "planwatch.db")
        with open_store(settings.database_url) as store:
            with store.session() as session:
                forms = session.scalar(select(func.count()).select_from(Submission).where(
                    Submission.status == SubmissionStatus.STORED)) or 0
                events = session.scalar(select(func.count()).select_from(EventRow)) or 0
            start = time.perf_counter()
            casework.rebuild_obligations(store, load_settings(settings.home))
            kept_seconds = time.perf_counter() - start
        # The least of a few runs, as for the command line's figures (bench.cli): one
        # run alone is within this shared machine's noise of the figure.
        due = min((run("due", settings.home) for _ in range(DUE_RUNS)),
                  key=lambda row: float(row["seconds"]))
        everything = child.run("deadlines", settings.home)
    return Deadlines(people=people, forms=forms, events=events,
                     obligations=everything["obligations"], seconds=due["seconds"],
                     peak_mb=due["peak_mb"], statuses=everything["statuses"],
                     all_seconds=everything["seconds"], all_peak_mb=everything["peak_mb"],
                     kept_seconds=kept_seconds, open_obligations=due["obligations"])


def run(kind: str, home: Path) -> dict[str, Any]:
    """Measure ``kind`` (:data:`KINDS`) on the workspace at ``home`` in a fresh process."""
    finished = subprocess.run([sys.executable, "-m", "bench.deadlines", kind, str(home)],
                              check=True, capture_output=True, text=True, cwd=child.ROOT)
    row: dict[str, Any] = json.loads(finished.stdout.strip().splitlines()[-1])
    return row


def _due(home: Path) -> dict[str, Any]:
    """``planwatch due``'s read: the policies, then the open obligations as of the date."""
    from pipeline import casework
    from pipeline.config import load_settings
    from pipeline.rules.bulk import collector_paused
    from pipeline.store.session import open_store

    settings = load_settings(home)
    with open_store(settings.database_url) as store:
        start_mb = child.peak_rss_mb()
        start = time.perf_counter()
        with collector_paused():  # as the command pauses it (pipeline.cli.app)
            rows = casework.filter_obligations(casework.obligations(
                store, settings, AS_OF, statuses=casework.OPEN_STATUSES))
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "obligations": len(rows), "peak_mb": child.peak_rss_mb(),
            "start_mb": start_mb, "statuses": dict(Counter(r.status.value for r in rows))}


KINDS = {"due": _due}

if __name__ == "__main__":
    print(json.dumps(KINDS[sys.argv[1]](Path(sys.argv[2]))))
