"""Use case "open a workbook": from a path (command line, server) or from cell grids (Excel).

The doors never reach into the reader or the model builder themselves; this is the one way in.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from ..core.book import WorkbookData, workbook_from_grids
from ..core.records import SheetFacts
from ..files.reader import read_workbook


def open_workbook(path: str | Path, password: str | None = None) -> WorkbookData:
    """Read a workbook file (read-only); `password` for an encrypted one (decrypted in memory)."""
    return read_workbook(path, password)


def from_grids(
    grids: dict[str, Sequence[Sequence[Any]]], source: str = "", totals_rows: dict[str, frozenset[int]] | None = None
) -> WorkbookData:
    """The model from raw cell grids keyed by sheet name (what the Excel door reads).

    `totals_rows`: per sheet, the Excel rows of its tables' totals rows (not records).
    """
    facts = {name: SheetFacts(totals_rows=rows) for name, rows in (totals_rows or {}).items()}
    return workbook_from_grids(grids, source=source, facts=facts)
