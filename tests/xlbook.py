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


def table(name: str, first_row: int, last_row: int, last_col: str, totals: bool) -> dict[str, Any]:
    """An Excel table (ListObject) as the client describes it: header in `first_row`, the
    totals row (when shown) in `last_row`."""
    body_end = last_row - 1 if totals else last_row
    return {
        "name": name,
        "range_address": f"$A${first_row}:${last_col}${last_row}",
        "header_row_range_address": f"$A${first_row}:${last_col}${first_row}",
        "data_body_range_address": f"$A${first_row + 1}:${last_col}${body_end}",
        "total_row_range_address": f"$A${last_row}:${last_col}${last_row}" if totals else None,
        "show_headers": True, "show_totals": totals, "table_style": "TableStyleMedium2",
        "show_autofilter": True, "show_table_style_first_column": False,
        "show_table_style_last_column": False, "show_table_style_row_stripes": True,
        "show_table_style_column_stripes": False,
    }


def payload(sheets: dict[str, list[list[Any]]], name: str = "Kundenliste.xlsm",
            tables: dict[str, list[dict[str, Any]]] | None = None) -> dict[str, Any]:
    """The JSON a VBA client sends for a workbook with these sheets (rows from A1)."""
    out = []
    for sheet_name, rows in sheets.items():
        width = max((len(r) for r in rows), default=0)
        values = [[_cell(v) for v in r] + [""] * (width - len(r)) for r in rows] or [[]]
        out.append({"name": sheet_name, "values": values, "pictures": [],
                    "tables": (tables or {}).get(sheet_name, [])})
    return {
        "client": "VBA",
        "version": xw.__version__,
        "book": {"name": name, "active_sheet_index": 0, "selection": "A1"},
        "names": [],
        "sheets": out,
    }


def book(sheets: dict[str, list[list[Any]]], name: str = "Kundenliste.xlsm",
         tables: dict[str, list[dict[str, Any]]] | None = None) -> xw.Book:
    return xw.Book(json=payload(sheets, name, tables))


def actions(book: xw.Book, func: str | None = None) -> list[dict[str, Any]]:
    """The recorded writes, optionally only those of one kind (`setValues`, `setRangeColor`, …)."""
    acts = book.json()["actions"]
    return [a for a in acts if func is None or a["func"] == func]
