"""Issue 16's audit of the rule sets against the seeds: Standortbestimmung, ended Elternzeit,
no-shows and contact attempts, and the missing Folgetermin.  Stichtag 2026-05-15 throughout."""

from __future__ import annotations

import pytest

from kundenliste_tools.core import model
from kundenliste_tools.core.errors import RuleSetError
from kundenliste_tools.core.ruleforms import ruleset_from_toml
from kundenliste_tools.core.validation import validate
from kundenliste_tools.files.rulefiles import builtin_names, load_builtin

from .duebook import assess_with, customer, d, entry, workbook

# Seed 001 (Lichtenberg, II) and seed 003 (BA 2010, 2.2), word for word: "Jeder Kundenkontakt ist
# mit seinen wesentlichen Gesprächsinhalten in der VerBIS Kundenhistorie in einem
# halbautomatischen „Beratungsvermerk zur Standortbestimmung“ oder einem „Beratungsvermerk“ als
# „persönlicher Kontakt“ zu dokumentieren."
STANDORT = "Beratungsvermerk zur Standortbestimmung"


@pytest.mark.parametrize("name", [n for n in builtin_names() if n != "vamv"])
def test_a_standortbestimmung_counts_wherever_a_beratungsvermerk_counts(name):
    """Profillage Z, Ü25, arbeitsuchend: every built-in has a rule; the only entry is a
    Standortbestimmung in person on 2026-05-01, two weeks before the Stichtag.  Counted, no
    rule of any set is overdue two weeks after a contact; uncounted, every set sees no contact
    since Erstkontakt 2025-01-01 and is overdue."""
    who = customer("S", Profillage="Z", Kundenstatus="asu", Bereich="Basis", Geburtsdatum="1980-01-01")
    counted, _ = assess_with(name, [who], [entry("S", "2026-05-01", vermerkart=STANDORT)])
    plain, _ = assess_with(name, [who], [entry("S", "2026-05-01", vermerkart="Allgemeiner Vermerk")])
    assert counted[0][1] is False and counted[0][5] is True, counted
    assert plain[0][1] is True, plain  # the same entry as an Allgemeiner Vermerk does not count


def test_a_team_list_without_the_entry_still_counts_it_through_the_prefix():
    """Seed 003's wording typed into a workbook whose Listen sheet has only the old two values:
    `Beratungsvermerk*` is a prefix, so the entry counts (ba-2010, Profillage Z: "mindestens 1
    in 6 Monaten"; contact 2026-05-01 + 6 months = due 2026-11-01)."""
    listen = [["Vermerkart"], ["Beratungsvermerk"], ["Allgemeiner Vermerk"]]
    data = workbook([customer("S", Profillage="Z", Bereich="Basis")], [entry("S", "2026-05-01", vermerkart=STANDORT)],
                    Listen=listen)
    from kundenliste_tools.core.overdue import assess

    got = assess(data, load_builtin("ba-2010", data.lists), d("2026-05-15"))
    assert (bool(got["overdue"][0]), got["due"][0].date().isoformat()) == (False, "2026-11-01")


def test_prefixes_and_exact_values_in_a_rule_file():
    text = ('name = "x"\nkontaktart = ["persönlich"]\nvermerkart = ["Beratungsvermerk"]\n'
            '[[regel]]\npflicht = "alle 4 Wochen"\n')
    exact = ruleset_from_toml(text, "x.toml")
    prefix = ruleset_from_toml(text.replace('"Beratungsvermerk"', '"Beratungsvermerk*"'), "x.toml")
    assert (exact.counts.vermerkart, exact.counts.vermerkart_prefix) == (frozenset({"beratungsvermerk"}), ())
    assert (prefix.counts.vermerkart, prefix.counts.vermerkart_prefix) == (frozenset(), ("beratungsvermerk",))
    with pytest.raises(RuleSetError, match="„nicht erschienen“ zählt nie als Kontakt"):
        ruleset_from_toml(text.replace('["persönlich"]', '["persönlich", "nicht erschienen"]'), "x.toml")


def test_the_default_lists_carry_the_new_values():
    assert model.DEFAULT_LISTS["Vermerkart"] == ("Beratungsvermerk", STANDORT, "Allgemeiner Vermerk", "Kontaktversuch")
    assert "nicht erschienen" in model.DEFAULT_LISTS["Kontaktart"]


# Seed 001 (Lichtenberg, I, Nichtaktivierung): "Eine Überprüfung der Profillage ist spätestens
# 6 Monate nach Zuordnung vorgesehen bzw. 3 Monate vor Ende der Elternzeit" – the Elternzeit rule
# looks ahead to its end; once it has ended, the customer is an ordinary customer again.


def test_an_ended_elternzeit_falls_through_to_the_kundenstatus_rule():
    """ivm-a25: rule 1 "Profillage Z in Elternzeit" (deadline), then "arbeitslos" = alle 6 Monate.

    Z1: Elternzeit bis 2026-03-31, before the Stichtag: ended → rule 5 "arbeitslos"; last
    contact 2025-12-01 + 6 months = due 2026-06-01, not overdue (before issue 16: the deadline
    rule saw the contact inside 6 months before 03-31 as fulfilled, and no date ever again).
    Z2: Elternzeit bis 2026-12-31, still running → rule 1: due 2026-12-31 − 2 months =
    2026-10-31 unless a contact lies from 2026-06-30 on: none yet, due 2026-10-31.
    Z3: ended, no contact since Erstkontakt 2025-01-01 → "arbeitslos": 2025-07-01, overdue 318
    days (2025-07-01 → 2026-05-15: 30+31+31+30+31+30+31+31+28+31+30+14 = 318).
    """
    cs = [customer("Z1", Profillage="Z", Kundenstatus="alo", Langzeitbezug="nein", Elternzeit_bis="2026-03-31"),
          customer("Z2", Profillage="Z", Kundenstatus="alo", Langzeitbezug="nein", Elternzeit_bis="2026-12-31"),
          customer("Z3", Profillage="Z", Kundenstatus="alo", Langzeitbezug="nein", Elternzeit_bis="2026-03-31")]
    es = [entry("Z1", "2025-12-01"), entry("Z2", "2025-12-01")]
    got, _ = assess_with("ivm-a25", cs, es)
    assert got == [
        ("Z1", False, "2026-06-01", 0, "5. arbeitslos", True),
        ("Z2", False, "2026-10-31", 0, "1. Profillage Z in Elternzeit", True),
        ("Z3", True, "2025-07-01", 318, "5. arbeitslos", True),
    ]


# Seed 004 (AA 90): "Die Einladungskette ist auch für Kund*innen mit mangelnder
# Mitwirkung/Sanktion aufrecht zu erhalten."  Seed 001: "ein nicht unerheblicher Teil der
# eingeladenen Kunden [erscheint] nicht".


def test_no_shows_and_contact_attempts_never_count_even_where_every_entry_does():
    """vamv counts every entry ("alle 3 Monate" in Beratung).  Last real conversation
    2026-01-10 → due 2026-04-10; a no-show on 2026-04-10 and a Kontaktversuch by phone on
    2026-04-20 do not move it: overdue 35 days (20 in April + 15 in May)."""
    es = [entry("N", "2026-01-10"),
          entry("N", "2026-04-10", kontaktart="nicht erschienen"),
          entry("N", "2026-04-20", kontaktart="telefonisch", vermerkart="Kontaktversuch")]
    got, result = assess_with("vamv", [customer("N")], es)
    assert got == [("N", True, "2026-04-10", 35, "2. in Beratung", True)]
    assert "letzter Eintrag 2026-01-10" in result["reason"][0]


def test_a_no_show_without_a_new_invitation_leaves_the_missed_appointment_in_force():
    """ba-2010, Marktprofil "mindestens 4 in 6 Monaten", 4 contacts: 4th latest 2026-01-05 +
    6 months = 2026-07-05.  The last conversation (2026-04-01) agreed 2026-04-29; the customer
    did not come (entry 04-29, no Folgetermin).  The agreed appointment stays the latest one and
    is missed: due 2026-04-29, 16 days overdue.  Had the no-show carried a new invitation
    (2026-05-20), that one would be open and the table's date would stand."""
    base = [entry("M", day) for day in ("2026-01-05", "2026-02-02", "2026-03-02")]
    base.append(entry("M", "2026-04-01", folgetermin="2026-04-29"))
    missed = [entry("M", "2026-04-29", kontaktart="nicht erschienen")]
    again = [entry("M", "2026-04-29", kontaktart="nicht erschienen", folgetermin="2026-05-20")]
    who = [customer("M", Profillage="Marktprofil", Bereich="Basis")]
    assert assess_with("ba-2010", who, base + missed)[0] == [("M", True, "2026-04-29", 16, "2. Marktprofil", True)]
    assert assess_with("ba-2010", who, base + again)[0] == [("M", False, "2026-07-05", 0, "2. Marktprofil", True)]


# Seed 003 (BA 2010, 2.2): "Es wird empfohlen, am Ende eines jeden Kundenkontaktes den nächsten
# Gesprächstermin auf Basis der empfohlenen Mindestkontaktdichte direkt mit dem Kunden zu
# vereinbaren"; seed 000: "Vereinbarung: Nächste Schritte, Termin".


def test_a_customer_in_beratung_whose_latest_entry_has_no_folgetermin_is_warned():
    cs = [customer("A"), customer("B"), customer("C", status="abgeschlossen"), customer("D", status="neu"),
          customer("E")]
    es = [entry("A", "2026-03-01", folgetermin="2026-04-01"), entry("A", "2026-04-01"),   # latest: none → warn
          entry("B", "2026-03-01"), entry("B", "2026-04-01", folgetermin="2026-05-01"),   # latest has one
          entry("C", "2026-04-01"), entry("D", "2026-04-01"),                             # closed / neu: no
          entry("E", "2026-04-02", kontaktart="nicht erschienen")]                        # no-show, no new date
    found = [(f.row, f.field, f.code, f.message) for f in validate(workbook(cs, es), today=d("2026-05-15"))
             if f.code == "folgetermin-fehlt"]
    assert found == [
        (3, "Folgetermin", "folgetermin-fehlt", "Der letzte Eintrag zu ID „A“ (in Beratung) hat keinen Folgetermin. "
         "Bitte den nächsten Termin vereinbaren und eintragen, damit die Einladungskette nicht abreißt."),
        (8, "Folgetermin", "folgetermin-fehlt", "Der letzte Eintrag zu ID „E“ (in Beratung) hat keinen Folgetermin. "
         "Bitte den nächsten Termin vereinbaren und eintragen, damit die Einladungskette nicht abreißt."),
    ]
    assert all(f.severity == "warning" for f in validate(workbook(cs, es)) if f.code == "folgetermin-fehlt")
