"""The keys of the scrubber: what the Kundenliste knows about every customer, in the ways it
is written (SPEC §6, issue 13).

Names with their parts and genitive, streets with their abbreviations, cities, PLZ, birth
dates in every date format, phone numbers reduced to their significant digits, the local
parts of e-mail addresses, and names written in a script without spaces.  core/scrub.py hashes
these keys with the tokeniser the texts go through and looks them all up in one pass.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import unicodedata
from typing import Iterable

import pandas as pd

from .canonical import UMLAUT_TO_DIGRAPH, is_no_space_script, spellings
from .values import parse_date, to_dates, to_text, to_texts

#: Name particles that are not scrubbed when they stand alone (`von der Heide` → `Heide`).
PARTICLES: frozenset[str] = frozenset(
    "von vom van der den dem de da di du del della dos das la le ten ter zu zum zur y und al el "
    "bin ibn mc mac st".split()
)

_PY_TOKEN = re.compile(r"[^\W\d_]+|\d+")


def _values(series: pd.Series | None) -> list[str]:
    """The distinct non-blank texts of a column."""
    if series is None:
        return []
    return [t for t in pd.unique(to_texts(series)) if t]


def _words(value: str) -> list[str]:
    """The words of a value without its numbers; none when they hold fewer than two letters
    (a lone initial or a house number names nobody and no place)."""
    words = [w for w in _PY_TOKEN.findall(value) if not w.isdigit()]
    return words if sum(len(w) for w in words) >= 2 else []


def name_keys(values: Iterable[str]) -> set[str]:
    """Full names and their parts, each also with a genitive `s`."""
    keys: set[str] = set()
    for value in values:
        words = _words(value)
        if not words:
            continue
        forms = {value}
        if len(words) > 1:
            forms |= {w for w in words if len(w) >= 2 and w.lower() not in PARTICLES}
        for form in forms:
            for s in spellings(form):
                keys.add(s)
                keys.add(s + "s")
    return keys


_STREET_WORD = re.compile(r"(?i)(stra(?:ss|ß)e|str\.?)$")
_PLATZ_WORD = re.compile(r"(?i)(platz|pl\.?)$")
_SPLIT_SUFFIXES = re.compile(r"(?i)^(\w{3,}?)(weg|allee|gasse|ring|damm|ufer|chaussee|pfad|steig)$")


def _street_word_forms(word: str) -> set[str]:
    """How one word of a street may be written: `Hauptstraße` → `Hauptstr.`, `Haupt-Strasse` …"""
    for pattern, spellings_ in ((_STREET_WORD, ("straße", "strasse", "str")),
                                (_PLATZ_WORD, ("platz", "pl"))):
        m = pattern.search(word)
        if m:
            stem = word[: m.start()].rstrip("-")
            if not stem:
                return set(spellings_)
            if stem.isalpha() and len(stem) >= 2:
                return {stem + s for s in spellings_} | {f"{stem} {s}" for s in spellings_}
    m = _SPLIT_SUFFIXES.match(word)
    if m:
        return {word, f"{m.group(1)} {m.group(2)}"}
    return {word}


def street_keys(values: Iterable[str]) -> set[str]:
    """The street with its house number, and the street name alone, in their spellings."""
    keys: set[str] = set()
    for value in values:
        parts = value.split()
        number_at = next((i for i, p in enumerate(parts) if p[:1].isdigit()), len(parts))
        name, number = parts[:number_at], parts[number_at:]
        if not name:
            keys |= spellings(value)
            continue
        combos = itertools.islice(itertools.product(*(_street_word_forms(p) for p in name)), 24)
        letters = sum(len(p) for p in name)
        for combo in combos:
            street = " ".join(combo)
            for s in spellings(street):
                if number:
                    keys.add(f"{s} {' '.join(number)}")
                if letters >= 4 and (len(name) > 1 or letters >= 5):
                    keys.add(s)
    return keys


def city_keys(values: Iterable[str]) -> set[str]:
    """The city as written, and its first word (`Frankfurt am Main` → also `Frankfurt`)."""
    keys: set[str] = set()
    for value in values:
        words = _words(value)
        if not words:
            continue
        keys |= spellings(value)
        if len(words) > 1 and len(words[0]) >= 4 and words[0].lower() not in PARTICLES:
            keys |= spellings(words[0])
    return keys


def plz_keys(values: Iterable[object]) -> set[str]:
    """Postcodes (leading zeros do not matter: digit words are compared without them)."""
    keys: set[str] = set()
    for v in {to_text(v) for v in values}:
        digits = re.sub(r"\D", "", v)
        if 4 <= len(digits) <= 5:
            keys.add(digits)
    return keys


_MONTH_NAMES: dict[int, tuple[str, ...]] = {
    1: ("Januar", "Jan", "Jänner"), 2: ("Februar", "Feb"), 3: ("März", "Mrz", "Mar"),
    4: ("April", "Apr"), 5: ("Mai",), 6: ("Juni", "Jun"), 7: ("Juli", "Jul"),
    8: ("August", "Aug"), 9: ("September", "Sep", "Sept"), 10: ("Oktober", "Okt"),
    11: ("November", "Nov"), 12: ("Dezember", "Dez"),
}
_MONTH_SPELLINGS = {m: sorted({s for n in names for s in spellings(n)}) for m, names in _MONTH_NAMES.items()}
_MONTHS_BY_FOLD = {re.sub(r"[^a-z]", "", n.lower().translate(UMLAUT_TO_DIGRAPH)): m
                   for m, names in _MONTH_NAMES.items() for n in names}
_MONTHS_BY_FOLD["marz"] = 3


def birth_dates(series: pd.Series | None) -> set[tuple[int, int, int]]:
    """Known birth dates as (year, month, day), from date cells, ISO or German text."""
    out: set[tuple[int, int, int]] = set()
    if series is None:
        return out
    dates = to_dates(series)
    for ts in pd.unique(dates.dropna()):
        ts = pd.Timestamp(ts)
        out.add((ts.year, ts.month, ts.day))
    for v in series[dates.isna()].tolist():  # German or other text: its ISO suggestion
        parsed = parse_date(v)
        if parsed is not None and parsed.date is None and parsed.suggestion:
            day = dt.date.fromisoformat(parsed.suggestion)
            out.add((day.year, day.month, day.day))
    return out


def date_keys(dates: Iterable[tuple[int, int, int]]) -> set[str]:
    """Every way to write a date: day, month, year as numbers either way round, or with the
    month's name; two-digit years too.  (Leading zeros need no variant: see `_words`.)"""
    keys: set[str] = set()
    for y, m, d in dates:
        yy = f"{y % 100:02d}"
        keys |= {f"{d} {m} {y}", f"{d} {m} {yy}", f"{y} {m} {d}"}
        for s in _MONTH_SPELLINGS[m]:
            keys |= {f"{d} {s} {y}", f"{d} {s} {yy}"}
    return keys


_NON_DIGITS = re.compile(r"\D")  # compiled once: this runs per known number and per number in a text


def phone_digits(value: str) -> str | None:
    """The digits that identify a number whatever its prefix: `0341 555` / `+49 341 555` → 341555.

    German numbers become the national number without trunk 0; foreign ones keep their
    country code.  The same reduction is applied to numbers found in the text.
    """
    digits = _NON_DIGITS.sub("", value.replace("(0)", ""))
    core = digits.lstrip("0")
    if value.strip().startswith("+") or digits.startswith("00"):
        core = core[2:].lstrip("0") if core.startswith("49") else core
    return core if len(core) >= 5 else None


_MULTI = re.compile(r"[,;\n]|\s+(?:oder|und|/)\s+")


def phone_keys(values: Iterable[str]) -> tuple[set[str], set[str]]:
    """Known numbers (reduced by `phone_digits`) and their subscriber parts (last 7+ digits)."""
    full: set[str] = set()
    tails: set[str] = set()
    for value in values:
        for part in _MULTI.split(value):
            d = phone_digits(part)
            if d:
                full.add(d)
                tails.update([d[i:] for i in range(1, len(d) - 6)])
    return full, tails



_ROLE_MAILBOXES = frozenset({"info", "mail", "post", "kontakt", "office", "service", "team", "buero",
                             "verwaltung", "beratung", "hallo", "noreply"})


def local_part_keys(values: Iterable[str]) -> set[str]:
    """The local parts of the customers' addresses (`hasi1985` of `hasi1985@web.de`): a handle
    names its owner as well as a name does, also where the rest of the address is missing."""
    keys: set[str] = set()
    for value in values:
        for address in re.split(r"[\s,;]+", value):
            if "@" not in address:
                continue
            local = address.split("@", 1)[0]
            folded = re.sub(r"[^0-9a-z]", "", local.lower())
            if len(folded) >= 4 and folded not in _ROLE_MAILBOXES:
                keys.add(local)
    return keys


_NO_SPACE_CLASS = "\u0e00-\u0e7f\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff"


def no_space_pattern(vnames: pd.Series | None, nnames: pd.Series | None) -> re.Pattern[str] | None:
    """One regular expression of the customers' names written in a script without spaces:
    family and given name in both orders, and each part.  A part of a single character is
    a name only where it stands apart from other characters of its script (`mit 王 gesprochen`);
    inside Chinese text a single ideograph is too often an ordinary word."""
    if vnames is None or nnames is None:
        return None
    found: set[str] = set()
    single: set[str] = set()
    vs, ns = to_texts(vnames).tolist(), to_texts(nnames).tolist()
    script = re.compile(f"[{_NO_SPACE_CLASS}]")
    if not script.search("".join(vs) + "".join(ns)):  # the usual case: one scan, no loop
        return None
    for v, n in zip(vs, ns):
        if not script.search(v + n):
            continue
        v, n = unicodedata.normalize("NFC", v), unicodedata.normalize("NFC", n)
        for form in (n + v, v + n, n + " " + v, v + " " + n, v, n):
            form = form.strip()
            if not any(is_no_space_script(ord(ch)) for ch in form):
                continue
            (found if len(form) >= 2 else single).add(form)
    if not found and not single:
        return None
    alternatives = [re.escape(f) for f in sorted(found, key=len, reverse=True)]
    alternatives += [f"(?<![{_NO_SPACE_CLASS}]){re.escape(f)}(?![{_NO_SPACE_CLASS}])" for f in sorted(single)]
    return re.compile("|".join(alternatives))
