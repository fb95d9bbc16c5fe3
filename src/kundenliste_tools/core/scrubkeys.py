"""Building a `core.scrub.Scrubber`: every known value of the Kundenliste hashed with the same
tokeniser the texts go through (`scrub._words`), so that finding them in a text is a look-up of
run hashes in sorted arrays.  Apart from the scrubber itself because the module grew too long.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from .canonical import spellings
from .knownvalues import (
    _values,
    birth_dates,
    city_keys,
    date_keys,
    local_part_keys,
    name_keys,
    no_space_pattern,
    phone_keys,
    plz_keys,
    street_keys,
)
from .scrub import (
    _FIRST_NAME,
    _PRIORITY,
    ADRESSE,
    EMAIL,
    GEBURTSDATUM,
    NAME,
    Scrubber,
    _hash_strings,
)


@functools.lru_cache(maxsize=2)
def _first_name_hashes(names: frozenset[str]) -> dict[int, np.ndarray]:
    """A first-name list (files/firstnames.py) in its spellings, hashed once per process."""
    keys: set[str] = set()
    for name in names:
        for s in spellings(name):
            keys.add(s)
            keys.add(s + "s")
    return {n: h for n, (h, _) in _hash_strings(sorted(keys)).items()}


def _key_table(keys_by_kind: dict[str, set[str]], hashed: dict[str, dict[int, np.ndarray]] | None = None,
               ) -> tuple[dict[int, tuple[np.ndarray, np.ndarray]], tuple[str, ...]]:
    """Hash every key with the same tokeniser the texts go through; `hashed` adds keys of a
    kind that were hashed before (the first-name list)."""
    hashed = hashed or {}
    kinds = tuple(sorted(set(keys_by_kind) | set(hashed), key=lambda k: _PRIORITY[k]))
    strings: list[str] = []
    kind_of: list[int] = []
    for ki, kind in enumerate(kinds):
        for key in keys_by_kind.get(kind, ()):
            strings.append(key)
            kind_of.append(ki)
    kind_arr = np.array(kind_of, dtype=np.int64)
    collected: dict[int, list[tuple[np.ndarray, np.ndarray]]] = {}
    for n, (h, idx) in _hash_strings(strings).items():
        collected.setdefault(n, []).append((h, kind_arr[idx]))
    for kind, by_n in hashed.items():
        for n, h in by_n.items():
            collected.setdefault(n, []).append((h, np.full(len(h), kinds.index(kind), dtype=np.int64)))
    table: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for n, parts in collected.items():
        h = np.concatenate([p[0] for p in parts])
        k = np.concatenate([p[1] for p in parts])
        order = np.lexsort((k, h))  # by hash, then by priority: the first of equals wins
        h, k = h[order], k[order]
        unique = np.concatenate(([True], h[1:] != h[:-1]))
        table[n] = (h[unique], k[unique])
    return table, kinds


def build(kunden: pd.DataFrame, first_names: frozenset[str] = frozenset()) -> Scrubber:
    """The scrubber for one workbook: known values of every customer plus generic patterns;
    `first_names` (files/firstnames.py) are scrubbed wherever they stand capitalised."""

    def col(name: str) -> pd.Series | None:
        return kunden[name] if name in kunden.columns else None

    plz = col("PLZ")
    names = _values(col("VName")) + _values(col("NName"))
    keys = {
        NAME: name_keys(names) | local_part_keys(_values(col("Email"))),
        ADRESSE: street_keys(_values(col("Strasse"))) | city_keys(_values(col("Stadt")))
        | plz_keys(_values(plz)),
        GEBURTSDATUM: date_keys(birth_dates(col("Geburtsdatum"))),
        EMAIL: {v for v in _values(col("Email")) if "@" in v},
    }
    table, kinds = _key_table(keys, {_FIRST_NAME: _first_name_hashes(first_names)} if first_names else None)
    phones, tails = phone_keys(_values(col("Telefon")))
    return Scrubber(table, kinds, None, phones, tails,  # its filter comes with the first scrub
                    no_space_names=no_space_pattern(col("VName"), col("NName")))
