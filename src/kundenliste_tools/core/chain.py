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


def missing_followups(data: WorkbookData) -> np.ndarray:
    """Positions (0-based, in `data.doku`) of latest entries of customers in Beratung that have
    no Folgetermin.  Entries without a readable Datum or ID are not judged (they have their own
    findings)."""
    k, d = data.kunden, data.doku
    if not len(k) or not len(d):
        return np.array([], dtype=np.int64)
    status_key, _ = list_keys(k["Status"], "Status", data.lists)
    k_keys, d_keys, _ = link(k["ID"], d["ID"])
    beratung = set(k_keys[(status_key == normalize_key(STATUS_IN_BERATUNG)).to_numpy()].tolist()) - {""}
    when = dates(d["Datum"])
    frame = pd.DataFrame({"key": d_keys.to_numpy(), "when": when.to_numpy(), "row": d["_row"].to_numpy(),
                          "pos": np.arange(len(d))})
    frame = frame[frame["key"].isin(beratung) & frame["when"].notna()]
    latest = frame.sort_values(["key", "when", "row"]).drop_duplicates("key", keep="last")
    blank = d["Folgetermin"].map(is_blank).to_numpy(dtype=bool)
    pos = latest["pos"].to_numpy(dtype=np.int64)
    return np.sort(pos[blank[pos]])
