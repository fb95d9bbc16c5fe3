"""A hand-computed week for the invitation planner (issue 16), shared by the CLI and Excel tests.

Week 2026-W20: Monday 2026-05-11 … Sunday 2026-05-17; Thursday 2026-05-14 is Christi
Himmelfahrt (a holiday in every Land, so in Berlin too): 4 working days.

Rule set (sheet `Regelwerk` of the workbook, so both doors read it): 10 Beratungsgespräche per
week and full-time position; persönlich, Video and telefonisch count; one rule "alle 4 Wochen",
so due = latest counting contact + 28 days (else Erstkontakt 2025-01-01 + 28).

Karin (full time, Berater sheet 1):
- quota 10 × 1 = 10; 10 × 4 / 5 = 8 places in the short week;
- already agreed in the week (Folgetermin of the latest entry, 2026-05-11…17): KA1 05-12,
  KA2 05-15, C12 05-13 → 3; capacity 8 − 3 = 5;
- no-show rate, 26 weeks before the Monday = 2025-11-10 … 2026-05-10: appointments are
  KA1 persönlich 04-27, KA2 Video 05-04, C08 persönlich 01-10 and C05 `nicht erschienen`
  04-20 = 4, of which 1 no-show → 0.25 (C02's no-show on 2025-11-09 lies one day before the
  window; telephone entries are no appointments);
- invitations = ceil(5 / (1 − 0.25)) = ceil(6.67) = 7;
- candidates (due by Sunday 05-17, no Folgetermin in the week, not closed), due = last + 28:
  C01 03-02 (70 days overdue at the Monday), C02 03-16 (56), C03 03-30 (42), C04 04-13 (28),
  C05 04-20 (21; its no-show is no contact), C06 04-27 (14), C07 05-04 (7), C08 05-11 (0),
  C09 05-13 (0), C10 05-17 (0) → 10 candidates, more than the 7 places: C01…C07.
  Not candidates: C11 due 05-18 (after Sunday), C12 (overdue since 03-30 but invited for
  05-13 already), C13 (closed).
Halb (half time, Berater sheet 0,5):
- quota 10 × 0.5 = 5; 5 × 4 / 5 = 4 places; nothing agreed; 1 appointment (H1 persönlich
  03-04), no no-show → rate 0; ceil(4 / 1) = 4;
- candidates H1 (due 04-01, 40 days overdue) and H2 (due 05-16): 2, fewer than 4 → 2.
"""

from __future__ import annotations

from .duebook import customer, entry, grids

WEEK = "2026-W20"
REGELWERK = [
    ["Name", "plan-test"],
    ["Beratungsgespräche je Woche", 10],
    ["Kontaktart", "persönlich, Video, telefonisch"],
    ["Vermerkart", "Beratungsvermerk*"],
    [],
    ["Regel", "Pflicht"],
    ["alle", "alle 4 Wochen"],
]
BERATER = [["Name", "Stellenanteil"], ["Karin", 1], ["Halb", 0.5]]
EINSTELLUNGEN = [["Einstellung", "Wert"], ["Bundesland", "BE"]]


def _tel(id: str, datum: str, berater: str = "Karin", **kw) -> dict:
    return entry(id, datum, kontaktart="telefonisch", berater=berater, **kw)


CUSTOMERS = (
    [customer(f"C{i:02d}") for i in range(1, 14)]
    + [customer("KA1"), customer("KA2")]
    + [customer(f"H{i}", berater="Halb") for i in (1, 2, 3)]
)
CUSTOMERS[12]["Status"] = "abgeschlossen"  # C13
ENTRIES = [
    _tel("C01", "2026-02-02"),
    entry("C02", "2025-11-09", kontaktart="nicht erschienen"),  # one day before the window
    _tel("C02", "2026-02-16"),
    _tel("C03", "2026-03-02"),
    _tel("C04", "2026-03-16"),
    _tel("C05", "2026-03-23"),
    entry("C05", "2026-04-20", kontaktart="nicht erschienen"),  # a no-show: no contact
    _tel("C06", "2026-03-30"),
    _tel("C07", "2026-04-06"),
    entry("C08", "2026-01-10"),  # persönlich: an appointment that was kept
    _tel("C08", "2026-04-13"),
    _tel("C09", "2026-04-15"),
    _tel("C10", "2026-04-19"),
    _tel("C11", "2026-04-20"),
    _tel("C12", "2026-03-02", folgetermin="2026-05-13"),
    _tel("C13", "2026-01-05"),
    entry("KA1", "2026-04-27", folgetermin="2026-05-12"),
    entry("KA2", "2026-05-04", folgetermin="2026-05-15", kontaktart="Video"),
    entry("H1", "2026-03-04", berater="Halb"),
    _tel("H2", "2026-04-18", berater="Halb"),
    _tel("H3", "2026-05-04", berater="Halb"),
]


def sheets() -> dict:
    return grids(CUSTOMERS, ENTRIES, Regelwerk=REGELWERK, Berater=BERATER, Einstellungen=EINSTELLUNGEN)


EXPECTED = {
    "woche": WEEK,
    "regelwerk": "plan-test",
    "bundesland": "BE",
    "feiertage": {"2026-05-14": "Christi Himmelfahrt"},
    "advisors": [
        {"berater": "Halb", "stellenanteil": 0.5, "quota": 5.0, "working_days": 4, "already_agreed": 0,
         "no_show_rate": 0.0, "capacity": 4.0, "invitations": 2,
         "invite": [{"id": "H1", "due": "2026-04-01", "days_overdue": 40, "rule": "1. alle"},
                    {"id": "H2", "due": "2026-05-16", "days_overdue": 0, "rule": "1. alle"}]},
        {"berater": "Karin", "stellenanteil": 1.0, "quota": 10.0, "working_days": 4, "already_agreed": 3,
         "no_show_rate": 0.25, "capacity": 5.0, "invitations": 7,
         "invite": [{"id": f"C0{i}", "due": due, "days_overdue": late, "rule": "1. alle"}
                    for i, due, late in ((1, "2026-03-02", 70), (2, "2026-03-16", 56), (3, "2026-03-30", 42),
                                         (4, "2026-04-13", 28), (5, "2026-04-20", 21), (6, "2026-04-27", 14),
                                         (7, "2026-05-04", 7))]},
    ],
}
