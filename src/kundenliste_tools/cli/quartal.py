"""`kundenliste quartal MAPPE`: the anonymised quarterly export for the analyst (SPEC §6).

Reads the workbook, never writes it; writes `Quartal_<Zeitraum>_anonym.xlsx` beside it (or
`--out`).  Exit 0 when the export was written, 2 when it could not be.
"""

from __future__ import annotations

import argparse
import json
from typing import TextIO

from . import add_book_argument, progress


def register(sub: argparse._SubParsersAction) -> None:
    """Add `kundenliste quartal` to the subcommands."""
    parser = sub.add_parser(
        "quartal",
        help="anonymisierten Quartalsexport für die Auswertung schreiben",
        description="Schreibt die Daten eines Quartals ohne Namen, Adressen, Telefonnummern, "
        "E-Mail-Adressen, Geburtsdaten und Ausweis-, Steuer- oder Versicherungsnummern (auch von "
        "Dritten) in eine neue Datei; nur Werte aus den Listen der Mappe und die Namen der "
        "Beraterinnen gehen unverändert hinaus, eine ID, die keine ID ist, als Pseudonym: Blatt "
        "Kundenliste (ID, Erstkontakt, "
        "Akquise, Status, Berater), Blatt KundenDoku (Einträge des Zeitraums, Freitext "
        "anonymisiert), Blatt Auswertung (Kennzahlen mit Diagrammen, auch Erfolg, Aufwand und die "
        "letzten 8 Quartale) und Blatt Info. Ohne Angabe "
        "gilt der letzte abgelaufene Stichtag-Zeitraum (Stichtage 28. März, Juni, September, "
        "Dezember). Die Mappe selbst wird nicht verändert.",
    )
    add_book_argument(parser)
    which = parser.add_mutually_exclusive_group()
    which.add_argument(
        "--quartal", metavar="JJJJ-QN", help="Kalenderquartal, z. B. 2026-Q3 (1. Juli bis 30. September)"
    )
    which.add_argument(
        "--bis",
        metavar="JJJJ-MM-TT",
        help="Stichtag, z. B. 2026-09-28: vom Tag nach dem vorigen Stichtag bis zu diesem",
    )
    parser.add_argument(
        "--out",
        metavar="DATEI",  # or a folder: written into it
        help="Zieldatei (.xlsx); Standard: Quartal_<Zeitraum>_anonym.xlsx neben der Mappe",
    )
    parser.add_argument(
        "--regelwerk",
        metavar="NAME|DATEI",
        help="Regelwerk für den Anteil überfälliger Kunden; ohne Angabe das der Mappe, sonst vamv",
    )
    parser.add_argument(
        "--vergroebern",
        action="store_true",
        help="Erstkontakt nur als Monat (z. B. 2026-07) schreiben, damit mehr Kunden "
        "dieselben Merkmale teilen (das Blatt Info nennt k vorher wie nachher)",
    )
    parser.add_argument("--json", action="store_true",
                        help="Ergebnis als JSON ausgeben (für Programme), mit allen Tabellen der Auswertung")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """Write the anonymised export of the chosen period and say where it is."""
    from ..app.periods import choose_period
    from ..app.quarter import quarter_file

    period = choose_period(args.quartal, args.bis)  # a wrong period is refused before the read
    result = quarter_file(
        args.mappe,
        period,
        password=args.passwort,
        out=args.out,
        regelwerk=args.regelwerk,
        coarse=args.vergroebern,
        progress=lambda line: progress(stderr, line),
    )
    if args.json:
        json.dump(result.summary(), stdout, ensure_ascii=False)
        stdout.write("\n")
        return 0
    replaced = result.export.ids_replaced
    print(
        f"Quartalsexport {period.description}: {result.customers} Kunden, {result.entries} Einträge, anonymisiert.",
        file=stdout,
    )
    if replaced:
        print(
            f"{replaced} IDs, die keine IDs sind (weder vom Werkzeug vergeben noch Nummern), durch "
            "Export-Pseudonyme ersetzt.",
            file=stdout,
        )
    print(
        f"k = {result.export.k}: so viele Kunden teilen mindestens dieselben Werte in Erstkontakt, "
        "Akquise und Berater"
        + (" (Erstkontakt als Monat)." if args.vergroebern else "; --vergroebern schreibt Erstkontakt als Monat."),
        file=stdout,
    )
    print(f"Gespeichert: {result.path}", file=stdout)
    return 0
