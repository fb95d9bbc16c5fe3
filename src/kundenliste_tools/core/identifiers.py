"""German personal identifiers in free text, each with its own placeholder (issue 13).

Job-centre notes carry the numbers the offices ask for: Steuer-ID, Renten-/Sozial-
versicherungsnummer, Krankenversichertennummer, Personalausweis- and Reisepassnummer, the
BG-Nummer of the Jobcenter and the Kundennummer of the Bundesagentur, and IBANs.  Each is
found by its shape and, where the number has one, its check digit, so that an ordinary number
of the same length is left alone:

* Steuer-ID (11 digits) and IBAN: `python-stdnum` (`de.idnr`, `iban`), the well-kept
  implementation of the official check algorithms, instead of our own.
* Krankenversichertennummer (letter + 9 digits) and Ausweis/Reisepass (9 characters + check
  digit, ICAO 9303 weights 7-3-1): stdnum has neither, so two small checks below.
* Sozialversicherungsnummer (2 digits, birth date TTMMJJ, letter, 2 digits, check digit):
  the shape with a real date is so specific that it is scrubbed even when its check digit is
  wrong (decision: a mistyped SV-Nummer is still that person's number).
* BG-Nummer (`96301BG0012345`) and BA-Kundennummer (`962D123456`) have no check digit; their
  shapes are specific enough.
* Any number of six or more characters right after a label (`Steuer-ID:`, `Ausweis-Nr.`,
  `KV-Nummer`, `Kundennummer`, …) gets that label's placeholder, whatever its check digit
  says: the writer has told us what it is.

`find(text)` returns spans; the scrubber merges them with its other findings.
"""

from __future__ import annotations

import re
from typing import Iterable

from stdnum import iban as _iban
from stdnum.de import idnr as _idnr

STEUER_ID = "[Steuer-ID]"
SV_NUMMER = "[SV-Nummer]"
KV_NUMMER = "[KV-Nummer]"
AUSWEIS = "[Ausweis]"
BG_NUMMER = "[BG-Nummer]"
KUNDENNUMMER = "[Kundennummer]"
IBAN = "[IBAN]"
PLACEHOLDERS: tuple[str, ...] = (IBAN, STEUER_ID, SV_NUMMER, KV_NUMMER, AUSWEIS, BG_NUMMER, KUNDENNUMMER)

Span = tuple[int, int, str]

_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyzÄÖÜäöüß"

# Patterns start with their first character, not with a look-behind: Python's `re` then skips
# ahead to candidate characters quickly; the boundary before a match is checked afterwards.
_E = r"(?![0-9A-Za-zÄÖÜäöüß])"  # no letter or digit after
#: Everything that starts with two digits, in one scan: Steuer-ID, SV-Nummer, BG-Nummer, Kundennummer.
_DIGITS_RE = re.compile(
    r"\d\d(?:"
    r"(?P<sv>\s?(?:0[1-9]|[12]\d|3[01])(?:0[1-9]|1[0-2])\d{2}\s?[A-Za-z]\s?\d{2}\s?\d)"
    r"|(?P<bg>\d{3}\s?[Bb][Gg]\s?\d{7})"
    r"|(?P<kd>\d\s?[A-Za-z]\s?\d{6})"
    r"|(?P<st>(?:\s?\d){9})"
    r")" + _E
)
#: What starts with a letter: IBAN, Krankenversichertennummer, Ausweis/Reisepass.
_IBAN_RE = re.compile(r"[A-Za-z]{2}\s?\d{2}(?:[ \-]?[A-Za-z0-9]){11,30}" + _E)
_KV_RE = re.compile(r"[A-Za-z]\s?\d{9}" + _E)
_AUSWEIS_RE = re.compile(r"[CFGHJKLMNPRTVWXYZcfghjklmnprtvwxyz][CFGHJKLMNPRTVWXYZcfghjklmnprtvwxyz0-9]{8}\d" + _E)

_LABELS: tuple[tuple[str, str], ...] = (
    (
        STEUER_ID,
        r"steuer[\s\-]?id(?:entifikationsnummer)?|steuerliche\s+id(?:entifikationsnummer)?"
        r"|identifikationsnummer|idnr",
    ),
    (
        SV_NUMMER,
        r"(?:sozial|renten)[\s\-]?versicherungs[\s\-]?(?:nummer|nr)|sv[\s\-]?(?:nummer|nr)|rv[\s\-]?(?:nummer|nr)|svnr|rvnr",
    ),
    (
        KV_NUMMER,
        r"kranken[\s\-]?versicherten[\s\-]?(?:nummer|nr)|kv[\s\-]?(?:nummer|nr)|kvnr|versicherten[\s\-]?(?:nummer|nr)",
    ),
    (
        AUSWEIS,
        r"(?:personal)?ausweis[\s\-]?(?:nummer|nr)?|perso[\s\-]?(?:nummer|nr)|reise[\s\-]?pass(?:[\s\-]?(?:nummer|nr))?|pass[\s\-]?(?:nummer|nr)",
    ),
    (BG_NUMMER, r"bg[\s\-]?(?:nummer|nr)|bedarfsgemeinschafts[\s\-]?(?:nummer|nr)"),
    (KUNDENNUMMER, r"kunden[\s\-]?(?:nummer|nr)|kd[\s.\-]*nr"),
    (IBAN, r"iban"),
)
_LABEL_RE = re.compile(
    "(?:" + "|".join(f"(?P<l{i}>{p})" for i, (_, p) in enumerate(_LABELS)) + r")\.?"
    r"[\s:.#\-]{0,4}(?:lautet\s|ist\s)?\s?"
    r"(?P<value>(?=[A-Za-z0-9]*\d)[A-Za-z0-9]+(?:[ /\-](?:[A-Za-z](?=[ /\-]\d)|(?=[A-Za-z0-9]*\d)[A-Za-z0-9]+))*)",
    re.IGNORECASE,
)


#: The first letters of every label, as a trie Python's `re` scans fast (run on lower case).
_LABEL_TRIGGER = re.compile(
    r"s(?:teuer|ozial|v|vnr)|i(?:d|ban)|r(?:enten|v|eise)|k(?:ranken|v|unden|d)|versicherten"
    r"|p(?:ersonal|erso|ass)|ausweis|b(?:g|edarfs)"
)


def _starts_word(text: str, i: int) -> bool:
    return i == 0 or text[i - 1] not in _ALNUM


def _compact(s: str) -> str:
    return re.sub(r"[\s\-/]", "", s).upper()


def iban_ok(text: str) -> bool:
    """Whether an IBAN passes its check digits (python-stdnum)."""
    return bool(_iban.is_valid(_compact(text)))


def steuer_id_ok(text: str) -> bool:
    """Whether an 11-digit number is a valid Steuer-ID (python-stdnum's check)."""
    return bool(_idnr.is_valid(_compact(text)))


def _letter_value(ch: str) -> int:
    return ord(ch.upper()) - ord("A") + 1


def kv_ok(text: str) -> bool:
    """Krankenversichertennummer: letter (A=01 … Z=26) and 8 digits, weights 1-2-1-2 …,
    cross sums of the products added, modulo 10 is the 10th digit."""
    t = _compact(text)
    if not re.fullmatch(r"[A-Z]\d{9}", t):
        return False
    digits = f"{_letter_value(t[0]):02d}" + t[1:9]
    total = sum(sum(divmod(int(d) * (1 + i % 2), 10)) for i, d in enumerate(digits))
    return total % 10 == int(t[9])


def sv_ok(text: str) -> bool:
    """Rentenversicherungsnummer: letter as two digits, weights 2-1-2-5-7-1-2-1-2-1-2-1, cross
    sums added, modulo 10 is the last digit (used by the tests that make valid numbers)."""
    t = _compact(text)
    if not re.fullmatch(r"\d{8}[A-Z]\d{3}", t):
        return False
    digits = t[:8] + f"{_letter_value(t[8]):02d}" + t[9:11]
    weights = (2, 1, 2, 5, 7, 1, 2, 1, 2, 1, 2, 1)
    total = sum(sum(divmod(int(d) * w, 10)) for d, w in zip(digits, weights))
    return total % 10 == int(t[11])


def _icao_value(ch: str) -> int:
    return int(ch) if ch.isdigit() else ord(ch.upper()) - ord("A") + 10


def ausweis_ok(text: str) -> bool:
    """Personalausweis/Reisepass serial: 9 characters and the ICAO 9303 check digit (7-3-1)."""
    t = _compact(text)
    if len(t) != 10 or not t.isascii() or not t[-1].isdigit() or not any(c.isdigit() for c in t[:9]):
        return False
    total = sum(_icao_value(c) * (7, 3, 1)[i % 3] for i, c in enumerate(t[:9]))
    return total % 10 == int(t[9])


def _iban_at(m: re.Match[str]) -> Span | None:
    """An IBAN candidate, shortened group by group from the right until the check passes
    (`DE89 3704 … 00` followed by more digits)."""
    s = m.group(0)
    cuts = [len(s)] + [i for i in range(len(s) - 1, 14, -1) if s[i] in " -"]
    for cut in cuts:
        if iban_ok(s[:cut]):
            return (m.start(), m.start() + cut, IBAN)
    return None


def _letter_led(text: str, i: int) -> list[Span]:
    """IBAN, KV-Nummer, Ausweis starting at position `i`."""
    spans: list[Span] = []
    m = _IBAN_RE.match(text, i)
    if m:
        found = _iban_at(m)
        if found:
            spans.append(found)
    m = _KV_RE.match(text, i)
    if m and kv_ok(m.group(0)):
        spans.append((m.start(), m.end(), KV_NUMMER))
    m = _AUSWEIS_RE.match(text, i)
    if m and ausweis_ok(m.group(0)):
        spans.append((m.start(), m.end(), AUSWEIS))
    return spans


#: Where a letter-led identifier may start: a letter or two before a digit, or a token of
#: ten letters and digits ending in a digit.
_LETTER_THEN_DIGIT = re.compile(r"[A-Za-z](?:[A-Za-z]?\s?\d|[A-Za-z0-9]{8}\d)")


#: The first word of every label (as the scrubber's tokeniser splits them: `Steuer|ID`,
#: `Id|Nr`, `SV|Nummer`): the scrubber finds them in its word table.
LABEL_FIRST_WORDS = frozenset(
    "steuer steuerid steueridentifikationsnummer steuerliche identifikationsnummer id idnr "
    "sozial sozialversicherungsnummer sozialversicherungsnr renten rentenversicherungsnummer "
    "rentenversicherungsnr sv svnr svnummer rv rvnr rvnummer kranken krankenversicherten "
    "krankenversichertennummer krankenversichertennr kv kvnr kvnummer versicherten "
    "versichertennummer versichertennr personal personalausweis personalausweisnummer "
    "personalausweisnr ausweis ausweisnummer ausweisnr perso personummer persomr reise reisepass "
    "reisepassnummer reisepassnr pass passnummer passnr bg bgnr bgnummer bedarfsgemeinschafts "
    "bedarfsgemeinschaftsnummer bedarfsgemeinschaftsnr kunden kundennummer kundennr kd kdnr iban".split()
)


def find(
    text: str, letter_starts: Iterable[int] | None = None, label_starts: Iterable[int] | None = None
) -> list[Span]:
    """Every German identifier in `text`, as (start, end, placeholder).

    `letter_starts`: where a letter-led identifier may start (the scrubber knows them from its
    word table: a short letter word right before digits); `label_starts`: where a label word
    stands; None: searched here."""
    spans: list[Span] = []
    if label_starts is not None:
        triggers = list(label_starts)
    elif len(text.lower()) != len(text):  # a letter whose lower case is longer: as written
        triggers = [m.start() for m in _LABEL_RE.finditer(text)]
    else:
        triggers = [m.start() for m in _LABEL_TRIGGER.finditer(text.lower())]
    for i in triggers:
        if not _starts_word(text, i):
            continue
        m = _LABEL_RE.match(text, i)
        if m is None:
            continue
        value = text[m.start("value") : m.end("value")]
        if sum(c.isalnum() for c in value) >= 6:
            kind = next(_LABELS[i][0] for i in range(len(_LABELS)) if m.group(f"l{i}"))
            spans.append((m.start("value"), m.end("value"), kind))
    for m in _DIGITS_RE.finditer(text):
        if not _starts_word(text, m.start()):
            continue
        if m.group("sv"):
            spans.append((m.start(), m.end(), SV_NUMMER))
        elif m.group("bg"):
            spans.append((m.start(), m.end(), BG_NUMMER))
        elif m.group("kd"):
            spans.append((m.start(), m.end(), KUNDENNUMMER))
        elif text[m.start()] != "0" and steuer_id_ok(m.group(0)):
            spans.append((m.start(), m.end(), STEUER_ID))
    if letter_starts is None:
        letter_starts = [m.start() for m in _LETTER_THEN_DIGIT.finditer(text) if _starts_word(text, m.start())]
    for i in letter_starts:
        spans += _letter_led(text, i)
    return spans
