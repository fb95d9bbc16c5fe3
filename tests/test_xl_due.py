"""The Excel door of issue 5 with real xlwings objects (remote engine): the "Fälligkeiten" entry
point and the UDFs KL_FAELLIG / KL_UEBERFAELLIG_TAGE."""

from __future__ import annotations

import datetime as dt

import pytest
import xlwings as xw

import kundenliste_tools.xl as kl
from kundenliste_tools.core.model import BERATUNGSGESPRAECHE, DUE_COLUMN, FAELLIGKEITEN
from kundenliste_tools.xl import due, udfs

from .duebook import KUNDEN_HEADER, customer, entry, grids
from .xlbook import actions, book, payload

TODAY = dt.date(2026, 5, 15)

CUSTOMERS = [
    customer("A", Kundenstatus="alo"),                 # vamv: last entry 2026-01-01 + 3 months → 04-01, FT 03-01
    customer("B", erst="2026-05-10", status="neu"),    # neu: 05-10 + 14 days = 05-24, within 14 days
    customer("C", status=None),                        # no Status: nicht bewertbar
    customer("D"),                                     # entry 2026-05-01 → 08-01
    customer("E", status="abgeschlossen"),
]
ENTRIES = [entry("A", "2026-01-01", folgetermin="2026-03-01"), entry("D", "2026-05-01")]


def sheet_actions(b: xw.Book, position: int, func: str = "setValues") -> list[dict]:
    return [a for a in actions(b, func) if a["sheet_position"] == position]


def test_due_dates_go_into_a_new_column_in_one_write():
    b = book(grids(CUSTOMERS, ENTRIES))
    due.faelligkeiten(b, today=TODAY)
    writes = sheet_actions(b, 0)
    assert len(writes) == 1  # ONE range write on the Kundenliste
    w = writes[0]
    assert (w["start_row"], w["start_column"]) == (0, len(KUNDEN_HEADER))  # header row, after the last column
    assert w["values"] == [[DUE_COLUMN], ["2026-03-01"], ["2026-05-24"], ["nicht bewertbar"], ["2026-08-01"], [""]]
    fmt = sheet_actions(b, 0, "setNumberFormat")
    assert [(a["args"], a["start_row"], a["row_count"]) for a in fmt] == [(["yyyy-mm-dd"], 1, 5)]


def test_due_dates_under_a_header_in_row_3_leave_the_title_and_hint_rows_alone():
    """Issue 12: a title row and an empty row above the header, an input-hint row below it."""
    rows = grids(CUSTOMERS, ENTRIES)
    kl_rows = rows["Kundenliste"]
    hint = [None, "JJJJ-MM-TT", None, "neu / in Beratung / abgeschlossen"] + [None] * (len(KUNDEN_HEADER) - 4)
    rows["Kundenliste"] = [["Kundenliste Team Nord"], []] + kl_rows[:1] + [hint] + kl_rows[1:]
    b = book(rows)
    due.faelligkeiten(b, today=TODAY)
    (w,) = sheet_actions(b, 0)
    assert (w["start_row"], w["start_column"]) == (2, len(KUNDEN_HEADER))  # the header row 3
    assert w["values"] == [[DUE_COLUMN], [""], ["2026-03-01"], ["2026-05-24"], ["nicht bewertbar"],
                           ["2026-08-01"], [""]]  # the hint row 4 gets no date
    fmt = sheet_actions(b, 0, "setNumberFormat")
    assert [(a["start_row"], a["row_count"]) for a in fmt] == [(3, 6)]


def test_an_existing_due_column_is_overwritten_below_its_header():
    header = KUNDEN_HEADER[:5] + [DUE_COLUMN] + KUNDEN_HEADER[5:]
    rows = grids(CUSTOMERS, ENTRIES, kunden_header=header)
    rows["Kundenliste"][2][5] = "alt"  # a stale value must be replaced
    rows["Kundenliste"].insert(3, [None] * len(header))  # an empty row 4 stays empty
    b = book(rows)
    due.faelligkeiten(b, today=TODAY)
    (w,) = sheet_actions(b, 0)
    assert (w["start_row"], w["start_column"]) == (1, 5)
    assert w["values"] == [["2026-03-01"], ["2026-05-24"], [""], ["nicht bewertbar"], ["2026-08-01"], [""]]
    assert not sheet_actions(b, 0, "setNumberFormat")  # the template formats its own column


def test_the_faelligkeiten_sheet_is_a_sorted_filterable_table():
    b = book(grids(CUSTOMERS, ENTRIES))
    result = due.faelligkeiten(b, today=TODAY)
    assert [a["args"] for a in actions(b, "addSheet")] == [[2, FAELLIGKEITEN], [3, BERATUNGSGESPRAECHE]]
    (w,) = sheet_actions(b, 2)
    assert w["values"][2] == due.SHEET_COLUMNS
    body = [(r[0], r[4], r[5], r[6]) for r in w["values"][3:]]
    assert body == [
        ("A", "überfällig", "2026-03-01", 75),
        ("B", "bald fällig", "2026-05-24", ""),
        ("C", "nicht bewertbar", "", ""),
        ("D", "fällig später", "2026-08-01", ""),
        ("E", "keine Fälligkeit", "", ""),
    ]
    assert w["values"][3][1] == "Vorname NameA" and w["values"][3][10] == 2  # name and Kundenliste row
    assert [a["args"] for a in actions(b, "addTable")] == [["$A$3:$K$8", True, "TableStyleMedium2", "Faelligkeiten"]]
    assert list(result["id"]) == ["A", "B", "C", "D", "E"]
    assert actions(b, "alert")[0]["args"][0].startswith(
        "Fälligkeiten zum 2026-05-15 nach Regelwerk „vamv“: 1 überfällig, 1 in den nächsten 14 Tagen fällig, "
        "1 nicht bewertbar.")


def test_a_second_run_rewrites_the_sheet_and_resizes_its_table():
    sheets = grids(CUSTOMERS, ENTRIES)
    sheets[FAELLIGKEITEN] = [["alt"], [], due.SHEET_COLUMNS] + [["x"] * 11 for _ in range(9)]
    data = payload(sheets)
    data["sheets"][2]["tables"] = [{
        "name": "Faelligkeiten", "range_address": "$A$3:$K$12", "row_count": 10, "column_count": 11,
        "header_row_range_address": "$A$3:$K$3", "data_body_range_address": "$A$4:$K$12",
        "total_row_range_address": None, "show_headers": True, "show_totals": False, "table_style": "",
        "show_autofilter": True}]
    b = xw.Book(json=data)
    due.faelligkeiten(b, today=TODAY)
    assert [a["args"] for a in actions(b, "addSheet")] == [[3, BERATUNGSGESPRAECHE]]  # the listing exists
    assert not actions(b, "addTable")
    assert [a["sheet_position"] for a in actions(b, "rangeClearContents")] == [2]
    assert [a["args"] for a in actions(b, "resizeTable")] == [[0, "$A$3:$K$8"]]
    (w,) = sheet_actions(b, 2)
    assert [r[0] for r in w["values"][3:]] == ["A", "B", "C", "D", "E"]


def test_rule_set_and_stichtag_come_from_the_workbook():
    sheets = grids([customer("U", Bereich="U25", Kundenstatus="alo")], [entry("U", "2026-03-01")])
    sheets["Einstellungen"] = [["Einstellung", "Wert"], ["Regelwerk", "aa90"], ["Stichtag", "2026-04-01"]]
    b = book(sheets)
    result = due.faelligkeiten(b, today=TODAY)
    # aa90, U25 arbeitslos: 2026-03-01 + 1 month = 2026-04-01 = Stichtag → due, not overdue
    assert [(r.id, r.rule, bool(r.overdue)) for r in result.itertuples()] == [("U", "2. U25 arbeitslos", False)]
    assert "zum 2026-04-01 nach Regelwerk „aa90“" in actions(b, "alert")[0]["args"][0]


def test_the_entry_point_reports_a_broken_rule_sheet_in_german():
    sheets = grids(CUSTOMERS, ENTRIES)
    sheets["Regelwerk"] = [["Name", "kaputt"], [], ["Regel", "Profillage", "Pflicht"], ["x", "Markt", "alle 3 Monate"]]
    b = book(sheets)
    kl.faelligkeiten(b)
    (alert,) = actions(b, "alert")
    assert alert["args"][1] == "Kundenliste: Fehler"
    assert "Zeile 4, Spalte B „Profillage“" in alert["args"][0] and "Marktprofil" in alert["args"][0]
    assert not actions(b, "setValues")  # nothing written


# ----------------------------------------------------------------------------- UDFs


@pytest.fixture()
def clock(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(udfs, "clock", lambda: now[0])
    monkeypatch.setattr(udfs, "today", lambda: TODAY)
    udfs._CACHE.clear()
    return now


def test_udfs_answer_per_id(clock):
    b = book(grids(CUSTOMERS, ENTRIES), name="Team.xlsm")
    cell = b.sheets[0]["T2"]
    assert udfs.KL_FAELLIG("A", caller=cell) == dt.date(2026, 3, 1)
    assert udfs.KL_UEBERFAELLIG_TAGE("A", caller=cell) == 75
    assert udfs.KL_FAELLIG("B", caller=cell) == dt.date(2026, 5, 24)
    assert udfs.KL_UEBERFAELLIG_TAGE("B", caller=cell) == 0
    assert udfs.KL_FAELLIG("C", caller=cell) == "nicht bewertbar"
    assert udfs.KL_FAELLIG("E", caller=cell) == ""
    assert udfs.KL_FAELLIG("ZZ", caller=cell) == "ID unbekannt"


def test_udfs_assess_once_per_recalculation(clock):
    b = book(grids(CUSTOMERS, ENTRIES), name="Team.xlsm")
    cell = b.sheets[0]["T2"]
    before = udfs.stats["assessments"]
    for _ in range(3):  # one recalculation: many formula cells in a burst
        for kunde in ("A", "B", "C", "D", "E"):
            udfs.KL_FAELLIG(kunde, caller=cell)
            udfs.KL_UEBERFAELLIG_TAGE(kunde, caller=cell)
            clock[0] += 0.01
    assert udfs.stats["assessments"] == before + 1
    clock[0] += udfs.BURST_SECONDS + 1  # the next edit, later: a new recalculation
    udfs.KL_FAELLIG("A", caller=cell)
    assert udfs.stats["assessments"] == before + 2


def test_udfs_see_a_new_entry_in_the_next_recalculation(clock):
    cell = book(grids(CUSTOMERS, ENTRIES), name="Team.xlsm").sheets[0]["T2"]
    assert udfs.KL_UEBERFAELLIG_TAGE("A", caller=cell) == 75
    # the counsellor documents today's conversation, agreeing nothing: A is fine until 08-15
    later = book(grids(CUSTOMERS, ENTRIES + [entry("A", "2026-05-15")]), name="Team.xlsm").sheets[0]["T2"]
    clock[0] += udfs.BURST_SECONDS + 1
    assert udfs.KL_FAELLIG("A", caller=later) == dt.date(2026, 8, 15)
    assert udfs.KL_UEBERFAELLIG_TAGE("A", caller=later) == 0


def test_udfs_show_a_workbook_problem_as_text(clock):
    sheets = grids(CUSTOMERS, ENTRIES)
    sheets["Einstellungen"] = [["Regelwerk", "gibtsnicht"]]
    cell = book(sheets, name="Kaputt.xlsm").sheets[0]["T2"]
    assert udfs.KL_FAELLIG("A", caller=cell).startswith("Ein Regelwerk „gibtsnicht“ gibt es nicht.")


def test_udfs_are_declared_volatile_for_excel():
    """On Windows `@xw.func` records these for the VBA wrapper; elsewhere it is a no-op, so the
    declarations are read from the source: volatile (they depend on the KundenDoku and today),
    one Excel argument (`caller` is xlwings' reserved name for the calling cell)."""
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(udfs))
    found = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name.startswith("KL_"):
            deco = next(d for d in node.decorator_list if ast.unparse(d).startswith("xw.func"))
            found[node.name] = ({k.arg: ast.literal_eval(k.value) for k in deco.keywords},
                                [a.arg for a in node.args.args])
    expected = ({"category": "Kundenliste", "volatile": True}, ["kunde", "caller"])
    assert found == {"KL_FAELLIG": expected, "KL_UEBERFAELLIG_TAGE": expected}


def test_team_leads_see_counted_conversations_per_week_and_caseload():
    """aa90: persönlich and telefonisch Beratungsvermerke count, E-Mail and Allgemeiner Vermerk do
    not; the quota of 20 per full-time week is halved for a half-time counsellor."""
    customers = [customer("A", berater="Karin"), customer("B", berater="Karin"),
                 customer("C", berater="Karin", status="abgeschlossen"), customer("D", berater="Olaf")]
    entries = [
        entry("A", "2026-05-04"),                                   # Mon of 2026-W19: counts
        entry("B", "2026-05-05", kontaktart="telefonisch"),         # counts under aa90
        entry("A", "2026-05-06", kontaktart="E-Mail"),              # does not count
        entry("B", "2026-05-07", vermerkart="Allgemeiner Vermerk"),  # does not count
        entry("A", "2026-05-12"),                                   # 2026-W20, the Stichtag's week
        entry("D", "2026-05-13", berater="Olaf"),
    ]
    rows = grids(customers, entries,
                 Einstellungen=[["Einstellung", "Wert"], ["Regelwerk", "aa90"]],
                 Berater=[["Name", "Stellenanteil"], ["Karin", 0.5], ["Olaf", 1]])
    b = book(rows)
    due.faelligkeiten(b, today=TODAY)
    sheet = b.sheets["Beratungsgespräche"]
    (write,) = sheet_actions(b, sheet.index - 1)  # one range write
    title, _, header, *rows = write["values"]
    body = {r[0]: r for r in rows}
    w19, w20 = header.index("2026-W19"), header.index("2026-W20 (laufend)")
    assert (body["Karin"][w19], body["Karin"][w20]) == (2, 1)
    assert (body["Olaf"][w19], body["Olaf"][w20]) == (0, 1)
    quota = header.index("Quote je Woche")
    assert (body["Karin"][quota], body["Olaf"][quota]) == (10, 20)
    assert body["Karin"][header.index("Aktive Kunden")] == 2  # C is abgeschlossen
    assert body["Karin"][header.index("Stellenanteil")] == 0.5
    assert "aa90" in title[0] and "20 je Vollzeitstelle" in title[0]
    assert b.sheets.active.name == "Fälligkeiten"  # the list stays in front
