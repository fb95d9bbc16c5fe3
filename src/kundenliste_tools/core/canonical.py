"""One canonical form of text, so that a name matches in every way it is written (issue 13).

Counsellors paste text from Macs and PDFs (Unicode NFD: `u` + combining diaeresis), type
Turkish `ı` as `i`, Polish `ł` as `l`, Scandinavian `ø` as `o` or `oe`, German `ä` as `ae`
and `ß` as `ss`, and join names in file names (`AnnaLenaMueller.pdf`).  Two views of the same
idea live here:

* `fold_char`: one character → one folded character, for the vectorised scrubber, which must
  keep positions (it replaces spans of the original text).  Compatibility forms are unfolded
  (NFKC), case is folded, and a letter that is no plain Latin letter is transliterated by
  `anyascii` when that gives exactly one letter (`ı`→`i`, `ł`→`l`, `ø`→`o`, `ð`→`d`).
  Letters whose transliteration is longer (`æ`→`ae`, `ß`→`ss`, Cyrillic `ж`→`zh`, Chinese
  `王`→`Wang`) fold to themselves or a fixed stand-in; their long spellings are added to
  the *keys* by `spellings`, not to the text.
* `canonical` / `loose`: a whole string to a comparable form, for tests and checks that ask
  "is this value still in there?", where positions do not matter.

Why `anyascii` and not `unidecode`: anyascii is ISC-licensed (this package is MIT; unidecode
is GPL), maintained (0.3.3, 2025), covers more scripts, and maps one code point at a time,
which is exactly what the position-keeping fold table needs.
"""

from __future__ import annotations

import itertools
import re
import unicodedata

from anyascii import anyascii

SEP, LETTER, DIGIT, HARD = 0, 1, 2, 3

#: Scripts written without spaces between words: their names are found as substrings.
_NO_SPACE_RANGES = ((0x2E80, 0x9FFF), (0xAC00, 0xD7AF), (0xF900, 0xFAFF), (0x20000, 0x2FA1F),
                    (0x0E00, 0x0E7F))


def is_no_space_script(cp: int) -> bool:
    """CJK ideographs, kana, Hangul, Thai: a name is part of a longer run of letters."""
    return any(lo <= cp <= hi for lo, hi in _NO_SPACE_RANGES)


def fold_char(cp: int) -> tuple[int, int]:
    """(folded code point, class) of one character: `Ä`→`a` letter, `5` digit, `-` separator.

    Folding keeps one character per character so that positions in the folded array are the
    positions in the original text.  `ß` folds to `s`; that `Straße` also appears as `Strasse`
    is handled by spelling variants of the keys, not here.
    """
    if cp == 0:
        return 0, HARD
    c = chr(cp)
    if "0" <= c <= "9":
        return cp, DIGIT
    if c in "ßẞ":
        return ord("s"), LETTER
    nfkc = unicodedata.normalize("NFKC", c)
    if len(nfkc) == 1 and nfkc != c:
        c = nfkc
        if "0" <= c <= "9":
            return ord(c), DIGIT
    low = c.casefold()
    if len(low) != 1:
        low = c.lower() if len(c.lower()) == 1 else c
    decomposed = unicodedata.normalize("NFKD", low)
    base = decomposed[0] if decomposed else low
    if len(decomposed) > 1 and not all(unicodedata.combining(x) for x in decomposed[1:]):
        base = low
    if base.isascii() and base.isalpha():
        return ord(base.lower()), LETTER
    if base.isalpha():
        if not is_no_space_script(cp):
            latin = anyascii(base)
            if len(latin) == 1 and latin.isalpha():
                return ord(latin.lower()), LETTER
        return ord(base), LETTER
    if c.isalnum():
        return ord(low), LETTER
    return 32, SEP


def is_upper(cp: int) -> bool:
    """An upper-case letter (the start of a joined name: `Anna|Lena|Mueller`)."""
    c = chr(cp)
    return c.isupper()


# ---------------------------------------------------------------- spellings of a key

_UMLAUTS_AS_DIGRAPHS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})
_NORDIC_AS_DIGRAPHS = str.maketrans({"ø": "oe", "Ø": "Oe", "æ": "ae", "Æ": "Ae", "å": "aa", "Å": "Aa"})
_SHARP_S_AS_SS = str.maketrans({"ß": "ss", "ẞ": "SS"})
#: ä → ae, ß → ss, ø → oe, …: the one digraph table (canonical keys, spellings, month names).
UMLAUT_TO_DIGRAPH = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae",
                                    "Ö": "Oe", "Ü": "Ue", "ẞ": "SS", "ø": "oe", "Ø": "Oe",
                                    "æ": "ae", "Æ": "Ae", "å": "aa", "Å": "Aa"})
_DIGRAPH_TO_VOWEL = re.compile(r"(?<=[aou])e|(?<=s)s", re.IGNORECASE)


#: Letters written in two ways, and the two-letter spellings that stand for one letter.
_CHOICES = {"ä": ("ä", "ae"), "ö": ("ö", "oe"), "ü": ("ü", "ue"), "Ä": ("Ä", "Ae"), "Ö": ("Ö", "Oe"),
            "Ü": ("Ü", "Ue"), "ß": ("ß", "ss"), "ẞ": ("ẞ", "SS"), "ø": ("ø", "oe"), "Ø": ("Ø", "Oe"),
            "æ": ("æ", "ae"), "Æ": ("Æ", "Ae"), "å": ("å", "aa"), "Å": ("Å", "Aa")}
_SEGMENTS = re.compile(r"[äöüÄÖÜßẞøØæÆåÅ]|(?<=[aouAOU])[eE]|(?<=[sS])[sS]")
#: Above this many spelling choices in one value, only uniform spellings are made.
_MAX_COMBINATIONS = 64


def spellings(value: str) -> set[str]:
    """How a value may be written: `Müller` also `Mueller`, `Mueller` also `Müller`, `Straße`
    also `Strasse` (and `STRASSE`, since `ß` upper-cases to `SS`), `Søren` also `Soeren`,
    `Жуков` also `Zhukov`.  Each umlaut, `ß`, `ø`, `æ`, `å` (and each `ae`, `oe`, `ue`, `ss`
    the other way) varies on its own, since people mix them (`Øaaoe`).  The folded text
    compares `ä` as `a` and `ø` as `o`, so `Muller` and `Soren` need no key of their own."""
    v = " ".join(unicodedata.normalize("NFC", value).split())
    parts: list[tuple[str, ...]] = []
    pos = 0
    for m in _SEGMENTS.finditer(v):
        parts.append((v[pos:m.start()],))
        ch = m.group(0)
        parts.append(_CHOICES.get(ch, (ch, "")))  # a digraph's second letter: kept or dropped
        pos = m.end()
    parts.append((v[pos:],))
    choices = sum(len(p) > 1 for p in parts)
    if choices <= 6 and 2 ** choices <= _MAX_COMBINATIONS:
        forms = {"".join(combo) for combo in itertools.product(*parts)}
    else:
        forms = {v, v.translate(_SHARP_S_AS_SS), v.translate(UMLAUT_TO_DIGRAPH), _DIGRAPH_TO_VOWEL.sub("", v)}
        for table in (_UMLAUTS_AS_DIGRAPHS, _NORDIC_AS_DIGRAPHS):
            forms |= {f.translate(table) for f in list(forms)}
    if not v.isascii() and not any(is_no_space_script(ord(ch)) for ch in v):
        forms.add(anyascii(v.translate(UMLAUT_TO_DIGRAPH)))
    return forms - {""}


# ---------------------------------------------------------------- whole strings

_CAMEL = re.compile(r"(?<=[^\W\d_])(?=[^\W\d_])")
_NON_WORD = re.compile(r"[^0-9a-z]+")
_LOOSE = (("ae", "a"), ("oe", "o"), ("ue", "u"), ("ss", "s"))


def _split_camel(text: str) -> str:
    """`AnnaLenaMueller` → `Anna Lena Mueller` (a lower-case letter followed by an upper one)."""
    out = []
    prev_lower = False
    for ch in text:
        if prev_lower and ch.isupper():
            out.append(" ")
        out.append(ch)
        prev_lower = ch.islower()
    return "".join(out)


def canonical(text: str) -> str:
    """NFKC, joined names split, case-folded, German digraphs, transliterated, words by one
    space: `Mu\u0308ller-Lüdenscheidt` → `mueller luedenscheidt`, `Yılmaz` → `yilmaz`.

    Text of a script without spaces keeps its characters (compare it as a substring)."""
    t = _split_camel(unicodedata.normalize("NFKC", text)).casefold()
    t = t.translate(UMLAUT_TO_DIGRAPH)
    t = "".join(ch if is_no_space_script(ord(ch)) else anyascii(ch) for ch in t).lower()
    return " ".join(w for w in re.split(r"[^0-9a-z\u0e00-\u0e7f\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff]+", t) if w)


def loose(text: str) -> str:
    """`canonical`, with `ae`/`oe`/`ue`/`ss` merged into one letter: `Soeren`, `Søren` and
    `Soren` are all `soren`.  For checks that must find a value in any spelling."""
    t = canonical(text)
    for a, b in _LOOSE:
        t = t.replace(a, b)
    return t
