"""Real xlwings `Book`s for the Excel-door tests, built by the remote engine from a payload.

This is how xlwings Server talks to Excel: the client sends the workbook as JSON, the Python
code works on a genuine `xw.Book`, and every write is recorded as an action in `book.json()`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import xlwings as xw


def _cell(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if isinstance(value, dt.date):
        return f"{value.isoformat()}T00:00:00.000Z"
    return "" if value is None else value


def payload(sheets: dict[str, list[list[Any]]], name: str = "Kundenliste.xlsm") -> dict[str, Any]:
    """The JSON a VBA client sends for a workbook with these sheets (rows from A1)."""
    out = []
    for sheet_name, rows in sheets.items():
        width = max((len(r) for r in rows), default=0)
        values = [[_cell(v) for v in r] + [""] * (width - len(r)) for r in rows] or [[]]
        out.append({"name": sheet_name, "values": values, "pictures": [], "tables": []})
    return {
        "client": "VBA",
        "version": xw.__version__,
        "book": {"name": name, "active_sheet_index": 0, "selection": "A1"},
        "names": [],
        "sheets": out,
    }


def book(sheets: dict[str, list[list[Any]]], name: str = "Kundenliste.xlsm") -> xw.Book:
    return xw.Book(json=payload(sheets, name))


def actions(book: xw.Book, func: str | None = None) -> list[dict[str, Any]]:
    """The recorded writes, optionally only those of one kind (`setValues`, `setRangeColor`, …)."""
    acts = book.json()["actions"]
    return [a for a in acts if func is None or a["func"] == func]
