"""Rule set `vamv` (seed 000 and SPEC §5): every KundenDoku entry counts; agreed Folgetermine;
`neu` without any entry 14 days after Erstkontakt; `in Beratung` at most 3 months without an
entry unless a Folgetermin is still open.

Each expected row is computed by hand from those sentences: due = base + period, overdue when
the due date lies before the Stichtag, days = Stichtag − due.
"""

from __future__ import annotations

from .duebook import assess_with, customer, entry, reasons

S = "2026-05-15"


def test_neu_without_entry_is_due_14_days_after_erstkontakt():
    # 2026-05-01 + 14 days = 2026-05-15 = Stichtag → not before it, not overdue;
    # 2026-04-30 + 14 days = 2026-05-14 → one day overdue.
    got, res = assess_with("vamv", [customer("N1", "2026-05-01", "neu"), customer("N2", "2026-04-30", "neu")])
    assert got == [
        ("N1", False, "2026-05-15", 0, "1. neu ohne Eintrag", True),
        ("N2", True, "2026-05-14", 1, "1. neu ohne Eintrag", True),
    ]
    assert reasons(res)["N2"] == "neu ohne Eintrag: alle 14 Tage; kein Eintrag seit Erstkontakt 2026-04-30"


def test_in_beratung_three_months_after_the_latest_entry():
    # 2026-02-15 + 3 months = 2026-05-15 (on time); 2026-02-14 + 3 months = 2026-05-14 (1 day late).
    got, res = assess_with("vamv", [customer("B1"), customer("B2")],
                           [entry("B1", "2026-01-02"), entry("B1", "2026-02-15"), entry("B2", "2026-02-14")])
    assert got == [
        ("B1", False, "2026-05-15", 0, "2. in Beratung", True),
        ("B2", True, "2026-05-14", 1, "2. in Beratung", True),
    ]
    assert reasons(res)["B1"] == "in Beratung: alle 3 Monate; letzter Eintrag 2026-02-15"


def test_every_entry_counts_whatever_its_kind():
    # An e-mail noted as Allgemeiner Vermerk is still an entry: 2026-04-01 + 3 months = 2026-07-01.
    got, _ = assess_with("vamv", [customer("E")],
                         [entry("E", "2026-04-01", kontaktart="E-Mail", vermerkart="Allgemeiner Vermerk")])
    assert got == [("E", False, "2026-07-01", 0, "2. in Beratung", True)]


def test_open_folgetermin_suspends_the_three_months():
    # Last entry 2026-01-10 (3 months → 2026-04-10 would be overdue) but it agreed 2026-06-01,
    # which is still ahead: "no entry for 3 months and no open Folgetermin" is not met.
    got, res = assess_with("vamv", [customer("F")], [entry("F", "2026-01-10", folgetermin="2026-06-01")])
    assert got == [("F", False, "2026-06-01", 0, "2. in Beratung", True)]
    assert reasons(res)["F"].endswith("offener Folgetermin 2026-06-01")


def test_missed_folgetermin_makes_the_customer_due_on_it():
    # Entry 2026-04-20 (3 months → 2026-07-20) agreed 2026-05-05, which passed: due = earlier = 05-05.
    got, res = assess_with("vamv", [customer("M")], [entry("M", "2026-04-20", folgetermin="2026-05-05")])
    assert got == [("M", True, "2026-05-05", 10, "2. in Beratung", True)]
    assert reasons(res)["M"].endswith("Folgetermin 2026-05-05 verpasst")


def test_only_the_latest_entry_s_folgetermin_counts():
    # The first entry's Folgetermin (2026-03-01) was followed by another entry: not missed.
    got, _ = assess_with("vamv", [customer("L")],
                         [entry("L", "2026-02-01", folgetermin="2026-03-01"), entry("L", "2026-03-02")])
    assert got == [("L", False, "2026-06-02", 0, "2. in Beratung", True)]


def test_month_end_three_months_after_30_november_is_28_february():
    # Calendar months: 2025-11-30 + 3 months = 2026-02-28; at Stichtag 2026-03-01 one day late.
    got, _ = assess_with("vamv", [customer("ME")], [entry("ME", "2025-11-30")], stichtag="2026-03-01")
    assert got == [("ME", True, "2026-02-28", 1, "2. in Beratung", True)]


def test_neu_with_an_entry_is_treated_like_in_beratung():
    got, _ = assess_with("vamv", [customer("NE", "2026-01-01", "neu")], [entry("NE", "2026-03-01")])
    assert got == [("NE", False, "2026-06-01", 0, "2. in Beratung", True)]


def test_closed_customers_are_never_due_even_with_a_missed_folgetermin():
    got, res = assess_with("vamv", [customer("C", status="abgeschlossen")],
                           [entry("C", "2025-01-01", folgetermin="2025-02-01")])
    assert got == [("C", False, None, 0, "abgeschlossen", True)]
    assert reasons(res)["C"] == "abgeschlossen: keine Fälligkeit"


def test_entries_after_the_stichtag_are_not_seen():
    # Assessing the past: the entry of 2026-05-20 did not exist on 2026-05-15.
    got, _ = assess_with("vamv", [customer("P")], [entry("P", "2026-01-15"), entry("P", "2026-05-20")])
    assert got == [("P", True, "2026-04-15", 30, "2. in Beratung", True)]


def test_ids_compare_as_text():
    # The KundenDoku wrote the legacy ID as a number 101.0, the Kundenliste as text "101".
    got, _ = assess_with("vamv", [customer("101")], [entry(101.0, "2026-04-15")])
    assert got == [("101", False, "2026-07-15", 0, "2. in Beratung", True)]


def test_customers_that_cannot_be_assessed_are_named_and_the_run_goes_on():
    customers = [customer("S", status=None), customer("U", status="pausiert"),
                 customer("X", erst=None), customer("OK")]
    got, res = assess_with("vamv", customers, [entry("OK", "2026-04-15")])
    assert got == [
        ("S", False, None, 0, "1. neu ohne Eintrag", False),
        ("U", False, None, 0, "", False),
        ("X", False, None, 0, "2. in Beratung", False),
        ("OK", False, "2026-07-15", 0, "2. in Beratung", True),
    ]
    why = reasons(res)
    assert why["S"] == "nicht bewertbar: Status fehlt (für Regel „1. neu ohne Eintrag“)"
    assert why["U"].startswith("nicht bewertbar: keine Regel passt (Status pausiert")
    assert why["X"] == "nicht bewertbar: Erstkontakt fehlt (für Regel „2. in Beratung“)"
