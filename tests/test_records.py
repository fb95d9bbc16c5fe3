"""Issue 12: the Kundenliste as teams keep it, read right by every command and both doors.

The workbook (tests/teambook.py) is written three ways, by openpyxl, by xlsxwriter and by
LibreOffice (the openpyxl file opened and saved by soffice, which computes the formulas), and
every check below must come out the same for all three: phantom rows gone, real ones there.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from kundenliste_tools.cli import main
from kundenliste_tools.core.book import workbook_from_grids
from kundenliste_tools.core.idkey import id_key
from kundenliste_tools.core.ids import check_ok, is_own_format
from kundenliste_tools.core.validation import validate
from kundenliste_tools.files.reader import read_grids, read_workbook

from . import teambook as tb
from .xlbook import book as xl_book
from .xlbook import table as xl_table

WRITERS = ["openpyxl", "xlsxwriter", "libreoffice"]


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("teambooks")
    return {
        "openpyxl": tb.with_openpyxl(tmp / "openpyxl.xlsx"),
        "xlsxwriter": tb.with_xlsxwriter(tmp / "xlsxwriter.xlsx"),
        "libreoffice": tb.with_libreoffice(tmp / "libreoffice.xlsx", tmp),
    }


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


CUSTOMER_ROWS = [row for row, _ in tb.customers()]


@pytest.mark.parametrize("writer", WRITERS)
def test_records_are_the_customers_and_entries_and_nothing_else(books, writer):
    data = read_workbook(books[writer])
    assert data.layouts["Kundenliste"].name == "Kundenliste 2025"
    assert data.layouts["Kundenliste"].header_row == tb.HEADER_ROW
    assert data.kunden["_row"].tolist() == CUSTOMER_ROWS  # 50 customers, rows 5–55 without 21
    assert data.doku["_row"].tolist() == [2, 3, 4, 5]
    assert data.kunden["VName"].tolist()[:2] == [tb.name(1), tb.name(2)]  # `Kunde⏎Vorname`
    assert data.kunden["Strasse"].tolist()[0] == "Weg 1"  # `Straße / Hausnr.`
    reasons = {(s.sheet, s.row): s.reason for s in data.skipped}
    assert reasons[("Kundenliste 2025", 4)] == "eingabehilfe"
    assert reasons[("Kundenliste 2025", tb.CONT_ROW)] == "verbundene-zelle"
    assert reasons[("KundenDoku 2025", tb.DOKU_TOTALS_ROW)] == "ergebniszeile"
    formula_rows = sorted(r for (sheet, r), why in reasons.items() if why == "nur-formeln")
    if writer == "openpyxl":  # openpyxl stores formulas without a result: those rows are empty
        assert formula_rows == []
    else:  # the helper formula copied down below the last customer
        assert formula_rows == list(range(tb.LAST + 1, tb.FORMULA_END + 1))
    assert set(reasons.values()) <= {"eingabehilfe", "verbundene-zelle", "ergebniszeile", "nur-formeln"}


@pytest.mark.parametrize("writer", WRITERS)
def test_findings_are_the_real_problems_at_their_cells(books, writer):
    fs = validate(read_workbook(books[writer]), today=tb.STICHTAG)
    got = [(f.sheet, f.cell, f.code) for f in fs]
    assert got == [
        ("Kundenliste 2025", "A7", "id-fehlt"),
        ("Kundenliste 2025", "A9", "id-fehlt"),
        ("Kundenliste 2025", f"B{tb.ERROR_ROW}", "zellfehler"),  # #DIV/0! from the file
        ("KundenDoku 2025", "B2", "id-schreibweise"),  # lower-case own ID: linked, warned
        ("KundenDoku 2025", "F2", "folgetermin-fehlt"),  # in Beratung, latest entry without one (issue 16)
        ("KundenDoku 2025", "F3", "folgetermin-fehlt"),  # `007`: the same
        ("KundenDoku 2025", "F4", "datum-unplausibel"),  # 2062
        ("KundenDoku 2025", "A5", "datum-uhrzeit"),  # 1850: what Excel cannot store
        ("Berater", "B2", "stellenanteil-ungueltig"),  # halbe Stelle
        ("Berater", "B3", "stellenanteil-ungueltig"),  # -1
    ]
    by_cell = {(f.sheet, f.cell): f for f in fs}
    assert by_cell[("Kundenliste 2025", f"B{tb.ERROR_ROW}")].message == \
        "Die Zelle enthält den Excel-Fehler #DIV/0! statt eines Werts."
    assert by_cell[("KundenDoku 2025", "B2")].suggestion == tb.own_id(1)
    assert "00:00:00" in by_cell[("KundenDoku 2025", "A5")].message
    assert "vor 1900" in by_cell[("KundenDoku 2025", "A5")].message


@pytest.mark.parametrize("writer", WRITERS)
def test_pruefen_reports_the_skipped_rows(books, writer):
    code, out, _ = run("pruefen", str(books[writer]), "--json")
    assert code == 1
    summary = json.loads(out)["summary"]
    assert summary["customers"] == 50 and summary["entries"] == 4
    rows = {(s["sheet"], s["row"]): s["reason"] for s in summary["skipped_rows"]}
    assert summary["skipped"] == len(rows) == sum(summary["skipped_reasons"].values())
    assert rows[("Kundenliste 2025", tb.CONT_ROW)] == "verbundene-zelle"
    code, out, _ = run("pruefen", str(books[writer]))
    assert f"Übersprungen: {len(rows)} Zeile" in out
    assert "Fortsetzung einer verbundenen Zelle: 1" in out


@pytest.mark.parametrize("writer", WRITERS)
def test_ids_fills_exactly_the_two_blank_ids(books, writer, tmp_path):
    copy = tmp_path / "kopie.xlsx"
    shutil.copy(books[writer], copy)
    code, out, err = run("ids", str(copy), "--json")
    assert code == 0, err
    issued = json.loads(out)["issued"]
    assert [i["row"] for i in issued] == list(tb.BLANK_ID_ROWS)  # not 151 for the formula rows
    assert all(is_own_format(i["id"]) and check_ok(i["id"]) for i in issued)
    again = read_workbook(copy)
    assert again.kunden["_row"].tolist() == CUSTOMER_ROWS
    assert [id_key(v) for v in again.kunden["ID"]].count("") == 0


@pytest.mark.parametrize("writer", WRITERS)
def test_faellig_links_entries_written_another_way(books, writer):
    code, out, err = run("faellig", str(books[writer]), "--json", "--regelwerk", "vamv",
                         "--stichtag", tb.STICHTAG.isoformat())
    assert code == 0, err
    by_id = {c["id"]: c for c in json.loads(out)["customers"]}
    first = by_id[tb.own_id(1)]  # seen on 2026-05-27 as `k…` in lower case
    assert first["last_contact"] == "2026-05-27" and not first["overdue"]
    seven = by_id["7"]  # the number 7 shown as 007, the entry's text `007`
    assert seven["last_contact"] == "2026-05-20" and not seven["overdue"]
    typo = by_id[tb.own_id(4)]  # Folgetermin 2062: ignored, 3 months after the entry count
    assert typo["overdue"] and typo["due"] == "2026-04-20"
    assert len(json.loads(out)["customers"]) == 50  # no formula row became a customer


def test_the_excel_door_finds_the_same_records(books):
    """The same sheets as a remote-engine `Book` (values as the client sends them, the
    KundenDoku as a table with a totals row): the same customers, entries and skipped rows,
    except what Excel's client does not send (which cells are merged)."""
    grids = read_grids(books["libreoffice"])
    sheets = {name: [list(r) for r in grid] for name, grid in grids.items() if len(grid)}
    kl = sheets["Kundenliste 2025"]
    del kl[tb.CONT_ROW - 1]  # merged ranges do not reach the door: leave that row out
    book = xl_book(sheets, tables={"KundenDoku 2025": [
        xl_table("Gespraeche", 1, tb.DOKU_TOTALS_ROW, "F", totals=True)]})
    from kundenliste_tools.xl.common import workbook_data

    data = workbook_data(book)
    expected = [r if r < tb.CONT_ROW else r - 1 for r in CUSTOMER_ROWS]
    assert data.kunden["_row"].tolist() == expected
    assert data.doku["_row"].tolist() == [2, 3, 4, 5]
    reasons = Counter(s.reason for s in data.skipped)
    assert reasons["eingabehilfe"] == 1 and reasons["ergebniszeile"] == 1
    # the helper formula's results only stand in a column the tool does not know
    assert reasons["andere-spalten"] == tb.FORMULA_END - tb.LAST  # rows 55–199 after the cut
    codes = [(f.cell, f.code) for f in validate(data, today=tb.STICHTAG)]
    assert (f"B{tb.ERROR_ROW}", "zellfehler") in codes and ("B2", "id-schreibweise") in codes


@pytest.mark.parametrize("writer", ["openpyxl", "xlsxwriter"])
def test_a_stray_cell_in_xfd_is_not_read(tmp_path, writer):
    import openpyxl

    path = tb.WRITERS[writer](tmp_path / "ohne.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["Kundenliste 2025"]["XFD17"] = "x"
    wb.save(tmp_path / "mit.xlsx")
    plain, stray = read_workbook(path), read_workbook(tmp_path / "mit.xlsx")
    assert stray.kunden["_row"].tolist() == plain.kunden["_row"].tolist() == CUSTOMER_ROWS
    assert stray.kunden["ID"].tolist() == plain.kunden["ID"].tolist()
    grid = read_grids(tmp_path / "mit.xlsx")["Kundenliste 2025"]
    assert max(map(len, grid)) <= len(tb.HEADER)  # calamine never saw column XFD


def test_only_the_cut_sheet_goes_into_memory(tmp_path):
    """The sheet with the stray cell is parsed from a small package of its cut XML; the other
    sheets (the KundenDoku is the large one) are not copied into it but read from the file."""
    import openpyxl
    import python_calamine as pc

    from kundenliste_tools.files import reader

    path = tb.WRITERS["openpyxl"](tmp_path / "ohne.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["Kundenliste 2025"]["XFD17"] = "x"
    wb.save(tmp_path / "mit.xlsx")
    plan, cut = reader._plan(tmp_path / "mit.xlsx", "mit.xlsx")
    assert list(cut) == ["Kundenliste 2025"] and len(plan) == 2
    handle = cut["Kundenliste 2025"]()
    assert handle.sheet_names == list(wb.sheetnames)  # the workbook part is the same ...
    with pytest.raises(pc.CalamineError):  # ... but the KundenDoku's XML is not in the package
        handle.get_sheet_by_name("KundenDoku 2025").to_python()
    assert reader._plan(path, "ohne.xlsx")[1] == {}


@pytest.mark.parametrize("writer", ["openpyxl", "xlsxwriter", "libreoffice"])
def test_the_scan_in_small_pieces_finds_what_one_piece_finds(books, writer, monkeypatch):
    """The sheet XML is scanned in pieces cut after a row (memory: the KundenDoku of a job
    centre is 100 MB of XML); pieces of a few hundred bytes must find the same formula cells,
    error cells, merged ranges and totals rows as one piece of the whole sheet."""
    import zipfile

    from kundenliste_tools.files import sheetfacts
    from kundenliste_tools.files.package import sheet_parts

    with zipfile.ZipFile(books[writer]) as zf:
        parts = sheet_parts(zf)
        whole = {s: sheetfacts.scan_sheet(zf, p) for s, p in parts.items()}
        monkeypatch.setattr(sheetfacts, "SCAN_CHUNK", 300)
        pieces = {s: sheetfacts.scan_sheet(zf, p) for s, p in parts.items()}
    for sheet, scan in whole.items():
        got = pieces[sheet]
        assert got.errors == scan.errors
        assert got.facts.formula_rows.tolist() == scan.facts.formula_rows.tolist()
        assert got.facts.formula_cols.tolist() == scan.facts.formula_cols.tolist()
        assert (got.facts.merged, got.facts.totals_rows) == (scan.facts.merged, scan.facts.totals_rows)
    known = whole["Kundenliste 2025"]
    assert len(known.facts.formula_rows) and known.errors and known.facts.merged  # the book has them


@pytest.mark.parametrize("writer", ["openpyxl", "xlsxwriter"])
def test_a_stray_cell_far_down_is_read_without_the_empty_rows_between(tmp_path, writer):
    """Column B, row 1,048,576: by the rule a value a person entered in a known field, so the
    row is reported where it is; the million empty rows above it are never built."""
    import openpyxl

    path = tb.WRITERS[writer](tmp_path / "ohne.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["Kundenliste 2025"]["B1048576"] = "x"
    wb["Kundenliste 2025"]["C1048576"] = "#N/A"  # an error cell in the moved row keeps its place
    wb["Kundenliste 2025"]["XFD17"] = "y"
    wb.save(tmp_path / "mit.xlsx")
    data = read_workbook(tmp_path / "mit.xlsx")
    assert data.kunden["_row"].tolist() == CUSTOMER_ROWS + [1048576]
    grid = read_grids(tmp_path / "mit.xlsx")["Kundenliste 2025"]
    assert len(grid) < tb.FORMULA_END + 10 and max(map(len, grid)) <= len(tb.HEADER)
    cells = {(f.cell, f.code) for f in validate(data, today=tb.STICHTAG)}
    assert ("B1048576", "datum-ungueltig") in cells and ("A1048576", "id-fehlt") in cells
    assert ("C1048576", "zellfehler") in cells


def test_sheet_and_header_refusals_are_one_short_sentence(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Kundenliste"
    ws.append(["Kundenliste Team Nord, Stand 2026-11-30"])
    ws.append(["ID", "Erstkontakt", "Akquise", "Status", "Berater", "Vorname", "Nachname", "Str.",
               "PLZ", "Ort", "Telefon"])
    wb.create_sheet("KundenDoku").append(["Datum", "ID", "Berater", "Kommentar", "Vereinbarung",
                                          "Folgetermin"])
    wb.save(tmp_path / "ohne_email.xlsx")
    code, _, err = run("pruefen", str(tmp_path / "ohne_email.xlsx"))
    assert code == 2
    assert err == ("Fehler: Im Blatt „Kundenliste“ fehlt die Spalte „Email“ in der "
                   "Überschriftenzeile (Zeile 2); bitte die Überschrift dort ergänzen oder so "
                   "umbenennen.\n")
    wb.create_sheet("Kundenliste 2024").append(["x"])
    del wb["Kundenliste"]
    wb.create_sheet("Kundenliste 2025").append(["x"])
    wb.save(tmp_path / "zwei.xlsx")
    code, _, err = run("pruefen", str(tmp_path / "zwei.xlsx"))
    assert code == 2 and "„Kundenliste 2024“ und „Kundenliste 2025“" in err
    assert "bitte das gültige in „Kundenliste“ umbenennen" in err


def test_grids_from_both_doors_give_one_model():
    """`workbook_from_grids` is the one place: a grid with a title and hint row works the same
    whichever door sent it (here: plain lists)."""
    grids = {"Kundenliste 2025": [[tb.TITLE], [], tb.HEADER, tb.HINT] +
             [v + [None] for _, v in tb.customers()[:3]],
             "KundenDoku": [tb.DOKU_HEADER, [dt.date(2026, 5, 1), tb.own_id(1).lower()]]}
    data = workbook_from_grids(grids)
    assert data.kunden["_row"].tolist() == [5, 6, 7]
    assert [(s.row, s.reason) for s in data.skipped] == [(4, "eingabehilfe")]


def test_superscript_digits_are_text_not_numbers():
    # Found by hypothesis (test_random_values_in_every_field_never_crash): "²" is a digit to
    # str.isdigit but not a number to int(); an ID "²" is text, an Ausweis serial with it no serial.
    from kundenliste_tools.core.identifiers import ausweis_ok

    assert id_key("²") == "²" and id_key(" 007 ") == "7" and id_key("٣٤") == "34"  # Arabic-Indic digits: decimal
    assert ausweis_ok("AB²4567891") is False
