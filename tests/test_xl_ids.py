"""The "IDs vergeben" button, run on real xlwings Books (remote engine)."""

from __future__ import annotations

import re
from typing import Any

import pytest
import xlwings as xw

import kundenliste_tools.xl as kl
from kundenliste_tools.core.ids import check_ok
from kundenliste_tools.xl.ids import ids_vergeben, rows_of_address

from .xlbook import actions, book, payload

HEADER = ["Kunden-ID", "Erstkontakt", "Akquise", "Status", "Berater", "VName", "NName", "Strasse",
          "PLZ", "Stadt", "Telefon", "Email"]
DOKU = [["Datum", "ID", "Berater", "Zusammenfassung", "Vereinbarungen", "Folgetermin"],
        ["2026-01-06", "K7M4Q3", "A", "Kunde gelöscht", "", ""]]


def kunden(*ids: Any) -> list[list[Any]]:
    """Header plus one row per ID (None = blank ID); "EMPTY" stands for an empty row."""
    rows: list[list[Any]] = [HEADER]
    for n, i in enumerate(ids):
        rows.append([None] * 12 if i == "EMPTY" else [i, "2026-01-05", "VAMV", "neu", "A", f"V{n}", f"N{n}"])
    return rows


def writes(b: xw.Book, sheet_position: int) -> list[tuple[int, int, list[list[Any]]]]:
    """(first row, column, values) of every setValues on one sheet, 1-based like Excel."""
    return [(a["start_row"] + 1, a["start_column"] + 1, a["values"])
            for a in actions(b, "setValues") if a["sheet_position"] == sheet_position]


def test_fills_all_blank_ids_and_creates_the_hidden_register() -> None:
    b = book({"Kundenliste": kunden(101, None, None, "EMPTY", "A-17", None), "KundenDoku": DOKU})
    issued = ids_vergeben(b)
    assert [r for r, _ in issued] == [3, 4, 7]
    new = [i for _, i in issued]
    assert len(set(new)) == 3 and all(check_ok(i) for i in new) and "K7M4Q3" not in new
    # register first (sheet 3, hidden), then one write per block of adjacent rows
    assert [a["func"] for a in actions(b)][:3] == ["addSheet", "setSheetVisibility", "activateSheet"]
    assert actions(b, "addSheet")[0]["args"] == [2, "ID-Register"]
    assert actions(b, "setSheetVisibility")[0]["args"] == ["Hidden"]
    register = writes(b, 2)  # the IDs in column A, once the export key beside its label in B1:C1
    assert register[0] == (1, 1, [["Vergebene ID"], [new[0]], [new[1]], [new[2]]])
    assert register[1][:2] == (1, 2) and register[1][2][0][0] == "Export-Schlüssel"
    assert re.fullmatch(r"[0-9a-f]{64}", register[1][2][0][1]) and len(register) == 2
    assert writes(b, 0) == [(3, 1, [[new[0]], [new[1]]]), (7, 1, [[new[2]]])]
    # IDs are written as text, so Excel never turns one into a number or a date
    formats = [(a["sheet_position"], a["start_row"] + 1, a["row_count"], a["args"])
               for a in actions(b, "setNumberFormat")]
    assert formats == [(2, 1, 4, ["@"]), (2, 1, 1, ["@"]), (0, 3, 2, ["@"]), (0, 7, 1, ["@"])]
    # the counsellor is told, in German
    assert actions(b, "alert")[0]["args"][0] == "3 neue IDs vergeben und im Blatt „ID-Register“ vermerkt."


def test_appends_below_an_existing_register_and_never_reuses_its_ids() -> None:
    register = [["Vergebene ID"], ["H8BN26"], ["X5YP3D"]]
    b = book({"Kundenliste": kunden("H8BN26", None), "KundenDoku": DOKU, "ID-Register": register})
    issued = ids_vergeben(b)
    assert [r for r, _ in issued] == [3]
    assert actions(b, "addSheet") == []
    assert writes(b, 2)[0] == (4, 1, [[issued[0][1]]])


def test_an_existing_export_key_is_kept() -> None:
    register = [["Vergebene ID", "Export-Schlüssel", "ab" * 32], ["H8BN26"]]
    b = book({"Kundenliste": kunden("H8BN26", None), "KundenDoku": DOKU, "ID-Register": register})
    issued = ids_vergeben(b)
    assert writes(b, 2) == [(3, 1, [[issued[0][1]]])]
    assert issued[0][1] not in {"H8BN26", "X5YP3D", "K7M4Q3"}


def _book_with_selection(selection: str, active: int = 0) -> xw.Book:
    data = payload({"Kundenliste": kunden(None, None, None, None), "KundenDoku": DOKU})
    data["book"]["selection"] = selection
    data["book"]["active_sheet_index"] = active
    return xw.Book(json=data)


def test_only_the_selected_rows_when_several_cells_are_selected() -> None:
    b = _book_with_selection("B3:C4")
    assert [r for r, _ in ids_vergeben(b)] == [3, 4]
    assert [w[0] for w in writes(b, 0)] == [3]


@pytest.mark.parametrize("selection, active", [("A4", 0), ("A1:B2", 1)])
def test_a_single_cell_or_a_selection_elsewhere_fills_all(selection: str, active: int) -> None:
    b = _book_with_selection(selection, active)
    assert [r for r, _ in ids_vergeben(b)] == [2, 3, 4, 5]


def test_nothing_to_do_writes_nothing() -> None:
    b = book({"Kundenliste": kunden(101, "A-17"), "KundenDoku": DOKU})
    assert ids_vergeben(b) == []
    assert actions(b, "setValues") == [] and actions(b, "addSheet") == []
    assert "haben schon eine ID" in actions(b, "alert")[0]["args"][0]


def test_the_runpython_name_is_registered() -> None:
    b = book({"Kundenliste": kunden(None), "KundenDoku": DOKU})
    kl.ids_vergeben(b)
    assert len(writes(b, 0)) == 1


def test_a_missing_column_is_a_german_alert_not_a_traceback() -> None:
    b = book({"Kundenliste": [["Vorname", "Nachname"], ["Eva", "X"]], "KundenDoku": DOKU})
    kl.ids_vergeben(b)
    assert actions(b, "setValues") == []
    message = actions(b, "alert")[0]["args"][0]
    assert message.startswith("Im Blatt „Kundenliste“ fehlt die Spalte")


@pytest.mark.parametrize("address, rows", [
    ("$A$3", None),                      # the cursor just sits there
    ("$A$3:$C$5,$A$9", {3, 4, 5, 9}),    # several areas (Windows sends them like this)
    ("$A:$A", None),                     # whole column
    ("$3:$5", {3, 4, 5}),                # whole rows
    ("$3:$3", {3}),                      # one whole row is a deliberate choice
    ("$A$3,$A$7", {3, 7}),
])
def test_rows_of_address(address: str, rows: set[int] | None) -> None:
    assert rows_of_address(address) == rows
