"""A worksheet's XML edited as bytes: only the touched `<c>` elements change.

Parsing the sheet into a tree and serialising it again would rewrite every byte (attribute
order, namespaces, whitespace), so edits are spliced into the original bytes instead.  Tags are
found with a regular expression that respects quoted attribute values; text content cannot
hide a `<` (XML escapes it), and comments/CDATA, which Excel never writes, are refused.
"""

from __future__ import annotations

import bisect
import contextlib
import math
import re
from dataclasses import dataclass
from typing import Mapping

from ..core.errors import WorkbookBusy

Value = str | int | float | bool | None

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


def a1_ref(row: int, col: int) -> str:
    return f"{col_letters(col)}{row}"


_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_escape(text: str, quote: bool = False) -> bytes:
    if _INVALID_XML.search(text):
        raise ValueError(f"text with control characters cannot be written: {text!r}")
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if quote:
        text = text.replace('"', "&quot;")
    return text.encode("utf-8")


def _cell_xml(p: bytes, row: int, col: int, value: Value, old_attrs: bytes = b"") -> bytes:
    """A `<c>` for `value`, keeping the old cell's style (`s`) and phonetic flag (`ph`)."""
    attrs = b' r="' + a1_ref(row, col).encode() + b'"'
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
    return (c + attrs + b' t="inlineStr"><' + p + b"is><" + p + b"t" + space + b">" + xml_escape(text)
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
    first, last = a1_ref(min(rows), min(cols)), a1_ref(max(rows), max(cols))
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
                            f"Die Zelle {a1_ref(number, col)} enthält eine Formel; das Werkzeug "
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
