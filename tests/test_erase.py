"""The erasure plan (core/erase.py): what a relative or namesake keeps of their own record."""

from __future__ import annotations

from pathlib import Path

from kundenliste_tools.core.access import build_auskunft
from kundenliste_tools.core.erase import plan_erasure, select_ids
from kundenliste_tools.files.reader import read_workbook
from kundenliste_tools.files.template import write_workbook


def book(tmp_path: Path):
    def kunde(i: str, v: str, n: str, plz: str = "04109", stadt: str = "Leipzig") -> dict:
        return {"ID": i, "Erstkontakt": "2026-01-05", "Akquise": "VAMV", "Status": "in Beratung", "Berater": "A",
                "VName": v, "NName": n, "Strasse": "Hauptstr. 1", "PLZ": plz, "Stadt": stadt}

    path = write_workbook(tmp_path / "Kundenliste.xlsx", kunden=[
        kunde("101", "Eva", "Muster"), kunde("102", "Anna", "Muster"),
        kunde("103", "Ida", "Probe", "01067", "Dresden")],
        doku=[{"Datum": "2026-01-06", "ID": "101", "Berater": "A", "Zusammenfassung": "Erstgespräch"},
              {"Datum": "2026-01-07", "ID": "102", "Berater": "A",
               "Zusammenfassung": "Frau Muster aus Leipzig: Bewerbung; Schwester Eva kommt mit"},
              {"Datum": "2026-01-08", "ID": "103", "Berater": "A",
               "Zusammenfassung": "Frau Muster aus Leipzig hat angerufen"}])
    return read_workbook(path)


def test_a_namesake_keeps_her_own_name_and_city_in_her_own_entries(tmp_path: Path) -> None:
    data = book(tmp_path)
    plan = plan_erasure(data, select_ids(data, ["101"]))
    doku = plan.cells["KundenDoku"]
    # Anna Muster (102) shares surname, street, PLZ and city with Eva: her entry keeps them,
    # only Eva's first name goes; Ida's (103) entry has no such claim: all of Eva's values go
    assert doku["D3"] == "Frau Muster aus Leipzig: Bewerbung; Schwester [Name] kommt mit"
    assert doku["D4"] == "Frau [Name] aus [Adresse] hat angerufen"
    assert doku["D2"] == "[gelöscht]"
    assert plan.mentions == 2
    # her row: names and the whole address blanked (F..J of row 2), the others' rows untouched
    assert sorted(plan.cells["Kundenliste"]) == ["F2", "G2", "H2", "I2", "J2"]


def test_the_auskunft_counts_the_same_mentions(tmp_path: Path) -> None:
    data = book(tmp_path)
    auskunft = build_auskunft(data, select_ids(data, ["101"])[0])
    assert [(m[1], m[4]) for m in auskunft.mentions] == [
        (3, "Frau Muster aus Leipzig: Bewerbung; Schwester Eva kommt mit"),
        (4, "Frau Muster aus Leipzig hat angerufen")]
