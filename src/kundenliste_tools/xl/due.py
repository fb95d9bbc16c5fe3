"""The "Fälligkeiten" button: due dates into the Kundenliste and a filterable `Fälligkeiten` sheet.

A thin adapter: the use case `app.due` assesses (rule set from the workbook: `Regelwerk` sheet,
else the setting, else vamv; Stichtag from the setting, else today); here we only write.

- Kundenliste, column `Fällig am` (added at the end of the header row if missing): the due
  date of every customer, "nicht bewertbar" where the table cannot decide, blank otherwise,
  in ONE range write.  The template's conditional formatting colours it live (red overdue,
  amber within 14 days), so the colours stay right tomorrow without pressing the button again.
- Sheet `Fälligkeiten` (created after the KundenDoku if missing, rewritten otherwise): a title
  line, then an Excel table (autofilter: filter by Berater, Lage, Regel) sorted overdue first,
  then due within 14 days, then the rest.  One range write for all values.
- Sheet `Beratungsgespräche` (for team leads, SPEC §1): per counsellor the counted
  conversations of the last weeks (one column per ISO week) against the rule set's weekly
  quota (pro rata by Stellenanteil), and active customers against the caseload ratio.  The
  figures are `core.staff`'s; one range write.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from ..app.due import DueResult, due
from ..core.book import WorkbookData, column_letter
from ..core.columns import texts
from ..core.model import BERATUNGSGESPRAECHE, DUE_COLUMN, FAELLIGKEITEN, KUNDENDOKU, KUNDENLISTE, ROW, normalize_key
from ..core.reasons import NICHT_BEWERTBAR
from .common import find_sheet, status, tell, workbook_data

SHEET_COLUMNS = [
    "ID",
    "Name",
    "Berater",
    "Status",
    "Lage",
    "Fällig am",
    "Tage überfällig",
    "Regel",
    "Grund",
    "Letzter Kontakt",
    "Zeile",
]
TABLE_NAME = "Faelligkeiten"
TABLE_ROW = 3  # title in row 1, table header in row 3
DATE_FORMAT = "yyyy-mm-dd"  # Range.NumberFormat takes the English codes in every Excel language
NOT_ASSESSABLE = NICHT_BEWERTBAR


def faelligkeiten(book: Any, today: dt.date | None = None) -> pd.DataFrame:
    """Assess the open workbook and write both views; returns the ordered assessment."""
    status(book, "Fälligkeiten werden berechnet …")
    data = workbook_data(book)
    result = due(data, today=today)
    write_due_column(book, data, result.customers)
    listing = write_sheet(book, data, result)
    write_staff_sheet(book, data, result, after=listing)
    listing.activate()
    status(book, None)
    tell(
        book,
        f"Fälligkeiten zum {result.stichtag.isoformat()} nach Regelwerk „{result.rules.name}“: "
        f"{result.overdue} überfällig, {result.soon} in den nächsten {result.soon_days} Tagen fällig, "
        f"{result.not_assessable} nicht bewertbar. "
        f"Die Liste steht im Blatt „{FAELLIGKEITEN}“, das Datum in der Spalte „{DUE_COLUMN}“, "
        f"die Gespräche je Berater und Woche im Blatt „{BERATUNGSGESPRAECHE}“.",
    )
    return result.customers


def _cells(series: pd.Series) -> pd.Series:
    """Values as Excel cells: dates as `datetime.date`, missing as None (no NaN/NaT objects)."""
    if pd.api.types.is_datetime64_any_dtype(series):
        out = pd.Series(series.dt.date, index=series.index, dtype=object)
        return out.where(series.notna(), None)
    return series.astype(object).where(series.notna(), None)


def due_cells(result: pd.DataFrame) -> pd.Series:
    """The `Fällig am` value per customer: the date, "nicht bewertbar", or blank."""
    cells = _cells(result["due"])
    return cells.where(result["assessable"] | result["due"].notna(), NOT_ASSESSABLE)


def write_due_column(book: Any, data: WorkbookData, result: pd.DataFrame) -> str:
    """Write `Fällig am` for every Kundenliste row in one range write; returns its address."""
    layout = data.layouts[KUNDENLISTE]
    sheet = book.sheets[layout.name]
    headers = [normalize_key(h) for h in layout.headers]
    head = layout.header_row  # a title may stand above the header (issue 12)
    if normalize_key(DUE_COLUMN) in headers:
        col, first = headers.index(normalize_key(DUE_COLUMN)), head + 1
    else:
        col = max((i for i, h in enumerate(headers) if h), default=-1) + 1
        first = head
    last = int(result[ROW].max()) if len(result) else head
    by_row = pd.Series(due_cells(result).to_numpy(), index=result[ROW].to_numpy())
    by_row = by_row[~by_row.index.duplicated()].reindex(range(head + 1, last + 1)).astype(object)
    column = by_row.where(by_row.notna(), None).tolist()
    values: list[list[Any]] = [[DUE_COLUMN]] if first == head else []
    values += [[v] for v in column]
    if not values:
        return ""
    target = sheet.range((first, col + 1), (first + len(values) - 1, col + 1))
    target.value = values
    if first == head and len(values) > 1:
        sheet.range((head + 1, col + 1), (last, col + 1)).number_format = DATE_FORMAT
    return target.address


def _names(data: WorkbookData) -> pd.Series:
    """`Vorname Nachname` per Kundenliste record (inside the workbook: the team's own data)."""
    first, last = texts(data.kunden["VName"]), texts(data.kunden["NName"])
    return (first + " " + last).str.strip().reset_index(drop=True)


def sheet_rows(data: WorkbookData, result: pd.DataFrame) -> list[list[Any]]:
    """The table body in the order of `result` (already sorted by `ordered`)."""
    names = pd.Series(_names(data).to_numpy(), index=data.kunden[ROW].to_numpy())
    names = names[~names.index.duplicated()]
    body = pd.DataFrame(
        {
            "ID": result["id"].astype(object),
            "Name": names.reindex(result[ROW].to_numpy()).fillna("").to_numpy(),
            "Berater": result["berater"],
            "Status": result["status"],
            "Lage": result["lage"],
            "Fällig am": _cells(result["due"]),
            "Tage überfällig": result["days_overdue"].astype(object).where(result["overdue"], None),
            "Regel": result["rule"],
            "Grund": result["reason"],
            "Letzter Kontakt": _cells(result["last_contact"]),
            "Zeile": result[ROW].astype(object),
        }
    )
    return body[SHEET_COLUMNS].astype(object).to_numpy().tolist()


def write_sheet(book: Any, data: WorkbookData, result: DueResult) -> Any:
    """(Re)write the `Fälligkeiten` sheet: title, then the sorted table with autofilter."""
    rows = sheet_rows(data, result.customers) or [[None] * len(SHEET_COLUMNS)]
    rules = result.rules
    title = (
        f"Fälligkeiten zum {result.stichtag.isoformat()} – Regelwerk „{rules.name}“ ({rules.title}). "
        f"Überfällig zuerst, dann in den nächsten {result.soon_days} Tagen fällig. "
        "Neu berechnen: Knopf „Fälligkeiten“."
    )
    sheet = find_sheet(book, FAELLIGKEITEN)
    old_table = None
    if sheet is None:
        after = find_sheet(book, data.layouts[KUNDENDOKU].name) or book.sheets[len(book.sheets) - 1]
        sheet = book.sheets.add(name=FAELLIGKEITEN, after=after)
    else:
        old_table = sheet.tables[0] if len(sheet.tables) else None
        used = sheet.used_range
        used.clear_contents()
    width = len(SHEET_COLUMNS)
    block: list[list[Any]] = [[title] + [None] * (width - 1), [None] * width, list(SHEET_COLUMNS), *rows]
    sheet.range((1, 1), (len(block), width)).value = block
    table_range = sheet.range((TABLE_ROW, 1), (TABLE_ROW + len(rows), width))
    if old_table is not None:
        old_table.resize(table_range)
    else:
        sheet.tables.add(source=table_range, has_headers=True, name=TABLE_NAME, table_style_name="TableStyleMedium2")
    for field in ("Fällig am", "Letzter Kontakt"):
        letter = column_letter(SHEET_COLUMNS.index(field))
        sheet.range(f"{letter}{TABLE_ROW + 1}:{letter}{TABLE_ROW + len(rows)}").number_format = DATE_FORMAT
    sheet.activate()
    return sheet


def write_staff_sheet(book: Any, data: WorkbookData, result: DueResult, after: Any = None) -> Any:
    """(Re)write the `Beratungsgespräche` sheet in one range write, after `after` (Fälligkeiten)."""
    rows = result.staff_table()
    rules, per_week = result.rules, result.rules.staff.per_week
    title = (
        f"Beratungsgespräche je Berater und Kalenderwoche bis {result.stichtag.isoformat()} "
        f"(gezählt nach Regelwerk „{rules.name}“"
        + (f"; Quote {per_week:g} je Vollzeitstelle und Woche" if per_week else "; ohne Wochenquote")
        + (f"; Betreuungsschlüssel 1:{rules.staff.caseload:g}" if rules.staff.caseload else "")
        + ")."
    )
    sheet = find_sheet(book, BERATUNGSGESPRAECHE)
    if sheet is None:
        after = after or find_sheet(book, data.layouts[KUNDENDOKU].name) or book.sheets[len(book.sheets) - 1]
        sheet = book.sheets.add(name=BERATUNGSGESPRAECHE, after=after)
    else:
        sheet.used_range.clear_contents()
    width = len(rows[0])
    block = [[title] + [None] * (width - 1), [None] * width, *rows]
    sheet.range((1, 1), (len(block), width)).value = block
    return sheet
