"""One key for matching customer IDs, used by every command (validation, due dates, staff).

Before, each place compared IDs its own way, and a KundenDoku entry typed `k7m4q3` was not
linked to customer `K7M4Q3`, so `faellig` called a customer seen five days ago overdue.  The
key (decision, SPEC §2 "IDs compare as text"):

- blank → ``""`` (no customer);
- a number by its value: `101`, `101.0`, `"101"`, and the number 7 shown as `007` by its
  number format and the text `007` are one customer (digit-only text is read as a number);
- an ID in the tool's own format, case-insensitive (`k7m4q3` → `K7M4Q3`);
- any other text trimmed (non-breaking spaces too), otherwise as written.

A KundenDoku ID whose key is not in the Kundenliste but whose *loose* key (case, spaces and
punctuation ignored: `ab-12` ~ `AB 12`) names exactly one customer is linked to that customer,
and validation warns about the spelling (`id-schreibweise`).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import numpy as np
import pandas as pd

from .ids import is_own_format
from .values import is_blank

_DIGITS = re.compile(r"\d+(?:[.,]0+)?")
_LOOSE = re.compile(r"[\s\-_/.]+")
_SEP = re.compile(r"[.,]")


def id_key(value: Any) -> str:
    """The matching key of one ID cell (see the module docstring)."""
    if value.__class__ is str:  # nearly every ID: straight to the text rules
        text = value.strip()
        if not text:
            return ""
        if "\u00a0" in text:
            text = text.replace("\u00a0", " ").strip()
        if text.isdecimal():  # int() reads it ("²" is a digit, not decimal)
            return str(int(text))
        if _DIGITS.fullmatch(text):
            return str(int(_SEP.split(text)[0]))
        if len(text) == 6 and is_own_format(text):
            return text.upper()
        return text
    if is_blank(value):
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        v = float(value)
        return str(int(v)) if v.is_integer() else repr(v)
    if isinstance(value, (dt.date, dt.time, dt.timedelta)):
        return value.isoformat() if not isinstance(value, dt.timedelta) else str(value)
    text = str(value).replace("\u00a0", " ").strip()
    if _DIGITS.fullmatch(text):
        return str(int(_SEP.split(text)[0]))
    if is_own_format(text):
        return text.upper()
    return text


def loose_key(key: str) -> str:
    """`key` with case, spaces and punctuation ignored: for "another spelling" only."""
    return _LOOSE.sub("", key).casefold()


def id_keys(values: pd.Series) -> pd.Series:
    """`id_key` over a column, once per distinct value (object dtype, ``""`` for blanks)."""
    arr = values.to_numpy(dtype=object)
    codes, uniques = pd.factorize(arr, use_na_sentinel=True)
    table = np.empty(len(uniques) + 1, dtype=object)
    table[:-1] = [id_key(u) for u in uniques]
    table[-1] = ""
    # True and 1 hash alike: a bool hiding behind a number (or the other way) is looked at alone
    if any(u.__class__ is bool for u in uniques) or (
            any(isinstance(u, (int, float)) and u in (0, 1) for u in uniques) and
            any(isinstance(v, bool) for v in arr)):
        return pd.Series([id_key(v) for v in arr], index=values.index, dtype=object)
    return pd.Series(table[codes], index=values.index, dtype=object)


def link(kunden: pd.Series, doku: pd.Series, keys: tuple[pd.Series, pd.Series] | None = None,
         ) -> tuple[pd.Series, pd.Series, np.ndarray]:
    """(customer key per Kundenliste row, linked key per KundenDoku row, respelled mask).

    `keys`: `id_keys` of both columns, when the caller made them already (validation).

    A KundenDoku key found in the Kundenliste links as it is; otherwise its loose key links it
    to the one customer with the same loose key (none or several: it stays unlinked).
    `respelled` marks the entries linked only through the loose key.
    """
    k_keys, d_keys = keys or (id_keys(kunden), id_keys(doku))
    known = set(k_keys.tolist())
    known.discard("")
    respelled = np.zeros(len(d_keys), dtype=bool)
    d_arr = d_keys.to_numpy(dtype=object)
    # per distinct key, not per entry (300,000 entries, a tenth as many customers)
    missing = sorted(k for k in pd.unique(d_arr).tolist() if k and k not in known)
    if missing:
        by_loose: dict[str, str | None] = {}
        for k in known:
            lk = loose_key(k)
            by_loose[lk] = None if lk in by_loose and by_loose[lk] != k else k
        repl = {m: by_loose.get(loose_key(m)) for m in missing}
        repl = {m: k for m, k in repl.items() if k}
        if repl:
            hit = pd.Series(d_arr).isin(list(repl)).to_numpy()
            d_arr = d_arr.copy()
            d_arr[hit] = [repl[k] for k in d_arr[hit]]
            respelled = hit
            d_keys = pd.Series(d_arr, index=d_keys.index, dtype=object)
    return k_keys, d_keys, respelled
