"""What every Excel adapter shares: reading the calling `Book` into the model, telling the user.

One range read per sheet (its used range), never a call per cell: the on-save path must stay
well under a second even on a team workbook.
"""

from __future__ import annotations

import contextlib
from typing import Any, Iterator

from ..core.book import AUX_SHEETS, WorkbookData, workbook_from_grids
from ..core.errors import KundenlisteError
from ..core.model import canonical_sheet, normalize_key


def caller_book() -> Any:
    import xlwings as xw

    return xw.Book.caller()


def sheet_grid(sheet: Any) -> list[list[Any]]:
    """All values of a sheet from A1 to the end of its used range, as a list of rows."""
    used = sheet.used_range
    last_row = used.row + used.rows.count - 1
    last_col = used.column + used.columns.count - 1
    values = sheet.range((1, 1), (last_row, last_col)).options(ndim=2).value
    return [list(r) for r in values] if values else []


def workbook_data(book: Any) -> WorkbookData:
    """The model of an open workbook: the two record sheets plus the auxiliary ones."""
    aux = {normalize_key(s) for s in AUX_SHEETS}
    grids: dict[str, list[list[Any]]] = {}
    for sheet in book.sheets:
        wanted = canonical_sheet(sheet.name) or normalize_key(sheet.name) in aux
        grids[sheet.name] = sheet_grid(sheet) if wanted else []
    return workbook_from_grids(grids, source=book.name)


def tell(book: Any, message: str, title: str = "Kundenliste") -> None:
    """Show a German message: an alert where the client can show one, else the status bar."""
    try:
        book.app.alert(message, title=title)
    except Exception:  # remote clients without alert support: the status bar is enough
        with contextlib.suppress(Exception):
            book.app.status_bar = message


def status(book: Any, message: str | None) -> None:
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
        tell(book, f"Interner Fehler ({exc.__class__.__name__}). Bitte die Datei speichern und "
             "den Support informieren.", title="Kundenliste: Fehler")
