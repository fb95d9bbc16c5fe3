"""What an .xlsx knows about a sheet beyond its values, found in one fast pass over its XML.

python-calamine (0.9.1) gives values only: a formula's cached result looks like a typed value,
an error cell (`#DIV/0!`, `#NV`) arrives as empty text, a table's totals row is ordinary
cells.  The record rule (`core.records`) and the `zellfehler` check need to know better, so
this module reads, per record sheet:

- formula cells (`<c …><f>`) and error cells (`<c … t="e">…<v>#N/A</v>`), by searching the
  decompressed sheet XML chunk by chunk with `bytes.find` (C speed; a sheet without formulas
  costs one decompression and two searches that find nothing);
- merged ranges (`<mergeCell ref="A3:A4"/>`, at the end of the same stream);
- totals rows of Excel tables (`xl/tables/*.xml`: `ref` and `totalsRowCount`), through the
  sheet's relationships;
- the header's width and the used range (`<dimension ref>`), so that a stray cell far right
  (column XFD) can be cut away before calamine builds a dense grid of it (`trimmed_sheet`).

Measured on the 30,000-customer benchmark workbook (Kundenliste + 300,000 entries, 80 MB of
sheet XML): see bench/README.md.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import Any, Iterator
from xml.etree import ElementTree

from ..core.records import HEADER_SEARCH_ROWS, SheetFacts
from .package import PKG_REL_NS, column_index, column_letter, rels_name, resolve

_CELL_REF = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?c\s[^>]*?\br="([A-Z]{1,3})(\d+)"')
_VALUE = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?v>([^<]*)<')
_MERGE = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?mergeCell\s[^>]*?ref="([A-Z]{1,3})(\d+):([A-Z]{1,3})(\d+)"')
_DIMENSION = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?dimension\s+ref="([A-Z]{1,3})(\d+)(?::([A-Z]{1,3})(\d+))?"')
_PREFIX = re.compile(rb'<([A-Za-z_][\w.-]*:)?worksheet[\s>]')
_REF = re.compile(r"([A-Z]{1,3})(\d+)(?::([A-Z]{1,3})(\d+))?")

NS_REL = "{" + PKG_REL_NS + "}"


def _col(letters: bytes) -> int:
    """`A` → 0, `XFD` → 16383, for the column letters the byte patterns above capture."""
    return column_index(letters.decode())


@dataclass
class ScanResult:
    """One sheet's facts plus its error cells (its extent is `head`'s, read before the parse)."""

    facts: SheetFacts
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # (Excel row, col) → `#N/A`


def totals_rows(zf: zipfile.ZipFile, part: str) -> frozenset[int]:
    """Excel rows that are a totals row of a table on the sheet at `part`."""
    try:
        rels = ElementTree.fromstring(zf.read(rels_name(part)))
    except (KeyError, ElementTree.ParseError):
        return frozenset()
    rows: set[int] = set()
    for r in rels.iter(f"{NS_REL}Relationship"):
        if not r.get("Type", "").endswith("/table"):
            continue
        try:
            table = ElementTree.fromstring(zf.read(resolve(part, r.get("Target", ""))))
        except (KeyError, ElementTree.ParseError):
            continue
        count = int(table.get("totalsRowCount", "0") or 0)
        m = _REF.fullmatch(table.get("ref", ""))
        if count > 0 and m and m.group(4):
            last = int(m.group(4))
            rows.update(range(last - count + 1, last + 1))
    return frozenset(rows)


def member_bytes(zf: zipfile.ZipFile, part: str) -> bytes:
    """The decompressed part in one `zlib` call, its CRC checked: for the stray-cell cut, which
    needs the whole sheet (the scan reads it in pieces, `_row_pieces`)."""
    info = zf.getinfo(part)
    if info.compress_type != zipfile.ZIP_DEFLATED:
        return zf.read(part)
    fp = zf.fp
    assert fp is not None
    fp.seek(info.header_offset)
    header = fp.read(30)
    if header[:4] != b"PK\x03\x04":
        return zf.read(part)
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    fp.seek(info.header_offset + 30 + name_len + extra_len)
    data = zlib.decompress(fp.read(info.compress_size), -15)
    if zlib.crc32(data) != info.CRC:
        raise zipfile.BadZipFile(f"CRC-Fehler in {part}")
    return data


def head(zf: zipfile.ZipFile, part: str) -> tuple[tuple[int, int] | None, int]:
    """(last row, last col) of the sheet's `<dimension>` and the width of its first rows,
    from its first 256 KB: enough to decide before parsing whether stray cells need cutting."""
    with zf.open(part) as fh:
        buf = fh.read(1 << 18)
    return _dimension(buf), _head_width(buf)


def _dimension(buf: bytes) -> tuple[int, int] | None:
    """(last row, last col) of the sheet's `<dimension ref>`, near its start."""
    m = _DIMENSION.search(buf, 0, 65536)
    if not m:
        return None
    last_col, last_row = (m.group(3), m.group(4)) if m.group(3) else (m.group(1), m.group(2))
    return int(last_row), _col(last_col)


#: Decompressed bytes per step of the scan: the sheet XML is never held whole (the KundenDoku
#: of 300,000 entries is 100 MB of it, which would sit in memory beside calamine's parse).
SCAN_CHUNK = 4 << 20


def scan_sheet(zf: zipfile.ZipFile, part: str, row_map: dict[int, int] | None = None) -> ScanResult:
    """Formula cells, error cells, merged ranges, totals rows and extent of one sheet."""
    f_rows: list[int] = []
    f_cols: list[int] = []
    errors: dict[tuple[int, int], str] = {}
    merged: list[tuple[int, int, int, int]] = []
    f_tag = b""
    import numpy as np  # here, not at the top: see core.records

    for buf in _row_pieces(zf, part):
        if not f_tag:
            m = _PREFIX.search(buf, 0, 4096)
            f_tag = b"<" + (m.group(1) if m and m.group(1) else b"") + b"f"
        view = np.frombuffer(buf, np.uint8)
        if _may_hold(view, f_tag[-2:]):
            _formulas(buf, f_tag, f_rows, f_cols)
        if _may_hold(view, _ERROR_PAIR):
            _errors(buf, errors)
        start = buf.rfind(b"mergeCells")
        if start >= 0:
            for m in _MERGE.finditer(buf, max(start - 64, 0)):
                merged.append((int(m.group(2)), _col(m.group(1)), int(m.group(4)), _col(m.group(3))))
    facts = SheetFacts(np.array(f_rows, dtype=np.int64), np.array(f_cols, dtype=np.int64),
                       totals_rows(zf, part), tuple(merged), dict(row_map or {}))
    return ScanResult(facts, errors)


#: Two bytes every error cell's tag holds (`t="e"`): the piece is searched for it only then.
_ERROR_PAIR = b'"e'


def _may_hold(view: Any, pair: bytes) -> bool:
    """Whether the byte `pair` occurs in the piece (`view`, its bytes as a numpy array).

    A sheet without formulas or error cells, the rule, is then passed over without
    `bytes.find`, which holds the GIL for its whole run (30 ms for the KundenDoku of 100,000
    entries, while the main thread waits to check the Kundenliste); numpy's comparisons let
    go of it.  Only a yes-or-no test: a piece that holds the pair is searched as before."""
    hit = view[:-1] == pair[0]
    hit &= view[1:] == pair[1]
    return bool(hit.any())


def _row_pieces(zf: zipfile.ZipFile, part: str) -> Iterator[bytes]:
    """The decompressed sheet XML in pieces of about `SCAN_CHUNK` bytes, each cut after a
    `</row>`, so that every cell lies whole in one piece (what follows the last row, e.g. the
    merged ranges, comes as the last piece).  zipfile checks the CRC as it goes; zlib lets go
    of the GIL while it inflates, so calamine's parse goes on meanwhile."""
    close = b""
    rest = b""
    with zf.open(part) as fh:
        while True:
            data = fh.read(SCAN_CHUNK)
            if not data:
                break
            buf = rest + data if rest else data
            if not close:
                m = _PREFIX.search(buf, 0, 4096)
                close = b"</" + (m.group(1) if m and m.group(1) else b"") + b"row>"
            cut = buf.rfind(close)
            if cut < 0:
                rest = buf
                continue
            yield buf[:cut + len(close)]
            rest = buf[cut + len(close):]
    if rest:
        yield rest


def _cell_at(buf: bytes, pos: int) -> tuple[int, int] | None:
    """(Excel row, col) of the cell whose tag or content is at `pos`."""
    start = max(buf.rfind(b"<c ", 0, pos), buf.rfind(b":c ", 0, pos))
    if start < 0:
        return None
    m = _CELL_REF.match(buf, start if buf[start] == 60 else buf.rfind(b"<", 0, start + 1))
    if not m:
        return None
    return int(m.group(2)), _col(m.group(1))


def _formulas(buf: bytes, tag: bytes, rows: list[int], cols: list[int]) -> None:
    pos = buf.find(tag)
    n = len(tag)
    while pos >= 0:
        nxt = buf[pos + n: pos + n + 1]
        if nxt in (b">", b" ", b"/", b"\t", b"\n", b"\r"):
            where = _cell_at(buf, pos)
            if where:
                rows.append(where[0])
                cols.append(where[1])
        pos = buf.find(tag, pos + n)


def _errors(buf: bytes, out: dict[tuple[int, int], str]) -> None:
    pos = buf.find(b't="e"')
    while pos >= 0:
        where = _cell_at(buf, pos)
        tag_end = buf.find(b">", pos)
        if where and tag_end >= 0 and buf[tag_end - 1:tag_end] != b"/":
            close = buf.find(b"c>", tag_end)
            m = _VALUE.search(buf, tag_end, close if close >= 0 else len(buf))
            if m:
                out[where] = m.group(1).decode("utf-8", "replace").strip()
        pos = buf.find(b't="e"', pos + 5)


def _head_width(buf: bytes) -> int:
    """Columns of the widest among the first rows that holds values (the header, as a rule)."""
    widest = 0
    rows = 0
    pos = buf.find(b"<row")
    if pos < 0:
        pos = buf.find(b":row")
    while pos >= 0 and rows < HEADER_SEARCH_ROWS:
        end = buf.find(b"row>", pos + 4)
        if end < 0:
            break
        segment = buf[pos:end]
        last = 0
        for m in _CELL_REF.finditer(segment):
            tag_end = segment.find(b">", m.end())
            if tag_end >= 0 and segment[tag_end - 1:tag_end] != b"/":
                last = max(last, _col(m.group(1)) + 1)
        widest = max(widest, last)
        rows += 1
        nxt = buf.find(b"<row", end)
        pos = nxt if nxt >= 0 else buf.find(b":row", end)
    return widest


#: Rows after a gap longer than this are moved up under the others before parsing.
MAX_GAP = 10_000
_ROW_TAG = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?row\b[^>]*?\br="(\d+)"')


def trimmed_sheet(xml: bytes, width: int, cut_columns: bool, move_rows: bool) -> tuple[bytes, dict[int, int]]:
    """The sheet XML without the cells right of column `width`, and with rows that follow a
    gap of more than `MAX_GAP` empty rows moved up; returns it and the row map (new → old).

    Only called when the used range is far larger than the data (a stray cell in XFD or in
    row 1,048,576): calamine builds a dense grid of the used range (5,000 customers and one
    cell in XFD: 3.3 GB, 21 s).  The cells beyond are found by one regular expression that
    matches only column letters after the header's last one; the far rows (a few) are
    renumbered, so their values still reach the record rule under their real row numbers.
    """
    xml = _DIMENSION.sub(b"", xml, count=1)
    if cut_columns:
        xml = _cut_columns(xml, width)
    row_map: dict[int, int] = {}
    if move_rows:
        tags = [(m.start(), m.end(), int(m.group(1))) for m in _ROW_TAG.finditer(xml)]
        prev_old = prev_new = 0
        pieces: list[bytes] = []
        last = 0
        for i, (start, _end, old) in enumerate(tags):
            new = old if not row_map and old - prev_old <= MAX_GAP else prev_new + 1
            if new != old:
                stop = tags[i + 1][0] if i + 1 < len(tags) else len(xml)
                segment = xml[start:stop]
                segment = re.sub(rb'(\br="[A-Z]{0,3})%d"' % old, rb'\g<1>%d"' % new, segment)
                pieces += [xml[last:start], segment]
                last = stop
                row_map[new] = old
            prev_old, prev_new = old, new
        pieces.append(xml[last:])
        xml = b"".join(pieces)
    return xml, row_map


def _cut_columns(xml: bytes, width: int) -> bytes:
    """Remove the cells right of column `width`, looking closely only at rows whose last cell
    lies beyond it (cells stand in column order within a row): one `rfind` per row instead
    of a regular expression over every cell."""
    m = _PREFIX.search(xml, 0, 4096)
    prefix = m.group(1) if m and m.group(1) else b""
    row_close, cell_open = b"</" + prefix + b"row>", b"<" + prefix + b"c "
    pattern = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?c\s[^>]*?\br="(?:' + _beyond(width)
                         + rb')\d+"[^>]*?(?:/>|>.*?</(?:[A-Za-z_][\w.-]*:)?c>)', re.DOTALL)
    pieces: list[bytes] = []
    done = start = 0
    pos = xml.find(row_close)
    while pos >= 0:
        last = xml.rfind(cell_open, start, pos)
        if last >= 0:
            ref = _CELL_REF.match(xml, last)
            if ref is None or _col(ref.group(1)) >= width:
                row_start = xml.rfind(b"<" + prefix + b"row", start, last)
                row_start = row_start if row_start >= 0 else start
                pieces += [xml[done:row_start], pattern.sub(b"", xml[row_start:pos])]
                done = pos
        start = pos + len(row_close)
        pos = xml.find(row_close, start)
    pieces.append(xml[done:])
    return b"".join(pieces)


def _beyond(width: int) -> bytes:
    """A regex alternation of every column name after the `width`-th (A=1): `[U-Z]|[A-Z]{2,3}`
    for width 20."""
    letters = column_letter(max(width, 1) - 1)
    alts = [rb"[A-Z]{%d,3}" % (len(letters) + 1)] if len(letters) < 3 else []
    for i, ch in enumerate(letters):
        if ch == "Z":
            continue
        alts.append(letters[:i].encode() + b"[" + chr(ord(ch) + 1).encode() + b"-Z]"
                    + (rb"[A-Z]{%d}" % (len(letters) - i - 1) if i < len(letters) - 1 else b""))
    return b"|".join(alts) or rb"(?!)"


#: Parts a cut sheet's package leaves out besides the other sheets: calamine reads none of
#: them for a sheet's values, and they can be large.
_NOT_NEEDED = ("xl/media/", "xl/embeddings/", "xl/printerSettings/", "xl/vbaProject.bin", "xl/drawings/")


def cut_package(zf: zipfile.ZipFile, part: str, xml: bytes, sheet_parts: set[str]) -> bytes:
    """A small package in which calamine can parse the sheet at `part` from `xml` (its cut
    XML, stored): the workbook, its relationships, styles and shared strings as they are, and
    no other sheet.  The large sheets are not copied (the KundenDoku of a job centre is 100 MB
    of XML), so a stray cell in the Kundenliste costs the cut of that sheet only."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dest:
        for info in zf.infolist():
            name = info.filename
            if name == part:
                dest.writestr(name, xml)
            elif name not in sheet_parts and not name.startswith(_NOT_NEEDED):
                dest.writestr(name, zf.read(name))
    return out.getvalue()
