"""What an Auskunft (Art. 15 DSGVO) holds for one customer, as plain tables.

* the customer's Kundenliste row with every column, known to the tool or not;
* every KundenDoku entry of the customer, every column;
* every other cell of free text that mentions the customer, found with the scrubber's matching
  of the customer's known values in any spelling (core/scrub.py, known-only mode).

Art. 15 (4): the copy must not disclose other people's data.  So every text cell in the file
(the customer's own free text too: entries name partners, children, other customers) goes
through the full scrubber of the export, built from every OTHER customer's values plus the
generic patterns and the first-name list, except where the customer's own values stand
(`Scrubber.protecting`).  The customer's own fields (names, address, …) go out as they are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import model
from .book import WorkbookData
from .erase import DOKU_TEXT, KUNDEN_TEXT, differs, erase_scrubber, is_text, row_of, scrub_owned
from .idkey import link
from .model import KUNDENDOKU, KUNDENLISTE, ROW
from .scrub import build_scrubber
from .values import id_text

MENTION_HEADER = ["Blatt", "Zeile", "Datum", "Spalte", "Text (andere Personen unkenntlich gemacht)"]


@dataclass
class Auskunft:
    """The tables of the Auskunft file for one customer."""

    id: str
    row: int  # Excel row of the customer in the Kundenliste
    kunden_header: list[str]
    kunden_row: list[Any]
    doku_header: list[str]
    doku_rows: list[list[Any]]
    mentions: list[list[Any]]  # rows under MENTION_HEADER
    info: list[tuple[str, Any]] = field(default_factory=list)


def _text_column(sheet: str, name: str) -> bool:
    """Free text a person typed: the model's text fields and every column it does not know."""
    f = next((f for f in model.SHEET_FIELDS[sheet] if f.name == name), None)
    return f is None or (f.kind == "text" and not f.personal)


def build_auskunft(data: WorkbookData, position: int, first_names: frozenset[str] = frozenset(),
                   source: str = "", today: dt.date | None = None,
                   other_sheets: dict[str, dict[str, str]] | None = None,
                   notes: dict[str, list[tuple[str, str, str]]] | None = None) -> Auskunft:
    """The Auskunft of the customer at `position` of `data.kunden`.

    `other_sheets` and `notes` as for the erasure (core/erase.py): text of other sheets and cell
    notes that mention the customer are listed too, and every note on the customer's own row
    or entries, whatever it says (what an erasure would blank, the Auskunft shows)."""
    kunden, doku = data.kunden, data.doku
    k_layout, d_layout = data.layouts[KUNDENLISTE], data.layouts[KUNDENDOKU]
    own = erase_scrubber(data, [position])
    others = kunden.drop(index=kunden.index[position])
    hide = build_scrubber(others, first_names).protecting(own)
    k_keys, d_keys, _ = link(kunden["ID"], doku["ID"])
    k_key, d_key = k_keys.to_numpy(dtype=object), d_keys.to_numpy(dtype=object)
    k_rows, d_rows = kunden[ROW].to_numpy(), doku[ROW].to_numpy()
    key = k_key[position]
    mine = np.flatnonzero(d_key == key) if key else np.zeros(0, dtype=np.int64)

    k_names = [str(c) for c in kunden.columns[: len(k_layout.headers)]]
    d_names = [str(c) for c in doku.columns[: len(d_layout.headers)]]
    row = [kunden[n].iat[position] for n in k_names]
    doku_rows = [list(r) for r in doku[d_names].to_numpy(dtype=object)[mine].tolist()]
    # the customer's own text goes through `hide` too: entries name partners, other customers
    own_text = [(r, c) for r, values in enumerate([row, *doku_rows]) for c, v in enumerate(values)
                if is_text(v)
                and _text_column(KUNDENLISTE if r == 0 else KUNDENDOKU, (k_names if r == 0 else d_names)[c])]
    cleaned = hide.scrub_many([([row, *doku_rows][r])[c] for r, c in own_text])
    for (r, c), text in zip(own_text, cleaned):
        (row if r == 0 else doku_rows[r - 1])[c] = text

    # sheet, row, date, column, text, owner key
    candidates: list[tuple[str, int, Any, str, str, str]] = []
    for n, header in zip(k_names, k_layout.headers):
        if n in KUNDEN_TEXT or _text_column(KUNDENLISTE, n):
            values = kunden[n].to_numpy(dtype=object)
            for p in np.flatnonzero([is_text(v) for v in values.tolist()]).tolist():
                if p != position:
                    candidates.append((k_layout.name, int(k_rows[p]), None, header or n, values[p], k_key[p]))
    dates = doku["Datum"].to_numpy(dtype=object)
    rest = np.setdiff1d(np.arange(len(doku)), mine)
    for n, header in zip(d_names, d_layout.headers):
        if n in DOKU_TEXT or _text_column(KUNDENDOKU, n):
            values = doku[n].to_numpy(dtype=object)
            sel = rest[np.fromiter((is_text(v) for v in values[rest].tolist()),
                                   dtype=bool, count=len(rest))]
            candidates += [(d_layout.name, r, d, header or n, v, k) for r, d, v, k in
                           zip(d_rows[sel].tolist(), dates[sel].tolist(), values[sel].tolist(), d_key[sel].tolist())]
    for sheet, cells in (other_sheets or {}).items():
        for ref, text in cells.items():
            candidates.append((sheet, row_of(ref), None, ref, text, ""))
    own_rows = {k_layout.name: {int(k_rows[position])}, d_layout.name: set(d_rows[mine].tolist())}
    always: list[bool] = [False] * len(candidates)
    for sheet, items in (notes or {}).items():
        for _key, ref, text in items:
            candidates.append((sheet, row_of(ref), None, f"Notiz in {ref}", text, ""))
            always.append(row_of(ref) in own_rows.get(sheet, set()))
    texts = [c[4] for c in candidates]
    found = scrub_owned(data, own, texts, [c[5] or "" for c in candidates]) if candidates else []
    picked = [i for i, (text, new) in enumerate(zip(texts, found)) if always[i] or differs(text, new)]
    shown = hide.scrub_many([texts[i] for i in picked])
    mentions = [[*candidates[i][:4], text] for i, text in zip(picked, shown)]

    result = Auskunft(id_text(kunden["ID"].iat[position]), int(k_rows[position]),
                      list(k_layout.headers), row, list(d_layout.headers), doku_rows, mentions)
    result.info = [
        ("Auskunft nach", "Art. 15 DSGVO"),
        ("Erstellt am", (today or dt.date.today()).isoformat()),
        ("Arbeitsmappe", source),
        ("Kunden-ID", result.id),
        ("Blatt Kundenliste", f"die Zeile der Kundin/des Kunden mit allen {len(row)} Spalten"),
        ("Blatt KundenDoku", f"{len(doku_rows)} Einträge zu dieser Kundin/diesem Kunden"),
        ("Blatt Erwähnungen", f"{len(mentions)} Stellen (andere Kunden, andere Blätter, Notizen), die "
                              "sie/ihn nennen oder zu ihr/ihm gehören"),
        ("Hinweis", "Angaben über andere Personen sind unkenntlich gemacht ([Name], [Adresse], …)."),
    ]
    return result
