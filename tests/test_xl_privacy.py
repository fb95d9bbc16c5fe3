"""The "Auskunft" and "Löschen" buttons on a real xlwings Book (remote engine), issue 17:
the same cells erased and the same Auskunft written as by the command line."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
import xlwings as xw

import kundenliste_tools.xl as kl
from kundenliste_tools.xl.privacy import chosen_rows

from .test_cli_loeschen import run, team_book
from .userbook import all_values
from .xlbook import actions, payload

RECORD_SHEETS = ("Kundenliste", "KundenDoku")


def remote_book(path: Path, selection: str) -> xw.Book:
    """The workbook file as the VBA client sends it, with a selection in the Kundenliste."""
    sheets = all_values(path)
    data = payload({name: [list(r) for r in rows] for name, rows in sheets.items()}, name=path.name)
    data["book"]["selection"] = selection
    return xw.Book(json=data)


def written(b: xw.Book, names: list[str]) -> dict[tuple[str, int, int], Any]:
    """(sheet, row, column) → value of every cell the door set (blank as "")."""
    out = {}
    for a in actions(b, "setValues"):
        for i, row in enumerate(a["values"]):
            for j, value in enumerate(row):
                out[(names[a["sheet_position"]], a["start_row"] + 1 + i, a["start_column"] + 1 + j)] = (
                    "" if value is None else value)
    return out


def changed(before: dict[str, list[list[Any]]], after: dict[str, list[list[Any]]]) -> dict[tuple[str, int, int], Any]:
    out = {}
    for name in RECORD_SHEETS:
        for r, (old_row, new_row) in enumerate(zip(before[name], after[name]), start=1):
            for c, (old, new) in enumerate(zip(old_row, new_row), start=1):
                if old != new:
                    out[(name, r, c)] = new
    return out


@pytest.fixture
def team(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "team"
    folder.mkdir()
    book = team_book(folder, monkeypatch)
    monkeypatch.chdir(folder)  # a remote book's fullname is its bare name: its folder is "."
    return book


def test_loeschen_erases_the_same_cells_as_the_command_line(team: Path, tmp_path: Path) -> None:
    jan_id = all_values(team)["Kundenliste"][2][0]
    cli_copy = tmp_path / "cli" / team.name
    cli_copy.parent.mkdir()
    shutil.copy(team, cli_copy)
    before = all_values(cli_copy)
    code, out, _ = run("loeschen", str(cli_copy), "--id", "101", jan_id, "--ja")
    assert code == 0, out
    expected = changed(before, all_values(cli_copy))

    b = remote_book(team, "$C$2:$D$3")  # rows 2 (Eva) and 3 (Jan)
    names = list(all_values(team))
    kl.loeschen(b)
    names.append("Löschprotokoll")
    cells = written(b, names)
    assert {k: v for k, v in cells.items() if k[0] in RECORD_SHEETS} == expected
    assert len(expected) == 14  # Eva: 7 fields, 2 own texts, 2 cells that mention her; Jan: 2 names, Bemerkung
    # the Löschprotokoll: a hidden sheet with the header and one row per customer
    assert actions(b, "addSheet")[0]["args"][1] == "Löschprotokoll"
    assert actions(b, "setSheetVisibility")[0]["args"] == ["Hidden"]
    log = [[cells.get(("Löschprotokoll", r, c)) for c in range(1, 6)] for r in range(1, 4)]
    assert log[0] == ["Zeitpunkt", "ID", "Gelöschte Angaben", "Zellen", "Grund"]
    assert [row[1:4] for row in log[1:]] == [
        ["101", "Name 2, Adresse 3, Telefon 1, E-Mail 1, Einträge (Freitext) 2, Erwähnungen bei anderen 2", 11],
        [jan_id, "Name 2, weitere Spalten 1", 3]]
    # the counsellor is told to save, and which backup still holds the data
    (alert,) = actions(b, "alert")
    message = alert["args"][0]
    assert message.startswith("2 Kunden gelöscht (14 Zellen, davon 2 Erwähnungen")
    assert "jetzt speichern" in message
    # the remote engine cannot tell formulas from values: other sheets are left alone, and said so
    assert "Nicht durchsucht (Formeln hier nicht lesbar): Statistik." in message
    (backup,) = [p for p in team.parent.iterdir() if ".bak." in p.name]
    assert str(backup.resolve()) in message


def test_loeschen_without_a_selection_in_the_kundenliste_changes_nothing(team: Path) -> None:
    b = remote_book(team, "$A:$A")  # a whole column is no choice of customers
    kl.loeschen(b)
    assert actions(b, "setValues") == []
    assert "die Zeilen der Kundinnen und Kunden markieren" in actions(b, "alert")[0]["args"][0]


def test_auskunft_writes_the_same_file_as_the_command_line(team: Path, tmp_path: Path) -> None:
    out = tmp_path / "cli-auskunft"
    out.mkdir()
    assert run("auskunft", str(team), "101", "--out", str(out))[0] == 0
    (from_cli,) = out.iterdir()
    b = remote_book(team, "$G$2")
    kl.auskunft(b)
    from_excel = team.parent / f"Auskunft_101_{dt.date.today().isoformat()}.xlsx"
    assert from_excel.exists() and str(from_excel.resolve()) in actions(b, "alert")[0]["args"][0]
    assert all_values(from_excel) == all_values(from_cli)
    assert actions(b, "setValues") == []  # the workbook itself is only read


@pytest.mark.parametrize("address, rows", [("$A$3", [3]), ("$B$2:$C$3,$A$7", [2, 3, 7]), ("$A:$B", []),
                                           ("$4:$5", [4, 5])])
def test_chosen_rows(address: str, rows: list[int]) -> None:
    class Sel:
        sheet = type("S", (), {"name": "Kundenliste"})()

    Sel.address = address
    assert chosen_rows(type("B", (), {"selection": Sel})(), "Kundenliste") == rows
