"""`kundenliste einrichten MAPPE [--server URL --token T]`: wire a workbook to this Python or to a
team server, so that installing is "install the package, run one command".

A thin door: `app.connect` decides and writes (losslessly); here only the arguments and the
German report.
"""

from __future__ import annotations

import argparse
import json
from typing import TextIO

from . import progress


def register(sub: argparse._SubParsersAction) -> None:
    """Add `kundenliste einrichten` to the subcommands."""
    parser = sub.add_parser(
        "einrichten",
        help="die Arbeitsmappe mit diesem Python oder einem Team-Server verbinden",
        description="Trägt in die Arbeitsmappe ein, wo ihre Knöpfe und die Prüfung beim Speichern "
        "kundenliste-tools finden: ohne Angabe den Pfad des Pythons, in dem dieser Befehl läuft "
        "(Blatt xlwings.conf, Interpreter_Win unter Windows, sonst Interpreter_Mac); mit --server die "
        "Adresse des Team-Servers und das Team-Token (Blatt Einstellungen, „Server“ und "
        "„Server-Token“). Nur diese Zellen ändern sich, alles andere bleibt Byte für Byte erhalten; "
        "daneben entsteht eine datierte Sicherungskopie. Die Mappe darf dabei nicht in Excel "
        "geöffnet sein.",
    )
    parser.add_argument("mappe", metavar="MAPPE", help="die Arbeitsmappe (.xlsm), z. B. Kundenliste.xlsm")
    parser.add_argument(
        "--server", metavar="URL", help="Adresse des Team-Servers (https://…) statt Python auf diesem PC"
    )
    parser.add_argument("--token", metavar="T", help="das Team-Token des Servers (nur mit --server)")
    parser.add_argument("--json", action="store_true", help="Ergebnis als JSON ausgeben")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """Write the configuration and say what it now is."""
    from ..app.connect import connect
    from ..core.errors import InvalidInput

    if args.token and not args.server:
        raise InvalidInput("token", "Ein Token gehört zu einem Server; bitte auch --server angeben.")
    result = connect(args.mappe, server=args.server, token=args.token, progress=lambda line: progress(stderr, line))
    if args.json:
        json.dump(
            {
                "python": result.python,
                "server": result.server,
                "written": result.written,
                "backup": str(result.backup) if result.backup else None,
            },
            stdout,
            ensure_ascii=False,
        )
        stdout.write("\n")
        return 0
    if result.server:
        print(f"{args.mappe} nutzt jetzt den Team-Server {result.server}; Python wird auf diesem PC nicht gebraucht.",
              file=stdout)
    else:
        print(f"{args.mappe} nutzt jetzt Python unter {result.python}.", file=stdout)
    if not result.changed:
        print("Die Mappe war schon so eingerichtet; sie wurde nicht geändert.", file=stdout)
    for sheet, values in result.written.items():
        for key, value in values.items():
            print(f"  {sheet}: {key} = {'(leer)' if value is None else _shown(key, value)}", file=stdout)
    if result.backup:
        print(f"Sicherungskopie der vorigen Fassung: {result.backup}", file=stdout)
    return 0


def _shown(key: str, value: str) -> str:
    """A token is not printed in full (terminal logs are read by others)."""
    from ..app.connect import TOKEN_KEY

    return value[:2] + "…" if key == TOKEN_KEY and len(value) > 4 else value
