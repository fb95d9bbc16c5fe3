"""The Einladungskette: is a next appointment agreed for every customer in Beratung?

Seed 000 agrees the next appointment at every conversation ("Vereinbarung: Nächste Schritte,
Termin"); seed 003 recommends "am Ende eines jeden Kundenkontaktes den nächsten
Gesprächstermin … direkt mit dem Kunden zu vereinbaren"; seed 004 asks to keep the
"Einladungskette" going.  So a customer whose Status is `in Beratung` and whose latest entry
has no Folgetermin gets a warning `folgetermin-fehlt` at that entry's Folgetermin cell (issue
16).  A no-show or contact attempt is an entry like any other here: after it, a new
invitation keeps the chain going.  Closed and new customers are not asked.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .book import WorkbookData
from .columns import dates, list_keys
from .idkey import link
from .model import STATUS_IN_BERATUNG, normalize_key
from .values import is_blank


def missing_followups(data: WorkbookData, keys: tuple[pd.Series, pd.Series] | None = None) -> np.ndarray:
    """Positions (0-based, in `data.doku`) of latest entries of customers in Beratung that have
    no Folgetermin.  Entries without a readable Datum or ID are not judged (they have their own
    findings).  `keys`: `idkey.id_keys` of both ID columns, when the caller has them already."""
    k, d = data.kunden, data.doku
    if not len(k) or not len(d):
        return np.array([], dtype=np.int64)
    status_key, _ = list_keys(k["Status"], "Status", data.lists)
    k_keys, d_keys, _ = link(k["ID"], d["ID"], keys)
    beratung = set(k_keys[(status_key == normalize_key(STATUS_IN_BERATUNG)).to_numpy()].tolist()) - {""}
    when = dates(d["Datum"]).to_numpy(dtype="datetime64[ns]")
    # numbers, not object sorting (300,000 entries): each customer's key as a code, then the
    # latest entry per code by (code, Datum, Excel row)
    codes, uniques = pd.factorize(d_keys.to_numpy(dtype=object))
    wanted = np.fromiter((u in beratung for u in uniques), dtype=bool, count=len(uniques))
    sel = np.flatnonzero((codes >= 0) & wanted[np.maximum(codes, 0)] & ~np.isnat(when))
    if not len(sel):
        return np.array([], dtype=np.int64)
    rows = d["_row"].to_numpy()[sel]
    order = sel[np.lexsort((rows, when[sel].view("int64"), codes[sel]))]
    ordered = codes[order]
    latest = order[np.append(ordered[1:] != ordered[:-1], True)]
    folge = d["Folgetermin"].to_numpy(dtype=object)[latest]
    blank = np.fromiter((is_blank(v) for v in folge), dtype=bool, count=len(latest))
    return np.sort(latest[blank]).astype(np.int64)
