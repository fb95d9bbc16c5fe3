"""The export period (SPEC §6): calendar quarters, Stichtag windows (seed 000: 28 Mar/Jun/Sep/Dec),
the default window, year boundaries."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kundenliste_tools.core.errors import KundenlisteError
from kundenliste_tools.core.periods import (
    default_period,
    parse_bis,
    parse_quarter,
    resolve_period,
    stichtag_window,
)

D = dt.date


@pytest.mark.parametrize(
    "text, start, end",
    [
        ("2026-Q1", D(2026, 1, 1), D(2026, 3, 31)),
        ("2026-Q2", D(2026, 4, 1), D(2026, 6, 30)),
        ("2026-Q3", D(2026, 7, 1), D(2026, 9, 30)),
        ("2026-Q4", D(2026, 10, 1), D(2026, 12, 31)),
        ("2024-Q1", D(2024, 1, 1), D(2024, 3, 31)),
    ],
)
def test_each_calendar_quarter(text, start, end):
    p = parse_quarter(text)
    assert (p.kind, p.start, p.end, p.label) == ("quartal", start, end, text)


@pytest.mark.parametrize("text", ["2026q3", "2026 Q3", "Q3/2026", "q3 2026", "3. Quartal 2026"])
def test_quarter_spellings(text):
    p = parse_quarter(text)
    assert (p.start, p.end) == (D(2026, 7, 1), D(2026, 9, 30))


@pytest.mark.parametrize("text", ["2026-Q5", "2026-Q0", "Q3", "2026", "drittes Quartal", ""])
def test_bad_quarter_is_a_german_error(text):
    with pytest.raises(KundenlisteError, match="Quartal"):
        parse_quarter(text)


@pytest.mark.parametrize(
    "bis, start",
    [
        ("2026-03-28", D(2025, 12, 29)),  # crosses the year boundary
        ("2026-06-28", D(2026, 3, 29)),
        ("2026-09-28", D(2026, 6, 29)),
        ("2026-12-28", D(2026, 9, 29)),
        ("2024-03-28", D(2023, 12, 29)),  # leap year: 29 Feb lies inside
    ],
)
def test_each_stichtag_window(bis, start):
    p = parse_bis(bis)
    assert (p.kind, p.start, p.end) == ("stichtag", start, D.fromisoformat(bis))
    assert p.label == f"{start.isoformat()}_bis_{bis}"


def test_windows_tile_the_year_without_gap_or_overlap():
    ends = [D(2026, 3, 28), D(2026, 6, 28), D(2026, 9, 28), D(2026, 12, 28), D(2027, 3, 28)]
    windows = [stichtag_window(e) for e in ends]
    for a, b in zip(windows, windows[1:]):
        assert b.start == a.end + dt.timedelta(days=1)


def test_bis_not_a_stichtag_names_the_nearest_stichtage():
    with pytest.raises(KundenlisteError) as err:
        parse_bis("2026-09-30")
    msg = str(err.value)
    assert "kein Stichtag" in msg and "Stichtag 2026-09-28" in msg and "2026-12-28" in msg
    assert "Kalenderquartal 2026-Q3" in msg and err.value.input == "bis"  # the CLI adds "--bis: "


def test_bis_german_date_suggests_iso():
    with pytest.raises(KundenlisteError, match="Gemeint ist wohl 2026-09-28"):
        parse_bis("28.09.2026")


@pytest.mark.parametrize(
    "today, start, end",
    [
        (D(2026, 9, 28), D(2026, 6, 29), D(2026, 9, 28)),  # on the Stichtag: that window
        (D(2026, 9, 27), D(2026, 3, 29), D(2026, 6, 28)),  # the day before: the previous one
        (D(2026, 11, 5), D(2026, 6, 29), D(2026, 9, 28)),
        (D(2026, 12, 31), D(2026, 9, 29), D(2026, 12, 28)),
        (D(2027, 1, 10), D(2026, 9, 29), D(2026, 12, 28)),  # January: last year's December window
        (D(2027, 3, 27), D(2026, 9, 29), D(2026, 12, 28)),
        (D(2027, 3, 28), D(2026, 12, 29), D(2027, 3, 28)),
    ],
)
def test_default_is_latest_window_ended_on_or_before_today(today, start, end):
    p = default_period(today)
    assert (p.kind, p.start, p.end) == ("stichtag", start, end)


@given(st.dates(min_value=D(1950, 1, 1), max_value=D(2200, 12, 31)))
def test_default_window_properties(today):
    p = default_period(today)
    assert p.end <= today
    # no later Stichtag has passed: the next window would end after today
    nxt = stichtag_window(D(p.end.year + (p.end.month == 12), p.end.month % 12 + 3, 28))
    assert nxt.end > today
    assert p.length_in_months() == 3.0
    assert p.contains(p.start) and p.contains(p.end)
    assert not p.contains(p.start - dt.timedelta(days=1))


@given(st.integers(1950, 2200), st.integers(1, 4))
def test_quarters_are_three_months(year, q):
    p = parse_quarter(f"{year}-Q{q}")
    assert p.length_in_months() == 3.0
    assert len(p.months()) == 3


def test_months_of_a_window_touch_four_calendar_months():
    assert parse_bis("2026-09-28").months() == ["2026-06", "2026-07", "2026-08", "2026-09"]
    assert parse_bis("2026-03-28").months() == ["2025-12", "2026-01", "2026-02", "2026-03"]


def test_resolve_period():
    today = D(2026, 10, 2)
    assert resolve_period(None, None, today).end == D(2026, 9, 28)
    assert resolve_period("2026-Q2", None, today).label == "2026-Q2"
    assert resolve_period(None, "2026-06-28", today).start == D(2026, 3, 29)
    with pytest.raises(KundenlisteError, match="nicht beides"):
        resolve_period("2026-Q2", "2026-06-28", today)
