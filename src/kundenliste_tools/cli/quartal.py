"""`kundenliste quartal MAPPE`: the anonymised quarterly export for the analyst (SPEC §6).

Reads the workbook, never writes it; writes `Quartal_<Zeitraum>_anonym.xlsx` beside it (or
`--out`).  Exit 0 when the export was written, 2 when it could not be.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path
from typing import TextIO

from . import add_book_argument, progress


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "quartal",
        help="anonymisierten Quartalsexport für die Auswertung schreiben",
        description="Schreibt die Daten eines Quartals ohne Namen, Adressen, Telefonnummern, "
        "E-Mail-Adressen, Geburtsdaten und Ausweis-, Steuer- oder Versicherungsnummern (auch von "
        "Dritten) in eine neue Datei; nur Werte aus den Listen der Mappe und die Namen der "
        "Beraterinnen gehen unverändert hinaus, eine ID, die keine ID ist, als Pseudonym: Blatt Kundenliste (ID, Erstkontakt, "
        "Akquise, Status, Berater), Blatt KundenDoku (Einträge des Zeitraums, Freitext "
        "anonymisiert), Blatt Auswertung (Kennzahlen mit Diagrammen) und Blatt Info. Ohne Angabe "
        "gilt der letzte abgelaufene Stichtag-Zeitraum (Stichtage 28. März, Juni, September, "
        "Dezember). Die Mappe selbst wird nicht verändert.",
    )
    add_book_argument(parser)
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--quartal", metavar="JJJJ-QN",
                       help="Kalenderquartal, z. B. 2026-Q3 (1. Juli bis 30. September)")
    which.add_argument("--bis", metavar="JJJJ-MM-TT",
                       help="Stichtag, z. B. 2026-09-28: vom Tag nach dem vorigen Stichtag bis zu diesem")
    parser.add_argument("--out", metavar="DATEI",  # or a folder: written into it
                        help="Zieldatei (.xlsx); Standard: Quartal_<Zeitraum>_anonym.xlsx neben der Mappe")
    parser.add_argument("--regelwerk", metavar="NAME|DATEI",
                        help="Regelwerk für den Anteil überfälliger Kunden; ohne Angabe das der Mappe, sonst vamv")
    parser.add_argument("--vergroebern", action="store_true",
                        help="Erstkontakt nur als Monat (z. B. 2026-07) schreiben, damit mehr Kunden "
                        "dieselben Merkmale teilen (das Blatt Info nennt k vorher wie nachher)")
    parser.add_argument("--json", action="store_true", help="Ergebnis als JSON ausgeben (für Programme)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from ..core.periods import resolve_period
    from ..files.export import default_name, export_quarter
    from ..files.reader import read_workbook

    period = resolve_period(args.quartal, args.bis, dt.date.today())
    book = Path(args.mappe)
    out = Path(args.out) if args.out else book.with_name(default_name(period))
    if args.out and out.is_dir():  # a folder: the export goes into it under its usual name
        out = out / default_name(period)
    data = read_workbook(book, args.passwort)
    progress(stderr, f"Exportiere {period.description}: {len(data.kunden)} Kunden, {len(data.doku)} Einträge "
             "werden gelesen und anonymisiert …")
    result = export_quarter(data, period, out, args.regelwerk, source=book, coarse=args.vergroebern)
    info = dict(result.export.info)
    summary = {
        "datei": str(result.path),
        "zeitraum": {"art": period.kind, "bezeichnung": period.label,
                     "von": period.start.isoformat(), "bis": period.end.isoformat()},
        "kunden": info["Kunden im Export"],
        "eintraege": info["Einträge im Export (KundenDoku)"],
        "regelwerk": result.regelwerk,
        "ersetzt": result.export.scrubbed,
        "ids_pseudonymisiert": result.export.ids_replaced,
        "k": result.export.k,
        "erstkontakt": "Monat" if args.vergroebern else "Tag",
    }
    if args.json:
        json.dump(summary, stdout, ensure_ascii=False)
        stdout.write("\n")
    else:
        print(f"Quartalsexport {period.description}: {summary['kunden']} Kunden, "
              f"{summary['eintraege']} Einträge, anonymisiert.", file=stdout)
        if result.export.ids_replaced:
            print(f"{result.export.ids_replaced} IDs, die keine IDs sind (weder vom Werkzeug vergeben noch "
                  "Nummern), durch Export-Pseudonyme ersetzt.", file=stdout)
        print(f"k = {result.export.k}: so viele Kunden teilen mindestens dieselben Werte in Erstkontakt, "
              f"Akquise und Berater" + (" (Erstkontakt als Monat)." if args.vergroebern else
                                        "; --vergroebern schreibt Erstkontakt als Monat."), file=stdout)
        print(f"Gespeichert: {result.path}", file=stdout)
    return 0
