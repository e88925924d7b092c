"""The Monday-morning workbook for a whole organisation: time and peak memory.

For each size, a store of that many people (:mod:`bench.population`) is put in a fresh
workspace, its obligations are worked out and kept (as ingest keeps them while forms
arrive), and a fresh Python process (:mod:`bench.child`) opens it and times
:func:`pipeline.reports.weekly.job.write_compliance_report`, exactly what ``planwatch
report weekly`` and the watcher's Monday job call: gather from the store, read every
obligation with its status, write the workbook, keep the week's snapshot.

Peak memory is that process's peak resident set size (:func:`bench.child.peak_rss_mb`,
read by the process itself as it ends), so it includes Python and Planwatch's imports;
the peak before the workbook (imports and the open store) is reported beside it.
"""

from __future__ import annotations

from dataclasses import dataclass

from bench import child
from bench.population import cached_store, copy_store
from bench.workspace import fresh_workspace
from pipeline.config import load_settings
from pipeline.store.session import open_store


@dataclass(frozen=True)
class Workbook:
    people: int
    seconds: float
    peak_mb: float
    start_mb: float
    size_mb: float


def measure(people: int, *, seed: int, pool: int) -> Workbook:
    """Write the workbook for ``people`` people in a child process."""
    cached = cached_store(people, seed=seed, pool=pool)
    with fresh_workspace() as settings:
        copy_store(cached, settings.home / "planwatch.db")
        # As ingest keeps them while forms arrive (bench.deadlines times this once).
        from pipeline import casework

        with open_store(settings.database_url) as store:
            casework.rebuild_obligations(store, load_settings(settings.home))
        return Workbook(people=people, **child.run("workbook", settings.home))
