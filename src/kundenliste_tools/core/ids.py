"""Customer IDs: random pseudonyms with a check character, and which rows still need one.

Seed 000 wants IDs that protect the customers' privacy, SPEC §4 wants them random, never
sequential, never derived from personal data, unique in the workbook, never reused, short
enough to type and guarded by a check character.  This module is the one place that knows the
format; validation asks `is_own_format` and `check_ok`, both doors ask `assign_ids`.

Format (decision)
-----------------
Six characters from the 31-symbol alphabet ``23456789ABCDEFGHJKMNPQRSTUVWXYZ`` (no ``0/O``,
``1/I/L`` look-alikes): five drawn with `secrets`, the sixth is the check character, e.g.
``K7M4QX``-like.  Every issued ID has at least two letters and at least two digits:

* at least one letter keeps our IDs apart from the numeric legacy IDs teams already have
  (``101`` or ``234567`` is never "ours", so it is never flagged for a wrong check character);
  at least one digit keeps them apart from words (``MUSTER``);
* *two* of each means a single mistyped character can never turn one of our IDs into
  something that no longer has our shape, so the check character always gets to see the typo.
  `is_own_format` therefore only asks for one of each.
* Excel never reads such a string as a number: scientific notation (``23E456``) needs exactly
  one letter.

13,733,530 of the 28,629,151 possible payloads qualify (counted by enumerating them all),
far beyond a job centre's customers over decades, while six characters stay easy to read
out on the phone.  Letters are compared case-insensitively (``k7m4qx`` is typed easily).

The check character, and why it catches what SPEC §4 asks
--------------------------------------------------------
Write the symbols as values ``v1 … v6`` in 0..30 (their index in the alphabet) and give the
positions the weights ``w = (6, 5, 4, 3, 2, 1)``.  The check character ``v6`` is chosen so that

    S = w1·v1 + w2·v2 + … + w6·v6 ≡ 0  (mod 31).

31 is prime, so the integers mod 31 form a field: a product of two numbers that are both
non-zero mod 31 is non-zero mod 31.

* Single substitution at position i (``vi`` → ``vi'``, ``vi' ≠ vi``): S changes by
  ``wi·(vi' − vi)``.  ``1 ≤ wi ≤ 6`` is non-zero mod 31, and ``0 < |vi' − vi| ≤ 30`` is
  non-zero mod 31, so the change is non-zero and ``S ≢ 0``: detected.  This includes a typo in
  the check character itself (weight 1).
* Swap of neighbours i, i+1 with ``vi ≠ vi+1`` (a swap of equal symbols changes nothing):
  S changes by ``wi·vi+1 + wi+1·vi − wi·vi − wi+1·vi+1 = (wi − wi+1)·(vi+1 − vi)``.
  Adjacent weights differ by 1 (non-zero mod 31) and the symbols differ (non-zero mod 31):
  detected.
* For free: all six weights are distinct, so a swap across one position (``abc`` → ``cba``)
  changes S by ``(wi − wi+2)·(…) ≢ 0``; and ``wi + wi+1 ≤ 11 < 31``, so a "twin" error
  (``aa`` → ``bb``) is caught too.

What it cannot see: a character outside the alphabet (``O`` for ``0``) or a wrong length makes
the text not our format at all; validation then reports the ID as unknown in the Kundenliste
instead of as a typo.
"""

from __future__ import annotations

import secrets
from typing import Any, Callable, Collection, Iterable

import pandas as pd
from pandas.api.types import infer_dtype

from .book import WorkbookData
from .model import KUNDENLISTE, ROW
from .values import id_text, id_texts

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
BASE = len(ALPHABET)  # 31, a prime: the proof above needs it
LENGTH = 6  # five random symbols and the check character
PAYLOAD = LENGTH - 1
WEIGHTS = tuple(range(LENGTH, 0, -1))  # (6, 5, 4, 3, 2, 1); the check character weighs 1
MIN_LETTERS = 2
MIN_DIGITS = 2

_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_DIGITS = frozenset("23456789")

#: A source of randomness: `draw(k)` returns a uniform integer in ``0 … k-1``.
Draw = Callable[[int], int]


def normalize(text: str) -> str:
    """How we compare and store our IDs: trimmed, upper case."""
    return str(text).strip().upper()


def is_own_format(text: str) -> bool:
    """True when `text` has the shape of an ID this tool issues (so its check character counts).

    Six symbols of our alphabet (case-insensitive), at least one letter and one digit.  Legacy
    IDs (numbers, other schemes) are not our format and stay valid without a check.
    """
    t = normalize(text)
    if len(t) != LENGTH or any(ch not in _VALUE for ch in t):
        return False
    digits = sum(ch in _DIGITS for ch in t)
    return 0 < digits < LENGTH


def check_char(payload: str) -> str:
    """The check character for five payload symbols: makes the weighted sum ≡ 0 (mod 31)."""
    p = normalize(payload)
    if len(p) != PAYLOAD or any(ch not in _VALUE for ch in p):
        raise ValueError(f"payload must be {PAYLOAD} symbols of {ALPHABET!r}: {payload!r}")
    total = sum(w * _VALUE[ch] for w, ch in zip(WEIGHTS, p))
    return ALPHABET[(-total) % BASE]


def check_ok(text: str) -> bool:
    """True when `text` is in our format and its check character is right."""
    if not is_own_format(text):
        return False
    t = normalize(text)
    return sum(w * _VALUE[ch] for w, ch in zip(WEIGHTS, t)) % BASE == 0


def _issuable(candidate: str) -> bool:
    digits = sum(ch in _DIGITS for ch in candidate)
    return digits >= MIN_DIGITS and LENGTH - digits >= MIN_LETTERS


def random_id(draw: Draw = secrets.randbelow) -> str:
    """One fresh ID from a cryptographic source (rejection sampling keeps it uniform).

    About half the payloads qualify, so 1,000 rejections in a row only happen with a broken
    source (probability below 10^-280 otherwise): then fail instead of looping forever.
    """
    for _ in range(1000):
        payload = "".join(ALPHABET[draw(BASE)] for _ in range(PAYLOAD))
        candidate = payload + check_char(payload)
        if _issuable(candidate):
            return candidate
    raise RuntimeError("the random source gives no usable ID")


def new_ids(n: int, taken: Iterable[object] = (), draw: Draw = secrets.randbelow) -> list[str]:
    """`n` distinct fresh IDs, none of them in `taken` (compared as ID text, case-insensitive).

    Collisions are expected (a few hundred in 100,000 draws) and simply drawn again.  `draw`
    exists so a test can feed a source that repeats itself; production uses `secrets`.
    """
    return _draw_ids(n, {normalize(t) for t in (id_text(v) for v in taken) if t}, draw)


def _draw_ids(n: int, seen: set[str], draw: Draw) -> list[str]:
    """`new_ids` for IDs `seen` already normalised (`taken_ids`); `seen` takes the new ones."""
    if n < 0:
        raise ValueError("n must not be negative")
    out: list[str] = []
    misses = 0
    while len(out) < n:
        candidate = random_id(draw)
        if candidate in seen:
            misses += 1
            if misses > 1000 + 10 * n:  # only a broken random source gets here
                raise RuntimeError("no fresh ID found: the random source repeats itself")
            continue
        seen.add(candidate)
        out.append(candidate)
    return out


def taken_ids(data: WorkbookData) -> set[str]:
    """Every ID the workbook knows: Kundenliste, KundenDoku (a customer row may have been
    deleted while the entries remain, and a new customer must not inherit them) and the
    register of issued IDs (never reuse one)."""
    found = _id_text_set(data.kunden["ID"]) | _id_text_set(data.doku["ID"])  # stripped already
    return {t for t in map(str.upper, found) if t} | {t for t in map(normalize, data.id_register) if t}


def _id_text_set(column: pd.Series) -> set[str]:
    """The `id_text` of every cell of `column`, each distinct value converted once."""
    distinct = list(_distinct_objects(column.to_numpy(dtype=object)))
    return set(id_texts(pd.Series(distinct, dtype=object)).tolist())


def _distinct_objects(values: Any) -> Iterable[Any]:
    """Each distinct cell value once, without taking 1 and True for one value.

    A column of text only (the usual ID column; blanks skipped) is a set: text is equal
    only to text, and its hash is kept in the object, so 1,000,000 entries take 0.07 s.
    Any other mix goes by identity (the reader gives each distinct value one object), as
    equality would merge 1, 1.0 and True, and `id_text` tells True from 1: 0.37 s."""
    if infer_dtype(values, skipna=True) in ("string", "empty"):
        return set(values)
    return dict(zip(map(id, values), values)).values()


def blank_id_rows(data: WorkbookData, only_rows: Collection[int] | None = None) -> list[int]:
    """Excel rows of Kundenliste records (rows with any data) whose ID cell is blank.

    `only_rows` narrows it to a selection; None means all rows.
    """
    kunden = data.kunden
    blank = (id_texts(kunden["ID"]) == "").to_numpy(dtype=bool)
    rows = kunden[ROW].to_numpy()[blank].tolist()
    if only_rows is not None:
        wanted = set(only_rows)
        rows = [r for r in rows if r in wanted]
    return rows


def assign_ids(data: WorkbookData, only_rows: Collection[int] | None = None,
               draw: Draw = secrets.randbelow) -> list[tuple[int, str]]:
    """`(excel_row, new_id)` for every blank ID of the Kundenliste (or of the selected rows)."""
    rows = blank_id_rows(data, only_rows)
    return list(zip(rows, _draw_ids(len(rows), taken_ids(data), draw)))


def id_cell_edits(data: WorkbookData, issued: Iterable[tuple[int, str]]) -> dict[str, str]:
    """The cells to write for `issued`: A1 reference in the Kundenliste's ID column → ID."""
    layout = data.layouts[KUNDENLISTE]
    letter = layout.letter("ID")
    return {f"{letter}{row}": new_id for row, new_id in issued}
