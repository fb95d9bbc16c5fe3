"""`kundenliste ids MAPPE`: fill every blank ID of the Kundenliste in place (or print new ones).

A thin door: the core decides which rows need an ID and draws them, `files.patch` writes them
(and the register of issued IDs) into the user's own file without touching anything else.
"""

from __future__ import annotations

import argparse
import json
from typing import TextIO

from . import add_book_argument, progress

MAX_ANZAHL = 100_000


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "ids",
        help="leere Kunden-IDs zufällig vergeben (in der Mappe selbst)",
        description="Vergibt jeder Zeile der Kundenliste, die Daten, aber keine ID hat, eine neue "
        "zufällige ID (6 Zeichen mit Prüfzeichen) und trägt sie in das ausgeblendete Blatt "
        "„ID-Register“ ein, damit keine ID je zweimal vergeben wird. Vorhandene IDs bleiben, wie sie "
        "sind. Die Mappe wird verlustfrei geändert (Makros, Diagramme, Notizen und alle anderen "
        "Zellen bleiben unverändert); daneben entsteht eine datierte Sicherungskopie "
        "(z. B. Kundenliste.2026-11-23T0215.bak.xlsm). Die Mappe darf dabei nicht in Excel "
        "geöffnet sein.",
    )
    add_book_argument(parser)
    parser.add_argument("--anzahl", metavar="N", type=int,
                        help="nur N neue IDs ausgeben, nichts in die Mappe schreiben "
                        "(sie sind dann nicht im ID-Register vermerkt)")
    parser.add_argument("--json", action="store_true", help="Ergebnis als JSON ausgeben")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from ..core.book import ID_REGISTER_SHEET
    from ..core.errors import KundenlisteError
    from ..core.ids import assign_ids, id_cell_edits, new_ids, taken_ids
    from ..core.model import KUNDENLISTE
    from ..core.pseudonym import new_key
    from ..files.patch import check_writable
    from ..files.reader import read_workbook

    if args.anzahl is not None:
        if not 1 <= args.anzahl <= MAX_ANZAHL:
            raise KundenlisteError(f"--anzahl muss zwischen 1 und {MAX_ANZAHL} liegen.")
        data = read_workbook(args.mappe, args.passwort)
        fresh = new_ids(args.anzahl, taken_ids(data))
        if args.json:
            json.dump({"ids": fresh, "written": False}, stdout, ensure_ascii=False)
            stdout.write("\n")
        else:
            stdout.write("\n".join(fresh) + "\n")
            progress(stderr, f"{len(fresh)} neue IDs (in der Mappe noch nicht vorhanden); nichts "
                     "geschrieben und nicht im ID-Register vermerkt.")
        return 0

    from ..files.reader import require_writable

    require_writable(args.mappe)  # .ods/.xlsb/.xls are read only: say so before anything else
    check_writable(args.mappe)  # fail before reading a big file when Excel has it open
    data = read_workbook(args.mappe, args.passwort)
    issued = assign_ids(data)
    sheet = data.layouts[KUNDENLISTE].name
    result = None
    key = "" if data.export_key else new_key()  # the export pseudonyms' key, written once
    if issued or key:
        if issued:
            progress(stderr, f"Schreibe {len(issued)} neue IDs in „{sheet}“ …")
        result = _write(args.mappe, {sheet: id_cell_edits(data, issued)}, [i for _, i in issued], key)
    cells = id_cell_edits(data, issued)
    if args.json:
        json.dump({
            "issued": [{"row": row, "cell": ref, "id": new_id}
                       for (row, new_id), ref in zip(issued, cells)],
            "backup": str(result.backup) if result and result.backup else None,
            "register_created": bool(result and result.added_sheets),
            "export_key_created": bool(key),
        }, stdout, ensure_ascii=False)
        stdout.write("\n")
    elif not issued:
        print("Alle Zeilen der Kundenliste haben eine ID"
              + ("; der Schlüssel für die Export-Pseudonyme wurde im ausgeblendeten Blatt "
                 f"„{ID_REGISTER_SHEET}“ angelegt." if key else "; die Mappe wurde nicht geändert."), file=stdout)
    else:
        print(f"{len(issued)} neue IDs vergeben in „{sheet}“ der Mappe {args.mappe}:", file=stdout)
        for (row, new_id), ref in zip(issued, cells):
            print(f"  {ref}: {new_id}", file=stdout)
        print(f"Im ausgeblendeten Blatt „{ID_REGISTER_SHEET}“ vermerkt"
              + (" (neu angelegt)." if result and result.added_sheets else "."), file=stdout)
        if result and result.backup:
            print(f"Sicherungskopie der vorigen Fassung: {result.backup}", file=stdout)
    return 0


def _write(path: str, cells: dict, issued: list[str], key: str):
    """IDs into the Kundenliste, the issued ones into the register, and (when the workbook has
    none yet) the export key into C1 of the register, labelled in B1 (core/pseudonym.py)."""
    from ..core.book import ID_REGISTER_SHEET
    from ..core.errors import WorkbookUnreadable
    from ..core.ids import REGISTER_HEADER
    from ..core.pseudonym import KEY_CELL, KEY_HEADER
    from ..files.patch import Append, patch_workbook

    rows = [[i] for i in issued]
    if not key:
        return patch_workbook(path, cells=cells, append={ID_REGISTER_SHEET: Append(rows, header=[REGISTER_HEADER])})
    try:  # the register exists: the key goes into row 1 (B1 label, C1 key)
        return patch_workbook(path, cells={**cells, ID_REGISTER_SHEET: {"B1": KEY_HEADER, KEY_CELL: key}},
                              append={ID_REGISTER_SHEET: Append(rows, header=[REGISTER_HEADER])})
    except WorkbookUnreadable:  # no register yet (nothing was written): created with the key
        return patch_workbook(path, cells=cells, append={ID_REGISTER_SHEET: Append(
            rows or [[None]], header=[REGISTER_HEADER, KEY_HEADER, key])})
