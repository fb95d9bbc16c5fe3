"""Turning raw cell values into typed ones: IDs as text, dates from cells or ISO text.

A cell arrives as whatever the reader found: `datetime`/`date` for real Excel date cells,
`float` for numbers, `str` for text, `None` for blanks.  These helpers are vectorised where it
matters (whole columns at job-centre scale) and have scalar twins for single cells.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Any, Callable, Literal

import numpy as np
import pandas as pd

from .cells import EXCEL_EPOCH  # noqa: F401 - re-exported
from .model import normalize_key

#: Serial numbers Excel can show as a date (1900-01-01 … 9999-12-31).
SERIAL_MIN, SERIAL_MAX = 1, 2958465

_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00(?:\.0+)?)?)?\s*$")
_DMY = re.compile(r"^\s*(\d{1,2})\s*[./]\s*(\d{1,2})\s*[./]\s*(\d{2}|\d{4})\s*\.?\s*$")
_YMD_OTHER = re.compile(r"^\s*(\d{4})\s*[./]\s*(\d{1,2})\s*[./]\s*(\d{1,2})\s*$")


def is_blank(value: object) -> bool:
    """None, NaN, NaT and whitespace-only text are blank."""
    if value.__class__ is str:  # most cells (`id_text`, `to_text`, `parse_date` skip even this)
        return not value.strip()
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, str):
        return not value.strip()
    return False


def id_text(value: object) -> str:
    """An ID as text: `101`, `101.0` and `"101"` are the same customer; blank is ``""``."""
    if value.__class__ is str:  # what the rules below make of text (blank text too)
        return value.strip()
    if is_blank(value):
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    return str(value).strip()


def id_texts(values: pd.Series) -> pd.Series:
    """Vectorised `id_text` over a column (object dtype, ``""`` for blanks)."""
    return _texts(values, id_text, {float: _number_text, int: str})


_strip = np.frompyfunc(str.strip, 1, 1)


def _number_text(value: float) -> str:
    """`id_text`/`to_text` of a float: ``""`` for NaN, `101.0` → `101`."""
    if value != value:
        return ""
    return str(int(value)) if value.is_integer() else str(value).strip()


def _datetime_text(value: dt.datetime) -> str:
    """`to_text` of a datetime: the ISO date at midnight, else the full timestamp."""
    return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()


def _texts(values: pd.Series, one: Callable[[object], str],
           exact: dict[type, Callable[[Any], str]] | None = None) -> pd.Series:
    """`one` over a column, with text and empty cells (nearly all of them) handled in C loops:
    text is stripped, None is ``""``; cells of a type in `exact` (exactly that type, not a
    subclass) get its shortcut, which must agree with `one`; only the rest go through `one`."""
    arr = values.to_numpy(dtype=object)
    out = np.empty(len(arr), dtype=object)
    types = np.fromiter(map(type, arr), dtype=object, count=len(arr))
    is_str, is_none = types == str, types == type(None)  # noqa: E721 - exact types of a whole column at once
    out[is_str] = _strip(arr[is_str])
    out[is_none] = ""
    rest = ~(is_str | is_none)
    for kind, fn in (exact or {}).items():
        if not rest.any():
            break
        hit = rest & (types == kind)
        if hit.any():
            with np.errstate(all="ignore"):  # NaN compares would raise numpy's FP flag
                out[hit] = np.frompyfunc(fn, 1, 1)(arr[hit])
            rest &= ~hit
    if rest.any():
        out[rest] = [one(v) for v in arr[rest]]
    return pd.Series(out, index=values.index, dtype=object)


@dataclass(frozen=True)
class DateValue:
    """What a date cell holds: a date, or why not, and the ISO spelling we would suggest."""

    date: dt.date | None
    problem: str | None = None  # None | "not-iso" | "unparseable" | "serial-number" | "time"
    suggestion: str | None = None


def _safe_date(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def parse_date(value: object) -> DateValue | None:
    """Read one date cell; None for a blank cell.

    ISO text (`2026-01-05`) and real date cells are valid.  German `05.01.2026` and other
    spellings are problems whose suggestion is the ISO form; a bare number is an Excel serial
    that lost its date format (valid date, flagged so the cell gets its format back).
    """
    if value.__class__ is str:  # most date cells of a messy list: straight to the text rules
        return _parse_date_text(value) if value.strip() else None
    if is_blank(value):
        return None
    if isinstance(value, (dt.time, dt.timedelta)):
        # a time of day, or what calamine makes of a date before 1900 (Excel stores none:
        # the serial is 0 or negative, read as 00:00:00)
        return DateValue(None, "time")
    if isinstance(value, dt.datetime):
        return DateValue(value.date())
    if isinstance(value, dt.date):
        return DateValue(value)
    if isinstance(value, pd.Timestamp):
        return DateValue(value.date())
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        v = float(value)
        if SERIAL_MIN <= v <= SERIAL_MAX:
            d = (EXCEL_EPOCH + dt.timedelta(days=math.floor(v))).date()
            return DateValue(d, "serial-number", d.isoformat())
        return DateValue(None, "unparseable")
    return _parse_date_text(str(value))


def _parse_date_text(text: str) -> DateValue:
    """`parse_date` of text that is not blank."""
    m = _ISO.match(text)
    if m:
        d = _safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if d is None:
            return DateValue(None, "unparseable")
        if text.strip() == d.isoformat():
            return DateValue(d)
        return DateValue(d, "not-iso", d.isoformat())
    m = _DMY.match(text)
    if m:
        day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if year < 100:
            year += 2000 if year < 70 else 1900
        d = _safe_date(year, month, day)
        return DateValue(None, "not-iso", d.isoformat()) if d else DateValue(None, "unparseable")
    m = _YMD_OTHER.match(text)
    if m:
        d = _safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        return DateValue(None, "not-iso", d.isoformat()) if d else DateValue(None, "unparseable")
    return DateValue(None, "unparseable")


def to_dates(values: pd.Series) -> pd.Series:
    """The valid dates of a column as ``datetime64[ns]``; NaT for blanks and anything unclear.

    Real date cells, ISO text and Excel serial numbers count; German `05.01.2026` does not
    (it is a validation error, and guessing would hide it).  Vectorised: the engine and the
    export call this on hundreds of thousands of rows.
    """
    arr = values.to_numpy(dtype=object)
    res = np.full(len(arr), np.datetime64("NaT"), dtype="datetime64[ns]")
    if len(arr):
        kinds = np.array([_KIND.get(t, 0) for t in map(type, arr)], dtype=np.int8)
        is_day, is_str, is_num = (kinds == 1) | (kinds == 2), kinds == 3, kinds == 4
        if is_day.any():  # date and datetime cells: their day number, no parsing
            ords = np.fromiter(map(dt.date.toordinal, arr[is_day]), dtype=np.int64, count=int(is_day.sum()))
            ok = (ords >= _ORD_MIN) & (ords <= _ORD_MAX)
            days = np.where(ok, ords - _ORD_1970, 0).astype("datetime64[D]").astype("datetime64[ns]")
            res[is_day] = np.where(ok, days, np.datetime64("NaT"))
        if is_str.any():
            res[is_str] = _coerce([v.strip() for v in arr[is_str]])
        if is_num.any():
            nums = arr[is_num].astype(float)
            ok = (nums >= SERIAL_MIN) & (nums <= SERIAL_NS_MAX)
            days = np.where(ok, np.floor(np.nan_to_num(nums)), 0).astype("int64")
            conv = np.datetime64("1899-12-30", "ns") + days.astype("timedelta64[D]").astype("timedelta64[ns]")
            res[is_num] = np.where(ok, conv, np.datetime64("NaT"))
    out = pd.Series(res, index=values.index, dtype="datetime64[ns]")
    return out.where((out.dt.year >= NS_MIN) & (out.dt.year <= NS_MAX))


_KIND = {dt.datetime: 1, pd.Timestamp: 1, dt.date: 2, str: 3, float: 4, int: 4, np.float64: 4, np.int64: 4}
#: Years a nanosecond timestamp can hold; dates outside are implausible here anyway.
NS_MIN, NS_MAX = 1678, 2261
SERIAL_NS_MAX = 131_900  # ≈ 2261-02-xx
_ORD_MIN, _ORD_MAX = dt.date(NS_MIN, 1, 1).toordinal(), dt.date(NS_MAX, 12, 31).toordinal()
_ORD_1970 = dt.date(1970, 1, 1).toordinal()


def _coerce(texts: list[str]) -> np.ndarray:
    """ISO texts to datetime64[ns]; anything else (and out-of-range years) to NaT."""
    idx = pd.to_datetime(pd.Series(texts, dtype=object), format="%Y-%m-%d", errors="coerce")
    idx = idx.where((idx.dt.year >= NS_MIN) & (idx.dt.year <= NS_MAX))
    return idx.to_numpy(dtype="datetime64[ns]")


def to_text(value: object) -> str:
    """A cell as display text, ``""`` for blank (numbers without a trailing `.0`)."""
    if value.__class__ is str:  # what the rules below make of text (blank text too)
        return value.strip()
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def to_texts(values: pd.Series) -> pd.Series:
    """Vectorised `to_text` over a column."""
    return _texts(values, to_text, {dt.date: dt.date.isoformat, dt.datetime: _datetime_text,
                                    float: _number_text, int: str})


JA_WORDS = frozenset({"ja", "j", "x", "1", "wahr", "true", "yes", "y", "an", "ein"})
NEIN_WORDS = frozenset({"nein", "n", "0", "falsch", "false", "no", "-", "aus"})


def janein(value: object) -> Literal["ja", "nein"] | None:
    """A ja/nein cell, forgiving (`x`, `1`, `wahr`, TRUE cells); None for blank or unclear.

    Decision: a blank is *unknown*, not "nein": a rule that needs the field then reports the
    customer as not assessable instead of guessing.
    """
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if is_blank(value):
        return None
    key = normalize_key(to_text(value)) or to_text(value).strip()
    if key in JA_WORDS:
        return "ja"
    if key in NEIN_WORDS:
        return "nein"
    return None
