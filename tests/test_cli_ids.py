"""`kundenliste ids` on a team's own .xlsm: every blank ID filled, nothing else touched."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from msoffcrypto.format.ooxml import OOXMLFile
from pyopenvba import ExcelFile

from kundenliste_tools.cli import main
from kundenliste_tools.core.ids import check_ok, is_own_format
from kundenliste_tools.files.reader import read_workbook

from .lo import convert
from .userbook import BLANK_ID_ROWS, EMPTY_ROW, VBA_MODULE, all_values, raw_entries, user_xlsm, visibility

#: Parts the done-when line allows to change: the edited sheet's XML, shared strings, document
#: properties and the package's own lists of parts (workbook.xml only where the register is added).
MAY_CHANGE = {"xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "docProps/core.xml",
              "docProps/app.xml", "[Content_Types].xml", "xl/_rels/workbook.xml.rels",
              "xl/workbook.xml"}


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return user_xlsm(tmp_path / "Kundenliste.xlsm")


def check_filled(before: dict, after: dict) -> list[str]:
    """Assert the ids run changed exactly the blank IDs of rows with data; return the new IDs."""
    old, new = before["Kundenliste"], after["Kundenliste"]
    assert len(new) == len(old)
    fresh = []
    for r, (old_row, new_row) in enumerate(zip(old, new), start=1):
        if r in BLANK_ID_ROWS:
            assert old_row[0] == "" and is_own_format(new_row[0]) and check_ok(new_row[0])
            fresh.append(new_row[0])
            assert new_row[1:] == old_row[1:]
        else:
            assert new_row == old_row  # existing IDs (101, "A-17", 102), header, empty row 8
    assert all(v == "" for v in new[EMPTY_ROW - 1])
    assert len(set(fresh)) == len(fresh) == len(BLANK_ID_ROWS)
    existing = {str(row[0]) for row in old[1:] if row[0] != ""} | {"101", "102", "103"}
    assert not set(fresh) & existing
    for sheet in before:
        if sheet != "Kundenliste":
            assert after[sheet] == before[sheet], sheet
    return fresh


def test_ids_fills_every_blank_id_and_touches_nothing_else(book: Path, tmp_path: Path) -> None:
    before_raw, before_values = raw_entries(book), all_values(book)
    original = book.read_bytes()
    code, out, err = run("ids", str(book))
    assert code == 0, err
    after_raw, after_values = raw_entries(book), all_values(book)

    fresh = check_filled(before_values, after_values)
    # the register: a new hidden sheet listing exactly the new IDs
    # (column A), and once the key of the export pseudonyms in C1, labelled in B1 (core/pseudonym.py)
    register = after_values["ID-Register"]
    assert [r[0] for r in register] == ["Vergebene ID"] + fresh
    assert register[0][1] == "Export-Schlüssel" and re.fullmatch(r"[0-9a-f]{64}", register[0][2])
    assert all(v in ("", None) for r in register[1:] for v in r[1:])
    assert visibility(book) == {"Kundenliste": "visible", "KundenDoku": "visible",
                                "Statistik": "visible", "ID-Register": "hidden"}
    # zip parts: every pre-existing one byte-identical unless the done-when line allows it
    changed = {n for n in before_raw if after_raw[n] != before_raw[n]}
    assert changed <= MAY_CHANGE
    assert changed == {"xl/worksheets/sheet1.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                       "[Content_Types].xml"}
    assert set(after_raw) - set(before_raw) == {"xl/worksheets/sheet4.xml"}
    for precious in ("xl/vbaProject.bin", "xl/charts/chart1.xml", "xl/drawings/drawing1.xml",
                     "xl/comments/comment1.xml", "xl/drawings/commentsDrawing1.vml",
                     "xl/worksheets/sheet2.xml", "xl/worksheets/sheet3.xml", "xl/styles.xml"):
        assert after_raw[precious] == before_raw[precious], precious
    assert ExcelFile(book).get_module("Module1").endswith(VBA_MODULE)
    # report and backup
    for i in fresh:
        assert i in out
    backups = sorted(p for p in book.parent.iterdir() if ".bak." in p.name)
    assert len(backups) == 1 and backups[0].read_bytes() == original
    assert backups[0].name.startswith("Kundenliste.") and backups[0].name.endswith(".bak.xlsm")
    assert str(backups[0]) in out

    # LibreOffice still opens the patched workbook and sees the IDs
    lo_dir = tmp_path / "lo"
    lo_dir.mkdir()
    seen = all_values(convert(book, "xlsx", lo_dir))
    assert [row[0] for row in seen["Kundenliste"][1:7]] == [r[0] for r in after_values["Kundenliste"][1:7]]


def test_a_second_run_only_appends_to_the_register(book: Path) -> None:
    assert run("ids", str(book))[0] == 0
    first = all_values(book)
    assert run("ids", str(book))[1].startswith("Alle Zeilen der Kundenliste haben eine ID")
    assert all_values(book) == first  # nothing to do, nothing written
    # a counsellor adds a customer at the bottom (openpyxl stands in for Excel here)
    import openpyxl

    wb = openpyxl.load_workbook(book, keep_vba=True)
    wb["Kundenliste"]["B12"] = "2026-04-01"
    wb["Kundenliste"]["F12"] = "Neu"
    wb.save(book)
    before_raw = raw_entries(book)
    code, out, _ = run("ids", str(book), "--json")
    assert code == 0
    result = json.loads(out)
    assert [(x["row"], x["cell"]) for x in result["issued"]] == [(12, "A12")]
    assert result["register_created"] is False
    after_raw = raw_entries(book)
    register_part = next(n for n in after_raw if n.endswith("sheet4.xml"))
    assert {n for n in before_raw if before_raw[n] != after_raw[n]} == {"xl/worksheets/sheet1.xml", register_part}
    register = [r[0] for r in all_values(book)["ID-Register"]]
    assert register == ["Vergebene ID"] + [r[0] for r in first["ID-Register"][1:]] + [result["issued"][0]["id"]]


def test_anzahl_only_prints_new_ids(book: Path) -> None:
    original = book.read_bytes()
    code, out, err = run("ids", str(book), "--anzahl", "5")
    assert code == 0
    lines = out.split()
    assert len(lines) == 5 == len(set(lines)) and all(check_ok(i) for i in lines)
    assert "nicht im ID-Register" in err
    assert book.read_bytes() == original
    assert sorted(p.name for p in book.parent.iterdir()) == ["Kundenliste.xlsm"]


def test_refusal_while_open_in_excel_is_exit_2_with_a_german_message(book: Path) -> None:
    (book.parent / f"~${book.name}").write_bytes(b"x")
    original = book.read_bytes()
    code, out, err = run("ids", str(book))
    assert code == 2 and out == ""
    assert err.startswith("Fehler: „Kundenliste.xlsm“ ist gerade in Excel geöffnet")
    assert book.read_bytes() == original


def test_refusal_for_an_encrypted_workbook_even_with_the_password(book: Path, tmp_path: Path) -> None:
    encrypted = tmp_path / "geheim.xlsm"
    with open(book, "rb") as src, open(encrypted, "wb") as dst:
        OOXMLFile(src).encrypt("Geheim1", dst)
    original = encrypted.read_bytes()
    code, _, err = run("ids", str(encrypted), "--passwort", "Geheim1")
    assert code == 2 and "verschlüsselt" in err
    assert encrypted.read_bytes() == original
    # printing new IDs only reads, which works with the password
    assert run("ids", str(encrypted), "--passwort", "Geheim1", "--anzahl", "2")[0] == 0


def test_the_template_workbook_gets_its_register_appended(tmp_path: Path) -> None:
    """The tool's own template already has a hidden register with a header only."""
    from kundenliste_tools.files.template import write_workbook

    path = write_workbook(tmp_path / "Vorlage.xlsx", kunden=[
        {"Erstkontakt": "2026-01-05", "Akquise": "VAMV", "Status": "neu", "Berater": "A",
         "VName": "Eva", "NName": "Muster"}])
    assert visibility(path)["ID-Register"] == "hidden"
    before = raw_entries(path)
    code, out, err = run("ids", str(path), "--json")
    assert code == 0, err
    new_id = json.loads(out)["issued"][0]["id"]
    values = all_values(path)
    assert values["Kundenliste"][1][0] == new_id
    assert [r[0] for r in values["ID-Register"][:2]] == ["Vergebene ID", new_id]
    assert values["ID-Register"][0][1:] == ["Export-Schlüssel", read_workbook(path).export_key]
    assert len(values["ID-Register"][0][2]) == 64
    after = raw_entries(path)
    assert "xl/workbook.xml" in before and after["xl/workbook.xml"] == before["xl/workbook.xml"]


def test_console_script(book: Path) -> None:
    script = shutil.which("kundenliste", path=str(Path(sys.executable).parent))
    assert script, "console script `kundenliste` not installed next to the interpreter"
    proc = subprocess.run([script, "ids", str(book)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert f"{len(BLANK_ID_ROWS)} neue IDs vergeben" in proc.stdout
    filled = [row[0] for row in all_values(book)["Kundenliste"][1:]]
    assert all(check_ok(filled[r - 2]) for r in BLANK_ID_ROWS)


def test_a_kundenliste_damaged_deep_inside_is_refused_in_german(tmp_path: Path) -> None:
    """`ids` parses the Kundenliste for its patch while calamine reads (issue 18); a deflate
    stream broken far past the sheet's first rows must still end in the reader's German
    "beschädigt" (exit 2), not in the parse-ahead's raw zlib error."""
    import random
    import zipfile

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Kundenliste"
    ws.append(["ID", "Erstkontakt", "Akquise", "Status", "Berater", "VName", "NName", "Strasse", "PLZ",
               "Stadt", "Telefon", "Email"])
    rnd = random.Random(5)
    for i in range(6000):
        ws.append(["", "2026-01-05", "VAMV", "neu", "Karin Albers", f"Vorname{rnd.random()}",
                   f"Name{rnd.random()}", f"Weg {i}", "01067", "Dresden", "0351 2345678", f"a{i}@web.de"])
    wb.create_sheet("KundenDoku").append(["Datum", "ID", "Berater", "Zusammenfassung", "Vereinbarungen",
                                          "Folgetermin"])
    path = tmp_path / "kaputt.xlsx"
    wb.save(path)
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    middle = start + info.compress_size * 3 // 4  # far past what the reader looks at first
    raw[middle:middle + 64] = bytes(rnd.randrange(256) for _ in range(64))
    path.write_bytes(bytes(raw))
    before = path.read_bytes()
    code, _, err = run("ids", str(path))
    assert code == 2 and "beschädigt" in err and "Interner Fehler" not in err, err
    assert path.read_bytes() == before
