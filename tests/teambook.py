"""A Kundenliste as teams really keep it (issue 12), written by openpyxl, xlsxwriter or LibreOffice.

Everything the reader used to get wrong, in one workbook:

- sheets named `Kundenliste 2025` / `KundenDoku 2025`, a title row and an empty row above the
  header (row 3), headers `Kunden-ID`, `Datum Erstgespräch`, `Kunde⏎Vorname` (line break),
  `Straße / Hausnr.`;
- an input-hint row under the header (row 4: `JJJJ-MM-TT`, `neu / in Beratung / …`);
- 50 customers (rows 5–55 with one merged continuation row), two of them without an ID;
- a helper formula `=TODAY()-B5` in an extra column copied down to row 200;
- the KundenDoku is an Excel table with a totals row (`Ergebnis`, a SUBTOTAL count);
- the ID cell of one customer merged over two rows, the second row holding a second phone
  number (the merged cell's continuation row);
- an Excel error cell (`#DIV/0!`) as Erstkontakt;
- the number 7 shown as `007` by its number format, and the text `007` in the KundenDoku;
- an own-format ID typed in lower case in the KundenDoku;
- a Folgetermin typed 2062 instead of 2026, a Datum before 1900;
- a `Berater` sheet with `halbe Stelle`, `-1` and `50 %`.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

from kundenliste_tools.core.ids import new_ids

TITLE = "Kundenliste Team Nord, Stand 2026-11-30"
HEADER = ["Kunden-ID", "Datum Erstgespräch", "Akquise", "Status", "Berater", "Kunde\nVorname",
          "Nachname", "Straße / Hausnr.", "PLZ", "Ort", "Telefon", "E-Mail", "Tage seit Erstkontakt"]
HINT = ["wird vergeben", "JJJJ-MM-TT", "z. B. VAMV", "neu / in Beratung / abgeschlossen",
        None, "Vorname", "Nachname", None, None, None, None, None, None]
HEADER_ROW = 3
FIRST = 5  # first customer row
MERGED_ROW = 20  # ID merged over rows 20 and 21; row 21 holds a second phone number
CONT_ROW = MERGED_ROW + 1
LAST = 55  # last customer row (50 customers + the continuation row in rows 5..55)
FORMULA_END = 200
BLANK_ID_ROWS = (7, 9)
ERROR_ROW = 10  # Erstkontakt is #DIV/0!
SEVEN_ROW = 12  # the number 7, shown as 007
STICHTAG = dt.date(2026, 6, 1)

DOKU_HEADER = ["Datum", "Kunden-ID", "Berater", "Gesprächsinhalt", "Vereinbarungen", "Folgetermin"]


_IDS = new_ids(60, draw=random.Random(12).randrange)
_NAMES = ["Anna", "Bernd", "Clara", "David", "Emil", "Frieda", "Greta", "Hanno", "Ida", "Jonas"]


def own_id(i: int) -> str:
    """The i-th customer's ID (own format, fixed for the tests)."""
    return _IDS[i]


def name(i: int) -> str:
    return _NAMES[i % 10] + "abcdefghij"[i // 10]


def customers() -> list[tuple[int, list[Any]]]:
    """(Excel row, the 12 field values) of every customer."""
    out = []
    i = 0
    for row in range(FIRST, LAST + 1):
        if row == CONT_ROW:
            continue
        i += 1
        cid: Any = own_id(i)
        if row in BLANK_ID_ROWS:
            cid = None
        if row == SEVEN_ROW:
            cid = 7
        erst: Any = dt.date(2026, 1, 5) + dt.timedelta(days=i)
        if row == ERROR_ROW:
            erst = "#DIV/0!"
        out.append((row, [cid, erst, "VAMV", "in Beratung", "Frau A", name(i),
                          "Muster" + name(i).lower(), f"Weg {i}", "01067", "Dresden",
                          "0351 2345678", f"k{i}@example.org"]))
    return out


def entries() -> list[list[Any]]:
    """KundenDoku rows 2…: the lower-case own ID, `007` as text, the 2062 typo, a pre-1900 date."""
    first = own_id(1)
    return [
        [dt.date(2026, 5, 27), first.lower(), "Frau A", "Gespräch", None, None],
        [dt.date(2026, 5, 20), "007", "Frau A", "Gespräch", None, None],
        [dt.date(2026, 1, 20), own_id(4), "Frau A", "Gespräch", None, dt.date(2062, 2, 3)],
        [dt.date(1850, 3, 1), own_id(11), "Frau A", "Gespräch", None, None],
    ]


DOKU_TOTALS_ROW = len(entries()) + 2


BERATER = [["Name", "Stellenanteil"], ["Frau A", "halbe Stelle"], ["Herr B", -1], ["Frau C", "50 %"]]


def with_openpyxl(path: Path) -> Path:
    import openpyxl
    from openpyxl.worksheet.table import Table, TableStyleInfo

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Kundenliste 2025"
    ws.cell(1, 1, TITLE)
    for c, h in enumerate(HEADER, start=1):
        ws.cell(HEADER_ROW, c, h)
    for c, h in enumerate(HINT, start=1):
        ws.cell(4, c, h)
    for row, values in customers():
        for c, v in enumerate(values, start=1):
            cell = ws.cell(row, c, v)
            if isinstance(v, dt.date):
                cell.number_format = "yyyy-mm-dd"
        if row == SEVEN_ROW:
            ws.cell(row, 1).number_format = "000"
    ws.cell(CONT_ROW, 11, "0176 23456789")
    ws.merge_cells(start_row=MERGED_ROW, start_column=1, end_row=CONT_ROW, end_column=1)
    for row in range(FIRST, FORMULA_END + 1):
        ws.cell(row, 13, f"=TODAY()-B{row}")
    d = wb.create_sheet("KundenDoku 2025")
    d.append(DOKU_HEADER)
    for e in entries():
        d.append(e)
    d.cell(DOKU_TOTALS_ROW, 1, "Ergebnis")
    d.cell(DOKU_TOTALS_ROW, 2, f"=SUBTOTAL(103,B2:B{DOKU_TOTALS_ROW - 1})")
    table = Table(displayName="Gespraeche", ref=f"A1:F{DOKU_TOTALS_ROW}")
    table.totalsRowCount = 1
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    d.add_table(table)
    b = wb.create_sheet("Berater")
    for r in BERATER:
        b.append(r)
    wb.save(path)
    # openpyxl makes the table's column names from the header cells but keeps the line break
    return path


def with_xlsxwriter(path: Path) -> Path:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    iso = wb.add_format({"num_format": "yyyy-mm-dd"})
    zeros = wb.add_format({"num_format": "000"})
    ws = wb.add_worksheet("Kundenliste 2025")
    ws.write(0, 0, TITLE)
    rows = {row: values for row, values in customers()}
    ws.write_row(HEADER_ROW - 1, 0, HEADER)
    ws.write_row(3, 0, HINT)
    for row, values in rows.items():
        for c, v in enumerate(values):
            if isinstance(v, dt.date):
                ws.write_datetime(row - 1, c, dt.datetime.combine(v, dt.time()), iso)
            elif row == ERROR_ROW and c == 1:
                ws.write_formula(row - 1, c, "=1/0", None, "#DIV/0!")
            elif row == SEVEN_ROW and c == 0:
                ws.write_number(row - 1, c, 7, zeros)
            elif v is not None and not (row == MERGED_ROW and c == 0):
                ws.write(row - 1, c, v)
    ws.write(CONT_ROW - 1, 10, "0176 23456789")
    ws.merge_range(MERGED_ROW - 1, 0, CONT_ROW - 1, 0, rows[MERGED_ROW][0])
    for row in range(FIRST, FORMULA_END + 1):
        ws.write_formula(row - 1, 12, f"=TODAY()-B{row}", None, 46000 - row)
    d = wb.add_worksheet("KundenDoku 2025")
    body = []
    for e in entries():
        body.append([None if isinstance(v, dt.date) else v for v in e])
    columns = [{"header": h} for h in DOKU_HEADER]
    columns[0]["total_string"] = "Ergebnis"
    columns[1]["total_function"] = "count"
    d.add_table(0, 0, DOKU_TOTALS_ROW - 1, 5, {"columns": columns, "total_row": True, "data": body})
    for r, e in enumerate(entries(), start=1):
        for c, v in enumerate(e):
            if isinstance(v, dt.date) and v.year < 1900:
                d.write_number(r, c, -18201, iso)  # what Excel cannot show: a negative serial
            elif isinstance(v, dt.date):
                d.write_datetime(r, c, dt.datetime.combine(v, dt.time()), iso)
    b = wb.add_worksheet("Berater")
    for r, row in enumerate(BERATER):
        b.write_row(r, 0, row)
    wb.close()
    return path


def with_libreoffice(path: Path, tmp: Path) -> Path:
    """The openpyxl workbook opened and saved by LibreOffice (it computes the formulas)."""
    from .lo import convert

    src = with_openpyxl(tmp / "lo-quelle.xlsx")
    out = convert(src, "xlsx:Calc MS Excel 2007 XML", tmp / "lo-out")
    out.rename(path)
    return path


WRITERS = {"openpyxl": with_openpyxl, "xlsxwriter": with_xlsxwriter}
