"""The content of the anonymised quarterly export (SPEC §6, seed 000 Analyse): who and which
entries fall into a period, the exact columns, and the Auswertung figures, derived by hand."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from kundenliste_tools.core.overdue import assess
from kundenliste_tools.core.periods import parse_bis, parse_quarter
from kundenliste_tools.core.pseudonym import pseudonym
from kundenliste_tools.core.quarterly import DOKU_COLUMNS, KUNDEN_COLUMNS, build_export, data_at_period_end
from kundenliste_tools.files.rulefiles import load_builtin

from .duebook import KUNDEN_HEADER, customer, entry, workbook

D = dt.date
Q3 = parse_quarter("2026-Q3")  # 2026-07-01 .. 2026-09-30


def book():
    """Customers around the edges of 2026-Q3; see each comment."""
    kunden = [
        customer("A", "2026-07-05", "neu", Akquise="VAMV"),  # new in Q3, no entry
        customer("B", "2026-03-01", "in Beratung"),  # old, entries in Q3
        customer("C", "2026-03-01", "in Beratung"),  # old, last entry the day before Q3
        customer("D", "2026-10-01", "in Beratung"),  # after Q3
        customer("E", "2026-09-30", "neu", Akquise="Beratungstag"),  # last day of Q3
        customer(
            "F", "2026-06-30", "in Beratung", Akquise="Runder Tisch Kinderarmut"
        ),  # day before Q3, entry on its first day
        customer("G", "2026-01-10", "abgeschlossen"),  # closed later: entry after Q3
        customer("H", "2026-02-01", "abgeschlossen", Ergebnis="Arbeitsstelle angenommen"),  # closed in Q3
        customer("I", "2026-09-30", "neu", Akquise="Beratungstag"),  # same Beratungstag as E
        customer("J", "2026-08-03", "neu", Akquise="Kontaktstelle Familie & Beruf"),
        customer("K", "2026-08-20", "neu", Akquise="vamv "),  # list value in another spelling
        customer("L", "2026-07-07", "neu", Akquise="Zeitungsanzeige"),  # not in the list
        customer("M", "2026-09-01", "neu", Akquise=None),
    ]
    doku = [
        entry("C", "2026-06-30"),
        entry("F", "2026-07-01", berater="Birgit"),
        entry("G", "2026-08-01"),
        entry("B", "2026-08-10", kontaktart="Persönlich"),
        entry("B", "15.08.2026", kontaktart="telefonisch"),  # German date: read, counted
        entry("H", "2026-05-01"),
        entry("H", "2026-09-15", berater=""),  # no Berater on the entry: the customer's
        entry("B", "2026-09-30"),
        entry("D", "2026-10-02"),
        entry("G", "2026-10-05"),
        entry("B", "irgendwann"),  # unreadable date: cannot be placed, not exported
    ]
    return workbook(
        kunden, doku, kunden_header=KUNDEN_HEADER + ["Ergebnis"], Listen=[["Berater"], ["Karin"], ["Birgit"]]
    )


KEY = "schluessel-der-testmappe"
#: The letters of `book()` are no IDs: they leave as pseudonyms; the tests read them back.
PLAIN = {pseudonym(x, KEY): x for x in "ABCDEFGHIJKLM"}


def export(*args, **kw):
    """`build_export` with a known key, IDs turned back into the book's letters."""
    ex = build_export(*args, key=KEY, **kw)
    for frame in (ex.kunden, ex.doku):
        frame["ID"] = frame["ID"].map(lambda v: PLAIN.get(v, v))
    return ex


def test_ids_that_are_no_ids_leave_as_stable_pseudonyms():
    ex = build_export(book(), Q3, key=KEY)
    assert set(ex.kunden["ID"]) <= set(PLAIN) and set(ex.doku["ID"]) <= set(PLAIN)
    assert ex.ids_replaced == len(set(ex.kunden["ID"]) | set(ex.doku["ID"])) == 11  # A–M but D
    assert dict(ex.info)["IDs durch Export-Pseudonym ersetzt"] == 11
    again = build_export(book(), parse_bis("2026-09-28"), key=KEY)  # another period, same key
    assert set(again.kunden["ID"]) & set(ex.kunden["ID"])
    other = build_export(book(), Q3, key="ein anderer Schlüssel")
    assert not set(other.kunden["ID"]) & set(ex.kunden["ID"])


def ids(frame):
    return frame["ID"].tolist()


def test_customers_and_entries_of_a_calendar_quarter():
    ex = export(book(), Q3)
    assert ids(ex.kunden) == ["A", "B", "E", "F", "G", "H", "I", "J", "K", "L", "M"]
    assert [(r.Datum.date(), r.ID) for r in ex.doku.itertuples()] == [
        (D(2026, 7, 1), "F"),
        (D(2026, 8, 1), "G"),
        (D(2026, 8, 10), "B"),
        (D(2026, 8, 15), "B"),
        (D(2026, 9, 15), "H"),
        (D(2026, 9, 30), "B"),
    ]


def test_customers_and_entries_of_a_stichtag_window():
    ex = export(book(), parse_bis("2026-09-28"))  # 2026-06-29 .. 2026-09-28
    assert ids(ex.kunden) == ["A", "B", "C", "F", "G", "H", "J", "K", "L", "M"]
    assert [(r.Datum.date(), r.ID) for r in ex.doku.itertuples()] == [
        (D(2026, 6, 30), "C"),
        (D(2026, 7, 1), "F"),
        (D(2026, 8, 1), "G"),
        (D(2026, 8, 10), "B"),
        (D(2026, 8, 15), "B"),
        (D(2026, 9, 15), "H"),
    ]


def test_exact_columns_and_no_personal_column():
    ex = export(book(), Q3)
    assert tuple(ex.kunden.columns) == KUNDEN_COLUMNS
    assert tuple(ex.doku.columns) == DOKU_COLUMNS
    row = ex.kunden.set_index("ID").loc["K"]
    assert (row.Erstkontakt, row.Akquise, row.Status, row.Berater) == (D(2026, 8, 20), "VAMV", "neu", "Karin")


def test_list_values_are_canonical_and_status_is_the_one_at_period_end():
    ex = export(book(), Q3)
    status = dict(zip(ex.kunden["ID"], ex.kunden["Status"]))
    assert status["G"] == "in Beratung"  # abgeschlossen now, but an entry after Q3
    assert status["H"] == "abgeschlossen"
    assert ex.doku.loc[ex.doku["Datum"] == pd.Timestamp("2026-08-10"), "Kontaktart"].item() == "persönlich"


def test_info_counts():
    ex = export(book(), Q3, regelwerk="vamv")
    info = dict(ex.info)
    assert info["Zeitraum"] == "Kalenderquartal 2026-07-01 bis 2026-09-30"
    assert (info["von"], info["bis"]) == (D(2026, 7, 1), D(2026, 9, 30))
    assert info["Kunden im Export"] == 11
    assert info["davon Erstkontakt im Zeitraum"] == 7  # A E I J K L M
    assert info["Einträge im Export (KundenDoku)"] == 6
    assert info["Einträge ohne lesbares Datum (nicht exportiert)"] == 1
    assert info["Datumsangaben nicht im ISO-Format (übernommen)"] == 1


def table(ex, key):
    return next(t for t in ex.tables if t.key == key).frame


def test_new_customers_per_source_and_month():
    f = table(export(book(), Q3), "akquise_monat")
    rows = {r[0]: list(r[1:]) for r in f.itertuples(index=False)}
    # columns 2026-07, 2026-08, 2026-09, Summe; sources in list order, then others, then blank
    assert list(f.columns) == ["Akquise", "2026-07", "2026-08", "2026-09", "Summe"]
    assert rows == {
        "Runder Tisch Kinderarmut": [0, 0, 0, 0],  # F's Erstkontakt lies before Q3
        "VAMV": [1, 1, 0, 2],
        "Beratungstag": [0, 0, 2, 2],
        "Kontaktstelle Familie & Beruf": [0, 1, 0, 1],
        "Wer hilft weiter": [0, 0, 0, 0],
        "Zeitungsanzeige": [1, 0, 0, 1],
        "(ohne Angabe)": [0, 0, 1, 1],
    }


def test_new_customers_against_seed_expectations():
    f = table(export(book(), Q3), "akquise_erwartung").set_index("Akquise")
    # VAMV 1/month × 3; Kontaktstelle 2–3/month × 3; Beratungstag 4–5 × 1 event (E and I share a day)
    assert f.loc["VAMV", ["Neue Kunden", "Erwartung von", "Erwartung bis", "Bewertung"]].tolist() == [
        2,
        3,
        3,
        "unter Erwartung",
    ]
    assert f.loc["Kontaktstelle Familie & Beruf", ["Erwartung von", "Erwartung bis"]].tolist() == [6, 9]
    assert f.loc["Beratungstag", ["Neue Kunden", "Erwartung von", "Erwartung bis"]].tolist() == [2, 4, 5]
    assert "1 Tage" in f.loc["Beratungstag", "Grundlage"]
    assert f.loc["Zeitungsanzeige", "Bewertung"] == "–"


def test_status_at_period_end_over_all_customers_up_to_then():
    f = table(export(book(), Q3), "status")
    # Erstkontakt ≤ 2026-09-30: all but D. neu: A E I J K L M = 7; in Beratung: B C F G(reopened) = 4;
    # abgeschlossen: H = 1
    assert dict(zip(f["Status"], f["Kunden"])) == {"neu": 7, "in Beratung": 4, "abgeschlossen": 1}


def test_conversations_per_counsellor_and_per_customer():
    ex = export(book(), Q3)
    f = table(ex, "berater").set_index("Berater")
    # Karin: G, B×3, H (customer's Berater, the entry has none) = 5 entries, 3 customers; Birgit: F
    assert f.loc["Karin", ["Gespräche", "Kunden"]].tolist() == [5, 3]
    assert f.loc["Birgit", ["Gespräche", "Kunden"]].tolist() == [1, 1]
    assert f.loc["Karin", "davon persönlich"] == 4  # all but B 08-15 (telefonisch)
    g = table(ex, "gespraeche_kunde")
    # of the 11 customers: 0 talks: A E I J K L M; 1: F G H; 3: B
    assert dict(zip(g["Gespräche"], g["Kunden"])) == {"0": 7, "1": 3, "2": 0, "3": 1, "4": 0, "5 und mehr": 0}


def test_no_shows_and_contact_attempts_are_exported_but_are_no_conversations():
    """Issue 16: B did not come on 2026-09-01 and F was called in vain on 2026-09-02.  Both
    entries leave in the export's KundenDoku (8 of Q3 instead of 6); the Auswertung counts the
    same Gespräche as without them (Karin 5, Birgit 1) and names the two apart."""
    data = book()
    extra = workbook([], [entry("B", "2026-09-01", kontaktart="nicht erschienen"),
                          entry("F", "2026-09-02", kontaktart="telefonisch", vermerkart="Kontaktversuch",
                                berater="Birgit")])
    data.doku = pd.concat([data.doku, extra.doku.assign(_row=[20, 21])], ignore_index=True)
    ex = export(data, Q3)
    assert len(ex.doku) == len(export(book(), Q3).doku) + 2
    assert sorted(ex.doku["Kontaktart"].fillna("").tolist()).count("nicht erschienen") == 1
    f = table(ex, "berater").set_index("Berater")
    assert (f.loc["Karin", "Gespräche"], f.loc["Birgit", "Gespräche"]) == (5, 1)
    key = dict(zip(*table(ex, "kennzahlen").T.values))
    assert key["Nicht erschienen oder Kontaktversuch (kein Gespräch)"] == 2
    assert key["Gespräche (KundenDoku-Einträge ohne Nichterscheinen und Kontaktversuche)"] == 6


def test_closed_cases_and_outcome():
    f = table(export(book(), Q3), "abschluesse")
    # H: abgeschlossen, last entry 2026-09-15 in Q3, 2 entries in all; G is open at the end
    assert f.values.tolist() == [["Arbeitsstelle angenommen", 1, 2.0]]


def test_overdue_share_from_an_assessment():
    a = pd.DataFrame(
        {
            "id": ["1", "2", "3", "4", "5"],
            "berater": ["Karin", "Karin", "Birgit", "Birgit", "Birgit"],
            "status": ["in Beratung", "neu", "in Beratung", "in Beratung", "abgeschlossen"],
            "overdue": [True, False, True, False, False],
            "assessable": [True, True, True, False, True],
        }
    )
    ex = export(book(), Q3, a, "vamv")
    f = table(ex, "ueberfaellig").set_index("Berater")
    assert f.loc["Karin"].tolist() == [2, 2, 1, 0.5]
    assert f.loc["Birgit"].tolist() == [2, 1, 1, 1.0]
    assert f.loc["Gesamt"].tolist() == [4, 3, 2, pytest.approx(2 / 3)]
    key = dict(table(ex, "kennzahlen").values.tolist())
    assert key["Anteil überfällig"] == "66,7 %"


def test_overdue_not_computed_without_assessment():
    ex = export(book(), Q3)
    t = next(t for t in ex.tables if t.key == "ueberfaellig")
    assert t.frame.empty and "nicht berechnet" in t.note


def test_view_at_period_end_for_the_engine():
    data = book()
    view = data_at_period_end(data, Q3)
    assert "D" not in view.kunden["ID"].tolist()  # Erstkontakt after Q3
    dates = view.doku["Datum"].tolist()
    assert "15.08.2026" in dates and "2026-09-30" in dates  # read leniently, up to the last day
    assert "2026-10-02" not in dates and "2026-10-05" not in dates and "irgendwann" not in dates
    status = dict(zip(view.kunden["ID"], view.kunden["Status"]))
    assert status["G"] == "in Beratung" and status["H"] == "abgeschlossen"
    a = assess(view, load_builtin("vamv"), Q3.end)
    overdue = dict(zip(a["id"], a["overdue"]))
    # vamv: in Beratung without an entry for 3 months → C (last entry 2026-06-30) is not yet;
    # neu without any entry 14 days after Erstkontakt → A (2026-07-05), J, K, L are; E, I (09-30) not
    assert [i for i in ("A", "C", "E", "I", "J", "K", "L") if overdue[i]] == ["A", "J", "K", "L"]


def test_free_text_is_scrubbed_with_every_customers_data():
    data = workbook(
        [
            customer("1", "2026-07-01", VName="Jolanthe", NName="Quastenberg", Telefon="0341 5558123"),
            customer("2", "2026-07-02", VName="Bartholomäus", NName="Knöpfle"),
        ],
        [
            {
                "Datum": "2026-07-03",
                "ID": "2",
                "Berater": "Karin",
                "Zusammenfassung": "Frau QUASTENBERG (Tel. 0341/5558123) hat Herrn Knoepfle empfohlen",
                "Vereinbarungen": '=HYPERLINK("http://x")',
                "Folgetermin": "nach Rücksprache mit Jolanthe",
            }
        ],
        Listen=[["Berater"], ["Karin"]],
    )
    ex = export(data, Q3)
    row = ex.doku.iloc[0]
    assert row.Zusammenfassung == "Frau [Name] (Tel. [Telefon]) hat Herrn [Name] empfohlen"
    assert row.Vereinbarungen == '=HYPERLINK("http://x")'  # text; the writer keeps it text
    assert row.Folgetermin == "nach Rücksprache mit [Name]"
    assert ex.scrubbed["[Name]"] == 3 and ex.scrubbed["[Telefon]"] == 1


def test_an_own_format_id_typed_lower_case_in_the_kundendoku_is_linked():
    # Customer K7M4Q3 (own format, new in Q3) has one entry in Q3, typed `k7m4q3`: the export
    # links it (one ID key everywhere, core/idkey.py), so the customer counts as active and
    # both rows carry the same ID (own-format IDs are pseudonyms already and leave as they are);
    # before, the entry was an orphan `k7m4q3` and the customer was left out of the export.
    kunden = [customer("K7M4Q3", "2026-02-01", "in Beratung")]
    doku = [entry("k7m4q3", "2026-08-10")]
    ex = build_export(workbook(kunden, doku), Q3, key=KEY)
    assert len(ex.kunden) == 1 and len(ex.doku) == 1  # old customer, chosen by the entry
    assert ex.doku["ID"].iloc[0] == ex.kunden["ID"].iloc[0] == "K7M4Q3"


def test_a_no_show_is_no_gespraech_and_keeps_no_folgetermin_in_the_outcome_tables():
    # Customer N (Erstkontakt 2026-07-01): a Gespräch on 2026-08-03 agrees 2026-08-17; on that day
    # the entry says "nicht erschienen" (issue 16: never a contact). So 2026-Q3 has 1 Gespräch, not
    # 2, and the Folgetermin 08-17 was missed: no Gespräch within 7 days of it (its window ends
    # 08-24, before the period's end 09-30, so it is not "noch offen" either).
    kunden = [customer("N", "2026-07-01", "in Beratung")]
    doku = [entry("N", "2026-08-03", folgetermin="2026-08-17"),
            entry("N", "2026-08-17", kontaktart="nicht erschienen")]
    ex = build_export(workbook(kunden, doku), Q3, key=KEY)
    tables = {t.key: t.frame for t in ex.tables}
    trend = tables["entwicklung"].set_index("Quartal")
    assert trend.loc[trend.index[-1], "Gespräche"] == 1
    folge = dict(zip(tables["folgetermine"]["Kennzahl"], tables["folgetermine"]["Anzahl"]))
    assert folge["Folgetermine im Zeitraum"] == 1
    assert folge["eingehalten"] == 0 and folge["verpasst"] == 1
