"""Building the team workbook from code: the empty template and the demo workbook.

The sheets, headers, value lists, dropdowns, date formats and settings all come from the model
(`core.model`), so the template can never drift from what the reader and validation expect.
What Excel needs beyond the cells (SPEC §7) is here too: the live conditional formatting of the
due dates, the `xlwings.conf` sheet and where the buttons go; `files.xlsm` packages it all with
the VBA from `xl_macros/` into a real `.xlsm`.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any, Iterable, Mapping

from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo

from ..core import model
from ..core.book import ID_REGISTER_SHEET
from ..core.model import REGISTER_HEADER
from .package import column_letter, write_atomically
from .xlsm import Button, package_xlsm

ISO_DATE = "yyyy-mm-dd"
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
HEADER_FONT = Font(bold=True, color="FFFFFF")
#: Rows that get dropdowns and date formats in advance, so new entries typed below the data
#: are checked by Excel too.
PREPARED_ROWS = 2000

#: The buttons (label, VBA macro in xl_macros/KundenlisteKnoepfe.bas), on both record sheets.
BUTTONS: tuple[tuple[str, str], ...] = (
    ("Prüfen", "Pruefen"), ("IDs vergeben", "IdsVergeben"),
    ("Fälligkeiten", "Faelligkeiten"), ("Quartalsexport", "Quartalsexport"),
    ("Einladungen", "Einladungen"),
    ("Auskunft", "Auskunft"), ("Löschen", "Loeschen"),
)
#: The header row is high enough to carry the buttons above the header text: row 1 stays the
#: header row (SPEC §2), it is frozen, so the buttons are always in view.
#: Two rows of at most `BUTTONS_PER_ROW` buttons: one row of seven would reach past the columns
#: of a printed page's width (LibreOffice drops what lies beyond them from the first page).
HEADER_HEIGHT = 66.0
BUTTON_TOP, BUTTON_HEIGHT, BUTTON_WIDTH, BUTTON_GAP = 3.0, 20.0, 92.0, 6.0
BUTTONS_PER_ROW = 4

#: Live colours of the due dates (SPEC §7): Excel evaluates TODAY() on every recalculation.
OVERDUE_CELL = (PatternFill("solid", start_color="FFC7CE", end_color="FFC7CE"), Font(bold=True, color="9C0006"))
SOON_CELL = (PatternFill("solid", start_color="FFEB9C", end_color="FFEB9C"), Font(color="9C5700"))
OVERDUE_ROW = PatternFill("solid", start_color="FCE4E4", end_color="FCE4E4")

#: Where the installation guide puts the Python environment; xlwings expands the variables.
INTERPRETER_WIN = r"%USERPROFILE%\kundenliste-tools\.venv\Scripts\python.exe"
INTERPRETER_MAC = "$HOME/kundenliste-tools/.venv/bin/python"
UDF_MODULES = "kundenliste_tools.xl.udfs"

WIDTHS: dict[str, int] = {
    "ID": 10, "Erstkontakt": 12, "Akquise": 28, "Status": 14, "Berater": 19, "VName": 14,
    "NName": 16, "Strasse": 24, "PLZ": 8, "Stadt": 16, "Telefon": 18, "Email": 28,
    "Geburtsdatum": 13, "Kundenstatus": 20, "Profillage": 22, "Bereich": 12,
    "Langzeitbezug": 14, "Elternzeit bis": 14, "Schulpflichtig": 14, "Ergebnis": 28, "Abschluss am": 13,
    "Datum": 12, "Zusammenfassung": 50, "Vereinbarungen": 40, "Folgetermin": 13,
    "Kontaktart": 14, "Vermerkart": 20, model.DUE_COLUMN: 12,
}

Row = Mapping[str, Any]


def kunden_headers(optional: bool = True) -> list[str]:
    """Kundenliste headers in seed order; the job-centre fields when `optional`; the due column."""
    fields = [f.name for f in model.KUNDEN_FIELDS if f.required_column or optional]
    return fields + [model.DUE_COLUMN]


def doku_headers(optional: bool = True) -> list[str]:
    """KundenDoku headers in seed order; the job-centre fields when `optional`."""
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
    _due_formatting(ws_k)
    _settings_sheet(wb, {**model.SETTINGS_DEFAULTS, **(settings or {})})
    _berater_sheet(wb, berater)
    _register_sheet(wb)
    _xlwings_conf_sheet(wb)
    wb.properties.creator = "kundenliste-tools"
    return wb


def _record_sheet(ws: Any, sheet: str, headers: list[str], rows: list[Row], table: str) -> None:
    ws.append(headers)
    kinds = {f.name: f.kind for f in model.SHEET_FIELDS[sheet]}
    for row in rows:
        ws.append([_cell_value(row.get(h)) for h in headers])
    for i, h in enumerate(headers, start=1):
        col = column_letter(i - 1)
        ws.column_dimensions[col].width = WIDTHS.get(h, 14)
        cell = ws.cell(row=1, column=i)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(vertical="bottom")
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
    ws.row_dimensions[1].height = HEADER_HEIGHT
    ws.freeze_panes = "B2"
    ws.page_setup.orientation = "landscape"
    ws.print_title_rows = "1:1"
    ref = f"A1:{column_letter(len(headers) - 1)}{max(len(rows) + 1, 2)}"
    tab = Table(displayName=table, ref=ref)
    tab.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(tab)


def _cell_value(value: Any) -> Any:
    """A date as the datetime openpyxl writes as a date cell; anything else as it is."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return value


def _due_formatting(ws: Any) -> None:
    """Red when the due date has passed, amber within `SOON_DAYS`, and the whole row tinted.

    Formulas, not colours written once: they stay right tomorrow without anyone running
    anything. `ISNUMBER` keeps blank cells and notes such as "nicht beurteilbar" uncoloured.
    """
    headers = [c.value for c in ws[1]]
    if model.DUE_COLUMN not in headers:
        return
    col = column_letter(headers.index(model.DUE_COLUMN))
    last_col = column_letter(len(headers) - 1)
    overdue = f"AND(ISNUMBER(${col}2),${col}2<TODAY())"
    soon = f"AND(ISNUMBER(${col}2),${col}2<=TODAY()+{model.SOON_DAYS})"
    cells = f"{col}2:{col}{PREPARED_ROWS}"
    fill, font = OVERDUE_CELL
    ws.conditional_formatting.add(cells, FormulaRule(formula=[overdue], fill=fill, font=font, stopIfTrue=True))
    fill, font = SOON_CELL
    ws.conditional_formatting.add(cells, FormulaRule(formula=[soon], fill=fill, font=font, stopIfTrue=True))
    ws.conditional_formatting.add(f"A2:{last_col}{PREPARED_ROWS}", FormulaRule(formula=[overdue], fill=OVERDUE_ROW))


def _lists_sheet(wb: Workbook, lists: Mapping[str, tuple[str, ...]]) -> None:
    ws = wb.create_sheet(model.LISTEN)
    names = list(lists)
    ws.append(names)
    for i, name in enumerate(names, start=1):
        ws.cell(row=1, column=i).font = Font(bold=True)
        ws.column_dimensions[column_letter(i - 1)].width = max(14, max((len(v) for v in lists[name]), default=0) + 2)
        for r, value in enumerate(lists[name], start=2):
            ws.cell(row=r, column=i, value=value)
    ws.freeze_panes = "A2"


def list_range(list_name: str, lists: Mapping[str, tuple[str, ...]]) -> str:
    """Absolute reference of a list's column in `Listen`, generous so the team can add entries."""
    col = column_letter(list(lists).index(list_name))
    return f"{model.LISTEN}!${col}$2:${col}$200"


def _dropdowns(ws: Any, sheet: str, lists: Mapping[str, tuple[str, ...]]) -> None:
    headers = [c.value for c in ws[1]]
    for f in model.SHEET_FIELDS[sheet]:
        if not f.list_name or f.name not in headers:
            continue
        col = column_letter(headers.index(f.name))
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
    ws.append([REGISTER_HEADER])
    ws.sheet_state = "hidden"


def _xlwings_conf_sheet(wb: Workbook) -> None:
    """xlwings' settings for this workbook (it reads keys from A1 down to the first blank row).

    Key spelling as in xlwings' own quickstart sheet; xlwings upper-cases them. `Use UDF
    Server` = TRUE makes RunPython on Windows use the persistent COM server, so a save does not
    wait for Python to start (SPEC §7). PYTHONPATH stays empty: the package is installed.
    """
    ws = wb.create_sheet(model.XLWINGS_CONF)
    rows: list[tuple[str, Any]] = [
        ("Interpreter_Win", INTERPRETER_WIN),
        ("Interpreter_Mac", INTERPRETER_MAC),
        ("PYTHONPATH", None),
        ("UDF Modules", UDF_MODULES),
        ("Use UDF Server", True),
        ("Debug UDFs", False),
        ("Show Console", False),
    ]
    for key, value in rows:
        ws.append([key, value])
    notes = [
        "Hinweise (ab hier liest xlwings nichts mehr; die Einstellungen oben beginnen in A1, ohne Leerzeile):",
        "Interpreter_Win / Interpreter_Mac: Pfad zu dem Python, in dem kundenliste-tools installiert ist "
        "(siehe Installationsanleitung). %USERPROFILE% und $HOME werden ersetzt.",
        "Use UDF Server = WAHR: Unter Windows bleibt Python im Hintergrund geöffnet; Knöpfe und Speichern "
        "warten nicht jedes Mal auf den Start von Python.",
        "UDF Modules: die Formeln (nur Windows). Nach einem Update einmal das Makro ImportPythonUDFs ausführen.",
        "Show Console = WAHR zeigt bei Problemen das Python-Fenster mit der Fehlermeldung.",
    ]
    for i, note in enumerate(notes, start=len(rows) + 2):
        ws.cell(row=i, column=1, value=note).font = Font(italic=True, bold=i == len(rows) + 2)
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 60


def buttons_for(_sheet: str) -> list[Button]:
    """The button strip of a record sheet: in the upper part of the (frozen) header row (the
    same on both record sheets; the sheet is named so that they may differ one day)."""
    return [Button(label, macro, left=BUTTON_GAP + (i % BUTTONS_PER_ROW) * (BUTTON_WIDTH + BUTTON_GAP),
                   top=BUTTON_TOP + (i // BUTTONS_PER_ROW) * (BUTTON_HEIGHT + BUTTON_TOP),
                   width=BUTTON_WIDTH, height=BUTTON_HEIGHT)
            for i, (label, macro) in enumerate(BUTTONS)]


def workbook_bytes(wb: Workbook, macros: bool) -> bytes:
    """The file's bytes: with `macros` a full `.xlsm` (VBA, ribbon, buttons), else an `.xlsx`."""
    buf = io.BytesIO()
    wb.save(buf)
    if not macros:
        return buf.getvalue()
    buttons = {sheet: buttons_for(sheet) for sheet in (model.KUNDENLISTE, model.KUNDENDOKU)}
    return package_xlsm(buf.getvalue(), buttons=buttons)


def save_workbook(wb: Workbook, path: str | Path) -> Path:
    """Save by the file name: `.xlsm` becomes the macro-enabled workbook, anything else `.xlsx`."""
    path = Path(path)
    data = workbook_bytes(wb, macros=path.suffix.lower() == ".xlsm")
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_atomically(path, data)


def write_workbook(path: str | Path, kunden: Iterable[Row] = (), doku: Iterable[Row] = (),
                   *, berater: Iterable[tuple[str, float]] = (),
                   settings: Mapping[str, str] | None = None) -> Path:
    """Build the team workbook and save it at `path` (the one entry point the doors call)."""
    wb = build_workbook(kunden, doku, berater=berater, settings=settings)
    return save_workbook(wb, path)
