"""Use case "open a workbook": from a path (command line, server) or from cell grids (Excel).

The doors never reach into the reader or the model builder themselves; this is the one way in.
Imports are lazy: the reader starts calamine's parse before pandas is imported (files/reader.py
imports it meanwhile), so nothing here may import pandas at module level.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence, TypeVar

from ..core.collector import collector_paused  # noqa: F401  (the doors' way to the switch)

if TYPE_CHECKING:
    from ..core.book import KundenPart, WorkbookData

T = TypeVar("T")


def open_workbook(path: str | Path, password: str | None = None,
                  meanwhile: Callable[[], None] | None = None,
                  first: Callable[[KundenPart], Any] | None = None) -> WorkbookData:
    """Read a workbook file (read-only); `password` for an encrypted one (decrypted in memory).

    `meanwhile` runs while calamine parses (e.g. a use case loading what it needs next);
    `first` gets the Kundenliste's share of the model while the KundenDoku is still parsed.
    """
    from ..files.reader import read_workbook

    return read_workbook(path, password, meanwhile=meanwhile, first=first)


def open_workbook_ahead(path: str | Path, password: str | None, meanwhile: Callable[[], None] | None,
                        ahead: Callable[[KundenPart], T]) -> tuple[WorkbookData, T | None]:
    """`open_workbook`, and what `ahead` made of the Kundenliste's share while the KundenDoku
    was still parsed: only when that share is the model's own Kundenliste, else None (the
    share could not be handed over; the caller does the work on the model instead)."""
    made: list[tuple[KundenPart, T]] = []
    data = open_workbook(path, password, meanwhile, first=lambda part: made.append((part, ahead(part))))
    return data, next((result for part, result in made if part.kunden is data.kunden), None)


def preload(module: str, call: str = "") -> Callable[[], None]:
    """Work for `open_workbook(..., meanwhile=)`: import a use case's module (`".due"`; pandas,
    the core and the use case's own libraries come with it: 0.3–0.5 s), and call its `call`
    (tables it needs, e.g. the first-name list), while calamine parses.  A door that imported
    the use case before reading would make the parse wait for all of that."""

    def run() -> None:
        loaded = importlib.import_module(module, __package__)
        if call:
            getattr(loaded, call)()

    return run


def from_grids(grids: dict[str, Sequence[Sequence[Any]]], source: str = "",
               totals_rows: dict[str, frozenset[int]] | None = None) -> WorkbookData:
    """The model from raw cell grids keyed by sheet name (what the Excel door reads).

    `totals_rows`: per sheet, the Excel rows of its tables' totals rows (not records).
    """
    from ..core.book import workbook_from_grids
    from ..core.records import SheetFacts

    facts = {name: SheetFacts(totals_rows=rows) for name, rows in (totals_rows or {}).items()}
    return workbook_from_grids(grids, source=source, facts=facts)
