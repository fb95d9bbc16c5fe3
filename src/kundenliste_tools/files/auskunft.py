"""Writing the Auskunft file (Art. 15 DSGVO) with openpyxl.

Like the quarterly export (files/export.py) the file is built from nothing, never copied from
the workbook: no VBA, no hidden sheet, no comment, no defined name, neutral document
properties, so nothing but the tables of `core.access.Auskunft` is in it.  Text starting with
`= + - @` is written as text with Excel's quote prefix, never as a formula.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill

from ..core.access import MENTION_HEADER, Auskunft
from .export import DATE_FORMAT, RISKY_START, write_new_xlsx

CREATOR = "kundenliste-tools"
TITLE = "Auskunft nach Art. 15 DSGVO"
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def write_auskunft(auskunft: Auskunft, path: str | Path) -> Path:
    """Write the file atomically (temporary file, fsync, replace); refuse while it is open."""
    return write_new_xlsx(path, lambda fh: save_auskunft(auskunft, fh), "Die Auskunft",
                          "die Auskunft noch einmal erstellen")


def save_auskunft(auskunft: Auskunft, target: str | Path | BinaryIO) -> None:
    """The four sheets: Info, Kundenliste, KundenDoku, Erwähnungen."""
    wb = Workbook()
    props = wb.properties
    for name in ("title", "subject", "description", "keywords", "category", "lastModifiedBy",
                 "identifier", "language", "contentStatus", "version", "revision"):
        setattr(props, name, None)
    props.creator = CREATOR
    props.title = TITLE
    props.created = props.modified = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)
    info = wb.active
    info.title = "Info"
    _table(info, ["Angabe", "Wert"], [list(pair) for pair in auskunft.info], {"A": 22, "B": 70})
    _table(wb.create_sheet("Kundenliste"), auskunft.kunden_header, [auskunft.kunden_row], {})
    _table(wb.create_sheet("KundenDoku"), auskunft.doku_header, auskunft.doku_rows, {"D": 60, "E": 40})
    _table(wb.create_sheet("Erwähnungen"), MENTION_HEADER, auskunft.mentions, {"A": 14, "D": 18, "E": 80})
    wb.save(target)


def _table(ws: Any, header: list[Any], rows: list[list[Any]], widths: dict[str, float]) -> None:
    for col, name in enumerate(header, start=1):
        cell = ws.cell(1, col)
        _put(cell, name if name not in (None, "") else f"Spalte {col}")
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
    for r, row in enumerate(rows, start=2):
        for col, value in enumerate(row, start=1):
            _put(ws.cell(r, col), value)
    for letter, width in widths.items():
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"


def _put(cell: Any, value: Any) -> None:
    """A value as it stood in the workbook: text stays text, dates get the ISO format."""
    if value is None or (isinstance(value, float) and value != value):
        return
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # numpy scalars, NaT
        try:
            value = value.item()
        except (ValueError, TypeError):
            return
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.value = value
        cell.data_type = "s"
        if value.startswith(RISKY_START):
            cell.quotePrefix = True
        return
    if isinstance(value, (dt.datetime, dt.date)):
        cell.value = value.date() if isinstance(value, dt.datetime) and value.time() == dt.time() else value
        cell.number_format = DATE_FORMAT
        return
    if isinstance(value, (dt.time, dt.timedelta)):
        cell.value = str(value)
        cell.data_type = "s"
        return
    cell.value = value
