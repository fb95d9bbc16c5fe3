"""A stray cell far right changes nothing the rest of the code sees (issue 12, issue 18).

The reader cuts a sheet whose used range reaches far beyond its header (one cell in column
XFD) and parses that sheet alone from a small package of its cut XML, the other sheets from
the file as it is (`files.reader._plan`).  Property: on generated workbooks — dates as cells
and as text, numbers as IDs, blanks, Excel errors, mixed columns, title rows, formulas, a
totals row, merged cells — the `WorkbookData` read with the stray cell is the one read
without it, cell for cell and type for type.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any, Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kundenliste_tools.core.book import WorkbookData
from kundenliste_tools.files import reader

HEADER = ["ID", "Erstkontakt", "Akquise", "Status", "Berater", "VName", "NName", "Strasse", "PLZ",
          "Stadt", "Telefon", "Email"]
DOKU = ["Datum", "ID", "Berater", "Zusammenfassung", "Vereinbarungen", "Folgetermin"]

dates = st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31))
cell = st.one_of(
    st.none(),
    dates,  # a real date cell
    dates.map(lambda d: d.strftime("%d.%m.%Y")),  # German date text
    dates.map(dt.date.isoformat),  # ISO date text
    st.integers(0, 99999),  # numbers as IDs or PLZ
    st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
    st.sampled_from(["#N/A", "#DIV/0!", "", " ", "neu", "in Beratung", "007", "k7m4q3"]),
    st.text("abcßäöü ÄÖÜ-.,0123456789", max_size=12),
    st.booleans(),
)
row = st.lists(cell, min_size=len(HEADER), max_size=len(HEADER))
doku_row = st.lists(cell, min_size=len(DOKU), max_size=len(DOKU))


def _write(path: Path, title: bool, rows: list[list[Any]], doku: list[list[Any]], formulas: bool,
           merged: bool, totals: bool, stray: bool) -> None:
    import openpyxl
    from openpyxl.worksheet.table import Table

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Kundenliste"
    if title:
        ws.append(["Kundenliste Team Nord"])
        ws.append([])
    ws.append(HEADER)
    first = ws.max_row + 1
    for values in rows:
        ws.append(values)
    if formulas:
        for r in range(first, first + len(rows) + 3):
            ws.cell(r, len(HEADER) + 1, f"=B{r}+1")
    if merged and len(rows) > 1:
        ws.merge_cells(start_row=first, start_column=1, end_row=first + 1, end_column=1)
    if stray:
        ws["XFD7"] = "x"  # row 7: below a title, the header and at least one record
    wd = wb.create_sheet("KundenDoku")
    wd.append(DOKU)
    for values in doku:
        wd.append(values)
    if totals and doku:
        last = len(doku) + 2
        wd.cell(last, 1, "Ergebnis")
        wd.cell(last, 2, f"=SUBTOTAL(103,B2:B{last - 1})")
        table = Table(displayName="Doku", ref=f"A1:F{last}", totalsRowCount=1)
        wd.add_table(table)
    wb.save(path)


def _cells(frame: Any) -> dict[str, list[str]]:
    """Every column as the reprs of its cells: `1` and `1.0`, a date and a datetime differ."""
    return {c: list(map(repr, frame[c].tolist())) for c in frame.columns}


def assert_same(a: WorkbookData, b: WorkbookData) -> None:
    """The two reads are the same data, type for type (frames compared cell by cell)."""
    for name in ("kunden", "doku"):
        fa, fb = getattr(a, name), getattr(b, name)
        assert list(fa.columns) == list(fb.columns)
        assert list(map(str, fa.dtypes)) == list(map(str, fb.dtypes))
        assert _cells(fa) == _cells(fb)
    for name in ("lists", "layouts", "settings", "regelwerk", "id_register", "source", "skipped",
                 "berater_sheet", "export_key"):
        assert getattr(a, name) == getattr(b, name), name
    assert (a.berater is None) == (b.berater is None)


def assert_same_reading(expected: Callable[[], WorkbookData], actual: Callable[[], WorkbookData]) -> bool:
    """Both reads give the same data, type for type, or both the same refusal (then False)."""
    try:
        want = expected()
    except Exception as exc:  # a refusal must be the same refusal
        with pytest.raises(type(exc)) as got:
            actual()
        assert str(got.value) == str(exc)
        return False
    assert_same(actual(), want)
    return True


@pytest.mark.filterwarnings("ignore")
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=st.booleans(), rows=st.lists(row, min_size=1, max_size=12),
       doku=st.lists(doku_row, max_size=8), formulas=st.booleans(), merged=st.booleans(),
       totals=st.booleans())
def test_a_stray_cell_far_right_changes_nothing(title, rows, doku, formulas, merged, totals):
    with tempfile.TemporaryDirectory() as tmp:
        plain, stray = Path(tmp, "a", "liste.xlsx"), Path(tmp, "b", "liste.xlsx")
        plain.parent.mkdir()
        stray.parent.mkdir()
        _write(plain, title, rows, doku, formulas, merged, totals, stray=False)
        _write(stray, title, rows, doku, formulas, merged, totals, stray=True)
        with pytest.MonkeyPatch.context() as mp:
            # a team-sized sheet: cut from a few thousand cells on (the reader's threshold is
            # a million, which a 7-row sheet with a cell in XFD does not reach)
            mp.setattr(reader, "STRAY_CELLS", 1000)
            assert reader._plan(stray, stray.name)[1], "the stray cell must take the cut path"
            assert not reader._plan(plain, plain.name)[1]
            assert_same_reading(lambda: reader.read_workbook(plain), lambda: reader.read_workbook(stray))
