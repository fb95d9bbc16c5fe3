"""`kundenliste quartal` on real .xlsx files: default file name beside the workbook, --quartal,
--bis, --out, --json, exit codes, and the source workbook is never written."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from pathlib import Path

import openpyxl
import pytest

from kundenliste_tools.cli import main
from kundenliste_tools.core.periods import default_period

from .duebook import KUNDEN_HEADER, customer, entry, grids

CUSTOMERS = [
    customer("A", "2026-07-05", "neu", VName="Jolanthe", NName="Quastenberg"),
    customer("B", "2026-03-01", "in Beratung", VName="Xaverine", NName="Pfeilschifter"),
    customer("C", "2026-05-01", "abgeschlossen", Ergebnis="Arbeitsstelle angenommen"),
]
ENTRIES = [
    {**entry("B", "2026-08-10"), "Zusammenfassung": "Frau Quastenberg empfohlen, Tel. 0341 5558123"},
    entry("C", "2026-06-20"),
]


@pytest.fixture()
def mappe(tmp_path):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in grids(CUSTOMERS, ENTRIES, kunden_header=KUNDEN_HEADER + ["Ergebnis"]).items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(list(row))
    path = tmp_path / "Kundenliste.xlsx"
    wb.save(path)
    return path


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), out, err)
    return code, out.getvalue(), err.getvalue()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_quartal_writes_beside_the_workbook_and_never_touches_it(mappe):
    before = digest(mappe)
    code, out, err = run("quartal", str(mappe), "--quartal", "2026-Q3")
    target = mappe.with_name("Quartal_2026-Q3_anonym.xlsx")
    assert code == 0, err
    assert target.exists() and digest(mappe) == before
    assert "2 Kunden" in out and "1 Einträge" in out and str(target) in out
    assert err.startswith("Exportiere Kalenderquartal 2026-07-01 bis 2026-09-30")  # progress on stderr
    wb = openpyxl.load_workbook(target)
    assert [c.value for c in wb["KundenDoku"]["D"]][1:] == ["Frau [Name] empfohlen, Tel. [Telefon]"]


def test_bis_and_out_and_json(mappe, tmp_path):
    out_file = tmp_path / "an_gerd.xlsx"
    code, out, _ = run("quartal", str(mappe), "--bis", "2026-06-28", "--out", str(out_file), "--json")
    assert code == 0
    result = json.loads(out)
    assert result["datei"] == str(out_file) and out_file.exists()
    assert result["zeitraum"] == {"art": "stichtag", "bezeichnung": "2026-03-29_bis_2026-06-28",
                                  "von": "2026-03-29", "bis": "2026-06-28"}
    assert (result["kunden"], result["eintraege"], result["regelwerk"]) == (1, 1, "vamv")  # C: Erstkontakt and entry
    assert set(result["ersetzt"]) == {"[Name]", "[Adresse]", "[Telefon]", "[E-Mail]", "[Geburtsdatum]", "[IBAN]"}


def test_default_is_the_latest_stichtag_window(mappe):
    period = default_period(dt.date.today())
    code, out, _ = run("quartal", str(mappe), "--json")
    assert code == 0
    assert json.loads(out)["zeitraum"]["bis"] == period.end.isoformat()
    assert mappe.with_name(f"Quartal_{period.label}_anonym.xlsx").exists()


@pytest.mark.parametrize("args, message", [
    (["--bis", "2026-09-30"], "kein Stichtag"),
    (["--quartal", "2026-Q7"], "keine Quartalsangabe"),
    (["--regelwerk", "gibtsnicht"], "Regelwerk"),
    (["--out", "x.csv"], ".xlsx"),
])
def test_could_not_run_is_exit_2_with_german_message(mappe, args, message):
    before = digest(mappe)
    code, out, err = run("quartal", str(mappe), *args)
    assert code == 2 and message in err and "Traceback" not in err
    assert digest(mappe) == before


def test_a_wrong_period_is_named_by_its_flag(mappe):
    # the core names the input door-neutrally ("bis"); this door spells it as its flag
    code, _, err = run("quartal", str(mappe), "--bis", "2026-09-30")
    assert code == 2 and err.splitlines()[-1].startswith("Fehler: --bis: 2026-09-30 ist kein Stichtag")
    assert "Gemeint ist wohl der Stichtag 2026-09-28" in err


def test_out_must_not_be_the_workbook(mappe):
    before = digest(mappe)
    code, _, err = run("quartal", str(mappe), "--quartal", "2026-Q3", "--out", str(mappe))
    assert code == 2 and "nicht überschreiben" in err and digest(mappe) == before


def test_both_period_options_are_refused(mappe):
    with pytest.raises(SystemExit) as exit_:
        run("quartal", str(mappe), "--quartal", "2026-Q3", "--bis", "2026-09-28")
    assert exit_.value.code == 2


def test_missing_workbook(tmp_path):
    code, _, err = run("quartal", str(tmp_path / "fehlt.xlsx"))
    assert code == 2 and "gibt es nicht" in err


def test_help_is_german():
    with pytest.raises(SystemExit):
        run("quartal", "--help")
