"""The Monday-morning workbook for a whole organisation: time and peak memory.

Each size runs in a fresh Python process (``python -m bench.workbook HOME``) that opens
the workspace's store and times :func:`pipeline.reports.weekly_job.write_compliance_report`,
exactly what ``planwatch report weekly`` and the watcher's Monday job call: gather from
the store, compute every obligation, write the workbook, keep the week's snapshot.

Peak memory is that process's peak resident set size (``getrusage(RUSAGE_SELF)
.ru_maxrss``, read by the process itself as it ends), so it includes Python and
Planwatch's imports; the resident size before the workbook is reported beside it.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.corpus import AS_OF
from bench.population import cached_store, copy_store
from bench.workspace import fresh_workspace


@dataclass(frozen=True)
class Workbook:
    people: int
    seconds: float
    peak_mb: float
    start_mb: float
    size_mb: float


def _rss_mb() -> float:
    # Linux reports kilobytes (macOS bytes; the benchmark's machines are Linux).
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(people: int, *, seed: int, pool: int) -> Workbook:
    """Write the workbook for ``people`` people in a child process."""
    cached = cached_store(people, seed=seed, pool=pool)
    with fresh_workspace() as settings:
        copy_store(cached, settings.home / "planwatch.db")
        finished = subprocess.run([sys.executable, "-m", "bench.workbook", str(settings.home)],
                                  check=True, capture_output=True, text=True,
                                  cwd=Path(__file__).resolve().parent.parent)
    row = json.loads(finished.stdout.strip().splitlines()[-1])
    return Workbook(people=people, **row)


def _child(home: Path) -> None:
    from pipeline.config import load_settings
    from pipeline.reports.weekly_job import write_compliance_report
    from pipeline.store.session import open_store

    settings = load_settings(home)
    with open_store(settings.database_url) as store:
        start_mb = _rss_mb()
        start = time.perf_counter()
        path = write_compliance_report(store, settings, AS_OF)
        seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "peak_mb": _rss_mb(), "start_mb": start_mb,
                      "size_mb": path.stat().st_size / 1e6}))


if __name__ == "__main__":
    _child(Path(sys.argv[1]))
