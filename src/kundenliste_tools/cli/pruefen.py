"""`kundenliste pruefen MAPPE [--json]`: check every field, print the findings.

Read-only: the workbook is never written.  Exit 0 = no error (warnings allowed), 1 = errors
found, 2 = the workbook could not be read (a `KundenlisteError`, handled in `cli.main`).
"""

from __future__ import annotations

import argparse
import itertools
import json
import unicodedata
from typing import Any, Iterator, Sequence, TextIO

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
    from ..app.check import check_file

    result = check_file(args.mappe, args.passwort, progress=lambda line: progress(stderr, line))
    if args.json:
        summary = dict(result.summary, skipped_rows=[s.to_dict() for s in result.skipped])  # SPEC §8 shape kept
        write_json(stdout, result.findings, summary)
    else:
        write_table(stdout, result.findings, result.summary)
    return 1 if result.errors else 0


def write_json(stdout: TextIO, findings: Sequence[Any], summary: dict[str, Any]) -> None:
    """`{"findings": [...], "summary": {...}}`, one finding per line.

    json's C encoder only runs without `indent`; with it, 150,000 findings took 6 s in the
    pure-Python encoder.  So each finding is encoded compactly (C) on a line of its own, which
    reads as well as the indented form and parses the same."""
    encode = json.JSONEncoder(ensure_ascii=False).encode
    stdout.write('{"findings": [')
    if findings:
        # encoded and written in slices: 150,000 lines at once (40 MB), joined, and their
        # UTF-8 copy would only add memory to fault in
        for text in _json_slices(findings, encode):
            stdout.write(text)
        stdout.write("\n")
    stdout.write('],\n"summary": ')
    json.dump(summary, stdout, ensure_ascii=False, indent=1)
    stdout.write("}\n")


def _json_slices(findings: Sequence[Any], encode: Any) -> Iterator[str]:
    """The findings' JSON lines, each after `,\\n ` (the first after `\\n `), `JSON_SLICE` lines
    at a time.  Only the cell and the row differ from finding to finding of one kind
    (`FindingTable`): the rest of the line is encoded once per kind, each distinct field value
    once, and the pieces of a slice are joined in one go, no `Finding` and no line made."""
    from ..core.findings import FindingTable

    table = FindingTable.of(findings)
    memo: dict[Any, str] = {}

    def once(value: Any) -> str:
        text = memo.get(value)
        if text is None:
            text = memo[value] = encode(value)
        return text

    heads = [f',\n {{"sheet": {once(sheet)}, "cell": "' for sheet, *_ in table.kinds]
    tails = [f', "field": {once(field)}, "severity": {once(severity)}, "code": {once(code)}, '
             f'"message": {encode(message)}, "suggestion": {once(suggestion)}}}'
             for _, field, severity, code, message, suggestion in table.kinds]
    kinds, cells = table.kind.tolist(), table.cells
    rows = map(str, table.rows.tolist())
    for start in range(0, len(cells), JSON_SLICE):
        stop = start + JSON_SLICE
        pieces = list(itertools.chain.from_iterable(zip(
            map(heads.__getitem__, kinds[start:stop]), cells[start:stop], itertools.repeat('", "row": '),
            itertools.islice(rows, stop - start), map(tails.__getitem__, kinds[start:stop]))))
        if not start:
            pieces[0] = pieces[0][1:]  # the first line: no comma before it
        yield "".join(pieces)


def write_table(stdout: TextIO, findings: Sequence[Any], summary: dict[str, Any]) -> None:
    """The table of `table_pieces`, written piece by piece: the whole table of 150,000
    findings as one string (twice, while it is put together, and in UCS-2 once an arrow is in
    it) cost 125 MB at the peak and the time to fault it in."""
    for piece in table_pieces(findings, summary):
        stdout.write(piece)


def table_pieces(findings: Sequence[Any], summary: dict[str, Any]) -> Iterator[str]:
    """A plain German table, one line per finding, the suggestion after an arrow; in pieces
    of up to `JSON_SLICE` lines."""
    from ..core.findings import SEVERITY_DE, FindingTable

    head = (
        f"Prüfung von {summary.get('book') or 'der Mappe'}: {summary['errors']} Fehler, "
        f"{summary['warnings']} Warnung{'' if summary['warnings'] == 1 else 'en'} "
        f"({summary.get('customers', 0)} Kunden, {summary.get('entries', 0)} Einträge in der KundenDoku)\n"
    )
    head += skipped_line(summary)
    if not findings:
        yield head + "Keine Befunde: alle Felder sind in Ordnung.\n"
        return
    # 100,000+ findings: widths from the kinds (`FindingTable`), each line's start and end made
    # once per kind; only the cell reference differs on every line
    table = FindingTable.of(findings)
    used = [table.kinds[k] for k in sorted(set(table.kind.tolist()))]
    sheets = {k[0] for k in used} | {TABLE_COLUMNS[0]}
    arts = {SEVERITY_DE[k[2]] for k in used} | {TABLE_COLUMNS[2]}
    fields = {k[1] for k in used} | {TABLE_COLUMNS[3]}
    cell_w = max(max(map(len, table.cells)), len(TABLE_COLUMNS[1]))
    widths = [max(map(_width, sheets)), cell_w, max(map(_width, arts)), max(map(_width, fields))]
    pad_sheet = {v: _pad(v, widths[0]) for v in sheets}
    pad_art = {v: _pad(SEVERITY_DE.get(v, v), widths[2]) for v in (*SEVERITY_DE, TABLE_COLUMNS[2])}
    pad_field = {v: _pad(v, widths[3]) for v in fields}
    title = "  ".join([pad_sheet[TABLE_COLUMNS[0]], TABLE_COLUMNS[1].ljust(cell_w),
                       pad_art[TABLE_COLUMNS[2]], pad_field[TABLE_COLUMNS[3]], TABLE_COLUMNS[4]])
    yield head + "\n" + title + "\n" + "  ".join("-" * w for w in widths) + "  " + "-" * 7 + "\n"
    starts, tails = [], []
    for sheet, field, severity, _, message, suggestion in table.kinds:
        text = message + (f" → {suggestion}" if suggestion and suggestion not in message else "")
        starts.append(f"{pad_sheet.get(sheet, sheet)}  ")
        tails.append(f"  {pad_art[severity]}  {pad_field.get(field, field)}  {text}".rstrip() + "\n")
    kinds, cells = table.kind.tolist(), table.cells
    for start in range(0, len(cells), JSON_SLICE):
        stop = start + JSON_SLICE
        yield "".join(itertools.chain.from_iterable(zip(
            map(starts.__getitem__, kinds[start:stop]), map(str.ljust, cells[start:stop], itertools.repeat(cell_w)),
            map(tails.__getitem__, kinds[start:stop]))))


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
