"""The workbook as data: two frames, the value lists, settings, and where each column lives.

Both doors (a file read by calamine, a `Book` sent by xlwings) produce this from a grid of raw
cell values via `frames_from_grids`; every core function takes it.  Frames keep the raw cell
values under the canonical field names (validation must see what the user typed), extra
columns under their own header, and `_row`, the Excel row number of each record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd

from . import model
from .errors import WorkbookUnreadable
from .model import KUNDENDOKU, KUNDENLISTE, ROW, ValueLists
from .values import is_blank, to_text

Grid = Sequence[Sequence[Any]]


@dataclass
class SheetLayout:
    """Where the fields of one sheet are: canonical name → 0-based column index."""

    name: str  # the sheet's name in the workbook
    headers: list[str]  # header row as written
    columns: dict[str, int]  # canonical field → column index

    def letter(self, field_name: str) -> str:
        return column_letter(self.columns[field_name])


@dataclass
class WorkbookData:
    """Everything the core needs from one workbook."""

    kunden: pd.DataFrame
    doku: pd.DataFrame
    lists: ValueLists = field(default_factory=ValueLists)
    layouts: dict[str, SheetLayout] = field(default_factory=dict)
    settings: dict[str, str] = field(default_factory=dict)
    berater: pd.DataFrame | None = None  # Name, Stellenanteil
    regelwerk: list[list[Any]] | None = None  # raw grid of a `Regelwerk` sheet
    id_register: frozenset[str] = frozenset()
    source: str = ""
    export_key: str = ""  # key of the export pseudonyms (ID-Register!B2), "" when none yet

    def setting(self, key: str, default: str = "") -> str:
        return self.settings.get(model.normalize_key(key), default)


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letters: str) -> int:
    """A → 0, Z → 25, AA → 26 (the inverse of `column_letter`)."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def cell_ref(layout: SheetLayout, field_name: str, row: int) -> str:
    return f"{layout.letter(field_name)}{row}"


def layout_from_header(sheet: str, sheet_name: str, header: Sequence[Any]) -> SheetLayout:
    """Match a header row against the model (aliases, case, umlauts); fail on missing columns."""
    headers = [to_text(h) for h in header]
    columns: dict[str, int] = {}
    for i, h in enumerate(headers):
        canon = model.canonical_field(sheet, h) if h else None
        if canon and canon not in columns:
            columns[canon] = i
    missing = [f.name for f in model.SHEET_FIELDS[sheet] if f.required_column and f.name not in columns]
    if missing:
        unknown = [h for i, h in enumerate(headers) if h and i not in columns.values()]
        parts = []
        for name in missing:
            near = model.closest(name, unknown or [h for h in headers if h])
            hint = f" (ähnlichste Überschrift: „{near}“)" if near else ""
            parts.append(f"„{name}“{hint}")
        raise WorkbookUnreadable(
            f"Im Blatt „{sheet_name}“ fehlt die Spalte {', '.join(parts)}. "
            f"Gefundene Überschriften in Zeile 1: {', '.join(h for h in headers if h) or '(keine)'}."
        )
    return SheetLayout(sheet_name, headers, columns)


def frame_from_grid(sheet: str, sheet_name: str, grid: Grid) -> tuple[pd.DataFrame, SheetLayout]:
    """Row 1 is the header; each later non-empty row is a record with its Excel row number.

    Canonical fields get their canonical name; unknown columns are kept under their header
    (or `Spalte X` when it has none); optional fields a workbook lacks are added as blanks so
    the core can rely on every model column existing.
    """
    if not grid:
        raise WorkbookUnreadable(f"Das Blatt „{sheet_name}“ ist leer: Zeile 1 braucht die Überschriften.")
    layout = layout_from_header(sheet, sheet_name, grid[0])
    width = len(layout.headers)
    names: list[str] = []
    canon_by_index = {i: name for name, i in layout.columns.items()}
    for i, h in enumerate(layout.headers):
        name = canon_by_index.get(i) or h or f"Spalte {column_letter(i)}"
        while name in names or (i not in canon_by_index and name in layout.columns):
            name = f"{name} ({column_letter(i)})"
        names.append(name)
    cells = _cell_matrix(grid[1:], width)
    keep = _record_rows(cells)
    numbers = np.flatnonzero(keep) + 2
    frame = pd.DataFrame(cells[keep], columns=names, dtype=object)
    for f in model.SHEET_FIELDS[sheet]:
        if f.name not in frame.columns:
            frame[f.name] = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    frame[ROW] = pd.Series(numbers, index=frame.index, dtype="int64")
    return frame, layout


def _cell_matrix(rows: Grid, width: int) -> np.ndarray:
    """The body rows as an (n, width) object array, cut or padded to the header's width, with
    empty text as None.  One C-level conversion instead of a Python loop per row: at
    job-centre scale (300,000 entries) the loop cost more than calamine's parse."""
    if not rows:
        return np.empty((0, width), dtype=object)
    lengths = set(map(len, rows))
    cells = None
    if len(lengths) == 1 and min(lengths) >= width:
        cells = np.array(rows, dtype=object)
        cells = cells[:, :width] if cells.ndim == 2 else None
    if cells is None:  # ragged grids (hand-made, or a client that trims rows)
        cells = np.empty((len(rows), width), dtype=object)
        for r, raw in enumerate(rows):
            row = list(raw[:width])
            cells[r, : len(row)] = row
    if cells.size:
        cells[cells == ""] = None
    return cells


def _record_rows(cells: np.ndarray) -> np.ndarray:
    """True for each row with at least one non-blank cell (`is_blank`: None, NaN, NaT, blank
    text).  Column by column, looking only at rows not yet known to hold something, so the
    Python-level whitespace check touches about one column's cells."""
    blank = np.ones(len(cells), dtype=bool)
    for j in range(cells.shape[1]):
        idx = np.flatnonzero(blank)
        if not len(idx):
            break
        col = cells[idx, j]
        cell_blank = pd.isna(col)
        rest = np.flatnonzero(~cell_blank)
        if len(rest):
            cell_blank[rest] = [isinstance(v, str) and not v.strip() for v in col[rest]]
        blank[idx] = cell_blank
    return ~blank


def lists_from_grid(grid: Grid | None) -> ValueLists:
    """The `Listen` sheet: one column per list, header = list name; missing lists keep defaults."""
    lists = dict(model.DEFAULT_LISTS)
    if not grid:
        return ValueLists(lists)
    header = [to_text(h) for h in grid[0]]
    by_key = {model.normalize_key(name): name for name in model.DEFAULT_LISTS}
    by_key.update({"janein": "Ja/Nein"})
    for i, h in enumerate(header):
        name = by_key.get(model.normalize_key(h)) if h else None
        if not name:
            continue
        entries = [to_text(row[i]) for row in grid[1:] if i < len(row) and not is_blank(row[i])]
        lists[name] = tuple(dict.fromkeys(entries))
    return ValueLists(lists)


def settings_from_grid(grid: Grid | None) -> dict[str, str]:
    """The `Einstellungen` sheet: key in column A, value in column B (header row optional)."""
    settings: dict[str, str] = {}
    for row in grid or ():
        if len(row) >= 2 and not is_blank(row[0]):
            settings[model.normalize_key(row[0])] = to_text(row[1])
    return settings


def berater_from_grid(grid: Grid | None) -> pd.DataFrame | None:
    """The optional `Berater` sheet: `Name, Stellenanteil` (1 = full time, 0.5 or 50 % = half)."""
    if not grid:
        return None
    header = [model.normalize_key(to_text(h)) for h in grid[0]]
    if "name" not in header:
        return None
    i_name = header.index("name")
    i_share = header.index("stellenanteil") if "stellenanteil" in header else None
    names, shares = [], []
    for row in grid[1:]:
        if i_name >= len(row) or is_blank(row[i_name]):
            continue
        share = 1.0
        if i_share is not None and i_share < len(row) and not is_blank(row[i_share]):
            share = _share(row[i_share])
        names.append(to_text(row[i_name]))
        shares.append(share)
    return pd.DataFrame({"Name": names, "Stellenanteil": shares})


def _share(value: Any) -> float:
    text = to_text(value).replace("%", "").replace(",", ".").strip()
    try:
        v = float(text)
    except ValueError:
        return 1.0
    return v / 100 if v > 1 else v


def register_from_grid(grid: Grid | None) -> frozenset[str]:
    """The register of issued IDs: column A of the hidden `ID-Register` sheet, below its header."""
    from .values import id_text

    if not grid:
        return frozenset()
    return frozenset(t for t in (id_text(row[0]) for row in grid[1:] if row) if t)


#: Header of column B of the `ID-Register` sheet; the export pseudonyms' key stands below it
#: (core/pseudonym.py says why it lives there).
EXPORT_KEY_HEADER = "Export-Schlüssel"


def export_key_from_grid(grid: Grid | None) -> str:
    """The export key in the register sheet's grid (C1, labelled in B1), or ``""``."""
    if not grid or len(grid[0]) < 3 or to_text(grid[0][1]) != EXPORT_KEY_HEADER:
        return ""
    return to_text(grid[0][2])


def workbook_from_grids(grids: dict[str, Grid], source: str = "") -> WorkbookData:
    """Build the model from the raw grids of a workbook's sheets, keyed by sheet name.

    Sheet names are matched forgivingly (`Kundenduku` is the KundenDoku); a missing model sheet
    is an error naming the sheets found.
    """
    found: dict[str, str] = {}
    for name in grids:
        canon = model.canonical_sheet(name)
        if canon and canon not in found:
            found[canon] = name
    for sheet in (KUNDENLISTE, KUNDENDOKU):
        if sheet not in found:
            raise WorkbookUnreadable(
                f"Das Blatt „{sheet}“ fehlt in {source or 'der Arbeitsmappe'}. "
                f"Gefundene Blätter: {', '.join(grids) or '(keine)'}."
            )
    kunden, lk = frame_from_grid(KUNDENLISTE, found[KUNDENLISTE], grids[found[KUNDENLISTE]])
    doku, ld = frame_from_grid(KUNDENDOKU, found[KUNDENDOKU], grids[found[KUNDENDOKU]])
    by_key = {model.normalize_key(n): n for n in grids}

    def grid(name: str) -> Grid | None:
        real = by_key.get(model.normalize_key(name))
        return grids[real] if real else None

    return WorkbookData(
        kunden=kunden,
        doku=doku,
        lists=lists_from_grid(grid(model.LISTEN)),
        layouts={KUNDENLISTE: lk, KUNDENDOKU: ld},
        settings=settings_from_grid(grid(model.EINSTELLUNGEN)),
        berater=berater_from_grid(grid(model.BERATER_SHEET)),
        regelwerk=[list(r) for r in grid(model.REGELWERK_SHEET)] if grid(model.REGELWERK_SHEET) else None,
        id_register=register_from_grid(grid(ID_REGISTER_SHEET)),
        source=source,
        export_key=export_key_from_grid(grid(ID_REGISTER_SHEET)),
    )


#: The hidden sheet where issued IDs are kept so that none is ever handed out twice.
ID_REGISTER_SHEET = "ID-Register"

#: Sheets the model reads besides the two record sheets (a reader may skip all others).
AUX_SHEETS = (model.LISTEN, model.EINSTELLUNGEN, model.BERATER_SHEET, model.REGELWERK_SHEET,
              ID_REGISTER_SHEET)
