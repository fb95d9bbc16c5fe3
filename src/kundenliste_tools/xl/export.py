"""The "Quartalsexport" button: the anonymised export of the latest Stichtag window.

A thin adapter: reads the calling workbook (one range read per sheet), lets the use case
`app.quarter` assess, build and write `Quartal_<Zeitraum>_anonym.xlsx` in the workbook's folder, and tells
the user where it is.  The open workbook itself is not changed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from ..app.periods import choose_period
from ..app.quarter import QuarterResult, documents_folder, quarter
from ..core.errors import KundenlisteError
from .common import status, tell, workbook_data


def folder_of(book: Any) -> tuple[Path, str]:
    """The folder for the export, and a German note when it is not the workbook's own folder.

    A workbook on OneDrive/SharePoint has an `https://…` fullname (AutoSave): the locally
    synced folder when xlwings can map the address (on Windows `fullname` does that itself and
    raises when it cannot), else the user's Documents folder, and the note says why.
    """
    try:
        fullname = str(getattr(book, "fullname", "") or book.name)
    except Exception:  # xlwings on Windows: an address it cannot map to a synced folder
        fullname = "://"
    if "://" not in fullname:
        folder = Path(fullname).parent
        if not folder.is_dir():
            raise KundenlisteError(f"Der Ordner der Mappe („{folder}“) ist nicht erreichbar.")
        return folder, ""
    local = _synced_copy(fullname)
    if local is not None:
        return local.parent, "Die Mappe liegt auf OneDrive/SharePoint; der Export steht im synchronisierten Ordner."
    return documents_folder(), (
        "Die Mappe ist online geöffnet (OneDrive/SharePoint) und hat auf diesem Rechner keinen "
        "synchronisierten Ordner; der Export steht deshalb im Ordner „Dokumente“."
    )


def _synced_copy(url: str) -> Path | None:
    """xlwings' mapping of a OneDrive/SharePoint address to the synced file, if there is one."""
    from xlwings.utils import fullname_url_to_local_path

    try:
        local = Path(fullname_url_to_local_path(url))
    except Exception:  # not synced here, or an address xlwings does not know
        return None
    return local if local.is_file() else None


def quartalsexport(book: Any, today: dt.date | None = None, folder: str | Path | None = None) -> QuarterResult:
    """Write the export of the latest Stichtag window beside the workbook and say where.

    `folder`: elsewhere (the team server writes into its configured export folder).
    """
    period = choose_period(today=today)
    status(book, f"Quartalsexport {period.description} wird erstellt …")
    data = workbook_data(book)
    target, note = (Path(folder), "") if folder is not None else folder_of(book)
    source = None if note else getattr(book, "fullname", None)
    result = quarter(data, period, folder=target, source=source)
    status(book, None)
    replaced = result.export.ids_replaced
    tell(
        book,
        f"Der anonymisierte Quartalsexport ({period.description}, {result.customers} Kunden, "
        f"{result.entries} Einträge) ist gespeichert unter:\n{result.path.resolve()}"
        + (f"\n{note}" if note else "")
        + (f"\n{replaced} IDs, die keine IDs sind, wurden durch Export-Pseudonyme ersetzt." if replaced else ""),
        title="Quartalsexport",
    )
    return result
