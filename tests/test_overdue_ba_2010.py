"""Rule set `ba-2010` (seed 003): U25 every 4 weeks ("Für Jugendliche bleibt es unverändert bei
dem vierwöchigen Kontakt"); otherwise a minimum number of persönliche contacts
(Beratungsvermerk) "im Halbjahreszeitraum" per Profillage: Markt 4, Aktivierung 5, Förder 3,
Entwicklung 4, Stabilisierung 2, Unterstützung 2, I 2, Z 1.

Hand arithmetic used below, Stichtag 2026-05-15: a contact lies in the half-year when contact +
6 months is not before the Stichtag, i.e. from 2025-11-15 on.  due = K-th latest counting
contact + 6 months.  A customer whose Erstkontakt lies inside the half-year needs
ceil(K × days since Erstkontakt / days of its first half-year) contacts.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from kundenliste_tools.core.overdue import window_start
from kundenliste_tools.core.rules import Period

from .duebook import assess_with, customer, entry, reasons

OLD = "2024-01-01"  # Erstkontakt long before the half-year: no pro rata


def ue25(id: str, profil: str, erst: str = OLD, **kw):
    return customer(id, erst, Bereich="Basis", Kundenstatus="arbeitslos", Profillage=profil, **kw)


def test_the_half_year_window_starts_on_15_november():
    assert window_start(pd.Timestamp("2026-05-15"), Period(6, "Monate")) == pd.Timestamp("2025-11-15")
    # month end: 28, 29, 30, 31 Aug + 6 months are all 28 Feb 2026, so all four are "in" on 28 Feb
    assert window_start(pd.Timestamp("2026-02-28"), Period(6, "Monate")) == pd.Timestamp("2025-08-28")


def test_u25_every_four_weeks():
    # 2026-04-17 + 28 days = 2026-05-15 (on time); 2026-04-16 + 28 = 2026-05-14 (1 day late).
    got, _ = assess_with(
        "ba-2010",
        [customer("U1", Bereich="U25"), customer("U2", Bereich="U25")],
        [entry("U1", "2026-04-17"), entry("U2", "2026-04-16")],
    )
    assert got == [("U1", False, "2026-05-15", 0, "1. U25", True), ("U2", True, "2026-05-14", 1, "1. U25", True)]


def test_u25_by_age_when_there_is_no_bereich():
    # Born 2001-05-16: 24 on 2026-05-15 (birthday tomorrow) → U25, 4 weeks.
    # Born 2001-05-15: 25 on the Stichtag → Ü25 → Profillage Z: at least 1 in the half-year.
    cs = [
        customer("A24", Geburtsdatum="2001-05-16", Profillage="Z"),
        customer("A25", Geburtsdatum="2001-05-15", Profillage="Z"),
    ]
    got, _ = assess_with("ba-2010", cs, [entry("A24", "2026-04-01"), entry("A25", "2026-04-01")])
    assert got == [
        ("A24", True, "2026-04-29", 16, "1. U25", True),
        ("A25", False, "2026-10-01", 0, "9. Profillage Z", True),
    ]


def test_a_bereich_decides_over_age():
    # Bereich Basis at 22: Ü25 team, so the Profillage rule applies, not 4 weeks.
    got, _ = assess_with("ba-2010", [ue25("B22", "Z", Geburtsdatum="2004-01-01")], [entry("B22", "2026-04-01")])
    assert got == [("B22", False, "2026-10-01", 0, "9. Profillage Z", True)]


def test_marktprofil_four_in_the_half_year():
    # M4: 4 contacts from 2025-11-15 → 4th latest 2025-11-15 + 6 months = 2026-05-15, on time.
    # M3: the first is 2025-11-14, outside → 3 < 4; due 2025-11-14 + 6 months = 2026-05-14.
    four = ["2025-11-15", "2026-01-10", "2026-03-01", "2026-05-01"]
    entries = [entry("M4", x) for x in four] + [entry("M3", x) for x in ["2025-11-14", *four[1:]]]
    got, res = assess_with("ba-2010", [ue25("M4", "Marktprofil"), ue25("M3", "Marktprofil")], entries)
    assert got == [
        ("M4", False, "2026-05-15", 0, "2. Marktprofil", True),
        ("M3", True, "2026-05-14", 1, "2. Marktprofil", True),
    ]
    assert reasons(res)["M3"] == (
        "Marktprofil: mindestens 4 in 6 Monaten; 3 in 6 Monaten (nötig: 4); letzter persönlicher Kontakt 2026-05-01"
    )


def test_aktivierungsprofil_counts_only_persoenlich_and_video_beratungsvermerke():
    # Five entries in the half-year, but the phone call and the Allgemeiner Vermerk do not count
    # (seed 003, 2.2 and 3.1): 3 < 5.  The customer never had 5 counting contacts, so the
    # shortfall dates from the end of the first half-year: 2024-01-01 + 6 months = 2024-07-01.
    es = [
        entry("AK", "2026-01-05"),
        entry("AK", "2026-02-05"),
        entry("AK", "2026-03-05", kontaktart="telefonisch"),
        entry("AK", "2026-04-05", vermerkart="Allgemeiner Vermerk"),
        entry("AK", "2026-05-05", kontaktart="Video"),
    ]
    got, res = assess_with("ba-2010", [ue25("AK", "Aktivierungsprofil")], es)
    days = (dt.date(2026, 5, 15) - dt.date(2024, 7, 1)).days
    assert got == [("AK", True, "2024-07-01", days, "3. Aktivierungsprofil", True)]
    assert "3 in 6 Monaten (nötig: 5)" in reasons(res)["AK"]


def test_blank_kontaktart_and_vermerkart_count():
    es = [
        entry("AB", x, kontaktart=None, vermerkart=None)
        for x in ["2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01", "2026-05-01"]
    ]
    got, _ = assess_with("ba-2010", [ue25("AB", "Aktivierungsprofil")], es)
    # 5th latest = 2026-01-01 → + 6 months = 2026-07-01
    assert got == [("AB", False, "2026-07-01", 0, "3. Aktivierungsprofil", True)]


def test_foerderprofil_pro_rata_for_a_new_customer():
    # Erstkontakt 2026-03-15 lies inside the half-year; its first half-year has
    # 2026-03-15 … 2026-09-15 = 184 days, 61 of them passed: ceil(3 × 61 / 184) = ceil(0.99) = 1.
    # One contact is enough today: due = 2026-03-15 + floor(1 × 184 / 3) = + 61 days = 2026-05-15.
    # Without any contact: due = Erstkontakt itself, 61 days overdue.
    cs = [
        ue25("F1", "Förderprofil", "2026-03-15"),
        ue25("F0", "Förderprofil", "2026-03-15"),
        ue25("FT", "Förderprofil", "2026-05-15"),
    ]
    got, res = assess_with("ba-2010", cs, [entry("F1", "2026-03-20")])
    assert got == [
        ("F1", False, "2026-05-15", 0, "4. Förderprofil", True),
        ("F0", True, "2026-03-15", 61, "4. Förderprofil", True),
        ("FT", False, "2026-05-15", 0, "4. Förderprofil", True),
    ]
    assert "1 in 6 Monaten (nötig anteilig: 1)" in reasons(res)["F1"]
    # The day after, ceil(3 × 62 / 184) = 2 > 1: overdue by one day.
    got, _ = assess_with("ba-2010", cs[:1], [entry("F1", "2026-03-20")], stichtag="2026-05-16")
    assert got == [("F1", True, "2026-05-15", 1, "4. Förderprofil", True)]


def test_entwicklung_stabilisierung_unterstuetzung_and_i():
    # K-th latest + 6 months: Entwicklung 4, Stabilisierung 2, Unterstützung 2, I 2.
    cs = [
        ue25("EN", "Entwicklungsprofil"),
        ue25("ST", "Stabilisierungsprofil"),
        ue25("UN", "Unterstützungsprofil"),
        ue25("I", "I"),
    ]
    es = (
        [entry("EN", x) for x in ["2025-12-01", "2026-01-01", "2026-02-01", "2026-03-01"]]
        + [entry("ST", "2025-11-01"), entry("ST", "2026-04-01")]
        + [entry("UN", "2025-12-20"), entry("UN", "2026-01-20")]
        + [entry("I", "2026-02-10")]
    )
    got, _ = assess_with("ba-2010", cs, es)
    assert got == [
        ("EN", False, "2026-06-01", 0, "5. Entwicklungsprofil", True),  # 4th latest 2025-12-01
        ("ST", True, "2026-05-01", 14, "6. Stabilisierungsprofil", True),  # 2nd latest 2025-11-01
        ("UN", False, "2026-06-20", 0, "7. Unterstützungsprofil", True),  # 2nd latest 2025-12-20
        ("I", True, "2024-07-01", (dt.date(2026, 5, 15) - dt.date(2024, 7, 1)).days, "8. Profillage I", True),
    ]


def test_profillage_z_one_contact_month_end():
    # 2025-08-31 + 6 months = 2026-02-28: on time on 28 Feb, one day late on 1 Mar.
    cs = [ue25("Z", "Z")]
    es = [entry("Z", "2025-08-31")]
    assert assess_with("ba-2010", cs, es, stichtag="2026-02-28")[0] == [
        ("Z", False, "2026-02-28", 0, "9. Profillage Z", True)
    ]
    assert assess_with("ba-2010", cs, es, stichtag="2026-03-01")[0] == [
        ("Z", True, "2026-02-28", 1, "9. Profillage Z", True)
    ]


def test_missed_folgetermin_closed_and_not_assessable():
    cs = [ue25("MF", "Z"), ue25("C", "Z", status="abgeschlossen"), customer("NP", Bereich="Basis"), customer("NA")]
    es = [entry("MF", "2026-04-01", folgetermin="2026-05-01"), entry("C", "2020-01-01")]
    got, res = assess_with("ba-2010", cs, es)
    assert got == [
        ("MF", True, "2026-05-01", 14, "9. Profillage Z", True),  # Z would be due 2026-10-01
        ("C", False, None, 0, "abgeschlossen", True),
        ("NP", False, None, 0, "2. Marktprofil", False),  # Ü25 (Basis), no Profillage
        ("NA", False, None, 0, "1. U25", False),  # no Bereich, no Geburtsdatum
    ]
    assert reasons(res)["NP"] == "nicht bewertbar: Profillage fehlt (für Regel „2. Marktprofil“)"
    assert reasons(res)["NA"] == "nicht bewertbar: Bereich oder Geburtsdatum fehlt (für Regel „1. U25“)"


# ----------------------------------------------------------------------------- property

K_OF = {"Marktprofil": 4, "Aktivierungsprofil": 5, "Förderprofil": 3, "Stabilisierungsprofil": 2, "Z": 1}
day = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2026, 12, 31))


def _plus_6_months(x: dt.date) -> dt.date:
    return (pd.Timestamp(x) + pd.DateOffset(months=6)).date()


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(K_OF)), day, st.lists(day, max_size=8), day)
def test_count_rule_matches_its_definition(profil, erst, contacts, stichtag):
    """overdue ⇔ fewer counting contacts in the half-year than required, computed per the
    definition in the module docstring, one customer at a time (no engine code involved)."""
    K = K_OF[profil]
    seen = [c for c in contacts if c <= stichtag]
    in_window = sum(1 for c in seen if _plus_6_months(c) >= stichtag)
    if _plus_6_months(erst) >= stichtag:  # Erstkontakt inside the half-year: pro rata
        elapsed = max((stichtag - erst).days, 0)
        required = math.ceil(K * elapsed / (_plus_6_months(erst) - erst).days - 1e-9)
    else:
        required = K
    got, _ = assess_with(
        "ba-2010",
        [ue25("P", profil, erst.isoformat())],
        [entry("P", c.isoformat()) for c in contacts],
        stichtag=stichtag.isoformat(),
    )
    ((_, overdue, due, days, rule, ok),) = got
    assert ok and rule.endswith(profil.replace("Z", "Profillage Z"))
    assert overdue == (in_window < required), (in_window, required, due)
    if overdue:
        assert days == (stichtag - dt.date.fromisoformat(due)).days > 0
