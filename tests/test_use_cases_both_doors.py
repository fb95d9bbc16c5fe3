"""Each use case through both doors: the command line on a file and the Excel door on a real
xlwings `Book` (remote engine) of the same sheets give the same answer, because both call the
same function of `app/`.

The workbook has what makes each use case say something: a finding of each severity, an
overdue and a soon-due customer, two blank IDs, an entry in the last Stichtag window, and an ID
that is no ID (it becomes an export pseudonym).
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest

from kundenliste_tools.cli import main
from kundenliste_tools.xl import checks, due, export, ids

from .duebook import customer, entry, grids, write_book
from .xlbook import actions, book

TODAY = dt.date(2026, 10, 2)  # the latest Stichtag window: 2026-06-29 .. 2026-09-28
CUSTOMERS = [
    customer("101", "2026-01-05", "in Beratung", berater="Karin"),  # overdue: Folgetermin missed
    customer("", "2026-07-10", "neu", berater="Evelyn"),  # no ID yet
    customer("Hasenbein-S", "2026-07-20", "neu", berater="Karin"),  # a legacy ID: pseudonym in the export
    customer("", "2026-08-01", "in Beratung", berater="Karin", PLZ=4109, Stadt="Leipzig"),  # no ID, PLZ lost its 0
    customer("104", "2026-02-01", "abgeschlossen", berater="Evelyn"),
]
ENTRIES = [
    entry("101", "2026-07-01", folgetermin="2026-08-15"),
    entry("Hasenbein-S", "2026-09-20"),
    entry("999", "2026-09-01"),
]  # an entry for an unknown customer: an error


def cli(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue()


@pytest.fixture()
def sheets() -> dict:
    sheets = grids(CUSTOMERS, ENTRIES)
    sheets["Einstellungen"] = [["Einstellung", "Wert"], ["Stichtag", TODAY.isoformat()]]
    return sheets


@pytest.fixture()
def mappe(tmp_path, sheets) -> Path:
    return write_book(tmp_path / "Kundenliste.xlsx", sheets)


def test_check_finds_the_same_in_both_doors(mappe, sheets):
    code, out = cli("pruefen", str(mappe), "--json")
    from_file = {(f["sheet"], f["cell"], f["code"]) for f in json.loads(out)["findings"]}
    from_excel = {(f.sheet, f.cell, f.code) for f in checks.check_book(book(sheets), today=dt.date.today())}
    assert code == 1 and from_file == from_excel
    assert ("KundenDoku", "B4", "id-unbekannt") in from_file and (
        "Kundenliste",
        "I5",
        "plz-fuehrende-null",
    ) in from_file


def test_due_dates_are_the_same_in_both_doors(mappe, sheets):
    code, out = cli("faellig", str(mappe), "--json")
    from_file = {c["id"]: (c["due"], c["overdue"], c["code"]) for c in json.loads(out)["customers"]}
    result = due.faelligkeiten(book(sheets), today=dt.date(2030, 1, 1))  # Stichtag from the settings
    from_excel = {
        r.id: (None if r.due != r.due else r.due.date().isoformat(), bool(r.overdue), r.code)
        for r in result.itertuples()
    }
    assert code == 0 and from_file == from_excel
    # 101: Folgetermin 2026-08-15 missed by the Stichtag 2026-10-02
    assert from_file["101"] == ("2026-08-15", True, "intervall")


def test_ids_go_to_the_same_rows_in_both_doors(mappe, sheets):
    code, out = cli("ids", str(mappe), "--json")
    from_file = sorted((i["row"], i["cell"]) for i in json.loads(out)["issued"])
    b = book(sheets)
    from_excel = sorted(ids.ids_vergeben(b))
    assert code == 0 and from_file == [(3, "A3"), (5, "A5")]
    assert [row for row, _ in from_excel] == [row for row, _ in from_file]
    written = [a for a in actions(b, "setValues") if a["sheet_position"] == 0]
    assert [w["values"] for w in written] == [[[new_id]] for _, new_id in from_excel]


def test_quarter_exports_the_same_in_both_doors(tmp_path, mappe, sheets, monkeypatch):
    code, out = cli("quartal", str(mappe), "--bis", "2026-09-28", "--out", str(tmp_path / "cli.xlsx"), "--json")
    from_file = json.loads(out)
    folder = tmp_path / "excel"
    folder.mkdir()
    monkeypatch.chdir(folder)  # a remote book's fullname is its bare name: its folder is "."
    result = export.quartalsexport(book(sheets), today=TODAY)
    assert code == 0 and result.path.resolve().parent == folder
    assert (from_file["kunden"], from_file["eintraege"], from_file["k"], from_file["ids_pseudonymisiert"]) == (
        result.customers,
        result.entries,
        result.export.k,
        result.export.ids_replaced,
    )
    assert from_file["ids_pseudonymisiert"] == 1 and from_file["kunden"] == 4
