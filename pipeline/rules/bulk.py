"""Working on a whole organisation's records at once, without the garbage collector's toll.

Reading a council's store builds hundreds of thousands of small objects (events,
obligations, workbook rows). Each time enough new objects have been made, Python's cyclic
garbage collector runs, and now and then it walks over every object alive: for a store of
10,000 people that took as long as the rules themselves (issue 9). Those objects never
form reference cycles, so their memory is freed by reference counting as usual; pausing
the collector while they are built loses nothing and only postpones its next pass.

The pause is taken once, where a job starts, and lasts the whole job: the ``due``,
``show``, ``report`` and ``schedule`` commands (:data:`pipeline.cli.app.BULK_COMMANDS`)
and the watcher's weekly workbook (:mod:`pipeline.watch.jobs`), never the watcher
process as a whole; the library itself never pauses it. Measured on the bench's store of
10,000 people (258,278 obligations, CPU seconds): deadlines 5.4-5.9 paused against
6.9-8.1 running, the weekly workbook 18.0 against 23.3.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the ``with`` block, then restore it.

    Nests: only the outermost block that found the collector running starts it again,
    so a paused caller stays paused. The collector is per process, so another thread's
    work goes uncollected too for that long (it is not lost: it is collected after).
    """
    was_running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_running:
            gc.enable()
