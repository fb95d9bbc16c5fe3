"""`kundenliste vorlage [DATEI]`: build the empty team workbook."""

from __future__ import annotations

import argparse
from typing import TextIO

DEFAULT = "Kundenliste.xlsm"


def register(sub: argparse._SubParsersAction) -> None:
    """Add `kundenliste vorlage` to the subcommands."""
    p = sub.add_parser(
        "vorlage",
        help="leere Arbeitsmappe (Kundenliste.xlsm) mit Listen, Auswahlfeldern und Knöpfen erstellen",
        description="Erstellt die leere Arbeitsmappe mit den Blättern Kundenliste, KundenDoku, Listen, "
        "Einstellungen und Berater, mit Auswahllisten, ISO-Datumsformat und den Knöpfen für Python.",
    )
    p.add_argument(
        "datei",
        metavar="DATEI",
        nargs="?",
        default=DEFAULT,
        help=f"wohin die Arbeitsmappe geschrieben wird (Standard: {DEFAULT})",
    )
    p.add_argument("--ueberschreiben", action="store_true", help="eine vorhandene Datei ersetzen")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """Write the empty workbook."""
    from ..app.setup import build_template

    path = build_template(args.datei, overwrite=args.ueberschreiben)
    print(f"Vorlage geschrieben: {path}", file=stdout)
    return 0
