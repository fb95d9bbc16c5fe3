"""The "Prüfen" button and the on-save check, run on real xlwings Books (remote engine).

What the remote engine records (xlwings 0.37.8, `pro/_xlremote.py`): a fill as
`setRangeColors` with a matrix of `#rrggbb` / None (no fill) / "keep"; notes as `addNote`,
`setNoteText`, `deleteNote` with the cell's `$A$1` address, and only for an Office.js client
whose payload lists the sheet's notes (a VBA client cannot add notes).  It cannot read a fill
or a note's text synchronously, so on this engine the tool's list of marks decides; what
Windows/macOS Excel can read (a user's own fill) is tested on `plan_marks` directly.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import xlwings as xw

import kundenliste_tools.xl as kl
from kundenliste_tools.core import model
from kundenliste_tools.core.marks import MARKS_HEADER, MARKS_SHEET, NOTE_PREFIX, TOOL_COLORS, Mark, Want, plan_marks
from kundenliste_tools.xl.checks import check_book, on_autosave, on_save, pruefen
from kundenliste_tools.xl.report import link

from .userbook import DOKU_HEADER, KUNDEN_HEADER
from .xlbook import actions, payload

TODAY = dt.date(2026, 3, 15)
NOW = dt.datetime(2026, 3, 15, 10, 30)
RED, YELLOW = TOOL_COLORS["error"], TOOL_COLORS["warning"]
KH = [h for h in KUNDEN_HEADER if h != "Bemerkung"]  # the team's sheet without its own column
DH = DOKU_HEADER


def kunde(i: int, **fields: Any) -> list[Any]:
    row = {
        "ID": str(100 + i),
        "Erstkontakt": dt.date(2025, 6, 2),
        "Akquise": "VAMV",
        "Status": "in Beratung",
        "Berater": "Karin Albers",
        "VName": "Anna",
        "NName": ("Albers", "Becker", "Claus", "Dorn")[i],
        "Strasse": "Weg 1",
        "PLZ": "01067",
        "Stadt": "Dresden",
        "Telefon": "0351 2345678",
        "Email": f"anna{i}@web.de",
    }
    row.update(fields)
    return [row[h] for h in KH]


def sheets(*kunden: list[Any], doku: list[list[Any]] = (), **extra: list[list[Any]]) -> dict[str, list[list[Any]]]:
    return {"Kundenliste": [KH, *kunden], "KundenDoku": [DH, *doku], **extra}


def office_book(grids: dict[str, list[list[Any]]], notes: dict[str, list[str]] | None = None) -> xw.Book:
    """A Book as an Office.js client sends it: each sheet with the addresses of its notes."""
    p = payload(grids)
    p["client"] = "Office.js"
    for s in p["sheets"]:
        s["notes"] = [{"address": a} for a in (notes or {}).get(s["name"], [])]
    return xw.Book(json=p)


def vba_book(grids: dict[str, list[list[Any]]]) -> xw.Book:
    return xw.Book(json=payload(grids))


def position(b: xw.Book, name: str) -> int:
    return [s.name for s in b.sheets].index(name)


def colors(b: xw.Book, sheet: str = "Kundenliste") -> dict[str, Any]:
    """Cell → colour written (None = fill removed), from every setRangeColors on `sheet`."""
    from kundenliste_tools.core.book import column_letter

    out: dict[str, Any] = {}
    for a in actions(b, "setRangeColors"):
        if a["sheet_position"] != position(b, sheet):
            continue
        for i, row in enumerate(a["args"][0]):
            for j, color in enumerate(row):
                if color != "keep":
                    out[f"{column_letter(a['start_column'] + j)}{a['start_row'] + 1 + i}"] = color
    return out


def notes(b: xw.Book, func: str) -> dict[str, Any]:
    return {a["args"][0].replace("$", ""): (a["args"][1] if len(a["args"]) > 1 else None) for a in actions(b, func)}


def written(b: xw.Book, sheet: str) -> list[list[Any]]:
    (w,) = [a for a in actions(b, "setValues") if a["sheet_position"] == position(b, sheet)]
    assert (w["start_row"], w["start_column"]) == (0, 0)
    return w["values"]


def plain(value: Any) -> Any:
    """What Excel shows for a value written with a leading apostrophe (text marker)."""
    return value[1:] if isinstance(value, str) and value.startswith("'") else value


# --------------------------------------------------------------------------- marking


def test_flagged_cells_are_coloured_and_annotated() -> None:
    b = office_book(sheets(kunde(1), kunde(2, Erstkontakt="05.01.2026", PLZ=1067), kunde(3, Akquise="Jobmesse")))
    findings = check_book(b, today=TODAY, now=NOW)
    assert [(f.cell, f.code) for f in findings] == [
        ("B3", "datum-format"),
        ("I3", "plz-fuehrende-null"),
        ("C4", "nicht-in-liste-offen"),
    ]
    assert colors(b) == {"B3": RED, "I3": RED, "C4": YELLOW}
    added = notes(b, "addNote")
    assert set(added) == {"B3", "I3", "C4"}
    assert added["B3"].startswith(NOTE_PREFIX + "\nFehler: „05.01.2026“ ist nicht im Format JJJJ-MM-TT")
    assert added["C4"].startswith(NOTE_PREFIX + "\nWarnung: „Jobmesse“")
    # colours in one call for the sheet, not one per cell
    assert len(actions(b, "setRangeColors")) == 1


def test_several_findings_on_one_cell_share_one_mark_with_the_worst_colour() -> None:
    b = office_book(sheets(kunde(1, ID="7"), kunde(2, ID="7")))
    check_book(b, today=TODAY, now=NOW)
    assert colors(b) == {"A2": RED, "A3": RED}
    assert all(t.count("Fehler:") == 1 for t in notes(b, "addNote").values())


def test_report_sheet_lists_every_finding_with_a_link() -> None:
    b = office_book(
        sheets(
            kunde(1),
            kunde(2, PLZ=1067, Akquise="Jobmesse"),
            doku=[[dt.date(2025, 7, 1), "999", "Karin Albers", "x", "y", None]],
        )
    )
    findings = check_book(b, today=TODAY, now=NOW)
    rows = [[plain(v) for v in r] for r in written(b, model.PRUEFBERICHT)]
    assert rows[0][:2] == ["Fehler", 2] and rows[1][:2] == ["Warnungen", 1]
    assert rows[2][:2] == ["Geprüft am", "2026-03-15 10:30"]
    assert rows[4] == ["Art", "Blatt", "Zelle", "Zeile", "Feld", "Meldung", "Vorschlag", "Code"]
    assert [(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]) for r in rows[5:]] == [
        (
            "Fehler" if f.is_error else "Warnung",
            f.sheet,
            link(f.sheet, f.cell),
            f.row,
            f.field,
            f.message,
            f.suggestion or "",
            f.code,
        )
        for f in findings
    ]
    assert rows[5][2] == '=HYPERLINK("#\'Kundenliste\'!C3","C3")'
    assert rows[7][1:4] == ["KundenDoku", '=HYPERLINK("#\'KundenDoku\'!B2","B2")', 2]
    # text that Excel would turn into a number is written as text
    raw = written(b, model.PRUEFBERICHT)
    assert [r[6] for r in raw[5:]] == ["", "'01067", ""]


def test_link_quotes_sheet_names() -> None:
    assert link("Kunden's Liste", "B2") == "=HYPERLINK(\"#'Kunden''s Liste'!B2\",\"B2\")"


def test_values_are_one_range_write_per_sheet_and_the_user_stays_on_his_sheet() -> None:
    b = office_book(sheets(kunde(1, PLZ=1067)))
    check_book(b, today=TODAY, now=NOW)
    assert sorted(a["sheet_position"] for a in actions(b, "setValues")) == [
        position(b, MARKS_SHEET),
        position(b, model.PRUEFBERICHT),
    ]
    assert [a["args"] for a in actions(b, "addSheet")] == [[2, MARKS_SHEET], [3, model.PRUEFBERICHT]]
    assert actions(b, "setSheetVisibility")[0]["args"] == ["Hidden"]
    assert actions(b, "setSheetVisibility")[0]["sheet_position"] == position(b, MARKS_SHEET)
    assert all(a["args"] == [0] for a in actions(b, "activateSheet"))


def test_the_list_of_marks_records_what_the_tool_did() -> None:
    b = office_book(sheets(kunde(1, PLZ=1067, Akquise="Jobmesse")))
    check_book(b, today=TODAY, now=NOW)
    rows = [[plain(v) for v in r] for r in written(b, MARKS_SHEET)]
    assert rows == [MARKS_HEADER, ["Kundenliste", "C2", YELLOW, "ja"], ["Kundenliste", "I2", RED, "ja"]]


def test_scattered_marks_do_not_colour_a_box_of_thousands_of_cells() -> None:
    many = [kunde(1, ID=str(1000 + i), Email=f"a{i}@web.de") for i in range(400)]
    many[0][KH.index("PLZ")] = 1067
    many[-1][KH.index("ID")] = None
    b = office_book(sheets(*many))
    check_book(b, today=TODAY, now=NOW)
    assert colors(b) == {"I2": RED, "A401": RED}
    assert sum(a["row_count"] * a["column_count"] for a in actions(b, "setRangeColors")) == 2


def test_a_clean_workbook_gets_an_empty_report_and_no_marks() -> None:
    b = office_book(sheets(kunde(1), kunde(2)))
    assert check_book(b, today=TODAY, now=NOW) == []
    assert actions(b, "setRangeColors") == [] and notes(b, "addNote") == {}
    rows = [[plain(v) for v in r] for r in written(b, model.PRUEFBERICHT)]
    assert rows[0][:2] == ["Fehler", 0] and rows[1][:2] == ["Warnungen", 0] and rows[3][0] == "Keine Befunde."
    assert len(rows) == 5
    assert MARKS_SHEET not in [s.name for s in b.sheets]  # nothing to remember, nothing created


# --------------------------------------------------------------------------- the second run


def marked_before(*rows: list[str]) -> list[list[Any]]:
    return [MARKS_HEADER, *rows]


def test_a_fixed_cell_is_cleared_and_a_still_wrong_one_updated() -> None:
    # last run: B3 (date) and I3 (PLZ) were marked; B3 has been corrected since, I3 not
    grids = sheets(
        kunde(1),
        kunde(2, PLZ=1067),
        **{
            model.PRUEFBERICHT: [["Fehler", 2]],
            MARKS_SHEET: marked_before(["Kundenliste", "B3", RED, "ja"], ["Kundenliste", "I3", RED, "ja"]),
        },
    )
    b = office_book(grids, notes={"Kundenliste": ["$B$3", "$I$3"]})
    check_book(b, today=TODAY, now=NOW)
    assert colors(b) == {"B3": None}  # I3 keeps its (still right) colour: nothing to write
    assert notes(b, "deleteNote") == {"B3": None}
    assert set(notes(b, "setNoteText")) == {"I3"} and notes(b, "addNote") == {}
    assert [[plain(v) for v in r] for r in written(b, MARKS_SHEET)] == marked_before(["Kundenliste", "I3", RED, "ja"])
    # the existing tool sheets are rewritten, not added again
    assert actions(b, "addSheet") == []
    cleared = [a["sheet_position"] for a in actions(b, "sheetClearContents")]
    assert sorted(cleared) == sorted([position(b, MARKS_SHEET), position(b, model.PRUEFBERICHT)])


def test_a_warning_that_became_an_error_is_recoloured() -> None:
    grids = sheets(
        kunde(1, Status="in Bearbeitung"), **{MARKS_SHEET: marked_before(["Kundenliste", "D2", YELLOW, "ja"])}
    )
    b = office_book(grids, notes={"Kundenliste": ["$D$2"]})
    check_book(b, today=TODAY, now=NOW)
    assert colors(b) == {"D2": RED}


def test_the_users_own_notes_are_left_alone() -> None:
    # I2 is wrong and carries a note of the user's; J2 is right and carries one too
    b = office_book(sheets(kunde(1, PLZ=1067)), notes={"Kundenliste": ["$I$2", "$J$2"]})
    check_book(b, today=TODAY, now=NOW)
    assert notes(b, "addNote") == {} and notes(b, "setNoteText") == {} and notes(b, "deleteNote") == {}
    assert colors(b) == {"I2": RED}
    assert [[plain(v) for v in r] for r in written(b, MARKS_SHEET)] == marked_before(["Kundenliste", "I2", RED, "nein"])


def test_a_cell_left_uncoloured_last_time_stays_uncoloured_where_fills_cannot_be_read() -> None:
    # an earlier run in desktop Excel saw the user's own fill on I2 and did not colour it
    grids = sheets(kunde(1, PLZ=1067), **{MARKS_SHEET: marked_before(["Kundenliste", "I2", "", "ja"])})
    b = office_book(grids, notes={"Kundenliste": ["$I$2"]})
    check_book(b, today=TODAY, now=NOW)
    assert colors(b) == {} and set(notes(b, "setNoteText")) == {"I2"}
    assert [[plain(v) for v in r] for r in written(b, MARKS_SHEET)] == marked_before(["Kundenliste", "I2", "", "ja"])


def test_a_mark_without_a_tool_note_is_cleared_without_touching_notes() -> None:
    grids = sheets(kunde(1), **{MARKS_SHEET: marked_before(["Kundenliste", "I2", RED, "nein"])})
    b = office_book(grids, notes={"Kundenliste": ["$I$2"]})  # the user's note
    check_book(b, today=TODAY, now=NOW)
    assert colors(b) == {"I2": None} and notes(b, "deleteNote") == {}


def test_cells_the_tool_never_marked_are_never_touched() -> None:
    b = office_book(sheets(kunde(1), kunde(2, Email="x@web")))
    check_book(b, today=TODAY, now=NOW)
    assert set(colors(b)) == {"L3"}
    assert all(color in (RED, YELLOW) for color in colors(b).values())


# --------------------------------------------------------------------------- engines, entry points


def test_a_client_without_notes_still_gets_colours_and_the_report() -> None:
    b = vba_book(sheets(kunde(1, PLZ=1067)))
    check_book(b, today=TODAY, now=NOW)
    assert colors(b) == {"I2": RED}
    assert actions(b, "addNote") == []
    assert [[plain(v) for v in r] for r in written(b, MARKS_SHEET)] == marked_before(["Kundenliste", "I2", RED, "nein"])
    assert written(b, model.PRUEFBERICHT)[0][:2] == ["Fehler", 1]


def test_button_tells_the_summary() -> None:
    b = office_book(sheets(kunde(1, PLZ=1067, Akquise="Jobmesse")))
    pruefen(b, today=TODAY)
    (alert,) = actions(b, "alert")
    assert alert["args"][0] == (
        "Prüfung: 1 Fehler, 1 Warnung. Die Zellen sind markiert; alle Befunde stehen im Blatt „Prüfbericht“."
    )


def test_entry_points_are_registered_for_the_vba() -> None:
    assert kl.ENTRY_POINTS["pruefen"] == "checks:pruefen" and kl.ENTRY_POINTS["on_save"] == "checks:on_save"
    b = office_book(sheets(kunde(1)))
    kl.pruefen(b)
    assert actions(b, "alert")[0]["args"][0] == "Prüfung: keine Fehler und keine Warnungen."


def test_on_save_checks_and_never_alerts() -> None:
    b = office_book(sheets(kunde(1, PLZ=1067)))
    findings = on_save(b, today=TODAY)
    assert [f.code for f in findings] == ["plz-fuehrende-null"]
    assert written(b, model.PRUEFBERICHT)[0][:2] == ["Fehler", 1]
    assert actions(b, "alert") == []


def test_on_save_respects_the_setting() -> None:
    grids = sheets(kunde(1, PLZ=1067), Einstellungen=[["Einstellung", "Wert"], ["Beim Speichern prüfen", "nein"]])
    b = office_book(grids)
    assert on_save(b, today=TODAY) is None
    assert actions(b) == []


def test_on_save_never_raises_and_leaves_the_report_alone_when_it_cannot_check() -> None:
    b = office_book({"Kundenliste": [["ID", "Name"], ["101", "Anna"]], "KundenDoku": [DH]})
    assert on_save(b, today=TODAY) is None
    assert actions(b, "setValues") == [] and actions(b, "alert") == []


def test_the_checks_run_without_the_cyclic_collector_and_switch_it_back_on(monkeypatch) -> None:
    """Issue 18: one full pass of Python's cyclic collector over what xlwings and pandas hold
    costs as much as the whole check of 1,000 customers (0.06–0.1 s), so the three Excel checks
    run without it (the validation, watched here, sees it off), and it is on again afterwards,
    also when the check cannot run."""
    import gc

    from kundenliste_tools.xl import checks

    collector_on: list[bool] = []
    real_check = checks.check

    def watched(*args: Any, **kwargs: Any) -> Any:
        collector_on.append(gc.isenabled())
        return real_check(*args, **kwargs)

    monkeypatch.setattr(checks, "check", watched)
    good = sheets(kunde(1, PLZ=1067), kunde(2, Email="kaputt"))
    broken = {"Kundenliste": [["ID", "Name"], ["101", "Anna"]], "KundenDoku": [DH]}
    assert gc.isenabled()
    results = [on_save(vba_book(good), today=TODAY), on_save(vba_book(broken), today=TODAY),
               on_autosave(vba_book(good), today=TODAY), pruefen(vba_book(good), today=TODAY)]
    assert [None if r is None else len(r) for r in results] == [2, None, 2, 2]
    assert collector_on == [False, False, False] and gc.isenabled()


def test_the_quiet_check_of_an_automatic_save_finds_the_same_and_touches_no_cell() -> None:
    """AutoSave (issue 15): the same findings as on_save, but no mark, no Prüfbericht, no alert;
    the summary goes to the status bar only, which the remote engine does not record."""
    b = vba_book(sheets(kunde(1, PLZ=1067), kunde(2, Email="kaputt")))
    findings = on_autosave(b, today=TODAY)
    assert sorted(f.code for f in findings) == sorted(f.code for f in on_save(vba_book(sheets(
        kunde(1, PLZ=1067), kunde(2, Email="kaputt"))), today=TODAY))
    assert len(findings) == 2
    assert actions(b) == []  # not one cell written, no sheet added


def test_the_quiet_check_never_raises() -> None:
    b = vba_book({"Kundenliste": [["ID", "Name"], ["101", "Anna"]], "KundenDoku": [DH]})
    assert on_autosave(b, today=TODAY) is None
    assert actions(b) == []


# --------------------------------------------------------------------------- the decisions (pure)

K = "Kundenliste"


def test_plan_never_recolours_a_users_fill_but_still_annotates() -> None:
    plan = plan_marks({}, {(K, "B2"): Want("error", "t")}, {(K, "B2"): "#00b050"}, {(K, "B2"): "none"})
    assert plan.colors == {} and plan.add_notes == {(K, "B2"): "t"}
    assert plan.marks == {(K, "B2"): Mark("", True)}


def test_plan_leaves_a_mark_the_user_recoloured() -> None:
    plan = plan_marks({(K, "B2"): Mark(RED, True)}, {}, {(K, "B2"): "#00b050"}, {(K, "B2"): "ours"})
    assert plan.colors == {} and plan.delete_notes == {(K, "B2")} and plan.marks == {}


def test_plan_keeps_a_note_the_user_rewrote() -> None:
    plan = plan_marks({(K, "B2"): Mark(RED, True)}, {}, {(K, "B2"): RED}, {(K, "B2"): "user"})
    assert plan.colors == {(K, "B2"): None} and plan.delete_notes == set()


def test_plan_does_not_rewrite_an_unchanged_colour() -> None:
    plan = plan_marks(
        {(K, "B2"): Mark(YELLOW, True)}, {(K, "B2"): Want("warning", "t")}, {(K, "B2"): YELLOW}, {(K, "B2"): "ours"}
    )
    assert plan.colors == {} and plan.set_notes == {(K, "B2"): "t"} and plan.marks == {(K, "B2"): Mark(YELLOW, True)}
