"""`kundenliste auskunft MAPPE ID` (issue 17): every field and entry of the customer and every
mention of them elsewhere, and nothing of any other customer."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from .test_cli_loeschen import EVA, found, part_texts, run, team_book
from .userbook import KUNDEN_HEADER, all_values

#: Every personal value of the other customers of the team book (Kundenliste rows 3 to 7).
OTHERS = ["Jan", "Beispiel", "Ida", "Probe", "Tom", "Test", "01067", "Dresden", "Uta", "Umlaut-Ä", "Max",
          "Mustermann"]


def test_auskunft_holds_the_customer_and_the_mentions_and_no_one_else(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "team"
    folder.mkdir()
    book = team_book(folder, monkeypatch)
    original = book.read_bytes()
    out_dir = tmp_path / "auskunft"
    out_dir.mkdir()
    code, out, err = run("auskunft", str(book), "101", "--out", str(out_dir), "--json")
    assert code == 0, err
    result = json.loads(out)
    path = Path(result["datei"])
    assert path.parent == out_dir and path.name == f"Auskunft_101_{dt.date.today().isoformat()}.xlsx"
    assert book.read_bytes() == original  # only read
    sheets = all_values(path)
    assert list(sheets) == ["Info", "Kundenliste", "KundenDoku", "Erwähnungen"]
    # every field of the Kundenliste row, the column the tool does not know too
    assert sheets["Kundenliste"] == [KUNDEN_HEADER, [101, "2026-01-05", "VAMV", "in Beratung", "Frau A", *EVA, ""]]
    # every entry of the customer (one in the team book)
    assert sheets["KundenDoku"][1:] == [["2026-01-06", 101, "Frau A", "Erstgespräch", "Unterlagen", "2026-02-01"]]
    # the mention in A-17's entry, Eva's values kept in their spelling, Ida Probe's scrubbed
    assert [row[:4] for row in sheets["Erwähnungen"][1:]] == [
        ["KundenDoku", 5, "2026-03-10", "Zusammenfassung"], ["KundenDoku", 5, "2026-03-10", "Vereinbarungen"]]
    assert [row[4] for row in sheets["Erwähnungen"][1:]] == [
        "Frau MUSTER rief an (0341/123456), wohnt Hauptstraße 1, 04109 Leipzig",
        "Mail an EVA@EXAMPLE.ORG, [Name] informieren"]
    assert result["eintraege"] == 1 and result["erwaehnungen"] == 2
    info = dict((row[0], row[1]) for row in sheets["Info"][1:])
    assert info["Arbeitsmappe"] == "Kundenliste.xlsm" and info["Kunden-ID"] == "101"
    assert info["Erstellt am"] == dt.date.today().isoformat()
    # nothing of anyone else, in any part of the file
    texts = part_texts(path)
    assert found(EVA, texts)
    assert found(OTHERS, texts) == []


def test_auskunft_of_an_unknown_id_is_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    book = team_book(tmp_path, monkeypatch)
    code, out, err = run("auskunft", str(book), "999")
    assert code == 2 and out == ""
    assert err.startswith("Fehler: Die ID „999“ steht nicht in der Kundenliste")
    assert not list(tmp_path.glob("Auskunft_*"))


def test_auskunft_lists_the_notes_of_the_customer_and_notes_that_name_them(tmp_path: Path) -> None:
    import openpyxl
    from openpyxl.comments import Comment

    from .userbook import user_xlsm

    book = user_xlsm(tmp_path / "Kundenliste.xlsm")
    wb = openpyxl.load_workbook(book, keep_vba=True)
    wb["Kundenliste"]["K2"].comment = Comment("Nur vormittags anrufen", "Kollegin")  # her row: hers
    wb["Statistik"]["A1"].comment = Comment("Ohne die Gespräche mit Frau MUSTER und Herrn Probe", "Kollegin")
    wb.save(book)
    code, out, err = run("auskunft", str(book), "101", "--json")
    assert code == 0, err
    mentions = all_values(Path(json.loads(out)["datei"]))["Erwähnungen"][1:]
    assert [(m[0], m[1], m[3], m[4]) for m in mentions] == [
        ("Kundenliste", 2, "Notiz in K2", "Nur vormittags anrufen"),
        ("Statistik", 1, "Notiz in A1", "Ohne die Gespräche mit Frau MUSTER und Herrn [Name]")]


def test_an_encrypted_workbook_is_previewed_and_never_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    book = team_book(tmp_path, monkeypatch)
    encrypted = tmp_path / "geheim.xlsm"
    with open(book, "rb") as src, open(encrypted, "wb") as dst:
        OOXMLFile(src).encrypt("Geheim1", dst)
    original = encrypted.read_bytes()
    code, out, err = run("loeschen", str(encrypted), "--id", "101", "--passwort", "Geheim1")
    assert code == 0, err
    assert "Würde löschen: 1 Kunden" in out
    code, out, err = run("loeschen", str(encrypted), "--id", "101", "--passwort", "Geheim1", "--ja")
    assert code == 2 and "verschlüsselt" in err
    assert encrypted.read_bytes() == original
    code, out, err = run("auskunft", str(encrypted), "101", "--passwort", "Geheim1", "--out", str(tmp_path))
    assert code == 0, err
