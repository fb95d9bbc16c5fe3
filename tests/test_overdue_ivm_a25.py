"""Rule set `ivm-a25` (seed 002, Kundenkontaktdichteempfehlung IVM-Teams A25).

Seed 002: Profillage Z in Elternzeit — at least one contact within the 6 months before its end,
"spätestens 2 Monate vor Ablauf der Elternzeit"; Profillage I — at least yearly; arbeitslos:
marktnah monthly, Langzeitbezug every 2 months, otherwise once per half-year; arbeitsuchend:
marktnah every 3 months, otherwise once per half-year.  Contacts: Vorsprache, telefonisch, via
E-Mail as Beratungsgespräch (Beratungsvermerk).  Stichtag 2026-05-15.
"""

from __future__ import annotations

from .duebook import assess_with, customer, entry, reasons

R = "ivm-a25"


def c(id: str, status: str | None = "arbeitslos", profil: str | None = "Entwicklungsprofil", lzb=None, **kw):
    return customer(id, Kundenstatus=status, Profillage=profil, Langzeitbezug=lzb, **kw)


def test_elternzeit_deadline_two_months_before_its_end():
    # Ends 2026-09-30: contact window from 2026-03-30, deadline 2026-07-30 — not yet overdue.
    # Ends 2026-07-10: deadline 2026-05-10 passed without a contact since 2026-01-10 → 5 days.
    # Ends 2026-07-10 with an e-mail on 2026-01-10 (first day of the window): fulfilled, no date.
    cs = [
        c("E1", profil="Z", Elternzeit_bis="2026-09-30"),
        c("E2", profil="Z", Elternzeit_bis="2026-07-10"),
        c("E3", profil="Z", Elternzeit_bis="2026-07-10"),
    ]
    es = [entry("E2", "2026-01-09"), entry("E3", "2026-01-10", kontaktart="E-Mail")]
    got, res = assess_with(R, cs, es)
    rule = "1. Profillage Z in Elternzeit"
    assert got == [
        ("E1", False, "2026-07-30", 0, rule, True),
        ("E2", True, "2026-05-10", 5, rule, True),
        ("E3", False, None, 0, rule, True),
    ]
    why = reasons(res)
    assert why["E2"].endswith("(Elternzeit bis 2026-07-10); noch kein Kontakt seit 2026-01-10")
    assert why["E3"].endswith("Kontakt am 2026-01-10 erfolgt")


def test_elternzeit_month_end():
    # Ends 2026-08-31: deadline 2026-06-30, window from 2026-02-28.
    cs = [c("M1", profil="Z", Elternzeit_bis="2026-08-31"), c("M2", profil="Z", Elternzeit_bis="2026-08-31")]
    got, _ = assess_with(R, cs, [entry("M1", "2026-02-28"), entry("M2", "2026-02-27")], stichtag="2026-07-01")
    assert got == [
        ("M1", False, None, 0, "1. Profillage Z in Elternzeit", True),
        ("M2", True, "2026-06-30", 1, "1. Profillage Z in Elternzeit", True),
    ]


def test_z_without_elternzeit_falls_through_to_the_status_rules():
    got, _ = assess_with(R, [c("ZN", profil="Z", lzb="nein")], [entry("ZN", "2025-11-15")])
    assert got == [("ZN", False, "2026-05-15", 0, "5. arbeitslos", True)]


def test_profillage_i_yearly():
    got, _ = assess_with(R, [c("I", "arbeitsuchend", "I")], [entry("I", "2025-05-14")])
    assert got == [("I", True, "2026-05-14", 1, "2. Profillage I", True)]


def test_arbeitslos_marktnah_monthly_even_in_langzeitbezug():
    # 2026-04-15 + 1 month = 2026-05-15; month end: 2026-01-31 + 1 month = 2026-02-28.
    cs = [c("MA", profil="Aktivierungsprofil", lzb="ja"), c("MM", profil="Marktprofil")]
    got, _ = assess_with(R, cs, [entry("MA", "2026-04-15"), entry("MM", "2026-01-31")])
    assert got == [
        ("MA", False, "2026-05-15", 0, "3. arbeitslos marktnah", True),
        ("MM", True, "2026-02-28", 76, "3. arbeitslos marktnah", True),
    ]


def test_arbeitslos_langzeitbezug_two_months_otherwise_six():
    cs = [c("L", lzb="ja"), c("LX", lzb="x"), c("N", lzb="nein")]
    es = [entry("L", "2026-03-15"), entry("LX", "2026-03-14"), entry("N", "2025-11-15")]
    got, _ = assess_with(R, cs, es)
    assert got == [
        ("L", False, "2026-05-15", 0, "4. arbeitslos im Langzeitbezug", True),
        ("LX", True, "2026-05-14", 1, "4. arbeitslos im Langzeitbezug", True),
        ("N", False, "2026-05-15", 0, "5. arbeitslos", True),
    ]


def test_arbeitsuchend_marktnah_three_months_otherwise_six_and_nicht_gesetzt():
    cs = [c("AM", "asu", "Förderprofil"), c("AO", "asu", "Stabilisierungsprofil"), c("NG", "nicht gesetzt")]
    got, _ = assess_with(R, cs, [entry("AM", "2026-02-14"), entry("AO", "2026-02-14")])
    assert got == [
        ("AM", True, "2026-05-14", 1, "6. arbeitsuchend marktnah", True),
        ("AO", False, "2026-08-14", 0, "7. arbeitsuchend", True),
        ("NG", False, None, 0, "8. nicht gesetzt", True),
    ]


def test_what_counts_email_yes_schriftlich_and_allgemeiner_vermerk_no():
    es = [
        entry("W", "2026-01-10", kontaktart="E-Mail"),
        entry("W", "2026-03-01", kontaktart="schriftlich"),
        entry("W", "2026-04-01", vermerkart="Allgemeiner Vermerk"),
    ]
    got, res = assess_with(R, [c("W", lzb="ja")], es)
    assert got == [("W", True, "2026-03-10", 66, "4. arbeitslos im Langzeitbezug", True)]
    assert reasons(res)["W"].endswith("letzter Kundenkontakt 2026-01-10")


def test_missed_folgetermin_closed_and_not_assessable():
    cs = [
        c("MF", lzb="nein"),
        c("C", status="arbeitslos", lzb="nein"),
        c("NL"),
        c("NS", None),
        c("RS", "ratsuchend"),
        c("EZ", profil="Z", Elternzeit_bis="31.12.2026"),
    ]
    cs[1]["Status"] = "abgeschlossen"
    es = [entry("MF", "2026-05-01", folgetermin="2026-05-08"), entry("C", "2020-01-01")]
    got, res = assess_with(R, cs, es)
    assert got == [
        ("MF", True, "2026-05-08", 7, "5. arbeitslos", True),
        ("C", False, None, 0, "abgeschlossen", True),
        ("NL", False, None, 0, "4. arbeitslos im Langzeitbezug", False),
        ("NS", False, None, 0, "4. arbeitslos im Langzeitbezug", False),
        ("RS", False, None, 0, "", False),
        ("EZ", False, None, 0, "1. Profillage Z in Elternzeit", False),  # German date: not valid
    ]
    why = reasons(res)
    assert why["NL"] == "nicht bewertbar: Langzeitbezug fehlt (für Regel „4. arbeitslos im Langzeitbezug“)"
    assert (
        why["NS"] == "nicht bewertbar: Kundenstatus, Langzeitbezug fehlen (für Regel „4. arbeitslos im Langzeitbezug“)"
    )
    assert why["RS"].startswith("nicht bewertbar: keine Regel passt (")
    assert "Kundenstatus ratsuchend" in why["RS"]
    assert why["EZ"].startswith("nicht bewertbar: Elternzeit bis (kein gültiges Datum) fehlt")
