"""The "Auskunft" and "Löschen" buttons (Art. 15 and 17 DSGVO) for the selected Kundenliste rows.

The VBA asks before "Löschen" (a MsgBox in xl_macros/KundenlisteKnoepfe.bas); Python gets the
book and its selection.  The decisions are the command line's (`app.privacy`, `core.erase`,
`core.access`): the same cells are erased, the same Auskunft is written.  Excel holds the file,
so Excel writes the cells here; it writes its shared strings afresh on the next save, so the
erased text is gone from the file once the counsellor saves (the message asks for it).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..app.privacy import (
    PROTOCOL_HEADER,
    PROTOCOL_SHEET,
    auskunft_from_data,
    erase_rows,
    holding_backups,
    protocol,
    text_sheet,
)
from ..core.book import column_letter
from ..core.errors import KundenlisteError
from ..core.model import KUNDENLISTE, ROW
from ..core.values import id_text
from .common import as_text, sheet_grid, tell, tool_sheet, workbook_data
from .export import folder_of

_AREA = re.compile(r"^\$?([A-Z]{0,3})\$?(\d*)(?::\$?([A-Z]{0,3})\$?(\d*))?$")


def chosen_rows(book: Any, sheet_name: str) -> list[int]:
    """The rows of the selection in the Kundenliste; a single cell means its row (never "all")."""
    try:
        selection = book.selection
        on_sheet = selection is not None and selection.sheet.name == sheet_name
        address = selection.address if on_sheet else ""
    except Exception:  # a shape selected, or a client that cannot tell
        address = ""
    rows: set[int] = set()
    for area in address.replace(" ", "").upper().split(",") if address else ():
        m = _AREA.match(area.rsplit("!", 1)[-1])
        if not m or not m.group(2) or (m.group(3) is not None and not m.group(4)):
            return []  # whole columns are no choice of customers
        first, last = sorted((int(m.group(2)), int(m.group(4) or m.group(2))))
        rows.update(range(first, last + 1))
    return sorted(rows)


def _positions(book: Any, data: Any) -> list[int]:
    name = data.layouts[KUNDENLISTE].name
    rows = set(chosen_rows(book, name))
    positions = [p for p, r in enumerate(data.kunden[ROW].tolist()) if r in rows]
    if not positions:
        raise KundenlisteError(f"Bitte im Blatt „{name}“ die Zeilen der Kundinnen und Kunden markieren "
                               "(eine Zelle je Zeile genügt) und den Knopf noch einmal klicken.")
    return positions


def _other_texts(book: Any, data: Any) -> tuple[dict[str, dict[str, str]], list[str]]:
    """Constant text of the sheets not read field by field (app.privacy.text_sheet), and the
    sheets whose formulas this client cannot tell (the remote engine): left alone, never a
    formula overwritten."""
    texts: dict[str, dict[str, str]] = {}
    unsearched: list[str] = []
    records = {layout.name for layout in data.layouts.values()}
    for sheet in book.sheets:
        if sheet.name in records or not text_sheet(sheet.name):
            continue
        grid = sheet_grid(sheet)
        found = {(r, c): v for r, row in enumerate(grid) for c, v in enumerate(row) if isinstance(v, str) and v.strip()}
        if not found:
            continue
        try:
            formulas = sheet.range((1, 1), (len(grid), len(grid[0]))).options(ndim=2).formula
        except Exception:  # the remote engine cannot read formulas synchronously
            unsearched.append(sheet.name)
            continue
        texts[sheet.name] = {f"{column_letter(c)}{r + 1}": v for (r, c), v in found.items()
                             if not str(formulas[r][c]).startswith("=")}
    return texts, unsearched


def auskunft(book: Any) -> list[Path]:
    """One Auskunft file per selected customer, beside the workbook; says where."""
    data = workbook_data(book)
    folder, note = folder_of(book)  # an online workbook: its synced folder, else Documents (note says)
    paths = []
    for p in _positions(book, data):
        id_value = id_text(data.kunden["ID"].iat[p])
        if not id_value:
            raise KundenlisteError(f"Die Zeile {data.kunden[ROW].iat[p]} hat keine ID; bitte zuerst „IDs vergeben“.")
        paths.append(auskunft_from_data(data, id_value, folder=folder).path)
    tell(book, "Auskunft nach Art. 15 DSGVO gespeichert unter:\n" + "\n".join(str(p.resolve()) for p in paths)
         + (f"\n{note}" if note else ""), title="Auskunft")
    return paths


def loeschen(book: Any) -> Any:
    """Erase the selected customers (the VBA has asked), record it, list backups that hold them."""
    data = workbook_data(book)
    folder, _ = folder_of(book)  # where earlier backups of this workbook would lie
    positions = _positions(book, data)
    texts, unsearched = _other_texts(book, data)
    plan = erase_rows(data, positions, texts)
    if not plan.changes:
        tell(book, "Zu den markierten Kunden ist nichts (mehr) zu löschen; es wurde nichts geändert.")
        return plan
    for sheet_name, cells in plan.cells.items():
        sheet = book.sheets[sheet_name]
        for ref, value in cells.items():
            sheet.range(ref).value = as_text(value) if isinstance(value, str) and value[:1] in "=+-@" else value
    rows = protocol(data, plan)
    log = tool_sheet(book, PROTOCOL_SHEET, hidden=True, widths=(16, 10, 60, 8, 30))
    grid = sheet_grid(log)
    last = max((i + 1 for i, row in enumerate(grid) if any(v not in (None, "") for v in row)), default=0)
    if last == 0:
        rows = [list(PROTOCOL_HEADER), *rows]
    log.range((last + 1, 1)).value = rows
    backups = holding_backups(folder / Path(str(book.name)).name, [e.id for e in plan.customers])
    lines = [f"{len(plan.customers)} Kunden gelöscht ({plan.changes} Zellen, davon {plan.mentions} "
             f"Erwähnungen bei anderen Kunden), im Blatt „{PROTOCOL_SHEET}“ vermerkt.",
             "Bitte die Mappe jetzt speichern: erst dann sind die Daten auch aus der Datei verschwunden."]
    if unsearched:
        lines.append("Nicht durchsucht (Formeln hier nicht lesbar): " + ", ".join(unsearched) + ".")
    if backups:
        lines.append("Diese älteren Sicherungskopien enthalten die Daten noch; bitte löschen:")
        lines += [f"  {b.path.resolve()}" for b in backups]
    tell(book, "\n".join(lines), title="Löschen")
    return plan
