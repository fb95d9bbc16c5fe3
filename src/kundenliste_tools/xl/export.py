"""The "Quartalsexport" button: the anonymised export of the latest Stichtag window.

A thin adapter: reads the calling workbook (one range read per sheet), lets the use case
`app.quarter` assess, build and write `Quartal_<Zeitraum>_anonym.xlsx` in the workbook's folder, and tells
the user where it is.  The open workbook itself is not changed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from ..app.quarter import QuarterResult, choose_period, quarter
from ..core.errors import KundenlisteError
from .common import status, tell, workbook_data


def folder_of(book: Any) -> Path:
    """The folder the workbook was opened from (xlwings maps OneDrive URLs to local paths)."""
    fullname = str(getattr(book, "fullname", "") or book.name)
    if "://" in fullname:
        raise KundenlisteError(
            "Die Mappe ist nur online geöffnet (kein Ordner auf diesem Rechner). Bitte die Mappe "
            "lokal speichern oder den Export mit „kundenliste quartal MAPPE“ erstellen."
        )
    folder = Path(fullname).parent
    if not folder.is_dir():
        raise KundenlisteError(f"Der Ordner der Mappe („{folder}“) ist nicht erreichbar.")
    return folder


def quartalsexport(book: Any, today: dt.date | None = None) -> QuarterResult:
    """Write the export of the latest Stichtag window beside the workbook and say where."""
    period = choose_period(today=today)
    status(book, f"Quartalsexport {period.description} wird erstellt …")
    data = workbook_data(book)
    result = quarter(data, period, folder=folder_of(book), source=getattr(book, "fullname", None))
    status(book, None)
    replaced = result.export.ids_replaced
    tell(
        book,
        f"Der anonymisierte Quartalsexport ({period.description}, {result.customers} Kunden, "
        f"{result.entries} Einträge) ist gespeichert unter:\n{result.path.resolve()}"
        + (f"\n{replaced} IDs, die keine IDs sind, wurden durch Export-Pseudonyme ersetzt." if replaced else ""),
        title="Quartalsexport",
    )
    return result
