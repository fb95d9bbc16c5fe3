"""Validation of every field of the Kundenliste and the KundenDoku (SPEC §3).

`validate(data, today)` returns the `Finding`s (a `FindingTable`), sorted by sheet, row and
column; it never raises on cell contents (anything a user can type is a finding, not a crash).  `today` is a
parameter so that "in the future" is reproducible.

Why it is shaped like this: on save inside Excel this runs on every save of a team workbook, and
headless on job-centre workbooks (30,000 customers, 300,000 entries).  So every check works on
the *distinct* values of a column (`pd.factorize`), not on every row: a column of 300,000 dates
has a few thousand distinct values; a phone number or e-mail address is parsed once however
often it occurs.  Row-wise Python runs only over the cells that are actually flagged.

The checks of a single value (lists, names, PLZ, telephone, e-mail, and which libraries do
the work there) live in `core.value_checks`; this module runs them per column, adds the
checks across fields, rows and sheets, and turns their verdicts into findings at cells.

The codes, their severities and German templates are in `core.checkcodes`.

Where a cell already has a problem of its own (e.g. a date that is text), the cross-field
checks that need its value skip it, so one mistake gives one finding.  Blank optional cells
are never findings.  For the demo's author: fictional phone numbers must still be valid in
the numbering plan (e.g. `0351 2345678`, `+49 151 23456789`); `example.org` addresses are
valid, `name@web` is not.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable, NamedTuple, Sequence

import numpy as np
import pandas as pd

from . import model, retention
from .book import SheetLayout, WorkbookData
from .chain import missing_followups
from .checkcodes import CODE_RANK, CODES, SHEET_ORDER  # noqa: F401  (CODES: the catalogue, named from here)
from .findings import Finding, FindingTable, FindingType, code_counts, count
from .idkey import id_key, loose_key
from .ids import check_ok, is_own_format
from .model import KUNDENDOKU, KUNDENLISTE, ROW
from .value_checks import Issue, check_email, check_name, check_phone, check_plz, list_checker
from .values import DateValue, id_text, parse_date, to_text

# --------------------------------------------------------------------------- columns

EXCEL_ERRORS = frozenset({
    "#NV", "#N/A", "#WERT!", "#VALUE!", "#BEZUG!", "#REF!", "#DIV/0!", "#NAME?", "#ZAHL!",
    "#NUM!", "#NULL!", "#ÜBERLAUF!", "#SPILL!", "#BERECHNEN!", "#CALC!", "#FELD!", "#FIELD!",
    "#GETTING_DATA", "#BLOCKIERT!", "#BLOCKED!", "#UNBEKANNT!", "#UNKNOWN!", "#CONNECT!",
    "#VERBINDEN!", "#BUSY!", "#AUSGELASTET!",
})
_NAT = np.datetime64("NaT", "D")
_NAT_DAY, _ORD_1970 = int(_NAT.view(np.int64)), dt.date(1970, 1, 1).toordinal()


def _kind(value: Any) -> int:
    """0 = a value, 1 = blank, 2 = an Excel error such as `#NV`."""
    if value.__class__ is str:
        text = value.strip()
        if not text:
            return 1
        return 2 if text[0] == "#" and text.upper() in EXCEL_ERRORS else 0
    return 0  # None, NaN and NaT never get here: factorize makes them NA


class Column:
    """One column, factorised: distinct values once, row-aligned results by indexing.

    Excel's TRUE/FALSE arrive as Python bools, which hash like 1/0; they are replaced by
    their German display text first so that `True` and `1` stay different values.
    """

    def __init__(self, series: pd.Series):
        arr = series.to_numpy(dtype=object)
        self.codes, uniques = pd.factorize(arr, use_na_sentinel=True)
        types = set(map(type, uniques))
        self.every_cell = False  # True: bools were spelled out, the codes are not pandas' own
        if bool in types or ((int in types or float in types) and not {0, 1}.isdisjoint(uniques)):
            # a bool may hide behind 0/1 or the other way round: look at every cell (rare)
            arr = np.array([("WAHR" if v else "FALSCH") if v.__class__ is bool else v
                            for v in arr], dtype=object)
            self.codes, uniques = pd.factorize(arr, use_na_sentinel=True)
            self.every_cell = True
        self.uniques: list[Any] = list(uniques)
        self._each: dict[Callable[[Any], Any], list[Any]] = {}
        # blank text and Excel errors among the distinct values, in C loops: only text that is
        # all space or starts with `#` is looked at one by one
        n = len(self.uniques)
        flags = np.zeros(n, dtype=bool)
        errors = np.zeros(n, dtype=bool)
        if str in types:
            is_str = np.fromiter((t is str for t in map(type, self.uniques)), dtype=bool, count=n)
            idx = np.flatnonzero(is_str)
            texts = [self.uniques[i] for i in idx.tolist()]
            odd = np.fromiter((not t or t[0] == "#" or t[0].isspace() or t[-1].isspace() for t in texts),
                              dtype=bool, count=len(texts))
            for i in idx[odd].tolist():
                kind = _kind(self.uniques[i])
                flags[i], errors[i] = kind == 1, kind == 2
        self._skip = (flags | errors).tolist()
        self.blank = self.take(flags.tolist(), True, bool)
        self.error = self.take(errors.tolist(), False, bool)
        self.filled = ~self.blank & ~self.error

    def __len__(self) -> int:
        return len(self.codes)

    def map(self, fn: Callable[[Any], Any]) -> list[Any]:
        """`fn` of each distinct value; None for blanks and Excel errors (fn never sees them)."""
        return [None if skip else fn(u) for u, skip in zip(self.uniques, self._skip)]

    def each_filled(self, fn: Callable[[Any], Any]) -> list[Any]:
        """`each(fn)` (computed once per `fn`, shared with its other callers), None for blanks
        and Excel errors as in `map`."""
        return [None if skip else value for value, skip in zip(self.each(fn), self._skip)]

    def each(self, fn: Callable[[Any], Any]) -> list[Any]:
        """`fn` of every distinct value, blanks and Excel errors too; once per `fn`."""
        if fn not in self._each:
            self._each[fn] = [fn(u) for u in self.uniques]
        return self._each[fn]

    def take(self, per_unique: list[Any], fill: Any, dtype: Any = object) -> np.ndarray:
        """Row-aligned array from per-distinct-value results (`fill` for NA cells)."""
        n = len(per_unique) + 1
        if dtype is object:  # element by element: an Issue is a tuple and must stay one cell
            table = np.empty(n, dtype=object)
            table[:-1] = np.fromiter(per_unique, dtype=object, count=n - 1) if n > 1 else table[:0]
            table[-1] = fill
        else:
            table = np.array([*per_unique, fill], dtype=dtype)
        return table[self.codes]

    def value(self, pos: int) -> Any:
        """The raw cell value at a row position."""
        code = self.codes[pos]
        return None if code < 0 else self.uniques[code]


# --------------------------------------------------------------------------- collecting

class _Sheet:
    """A record sheet with its layout, so findings can name their cell."""

    def __init__(self, sheet: str, frame: pd.DataFrame, layout: SheetLayout | None):
        self.sheet = sheet
        self.frame = frame
        self.layout = layout or _fallback_layout(sheet, frame)
        self.rows = frame[ROW].to_numpy(dtype=np.int64) if ROW in frame else np.arange(len(frame)) + 2
        self._cols: dict[str, Column] = {}

    def col(self, field: str) -> Column:
        if field not in self._cols:
            series = self.frame[field] if field in self.frame else pd.Series(
                [None] * len(self.frame), index=self.frame.index, dtype=object)
            self._cols[field] = Column(series)
        return self._cols[field]

    def has(self, field: str) -> bool:
        return field in self.layout.columns


def _fallback_layout(sheet: str, frame: pd.DataFrame) -> SheetLayout:
    """Frames built without a workbook: columns in frame order (model order for the rest)."""
    names = [c for c in frame.columns if c != ROW]
    names += [f.name for f in model.SHEET_FIELDS[sheet] if f.name not in names]
    return SheetLayout(sheet, names, {n: i for i, n in enumerate(names)})


class _Collector:
    """Gathers findings as columns (`FindingTable`), with their sort key (sheet, row, column,
    code) as numbers.

    With 100,000+ findings on a messy workbook the per-finding work is what costs: column
    letters are computed once per field, a per-distinct-value check fills its message once per
    distinct value (one kind), a finding is only its kind, row and cell, and the final order is
    one `np.lexsort` over integer keys instead of a Python key function per finding."""

    def __init__(self) -> None:
        self._letters: dict[tuple[int, str], str] = {}
        # (sheet, field, severity, code, message, suggestion, sheet order, column) → kind number
        self._kinds: dict[tuple[Any, ...], int] = {}
        self._kind: list[int] = []
        self._row: list[int] = []
        self._cells: list[str] = []

    def copy(self) -> _Collector:
        """A collector that goes on from this one's findings (this one stays as it is)."""
        other = _Collector()
        other._letters, other._kinds = dict(self._letters), dict(self._kinds)
        other._kind, other._row, other._cells = list(self._kind), list(self._row), list(self._cells)
        return other

    def _letter(self, sh: _Sheet, field: str) -> str | None:
        key = (id(sh), field)
        if key not in self._letters:
            self._letters[key] = sh.layout.letter(field) if sh.has(field) else ""
        return self._letters[key] or None

    def _number(self, sheet: str, field: str, kind: FindingType, message: str, suggestion: str | None,
                sheet_order: int, column: int) -> int:
        key = (sheet, field, kind.severity, kind.code, message, suggestion, sheet_order, column)
        return self._kinds.setdefault(key, len(self._kinds))

    def add(self, sh: _Sheet, code: str, field: str, pos: int, suggestion: str | None = None,
            **params: Any) -> None:
        letter = self._letter(sh, field)
        if letter is None:
            return
        row, kind = int(sh.rows[pos]), CODES[code]
        message = kind.template.format(field=field, suggestion=suggestion, **params)
        self._kind.append(self._number(sh.layout.name, field, kind, message, suggestion,
                                       SHEET_ORDER.get(sh.sheet, 2), sh.layout.columns.get(field, 0)))
        self._row.append(row)
        self._cells.append(f"{letter}{row}")

    def append(self, f: Finding, sheet_order: int, column: int) -> None:
        self._kind.append(self._number(f.sheet, f.field, CODES[f.code], f.message, f.suggestion, sheet_order, column))
        self._row.append(f.row)
        self._cells.append(f.cell)

    def issues(self, sh: _Sheet, field: str, results: list[Issue | None], col: Column) -> np.ndarray:
        """Emit the findings of a per-distinct-value check; returns the row mask of flagged cells."""
        flagged = col.take([r is not None for r in results], False, bool)
        letter = self._letter(sh, field)
        if letter is None or not flagged.any():
            return flagged
        positions = np.flatnonzero(flagged)
        codes = col.codes[positions]
        rows = sh.rows[positions].tolist()
        # the message once per distinct value (a kind), spread over the rows by indexing (C)
        number = np.zeros(len(results), dtype=np.int64)
        sheet_order, column = SHEET_ORDER.get(sh.sheet, 2), sh.layout.columns.get(field, 0)
        for code in np.flatnonzero(np.bincount(codes, minlength=len(results))).tolist():  # np.unique, 16× faster
            issue: Issue = results[code]  # type: ignore[assignment]
            kind = CODES[issue.code]
            message = kind.template.format(field=field, suggestion=issue.suggestion,
                                           value=_show(col.uniques[code]), **(issue.params or {}))
            number[code] = self._number(sh.layout.name, field, kind, message, issue.suggestion, sheet_order, column)
        self._kind.extend(number[codes].tolist())
        self._row.extend(rows)
        self._cells.extend([f"{letter}{row}" for row in rows])
        return flagged

    def ordered(self) -> FindingTable:
        """The findings by sheet (Kundenliste first), row, column and code."""
        keys = list(self._kinds)
        kind, rows = np.array(self._kind, dtype=np.int64), np.array(self._row, dtype=np.int64)
        if not keys:
            return FindingTable([], kind, rows, [])
        sheet_order, column, rank = (np.array(v, dtype=np.int64) for v in zip(
            *((key[6], key[7], CODE_RANK[key[3]]) for key in keys)))
        order = np.lexsort((rank[kind], column[kind], rows, sheet_order[kind]))
        return FindingTable([key[:6] for key in keys], kind[order], rows[order],  # type: ignore[misc]
                            np.array(self._cells, dtype=object)[order].tolist())


def _show(value: Any) -> str:
    """A cell value as the counsellor would recognise it in a message."""
    if isinstance(value, dt.datetime) and value.time() != dt.time(0):
        return value.strftime("%Y-%m-%d %H:%M")
    text = to_text(value)
    return text if len(text) <= 60 else text[:57] + "…"


# --------------------------------------------------------------------------- the entry point

class KundenChecks(NamedTuple):
    """The Kundenliste's half of `validate` (`check_kunden`), done while the KundenDoku is
    still read; `validate(first=)` goes on from it for the workbook made of that very frame."""

    kunden: pd.DataFrame
    layout: SheetLayout | None
    lists: model.ValueLists
    today: dt.date
    out: _Collector
    k: _Sheet
    ids: _Ids
    dates: dict[tuple[str, str], _Dates]

    def belongs_to(self, data: WorkbookData, today: dt.date) -> bool:
        """Made of `data`'s own Kundenliste, value lists and layout, for the same day."""
        return (self.kunden is data.kunden and self.lists is data.lists and self.today == today
                and self.layout is data.layouts.get(KUNDENLISTE))


def check_kunden(kunden: pd.DataFrame, layout: SheetLayout | None, lists: model.ValueLists,
                 today: dt.date | None = None) -> KundenChecks:
    """Every check that needs the Kundenliste alone, in the order `validate` makes them."""
    today = today or dt.date.today()
    out = _Collector()
    k = _Sheet(KUNDENLISTE, kunden, layout)
    _check_cells(out, k)
    ids = _check_kunden_ids(out, k)
    dates = {(KUNDENLISTE, f.name): _check_dates(out, k, f.name, today)
             for f in model.SHEET_FIELDS[KUNDENLISTE] if f.kind == "date"}
    for f in model.SHEET_FIELDS[KUNDENLISTE]:
        if f.list_name:
            _check_list(out, k, f, lists)
    _check_names(out, k)
    _check_address(out, k)
    col = k.col("Telefon")
    out.issues(k, "Telefon", col.map(check_phone), col)
    col = k.col("Email")
    out.issues(k, "Email", col.map(check_email), col)
    _check_duplicate_customers(out, k, dates[(KUNDENLISTE, "Geburtsdatum")])
    return KundenChecks(kunden, layout, lists, today, out, k, ids, dates)


def validate(data: WorkbookData, today: dt.date | None = None, first: KundenChecks | None = None) -> FindingTable:
    """All findings of the workbook, sorted by sheet (Kundenliste first), row and column.

    `first`: the Kundenliste's checks made ahead (`check_kunden`), used when they belong to
    `data` and `today`.  The findings of one sheet keep the order of their checks; the sheets
    are sorted apart, so the result is the same either way."""
    today = today or dt.date.today()
    if first is None or not first.belongs_to(data, today):
        first = check_kunden(data.kunden, data.layouts.get(KUNDENLISTE), data.lists, today)
    out, k = first.out.copy(), first.k
    d = _Sheet(KUNDENDOKU, data.doku, data.layouts.get(KUNDENDOKU))
    _check_cells(out, d)
    dates = dict(first.dates)
    dates.update({(KUNDENDOKU, f.name): _check_dates(out, d, f.name, today)
                  for f in model.SHEET_FIELDS[KUNDENDOKU] if f.kind == "date"})
    for f in model.SHEET_FIELDS[KUNDENDOKU]:
        if f.list_name:
            _check_list(out, d, f, data.lists)
    _check_doku(out, k, d, first.ids, dates, data.lists, today)
    for pos in missing_followups(data, _id_keys(k, d)):  # core/chain.py: the Einladungskette (issue 16)
        out.add(d, "folgetermin-fehlt", "Folgetermin", int(pos), value=to_text(data.doku["ID"].iloc[pos]))
    _check_berater(out, data)
    _check_retention(out, k, data, today)
    return out.ordered()


def _check_cells(out: _Collector, sh: _Sheet) -> None:
    """Excel errors in every field, blanks in the required ones (IDs: `_check_kunden_ids`)."""
    for f in model.SHEET_FIELDS[sh.sheet]:
        if (sh.sheet, f.name) in _FREE_TEXT:
            _check_free_text(out, sh, f.name)
            continue
        col = sh.col(f.name)
        for pos in np.flatnonzero(col.error):
            out.add(sh, "zellfehler", f.name, pos, value=_show(col.value(pos)).upper())
        if f.required_value and f.kind != "id":
            for pos in np.flatnonzero(col.blank):
                out.add(sh, "pflichtfeld-leer", f.name, pos)


def _check_retention(out: _Collector, k: _Sheet, data: WorkbookData, today: dt.date) -> None:
    """Closed customers last seen before the Löschfrist (core/retention.py); none set, no check."""
    n_years = retention.years(data)
    if n_years is None or data.kunden.empty:
        return
    day = retention.cutoff(today, n_years)
    last = retention.closing_dates(data)
    for pos in retention.closed_before(data, day, last).tolist():
        out.add(k, "loeschfrist-abgelaufen", "Status", pos, value=_iso(last.iat[pos].to_datetime64()),
                years=n_years, cutoff=day.isoformat())


def _check_free_text(out: _Collector, sh: _Sheet, field: str) -> None:
    """Only Excel errors, as the engines deliver them (exact text): one hash look-up per cell."""
    if field not in sh.frame:
        return
    series = sh.frame[field]
    for pos in np.flatnonzero(series.isin(EXCEL_ERRORS).to_numpy()):
        out.add(sh, "zellfehler", field, int(pos), value=str(series.iat[pos]))


def summarize(findings: Sequence[Finding], data: WorkbookData | None = None) -> dict[str, Any]:
    """The `summary` of the JSON output: counts overall and per code."""
    codes = code_counts(findings)
    errors, warnings = count(findings)
    out: dict[str, Any] = {"errors": errors, "warnings": warnings,
                           "codes": dict(sorted(codes.items()))}
    if data is not None:
        from .records import skipped_summary

        out.update({"book": data.source, "customers": len(data.kunden), "entries": len(data.doku),
                    "skipped": len(data.skipped), "skipped_reasons": skipped_summary(data.skipped)})
    return out


# --------------------------------------------------------------------------- IDs

class _Ids(NamedTuple):
    keys: np.ndarray  # row-aligned ID text ("" for blank)
    position: dict[str, int]  # ID key → row position, for the unambiguous IDs only (safe to join)
    known: frozenset[str]  # the key of every ID in the Kundenliste
    by_loose: dict[str, str]  # loose key → ID key (unambiguous IDs only, for "another spelling")


def _check_kunden_ids(out: _Collector, k: _Sheet) -> _Ids:
    col = k.col("ID")
    texts: list[str | None] = col.map(id_text)
    keys = col.take([t or "" for t in texts], "", object)
    for pos in np.flatnonzero(col.blank):
        out.add(k, "id-fehlt", "ID", pos, hint=" Fehlende IDs vergibt der Knopf „IDs vergeben“ "
                "(oder der Befehl „kundenliste ids“).")
    odd = [isinstance(u, (dt.date, dt.time)) for u in col.uniques]
    for pos in np.flatnonzero(col.take(odd, False, bool)):
        out.add(k, "id-ungueltig", "ID", pos, value=_show(col.value(pos)))
    bad_check = [t is not None and _own_id_wrong(t) for t in texts]
    for pos in np.flatnonzero(col.take(bad_check, False, bool)):
        out.add(k, "id-pruefzeichen", "ID", pos, value=keys[pos])

    # duplicates: distinct values first (101 and 101.0 are one value already), then the loose key
    ikeys: list[str | None] = col.each_filled(id_key)
    folds = [loose_key(t) if t else "" for t in ikeys]
    fold_codes, _ = pd.factorize(np.array(folds + [""], dtype=object)[col.codes])
    filled = col.filled
    fold_codes = np.where(filled, fold_codes, -1)
    counts = np.bincount(fold_codes[filled], minlength=max(int(fold_codes.max()) + 1, 1)) if filled.any() \
        else np.zeros(1, dtype=np.int64)
    dup = filled & (counts[np.maximum(fold_codes, 0)] > 1)
    dup_pos = np.flatnonzero(dup)
    if len(dup_pos):
        groups: dict[int, list[int]] = {}
        for pos in dup_pos:
            groups.setdefault(int(fold_codes[pos]), []).append(int(k.rows[pos]))
        for pos in dup_pos:
            rows = ", ".join(str(r) for r in groups[int(fold_codes[pos])])
            out.add(k, "id-doppelt", "ID", pos, value=keys[pos], rows=rows)
    unique = np.flatnonzero(filled & ~dup)
    row_keys = col.take([t or "" for t in ikeys], "", object)
    position = dict(zip(row_keys[unique].tolist(), unique.tolist()))
    fold = dict(zip(ikeys, folds))
    return _Ids(keys, position, frozenset(row_keys[filled].tolist()), {fold[key]: key for key in position})


def _id_keys(k: _Sheet, d: _Sheet) -> tuple[pd.Series, pd.Series] | None:
    """`idkey.id_keys` of both ID columns, from the keys the ID checks made (None where bools
    were spelled out: `id_keys` reads those its own way)."""
    cols = (k.col("ID"), d.col("ID"))
    if any(c.every_cell for c in cols):
        return None
    return tuple(pd.Series(c.take(c.each(id_key), "", object), index=sh.frame.index, dtype=object)
                 for c, sh in zip(cols, (k, d)))  # type: ignore[return-value]


def _own_id_wrong(text: str) -> bool:
    try:
        return bool(text) and is_own_format(text) and not check_ok(text)
    except Exception:  # a bug in the ID module must not stop the save-time check
        return False


# --------------------------------------------------------------------------- dates

class _Dates(NamedTuple):
    ok: np.ndarray  # datetime64[D]: the cell's date where the cell is fine (or a bare serial)
    problem: np.ndarray  # bool: the cell is no usable date (text, Excel error): skip comparisons


_DATE_PROBLEM = {"not-iso": "datum-format", "unparseable": "datum-ungueltig",
                 "serial-number": "datum-als-zahl", "time": "datum-uhrzeit"}
_NOT_IN_FUTURE = {(KUNDENLISTE, "Erstkontakt"), (KUNDENLISTE, "Geburtsdatum"), (KUNDENDOKU, "Datum")}
_FLOOR = dt.date(2000, 1, 1)


def _check_dates(out: _Collector, sh: _Sheet, field: str, today: dt.date) -> _Dates:
    col = sh.col(field)
    parsed: list[DateValue | None] = col.map(parse_date)
    future = (sh.sheet, field) in _NOT_IN_FUTURE

    def judge(p: DateValue | None) -> Issue | None:
        if p is None:
            return None
        if p.problem:
            return Issue(_DATE_PROBLEM.get(p.problem, "datum-ungueltig"), p.suggestion)
        return _date_sense(field, p.date, today, future)  # type: ignore[arg-type]

    results = [judge(p) for p in parsed]
    flagged = out.issues(sh, field, results, col)
    usable = [p.date if p is not None and p.date is not None and p.problem in (None, "serial-number")
              else None for p in parsed]
    # day numbers, not a datetime64 made per value (1 µs each)
    ok = col.take([u.toordinal() - _ORD_1970 if u else _NAT_DAY for u in usable], _NAT_DAY,
                  np.int64).view("datetime64[D]")
    problem = flagged & col.take([p is not None and p.problem in ("not-iso", "unparseable", "time") for p in parsed],
                                 False, bool)
    return _Dates(ok, problem | col.error)


def _date_sense(field: str, day: dt.date, today: dt.date, future: bool) -> Issue | None:
    """Future and plausibility checks of one valid date."""
    if future and day > today:
        return Issue("datum-zukunft", None, {"today": today.isoformat()})
    if field == "Geburtsdatum":
        age = today.year - day.year - ((today.month, today.day) < (day.month, day.day))
        if not 14 <= age <= 100:
            return Issue("datum-unplausibel", None, {"reason": f"das Alter wäre {age} Jahre"})
        return None
    if field in ("Erstkontakt", "Datum", "Folgetermin") and day < _FLOOR:
        return Issue("datum-unplausibel", None, {"reason": "vor dem Jahr 2000"})
    if field == "Folgetermin" and day > _add_years(today, 2):
        return Issue("datum-unplausibel", None, {"reason": "mehr als zwei Jahre im Voraus"})
    return None


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _iso(value: np.datetime64) -> str:
    return str(value.astype("datetime64[D]"))


# --------------------------------------------------------------------------- lists

def _check_list(out: _Collector, sh: _Sheet, f: model.Field, lists: model.ValueLists) -> None:
    entries = lists.get(f.list_name or "")
    if not entries:  # a team without a Berater list (or an emptied list): not checked
        return
    col = sh.col(f.name)
    out.issues(sh, f.name, col.map(list_checker(f.list_name or "", lists)), col)


# --------------------------------------------------------------------------- names, address

def _check_names(out: _Collector, k: _Sheet) -> None:
    for field in ("VName", "NName"):
        col = k.col(field)
        out.issues(k, field, col.map(check_name), col)


def _check_address(out: _Collector, k: _Sheet) -> None:
    col = k.col("PLZ")
    out.issues(k, "PLZ", col.map(check_plz), col)
    plz, stadt, strasse = col.filled | col.error, k.col("Stadt").filled, k.col("Strasse").filled
    for pos in np.flatnonzero(plz & k.col("Stadt").blank):
        out.add(k, "stadt-fehlt", "Stadt", pos, plz=_show(col.value(pos)))
    for pos in np.flatnonzero(col.blank & (stadt | strasse)):
        out.add(k, "plz-fehlt", "PLZ", pos)


# --------------------------------------------------------------------------- KundenDoku

def _check_doku(out: _Collector, k: _Sheet, d: _Sheet, k_ids: _Ids,
                dates: dict[tuple[str, str], _Dates], lists: model.ValueLists,
                today: dt.date | None = None) -> None:
    col = d.col("ID")
    texts = col.map(id_text)
    keys = col.take([t or "" for t in texts], "", object)
    for pos in np.flatnonzero(col.blank):
        out.add(d, "id-fehlt", "ID", pos, hint=" Jeder Eintrag braucht die ID der Kundin oder "
                "des Kunden aus der Kundenliste.")

    own_keys = [None if t is None else key for key, t in zip(col.each(id_key), texts)]

    def linked(key: str) -> str | None:
        """The customer's key this entry belongs to (exact key, else one loose match)."""
        if key in k_ids.known:
            return key
        return k_ids.by_loose.get(loose_key(key))

    links = [None if k is None else linked(k) for k in own_keys]

    def judge(own: str | None, text: str | None, key: str | None) -> Issue | None:
        if text is None:
            return None
        if key is None:
            hint = " Das Prüfzeichen stimmt nicht: vermutlich ein Tippfehler." if _own_id_wrong(text) else ""
            return Issue("id-unbekannt", None, {"hint": hint})
        pos = k_ids.position.get(key)
        if pos is None:
            return None  # a duplicated customer ID: flagged there
        shown = str(k_ids.keys[pos])
        respelled = own != key or (text != shown and is_own_format(text))
        return Issue("id-schreibweise", shown, {"krow": int(k.rows[pos])}) if respelled else None

    results = [judge(o, t, key) for o, t, key in zip(own_keys, texts, links)]
    out.issues(d, "ID", results, col)

    # cross-sheet: the customer's row, joined by ID (only unambiguous IDs), per distinct ID
    kpos = col.take([k_ids.position.get(key, -1) if key is not None else -1 for key in links], -1, np.int64)
    joined = kpos >= 0
    kpos_safe = np.where(joined, kpos, 0)
    if len(k.rows):
        d_erst = np.where(joined, dates[(KUNDENLISTE, "Erstkontakt")].ok[kpos_safe], _NAT)
        d_krow = k.rows[kpos_safe]
        status_col = k.col("Status")
        neu = status_col.take(status_col.map(
            lambda v: model.normalize_key(lists.match("Status", to_text(v)) or v)
            == model.normalize_key(model.STATUS_NEU)), False, bool)
        d_neu = joined & neu[kpos_safe]
    else:
        d_erst = np.full(len(keys), _NAT)
        d_krow = np.zeros(len(keys), dtype=np.int64)
        d_neu = np.zeros(len(keys), dtype=bool)

    datum = dates[(KUNDENDOKU, "Datum")]
    folge = dates[(KUNDENDOKU, "Folgetermin")]
    before = ~np.isnat(datum.ok) & ~np.isnat(d_erst) & (datum.ok < d_erst) & ~datum.problem
    for pos in np.flatnonzero(before):
        out.add(d, "vor-erstkontakt", "Datum", pos, value=_iso(datum.ok[pos]), erst=_iso(d_erst[pos]),
                krow=int(d_krow[pos]))
    early = ~np.isnat(datum.ok) & ~np.isnat(folge.ok) & (folge.ok < datum.ok) & ~folge.problem
    for pos in np.flatnonzero(early):
        out.add(d, "folgetermin-vor-datum", "Folgetermin", pos, value=_iso(folge.ok[pos]),
                datum=_iso(datum.ok[pos]))
    # a Folgetermin more than two years after its entry (one not already "more than two
    # years ahead" of today, which has its own finding)
    ahead = np.datetime64(_add_years(today or dt.date.today(), 2), "D")
    far = ~np.isnat(datum.ok) & ~np.isnat(folge.ok) & ~folge.problem & ~datum.problem \
        & (folge.ok > datum.ok + np.timedelta64(model.FOLGETERMIN_MAX_DAYS, "D")) & (folge.ok <= ahead)
    for pos in np.flatnonzero(far):
        out.add(d, "folgetermin-weit", "Folgetermin", pos, value=_iso(folge.ok[pos]),
                datum=_iso(datum.ok[pos]))
    for pos in np.flatnonzero(d_neu):
        out.add(d, "kunde-noch-neu", "ID", pos, value=keys[pos], krow=int(d_krow[pos]))
    _check_duplicate_entries(out, d, keys)


def _check_berater(out: _Collector, data: WorkbookData) -> None:
    """The optional `Berater` sheet: every Stellenanteil usable (`core.book.parse_share`)."""
    b = data.berater
    if b is None or "_ok" not in b or bool(b["_ok"].all()):
        return
    sheet = data.berater_sheet or model.BERATER_SHEET
    for name, row, cell, raw in b.loc[~b["_ok"], ["Name", ROW, "_cell", "_raw"]].itertuples(index=False):
        out.append(CODES["stellenanteil-ungueltig"].make(
            sheet, str(cell), int(row), "Stellenanteil", None, value=_show(raw), name=name), 2, 1)


#: Free text: a value per row, so factorising it costs more than every other column together.
#: It is only looked at for Excel errors and, for the few rows that agree on everything else,
#: for duplicates.
_FREE_TEXT = frozenset({(KUNDENDOKU, "Zusammenfassung"), (KUNDENDOKU, "Vereinbarungen")})


def _check_duplicate_entries(out: _Collector, d: _Sheet, keys: np.ndarray) -> None:
    """The same entry twice (copy and paste): it would count as two contacts.

    Two rows are the same entry when every model field holds the same distinct value.  The
    short fields are compared by their factorisation codes (integer work); the free text only
    for the rows that already agree on all of those, which are few.
    """
    if len(keys) < 2:
        return
    short = [f.name for f in model.DOKU_FIELDS if (KUNDENDOKU, f.name) not in _FREE_TEXT]
    codes = pd.DataFrame({name: d.col(name).codes for name in short})
    candidate = (keys != "") & d.col("Datum").filled
    same_short = codes.duplicated(keep=False).to_numpy() & candidate
    if not same_short.any():
        return
    rows = np.flatnonzero(same_short)
    sub = codes.iloc[rows].reset_index(drop=True)
    for name in sorted(n for s, n in _FREE_TEXT if s == KUNDENDOKU):
        texts = d.frame[name].to_numpy(dtype=object)[rows] if name in d.frame else np.full(len(rows), None)
        sub[name] = pd.factorize(np.array([to_text(t) for t in texts], dtype=object))[0]
    dup = sub.duplicated(keep="first").to_numpy()
    if not dup.any():
        return
    groups = sub.reset_index().groupby(list(sub.columns), sort=False, dropna=False)
    first = groups["index"].transform("first").to_numpy()
    for i in np.flatnonzero(dup):
        out.add(d, "eintrag-doppelt", "Datum", int(rows[i]), first=int(d.rows[rows[first[i]]]))


def _check_duplicate_customers(out: _Collector, k: _Sheet, geb: _Dates) -> None:
    """Same first name, last name and birth date under another row: probably one person."""
    vn, nn = k.col("VName"), k.col("NName")
    have = vn.filled & nn.filled & ~np.isnat(geb.ok)
    if have.sum() < 2:
        return
    frame = pd.DataFrame({
        "v": vn.take(vn.map(model.normalize_key), "", object),
        "n": nn.take(nn.map(model.normalize_key), "", object),
        "g": geb.ok.astype("int64"),
    })[have]
    dup = frame.duplicated(keep="first")
    if not dup.any():
        return
    first = frame.reset_index().groupby(["v", "n", "g"])["index"].transform("first")
    first.index = frame.index
    ids = k.col("ID")
    for pos in frame.index[dup.to_numpy()]:
        f = int(first.loc[pos])
        name = f"{_show(vn.value(pos))} {_show(nn.value(pos))}"
        out.add(k, "kunde-doppelt", "NName", int(pos), name=name, geb=_iso(geb.ok[pos]),
                first=int(k.rows[f]), other=id_text(ids.value(f)))
