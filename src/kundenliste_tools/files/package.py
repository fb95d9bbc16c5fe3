"""The xlsx package: what every writer and reader of a workbook file needs to know about it.

One place for each piece of knowledge, so that the lossless writer (`patch`), the template and
`.xlsm` builder (`template`, `xlsm`), the export writer (`export`) and the reader's sheet scan
(`sheetfacts`) cannot drift apart:

* part names: a part's relationships part, a relationship target resolved to a part name, and
  which part holds which sheet (`read_sheets`, `sheet_parts`), read as Excel does: the workbook
  part found through `_rels/.rels`, part names compared without case, any namespace prefix;
* XML escaping (`escape`, and `xml_escape` that refuses characters XML cannot carry);
* A1 references (`a1_ref`, `parse_ref`) on top of the core's column converters;
* the Excel epoch (`excel_serial`), the core's `EXCEL_EPOCH`;
* writing a file atomically (`write_atomically`, `stage`): see `files.atomic`, re-exported here.

Decision: the column converters and the epoch stay in the core (`core.book`, `core.values`),
where the reading side needs them too; this module only builds on them, so that files/ holds
no second copy.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from dataclasses import dataclass
from typing import Mapping, Protocol
from xml.etree import ElementTree

from ..core.cells import EXCEL_EPOCH, column_index, column_letter
from ..core.errors import WorkbookUnreadable
from .atomic import (
    TEMP_HOST,
    TEMP_SUFFIX,
    lock_files,
    lock_program,
    remove_leftovers,
    removed_on_failure,
    stage,
    write_atomically,
)

__all__ = [
    "CONTENT_TYPES_NS", "MAIN_NS", "PKG_REL_NS", "REL_NS", "STRICT_MAIN_NS", "TEMP_HOST", "TEMP_SUFFIX", "Parts",
    "Sheet", "SheetList", "a1_ref", "column_index", "column_letter", "escape", "excel_serial", "lock_files",
    "lock_program", "parse_ref", "parts_of", "read_sheets", "rels_name", "remove_leftovers", "removed_on_failure",
    "resolve", "sheet_parts", "stage", "write_atomically", "xml_escape",
]

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT_MAIN_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
_OFFICE_DOCUMENT = "/officeDocument"


# ---------------------------------------------------------------------------------------------
# XML escaping

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def escape(text: str, quote: bool = False) -> str:
    """`&`, `<`, `>` (and with `quote` `"`, for attribute values) as entities; nothing checked.

    The export's hot loop calls this for every text cell after removing what XML cannot
    carry; writers that must not lose a character use `xml_escape`.
    """
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace('"', "&quot;") if quote else text


def xml_escape(text: str, quote: bool = False) -> bytes:
    """`escape` as UTF-8 bytes, refusing control characters: they cannot be written as XML, and
    dropping them silently would change the user's data."""
    if _INVALID_XML.search(text):
        raise ValueError(f"text with control characters cannot be written: {text!r}")
    return escape(text, quote).encode("utf-8")


# ---------------------------------------------------------------------------------------------
# A1 references (1-based rows and columns, as in the sheet XML)

_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


def parse_ref(ref: str) -> tuple[int, int]:
    """`B7` (or `$B$7`) → (7, 2): row and column, both 1-based."""
    m = _REF.match(ref.strip())
    if not m:
        raise ValueError(f"not a cell reference: {ref!r}")
    return int(m.group(2)), column_index(m.group(1)) + 1


def a1_ref(row: int, col: int) -> str:
    """(7, 2) → `B7`: row and column 1-based."""
    return f"{column_letter(col - 1)}{row}"


# ---------------------------------------------------------------------------------------------
# The Excel epoch

_EPOCH_DAY = EXCEL_EPOCH.date()


def excel_serial(day: dt.date) -> int:
    """A date as the day number Excel stores for it (1900 date system: 1900-01-01 → 1)."""
    return (day - _EPOCH_DAY).days


# ---------------------------------------------------------------------------------------------
# Part names


def rels_name(part: str) -> str:
    """`xl/workbook.xml` → `xl/_rels/workbook.xml.rels`; `""` (the package) → `_rels/.rels`."""
    return posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")


def resolve(source_part: str, target: str) -> str:
    """A relationship's `Target` of `source_part` as a part name (absolute targets start at `/`)."""
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(posixpath.dirname(source_part), target))


class Parts(Protocol):
    """What reading the sheet list needs of a package: find a part by name, read it."""

    def find(self, part: str) -> str | None:
        """The entry name of a part, or None (part names compare without case)."""
        ...

    def read(self, name: str) -> bytes:
        """The content of the entry `name` (as `find` returned it)."""
        ...


class _Entries:
    """A zip file or a dict of parts seen as `Parts` (part names compared without case, as OPC
    wants)."""

    def __init__(self, source: zipfile.ZipFile | Mapping[str, bytes]):
        self.source = source
        names = source.namelist() if isinstance(source, zipfile.ZipFile) else list(source)
        self.by_lower = {n.lower(): n for n in names}

    def find(self, part: str) -> str | None:
        """See `Parts.find`."""
        return self.by_lower.get(part.lstrip("/").lower())

    def read(self, name: str) -> bytes:
        """See `Parts.read`."""
        return self.source.read(name) if isinstance(self.source, zipfile.ZipFile) else self.source[name]


def parts_of(source: Parts | zipfile.ZipFile | Mapping[str, bytes]) -> Parts:
    """`source` as `Parts`: a `RawZip` already is one; a `ZipFile` or a dict of parts is wrapped."""
    if isinstance(source, (zipfile.ZipFile, Mapping)):
        return _Entries(source)
    return source


# ---------------------------------------------------------------------------------------------
# Sheet name → part


@dataclass
class Sheet:
    """One `<sheet>` of the workbook part and where its relationship points."""

    name: str
    sheet_id: int
    rid: str
    part: str | None  # zip entry name; None for a broken link
    kind: str  # relationship type's last segment: worksheet, chartsheet, …


@dataclass
class SheetList:
    """The workbook part, its relationships part and its sheets, in tab order."""

    workbook_part: str
    rels_part: str
    rel_ids: set[str]
    strict: bool  # Strict Open XML (another main namespace)
    sheets: list[Sheet]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(parts: Parts, name: str, label: str) -> list[ElementTree.Element]:
    real = parts.find(name)
    if real is None:
        return []
    try:
        return list(ElementTree.fromstring(parts.read(real)))
    except ElementTree.ParseError as exc:
        raise WorkbookUnreadable(f"„{label}“ ist beschädigt ({name}).") from exc


def read_sheets(source: Parts | zipfile.ZipFile | Mapping[str, bytes], label: str = "") -> SheetList:
    """The sheets of a package, as Excel finds them; a German `WorkbookUnreadable` when it cannot.

    The workbook part is the package's officeDocument (`xl/workbook.xml` as a rule), a sheet's
    relationship id is any namespaced `id` attribute (transitional or strict), and part names
    are matched without case.
    """
    parts = parts_of(source)
    target = next((r.get("Target", "") for r in _children(parts, "_rels/.rels", label)
                   if r.get("Type", "").endswith(_OFFICE_DOCUMENT)), "xl/workbook.xml")
    wb = parts.find(target)
    if wb is None:
        raise WorkbookUnreadable(f"„{label}“ ist beschädigt (Arbeitsmappen-Teil fehlt).")
    rels_part = parts.find(rels_name(wb))
    if rels_part is None:
        raise WorkbookUnreadable(f"„{label}“ ist beschädigt (Beziehungen der Arbeitsmappe fehlen).")
    rels = {r.get("Id"): r for r in _children(parts, rels_part, label)}
    try:
        root = ElementTree.fromstring(parts.read(wb))
    except ElementTree.ParseError as exc:
        raise WorkbookUnreadable(
            f"„{label}“ ist beschädigt ({wb} ist kein gültiges XML: {exc}). Excel kann die Mappe beim "
            "Öffnen reparieren; danach speichern und den Befehl noch einmal ausführen (oder die "
            "letzte Sicherungskopie „….bak.…“ verwenden). Es wurde nichts geändert.") from exc
    sheets: list[Sheet] = []
    listing = next((el for el in root if _local(el.tag) == "sheets"), None)
    for el in listing if listing is not None else ():
        if _local(el.tag) != "sheet":
            continue
        rid = next((v for k, v in el.attrib.items() if _local(k) == "id" and k.startswith("{")), "")
        rel = rels.get(rid)
        part = parts.find(resolve(wb, rel.get("Target", ""))) if rel is not None else None
        kind = rel.get("Type", "").rsplit("/", 1)[-1] if rel is not None else ""
        sheets.append(Sheet(el.get("name", ""), int(el.get("sheetId", "0") or 0), rid, part, kind))
    return SheetList(wb, rels_part, {i for i in rels if i}, root.tag.startswith("{" + STRICT_MAIN_NS),
                     sheets)


def sheet_parts(source: Parts | zipfile.ZipFile | Mapping[str, bytes], label: str = "") -> dict[str, str]:
    """Sheet name → its part (`xl/worksheets/sheet1.xml`), for every sheet whose part exists."""
    return {s.name: s.part for s in read_sheets(source, label).sheets if s.part is not None}
