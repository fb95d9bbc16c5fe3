"""`kundenliste pruefen MAPPE [--json]`: check every field, print the findings.

Read-only: the workbook is never written.  Exit 0 = no error (warnings allowed), 1 = errors
found, 2 = the workbook could not be read (a `KundenlisteError`, handled in `cli.main`).
"""

from __future__ import annotations

import argparse
import json
import unicodedata
from typing import Any, TextIO

from . import add_book_argument, progress

TABLE_COLUMNS = ("Blatt", "Zelle", "Art", "Feld", "Meldung")


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "pruefen",
        help="alle Felder prüfen und die Befunde mit Zelle auflisten",
        description="Prüft jedes Feld der Kundenliste und der KundenDoku (Pflichtfelder, IDs, "
        "Datumsangaben im Format JJJJ-MM-TT, Listenwerte, PLZ, Telefon, E-Mail, Verweise der "
        "KundenDoku auf die Kundenliste) und listet jeden Befund mit Blatt und Zelle. Die Mappe "
        "wird nur gelesen. Rückgabe: 0 = keine Fehler (Warnungen möglich), 1 = Fehler gefunden, "
        "2 = Mappe nicht lesbar.",
    )
    add_book_argument(parser)
    parser.add_argument("--json", action="store_true",
                        help='Ergebnis als JSON: {"findings": [...], "summary": {...}}')
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from ..core.validation import summarize, validate
    from ..files.reader import read_workbook

    data = read_workbook(args.mappe, args.passwort)
    if len(data.doku) + len(data.kunden) > 50_000:
        progress(stderr, f"Prüfe {len(data.kunden)} Kunden und {len(data.doku)} Einträge …")
    findings = validate(data)
    summary = summarize(findings, data)
    if args.json:
        summary["skipped_rows"] = [s.to_dict() for s in data.skipped]  # SPEC §8 shape kept
        json.dump({"findings": [f.to_dict() for f in findings], "summary": summary}, stdout,
                  ensure_ascii=False, indent=1)
        stdout.write("\n")
    else:
        stdout.write(render_table(findings, summary))
    return 1 if summary["errors"] else 0


def render_table(findings: list[Any], summary: dict[str, Any]) -> str:
    """A plain German table, one line per finding, the suggestion after an arrow."""
    from ..core.findings import SEVERITY_DE

    head = (f"Prüfung von {summary.get('book') or 'der Mappe'}: {summary['errors']} Fehler, "
            f"{summary['warnings']} Warnung{'' if summary['warnings'] == 1 else 'en'} "
            f"({summary.get('customers', 0)} Kunden, {summary.get('entries', 0)} Einträge in der KundenDoku)\n")
    head += skipped_line(summary)
    if not findings:
        return head + "Keine Befunde: alle Felder sind in Ordnung.\n"
    rows = [TABLE_COLUMNS] + [
        (f.sheet, f.cell, SEVERITY_DE[f.severity], f.field,
         f.message + (f" → {f.suggestion}" if f.suggestion and f.suggestion not in f.message else ""))
        for f in findings
    ]
    widths = [max(_width(r[i]) for r in rows) for i in range(len(TABLE_COLUMNS) - 1)]
    lines = []
    for r in rows:
        cells = [_pad(r[i], widths[i]) for i in range(len(widths))] + [r[-1]]
        lines.append("  ".join(cells).rstrip())
    lines.insert(1, "  ".join("-" * w for w in widths) + "  " + "-" * 7)
    return head + "\n" + "\n".join(lines) + "\n"


def _width(text: str) -> int:
    """Display width: combining marks take no column (a NFD umlaut is one character)."""
    return sum(0 if unicodedata.combining(ch) else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def skipped_line(summary: dict[str, Any]) -> str:
    """One line on the rows that are not records (empty when there are none)."""
    from ..core.records import REASONS

    n = summary.get("skipped", 0)
    if not n:
        return ""
    parts = ", ".join(f"{REASONS[code]}: {count}" for code, count in summary["skipped_reasons"].items())
    return (f"Übersprungen: {n} Zeile{'' if n == 1 else 'n'} ohne Kunde oder Eintrag ({parts}); "
            "die Zeilennummern zeigt --json.\n")
