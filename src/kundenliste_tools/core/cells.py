"""Excel's cell coordinates and serial dates, in plain Python (no pandas).

Kept apart from `core.book` and `core.values` so that the file door can use them while pandas
is still being imported beside calamine's parse (files/reader.py starts the parse first).
"""

from __future__ import annotations

import datetime as dt

#: Day 0 of Excel's serial dates (the 1900 system, with Lotus' 29 Feb 1900 folded in).
EXCEL_EPOCH = dt.datetime(1899, 12, 30)


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letters: str) -> int:
    """A → 0, Z → 25, AA → 26 (the inverse of `column_letter`)."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1
