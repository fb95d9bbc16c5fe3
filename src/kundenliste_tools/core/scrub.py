"""Scrubbing personal data out of free text before it leaves the workbook (SPEC §6).

Counsellors write names, phone numbers and addresses into the KundenDoku ("Frau Müller ruft
unter 0341 5558123 zurück").  The quarterly export must carry the text but none of that.  Two
kinds of rule work together:

* What the Kundenliste knows, for EVERY customer (not only the one an entry belongs to:
  entries mention partners, neighbours, other customers): names, streets, PLZ, cities, phone
  numbers and birth dates, found in any spelling of case, spacing, separators, umlauts
  (`Müller`/`MUELLER`/`Mueller`), street abbreviations (`Hauptstr.`), phone prefixes
  (`+49 (0)341 …`, `0341/…`, `0049 …`) and date formats (`1990-01-05`, `05.01.1990`, `5.1.90`,
  `5. Januar 1990`).
* Generic patterns, whoever the text is about: e-mail addresses (also `name (at) host.de`
  and `hasi1985 at web dot de`), phone numbers with an area code or a country prefix, digits
  after `Tel.`/`Handy`, and dates after `geb.`/`geboren`/`Geburtstag`; German identifiers
  with their check digits (core/identifiers.py); third parties: names after titles and
  relation words, first names of a real first-name list, streets with a house number, PLZ
  with a place (core/thirdparty.py).

Spelling: the text is put into Unicode NFC (text pasted from a Mac or a PDF comes as NFD) and
folded per character (core/canonical.py: case, accents, `ı`→`i`, `ł`→`l`, `ø`→`o` by
`anyascii`); a lower-case letter followed by an upper-case one starts a new word
(`AnnaLenaMueller.pdf`); names in scripts without spaces (Chinese) are found as substrings.

How it stays fast at 300,000 entries (no loop per customer, no regex pass per customer):
the texts of a column are joined and turned into a numpy array of folded code points (case,
umlauts and accents folded per character, so positions stay those of the original text);
words are runs of letters or of digits; every word gets a 64-bit polynomial hash from prefix
sums, every run of up to `MAX_WORDS` neighbouring words a hash of its word hashes.  The known
values are tokenised by the very same code, so one vectorised look-up of all word runs
against one sorted array of key hashes finds every known name, street, city, PLZ and birth
date in every spelling variant at once.  The rarer things (numbers of five digits or more,
`@`, `geb`) are located with numpy and checked by small regular expressions only where they
occur.  A hash collision can only scrub a word too many, never one too few.

Decisions and trade-offs:
* Names are scrubbed as whole words, case-insensitively, also with a genitive `s` (`Müllers`).
  A customer called `Mai`, `Koch` or `Weber` therefore also removes the month, the cook and
  the weaver from every text ("Termin im [Name]").  Privacy wins over readability: leaving a
  surname in because it is also a word would leak exactly the common names.
* Parts of multi-word names are scrubbed on their own (`Anna-Lena` → also `Anna`, `Lena`),
  except name particles such as `von`, `de`, `van`; single letters never.
* Streets with and without house number, the PLZ and the city are all `[Adresse]`: a city
  named like a word (`Essen`, `Halle`) is lost from the text too.
* Counsellors' names are not customer data; dates other than birth dates stay (appointments
  are what the analysis is about).  A counsellor's first name in free text goes, though, like
  every first name of the list.
* Neighbouring placeholders of one kind collapse (`Anna Müller` → `[Name]`, `04317 Leipzig`
  → `[Adresse]`).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

import numpy as np
import pandas as pd

from . import identifiers, thirdparty
from .canonical import DIGIT, HARD, LETTER, SEP, fold_char
from .knownvalues import (  # noqa: F401  (PARTICLES and phone_digits: part of this module's interface)
    _MONTH_NAMES,
    PARTICLES,
    phone_digits,
)
from .values import to_text

NAME = "[Name]"
ADRESSE = "[Adresse]"
TELEFON = "[Telefon]"
EMAIL = "[E-Mail]"
GEBURTSDATUM = "[Geburtsdatum]"
IBAN = identifiers.IBAN
#: Internal kind of a key from the first-name list: a [Name] only where the word is capitalised.
_FIRST_NAME = "[Vorname]"
PLACEHOLDERS: tuple[str, ...] = (NAME, ADRESSE, TELEFON, EMAIL, GEBURTSDATUM) + identifiers.PLACEHOLDERS
#: When two findings overlap, the earlier kind in this order names the placeholder.
_PRIORITY = {p: i for i, p in enumerate((EMAIL,) + identifiers.PLACEHOLDERS
                                        + (TELEFON, GEBURTSDATUM, ADRESSE, NAME, _FIRST_NAME))}

#: Longest run of words a key may have (`Frankfurt am Main`, `Zur Alten Mühle 12 a`).
MAX_WORDS = 8
#: Joins the texts of a batch; a hard break no word run and no pattern crosses.
_JOIN = "\x00"
_BATCH_CHARS = 1 << 21
#: Keys hashed at a time when a scrubber is built: their words' arrays and the power tables
#: for them stay small (the build may run while the workbook is still read, at its peak).
_KEY_CHUNK = 50_000
#: Words may be separated by up to this many non-word characters to form one run.
_MAX_GAP = 3

# ---------------------------------------------------------------- per-character folding (core/canonical.py)

_TABLE_SIZE = 0x250  # Basic Latin to Latin Extended-B: every letter of a European name
_FOLD_TABLE = np.zeros(_TABLE_SIZE, dtype=np.uint32)
_CLASS_TABLE = np.zeros(_TABLE_SIZE, dtype=np.int8)
_UPPER_TABLE = np.zeros(_TABLE_SIZE, dtype=bool)
_LOWER_TABLE = np.zeros(_TABLE_SIZE, dtype=bool)
for _cp in range(_TABLE_SIZE):
    _FOLD_TABLE[_cp], _CLASS_TABLE[_cp] = fold_char(_cp)
    _UPPER_TABLE[_cp], _LOWER_TABLE[_cp] = chr(_cp).isupper(), chr(_cp).islower()
_OTHER: dict[int, tuple[int, int, bool, bool]] = {}


def _other(cp: int) -> tuple[int, int, bool, bool]:
    folded, cls = fold_char(cp)
    return folded, cls, chr(cp).isupper(), chr(cp).islower()

_PHONE_CODES = np.array([ord(c) for c in " \t-/().–"], dtype=np.uint32)

# ---------------------------------------------------------------- hashing

_MOD = 1 << 64
_P = 0x9E3779B97F4A7C15  # odd, so invertible modulo 2**64
_Q = pow(_P, -1, _MOD)
_R = 0xC2B2AE3D27D4EB4F  # combines word hashes into run hashes
_FILTER_BITS = 24
_FILTER_MASK = np.uint64((1 << _FILTER_BITS) - 1)
_powers: dict[str, tuple[np.ndarray, np.ndarray]] = {}


def release_tables() -> None:
    """Let go of the power tables (32 MB), which the next hashing grows again (20 ms): for a
    scrubber built while the workbook is still read, whose tables would sit at the read's peak."""
    _powers.clear()


def _power_tables(n: int) -> tuple[np.ndarray, np.ndarray]:
    """P**i and Q**i modulo 2**64 for i < n (grown on demand, at least doubling up to a text
    batch's size, and kept for the process until `release_tables`).

    Two exports in one process (a server's threads) may ask at once: each returns the tables
    it read or made itself, never a re-read of `_powers`, and a shorter table never replaces a
    longer one, so neither `release_tables` nor another thread's growth can hand a caller
    tables shorter than it asked for."""
    have = _powers.get("PQ")
    if have is not None and len(have[0]) >= n:
        return have
    size = n if have is None else max(n, min(2 * len(have[0]), _BATCH_CHARS + 1))
    with np.errstate(over="ignore"):
        p = np.empty(size, dtype=np.uint64)
        q = np.empty(size, dtype=np.uint64)
        p[0] = q[0] = 1
        np.cumprod(np.full(size - 1, _P, dtype=np.uint64), out=p[1:])
        np.cumprod(np.full(size - 1, _Q, dtype=np.uint64), out=q[1:])
    current = _powers.get("PQ")
    if current is None or len(current[0]) < size:
        _powers["PQ"] = (p, q)
    return p, q


@dataclass
class _Words:
    """The words of a joined batch of texts, with everything the detectors need."""

    text: str
    codes: np.ndarray  # original code points
    folded: np.ndarray
    classes: np.ndarray
    starts: np.ndarray  # word start positions
    ends: np.ndarray  # word end positions (exclusive)
    kinds: np.ndarray  # LETTER or DIGIT per word
    entry: np.ndarray  # which text of the batch a word belongs to
    hashes: np.ndarray  # uint64 per word
    linked: np.ndarray  # word i and i+1 may form a run (same text, gap <= _MAX_GAP)
    run: np.ndarray  # how many links follow word i without a break
    capital: np.ndarray  # the word starts with an upper-case letter


def _words(text: str) -> _Words:
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    n = len(codes)
    clipped = np.minimum(codes, _TABLE_SIZE - 1)
    folded = _FOLD_TABLE[clipped]
    classes = _CLASS_TABLE[clipped]
    upper = _UPPER_TABLE[clipped]
    lower = _LOWER_TABLE[clipped]
    other = np.flatnonzero(codes >= _TABLE_SIZE)
    if other.size:
        uniq, inverse = np.unique(codes[other], return_inverse=True)
        mapped = [_OTHER[u] if u in _OTHER else _OTHER.setdefault(u, _other(u)) for u in uniq.tolist()]
        folded[other] = np.array([m[0] for m in mapped], dtype=np.uint32)[inverse]
        classes[other] = np.array([m[1] for m in mapped], dtype=np.int8)[inverse]
        upper[other] = np.array([m[2] for m in mapped], dtype=bool)[inverse]
        lower[other] = np.array([m[3] for m in mapped], dtype=bool)[inverse]
    is_word = (classes == LETTER) | (classes == DIGIT)
    prev = np.empty_like(classes)
    prev[:1] = SEP
    prev[1:] = classes[:-1]
    nxt = np.empty_like(classes)
    nxt[-1:] = SEP
    nxt[:-1] = classes[1:]
    # A joined name splits where a lower-case letter meets an upper-case one: `Anna|Lena|Mueller`.
    camel = np.zeros(n, dtype=bool)
    if n > 1:
        camel[1:] = lower[:-1] & upper[1:]
    camel_next = np.zeros(n, dtype=bool)
    camel_next[:-1] = camel[1:]
    starts = np.flatnonzero(is_word & ((classes != prev) | camel))
    ends = np.flatnonzero(is_word & ((classes != nxt) | camel_next)) + 1
    kinds = classes[starts]
    entry = np.searchsorted(np.flatnonzero(classes == HARD), starts)

    # Digits hash without leading zeros: `05.01.1990` and `5.1.1990` are the same date.
    hstart = starts.copy()
    digit_words = np.flatnonzero(kinds == DIGIT)
    if digit_words.size:
        first, last = starts[digit_words], ends[digit_words] - 1
        zero = (folded[first] == ord("0")) & (first < last)
        while zero.any():
            first = first + zero
            zero = (folded[first] == ord("0")) & (first < last)
        hstart[digit_words] = first

    ppow, qpow = _power_tables(n + 1)
    with np.errstate(over="ignore"):
        prefix = np.zeros(n + 1, dtype=np.uint64)
        np.cumsum(folded.astype(np.uint64) * qpow[:n], out=prefix[1:])
        hashes = ppow[ends - 1] * (prefix[ends] - prefix[hstart]) if starts.size else np.zeros(0, np.uint64)
        hashes = hashes ^ kinds.astype(np.uint64)  # a digit word never equals a letter word

    t = len(starts)
    if t > 1:
        linked = (starts[1:] - ends[:-1] <= _MAX_GAP) & (entry[1:] == entry[:-1])
    else:
        linked = np.zeros(0, dtype=bool)
    breaks = np.append(np.flatnonzero(~linked), t - 1) if t else np.zeros(0, dtype=np.int64)
    idx = np.arange(t)
    run = breaks[np.searchsorted(breaks, idx)] - idx if t else np.zeros(0, dtype=np.int64)
    return _Words(text, codes, folded, classes, starts, ends, kinds, entry, hashes, linked, run,
                  upper[starts])


def _run_hashes(w: _Words, n: int, previous: np.ndarray | None) -> np.ndarray:
    """Hashes of all runs of `n` words (index = first word), from the runs of `n - 1`."""
    with np.errstate(over="ignore"):
        if n == 1:
            return w.hashes.copy()
        return previous[:-1] * np.uint64(_R) + w.hashes[n - 1:]


# ---------------------------------------------------------------- generic patterns

_LOCAL_PART = re.compile(r"[\w.+%\-]+\s?$")
_DOMAIN = re.compile(
    r"\s?[\w\-]+(?:(?:\.|\s?[(\[{]\s?(?:dot|punkt)\s?[)\]}]\s?|\s(?:dot|punkt)\s)[\w\-]+)+", re.IGNORECASE)
_AT_WORD = re.compile(r"[(\[{]\s?at\s?[)\]}]", re.IGNORECASE)
#: `hasi1985 at web dot de`: `at` (or `ät`) as a word of its own, then a domain.
_AT_APART = re.compile(r" (?:[aA][tT]|[äÄ][tT]|\([aA][tT]\)|\[[aA][tT]\])\s+"
                       r"(?=[\w\-]+(?:\.|\s?[(\[{]?\s?(?:dot|punkt|DOT|PUNKT)))")
# A number with a country prefix or an area code and at least 5 more digits; a date such as
# 05/01/1990 or 2026-09-28 is not a phone number.
_PHONE_RE = re.compile(
    r"(?<![\w+/.,\-])"
    r"(?!\d{1,2}\s?[./\-]\s?\d{1,2}\s?[./\-]\s?\d{2,4}(?!\d))(?!\d{4}-\d{1,2}-\d{1,2}(?!\d))"
    r"(?:(?:\+|00)\s?[1-9]\d{0,2}(?:\s?\(0\))?|\(0\d{1,5}\)|0\d{1,5})"
    r"(?:[ \t\-/–.()]{0,3}\d){5,}(?!\d)"
)
_PHONE_KEYWORD = re.compile(
    r"\b(?:tel|fon|handy|mobil|rufnummer)[\w.\-]*\.?\s?:?\s?\(?$", re.IGNORECASE)
_MONTH_ALT = "|".join(sorted({n for names in _MONTH_NAMES.values() for n in names} | {"Maerz"},
                             key=len, reverse=True))
_GEB_RE = re.compile(
    r"geb(?:oren|urtstag|urtsdatum|\.-datum|\.)?(?:\s?am)?\s?:?\s?"
    r"(?P<date>\d{4}\s?-\s?\d{1,2}\s?-\s?\d{1,2}"
    r"|\d{1,2}\s?[./\-]\s?\d{1,2}\s?[./\-]\s?(?:\d{4}|\d{2})"
    rf"|\d{{1,2}}\.?\s?(?:{_MONTH_ALT})\.?\s?(?:\d{{4}}|\d{{2}}))(?!\d)",
    re.IGNORECASE,
)

# ---------------------------------------------------------------- the scrubber

Span = tuple[int, int, str]


@dataclass
class Scrubber:
    """Replaces personal data by placeholders; built once per export from the Kundenliste."""

    keys: dict[int, tuple[np.ndarray, np.ndarray]]  # run length → (sorted hashes, kind index)
    kinds: tuple[str, ...]
    #: bool per low bits of a key hash: most runs are rejected by one look-up.  16 MB, made
    #: from `keys` at the first scrub (`_low_bits`), so that a scrubber built while the
    #: workbook is still read (app/quarter.py) does not hold it at the read's peak.
    filter: np.ndarray | None
    phones: set[str]
    phone_tails: set[str]
    counts: Counter = field(default_factory=Counter)
    #: Known names in scripts written without spaces (Chinese, Japanese, Korean, Thai).
    no_space_names: re.Pattern[str] | None = None
    #: Only what the Kundenliste knows, no generic pattern (`known_only`): erasing one customer
    #: from other customers' entries must not scrub anything else out of them (core/erase.py).
    known_only: bool = False
    #: Values of one customer that stay (`protecting`): the Auskunft shows the customer's own
    #: name where another entry mentions it, and scrubs everyone else's.
    keep: Scrubber | None = None

    def _low_bits(self) -> np.ndarray:
        """`filter`, made from the key hashes when first needed."""
        if self.filter is None:
            filt = np.zeros(1 << _FILTER_BITS, dtype=bool)
            for hashes, _ in self.keys.values():
                filt[(hashes & _FILTER_MASK).astype(np.intp)] = True
            self.filter = filt
        return self.filter

    def only_known(self) -> Scrubber:
        """This scrubber without the generic patterns: only the known values it was built from."""
        return Scrubber(self.keys, self.kinds, self._low_bits(), self.phones, self.phone_tails,
                        no_space_names=self.no_space_names, known_only=True)

    def protecting(self, own: Scrubber) -> Scrubber:
        """This scrubber, except where `own` (a known-only scrubber) finds its values."""
        return Scrubber(self.keys, self.kinds, self._low_bits(), self.phones, self.phone_tails,
                        no_space_names=self.no_space_names, known_only=self.known_only, keep=own)

    def finds(self, texts: Iterable[object]) -> list[bool]:
        """Whether each text holds something this scrubber replaces (the counts stay as they were)."""
        items = [t.strip() if type(t) is str else to_text(t) for t in texts]
        saved = Counter(self.counts)
        try:
            return [unicodedata.normalize("NFC", a) != b for a, b in zip(items, self.scrub_many(items))]
        finally:
            self.counts = saved

    def scrub(self, text: object) -> str:
        """One cell (any value; blank → ``""``)."""
        return self.scrub_many([text])[0]

    def scrub_series(self, series: pd.Series) -> pd.Series:
        """Scrub every text of a column (once per distinct text)."""
        return pd.Series(self.scrub_many(series.tolist()), index=series.index, dtype=object)

    def scrub_many(self, texts: Iterable[object]) -> list[str]:
        """Many cells in batches; counts the placeholders written per kind in `counts`.

        A text repeated (short notes, thousands of times in a KundenDoku) is scrubbed once and
        its placeholders counted once per cell (issue 18); a text's result never depends on
        its neighbours: words and spans end at the separator, `_splice` merges none across it.
        """
        items = [t.strip() if type(t) is str else to_text(t) for t in texts]
        if any(_JOIN in t for t in items):
            items = [t.replace(_JOIN, " ").strip() for t in items]
        distinct = list(dict.fromkeys(items))
        per_text: dict[int, Counter] | None = None if len(distinct) > 0.8 * len(items) else {}
        if per_text is None:  # hardly a repeat
            distinct = items
        out: list[str] = []
        batch: list[str] = []
        size = 0
        for item in distinct + [None]:
            if batch and (item is None or size + len(item) > _BATCH_CHARS):
                out += self._batch(batch, per_text, len(out))
                batch, size = [], 0
            if item is not None:
                batch.append(item)
                size += len(item) + 1
        if per_text is None:
            return out
        times = Counter(items)
        for i, found in per_text.items():
            self.counts.update({kind: k * times[distinct[i]] for kind, k in found.items()})
        done = dict(zip(distinct, out))
        return [done[t] for t in items]

    def _batch(self, items: list[str], per_text: dict[int, Counter] | None = None, first: int = 0) -> list[str]:
        """`items` scrubbed in one run; placeholders counted in `counts`, or per item (number
        `first` + position) in `per_text`."""
        text = _JOIN.join(items)
        if not text.strip(_JOIN + " "):
            return items
        if not unicodedata.is_normalized("NFC", text):  # pasted from a Mac or a PDF (NFD)
            text = unicodedata.normalize("NFC", text)
            items = text.split(_JOIN)
        spans = self._spans(text)
        if not spans:
            return items
        owner = None
        if per_text is not None:
            starts = np.cumsum([0] + [len(t) + 1 for t in items[:-1]])
            owner = lambda at: first + int(np.searchsorted(starts, at, side="right")) - 1  # noqa: E731
        out = _splice(text, spans, self.counts, owner, per_text).split(_JOIN)
        assert len(out) == len(items)
        return out

    def _spans(self, text: str) -> list[Span]:
        """What to replace in `text` (NFC already): known values, and unless `known_only` the
        generic patterns; minus what `keep` protects."""
        w = _words(text)
        if self.known_only:
            spans = self._known(w) + self._numbers(w) + self._no_space(w)
        else:
            title, prefix, label = _trigger_starts(w)
            spans = (self._known(w) + _emails(w) + identifiers.find(text, _letter_starts(w), label)
                     + self._numbers(w) + _geb_dates(w)
                     + thirdparty.find(text, _house_numbers(w), title, prefix, _plz_starts(w))
                     + self._no_space(w))
        if self.keep is not None and spans:
            kept = _joined(text, self.keep._known(w) + self.keep._numbers(w) + self.keep._no_space(w))
            spans = [s for s in spans if not any(a <= s[0] and s[1] <= b for a, b in kept)]
        return spans

    def scrub_keeping(self, texts: Sequence[str], keep: Sequence[frozenset[str]]) -> list[str]:
        """Each text scrubbed, except the found values whose form (`own_forms`) is in its `keep`
        set: another customer's note keeps that customer's own name when it is also the name of
        someone erased.  One batch; each found value is judged by the text it stands in."""
        items = [unicodedata.normalize("NFC", t.strip().replace(_JOIN, " ")) for t in texts]
        if not items:
            return []
        text = _JOIN.join(items)
        starts = np.cumsum([0] + [len(t) + 1 for t in items[:-1]])
        spans = []
        for span in self._spans(text):
            i = int(np.searchsorted(starts, span[0], side="right")) - 1
            if _form(text[span[0]:span[1]], span[2]) not in keep[i]:
                spans.append(span)
        return _splice(text, spans, self.counts).split(_JOIN) if spans else items

    def _known(self, w: _Words) -> list[Span]:
        """Every run of 1..MAX_WORDS neighbouring words whose hash is a known value."""
        spans: list[Span] = []
        t = len(w.starts)
        runs = None
        for n in range(1, min(MAX_WORDS, t) + 1):
            runs = _run_hashes(w, n, runs)
            table = self.keys.get(n)
            if table is None:
                continue
            hit = self._low_bits()[(runs & _FILTER_MASK).astype(np.intp)]
            if n > 1:
                hit &= w.run[: t - n + 1] >= n - 1
            first = np.flatnonzero(hit)
            if not first.size:
                continue
            hashes, kinds = table
            pos = np.minimum(np.searchsorted(hashes, runs[first]), hashes.size - 1)
            found = hashes[pos] == runs[first]
            for i, k in zip(first[found].tolist(), kinds[pos[found]].tolist()):
                kind = self.kinds[k]
                if kind == _FIRST_NAME:  # a first name of the list: only a capitalised word
                    if not w.capital[i]:
                        continue
                    kind = NAME
                spans.append((int(w.starts[i]), int(w.ends[i + n - 1]), kind))
        return spans

    def _no_space(self, w: _Words) -> list[Span]:
        """Known names inside runs of letters of a script without spaces: as substrings."""
        if self.no_space_names is None:
            return []
        c = w.codes
        if not ((c >= 0x0E00) & (c <= 0x0E7F) | (c >= 0x2E80) & (c <= 0xD7AF) | (c >= 0xF900)).any():
            return []
        return [(m.start(), m.end(), NAME) for m in self.no_space_names.finditer(w.text)]

    def _numbers(self, w: _Words) -> list[Span]:
        """Known and generic phone numbers among groups of digits with phone separators."""
        t = len(w.starts)
        if t == 0:
            return []
        is_digit = w.kinds == DIGIT
        if t > 1:
            plink = w.linked & is_digit[:-1] & is_digit[1:]
            pairs = np.flatnonzero(plink)
            for k in range(_MAX_GAP):  # every character between two digit groups a separator
                pos = w.ends[pairs] + k
                inside = pos < w.starts[pairs + 1]
                ok = ~inside | np.isin(w.codes[np.minimum(pos, len(w.codes) - 1)], _PHONE_CODES)
                plink[pairs[~ok]] = False
        else:
            plink = np.zeros(0, dtype=bool)
        after_link = np.zeros(t, dtype=bool)
        after_link[1:] = plink
        firsts = np.flatnonzero(is_digit & ~after_link)
        before_link = np.zeros(t, dtype=bool)
        before_link[:-1] = plink
        lasts = np.flatnonzero(is_digit & ~before_link)
        lengths = (w.ends - w.starts) * is_digit
        csum = np.concatenate(([0], np.cumsum(lengths)))
        n_digits = csum[lasts + 1] - csum[firsts]
        groups = lasts - firsts + 1
        # dates such as 05.01.1990 or 2026-09-28 are no phone numbers: skip them here
        l0 = lengths[firsts]
        l1 = lengths[np.minimum(firsts + 1, t - 1)]
        l2 = lengths[np.minimum(firsts + 2, t - 1)]
        dateish = (groups == 3) & (((l0 <= 2) & (l1 <= 2) & ((l2 == 2) | (l2 == 4)))
                                   | ((l0 == 4) & (l1 <= 2) & (l2 <= 2)))
        gap1 = w.starts[np.minimum(firsts + 1, t - 1)] - w.ends[firsts]
        dateish &= gap1 <= 2
        keep = np.flatnonzero((n_digits >= 5) & ~dateish)
        spans: list[Span] = []
        text = w.text
        for f, last in zip(firsts[keep].tolist(), lasts[keep].tolist()):
            start, end = int(w.starts[f]), int(w.ends[last])
            if start and text[start - 1] in "+(":
                start -= 1
            span = self._phone_in(text, start, end, w.starts[f : last + 1], w.ends[f : last + 1])
            if span:
                spans.append(span)
        return spans

    def _phone_in(self, text: str, start: int, end: int, starts: np.ndarray, ends: np.ndarray) -> Span | None:
        """The phone number in one group of digits: a known one, a generic one, or after `Tel.`."""
        found: list[tuple[int, int]] = []
        m = None if self.known_only else _PHONE_RE.search(text, start, end)
        if m:
            found.append((m.start(), m.end()))
        elif not self.known_only and _PHONE_KEYWORD.search(text, max(0, start - 24), start):
            found.append((start, end))
        groups = [text[s:e] for s, e in zip(starts.tolist(), ends.tolist())]
        plus = text[start] == "+"
        for i in range(len(groups)):
            for j in range(len(groups) - 1, i - 1, -1):  # longest first
                digits = "".join(groups[i:j + 1])
                if len(digits) < 5:
                    break
                if self._known_phone(digits, plus and i == 0):
                    found.append((start if i == 0 else int(starts[i]), int(ends[j])))
                    break
            else:
                continue
            break
        if not found:
            return None
        return (min(s for s, _ in found), max(e for _, e in found), TELEFON)

    def _known_phone(self, digits: str, plus: bool) -> bool:
        core = digits.lstrip("0")
        if core in self.phones or core in self.phone_tails:
            return True
        if core.startswith("49") and (plus or digits.startswith("00")):
            core = core[2:].lstrip("0")
            return core in self.phones
        return False


def _emails(w: _Words) -> list[Span]:
    """`name@host.de`, also `name @ host.de` and `name (at) host (punkt) de`."""
    spans: list[Span] = []
    text = w.text
    c = w.codes
    triggers = [(int(i), int(i) + 1) for i in np.flatnonzero(c == ord("@"))]
    opening = np.flatnonzero((c[:-2] == ord("(")) | (c[:-2] == ord("[")) | (c[:-2] == ord("{")))
    for i in opening.tolist():
        m = _AT_WORD.match(text, i)
        if m:
            triggers.append((m.start(), m.end()))
    triggers += [(m.start(), m.end()) for m in _AT_APART.finditer(text)
                 if m.start() and (text[m.start() - 1].isalnum() or text[m.start() - 1] in "._-")]
    for at, after in triggers:
        local = _LOCAL_PART.search(text, max(0, at - 80), at)
        domain = _DOMAIN.match(text, after)
        if local and domain and local.group(0).strip():
            spans.append((local.start(), domain.end(), EMAIL))
    return spans


@functools.lru_cache(maxsize=1)
def _trigger_hashes() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sorted hashes of the words that start a title, a preposition street, a label."""
    out = []
    for words in (thirdparty.TITLE_FIRST_WORDS, thirdparty.PREFIX_FIRST_WORDS, identifiers.LABEL_FIRST_WORDS):
        hashed = _hash_strings(sorted(words)).get(1)
        out.append(np.unique(hashed[0]) if hashed else np.zeros(0, dtype=np.uint64))
    return out[0], out[1], out[2]


def _trigger_starts(w: _Words) -> tuple[list[int], list[int], list[int]]:
    """Where a title, a preposition street or an identifier's label may start: one vectorised
    look-up of every word instead of three regular expressions over the whole text.  Titles
    and prepositions are capitalised (the patterns check the spelling)."""
    out = []
    for i, hashes in enumerate(_trigger_hashes()):
        hit = np.isin(w.hashes, hashes)
        if i < 2:
            hit &= w.capital
        out.append(w.starts[hit].tolist())
    return out[0], out[1], out[2]


def _plz_starts(w: _Words) -> list[int]:
    """Five-digit numbers followed by a capitalised word: where a PLZ with its place may be."""
    t = len(w.starts)
    if t < 2:
        return []
    ok = ((w.kinds[:-1] == DIGIT) & (w.ends[:-1] - w.starts[:-1] == 5) & (w.kinds[1:] == LETTER)
          & w.capital[1:] & w.linked)
    return w.starts[:-1][ok].tolist()


def _letter_starts(w: _Words) -> list[int]:
    """Where an IBAN, KV-Nummer or Ausweisnummer may start: a word of one or two letters that
    begins a token and is followed by digits (directly or after one space)."""
    t = len(w.starts)
    if t < 2:
        return []
    short = (w.kinds[:-1] == LETTER) & (w.ends[:-1] - w.starts[:-1] <= 2)
    then_digits = (w.kinds[1:] == DIGIT) & (w.starts[1:] - w.ends[:-1] <= 1) & w.linked
    first = np.flatnonzero(short & then_digits)
    # and the start of every token of letters and digits (no gap between its words) that
    # begins with letters and holds digits: `YTW39VZX44`
    touching = (w.starts[1:] == w.ends[:-1]) & w.linked
    token_start = np.concatenate(([True], ~touching))
    token = np.cumsum(token_start) - 1
    has_digit = np.zeros(token[-1] + 1, dtype=bool)
    has_digit[token[w.kinds == DIGIT]] = True
    heads = np.flatnonzero(token_start & (w.kinds == LETTER))
    mixed = heads[has_digit[token[heads]]]
    starts = np.union1d(w.starts[first], w.starts[mixed])
    before = w.classes[np.maximum(starts - 1, 0)]
    ok = (starts == 0) | ((before != LETTER) & (before != DIGIT))
    return starts[ok].tolist()


def _house_numbers(w: _Words) -> list[tuple[int, int, int, int]]:
    """Candidates for a street with a house number: a number of up to four digits right after
    a capitalised word (at most two characters between them, `Str. 5`), as (start of the word
    before that word or -1, start and end of the word, end of the number)."""
    t = len(w.starts)
    if t < 2:
        return []
    d = np.arange(1, t)
    p = d - 1
    ok = ((w.kinds[d] == DIGIT) & (w.ends[d] - w.starts[d] <= 4) & (w.kinds[p] == LETTER) & w.capital[p]
          & w.linked[p] & (w.starts[d] - w.ends[p] <= 2))
    d, p = d[ok], p[ok]
    if not d.size:
        return []
    pp = np.maximum(p - 1, 0)
    has_before = (p > 0) & (w.kinds[pp] == LETTER) & w.linked[np.maximum(p - 1, 0)] & (w.starts[p] - w.ends[pp] <= 1)
    before = np.where(has_before, w.starts[pp], -1)
    return list(zip(before.tolist(), w.starts[p].tolist(), w.ends[p].tolist(), w.ends[d].tolist()))


def _geb_dates(w: _Words) -> list[Span]:
    """Any date right after `geb.`, `geboren (am)`, `Geburtstag`, `Geburtsdatum`."""
    f = w.folded
    if len(f) < 3:
        return []
    hits = np.flatnonzero((f[:-2] == ord("g")) & (f[1:-1] == ord("e")) & (f[2:] == ord("b")))
    spans: list[Span] = []
    for i in hits.tolist():
        if i and w.classes[i - 1] == LETTER:
            continue
        m = _GEB_RE.match(w.text, i)
        if m:
            spans.append((m.start("date"), m.end("date"), GEBURTSDATUM))
    return spans


_MERGE_GAP = re.compile(r"[ \t,.\-/]{0,3}")


def _form(text: str, kind: str) -> str:
    """How a found value is compared with a customer's own values (`own_forms`): phone numbers
    by their identifying digits, everything else in `canonical.loose` form."""
    from .canonical import loose

    if kind == TELEFON:
        return "tel:" + (phone_digits(text) or "")
    return loose(text)


def own_forms(values: dict[str, object]) -> frozenset[str]:
    """The forms of one customer's known values (field → raw value) that `scrub_keeping` keeps:
    whole values, each word of names, streets and cities (also with a genitive `s`), phones."""
    from .canonical import loose

    forms: set[str] = set()
    for name, raw in values.items():
        text = to_text(raw)
        if not text:
            continue
        if name == "Telefon":
            digits = phone_digits(text)
            if digits:
                forms.add("tel:" + digits)
            continue
        whole = loose(text)
        forms.add(whole)
        if name in ("VName", "NName", "Strasse", "Stadt"):
            for word in whole.split():
                if len(word) > 1 and not word.isdigit():
                    forms |= {word, word + "s"}
            forms.add(whole + "s")
    return frozenset(forms - {""})


def _joined(text: str, spans: list[Span]) -> list[tuple[int, int]]:
    """Spans with only separators between them joined (`04109` + `Leipzig`: one address)."""
    out: list[list[int]] = []
    for start, end, _ in sorted(spans):
        if out and (start <= out[-1][1] or _MERGE_GAP.fullmatch(text, out[-1][1], start)):
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return [(a, b) for a, b in out]


def _splice(text: str, spans: list[Span], counts: Counter, owner: Callable[[int], int] | None = None,
            per_text: dict[int, Counter] | None = None) -> str:
    """Replace the spans, overlapping ones merged; neighbouring ones of one kind become one.
    Each placeholder is counted in `counts`, or with `owner` (position → text number) in
    `per_text` under the text it stands in."""
    spans.sort(key=lambda s: (s[0], -s[1], _PRIORITY[s[2]]))
    merged: list[list] = []
    for start, end, kind in spans:
        if merged:
            last = merged[-1]
            if start < last[1]:
                last[1] = max(last[1], end)
                continue
            if kind == last[2] and _MERGE_GAP.fullmatch(text, last[1], start):
                last[1] = max(last[1], end)
                continue
        merged.append([start, end, kind])
    pieces: list[str] = []
    pos = 0
    for start, end, kind in merged:
        pieces.append(text[pos:start])
        pieces.append(kind)
        if owner is None:
            counts[kind] += 1
        else:
            per_text.setdefault(owner(start), Counter())[kind] += 1
        pos = end
    pieces.append(text[pos:])
    return "".join(pieces)


def _hash_strings(strings: Sequence[str]) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Run length → (hash of each key of that many words, the key's index in `strings`)."""
    collected: dict[int, list[tuple[np.ndarray, np.ndarray]]] = {}
    for lo in range(0, len(strings), _KEY_CHUNK):  # bounded memory for the power tables
        w = _words(_JOIN.join(s.replace(_JOIN, " ") for s in strings[lo:lo + _KEY_CHUNK]))
        t = len(w.starts)
        if not t:
            continue
        first_of_entry = np.flatnonzero(np.concatenate(([True], w.entry[1:] != w.entry[:-1])))
        entries = w.entry[first_of_entry]
        counts = np.diff(np.append(first_of_entry, t))
        runs = None
        for n in range(1, MAX_WORDS + 1):
            if n > t:
                break
            runs = _run_hashes(w, n, runs)
            sel = np.flatnonzero(counts == n)
            if sel.size:
                collected.setdefault(n, []).append((runs[first_of_entry[sel]], lo + entries[sel]))
    return {n: (np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]))
            for n, parts in collected.items()}


def build_scrubber(kunden: pd.DataFrame, first_names: frozenset[str] = frozenset()) -> Scrubber:
    """The scrubber for one workbook: known values of every customer plus generic patterns;
    `first_names` (files/firstnames.py) are scrubbed wherever they stand capitalised
    (core/scrubkeys.py hashes them)."""
    from .scrubkeys import build

    return build(kunden, first_names)


#: Local parts of shared mailboxes: words, not people.
def scrub_columns(scrubber: Scrubber, frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """The frame with `columns` scrubbed, all in one batch run (one pass over all their text)."""
    present = [c for c in columns if c in frame.columns]
    out = frame.copy()
    if not present or frame.empty:
        return out
    values: list[object] = []
    for c in present:
        values += frame[c].tolist()
    cleaned = scrubber.scrub_many(values)
    n = len(frame)
    for i, c in enumerate(present):
        col = pd.Series(cleaned[i * n:(i + 1) * n], index=frame.index, dtype=object)
        out[c] = col.where(col != "", None)
    return out
