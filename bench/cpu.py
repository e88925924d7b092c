"""CPU seconds of this process and of the reader processes it started.

Wall-clock figures on a shared machine move by 20-30% between runs; the CPU a file costs
moves far less, and it is the same whatever the number of processes that share the work.
So ingest reports the CPU of its reader processes and of the main process alongside its
wall-clock rate, and the floor and the baseline report theirs.

The reader processes are found as this process's children that ``multiprocessing``
spawned (``/proc/<pid>/task/*/children``), their CPU read from ``/proc/<pid>/stat``
(user + system, in clock ticks of 10 ms). Off Linux there is no ``/proc``: the readers'
CPU is then unknown (None) and only the wall-clock figures are given.
"""

from __future__ import annotations

import os
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def reader_pids() -> list[int] | None:
    """The spawned ``multiprocessing`` children of this process; None without /proc."""
    tasks = Path(f"/proc/{os.getpid()}/task")
    if not tasks.is_dir():
        return None
    pids: set[int] = set()
    for task in tasks.iterdir():
        try:
            pids |= {int(p) for p in (task / "children").read_text().split()}
        except (OSError, ValueError):
            continue
    spawned = []
    for pid in sorted(pids):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in command:
            spawned.append(pid)
    return spawned


def cpu_seconds(pids: list[int] | None) -> float | None:
    """User + system CPU seconds of ``pids`` so far (None when any cannot be read)."""
    if pids is None:
        return None
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return None
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)
    return total / _TICKS
