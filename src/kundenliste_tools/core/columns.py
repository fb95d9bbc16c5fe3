"""Column helpers every ring uses: per-distinct-value conversion of cells to keys, dates, texts.

A column of a record sheet has few distinct values (Status, Bereich, dates of a quarter) or is
converted by a cheap function (IDs), so these helpers factorise the column, convert each
distinct value once and index the results back: per-cell Python work stays out of the engines
(validation, overdue, staff figures, the Excel door).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import idkey
from .model import NEVER_CONTACT, ValueLists, normalize_key
from .rules import ContactFilter
from .values import is_blank, to_dates, to_text


def per_unique(values: pd.Series, *funcs) -> list[pd.Series]:
    """Apply scalar functions once per distinct cell value, not once per cell.

    A column has few distinct values (Status, Bereich) or is converted by a cheap function
    (IDs), so this keeps per-cell Python work out of the engine.
    """
    # blanks (None, NaN, NaT) as one code -1, the last slot of each table: func(None) (pandas
    # finds them in its hash loop; use_na_sentinel=False costs an extra isna pass per column)
    codes, uniques = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=True)
    blank = len(codes) and (codes < 0).any()
    out = []
    for func in funcs:
        mapped = np.empty(len(uniques) + 1, dtype=object)
        mapped[:-1] = [func(u) for u in uniques]
        mapped[-1] = func(None) if blank else None
        out.append(pd.Series(mapped[codes] if len(codes) else np.empty(0, dtype=object),
                             index=values.index, dtype=object))
    return out


def id_keys(values: pd.Series) -> pd.Series:
    """The matching key of each ID (`core.idkey`: numbers by value, own IDs in any case)."""
    return idkey.id_keys(values)


def dates(values: pd.Series) -> pd.Series:
    """`to_dates` on the distinct values only: 300,000 entries have a few thousand dates."""
    codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
    if len(uniques) == 0:
        return pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    parsed = to_dates(pd.Series(uniques, dtype=object)).to_numpy(dtype="datetime64[ns]")
    out = np.where(codes >= 0, parsed[np.maximum(codes, 0)], np.datetime64("NaT"))
    return pd.Series(out, index=values.index, dtype="datetime64[ns]")


def texts(values: pd.Series) -> pd.Series:
    """Cells as the text a counsellor sees (`to_text`), once per distinct value."""
    return per_unique(values, to_text)[0]


def list_keys(values: pd.Series, list_name: str, lists: ValueLists) -> tuple[pd.Series, pd.Series]:
    """(normalized key, display text) of each cell against a value list; ``""`` for blank.

    `alo`, `arbeitslos` and `arbeitslos (alo)` all give the key of the list entry.
    """
    def shown(v: object) -> str:
        if is_blank(v):
            return ""
        t = to_text(v)
        return lists.match(list_name, t) or t

    keys, display = per_unique(values, lambda v: normalize_key(shown(v)), shown)
    return keys, display


def iso(dates: pd.Series) -> pd.Series:
    """Dates as `JJJJ-MM-TT` text, ``""`` for NaT (vectorised)."""
    return dates.dt.strftime("%Y-%m-%d").fillna("").astype(object)


def contact_keys(doku: pd.DataFrame, lists: ValueLists) -> dict[str, pd.Series]:
    """The list key of each entry's `Kontaktart` and `Vermerkart` (the columns present): what
    `counts_mask` and `not_a_contact` read, converted once when a caller needs both.

    Categorical (issue 18): the few keys once, a number per entry, so that comparing 300,000
    entries with a key compares numbers, not texts."""
    out = {}
    for col in ("Kontaktart", "Vermerkart"):
        if col in doku.columns:
            keys = list_keys(doku[col], col, lists)[0]
            codes, uniques = pd.factorize(keys.to_numpy(dtype=object))
            out[col] = pd.Series(pd.Categorical.from_codes(codes, categories=pd.Index(uniques, dtype=object)),
                                 index=keys.index)
    return out


def counts_mask(doku: pd.DataFrame, counts: ContactFilter, lists: ValueLists,
                keys: dict[str, pd.Series] | None = None) -> pd.Series:
    """Which entries count as a contact: value in the rule set's list (or starting with one of
    its prefixes), or blank; a no-show or a contact attempt never (`model.NEVER_CONTACT`).
    `keys`: `contact_keys(doku, lists)` when the caller has them already."""
    keys = contact_keys(doku, lists) if keys is None else keys
    ok = pd.Series(True, index=doku.index)
    for col, key in keys.items():
        allowed, prefixes = counts.allowed(col)
        ok &= ~never_contact(key, col)
        if allowed is None:
            continue
        hit = (key == "") | key.isin(allowed)
        if prefixes:
            hit |= key.str.startswith(prefixes)
        ok &= hit
    return ok


def never_contact(keys: pd.Series, column: str) -> pd.Series:
    """Which list keys of `Kontaktart`/`Vermerkart` mark a no-show or a contact attempt."""
    return keys == normalize_key(NEVER_CONTACT[column])


def not_a_contact(doku: pd.DataFrame, lists: ValueLists, keys: dict[str, pd.Series] | None = None) -> pd.Series:
    """Entries that record a no-show or a contact attempt (issue 16): shown, never counted."""
    keys = contact_keys(doku, lists) if keys is None else keys
    out = pd.Series(False, index=doku.index)
    for col, key in keys.items():
        out |= never_contact(key, col)
    return out
