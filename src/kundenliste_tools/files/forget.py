"""Forgetting shared strings that only erased cells used (`patch_workbook(forget_strings=True)`).

The lossless writer writes text as inline strings and never touches ``sharedStrings.xml``
(files/patch.py says why).  For an erasure that is not enough: a name blanked in its cell still
stands in the shared-string table, and whoever unzips the file reads it.  So when erasing, every
shared string that a cell we overwrite referenced, and that no cell left anywhere in the
workbook references, is emptied in place (``<si><t/></si>``): its index stays, so no reference
in any sheet has to be renumbered, and every other string and byte of the part stays as it was.
A string another cell still uses (a city two customers share) is kept for that cell.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable, Iterable, Mapping

from .package import MAIN_NS, PKG_REL_NS, REL_NS, resolve
from .xmlpart import XmlPart, splice, start_tag, unescape
from .zipraw import RawZip

SHARED_STRINGS_TYPE = REL_NS + "/sharedStrings"


def shared_strings_part(z: RawZip, workbook_part: str, rels_part: str) -> str | None:
    """The shared-string part of the workbook (from its relationships), or None."""
    rels = XmlPart(z.read(rels_part), rels_part)
    for el in rels.elements(PKG_REL_NS, "Relationship"):
        if (el.get(b"Type") or b"").decode() == SHARED_STRINGS_TYPE:
            return z.find(resolve(workbook_part, (el.get(b"Target") or b"").decode()))
    return None


_P = rb"(?:[A-Za-z_][\w.-]*:)?"  # any namespace prefix
_CELL_TAG = re.compile(rb"<" + _P + rb"c\s[^>]*>\s*$")
_T_S = re.compile(rb"""\st\s*=\s*["']s["']""")


def _cell_before(xml: bytes, pos: int) -> bytes | None:
    """The start tag of the shared-string cell whose `<v>` begins at `pos`, else None."""
    start = xml.rfind(b"<", 0, pos)
    tag = xml[start:pos]
    return tag if start >= 0 and _CELL_TAG.match(tag) and _T_S.search(tag) else None


_ANY_VALUE = re.compile(rb"<" + _P + rb"v(?:\s[^>]*)?>\s*(\d+)\s*<")
_STRING_ITEM = re.compile(rb"<" + _P + rb"si[\s/>]")


def unused_strings(sheet_xmls: Iterable[bytes], sst: bytes) -> set[int]:
    """Indices of the shared strings that no cell of the written sheets uses any more.

    Looked at after the edits: every overwritten cell is an inline string or blank now, so its
    old string is unused unless another cell still shows it (a city two customers share).
    One regular expression over the bytes, no element walk (a job centre's KundenDoku has
    millions of cells), and no cell reference needed: cells written without `r=` count as
    uses like any other.  Strings no cell used before either (left behind by another program)
    are unused too, and go with them: they may hold what an earlier deletion left."""
    used: set[int] = set()
    for xml in sheet_xmls:
        for m in _ANY_VALUE.finditer(xml):
            if _cell_before(xml, m.start()) is not None:
                used.add(int(m.group(1)))
    return set(range(len(_STRING_ITEM.findall(sst)))) - used


def blank_strings(xml: bytes, indices: set[int], label: str) -> bytes:
    """The shared-string table with the `<si>` items at `indices` emptied (same count)."""
    if not indices:
        return xml
    part = XmlPart(xml, label)
    ops = []
    for i, si in enumerate(part.elements(MAIN_NS, "si")):
        if i in indices:
            p = si.prefix
            ops.append((si.start, part.end(si), b"<" + p + b"si><" + p + b"t/></" + p + b"si>"))
    return splice(xml, ops)


def _texts_of(part: XmlPart, start: int, end: int) -> str:
    """The text of a string item or inline string: its `<t>` runs, phonetic guides left out."""
    pieces = []
    for t in part.elements(MAIN_NS, "t", start, end):
        if t.empty:
            continue
        inner = part.data[t.tag_end:part.inner_end(t)]
        pieces.append((t.start, inner))
    skip = [(r.start, part.end(r)) for r in part.elements(MAIN_NS, "rPh", start, end)]
    text = b"".join(inner for pos, inner in pieces if not any(a <= pos < b for a, b in skip))
    return unescape(text).decode("utf-8")


def shared_texts(xml: bytes, label: str) -> list[str]:
    """Every item of a shared-string table as text."""
    part = XmlPart(xml, label)
    return [_texts_of(part, si.tag_end, part.inner_end(si)) for si in part.elements(MAIN_NS, "si") if not si.empty]


def constant_texts(path: str | Path, skip: Callable[[str], bool]) -> dict[str, dict[str, str]]:
    """{sheet: {A1: text}} of every constant text cell of the worksheets not named in `skip`.

    A formula's cached text (`t="str"`) is listed too: where it shows an erased value, the
    writer drops the cached result and keeps the formula (`patch_sheet_xml(uncached=…)`);
    `skip(name)` leaves a sheet out.  The shared strings are read only when a cell needs them.
    Used to find an erased customer's values in sheets the model does not read (reports the
    tool wrote, a team's own lists).
    """
    from .package import read_sheets

    z = RawZip(Path(path).read_bytes(), Path(path).name)
    listing = read_sheets(z, Path(path).name)
    sst: list[str] | None = None

    def shared(index: int) -> str:
        nonlocal sst
        if sst is None:
            part_name = shared_strings_part(z, listing.workbook_part, listing.rels_part)
            sst = shared_texts(z.read(part_name), part_name) if part_name else []
        return sst[index] if index < len(sst) else ""

    out: dict[str, dict[str, str]] = {}
    for sheet in listing.sheets:
        if skip(sheet.name) or sheet.kind != "worksheet" or not sheet.part or not z.find(sheet.part):
            continue
        part = XmlPart(z.read(sheet.part), sheet.part)
        cells: dict[str, str] = {}
        for el in part.elements(MAIN_NS, "c"):
            kind, ref = el.get(b"t"), el.get(b"r")
            if el.empty or ref is None or kind not in (b"s", b"inlineStr", b"str"):
                continue
            end = part.inner_end(el)
            if part.first(MAIN_NS, "f", el.tag_end, end) is not None:
                if kind == b"str":  # a formula's cached text: erasing drops it (patch_sheet_xml)
                    v = part.first(MAIN_NS, "v", el.tag_end, end)
                    text = unescape(part.data[v.tag_end:part.inner_end(v)]).decode("utf-8") \
                        if v is not None and not v.empty else ""
                    if text.strip():
                        cells[ref.decode()] = text
                continue
            if kind == b"s":
                v = part.first(MAIN_NS, "v", el.tag_end, end)
                raw = part.data[v.tag_end:part.inner_end(v)].strip() if v is not None and not v.empty else b""
                text = shared(int(raw)) if raw.isdigit() else ""
            else:
                text = _texts_of(part, el.tag_end, end)
            if text.strip():
                cells[ref.decode()] = text
        if cells:
            out[sheet.name] = cells
    return out


# ----------------------------------------------------------------------------- notes

COMMENTS_TYPE = REL_NS + "/comments"
THREADED_TYPE = "http://schemas.microsoft.com/office/2017/10/relationships/threadedComment"
THREADED_NS = "http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments"
#: (element namespace, element name) of one note in each kind of part
_NOTE = {COMMENTS_TYPE: (MAIN_NS, "comment"), THREADED_TYPE: (THREADED_NS, "threadedComment")}


def _note_parts(z: RawZip, sheet_part: str) -> list[tuple[str, str]]:
    """(part, relationship type) of the notes and threaded comments of a worksheet."""
    from .package import rels_name

    rels = z.find(rels_name(sheet_part))
    if rels is None:
        return []
    out = []
    for el in XmlPart(z.read(rels), rels).elements(PKG_REL_NS, "Relationship"):
        kind = (el.get(b"Type") or b"").decode()
        if kind in _NOTE and el.get(b"TargetMode") != b"External":
            part = z.find(resolve(sheet_part, unescape(el.get(b"Target") or b"").decode()))
            if part:
                out.append((part, kind))
    return out


def _notes_in(xml: bytes, part_name: str, kind: str) -> list[tuple[int, str, object, object]]:
    """(ordinal, ref, XmlPart, `<text>` element) of every note of a part."""
    uri, local = _NOTE[kind]
    part = XmlPart(xml, part_name)
    out = []
    for i, el in enumerate(part.elements(uri, local)):
        text = part.first(uri, "text", el.tag_end, part.end(el)) if not el.empty else None
        out.append((i, (el.get(b"ref") or b"").decode(), part, text))
    return out


def note_texts(path: str | Path) -> dict[str, list[tuple[str, str, str]]]:
    """{sheet: [(key, A1, text)]} of every note and threaded comment; `key` names the note for
    `patch_workbook(notes=…)` (part and position, opaque to the caller)."""
    from .package import read_sheets

    z = RawZip(Path(path).read_bytes(), Path(path).name)
    out: dict[str, list[tuple[str, str, str]]] = {}
    for sheet in read_sheets(z, Path(path).name).sheets:
        if sheet.kind != "worksheet" or not sheet.part or not z.find(sheet.part):
            continue
        for part_name, kind in _note_parts(z, sheet.part):
            for i, ref, part, text in _notes_in(z.read(part_name), part_name, kind):
                if text is None or text.empty or not ref:
                    continue
                if kind == COMMENTS_TYPE:
                    value = _texts_of(part, text.tag_end, part.inner_end(text))
                else:
                    value = unescape(part.data[text.tag_end:part.inner_end(text)]).decode("utf-8")
                if value.strip():
                    out.setdefault(sheet.name, []).append((f"{part_name}|{i}", ref, value))
    return out


def rewrite_notes(z: RawZip, notes: Mapping[str, str]) -> dict[str, bytes]:
    """The note parts with the texts of `notes` ({key: new text}) replaced, formatting dropped
    (the text of a changed note is one plain run)."""
    from .package import xml_escape

    by_part: dict[str, dict[int, str]] = {}
    for key, value in notes.items():
        part_name, _, index = key.rpartition("|")
        by_part.setdefault(part_name, {})[int(index)] = value
    out = {}
    for part_name, edits in by_part.items():
        xml = z.read(part_name)
        kind = THREADED_TYPE if b"threadedComment" in xml[:2000] else COMMENTS_TYPE
        ops = []
        for i, _ref, part, text in _notes_in(xml, part_name, kind):
            if i not in edits or text is None:
                continue
            escaped = xml_escape(edits[i])
            if kind == COMMENTS_TYPE:
                p = text.prefix
                inner = b"<" + p + b't xml:space="preserve">' + escaped + b"</" + p + b"t>"
            else:
                inner = escaped
            ops.append((text.start, part.end(text), start_tag(text, empty=False) + inner + b"</" + text.qname + b">"))
        out[part_name] = splice(xml, ops)
    return out


# ----------------------------------------------------------------------------- afterwards

#: Where a copy of cell values can stay that the erasure does not rewrite, and what the user does.
_LEFTOVER_HINTS = (
    ("xl/pivotCache/", "Zwischenspeicher einer Pivot-Tabelle: die Pivot-Tabelle in Excel aktualisieren "
                       "(Daten → Alle aktualisieren) und speichern"),
    ("xl/charts/", "Zwischenspeicher eines Diagramms: die Mappe in Excel öffnen und speichern"),
    ("docProps/", "Dokumenteigenschaften: in Excel unter Datei → Informationen → Eigenschaften entfernen"),
    ("xl/workbook.xml", "Namen der Mappe: in Excel unter Formeln → Namens-Manager entfernen"),
    ("xl/externalLinks/", "Verknüpfung zu einer anderen Datei: unter Daten → Verknüpfungen bearbeiten lösen"),
)
#: Parts the erasure itself rewrites (sheets, shared strings, notes), and tables, which hold
#: only column names (a surname such as "Abschluss" is also the header "Abschluss am"): not
#: looked at here.
_REWRITTEN = re.compile(r"xl/(worksheets/|sharedStrings\.xml$|comments|threadedComments/|tables/)")


def copies_left(path: str | Path, values: list[str]) -> list[tuple[str, str]]:
    """(part, German hint) for each part of the written workbook that still holds one of `values`
    as whole words in canonical form: the copies Excel keeps beside the cells (pivot and chart
    caches, document properties, defined names), which a lossless erase does not rewrite, so the
    user is told where they are and how to clear them instead of believing the file is clean."""
    from xml.etree import ElementTree

    from ..core.canonical import canonical

    needles = [n for n in {canonical(v) for v in values if v and len(v.strip()) >= 3} if n]
    if not needles:
        return []
    pattern = re.compile(r"(?<![0-9a-z])(?:" + "|".join(re.escape(n) for n in sorted(needles)) + r")(?![0-9a-z])")
    z = RawZip(Path(path).read_bytes(), Path(path).name)
    out = []
    for entry in z.entries:
        name = entry.name
        if not name.endswith((".xml", ".rels")) or _REWRITTEN.match(name):
            continue
        try:
            root = ElementTree.fromstring(z.read(name))
        except ElementTree.ParseError:
            continue
        text = " ".join(piece for el in root.iter() for piece in (el.text or "", el.tail or "", *el.attrib.values()))
        if pattern.search(canonical(text)):
            hint = next((h for prefix, h in _LEFTOVER_HINTS if name.startswith(prefix)), "ein Teil der Datei")
            out.append((name, hint))
    return out
