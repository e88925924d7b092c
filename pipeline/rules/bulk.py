"""Working on a whole organisation's records at once, without the garbage collector's toll.

Reading a council's store builds hundreds of thousands of small objects (events,
obligations, workbook rows). Each time enough new objects have been made, Python's cyclic
garbage collector runs, and now and then it walks over every object alive: for a store of
10,000 people that took as long as the rules themselves (issue 9). Those objects never
form reference cycles, so their memory is freed by reference counting as usual; pausing
the collector while they are built loses nothing and only postpones its next pass.
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
