"""`kundenliste pruefen MAPPE [--json]`: check every field, print the findings.

Read-only: the workbook is never written.  Exit 0 = no error (warnings allowed), 1 = errors
found, 2 = the workbook could not be read (a `KundenlisteError`, handled in `cli.main`).
"""

from __future__ import annotations

import argparse
import json
import unicodedata
from typing import Any, Iterator, TextIO

from . import add_book_argument, progress

TABLE_COLUMNS = ("Blatt", "Zelle", "Art", "Feld", "Meldung")
#: Findings per write of `--json`.
JSON_SLICE = 10_000


def register(sub: argparse._SubParsersAction) -> None:
    """Add `kundenliste pruefen` to the subcommands."""
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
    parser.add_argument("--json", action="store_true", help='Ergebnis als JSON: {"findings": [...], "summary": {...}}')
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """Check the workbook and print the findings; exit 1 when there are errors."""
    from ..app.workbook import collector_paused

    # the cyclic collector off for the whole check: reading, 100,000+ findings and their
    # output make no reference cycles worth finding, and its passes over them cost 0.1–0.2 s
    with collector_paused():
        return _check(args, stdout, stderr)


def _check(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from ..app.check import prepare_checks
    from ..app.workbook import open_workbook

    data = open_workbook(args.mappe, args.passwort, meanwhile=prepare_checks)
    from ..app.check import check

    result = check(data, progress=lambda line: progress(stderr, line))
    if args.json:
        summary = dict(result.summary, skipped_rows=[s.to_dict() for s in result.skipped])  # SPEC §8 shape kept
        write_json(stdout, result.findings, summary)
    else:
        write_table(stdout, result.findings, result.summary)
    return 1 if result.errors else 0


def write_json(stdout: TextIO, findings: list[Any], summary: dict[str, Any]) -> None:
    """`{"findings": [...], "summary": {...}}`, one finding per line.

    json's C encoder only runs without `indent`; with it, 150,000 findings took 6 s in the
    pure-Python encoder.  So each finding is encoded compactly (C) on a line of its own, which
    reads as well as the indented form and parses the same."""
    encode = json.JSONEncoder(ensure_ascii=False).encode
    stdout.write('{"findings": [')
    if findings:
        # encoded and written in slices: 150,000 lines at once (40 MB), joined, and their
        # UTF-8 copy would only add memory to fault in
        heads: dict[str, str] = {}
        tails: dict[tuple[Any, ...], str] = {}
        for start in range(0, len(findings), JSON_SLICE):
            stdout.write(",\n " if start else "\n ")
            stdout.write(",\n ".join(_encoded(findings[start:start + JSON_SLICE], encode, heads, tails)))
        stdout.write("\n")
    stdout.write('],\n"summary": ')
    json.dump(summary, stdout, ensure_ascii=False, indent=1)
    stdout.write("}\n")


def _encoded(findings: list[Any], encode: Any, heads: dict[str, str] | None = None,
             tails: dict[tuple[Any, ...], str] | None = None) -> list[str]:
    """Each finding as compact JSON, the same text `encode(f.to_dict())` gives (a test holds
    it to that).  Only the cell and the row differ from finding to finding of one check and
    value, so the rest of the line is encoded once per (sheet, field, code, message,
    suggestion)."""
    heads = {} if heads is None else heads  # shared by the slices of one output
    tails = {} if tails is None else tails
    out = []
    for f in findings:
        head = heads.get(f.sheet)
        if head is None:
            head = heads[f.sheet] = f'{{"sheet": {encode(f.sheet)}, "cell": "'
        key = (f.field, f.severity, f.code, f.message, f.suggestion)
        tail = tails.get(key)
        if tail is None:
            tail = tails[key] = (
                f', "field": {encode(f.field)}, "severity": {encode(f.severity)}, '
                f'"code": {encode(f.code)}, "message": {encode(f.message)}, '
                f'"suggestion": {encode(f.suggestion)}}}'
            )
        out.append(f'{head}{f.cell}", "row": {f.row}{tail}')
    return out


def write_table(stdout: TextIO, findings: list[Any], summary: dict[str, Any]) -> None:
    """The table of `table_pieces`, written piece by piece: the whole table of 150,000
    findings as one string (twice, while it is put together, and in UCS-2 once an arrow is in
    it) cost 125 MB at the peak and the time to fault it in."""
    for piece in table_pieces(findings, summary):
        stdout.write(piece)


def table_pieces(findings: list[Any], summary: dict[str, Any]) -> Iterator[str]:
    """A plain German table, one line per finding, the suggestion after an arrow; in pieces
    of up to `JSON_SLICE` lines."""
    from ..core.findings import SEVERITY_DE

    head = (
        f"Prüfung von {summary.get('book') or 'der Mappe'}: {summary['errors']} Fehler, "
        f"{summary['warnings']} Warnung{'' if summary['warnings'] == 1 else 'en'} "
        f"({summary.get('customers', 0)} Kunden, {summary.get('entries', 0)} Einträge in der KundenDoku)\n"
    )
    head += skipped_line(summary)
    if not findings:
        yield head + "Keine Befunde: alle Felder sind in Ordnung.\n"
        return
    # 100,000+ findings: widths from the distinct values of the short columns, each padded
    # cell made once per distinct value; only the cell reference differs on every line
    sheets = {f.sheet for f in findings} | {TABLE_COLUMNS[0]}
    arts = {SEVERITY_DE[f.severity] for f in findings} | {TABLE_COLUMNS[2]}
    fields = {f.field for f in findings} | {TABLE_COLUMNS[3]}
    cell_w = max(max(len(f.cell) for f in findings), len(TABLE_COLUMNS[1]))
    widths = [max(map(_width, sheets)), cell_w, max(map(_width, arts)), max(map(_width, fields))]
    pad_sheet = {v: _pad(v, widths[0]) for v in sheets}
    pad_art = {v: _pad(SEVERITY_DE.get(v, v), widths[2]) for v in (*SEVERITY_DE, TABLE_COLUMNS[2])}
    pad_field = {v: _pad(v, widths[3]) for v in fields}
    title = "  ".join([pad_sheet[TABLE_COLUMNS[0]], TABLE_COLUMNS[1].ljust(cell_w),
                       pad_art[TABLE_COLUMNS[2]], pad_field[TABLE_COLUMNS[3]], TABLE_COLUMNS[4]])
    yield head + "\n" + title + "\n" + "  ".join("-" * w for w in widths) + "  " + "-" * 7 + "\n"
    # only the cell differs from line to line of one check and value: the rest of the line is
    # made once per (severity, field, message, suggestion)
    tails: dict[tuple[Any, ...], str] = {}
    for start in range(0, len(findings), JSON_SLICE):
        lines = []
        for f in findings[start:start + JSON_SLICE]:
            key = (f.severity, f.field, f.message, f.suggestion)
            tail = tails.get(key)
            if tail is None:
                text = f.message + (f" → {f.suggestion}" if f.suggestion and f.suggestion not in f.message else "")
                tail = tails[key] = f"  {pad_art[f.severity]}  {pad_field[f.field]}  {text}".rstrip() + "\n"
            lines.append(f"{pad_sheet[f.sheet]}  {f.cell.ljust(cell_w)}{tail}")
        yield "".join(lines)


def _width(text: str) -> int:
    """Display width: combining marks take no column (a NFD umlaut is one character)."""
    if text.isascii():
        return len(text)
    return sum(0 if unicodedata.combining(ch) else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def skipped_line(summary: dict[str, Any]) -> str:
    """One line on the rows that are not records (empty when there are none)."""
    from ..app.check import SKIPPED_REASONS

    n = summary.get("skipped", 0)
    if not n:
        return ""
    parts = ", ".join(f"{SKIPPED_REASONS[code]}: {count}" for code, count in summary["skipped_reasons"].items())
    return (
        f"Übersprungen: {n} Zeile{'' if n == 1 else 'n'} ohne Kunde oder Eintrag ({parts}); "
        "die Zeilennummern zeigt --json.\n"
    )
