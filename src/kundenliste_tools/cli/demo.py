"""`kundenliste demo [ORDNER]`: build a demo workbook with invented data and run everything on it.

The demo is a tour of the product, so it runs the other commands exactly as a user would (the
same handlers, their output saved to files in the folder) and prints where each result is.
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path
from typing import TextIO

DEFAULT_DIR = "kundenliste-demo"


def register(sub: argparse._SubParsersAction) -> None:
    """Add `kundenliste demo` to the subcommands."""
    p = sub.add_parser(
        "demo",
        help="Demo-Arbeitsmappe mit erfundenen Daten bauen und alle Auswertungen darauf ausführen",
        description="Baut eine Arbeitsmappe mit mehreren hundert erfundenen Kundinnen und Kunden "
        "(samt einiger absichtlicher Fehler), prüft sie, vergibt fehlende IDs, berechnet die "
        "Fälligkeiten nach jedem Regelwerk, erstellt den anonymen Quartalsexport und plant die "
        "Einladungen der nächsten Woche.",
    )
    p.add_argument(
        "ordner",
        metavar="ORDNER",
        nargs="?",
        default=DEFAULT_DIR,
        help=f"Ordner für die Demo-Dateien (Standard: {DEFAULT_DIR}): ein neuer oder leerer "
        "Ordner oder einer, den die Demo schon angelegt hat; fremde Dateien bleiben unberührt",
    )
    p.add_argument("--anzahl", type=int, default=300, metavar="N", help="Anzahl erfundener Kunden (Standard: 300)")
    p.set_defaults(handler=run)


def _step(title: str, argv: list[str], out: Path, stdout: TextIO, stderr: TextIO) -> int:
    """Run one command like a user, saving what it prints; report where it went."""
    from . import main

    buf = io.StringIO()
    code = main(argv, stdout=buf, stderr=stderr)
    out.write_text(buf.getvalue(), encoding="utf-8")
    meaning = {0: "ok", 1: "Befunde", 2: "FEHLER"}.get(code, str(code))
    print(f"  {title:<38} → {out.name}  (Rückgabe {code}: {meaning})", file=stdout)
    return code


def _names() -> list[str]:
    """Every file name the demo writes (besides the workbook's dated backups)."""
    from ..app.setup import DEMO_NAME, builtin_names

    return [
        DEMO_NAME,
        "pruefbericht.txt",
        "pruefbericht.json",
        "ids.txt",
        "faellig.json",
        *(f"faellig_{name}.txt" for name in builtin_names()),
        "quartal.txt",
        "Quartal_anonym.xlsx",
        "einladen.txt",
        "auskunft.txt",
        "Auskunft_Demo.xlsx",
        "loeschen_vorschau.txt",
        "einrichten.txt",
    ]


def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """Build the demo workbook in its own folder and run every command on it."""
    from ..app.setup import demo_folder

    own = demo_folder(args.ordner, _names())  # refuses a folder with other people's files
    own.record()
    try:
        return _tour(args, own.path, stdout, stderr)
    finally:
        own.record()


def _tour(args: argparse.Namespace, folder: Path, stdout: TextIO, stderr: TextIO) -> int:
    from ..app.setup import DEMO_NAME, build_demo_workbook
    from . import COMMANDS, progress

    book = folder / DEMO_NAME
    progress(stderr, f"Baue Demo-Arbeitsmappe mit {args.anzahl} erfundenen Kunden …")
    data = build_demo_workbook(book, args.anzahl)
    print(
        f"Demo-Arbeitsmappe: {book}  ({len(data.kunden)} Kunden, {len(data.doku)} Gespräche, "
        f"{len(data.mistakes)} absichtliche Fehler)",
        file=stdout,
    )
    failed = False
    if "pruefen" in COMMANDS:
        code = _step(
            "Prüfen (vor dem Vergeben der IDs)", ["pruefen", str(book)], folder / "pruefbericht.txt", stdout, stderr
        )
        _step("Prüfen als JSON", ["pruefen", str(book), "--json"], folder / "pruefbericht.json", stdout, stderr)
        failed |= code == 2
    if "ids" in COMMANDS:
        failed |= _step("IDs vergeben", ["ids", str(book)], folder / "ids.txt", stdout, stderr) == 2
    if "faellig" in COMMANDS:
        from ..app.setup import builtin_names

        for name in builtin_names():
            failed |= (
                _step(
                    f"Fälligkeiten nach {name}",
                    ["faellig", str(book), "--regelwerk", name],
                    folder / f"faellig_{name}.txt",
                    stdout,
                    stderr,
                )
                == 2
            )
        _step("Fälligkeiten (vamv) als JSON", ["faellig", str(book), "--json"], folder / "faellig.json", stdout, stderr)
    if "quartal" in COMMANDS:
        out = folder / "Quartal_anonym.xlsx"
        failed |= (
            _step(
                "Quartalsexport (letztes Stichtagsfenster)",
                ["quartal", str(book), "--out", str(out)],
                folder / "quartal.txt",
                stdout,
                stderr,
            )
            == 2
        )
        print(f"  Anonymer Export für die Auswertung:      {out}", file=stdout)
    if "einladen" in COMMANDS:  # seed 001: 25 Beratungsgespräche je Woche und Vollzeitkraft
        failed |= _step("Einladungen nächste Woche (lichtenberg-2013)",
                        ["einladen", str(book), "--regelwerk", "lichtenberg-2013"],
                        folder / "einladen.txt", stdout, stderr) == 2
    someone = next((str(row["ID"]) for row in data.kunden if str(row.get("ID") or "").strip()), "")
    if "auskunft" in COMMANDS and someone:  # Art. 15 DSGVO for the first customer
        failed |= _step(f"Auskunft für {someone}", ["auskunft", str(book), someone, "--out",
                                                    str(folder / "Auskunft_Demo.xlsx")],
                        folder / "auskunft.txt", stdout, stderr) == 2
    if "loeschen" in COMMANDS and someone:  # without --ja: only what would be erased, nothing changes
        failed |= _step(f"Löschen von {someone} (nur Vorschau)", ["loeschen", str(book), "--id", someone],
                        folder / "loeschen_vorschau.txt", stdout, stderr) == 2
    if "einrichten" in COMMANDS:  # this Python into the workbook's xlwings.conf: its buttons work here
        failed |= _step("Mappe mit diesem Python verbinden", ["einrichten", str(book)],
                        folder / "einrichten.txt", stdout, stderr) == 2
    print(f"Alle Ergebnisse liegen in {folder.resolve()}", file=stdout)
    return 2 if failed else 0
