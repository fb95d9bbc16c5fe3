"""Which rows of a record sheet are records: one rule for every command and both doors.

Teams keep more in their lists than customers: a helper formula (`=HEUTE()-B2`) copied down
far below the last customer, the totals row of an Excel table, the continuation row of a
merged cell, a row of input hints under the header (`JJJJ-MM-TT`, `neu / in Beratung / …`).
None of them is a customer or a conversation; treated as records they got findings, due
dates and even new IDs.  So (SPEC §2, decision):

    A row is a record only when a field the tool knows holds a value a person entered.

"A person entered" means: not a formula result (where the file says which cells are
formulas), not in a table's totals row, not in the continuation rows of a merged cell that
covers the record's ID, and not an input-hint row directly under the header.  Content only
in columns the tool does not know never makes a record.  Every non-empty row that is not a
record is reported (`Skipped`), so a user sees why a row was left out.

The facts beyond values (formulas, totals rows, merged ranges) come from the door as plain
data (`SheetFacts`): the file door reads them from the sheet XML, the Excel door from the
client's table list; a door that cannot know a fact leaves it empty, and the rule then
decides on the values alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Sequence

from . import model

if TYPE_CHECKING:
    import numpy as np

# numpy and pandas are imported inside the functions that use them: the reader imports this
# module before calamine parses and lets pandas load while calamine parses (`files.reader`).

#: Why a row is not a record: code → German reason (the report shows the reason).
REASONS: dict[str, str] = {
    "nur-formeln": "nur Formelergebnisse, keine Eingabe",
    "andere-spalten": "nur Werte in Spalten, die das Werkzeug nicht kennt",
    "ergebniszeile": "Ergebniszeile einer Excel-Tabelle",
    "verbundene-zelle": "Fortsetzung einer verbundenen Zelle",
    "eingabehilfe": "Eingabehilfe unter der Überschrift",
}

#: How many rows from the top are searched for the header row.
HEADER_SEARCH_ROWS = 12
#: How many rows under the header may be input hints.
HINT_ROWS = 3


@dataclass(frozen=True)
class SheetFacts:
    """What a door knows about a sheet beyond its values (Excel rows 1-based, columns 0-based).

    `formulas` is None when the door cannot tell formulas from values (then every value
    counts as entered).
    """

    formula_rows: np.ndarray | None = None  # Excel row of each formula cell
    formula_cols: np.ndarray | None = None  # its column
    totals_rows: frozenset[int] = frozenset()
    merged: tuple[tuple[int, int, int, int], ...] = ()  # (first row, first col, last row, last col)
    #: rows the file door moved up before parsing (a stray cell after a long gap): row in the
    #: grid → its real Excel row
    row_map: dict[int, int] = field(default_factory=dict)

    @property
    def knows_formulas(self) -> bool:
        """Whether the reader could tell formula cells from typed ones for this sheet."""
        return self.formula_rows is not None


@dataclass(frozen=True)
class Skipped:
    """A non-empty row that is not a record, and why."""

    sheet: str  # the sheet's name in the workbook
    row: int  # Excel row number
    reason: str  # code of `REASONS`

    @property
    def message(self) -> str:
        """The German sentence for the report."""
        return REASONS[self.reason]

    def to_dict(self) -> dict[str, Any]:
        """Plain data for the JSON report."""
        return {"sheet": self.sheet, "row": self.row, "reason": self.reason, "message": self.message}


# --------------------------------------------------------------------------- header row

def header_score(sheet: str, row: Sequence[Any]) -> int:
    """How many distinct fields of `sheet` a row names (text cells only)."""
    found = set()
    for v in row:
        if isinstance(v, str) and v.strip():
            canon = model.canonical_field(sheet, v)
            if canon:
                found.add(canon)
    return len(found)


def find_header(sheet: str, grid: Sequence[Sequence[Any]]) -> int | None:
    """0-based index of the header row among the first rows, or None when no row looks like one.

    The row naming the most fields wins (a title such as "Kundenliste Team Nord, Stand …"
    names at most one); at least two fields, so a lone word is never taken for a header.
    """
    best, best_score = None, 1
    for i, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        score = header_score(sheet, row)
        if score > best_score:
            best, best_score = i, score
    return best


def header_width(header: Sequence[Any]) -> int:
    """Columns up to the last header cell that holds text: nothing right of it is read."""
    for i in range(len(header) - 1, -1, -1):
        v = header[i]
        if v is not None and not (isinstance(v, str) and not v.strip()) and not (isinstance(v, float) and v != v):
            return i + 1
    return 0


# --------------------------------------------------------------------------- records

_MASK = re.compile(r"jjjj|yyyy|tt\.mm|mm\.jj|tt-mm|mm-tt|jj-mm", re.IGNORECASE)
_HINT_START = re.compile(r"^\s*(z\.\s?b\.|zb\b|bsp|beispiel|bitte|pflicht|optional|format|auswahl|"
                         r"eingabe|hier\b|\(|→|->|wird\s+(automatisch|vergeben)|automatisch)",
                         re.IGNORECASE)


def is_hint(sheet: str, field_name: str, value: Any) -> tuple[bool, bool]:
    """(hint-like, a strong hint) for one cell of a possible input-hint row.

    Strong: a date mask (`JJJJ-MM-TT`), an example or instruction (`z. B. …`, `bitte …`), a
    list of choices (`neu / in Beratung / …`).  Weak: the header word repeated (`Vorname`).
    """
    if not isinstance(value, str):
        return False, False
    text = value.strip()
    if _MASK.search(text) or _HINT_START.match(text):
        return True, True
    parts = [p for p in re.split(r"\s*[/|]\s*", text) if p]
    if ("…" in text or "..." in text) and len(parts) >= 2:
        return True, True
    f = model.field_of(sheet, field_name)
    if f.list_name and len(parts) >= 2:
        entries = {model.normalize_key(e) for e in model.DEFAULT_LISTS.get(f.list_name, ())}
        if sum(model.normalize_key(p) in entries for p in parts) >= 2:
            return True, True
    if model.canonical_field(sheet, text) == field_name:
        return True, False
    return False, False


def _filled(col: np.ndarray) -> np.ndarray:
    """Cells that hold something (None, NaN and blank text do not).  C-level loops only
    (`map` over types and `str.isspace`): it runs over every known column of every row.
    pandas is imported here, not at the top: the reader imports this module before calamine
    parses, and imports pandas while calamine parses (`files.reader`)."""
    import numpy as np
    import pandas as pd

    out = ~pd.isna(col)
    idx = np.flatnonzero(out)
    if len(idx):
        vals = col[idx]
        is_str = np.fromiter(map(type, vals), dtype=object, count=len(vals)) == str  # noqa: E721 - exact type per cell, vectorised
        if is_str.any():
            texts = vals[is_str]
            blank = np.fromiter(map(str.isspace, texts), dtype=bool, count=len(texts))
            blank |= np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)) == 0
            sub = np.ones(len(vals), dtype=bool)
            sub[is_str] = ~blank
            out[idx] = sub
    return out


def record_rows(sheet: str, sheet_name: str, cells: np.ndarray, known: dict[str, int],
                first_row: int, facts: SheetFacts | None = None) -> tuple[np.ndarray, list[Skipped]]:
    """Which body rows are records, and the non-empty rows that are not, with the reason.

    `cells` is the (n, width) body below the header, `known` maps the sheet's fields to their
    column, `first_row` is the Excel row of ``cells[0]``.  Only the known columns are looked
    at cell by cell (a few of them, not the whole width), the others only where a row holds no
    known value, to tell "empty" from "skipped".
    """
    import numpy as np

    facts = facts or SheetFacts()
    n = len(cells)
    known_cols = sorted(set(known.values()))
    formula: dict[int, np.ndarray] = {}  # column → rows (body positions) holding a formula
    if facts.knows_formulas and n and len(facts.formula_rows):
        rows = facts.formula_rows - first_row
        ok = (rows >= 0) & (rows < n) & np.isin(facts.formula_cols, known_cols)
        for j in known_cols:
            at = rows[ok & (facts.formula_cols == j)]
            if len(at):
                formula[j] = np.unique(at)
    # column by column, only over the rows not yet known to hold an entered value: the first
    # column (the ID, as a rule) settles nearly every row, so this costs about one column
    entered = np.zeros(n, dtype=bool)
    for j in known_cols:
        todo = np.flatnonzero(~entered)
        if not len(todo):
            break
        hit = _filled(cells[todo, j])
        if j in formula:
            hit &= ~np.isin(todo, formula[j])
        entered[todo[hit]] = True
    any_known = entered.copy()  # rows with something in a known column (formulas too)
    for j in formula:
        todo = np.flatnonzero(~any_known)
        if not len(todo):
            break
        any_known[todo[_filled(cells[todo, j])]] = True
    filled_known = {j: _filled(cells[: min(HINT_ROWS, n), j]) for j in known_cols}

    reason = np.full(n, "", dtype=object)
    # totals rows and merged continuation rows are never records
    for r in facts.totals_rows:
        i = r - first_row
        if 0 <= i < n:
            reason[i] = "ergebniszeile"
    id_col = known.get("ID")
    if id_col is not None:
        for r0, c0, r1, c1 in facts.merged:
            if r1 > r0 and c0 <= id_col <= c1:
                lo, hi = max(r0 + 1 - first_row, 0), min(r1 - first_row, n - 1)
                for i in range(lo, hi + 1):
                    reason[i] = reason[i] or "verbundene-zelle"
    # an input-hint row: among the first rows, before any record, every known value a hint
    by_col = {j: name for name, j in known.items()}
    for i in range(min(HINT_ROWS, n)):
        if reason[i] or not any_known[i]:
            continue
        values = [(by_col[j], cells[i, j]) for j in known_cols if filled_known[j][i]]
        verdicts = [is_hint(sheet, name, v) for name, v in values]
        if all(h for h, _ in verdicts) and any(s for _, s in verdicts):
            reason[i] = "eingabehilfe"
            continue
        if entered[i]:
            break  # the first real record: no hint row below it
    records = entered & (reason == "")
    rest = np.flatnonzero(~records & (reason == ""))
    if len(rest):
        formula_only = rest[any_known[rest]]
        reason[formula_only] = "nur-formeln"
        other = rest[~any_known[rest]]
        if len(other):
            other_cols = [j for j in range(cells.shape[1]) if j not in filled_known]
            has = np.zeros(len(other), dtype=bool)
            sub = cells[other]
            for j in other_cols:
                todo = np.flatnonzero(~has)
                if not len(todo):
                    break
                has[todo] = _filled(sub[todo, j])
            reason[other[has]] = "andere-spalten"
            if facts.knows_formulas and len(facts.formula_rows) and has.any():
                with_formula = np.isin(other[has] + first_row, facts.formula_rows)
                reason[other[has][with_formula]] = "nur-formeln"
    real = facts.row_map
    skipped = [Skipped(sheet_name, real.get(int(i) + first_row, int(i) + first_row), str(reason[i]))
               for i in np.flatnonzero(reason != "")]
    return records, skipped


def skipped_summary(skipped: list[Skipped]) -> dict[str, int]:
    """Counts per reason code."""
    out: dict[str, int] = {}
    for s in skipped:
        out[s.reason] = out.get(s.reason, 0) + 1
    return out
