"""A worksheet's XML edited as bytes: only the touched `<c>` elements change.

Parsing the sheet into a tree and serialising it again would rewrite every byte (attribute
order, namespaces, whitespace), so edits are spliced into the original bytes instead; `xmlpart`
finds the elements by namespace, whatever prefix the writer chose, and proves the result
well-formed.

A new cell looks as the empty cell looked before it was written: it takes the row's style when
the row is formatted (`customFormat`), else its column's (`<col style>`), else the style of the
nearest cell above it in the same column (a team's ID column is formatted cell by cell more
often than by column), so a filled ID does not stand out in white among yellow neighbours.
"""

from __future__ import annotations

import bisect
import contextlib
import math
import re
from dataclasses import dataclass
from typing import Mapping

from ..core.errors import WorkbookBusy
from .package import MAIN_NS as MAIN
from .package import a1_ref, column_index, parse_ref, xml_escape
from .xmlpart import Element, XmlPart, attr, set_attr, splice, start_tag

Value = str | int | float | bool | None

#: how many rows above a new cell are looked at for the style of its column
STYLE_LOOKBACK = 10


def _cell_xml(p: bytes, row: int, col: int, value: Value, style: bytes | None = None,
              phonetic: bytes | None = None) -> bytes:
    """A `<c>` for `value` with style index `style` (and the old cell's phonetic flag)."""
    attrs = b' r="' + a1_ref(row, col).encode() + b'"'
    if style is not None:
        attrs += b' s="' + style + b'"'
    if phonetic is not None:
        attrs += b' ph="' + phonetic + b'"'
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
    el: Element


@dataclass
class _Cell:
    col: int
    el: Element
    end: int


class _Sheet:
    """The parts of a worksheet's XML that cell edits need, found by namespace."""

    def __init__(self, xml: bytes, label: str = "Tabellenblatt"):
        self.part = part = XmlPart(xml, label)
        if part.uri_of(part.root) != MAIN or part.root.qname.rpartition(b":")[2] != b"worksheet":
            raise WorkbookBusy(f"„{label}“ ist kein Tabellenblatt im Format, das Excel schreibt; es "
                               "wurde nichts geändert.")
        sd = part.first(MAIN, "sheetData")
        if sd is None:
            raise WorkbookBusy("Ein Tabellenblatt hat keinen Datenbereich (sheetData); es wurde nichts geändert.")
        self.sd = sd
        self.p = part.prefix_in(sd, MAIN)
        assert self.p is not None  # sheetData itself is in MAIN
        self.data_end = part.inner_end(sd)
        self.rows: list[_Row] = []
        previous = 0
        for el in part.elements(MAIN, "row", sd.tag_end, self.data_end):
            r = el.get(b"r")
            number = int(r) if r is not None else previous + 1
            self.rows.append(_Row(number, el))
            previous = number
        self.by_number = {row.number: row for row in self.rows}
        self.numbers = [row.number for row in self.rows]
        self.ascending = all(a < b for a, b in zip(self.numbers, self.numbers[1:]))
        self._cols: list[tuple[int, int, bytes]] | None = None

    def cells(self, row: _Row, last_col: int | None = None) -> list[_Cell]:
        """The `<c>` elements of a row with their column (implicit ones counted on)."""
        if row.el.empty:
            return []
        part, found, previous = self.part, [], 0
        for el in part.elements(MAIN, "c", row.el.tag_end, part.inner_end(row.el)):
            ref = el.get(b"r")
            col = column_index(ref.rstrip(b"0123456789$").lstrip(b"$").decode()) + 1 if ref else previous + 1
            found.append(_Cell(col, el, part.end(el)))
            previous = col
            if last_col is not None and col > last_col:  # the rest of the row is not needed
                break
        return found

    def has_value(self, start: int, end: int) -> bool:
        return any(self.part.first(MAIN, t, start, end) for t in ("v", "is", "f"))

    def column_styles(self) -> list[tuple[int, int, bytes]]:
        if self._cols is None:
            self._cols = []
            for el in self.part.elements(MAIN, "col", 0, self.sd.start):
                lo, hi, style = el.get(b"min"), el.get(b"max"), el.get(b"style")
                if lo and hi and style is not None and lo.isdigit() and hi.isdigit():
                    self._cols.append((int(lo), int(hi), style))
        return self._cols

    def new_cell_style(self, number: int, col: int) -> bytes | None:
        """The style a new cell at (number, col) takes: row's, column's, else the cell above's."""
        row = self.by_number.get(number)
        if row is not None and row.el.get(b"customFormat") in (b"1", b"true") and row.el.get(b"s"):
            return row.el.get(b"s")
        for lo, hi, style in self.column_styles():
            if lo <= col <= hi:
                return style if style != b"0" else None
        i = (bisect.bisect_left(self.numbers, number) if self.ascending
             else next((k for k, n in enumerate(self.numbers) if n >= number), len(self.numbers)))
        for above in reversed(self.rows[max(0, i - STYLE_LOOKBACK):i]):
            if above.number >= number:
                continue
            hit = next((c for c in self.cells(above, col) if c.col == col), None)
            if hit is not None:
                return hit.el.get(b"s")
        return None


#: A sheet parsed ahead (`prepare_sheet`), taken by the next patch of exactly these bytes.
_PREPARED: list[_Sheet] = []


def prepare_sheet(xml: bytes) -> None:
    """Parse a worksheet's XML for a patch that is about to come (`ids` parses the Kundenliste
    while calamine still reads the workbook: 0.2–0.3 s of a 30,000-customer sheet off the
    command's own time).  A sheet the patch would refuse is left for the patch to refuse."""
    try:
        sheet = _Sheet(xml)
    except Exception:  # noqa: BLE001 - the patch itself refuses it, in German
        return
    _PREPARED[:] = [sheet]


def discard_prepared() -> None:
    """Forget a sheet parsed ahead that no patch took."""
    _PREPARED.clear()


def _sheet_for(xml: bytes, label: str) -> _Sheet:
    """The sheet parsed ahead when its bytes are these bytes (the file unchanged since), else
    a new parse; either way it is taken once."""
    prepared = _PREPARED.pop() if _PREPARED else None
    if prepared is not None and prepared.part.data == xml:
        prepared.part.label = label
        return prepared
    return _Sheet(xml, label)


def last_value_row(xml: bytes) -> int:
    """The last row of a sheet that holds a value or formula (0 for an empty sheet)."""
    sheet = _Sheet(xml)
    for row in reversed(sheet.rows):
        if not row.el.empty and sheet.has_value(row.el.tag_end, sheet.part.inner_end(row.el)):
            return row.number
    return 0


def _widen_ref(ref: bytes | None, cells: list[tuple[int, int]]) -> bytes:
    rows = [r for r, _ in cells]
    cols = [c for _, c in cells]
    if ref:
        for piece in ref.decode().split(":"):
            with contextlib.suppress(ValueError):
                r, c = parse_ref(piece)
                rows.append(r)
                cols.append(c)
    first, last = a1_ref(min(rows), min(cols)), a1_ref(max(rows), max(cols))
    return (first if first == last else f"{first}:{last}").encode()


def patch_sheet_xml(xml: bytes, edits: Mapping[tuple[int, int], Value], label: str = "Tabellenblatt",
                    uncached: list[tuple[int, int]] | None = None) -> bytes:
    """Write `edits` ((row, col) → value, 1-based) into a worksheet's XML, touching nothing else.

    Existing cells are replaced in place (keeping `s`); missing cells and rows are inserted in
    order, styled as described in the module docstring.  A cell holding a formula is refused:
    overwriting it would also need calcChain.xml, and an ID produced by a formula is exactly
    what SPEC §4 forbids, so the user should see it.

    Erasing (`uncached` given, a list the positions are added to) is the exception: an edit
    that hits a formula keeps the formula and drops only its cached result, the one place the
    erased text would otherwise survive (`=F2&" "&G2` showing the name); the formula computes
    again from the erased cells when Excel opens the file (the caller sets `fullCalcOnLoad`).
    """
    if not edits:
        return xml
    sheet = _sheet_for(xml, label)
    part, p = sheet.part, sheet.p
    ops: list[tuple[int, int, bytes]] = []
    by_row: dict[int, dict[int, Value]] = {}
    for (r, c), v in edits.items():
        if r < 1 or c < 1 or r > 1048576 or c > 16384:
            raise ValueError(f"cell outside the sheet: {(r, c)}")
        by_row.setdefault(r, {})[c] = v
    row_tag, close_row = b"<" + p + b"row", b"</" + p + b"row>"

    def new_cells(number: int, cells: dict[int, Value], q: bytes = p) -> bytes:
        return b"".join(_cell_xml(q, number, c, cells[c], sheet.new_cell_style(number, c)) for c in sorted(cells))

    def new_row(number: int, cells: dict[int, Value]) -> bytes:
        return row_tag + b' r="' + str(number).encode() + b'">' + new_cells(number, cells) + close_row

    if sheet.sd.empty:  # <sheetData/>: an empty sheet
        body = b"".join(new_row(r, by_row[r]) for r in sorted(by_row))
        ops.append((sheet.sd.start, sheet.sd.tag_end,
                    start_tag(sheet.sd, empty=False) + body + b"</" + sheet.sd.qname + b">"))
    else:
        for number in sorted(by_row):
            cells = by_row[number]
            row = sheet.by_number.get(number)
            if row is None:
                i = bisect.bisect_right(sheet.numbers, number) if sheet.ascending else next(
                    (k for k, n in enumerate(sheet.numbers) if n > number), len(sheet.numbers))
                pos = sheet.rows[i].el.start if i < len(sheet.rows) else sheet.data_end
                ops.append((pos, pos, new_row(number, cells)))
                continue
            q = part.prefix_in(row.el, MAIN) or b""  # the row's own prefix, bound inside it
            attrs = row.el.attrs
            spans = attr(attrs, b"spans")
            if spans and re.fullmatch(rb"\d+:\d+", spans):
                lo, hi = (int(x) for x in spans.split(b":"))
                lo2, hi2 = min([lo, *cells]), max([hi, *cells])
                if (lo2, hi2) != (lo, hi):
                    attrs = set_attr(attrs, b"spans", f"{lo2}:{hi2}".encode())
            if row.el.empty:
                ops.append((row.el.start, row.el.tag_end,
                            start_tag(row.el, attrs, empty=False) + new_cells(number, cells, q)
                            + b"</" + row.el.qname + b">"))
                continue
            if attrs is not row.el.attrs:
                ops.append((row.el.start, row.el.tag_end, start_tag(row.el, attrs)))
            row_end = part.inner_end(row.el)
            found = sheet.cells(row, max(cells))
            by_col = {f.col: f for f in found}
            for col in sorted(cells):
                hit = by_col.get(col)
                if hit:
                    formula = part.first(MAIN, "f", hit.el.tag_end, hit.end)
                    if formula is not None and uncached is not None:
                        kept = hit.el.attrs
                        for name in (b"t", b"vm"):  # the result's type and value metadata (cm stays)
                            kept = re.sub(rb"\s" + name + rb"\s*=\s*(?:\"[^\"]*\"|'[^']*')", b"", kept)
                        ops.append((hit.el.start, hit.end, start_tag(hit.el, kept, empty=False)
                                    + xml[formula.start:part.end(formula)] + b"</" + hit.el.qname + b">"))
                        uncached.append((number, col))
                        continue
                    if formula is not None:
                        raise WorkbookBusy(
                            f"Die Zelle {a1_ref(number, col)} enthält eine Formel; das Werkzeug "
                            "überschreibt keine Formeln. Bitte die Formel löschen (IDs werden nie "
                            "per Formel vergeben) und den Befehl noch einmal ausführen."
                        )
                    ops.append((hit.el.start, hit.end,
                                _cell_xml(hit.el.prefix, number, col, cells[col], hit.el.get(b"s"), hit.el.get(b"ph"))))
                else:
                    later = [f.el.start for f in found if f.col > col]
                    pos = later[0] if later else row_end
                    ops.append((pos, pos, _cell_xml(q, number, col, cells[col], sheet.new_cell_style(number, col))))
    dim = part.first(MAIN, "dimension", 0, sheet.sd.start)
    if dim:
        ref = dim.get(b"ref")
        widened = _widen_ref(ref, list(edits))
        if widened != ref:
            ops.append((dim.start, dim.tag_end, start_tag(dim, set_attr(dim.attrs, b"ref", widened))))
    return splice(xml, ops)
