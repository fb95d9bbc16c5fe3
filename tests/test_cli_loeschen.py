"""`kundenliste loeschen` on a team's own .xlsm (issue 17): erased everywhere, nothing else touched.

The workbook is the xlsxwriter corpus book (tests/corpus.py: VBA project, an Excel table, a
chart, a note, a dropdown, shared strings: the names live in xl/sharedStrings.xml, not in the
sheet) with two more KundenDoku entries of customer A-17 that mention the customers we erase,
in other spellings (upper case, `Hauptstraße` for `Hauptstr.`, `0341/123456` for
`0341 123456`, the e-mail address in capitals, first and last name swapped).
"""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from pyopenvba import ExcelFile

from kundenliste_tools.cli import main
from kundenliste_tools.core.canonical import canonical

from . import corpus
from .userbook import DOKU_ROWS, KUNDEN_ROWS, VBA_MODULE, all_values, raw_entries, visibility

MENTIONS = [
    ["2026-03-10", "A-17", "Herr B", "Frau MUSTER rief an (0341/123456), wohnt Hauptstraße 1, 04109 Leipzig",
     "Mail an EVA@EXAMPLE.ORG, Ida Probe informieren", None],
    ["2026-03-12", "A-17", "Herr B", "Mit Herrn TEST (Tom) aus Dresden gesprochen", None, None],
]
#: The personal values of the two customers erased below (Kundenliste rows 2 and 5).
EVA = ["Eva", "Muster", "Hauptstr. 1", "04109", "Leipzig", "0341 123456", "eva@example.org"]
TOM = ["Tom", "Test", "01067", "Dresden"]


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def team_book(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The xlsxwriter .xlsm of the corpus with the two mentions, IDs issued by `ids` (which
    leaves the one backup the erase must find)."""
    monkeypatch.setattr(corpus, "DOKU_ROWS", DOKU_ROWS + MENTIONS)
    vba = corpus.vba_project(folder)
    book = corpus.xlsxwriter_book(folder, vba, "Kundenliste.xlsm")
    vba.unlink()
    assert "xl/sharedStrings.xml" in corpus.parts(book)
    assert run("ids", str(book))[0] == 0
    return book


def part_texts(path: Path) -> dict[str, str]:
    """Each zip part in canonical form: XML by its text and attribute values (entities resolved),
    any other part by its bytes read as Latin-1 and as UTF-16 (VBA keeps strings in both)."""
    out = {}
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            data = zf.read(name)
            try:
                root = ElementTree.fromstring(data)
            except ElementTree.ParseError:
                out[name] = canonical(data.decode("latin-1")) + " | " + canonical(data.decode("utf-16-le", "ignore"))
                continue
            pieces = []
            for el in root.iter():
                pieces += [el.text or "", el.tail or "", *el.attrib.values()]
            out[name] = canonical(html.unescape(" ".join(pieces)))
    return out


def found(values: list[str], texts: dict[str, str]) -> list[tuple[str, str]]:
    """(value, part) wherever a value stands as whole words in a part's canonical text."""
    hits = []
    for value in values:
        needle = canonical(value)
        for name, text in texts.items():
            if re.search(r"(?<![0-9a-z])" + re.escape(needle) + r"(?![0-9a-z])", text):
                hits.append((value, name))
    return hits


def auswertung(book: Path, out: Path) -> tuple[dict[str, Any], list[list[Any]]]:
    code, text, err = run("quartal", str(book), "--quartal", "2026-Q1", "--out", str(out), "--json")
    assert code == 0, err
    summary = json.loads(text)
    sheet = all_values(out)["Auswertung"]
    out.unlink()
    return {k: summary[k] for k in ("kunden", "eintraege", "k")}, sheet


def test_erase_two_customers_from_a_team_xlsm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "team"
    folder.mkdir()
    book = team_book(folder, monkeypatch)
    (old_backup,) = [p for p in folder.iterdir() if ".bak." in p.name]  # holds both customers
    tom_id = all_values(book)["Kundenliste"][4][0]
    assert all_values(book)["Kundenliste"][4][5:7] == ["Tom", "Test"]
    assert found(EVA + TOM, part_texts(book))  # the check below can see them
    counts_before = auswertung(book, tmp_path / "q1-vorher.xlsx")

    # without --ja: a list of what would go, the file byte-identical
    original = book.read_bytes()
    code, out, err = run("loeschen", str(book), "--id", "101", tom_id.lower())
    assert code == 0, err
    assert "Würde löschen: 2 Kunden" in out and "--ja" in out
    assert book.read_bytes() == original
    assert str(old_backup) in out and "enthält die Daten noch" in out

    before_raw, before_values = raw_entries(book), all_values(book)
    code, out, err = run("loeschen", str(book), "--id", "101", tom_id, "--ja", "--grund", "Antrag von Eva Muster",
                         "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["geloescht"] is True
    after_raw, after_values = raw_entries(book), all_values(book)

    # 1. no personal value of either customer in any part of the file, in any spelling
    assert found(EVA + TOM, part_texts(book)) == []

    # 2. every other cell and part unchanged
    kl, kd = after_values["Kundenliste"], after_values["KundenDoku"]
    old_kl, old_kd = before_values["Kundenliste"], before_values["KundenDoku"]
    blanked = {(2, c) for c in range(6, 13)} | {(5, c) for c in (6, 7, 9, 10)}  # F..L of row 2; F,G,I,J of row 5
    for r, (old_row, new_row) in enumerate(zip(old_kl, kl), start=1):
        for c, (old, new) in enumerate(zip(old_row, new_row), start=1):
            assert new == ("" if (r, c) in blanked else old), (r, c)
    assert [kl[1][0], kl[4][0]] == [101, tom_id]  # the IDs stay …
    assert [row[:5] for row in kl] == [row[:5] for row in old_kl]  # … with Erstkontakt, Akquise, Status, Berater
    changed_doku = {(2, 4): "[gelöscht]", (2, 5): "[gelöscht]",  # Eva's own entry
                    (5, 4): "Frau [Name] rief an [Telefon]), wohnt [Adresse]",
                    (5, 5): "Mail an [E-Mail], Ida Probe informieren",
                    (6, 4): "Mit Herrn [Name] ([Name]) aus [Adresse] gesprochen"}
    for r, (old_row, new_row) in enumerate(zip(old_kd, kd), start=1):
        for c, (old, new) in enumerate(zip(old_row, new_row), start=1):
            assert new == changed_doku.get((r, c), old), (r, c)
    for sheet in ("Statistik", "ID-Register"):
        assert after_values[sheet] == before_values[sheet]  # the IDs stay retired in the register
    assert tom_id in [row[0] for row in after_values["ID-Register"]]
    changed = {n for n in before_raw if after_raw[n] != before_raw[n]}
    assert changed == {"xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/sharedStrings.xml",
                       "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml"}
    assert set(after_raw) - set(before_raw) == {"xl/worksheets/sheet5.xml"}  # the Löschprotokoll
    assert ExcelFile(book).get_module("Module1").endswith(VBA_MODULE)
    # the shared strings: same count, only the erased ones emptied (every other one as it was)
    sst = re.compile(rb"<si>(.*?)</si>")
    old_items = sst.findall(zipfile.ZipFile(io.BytesIO(original)).read("xl/sharedStrings.xml"))
    new_items = sst.findall(zipfile.ZipFile(book).read("xl/sharedStrings.xml"))
    assert len(old_items) == len(new_items)
    emptied = [o for o, n in zip(old_items, new_items) if o != n]
    assert all(n == b"<t/>" for o, n in zip(old_items, new_items) if o != n)
    assert len(emptied) == 7 + 4 + 2 + 3  # Eva's 7 values, Tom's 4, Eva's entry (2), the mentions (3)

    # 3. the quarterly figures of the period are the same
    assert auswertung(book, tmp_path / "q1-nachher.xlsx") == counts_before

    # 4. the Löschprotokoll: hidden, both customers, no personal data (checked in 1.)
    assert visibility(book)["Löschprotokoll"] == "hidden"
    log = after_values["Löschprotokoll"]
    assert log[0] == ["Zeitpunkt", "ID", "Gelöschte Angaben", "Zellen", "Grund"]
    assert [row[1] for row in log[1:]] == ["101", tom_id]
    # Eva: 2 names + 3 address + phone + e-mail + 2 own texts + 2 mention cells = 11;
    # Tom: 2 names + PLZ and Stadt + 1 mention cell = 5
    assert [(row[2], row[3]) for row in log[1:]] == [
        ("Name 2, Adresse 3, Telefon 1, E-Mail 1, Einträge (Freitext) 2, Erwähnungen bei anderen 2", 11),
        ("Name 2, Adresse 2, Erwähnungen bei anderen 1", 5)]
    assert {row[4] for row in log[1:]} == {"Antrag von [Name]"}

    # 5. no backup of the erased data, no temporary file; the listed backup is the one holding it
    assert sorted(p.name for p in folder.iterdir()) == sorted(["Kundenliste.xlsm", old_backup.name])
    assert [b["datei"] for b in result["sicherungen"]] == [str(old_backup)]
    assert found(EVA, part_texts(old_backup)) and found(TOM, part_texts(old_backup))
    clean = folder / "Kundenliste.2026-12-01T0900.bak.xlsm"  # a later backup without them
    clean.write_bytes(book.read_bytes())
    other = folder / "Andere.2026-01-01T0900.bak.xlsm"  # another workbook's backup: never ours
    other.write_bytes(original)
    code, out, err = run("loeschen", str(book), "--id", "101", tom_id, "--ja", "--sicherungen-loeschen")
    assert code == 0, err
    assert "nichts (mehr) zu löschen" in out and f"{old_backup}: gelöscht" in out
    assert sorted(p.name for p in folder.iterdir()) == sorted(["Kundenliste.xlsm", clean.name, other.name])
    assert after_raw == raw_entries(book)  # a second run changes nothing


def test_unknown_id_is_exit_2_and_nothing_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    book = team_book(tmp_path, monkeypatch)
    original = book.read_bytes()
    code, out, err = run("loeschen", str(book), "--id", "999", "--ja")
    assert code == 2 and out == ""
    assert err.startswith("Fehler: --id: Die ID „999“ steht nicht in der Kundenliste")
    assert book.read_bytes() == original


def test_other_sheets_are_scrubbed_but_not_lists_formulas_or_the_register(tmp_path: Path) -> None:
    """A Prüfbericht the Excel door wrote names the customer; a team's list happens to hold the
    same word; a formula shows her name: only the Prüfbericht text changes."""
    import openpyxl

    from kundenliste_tools.files.template import write_workbook

    path = write_workbook(tmp_path / "Kundenliste.xlsx", kunden=[
        {"ID": "101", "Erstkontakt": "2026-01-05", "Akquise": "VAMV", "Status": "neu", "Berater": "A",
         "VName": "Eva", "NName": "Muster"},
        {"ID": "102", "Erstkontakt": "2026-01-05", "Akquise": "VAMV", "Status": "neu", "Berater": "A",
         "VName": "Max", "NName": "Probe"}])
    wb = openpyxl.load_workbook(path)
    report = wb.create_sheet("Prüfbericht")
    report["F6"] = "NName „MUSTER“ enthält nur Großbuchstaben."
    report["F7"] = "NName „Probe“ ist unwahrscheinlich."
    report["A1"] = "=Kundenliste!G2"
    wb["Listen"]["J2"] = "Muster"  # a list entry that is also her name: values, not notes
    wb.save(path)
    before = all_values(path)
    code, out, err = run("loeschen", str(path), "--id", "101", "--ja")
    assert code == 0, err
    after = all_values(path)
    report_before, report_after = before["Prüfbericht"], after["Prüfbericht"]
    assert report_after[5][5] == "NName „[Name]“ enthält nur Großbuchstaben."
    assert report_after[6] == report_before[6]  # Max Probe stays
    assert "Erwähnungen bei anderen 1" in out and "in anderen Blättern ersetzt: „Prüfbericht“ 1 Zellen" in out
    assert after["Listen"] == before["Listen"]
    with zipfile.ZipFile(path) as zf:
        report_part = next(n for n in zf.namelist() if n.endswith(".xml") and b"Kundenliste!G2" in zf.read(n))
        assert b"<f>Kundenliste!G2</f>" in zf.read(report_part)  # the formula is not overwritten


def test_notes_in_the_erased_row_go_and_notes_elsewhere_are_scrubbed(tmp_path: Path) -> None:
    """The team's openpyxl .xlsm (tests/userbook.py) with two more notes: one on Eva's phone
    cell, one on the Statistik sheet that names her."""
    import openpyxl
    from openpyxl.comments import Comment

    from .userbook import user_xlsm

    book = user_xlsm(tmp_path / "Kundenliste.xlsm")
    wb = openpyxl.load_workbook(book, keep_vba=True)
    wb["Kundenliste"]["K2"].comment = Comment("Nur vormittags, Handy 0170 7654321", "Kollegin")
    wb["Statistik"]["A1"].comment = Comment("Ohne die Gespräche mit Frau MUSTER", "Kollegin")
    wb.save(book)
    code, out, err = run("loeschen", str(book), "--id", "101", "--ja")
    assert code == 0, err
    assert "Notizen 1" in out
    notes = {}
    with zipfile.ZipFile(book) as zf:
        for name in zf.namelist():
            if "comments" in name and name.endswith(".xml"):
                root = ElementTree.fromstring(zf.read(name))
                for c in root.iter("{http://schemas.openxmlformats.org/spreadsheetml/2006/main}comment"):
                    notes[(name, c.get("ref"))] = "".join(t.text or "" for t in c.iter(
                        "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}t"))
    assert sorted(notes.values()) == ["Bitte Schreibweise prüfen", "Ohne die Gespräche mit Frau [Name]", "[gelöscht]"]
    assert found(EVA + ["0170 7654321"], part_texts(book)) == []


def test_formulas_that_show_an_erased_value_keep_the_formula_but_not_the_cached_result(tmp_path: Path) -> None:
    """A team's display column `=F2&" "&G2` in the Kundenliste and a statistics sheet quoting a
    surname (xlsxwriter writes the cached results Excel would): after the erase neither name is in
    any part, the formulas are still there, Excel is told to compute on opening, and the cached
    results of formulas about other customers (or numbers) are byte for byte what they were."""
    import xlsxwriter

    path = tmp_path / "Kundenliste.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    k = wb.add_worksheet("Kundenliste")
    k.write_row(0, 0, ["ID", "Erstkontakt", "Akquise", "Status", "Berater", "VName", "NName", "Strasse", "PLZ",
                       "Stadt", "Telefon", "EMail", "Anzeige"])
    people = [["101", "2025-01-10", "VAMV", "abgeschlossen", "Karin", "Tomasz", "Wisniewski", "Lindenweg 5",
               "04109", "Leipzig", "0341 5550123", "tomasz@example.org"],
              ["102", "2025-02-10", "VAMV", "in Beratung", "Karin", "Erika", "Mustermann", "Hauptstr. 1",
               "04109", "Leipzig", "0341 5550999", "erika@example.org"]]
    for i, person in enumerate(people, 1):
        k.write_row(i, 0, person)
        k.write_formula(i, 12, f'=F{i + 1}&" "&G{i + 1}', None, f"{person[5]} {person[6]}")
    d = wb.add_worksheet("KundenDoku")
    d.write_row(0, 0, ["Datum", "ID", "Berater", "Zusammenfassung", "Vereinbarungen", "Folgetermin", "Kontaktart",
                       "Vermerkart"])
    d.write_row(1, 0, ["2025-03-01", "101", "Karin", "sucht Arbeit", "", "", "persönlich", "Beratungsvermerk"])
    st = wb.add_worksheet("Statistik")
    st.write_formula(0, 0, "=UPPER(Kundenliste!G2)", None, "WISNIEWSKI")
    st.write_formula(1, 0, "=1+1", None, 2)
    st.write_formula(2, 0, "=Kundenliste!G3", None, "Mustermann")
    wb.close()
    assert found(["Wisniewski"], part_texts(path))  # the cached results hold the name before
    code, out, err = run("loeschen", str(path), "--id", "101", "--ja")
    assert code == 0, err
    assert found(["Wisniewski", "Tomasz"], part_texts(path)) == []
    with zipfile.ZipFile(path) as zf:
        kunden, stats = zf.read("xl/worksheets/sheet1.xml"), zf.read("xl/worksheets/sheet3.xml")
        workbook = zf.read("xl/workbook.xml")
    assert b'<c r="M2"><f>F2&amp;" "&amp;G2</f></c>' in kunden  # formula kept, cached result gone
    assert b'<c r="M3" t="str"><f>F3&amp;" "&amp;G3</f><v>Erika Mustermann</v></c>' in kunden
    assert b'<c r="A1"><f>UPPER(Kundenliste!G2)</f></c>' in stats
    assert b"<f>1+1</f><v>2</v>" in stats and b"<v>Mustermann</v>" in stats
    assert re.search(rb"<calcPr[^>]*fullCalcOnLoad=\"1\"", workbook)


def test_copies_excel_keeps_beside_the_cells_are_named_with_what_to_do(tmp_path: Path) -> None:
    """A pivot cache and the document title still quote the erased customer (Excel keeps such
    copies; the lossless erase does not rewrite them): the command says which parts and what
    to do, and exits 1; a city shared with others is no such finding."""
    from kundenliste_tools.files.template import write_workbook

    path = write_workbook(tmp_path / "Kundenliste.xlsx", kunden=[
        {"ID": "101", "Erstkontakt": "2026-01-05", "Akquise": "VAMV", "Status": "neu", "Berater": "A",
         "VName": "Tomasz", "NName": "Wisniewski", "Stadt": "Leipzig"},
        {"ID": "102", "Erstkontakt": "2026-01-05", "Akquise": "VAMV", "Status": "neu", "Berater": "A",
         "VName": "Erika", "NName": "Mustermann", "Stadt": "Leipzig"}])
    main_ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("xl/pivotCache/pivotCacheDefinition9.xml",
                    f'<pivotCacheDefinition xmlns="{main_ns}"><cacheFields count="1"><cacheField name="NName">'
                    '<sharedItems count="2"><s v="WISNIEWSKI"/><s v="Mustermann"/></sharedItems></cacheField>'
                    "</cacheFields></pivotCacheDefinition>")
        zf.writestr("docProps/custom.xml",
                    '<Properties xmlns="urn:x"><p>Leipzig, Akte Tomasz Wisniewski</p></Properties>')
    code, out, err = run("loeschen", str(path), "--id", "101", "--ja")
    assert code == 1, err
    warnings = [line for line in out.splitlines() if line.startswith("Achtung")]
    assert warnings == [
        "Achtung, noch in der Datei (xl/pivotCache/pivotCacheDefinition9.xml): Zwischenspeicher einer "
        "Pivot-Tabelle: die Pivot-Tabelle in Excel aktualisieren (Daten → Alle aktualisieren) und speichern.",
        "Achtung, noch in der Datei (docProps/custom.xml): Dokumenteigenschaften: in Excel unter Datei → "
        "Informationen → Eigenschaften entfernen."]
    # the sheets and shared strings themselves are clean (what the erase does rewrite)
    texts = part_texts(path)
    assert {p for _v, p in found(["Wisniewski", "Tomasz"], texts)} == {
        "xl/pivotCache/pivotCacheDefinition9.xml", "docProps/custom.xml"}
    # erasing Erika: the pivot cache names her too; Leipzig (shared, in the title) is not looked for
    code, out, _ = run("loeschen", str(path), "--id", "102", "--ja", "--json")
    assert code == 1 and [c["teil"] for c in json.loads(out)["noch_in_der_datei"]] == [
        "xl/pivotCache/pivotCacheDefinition9.xml"]


@pytest.mark.parametrize("variant", ["without_cell_refs", "inline_strings"])
def test_shared_strings_of_cells_written_without_references_or_left_behind_are_emptied(tmp_path: Path,
                                                                                       variant: str) -> None:
    """Excel's own markup rewritten the way other programs write it: cells without `r=` (their
    strings were not found by reference), and every cell as an inline string while the old
    shared-string table stays behind unused. After erasing Eva Muster (101) none of her values is
    in any part, and what other customers still show is still there."""
    vba = corpus.vba_project(tmp_path)
    book = getattr(corpus, variant)(corpus.excel_book(tmp_path, vba), tmp_path)
    before = all_values(book)
    code, out, err = run("loeschen", str(book), "--id", "101", "--ja")
    assert code == 0, out + err
    mine = [str(v) for v in KUNDEN_ROWS[0][5:12] if v and str(v) not in ("Leipzig", "04109")]
    assert found(mine, part_texts(book)) == []
    after = all_values(book)
    assert after["Kundenliste"][2:] == before["Kundenliste"][2:]  # the other customers' rows
