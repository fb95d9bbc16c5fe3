"""The "IDs vergeben" button: fill blank IDs of the open workbook through xlwings.

Excel holds the file, so here Excel itself does the lossless writing: we only set values.
The core decides which rows need an ID and draws them; this adapter reads the workbook (one
range read per sheet), writes the register first (so no ID ever stands in the Kundenliste
without being on record) and then the IDs, one range write per block of adjacent rows.
Works on encrypted workbooks too, since Excel has already decrypted them.
"""

from __future__ import annotations

import re
from typing import Any

from ..app.ids import plan_ids
from ..core.book import ID_REGISTER_SHEET, column_index
from ..core.model import KUNDENLISTE
from .common import find_sheet, sheet_grid, tell, workbook_data

_AREA = re.compile(r"^\$?([A-Z]{0,3})\$?(\d*)(?::\$?([A-Z]{0,3})\$?(\d*))?$")


def rows_of_address(address: str) -> set[int] | None:
    """The rows a selection covers (`$A$3:$C$5,$A$9` → {3, 4, 5, 9}).

    None means "not a deliberate choice of rows": a single cell (the cursor just sits
    somewhere) or whole columns.  The button then fills every blank ID (decision).
    """
    rows: set[int] = set()
    cells = 0
    for area in address.replace(" ", "").upper().split(","):
        m = _AREA.match(area.rsplit("!", 1)[-1])
        if not m:
            return None
        c1, r1, c2, r2 = m.groups()
        if not r1 or (c2 is not None and not r2):
            return None  # whole columns
        first, last = sorted((int(r1), int(r2 or r1)))
        rows.update(range(first, last + 1))
        width = abs(column_index(c2) - column_index(c1)) + 1 if c1 and c2 else (1 if c2 is None else 2)
        cells += (last - first + 1) * width
    return rows if cells > 1 else None


def selected_rows(book: Any, sheet_name: str) -> set[int] | None:
    """Rows selected in the Kundenliste, or None (no selection there, or a single cell)."""
    try:
        selection = book.selection
        if selection is None or selection.sheet.name != sheet_name:
            return None
        return rows_of_address(selection.address)
    except Exception:  # a shape selected, or a client that cannot tell: fill all
        return None


def _blocks(rows: list[int]) -> list[list[int]]:
    """Adjacent rows grouped, so each block is one range write."""
    blocks: list[list[int]] = []
    for r in sorted(rows):
        if blocks and blocks[-1][-1] == r - 1:
            blocks[-1].append(r)
        else:
            blocks.append([r])
    return blocks


def _register_sheet(book: Any) -> tuple[Any, int]:
    """The `ID-Register` sheet (created hidden after the last sheet if missing) and its next row."""
    sheet = find_sheet(book, ID_REGISTER_SHEET)
    if sheet is not None:
        grid = sheet_grid(sheet)
        last = max((i + 1 for i, row in enumerate(grid) if any(v not in (None, "") for v in row)), default=0)
        return sheet, last + 1
    active = book.sheets.active
    sheet = book.sheets.add(name=ID_REGISTER_SHEET, after=book.sheets[len(book.sheets) - 1])
    sheet.visible = False
    active.activate()  # adding a sheet activates it; the user stays where they were
    return sheet, 1


def ids_vergeben(book: Any) -> list[tuple[int, str]]:
    """Fill blank IDs (all, or those of the rows selected in the Kundenliste); returns them."""
    data = workbook_data(book)
    plan = plan_ids(data, only_rows=selected_rows(book, data.layouts[KUNDENLISTE].name))
    if not plan.issued:
        where = "in den markierten Zeilen " if plan.only_rows is not None else ""
        tell(book, f"Alle Kunden {where}haben schon eine ID; es wurde nichts geändert.")
        return []
    register, next_row = _register_sheet(book)
    values: list[list[Any]] = [[i.id] for i in plan.issued]
    if next_row == 1:
        values.insert(0, [plan.register_header])
    target = register.range((next_row, 1), (next_row + len(values) - 1, 1))
    target.number_format = "@"  # text: Excel must never read an ID as a number or date
    target.value = values
    if plan.key_cells:  # once: the key of the export pseudonyms (core/pseudonym.py)
        key_cells = register.range("B1:C1")
        key_cells.number_format = "@"
        key_cells.value = [plan.key_cells]
    sheet = book.sheets[plan.sheet]
    by_row = {i.row: i.id for i in plan.issued}
    for block in _blocks(list(by_row)):
        rng = sheet.range((block[0], plan.column + 1), (block[-1], plan.column + 1))
        rng.number_format = "@"
        rng.value = [[by_row[r]] for r in block]
    tell(
        book,
        f"{len(plan.issued)} neue ID{'s' if len(plan.issued) != 1 else ''} vergeben und im Blatt "
        f"„{ID_REGISTER_SHEET}“ vermerkt.",
    )
    return [(i.row, i.id) for i in plan.issued]
