"""`kundenliste auskunft MAPPE ID`: everything the workbook holds about one customer (Art. 15 DSGVO).

Reads the workbook, never writes it; writes `Auskunft_<ID>_<Datum>.xlsx` beside it (or `--out`).
"""

from __future__ import annotations

import argparse
import json
from typing import TextIO

from . import add_book_argument


def register(sub: argparse._SubParsersAction) -> None:
    """Add `kundenliste auskunft` to the subcommands."""
    parser = sub.add_parser(
        "auskunft",
        help="Auskunft nach Art. 15 DSGVO: alle Daten einer Kundin/eines Kunden in eine Datei",
        description="Schreibt alles, was die Mappe über eine Kundin oder einen Kunden enthält, in eine "
        "neue .xlsx-Datei: die Zeile der Kundenliste mit allen Spalten (auch denen, die das Werkzeug "
        "nicht kennt), alle Einträge der KundenDoku und jede Stelle bei anderen Kunden, die sie oder "
        "ihn nennt (in jeder Schreibweise gefunden). Angaben über andere Personen sind darin "
        "unkenntlich gemacht; ein Blatt Info nennt Datum, Mappe und Inhalt. Die Mappe selbst wird "
        "nicht verändert.",
    )
    add_book_argument(parser)
    parser.add_argument("id", metavar="ID", help="die ID der Kundin oder des Kunden")
    parser.add_argument("--out", metavar="DATEI",
                        help="Zieldatei (.xlsx) oder Ordner; Standard: Auskunft_<ID>_<Datum>.xlsx neben der Mappe")
    parser.add_argument("--json", action="store_true", help="Ergebnis als JSON ausgeben (für Programme)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """Write the Auskunft and say where it is."""
    from ..app.privacy import auskunft

    result = auskunft(args.mappe, args.id, args.out, args.passwort)
    if args.json:
        json.dump({"datei": str(result.path), "id": result.auskunft.id, "eintraege": result.entries,
                   "erwaehnungen": result.mentions}, stdout, ensure_ascii=False)
        stdout.write("\n")
        return 0
    print(f"Auskunft zu ID „{result.auskunft.id}“: die Zeile der Kundenliste, {result.entries} Einträge, "
          f"{result.mentions} Erwähnungen bei anderen Kunden.", file=stdout)
    print(f"Gespeichert: {result.path}", file=stdout)
    return 0
