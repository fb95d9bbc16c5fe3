"""Rule set `aa90` (seed 004, Arbeitsanleitung Nr. 90 Kundenkontaktdichtekonzept).

Seed 004: Ü25 arbeitslos every 6 months; arbeitsuchend every 6 months, Profillage I yearly;
status nicht gesetzt yearly; U25 arbeitslos monthly; U25 nicht gesetzt and schulpflichtig, not in
the final year: no rule.  A contact is a persönliches Gespräch ("Präsenz oder telefonisch (nicht
elektronischer Kontakt)", Video counts as persönlich) documented as Beratungsvermerk — an
Allgemeiner Vermerk or a Jobbörse message is no contact.  Stichtag 2026-05-15.
"""

from __future__ import annotations

from .duebook import DOKU_HEADER, assess_with, customer, entry, reasons

R = "aa90"


def c(id: str, status: str | None = "arbeitslos", bereich: str | None = None, born: str | None = "1980-01-01",
      **kw):
    return customer(id, Kundenstatus=status, Bereich=bereich, Geburtsdatum=born, **kw)


def test_u25_schulpflichtig_has_no_rule():
    cs = [c("S1", "nicht gesetzt", "U25", Schulpflichtig="ja"), c("S2", "nicht gesetzt", "U25", Schulpflichtig="x"),
          c("S3", "nicht gesetzt", "U25", Schulpflichtig="nein")]
    got, res = assess_with(R, cs, [entry("S3", "2025-05-14")])
    assert got == [("S1", False, None, 0, "1. U25 schulpflichtig", True),
                   ("S2", False, None, 0, "1. U25 schulpflichtig", True),
                   ("S3", True, "2026-05-14", 1, "6. nicht gesetzt", True)]  # in the final year: yearly
    assert reasons(res)["S1"] == "U25 schulpflichtig: keine Regel"


def test_u25_arbeitslos_monthly_age_boundary():
    # No Bereich: born 2001-05-16 is 24 on the Stichtag → U25, monthly; 2001-05-15 is 25 → Ü25.
    cs = [c("U24", born="2001-05-16"), c("U25", born="2001-05-15"), c("UB", bereich="U25", born=None)]
    es = [entry(x, "2026-04-14") for x in ("U24", "U25", "UB")]
    got, _ = assess_with(R, cs, es)
    assert got == [("U24", True, "2026-05-14", 1, "2. U25 arbeitslos", True),
                   ("U25", False, "2026-10-14", 0, "3. Ü25 arbeitslos", True),
                   ("UB", True, "2026-05-14", 1, "2. U25 arbeitslos", True)]


def test_ue25_arbeitslos_six_months_month_end():
    # 2025-08-31 + 6 months = 2026-02-28 (2026 is no leap year).
    got, _ = assess_with(R, [c("ME", bereich="Basis")], [entry("ME", "2025-08-31")], stichtag="2026-03-01")
    assert got == [("ME", True, "2026-02-28", 1, "3. Ü25 arbeitslos", True)]


def test_arbeitsuchend_profillage_i_yearly_otherwise_six_months():
    cs = [c("AI", "arbeitsuchend", Profillage="I"), c("AM", "asu", Profillage="Marktprofil"),
          c("UI", "asu", "U25", Profillage="I")]
    es = [entry("AI", "2025-05-15"), entry("AM", "2025-11-15"), entry("UI", "2025-05-14")]
    got, _ = assess_with(R, cs, es)
    assert got == [("AI", False, "2026-05-15", 0, "4. arbeitsuchend Profillage I", True),
                   ("AM", False, "2026-05-15", 0, "5. arbeitsuchend", True),
                   ("UI", True, "2026-05-14", 1, "4. arbeitsuchend Profillage I", True)]


def test_nicht_gesetzt_yearly():
    got, _ = assess_with(R, [c("NG", "nicht gesetzt")], [entry("NG", "2025-05-16")])
    assert got == [("NG", False, "2026-05-16", 0, "6. nicht gesetzt", True)]


def test_telephone_counts_email_and_allgemeiner_vermerk_do_not():
    es = [entry("T", "2025-12-01", kontaktart="telefonisch"), entry("T", "2026-02-01", kontaktart="E-Mail"),
          entry("T", "2026-03-01", vermerkart="Allgemeiner Vermerk"), entry("T", "2026-04-01", kontaktart="Video",
                                                                              vermerkart="Allgemeiner Vermerk")]
    got, res = assess_with(R, [c("T", born=None, bereich="U25")], es)
    assert got == [("T", True, "2026-01-01", 134, "2. U25 arbeitslos", True)]
    assert reasons(res)["T"].endswith("letzter persönlicher Kontakt 2025-12-01")


def test_without_kontaktart_and_vermerkart_columns_every_entry_counts():
    header = [h for h in DOKU_HEADER if h not in ("Kontaktart", "Vermerkart")]
    got, _ = assess_with(R, [c("X", bereich="Basis")], [entry("X", "2026-04-01", kontaktart="E-Mail")],
                         doku_header=header)
    assert got == [("X", False, "2026-10-01", 0, "3. Ü25 arbeitslos", True)]


def test_missed_folgetermin_closed_and_not_assessable():
    cs = [c("MF", bereich="Basis"), c("C", bereich="Basis", status="arbeitslos"),
          c("NS", "nicht gesetzt", "U25"), c("NA", born=None), c("AP", "asu", "Basis")]
    cs[1]["Status"] = "abgeschlossen"
    es = [entry("MF", "2026-05-01", folgetermin="2026-05-11"), entry("C", "2020-01-01", folgetermin="2020-02-01")]
    got, res = assess_with(R, cs, es)
    assert got == [
        ("MF", True, "2026-05-11", 4, "3. Ü25 arbeitslos", True),
        ("C", False, None, 0, "abgeschlossen", True),
        ("NS", False, None, 0, "1. U25 schulpflichtig", False),
        ("NA", False, None, 0, "2. U25 arbeitslos", False),
        ("AP", False, None, 0, "4. arbeitsuchend Profillage I", False),
    ]
    why = reasons(res)
    assert why["NS"] == "nicht bewertbar: Schulpflichtig fehlt (für Regel „1. U25 schulpflichtig“)"
    assert why["NA"] == "nicht bewertbar: Bereich oder Geburtsdatum fehlt (für Regel „2. U25 arbeitslos“)"
    assert why["AP"] == "nicht bewertbar: Profillage fehlt (für Regel „4. arbeitsuchend Profillage I“)"
