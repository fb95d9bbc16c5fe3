"""Rule set `lichtenberg-2013` (seed 001, Jobcenter Berlin Lichtenberg, 22.08.2013).

Seed 001: FM, Reha and the Selbständigen-Team have their own concepts (no rule here); U25 with
status "lo": every 4 weeks regardless of Profillage; Profillage Z and I: every 12 months; BJO
arbeitslos Markt/Aktivierung/Förder every 4 weeks, Entwicklung every 6 weeks; Basis arbeitslos
25–40 every 2 months, 41–55 every 3, 56 and older every 4; arbeitsuchend: no one without a
contact in the last 6 months.  Contacts: persönlich, Video, telefonisch as Beratungsvermerk.
Stichtag 2026-05-15 unless stated; due = latest counting contact + period.
"""

from __future__ import annotations

from .duebook import assess_with, customer, entry, reasons

R = "lichtenberg-2013"


def c(id: str, bereich: str | None, status: str | None = "arbeitslos", profil: str | None = "Marktprofil",
      born: str | None = "1990-01-01", **kw):
    return customer(id, Bereich=bereich, Kundenstatus=status, Profillage=profil, Geburtsdatum=born, **kw)


def test_fm_reha_selbstaendige_have_no_rule_but_a_missed_folgetermin_still_counts():
    cs = [c("FM", "FM"), c("RE", "Reha"), c("SE", "Selbständige")]
    es = [entry("SE", "2026-04-01", folgetermin="2026-05-01")]
    got, res = assess_with(R, cs, es)
    rule = "1. FM, Reha, Selbständige"
    assert got == [("FM", False, None, 0, rule, True), ("RE", False, None, 0, rule, True),
                   ("SE", True, "2026-05-01", 14, rule, True)]
    assert reasons(res)["FM"] == "FM, Reha, Selbständige: keine Regel"


def test_u25_arbeitslos_every_four_weeks_regardless_of_profillage():
    cs = [c("U1", "U25", profil="Z"), c("U2", "U25", profil=None)]
    got, _ = assess_with(R, cs, [entry("U1", "2026-04-17"), entry("U2", "2026-04-16")])
    assert got == [("U1", False, "2026-05-15", 0, "2. U25 arbeitslos", True),
                   ("U2", True, "2026-05-14", 1, "2. U25 arbeitslos", True)]


def test_u25_arbeitsuchend_falls_to_the_six_month_rule():
    got, _ = assess_with(R, [c("UA", "U25", "arbeitsuchend")], [entry("UA", "2025-11-15")])
    assert got == [("UA", False, "2026-05-15", 0, "9. arbeitsuchend", True)]


def test_profillage_z_or_i_every_twelve_months_before_the_team_rules():
    cs = [c("Z", "Basis", profil="Z"), c("I", "BJO", "arbeitsuchend", profil="I")]
    got, _ = assess_with(R, cs, [entry("Z", "2025-05-15"), entry("I", "2025-05-14")])
    assert got == [("Z", False, "2026-05-15", 0, "3. Profillage Z oder I", True),
                   ("I", True, "2026-05-14", 1, "3. Profillage Z oder I", True)]


def test_bjo_arbeitslos_by_profillage():
    cs = [c("BM", "BJO", profil="Marktprofil"), c("BA", "BJO", profil="Aktivierungsprofil"),
          c("BF", "BJO", profil="Förderprofil"), c("BE", "BJO", profil="Entwicklungsprofil"),
          c("BS", "BJO", profil="Stabilisierungsprofil")]
    es = [entry("BM", "2026-04-17"), entry("BA", "2026-04-16"), entry("BF", "2026-05-01"),
          entry("BE", "2026-04-03"), entry("BS", "2026-05-01")]
    got, res = assess_with(R, cs, es)
    assert got == [
        ("BM", False, "2026-05-15", 0, "4. BJO arbeitslos marktnah", True),
        ("BA", True, "2026-05-14", 1, "4. BJO arbeitslos marktnah", True),
        ("BF", False, "2026-05-29", 0, "4. BJO arbeitslos marktnah", True),
        ("BE", False, "2026-05-15", 0, "5. BJO arbeitslos Entwicklungsprofil", True),  # + 42 days
        ("BS", False, None, 0, "", False),  # seed 001 names no interval for it
    ]
    assert reasons(res)["BS"].startswith("nicht bewertbar: keine Regel passt (Bereich BJO")


def test_basis_arbeitslos_by_age_at_the_boundaries():
    # Ages on 2026-05-15: born 1985-05-16 → 40, 1985-05-15 → 41, 1970-05-16 → 55, 1970-05-15 → 56.
    cs = [c("A40", "Basis", born="1985-05-16"), c("A41", "Basis", born="1985-05-15"),
          c("A55", "Basis", born="1970-05-16"), c("A56", "Basis", born="1970-05-15")]
    es = [entry(x, "2026-02-15") for x in ("A40", "A41", "A55", "A56")]
    got, _ = assess_with(R, cs, es)
    assert got == [
        ("A40", True, "2026-04-15", 30, "6. Basis arbeitslos 25–40 Jahre", True),   # + 2 months
        ("A41", False, "2026-05-15", 0, "7. Basis arbeitslos 41–55 Jahre", True),   # + 3 months
        ("A55", False, "2026-05-15", 0, "7. Basis arbeitslos 41–55 Jahre", True),
        ("A56", False, "2026-06-15", 0, "8. Basis arbeitslos ab 56 Jahre", True),   # + 4 months
    ]


def test_basis_month_end_and_what_counts():
    # 2025-12-31 + 2 months = 2026-02-28.  The telephone call counts (seed 001: qualified
    # telephone conversations), the later e-mail does not.
    cs = [c("ME", "Basis")]
    es = [entry("ME", "2025-12-31", kontaktart="telefonisch"), entry("ME", "2026-02-20", kontaktart="E-Mail")]
    got, res = assess_with(R, cs, es, stichtag="2026-03-01")
    assert got == [("ME", True, "2026-02-28", 1, "6. Basis arbeitslos 25–40 Jahre", True)]
    assert reasons(res)["ME"].endswith("letzter Beratungskontakt 2025-12-31")


def test_arbeitsuchend_six_months_and_nicht_gesetzt_without_rule():
    cs = [c("AS", "Basis", "asu"), c("NG", "Basis", "nicht gesetzt")]
    got, _ = assess_with(R, cs, [entry("AS", "2025-11-14")])
    assert got == [("AS", True, "2026-05-14", 1, "9. arbeitsuchend", True),
                   ("NG", False, None, 0, "10. nicht gesetzt", True)]


def test_not_assessable_closed_and_a_young_basis_customer():
    cs = [c("NB", None), c("NG", "Basis", born=None), c("Y", "Basis", born="2003-01-01"),
          c("C", "Basis")]
    cs[3]["Status"] = "abgeschlossen"
    got, res = assess_with(R, cs, [entry("C", "2020-01-01", folgetermin="2020-02-01")])
    assert got == [
        ("NB", False, None, 0, "1. FM, Reha, Selbständige", False),
        ("NG", False, None, 0, "6. Basis arbeitslos 25–40 Jahre", False),
        ("Y", False, None, 0, "", False),  # 23 in a Basis team: seed 001 starts at 25
        ("C", False, None, 0, "abgeschlossen", True),
    ]
    why = reasons(res)
    assert why["NB"] == "nicht bewertbar: Bereich fehlt (für Regel „1. FM, Reha, Selbständige“)"
    assert why["NG"] == "nicht bewertbar: Geburtsdatum fehlt (für Regel „6. Basis arbeitslos 25–40 Jahre“)"
    assert "Alter 23 Jahre" in why["Y"]


def test_kundenstatus_spellings():
    cs = [c("K1", "Basis", "alo"), c("K2", "Basis", "Arbeitslos"), c("K3", "Basis", "arbeitslos (alo)")]
    got, _ = assess_with(R, cs, [entry(x, "2026-04-01") for x in ("K1", "K2", "K3")])
    assert {g[4] for g in got} == {"6. Basis arbeitslos 25–40 Jahre"}
