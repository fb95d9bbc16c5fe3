"""The reader's array of distinct values gives exactly what `to_python` gave (issue 18).

`files.reader.record_cells` reads a record sheet row by row into one object array and keeps
each distinct value once (text, dates, fractional numbers), instead of calamine's
`to_python` list of lists with a new object per cell.  Python holds 1, 1.0 and True equal,
so a careless look-up would turn one into the other.  Properties, on generated workbooks
(dates as cells and as text, integral and fractional numbers, 0/1 beside TRUE/FALSE, blanks,
Excel errors, mixed columns, title rows, formulas, a totals row, merged cells, a sheet that
starts at C4):

- each record sheet's cells are those of `to_python(skip_empty_area=False)`, type for type;
- the `WorkbookData` read the new way is the one read the old way (`record_cells` swapped
  for `to_python`), cell for cell and type for type.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kundenliste_tools.files import reader
from tests.test_reader import _plain_grids, _typed
from tests.test_reader_stray_property import _write, assert_same_reading, doku_row, row

numbers = st.one_of(st.sampled_from([0, 1, 0.0, 1.0, -0.0, 2, 2.0, 0.5, 1e-9]), st.booleans())
long_texts = st.text("abc äöß-", min_size=40, max_size=70)  # around `reader.SHORT_TEXT`
mixed_row = st.lists(st.one_of(numbers, st.sampled_from(["1", "WAHR", "", "x"]), long_texts),
                     min_size=3, max_size=3)


@pytest.mark.filterwarnings("ignore")
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mixed=st.lists(mixed_row, min_size=1, max_size=10), offset=st.booleans())
def test_distinct_cells_are_to_pythons_cells_type_for_type(mixed, offset):
    import openpyxl
    import python_calamine as pc

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "zahlen.xlsx")
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "KundenDoku"
        top, left = (3, 2) if offset else (0, 0)  # a sheet that starts at C4
        for r, values in enumerate(mixed * 2):  # each value twice: the second is a look-up
            for c, v in enumerate(values):
                ws.cell(top + r + 1, left + c + 1, v)
        wb.save(path)
        handle = pc.CalamineWorkbook.from_path(str(path))
        got = reader.record_cells(handle.get_sheet_by_name("KundenDoku"))
        assert _typed(got) == _typed(_plain_grids(path)["KundenDoku"])


@pytest.mark.filterwarnings("ignore")
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=st.booleans(), rows=st.lists(row, min_size=1, max_size=12),
       doku=st.lists(doku_row, max_size=8), formulas=st.booleans(), merged=st.booleans(),
       totals=st.booleans())
def test_the_new_path_reads_the_same_workbook_data(title, rows, doku, formulas, merged, totals):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "liste.xlsx")
        _write(path, title, rows + rows, doku + doku, formulas, merged, totals, stray=False)
        def old_path() -> Any:
            with pytest.MonkeyPatch.context() as mp:
                mp.setattr(reader, "record_cells", lambda ws: ws.to_python(skip_empty_area=False))
                return reader.read_workbook(path)

        if not assert_same_reading(old_path, lambda: reader.read_workbook(path)):
            return
        # and the record sheets really came the new way: an array, not lists
        grids = reader.read_grids(path, name=path.name)
        assert all(hasattr(grids[s], "shape") for s in ("Kundenliste", "KundenDoku"))

