"""`kundenliste ids MAPPE`: fill every blank ID of the Kundenliste in place (or print new ones).

A thin door: the core decides which rows need an ID and draws them, `files.patch` writes them
(and the register of issued IDs) into the user's own file without touching anything else.
"""

from __future__ import annotations

import argparse
import json
from typing import TextIO

from ..core.model import ID_REGISTER_SHEET
from . import add_book_argument, progress


def register(sub: argparse._SubParsersAction) -> None:
    """Add `kundenliste ids` to the subcommands."""
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
    parser.add_argument(
        "--anzahl",
        metavar="N",
        type=int,
        help="nur N neue IDs ausgeben, nichts in die Mappe schreiben (sie sind dann nicht im ID-Register vermerkt)",
    )
    parser.add_argument("--json", action="store_true", help="Ergebnis als JSON ausgeben")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """Fill blank IDs in place, or only show new ones (`--anzahl`)."""
    from ..app.ids import draft_ids, issue_ids
    from ..app.workbook import open_workbook

    if args.anzahl is not None:
        fresh = draft_ids(open_workbook(args.mappe, args.passwort), args.anzahl)
        if args.json:
            json.dump({"ids": fresh, "written": False}, stdout, ensure_ascii=False)
            stdout.write("\n")
        else:
            stdout.write("\n".join(fresh) + "\n")
            progress(
                stderr,
                f"{len(fresh)} neue IDs (in der Mappe noch nicht vorhanden); nichts "
                "geschrieben und nicht im ID-Register vermerkt.",
            )
        return 0

    result = issue_ids(args.mappe, args.passwort, progress=lambda line: progress(stderr, line))
    key_created = bool(result.plan.export_key)
    if args.json:
        json.dump(
            {
                "issued": [{"row": i.row, "cell": i.cell, "id": i.id} for i in result.issued],
                "backup": str(result.backup) if result.backup else None,
                "register_created": result.register_created,
                "export_key_created": key_created,
            },
            stdout,
            ensure_ascii=False,
        )
        stdout.write("\n")
    elif not result.issued:
        print(
            "Alle Zeilen der Kundenliste haben eine ID"
            + (
                "; der Schlüssel für die Export-Pseudonyme wurde im ausgeblendeten Blatt "
                f"„{ID_REGISTER_SHEET}“ angelegt."
                if key_created
                else "; die Mappe wurde nicht geändert."
            ),
            file=stdout,
        )
    else:
        print(f"{len(result.issued)} neue IDs vergeben in „{result.plan.sheet}“ der Mappe {args.mappe}:", file=stdout)
        for i in result.issued:
            print(f"  {i.cell}: {i.id}", file=stdout)
        print(
            f"Im ausgeblendeten Blatt „{ID_REGISTER_SHEET}“ vermerkt"
            + (" (neu angelegt)." if result.register_created else "."),
            file=stdout,
        )
        if result.backup:
            print(f"Sicherungskopie der vorigen Fassung: {result.backup}", file=stdout)
    return 0
