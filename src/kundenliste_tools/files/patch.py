"""The lossless writer: the one way any command writes into a team's own workbook.

A team's workbook carries things no library round-trips faithfully: the VBA project, ribbon,
buttons and drawings, charts, notes, validations, conditional formats, tables, defined names.
Loading it with openpyxl and saving it again silently drops or rewrites some of them.  So we
never re-save a workbook; we patch the zip package:

* every zip entry we do not need to change is copied as its raw compressed bytes (local header,
  data, descriptor), in the same order under the same name; its central-directory record is
  copied too, only the offset field is updated;
* in a sheet we edit, only the touched ``<c>`` elements (and, where the sheet grows, the
  ``<dimension>`` ref and a row's ``spans`` hint) change; every other byte of the sheet XML
  stays as it was;
* text is written as inline strings (``t="inlineStr"``), so ``sharedStrings.xml`` is never
  touched (decision: the shared-string table is shared by every sheet, and rewriting it would
  mean renumbering references all over the workbook; Excel turns inline strings into shared
  ones on its next save).  A cell keeps its style index ``s``;
* only when a sheet has to be added (the hidden `ID-Register`) do ``workbook.xml``, its
  relationships and ``[Content_Types].xml`` get one new element each, appended at the end, so
  sheet indexes used by defined names and the active tab stay valid;
* document properties are left alone (decision: Excel updates them on its next save; the
  fewer parts we touch, the less can go wrong).  ``fullCalcOnLoad`` is not set either: the
  tool only writes constants, and formulas that depend on them recalculate with the next edit
  or F9.

Safety (SPEC §9): the new file is written to a temporary file in the same folder, flushed and
fsynced, checked (it opens as a zip, every rewritten part passes its CRC), then a dated backup
of the original is written beside it and the temporary file replaces the original atomically
(`os.replace`).  Any failure before that leaves the original untouched and removes the
temporary file.  We refuse while Excel (``~$name``) or LibreOffice (``.~lock.name#``) has the
file open, when the file or its folder is read-only, and for encrypted workbooks (decision:
re-encrypting would rewrite the whole file with msoffcrypto's own parameters; in Excel, the
buttons work on encrypted workbooks because Excel decrypts them itself).

Backups are named ``<name>.<JJJJ-MM-TT>T<hhmm>.bak.<ext>`` beside the file, e.g.
``Kundenliste.2026-11-23T0215.bak.xlsm`` (local time, no colons so Windows accepts it, the real
extension last so a double-click opens it in Excel); a second backup in the same minute gets
``-2``, ``-3`` … before ``.bak``.
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import io
import math
import os
import posixpath
import re
import stat
import struct
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Literal, Mapping, Sequence
from xml.etree import ElementTree

from ..core.errors import WorkbookBusy, WorkbookUnreadable
from ..core.model import normalize_key
from .reader import open_bytes, sniff

Value = str | int | float | bool | None
SheetState = Literal["visible", "hidden", "veryHidden"]

WORKSHEET_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
WORKSHEET_CONTENT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
OFFICE_DOCUMENT = "/officeDocument"
STRICT_MAIN = "http://purl.oclc.org/ooxml/spreadsheetml/main"


@dataclass(frozen=True)
class Append:
    """Rows to add below the last row holding a value of a sheet.

    If the sheet does not exist it is created (as the last sheet, in `state`) with `header` in
    row 1; an existing sheet with no value at all gets the header first too.
    """

    rows: Sequence[Sequence[Value]]
    header: Sequence[Value] = ()
    state: SheetState = "hidden"


@dataclass
class PatchResult:
    """What a patch did, for the door to report (and the tests to check)."""

    path: Path
    backup: Path | None = None
    cells: dict[str, list[str]] = field(default_factory=dict)  # sheet name → A1 refs written
    changed_parts: list[str] = field(default_factory=list)  # zip entries rewritten
    added_parts: list[str] = field(default_factory=list)  # zip entries added
    added_sheets: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Refusals: open in Excel, read-only, encrypted, not a workbook


def lock_files(path: Path) -> list[Path]:
    """Lock files that say someone has `path` open: Excel's ``~$`` owner file, LibreOffice's."""
    name = path.name
    candidates = [f"~${name}", f".~lock.{name}#"]
    if len(name) > 2:
        candidates.append(f"~${name[2:]}")  # Office shortens long names this way
    return [path.parent / c for c in candidates if (path.parent / c).exists()]


def check_writable(path: str | Path) -> Path:
    """Raise a German `WorkbookBusy`/`WorkbookUnreadable` unless we may patch `path` now.

    Returns the real path (symlinks resolved, so the link itself survives the replace).
    """
    path = Path(os.path.realpath(path))
    if not path.exists():
        raise WorkbookUnreadable(f"Die Datei „{path}“ gibt es nicht.")
    if path.is_dir():
        raise WorkbookUnreadable(f"„{path}“ ist ein Ordner, keine Arbeitsmappe.")
    for lock in lock_files(path):
        program = "LibreOffice" if lock.name.startswith(".~lock.") else "Excel"
        raise WorkbookBusy(
            f"„{path.name}“ ist gerade in {program} geöffnet (Sperrdatei „{lock.name}“). Bitte die "
            f"Arbeitsmappe schließen und den Befehl noch einmal ausführen. Ist sie nirgends geöffnet, "
            f"ist „{lock.name}“ ein Überbleibsel (etwa nach einem Absturz) und darf gelöscht werden."
        )
    mode = path.stat().st_mode
    if not mode & stat.S_IWUSR or not os.access(path, os.W_OK):
        raise WorkbookBusy(
            f"„{path.name}“ ist schreibgeschützt. Bitte den Schreibschutz aufheben (Datei → "
            "Eigenschaften) oder eine beschreibbare Kopie verwenden; es wurde nichts geändert."
        )
    if not os.access(path.parent, os.W_OK):
        raise WorkbookBusy(
            f"Im Ordner „{path.parent}“ darf nicht geschrieben werden; dort entstehen die neue "
            "Fassung und die Sicherungskopie. Es wurde nichts geändert."
        )
    kind = sniff(path)
    if kind == "encrypted":
        raise WorkbookBusy(
            f"„{path.name}“ ist mit einem Kennwort verschlüsselt. In verschlüsselte Arbeitsmappen "
            "schreibt das Werkzeug nicht. Bitte die Mappe in Excel öffnen und dort den Knopf "
            "benutzen (Excel entschlüsselt selbst) oder den Kennwortschutz vorübergehend entfernen."
        )
    if kind != "ooxml":
        open_bytes(path)  # the reader's own message for a CSV, an old .xls, …
        raise WorkbookUnreadable(f"„{path.name}“ ist keine Excel-Arbeitsmappe (.xlsx/.xlsm).")
    return path


# ---------------------------------------------------------------------------------------------
# The zip container, read at the byte level so unchanged entries can be copied raw

_EOCD = struct.Struct("<4s4H2LH")
_CENTRAL = struct.Struct("<4s6H3L5H2L")
_LOCAL = struct.Struct("<4s5H3L2H")


@dataclass
class _Entry:
    name: str
    record: bytes  # the central-directory record as found (copied for unchanged entries)
    offset: int  # of the local header
    flags: int
    mtime: int
    mdate: int
    version_made: int
    external_attr: int
    comment: bytes
    name_bytes: bytes


class _Zip:
    """The central directory of a workbook's zip, and the raw span of each entry."""

    def __init__(self, raw: bytes, label: str):
        self.raw = raw
        bad = WorkbookUnreadable(f"„{label}“ ist beschädigt (kein gültiges Zip-Archiv); es wurde nichts geändert.")
        end = raw.rfind(b"PK\x05\x06", max(0, len(raw) - 65557))
        if end < 0 or end + _EOCD.size > len(raw):
            raise bad
        _, _, _, _, count, cd_size, cd_offset, comment_len = _EOCD.unpack_from(raw, end)
        if count == 0xFFFF or cd_offset == 0xFFFFFFFF or raw[end - 20:end - 16] == b"PK\x06\x07":
            raise WorkbookBusy(f"„{label}“ ist ein Zip64-Archiv; solche Arbeitsmappen kann das "
                               "Werkzeug nicht verlustfrei ändern. Es wurde nichts geändert.")
        self.comment = raw[end + _EOCD.size:end + _EOCD.size + comment_len]
        self.cd_offset = cd_offset
        self.entries: list[_Entry] = []
        pos = cd_offset
        for _ in range(count):
            if raw[pos:pos + 4] != b"PK\x01\x02":
                raise bad
            (_, made, _, flags, _, mtime, mdate, _, csize, _, nlen, elen, clen, _, _, eattr,
             offset) = _CENTRAL.unpack_from(raw, pos)
            size = _CENTRAL.size + nlen + elen + clen
            name_bytes = raw[pos + _CENTRAL.size:pos + _CENTRAL.size + nlen]
            if offset == 0xFFFFFFFF or csize == 0xFFFFFFFF:
                raise WorkbookBusy(f"„{label}“ ist ein Zip64-Archiv; es wurde nichts geändert.")
            name = name_bytes.decode("utf-8" if flags & 0x800 else "cp437")
            self.entries.append(_Entry(name, raw[pos:pos + size], offset, flags, mtime, mdate, made,
                                       eattr, raw[pos + size - clen:pos + size], name_bytes))
            pos += size
        starts = sorted({e.offset for e in self.entries} | {cd_offset})
        self.span_end = {s: starts[i + 1] for i, s in enumerate(starts[:-1])}
        self.prefix_end = starts[0]  # bytes before the first entry (normally none)
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(raw))
        except zipfile.BadZipFile as exc:
            raise bad from exc
        self.by_lower = {e.name.lower(): e.name for e in self.entries}

    def span(self, entry: _Entry) -> bytes:
        return self.raw[entry.offset:self.span_end[entry.offset]]

    def read(self, name: str) -> bytes:
        return self.zip.read(name)

    def find(self, part: str) -> str | None:
        """The entry name of an OPC part (part names are case-insensitive)."""
        return self.by_lower.get(part.lstrip("/").lower())


def _dos_now() -> tuple[int, int]:
    now = dt.datetime.now()
    return ((now.hour << 11) | (now.minute << 5) | (now.second // 2),
            ((now.year - 1980) << 9) | (now.month << 5) | now.day)


def _write_zip(out: BinaryIO, z: _Zip, replaced: Mapping[str, bytes], added: Mapping[str, bytes]) -> None:
    """Write the package: raw copies, rewritten entries in place, new entries at the end."""
    pos = 0

    def emit(data: bytes) -> None:
        nonlocal pos
        out.write(data)
        pos += len(data)

    def emit_new(name_bytes: bytes, data: bytes, flags: int, mtime: int, mdate: int,
                 made: int, eattr: int, comment: bytes) -> bytes:
        """Write a deflated entry; return its central-directory record."""
        compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
        packed = compressor.compress(data) + compressor.flush()
        crc = zlib.crc32(data)
        flags &= 0x800  # keep only "name is UTF-8"; no descriptor, no encryption
        offset = pos
        emit(_LOCAL.pack(b"PK\x03\x04", 20, flags, 8, mtime, mdate, crc, len(packed), len(data),
                         len(name_bytes), 0) + name_bytes)
        emit(packed)
        return (_CENTRAL.pack(b"PK\x01\x02", made, 20, flags, 8, mtime, mdate, crc, len(packed),
                              len(data), len(name_bytes), 0, len(comment), 0, 0, eattr, offset)
                + name_bytes + comment)

    emit(z.raw[:z.prefix_end])
    records: dict[int, bytes] = {}  # by position in the original central directory
    order = {id(e): i for i, e in enumerate(z.entries)}
    for entry in sorted(z.entries, key=lambda e: e.offset):
        if entry.name in replaced:
            records[order[id(entry)]] = emit_new(
                entry.name_bytes, replaced[entry.name], entry.flags, entry.mtime, entry.mdate,
                entry.version_made, entry.external_attr, entry.comment)
        else:
            offset = pos
            emit(z.span(entry))
            records[order[id(entry)]] = entry.record[:42] + struct.pack("<L", offset) + entry.record[46:]
    central = [records[i] for i in range(len(z.entries))]
    mtime, mdate = _dos_now()
    for name, data in added.items():
        central.append(emit_new(name.encode("utf-8"), data, 0 if name.isascii() else 0x800,
                                mtime, mdate, 20, 0, b""))
    cd_offset = pos
    for rec in central:
        emit(rec)
    if len(central) > 0xFFFF or pos > 0xFFFFFFFF:
        raise WorkbookBusy("Die Arbeitsmappe würde zu groß für ein normales Zip-Archiv.")
    emit(_EOCD.pack(b"PK\x05\x06", 0, 0, len(central), len(central), pos - cd_offset, cd_offset,
                    len(z.comment)) + z.comment)


# ---------------------------------------------------------------------------------------------
# Sheet XML, edited as bytes: only the touched cells change

_ATTRS = rb"((?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*"
_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")
_TAG_CACHE: dict[tuple[bytes, bytes], re.Pattern[bytes]] = {}


def _tag(prefix: bytes, local: bytes) -> re.Pattern[bytes]:
    """Start tag `<prefix:local …>` or `<prefix:local …/>`; group 1 = attributes, 2 = '/'."""
    key = (prefix, local)
    if key not in _TAG_CACHE:
        _TAG_CACHE[key] = re.compile(rb"<" + re.escape(prefix) + local + rb"(?=[\s/>])" + _ATTRS + rb"(/?)>")
    return _TAG_CACHE[key]


_ATTR_CACHE: dict[bytes, re.Pattern[bytes]] = {}


def _attr(attrs: bytes, name: bytes) -> bytes | None:
    pattern = _ATTR_CACHE.get(name)
    if pattern is None:
        pattern = _ATTR_CACHE[name] = re.compile(rb"\s" + re.escape(name) + rb"\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
    m = pattern.search(attrs)
    if not m:
        return None
    return m.group(1) if m.group(1) is not None else m.group(2)


def _set_attr(attrs: bytes, name: bytes, value: bytes) -> bytes:
    pattern = re.compile(rb"(\s" + re.escape(name) + rb"\s*=\s*)(?:\"[^\"]*\"|'[^']*')")
    if pattern.search(attrs):
        return pattern.sub(lambda m: m.group(1) + b'"' + value + b'"', attrs, count=1)
    return attrs + b" " + name + b'="' + value + b'"'


def col_index(letters: str) -> int:
    """A → 1, Z → 26, AA → 27."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def col_letters(index: int) -> str:
    """1 → A, 27 → AA."""
    out = ""
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def parse_ref(ref: str) -> tuple[int, int]:
    """`B7` → (7, 2): row and column, both 1-based."""
    m = _REF.match(ref.strip())
    if not m:
        raise ValueError(f"not a cell reference: {ref!r}")
    return int(m.group(2)), col_index(m.group(1))


def _ref(row: int, col: int) -> str:
    return f"{col_letters(col)}{row}"


_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _escape(text: str, quote: bool = False) -> bytes:
    if _INVALID_XML.search(text):
        raise ValueError(f"text with control characters cannot be written: {text!r}")
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if quote:
        text = text.replace('"', "&quot;")
    return text.encode("utf-8")


def _cell_xml(p: bytes, row: int, col: int, value: Value, old_attrs: bytes = b"") -> bytes:
    """A `<c>` for `value`, keeping the old cell's style (`s`) and phonetic flag (`ph`)."""
    attrs = b' r="' + _ref(row, col).encode() + b'"'
    for keep in (b"s", b"ph"):
        v = _attr(old_attrs, keep)
        if v is not None:
            attrs += b" " + keep + b'="' + v + b'"'
    c, end = b"<" + p + b"c", b"</" + p + b"c>"
    if value is None:
        return c + attrs + b"/>"
    if isinstance(value, bool):
        return c + attrs + b' t="b"><' + p + b"v>" + (b"1" if value else b"0") + b"</" + p + b"v>" + end
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"cannot write {value!r} into a cell")
        return c + attrs + b"><" + p + b"v>" + repr(value).encode() + b"</" + p + b"v>" + end
    text = str(value)
    space = b' xml:space="preserve"' if text != text.strip() or "\n" in text else b""
    return (c + attrs + b' t="inlineStr"><' + p + b"is><" + p + b"t" + space + b">" + _escape(text)
            + b"</" + p + b"t></" + p + b"is>" + end)


@dataclass
class _Row:
    number: int
    start: int  # of `<row`
    tag_end: int  # after the start tag
    attrs: bytes
    closed: bool  # `<row …/>`


def _sheet_prefix(xml: bytes) -> tuple[bytes, re.Match[bytes]]:
    if b"<!--" in xml or b"<![CDATA[" in xml:
        raise WorkbookBusy("Ein Tabellenblatt enthält XML-Kommentare oder CDATA; so etwas schreibt "
                           "Excel nicht. Das Werkzeug ändert die Mappe deshalb nicht.")
    m = re.search(rb"<([A-Za-z_][\w.\-]*:)?sheetData(?=[\s/>])", xml)
    if not m:
        raise WorkbookBusy("Ein Tabellenblatt hat keinen Datenbereich (sheetData); es wurde nichts geändert.")
    prefix = m.group(1) or b""
    sd = _tag(prefix, b"sheetData").match(xml, m.start())
    if not sd:
        raise WorkbookBusy("Ein Tabellenblatt ist unlesbar; es wurde nichts geändert.")
    return prefix, sd


def _rows(xml: bytes, prefix: bytes, start: int, end: int) -> list[_Row]:
    rows: list[_Row] = []
    previous = 0
    for m in _tag(prefix, b"row").finditer(xml, start, end):
        r = _attr(m.group(1), b"r")
        number = int(r) if r is not None else previous + 1
        rows.append(_Row(number, m.start(), m.end(), m.group(1), bool(m.group(2))))
        previous = number
    return rows


def _has_value(body: bytes, prefix: bytes) -> bool:
    return any(_tag(prefix, t).search(body) for t in (b"v", b"is", b"f"))


def last_value_row(xml: bytes) -> int:
    """The last row of a sheet that holds a value or formula (0 for an empty sheet)."""
    prefix, sd = _sheet_prefix(xml)
    if sd.group(2):
        return 0
    end = xml.index(b"</" + prefix + b"sheetData>", sd.end())
    close = b"</" + prefix + b"row>"
    for row in reversed(_rows(xml, prefix, sd.end(), end)):
        if not row.closed and _has_value(xml[row.tag_end:xml.index(close, row.tag_end)], prefix):
            return row.number
    return 0


def _widen_ref(ref: bytes | None, cells: list[tuple[int, int]]) -> bytes:
    rows = [r for r, _ in cells]
    cols = [c for _, c in cells]
    if ref:
        for part in ref.decode().split(":"):
            with contextlib.suppress(ValueError):
                r, c = parse_ref(part)
                rows.append(r)
                cols.append(c)
    first, last = _ref(min(rows), min(cols)), _ref(max(rows), max(cols))
    return (first if first == last else f"{first}:{last}").encode()


def patch_sheet_xml(xml: bytes, edits: Mapping[tuple[int, int], Value]) -> bytes:
    """Write `edits` ((row, col) → value, 1-based) into a worksheet's XML, touching nothing else.

    Existing cells are replaced in place (keeping `s`); missing cells and rows are inserted in
    order.  A cell holding a formula is refused: overwriting it would also need calcChain.xml,
    and an ID produced by a formula is exactly what SPEC §4 forbids, so the user should see it.
    """
    if not edits:
        return xml
    prefix, sd = _sheet_prefix(xml)
    ops: list[tuple[int, int, tuple[int, int], bytes]] = []  # (start, end, sort key, new bytes)
    by_row: dict[int, dict[int, Value]] = {}
    for (r, c), v in edits.items():
        if r < 1 or c < 1 or r > 1048576 or c > 16384:
            raise ValueError(f"cell outside the sheet: {(r, c)}")
        by_row.setdefault(r, {})[c] = v
    row_tag, close_row = b"<" + prefix + b"row", b"</" + prefix + b"row>"
    cell_re, close_cell = _tag(prefix, b"c"), b"</" + prefix + b"c>"

    def new_row(number: int, cells: dict[int, Value]) -> bytes:
        inner = b"".join(_cell_xml(prefix, number, c, cells[c]) for c in sorted(cells))
        return row_tag + b' r="' + str(number).encode() + b'">' + inner + close_row

    if sd.group(2):  # <sheetData/>: an empty sheet
        body = b"".join(new_row(r, by_row[r]) for r in sorted(by_row))
        ops.append((sd.start(), sd.end(), (0, 0),
                    b"<" + prefix + b"sheetData" + sd.group(1) + b">" + body + b"</" + prefix + b"sheetData>"))
    else:
        data_end = xml.index(b"</" + prefix + b"sheetData>", sd.end())
        rows = _rows(xml, prefix, sd.end(), data_end)
        existing = {row.number: row for row in rows}
        starts = [row.start for row in rows]
        numbers = [row.number for row in rows]
        ascending = all(a < b for a, b in zip(numbers, numbers[1:]))
        for number in sorted(by_row):
            cells = by_row[number]
            row = existing.get(number)
            if row is None:
                i = bisect.bisect_right(numbers, number) if ascending else next(
                    (k for k, n in enumerate(numbers) if n > number), len(numbers))
                pos = starts[i] if i < len(numbers) else data_end
                ops.append((pos, pos, (number, 0), new_row(number, cells)))
                continue
            attrs = row.attrs
            spans = _attr(attrs, b"spans")
            if spans and re.fullmatch(rb"\d+:\d+", spans):
                lo, hi = (int(x) for x in spans.split(b":"))
                lo2, hi2 = min([lo, *cells]), max([hi, *cells])
                if (lo2, hi2) != (lo, hi):
                    attrs = _set_attr(attrs, b"spans", f"{lo2}:{hi2}".encode())
            if row.closed:
                inner = b"".join(_cell_xml(prefix, number, c, cells[c]) for c in sorted(cells))
                ops.append((row.start, row.tag_end, (number, 0),
                            row_tag + attrs + b">" + inner + close_row))
                continue
            if attrs is not row.attrs:
                ops.append((row.start, row.tag_end, (number, 0), row_tag + attrs + b">"))
            row_end = xml.index(close_row, row.tag_end)
            found: list[tuple[int, int, int, bytes]] = []  # (col, start, end, attrs)
            previous = 0
            last_col = max(cells)
            for m in cell_re.finditer(xml, row.tag_end, row_end):
                ref = _attr(m.group(1), b"r")
                col = col_index(ref.rstrip(b"0123456789$").lstrip(b"$").decode()) if ref else previous + 1
                end = m.end() if m.group(2) else xml.index(close_cell, m.end()) + len(close_cell)
                found.append((col, m.start(), end, m.group(1)))
                previous = col
                if col > last_col:  # the rest of the row is not needed
                    break
            by_col = {f[0]: f for f in found}
            for col in sorted(cells):
                hit = by_col.get(col)
                if hit:
                    _, start, end, old = hit
                    if _tag(prefix, b"f").search(xml, start, end):
                        raise WorkbookBusy(
                            f"Die Zelle {_ref(number, col)} enthält eine Formel; das Werkzeug "
                            "überschreibt keine Formeln. Bitte die Formel löschen (IDs werden nie "
                            "per Formel vergeben) und den Befehl noch einmal ausführen."
                        )
                    ops.append((start, end, (number, col), _cell_xml(prefix, number, col, cells[col], old)))
                else:
                    later = [f[1] for f in found if f[0] > col]
                    pos = later[0] if later else row_end
                    ops.append((pos, pos, (number, col), _cell_xml(prefix, number, col, cells[col])))
    dim = _tag(prefix, b"dimension").search(xml, 0, sd.start())
    if dim:
        ref = _attr(dim.group(1), b"ref")
        widened = _widen_ref(ref, list(edits))
        if widened != ref:
            ops.append((dim.start(), dim.end(), (0, 0), b"<" + prefix + b"dimension"
                        + _set_attr(dim.group(1), b"ref", widened) + b"/>"))
    ops.sort(key=lambda op: (op[0], op[1], op[2]))
    out: list[bytes] = []
    cursor = 0
    for start, end, _, new in ops:
        if start < cursor:  # two edits on one span: a bug, never write a broken sheet
            raise AssertionError("overlapping sheet edits")
        out += [xml[cursor:start], new]
        cursor = end
    out.append(xml[cursor:])
    return b"".join(out)


_NEW_SHEET = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<dimension ref="A1"/><sheetViews><sheetView workbookViewId="0"/></sheetViews>'
    b'<sheetFormatPr defaultRowHeight="15"/><sheetData/>'
    b'<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
    b"</worksheet>"
)


# ---------------------------------------------------------------------------------------------
# The package: which part is which sheet, and adding one


@dataclass
class _Sheet:
    name: str
    sheet_id: int
    rid: str
    part: str | None  # zip entry name; None for a chart sheet or a broken link
    kind: str  # relationship type's last segment: worksheet, chartsheet, …


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


class _Package:
    def __init__(self, z: _Zip, label: str):
        self.z = z
        self.label = label
        root_rels = self._xml("_rels/.rels")
        target = next((r.get("Target", "") for r in root_rels
                       if r.get("Type", "").endswith(OFFICE_DOCUMENT)), "xl/workbook.xml")
        wb = z.find(target)
        if wb is None:
            raise WorkbookUnreadable(f"„{label}“ ist beschädigt (Arbeitsmappen-Teil fehlt).")
        self.workbook_part = wb
        self.workbook_dir = posixpath.dirname(wb)
        self.rels_part = posixpath.join(self.workbook_dir, "_rels", posixpath.basename(wb) + ".rels")
        rels_name = z.find(self.rels_part)
        if rels_name is None:
            raise WorkbookUnreadable(f"„{label}“ ist beschädigt (Beziehungen der Arbeitsmappe fehlen).")
        self.rels_part = rels_name
        rels = {r.get("Id"): r for r in self._xml(rels_name)}
        self.rel_ids = set(rels)
        root = ElementTree.fromstring(z.read(wb))
        self.strict = root.tag.startswith("{" + STRICT_MAIN)
        self.sheets: list[_Sheet] = []
        listing = next((el for el in root if _local(el.tag) == "sheets"), None)
        for el in listing if listing is not None else ():
            if _local(el.tag) != "sheet":
                continue
            rid = next((v for k, v in el.attrib.items() if _local(k) == "id" and k.startswith("{")), "")
            rel = rels.get(rid)
            part = self.resolve(rel.get("Target", "")) if rel is not None else None
            kind = rel.get("Type", "").rsplit("/", 1)[-1] if rel is not None else ""
            self.sheets.append(_Sheet(el.get("name", ""), int(el.get("sheetId", "0") or 0), rid, part, kind))

    def _xml(self, name: str) -> list[ElementTree.Element]:
        real = self.z.find(name)
        if real is None:
            return []
        try:
            return list(ElementTree.fromstring(self.z.read(real)))
        except ElementTree.ParseError as exc:
            raise WorkbookUnreadable(f"„{self.label}“ ist beschädigt ({name}).") from exc

    def resolve(self, target: str) -> str | None:
        part = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(self.workbook_dir, target))
        return self.z.find(part)

    def sheet(self, name: str) -> _Sheet | None:
        """Find a sheet as Excel and the reader do: exact, then ignoring case, then forgivingly."""
        for key in (lambda s: s, str.casefold, normalize_key):
            hits = [s for s in self.sheets if key(s.name) == key(name)]
            if hits:
                return hits[0]
        return None

    def worksheet_part(self, name: str) -> str:
        sheet = self.sheet(name)
        if sheet is None:
            raise WorkbookUnreadable(f"Das Blatt „{name}“ fehlt in „{self.label}“; es wurde nichts geändert.")
        if sheet.kind != "worksheet" or sheet.part is None:
            raise WorkbookBusy(f"„{sheet.name}“ ist kein Tabellenblatt; es wurde nichts geändert.")
        return sheet.part

    def new_sheet_part(self) -> str:
        folders = [posixpath.dirname(s.part) for s in self.sheets if s.part and s.kind == "worksheet"]
        folder = folders[0] if folders else posixpath.join(self.workbook_dir, "worksheets")
        n = len(self.sheets) + 1
        while self.z.find(f"{folder}/sheet{n}.xml"):
            n += 1
        return f"{folder}/sheet{n}.xml"

    def add_sheet(self, name: str, state: SheetState, parts: dict[str, bytes]) -> str:
        """Register a new (empty) worksheet part; edits `parts` (name → new content)."""
        if self.strict:
            raise WorkbookBusy(f"„{self.label}“ ist im Format „Strict Open XML“ gespeichert; dort fügt das "
                               "Werkzeug kein Blatt hinzu. Bitte in Excel als normale Arbeitsmappe speichern.")
        if not name or len(name) > 31 or re.search(r"[\[\]:*?/\\]", name):
            raise ValueError(f"invalid sheet name {name!r}")
        part = self.new_sheet_part()
        numbers = [int(m.group(1)) for i in self.rel_ids if i and (m := re.fullmatch(r"rId(\d+)", i))]
        rid = f"rId{max(numbers, default=0) + 1}"
        while rid in self.rel_ids:
            rid += "x"
        self.rel_ids.add(rid)
        sheet_id = max((s.sheet_id for s in self.sheets), default=0) + 1

        def current(n: str) -> bytes:
            return parts.get(n, self.z.read(n))

        # workbook.xml: one <sheet> appended at the end of <sheets>
        wb = current(self.workbook_part)
        m = re.search(rb"</([\w.\-]+:)?sheets\s*>", wb)
        rp = re.search(rb"<(?:[\w.\-]+:)?sheet\s[^>]*?\s([\w.\-]+):id\s*=", wb)
        if not m or not rp:
            raise WorkbookBusy(f"„{self.label}“: die Blattliste ist ungewöhnlich aufgebaut; es wurde nichts geändert.")
        p = m.group(1) or b""
        state_attr = b"" if state == "visible" else b' state="' + state.encode() + b'"'
        element = (b"<" + p + b'sheet name="' + _escape(name, quote=True) + b'" sheetId="' + str(sheet_id).encode()
                   + b'"' + state_attr + b" " + rp.group(1) + b':id="' + rid.encode() + b'"/>')
        parts[self.workbook_part] = wb[:m.start()] + element + wb[m.start():]
        # workbook.xml.rels
        rels = current(self.rels_part)
        m = re.search(rb"</([\w.\-]+:)?Relationships\s*>", rels)
        if not m:
            raise WorkbookBusy(f"„{self.label}“: Beziehungen unlesbar; es wurde nichts geändert.")
        p = m.group(1) or b""
        target = posixpath.relpath(part, self.workbook_dir) if self.workbook_dir else part
        element = (b"<" + p + b'Relationship Id="' + rid.encode() + b'" Type="' + WORKSHEET_TYPE.encode()
                   + b'" Target="' + _escape(target, quote=True) + b'"/>')
        parts[self.rels_part] = rels[:m.start()] + element + rels[m.start():]
        # [Content_Types].xml
        types_name = self.z.find("[Content_Types].xml")
        if types_name is None:
            raise WorkbookUnreadable(f"„{self.label}“ ist beschädigt ([Content_Types].xml fehlt).")
        types = current(types_name)
        m = re.search(rb"</([\w.\-]+:)?Types\s*>", types)
        if not m:
            raise WorkbookBusy(f"„{self.label}“: Inhaltstypen unlesbar; es wurde nichts geändert.")
        p = m.group(1) or b""
        element = (b"<" + p + b'Override PartName="/' + _escape(part, quote=True) + b'" ContentType="'
                   + WORKSHEET_CONTENT.encode() + b'"/>')
        parts[types_name] = types[:m.start()] + element + types[m.start():]
        self.sheets.append(_Sheet(name, sheet_id, rid, part, "worksheet"))
        return part


# ---------------------------------------------------------------------------------------------
# The one entry point


def backup_path(path: Path, now: dt.datetime) -> Path:
    """`Kundenliste.xlsm` → `Kundenliste.2026-11-23T0215.bak.xlsm` (then `…T0215-2.bak.xlsm`)."""
    stamp = now.strftime("%Y-%m-%dT%H%M")
    n = 1
    while True:
        tag = stamp if n == 1 else f"{stamp}-{n}"
        candidate = path.with_name(f"{path.stem}.{tag}.bak{path.suffix}")
        if not candidate.exists():
            return candidate
        n += 1


def patch_workbook(path: str | Path, cells: Mapping[str, Mapping[str, Value]] | None = None,
                   append: Mapping[str, Append] | None = None, *,
                   now: dt.datetime | None = None) -> PatchResult:
    """Write `cells` ({sheet: {"A5": value}}) and `append` ({sheet: Append}) into the workbook.

    Nothing is written when there is nothing to change.  Raises a German `KundenlisteError`
    (and leaves the file as it was) on every refusal or failure.
    """
    real = check_writable(path)
    now = now or dt.datetime.now()
    before = real.stat()
    raw = real.read_bytes()
    z = _Zip(raw, real.name)
    pkg = _Package(z, real.name)
    result = PatchResult(path=Path(path))
    edits: dict[str, dict[tuple[int, int], Value]] = {}  # part → edits
    names: dict[str, str] = {}  # part → sheet name
    for sheet_name, sheet_cells in (cells or {}).items():
        if not sheet_cells:
            continue
        part = pkg.worksheet_part(sheet_name)
        names[part] = pkg.sheet(sheet_name).name  # type: ignore[union-attr]
        target = edits.setdefault(part, {})
        for ref, value in sheet_cells.items():
            target[parse_ref(ref)] = value
    parts: dict[str, bytes] = {}
    added: dict[str, bytes] = {}
    for sheet_name, app in (append or {}).items():
        if not app.rows:
            continue
        sheet = pkg.sheet(sheet_name)
        if sheet is None:
            part = pkg.add_sheet(sheet_name, app.state, parts)
            added[part] = _NEW_SHEET
            result.added_sheets.append(sheet_name)
            last = 0
        else:
            part = pkg.worksheet_part(sheet.name)
            last = last_value_row(z.read(part))
        names[part] = sheet_name if sheet is None else sheet.name
        target = edits.setdefault(part, {})
        last = max([last, *(r for (r, _), v in target.items() if v is not None)])
        rows = list(app.rows)
        if last == 0 and app.header:
            rows.insert(0, list(app.header))
        for i, row in enumerate(rows, start=last + 1):
            for j, value in enumerate(row, start=1):
                if value is not None:
                    target[(i, j)] = value
    for part, part_edits in edits.items():
        if not part_edits:
            continue
        xml = added[part] if part in added else z.read(part)
        new = patch_sheet_xml(xml, part_edits)
        if part in added:
            added[part] = new
        else:
            parts[part] = new
        result.cells[names[part]] = [_ref(r, c) for r, c in sorted(part_edits)]
    if not parts and not added:
        return result
    result.changed_parts = [e.name for e in z.entries if e.name in parts]
    result.added_parts = list(added)
    result.backup = _commit(real, z, parts, added, before, now)
    return result


def _fail(path: Path, exc: OSError) -> WorkbookBusy:
    reason = exc.strerror or exc.__class__.__name__
    return WorkbookBusy(
        f"„{path.name}“ konnte nicht geschrieben werden ({reason}). Die Arbeitsmappe ist "
        "unverändert; bitte Speicherplatz und Schreibrechte im Ordner prüfen."
    )


def _commit(path: Path, z: _Zip, parts: Mapping[str, bytes], added: Mapping[str, bytes],
            before: os.stat_result, now: dt.datetime) -> Path:
    """Temp file → fsync → check → backup → atomic replace.  The original survives any failure."""
    folder = path.parent
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".kl-tmp", dir=folder)
    except OSError as exc:
        raise _fail(path, exc) from exc
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            _write_zip(fh, z, parts, added)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, stat.S_IMODE(before.st_mode))
        _verify(tmp, z, parts, added)
        now_stat = path.stat()
        if (now_stat.st_mtime_ns, now_stat.st_size) != (before.st_mtime_ns, before.st_size):
            raise WorkbookBusy(f"„{path.name}“ wurde während des Schreibens von einem anderen Programm "
                               "geändert; bitte noch einmal ausführen. Es wurde nichts geändert.")
        check_writable(path)  # Excel may have opened it meanwhile
        backup = backup_path(path, now)
        with open(backup, "xb") as fh:
            fh.write(z.raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(backup, stat.S_IMODE(before.st_mode))
        os.utime(backup, ns=(before.st_atime_ns, before.st_mtime_ns))
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise _fail(path, exc) from exc
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    with contextlib.suppress(OSError, AttributeError):
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    return backup


def _verify(tmp: Path, z: _Zip, parts: Mapping[str, bytes], added: Mapping[str, bytes]) -> None:
    """The written file opens as a zip with the expected entries; rewritten ones pass their CRC."""
    with zipfile.ZipFile(tmp) as out:
        names = out.namelist()
        expected = [e.name for e in z.entries] + list(added)
        if names != expected:
            raise WorkbookBusy("Die neue Fassung ist unvollständig; die Arbeitsmappe bleibt unverändert.")
        for name in (*parts, *added):
            if out.read(name) != (parts.get(name) if name in parts else added[name]):
                raise WorkbookBusy("Die neue Fassung ist fehlerhaft; die Arbeitsmappe bleibt unverändert.")
