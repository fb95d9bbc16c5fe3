"""`kundenliste faellig MAPPE`: who is overdue for a contact, under which rule, and why.

Read-only: the workbook is never written.  Exit 0 whenever the assessment ran (overdue
customers are the answer, not an error); 2 when it could not run.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, TextIO

from . import add_book_argument, progress
from .numbers import german_number

if TYPE_CHECKING:
    from ..app.due import DueResult


def register(sub: argparse._SubParsersAction) -> None:
    """Add `kundenliste faellig` to the subcommands."""
    parser = sub.add_parser(
        "faellig",
        help="überfällige Kundenkontakte nach einem Kontaktdichte-Regelwerk anzeigen",
        description="Zeigt für jeden Kunden, wann der nächste Kontakt fällig ist, ob er überfällig ist, "
        "welche Regel das entscheidet und warum – nach einem eingebauten Regelwerk (siehe "
        "„kundenliste regelwerke“), einer eigenen .toml-Datei oder dem Blatt „Regelwerk“ der Mappe. "
        "Dazu je Beraterin und Woche die gezählten Beratungsgespräche gegen die Quote und die Zahl "
        "aktiver Kunden gegen den Betreuungsschlüssel. Die Mappe wird nicht verändert.",
    )
    add_book_argument(parser)
    parser.add_argument(
        "--regelwerk",
        metavar="NAME|DATEI",
        help="eingebautes Regelwerk (z. B. ba-2010) oder Pfad einer .toml-Datei; ohne Angabe "
        "gilt das Blatt „Regelwerk“ der Mappe, sonst die Einstellung „Regelwerk“, sonst vamv",
    )
    parser.add_argument(
        "--stichtag",
        metavar="JJJJ-MM-TT",
        help="Tag, zu dem bewertet wird (Standard: Einstellung „Stichtag“, sonst heute)",
    )
    parser.add_argument(
        "--wochen",
        metavar="N",
        type=int,
        default=8,
        help="so viele Kalenderwochen bis zum Stichtag für die Beratungsgespräche (Standard: 8)",
    )
    parser.add_argument("--json", action="store_true", help="Ergebnis als JSON ausgeben (für Programme)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """Assess every customer and print the table or the JSON of SPEC §8."""
    from ..app.workbook import open_workbook, preload

    data = open_workbook(args.mappe, args.passwort, meanwhile=preload(".due"))  # imported while calamine parses
    from ..app.due import due

    result = due(
        data,
        regelwerk=args.regelwerk,
        stichtag=args.stichtag,
        weeks=args.wochen,
        progress=lambda line: progress(stderr, line),
    )
    if args.json:
        # dumps, not dump: dump encodes in small pieces in Python, dumps in C (issue 18)
        stdout.write(json.dumps(result.as_json(), ensure_ascii=False) + "\n")
    else:
        write_table(result, stdout)
    return 0


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def write_table(result: DueResult, out: TextIO) -> None:
    """A German table for people: summary, customers (overdue first), then the staff figures."""
    import numpy as np
    import pandas as pd

    from ..app.due import iso

    rules, stichtag, table, staff = result.rules, result.stichtag, result.customers, result.advisors
    out.write(f"Fälligkeiten zum {stichtag.isoformat()} nach Regelwerk {rules.name} ({rules.title})\n")
    out.write(
        f"{len(table)} Kunden: {result.overdue} überfällig, "
        f"{result.soon} in den nächsten {result.soon_days} Tagen fällig, "
        f"{result.not_assessable} nicht bewertbar.\n\n"
    )
    header = ["ID", "Berater", "Lage", "Fällig am", "Tage", "Regel", "Grund"]
    columns = [
        table["id"].astype(str),
        table["berater"].astype(str),
        table["lage"].astype(str),
        iso(table["due"]).astype(str),
        table["days_overdue"].astype(str).where(table["overdue"], ""),
        table["rule"].astype(str),
    ]
    # each distinct value cut and padded once, the lines glued column by column (issue 18)
    cells = [pd.factorize(c.to_numpy(dtype=object)) for c in columns]
    cut = [(codes, [_cut(u, 30) for u in uniques]) for codes, uniques in cells]
    widths = [max([len(h)] + [len(t) for t in texts]) for h, (_, texts) in zip(header, cut)]
    out.write("  ".join(h.ljust(widths[i]) if i < 6 else h for i, h in enumerate(header)) + "\n")
    lines = np.full(len(table), "", dtype=object)
    for (codes, texts), width in zip(cut, widths):
        lines = lines + np.array([t.ljust(width) + "  " for t in texts] + [""], dtype=object)[codes]
    lines = lines + table["reason"].astype(str).to_numpy(dtype=object) + "\n"
    out.write("".join(lines.tolist()))
    if not staff:
        return
    quota = rules.staff.per_week
    out.write(
        "\nBeratungsgespräche je Kalenderwoche"
        + (f" (Soll {german_number(quota)} je Vollzeitkraft, Teilzeit anteilig)" if quota else "")
        + ":\n"
    )
    for a in staff:
        weeks = ", ".join(
            f"{w['week'][-3:]}: {w['count']}"
            + (f"/{german_number(w['quota'])}" if w["quota"] is not None else "")
            + (" (laufend)" if w["partial"] else "")
            for w in a["weeks"]
        )
        out.write(f"  {a['berater']} ({german_number(a['stellenanteil'])} Stelle): {weeks}; "
                  f"nicht erschienen (26 Wochen): {german_number(round(100 * a['no_show_rate'], 1))} %\n")
    if rules.staff.caseload:
        out.write(f"\nAktive Kunden je Beraterin (Betreuungsschlüssel 1:{rules.staff.caseload}, Teilzeit anteilig):\n")
        for a in staff:
            flag = "  – über dem Schlüssel" if a["over_caseload"] else ""
            limit = german_number(a["caseload_limit"])
            out.write(f"  {a['berater']}: {a['active_customers']} von höchstens {limit}{flag}\n")
