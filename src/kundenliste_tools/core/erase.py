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
* wherever another customer's free text (entries, Ergebnis, unknown columns), another sheet's
  constant text or a cell note mentions an erased customer, the scrubber's matching of known
  values (every spelling, core/scrub.py, in its known-only mode: nothing else is touched)
  replaces those values by placeholders; notes on the erased row or entries become
  `[gelöscht]`;
* except (decision) what another customer shares with the erased one in that customer's own
  text: Anna Muster's entries keep "Frau Muster" and her city when Eva Muster is erased
  (`scrub_owned`); erasing one customer must not damage another's record.  A mention of a
  shared value in a third customer's text is scrubbed (it may be either; privacy wins).

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
from .scrub import Scrubber, build_scrubber, own_forms
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


def _columns(data: WorkbookData, sheet: str) -> list[tuple[str, str, np.ndarray]]:
    """(frame column, column letter, values) for every column under the header."""
    from .cells import column_letter

    frame = data.kunden if sheet == KUNDENLISTE else data.doku
    layout = data.layouts[sheet]
    return [(str(frame.columns[i]), column_letter(i), frame.iloc[:, i].to_numpy(dtype=object))
            for i in range(len(layout.headers))]


def is_text(value: object) -> bool:
    """A text cell with something in it (free text the scrubber looks at)."""
    return isinstance(value, str) and bool(value.strip())


def scrub_owned(data: WorkbookData, scrubber: Scrubber, texts: list[str], owners: list[str]) -> list[str]:
    """`texts` scrubbed, each except where it names its own customer (`owners`: ID keys, "" =
    nobody's): when the erased customer shares a surname or a city with another customer, the
    other customer's notes keep their own name ("Herr Hoffmann: …" in Anna Hoffmann's entries
    is about her).  One batch run; only the texts it changed and that belong to a customer are
    looked at again, with that customer's own values kept (`Scrubber.scrub_keeping`)."""
    out = scrubber.scrub_many(texts)
    again = [i for i, (text, new, owner) in enumerate(zip(texts, out, owners)) if owner and differs(text, new)]
    if not again:
        return out
    forms = _owner_forms(data, {owners[i] for i in again})
    redone = scrubber.scrub_keeping([texts[i] for i in again], [forms.get(owners[i], frozenset()) for i in again])
    for i, text in zip(again, redone):
        out[i] = text
    return out


#: Fields whose values the scrubber knows (core/scrub.py build_scrubber).
_KNOWN = ("VName", "NName", "Strasse", "PLZ", "Stadt", "Telefon", "Email", "Geburtsdatum")


def _owner_forms(data: WorkbookData, owners: set[str]) -> dict[str, frozenset[str]]:
    """Owner key → the forms of their own known values (all their rows with that key)."""
    keys = id_keys(data.kunden["ID"]).to_numpy(dtype=object)
    columns = {n: data.kunden[n].to_numpy(dtype=object) for n in _KNOWN if n in data.kunden.columns}
    out: dict[str, frozenset[str]] = {}
    for p in [p for p, k in enumerate(keys.tolist()) if k in owners]:
        forms = own_forms({n: col[p] for n, col in columns.items()})
        out[keys[p]] = out.get(keys[p], frozenset()) | forms
    return out


def plan_erasure(data: WorkbookData, positions: Iterable[int],
                 other_sheets: dict[str, dict[str, str]] | None = None,
                 notes: dict[str, list[tuple[str, str, str]]] | None = None) -> ErasePlan:
    """The cell edits that erase the customers at `positions` of `data.kunden` (see module doc).

    `other_sheets` ({sheet: {A1: text}}): the constant text of sheets the model does not read
    (a Prüfbericht or Fälligkeiten sheet the tool wrote lists names; a team's own sheets); the
    erased customers' values are scrubbed out of it like out of other customers' entries.
    `notes` ({sheet: [(key, A1, text)]}): cell notes; a note in an erased customer's row (or
    one of their entries) becomes `[gelöscht]`, every other note is scrubbed (`plan.notes`).
    Columns are taken as arrays once: at 300,000 entries a cell look-up per row costs a minute.
    """
    positions = sorted(set(positions))
    if not positions:
        return ErasePlan([], {})
    kunden, doku = data.kunden, data.doku
    k_sheet, d_sheet = data.layouts[KUNDENLISTE].name, data.layouts[KUNDENDOKU].name
    k_cells: dict[str, Any] = {}
    d_cells: dict[str, Any] = {}
    k_keys, d_keys, _ = link(kunden["ID"], doku["ID"])
    k_key, d_key = k_keys.to_numpy(dtype=object), d_keys.to_numpy(dtype=object)
    k_rows, d_rows = kunden[ROW].to_numpy(), doku[ROW].to_numpy()
    ids = kunden["ID"].to_numpy(dtype=object)
    erasures = [Erasure(id_text(ids[p]), int(k_rows[p])) for p in positions]
    by_key = {k_key[p]: e for p, e in zip(positions, erasures) if k_key[p]}
    chosen = set(positions)
    k_cols = _columns(data, KUNDENLISTE)
    d_cols = _columns(data, KUNDENDOKU)

    for p, e in zip(positions, erasures):
        for name, letter, values in k_cols:
            if erasable_kunden_column(name) and not is_blank(values[p]):
                k_cells[f"{letter}{e.row}"] = None
                e.categories[_CATEGORY.get(name, OTHER_COLUMNS)] += 1

    own = np.fromiter((k in by_key for k in d_key.tolist()), dtype=bool, count=len(d_key))
    own_pos = np.flatnonzero(own).tolist()
    for name, letter, values in d_cols:
        conversation, unknown = name in DOKU_TEXT, _field(KUNDENDOKU, name) is None
        if not (conversation or unknown):
            continue
        for pos in own_pos:
            value = values[pos]
            if is_blank(value) or (conversation and value == ERASED):
                continue
            d_cells[f"{letter}{int(d_rows[pos])}"] = ERASED if conversation else None
            by_key[d_key[pos]].categories[OWN_ENTRIES] += 1

    # mentions: every other free-text cell, scrubbed of the erased customers' known values only
    scrubber = erase_scrubber(data, positions)
    # (cells, column letter or whole reference, row or 0, text, owner key): references are
    # written out only for the texts that change
    targets: list[tuple[dict[str, Any], str, int, str, str]] = []
    for name, letter, values in k_cols:
        if name in KUNDEN_TEXT or _field(KUNDENLISTE, name) is None:
            for p in np.flatnonzero([is_text(v) for v in values.tolist()]).tolist():
                if p not in chosen:
                    targets.append((k_cells, letter, int(k_rows[p]), values[p], k_key[p]))
                elif name in KUNDEN_TEXT:  # the erased customer's own Ergebnis: nothing of theirs stays
                    targets.append((k_cells, letter, int(k_rows[p]), values[p], ""))
    others = np.flatnonzero(~own)
    for name, letter, values in d_cols:
        if name in DOKU_TEXT or _field(KUNDENDOKU, name) is None:
            texts = values[others]
            sel = others[np.fromiter((is_text(v) for v in texts.tolist()), dtype=bool, count=len(texts))]
            targets += [(d_cells, letter, row, text, key) for row, text, key in
                        zip(d_rows[sel].tolist(), values[sel].tolist(), d_key[sel].tolist())]
    extra: dict[str, dict[str, Any]] = {}
    for sheet, texts_of_sheet in (other_sheets or {}).items():
        for ref, text in texts_of_sheet.items():
            targets.append((extra.setdefault(sheet, {}), ref, 0, text, ""))
    note_edits: dict[str, str] = {}
    own_rows = {k_sheet: {e.row: e for e in erasures},
                d_sheet: {int(d_rows[i]): by_key[d_key[i]] for i in own_pos}}
    for sheet, items in (notes or {}).items():
        for key, ref, text in items:
            owner = own_rows.get(sheet, {}).get(row_of(ref))
            if owner is None:
                targets.append((note_edits, key, 0, text, ""))
            elif text.strip() != ERASED:
                note_edits[key] = ERASED
                owner.categories[NOTES] += 1
    scrubbed = scrub_owned(data, scrubber, [t[3] for t in targets], [t[4] or "" for t in targets])
    changed = [(cells, f"{ref}{row}" if row else ref, text, new)
               for (cells, ref, row, text, _), new in zip(targets, scrubbed) if differs(text, new)]
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


def row_of(ref: str) -> int:
    """The row of an A1 reference (`F12` → 12; 0 without digits)."""
    digits = "".join(ch for ch in ref if ch.isdigit())
    return int(digits) if digits else 0


def differs(old: str, new: str) -> bool:
    """Whether scrubbing changed a text (beyond the trimming and NFC form the scrubber applies)."""
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

