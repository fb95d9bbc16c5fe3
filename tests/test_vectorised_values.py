"""The vectorised column helpers and the grid → frame step agree with their cell-by-cell meaning.

They were rewritten for speed (issue 7: no per-row Python at job-centre scale); these
properties hold them to the scalar functions (`to_text`, `id_text`) and to the plain rule of
`frame_from_grid` (row 1 = header, a row with a non-blank cell in a column the tool knows is a
record unless it is an input-hint row right under the header, empty text is None, short rows
are padded and long ones cut), for any mix of cell types.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from kundenliste_tools.core.book import frame_from_grid
from kundenliste_tools.core.model import KUNDENDOKU, ROW
from kundenliste_tools.core.records import HINT_ROWS, is_hint
from kundenliste_tools.core.values import id_text, id_texts, is_blank, to_text, to_texts

CELLS = st.one_of(
    st.none(),
    st.sampled_from(["", " ", "\t", "101", " A7K3Q ", "2026-01-05", "neu", "#N/A"]),
    st.text(max_size=12),
    st.integers(-10**12, 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.builds(np.float64, st.floats(allow_nan=True)),
    st.just(pd.NaT),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(CELLS, max_size=25))
def test_column_texts_equal_the_cell_functions(cells):
    series = pd.Series(cells, dtype=object)
    assert to_texts(series).tolist() == [to_text(v) for v in cells]
    assert id_texts(series).tolist() == [id_text(v) for v in cells]
    assert to_texts(series).index.equals(series.index)


HEADER = ["Datum", "ID", "Berater", "Zusammenfassung", "Vereinbarungen", "Folgetermin"]


def _by_hand(grid: list[list[object]]) -> tuple[list[list[object]], list[int]]:
    """The rule, one row at a time."""
    width = len(grid[0])
    rows, numbers = [], []
    hints_possible = True
    for r, raw in enumerate(grid[1:], start=2):
        cells = list(raw[:width]) + [None] * (width - len(raw))
        cells = [None if (isinstance(c, str) and c == "") else c for c in cells]
        known = [(name, c) for name, c in zip(HEADER, cells) if not is_blank(c)]
        if not known:
            continue
        if hints_possible and r - 2 < HINT_ROWS:
            verdicts = [is_hint(KUNDENDOKU, name, c) for name, c in known]
            if all(h for h, _ in verdicts) and any(strong for _, strong in verdicts):
                continue
        hints_possible = False
        rows.append(cells)
        numbers.append(r)
    return rows, numbers


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.one_of(st.none(), st.sampled_from(["", " ", "x"]), CELLS), max_size=8),
                max_size=12),
       st.booleans())
def test_frame_from_grid_keeps_exactly_the_records(body, rectangular):
    if rectangular:  # what calamine and xlwings send: every row as wide as the sheet
        body = [(r + [None] * 8)[:8] for r in body]
    grid = [HEADER + ["Notiz", "Extra"]] + body
    frame, layout, _ = frame_from_grid(KUNDENDOKU, "KundenDoku", grid)
    rows, numbers = _by_hand(grid)
    assert frame[ROW].tolist() == numbers
    names = HEADER + ["Notiz", "Extra"]
    got = frame[names].to_numpy(dtype=object).tolist() if len(frame) else []
    assert len(got) == len(rows)
    for mine, theirs in zip(got, rows):
        assert [type(a) for a in mine] == [type(b) for b in theirs]
        assert all(a is b or a == b or (is_blank(a) and is_blank(b)) for a, b in zip(mine, theirs))


def test_frame_from_grid_by_hand():
    grid = [HEADER + ["Notiz"],
            [dt.date(2026, 1, 5), "101", "Karin Albers", "Erstgespräch", "", None, "", "überzählig"],
            ["", None, " ", "\t"],  # blank: skipped, its number too
            [None, 101.0],  # short row: padded
            [None, None, None, None, None, None, "nur eine Notiz"]]  # no known field: skipped
    frame, _, skipped = frame_from_grid(KUNDENDOKU, "KundenDoku", grid)
    assert frame[ROW].tolist() == [2, 4]
    assert [(s.row, s.reason) for s in skipped] == [(5, "andere-spalten")]
    assert "überzählig" not in frame.to_numpy().tolist()[0]  # right of the header: not read
    assert frame[HEADER].to_numpy(dtype=object).tolist() == [
        [dt.date(2026, 1, 5), "101", "Karin Albers", "Erstgespräch", None, None],
        [None, 101.0, None, None, None, None]]
    assert frame["Kontaktart"].tolist() == [None, None]  # optional field added as blanks


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.text(alphabet=" \t\u00a0#NVDIV/0!ab", max_size=6), st.none(),
                          st.integers(-2, 2), st.booleans()), max_size=30))
def test_column_flags_blank_and_error_cells_like_the_cell_rule(cells):
    """`Column` finds blank text and Excel errors among distinct values in bulk; it must agree
    with `_kind` (and `is_blank`) cell by cell."""
    from kundenliste_tools.core.validation import Column, _kind

    col = Column(pd.Series(cells, dtype=object))
    for v, blank, error in zip(cells, col.blank.tolist(), col.error.tolist()):
        kind = 1 if v is None else _kind(v)
        assert blank == (kind == 1) and error == (kind == 2), v
