"""Packaging the built workbook as a real macro-enabled workbook (.xlsm) that Excel accepts.

openpyxl writes the sheets (it cannot write VBA, shapes or a ribbon); this module turns its
package into an `.xlsm` the way Excel itself would have saved it:

- the workbook part gets the macro-enabled content type (an `.xlsx` renamed to `.xlsm` keeps
  the wrong one, and Excel refuses to open that);
- the VBA project comes from pyOpenVBA's `add_vba_project`, which starts from a project Excel
  itself wrote and adds it as Excel does for a first macro: document modules named by the
  sheets' code names, `vbaProject.bin` related from `workbook.xml.rels` with the vbaProject
  relationship type, its content type registered;
- our modules from `xl_macros/` (the source of truth) plus xlwings' standalone VBA — the
  `xlwings` module and its `Dictionary` class, both taken from the INSTALLED xlwings package,
  so the VBA always matches the Python side (SPEC §7), exactly as xlwings' quickstart ships
  them for a standalone workbook;
- the ribbon (`customUI/customUI14.xml`, related from `_rels/.rels`) and sheet buttons
  (DrawingML shapes with a macro assigned, which LibreOffice shows too);
- reproducible bytes: no timestamps in `docProps/core.xml`, fixed zip entry times, fixed order,
  so the committed `workbook/Kundenliste.xlsm` only changes when its content does.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import importlib.util
import io
import re
import sysconfig
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

from ..core.errors import KundenlisteError
from .package import REL_NS, escape, rels_name, sheet_parts

MACRO_CONTENT_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
PLAIN_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
VBA_REL_TYPE = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
#: customUI14.xml (Office 2010 schema) is related with the 2007 type; customUI.xml with 2006.
UI_REL_TYPE = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
UI_PART = "customUI/customUI14.xml"
DRAWING_REL_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/drawing"
DRAWING_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.drawing+xml"
#: Zip entry time of every part (the zip format cannot say "no time"; this is its epoch).
FIXED_TIME = (1980, 1, 1, 0, 0, 0)

#: The VBA modules of the standalone xlwings, as xlwings' standalone quickstart has them, plus
#: those `xlwings release` adds for xlwings Server (cli.import_remote_modules): `Remote`
#: (RunServerPython) and the VBA-Web classes it sends with.  Module name → file in the package.
XLWINGS_MODULES = {
    "xlwings": "xlwings.bas",
    "Dictionary": "addin/Dictionary.cls",
    "Remote": "addin/Remote.bas",
    "IWebAuthenticator": "addin/IWebAuthenticator.cls",
    "WebClient": "addin/WebClient.cls",
    "WebRequest": "addin/WebRequest.cls",
    "WebResponse": "addin/WebResponse.cls",
    "WebHelpers": "addin/WebHelpers.bas",
}


@dataclass(frozen=True)
class VbaModule:
    """One VBA component: `standard` (.bas), `class` (.cls) or `document` (ThisWorkbook, sheets)."""

    name: str
    kind: str
    source: str


@dataclass(frozen=True)
class Button:
    """A sheet button: a rounded rectangle that runs `macro`; position and size in points."""

    label: str
    macro: str
    left: float
    top: float
    width: float
    height: float


# --------------------------------------------------------------------------------------------
# The VBA sources
# --------------------------------------------------------------------------------------------

def macro_dir() -> Path:
    """Where our VBA lives: `xl_macros/` of the source tree, or its installed copy.

    The build runs from a checkout (`make workbook`, the editable install); an installed wheel
    carries the same files as data files in `<prefix>/share/kundenliste-tools/xl_macros`
    (pyproject.toml), per-user installs under the user scheme's data path.
    """
    package = Path(__file__).resolve().parents[1]
    candidates = [package.parents[1] / "xl_macros", package / "vba"]
    schemes = [sysconfig.get_default_scheme(), sysconfig.get_preferred_scheme("user")]
    for scheme in schemes:
        with contextlib.suppress(KeyError, ValueError):
            candidates.append(Path(sysconfig.get_path("data", scheme)) / "share" / "kundenliste-tools" / "xl_macros")
    for candidate in candidates:
        if (candidate / "ThisWorkbook.cls").is_file():
            return candidate
    raise KundenlisteError(
        "Die VBA-Quelltexte (Ordner xl_macros) wurden nicht gefunden; bitte kundenliste-tools neu installieren.")


def _read_text(path: Path) -> str:
    return path.read_text(encoding="utf-8").replace("\r\n", "\n").replace("\r", "\n")


def _strip_vbe_header(source: str) -> str:
    """The body of an exported module: without `VERSION/BEGIN…END` and `Attribute VB_*` lines.

    pyOpenVBA writes the attribute header each kind of module needs; the body is ours.
    """
    lines = source.split("\n")
    i = 0
    if lines and lines[0].startswith("VERSION "):
        while i < len(lines) and lines[i].strip() != "END":
            i += 1
        i += 1
    while i < len(lines) and lines[i].startswith("Attribute VB_"):
        i += 1
    return "\n".join(lines[i:])


def our_modules(folder: Path | None = None) -> list[VbaModule]:
    """Our VBA from `xl_macros/`: ThisWorkbook (document module), each `.bas`, other `.cls`."""
    folder = folder or macro_dir()
    modules = [VbaModule("ThisWorkbook", "document", _strip_vbe_header(_read_text(folder / "ThisWorkbook.cls")))]
    for path in sorted(folder.glob("*.bas")):
        modules.append(VbaModule(path.stem, "standard", _strip_vbe_header(_read_text(path))))
    for path in sorted(folder.glob("*.cls")):
        if path.stem != "ThisWorkbook":
            modules.append(VbaModule(path.stem, "class", _strip_vbe_header(_read_text(path))))
    return modules


def xlwings_dir() -> Path:
    """The installed xlwings package's folder, found without importing xlwings (files ring)."""
    spec = importlib.util.find_spec("xlwings")
    if spec is None or spec.origin is None:
        raise KundenlisteError("xlwings ist nicht installiert; bitte kundenliste-tools neu installieren.")
    return Path(spec.origin).resolve().parent


def xlwings_version() -> str:
    """The version of the installed xlwings distribution (pinned in pyproject.toml)."""
    return importlib.metadata.version("xlwings")


def xlwings_vba_version(source: str) -> str | None:
    """The version the xlwings VBA module declares (`Public Const XLWINGS_VERSION = "…"`)."""
    m = re.search(r'XLWINGS_VERSION\s+As\s+String\s*=\s*"([^"]+)"', source)
    return m.group(1) if m else None


def xlwings_modules() -> list[VbaModule]:
    """xlwings' standalone VBA from the installed package; refuses a module of another version."""
    base, version = xlwings_dir(), xlwings_version()
    modules = []
    for name, rel in XLWINGS_MODULES.items():
        path = base / rel
        if not path.is_file():
            raise KundenlisteError(f"Im installierten xlwings {version} fehlt {rel}.")
        kind = "standard" if path.suffix == ".bas" else "class"
        modules.append(VbaModule(name, kind, _strip_vbe_header(_read_text(path))))
    found = xlwings_vba_version(modules[0].source)
    if found != version:
        raise KundenlisteError(
            f"Das xlwings-VBA-Modul hat Version {found}, das Python-Paket xlwings {version}; "
            "beide müssen gleich sein. Bitte xlwings neu installieren.")
    return modules


def all_modules() -> list[VbaModule]:
    """Every VBA module of the workbook: ours, then xlwings'."""
    return our_modules() + xlwings_modules()


# --------------------------------------------------------------------------------------------
# Package parts
# --------------------------------------------------------------------------------------------

def _read_zip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: z.read(name) for name in z.namelist()}


def _write_zip(parts: Mapping[str, bytes]) -> bytes:
    """Deterministic zip: content types first, then the parts sorted, fixed times."""
    order = ["[Content_Types].xml"] + sorted(n for n in parts if n != "[Content_Types].xml")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name in order:
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            z.writestr(info, parts[name])
    return buf.getvalue()


def _text(parts: Mapping[str, bytes], name: str) -> str:
    return parts[name].decode("utf-8")


def _attrs(tag: str) -> dict[str, str]:
    return dict(re.findall(r'([\w:]+)="([^"]*)"', tag))


def _add_relationship(parts: dict[str, bytes], source_part: str, rel_type: str, target: str) -> str:
    """Append a relationship to `source_part`'s rels (created if missing); returns its id."""
    name = rels_name(source_part)
    text = _text(parts, name) if name in parts else (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>')
    taken = {int(n) for n in re.findall(r'\bId="rId(\d+)"', text)}
    rid = f"rId{max(taken, default=0) + 1}"
    rel = f'<Relationship Id="{rid}" Type="{rel_type}" Target="{target}"/>'
    parts[name] = text.replace("</Relationships>", rel + "</Relationships>", 1).encode("utf-8")
    return rid


def _add_override(parts: dict[str, bytes], part: str, content_type: str) -> None:
    text = _text(parts, "[Content_Types].xml")
    override = f'<Override PartName="/{part}" ContentType="{content_type}"/>'
    parts["[Content_Types].xml"] = text.replace("</Types>", override + "</Types>", 1).encode("utf-8")


def _macro_enabled(parts: dict[str, bytes]) -> None:
    """The workbook part as a macro-enabled workbook (what Excel checks before anything else)."""
    text = _text(parts, "[Content_Types].xml")
    new, n = re.subn(r'(<Override\b[^>]*PartName="/xl/workbook\.xml"[^>]*ContentType=")[^"]*(")',
                     rf"\g<1>{MACRO_CONTENT_TYPE}\g<2>", text)
    if n != 1:
        raise KundenlisteError("Interner Fehler: der Inhaltstyp der Arbeitsmappe fehlt im Paket.")
    parts["[Content_Types].xml"] = new.encode("utf-8")


def _without_timestamps(parts: dict[str, bytes]) -> None:
    """No creation/modification time in the document properties: the build is reproducible."""
    core = "docProps/core.xml"
    if core in parts:
        text = re.sub(r"<dcterms:(created|modified)\b[^>]*>[^<]*</dcterms:\1>", "", _text(parts, core))
        parts[core] = text.encode("utf-8")


def _add_ribbon(parts: dict[str, bytes], xml: bytes) -> None:
    parts[UI_PART] = xml
    _add_relationship(parts, "", UI_REL_TYPE, UI_PART)


# --------------------------------------------------------------------------------------------
# Sheet buttons (DrawingML shapes with a macro)
# --------------------------------------------------------------------------------------------

EMU_PER_PT = 12700
EMU_PER_PX = 9525


def _column_px(width_chars: float) -> int:
    """Excel's pixel width of a column `width` (Calibri 11: maximum digit width 7 px)."""
    return int(((256 * width_chars + int(128 / 7)) / 256) * 7)


@dataclass(frozen=True)
class _Grid:
    """Column widths and row heights of a sheet, in EMU, to anchor shapes to cells as Excel does."""

    cols: dict[int, int]
    default_col: int
    rows: dict[int, int]
    default_row: int

    def locate(self, emu: int, across: bool) -> tuple[int, int]:
        """(0-based column or row, offset in EMU inside it) of a position from the sheet's corner."""
        sizes, default = (self.cols, self.default_col) if across else (self.rows, self.default_row)
        index = 0
        while True:
            size = sizes.get(index, default)
            if emu < size or size <= 0:
                return index, max(emu, 0)
            emu -= size
            index += 1


def _grid(sheet_xml: str) -> _Grid:
    fmt = re.search(r"<sheetFormatPr\b[^>]*>", sheet_xml)
    fa = _attrs(fmt.group()) if fmt else {}
    default_col = _column_px(float(fa.get("defaultColWidth", fa.get("baseColWidth", 8.43)) or 8.43)) * EMU_PER_PX
    default_row = int(float(fa.get("defaultRowHeight", 15)) * EMU_PER_PT)
    cols: dict[int, int] = {}
    for tag in re.findall(r"<col\b[^>]*>", sheet_xml):
        a = _attrs(tag)
        width = _column_px(float(a.get("width", 8.43))) * EMU_PER_PX
        for c in range(int(a["min"]), min(int(a["max"]), 200) + 1):
            cols[c - 1] = width
    rows = {int(a["r"]) - 1: int(float(a["ht"]) * EMU_PER_PT)
            for a in map(_attrs, re.findall(r"<row\b[^>]*>", sheet_xml)) if "ht" in a}
    return _Grid(cols, default_col, rows, default_row)


def _corner(which: str, grid: _Grid, x: int, y: int) -> str:
    col, col_off = grid.locate(x, across=True)
    row, row_off = grid.locate(y, across=False)
    return (f"<xdr:{which}><xdr:col>{col}</xdr:col><xdr:colOff>{col_off}</xdr:colOff>"
            f"<xdr:row>{row}</xdr:row><xdr:rowOff>{row_off}</xdr:rowOff></xdr:{which}>")


def drawing_xml(buttons: Sequence[Button], grid: _Grid) -> str:
    """The drawing part: one rounded rectangle per button, `macro="[0]!Name"` as Excel writes it.

    A oneCellAnchor: the top-left corner sits in a cell (worked out from the sheet's own column
    widths, as Excel measures them), the size is absolute. So every button keeps its size in
    every program, whatever width the program gives a column, and none is squeezed when a
    column is narrowed.
    """
    anchors = []
    for i, b in enumerate(buttons):
        x, y = round(b.left * EMU_PER_PT), round(b.top * EMU_PER_PT)
        cx, cy = round(b.width * EMU_PER_PT), round(b.height * EMU_PER_PT)
        label, macro = escape(b.label, quote=True), escape(b.macro, quote=True)
        anchors.append(
            "<xdr:oneCellAnchor>"
            f'{_corner("from", grid, x, y)}<xdr:ext cx="{cx}" cy="{cy}"/>'
            f'<xdr:sp macro="[0]!{macro}" textlink="">'
            f'<xdr:nvSpPr><xdr:cNvPr id="{i + 2}" name="Knopf {label}" descr="Knopf: {label} (Makro {macro})"/>'
            '<xdr:cNvSpPr/></xdr:nvSpPr>'
            f'<xdr:spPr><a:xfrm><a:off x="{x}" y="{y}"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>'
            '<a:prstGeom prst="roundRect"><a:avLst/></a:prstGeom>'
            '<a:solidFill><a:srgbClr val="F2F2F2"/></a:solidFill>'
            '<a:ln w="12700"><a:solidFill><a:srgbClr val="BDD7EE"/></a:solidFill></a:ln></xdr:spPr>'
            '<xdr:txBody><a:bodyPr vertOverflow="clip" horzOverflow="clip" wrap="none" lIns="36000" tIns="0" '
            'rIns="36000" bIns="0" rtlCol="0" anchor="ctr"/><a:lstStyle/>'
            '<a:p><a:pPr algn="ctr"/><a:r><a:rPr lang="de-DE" sz="1000" b="1">'
            '<a:solidFill><a:srgbClr val="1F4E78"/></a:solidFill></a:rPr>'
            f"<a:t>{label}</a:t></a:r></a:p></xdr:txBody></xdr:sp><xdr:clientData/></xdr:oneCellAnchor>")
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" '
            'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">' + "".join(anchors) + "</xdr:wsDr>")


#: Elements a worksheet may have after <drawing> (schema order); <drawing> goes before the first.
_AFTER_DRAWING = ("legacyDrawing", "legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls",
                  "webPublishItems", "tableParts", "extLst")


def _add_buttons(parts: dict[str, bytes], sheet: str, buttons: Sequence[Button]) -> None:
    part = sheet_parts(parts)[sheet]
    xml = _text(parts, part)
    if "<drawing " in xml:
        raise KundenlisteError(f"Interner Fehler: Blatt {sheet} hat schon eine Zeichnung.")
    n = 1 + sum(1 for name in parts if re.fullmatch(r"xl/drawings/drawing\d+\.xml", name))
    drawing = f"xl/drawings/drawing{n}.xml"
    parts[drawing] = drawing_xml(buttons, _grid(xml)).encode("utf-8")
    _add_override(parts, drawing, DRAWING_CONTENT_TYPE)
    rid = _add_relationship(parts, part, DRAWING_REL_TYPE, f"/{drawing}")
    element = f'<drawing xmlns:r="{REL_NS}" r:id="{rid}"/>'
    at = min((i for i in (xml.find(f"<{t}") for t in _AFTER_DRAWING) if i >= 0), default=xml.rfind("</worksheet>"))
    parts[part] = (xml[:at] + element + xml[at:]).encode("utf-8")


# --------------------------------------------------------------------------------------------
# The VBA project
# --------------------------------------------------------------------------------------------

def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def _with_vba(package: bytes, modules: Sequence[VbaModule]) -> bytes:
    """The package with a VBA project holding `modules`, added as Excel adds a first macro."""
    from pyopenvba import ExcelFile
    from pyopenvba.vba import VBAModuleKind

    with tempfile.TemporaryDirectory(prefix="kl-xlsm-") as tmp:
        src, out = Path(tmp) / "in.xlsm", Path(tmp) / "out.xlsm"
        src.write_bytes(package)
        with ExcelFile(src) as book:
            project = book.add_vba_project()
            for m in modules:
                body = _crlf(m.source)
                if m.kind == "document":
                    book.set_module(m.name, body)
                elif m.kind == "standard":
                    project.add_module(m.name, f'Attribute VB_Name = "{m.name}"\r\n' + body)
                else:
                    project.add_module(m.name, body, kind=VBAModuleKind.other)
            book.save(out)
        with ExcelFile(out) as book:
            problems = book.validate()
        if problems:
            raise KundenlisteError("Interner Fehler im VBA-Projekt: " + "; ".join(problems))
        return out.read_bytes()


# --------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------

def package_xlsm(xlsx: bytes, *, buttons: Mapping[str, Sequence[Button]] | None = None,
                 ribbon: bool = True, modules: Sequence[VbaModule] | None = None) -> bytes:
    """Turn openpyxl's `.xlsx` bytes into the bytes of a macro-enabled workbook."""
    parts = _read_zip(xlsx)
    _macro_enabled(parts)
    _without_timestamps(parts)
    if ribbon:
        _add_ribbon(parts, (macro_dir() / "customUI14.xml").read_bytes())
    for sheet, sheet_buttons in (buttons or {}).items():
        _add_buttons(parts, sheet, sheet_buttons)
    with_vba = _with_vba(_write_zip(parts), all_modules() if modules is None else modules)
    return _write_zip(_read_zip(with_vba))
