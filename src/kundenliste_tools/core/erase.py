"""Erasing customers (Art. 17 DSGVO, the team's Löschfristen) as a plan of cell edits.

What goes and what stays (issue 17):

* the customer's personal fields in the Kundenliste are blanked: every model field marked
  `personal` (names, address, phone, e-mail, birth date) and every column the tool does not
  know (it cannot tell what a team keeps there);
* what the statistics and the rule sets count stays: ID, Erstkontakt, Akquise, Status,
  Berater and the list fields (Kundenstatus, Profillage, …); the free-text `Ergebnis` stays
  too (the quarterly Auswertung counts it), with the erased customers' values scrubbed out;
* the free text of the customer's own KundenDoku entries becomes `[gelöscht]`, their unknown
  columns are blanked; the entry's Datum, ID, Berater, Folgetermin, Kontaktart and Vermerkart
  stay, so every quarterly count stays the same;
* wherever another customer's free text (entries, Ergebnis, unknown columns) mentions an
  erased customer, the scrubber's matching of known values (every spelling, core/scrub.py, in
  its known-only mode: nothing else is touched) replaces those values by placeholders.

The plan is pure data; `files.patch` writes it (without a backup) and the app appends the
Löschprotokoll rows (`protocol_rows`), which name the ID, the categories and the number of
cells, never a value.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

import numpy as np

from . import model
from .book import WorkbookData
from .errors import InvalidInput
from .idkey import id_key, id_keys, link
from .model import KUNDENDOKU, KUNDENLISTE, ROW
from .pseudonym import is_exportable, pseudonym
from .scrub import Scrubber, build_scrubber
from .values import id_text, is_blank

ERASED = "[gelöscht]"

#: Category of a blanked Kundenliste field as the protocol names it (never the value).
_CATEGORY = {"VName": "Name", "NName": "Name", "Strasse": "Adresse", "PLZ": "Adresse",
             "Stadt": "Adresse", "Telefon": "Telefon", "Email": "E-Mail",
             "Geburtsdatum": "Geburtsdatum"}
OTHER_COLUMNS = "weitere Spalten"
OWN_ENTRIES = "Einträge (Freitext)"
MENTIONS = "Erwähnungen bei anderen"
NOTES = "Notizen"
#: Model fields of the KundenDoku whose text is the conversation itself.
DOKU_TEXT = ("Zusammenfassung", "Vereinbarungen")
#: Free text of the Kundenliste that stays (counted by the Auswertung), scrubbed of erased values.
KUNDEN_TEXT = ("Ergebnis",)


def _field(sheet: str, name: str) -> model.Field | None:
    return next((f for f in model.SHEET_FIELDS[sheet] if f.name == name), None)


def erasable_kunden_column(name: str) -> bool:
    """A Kundenliste column blanked on erasure: personal fields and columns the tool does not know."""
    f = _field(KUNDENLISTE, name)
    return f is None or f.personal


@dataclass
class Erasure:
    """What is erased of one customer: where, and how many cells per category."""

    id: str  # the ID as text
    row: int  # Excel row in the Kundenliste
    categories: Counter = field(default_factory=Counter)

    @property
    def cells(self) -> int:
        """Cells changed for this customer (own row, own entries, mentions of them)."""
        return sum(self.categories.values())

    def describe(self) -> str:
        """`Name 2, Adresse 3, Einträge (Freitext) 4` (categories in a fixed order)."""
        order = ["Name", "Adresse", "Telefon", "E-Mail", "Geburtsdatum", OTHER_COLUMNS, OWN_ENTRIES, NOTES, MENTIONS]
        keys = sorted(self.categories, key=lambda k: order.index(k) if k in order else len(order))
        return ", ".join(f"{k} {self.categories[k]}" for k in keys if self.categories[k])


@dataclass
class ErasePlan:
    """Cell edits ({sheet name: {A1: value}}) and the customers they erase."""

    customers: list[Erasure]
    cells: dict[str, dict[str, Any]]
    mentions: int = 0  # cells of other customers scrubbed
    positions: list[int] = field(default_factory=list)  # of the erased customers in `data.kunden`
    notes: dict[str, str] = field(default_factory=dict)  # note key (files/forget.py) → new text
    elsewhere: dict[str, int] = field(default_factory=dict)  # other sheet → cells scrubbed there

    @property
    def changes(self) -> int:
        """Number of cells and notes the plan changes."""
        return sum(len(c) for c in self.cells.values()) + len(self.notes)


# ----------------------------------------------------------------------------- which customers


def select_ids(data: WorkbookData, ids: Sequence[str], input: str = "id") -> list[int]:
    """Positions (in `data.kunden`) of the customers with these IDs; an unknown ID is an error
    (`InvalidInput(input, …)`)."""
    keys = id_keys(data.kunden["ID"]).tolist()
    out: list[int] = []
    for wanted in ids:
        key = id_key(wanted)
        hits = [i for i, k in enumerate(keys) if k and k == key]
        if not key or not hits:
            raise InvalidInput(input, f"Die ID „{wanted}“ steht nicht in der Kundenliste.")
        out += [i for i in hits if i not in out]
    return out


def select_closed_before(data: WorkbookData, cutoff: dt.date) -> list[int]:
    """Positions of the closed customers last seen before `cutoff` (core/retention.py)."""
    from .retention import closed_before

    return closed_before(data, cutoff).tolist()


# ----------------------------------------------------------------------------- the plan


def _columns(data: WorkbookData, sheet: str) -> list[tuple[str, int]]:
    """(frame column, 0-based sheet column) for every column under the header."""
    frame = data.kunden if sheet == KUNDENLISTE else data.doku
    layout = data.layouts[sheet]
    return [(str(frame.columns[i]), i) for i in range(len(layout.headers))]


def _a1(col: int, row: int) -> str:
    from .cells import column_letter

    return f"{column_letter(col)}{row}"


def _is_text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def plan_erasure(data: WorkbookData, positions: Iterable[int],
                 other_sheets: dict[str, dict[str, str]] | None = None,
                 notes: dict[str, list[tuple[str, str, str]]] | None = None) -> ErasePlan:
    """The cell edits that erase the customers at `positions` of `data.kunden` (see module doc).

    `other_sheets` ({sheet: {A1: text}}): the constant text of sheets the model does not read
    (a Prüfbericht or Fälligkeiten sheet the tool wrote lists names; a team's own sheets); the
    erased customers' values are scrubbed out of it like out of other customers' entries.
    `notes` ({sheet: [(key, A1, text)]}): cell notes; a note in an erased customer's row (or
    one of their entries) becomes `[gelöscht]`, every other note is scrubbed (`plan.notes`).
    """
    positions = sorted(set(positions))
    kunden, doku = data.kunden, data.doku
    k_sheet, d_sheet = data.layouts[KUNDENLISTE].name, data.layouts[KUNDENDOKU].name
    k_cells: dict[str, Any] = {}
    d_cells: dict[str, Any] = {}
    if not positions:
        return ErasePlan([], {})
    k_keys, d_keys, _ = link(kunden["ID"], doku["ID"])
    erasures = [Erasure(id_text(kunden["ID"].iat[p]), int(kunden[ROW].iat[p])) for p in positions]
    by_key = {k_keys.iat[p]: e for p, e in zip(positions, erasures) if k_keys.iat[p]}
    chosen = set(positions)
    k_cols = _columns(data, KUNDENLISTE)
    d_cols = _columns(data, KUNDENDOKU)

    for p, e in zip(positions, erasures):
        for name, i in k_cols:
            value = kunden[name].iat[p]
            if erasable_kunden_column(name) and not is_blank(value):
                k_cells[_a1(i, e.row)] = None
                e.categories[_CATEGORY.get(name, OTHER_COLUMNS)] += 1

    own = np.array([k in by_key for k in d_keys.tolist()], dtype=bool)
    for pos in np.flatnonzero(own).tolist():
        e = by_key[d_keys.iat[pos]]
        row = int(doku[ROW].iat[pos])
        for name, i in d_cols:
            value = doku[name].iat[pos]
            if name in DOKU_TEXT:
                if not is_blank(value) and value != ERASED:
                    d_cells[_a1(i, row)] = ERASED
                    e.categories[OWN_ENTRIES] += 1
            elif _field(KUNDENDOKU, name) is None and not is_blank(value):
                d_cells[_a1(i, row)] = None
                e.categories[OWN_ENTRIES] += 1

    # mentions: every other free-text cell, scrubbed of the erased customers' known values only
    scrubber = erase_scrubber(data, positions)
    targets: list[tuple[dict[str, Any], str, str]] = []  # (cells, A1, text)
    for name, i in k_cols:
        if name in KUNDEN_TEXT or _field(KUNDENLISTE, name) is None:
            for p, value in enumerate(kunden[name].tolist()):
                if _is_text(value) and (name in KUNDEN_TEXT or p not in chosen):
                    targets.append((k_cells, _a1(i, int(kunden[ROW].iat[p])), value))
    for name, i in d_cols:
        if name in DOKU_TEXT or _field(KUNDENDOKU, name) is None:
            for pos in np.flatnonzero(~own).tolist():
                value = doku[name].iat[pos]
                if _is_text(value):
                    targets.append((d_cells, _a1(i, int(doku[ROW].iat[pos])), value))
    extra: dict[str, dict[str, Any]] = {}
    for sheet, texts in (other_sheets or {}).items():
        for ref, text in texts.items():
            targets.append((extra.setdefault(sheet, {}), ref, text))
    note_edits: dict[str, str] = {}
    own_rows = {k_sheet: {e.row: e for e in erasures},
                d_sheet: {int(doku[ROW].iat[i]): by_key[d_keys.iat[i]] for i in np.flatnonzero(own).tolist()}}
    for sheet, items in (notes or {}).items():
        for key, ref, text in items:
            owner = own_rows.get(sheet, {}).get(_row_of(ref))
            if owner is None:
                targets.append((note_edits, key, text))
            elif text.strip() != ERASED:
                note_edits[key] = ERASED
                owner.categories[NOTES] += 1
    scrubbed = scrubber.scrub_many([t for _, _, t in targets]) if targets else []
    changed = [(cells, ref, text, new) for (cells, ref, text), new in zip(targets, scrubbed)
               if _differs(text, new)]
    per_customer = [erase_scrubber(data, [p]) for p in positions] if len(positions) > 1 else [scrubber]
    texts = [text for _, _, text, _ in changed]
    for e, own_scrubber in zip(erasures, per_customer):
        hits = own_scrubber.finds(texts) if len(positions) > 1 else [True] * len(texts)
        e.categories[MENTIONS] += sum(hits)
    for cells, ref, _, new in changed:
        cells[ref] = new
    out = {s: c for s, c in ((k_sheet, k_cells), (d_sheet, d_cells), *extra.items()) if c}
    return ErasePlan(erasures, out, len(changed), positions, note_edits,
                     {sheet: len(cells) for sheet, cells in extra.items() if cells})


def _row_of(ref: str) -> int:
    digits = "".join(ch for ch in ref if ch.isdigit())
    return int(digits) if digits else 0


def _differs(old: str, new: str) -> bool:
    import unicodedata

    return unicodedata.normalize("NFC", old.strip()) != new


def erase_scrubber(data: WorkbookData, positions: Iterable[int]) -> Scrubber:
    """Matches the known values of these customers in any spelling, and nothing else."""
    return build_scrubber(data.kunden.iloc[sorted(set(positions))]).only_known()


def protocol_rows(plan: ErasePlan, when: dt.datetime, grund: str, scrubber: Scrubber,
                  key: str = "") -> list[list[Any]]:
    """One row per erased customer: time, ID, categories, cells, reason; no personal value.

    The reason is typed by a person and may name the customer: it goes through the same
    scrubber.  An ID that is no ID (`Müller, Anna`) is written as its export pseudonym.
    """
    reason = scrubber.scrub(grund) if grund else ""
    stamp = when.strftime("%Y-%m-%d %H:%M")
    rows = []
    for e in plan.customers:
        if not e.cells:  # erased before: nothing new to record
            continue
        if not e.id:
            shown = f"(ohne ID, Zeile {e.row})"
        else:
            shown = e.id if is_exportable(e.id) else (pseudonym(e.id, key) if key else scrubber.scrub(e.id))
        rows.append([stamp, shown, e.describe(), e.cells, reason or None])
    return rows

