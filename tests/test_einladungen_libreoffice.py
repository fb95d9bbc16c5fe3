"""The sheet `Einladungen` as LibreOffice shows it: the Excel door's one write, replayed into a
real .xlsx (openpyxl), converted to PDF by LibreOffice and rendered to PNG (poppler).

The remote engine records what the door writes instead of drawing it; replaying exactly that
block (values and the date format) into a file is what a user's Excel would hold.  The demo
team (invented data, Bundesland BE) plans week 2026-W50 from Wednesday 2026-12-02.
"""

from __future__ import annotations

import datetime as dt
import subprocess

import openpyxl
import pytest

from kundenliste_tools.core.demo_data import generate
from kundenliste_tools.files.template import doku_headers, kunden_headers
from kundenliste_tools.xl import invite

from . import lo
from .xlbook import actions, book

TODAY = dt.date(2026, 12, 2)

pytestmark = pytest.mark.skipif(lo.SOFFICE is None, reason="LibreOffice fehlt")


def _demo_sheets() -> dict:
    demo = generate(n_customers=120, today=TODAY)
    return {
        "Kundenliste": [kunden_headers()] + [[k.get(h) for h in kunden_headers()] for k in demo.kunden],
        "KundenDoku": [doku_headers()] + [[e.get(h) for h in doku_headers()] for e in demo.doku],
        "Berater": [["Name", "Stellenanteil"], *[[n, s] for n, s in demo.berater]],
        "Einstellungen": [["Einstellung", "Wert"], ["Regelwerk", "lichtenberg-2013"], ["Bundesland", "BE"]],
    }


def _replay(b, path):
    """The door's writes on the Einladungen sheet, into a file."""
    position = next(a["args"][0] for a in actions(b, "addSheet") if a["args"][1] == invite.SHEET)
    (write,) = [a for a in actions(b, "setValues") if a["sheet_position"] == position]
    (fmt,) = [a for a in actions(b, "setNumberFormat") if a["sheet_position"] == position]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = invite.SHEET
    for r, row in enumerate(write["values"], start=write["start_row"] + 1):
        for c, value in enumerate(row, start=write["start_column"] + 1):
            if value == "":
                continue
            cell = ws.cell(r, c)
            in_dates = fmt["start_row"] < r <= fmt["start_row"] + fmt["row_count"] and c == fmt["start_column"] + 1
            cell.value = dt.date.fromisoformat(value) if in_dates else value
            if in_dates:
                cell.number_format = fmt["args"][0]
    for i, width in enumerate(invite.WIDTHS, start=1):
        ws.column_dimensions[openpyxl.utils.get_column_letter(i)].width = width
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToHeight = 0
    wb.save(path)
    return write["values"]


def test_libreoffice_renders_the_einladungen_sheet(tmp_path):
    b = book(_demo_sheets())
    result = invite.einladungen(b, today=TODAY)
    values = _replay(b, tmp_path / "Einladungen.xlsx")
    pdf = lo.convert(tmp_path / "Einladungen.xlsx", "pdf", tmp_path)
    (png,) = lo.pdf_to_pngs(pdf, tmp_path, dpi=80)
    assert png.stat().st_size > 10_000
    text = " ".join(subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    assert "Einladungen für 2026-W50 (2026-12-07 bis 2026-12-13)" in text
    # title, empty row, header + one row per counsellor, empty row, "Einzuladen", header, invitations
    head = 6 + len(result.advisors)
    assert f"Einzuladen ({result.total})" in text and len(values) == head + result.total
    first = result.advisors[0].invite[0]
    assert f"{first.id} {values[head][2]} {first.due.isoformat()}" in text  # a date cell shows as JJJJ-MM-TT
