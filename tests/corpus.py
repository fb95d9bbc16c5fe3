"""A corpus of team workbooks as other programs write them, built by the tests.

Each entry is the same Kundenliste (the team data of `userbook`: blank IDs, legacy IDs, an
empty row) written by another producer, so that every in-place command can be run on each and
the differences lie only in how the XML and the package are spelled:

* openpyxl without lxml (namespaces on the root) and with lxml (the relationships namespace
  declared on each `<sheet>`, blank cells as `<c …></c>`): each written in its own process with
  `OPENPYXL_LXML` set, openpyxl's own switch (read when `openpyxl.xml` is imported);
* pandas `to_excel` through openpyxl and through xlsxwriter;
* xlsxwriter with a VBA project (the one pyOpenVBA makes for `userbook`), a table, a chart,
  a note, a dropdown and a column style;
* LibreOffice `--convert-to xlsx` and `xlsm` (shared strings, its own styles, VBA kept);
* hand-made from the xlsxwriter workbook: Excel's markup (`mc:AlternateContent`, `mc:Ignorable`,
  `x14ac:dyDescent`, `xr:uid`, `xr:revisionPtr`) with a pivot table, an external link and a
  threaded comment added; and from that the Open XML SDK's `x:` prefixes (the relationships
  namespace declared per element), cells without `r=`, inline strings instead of shared ones,
  CRLF line ends with a UTF-8 BOM, every empty element written as an open/close pair, and
  Strict Open XML (which the writer must refuse cleanly).

`claims` says what each entry is there to prove; `test_corpus` checks the claim on the bytes,
so an entry cannot silently stop being what it stands for (a library changing its output).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .lo import convert
from .userbook import DOKU_HEADER, DOKU_ROWS, KUNDEN_HEADER, KUNDEN_ROWS, user_xlsm

ROOT = Path(__file__).resolve().parent.parent
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
ID_FILL = "FFDDEBF7"  # the team's ID column: light blue, text format
ID_FORMAT = "@"
STATS = [("Monat", "Gespräche"), ("Jan", 4), ("Feb", 7), ("Mär", 5)]


@dataclass
class Entry:
    name: str
    path: Path
    claims: str  # what this entry proves
    column_style: bool  # the ID column carries ID_FILL as its <col style> (else: none at all)
    check: Callable[[dict[str, bytes]], bool]  # the claim, on the package's parts
    refused: bool = False  # the writer must refuse it (Strict Open XML)


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def rezip(
    src: Path, dst: Path, change: Callable[[str, bytes], bytes] | None = None, add: dict[str, bytes] | None = None
) -> Path:
    """Copy a package, passing each part through `change`, adding parts at the end."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            zout.writestr(info.filename, change(info.filename, data) if change else data)
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    return dst


def _rows() -> list[list[object]]:
    return [list(r) for r in KUNDEN_ROWS]


# --- openpyxl, in a process of its own so that lxml is on or off -----------------------------


def build_openpyxl(path: str) -> None:
    """Run in a child process: the team's workbook as openpyxl writes it (table, chart, note …)."""
    import openpyxl
    from openpyxl.chart import BarChart, Reference
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.table import Table

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Kundenliste"
    ws.column_dimensions["A"].fill = PatternFill("solid", fgColor=ID_FILL)
    ws.column_dimensions["A"].number_format = ID_FORMAT
    ws.append(KUNDEN_HEADER)
    for row in _rows():
        ws.append(row)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for (cell,) in ws.iter_rows(min_row=2, max_col=1):
        if cell.value is not None:
            cell.fill = PatternFill("solid", fgColor=ID_FILL)
            cell.number_format = ID_FORMAT
    ws["G3"].comment = Comment("Bitte Schreibweise prüfen", "Kollegin")
    dv = DataValidation(type="list", formula1='"neu,in Beratung,abgeschlossen"', allow_blank=True)
    ws.add_data_validation(dv)
    dv.add("D2:D50")
    ws.add_table(Table(displayName="Kunden", ref=f"A1:M{len(KUNDEN_ROWS) + 1}"))
    doku = wb.create_sheet("KundenDoku")
    doku.append(DOKU_HEADER)
    for row in DOKU_ROWS:
        doku.append(row)
    stats = wb.create_sheet("Statistik")
    for row in STATS:
        stats.append(row)
    stats["D1"] = "=SUM(B2:B4)"
    chart = BarChart()
    chart.add_data(Reference(stats, min_col=2, min_row=1, max_row=4), titles_from_data=True)
    chart.set_categories(Reference(stats, min_col=1, min_row=2, max_row=4))
    stats.add_chart(chart, "F2")
    wb.save(path)
    from openpyxl.xml import LXML

    print("LXML" if LXML else "ETREE")


def openpyxl_book(folder: Path, lxml: bool) -> Path:
    path = folder / f"openpyxl-{'mit' if lxml else 'ohne'}-lxml.xlsx"
    env = {**os.environ, "OPENPYXL_LXML": "True" if lxml else "False"}
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from tests.corpus import build_openpyxl; build_openpyxl(sys.argv[1])",
            str(path),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == ("LXML" if lxml else "ETREE"), "openpyxl used the other XML writer"
    return path


# --- pandas and xlsxwriter ---------------------------------------------------------------


def build_pandas(path: str, engine: str) -> None:
    """Run in a child process (for openpyxl: with lxml, as pandas set-ups often have it)."""
    import pandas as pd

    kunden = pd.DataFrame(_rows(), columns=KUNDEN_HEADER)
    doku = pd.DataFrame(DOKU_ROWS, columns=DOKU_HEADER)
    with pd.ExcelWriter(path, engine=engine) as writer:
        kunden.to_excel(writer, sheet_name="Kundenliste", index=False)
        doku.to_excel(writer, sheet_name="KundenDoku", index=False)


def pandas_book(folder: Path, engine: str) -> Path:
    path = folder / f"pandas-{engine}.xlsx"
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from tests.corpus import build_pandas; build_pandas(sys.argv[1], sys.argv[2])",
            str(path),
            engine,
        ],
        cwd=ROOT,
        env={**os.environ, "OPENPYXL_LXML": "True"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return path


def vba_project(folder: Path) -> Path:
    """The VBA project pyOpenVBA makes (with the team's module), as a vbaProject.bin."""
    book = user_xlsm(folder / "vba-quelle.xlsm")
    out = folder / "vbaProject.bin"
    out.write_bytes(parts(book)["xl/vbaProject.bin"])
    book.unlink()
    return out


def xlsxwriter_book(folder: Path, vba: Path, name: str = "xlsxwriter-vba.xlsm") -> Path:
    import xlsxwriter

    path = folder / name
    wb = xlsxwriter.Workbook(str(path))
    wb.set_vba_name()
    wb.add_vba_project(str(vba))
    bold = wb.add_format({"bold": True})
    id_fmt = wb.add_format({"bg_color": "#" + ID_FILL[2:], "num_format": ID_FORMAT})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws = wb.add_worksheet("Kundenliste")
    ws.set_vba_name()
    ws.set_column(0, 0, 12, id_fmt)
    rows = _rows()
    ws.add_table(
        0,
        0,
        len(rows),
        len(KUNDEN_HEADER) - 1,
        {
            "name": "Kunden",
            "style": "Table Style Light 9",
            "columns": [{"header": h, "header_format": bold} for h in KUNDEN_HEADER],
        },
    )
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, dt.datetime):
                ws.write_datetime(r, c, value, date_fmt)
            elif c == 0:
                ws.write(r, c, value, id_fmt)
            else:
                ws.write(r, c, value)
    ws.write_comment("G3", "Bitte Schreibweise prüfen", {"author": "Kollegin"})
    ws.data_validation("D2:D50", {"validate": "list", "source": ["neu", "in Beratung", "abgeschlossen"]})
    doku = wb.add_worksheet("KundenDoku")
    doku.set_vba_name()
    doku.write_row(0, 0, DOKU_HEADER, bold)
    for r, row in enumerate(DOKU_ROWS, start=1):
        doku.write_row(r, 0, row)
    stats = wb.add_worksheet("Statistik")
    stats.set_vba_name()
    for r, row in enumerate(STATS):
        stats.write_row(r, 0, row)
    stats.write_formula("D1", "=SUM(B2:B4)", None, 16)
    stats.write_formula("D3", "='[Quelle.xlsx]Tabelle1'!A1", None, 5)  # made an external link below
    pivot_cells = [
        ("Zeilenbeschriftungen", "Summe von Gespräche"),
        ("Jan", 4),
        ("Feb", 7),
        ("Mär", 5),
        ("Gesamtergebnis", 16),
    ]
    for r, row in enumerate(pivot_cells, start=1):
        stats.write_row(r, 7, row)  # H2:I6, where the pivot table below shows its result
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"name": "Gespräche", "categories": "=Statistik!$A$2:$A$4", "values": "=Statistik!$B$2:$B$4"})
    stats.insert_chart("F8", chart)
    wb.define_name("Gespraeche", "=Statistik!$B$2:$B$4")
    wb.close()
    return path


# --- LibreOffice -------------------------------------------------------------------------


def libreoffice_books(folder: Path, xlsx_source: Path, xlsm_source: Path) -> tuple[Path, Path]:
    """Two conversions by LibreOffice (`lo.convert`): an .xlsx and an .xlsm that keeps the VBA."""
    out = folder / "lo-out"
    out.mkdir(exist_ok=True)
    xlsx = convert(xlsx_source, "xlsx", out).rename(folder / "libreoffice.xlsx")
    xlsm = convert(xlsm_source, "xlsm:Calc MS Excel 2007 VBA XML", out).rename(folder / "libreoffice-vba.xlsm")
    return xlsx, xlsm


# --- hand-made: Excel's markup, pivot table, external link, threaded comment -------------

MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
EXCEL_WB_NS = (
    f' xmlns:mc="{MC}" mc:Ignorable="x15 xr xr6 xr10 xr2"'
    ' xmlns:x15="http://schemas.microsoft.com/office/spreadsheetml/2010/11/main"'
    ' xmlns:xr="http://schemas.microsoft.com/office/spreadsheetml/2014/revision"'
    ' xmlns:xr6="http://schemas.microsoft.com/office/spreadsheetml/2016/revision6"'
    ' xmlns:xr10="http://schemas.microsoft.com/office/spreadsheetml/2016/revision10"'
    ' xmlns:xr2="http://schemas.microsoft.com/office/spreadsheetml/2015/revision2"'
)
EXCEL_WB_HEAD = (
    f'<mc:AlternateContent xmlns:mc="{MC}"><mc:Choice Requires="x15">'
    '<x15ac:absPath url="C:\\Team\\Listen\\" xmlns:x15ac="http://schemas.microsoft.com/office/'
    'spreadsheetml/2010/11/ac"/></mc:Choice></mc:AlternateContent>'
    '<xr:revisionPtr revIDLastSave="0" documentId="8_{1F2E3D4C-0000-4000-8000-000000000001}" '
    'xr6:coauthVersionLast="47" xr6:coauthVersionMax="47" '
    'xr10:uidLastSave="{00000000-0000-0000-0000-000000000000}"/>'
)
EXCEL_SHEET_NS = (
    f' xmlns:mc="{MC}" mc:Ignorable="x14ac xr xr2 xr3"'
    ' xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"'
    ' xmlns:xr="http://schemas.microsoft.com/office/spreadsheetml/2014/revision"'
    ' xmlns:xr2="http://schemas.microsoft.com/office/spreadsheetml/2015/revision2"'
    ' xmlns:xr3="http://schemas.microsoft.com/office/spreadsheetml/2016/revision3"'
)
THREADED = "http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments"
PERSON_ID = "{6B5C0A1E-0000-4000-8000-0000000000A1}"

PIVOT_CACHE = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<pivotCacheDefinition xmlns="{MAIN}" xmlns:r="{REL}" r:id="rId1" refreshOnLoad="1" createdVersion="6" refreshedVersion="6" minRefreshableVersion="3" recordCount="3"><cacheSource type="worksheet"><worksheetSource ref="A1:B4" sheet="Statistik"/></cacheSource><cacheFields count="2"><cacheField name="Monat" numFmtId="0"><sharedItems count="3"><s v="Jan"/><s v="Feb"/><s v="Mär"/></sharedItems></cacheField><cacheField name="Gespräche" numFmtId="0"><sharedItems containsSemiMixedTypes="0" containsString="0" containsNumber="1" containsInteger="1" minValue="4" maxValue="7"/></cacheField></cacheFields></pivotCacheDefinition>"""
PIVOT_RECORDS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<pivotCacheRecords xmlns="{MAIN}" xmlns:r="{REL}" count="3"><r><x v="0"/><n v="4"/></r><r><x v="1"/><n v="7"/></r><r><x v="2"/><n v="5"/></r></pivotCacheRecords>"""
PIVOT_TABLE = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<pivotTableDefinition xmlns="{MAIN}" name="PivotTable1" cacheId="5" applyNumberFormats="0" applyBorderFormats="0" applyFontFormats="0" applyPatternFormats="0" applyAlignmentFormats="0" applyWidthHeightFormats="1" dataCaption="Werte" updatedVersion="6" minRefreshableVersion="3" useAutoFormatting="1" itemPrintTitles="1" createdVersion="6" indent="0" outline="1" outlineData="1" multipleFieldFilters="0"><location ref="H2:I6" firstHeaderRow="1" firstDataRow="1" firstDataCol="1"/><pivotFields count="2"><pivotField axis="axisRow" showAll="0"><items count="4"><item x="0"/><item x="1"/><item x="2"/><item t="default"/></items></pivotField><pivotField dataField="1" showAll="0"/></pivotFields><rowFields count="1"><field x="0"/></rowFields><rowItems count="4"><i><x/></i><i><x v="1"/></i><i><x v="2"/></i><i t="grand"><x/></i></rowItems><colItems count="1"><i/></colItems><dataFields count="1"><dataField name="Summe von Gespräche" fld="1" baseField="0" baseItem="0"/></dataFields><pivotTableStyleInfo name="PivotStyleLight16" showRowHeaders="1" showColHeaders="1" showRowStripes="0" showColStripes="0" showLastColumn="1"/></pivotTableDefinition>"""
EXTERNAL_LINK = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<externalLink xmlns="{MAIN}" xmlns:r="{REL}"><externalBook r:id="rId1"><sheetNames><sheetName val="Tabelle1"/></sheetNames><sheetDataSet><sheetData sheetId="0"><row r="1"><cell r="A1"><v>5</v></cell></row></sheetData></sheetDataSet></externalBook></externalLink>"""
THREADED_COMMENTS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<ThreadedComments xmlns="{THREADED}" xmlns:x="{MAIN}"><threadedComment ref="G3" dT="2026-02-10T09:30:00.00" personId="{PERSON_ID}" id="{{6B5C0A1E-0000-4000-8000-0000000000C1}}"><text>Bitte Schreibweise prüfen</text></threadedComment></ThreadedComments>"""
PERSONS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<personList xmlns="{THREADED}" xmlns:x="{MAIN}"><person displayName="Kollegin" id="{PERSON_ID}" userId="Kollegin" providerId="None"/></personList>"""


def _rels(*rels: tuple[str, str, str, str]) -> bytes:
    body = "".join(f'<Relationship Id="{i}" Type="{t}" Target="{target}"{mode}/>' for i, t, target, mode in rels)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.'
        f'openxmlformats.org/package/2006/relationships">{body}</Relationships>'
    ).encode()


def _add_rel(xml: bytes, rid: str, rtype: str, target: str) -> bytes:
    return xml.replace(
        b"</Relationships>", f'<Relationship Id="{rid}" Type="{rtype}" Target="{target}"/></Relationships>'.encode()
    )


def excel_book(folder: Path, vba: Path) -> Path:
    """The xlsxwriter workbook spelled as Excel 365 saves it, with Excel-only parts added."""
    base = xlsxwriter_book(folder, vba, name="excel-basis.xlsm")
    names = parts(base)
    stats_part = "xl/worksheets/sheet3.xml"
    stats_rels = "xl/worksheets/_rels/sheet3.xml.rels"
    ct = "application/vnd.openxmlformats-officedocument.spreadsheetml."
    overrides = (
        f'<Override PartName="/xl/pivotTables/pivotTable1.xml" ContentType="{ct}pivotTable+xml"/>'
        f'<Override PartName="/xl/pivotCache/pivotCacheDefinition1.xml" ContentType="{ct}pivotCacheDefinition+xml"/>'
        f'<Override PartName="/xl/pivotCache/pivotCacheRecords1.xml" ContentType="{ct}pivotCacheRecords+xml"/>'
        f'<Override PartName="/xl/externalLinks/externalLink1.xml" ContentType="{ct}externalLink+xml"/>'
        '<Override PartName="/xl/threadedComments/threadedComment1.xml" '
        'ContentType="application/vnd.ms-excel.threadedcomments+xml"/>'
        '<Override PartName="/xl/persons/person.xml" ContentType="application/vnd.ms-excel.person+xml"/>'
    )
    r = REL + "/"

    def change(name: str, data: bytes) -> bytes:
        if name == "xl/workbook.xml":
            data = data.replace(f'xmlns:r="{REL}"'.encode(), f'xmlns:r="{REL}"{EXCEL_WB_NS}'.encode(), 1)
            data = re.sub(rb"(<workbookPr[^>]*/>)", lambda m: m.group(1) + EXCEL_WB_HEAD.encode(), data, count=1)
            data = data.replace(b"<workbookView ", b'<workbookView xr2:uid="{00000000-000D-0000-FFFF-FFFF00000000}" ')
            data = data.replace(
                b"</sheets>", b'</sheets><externalReferences><externalReference r:id="rId90"/></externalReferences>'
            )
            data = re.sub(
                rb"(<calcPr[^>]*/>)",
                lambda m: m.group(1) + b'<pivotCaches><pivotCache cacheId="5" r:id="rId91"/></pivotCaches>',
                data,
                count=1,
            )
        elif name == "xl/_rels/workbook.xml.rels":
            data = _add_rel(data, "rId90", r + "externalLink", "externalLinks/externalLink1.xml")
            data = _add_rel(data, "rId91", r + "pivotCacheDefinition", "pivotCache/pivotCacheDefinition1.xml")
            data = _add_rel(
                data, "rId92", "http://schemas.microsoft.com/office/2017/10/relationships/person", "persons/person.xml"
            )
        elif name == "[Content_Types].xml":
            data = data.replace(b"</Types>", overrides.encode() + b"</Types>")
        elif name.startswith("xl/worksheets/sheet") and name.endswith(".xml"):
            n = name.rsplit("sheet", 1)[1].split(".")[0]
            data = re.sub(
                rb"<worksheet ([^>]*)>",
                lambda m: (
                    b"<worksheet "
                    + m.group(1)
                    + EXCEL_SHEET_NS.encode()
                    + f' xr:uid="{{00000000-0001-0000-000{n}-000000000000}}">'.encode()
                ),
                data,
                count=1,
            )
            data = re.sub(rb"<row ([^>]*?)(/?)>", rb'<row \1 x14ac:dyDescent="0.25"\2>', data)
            data = re.sub(rb"<sheetFormatPr ([^>]*?)/>", rb'<sheetFormatPr \1 x14ac:dyDescent="0.25"/>', data)
            if name == stats_part:
                data = data.replace(b"<f>'[Quelle.xlsx]Tabelle1'!A1</f>", b"<f>[1]Tabelle1!A1</f>")
        elif name == "xl/worksheets/_rels/sheet1.xml.rels":
            data = _add_rel(
                data,
                "rId90",
                "http://schemas.microsoft.com/office/2017/10/relationships/threadedComment",
                "../threadedComments/threadedComment1.xml",
            )
        elif name == stats_rels:
            data = _add_rel(data, "rId90", r + "pivotTable", "../pivotTables/pivotTable1.xml")
        return data

    assert stats_rels in names and "xl/worksheets/_rels/sheet1.xml.rels" in names
    path = rezip(
        base,
        folder / "excel.xlsm",
        change,
        {
            "xl/pivotTables/pivotTable1.xml": PIVOT_TABLE.encode(),
            "xl/pivotTables/_rels/pivotTable1.xml.rels": _rels(
                ("rId1", r + "pivotCacheDefinition", "../pivotCache/pivotCacheDefinition1.xml", "")
            ),
            "xl/pivotCache/pivotCacheDefinition1.xml": PIVOT_CACHE.encode(),
            "xl/pivotCache/_rels/pivotCacheDefinition1.xml.rels": _rels(
                ("rId1", r + "pivotCacheRecords", "pivotCacheRecords1.xml", "")
            ),
            "xl/pivotCache/pivotCacheRecords1.xml": PIVOT_RECORDS.encode(),
            "xl/externalLinks/externalLink1.xml": EXTERNAL_LINK.encode(),
            "xl/externalLinks/_rels/externalLink1.xml.rels": _rels(
                ("rId1", r + "externalLinkPath", "Quelle.xlsx", ' TargetMode="External"')
            ),
            "xl/threadedComments/threadedComment1.xml": THREADED_COMMENTS.encode(),
            "xl/persons/person.xml": PERSONS.encode(),
        },
    )
    base.unlink()
    return path


# --- hand-made spellings of the same package --------------------------------------------


def _is_sheet_or_workbook(name: str) -> bool:
    return name == "xl/workbook.xml" or re.fullmatch(r"xl/worksheets/sheet\d+\.xml", name) is not None


def sdk_prefixed(excel: Path, folder: Path) -> Path:
    """The Open XML SDK's spelling: SpreadsheetML elements as `x:…`, `r` declared where used."""

    def change(name: str, data: bytes) -> bytes:
        if not _is_sheet_or_workbook(name):
            return data
        data = data.replace(f'xmlns="{MAIN}"'.encode(), f'xmlns:x="{MAIN}"'.encode(), 1)
        data = re.sub(rb"<(/?)(?![\w.\-]+:)([A-Za-z][\w.\-]*)(?=[\s/>])", rb"<\1x:\2", data)
        if name == "xl/workbook.xml":  # r declared on each element that uses it, not on the root
            data = data.replace(f' xmlns:r="{REL}"'.encode(), b"", 1)
            data = re.sub(
                rb"<(x:\w+)([^>]*?\sr:id=)",
                lambda m: b"<" + m.group(1) + f' xmlns:r="{REL}"'.encode() + m.group(2),
                data,
            )
        return data

    return rezip(excel, folder / "sdk-prefixed.xlsm", change)


def without_cell_refs(excel: Path, folder: Path) -> Path:
    """Cells without `r=` (allowed: a cell follows the one before it), rows keep theirs."""

    def change(name: str, data: bytes) -> bytes:
        if name != "xl/worksheets/sheet1.xml":
            return data
        out, pos = [], 0
        for m in re.finditer(rb"<row [^>]*?(/?)>(.*?)</row>|<row [^>]*/>", data, re.S):
            out.append(data[pos : m.start()])
            row = m.group(0)
            cols = [_col(x) for x in re.findall(rb'<c r="([A-Z]+)\d+"', row)]
            if cols and cols == list(range(1, len(cols) + 1)):  # contiguous from A: r is implied
                row = re.sub(rb'<c r="[A-Z]+\d+"', b"<c", row)
            out.append(row)
            pos = m.end()
        out.append(data[pos:])
        return b"".join(out)

    return rezip(excel, folder / "ohne-zellbezug.xlsm", change)


def _col(letters: bytes) -> int:
    n = 0
    for ch in letters.decode():
        n = n * 26 + ord(ch) - 64
    return n


def inline_strings(excel: Path, folder: Path) -> Path:
    """Text as inline strings in the record sheets (as some generators write), not shared ones."""
    from xml.etree import ElementTree as ET

    shared = ET.fromstring(parts(excel)["xl/sharedStrings.xml"])
    texts = ["".join(t.text or "" for t in si.iter(f"{{{MAIN}}}t")) for si in shared]

    def esc(s: str) -> bytes:
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").encode()

    def change(name: str, data: bytes) -> bytes:
        if name not in ("xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"):
            return data
        return re.sub(
            rb'<c ([^>]*?)t="s"([^>]*)><v>(\d+)</v></c>',
            lambda m: (
                b"<c "
                + m.group(1)
                + b't="inlineStr"'
                + m.group(2)
                + b"><is><t>"
                + esc(texts[int(m.group(3))])
                + b"</t></is></c>"
            ),
            data,
        )

    return rezip(excel, folder / "inline-strings.xlsm", change)


def crlf_bom(excel: Path, folder: Path) -> Path:
    """Every XML part with a UTF-8 BOM and CRLF line ends (after the declaration, between list items)."""

    def change(name: str, data: bytes) -> bytes:
        if not name.endswith((".xml", ".rels")):
            return data
        data = data.replace(b"?>\n", b"?>\r\n", 1)
        if name.endswith(".rels"):
            data = data.replace(b"/>", b"/>\r\n")
        elif _is_sheet_or_workbook(name):
            data = data.replace(b"<sheetData>", b"<sheetData>\r\n").replace(b"</row>", b"</row>\r\n")
            data = data.replace(b"</sheets>", b"\r\n</sheets>")
        return b"\xef\xbb\xbf" + data

    return rezip(excel, folder / "crlf-bom.xlsm", change)


def open_close(excel: Path, folder: Path) -> Path:
    """Every empty element of the workbook, the sheets and the package lists as `<x …></x>`."""

    def change(name: str, data: bytes) -> bytes:
        if not (_is_sheet_or_workbook(name) or name.endswith(".rels") or name == "[Content_Types].xml"):
            return data
        return re.sub(rb"<([A-Za-z][\w.:\-]*)((?:\s+[^\s=/>]+\s*=\s*\"[^\"]*\")*)\s*/>", rb"<\1\2></\1>", data)

    return rezip(excel, folder / "offen-geschlossen.xlsm", change)


def strict(excel: Path, folder: Path) -> Path:
    """Strict Open XML (ISO 29500 strict namespaces): to be refused, cleanly."""
    pairs = [
        (MAIN, "http://purl.oclc.org/ooxml/spreadsheetml/main"),
        (REL, "http://purl.oclc.org/ooxml/officeDocument/relationships"),
    ]

    def change(name: str, data: bytes) -> bytes:
        if not name.endswith((".xml", ".rels")):
            return data
        for old, new in pairs:
            data = data.replace(old.encode(), new.encode())
        if name == "xl/workbook.xml":
            data = data.replace(b"<workbook ", b'<workbook conformance="strict" ', 1)
        return data

    return rezip(excel, folder / "strict.xlsm", change)


# --- the corpus --------------------------------------------------------------------------


def _has(part: str, *needles: bytes, absent: tuple[bytes, ...] = ()) -> Callable[[dict[str, bytes]], bool]:
    return lambda p: all(n in p[part] for n in needles) and not any(a in p[part] for a in absent)


def build(folder: Path) -> list[Entry]:
    folder.mkdir(parents=True, exist_ok=True)
    vba = vba_project(folder)
    without_lxml = openpyxl_book(folder, lxml=False)
    with_lxml = openpyxl_book(folder, lxml=True)
    xw = xlsxwriter_book(folder, vba)
    lo_xlsx, lo_xlsm = libreoffice_books(folder, without_lxml, xw)
    excel = excel_book(folder, vba)
    wb, s1 = "xl/workbook.xml", "xl/worksheets/sheet1.xml"
    per_sheet_r = f'<sheet xmlns:r="{REL}"'.encode()
    entries = [
        Entry(
            "openpyxl-ohne-lxml",
            without_lxml,
            "openpyxl (ElementTree): namespaces on the root, "
            "`<c … />` with a space, table, chart, note, dropdown, column style",
            True,
            lambda p: b"<c r=" in p[s1] and per_sheet_r not in p[wb],
        ),
        Entry(
            "openpyxl-mit-lxml",
            with_lxml,
            "openpyxl with lxml: xmlns:r declared on each <sheet>, not on the root",
            True,
            _has(wb, per_sheet_r),
        ),
        Entry(
            "pandas-openpyxl",
            pandas_book(folder, "openpyxl"),
            "pandas to_excel through openpyxl with lxml (its own process): per-element namespace, no column style",
            False,
            _has(wb, per_sheet_r),
        ),
        Entry(
            "pandas-xlsxwriter",
            pandas_book(folder, "xlsxwriter"),
            "pandas to_excel through xlsxwriter: shared strings, styled header, no column style",
            False,
            lambda p: "xl/sharedStrings.xml" in p,
        ),
        Entry(
            "xlsxwriter-vba",
            xw,
            "xlsxwriter: VBA project, table, chart, note, dropdown, <col style>",
            True,
            lambda p: "xl/vbaProject.bin" in p and "xl/tables/table1.xml" in p,
        ),
        Entry(
            "libreoffice-xlsx",
            lo_xlsx,
            "LibreOffice Calc's own writer (converted from openpyxl's file)",
            True,
            _has("docProps/app.xml", b"LibreOffice"),
        ),
        Entry(
            "libreoffice-vba-xlsm",
            lo_xlsm,
            "LibreOffice's .xlsm with the VBA project kept",
            True,
            lambda p: "xl/vbaProject.bin" in p and b"LibreOffice" in p["docProps/app.xml"],
        ),
        Entry(
            "excel",
            excel,
            "Excel 365 markup (mc:AlternateContent, mc:Ignorable, x14ac:dyDescent, "
            "xr:uid, xr:revisionPtr) with pivot table, external link, threaded comment, chart, table, VBA",
            True,
            lambda p: (
                b"mc:AlternateContent" in p[wb]
                and b"x14ac:dyDescent" in p[s1]
                and b"xr:uid" in p[s1]
                and {
                    "xl/pivotTables/pivotTable1.xml",
                    "xl/externalLinks/externalLink1.xml",
                    "xl/threadedComments/threadedComment1.xml",
                    "xl/vbaProject.bin",
                    "xl/charts/chart1.xml",
                    "xl/tables/table1.xml",
                }
                <= set(p)
            ),
        ),
        Entry(
            "sdk-prefixed",
            sdk_prefixed(excel, folder),
            "Open XML SDK style: x:-prefixed SpreadsheetML, xmlns:r declared per element",
            True,
            lambda p: (
                b"<x:sheetData>" in p[s1] and b"<x:sheet xmlns:r=" in p[wb] and f'xmlns="{MAIN}"'.encode() not in p[s1]
            ),
        ),
        Entry(
            "ohne-zellbezug",
            without_cell_refs(excel, folder),
            "cells without r= (position implied)",
            True,
            lambda p: (
                re.search(rb"<c[ >]", p[s1]) is not None and re.search(rb"<c(?![^>]*\sr=)[^>]*>", p[s1]) is not None
            ),
        ),
        Entry(
            "inline-strings",
            inline_strings(excel, folder),
            "text as inline strings, not shared",
            True,
            _has(s1, b't="inlineStr"', absent=(b't="s"',)),
        ),
        Entry(
            "crlf-bom",
            crlf_bom(excel, folder),
            "UTF-8 BOM and CRLF line ends in every XML part",
            True,
            lambda p: (
                p[s1].startswith(b"\xef\xbb\xbf") and b"</row>\r\n" in p[s1] and p[wb].startswith(b"\xef\xbb\xbf")
            ),
        ),
        Entry(
            "offen-geschlossen",
            open_close(excel, folder),
            "empty elements as open/close pairs "
            "(<dimension …></dimension>, <sheet …></sheet>, <Relationship …></Relationship>)",
            True,
            lambda p: (
                b"</dimension>" in p[s1]
                and b"</sheet>" in p[wb]
                and b"</Relationship>" in p["xl/_rels/workbook.xml.rels"]
            ),
        ),
        Entry(
            "strict",
            strict(excel, folder),
            "Strict Open XML: refused cleanly",
            True,
            _has(wb, b'conformance="strict"', b"purl.oclc.org"),
            refused=True,
        ),
    ]
    return entries
