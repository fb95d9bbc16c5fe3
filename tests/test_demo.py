"""The demo: a tour that shows every capability on invented data."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from kundenliste_tools.cli import main
from kundenliste_tools.core.overdue import assess
from kundenliste_tools.files.demo import write_demo
from kundenliste_tools.files.reader import read_workbook
from kundenliste_tools.files.rulefiles import builtin_names, load_ruleset

TODAY = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def demo_book(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "Demo.xlsm"
    write_demo(path, today=TODAY)
    return read_workbook(path)


@pytest.mark.parametrize("name", builtin_names())
def test_demo_shows_overdue_and_not_overdue_customers_under_each_rule_set(demo_book, name):
    result = assess(demo_book, load_ruleset(name, demo_book), TODAY)
    judged = result[result["assessable"]]
    assert judged["overdue"].sum() >= 5, name
    assert (~judged["overdue"]).sum() >= 5, name
    assert len(result) == len(demo_book.kunden)


def test_demo_has_no_shows_and_a_bundesland(demo_book):
    kinds = demo_book.doku["Kontaktart"].value_counts()
    share = kinds["nicht erschienen"] / (kinds["nicht erschienen"] + kinds["persönlich"] + kinds["Video"])
    assert 0.05 < share < 0.25  # seed 001: "ein nicht unerheblicher Teil … nicht erscheint"
    assert demo_book.setting("Bundesland") == "BE"


def test_demo_customers_are_invented_and_plausible():
    from kundenliste_tools.core.demo_data import FIRST_NAMES, LAST_NAMES, generate

    data = generate(n_customers=200, today=TODAY, mistakes=False)
    assert {k["VName"] for k in data.kunden} <= set(FIRST_NAMES)
    assert {k["NName"] for k in data.kunden} <= set(LAST_NAMES)
    assert all(k["Erstkontakt"] <= TODAY for k in data.kunden)
    assert all(e["Datum"] <= TODAY for e in data.doku)
    ids = [k["ID"] for k in data.kunden]
    assert len(set(ids)) == len(ids)


def test_demo_command_runs_every_capability(tmp_path):
    out, err = io.StringIO(), io.StringIO()
    folder = tmp_path / "demo"
    assert main(["demo", str(folder), "--anzahl", "60"], stdout=out, stderr=err) == 0, err.getvalue()
    text = out.getvalue()
    for step in ("Prüfen", "IDs vergeben", "Fälligkeiten nach vamv", "Quartalsexport", "Einladungen nächste Woche",
                 "Auskunft für", "(nur Vorschau)", "Mappe mit diesem Python verbinden"):
        assert step in text
    assert "FEHLER" not in text
    names = {p.name for p in folder.iterdir()}
    assert {
        "Kundenliste-Demo.xlsm",
        "pruefbericht.txt",
        "pruefbericht.json",
        "faellig.json",
        "Quartal_anonym.xlsx",
        "einladen.txt",
        "Auskunft_Demo.xlsx",
        "loeschen_vorschau.txt",
        "einrichten.txt",
    } <= names
    assert "Würde löschen: 1 Kunden" in (folder / "loeschen_vorschau.txt").read_text(encoding="utf-8")
    plan = (folder / "einladen.txt").read_text(encoding="utf-8")
    assert "nach Regelwerk lichtenberg-2013, Quote 25 je Vollzeitstelle; Bundesland: BE" in plan
    assert all(f"faellig_{n}.txt" in names for n in builtin_names())
    # after `ids` the demo's blank IDs are filled: no `id-fehlt` left
    assert main(["pruefen", str(folder / "Kundenliste-Demo.xlsm"), "--json"], stdout=(o := io.StringIO())) == 1
    assert '"id-fehlt"' not in o.getvalue()


@pytest.mark.parametrize("n,seed", [(12, 1), (30, 2), (60, 3), (150, 4)])
def test_small_demos_also_carry_exactly_their_mistakes(n, seed):
    """Any size of demo has every deliberate mistake, and validation finds exactly those."""
    from kundenliste_tools.core.book import workbook_from_grids
    from kundenliste_tools.core.demo_data import generate
    from kundenliste_tools.core.validation import validate
    from kundenliste_tools.files.template import doku_headers, kunden_headers

    demo = generate(n_customers=n, today=TODAY, seed=seed)
    grids = {
        "Kundenliste": [kunden_headers()] + [[k.get(h) for h in kunden_headers()] for k in demo.kunden],
        "KundenDoku": [doku_headers()] + [[e.get(h) for h in doku_headers()] for e in demo.doku],
        "Listen": [["Berater"]] + [[name] for name, _ in demo.berater],
    }
    findings = validate(workbook_from_grids(grids), today=TODAY)
    assert sorted((f.sheet, f.row, f.field) for f in findings) == sorted(demo.mistakes)
    assert len(demo.mistakes) == 19


# --- the demo never deletes or overwrites a user's file ------------------------------------


def test_demo_refuses_a_folder_with_a_users_file_and_leaves_it_alone(tmp_path):
    folder = tmp_path / "Eigene Dateien"
    folder.mkdir()
    (folder / "Kundenliste echt.xlsx").write_bytes(b"PK\x03\x04 die echte Liste")
    (folder / "Unterordner").mkdir()
    err = io.StringIO()
    assert main(["demo", str(folder), "--anzahl", "20"], stdout=io.StringIO(), stderr=err) == 2
    assert "nicht leer und wurde nicht von der Demo angelegt" in err.getvalue()
    assert "Es wurde nichts geändert" in err.getvalue()
    assert sorted(p.name for p in folder.iterdir()) == ["Kundenliste echt.xlsx", "Unterordner"]
    assert (folder / "Kundenliste echt.xlsx").read_bytes() == b"PK\x03\x04 die echte Liste"


def test_demo_refuses_a_file_given_as_folder(tmp_path):
    target = tmp_path / "notizen.txt"
    target.write_text("meins", encoding="utf-8")
    err = io.StringIO()
    assert main(["demo", str(target)], stdout=io.StringIO(), stderr=err) == 2
    assert "ist eine Datei, kein Ordner" in err.getvalue()
    assert target.read_text(encoding="utf-8") == "meins"


def test_demo_reruns_in_its_own_folder_replacing_only_its_own_files(tmp_path):
    folder = tmp_path / "demo"
    assert main(["demo", str(folder), "--anzahl", "20"], stdout=io.StringIO(), stderr=io.StringIO()) == 0
    marker = (folder / ".kundenliste-demo").read_text(encoding="utf-8")
    assert "Kundenliste-Demo.xlsm" in marker and "pruefbericht.txt" in marker
    first_backups = sorted(p.name for p in folder.glob("*.bak.xlsm"))
    (folder / "meine Notiz.txt").write_text("bleibt", encoding="utf-8")  # the user adds a file
    assert main(["demo", str(folder), "--anzahl", "20"], stdout=io.StringIO(), stderr=io.StringIO()) == 0
    assert (folder / "meine Notiz.txt").read_text(encoding="utf-8") == "bleibt"
    assert "meine Notiz.txt" not in (folder / ".kundenliste-demo").read_text(encoding="utf-8")
    assert set(first_backups) < {p.name for p in folder.glob("*.bak.xlsm")}  # nothing deleted


def test_demo_does_not_overwrite_a_users_file_of_the_same_name_in_its_folder(tmp_path):
    folder = tmp_path / "demo"
    assert main(["demo", str(folder), "--anzahl", "20"], stdout=io.StringIO(), stderr=io.StringIO()) == 0
    marker = folder / ".kundenliste-demo"
    marker.write_text(marker.read_text(encoding="utf-8").replace("ids.txt\n", ""), encoding="utf-8")
    (folder / "ids.txt").write_text("von Hand", encoding="utf-8")  # not the demo's any more
    err = io.StringIO()
    assert main(["demo", str(folder), "--anzahl", "20"], stdout=io.StringIO(), stderr=err) == 2
    assert "„ids.txt“, das die Demo nicht selbst geschrieben hat" in err.getvalue()
    assert (folder / "ids.txt").read_text(encoding="utf-8") == "von Hand"


def test_demo_uses_an_existing_empty_folder(tmp_path):
    folder = tmp_path / "leer"
    folder.mkdir()
    assert main(["demo", str(folder), "--anzahl", "20"], stdout=io.StringIO(), stderr=io.StringIO()) == 0
    assert (folder / "Kundenliste-Demo.xlsm").exists() and (folder / ".kundenliste-demo").exists()
