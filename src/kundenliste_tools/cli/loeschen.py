"""`kundenliste loeschen MAPPE (--id ID … | --abgeschlossen-vor JJJJ-MM-TT) [--ja]` (Art. 17 DSGVO).

Without `--ja` it only lists what it would erase and changes nothing.  With `--ja` it erases in
place (app/privacy.py: no backup of the erased data, a row per customer in the hidden
Löschprotokoll) and lists the earlier backups that still hold the data;
`--sicherungen-loeschen` deletes exactly those.
"""

from __future__ import annotations

import argparse
import json
from typing import TextIO

from . import add_book_argument, progress


def register(sub: argparse._SubParsersAction) -> None:
    """Add `kundenliste loeschen` to the subcommands."""
    parser = sub.add_parser(
        "loeschen",
        help="Kunden löschen (Art. 17 DSGVO, Löschfrist); ohne --ja nur anzeigen",
        description="Löscht die persönlichen Angaben von Kundinnen und Kunden in der Mappe selbst: "
        "Namen, Anschrift, Telefon, E-Mail, Geburtsdatum und Spalten, die das Werkzeug nicht kennt, "
        "werden geleert, der Freitext ihrer Einträge wird zu „[gelöscht]“, und wo andere Einträge sie "
        "nennen (in jeder Schreibweise), wird der Name usw. ersetzt. ID, Erstkontakt, Akquise, "
        "Status, Berater und die Datumsangaben bleiben, damit die Statistik stimmt; die ID wird nie "
        "wieder vergeben. Es entsteht KEINE Sicherungskopie; das ausgeblendete Blatt „Löschprotokoll“ "
        "vermerkt Zeitpunkt, ID, Art und Zahl der gelöschten Angaben und den Grund, ohne persönliche "
        "Daten. Ohne --ja wird nur angezeigt, was gelöscht würde.",
    )
    add_book_argument(parser)
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--id", metavar="ID", nargs="+", help="die ID(s) der zu löschenden Kunden")
    which.add_argument("--abgeschlossen-vor", metavar="JJJJ-MM-TT", dest="abgeschlossen_vor",
                       help="alle abgeschlossenen Kunden, deren letzter Eintrag (sonst Erstkontakt) vor "
                       "diesem Tag liegt (Löschfrist)")
    parser.add_argument("--ja", action="store_true", help="wirklich löschen (ohne: nur anzeigen)")
    parser.add_argument("--grund", metavar="TEXT", default="",
                        help="Anlass für das Löschprotokoll, z. B. „Antrag vom 2026-11-30“ oder „Löschfrist“")
    parser.add_argument("--sicherungen-loeschen", action="store_true", dest="sicherungen_loeschen",
                        help="mit --ja: die älteren Sicherungskopien der Mappe löschen, die die "
                        "gelöschten Daten noch enthalten")
    parser.add_argument("--json", action="store_true", help="Ergebnis als JSON ausgeben (für Programme)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """Preview or erase; list the backups that still hold the data."""
    from ..app.privacy import erase

    result = erase(args.mappe, args.id, args.abgeschlossen_vor, confirm=args.ja, grund=args.grund,
                   delete_backups=args.sicherungen_loeschen, password=args.passwort,
                   progress=lambda line: progress(stderr, line))
    plan = result.plan
    if args.json:
        json.dump({
            "geloescht": result.written,
            "kunden": [{"id": e.id, "zeile": e.row, "zellen": e.cells, "angaben": dict(e.categories)}
                       for e in plan.customers],
            "zellen": plan.changes,
            "erwaehnungen": plan.mentions,
            "andere_blaetter": plan.elsewhere,
            "sicherungen": [{"datei": str(b.path), "zellen": b.cells, "lesbar": b.readable,
                             "geloescht": b.deleted} for b in result.backups],
            "noch_in_der_datei": [{"teil": part, "hinweis": hint} for part, hint in result.copies_left],
        }, stdout, ensure_ascii=False)
        stdout.write("\n")
        return 1 if result.copies_left else 0
    if not plan.customers:
        print("Keine Kundin und kein Kunde passt; es wurde nichts gelöscht.", file=stdout)
    elif not plan.changes:
        print("Zu " + ", ".join(result.ids) + " ist nichts (mehr) zu löschen; die Mappe wurde nicht "
              "geändert.", file=stdout)
    else:
        verb = "Gelöscht" if result.written else "Würde löschen"
        print(f"{verb}: {len(plan.customers)} Kunden, {plan.changes} Zellen "
              f"(davon {plan.mentions} Erwähnungen in Einträgen anderer Kunden):", file=stdout)
        for e in plan.customers:
            print(f"  ID {e.id} (Zeile {e.row}): {e.describe() or 'nichts'}", file=stdout)
        if plan.elsewhere:
            print("  in anderen Blättern ersetzt: " + ", ".join(f"„{s}“ {n} Zellen" for s, n in plan.elsewhere.items()),
                  file=stdout)
        if result.written:
            print("Im ausgeblendeten Blatt „Löschprotokoll“ vermerkt; keine Sicherungskopie angelegt.",
                  file=stdout)
        else:
            print("Nichts geändert. Zum Löschen denselben Befehl mit --ja ausführen.", file=stdout)
    for b in result.backups:
        what = "gelöscht" if b.deleted else ("enthält die Daten noch" if b.readable
                                             else "nicht lesbar, kann die Daten enthalten")
        print(f"Sicherungskopie {b.path}: {what}", file=stdout)
    if result.backups and not any(b.deleted for b in result.backups):
        print("Diese Sicherungskopien mit --ja --sicherungen-loeschen löschen (oder von Hand).", file=stdout)
    for part, hint in result.copies_left:
        print(f"Achtung, noch in der Datei ({part}): {hint}.", file=stdout)
    return 1 if result.copies_left else 0
