"""The Excel door of issue 16 with a real xlwings `Book` (remote engine): the "Einladungen" button
writes the sheet `Einladungen` for the hand-computed week of tests/planbook.py."""

from __future__ import annotations

import datetime as dt

import kundenliste_tools.xl as kl
from kundenliste_tools.xl import invite

from . import planbook
from .xlbook import actions, book

#: A Wednesday of 2026-W19: the button plans the week after, 2026-W20.
TODAY = dt.date(2026, 5, 6)


def test_the_sheet_holds_the_figures_and_the_invitations_in_one_write():
    b = book(planbook.sheets())
    result = invite.einladungen(b, today=TODAY)
    assert result.as_json() == planbook.EXPECTED  # the same plan as the command line
    sheets = [a["args"] for a in actions(b, "addSheet")]
    assert sheets == [[2, invite.SHEET]]  # right after the KundenDoku
    (w,) = [a for a in actions(b, "setValues") if a["sheet_position"] == 2]
    values = w["values"]
    assert values[0][0].startswith("Einladungen für 2026-W20 (2026-05-11 bis 2026-05-17) – Regelwerk „plan-test“")
    assert "Feiertage Mo–Fr: 2026-05-14 Christi Himmelfahrt" in values[0][0]
    assert values[2][:9] == ["Berater", "Stellenanteil", "Quote", "Arbeitstage", "Schon vereinbart",
                             "Nicht erschienen % (26 Wochen)", "Plätze", "Fällige Kunden", "Einladungen"]
    # Halb: 5 × 4/5 = 4 places, 2 due → 2; Karin: 10 × 4/5 − 3 = 5, 25 % no-shows → ceil(5/0.75) = 7 of 10
    assert values[3][:9] == ["Halb", 0.5, 5, 4, 0, 0, 4, 2, 2]
    assert values[4][:9] == ["Karin", 1, 10, 4, 3, 25, 5, 10, 7]
    assert values[6][0] == "Einzuladen (9)"
    assert values[7][:7] == ["Berater", "ID", "Name", "Fällig am", "Tage überfällig", "Regel", "Zeile"]
    body = [(r[0], r[1], r[2], r[3], r[4]) for r in values[8:]]
    assert body == [
        ("Halb", "H1", "Vorname NameH1", "2026-04-01", 40),
        ("Halb", "H2", "Vorname NameH2", "2026-05-16", ""),
        ("Karin", "C01", "Vorname NameC01", "2026-03-02", 70),
        ("Karin", "C02", "Vorname NameC02", "2026-03-16", 56),
        ("Karin", "C03", "Vorname NameC03", "2026-03-30", 42),
        ("Karin", "C04", "Vorname NameC04", "2026-04-13", 28),
        ("Karin", "C05", "Vorname NameC05", "2026-04-20", 21),
        ("Karin", "C06", "Vorname NameC06", "2026-04-27", 14),
        ("Karin", "C07", "Vorname NameC07", "2026-05-04", 7),
    ]
    assert values[8][6] == 17 and values[10][6] == 2  # Kundenliste rows of H1 (16th customer) and C01
    fmt = [(a["args"], a["start_row"], a["row_count"]) for a in actions(b, "setNumberFormat")]
    assert fmt == [(["yyyy-mm-dd"], 8, 9)]


def test_pressed_again_the_sheet_is_cleared_and_rewritten():
    sheets = planbook.sheets()
    sheets[invite.SHEET] = [["alt"] * 3] * 30
    b = book(sheets)
    invite.einladungen(b, today=TODAY)
    assert not actions(b, "addSheet")
    assert [a["sheet_position"] for a in actions(b, "rangeClearContents")] == [len(sheets) - 1]


def test_the_button_name_is_an_entry_point():
    assert kl.ENTRY_POINTS["einladungen"] == "invite:einladungen"
