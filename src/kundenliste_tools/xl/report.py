"""The `Prüfbericht` sheet: every finding with a link to its cell.

Its layout is an interface with the workbook's VBA, which reads B1 after the on-save run:
A1 "Fehler"/B1 count, A2 "Warnungen"/B2 count, A3 "Geprüft am"/B3 time as text, row 5 the
header, findings from row 6.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Sequence

from ..core import model
from ..core.findings import SEVERITY_DE, Finding, count
from ..core.marks import MAX_MARKS
from .common import as_text, tool_sheet

REPORT_HEADER = ["Art", "Blatt", "Zelle", "Zeile", "Feld", "Meldung", "Vorschlag", "Code"]
REPORT_FIRST_ROW = 6
REPORT_WIDTHS = (10, 14, 9, 7, 16, 90, 22, 24)


def write_report(book: Any, findings: Sequence[Finding], now: dt.datetime | None = None, capped: bool = False) -> None:
    """Rewrite the Prüfbericht: summary block, header in row 5, one row per finding."""
    now = now or dt.datetime.now()
    errors, warnings = count(findings)
    width = len(REPORT_HEADER)
    hint = ""
    if capped:
        hint = f"Markiert sind die ersten {MAX_MARKS} Zellen; alle Befunde stehen in der Liste."
    elif not findings:
        hint = "Keine Befunde."
    top: list[list[Any]] = [
        ["Fehler", errors],
        ["Warnungen", warnings],
        ["Geprüft am", as_text(now.strftime("%Y-%m-%d %H:%M"))],
        [as_text(hint) if hint else None],
        REPORT_HEADER,
    ]
    rows = [[*r, *([None] * (width - len(r)))] for r in top]
    for f in findings:
        rows.append(
            [
                SEVERITY_DE[f.severity],
                as_text(f.sheet),
                link(f.sheet, f.cell),
                f.row,
                as_text(f.field),
                as_text(f.message),
                as_text(f.suggestion or ""),
                f.code,
            ]
        )
    sheet = tool_sheet(book, model.PRUEFBERICHT, widths=REPORT_WIDTHS)
    sheet.clear_contents()
    sheet.range((1, 1)).value = rows


def link(sheet: str, cell: str) -> str:
    """A HYPERLINK formula that jumps to the cell (English function name: Excel translates)."""
    target = "#'" + sheet.replace("'", "''") + "'!" + cell
    return f'=HYPERLINK("{target.replace(chr(34), chr(34) * 2)}","{cell}")'
