"""Staff figures: counted Beratungsgespräche per counsellor and ISO week against the quota of the
rule set (seed 001: 25, seed 004: 20 per full-time counsellor, part-time pro rata), and active
customers against the caseload ratio (seed 002: 1:120)."""

from __future__ import annotations

from kundenliste_tools.core.staff import advisors, caseload, weekly
from kundenliste_tools.files.rulefiles import load_builtin

from .duebook import customer, d, entry, workbook

BERATER = [["Name", "Stellenanteil"], ["Karin", 1], ["Evelyn", "50 %"], ["Birgit", 0.75]]


def flat(frame):
    return [tuple(r) for r in frame.itertuples(index=False)]


def test_weekly_counts_against_the_pro_rata_quota():
    # Stichtag Fri 2026-05-15 lies in ISO week 20 (Mon 05-11); week 19 starts Mon 05-04.
    cs = [customer("A", berater="Karin"), customer("B", berater="Evelyn")]
    es = ([entry("A", x) for x in ("2026-05-04", "2026-05-06", "2026-05-10")]       # W19: 3
          + [entry("A", "2026-05-11"), entry("A", "2026-05-12", kontaktart="E-Mail")]  # W20: 1 (e-mail no)
          + [entry("B", "2026-05-05", berater="Evelyn", vermerkart="Allgemeiner Vermerk")]  # not counted
          + [entry("B", "2026-05-13", berater=""), entry("A", "2026-05-16")])  # blank → customer's; after S
    data = workbook(cs, es, Berater=BERATER)
    got = flat(weekly(data, load_builtin("aa90"), d("2026-05-15"), weeks=2))
    a = d("2026-05-04"), d("2026-05-11")
    assert got == [
        ("Birgit", "2026-W19", a[0], 0, 15.0, False, False),
        ("Birgit", "2026-W20", a[1], 0, 15.0, False, True),
        ("Evelyn", "2026-W19", a[0], 0, 10.0, False, False),
        ("Evelyn", "2026-W20", a[1], 1, 10.0, False, True),
        ("Karin", "2026-W19", a[0], 3, 20.0, False, False),
        ("Karin", "2026-W20", a[1], 1, 20.0, False, True),
    ]


def test_quota_met_and_a_sunday_stichtag_closes_the_week():
    cs = [customer(f"K{i}", berater="Karin") for i in range(25)]
    es = [entry(f"K{i}", "2026-05-11", kontaktart="telefonisch") for i in range(25)]
    data = workbook(cs, es)
    got = flat(weekly(data, load_builtin("lichtenberg-2013"), d("2026-05-17"), weeks=1))
    assert got == [("Karin", "2026-W20", d("2026-05-11"), 25, 25.0, True, False)]


def test_without_a_quota_the_count_stands_alone():
    data = workbook([customer("A", berater="Karin")], [entry("A", "2026-05-12")])
    (row,) = flat(weekly(data, load_builtin("vamv"), d("2026-05-15"), weeks=1))
    assert row[:4] == ("Karin", "2026-W20", d("2026-05-11"), 1)
    assert row[4] != row[4] and row[5] is None  # NaN quota, no verdict


def test_caseload_against_one_to_120_pro_rata():
    cs = ([customer(f"K{i}", berater="Karin") for i in range(121)]
          + [customer(f"E{i}", berater="evelyn") for i in range(60)]       # name spelled in lower case
          + [customer("EC", berater="Evelyn", status="abgeschlossen")])   # closed: not active
    data = workbook(cs, Berater=BERATER)
    got = flat(caseload(data, load_builtin("ivm-a25")))
    assert got == [("Birgit", 0.75, 0, 90.0, False), ("Evelyn", 0.5, 60, 60.0, False),
                   ("Karin", 1.0, 121, 120.0, True)]


def test_advisors_as_plain_data():
    data = workbook([customer("A", berater="Karin")], [entry("A", "2026-05-12")], Berater=BERATER[:2])
    (karin,) = advisors(data, load_builtin("aa90"), d("2026-05-15"), weeks=1)
    assert karin == {"berater": "Karin", "stellenanteil": 1.0, "active_customers": 1, "caseload_limit": None,
                     "over_caseload": False, "no_show_rate": 0.0,
                     "weeks": [{"week": "2026-W20", "start": "2026-05-11", "count": 1, "quota": 20.0,
                                "met": False, "partial": True}]}
