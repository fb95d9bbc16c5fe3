"""The one gate every value of the anonymised export passes (issue 13, SPEC §6 decision).

The export's sheets and its Auswertung tables are built from many columns; a value that
slips past the scrubber in one of them (an Akquise cell "Empfehlung von Sabine Hasenbein" in
a chart's categories, a customer's name typed into the Berater column, `Müller, Anna` in an
ID column) leaves the team.  So no builder of a sheet or table reads a raw column: it asks
the gate, which knows three kinds of value:

* list values (Status, Akquise, Kontaktart, …, the team's `Listen` sheet) and counsellors
  (the `Berater` list and the `Berater` sheet): written verbatim, in the list's spelling;
  anything else in such a column is scrubbed text;
* IDs: verbatim only when they are IDs (core/pseudonym.py), else the stable pseudonym;
* everything else: scrubbed text (core/scrub.py).

Distinct values are scrubbed once each: a column of 30,000 list cells has a handful of
distinct values, so the gate costs next to nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .book import WorkbookData
from .model import ValueLists, normalize_key
from .pseudonym import is_exportable, pseudonym
from .scrub import Scrubber
from .values import id_texts, to_texts


def counsellors(data: WorkbookData) -> dict[str, str]:
    """The workbook's counsellors, normalised key → spelling: the `Berater` list of `Listen`
    and the names of the `Berater` sheet."""
    names = list(data.lists.get("Berater"))
    if data.berater is not None and "Name" in data.berater.columns:
        names += [n for n in data.berater["Name"].tolist() if isinstance(n, str)]
    out: dict[str, str] = {}
    for name in names:
        key = normalize_key(name)
        if key:
            out.setdefault(key, name.strip())
    return out


@dataclass
class Gate:
    """Decides, value by value, what of a column may leave the workbook."""

    lists: ValueLists
    counsellors: dict[str, str]
    scrubber: Scrubber
    key: str
    #: Distinct ID texts that went out as a pseudonym.
    replaced_ids: set[str] = field(default_factory=set)

    def _scrubbed(self, values: list[str]) -> dict[str, str]:
        return dict(zip(values, self.scrubber.scrub_many(values)))

    def listed(self, values: pd.Series, list_name: str) -> pd.Series:
        """A list column: list values in their list spelling, anything else scrubbed."""
        texts = to_texts(values)
        codes, uniques = _distinct(texts)
        mapping = {u: self.lists.match(list_name, u) for u in uniques if u}
        mapping |= self._scrubbed([u for u, m in mapping.items() if m is None])
        return _taken(texts, codes, uniques, mapping)

    def berater(self, values: pd.Series) -> pd.Series:
        """A Berater column: the workbook's counsellors verbatim, anything else scrubbed."""
        texts = to_texts(values)
        codes, uniques = _distinct(texts)
        mapping = {u: self.counsellors.get(normalize_key(u)) for u in uniques if u}
        mapping |= self._scrubbed([u for u, m in mapping.items() if m is None])
        return _taken(texts, codes, uniques, mapping)

    def text(self, value: str) -> str:
        """One free text (a rule set's name, a title)."""
        return self.scrubber.scrub(value)

    def ids(self, values: pd.Series) -> pd.Series:
        """An ID column: IDs verbatim, any other value its export pseudonym."""
        texts = id_texts(values)
        codes, uniques = _distinct(texts)
        mapping = {u: u for u in uniques if u and is_exportable(u)}
        for u in uniques:
            if u and u not in mapping:
                mapping[u] = pseudonym(u, self.key)
                self.replaced_ids.add(u)
        return _taken(texts, codes, uniques, mapping)


def _distinct(texts: pd.Series) -> tuple[np.ndarray, list[str]]:
    """(position of each cell's text among the distinct ones, the distinct texts in order of
    first appearance): a column's texts hashed once (issue 18)."""
    codes, uniques = pd.factorize(texts.to_numpy(dtype=object))
    return codes, uniques.tolist()


def _taken(texts: pd.Series, codes: np.ndarray, uniques: list[str], mapping: dict[str, str]) -> pd.Series:
    """Each cell's text replaced by `mapping` (a blank stays blank), taken by position."""
    table = np.empty(len(uniques) + 1, dtype=object)
    table[:-1] = [mapping[u] if u else "" for u in uniques]
    table[-1] = ""
    return pd.Series(table[codes], index=texts.index, dtype=object)


def make_gate(data: WorkbookData, scrubber: Scrubber, key: str) -> Gate:
    """The export gate of this workbook: its lists and counsellors verbatim, all else scrubbed."""
    return Gate(data.lists, counsellors(data), scrubber, key)
