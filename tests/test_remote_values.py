"""The xl door's fast read of a remote-engine sheet gives exactly what xlwings' `.value` gives
(with `err_to_str=True`: an Excel error is a finding, not a blank cell).

`xl.common.remote_values` replaces xlwings' per-cell conversion (two thirds of the on-save
time on a team workbook); these tests hold it to xlwings' own result on real remote `Book`s.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from kundenliste_tools.xl.common import remote_values, sheet_grid, workbook_data

from .xlbook import book

CELLS = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.sampled_from(["", " ", "#N/A", "#REF!", "#DIV/0!", "#WERT!", "2026-01-05", "05.01.2026",
                     "2026-01-05T00:00:00.000Z"]),
    st.integers(-10**6, 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 12, 31)).map(
        lambda d: d.replace(microsecond=0)),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31)),
)


def _both(rows: list[list[object]]) -> tuple[list[list[object]], list[list[object]]]:
    sheet = book({"Blatt": rows}).sheets[0]
    rng = sheet.range((1, 1), (len(rows), max(len(r) for r in rows)))
    expected = [list(r) for r in rng.options(ndim=2, err_to_str=True).value]
    return expected, remote_values(rng.raw_value)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(CELLS, min_size=3, max_size=3), min_size=1, max_size=6))
def test_remote_values_are_what_xlwings_reads(rows):
    expected, fast = _both(rows)
    assert fast == expected
    assert [[type(c) for c in r] for r in fast] == [[type(c) for c in r] for r in expected]


def test_dates_errors_and_blanks_by_hand():
    rows = [["ID", "Datum", "Notiz"],
            ["101", dt.date(2026, 1, 5), "#N/A"],
            ["", dt.datetime(2026, 2, 3, 14, 30), "  "]]
    expected, fast = _both(rows)
    assert fast == expected == [["ID", "Datum", "Notiz"],
                                ["101", dt.datetime(2026, 1, 5), "#N/A"],
                                [None, dt.datetime(2026, 2, 3, 14, 30), "  "]]


def test_workbook_data_reads_the_remote_book_through_the_fast_path():
    kunden = [["ID", "Erstkontakt", "Akquise", "Status", "Berater", "VName", "NName", "Strasse",
               "PLZ", "Stadt", "Telefon", "Email"],
              ["101", dt.date(2026, 1, 5), "VAMV", "neu", "Karin Albers", "Anna", "Weber",
               "Am Markt 1", "01067", "Dresden", "0351 1234567", "anna@example.org"]]
    doku = [["Datum", "ID", "Berater", "Zusammenfassung", "Vereinbarungen", "Folgetermin"],
            [dt.date(2026, 1, 12), 101, "Karin Albers", "Erstgespräch", "", None]]
    b = book({"Kundenliste": kunden, "KundenDoku": doku})
    assert sheet_grid(b.sheets["Kundenliste"])[1][1] == dt.datetime(2026, 1, 5)
    data = workbook_data(b)
    assert data.kunden["Erstkontakt"].tolist() == [dt.datetime(2026, 1, 5)]
    assert data.doku[["Datum", "ID", "Vereinbarungen"]].values.tolist() == [[dt.datetime(2026, 1, 12), 101, None]]
    assert data.doku["_row"].tolist() == [2]


def test_an_error_cell_is_reported_by_the_excel_check():
    from kundenliste_tools.core.validation import validate

    kunden = [["ID", "Erstkontakt", "Akquise", "Status", "Berater", "VName", "NName", "Strasse",
               "PLZ", "Stadt", "Telefon", "Email"],
              ["101", dt.date(2026, 1, 5), "VAMV", "neu", "Karin Albers", "#N/A", "Weber",
               "Am Markt 1", "01067", "Dresden", "0351 1234567", "anna@example.org"]]
    doku = [["Datum", "ID", "Berater", "Zusammenfassung", "Vereinbarungen", "Folgetermin"]]
    data = workbook_data(book({"Kundenliste": kunden, "KundenDoku": doku}))
    found = [(f.row, f.field, f.code) for f in validate(data, today=dt.date(2026, 2, 1))]
    assert found == [(2, "VName", "zellfehler")]
