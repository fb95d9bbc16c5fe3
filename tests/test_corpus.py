"""`kundenliste ids` (the one command that writes into a team's workbook) on every workbook of
the corpus (`tests/corpus.py`): afterwards every part parses strictly, openpyxl and LibreOffice
read every cell as before (the new IDs aside), untouched parts are byte-identical, the new cells
carry the ID column's style, and a second run after a new customer works.  Strict Open XML is
refused with nothing written."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import uuid
import warnings
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import openpyxl
import pytest
from lxml import etree

from kundenliste_tools.cli import main
from kundenliste_tools.core.ids import check_ok, is_own_format
from kundenliste_tools.files.patch import last_value_row, patch_workbook

from . import corpus
from .lo import SOFFICE
from .userbook import all_values, raw_entries

NAMES = ["openpyxl-ohne-lxml", "openpyxl-mit-lxml", "pandas-openpyxl", "pandas-xlsxwriter", "xlsxwriter-vba",
         "libreoffice-xlsx", "libreoffice-vba-xlsm", "excel", "sdk-prefixed", "ohne-zellbezug",
         "inline-strings", "crlf-bom", "offen-geschlossen"]
KUNDEN_PART = "xl/worksheets/sheet1.xml"  # Kundenliste is the first sheet in every entry
#: what a first `ids` run may rewrite: the Kundenliste sheet and the three lists that name the new
#: ID-Register sheet; everything else must be byte-identical
MAY_CHANGE = {KUNDEN_PART, "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml"}


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


class Ran:
    """One corpus entry before and after `kundenliste ids`."""

    def __init__(self, entry: corpus.Entry, before: Path, after: Path, issued: dict[str, str]):
        self.entry, self.before, self.after, self.issued = entry, before, after, issued


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, corpus.Entry]:
    return {e.name: e for e in corpus.build(tmp_path_factory.mktemp("korpus"))}


@pytest.fixture(scope="module")
def ran(built, tmp_path_factory) -> dict[str, Ran]:
    out: dict[str, Ran] = {}
    for name in NAMES:
        entry = built[name]
        folder = tmp_path_factory.mktemp(name)
        after = folder / entry.path.name
        shutil.copy2(entry.path, after)
        code, stdout, stderr = run("ids", str(after), "--json")
        assert code == 0, (name, stderr)
        issued = {i["cell"]: i["id"] for i in json.loads(stdout)["issued"]}
        out[name] = Ran(entry, entry.path, after, issued)
    return out


def test_the_corpus_is_what_it_claims(built) -> None:
    assert set(NAMES) | {"strict"} == set(built)
    for entry in built.values():
        assert entry.check(corpus.parts(entry.path)), f"{entry.name}: {entry.claims}"


def strict_parse_all(path: Path) -> list[str]:
    """Every XML part through two strict parsers (xml.etree and lxml without recovery)."""
    checked = []
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.endswith((".xml", ".rels")):
                data = zf.read(name)
                ElementTree.fromstring(data)
                etree.fromstring(data, etree.XMLParser(recover=False, resolve_entities=False))
                checked.append(name)
    return checked


@pytest.mark.parametrize("name", NAMES)
def test_every_part_parses_strictly_and_untouched_parts_are_byte_identical(ran, name) -> None:
    r = ran[name]
    assert len(r.issued) >= 3, r.issued  # the blank IDs of the team data were filled
    assert all(is_own_format(i) and check_ok(i) for i in r.issued.values())
    checked = strict_parse_all(r.after)
    assert KUNDEN_PART in checked and "xl/workbook.xml" in checked
    before, after = raw_entries(r.before), raw_entries(r.after)
    assert list(after)[:len(before)] == list(before)  # same parts, same order
    changed = {n for n in before if before[n] != after[n]}
    assert KUNDEN_PART in changed and changed <= MAY_CHANGE, changed
    assert len(after) == len(before) + 1  # the ID-Register sheet


def cells(path: Path) -> dict[str, dict[str, Any]]:
    """Every non-empty cell of every sheet as openpyxl reads it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about extensions it does not know
        wb = openpyxl.load_workbook(path)
    return {ws.title: {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}
            for ws in wb.worksheets}


@pytest.mark.parametrize("name", NAMES)
def test_openpyxl_reads_every_cell_as_before_plus_the_new_ids(ran, name) -> None:
    r = ran[name]
    before, after = cells(r.before), cells(r.after)
    register = after.pop("ID-Register")
    expected = {sheet: dict(values) for sheet, values in before.items()}
    expected["Kundenliste"].update(r.issued)
    assert after == expected
    # column A below its header: the issued IDs; B1/C1: the label and key of the export pseudonyms
    assert sorted(v for k, v in register.items() if k.startswith("A") and k != "A1") == sorted(r.issued.values())
    assert register["B1"] == "Export-Schlüssel" and len(register["C1"]) == 64


@pytest.mark.parametrize("name", NAMES)
def test_new_id_cells_carry_the_id_columns_style(ran, name) -> None:
    r = ran[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ws = openpyxl.load_workbook(r.after)["Kundenliste"]
    for ref in r.issued:
        c = ws[ref]
        if r.entry.column_style:
            assert c.fill.fgColor.rgb == corpus.ID_FILL and c.number_format == corpus.ID_FORMAT, ref
        else:  # no column style: the cell above's (pandas writes the data cells unstyled)
            above = ws.cell(c.row - 1, c.column)
            assert c.style_id == above.style_id, ref  # index into the workbook's cell formats


@pytest.mark.parametrize("name", NAMES)
def test_a_second_run_after_a_new_customer_works(ran, name, tmp_path) -> None:
    r = ran[name]
    book = tmp_path / r.after.name
    shutil.copy2(r.after, book)
    with zipfile.ZipFile(book) as zf:
        row = last_value_row(zf.read(KUNDEN_PART)) + 1
    patch_workbook(book, {"Kundenliste": {f"B{row}": "2026-04-01", f"C{row}": "VAMV", f"D{row}": "neu",
                                          f"E{row}": "Frau A", f"F{row}": "Nora", f"G{row}": "Neu"}})
    for backup in tmp_path.glob("*.bak.*"):
        backup.unlink()
    before = raw_entries(book)
    code, stdout, stderr = run("ids", str(book), "--json")
    assert code == 0, stderr
    issued = json.loads(stdout)["issued"]
    assert [i["cell"] for i in issued] == [f"A{row}"]
    strict_parse_all(book)
    after = raw_entries(book)
    changed = {n for n in before if before[n] != after[n]}
    assert KUNDEN_PART in changed and len(changed) == 2, changed  # and the register sheet, nothing else
    values = cells(book)
    assert values["Kundenliste"][f"A{row}"] == issued[0]["id"]
    assert sorted(values["ID-Register"].values())[:-1] != []
    assert set(values["ID-Register"].values()) >= {*r.issued.values(), issued[0]["id"]}


def test_strict_open_xml_is_refused_with_nothing_written(built, tmp_path) -> None:
    book = tmp_path / "strict.xlsm"
    shutil.copy2(built["strict"].path, book)
    original = book.read_bytes()
    code, _, stderr = run("ids", str(book))
    assert code == 2
    assert "Strict Open XML" in stderr and "Es wurde nichts geändert" in stderr
    assert "Traceback" not in stderr
    assert book.read_bytes() == original
    assert [p.name for p in tmp_path.iterdir()] == ["strict.xlsm"]


@pytest.mark.libreoffice
def test_libreoffice_reads_every_cell_as_before_plus_the_new_ids(ran, tmp_path) -> None:
    """One soffice call converts every before/after pair to .xlsx; calamine reads the results."""
    inputs = []
    for name in NAMES:
        for when, src in (("vorher", ran[name].before), ("nachher", ran[name].after)):
            dst = tmp_path / f"{name}--{when}{src.suffix}"
            shutil.copy2(src, dst)
            inputs.append(dst)
    out = tmp_path / "lo"
    profile = tmp_path / f"lo-profile-{uuid.uuid4().hex}"
    proc = subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                           "--convert-to", "xlsx", "--outdir", str(out), *map(str, inputs)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    for name in NAMES:
        before = all_values(out / f"{name}--vorher.xlsx")
        after = all_values(out / f"{name}--nachher.xlsx")
        register = after.pop("ID-Register")
        assert sorted(v for row in register[1:] for v in row if v != "") == sorted(ran[name].issued.values()), name
        expected = {k: [list(row) for row in v] for k, v in before.items()}
        for ref, new_id in ran[name].issued.items():
            row, col = int(ref[1:]) - 1, 0
            assert ref[0] == "A" and expected["Kundenliste"][row][col] == "", (name, ref)
            expected["Kundenliste"][row][col] = new_id
        assert after == expected, name


def test_a_workbook_damaged_by_an_earlier_version_gets_a_message_not_a_traceback(built, tmp_path) -> None:
    """The earlier writer appended `<sheet … r:id=…/>` without declaring `r` (openpyxl with lxml
    declares it per element): the next run said "Interner Fehler (ParseError)"."""
    book = tmp_path / "beschaedigt.xlsx"
    sheet_type = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
    content = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    damage = {
        "xl/workbook.xml": (b"</sheets>", b'<sheet name="ID-Register" sheetId="9" state="hidden" r:id="rId99"/>'),
        "xl/_rels/workbook.xml.rels": (b"</Relationships>", f'<Relationship Id="rId99" Type="{sheet_type}" '
                                       f'Target="worksheets/sheet9.xml"/>'.encode()),
        "[Content_Types].xml": (b"</Types>", f'<Override PartName="/xl/worksheets/sheet9.xml" '
                                f'ContentType="{content}"/>'.encode()),
    }
    register = (f'<worksheet xmlns="{corpus.MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
                'Vergebene ID</t></is></c></row></sheetData></worksheet>').encode()
    corpus.rezip(built["openpyxl-mit-lxml"].path, book,
                 lambda name, data: data.replace(damage[name][0], damage[name][1] + damage[name][0])
                 if name in damage else data, {"xl/worksheets/sheet9.xml": register})
    original = book.read_bytes()
    code, _, stderr = run("ids", str(book))
    assert code == 2
    assert "beschädigt (xl/workbook.xml ist kein gültiges XML: unbound prefix" in stderr
    assert "Excel kann die Mappe beim Öffnen reparieren" in stderr and "Traceback" not in stderr
    assert book.read_bytes() == original and [p.name for p in tmp_path.iterdir()] == ["beschaedigt.xlsx"]
