"""Sheet edits by namespace, whatever the spelling: default namespace, `x:` prefix, namespaces
declared on inner elements, comments in the body, open/close pairs.  The result is checked by
a strict namespace-aware parser (ElementTree), never by our own scanner."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kundenliste_tools.core.errors import WorkbookBusy
from kundenliste_tools.files.sheetxml import a1_ref, patch_sheet_xml
from kundenliste_tools.files.xmlpart import XmlPart, prove

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SPELLINGS = ["default", "prefixed", "declared-per-row", "comments", "open-close"]


def spell(rows: dict[int, dict[int, int]], spelling: str, col_styles: bool = False) -> bytes:
    """A worksheet holding `rows` ({row: {col: number}}) in one of the spellings."""
    p = "x:" if spelling == "prefixed" else ""
    root_decl = f'xmlns{":x" if p else ""}="{MAIN}"'
    body = []
    for r in sorted(rows):
        decl = f' xmlns:x="{MAIN}"' if spelling == "declared-per-row" else ""
        q = "x:" if spelling == "declared-per-row" else p  # rows and cells: prefix declared on the row
        cells = "".join(f'<{q}c r="{a1_ref(r, c)}"><{q}v>{v}</{q}v></{q}c>' for c, v in sorted(rows[r].items()))
        note = "<!-- Zeile -->" if spelling == "comments" else ""
        if not cells and spelling == "open-close":
            body.append(f'<{q}row r="{r}"{decl}></{q}row>')
        elif not cells:
            body.append(f'<{q}row r="{r}"{decl}/>')
        else:
            body.append(f'<{q}row r="{r}"{decl}>{note}{cells}</{q}row>')
    dim = (f'<{p}dimension ref="A1"></{p}dimension>' if spelling == "open-close" else f'<{p}dimension ref="A1"/>')
    cols = f'<{p}cols><{p}col min="1" max="1" style="7"/></{p}cols>' if col_styles else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<{p}worksheet {root_decl}>{dim}{cols}<{p}sheetData>'
            + "".join(body) + f"</{p}sheetData></{p}worksheet>").encode()


def values(xml: bytes) -> dict[tuple[int, int], str]:
    """(row, col) → value text, as a strict namespace-aware parser reads the sheet."""
    root = ElementTree.fromstring(xml)
    out = {}
    for c in root.iter(f"{{{MAIN}}}c"):
        ref = c.get("r")
        col = sum((ord(ch) - 64) * 26 ** i for i, ch in enumerate(reversed(ref.rstrip("0123456789"))))
        row = int(ref[len(ref.rstrip("0123456789")):])
        v = c.find(f"{{{MAIN}}}v")
        t = c.find(f"{{{MAIN}}}is/{{{MAIN}}}t")
        out[(row, col)] = v.text if v is not None else (t.text if t is not None else "")
    return out


sheets = st.dictionaries(st.integers(1, 12), st.dictionaries(st.integers(1, 6), st.integers(0, 999), max_size=4),
                         min_size=1, max_size=8)
edits = st.dictionaries(st.tuples(st.integers(1, 14), st.integers(1, 7)), st.text("ABCXYZ23456789", min_size=1,
                        max_size=6), min_size=1, max_size=6)


@settings(max_examples=60, deadline=None)
@given(rows=sheets, changes=edits, spelling=st.sampled_from(SPELLINGS))
def test_edits_land_where_a_strict_parser_sees_them_in_every_spelling(rows, changes, spelling) -> None:
    xml = spell(rows, spelling)
    out = patch_sheet_xml(xml, changes)
    prove(out, "Test")
    expected = {(r, c): str(v) for r, cells in rows.items() for c, v in cells.items()}
    expected.update(changes)
    assert values(out) == expected
    # the rows and cells appear in order, as Excel requires
    root = ElementTree.fromstring(out)
    numbers = [int(r.get("r")) for r in root.iter(f"{{{MAIN}}}row")]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_the_dimension_grows_in_the_form_it_was_written(spelling) -> None:
    xml = spell({1: {1: 5}, 2: {}}, spelling)
    out = patch_sheet_xml(xml, {(4, 3): "neu"})
    p = b"x:" if spelling == "prefixed" else b""
    if spelling == "open-close":
        assert b'<dimension ref="A1:C4"></dimension>' in out
    else:
        assert b"<" + p + b'dimension ref="A1:C4"/>' in out
    prove(out, "Test")


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_a_new_cell_takes_its_columns_style(spelling) -> None:
    out = patch_sheet_xml(spell({1: {2: 5}}, spelling, col_styles=True), {(3, 1): "K7M4Q3", (1, 1): "X"})
    root = ElementTree.fromstring(out)
    styles = {c.get("r"): c.get("s") for c in root.iter(f"{{{MAIN}}}c")}
    assert styles == {"A1": "7", "B1": None, "A3": "7"}


def test_elements_are_found_by_namespace_not_by_prefix() -> None:
    other = "urn:nicht-spreadsheetml"
    xml = (f'<worksheet xmlns="{MAIN}" xmlns:o="{other}"><o:sheetData/><sheetData><row r="1"/>'
           f'</sheetData></worksheet>').encode()
    part = XmlPart(xml, "Test")
    found = list(part.elements(MAIN, "sheetData"))
    assert [el.qname for el in found] == [b"sheetData"]
    assert [el.qname for el in part.elements(other, "sheetData")] == [b"o:sheetData"]
    assert part.first(MAIN, "row").empty


def test_a_prefix_that_means_spreadsheetml_only_inside_an_element() -> None:
    """`s:` is another namespace at the root, SpreadsheetML inside the sheetData."""
    xml = (f'<s:worksheet xmlns:s="{MAIN}"><s:sheetData xmlns:s="{MAIN}"><s:row r="1"/></s:sheetData>'
           f'<q:x xmlns:q="urn:q"><s:row xmlns:s="urn:anders" r="9"/></q:x></s:worksheet>').encode()
    part = XmlPart(xml, "Test")
    assert not part.uniform
    assert [el.get(b"r") for el in part.elements(MAIN, "row")] == [b"1"]
    out = patch_sheet_xml(xml, {(2, 1): "neu"})
    assert values(out) == {(2, 1): "neu"}


@pytest.mark.parametrize("bad, why", [
    (b'<worksheet xmlns="m"><x:sheetData/></worksheet>', "kein gültiges XML"),  # unbound prefix
    (b'<worksheet xmlns="m"><sheetData></worksheet>', "kein gültiges XML"),
    (b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY e "x">]><w>&e;</w>', "DOCTYPE"),
    ('<?xml version="1.0" encoding="UTF-16"?><w/>'.encode("utf-16"), "UTF-16"),
    (b'<?xml version="1.0" encoding="ISO-8859-1"?><w/>', "ISO-8859-1"),
])
def test_prove_refuses_what_a_strict_parser_rejects(bad, why) -> None:
    with pytest.raises(WorkbookBusy, match=why) as err:
        prove(bad, "Kundenliste.xlsx, xl/worksheets/sheet1.xml")
    assert "es wurde nichts geändert" in str(err.value)


def test_a_bom_and_crlf_keep_their_bytes() -> None:
    xml = (b'\xef\xbb\xbf<?xml version="1.0" encoding="UTF-8"?>\r\n<worksheet xmlns="' + MAIN.encode()
           + b'">\r\n<sheetData>\r\n<row r="1"><c r="B1"><v>1</v></c></row>\r\n</sheetData></worksheet>')
    out = patch_sheet_xml(xml, {(1, 1): "ID"})
    assert out == xml.replace(b'<c r="B1">', b'<c r="A1" t="inlineStr"><is><t>ID</t></is></c><c r="B1">')
