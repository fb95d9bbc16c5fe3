"""What every Excel adapter shares: reading the calling `Book` into the model, telling the user.

One range read per sheet (its used range), never a call per cell: the on-save path must stay
well under a second even on a team workbook.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from typing import Any, Iterator

import numpy as np

from ..app.workbook import from_grids
from ..core.book import AUX_SHEETS, WorkbookData
from ..core.errors import KundenlisteError
from ..core.model import canonical_sheet, normalize_key


def caller_book() -> Any:
    """The workbook that called Python (the button's or formula's workbook)."""
    import xlwings as xw

    return xw.Book.caller()


def sheet_grid(sheet: Any) -> list[list[Any]]:
    """All values of a sheet from A1 to the end of its used range, as a list of rows."""
    used = sheet.used_range
    last_row = used.row + used.rows.count - 1
    last_col = used.column + used.columns.count - 1
    rng = sheet.range((1, 1), (last_row, last_col))
    if _engine(sheet) == "remote":
        return remote_values(rng.raw_value)
    values = rng.options(ndim=2, err_to_str=True).value  # `#NV` is a finding, not a blank
    return [list(r) for r in values] if values else []


def _engine(sheet: Any) -> str:
    try:
        return str(sheet.book.app.engine.name)
    except Exception:
        return ""


_CLIENT_DATETIME = re.compile(
    r"^-?\d{4,}-(1[0-2]|0[1-9])-(3[01]|0[1-9]|[12]\d)T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?Z$"
)


def remote_values(raw: Any) -> list[list[Any]]:
    """The remote engine's raw JSON cells as `.value` would give them, without its per-cell
    Python loop (3 µs a cell: two thirds of the on-save time on a team workbook).

    Empty text → None, the client's `2026-01-05T00:00:00.000Z` → datetime, Excel errors stay
    text (`err_to_str=True`); everything else as sent.  Only text cells are looked at, and only those shaped like a
    timestamp are parsed.
    """
    if not isinstance(raw, (list, tuple)):
        raw = [[raw]]
    if not raw:
        return []
    rows = [raw] if not isinstance(raw[0], (list, tuple)) else raw
    cells = np.array(rows, dtype=object)
    if cells.ndim != 2:  # ragged: cannot happen for a range, but never guess
        return [[_remote_cell(c) for c in r] for r in rows]
    flat = cells.reshape(-1)
    idx = np.flatnonzero(np.fromiter(map(type, flat), dtype=object, count=flat.size) == str)  # noqa: E721 - exact type per cell, vectorised
    texts = flat[idx]
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    flat[idx[lengths == 0]] = None
    long = idx[(lengths >= 20) & (lengths <= 32)]  # the client sends `…T00:00:00.000Z`
    if len(long):
        # a date column repeats its days: each distinct text is matched and parsed once
        texts = flat[long].tolist()
        stamps = {v: dt.datetime.fromisoformat(v[:-1]) for v in dict.fromkeys(texts) if _CLIENT_DATETIME.match(v)}
        hit = np.fromiter(map(stamps.__contains__, texts), dtype=bool, count=len(texts))
        if hit.any():
            flat[long[hit]] = list(map(stamps.__getitem__, flat[long[hit]]))
    return cells.tolist()


def _remote_cell(value: Any) -> Any:
    if value == "":
        return None
    if isinstance(value, str) and _CLIENT_DATETIME.match(value):
        return dt.datetime.fromisoformat(value[:-1])
    return value


def find_sheet(book: Any, name: str) -> Any | None:
    """The workbook's sheet that `name` means (case, spaces, umlauts forgiven), or None."""
    key = normalize_key(name)
    for sheet in book.sheets:
        if normalize_key(sheet.name) == key:
            return sheet
    return None


def totals_rows(sheet: Any) -> frozenset[int]:
    """What the record rule can learn from Excel beyond values: the totals rows of the sheet's
    tables.  (Which cells are formulas the door does not ask: one more range read per save;
    the rule then decides on the values of the known columns alone.)"""
    rows: set[int] = set()
    try:
        for table in sheet.tables:
            if not table.show_totals:
                continue
            rng = table.totals_row_range
            if rng is not None:
                rows.update(range(rng.row, rng.row + rng.rows.count))
    except Exception:  # an engine without tables: nothing known
        return frozenset()
    return frozenset(rows)


def workbook_data(book: Any) -> WorkbookData:
    """The model of an open workbook: the two record sheets plus the auxiliary ones."""
    aux = {normalize_key(s) for s in AUX_SHEETS}
    grids: dict[str, list[list[Any]]] = {}
    totals: dict[str, frozenset[int]] = {}
    for sheet in book.sheets:
        record_sheet = canonical_sheet(sheet.name)
        wanted = record_sheet or normalize_key(sheet.name) in aux
        grids[sheet.name] = sheet_grid(sheet) if wanted else []
        if record_sheet:
            totals[sheet.name] = totals_rows(sheet)
    return from_grids(grids, source=book.name, totals_rows=totals)


def tell(book: Any, message: str, title: str = "Kundenliste") -> None:
    """Show a German message: an alert where the client can show one, else the status bar."""
    try:
        book.app.alert(message, title=title)
    except Exception:  # remote clients without alert support: the status bar is enough
        with contextlib.suppress(Exception):
            book.app.status_bar = message


def status(book: Any, message: str | None) -> None:
    """Show a status bar text (None clears it); silent where the client has none."""
    with contextlib.suppress(Exception):
        book.app.status_bar = message


@contextlib.contextmanager
def report_errors(book: Any) -> Iterator[None]:
    """Turn a `KundenlisteError` into an alert; any other error into a German note, no traceback."""
    try:
        yield
    except KundenlisteError as exc:
        tell(book, str(exc), title="Kundenliste: Fehler")
    except Exception as exc:  # never show a Python traceback to a counsellor
        tell(
            book,
            f"Interner Fehler ({exc.__class__.__name__}). Bitte die Datei speichern und den Support informieren.",
            title="Kundenliste: Fehler",
        )


def quietly(action: Any) -> bool:
    """Run an engine call that some clients cannot do (notes on the remote engine); False then."""
    try:
        action()
    except Exception:
        return False
    return True


def tool_sheet(book: Any, name: str, hidden: bool = False, widths: tuple[int, ...] = ()) -> Any:
    """The tool's sheet `name`, created after the last sheet if missing; the user stays put."""
    sheet = find_sheet(book, name)
    if sheet is not None:
        return sheet
    active = book.sheets.active
    sheet = book.sheets.add(name=name, after=book.sheets[len(book.sheets) - 1])
    if hidden:
        sheet.visible = False
    for i, width in enumerate(widths, start=1):
        quietly(lambda i=i, width=width: setattr(sheet.range((1, i)), "column_width", width))
    active.activate()  # adding a sheet activates it; on save the user must not be moved
    return sheet


def as_text(value: str | None) -> str | None:
    """Text Excel must not reinterpret (`=…` formula, `01067` number, `2026-01-05` date)."""
    if value is None or value == "":
        return value
    return "'" + value
