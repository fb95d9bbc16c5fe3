"""Building the team workbook from code: the empty template and the demo workbook.

The sheets, headers, value lists, dropdowns, date formats and settings all come from the model
(`core.model`), so the template can never drift from what the reader and validation expect.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Iterable, Mapping

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo

from ..core import model
from ..core.book import ID_REGISTER_SHEET

ISO_DATE = "yyyy-mm-dd"
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
HEADER_FONT = Font(bold=True, color="FFFFFF")
#: Rows that get dropdowns and date formats in advance, so new entries typed below the data
#: are checked by Excel too.
PREPARED_ROWS = 2000

WIDTHS: dict[str, int] = {
    "ID": 10, "Erstkontakt": 12, "Akquise": 28, "Status": 14, "Berater": 14, "VName": 14,
    "NName": 16, "Strasse": 24, "PLZ": 8, "Stadt": 16, "Telefon": 18, "Email": 28,
    "Geburtsdatum": 13, "Kundenstatus": 20, "Profillage": 22, "Bereich": 12,
    "Langzeitbezug": 14, "Elternzeit bis": 14, "Schulpflichtig": 14, "Ergebnis": 28,
    "Datum": 12, "Zusammenfassung": 50, "Vereinbarungen": 40, "Folgetermin": 13,
    "Kontaktart": 14, "Vermerkart": 20, model.DUE_COLUMN: 12,
}

Row = Mapping[str, Any]


def kunden_headers(optional: bool = True) -> list[str]:
    """Kundenliste headers in seed order; the job-centre fields when `optional`; the due column."""
    fields = [f.name for f in model.KUNDEN_FIELDS if f.required_column or optional]
    return fields + [model.DUE_COLUMN]


def doku_headers(optional: bool = True) -> list[str]:
    return [f.name for f in model.DOKU_FIELDS if f.required_column or optional]


def build_workbook(
    kunden: Iterable[Row] = (),
    doku: Iterable[Row] = (),
    *,
    berater: Iterable[tuple[str, float]] = (),
    settings: Mapping[str, str] | None = None,
    optional_fields: bool = True,
) -> Workbook:
    """The team workbook as an openpyxl `Workbook`: record sheets, lists, settings.

    `kunden`/`doku` rows are dicts keyed by canonical field name; dates may be `date` objects
    (written as real date cells with ISO format) or text (written as typed).
    """
    wb = Workbook()
    ws_k = wb.active
    ws_k.title = model.KUNDENLISTE
    ws_d = wb.create_sheet(model.KUNDENDOKU)
    berater = list(berater)
    lists = dict(model.DEFAULT_LISTS)
    if berater:
        lists["Berater"] = tuple(name for name, _ in berater)

    _record_sheet(ws_k, model.KUNDENLISTE, kunden_headers(optional_fields), list(kunden), "Kunden")
    _record_sheet(ws_d, model.KUNDENDOKU, doku_headers(optional_fields), list(doku), "Doku")
    _lists_sheet(wb, lists)
    _dropdowns(ws_k, model.KUNDENLISTE, lists)
    _dropdowns(ws_d, model.KUNDENDOKU, lists)
    _settings_sheet(wb, {**model.SETTINGS_DEFAULTS, **(settings or {})})
    _berater_sheet(wb, berater)
    _register_sheet(wb)
    return wb


def _record_sheet(ws: Any, sheet: str, headers: list[str], rows: list[Row], table: str) -> None:
    ws.append(headers)
    kinds = {f.name: f.kind for f in model.SHEET_FIELDS[sheet]}
    for row in rows:
        ws.append([_cell_value(row.get(h), kinds.get(h)) for h in headers])
    for i, h in enumerate(headers, start=1):
        col = get_column_letter(i)
        ws.column_dimensions[col].width = WIDTHS.get(h, 14)
        cell = ws.cell(row=1, column=i)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(vertical="center")
        kind = kinds.get(h, "date" if h == model.DUE_COLUMN else "text")
        last = max(len(rows) + 1, PREPARED_ROWS)
        if kind == "date":
            for r in range(2, last + 1):
                ws.cell(row=r, column=i).number_format = ISO_DATE
        elif kind in ("plz", "id", "phone"):
            for r in range(2, last + 1):
                ws.cell(row=r, column=i).number_format = "@"
        if h in ("Zusammenfassung", "Vereinbarungen"):
            for r in range(2, len(rows) + 2):
                ws.cell(row=r, column=i).alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "B2"
    ref = f"A1:{get_column_letter(len(headers))}{max(len(rows) + 1, 2)}"
    tab = Table(displayName=table, ref=ref)
    tab.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(tab)


def _cell_value(value: Any, kind: str | None) -> Any:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return value


def _lists_sheet(wb: Workbook, lists: Mapping[str, tuple[str, ...]]) -> None:
    ws = wb.create_sheet(model.LISTEN)
    names = list(lists)
    ws.append(names)
    for i, name in enumerate(names, start=1):
        ws.cell(row=1, column=i).font = Font(bold=True)
        ws.column_dimensions[get_column_letter(i)].width = max(14, max((len(v) for v in lists[name]), default=0) + 2)
        for r, value in enumerate(lists[name], start=2):
            ws.cell(row=r, column=i, value=value)
    ws.freeze_panes = "A2"


def list_range(list_name: str, lists: Mapping[str, tuple[str, ...]]) -> str:
    """Absolute reference of a list's column in `Listen`, generous so the team can add entries."""
    col = get_column_letter(list(lists).index(list_name) + 1)
    return f"{model.LISTEN}!${col}$2:${col}$200"


def _dropdowns(ws: Any, sheet: str, lists: Mapping[str, tuple[str, ...]]) -> None:
    headers = [c.value for c in ws[1]]
    for f in model.SHEET_FIELDS[sheet]:
        if not f.list_name or f.name not in headers:
            continue
        col = get_column_letter(headers.index(f.name) + 1)
        dv = DataValidation(type="list", formula1=f"={list_range(f.list_name, lists)}",
                            allow_blank=True, showErrorMessage=f.list_name not in model.OPEN_LISTS
                            and f.list_name != "Berater", errorStyle="warning")
        dv.error = f"Bitte einen Wert aus der Liste „{f.list_name}“ (Blatt Listen) wählen."
        dv.errorTitle = "Kundenliste"
        dv.add(f"{col}2:{col}{PREPARED_ROWS}")
        ws.add_data_validation(dv)


def _settings_sheet(wb: Workbook, settings: Mapping[str, str]) -> None:
    ws = wb.create_sheet(model.EINSTELLUNGEN)
    ws.append(["Einstellung", "Wert"])
    for key, value in settings.items():
        ws.append([key, value])
    ws["A1"].font = ws["B1"].font = Font(bold=True)
    ws.column_dimensions["A"].width = 36
    ws.column_dimensions["B"].width = 24


def _berater_sheet(wb: Workbook, berater: list[tuple[str, float]]) -> None:
    ws = wb.create_sheet(model.BERATER_SHEET)
    ws.append(["Name", "Stellenanteil"])
    for name, share in berater:
        ws.append([name, share])
    ws["A1"].font = ws["B1"].font = Font(bold=True)
    ws.column_dimensions["A"].width = 20


def _register_sheet(wb: Workbook) -> None:
    ws = wb.create_sheet(ID_REGISTER_SHEET)
    ws.append(["Vergebene ID"])
    ws.sheet_state = "hidden"


def save_workbook(wb: Workbook, path: str | Path) -> Path:
    """Save as .xlsx (the .xlsm with macros is packaged by the Excel build)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def write_workbook(path: str | Path, kunden: Iterable[Row] = (), doku: Iterable[Row] = (),
                   *, berater: Iterable[tuple[str, float]] = (),
                   settings: Mapping[str, str] | None = None) -> Path:
    """Build the team workbook and save it at `path` (the one entry point the doors call)."""
    wb = build_workbook(kunden, doku, berater=berater, settings=settings)
    return save_workbook(wb, path)
