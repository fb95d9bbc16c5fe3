"""Worksheet formulas (UDFs, Windows): `=KL_FAELLIG(A2)` and `=KL_UEBERFAELLIG_TAGE(A2)`.

Decision: one cached assessment per workbook and recalculation, not an argument with the whole
Kundenliste.  Passing the Kundenliste as a range would let Excel's dependency tracking trigger
the recalculation, but Excel then marshals the whole range into Python once per formula cell:
with 1,000 formulas over 10,000 KundenDoku rows that is the slow path the spec forbids.  So:

- The formulas are volatile (`Application.Volatile`): a new KundenDoku entry or a new day
  changes the answer although the ID cell did not change.
- The first call of a recalculation reads the workbook once (one range read per sheet) and
  assesses everyone; every further call is a dictionary look-up.  "Once per recalculation" is
  recognised as a burst: calls that follow each other within `BURST_SECONDS` for the same
  workbook, with the same fingerprint (the used-range addresses of Kundenliste and KundenDoku
  and today's date: a cheap check that needs no cell values), reuse the assessment.  A pause
  (the next edit, the next day) or a grown sheet starts a new assessment.
- Errors (missing column, broken rule sheet) come back as the German message in the cell.

`xlwings` is imported only here: this module is loaded by Excel's UDF server, never by the CLI.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import pandas as pd
import xlwings as xw

from ..app.due import due as assess_due
from ..core.errors import KundenlisteError
from ..core.model import KUNDENDOKU, KUNDENLISTE, canonical_sheet
from ..core.reasons import NICHT_BEWERTBAR
from ..core.values import id_text
from .common import workbook_data

BURST_SECONDS = 2.0
UNKNOWN_ID = "ID unbekannt"
NOT_ASSESSABLE = NICHT_BEWERTBAR

#: Injected in tests; the wall clock and today's date otherwise.
clock: Callable[[], float] = time.monotonic
today: Callable[[], dt.date] = dt.date.today


@dataclass
class Assessment:
    fingerprint: tuple
    last_call: float
    by_id: dict[str, tuple[Any, int, bool]] = field(default_factory=dict)  # id → (due, days, assessable)
    error: str | None = None


_CACHE: dict[str, Assessment] = {}
#: How many times the workbook was read and assessed (tests check "once per recalculation").
stats = {"assessments": 0}


def _fingerprint(book: Any) -> tuple:
    shapes = []
    for sheet in book.sheets:
        if canonical_sheet(sheet.name) in (KUNDENLISTE, KUNDENDOKU):
            shapes.append((sheet.name, sheet.used_range.address))
    return (tuple(shapes), today())


def _compute(book: Any, fingerprint: tuple, now: float) -> Assessment:
    stats["assessments"] += 1
    try:
        result = assess_due(workbook_data(book), today=today(), staff=False).customers
    except KundenlisteError as exc:
        return Assessment(fingerprint, now, error=str(exc))
    due = result["due"].map(lambda d: None if pd.isna(d) else d.date())  # per customer once, not per cell
    by_id: dict[str, tuple[Any, int, bool]] = {}
    for key, d, days, ok in zip(
        result["id"].tolist(), due.tolist(), result["days_overdue"].tolist(), result["assessable"].tolist()
    ):
        by_id.setdefault(key, (d, int(days), bool(ok)))
    return Assessment(fingerprint, now, by_id)


def assessment(book: Any) -> Assessment:
    """The workbook's assessment for this recalculation (computed on the first call of a burst)."""
    key = getattr(book, "fullname", None) or book.name
    now = clock()
    fingerprint = _fingerprint(book)
    cached = _CACHE.get(key)
    if cached is not None and cached.fingerprint == fingerprint and now - cached.last_call <= BURST_SECONDS:
        cached.last_call = now
        return cached
    fresh = _compute(book, fingerprint, now)
    _CACHE[key] = fresh
    return fresh


def _book_of(caller: Any) -> Any:
    return caller.sheet.book if caller is not None else xw.books.active


def _entry(kunde: Any, caller: Any) -> tuple[Any, int, bool] | str:
    found = assessment(_book_of(caller))
    if found.error:
        return found.error
    return found.by_id.get(id_text(kunde), UNKNOWN_ID)


@xw.func(category="Kundenliste", volatile=True)
@xw.arg("kunde", doc="die Kunden-ID (Zelle der Spalte ID)")
def KL_FAELLIG(kunde, caller=None):  # noqa: N802 – the name users type; no hints: xlwings reads them as converters
    """Nächstes Fälligkeitsdatum des Kunden nach dem Regelwerk der Mappe (leer: keine Fälligkeit)."""
    hit = _entry(kunde, caller)
    if isinstance(hit, str):
        return hit
    due, _, ok = hit
    if due is None:
        return "" if ok else NOT_ASSESSABLE
    return due


@xw.func(category="Kundenliste", volatile=True)
@xw.arg("kunde", doc="die Kunden-ID (Zelle der Spalte ID)")
def KL_UEBERFAELLIG_TAGE(kunde, caller=None):  # noqa: N802
    """Tage, die der nächste Kontakt überfällig ist (0: nicht überfällig)."""
    hit = _entry(kunde, caller)
    if isinstance(hit, str):
        return hit
    return hit[1]
