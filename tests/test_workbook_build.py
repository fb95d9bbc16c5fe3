"""The build of Kundenliste.xlsm, checked from the file itself (its zip parts), as Excel sees it.

Excel is stricter than LibreOffice: it refuses a package whose workbook part has the wrong
content type, and ignores a VBA project or ribbon that is not related the way it expects.
"""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import openpyxl
import pytest

from kundenliste_tools.core import model
from kundenliste_tools.core.model import XLWINGS_CONF
from kundenliste_tools.files import package, xlsm
from kundenliste_tools.files.demo import write_demo
from kundenliste_tools.files.reader import read_workbook
from kundenliste_tools.files.template import (
    BUTTONS,
    INTERPRETER_MAC,
    INTERPRETER_WIN,
    UDF_MODULES,
    kunden_headers,
    write_workbook,
)

from .vbatools import COMMITTED, parts, procedures, vba_modules

CT = "[Content_Types].xml"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    path = tmp_path_factory.mktemp("build") / "Kundenliste.xlsm"
    write_workbook(path)
    return path


def _rels(data: bytes) -> list[dict[str, str]]:
    return [dict(re.findall(r'(\w+)="([^"]*)"', tag)) for tag in re.findall(r"<Relationship\b[^>]*>", data.decode())]


def _content_types(p: dict[str, bytes]) -> tuple[dict[str, str], dict[str, str]]:
    text = p[CT].decode()
    defaults = {a["Extension"].lower(): a["ContentType"]
                for a in (dict(re.findall(r'(\w+)="([^"]*)"', t)) for t in re.findall(r"<Default\b[^>]*>", text))}
    overrides = {a["PartName"]: a["ContentType"]
                 for a in (dict(re.findall(r'(\w+)="([^"]*)"', t)) for t in re.findall(r"<Override\b[^>]*>", text))}
    return defaults, overrides


def _content_type(p, part: str) -> str | None:
    defaults, overrides = _content_types(p)
    return overrides.get("/" + part) or defaults.get(part.rsplit(".", 1)[-1].lower())


def _target(source: str, target: str) -> str:
    return package.resolve(source, target)


# --- the package, as Excel checks it --------------------------------------------------------

def test_the_workbook_part_is_macro_enabled(built):
    p = parts(built)
    (main,) = [r for r in _rels(p["_rels/.rels"]) if r["Type"].endswith("/officeDocument")]
    assert _target("", main["Target"]) == "xl/workbook.xml"
    assert _content_type(p, "xl/workbook.xml") == "application/vnd.ms-excel.sheet.macroEnabled.main+xml"


def test_the_vba_project_is_related_from_the_workbook_as_excel_expects(built):
    p = parts(built)
    (rel,) = [r for r in _rels(p["xl/_rels/workbook.xml.rels"]) if "vbaProject" in r["Type"]]
    assert rel["Type"] == "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
    assert _target("xl/workbook.xml", rel["Target"]) == "xl/vbaProject.bin"
    assert _content_type(p, "xl/vbaProject.bin") == "application/vnd.ms-office.vbaProject"
    assert p["xl/vbaProject.bin"][:8] == bytes.fromhex("D0CF11E0A1B11AE1")  # a compound file
    assert 'codeName="ThisWorkbook"' in p["xl/workbook.xml"].decode()  # the document module's name


def test_the_ribbon_is_related_from_the_package_root(built):
    p = parts(built)
    (rel,) = [r for r in _rels(p["_rels/.rels"]) if "ui/extensibility" in r["Type"]]
    assert rel["Type"] == "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
    ui = _target("", rel["Target"])
    assert ui == "customUI/customUI14.xml" and _content_type(p, ui) == "application/xml"
    assert 'xmlns="http://schemas.microsoft.com/office/2009/07/customui"' in p[ui].decode()  # the 14 schema


def test_every_relationship_points_at_a_part_with_a_content_type(built):
    p = parts(built)
    for name in (n for n in p if n.endswith(".rels")):
        source = name.replace("_rels/", "").removesuffix(".rels")
        for rel in _rels(p[name]):
            if rel.get("TargetMode") == "External":
                continue
            target = _target(source, rel["Target"])
            assert target in p, (name, rel)
            assert _content_type(p, target), target
    for part in p:
        if part != CT:
            assert _content_type(p, part), part


# --- reproducible, and the committed file is the build's output -----------------------------

def test_building_twice_gives_the_same_file(built, tmp_path):
    again = write_workbook(tmp_path / "again.xlsm")
    assert parts(again).keys() == parts(built).keys()
    for name, data in parts(built).items():
        assert parts(again)[name] == data, name
    assert vba_modules(again) == vba_modules(built)
    assert again.read_bytes() == built.read_bytes()  # fixed zip times, no timestamps in the properties
    assert b"dcterms:modified" not in parts(built)["docProps/core.xml"]


def test_the_committed_workbook_is_up_to_date(built):
    """`make workbook` was run after the last change to the template or to xl_macros/."""
    assert COMMITTED.exists(), "workbook/Kundenliste.xlsm fehlt: `make workbook`"
    fresh, committed = parts(built), parts(COMMITTED)
    assert committed.keys() == fresh.keys()
    for name in fresh:
        if name != "xl/vbaProject.bin":
            assert committed[name] == fresh[name], f"{name} ist veraltet: `make workbook`"
    assert vba_modules(COMMITTED) == vba_modules(built), "VBA veraltet: `make workbook`"


# --- what is in it --------------------------------------------------------------------------

def test_sheets_tables_and_settings_read_back(built):
    data = read_workbook(built)
    assert data.kunden.empty and data.doku.empty
    assert data.setting("Regelwerk") == model.SETTINGS_DEFAULTS["Regelwerk"]
    wb = openpyxl.load_workbook(built)
    assert wb.sheetnames[:2] == [model.KUNDENLISTE, model.KUNDENDOKU]
    assert XLWINGS_CONF in wb.sheetnames
    ws = wb[model.KUNDENLISTE]
    assert [c.value for c in ws[1]] == kunden_headers()
    assert ws.freeze_panes == "B2" and list(ws.tables) == ["Kunden"]
    assert list(wb[model.KUNDENDOKU].tables) == ["Doku"]


def _config_keys_xlwings_reads() -> set[str]:
    """Every key the installed xlwings VBA asks GetConfig for (it upper-cases the sheet's keys)."""
    bas = (xlsm.xlwings_dir() / "xlwings.bas").read_text(encoding="utf-8")
    return set(re.findall(r'GetConfig\("([^"]+)"', bas))


def test_the_xlwings_conf_sheet_uses_keys_xlwings_reads(built):
    ws = openpyxl.load_workbook(built)[XLWINGS_CONF]
    rows = []
    for key, value in ws.iter_rows(min_col=1, max_col=2, values_only=True):
        if key is None:
            break  # xlwings reads from A1 down to the first blank cell
        rows.append((key, value))
    conf = {key.upper(): value for key, value in rows}
    assert set(conf) <= _config_keys_xlwings_reads()
    assert conf["USE UDF SERVER"] is True  # RunPython through the persistent COM server (SPEC §7)
    assert conf["UDF MODULES"] == UDF_MODULES == "kundenliste_tools.xl.udfs"
    assert conf["PYTHONPATH"] is None
    assert conf["INTERPRETER_WIN"] == INTERPRETER_WIN and conf["INTERPRETER_MAC"] == INTERPRETER_MAC
    assert conf["SHOW CONSOLE"] is False and conf["DEBUG UDFS"] is False


def test_due_dates_are_coloured_by_live_formulas(built):
    ws = openpyxl.load_workbook(built)[model.KUNDENLISTE]
    col = openpyxl.utils.get_column_letter(kunden_headers().index(model.DUE_COLUMN) + 1)
    rules = {(str(cf.sqref), tuple(r.formula), r.priority) for cf in ws.conditional_formatting for r in cf.rules}
    overdue = f"AND(ISNUMBER(${col}2),${col}2<TODAY())"
    assert rules == {
        (f"{col}2:{col}2000", (overdue,), 1),
        (f"{col}2:{col}2000", (f"AND(ISNUMBER(${col}2),${col}2<=TODAY()+{model.SOON_DAYS})",), 2),
        (f"A2:{col}2000", (overdue,), 3),  # the whole overdue row
    }


def _buttons(p: dict[str, bytes], sheet: str) -> list[tuple[str, str]]:
    part = package.sheet_parts(p)[sheet]
    rels = _rels(p[package.rels_name(part)])
    (drawing,) = [_target(part, r["Target"]) for r in rels if r["Type"].endswith("/drawing")]
    assert _content_type(p, drawing) == "application/vnd.openxmlformats-officedocument.drawing+xml"
    xml = p[drawing].decode()
    return [(unescape(text), macro) for macro, text in
            re.findall(r'<xdr:sp macro="\[0\]!(\w+)".*?<a:t>([^<]*)</a:t>', xml)]


@pytest.mark.parametrize("sheet", [model.KUNDENLISTE, model.KUNDENDOKU])
def test_both_record_sheets_carry_the_four_buttons_wired_to_public_macros(built, sheet):
    p = parts(built)
    assert _buttons(p, sheet) == list(BUTTONS)
    macros = procedures(vba_modules(built)["KundenlisteKnoepfe"])
    for _label, macro in BUTTONS:
        assert macros[macro] == ("Public", "")
    sheet_xml = p[package.sheet_parts(p)[sheet]].decode()
    assert sheet_xml.index("<drawing ") < sheet_xml.index("<tableParts")  # schema order


def test_an_xlsx_stays_a_plain_workbook(tmp_path):
    p = parts(write_workbook(tmp_path / "ohne.xlsx"))
    assert "xl/vbaProject.bin" not in p and "customUI/customUI14.xml" not in p
    assert _content_type(p, "xl/workbook.xml") == xlsm.PLAIN_CONTENT_TYPE


def test_the_demo_workbook_is_an_xlsm_that_reads_back(tmp_path):
    book = tmp_path / "Demo.xlsm"
    demo = write_demo(book, today=dt.date(2026, 11, 23), n_customers=30)
    data = read_workbook(book)
    assert len(data.kunden) == len(demo.kunden) and len(data.doku) == len(demo.doku)
    assert set(data.berater["Name"]) == {name for name, _ in demo.berater}
    p = parts(book)
    assert _content_type(p, "xl/workbook.xml") == xlsm.MACRO_CONTENT_TYPE
    assert "Workbook_BeforeSave" in vba_modules(book)["ThisWorkbook"]


def test_a_workbook_is_written_atomically_with_ordinary_permissions(tmp_path):
    path = tmp_path / "K.xlsm"
    path.write_bytes(b"alt")
    write_workbook(path)
    assert parts(path)  # replaced by a whole workbook
    assert [p.name for p in tmp_path.iterdir()] == ["K.xlsm"]  # no temporary file left behind
    assert path.stat().st_mode & 0o044  # readable by others, as any saved file
