"""The Löschfrist (issue 17): `pruefen` warns for closed customers past it, and
`loeschen --abgeschlossen-vor` with the day the warning names erases exactly those."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from kundenliste_tools.cli import main
from kundenliste_tools.core import retention
from kundenliste_tools.core.validation import validate
from kundenliste_tools.files.reader import read_workbook
from kundenliste_tools.files.template import write_workbook

from .userbook import all_values

TODAY = dt.date(2026, 12, 2)
KUNDEN = [  # (ID, Erstkontakt, Status, VName, NName)
    ("101", "2020-03-01", "abgeschlossen", "Alt", "Abschluss"),  # last entry 2023-11-30: past 3 years
    ("102", "2020-03-01", "abgeschlossen", "Jung", "Abschluss"),  # last entry 2023-12-02: not yet
    ("103", "2021-06-01", "abgeschlossen", "Ohne", "Eintrag"),  # no entry: Erstkontakt 2021-06-01
    ("104", "2019-01-01", "in Beratung", "Noch", "Offen"),  # open: never
]
DOKU = [("2023-11-30", "101"), ("2023-12-02", "102"), ("2019-05-01", "104")]


def book(tmp_path: Path, frist: str) -> Path:
    return write_workbook(
        tmp_path / "Kundenliste.xlsx",
        kunden=[{"ID": i, "Erstkontakt": e, "Akquise": "VAMV", "Status": s, "Berater": "A", "VName": v,
                 "NName": n} for i, e, s, v, n in KUNDEN],
        doku=[{"Datum": d, "ID": i, "Berater": "A", "Zusammenfassung": "Gespräch"} for d, i in DOKU],
        settings={retention.SETTING: frist},
    )


def test_pruefen_warns_for_closed_customers_past_the_loeschfrist(tmp_path: Path) -> None:
    data = read_workbook(book(tmp_path, "3"))
    # cutoff = 2026-12-02 - 3 years = 2023-12-02; last seen before it: 101 (2023-11-30), 103 (2021-06-01);
    # 102 was last seen on the cutoff day itself, 104 is not closed
    warned = [f for f in validate(data, TODAY) if f.code == "loeschfrist-abgelaufen"]
    assert [(f.cell, f.severity) for f in warned] == [("D2", "warning"), ("D4", "warning")]
    assert "zuletzt am 2023-11-30" in warned[0].message and "3 Jahren" in warned[0].message
    assert "abgeschlossen vor 2023-12-02" in warned[0].message
    assert retention.closed_before(data, dt.date(2023, 12, 2)).tolist() == [0, 2]


def test_no_loeschfrist_no_warning(tmp_path: Path) -> None:
    data = read_workbook(book(tmp_path, ""))
    assert retention.years(data) is None
    assert not [f for f in validate(data, TODAY) if f.code == "loeschfrist-abgelaufen"]


def test_loeschen_abgeschlossen_vor_erases_exactly_the_warned_ones(tmp_path: Path) -> None:
    path = book(tmp_path, "3 Jahre")
    conf = all_values(path)["xlwings.conf"]
    out, err = io.StringIO(), io.StringIO()
    code = main(["loeschen", str(path), "--abgeschlossen-vor", "2023-12-02", "--ja", "--grund", "Löschfrist"],
                stdout=out, stderr=err)
    assert code == 0, out.getvalue()  # 0: no copy of an erased value is left anywhere in the file
    # customer 103 is called "Ohne Eintrag": xlwings' configuration sheet says "Eintrag" too and stays
    assert all_values(path)["xlwings.conf"] == conf
    kunden = all_values(path)["Kundenliste"]
    names = {str(row[0]): row[5:7] for row in kunden[1:5]}
    assert names == {"101": ["", ""], "102": ["Jung", "Abschluss"], "103": ["", ""], "104": ["Noch", "Offen"]}
    log = all_values(path)["Löschprotokoll"]
    assert [row[1] for row in log[1:]] == ["101", "103"] and {row[4] for row in log[1:]} == {"Löschfrist"}
