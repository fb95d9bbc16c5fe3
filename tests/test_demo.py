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
    for step in ("Prüfen", "IDs vergeben", "Fälligkeiten nach vamv", "Quartalsexport"):
        assert step in text
    assert "FEHLER" not in text
    names = {p.name for p in folder.iterdir()}
    assert {"Kundenliste-Demo.xlsm", "pruefbericht.txt", "pruefbericht.json", "faellig.json", "Quartal_anonym.xlsx"} <= names
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
    assert len(demo.mistakes) == 18
