"""`kundenliste einladen MAPPE [--woche 2026-W50]`: whom each counsellor invites in a week.

Read-only: the workbook is never written.  Exit 0 whenever the plan ran; 2 when it could not.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, TextIO

from . import add_book_argument
from .numbers import german_number

if TYPE_CHECKING:
    from ..app.plan import InvitationResult


def register(sub: argparse._SubParsersAction) -> None:
    """Add `kundenliste einladen` to the subcommands."""
    parser = sub.add_parser(
        "einladen",
        help="Einladungen der nächsten Woche je Beraterin planen (Quote, Feiertage, Nichterscheinen)",
        description="Plant je Beraterin, wen sie in einer Kalenderwoche einlädt: Wochenquote des Regelwerks "
        "× Stellenanteil (Blatt „Berater“), anteilig für die Arbeitstage ohne Feiertage des Bundeslands "
        "(Einstellung „Bundesland“), abzüglich der schon vereinbarten Folgetermine, geteilt durch den "
        "Anteil der Erscheinenden (Kontaktart „nicht erschienen“ in den 26 Wochen davor). Eingeladen "
        "wird, wer bis zum Sonntag der Woche fällig ist und dort noch keinen Folgetermin hat, die am "
        "längsten Überfälligen zuerst. Die Mappe wird nicht verändert.",
    )
    add_book_argument(parser)
    parser.add_argument("--woche", metavar="JJJJ-Www", help="Kalenderwoche, z. B. 2026-W50 (Standard: die nächste)")
    parser.add_argument(
        "--regelwerk",
        metavar="NAME|DATEI",
        help="eingebautes Regelwerk mit Wochenquote (lichtenberg-2013, aa90) oder eine .toml-Datei; ohne "
        "Angabe gilt das Blatt „Regelwerk“ der Mappe, sonst die Einstellung „Regelwerk“",
    )
    parser.add_argument("--json", action="store_true", help="Ergebnis als JSON ausgeben (für Programme)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """Plan the week and print the table or the JSON."""
    from ..app.workbook import open_workbook, preload

    data = open_workbook(args.mappe, args.passwort, meanwhile=preload(".plan"))  # imported while calamine parses
    from ..app.plan import invitations

    result = invitations(data, woche=args.woche, regelwerk=args.regelwerk)
    if args.json:
        json.dump(result.as_json(), stdout, ensure_ascii=False)
        stdout.write("\n")
    else:
        write_table(result, stdout)
    return 0


def _num(x: float) -> str:
    """At most two places: 12,5 Plätze, 18,75 Quote."""
    return german_number(round(x, 2))


def write_table(result: InvitationResult, out: TextIO) -> None:
    """A German overview per counsellor, then the IDs to invite (longest overdue first)."""
    week, rules = result.week, result.rules
    land = result.bundesland or "kein Bundesland eingestellt: nur bundesweite Feiertage"
    out.write(f"Einladungen für {week.label} ({week.monday.isoformat()} bis {week.sunday.isoformat()}) "
              f"nach Regelwerk {rules.name}, Quote {_num(rules.staff.per_week or 0)} je Vollzeitstelle; "
              f"Bundesland: {land}\n")
    days = ", ".join(f"{d.isoformat()} {name}" for d, name in sorted(result.holidays.items()))
    out.write(f"Feiertage Mo–Fr: {days or 'keine'}\n")
    out.write(f"{len(result.advisors)} Beraterinnen, zusammen {result.total} Einladungen.\n")
    for a in result.advisors:
        out.write(
            f"\n{a.berater} ({_num(a.stellenanteil)} Stelle): Quote {_num(a.quota)} × {a.working_days}/5 "
            f"Arbeitstage − {a.already_agreed} vereinbart = {_num(a.capacity)} Plätze; nicht erschienen "
            f"{a.no_shows} von {a.appointments} ({_num(round(100 * a.no_show_rate, 1))} %) → "
            f"{a.invitations} Einladungen ({a.candidates} fällig)\n"
        )
        for i in a.invite:
            late = f"{i.days_overdue} Tage überfällig" if i.days_overdue else "fällig in der Woche"
            out.write(f"  {i.id:<10} fällig {i.due.isoformat()}  {late:<22} {i.rule}\n")
