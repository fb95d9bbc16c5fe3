"""The scan's pre-test (`sheetfacts._may_hold`): a piece of sheet XML is searched for formula
and error cells only when numpy found the tell-tale byte pair in it.

The pre-test must never hide a cell: it is exact (the pair occurs or not), and the scan of
every workbook of the foreign corpus, Open XML SDK's `x:` prefixes included, finds with it
what it finds without it.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kundenliste_tools.files import sheetfacts
from kundenliste_tools.files.package import sheet_parts

from . import corpus
from . import teambook as tb

#: Bytes the sheet XML is made of, the pair's bytes among them so that they meet often.
XMLISH = st.binary(max_size=200).map(lambda b: b.translate(bytes(b"<f:\"e t=>/ "[i % 11] for i in range(256))))


@settings(max_examples=400, deadline=None)
@given(buf=st.one_of(st.binary(max_size=64), XMLISH),
       pair=st.sampled_from([b"<f", b":f", sheetfacts._ERROR_PAIR, b"\x00\xff"]))
def test_the_pretest_says_exactly_whether_the_pair_occurs(buf, pair):
    assert sheetfacts._may_hold(np.frombuffer(buf, np.uint8), pair) is (pair in buf)


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory) -> list[Path]:
    tmp = tmp_path_factory.mktemp("vorpruefung")
    books = [e.path for e in corpus.build(tmp / "korpus") if not e.refused and e.path.suffix in (".xlsx", ".xlsm")]
    return books + [tb.with_openpyxl(tmp / "team-openpyxl.xlsx"), tb.with_xlsxwriter(tmp / "team-xlsxwriter.xlsx")]


def _scans(path: Path) -> dict[str, tuple]:
    with zipfile.ZipFile(path) as zf:
        out = {}
        for sheet, part in sheet_parts(zf).items():
            if part not in zf.NameToInfo:
                continue
            scan = sheetfacts.scan_sheet(zf, part)
            out[sheet] = (scan.errors, scan.facts.formula_rows.tolist(), scan.facts.formula_cols.tolist(),
                          scan.facts.merged, scan.facts.totals_rows)
        return out


def test_the_scan_finds_with_the_pretest_what_it_finds_without(workbooks, monkeypatch):
    with_pretest = {path.name: _scans(path) for path in workbooks}
    monkeypatch.setattr(sheetfacts, "_may_hold", lambda view, pair: True)
    without = {path.name: _scans(path) for path in workbooks}
    assert with_pretest == without
    found = [(errors, rows) for scans in with_pretest.values() for errors, rows, *_ in scans.values()]
    assert any(errors for errors, _ in found) and any(rows for _, rows in found)  # the corpus has both
    assert any(name.startswith("sdk-prefixed") for name in with_pretest)
