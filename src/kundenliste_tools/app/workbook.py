"""Use case "open a workbook": from a path (command line, server) or from cell grids (Excel).

The doors never reach into the reader or the model builder themselves; this is the one way in.
Imports are lazy: the reader starts calamine's parse before pandas is imported (files/reader.py
imports it meanwhile), so nothing here may import pandas at module level.
"""

from __future__ import annotations

import contextlib
import gc
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence

if TYPE_CHECKING:
    from ..core.book import WorkbookData


def open_workbook(path: str | Path, password: str | None = None,
                  meanwhile: Callable[[], None] | None = None) -> WorkbookData:
    """Read a workbook file (read-only); `password` for an encrypted one (decrypted in memory).

    `meanwhile` runs while calamine parses (e.g. a use case loading what it needs next).
    """
    from ..files.reader import read_workbook

    return read_workbook(path, password, meanwhile=meanwhile)


def from_grids(grids: dict[str, Sequence[Sequence[Any]]], source: str = "",
               totals_rows: dict[str, frozenset[int]] | None = None) -> WorkbookData:
    """The model from raw cell grids keyed by sheet name (what the Excel door reads).

    `totals_rows`: per sheet, the Excel rows of its tables' totals rows (not records).
    """
    from ..core.book import workbook_from_grids
    from ..core.records import SheetFacts

    facts = {name: SheetFacts(totals_rows=rows) for name, rows in (totals_rows or {}).items()}
    return workbook_from_grids(grids, source=source, facts=facts)


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic collector off for a whole run: reading, 100,000+ findings and their output
    make no reference cycles worth finding, and its passes over them cost 0.1–0.2 s.

    On save (the Excel door) it is the largest cost after the reading: a full pass over
    everything xlwings and pandas hold takes 0.06–0.1 s, and the save's own short-lived grids,
    frames and findings, once promoted, are what brings the next full pass on.  Reference
    counting still frees all of them at once.  The same switch as the reader's
    (`files.reader.collector_paused`: nested pauses leave it to the outermost), written here
    so that the Excel door need not import the file reader (calamine, zip) to use it.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
