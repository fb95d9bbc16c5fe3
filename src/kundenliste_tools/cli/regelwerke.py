"""`kundenliste regelwerke [NAME]`: the built-in rule sets, or one of them as a file to copy."""

from __future__ import annotations

import argparse
from typing import TextIO


def register(sub: argparse._SubParsersAction) -> None:
    """Add `kundenliste regelwerke` to the subcommands."""
    parser = sub.add_parser(
        "regelwerke",
        help="eingebaute Kontaktdichte-Regelwerke und ihre Quellen auflisten",
        description="Listet die eingebauten Regelwerke mit ihrer Quelle auf. Mit NAME wird das Regelwerk "
        "als Datei ausgegeben: als Vorlage für ein eigenes Kontaktdichtekonzept, z. B. "
        "„kundenliste regelwerke ba-2010 > mein-jobcenter.toml“, dann die Datei bearbeiten und mit "
        "„kundenliste faellig MAPPE --regelwerk mein-jobcenter.toml“ verwenden.",
    )
    parser.add_argument("name", metavar="NAME", nargs="?", help="dieses Regelwerk als Datei (TOML) ausgeben")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """List the shipped rule sets, or print one as TOML to copy."""
    from ..app.setup import ruleset_text, rulesets

    if args.name:
        stdout.write(ruleset_text(args.name))
        return 0
    sets = rulesets()
    width = max(len(r.name) for r in sets)
    stdout.write("Eingebaute Regelwerke (Auswahl mit --regelwerk NAME oder der Einstellung „Regelwerk“):\n\n")
    for r in sets:
        stdout.write(
            f"{r.name.ljust(width)}  {r.title}\n{' ' * width}  Quelle: {r.source}\n"
            f"{' ' * width}  zählt: {r.counts.text}; {len(r.rules)} Regeln\n"
        )
    return 0
