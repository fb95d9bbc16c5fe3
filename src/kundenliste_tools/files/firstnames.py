"""The first-name list for the scrubber (issue 13): gender-guesser's `nam_dict.txt`.

The package ships Jörg Michael's dictionary of some 48,000 first names with their frequency in
54 countries (hex digits 1–D per country, from column 31 of each line).  Its own `Detector`
builds a dictionary per gender and takes a second longer than reading the file here, which
the export does once per run; the choice of names (core/thirdparty.py) stays in the core.

Licences: the dictionary is under the GNU Free Documentation License 1.2, gender-guesser's
code under GPLv3.  This package (MIT) imports none of that code; it reads the data file of
the separately installed package at run time and ships no copy of it.
"""

from __future__ import annotations

import functools
from importlib import resources

from ..core.thirdparty import usable_first_names


def dictionary_entries() -> list[tuple[str, int]]:
    """(name, highest frequency in any country) for every name of the dictionary; a `+` in a
    name stands for a space or hyphen (`Abd+al`), written here as a hyphen."""
    text = (resources.files("gender_guesser") / "data" / "nam_dict.txt").read_text(encoding="utf-8")
    out = []
    for line in text.splitlines():
        if line[:1] in "#=" or len(line) < 31:
            continue
        digits = line[30:-1].replace(" ", "").replace("$", "")
        out.append((line[3:29].strip().replace("+", "-"), int(max(digits), 16) if digits else 0))
    return out


@functools.lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    """The first names the export scrubs as third parties' names (read once per process)."""
    return usable_first_names(dictionary_entries())
