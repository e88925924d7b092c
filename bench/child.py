"""Measurements made in a fresh Python process: ``python -m bench.child KIND HOME``.

A fresh process starts with nothing left over from earlier measurements (memory the
allocator keeps, warm caches), and its peak memory is its own. It prints one JSON line.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.corpus import AS_OF

ROOT = Path(__file__).resolve().parent.parent


def peak_rss_mb() -> float:
    """This process's peak resident set size so far, in MB.

    Linux: ``VmHWM`` from /proc/self/status, which starts afresh at exec; getrusage's
    ``ru_maxrss`` would carry over the size of the parent this process was forked from.
    Elsewhere: ``ru_maxrss`` (kilobytes on Linux, bytes on macOS).
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale


def run(kind: str, home: Path) -> dict[str, Any]:
    """Measure ``kind`` on the workspace at ``home`` in a child process."""
    finished = subprocess.run([sys.executable, "-m", "bench.child", kind, str(home)],
                              check=True, capture_output=True, text=True, cwd=ROOT)
    row: dict[str, Any] = json.loads(finished.stdout.strip().splitlines()[-1])
    return row


def _deadlines(home: Path) -> dict[str, Any]:
    """``planwatch due``'s computation: policies, every event, every obligation."""
    from pipeline import casework
    from pipeline.config import load_settings
    from pipeline.rules.bulk import collector_paused
    from pipeline.store.session import open_store

    settings = load_settings(home)
    with open_store(settings.database_url) as store:
        start_mb = peak_rss_mb()
        start = time.perf_counter()
        with collector_paused():  # as the command pauses it (pipeline.cli.app)
            rows = casework.obligations(store, settings, AS_OF)
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "obligations": len(rows), "peak_mb": peak_rss_mb(),
            "start_mb": start_mb, "statuses": dict(Counter(r.status.value for r in rows))}


def _workbook(home: Path) -> dict[str, Any]:
    """``planwatch report weekly``: gather, compute, write the workbook, keep the snapshot."""
    from pipeline.config import load_settings
    from pipeline.reports.weekly.job import write_compliance_report
    from pipeline.rules.bulk import collector_paused
    from pipeline.store.session import open_store

    settings = load_settings(home)
    with open_store(settings.database_url) as store:
        start_mb = peak_rss_mb()
        start = time.perf_counter()
        with collector_paused():  # as the command and the watcher pause it
            path = write_compliance_report(store, settings, AS_OF)
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "peak_mb": peak_rss_mb(), "start_mb": start_mb,
            "size_mb": path.stat().st_size / 1e6}


KINDS: dict[str, Callable[[Path], dict[str, Any]]] = {
    "deadlines": _deadlines, "workbook": _workbook}

if __name__ == "__main__":
    print(json.dumps(KINDS[sys.argv[1]](Path(sys.argv[2]))))
