"""Löschfristen: when a closed customer's data is due for erasure (issue 17).

A team keeps a customer's data for a number of years after the case was closed (setting
"Löschfrist (Jahre nach Abschluss)" in Einstellungen; empty = the team has set none, so no
warning: the period is the Träger's decision, not the tool's).  The day a case closed is not
recorded anywhere, so (decision) a closed customer counts as closed on the day last seen: the
latest KundenDoku entry, else Erstkontakt.  `pruefen` warns (`loeschfrist-abgelaufen`) for
every closed customer last seen before `cutoff(today, years)`, and erasing "closed before" that
day (core/erase.py) removes exactly those.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

from . import model
from .book import WorkbookData
from .idkey import link
from .values import to_dates, to_texts

SETTING = "Löschfrist (Jahre nach Abschluss)"


def years(data: WorkbookData) -> int | None:
    """The Löschfrist in whole years (`3`, `3 Jahre`), or None when none is set or it is unclear."""
    m = re.fullmatch(r"\s*(\d{1,3})(?:[.,]0+)?\s*(?:jahre?)?\s*", data.setting(SETTING), re.IGNORECASE)
    return int(m.group(1)) if m and int(m.group(1)) > 0 else None


def cutoff(today: dt.date, n_years: int) -> dt.date:
    """The day before which a closing lies `n_years` back (29 February → 28 February)."""
    try:
        return today.replace(year=today.year - n_years)
    except ValueError:
        return today.replace(year=today.year - n_years, day=28)


def closing_dates(data: WorkbookData) -> pd.Series:
    """Per Kundenliste row: the day a closed customer was last seen (NaT when not closed or unknown)."""
    k_keys, d_keys, _ = link(data.kunden["ID"], data.doku["ID"])
    entry_days = to_dates(data.doku["Datum"])
    latest = pd.Series(entry_days.to_numpy(), index=d_keys.to_numpy()).dropna()
    latest = latest[latest.index != ""].groupby(level=0).max()
    last = pd.Series(k_keys.map(latest).to_numpy(dtype="datetime64[ns]"), index=data.kunden.index)
    last = last.fillna(to_dates(data.kunden["Erstkontakt"]))
    status = to_texts(data.kunden["Status"]).map(model.normalize_key)
    return last.where(status == model.normalize_key(model.STATUS_ABGESCHLOSSEN))


def closed_before(data: WorkbookData, day: dt.date, last: pd.Series | None = None) -> np.ndarray:
    """Positions of the closed customers last seen before `day` (`last`: `closing_dates(data)`
    when the caller has it already)."""
    last = closing_dates(data) if last is None else last
    return np.flatnonzero((last < pd.Timestamp(day)).to_numpy())
