"""Kundenliste.xlsm in a real spreadsheet program: LibreOffice headless renders it to PDF.

The first page must show the header row with the four buttons; the due-date colours must come
from the conditional formatting evaluated against TODAY() by the program itself; LibreOffice
must understand the dropdowns (it writes them back when it saves the file).
"""

from __future__ import annotations

import datetime as dt
import subprocess
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from kundenliste_tools.core import model
from kundenliste_tools.files.template import BUTTONS, kunden_headers, write_workbook

from .lo import convert, pdf_to_pngs

pytestmark = pytest.mark.libreoffice

HEADER, BUTTON = "1f4e78", "f2f2f2"
OVERDUE, SOON, OVERDUE_ROW = "ffc7ce", "ffeb9c", "fce4e4"


def _page_colours(pdf: Path, tmp: Path) -> list[Counter[str]]:
    """Pixel colours (hex) of every page, rendered by poppler as plain PPM."""
    prefix = tmp / "seite"
    subprocess.run(["pdftoppm", "-r", "50", str(pdf), str(prefix)], check=True, timeout=120)
    pages = []
    for ppm in sorted(tmp.glob("seite*.ppm")):
        magic, width, height, _maxval, pixels = ppm.read_bytes().split(maxsplit=4)
        assert magic == b"P6"
        pixels = pixels[: int(width) * int(height) * 3]
        pages.append(Counter(pixels[i:i + 3].hex() for i in range(0, len(pixels), 3)))
    return pages


def _text(pdf: Path, page: int) -> str:
    return subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-layout", str(pdf), "-"],
                          capture_output=True, text=True, check=True, timeout=60).stdout


def test_the_first_page_shows_the_headers_under_the_buttons(tmp_path):
    book = write_workbook(tmp_path / "Kundenliste.xlsm")
    pdf = convert(book, "pdf", tmp_path)
    (png,) = pdf_to_pngs(pdf, tmp_path)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = _text(pdf, 1)
    for label, _macro in BUTTONS:
        assert label in text
    for header in ("ID", "Erstkontakt", "Akquise", "Status", "Berater"):  # Akquise, Status, Berater: dropdowns
        assert header in text
    first = _page_colours(pdf, tmp_path)[0]
    assert first[HEADER] > 1000 and first[BUTTON] > 500  # the header band and the button faces


def test_due_dates_are_coloured_by_the_spreadsheet_program_itself(tmp_path):
    today = dt.date.today()
    rows = [{"ID": f"K{i}", "VName": "Vera", "NName": "Test", "Status": "in Beratung", model.DUE_COLUMN: due}
            for i, due in enumerate([today - dt.timedelta(days=3), today + dt.timedelta(days=model.SOON_DAYS - 1),
                                     today + dt.timedelta(days=60)])]
    book = write_workbook(tmp_path / "faellig.xlsm", rows)
    colours = sum(_page_colours(convert(book, "pdf", tmp_path), tmp_path), Counter())
    assert colours[OVERDUE] > 100 and colours[SOON] > 100 and colours[OVERDUE_ROW] > 1000

    later = tmp_path / "spaeter"
    later.mkdir()
    calm = [dict(r, **{model.DUE_COLUMN: today + dt.timedelta(days=90)}) for r in rows]
    book = write_workbook(later / "faellig.xlsm", calm)
    colours = sum(_page_colours(convert(book, "pdf", later), later), Counter())
    assert colours[OVERDUE] == colours[SOON] == colours[OVERDUE_ROW] == 0  # no colour written in advance


def test_libreoffice_understands_the_dropdowns(tmp_path):
    book = write_workbook(tmp_path / "Kundenliste.xlsm")
    out = tmp_path / "lo"
    out.mkdir()
    resaved = convert(book, "xlsx", out)
    ws = openpyxl.load_workbook(resaved)[model.KUNDENLISTE]
    lists = {str(dv.sqref).split(":")[0].rstrip("0123456789"): dv.formula1 for dv in ws.data_validations.dataValidation
             if dv.type == "list"}
    headers = kunden_headers()
    for name in ("Akquise", "Status", "Berater", "Kundenstatus", "Profillage", "Bereich"):
        col = openpyxl.utils.get_column_letter(headers.index(name) + 1)
        assert col in lists and "Listen" in lists[col], name
