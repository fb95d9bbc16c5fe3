"""The empty workbook and the demo workbook open in a real spreadsheet program (LibreOffice)."""

from __future__ import annotations

import csv
import datetime as dt

from kundenliste_tools.cli import main
from kundenliste_tools.files.demo import write_demo
from kundenliste_tools.files.template import kunden_headers

from .lo import convert


def _first_sheet_rows(book, tmp_path):
    out = convert(book, "csv:Text - txt - csv (StarCalc):44,34,76", tmp_path)
    with open(out, encoding="utf-8") as fh:
        return list(csv.reader(fh))


def test_empty_workbook_opens_in_libreoffice(tmp_path):
    book = tmp_path / "Kundenliste.xlsm"
    assert main(["vorlage", str(book)]) == 0
    rows = _first_sheet_rows(book, tmp_path)
    assert rows[0] == kunden_headers()
    assert all(not any(r) for r in rows[1:])  # no data yet
    assert convert(book, "pdf", tmp_path).stat().st_size > 1000


def test_demo_workbook_opens_in_libreoffice_with_its_data(tmp_path):
    book = tmp_path / "Demo.xlsm"
    data = write_demo(book, today=dt.date(2026, 11, 23), n_customers=40)
    rows = _first_sheet_rows(book, tmp_path)
    assert rows[0] == kunden_headers()
    body = [r for r in rows[1:] if any(r)]
    assert len(body) == len(data.kunden)
    i, k = next((i, k) for i, k in enumerate(data.kunden) if isinstance(k["Erstkontakt"], dt.date))
    assert body[i][kunden_headers().index("NName")] == k["NName"]
    assert body[i][kunden_headers().index("Erstkontakt")] == k["Erstkontakt"].isoformat()  # ISO format shown
