"""Issue 18: the quarterly export judges its eight trend days from one `overdue.basis`
(`outcomes.trend_assessments`) instead of one full `assess` per day.  The verdicts must be
exactly those of the per-day path: `assess(view_at(...))` at the period's end, `assess` of each
of `earlier_views` before it.  Generated workbooks (the demo generator, with its deliberate
mistakes, IDs respelled, cases closed with an `Abschluss am`) under every built-in rule set.
"""

from __future__ import annotations

import datetime as dt
import random

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kundenliste_tools.core.book import workbook_from_grids
from kundenliste_tools.core.demo_data import generate
from kundenliste_tools.core.outcomes import earlier_views, overdue_share, trend_assessments, view_at
from kundenliste_tools.core.overdue import assess, basis, judge
from kundenliste_tools.core.periods import parse_quarter, resolve_period
from kundenliste_tools.core.quarterly import prepare
from kundenliste_tools.files.rulefiles import load_builtin

from .duebook import KUNDEN_HEADER, customer, entry, grids

RULE_SETS = ["vamv", "ba-2010", "aa90", "ivm-a25", "lichtenberg-2013"]
HEADER = KUNDEN_HEADER + ["Ergebnis", "Abschluss am"]


def per_day(data, period, rules) -> dict[dt.date, pd.DataFrame]:
    """The path before issue 18: one full assessment per day."""
    p = prepare(data)
    out = {period.end: assess(view_at(data, period.end, p), rules, period.end)}
    for day, view in earlier_views(data, period, p):
        out[day] = assess(view, rules, day)
    return out


def assert_same(new: dict, old: dict, end: dt.date) -> None:
    assert list(new) == list(old)
    for day in old:
        # the earlier views number their customers, the basis keeps the ID keys; of the
        # earlier days only the verdicts are read (no sentences)
        columns = [c for c in old[day].columns if day == end or c not in ("id", "reason") and not c.startswith("p_")]
        assert list(new[day].columns) == list(old[day].columns), day
        pd.testing.assert_frame_equal(new[day][columns], old[day][columns], check_exact=True, obj=str(day))
        assert overdue_share(new[day]) == overdue_share(old[day])


def demo_book(n: int, seed: int, mistakes: bool, today: dt.date):
    demo = generate(n_customers=n, today=today, seed=seed, mistakes=mistakes)
    rnd = random.Random(seed)
    kunden = [dict(k) for k in demo.kunden]
    doku = [dict(e) for e in demo.doku]
    for k in kunden:  # some closed cases with an Abschluss am, some before their last entry
        if k["Status"] == "abgeschlossen" and rnd.random() < 0.6 and isinstance(k["Erstkontakt"], dt.date):
            k["Abschluss am"] = k["Erstkontakt"] + dt.timedelta(days=rnd.randint(10, 500))
    for e in doku:  # other spellings of a customer's ID (core/idkey.py links them); no counsellor
        if isinstance(e["ID"], str) and rnd.random() < 0.05:
            e["ID"] = e["ID"].lower() if rnd.random() < 0.5 else f" {e['ID']} "
        if rnd.random() < 0.05:
            e["Berater"] = None
    return workbook_from_grids(grids(kunden, doku, kunden_header=HEADER), source="demo.xlsx")


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(40, 160), seed=st.integers(0, 10_000), mistakes=st.booleans(),
       rule_set=st.sampled_from(RULE_SETS), lag=st.integers(0, 400), calendar=st.booleans())
def test_the_trend_from_one_basis_equals_one_assessment_per_day(n, seed, mistakes, rule_set, lag, calendar):
    today = dt.date(2026, 11, 20)
    data = demo_book(n, seed, mistakes, today)
    rules = load_builtin(rule_set, data.lists)
    day = today - dt.timedelta(days=lag)
    # the latest Stichtag window on that day, or the calendar quarter it lies in
    period = parse_quarter(f"{day.year}-Q{(day.month - 1) // 3 + 1}") if calendar else resolve_period(None, None, day)
    new = trend_assessments(data, period, prepare(data), rules)
    assert_same(new, per_day(data, period, rules), period.end)


def test_an_entry_links_at_the_period_end_as_the_view_links_it():
    """`AB12` is a customer only after the period: at its end the entry `AB12` links (as
    another spelling) to `ab-12`, who existed then, as `view_at`'s own link does; the whole
    workbook would link it to `AB12`.  `CD 34` names two customers loosely at the end (`cd34`
    and `CD-34`): no link; `cd34` exists only after the period, so the view links it to `CD-34`."""
    kunden = [
        customer("ab-12", erst="2026-01-05"),
        customer("AB12", erst="2026-10-01"),  # after Q3
        customer("CD-34", erst="2026-01-05"),
        customer("cd34", erst="2026-10-02"),
    ]
    doku = [
        entry("AB12", "2026-08-03"),  # ab-12 seen in August: not overdue at the end of Q3
        entry("CD 34", "2026-08-04"),
    ]
    data = workbook_from_grids(grids(kunden, doku, kunden_header=HEADER), source="t.xlsx")
    period = parse_quarter("2026-Q3")
    rules = load_builtin("vamv", data.lists)
    new = trend_assessments(data, period, prepare(data), rules)
    assert_same(new, per_day(data, period, rules), period.end)
    end = new[period.end].set_index("id")
    assert end.loc["ab-12", "last_contact"] == pd.Timestamp("2026-08-03")
    assert end.loc["CD-34", "last_contact"] == pd.Timestamp("2026-08-04")


@pytest.mark.parametrize("rule_set", RULE_SETS)
def test_one_basis_judges_any_stichtag_as_assess_does(rule_set):
    """`faellig` and the staff figures share one basis; any day judged from it is `assess`."""
    data = demo_book(120, 3, True, dt.date(2026, 11, 20))
    rules = load_builtin(rule_set, data.lists)
    b = basis(data, rules.counts)
    for day in (dt.date(2025, 2, 28), dt.date(2026, 6, 30), dt.date(2026, 11, 20)):
        pd.testing.assert_frame_equal(judge(b, rules, day)[0], assess(data, rules, day), check_exact=True)
    assert np.array_equal(b.restrict().sorted_entries, b.sorted_entries)


@pytest.mark.parametrize("rule_set", RULE_SETS)
def test_the_staff_figures_from_the_basis_equal_those_from_the_sheets(rule_set):
    """`faellig` hands its basis to `staff.advisors` (parsed dates, Kontaktart keys, counting
    entries, links); the figures are those `advisors` computes from the sheets alone."""
    from kundenliste_tools.core.staff import advisors

    data = demo_book(150, 11, True, dt.date(2026, 11, 20))
    assert data.doku["Berater"].isna().any()  # entries that count for their customer's counsellor
    rules = load_builtin(rule_set, data.lists)
    b = basis(data, rules.counts)
    for day in (dt.date(2026, 3, 4), dt.date(2026, 11, 20)):
        assert advisors(data, rules, day, 8, b) == advisors(data, rules, day, 8)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.just(float("nan")), st.just(pd.NaT), st.text(max_size=4),
                          st.integers(2, 9), st.dates(dt.date(2026, 1, 1), dt.date(2026, 1, 9))), max_size=30))
def test_per_unique_is_the_function_on_each_cell(values):
    """`columns.per_unique` (factorise once, blanks as one code) gives what the function gives
    on each cell, a blank (None, NaN, NaT) as None."""
    from kundenliste_tools.core.columns import per_unique

    column = pd.Series(values, dtype=object)
    seen = []
    got, shown = per_unique(column, lambda v: ("blank" if v is None else repr(v)), lambda v: seen.append(v) or v)
    assert got.tolist() == ["blank" if v is None or v is pd.NaT or v != v else repr(v) for v in values]
    assert got.index.equals(column.index) and shown.index.equals(column.index)
    assert len(seen) == len({repr(v) for v in values if not pd.isna(v)}) + any(pd.isna(v) for v in values)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(
    st.none(), st.just(float("nan")), st.booleans(), st.integers(0, 50_000), st.sampled_from([0.0, 1.0, 45000.5]),
    st.dates(dt.date(1990, 1, 1), dt.date(2030, 1, 1)), st.datetimes(dt.datetime(1990, 1, 1), dt.datetime(2030, 1, 1)),
    st.sampled_from(["2026-01-05", "05.01.2026", "5.1.26", "1. Mai 2026", "morgen", "", " 2026-02-30 "])),
    max_size=30))
def test_lenient_dates_once_per_value_are_those_cell_by_cell(values):
    """`quarterly.lenient_dates` parses each distinct value once; the dates and the cells that
    needed the lenient reading are those of reading each cell on its own."""
    from kundenliste_tools.core.quarterly import _lenient_dates, lenient_dates

    column = pd.Series(values, dtype=object)
    got, guessed = lenient_dates(pd.concat([column, column], ignore_index=True))  # repeats: per value
    want, want_guessed = _lenient_dates(pd.concat([column, column], ignore_index=True))
    pd.testing.assert_series_equal(got, want)
    pd.testing.assert_series_equal(guessed, want_guessed)
