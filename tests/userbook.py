"""A team's own `.xlsm` that the tool did not make, and byte-level views of a zip package.

The workbook has what a team's real file has and what a careless writer would destroy: a VBA
project with modules, a chart, a cell note, a dropdown, conditional formatting, a defined
name, styled cells, legacy numeric IDs, a date cell, and more sheets than the two the tool
knows.  Built in the order that keeps both halves: pyOpenVBA first (it creates the project),
then openpyxl with ``keep_vba=True`` adds sheets, data, chart, note and validation (the other
way round, openpyxl's file has no project for pyOpenVBA to edit).
"""

from __future__ import annotations

import datetime as dt
import struct
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import python_calamine as pc
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Font, PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from pyopenvba import ExcelFile

KUNDEN_HEADER = [
    "ID",
    "Erstkontakt",
    "Akquise",
    "Status",
    "Berater",
    "VName",
    "NName",
    "Strasse",
    "PLZ",
    "Stadt",
    "Telefon",
    "Email",
    "Bemerkung",
]
DOKU_HEADER = ["Datum", "ID", "Berater", "Zusammenfassung", "Vereinbarungen", "Folgetermin"]

#: Kundenliste rows 2…: some IDs blank (rows 3, 5, 6), legacy numbers, a text ID, an empty
#: row 8 that must stay empty, and row 9 with data only in an extra column (not a customer).
KUNDEN_ROWS: list[list[Any]] = [
    [
        101,
        "2026-01-05",
        "VAMV",
        "in Beratung",
        "Frau A",
        "Eva",
        "Muster",
        "Hauptstr. 1",
        "04109",
        "Leipzig",
        "0341 123456",
        "eva@example.org",
        None,
    ],
    [None, "2026-02-10", "Beratungstag", "neu", "Frau A", "Jan", "Beispiel", None, None, None, None, None, "neu"],
    ["A-17", dt.datetime(2026, 3, 1), "VAMV", "neu", "Herr B", "Ida", "Probe", None, None, None, None, None, None],
    [None, "2026-03-02", "VAMV", "neu", "Herr B", "Tom", "Test", None, "01067", "Dresden", None, None, None],
    [None, "2026-03-03", "VAMV", "neu", "Herr B", "Uta", "Umlaut-Ä", None, None, None, None, None, "x & <y>"],
    [102, "2026-03-04", "VAMV", "abgeschlossen", "Frau A", "Max", "Mustermann", None, None, None, None, None, None],
    [None] * 13,
    [None, None, None, None, None, None, None, None, None, None, None, None, "nur Bemerkung"],
]
BLANK_ID_ROWS = [3, 5, 6]  # Excel rows of records whose ID is blank
ONLY_EXTRA_ROW = 9  # a value only in a column the tool does not know: no customer (issue 12)
EMPTY_ROW = 8

DOKU_ROWS: list[list[Any]] = [
    ["2026-01-06", 101, "Frau A", "Erstgespräch", "Unterlagen", "2026-02-01"],
    ["2026-03-05", "A-17", "Herr B", "Bewerbung", None, None],
    ["2026-03-06", 103, "Herr B", "Kunde inzwischen gelöscht", None, None],
]

VBA_MODULE = 'Sub Hallo()\n    MsgBox "Hallo aus dem Team-Makro"\nEnd Sub\n'


def user_xlsm(path: Path) -> Path:
    """Build the team's workbook at `path` (.xlsm)."""
    vba = ExcelFile.create_new(path)
    vba.set_module("Module1", VBA_MODULE)
    vba.save()
    vba.close()

    wb = openpyxl.load_workbook(path, keep_vba=True)
    ws = wb.worksheets[0]
    ws.title = "Kundenliste"
    ws.append(KUNDEN_HEADER)
    for row in KUNDEN_ROWS:
        ws.append(row)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws["A5"].fill = PatternFill("solid", fgColor="FFFF00")  # a styled blank ID cell
    ws["B4"].number_format = "yyyy-mm-dd"
    ws["G3"].comment = Comment("Bitte Schreibweise prüfen", "Kollegin")
    dv = DataValidation(type="list", formula1='"neu,in Beratung,abgeschlossen"', allow_blank=True)
    ws.add_data_validation(dv)
    dv.add("D2:D50")
    ws.conditional_formatting.add(
        "D2:D50", CellIsRule(operator="equal", formula=['"neu"'], fill=PatternFill("solid", fgColor="FFC7CE"))
    )
    doku = wb.create_sheet("KundenDoku")
    doku.append(DOKU_HEADER)
    for row in DOKU_ROWS:
        doku.append(row)
    stats = wb.create_sheet("Statistik")
    stats.append(["Monat", "Gespräche"])
    for month, n in [("Jan", 4), ("Feb", 7), ("Mär", 5)]:
        stats.append([month, n])
    stats["D1"] = "=SUM(B2:B4)"
    chart = BarChart()
    chart.title = "Gespräche je Monat"
    chart.add_data(Reference(stats, min_col=2, min_row=1, max_row=4), titles_from_data=True)
    chart.set_categories(Reference(stats, min_col=1, min_row=2, max_row=4))
    stats.add_chart(chart, "F2")
    wb.defined_names["Gespraeche"] = DefinedName("Gespraeche", attr_text="Statistik!$B$2:$B$4")
    wb.save(path)
    return path


def raw_entries(path: Path) -> dict[str, bytes]:
    """Each zip entry's compressed bytes exactly as stored (what "byte for byte" means)."""
    out: dict[str, bytes] = {}
    with zipfile.ZipFile(path) as zf, open(path, "rb") as fh:
        for info in zf.infolist():
            fh.seek(info.header_offset)
            header = fh.read(30)
            name_len, extra_len = struct.unpack("<HH", header[26:30])
            fh.seek(info.header_offset + 30 + name_len + extra_len)
            out[info.filename] = fh.read(info.compress_size)
    return out


def all_values(path: Path) -> dict[str, list[list[Any]]]:
    """Every cell value of every sheet (hidden ones too), read by calamine."""
    wb = pc.CalamineWorkbook.from_path(str(path))
    return {name: wb.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in wb.sheet_names}


def visibility(path: Path) -> dict[str, str]:
    wb = pc.CalamineWorkbook.from_path(str(path))
    return {m.name: str(m.visible).rsplit(".", 1)[-1].lower() for m in wb.sheets_metadata}


def cell(grid: list[list[Any]], ref_row: int, ref_col: int) -> Any:
    """Value at Excel row/column (1-based) of a calamine grid, "" when outside it."""
    if ref_row - 1 < len(grid) and ref_col - 1 < len(grid[ref_row - 1]):
        return grid[ref_row - 1][ref_col - 1]
    return ""
