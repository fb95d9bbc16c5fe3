"""Python's cyclic collector paused for a whole run, for every ring that makes many objects.

Reading creates millions of cell objects, a check 100,000+ findings, none of them in a
reference cycle; the collector would walk them again and again for nothing (a tenth of the
read time at 300,000 entries, 0.1–0.2 s of `pruefen`).  On save (the Excel door) a full pass
over everything xlwings and pandas hold takes 0.06–0.1 s, and the save's own short-lived
grids, frames and findings, once promoted, are what brings the next full pass on.  Plain
reference counting still frees everything as usual.  Kept here, apart from the file reader,
so that the Excel door need not import calamine to use it.
"""

from __future__ import annotations

import contextlib
import gc
from typing import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """The collector off inside; nested pauses leave it to the outermost to switch it back on."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
