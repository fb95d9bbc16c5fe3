"""The team server's scripts: the workbook's buttons and its check on save, as xlwings Server
custom scripts (`POST /xlwings/custom-scripts-call/<name>`).

A door onto the Excel door: each script runs the same entry point as RunPython does on a PC
(`kundenliste_tools.xl`, with its German messages and its error handling) on the remote-engine
`Book` the client sent, and xlwings Server answers with the book's recorded changes, which
the client's Remote module applies.  The server keeps no workbook.  Its log gets one line per
call: the script, the size of the workbook and the time, never a cell value.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

import xlwings as xw
from xlwings.server import script

import kundenliste_tools.xl as kl

logger = logging.getLogger("kundenliste.server")
#: Where the server writes quarterly exports (the analyst collects them there).
EXPORT_VARIABLE = "KUNDENLISTE_EXPORT_ORDNER"


def _logged(name: str, book: xw.Book, run) -> None:
    rows = sum(len(sheet["values"]) for sheet in book.impl.api["sheets"])
    start = time.perf_counter()
    try:
        run()
    finally:
        logger.info("%s: %d Zeilen, %d Änderungen, %.2f s", name, rows, len(book.json()["actions"]),
                    time.perf_counter() - start)


@script
def pruefen(book: xw.Book) -> None:
    """Button "Prüfen"."""
    _logged("pruefen", book, lambda: kl.pruefen(book))


@script
def on_save(book: xw.Book) -> None:
    """Workbook_BeforeSave (a save the user starts; never raises, as on a PC)."""
    _logged("on_save", book, lambda: kl.on_save(book))


@script
def ids_vergeben(book: xw.Book) -> None:
    """Button "IDs vergeben"."""
    _logged("ids_vergeben", book, lambda: kl.ids_vergeben(book))


@script
def faelligkeiten(book: xw.Book) -> None:
    """Button "Fälligkeiten"."""
    _logged("faelligkeiten", book, lambda: kl.faelligkeiten(book))


@script
def einladungen(book: xw.Book) -> None:
    """Button "Einladungen": next week's invitations into the sheet of that name."""
    _logged("einladungen", book, lambda: kl.einladungen(book))


@script
def loeschen(book: xw.Book) -> None:
    """Button "Löschen" (asked in VBA first): the selected customers erased in the open workbook.

    No "Auskunft" script: its file holds personal data, which the server never keeps."""
    _logged("loeschen", book, lambda: kl.loeschen(book))


@script
def quartalsexport(book: xw.Book) -> None:
    """Button "Quartalsexport": the file goes into the server's export folder, the message says where."""
    folder = Path(os.environ.get(EXPORT_VARIABLE) or Path.home() / "kundenliste-exporte")
    folder.mkdir(parents=True, exist_ok=True)
    _logged("quartalsexport", book, lambda: kl.quartalsexport(book, folder=folder))
