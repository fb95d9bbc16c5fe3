"""`kundenliste faellig` and `kundenliste regelwerke` on real .xlsx files."""

from __future__ import annotations

import hashlib
import io
import json

import pytest

from kundenliste_tools.cli import main

from .duebook import customer, entry, grids, write_book

CUSTOMERS = [
    customer("A", berater="Karin", Bereich="Basis", Kundenstatus="alo", Geburtsdatum="1980-01-01",
             Profillage="Marktprofil"),
    customer("B", erst="2026-05-10", status="neu", berater="Evelyn"),
    customer("C", status="abgeschlossen"),
    customer("D", berater="Karin", Bereich="FM"),
]
ENTRIES = [entry("A", "2026-01-01", folgetermin="2026-03-01"), entry("D", "2026-05-01", kontaktart="E-Mail")]


@pytest.fixture()
def mappe(tmp_path):
    return write_book(tmp_path / "Kundenliste.xlsx", grids(CUSTOMERS, ENTRIES))


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in argv], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_json_of_spec_section_8(mappe):
    before = hashlib.sha256(mappe.read_bytes()).hexdigest()
    code, out, err = run("faellig", mappe, "--stichtag", "2026-05-15", "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert list(doc) == ["stichtag", "regelwerk", "customers", "advisors"]
    assert (doc["stichtag"], doc["regelwerk"]) == ("2026-05-15", "vamv")
    assert [list(c) for c in doc["customers"]][0] == ["id", "overdue", "due", "days_overdue", "rule", "reason",
                                                      "last_contact", "assessable", "code", "followup", "values"]
    by_id = {c["id"]: c for c in doc["customers"]}
    # the reason as data: A's agreed appointment was missed, C is closed, B is new without an entry
    assert (by_id["A"]["followup"], by_id["A"]["values"]["folgetermin"]) == ("folgetermin-verpasst", "2026-03-01")
    assert by_id["A"]["values"]["folgetermin"] in by_id["A"]["reason"]
    assert (by_id["C"]["code"], by_id["C"]["followup"]) == ("abgeschlossen", None)
    assert by_id["B"]["code"] == "intervall" and by_id["B"]["values"]["regel"] in by_id["B"]["reason"]
    flat = [(c["id"], c["overdue"], c["due"], c["days_overdue"], c["last_contact"], c["assessable"])
            for c in doc["customers"]]
    # vamv: A's Folgetermin 03-01 passed (75 days); B neu since 05-10 → 05-24; D 05-01 + 3 months
    assert flat == [("A", True, "2026-03-01", 75, "2026-01-01", True),
                    ("B", False, "2026-05-24", 0, None, True),
                    ("D", False, "2026-08-01", 0, "2026-05-01", True),
                    ("C", False, None, 0, None, True)]
    assert {a["berater"] for a in doc["advisors"]} == {"Karin", "Evelyn"}
    assert hashlib.sha256(mappe.read_bytes()).hexdigest() == before  # read-only


def test_builtin_and_own_rule_file(mappe, tmp_path):
    code, out, _ = run("faellig", mappe, "--regelwerk", "lichtenberg-2013", "--stichtag", "2026-05-15", "--json")
    doc = json.loads(out)
    by_id = {c["id"]: c for c in doc["customers"]}
    # A: Basis, arbeitslos, 46 → every 3 months from 2026-01-01 → 04-01, Folgetermin 03-01 earlier
    assert (by_id["A"]["due"], by_id["A"]["rule"]) == ("2026-03-01", "7. Basis arbeitslos 41–55 Jahre")
    assert (by_id["D"]["due"], by_id["D"]["rule"]) == (None, "1. FM, Reha, Selbständige")
    assert by_id["B"]["assessable"] is False
    karin = next(a for a in doc["advisors"] if a["berater"] == "Karin")
    assert karin["weeks"][-1]["quota"] == 25.0
    own = tmp_path / "eigen.toml"
    own.write_text('name = "eigen"\n[[regel]]\npflicht = "alle 2 Wochen"\n', encoding="utf-8")
    code, out, _ = run("faellig", mappe, "--regelwerk", own, "--stichtag", "2026-05-15", "--json")
    assert code == 0 and json.loads(out)["regelwerk"] == "eigen"
    assert {c["id"]: c["due"] for c in json.loads(out)["customers"]}["D"] == "2026-05-15"


def test_readable_german_table_overdue_first(mappe):
    code, out, err = run("faellig", mappe, "--stichtag", "2026-05-15")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("Fälligkeiten zum 2026-05-15 nach Regelwerk vamv")
    assert lines[1] == "4 Kunden: 1 überfällig, 1 in den nächsten 14 Tagen fällig, 0 nicht bewertbar."
    assert lines[3].split()[:4] == ["ID", "Berater", "Lage", "Fällig"]
    assert lines[4].split()[:5] == ["A", "Karin", "überfällig", "2026-03-01", "75"]
    assert "Beratungsgespräche je Kalenderwoche" in out
    assert err.startswith("Bewerte 4 Kunden nach Regelwerk vamv zum 2026-05-15")  # progress on stderr


@pytest.mark.parametrize("argv,message", [
    (["--stichtag", "15.05.2026"], "Gemeint ist wohl 2026-05-15"),
    (["--regelwerk", "ba2010"], "Meinten Sie „ba-2010“"),
    (["--regelwerk", "fehlt.toml"], "gibt es nicht"),
])
def test_could_not_run_is_exit_2_with_a_german_message(mappe, argv, message):
    code, out, err = run("faellig", mappe, *argv)
    assert code == 2 and out == ""
    assert err.splitlines()[-1].startswith("Fehler: ") and message in err


def test_a_broken_rule_sheet_in_the_workbook_is_exit_2(tmp_path):
    sheets = grids(CUSTOMERS, ENTRIES)
    sheets["Regelwerk"] = [["Name", "x"], [], ["Regel", "Kundenstatus", "Pflicht"], ["a", "alo", "alle 3 Monate"],
                           ["b", "arbeitslos", "wöchentlich gern"]]
    code, _, err = run("faellig", write_book(tmp_path / "k.xlsx", sheets))
    assert code == 2 and "Blatt „Regelwerk“, Zeile 5, Spalte C „Pflicht“" in err


def test_regelwerke_lists_the_builtins_and_prints_one_to_copy():
    code, out, _ = run("regelwerke")
    assert code == 0
    for name, seed in [("vamv", "000"), ("lichtenberg-2013", "001"), ("ivm-a25", "002"), ("ba-2010", "003"),
                       ("aa90", "004")]:
        line = next(i for i, text in enumerate(out.splitlines()) if text.startswith(name + " "))
        assert f"Seed {seed}" in out.splitlines()[line + 1]
    code, out, _ = run("regelwerke", "aa90")
    assert code == 0 and out.startswith("# Regelwerk „aa90“") and 'pflicht = "alle 6 Monate"' in out
    code, _, err = run("regelwerke", "xyz")
    assert code == 2 and "Eingebaut sind" in err


@pytest.mark.parametrize("regelwerk", ["vamv", "ba-2010"])
def test_the_table_lines_are_those_written_row_by_row(regelwerk):
    """Issue 18: the table is cut and padded once per distinct value and glued column by
    column; every line is what cutting to 30 characters and padding each row gives."""
    import datetime as dt

    from kundenliste_tools.app.due import due, iso
    from kundenliste_tools.cli.faellig import _cut, write_table
    from kundenliste_tools.core.book import workbook_from_grids
    from kundenliste_tools.core.demo_data import generate

    from .duebook import KUNDEN_HEADER

    demo = generate(n_customers=120, today=dt.date(2026, 11, 20), seed=5)
    data = workbook_from_grids(grids([dict(k) for k in demo.kunden], [dict(e) for e in demo.doku],
                                     kunden_header=KUNDEN_HEADER), source="demo.xlsx")
    result = due(data, regelwerk=regelwerk, stichtag="2026-11-20", staff=False)
    out = io.StringIO()
    write_table(result, out)
    t = result.customers
    rows = list(zip(t["id"].astype(str), t["berater"].astype(str), t["lage"], iso(t["due"]),
                    t["days_overdue"].astype(str).where(t["overdue"], ""), t["rule"].astype(str),
                    t["reason"].astype(str)))
    header = ["ID", "Berater", "Lage", "Fällig am", "Tage", "Regel", "Grund"]
    widths = [max([len(header[i])] + [len(_cut(r[i], 30)) for r in rows]) for i in range(6)]
    expected = ["  ".join(h.ljust(widths[i]) if i < 6 else h for i, h in enumerate(header))]
    expected += ["  ".join(_cut(v, 30).ljust(widths[i]) if i < 6 else v for i, v in enumerate(r)) for r in rows]
    lines = out.getvalue().split("\n")
    assert lines[3:3 + len(expected)] == expected
