"""`kundenliste einladen` on a real .xlsx file: the hand-computed week of tests/planbook.py."""

from __future__ import annotations

import hashlib
import io
import json

import pytest

from kundenliste_tools.cli import main

from . import planbook
from .duebook import customer, entry, grids, write_book


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in argv], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture()
def mappe(tmp_path):
    return write_book(tmp_path / "Kundenliste.xlsx", planbook.sheets())


def test_the_hand_computed_week_as_json(mappe):
    before = hashlib.sha256(mappe.read_bytes()).hexdigest()
    code, out, err = run("einladen", mappe, "--woche", planbook.WEEK, "--json")
    assert code == 0, err
    assert json.loads(out) == planbook.EXPECTED  # arithmetic in tests/planbook.py
    assert hashlib.sha256(mappe.read_bytes()).hexdigest() == before  # read-only


def test_the_table_shows_the_arithmetic(mappe):
    code, out, err = run("einladen", mappe, "--woche", "2026-w20")
    assert code == 0, err
    assert "Feiertage Mo–Fr: 2026-05-14 Christi Himmelfahrt" in out
    assert ("Karin (1 Stelle): Quote 10 × 4/5 Arbeitstage − 3 vereinbart = 5 Plätze; nicht erschienen 1 von 4 "
            "(25 %) → 7 Einladungen (10 fällig)") in out
    assert "Halb (0,5 Stelle): Quote 5 × 4/5 Arbeitstage − 0 vereinbart = 4 Plätze" in out
    invited = [line.split()[0] for line in out.splitlines() if line.startswith("  ")]
    assert invited == ["H1", "H2", "C01", "C02", "C03", "C04", "C05", "C06", "C07"]


def test_without_a_holiday_and_in_saxony_on_buss_und_bettag(tmp_path):
    """2026-W47: Buß- und Bettag, Wednesday 2026-11-18, is a holiday in Saxony only.

    One customer due long ago, one half-time counsellor, no appointments: quota 10 × 0.5 = 5;
    Berlin 5 working days → 5 places; Saxony 4 → 5 × 4 / 5 = 4 places.
    """
    sheets = planbook.sheets()
    sheets["Kundenliste"] = grids([customer(f"X{i}", berater="Halb") for i in range(6)], [])["Kundenliste"]
    sheets["KundenDoku"] = grids([], [])["KundenDoku"]
    got = {}
    for land in ("BE", "Sachsen"):
        sheets["Einstellungen"] = [["Einstellung", "Wert"], ["Bundesland", land]]
        path = write_book(tmp_path / f"{land}.xlsx", sheets)
        code, out, err = run("einladen", path, "--woche", "2026-W47", "--json")
        assert code == 0, err
        doc = json.loads(out)
        halb = next(a for a in doc["advisors"] if a["berater"] == "Halb")
        got[land] = (doc["bundesland"], doc["feiertage"], halb["working_days"], halb["capacity"],
                     halb["invitations"])
    assert got == {"BE": ("BE", {}, 5, 5.0, 5), "Sachsen": ("SN", {"2026-11-18": "Buß- und Bettag"}, 4, 4.0, 4)}


def test_a_rule_set_without_a_quota_is_refused_naming_the_flag(mappe):
    code, out, err = run("einladen", mappe, "--woche", planbook.WEEK, "--regelwerk", "vamv")
    assert code == 2 and out == ""
    assert err.startswith("Fehler: --regelwerk: Das Regelwerk „vamv“ nennt keine Beratungsgespräche je Woche")


@pytest.mark.parametrize("week,message", [("KW50", "keine Kalenderwoche im Format JJJJ-Www"),
                                          ("2025-W53", "Die Kalenderwoche 53 gibt es 2025 nicht")])
def test_a_wrong_week_names_the_flag(mappe, week, message):
    code, _, err = run("einladen", mappe, "--woche", week)
    assert code == 2 and err.startswith("Fehler: --woche: ") and message in err


def test_an_unknown_bundesland_names_the_setting(tmp_path):
    sheets = planbook.sheets()
    sheets["Einstellungen"] = [["Einstellung", "Wert"], ["Bundesland", "Preußen"]]
    code, _, err = run("einladen", write_book(tmp_path / "k.xlsx", sheets), "--woche", planbook.WEEK)
    assert code == 2 and "Einstellung „Bundesland“: „Preußen“ ist kein Bundesland" in err and "BE" in err


def test_every_appointment_missed_invites_every_candidate_and_the_default_is_next_week(tmp_path):
    """No --woche: the ISO week after today.  Two no-shows in the two weeks before it, no kept
    appointment: rate 2/2 = 1, ceil(capacity / 0) is no number, so every candidate is invited:
    N0, N1 (their Erstkontakt 2025-01-01 + 28 days lies long before) and N2, fewer than the places."""
    import datetime as dt

    today = dt.date.today()
    monday = today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=7)
    cs = [customer(f"N{i}") for i in range(3)]
    es = [entry(f"N{i}", (monday - dt.timedelta(days=7 * (i + 1))).isoformat(), kontaktart="nicht erschienen")
          for i in range(2)]
    sheets = grids(cs, es, Regelwerk=planbook.REGELWERK)
    code, out, err = run("einladen", write_book(tmp_path / "k.xlsx", sheets), "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["woche"] == "{}-W{:02d}".format(*monday.isocalendar()[:2]) and doc["bundesland"] is None
    (karin,) = doc["advisors"]
    assert (karin["no_show_rate"], karin["invitations"]) == (1.0, 3)
    assert [i["due"] for i in karin["invite"]] == ["2025-01-29"] * 3  # ties: by ID
    assert [i["id"] for i in karin["invite"]] == ["N0", "N1", "N2"]
