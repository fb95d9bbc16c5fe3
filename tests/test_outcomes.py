"""Issue 19: the Auswertung's development, success, effort and Folgetermine tables on a
hand-made workbook of three quarters, two sources and counsellors with known outcomes and
appointments.  Every figure is derived by hand in the comments below and compared twice: read
back from the written file with openpyxl, and from `kundenliste quartal --json`.

Period 2026-Q2 (2026-04-01 .. 2026-06-30), rule set vamv (the workbook's default).
"""

from __future__ import annotations

import io
import json
import re
from zipfile import ZipFile

import openpyxl
import pytest

from kundenliste_tools.cli import main

from .duebook import KUNDEN_HEADER, customer, entry, grids, write_book

ANGENOMMEN = "Arbeitsstelle angenommen"


def kunde(id, erst, akquise, berater, status, ergebnis=None, abschluss=None):
    return customer(id, erst, status, berater, Akquise=akquise, Ergebnis=ergebnis, **{"Abschluss am": abschluss})


CUSTOMERS = [
    # 2025-Q4
    kunde("A", "2025-10-06", "VAMV", "Karin", "abgeschlossen", ANGENOMMEN, "2026-01-20"),
    kunde("B", "2025-10-20", "VAMV", "Karin", "abgeschlossen", "Arbeitsstelle nicht angenommen: Schichtdienst"),
    kunde("C", "2025-11-03", "Beratungstag", "Birgit", "abgeschlossen", ANGENOMMEN),
    kunde("D", "2025-11-03", "Beratungstag", "Birgit", "in Beratung"),
    # 2026-Q1
    kunde("E", "2026-01-12", "VAMV", "Birgit", "abgeschlossen", "arbeitsstelle  angenommen "),  # other spelling
    kunde("F", "2026-02-02", "Beratungstag", "Karin", "abgeschlossen", "Kontakt abgebrochen"),
    kunde("G", "2026-02-16", "Wer hilft weiter", "Ute", "in Beratung"),
    kunde("H", "2026-03-02", "VAMV", "Karin", "neu"),
    kunde("M", "2026-03-10", "VAMV", "Karin", "abgeschlossen", ANGENOMMEN, "2026-08-01"),  # closes after Q2
    # 2026-Q2
    kunde("I", "2026-04-07", "VAMV", "Birgit", "abgeschlossen", ANGENOMMEN, "2026-06-10"),
    kunde("J", "2026-05-04", "Beratungstag", "Karin", "in Beratung"),
    kunde("K", "2026-06-20", "VAMV", "Birgit", "neu"),
    # after the period: not counted anywhere
    kunde("L", "2026-07-06", "VAMV", "Karin", "neu"),
]
ENTRIES = [
    entry("A", "2025-10-13", "2025-11-10"), entry("A", "2025-11-12", "2025-12-15"),
    entry("A", "2025-12-20", "2026-01-19"), entry("A", "2026-01-19"),
    entry("B", "2025-10-27", "2025-11-24"), entry("B", "2025-12-01"),
    entry("C", "2025-11-03", "2025-12-01"), entry("C", "2025-12-01", "2026-01-12"),
    entry("C", "2026-01-14", "2026-02-16"), entry("C", "2026-02-20"),
    entry("D", "2025-11-10", "2025-12-08"), entry("D", "2026-01-05", "2026-04-13"),
    entry("D", "2026-04-14", "2026-05-12"), entry("D", "2026-05-25", "2026-06-29"), entry("D", "2026-07-02"),
    entry("E", "2026-01-12", "2026-02-09"), entry("E", "2026-02-09", "2026-03-09"),
    entry("E", "2026-03-09", "2026-04-06"), entry("E", "2026-04-03"),
    entry("F", "2026-02-10", "2026-03-10"),
    entry("G", "2026-02-20", "2026-04-20"), entry("G", "2026-04-30", "2026-05-28"),
    entry("I", "2026-04-09", "2026-05-07"), entry("I", "2026-05-08", "2026-06-05"), entry("I", "2026-06-12"),
    entry("J", "2026-05-11", "2026-06-25"),
    entry("M", "2026-03-17", "2026-04-14"), entry("M", "2026-04-14", "2026-07-20"),
    entry("L", "2026-07-08", "2026-07-22"),
]

# Cases at the period's end (2026-06-30).  Closed: status abgeschlossen and closing day (Abschluss
# am, else the latest entry) on or before it; M closes on 2026-08-01, so it is still open.
#   A: Abschluss am 2026-01-20, 2025-10-06 → 2026-01-20 = 25+30+31+20 = 106 days, 4 entries, angenommen
#   B: latest entry 2025-12-01, 11+30+1 = 42 days, 2 entries, "nicht angenommen: …" (an entry + why)
#   C: latest entry 2026-02-20, 27+31+31+20 = 109 days, 4 entries, angenommen
#   E: latest entry 2026-04-03, 19+28+31+3 = 81 days, 4 entries, angenommen (spelling forgiven)
#   F: latest entry 2026-02-10, 8 days, 1 entry, Kontakt abgebrochen
#   I: Abschluss am 2026-06-10, 23+31+10 = 64 days, 2 entries up to it (06-12 comes after), angenommen
# Fewer than 3 closed cases in a group: angenommen, Erfolgsquote and the medians stay empty.
#
# Overdue (vamv) at each quarter's end, among customers not closed then:
#   2025-12-31: A (entries after → open; Folgetermin 01-19 still ahead), C (Folgetermin 01-12 ahead),
#               D (Folgetermin 12-08 missed → overdue); B closed.                          → 1/3
#   2026-03-31: D (Folgetermin 04-13 ahead), E (entries after; 04-06 ahead), G (04-20 ahead),
#               H (neu, no entry, due 03-02 + 14 days = 03-16 → overdue),
#               M (entry after; 04-14 ahead); A, B, C, F closed.                          → 1/5
#   2026-06-30: D (06-29 missed), G (05-28 missed), H, J (06-25 missed) overdue; K (neu since 06-20,
#               due 07-04) and M (closes 08-01; 07-20 ahead) not.                         → 4/6
TREND = [
    # Quartal, new, entries, closed, angenommen, Erfolgsquote, Anteil überfällig
    # Q4: A B C D new; entries A×3 B×2 C×2 D×1 = 8; closed: B → 1 (< 3: empty)
    ["2025-Q4", 4, 8, 1, None, None, 1 / 3],
    # Q1: E F G H M new; entries A1 C2 D1 E3 F1 G1 M1 = 10; closed A (01-20) C (02-20) F (02-10):
    # 2 angenommen of 3
    ["2026-Q1", 5, 10, 3, 2, 2 / 3, 1 / 5],
    # Q2: I J K new; entries D2 E1 G1 I3 J1 M1 = 9; closed E (04-03), I (06-10) → 2 (< 3: empty)
    ["2026-Q2", 3, 9, 2, None, None, 4 / 6],
]
# (the quarters 2024-Q3 .. 2025-Q3 lie before the first Erstkontakt and are left out)

AKQUISE = [
    # source, customers, closed, angenommen, rate, median days, median entries
    ["Runder Tisch Kinderarmut", 0, 0, None, None, None, None],
    # A B E H I K M; closed A B E I; angenommen A E I; days 42 64 81 106 → 72.5; entries 2 2 4 4 → 3
    ["VAMV", 7, 4, 3, 3 / 4, 72.5, 3.0],
    # C D F J; closed C F (2 < 3)
    ["Beratungstag", 4, 2, None, None, None, None],
    ["Kontaktstelle Familie & Beruf", 0, 0, None, None, None, None],
    ["Wer hilft weiter", 1, 0, None, None, None, None],  # G
]
BERATER = [
    # A B F H J M; closed A B F; angenommen A; days 8 42 106 → 42; entries 1 2 4 → 2
    ["Karin", 6, 3, 1, 1 / 3, 42.0, 2.0],
    # C D E I K; closed C E I, all angenommen; days 64 81 109 → 81; entries 2 4 4 → 4
    ["Birgit", 5, 3, 3, 1.0, 81.0, 4.0],
    ["Ute", 1, 0, None, None, None, None],  # G
]
AUFWAND = [
    # first entry − Erstkontakt: A 7, B 7, C 0, D 7, E 0, F 8, G 4, I 2, J 7, M 7 (H, K none)
    # sorted 0 0 2 4 7 7 7 7 7 8 → median 7; mean 49/10 = 4.9
    ["Tage vom Erstkontakt bis zum ersten Gespräch", 7.0, 4.9, 10],
    # 8 42 64 81 106 109 → median (64+81)/2 = 72.5; mean 410/6 = 68.33 → 68.3
    ["Tage vom Erstkontakt bis zum Abschluss", 72.5, 68.3, 6],
    # 1 2 2 4 4 4 → median 3; mean 17/6 = 2.83 → 2.8
    ["Gespräche bis zum Abschluss", 3.0, 2.8, 6],
    # 17 entries of closed cases / 4 angenommen (A C E I) = 4.25
    [f"Gespräche je „{ANGENOMMEN}“", None, 4.25, 4],
]
FOLGETERMINE = [
    # entries in Q2: D 04-14 05-25, E 04-03, G 04-30, I 04-09 05-08 06-12, J 05-11, M 04-14 = 9
    ["Einträge im Zeitraum", 9, None],
    # all but E 04-03 and I 06-12 → 7/9
    ["davon mit Folgetermin", 7, 7 / 9],
    # Folgetermine in Q2 from entries up to 06-30: D 04-13 05-12 06-29, E 04-06, G 04-20 05-28,
    # I 05-07 06-05, J 06-25, M 04-14 = 10
    ["Folgetermine im Zeitraum", 10, None],
    # kept (a later entry within 7 days): D 04-13 (04-14), E 04-06 (04-03), I 05-07 (05-08),
    # I 06-05 (06-12, 7 days), M 04-14 (04-14) = 5
    ["eingehalten", 5, 5 / 10],
    # missed: D 05-12 (next entry 05-25: 13 days), G 04-20 (04-30: 10 days), G 05-28 (none) = 3
    ["verpasst", 3, 3 / 10],
    # open: D 06-29 and J 06-25: their 7 days reach past 06-30 (D's 07-02 entry lies after it) = 2
    ["noch offen (Frist endet nach dem Zeitraum)", 2, 2 / 10],
]
EXPECTED = {
    "Entwicklung der letzten 8 Quartale": (
        ["Quartal", "Neue Kunden", "Gespräche", "Abgeschlossene Fälle", ANGENOMMEN, "Erfolgsquote",
         "Anteil überfällig"], TREND),
    "Erfolg je Akquise-Quelle": (
        ["Akquise", "Kunden", "Abgeschlossen", ANGENOMMEN, "Erfolgsquote", "Tage bis Abschluss (Median)",
         "Gespräche bis Abschluss (Median)"], AKQUISE),
    "Erfolg je Berater": (
        ["Berater", "Kunden", "Abgeschlossen", ANGENOMMEN, "Erfolgsquote", "Tage bis Abschluss (Median)",
         "Gespräche bis Abschluss (Median)"], BERATER),
    "Aufwand bis zum Abschluss": (["Kennzahl", "Median", "Durchschnitt", "Kunden"], AUFWAND),
    "Folgetermine": (["Kennzahl", "Anzahl", "Anteil"], FOLGETERMINE),
}


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    folder = tmp_path_factory.mktemp("outcomes")
    sheets = grids(CUSTOMERS, ENTRIES, kunden_header=KUNDEN_HEADER + ["Ergebnis", "Abschluss am"],
                   Listen=[["Berater"], ["Karin"], ["Birgit"], ["Ute"]])
    book = write_book(folder / "Kundenliste.xlsx", sheets)
    out, err = io.StringIO(), io.StringIO()
    target = folder / "export.xlsx"
    code = main(["quartal", str(book), "--quartal", "2026-Q2", "--out", str(target), "--json"], out, err)
    assert code == 0, err.getvalue()
    return target, json.loads(out.getvalue())


def tables_in_sheet(path) -> dict[str, list[list]]:
    """The Auswertung's tables as written: title row, optional note, header, rows up to a blank row."""
    rows = list(openpyxl.load_workbook(path)["Auswertung"].iter_rows(min_col=1, max_col=7, values_only=True))
    found: dict[str, list[list]] = {}
    for i, row in enumerate(rows):
        if row[0] in EXPECTED and row[0] not in found:
            header = EXPECTED[row[0]][0]
            start = next(j for j in range(i + 1, i + 3) if list(rows[j][:len(header)]) == header)
            body = []
            for r in rows[start:]:
                if r[0] is None:
                    break
                body.append(list(r[:len(header)]))
            found[row[0]] = body
    return found


def same(got: list[list], expected: list[list]) -> bool:
    assert len(got) == len(expected), (got, expected)
    for g, e in zip(got, expected):
        assert g[0] == e[0] and g[1:] == pytest.approx(e[1:], abs=5e-5), (g, e)
    return True


@pytest.mark.parametrize("title", list(EXPECTED))
def test_every_figure_in_the_written_file(exported, title):
    path, _ = exported
    tables = tables_in_sheet(path)
    assert same(tables[title], [EXPECTED[title][0]] + EXPECTED[title][1])


@pytest.mark.parametrize("title", list(EXPECTED))
def test_every_figure_in_the_json(exported, title):
    _, result = exported
    table = next(t for t in result["tabellen"] if t["titel"] == title)
    assert table["spalten"] == EXPECTED[title][0]
    assert same(table["zeilen"], EXPECTED[title][1])


def test_shares_are_percent_cells_and_the_charts_are_there(exported):
    path, _ = exported
    ws = openpyxl.load_workbook(path)["Auswertung"]
    formats = {c.number_format for row in ws.iter_rows() for c in row if isinstance(c.value, float) and c.value < 1}
    assert "0.0 %" in formats
    with ZipFile(path) as z:
        charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
    titles = {t: sum(t in c for c in charts) for t in EXPECTED}
    assert titles == dict.fromkeys(EXPECTED, 1)
    line = next(c for c in charts if "Entwicklung der letzten 8 Quartale" in c)
    # counts and shares: two line charts on two value axes
    assert len(re.findall(r"<(?:c:)?lineChart>", line)) == 2 and len(re.findall(r"<(?:c:)?valAx>", line)) == 2


# ----------------------------------------------------------------------------- list and field


def test_ergebnis_is_a_list_with_the_seeds_defaults_and_abschluss_am_a_date_field():
    from kundenliste_tools.core import model

    assert model.DEFAULT_LISTS["Ergebnis"] == (
        ANGENOMMEN, "Arbeitsstelle nicht angenommen", "Ausbildung/Maßnahme begonnen", "Beratung beendet",
        "Kontakt abgebrochen")
    assert model.field_of(model.KUNDENLISTE, "Ergebnis").list_name == "Ergebnis"
    assert model.field_of(model.KUNDENLISTE, "Abschluss am").kind == "date"
    for header in ("Abschluss am", "Abschlussdatum", "abgeschlossen am", "Datum Abschluss"):
        assert model.canonical_field(model.KUNDENLISTE, header) == "Abschluss am", header
    assert model.canonical_field(model.KUNDENLISTE, "Abschluss") == "Ergebnis"  # the older alias stays


def test_validation_warns_for_other_ergebnis_values_and_checks_abschluss_am():
    import datetime as dt

    from kundenliste_tools.core.book import workbook_from_grids
    from kundenliste_tools.core.validation import validate

    rows = [
        kunde("1", "2026-01-05", "VAMV", "Karin", "abgeschlossen", ANGENOMMEN, "2026-03-01"),
        kunde("2", "2026-01-05", "VAMV", "Karin", "abgeschlossen", "Arbeitsstelle nicht angenommen: Schichtdienst"),
        kunde("3", "2026-01-05", "VAMV", "Karin", "abgeschlossen", "kontakt abgebrochen"),
        kunde("4", "2026-01-05", "VAMV", "Karin", "abgeschlossen", "Umzug nach Hamburg", "01.03.2026"),
    ]
    for r in rows:
        r.update(Strasse=None, PLZ=None, Stadt=None, Telefon=None, Email=None)
    data = workbook_from_grids(grids(rows, [], kunden_header=KUNDEN_HEADER + ["Ergebnis", "Abschluss am"]),
                               source="t.xlsx")
    found = {(f.row, f.field, f.code, f.severity): f for f in validate(data, today=dt.date(2026, 6, 1))
             if f.field in ("Ergebnis", "Abschluss am")}
    assert set(found) == {
        (3, "Ergebnis", "nicht-in-liste-offen", "warning"),  # the seed's "Erklärung warum" after the entry
        (4, "Ergebnis", "listenwert-schreibweise", "warning"),
        (5, "Ergebnis", "nicht-in-liste-offen", "warning"),
        (5, "Abschluss am", "datum-format", "error"),
    }
    explained = found[(3, "Ergebnis", "nicht-in-liste-offen", "warning")]
    assert explained.suggestion == "Arbeitsstelle nicht angenommen"
    assert "ein neues Ergebnis" in explained.message and "Quelle" not in explained.message
    assert found[(5, "Abschluss am", "datum-format", "error")].suggestion == "2026-03-01"


def test_the_trimmed_earlier_views_judge_every_open_customer_as_the_full_view_does():
    """`earlier_views` leaves closed customers and their entries out before the engine runs;
    every customer still open at a quarter's end gets the same verdict as in `view_at`."""
    import datetime as dt

    from kundenliste_tools.core.book import workbook_from_grids
    from kundenliste_tools.core.demo_data import generate
    from kundenliste_tools.core.outcomes import earlier_views, overdue_share, view_at
    from kundenliste_tools.core.overdue import assess
    from kundenliste_tools.core.periods import parse_quarter
    from kundenliste_tools.core.quarterly import prepare
    from kundenliste_tools.files.rulefiles import load_builtin

    demo = generate(n_customers=160, today=dt.date(2026, 11, 20), mistakes=False)
    kunden = [dict(k) for k in demo.kunden]
    for i, k in enumerate(kunden):  # every other closed case with an Abschluss am 200 days in
        if k["Status"] == "abgeschlossen" and i % 2:
            k["Abschluss am"] = k["Erstkontakt"] + dt.timedelta(days=200)
    data = workbook_from_grids(grids(kunden, demo.doku, kunden_header=KUNDEN_HEADER + ["Ergebnis", "Abschluss am"]),
                               source="demo.xlsx")
    period = parse_quarter("2026-Q3")
    p = prepare(data)
    rules = load_builtin("vamv", data.lists)
    seen = 0
    for day, view in earlier_views(data, period, p):
        trimmed = assess(view, rules, day)
        full = assess(view_at(data, day, p), rules, day)
        full = full[full["status"] != "abgeschlossen"]
        assert len(trimmed) < len(view_at(data, day, p).kunden) or day < dt.date(2025, 3, 1)
        columns = ["_row", "overdue", "due", "assessable", "code"]  # the view numbers its customers
        assert trimmed[columns].reset_index(drop=True).equals(full[columns].reset_index(drop=True)), day
        assert overdue_share(trimmed) == overdue_share(full)
        seen += 1
    assert seen == 7


@pytest.mark.parametrize("customers, entries", [
    ([], []),  # a fresh template
    (CUSTOMERS, []),  # no KundenDoku entry yet
    ([], ENTRIES),  # entries of customers the Kundenliste does not know
], ids=["leer", "ohne-eintraege", "ohne-kunden"])
@pytest.mark.filterwarnings("error::pandas.errors.Pandas4Warning")  # what pandas 4 will refuse
def test_the_tables_of_a_sparse_workbook(customers, entries):
    """Empty sheets give empty figures, not an error (pandas cannot map through empty dates)."""
    from kundenliste_tools.core.book import workbook_from_grids
    from kundenliste_tools.core.outcomes import earlier_views
    from kundenliste_tools.core.overdue import assess
    from kundenliste_tools.core.periods import parse_quarter
    from kundenliste_tools.core.quarterly import build_export, prepare
    from kundenliste_tools.files.rulefiles import load_builtin

    data = workbook_from_grids(grids(customers, entries, kunden_header=KUNDEN_HEADER + ["Ergebnis", "Abschluss am"]),
                               source="t.xlsx")
    period = parse_quarter("2026-Q2")
    p = prepare(data)
    rules = load_builtin("vamv", data.lists)
    trend = {day: assess(view, rules, day) for day, view in earlier_views(data, period, p)}
    tables = {t.title: t.frame for t in build_export(data, period, trend=trend).tables}
    assert set(EXPECTED) <= set(tables)
    folge = dict(zip(tables["Folgetermine"]["Kennzahl"], tables["Folgetermine"]["Anzahl"]))
    if not entries:
        assert folge["Einträge im Zeitraum"] == folge["Folgetermine im Zeitraum"] == 0
        # no first conversation; closed without entries: A B C E F I (on Abschluss am or Erstkontakt),
        # 4 of them angenommen (A C E I)
        assert tables["Aufwand bis zum Abschluss"]["Kunden"].tolist() == ([0, 6, 6, 4] if customers else [0, 0, 0, 0])
    else:  # 9 entries in Q2 whatever the Kundenliste says; the same 10 appointments, kept alike
        assert (folge["Einträge im Zeitraum"], folge["Folgetermine im Zeitraum"], folge["eingehalten"]) == (9, 10, 5)
    if customers and not entries:
        assert tables["Erfolg je Akquise-Quelle"]["Abgeschlossen"].sum() == 6
