"""The workbook as data: two frames, the value lists, settings, and where each column lives.

Both doors (a file read by calamine, a `Book` sent by xlwings) produce this from a grid of raw
cell values via `frames_from_grids`; every core function takes it.  Frames keep the raw cell
values under the canonical field names (validation must see what the user typed), extra
columns under their own header, and `_row`, the Excel row number of each record.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd

from . import model
from .cells import column_index, column_letter  # noqa: F401 - re-exported: the model's A1 helpers
from .errors import WorkbookUnreadable
from .model import KUNDENDOKU, KUNDENLISTE, ROW, ValueLists
from .records import SheetFacts, Skipped, find_header, header_width, record_rows
from .values import is_blank, to_text

Grid = Sequence[Sequence[Any]]


@dataclass
class SheetLayout:
    """Where the fields of one sheet are: canonical name → 0-based column index."""

    name: str  # the sheet's name in the workbook
    headers: list[str]  # header row as written
    columns: dict[str, int]  # canonical field → column index
    header_row: int = 1  # Excel row of the header (a title may stand above it)

    def letter(self, field_name: str) -> str:
        """The column letter of a field (`ID` → `A`)."""
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
    skipped: list[Skipped] = field(default_factory=list)  # non-empty rows that are not records
    berater_sheet: str = ""  # the `Berater` sheet's name in the workbook, when there is one
    export_key: str = ""  # key of the export pseudonyms (ID-Register!C1), "" when none yet
    register_sheet: str = ""  # the `ID-Register` sheet's name in the workbook, when there is one

    def setting(self, key: str, default: str = "") -> str:
        """A value of the Einstellungen sheet, found by its forgiving key."""
        return self.settings.get(model.normalize_key(key), default)


def cell_ref(layout: SheetLayout, field_name: str, row: int) -> str:
    """The A1 reference of a field's cell in an Excel row."""
    return f"{layout.letter(field_name)}{row}"


def layout_from_header(sheet: str, sheet_name: str, header: Sequence[Any], header_row: int = 1) -> SheetLayout:
    """Match a header row against the model (aliases, case, umlauts); fail on missing columns.

    The refusal is one short sentence: what is missing, where the header was looked for, and
    what to do; a similar header is offered only when it is really similar and not already
    another field's column (a title row is never offered).
    """
    headers = [to_text(h) for h in header]
    columns: dict[str, int] = {}
    for i, h in enumerate(headers):
        canon = model.canonical_field(sheet, h) if h else None
        if canon and canon not in columns:
            columns[canon] = i
    missing = [f.name for f in model.SHEET_FIELDS[sheet] if f.required_column and f.name not in columns]
    if missing:
        unknown = [h for i, h in enumerate(headers) if h and i not in columns.values() and len(h) <= 40]
        parts = []
        for name in missing:
            near = _similar(name, unknown)
            parts.append(f"„{name}“" + (f" (ist „{near}“ gemeint?)" if near else ""))
        what = f"die Spalte {parts[0]}" if len(parts) == 1 else \
            f"die Spalten {', '.join(parts[:-1])} und {parts[-1]}"
        raise WorkbookUnreadable(
            f"Im Blatt „{sheet_name}“ fehlt {what} in der Überschriftenzeile (Zeile {header_row}); "
            "bitte die Überschrift dort ergänzen oder so umbenennen."
        )
    return SheetLayout(sheet_name, headers, columns, header_row)


def _similar(name: str, candidates: list[str]) -> str | None:
    """A header that looks like `name` (difflib ratio ≥ 0.6), for the refusal's hint."""
    import difflib

    key = model.normalize_key(name)
    best, best_ratio = None, 0.6
    for c in candidates:
        ratio = difflib.SequenceMatcher(None, key, model.normalize_key(c)).ratio()
        if ratio >= best_ratio:
            best, best_ratio = c, ratio
    return best


def frame_from_grid(sheet: str, sheet_name: str, grid: Grid, facts: SheetFacts | None = None
                    ) -> tuple[pd.DataFrame, SheetLayout, list[Skipped]]:
    """The header row (found among the first rows), then each record with its Excel row number.

    Only the columns up to the header's last cell are read.  Canonical fields get their
    canonical name; unknown columns are kept under their header (or `Spalte X` when it has
    none); optional fields a workbook lacks are added as blanks so the core can rely on every
    model column existing.  Which rows are records decides `core.records`.
    """
    if not len(grid):
        raise WorkbookUnreadable(f"Das Blatt „{sheet_name}“ ist leer: es braucht eine Zeile mit den "
                                 "Spaltenüberschriften.")
    h = find_header(sheet, grid)
    if h is None:
        required = [f.name for f in model.SHEET_FIELDS[sheet] if f.required_column]
        raise WorkbookUnreadable(
            f"Im Blatt „{sheet_name}“ steht in den ersten Zeilen keine Überschriftenzeile; bitte "
            f"die Spalten so überschreiben: {', '.join(required)}."
        )
    header = list(grid[h])[: header_width(grid[h])]
    layout = layout_from_header(sheet, sheet_name, header, h + 1)
    width = len(layout.headers)
    names: list[str] = []
    canon_by_index = {i: name for name, i in layout.columns.items()}
    for i, hd in enumerate(layout.headers):
        name = canon_by_index.get(i) or hd or f"Spalte {column_letter(i)}"
        while name in names or (i not in canon_by_index and name in layout.columns):
            name = f"{name} ({column_letter(i)})"
        names.append(name)
    cells = _cell_matrix(grid[h + 1:], width)
    keep, skipped = record_rows(sheet, sheet_name, cells, layout.columns, h + 2, facts)
    numbers = np.flatnonzero(keep) + h + 2
    if facts is not None and facts.row_map:  # rows the door moved up keep their real number
        numbers = np.array([facts.row_map.get(n, n) for n in numbers.tolist()], dtype=np.int64)
    # pandas keeps an object block as (columns, rows): the records picked straight into that
    # layout are taken as they are, where `cells[keep]` was copied twice (0.37 → 0.04 s for
    # a million entries)
    frame = pd.DataFrame(cells.T[:, keep].T, columns=names, dtype=object, copy=False)
    for f in model.SHEET_FIELDS[sheet]:
        if f.name not in frame.columns:
            frame[f.name] = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    frame[ROW] = pd.Series(numbers, index=frame.index, dtype="int64")
    return frame, layout, skipped


def _cell_matrix(rows: Grid, width: int) -> np.ndarray:
    """The body rows as an (n, width) object array, cut or padded to the header's width, with
    empty text as None.  One C-level conversion instead of a Python loop per row: at
    job-centre scale (300,000 entries) the loop cost more than calamine's parse."""
    if not len(rows):
        return np.empty((0, width), dtype=object)
    cells = None
    if isinstance(rows, np.ndarray):  # the reader's array (files/reader.record_cells), as wide
        cells = rows[:, :width]  # as the header row at least (`width` is taken from it)
    elif len(lengths := set(map(len, rows))) == 1 and min(lengths) >= width:
        # flat, then shaped: `np.array(rows)` first probes every row for nesting (0.3 s for
        # 300,000 rows), `fromiter` only counts (0.06 s)
        full = lengths.pop()
        cells = np.fromiter(itertools.chain.from_iterable(rows), dtype=object,
                            count=len(rows) * full).reshape(len(rows), full)[:, :width]
    if cells is None:  # ragged grids (hand-made, or a client that trims rows)
        cells = np.empty((len(rows), width), dtype=object)
        for r, raw in enumerate(rows):
            row = list(raw[:width])
            cells[r, : len(row)] = row
    if cells.size:
        cells[cells == ""] = None
    return cells


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
    """The optional `Berater` sheet: `Name, Stellenanteil` (1 = full time, 0.5 or 50 % = half).

    Columns: Name, Stellenanteil (the share used: a wrong or missing one counts as full time,
    like a counsellor missing from the sheet), and for validation `_row`, `_cell` and
    `_raw` (the cell as written) plus `_ok` (False when the written share is not usable).
    """
    if not grid:
        return None
    h = next((i for i, row in enumerate(grid[:HEADER_ROWS_BERATER])
              if "name" in [model.normalize_key(to_text(c)) for c in row]), None)
    if h is None:
        return None
    header = [model.normalize_key(to_text(c)) for c in grid[h]]
    i_name = header.index("name")
    i_share = next((i for i, k in enumerate(header) if k in ("stellenanteil", "stellenumfang", "anteil")), None)
    names, shares, rows, cells, raws, oks = [], [], [], [], [], []
    for r, row in enumerate(grid[h + 1:], start=h + 2):
        if i_name >= len(row) or is_blank(row[i_name]):
            continue
        raw = row[i_share] if i_share is not None and i_share < len(row) else None
        share = None if is_blank(raw) else parse_share(raw)
        names.append(to_text(row[i_name]))
        shares.append(1.0 if share is None else share)
        rows.append(r)
        cells.append(f"{column_letter(i_share)}{r}" if i_share is not None else f"{column_letter(i_name)}{r}")
        raws.append(raw)
        oks.append(share is not None or is_blank(raw))
    return pd.DataFrame({"Name": names, "Stellenanteil": shares, ROW: rows, "_cell": cells,
                         "_raw": pd.Series(raws, dtype=object), "_ok": oks})


HEADER_ROWS_BERATER = 5


def parse_share(value: Any) -> float | None:
    """A Stellenanteil as a fraction in (0, 1], or None when it is not one.

    A number in (0, 1] is the fraction (a cell formatted as percent holds 0.5); a number in
    (1, 100] or text with `%` is a percentage (`50`, `50 %`, `50,5%`).  Anything else
    (`halbe Stelle`, `-1`, `0`, `150 %`) is not a usable share.
    """
    if isinstance(value, bool):
        return None
    percent = False
    if isinstance(value, (int, float, np.integer, np.floating)):
        v = float(value)
    else:
        text = to_text(value).replace("\u00a0", " ").strip()
        percent = text.endswith("%")
        text = text.rstrip("%").strip().replace(",", ".")
        try:
            v = float(text)
        except ValueError:
            return None
    if v != v or v <= 0:
        return None
    if percent or v > 1:
        v = v / 100
    return v if 0 < v <= 1 else None


def register_from_grid(grid: Grid | None) -> frozenset[str]:
    """The register of issued IDs: column A of the hidden `ID-Register` sheet, below its header."""
    from .values import id_text

    if not grid:
        return frozenset()
    return frozenset(t for t in (id_text(row[0]) for row in grid[1:] if row) if t)


def export_key_from_grid(grid: Grid | None) -> str:
    """The export key in the register sheet's grid (C1, labelled in B1), or ``""``."""
    if not grid or len(grid[0]) < 3 or to_text(grid[0][1]) != model.EXPORT_KEY_HEADER:
        return ""
    return to_text(grid[0][2])


@dataclass(frozen=True)
class KundenPart:
    """The Kundenliste's share of the model, built while the KundenDoku is still read
    (`kunden_part`); `workbook_from_grids(first=)` takes it as it is."""

    kunden: pd.DataFrame
    layout: SheetLayout
    skipped: list[Skipped]
    lists: ValueLists


def kunden_part(grids: dict[str, Grid], facts: dict[str, SheetFacts] | None = None) -> KundenPart | None:
    """The Kundenliste's frame and the value lists from `grids` (every sheet named, the
    KundenDoku maybe not read yet); None when the sheets are not as `workbook_from_grids` needs
    them (a sheet missing or ambiguous, no header): that call then says what is wrong."""
    found, ambiguous = model.resolve_sheets(list(grids))
    if any(sheet in ambiguous or sheet not in found for sheet in (KUNDENLISTE, KUNDENDOKU)):
        return None
    name = found[KUNDENLISTE]
    try:
        kunden, layout, skipped = frame_from_grid(KUNDENLISTE, name, grids[name], (facts or {}).get(name))
    except WorkbookUnreadable:
        return None
    return KundenPart(kunden, layout, skipped, lists_from_grid(_aux_grid(grids, model.LISTEN)))


def _aux_grid(grids: dict[str, Grid], name: str, by_key: dict[str, str] | None = None) -> Grid | None:
    """The grid of the auxiliary sheet `name` (forgiving key), None when there is none;
    `by_key`: `_by_key(grids)` when the caller looks up several."""
    real = (by_key if by_key is not None else _by_key(grids)).get(model.normalize_key(name))
    return grids[real] if real else None


def _by_key(grids: dict[str, Grid]) -> dict[str, str]:
    """Each sheet's real name by its forgiving key (the last sheet of a key wins)."""
    return {model.normalize_key(n): n for n in grids}


def workbook_from_grids(grids: dict[str, Grid], source: str = "",
                        facts: dict[str, SheetFacts] | None = None,
                        first: KundenPart | None = None) -> WorkbookData:
    """Build the model from the raw grids of a workbook's sheets, keyed by sheet name.

    Sheet names are matched forgivingly (`Kundenduku`, `Kundenliste 2025`); a missing model
    sheet is an error that says how to fix it.  `facts` (per sheet name) tell the record rule
    which cells are formulas, totals rows or merged (`core.records`).  `first`: the
    Kundenliste's share, already built from these grids (`kunden_part`).
    """
    found, ambiguous = model.resolve_sheets(list(grids))
    for sheet in (KUNDENLISTE, KUNDENDOKU):
        if sheet in ambiguous:
            names = " und ".join(f"„{n}“" for n in ambiguous[sheet][:2])
            raise WorkbookUnreadable(
                f"In {source or 'der Arbeitsmappe'} kommen {names} als Blatt „{sheet}“ in Frage; "
                f"bitte das gültige in „{sheet}“ umbenennen."
            )
        if sheet not in found:
            raise WorkbookUnreadable(
                f"Das Blatt „{sheet}“ fehlt in {source or 'der Arbeitsmappe'}; bitte das Blatt so "
                f"benennen (gefunden: {', '.join(grids) or 'keine Blätter'})."
            )
    facts = facts or {}
    by_key = _by_key(grids)

    def grid(name: str) -> Grid | None:
        return _aux_grid(grids, name, by_key)

    if first is None:
        kunden, lk, sk = frame_from_grid(KUNDENLISTE, found[KUNDENLISTE], grids[found[KUNDENLISTE]],
                                         facts.get(found[KUNDENLISTE]))
        lists = lists_from_grid(grid(model.LISTEN))
    else:
        kunden, lk, sk, lists = first.kunden, first.layout, first.skipped, first.lists
    doku, ld, sd = frame_from_grid(KUNDENDOKU, found[KUNDENDOKU], grids[found[KUNDENDOKU]],
                                   facts.get(found[KUNDENDOKU]))
    return WorkbookData(
        kunden=kunden,
        doku=doku,
        lists=lists,
        layouts={KUNDENLISTE: lk, KUNDENDOKU: ld},
        settings=settings_from_grid(grid(model.EINSTELLUNGEN)),
        berater=berater_from_grid(grid(model.BERATER_SHEET)),
        regelwerk=[list(r) for r in grid(model.REGELWERK_SHEET)] if grid(model.REGELWERK_SHEET) else None,
        id_register=register_from_grid(grid(ID_REGISTER_SHEET)),
        source=source,
        skipped=sk + sd,
        berater_sheet=by_key.get(model.normalize_key(model.BERATER_SHEET), ""),
        export_key=export_key_from_grid(grid(ID_REGISTER_SHEET)),
        register_sheet=by_key.get(model.normalize_key(ID_REGISTER_SHEET), ""),
    )


#: The hidden sheet where issued IDs are kept so that none is ever handed out twice.
ID_REGISTER_SHEET = model.ID_REGISTER_SHEET
AUX_SHEETS = model.AUX_SHEETS  # defined in the model: the reader needs them before pandas is loaded
